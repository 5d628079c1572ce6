"""The explorer's language: the toggle in its header and the texts made again in another one.

A planner shows the explorer to an English-speaking donor, or the other way round, without
opening it again: the toggle (`language_toggle`: «Tiếng Việt» / «English», each language named
in itself) switches every label, card, table, chart label, message and number format (1.234,5 /
1,234.5) of the view as it is. Nothing is projected again: the texts are made from the run, the
amounts and the messages already held (`simlib.workbench.view.ExplorerView.relabel`).

`Words` keeps how each text shown was made — a function of no argument reading the language the
view shows at the time it is called — so that `redo` makes them all again: the fixed labels
(buttons, headings) and the last word of each message line (a refusal, a computation's outcome, a
progress note) alike.
"""

from __future__ import annotations

from collections.abc import Callable

from simlib import i18n

#: the toggle's class (browser tests and screenshots find it by this)
TOGGLE_CLASS = "sl-language"


class Words:
    """The texts of widgets as functions (`put`), made again by `redo`."""

    def __init__(self):
        self.makers: dict[tuple[int, str], tuple[object, str, Callable[[], str]]] = {}

    def put(self, widget, make: Callable[[], str], attr: str = "value") -> None:
        """Show `make()` as the widget's `attr` (its value, description, …) and keep `make`."""
        self.makers[id(widget), attr] = (widget, attr, make)
        setattr(widget, attr, make())

    def redo(self) -> None:
        """Every text kept, made again (in the language now shown)."""
        for widget, attr, make in self.makers.values():
            setattr(widget, attr, make())


def language_names() -> list[tuple[str, str]]:
    """(name, code) of each language the explorer speaks, each named in itself."""
    return [(i18n.t("wb.language.vi", "vi"), "vi"), (i18n.t("wb.language.en", "en"), "en")]


def language_toggle(lang: str, on_switch: Callable[[str], None]):
    """The header's toggle showing `lang`; `on_switch(code)` when the planner chooses another."""
    # local import: ipywidgets only where a widget is drawn (the workbench runs headless too)
    import ipywidgets as W

    toggle = W.ToggleButtons(options=language_names(), value=i18n.get_lang(lang))
    toggle.style.button_width = "auto"
    toggle.add_class(TOGGLE_CLASS)
    toggle.observe(lambda change: on_switch(change["new"]), names="value")
    return toggle
