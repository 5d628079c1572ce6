"""What the explorer says about a refused change and about unsaved changes.

A change refused by the legal frame comes back as one `Problem` per breach (`AllocationState`),
each ending with the rule and its legal source; a yearly total typed for every projected year can
breach the same rule once per year and source. `refusal_items` lists every breach but says each
distinct citation once, heading the breaches it applies to. A breach names the money it counts (a
source's total against its envelope, a content's capital), not the cell typed: `named` gives a
typed amount's refusals the cell (its row as the grid shows it, its source, the year or years
and the value as typed), said first.

`UnsavedNote` is the calm note near the save button while the amounts differ from those last saved
(or, before any save, from the starting scenario): the allocation lives only in the kernel.
"""

from __future__ import annotations

import numpy as np

from simlib import i18n
from simlib.i18n import LocalText
from simlib.report import html as H
from simlib.workbench.layout import cell_label
from simlib.workbench.state import AllocationState, Problem, shown_value

#: the key of a change refused by the legal frame (`AllocationState`)
REFUSED = "wb.problem.refused"


def named(problems: list[Problem], state: AllocationState, item: str, source: str, value, year) -> list[Problem]:
    """`problems` of `value` typed for `item` from `source` in `year` (None: every projected
    year), each refusal of the legal frame naming that cell (`cell`, in every language)."""
    if not any(p.key == REFUSED for p in problems):
        return problems
    shown = state.years[1] if year is None else year  # the year whose row names the grid shows
    key = "wb.refused_cell" if year is not None else "wb.refused_cell_every"
    years = ", ".join(str(y) for y in state.years[1:])
    text = {
        lg: i18n.t(
            key,
            lg,
            value=shown_value(value, lg),
            cell=cell_label(state, item, source, shown, lg),
            source=i18n.label("source", source, lg),
            **({"year": year} if year is not None else {"years": years}),
        )
        for lg in i18n.LANGS
    }
    cell = LocalText(**text)
    return [
        Problem(p.where, p.key, {**p.fields, "cell": cell}, p.blocking) if p.key == REFUSED else p for p in problems
    ]


def refusal_items(problems: list[Problem], lang: str) -> list[str]:
    """The refused change's problems as escaped HTML list items: each breach of the legal frame
    under its citation, said once (in the order first met); any other problem as it is. The cell
    typed (`named`) comes first."""
    cell = next((p.fields["cell"] for p in problems if "cell" in p.fields), None)
    entries: list = [H.esc(cell.get(lang))] if cell is not None else []  # texts, or citations' keys
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
