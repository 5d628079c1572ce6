"""The explorer's opening in a notebook: what the planner sees before the widgets exist.

- A note says the explorer is opening (loading the scenario and projecting it can take minutes
  on the communes of a dated scenario on a loaded machine); it is cleared once the widgets are
  there, or when the opening fails. It is an HTML display updated through its display id, not an
  `ipywidgets.Output` widget (see `simlib.workbench.view`: no Output widget, ever).
- A mistake in the notebook's inputs (a scenario file that does not exist, a wrong value in it:
  a `SimlibError`) shows its message in the notebook's language, not a Python traceback
  (`simlib.report.lab.install_error_handler`, as the report notebooks do).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from simlib import i18n
from simlib.report import html as H
from simlib.report.lab import install_error_handler

T = TypeVar("T")

#: the turning of the "working" mark (`wait_mark`), in the explorer's stylesheet and the opening note
WAIT_CSS = "@keyframes sl-wait-turn { to { transform: rotate(360deg); } }"
_WAIT_STYLE = (
    "display:inline-block;width:.75em;height:.75em;margin-right:.4em;vertical-align:-.05em;"
    "border:2px solid currentColor;border-right-color:transparent;border-radius:50%;"
    "animation:sl-wait-turn 1s linear infinite"
)


def wait_mark() -> str:
    """The mark beside a "working…" text: a turning ring drawn by CSS (its style inline, so it
    shows before the explorer's stylesheet). The hourglass emoji it replaces showed as an empty
    box in a browser without an emoji font (Debian's headless Chromium)."""
    return f'<span class="sl-wait" style="{_WAIT_STYLE}" aria-hidden="true"></span>'


def opening_note(lang: str) -> str:
    """The note shown while the explorer opens."""
    text = H.esc(i18n.t("wb.lab.opening", lang))
    return f'<style>{WAIT_CSS}</style><p class="sl-opening">{wait_mark()}{text}</p>'


def opened(build: Callable[[], T], lang: str) -> T:
    """`build()` (the explorer's state and widgets) with the opening note shown meanwhile and
    input mistakes shown as plain messages."""
    # local import: IPython only in a notebook session
    from IPython.display import HTML, display

    install_error_handler(lang)
    handle = display(HTML(opening_note(lang)), display_id=True)
    try:
        return build()
    finally:
        if handle is not None:  # outside IPython `display` returns None
            handle.update(HTML(""))


def fallback_note(uid: str, lang: str) -> str:
    """What a reopened notebook shows where the widgets were (both languages; hidden by the
    live widgets' stylesheet)."""
    text = f"{i18n.t('wb.rerun', 'vi')} / {i18n.t('wb.rerun', 'en')}"
    style = "border-left:4px solid #111;background:#f2f2f2;padding:.4em .8em;margin:.4em 0"
    return f'<div class="sl-fallback-{uid}" style="{style}">{H.esc(text)}</div>'
