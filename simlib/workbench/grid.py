"""The explorer's amount controls: billion VND per item (a budget line's content) and funding
source, for one budget year or every projected year, with each project's derived share (shown
summing to 100 %), the money per source and the central envelope it must stay within.

With every projected year chosen, a cell shows the first projected year's amount (what a typed
value sets in every year); a cell whose years differ is marked (`sl-differs`, in italics) and a
note says to choose a year to see each.

The rows are those of the catalogue in force in the chosen year (`simlib.workbench.layout`): the
2021–2025 projects and lines, or from 2026 in a dated scenario the 2026–2035 programme's projects
and contents, each content's cell standing for the budget item its money lands in.

`AmountGrid` makes the widgets once (the rows of a catalogue when it is first shown) and only
sets their values afterwards (`sync`). A typed
amount goes to `AllocationState.set_amount`; when the state refuses it (not a number, or a rule
of the legal frame), the cell goes back to the state's amount and the reasons are handed to
`on_change` for the view to show; a refusal of the legal frame names the cell typed
(`simlib.workbench.refusals.named`: a breach names the money it counts, a source's total or a
norm, not the cell that made it). Enter in a cell (`on_enter`) lets the view clear a refusal
on screen when the planner retypes the amount the cell shows (the browser sends no new value
then); leaving the refused cell does too, through the page's script (`typed` names the cell
for the view to mark, `simlib.workbench.leaving`: ipywidgets 8's text box sends no blur event).

A year switch is safe: the cells show the amounts of one year (`year`), and until they show those
of the year just chosen the grid is *busy* — the ring beside the year control turns and the
cells are hidden at once: no click, no keyboard (`stale_css`, drawn by the browser from the
moment of the choice, however long the kernel takes to answer; driven in Chromium, lab61,
lab63), and a value reaching the kernel meanwhile is refused, never put into a year whose
amounts the planner did not see. The chosen year's amounts are shown on the
kernel's event loop once the choice's handler returns (`later`, `simlib.workbench.background.soon`).
"""

from __future__ import annotations

import math
from collections.abc import Callable

from simlib import i18n
from simlib.i18n import LocalText, fmt
from simlib.report import html as H
from simlib.workbench.background import soon
from simlib.workbench.layout import LINES, GridLayout, layout_for, layout_key
from simlib.workbench.opening import wait_mark
from simlib.workbench.refusals import named
from simlib.workbench.state import AMOUNT_DECIMALS, AllocationState, Problem, share_labels, shown_value, sources_label

NAME_WIDTH = "330px"
CELL_WIDTH = "96px"
#: a column's flex: never grown nor shrunk (`_row`)
CELL_FLEX = "0 0 auto"
#: the year control's value for every projected year
EVERY_YEAR = 0
#: a row's name stays on one line, cut with «…» where the notebook is narrow (1024 px: names of
#: 330 px squeezed to 75 px wrapped over four lines); the whole name is the row's tooltip
NAME_CLASS = "sl-grid-name"
#: every amount cell's class, and the yearly total's (`stale_css` hides them while a year switches)
AMOUNT_CLASS, TOTAL_CLASS = "sl-amount", "sl-total"
#: the figures of the year shown beside the cells: shares, totals by source, envelope, and the
#: results' money card (`simlib.workbench.cards.money_card`), greyed too
FIGURE_CLASS = "sl-year-figure"
#: the busy ring beside the year control (hidden unless a year switch is under way)
WAIT_CLASS = "sl-grid-wait"
#: the year control's row while the kernel has not shown the chosen year's amounts yet
BUSY_CLASS = "sl-grid-busy"
GRID_CSS = (
    f" .{NAME_CLASS}, .{NAME_CLASS} * {{ white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }}"
    f" .{WAIT_CLASS} {{ visibility: hidden; }}"
)


