"""What a planner driving the explorer in JupyterLab (headless Chromium, stop 59) found, checked
through the widget API and an in-process IPython shell:

- «Gợi ý phân bổ tốt hơn» was cut to «Gợi ý phân bổ …»: ipywidgets gives a button a fixed
  width; every button of the explorer now takes its label's width (in either language);
- at 1366 px with the file browser open, the chart's third panel was cut off at the right: the
  chart now shrinks to the notebook's width, keeping its proportions;
- a scenario file that does not exist (a typo in the parameters cell) showed a Python traceback;
  now the message («file not found; did you mean …») under the input-error heading;
- at 1024 px the grid's row names (330 px) were squeezed to about 75 px and wrapped over four
  lines each: a name now stays on one line, cut with «…» (the whole name is its tooltip);
- opening `plan_2027` (communes) showed nothing for minutes but the cell's [*]; a note now says
  the explorer is opening, and is cleared once the widgets are there (or the opening fails).
"""

from __future__ import annotations

import re

import pytest
from IPython.core.interactiveshell import InteractiveShell

from simlib import i18n
from simlib.workbench.opening import opened, opening_note
from simlib.workbench.state import AllocationState
from tests.conftest import ROOT

PLAN = ROOT / "params" / "scenarios" / "plan_2024.yaml"


@pytest.fixture(scope="module")
def view(tmp_path_factory):
    from simlib.workbench.view import ExplorerView

    return ExplorerView(AllocationState.load(PLAN), "vi", tmp_path_factory.mktemp("saved"), debounce=0)


@pytest.fixture
def shell():
    """An in-process IPython shell (what a kernel runs), dropped afterwards."""
    sh = InteractiveShell.instance()
    try:
        yield sh
    finally:
        sh.set_custom_exc((), None)
        InteractiveShell.clear_instance()


def test_every_button_takes_its_labels_width(view):
    import ipywidgets as W

    buttons = {k: w for k, w in view.w.items() if isinstance(w, W.Button)}
    assert {"probability", "suggest", "apply", "save", "overwrite"} <= set(buttons)
    assert {k: b.layout.width for k, b in buttons.items()} == dict.fromkeys(buttons, "auto")


def test_the_chart_shrinks_to_a_narrow_notebook_keeping_its_proportions(view):
    svg = view.w["chart"].value
    head = svg[: svg.index(">")]
    width, height = (int(v) for v in re.search(r'width="(\d+)" height="(\d+)"', head).groups())
    assert f'viewBox="0 0 {width} {height}"' in head  # the drawing scales with the box
    assert width > 840  # wider than the output area at 1366 px with the file browser open
    style = re.search(r'style="([^"]*)"', head).group(1).split(";")
    assert "max-width:100%" in style and "height:auto" in style


def test_a_grid_row_name_stays_on_one_line_cut_with_an_ellipsis(view):
    rows = view.grid.layouts[view.grid.layout.key][1]
    item_rows = [r for r in rows if len(r.children) == 1 + len(view.state.sources)]
    assert len(item_rows) > 20  # header, the lines, total and envelope
    assert all("sl-grid-name" in r.children[0]._dom_classes for r in item_rows)
    css = view.w["style"].value
    rule = re.search(r"\.sl-grid-name, \.sl-grid-name \* \{([^}]*)\}", css).group(1)
    assert {d.strip() for d in rule.split(";") if d.strip()} == {
        "white-space: nowrap",
        "overflow: hidden",
        "text-overflow: ellipsis",
    }


def test_a_missing_scenario_file_shows_its_message_not_a_traceback(shell, capsys, tmp_path):
    missing = ROOT / "params" / "scenarios" / "plan_2028.yaml"
    code = (
        f"from simlib.workbench import explore\nview = explore({str(missing)!r}, lang='vi', save_dir={str(tmp_path)!r})"
    )
    result = shell.run_cell(code)
    out = capsys.readouterr().out
    assert result.error_in_exec is not None  # the cell still fails (papermill, nbval see it)
    assert i18n.t("wb.lab.error_title", "vi") in out and "plan_2028.yaml" in out and "plan_2024.yaml" in out
    assert "Traceback" not in out and "File " not in out and "InputError" not in out


def test_a_note_shows_while_the_explorer_opens_and_is_cleared_after(shell):
    published = []
    shell.display_pub.publish = lambda data, metadata=None, transient=None, update=False, **kw: published.append(
        (data.get("text/html"), (transient or {}).get("display_id"), update)
    )

    def build():
        assert [p[0] for p in published] == [opening_note("vi")]  # shown before the work starts
        return "view"

    assert opened(build, "vi") == "view"
    (note, shown_id, first), (cleared, cleared_id, update) = published
    assert "Đang mở công cụ thử phân bổ" in note and not first
    assert (cleared, cleared_id, update) == ("", shown_id, True) and shown_id

    def fails():
        raise RuntimeError("boom")

    published.clear()
    with pytest.raises(RuntimeError):
        opened(fails, "en")
    assert [p[0] for p in published] == [opening_note("en"), ""]  # no note left behind
