"""The explorer's language toggle, driven through the widget API: the header's toggle says every
text of the view in the other language and number format without projecting again, and the
planner's edits (money typed, year chosen, titles) stay.

Texts are read from the whole widget tree (labels, descriptions, options, HTML values with their
tooltips, the chart's SVG text), not from the view's own records of what it showed; the numbers
are checked against the state's amounts and against each other across languages."""

from __future__ import annotations

import html
import re
import threading

import numpy as np
import pytest
import yaml
from conftest import ROOT, tiny_raw

from simlib.workbench import state as state_module
from simlib.workbench.state import AllocationState, parse_number

pytest.importorskip("ipywidgets")

#: letters only Vietnamese writes (with its tones and ă â đ ê ô ơ ư)
VIETNAMESE = re.compile("[àáảãạăằắẳẵặâầấẩẫậđèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵ]", re.IGNORECASE)
NUMBER = {"vi": re.compile(r"\d{1,3}(?:\.\d{3})+(?:,\d+)?|\d+(?:,\d+)?"), "en": re.compile(r"[\d,]+(?:\.\d+)?")}


def english_only_words() -> set[str]:
    """Words of the English catalogues (4 letters or more) that no Vietnamese catalogue uses:
    none of them belongs in the Vietnamese view (read from the files, not through the code)."""

    def words(lang: str) -> set[str]:
        text = " ".join(p.read_text(encoding="utf-8") for p in (ROOT / "simlib" / "locale" / lang).glob("*.yaml"))
        text = re.sub(r"\{[^}]*\}", " ", re.sub(r"(?m)^[^:\n]*:", " ", text))  # values only, no {fields}
        return {w.lower() for w in re.findall(r"[A-Za-z]{4,}", text)}

    return words("en") - words("vi")


def texts(widget, out: list[str] | None = None) -> list[str]:
    """Every text a widget tree shows: labels, descriptions, options, values (HTML without its
    tags, with its `title` tooltips and `aria-label`s); not the stylesheet and not the language
    toggle (each language named in itself)."""
    out = [] if out is None else out
    classes = getattr(widget, "_dom_classes", ())
    if "sl-language" in classes:
        return out
    for attr in ("description", "tooltip", "placeholder", "label"):
        v = getattr(widget, attr, None)
        if isinstance(v, str) and v:
            out.append(v)
    out += [str(v) for v in getattr(widget, "_options_labels", ())]
    value = getattr(widget, "value", None)
    if isinstance(value, str) and not value.startswith("<style>"):
        out += [html.unescape(t) for t in re.findall(r"""(?:title|aria-label)=["']([^"']*)["']""", value)]
        out.append(html.unescape(re.sub(r"<[^>]+>", " ", value)))
    for child in getattr(widget, "children", ()):
        texts(child, out)
    return out


def shown(view) -> str:
    return "\n".join(texts(view.w["box"]))


def card_numbers(view, lang: str) -> list[float]:
    """The numbers of the headline cards' values, read the `lang` way."""
    values = re.findall(r'<div class="v">([^<]*)</div>', view.w["cards"].value)
    found = [m for v in values for m in NUMBER[lang].findall(html.unescape(v))]
    return [parse_number(m, lang) for m in found if any(c.isdigit() for c in m)]


@pytest.fixture
def runs(monkeypatch):
    """Counts the projections run (the engine behind `AllocationState.evaluate`)."""
    calls = []
    real = state_module.project

    def counted(*args, **kw):
        calls.append(1)
        return real(*args, **kw)

    monkeypatch.setattr(state_module, "project", counted)
    return calls


@pytest.fixture
def base_file(tmp_path):
    path = tmp_path / "base.yaml"
    path.write_text(yaml.safe_dump(tiny_raw()), encoding="utf-8")
    return path


def open_view(base_file, tmp_path, lang=None):
    from simlib.workbench.view import ExplorerView

    state = AllocationState.load(base_file)
    args = () if lang is None else (lang,)
    return ExplorerView(state, *args, save_folder=tmp_path / "saved", debounce=0)


def test_the_explorer_opens_in_vietnamese_with_the_toggle_in_its_header(base_file, tmp_path):
    view = open_view(base_file, tmp_path)
    toggle = view.w["language"]
    assert toggle.value == "vi" and list(toggle.options) == [("Tiếng Việt", "vi"), ("English", "en")]
    assert view.w["box"].children.index(toggle) < view.w["box"].children.index(view.grid.box)  # above the amounts
    assert open_view(base_file, tmp_path, "en").w["language"].value == "en"


def test_a_switch_relabels_everything_keeps_the_numbers_and_runs_nothing(base_file, tmp_path, runs):
    view = open_view(base_file, tmp_path)
    view.grid.cells["P3.1", "central_recurrent"].value = "20,5"  # money typed the Vietnamese way
    view.grid.year_control.value = 2025
    view.grid.cells["P2", "central_recurrent"].value = "4"
    view.w["title_vi"].value = "Thử nghiệm"
    amounts, updates, ran = view.state.amounts(), view.updates, len(runs)
    assert ran == 4  # the opening (the start, the first view) and the two changes
    vi_text, vi_cards = shown(view), card_numbers(view, "vi")

    view.w["language"].value = "en"  # the planner clicks «English»
    en_text = shown(view)
    assert len(runs) == ran and view.updates == updates  # nothing projected again
    np.testing.assert_array_equal(view.state.amounts(), amounts)
    assert view.grid.year == 2025 and view.grid.year_control.value == 2025 and view.w["title_vi"].value == "Thử nghiệm"
    left = sorted({line for line in en_text.splitlines() if VIETNAMESE.search(line)} - {"Thử nghiệm"})
    assert left == []  # no Vietnamese text in the English view (but the title the planner typed)
    assert "Total money per year" in en_text and "Money by content and source" in en_text
    assert card_numbers(view, "en") == vi_cards  # the same numbers, the English way
    p2 = view.grid.cells["P2", "central_recurrent"]
    assert view.grid.cells["P3.1", "central_recurrent"].value == "20.5" and p2.value == "4"
    assert parse_number(view.w["total"].value, "en") == pytest.approx(view.state.allocated_vnd(2025) / 1e9)

    view.w["language"].value = "vi"  # and back
    assert len(runs) == ran and view.updates == updates
    assert shown(view) == vi_text  # every text as it was
    np.testing.assert_array_equal(view.state.amounts(), amounts)


