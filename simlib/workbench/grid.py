"""The explorer's amount controls: billion VND per item (a budget line's content) and funding
source, for one budget year or every projected year, with each project's derived share (shown
summing to 100 %), the money per source and the central envelope it must stay within.

With every projected year chosen, a cell shows the first projected year's amount (what a typed
value sets in every year); a cell whose years differ is marked (`sl-differs`, in italics) and a
note says to choose a year to see each.

`AmountGrid` makes the widgets once and only sets their values afterwards (`sync`). A typed
amount goes to `AllocationState.set_amount`; when the state refuses it (not a number, or a rule
of the legal frame), the cell goes back to the state's amount and the reasons are handed to
`on_change` for the view to show.
"""

from __future__ import annotations

from collections.abc import Callable

from simlib import i18n
from simlib.i18n import fmt
from simlib.report import html as H
from simlib.workbench.state import AllocationState, Problem, share_labels

NAME_WIDTH = "330px"
CELL_WIDTH = "96px"
#: the year control's value for every projected year
EVERY_YEAR = 0
#: longest item label (characters)
MAX_LABEL = 46


def item_label(catalogue, item: str, lang: str) -> str:
    """`P4.1 – Đào tạo nghề …`: the budget line's code and the item's content name, shortened."""
    line = catalogue.lines[item]
    content = catalogue.contents.get(line.content)
    code = content.line if content is not None else item
    name = (content.name if content is not None else line.name).get(lang)
    text = f"{code} – {name}"
    return text if len(text) <= MAX_LABEL else text[: MAX_LABEL - 1].rstrip() + "…"


def cell_class(item: str, source: str) -> str:
    """The CSS class of one amount cell (browser tests find it by this)."""
    return f"sl-cell-{item}-{source}".replace(".", "_")


def amount_text(vnd: float, lang: str) -> str:
    """An amount in billion VND as a cell shows it (`330`, `12,5`, `0,125`)."""
    return fmt.number(vnd / 1e9, lang, 3, trim=True)


class AmountGrid:
    """Amount cells by item and source, project shares, totals by source and envelope."""

    def __init__(self, state: AllocationState, lang: str, on_change: Callable[[list[Problem]], None]):
        # local import: ipywidgets only where a widget is drawn (the workbench runs headless too)
        import ipywidgets as W

        self.state, self.lang, self.on_change = state, lang, on_change
        self._syncing = False
        t = lambda k, **kw: i18n.t(k, lang, **kw)  # noqa: E731
        years = [(t("wb.year_all"), EVERY_YEAR)] + [(str(y), y) for y in state.years[1:]]
        # a Dropdown's None means "nothing chosen" (shown empty): every year has its own value
        self.year_control = W.Dropdown(options=years, value=EVERY_YEAR, description=t("wb.year_label"))
        self.year_control.observe(lambda _: self.sync(), names="value")
        self.cells: dict[tuple[str, str], object] = {}
        self.marked: set[tuple[str, str]] = set()  # cells shown as differing between years
        self.shares: dict[str, object] = {}
        self.totals = {s: W.HTML() for s in state.sources}
        self.limits = {s: W.HTML() for s in state.sources}
        rows = [self._row(W.HTML(f"<b>{H.esc(t('wb.grid.item'))}</b>"), self._headers())]
        cat = state.base.catalogue
        for p in state.projects:
            self.shares[p] = W.HTML()
            name = f"<b>{H.esc(cat.projects[p].name.get(lang))}</b>"
            rows.append(W.HBox([W.HTML(name, layout=W.Layout(width=NAME_WIDTH)), self.shares[p]]))
            for item in (it for it in state.items if cat.lines[it].project == p):
                rows.append(
                    self._row(W.Label(item_label(cat, item, lang)), [self._cell(item, s) for s in state.sources])
                )
        rows.append(self._row(W.HTML(f"<b>{H.esc(t('wb.grid.total'))}</b>"), list(self.totals.values())))
        rows.append(self._row(W.HTML(H.esc(t("wb.grid.envelope"))), list(self.limits.values())))
        self.note = W.HTML()
        self.box = W.VBox([self.year_control, *rows, self.note])
        self.sync()

    @property
    def year(self) -> int | None:
        """The chosen budget year, None for every projected year."""
        v = self.year_control.value
        return None if v == EVERY_YEAR else int(v)

    def _headers(self) -> list:
        # local import: ipywidgets only where a widget is drawn (the workbench runs headless too)
        import ipywidgets as W

        return [W.HTML(f"<small>{H.esc(i18n.label('source', s, self.lang))}</small>") for s in self.state.sources]

    @staticmethod
    def _row(label, cells) -> object:
        # local import: ipywidgets only where a widget is drawn (the workbench runs headless too)
        import ipywidgets as W

        label.layout.width = NAME_WIDTH
        for c in cells:
            c.layout.width = CELL_WIDTH
        return W.HBox([label, *cells])

    def _cell(self, item: str, source: str):
        # local import: ipywidgets only where a widget is drawn (the workbench runs headless too)
        import ipywidgets as W

        w = W.Text(continuous_update=False)
        w.add_class(cell_class(item, source))
        w.observe(lambda change: self._typed(item, source, change["new"]), names="value")
        self.cells[(item, source)] = w
        return w

    def _typed(self, item: str, source: str, value) -> None:
        if self._syncing:
            return
        problems = self.state.set_amount(item, source, value, self.year, self.lang)
        self.sync()
        self.on_change(problems)

    def sync(self) -> None:
        """Show the state's amounts (of the chosen year; every year shows the first projected
        year's), shares, totals and envelope."""
        st, lang, year = self.state, self.lang, self.year
        y = st.years[1] if year is None else year
        a = st.amounts()[1:]
        differs = (a.max(axis=0) - a.min(axis=0)) > 0.5  # (items, sources): the years' amounts differ
        self._syncing = True
        try:
            for (item, src), w in self.cells.items():
                w.value = amount_text(st.amount(item, src, y), lang)
                mark = year is None and bool(differs[st.items.index(item), st.sources.index(src)])
                if mark != ((item, src) in self.marked):
                    (w.add_class if mark else w.remove_class)("sl-differs")
                    (self.marked.add if mark else self.marked.discard)((item, src))
        finally:
            self._syncing = False
        self.note.value = H.para(i18n.t("wb.grid.differs", lang), "sl-small") if year is None and differs.any() else ""
        totals = st.project_totals(y)
        for p, text in share_labels(totals, lang).items():
            money = fmt.billion_vnd(totals[p], lang)
            self.shares[p].value = f"{H.esc(money)} · <b>{H.esc(text)}</b>"
        for s, v in st.source_totals(y).items():
            self.totals[s].value = f"<b>{H.esc(amount_text(v, lang))}</b>"
        env = st.envelope(y)
        for s, w in self.limits.items():
            w.value = f"≤ {H.esc(amount_text(env[s], lang))}" if s in env else "–"
