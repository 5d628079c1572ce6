"""Report notebooks read in JupyterLab: what `setup(lang)` (called in a cell tagged `hide`, right
after the parameters) does for a planner who opens a report notebook instead of its HTML.

- The report stylesheet is shown, so headline cards and tables look as in the HTML report
  (`simlib.report.html.notebook_css`: simlib's own classes only, JupyterLab itself untouched).
- A mistake in an input (`SimlibError`) shows its message in the notebook's language, not a
  Python traceback (an IPython custom exception handler); other errors keep their traceback,
  since they are bugs.
- The scenarios a planner can name in the parameters cell are listed, with their titles.

The cell is tagged `hide`, so none of this reaches a rendered report. `simlib batch` still gets
the error (papermill sees the failed cell with the exception's name and message).
"""

from __future__ import annotations

import os
from pathlib import Path

import yaml

from simlib import i18n
from simlib.errors import SimlibError
from simlib.paths import scenarios_dir, workspace_dir
from simlib.report import html


def _error_types() -> tuple[type, ...]:
    """SimlibError and every subclass (IPython matches a shown error's exact type)."""
    out, todo = [], [SimlibError]
    while todo:
        cls = todo.pop()
        out.append(cls)
        todo.extend(cls.__subclasses__())
    return tuple(out)


def error_lines(exc: BaseException, lang: str | None = None) -> list[str]:
    """What the notebook shows for a user's mistake: a heading and the message, no traceback."""
    message = exc.message(lang) if isinstance(exc, SimlibError) else str(exc)
    return [f"\x1b[1;31m{i18n.t('wb.lab.error_title', lang)}\x1b[0m", message]


def install_error_handler(lang: str | None = None, shell=None) -> bool:
    """Show `SimlibError`s in `shell` (default: the running IPython) as plain messages.
    Returns False outside IPython."""
    if shell is None:
        # local import: IPython only in a notebook session
        from IPython import get_ipython

        shell = get_ipython()
    if shell is None:
        return False

    def handler(ip, etype, value, tb, tb_offset=None):
        lines = error_lines(value, lang)
        ip._showtraceback(etype, value, lines)  # IPython's hook for showing an error (a kernel sends it)
        return lines

    shell.set_custom_exc(_error_types(), handler)
    return True


def available_scenarios(folders: list[Path] | None = None) -> list[dict]:
    """Scenario files a notebook can use: the project's (`params/scenarios/`) and those saved in
    the workspace (`workspace/scenarios/`), each with its name, titles and path; files that do
    not load are listed with their problem."""
    folders = folders if folders is not None else [scenarios_dir(), workspace_dir() / "scenarios"]
    out = []
    for folder in folders:
        for path in sorted(Path(folder).glob("*.yaml")):
            try:
                raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
            except (OSError, yaml.YAMLError) as exc:
                raw = {"error": str(exc).splitlines()[0]}
            raw = raw if isinstance(raw, dict) else {}
            out.append(
                {
                    "path": path,
                    "name": str(raw.get("name", path.stem)),
                    "title_vi": str(raw.get("title_vi", "")),
                    "title_en": str(raw.get("title_en", "")),
                }
            )
    return out


def scenarios_html(lang: str | None = None, folders: list[Path] | None = None, cwd: Path | None = None) -> str:
    """The available scenarios as a table: the text to put in `scenario = "…"`, and the title."""
    lang = i18n.get_lang(lang)
    cwd = Path(cwd or Path.cwd())
    rows = []
    for s in available_scenarios(folders):
        rel = os.path.relpath(s["path"], cwd)
        rows.append([f'"{rel}"', (s["title_vi"] if lang == "vi" else s["title_en"]) or s["name"]])
    if not rows:
        return html.para(i18n.t("wb.lab.no_scenarios", lang))
    header = [i18n.t("wb.lab.scenario_value", lang), i18n.t("wb.lab.scenario_title", lang)]
    return html.table(header, rows, caption=i18n.t("wb.lab.scenarios_caption", lang))


def setup(lang: str | None = None, scenarios: bool = True) -> None:
    """Prepare a report notebook for JupyterLab (see the module docstring)."""
    # local import: IPython only in a notebook session
    from IPython.display import HTML, display

    install_error_handler(lang)
    parts = [f"<style>{html.notebook_css()}</style>"]
    if scenarios:
        parts.append(scenarios_html(lang))
    display(HTML("\n".join(parts)))
