"""What the explorer says about a refused change and about unsaved changes.

A change refused by the legal frame comes back as one `Problem` per breach (`AllocationState`),
each ending with the rule and its legal source; a yearly total typed for every projected year can
breach the same rule once per year and source. `refusal_items` lists every breach but says each
distinct citation once, heading the breaches it applies to.

`UnsavedNote` is the calm note near the save button while the amounts differ from those last saved
(or, before any save, from the starting scenario): the allocation lives only in the kernel.
"""

from __future__ import annotations

import numpy as np

from simlib import i18n
from simlib.report import html as H
from simlib.workbench.state import AllocationState, Problem


def refusal_items(problems: list[Problem], lang: str) -> list[str]:
    """The refused change's problems as escaped HTML list items: each breach of the legal frame
    under its citation, said once (in the order first met); any other problem as it is."""
    entries: list = []  # the text of a problem, or the key of a citation's breaches
    cited: dict[str, list[str]] = {}
    for p in problems:
        basis = p.fields.get("basis")
        if basis is None:
            entries.append(H.esc(i18n.t("wb.refused", lang, reason=p.message(lang))))
            continue
        if basis.get(lang) not in cited:
            cited[basis.get(lang)] = []
            entries.append((basis.get(lang),))
        cited[basis.get(lang)].append(p.fields["breach"].get(lang))
    return [
        e
        if isinstance(e, str)
        else "<br>".join([H.esc(i18n.t("wb.refused_cited", lang, basis=e[0]))] + [H.esc(b) for b in cited[e[0]]])
        for e in entries
    ]


def problems_html(refused: list[Problem], found: list[Problem], lang: str) -> str:
    """The list under the amounts: the refused change's problems (`refusal_items`), then those
    the validators find in the allocation; empty without any."""
    items = refusal_items(refused, lang) + [H.esc(p.message(lang)) for p in found]
    return H.bullet_list(items, raw=True).replace("sl-list", "sl-list sl-problems") if items else ""


class UnsavedNote:
    """A note shown while the allocation has changes not saved (`update`), cleared on `saved`."""

    def __init__(self, state: AllocationState, lang: str):
        # local import: ipywidgets only where a widget is drawn (the workbench runs headless too)
        import ipywidgets as W

        self.state, self.lang = state, lang
        self.kept = state.amounts()  # the amounts nothing would lose: the start, then each save
        self.widget = W.HTML()

    @property
    def unsaved(self) -> bool:
        return not np.array_equal(self.state.amounts(), self.kept)

    def update(self) -> None:
        text = i18n.t("wb.unsaved", self.lang) if self.unsaved else ""
        self.widget.value = f"<span class='sl-small'>{H.esc(text)}</span>" if text else ""

    def saved(self) -> None:
        self.kept = self.state.amounts()
        self.update()