def test_no_english_words_stay_in_the_vietnamese_view(base_file, tmp_path):
    view = open_view(base_file, tmp_path, "en")
    view.grid.cells["P3.1", "central_recurrent"].value = "abc"  # a refusal on screen, in English
    assert "is not accepted" in html.unescape(view.w["problems"].value)
    view.w["language"].value = "vi"
    words = {w.lower() for w in re.findall(r"[A-Za-z]{4,}", shown(view))}
    assert sorted(words & english_only_words()) == []
    assert "không được chấp nhận" in html.unescape(view.w["problems"].value)  # the refusal, said again


def test_after_a_switch_amounts_are_read_the_new_way(base_file, tmp_path, runs):
    view = open_view(base_file, tmp_path)
    view.w["language"].value = "en"
    item = view.state.items.index("P3.1")
    view.grid.cells["P3.1", "central_recurrent"].value = "1,234.5"
    assert view.state.amounts()[1:, item, 1].tolist() == [1234.5e9, 1234.5e9]
    assert view.grid.cells["P3.1", "central_recurrent"].value == "1,234.5" and len(runs) == 3
    view.w["language"].value = "vi"
    assert view.grid.cells["P3.1", "central_recurrent"].value == "1.234,5"
    view.grid.cells["P3.1", "central_recurrent"].value = "12,5"
    assert view.state.amounts()[1:, item, 1].tolist() == [12.5e9, 12.5e9] and len(runs) == 4


def test_results_and_notes_on_screen_are_said_again(base_file, tmp_path, runs):
    """The probabilities computed, their note and a save's status line follow a switch; the
    save's file is the one written before it."""
    view = open_view(base_file, tmp_path)
    view.w["title_vi"].value = "Thử nghiệm"
    path = view.save()
    assert path is not None and "Đã lưu" in view.w["status"].value
    assert view.compute_probabilities(n=4) and view.wait(300)
    assert "4 lần rút tham số" in view.w["probability_note"].value
    ran, compare_vi = len(runs), view.w["compare"].value
    view.w["language"].value = "en"
    assert "over 4 parameter draws" in view.w["probability_note"].value
    assert "Saved" in view.w["status"].value and path.name in view.w["status"].value
    found = re.findall(r"(\d+)(?:[.,](\d+))?\s*%", html.unescape(re.sub(r"<[^>]+>", " ", view.w["compare"].value)))
    assert found and found == re.findall(r"(\d+)(?:[.,](\d+))?\s*%", html.unescape(re.sub(r"<[^>]+>", " ", compare_vi)))
    assert not VIETNAMESE.search(re.sub(r"<[^>]+>", " ", view.w["compare"].value)) and len(runs) == ran


def test_the_optimiser_progress_on_screen_is_said_again(base_file, tmp_path, monkeypatch):
    """A progress line of the running optimiser follows a switch at once, not at its next update
    (lab65): the estimate and the runs counted, in the other words and number format."""
    from simlib.workbench import compare

    told, release = threading.Event(), threading.Event()

    def optimiser(state, amounts, on_runs, on_estimate):  # stands for `compare.suggest`: tells, then waits
        on_estimate(3000, 0.5)  # 3.000 runs × 0,5 s
        on_runs(1240.0)
        told.set()
        release.wait(60)
        raise RuntimeError("stopped by the test")

    monkeypatch.setattr(compare, "suggest", optimiser)
    view = open_view(base_file, tmp_path)
    assert view.suggest() and told.wait(60)
    vi_line = html.unescape(view.w["suggestion"].value)
    assert "1.240 trên khoảng 3.000 lần chạy" in vi_line
    view.w["language"].value = "en"
    en_line = html.unescape(re.sub(r"<[^>]+>", " ", view.w["suggestion"].value))
    assert "1,240 of about 3,000 runs" in en_line and "about 3,000 runs of the model" in en_line
    assert not VIETNAMESE.search(en_line)
    view.w["language"].value = "vi"
    assert html.unescape(view.w["suggestion"].value) == vi_line
    release.set()
    assert view.wait(60)


def test_a_switch_relabels_the_grid_rows_in_place(base_file, tmp_path):
    """The grid's rows are the same widgets in either language (lab65: each language kept its own
    rows, about 100 widgets more after the first switch), their names said in the new one."""
    view = open_view(base_file, tmp_path)
    rows = list(view.grid.box.children)
    names_vi = "\n".join(texts(view.grid.box))
    view.w["language"].value = "en"
    assert list(view.grid.box.children) == rows
    names_en = "\n".join(texts(view.grid.box))
    assert "Content" in names_en and not VIETNAMESE.search(names_en)
    view.w["language"].value = "vi"
    assert list(view.grid.box.children) == rows and "\n".join(texts(view.grid.box)) == names_vi