def stale_css(options: int, scope: str) -> str:
    """The rules marking the grid busy while its cells show another year than the one chosen:
    the ring beside the year control shows, the figures beside the cells are greyed, and the
    amount cells and the yearly total (inside `scope`, an element holding both) are hidden at
    once: the previous year's amounts are not shown under the year chosen, a hidden box takes no
    click, Tab passes it by and Chromium takes the focus from it, so no keystroke typed during
    the switch lands in a cell of the year left (lab61 hid them 0.15 s after greying them: a
    Tab and a number typed in that window went into the previous year's cell, and were put into
    the new year when the kernel had shown it by the time the cell was left; lab63). The browser
    draws it alone, from the moment the planner chooses another of the `options` years, however
    long the kernel takes to answer: the year control's row names the option whose amounts the
    cells show (`sl-shown-K`) and a rule per option compares it with the option chosen (CSS
    `:has`); the kernel's own mark (`BUSY_CLASS`) covers the time it takes to show them."""
    stale = [f"{scope}:has(.sl-shown-{k} option:nth-child({k + 1}):not(:checked))" for k in range(options)]
    stale.append(f"{scope}:has(.{BUSY_CLASS})")
    wait = ", ".join(f"{s} .{WAIT_CLASS}" for s in stale)
    cells = ", ".join(f"{s} :is(.{AMOUNT_CLASS}, .{TOTAL_CLASS}) input" for s in stale)
    figures = ", ".join(f"{s} .{FIGURE_CLASS}" for s in stale)
    grey = f" {figures} {{ opacity: .45; }}"
    return f" {wait} {{ visibility: visible; }} {cells} {{ visibility: hidden; pointer-events: none; }}{grey}"


def cell_class(item: str, source: str) -> str:
    """The CSS class of one amount cell (browser tests find it by this)."""
    return f"sl-cell-{item}-{source}".replace(".", "_")


def shape(layout: GridLayout) -> list:
    """A layout's projects and cells, without their names (the same in either language)."""
    return [(g.code, [r.cells for r in g.rows]) for g in layout.groups]


def amount_text(vnd: float, lang: str) -> str:
    """An amount in billion VND as a cell shows it (`330`, `12,5`, `0,125`, `0,0001`): to the
    1.000 đồng a saved scenario keeps (`AMOUNT_DECIMALS`), so a typed `0,0001` is not shown as `0`."""
    return fmt.number(vnd / 1e9, lang, AMOUNT_DECIMALS, trim=True)


