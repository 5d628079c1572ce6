"""What the explorer's amount grid lists for a budget year: the catalogue in force in it.

Up to 2025 the grid lists the 2021–2025 programme: its projects, and under each the budget items
(a line's contents), one cell per funding source. From 2026 a dated scenario (`periods: dated`)
runs the 2026–2035 programme, whose money is given by *content* (`simlib.dated_budget`): the grid
then lists that catalogue's projects and contents, each content's cell for a source being the
budget item its money of that source lands in (`AllocationState.dated_cells`) — none where the
content's capital does not allow the source; money a starting scenario carried into a cell no
content stands for is listed apart, to be seen and taken out. The state still holds budget items; only what the
planner reads and types into is the catalogue of the year.

A layout is plain data (`GridLayout`), made without widgets, so what a planner sees for each
year is tested without a browser.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from simlib import i18n
from simlib.i18n.fmt import cut_after_word
from simlib.workbench.state import AllocationState

#: the layout of the 2021–2025 lines (a dated catalogue's layout is keyed by its id)
LINES = "lines"
#: the group of cells holding money no content stands for (in a dated catalogue's layout)
NO_CONTENT = "no_content"
#: longest row label (characters; the full name is the row's tooltip)
MAX_LABEL = 46

Cell = tuple[str, str]  # (budget item, source)


@dataclass(frozen=True)
class Row:
    """One row: its label, full name (tooltip) and the state's cell per source (None: no cell)."""

    label: str
    name: str
    cells: tuple[Cell | None, ...]


@dataclass(frozen=True)
class Group:
    """A project and its rows."""

    code: str
    name: str
    rows: tuple[Row, ...]

    def cells(self) -> list[Cell]:
        return [c for r in self.rows for c in r.cells if c is not None]


@dataclass(frozen=True)
class GridLayout:
    """The projects and rows the grid shows: `key` is `LINES` or a dated catalogue's id."""

    key: str
    groups: tuple[Group, ...]


def shortened(text: str, width: int = MAX_LABEL) -> str:
    """`text` if it fits in `width` characters, else cut after its last whole word with «…»
    («… cho các đồn biên phòng» → «… cho các…», never «… các đồn…»: a word cut short reads
    as another word). A short trailing «(dự kiến)» / «(candidate)» is kept; the full name stays
    in the row's tooltip. A first word longer than the width is cut where it must be."""
    if len(text) <= width:
        return text
    head, sep, tail = text.rpartition(" (")
    keep = sep and tail.endswith(")") and len(tail) + 2 <= width // 3
    base, suffix = (head, f" ({tail}") if keep else (text, "")
    room = width - len(suffix) - 1  # characters of `base` before the «…»
    if len(base) <= room:
        return base + suffix
    return cut_after_word(base, room) + "…" + suffix


def item_name(catalogue, item: str, lang: str) -> str:
    """`P4.1 – Phát triển giáo dục nghề nghiệp …`: a 2021–2025 item's line code and content name."""
    line = catalogue.lines[item]
    content = catalogue.contents.get(line.content)
    code = content.line if content is not None else item
    name = (content.name if content is not None else line.name).get(lang)
    return f"{code} – {name}"


def item_label(catalogue, item: str, lang: str) -> str:
    """`item_name` shortened to a row's width."""
    return shortened(item_name(catalogue, item, lang))


def lines_layout(state: AllocationState, lang: str) -> GridLayout:
    """The 2021–2025 programme: its projects, and each budget item with a cell per source."""
    cat = state.base.catalogue
    groups = []
    for p in state.projects:
        rows = tuple(
            Row(item_label(cat, it, lang), item_name(cat, it, lang), tuple((it, s) for s in state.sources))
            for it in state.items
            if cat.lines[it].project == p
        )
        groups.append(Group(p, cat.projects[p].name.get(lang), rows))
    return GridLayout(LINES, tuple(groups))


def contents_layout(state: AllocationState, year: int, lang: str) -> GridLayout:
    """The dated catalogue in force in `year`: its projects and contents, each content's cell per
    source the budget item its money lands in (None where its capital does not allow the source)."""
    cat, cells = state.dated_catalogue(year), state.dated_cells[year]
    by_content: dict[str, dict[str, str]] = {}
    for (item, src), content in cells.items():
        by_content.setdefault(content, {})[src] = item
    groups = []
    for p, spec in cat.projects.items():
        rows = []
        for content in spec["lines"]:
            items = by_content.get(content, {})
            name = cat.name(content).get(lang)
            row_cells = tuple((items[s], s) if s in items else None for s in state.sources)
            rows.append(Row(shortened(name), f"{content}: {name}", row_cells))
        groups.append(Group(p, cat.name(p).get(lang), tuple(rows)))
    stray = stray_rows(state, year, lang)
    if stray:
        groups.append(Group(NO_CONTENT, i18n.t("wb.grid.no_content", lang), stray))
    return GridLayout(cat.id, tuple(groups))


def stray_rows(state: AllocationState, year: int, lang: str) -> tuple[Row, ...]:
    """Rows for the cells holding money in a year of `year`'s catalogue that no content stands
    for (a starting scenario's 2021–2025 money carried into a content of a line, e.g. P5.repair):
    shown, so it can be seen and taken out; the state takes no new money there."""
    cat, amounts = state.dated_catalogue(year), state.amounts()
    held = set()
    for y, cells in state.dated_cells.items():
        if state.dated_catalogue(y).id == cat.id:
            yi = state.years.index(y)
            held |= {
                c for c in zip(*np.nonzero(amounts[yi] > 0)) if (state.items[c[0]], state.sources[c[1]]) not in cells
            }
    rows = []
    for li, item in enumerate(state.items):
        srcs = {state.sources[si] for i, si in held if i == li}
        if srcs:
            cells = tuple((item, s) if s in srcs else None for s in state.sources)
            rows.append(
                Row(item_label(state.base.catalogue, item, lang), item_name(state.base.catalogue, item, lang), cells)
            )
    return tuple(rows)


def layout_key(state: AllocationState, year: int | None) -> str:
    """The key of `layout_for(state, year)`: `LINES` or the dated catalogue's id."""
    if year is None:
        ids = {state.dated_catalogue(y).id if y in state.dated_cells else LINES for y in state.years[1:]}
        return ids.pop() if len(ids) == 1 else LINES
    return state.dated_catalogue(year).id if year in state.dated_cells else LINES


def layout_for(state: AllocationState, year: int | None, lang: str) -> GridLayout:
    """The layout of budget year `year`; for every projected year (None) the 2021–2025 lines
    unless every projected year is under one dated catalogue."""
    if layout_key(state, year) == LINES:
        return lines_layout(state, lang)
    return contents_layout(state, state.years[1] if year is None else year, lang)


def cell_label(state: AllocationState, item: str, source: str, year: int, lang: str) -> str:
    """A cell's row label as the grid shows it in `year` (the content's under a dated catalogue)."""
    if year in state.dated_cells:
        content = state.dated_cells[year].get((item, source))
        if content is not None:
            return shortened(state.dated_catalogue(year).name(content).get(lang))
    return item_label(state.base.catalogue, item, lang)