class AmountGrid:
    """Amount cells by item and source, project shares, totals by source and envelope."""

    def __init__(self, state: AllocationState, lang: str, on_change: Callable[[list[Problem]], None], on_year=None):
        # local import: ipywidgets only where a widget is drawn (the workbench runs headless too)
        import ipywidgets as W

        self.state, self.lang, self.on_change = state, lang, on_change
        self.on_year = on_year  # called once the chosen year's amounts are shown
        self.on_enter = None  # called on Enter in a cell (the view clears a refusal retyped)
        self.typed = None  # the cell whose value `on_change` was last called for
        self.later = soon  # how the chosen year's amounts are shown after the choice (tests hold it)
        self._syncing = False
        self._at: dict | None = None  # (item, source) -> place in the amounts (`_positions`)
        self._texts: dict[tuple, str] = {}  # amount (VND) -> its text in the cells (`_text`)
        self._relabelling = False  # the year control's options are being said in another language
        # a Dropdown's None means "nothing chosen" (shown empty): every year has its own value
        self.year_control = W.Dropdown(options=self._years(), value=EVERY_YEAR)
        self.year_control.observe(lambda _: self._year_chosen(), names="value")
        self.options = [v for _, v in self._years()]
        self._shown = EVERY_YEAR  # the year control's value whose amounts the cells show
        self.wait = W.HTML()
        self.wait.add_class(WAIT_CLASS)
        self.head = W.HBox([self.year_control, self.wait])
        self.head.add_class("sl-shown-0")
        self.cells = {(it, s): self._cell(it, s) for it in state.items for s in state.sources}
        self.marked: set[tuple[str, str]] = set()  # cells shown as differing between years
        self.totals = {s: W.HTML() for s in state.sources}
        self.limits = {s: W.HTML() for s in state.sources}
        for w in [*self.totals.values(), *self.limits.values()]:
            w.add_class(FIGURE_CLASS)
        # key -> (layout, rows, share widgets, the year it was made for, the rows' name widgets)
        self.layouts: dict[str, tuple[GridLayout, list, dict, int | None, list]] = {}
        self.layout: GridLayout | None = None
        self.note = W.HTML()
        self.box = W.VBox([self.head, self.note])
        self._label()
        self.sync()

    def _years(self) -> list[tuple[str, int]]:
        """The year control's options: (label, value), every projected year first."""
        return [(i18n.t("wb.year_all", self.lang), EVERY_YEAR)] + [(str(y), y) for y in self.state.years[1:]]

    def _label(self) -> None:
        """The year control's words and the busy note, in the language shown."""
        self.year_control.description = i18n.t("wb.year_label", self.lang)
        self.wait.value = f"{wait_mark()}{H.esc(i18n.t('wb.grid.switching', self.lang))}"

    def relabel(self, lang: str) -> None:
        """Every text of the grid in `lang`: the year control (the year chosen kept, nothing
        chosen anew), the rows' names (the same widgets, said again: `_rename_rows`), the amounts in its
        number format (1.234,5 / 1,234.5), shares, totals and notes; amounts typed afterwards are
        read its way. The state is not touched."""
        self.lang, chosen = lang, self.year_control.value
        self._rename_rows()
        self._texts.clear()  # the amounts' texts were made in the other number format
        self._relabelling = True
        try:  # new options select the first one: the chosen year is put back, unseen by `_year_chosen`
            self.year_control.options = self._years()
            self.year_control.value = chosen
        finally:
            self._relabelling = False
        self._label()
        self.layout = None  # the rows of the catalogue shown, in `lang` (`_show`)
        self.sync()

    def _rename_rows(self) -> None:
        """The rows made so far, their names said in the language now shown: the same widgets
        (no second set per language), unless a catalogue's rows are not the same in it (money no
        content stands for, listed as it was when first shown): those are made again when shown."""
        for key, (layout, rows, shares, year, names) in list(self.layouts.items()):
            again = layout_for(self.state, year, self.lang)
            if shape(again) != shape(layout):
                del self.layouts[key]
                continue
            for widget, text in zip(names, self._names(again), strict=True):
                widget.value = text
            self.layouts[key] = (again, rows, shares, year, names)

    @property
    def year(self) -> int | None:
        """The budget year whose amounts the cells show, None for every projected year: the
        chosen one, once shown (`pending` until then)."""
        return None if self._shown == EVERY_YEAR else int(self._shown)

    @property
    def pending(self) -> bool:
        """Another year is chosen than the one whose amounts the cells show."""
        return self.year_control.value != self._shown

    def _year_chosen(self) -> None:
        """A year was chosen: busy until its amounts are shown (`later`)."""
        if self._relabelling:
            return
        busy = self.pending
        (self.head.add_class if busy else self.head.remove_class)(BUSY_CLASS)
        if busy:
            self.later(self._show_chosen)

    def _show_chosen(self) -> None:
        """Show the chosen year's amounts, then say so (busy mark off, the view's `on_year`)."""
        if self.pending:
            self.head.remove_class(f"sl-shown-{self.options.index(self._shown)}")
            self._shown = self.year_control.value
            self.sync()
            self.head.add_class(f"sl-shown-{self.options.index(self._shown)}")
            if self.on_year is not None:
                self.on_year()
        self.head.remove_class(BUSY_CLASS)

    @property
    def shares(self) -> dict[str, object]:
        """The share widgets of the projects shown, by project code."""
        return self.layouts[self.layout.key][2] if self.layout is not None else {}

    @staticmethod
    def _row(label, cells) -> object:
        # local import: ipywidgets only where a widget is drawn (the workbench runs headless too)
        import ipywidgets as W

        label.layout.width = NAME_WIDTH
        label.add_class(NAME_CLASS)
        for c in cells:
            # a column never shrinks, only the name does: at 1024 px a «–» cell (a source the
            # content does not take) shrank to its dash and moved the row's amounts one column
            # left, under another source's header
            c.layout.width, c.layout.flex = CELL_WIDTH, CELL_FLEX
        return W.HBox([label, *cells])

    def _names(self, layout: GridLayout) -> list[str]:
        """The texts of a layout's name widgets in the language shown, in the order `_rows`
        makes them: the heading's, the sources', then each project's and its rows', the total's
        and the envelope's."""
        t = lambda k: i18n.t(k, self.lang)  # noqa: E731
        names = [f"<b>{H.esc(t('wb.grid.item'))}</b>"]
        names += [f"<small>{H.esc(i18n.label('source', s, self.lang))}</small>" for s in self.state.sources]
        for g in layout.groups:
            names.append(f"<b>{H.esc(g.name)}</b>")
            names += [f"<span title='{H.esc(r.name)}'>{H.esc(r.label)}</span>" for r in g.rows]
        return [*names, f"<b>{H.esc(t('wb.grid.total'))}</b>", H.esc(t("wb.grid.envelope"))]

    def _rows(self, layout: GridLayout) -> tuple[list, dict, list]:
        """The rows of a layout (made once per catalogue), its project share widgets and its
        name widgets (`_names`, said again by `_rename_rows`)."""
        # local import: ipywidgets only where a widget is drawn (the workbench runs headless too)
        import ipywidgets as W

        names = [W.HTML(text) for text in self._names(layout)]
        said = iter(names)
        heads = [next(said) for _ in range(1 + len(self.state.sources))]
        rows, shares = [self._row(heads[0], heads[1:])], {}
        for g in layout.groups:
            shares[g.code] = W.HTML()
            shares[g.code].add_class(FIGURE_CLASS)
            name = next(said)
            name.layout.width = NAME_WIDTH
            rows.append(W.HBox([name, shares[g.code]]))
            for r in g.rows:
                cells = [self.cells[c] if c is not None else W.HTML("–") for c in r.cells]
                rows.append(self._row(next(said), cells))
        rows.append(self._row(next(said), list(self.totals.values())))
        rows.append(self._row(next(said), list(self.limits.values())))
        return rows, shares, names

    def _show(self, year: int | None) -> None:
        """Show the rows of the chosen year's catalogue (made when first shown, kept for later)."""
        key = layout_key(self.state, year)
        if self.layout is not None and self.layout.key == key:
            return
        if key not in self.layouts:
            layout = layout_for(self.state, year, self.lang)
            rows, shares, names = self._rows(layout)
            self.layouts[key] = (layout, rows, shares, year, names)
        self.layout = self.layouts[key][0]
        self.box.children = [self.head, *self.layouts[key][1], self.note]

    def _cell(self, item: str, source: str):
        # local import: ipywidgets only where a widget is drawn (the workbench runs headless too)
        import ipywidgets as W

        w = W.Text(continuous_update=False)
        w.add_class(cell_class(item, source))
        w.add_class(AMOUNT_CLASS)
        w.observe(lambda change: self._typed(item, source, change["new"]), names="value")
        w.on_msg(lambda _w, content, _buffers: self._entered(content))
        return w

    def _entered(self, content) -> None:
        """Enter in a cell (the browser's `submit`, sent before any new value)."""
        if isinstance(content, dict) and content.get("event") == "submit" and self.on_enter is not None:
            self.on_enter()

    def _typed(self, item: str, source: str, value) -> None:
        if self._syncing:
            return
        if self.pending:  # typed before the chosen year's amounts were shown: taken for no year
            problems = [self.pending_problem(f"amount.{item}.{source}", value, item, source)]
        else:
            problems = self.state.set_amount(item, source, value, self.year, self.lang)
            problems = named(problems, self.state, item, source, value, self.year)
        self.sync()
        self.typed = self.cells[item, source]
        self.on_change(problems)

    def pending_problem(self, where: str, value, item: str | None = None, source: str = "") -> Problem:
        """A value typed in `item`'s cell from `source` (None: the yearly total) while the chosen
        year's amounts are not shown yet, refused."""
        labels = {}
        for lg in i18n.LANGS:
            v = self.year_control.value
            text = i18n.t("wb.year_all", lg) if v == EVERY_YEAR else i18n.t("wb.year_chosen", lg, year=v)
            labels[lg] = text[:1].lower() + text[1:]
        fields = {"value": shown_value(value, self.lang), "year": LocalText(**labels)}
        if item is None:
            return Problem(where, "wb.problem.total_pending", fields)
        return Problem(where, "wb.problem.year_pending", {**fields, "item": item, "source": sources_label(source)})

    def sync(self) -> None:
        """Show the rows of the chosen year's catalogue and the state's amounts (of the chosen
        year; every year shows the first projected year's), shares, totals and envelope."""
        st, lang, year = self.state, self.lang, self.year
        self._show(year)
        y = st.years[1] if year is None else year
        every = st.amounts()
        a, row = every[1:], every[st.years.index(y)]  # row: `st.amount(item, source, y)` by position
        differs = (a.max(axis=0) - a.min(axis=0)) > 0.5  # (items, sources): the years' amounts differ
        at = self._positions()
        self._syncing = True
        try:
            for (item, src), w in self.cells.items():
                w.value = self._text(float(row[at[item, src]]))
                mark = year is None and bool(differs[at[item, src]])
                if mark != ((item, src) in self.marked):
                    (w.add_class if mark else w.remove_class)("sl-differs")
                    (self.marked.add if mark else self.marked.discard)((item, src))
        finally:
            self._syncing = False
        self.note.value = self._note(year, bool(differs.any()))
        totals = {g.code: sum(float(row[at[it, s]]) for it, s in g.cells()) for g in self.layout.groups}
        for p, text in share_labels(totals, lang).items():
            money = fmt.billion_vnd(totals[p], lang)
            self.shares[p].value = f"{H.esc(money)} · <b>{H.esc(text)}</b>"
        for s, v in st.source_totals(y).items():
            self.totals[s].value = f"<b>{H.esc(amount_text(v, lang))}</b>"
        env = st.envelope(y)
        for s, w in self.limits.items():
            w.value = f"≤ {H.esc(amount_text(env[s], lang))}" if s in env else "–"

    def _positions(self) -> dict[tuple[str, str], tuple[int, int]]:
        """Each (item, source)'s place in the state's amounts (items, sources), made once."""
        if self._at is None:
            st = self.state
            self._at = {(it, s): (i, j) for i, it in enumerate(st.items) for j, s in enumerate(st.sources)}
        return self._at

    def _text(self, vnd: float) -> str:
        """`amount_text(vnd, lang)`, the texts of the amounts shown kept (a change redraws every
        cell, most with the amount they showed)."""
        key = (vnd, math.copysign(1.0, vnd))  # −0 apart from 0 (NaN is never found: made each time)
        text = self._texts.get(key)
        if text is None:
            if len(self._texts) >= 4096:
                self._texts.clear()
            text = self._texts[key] = amount_text(vnd, self.lang)
        return text

    def _note(self, year: int | None, differs: bool) -> str:
        """The notes under the grid: differing years, the catalogue of the years not shown, a
        draft catalogue."""
        st, lang, notes = self.state, self.lang, []
        if year is None and differs:
            notes.append(i18n.t("wb.grid.differs", lang))
        dated = sorted(st.dated_cells)
        if self.layout.key == LINES and dated and year is None:
            notes.append(i18n.t("wb.grid.lines_note", lang, years=", ".join(str(y) for y in dated)))
        if self.layout.key != LINES:
            cat = st.dated_catalogue(year if year is not None else dated[0])
            if cat.status == "draft":
                notes.append(i18n.t("wb.grid.draft", lang, first=cat.first))
        return "".join(H.para(n, "sl-small") for n in notes)
