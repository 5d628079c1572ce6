"""Rows of the money tables of a dated scenario (`periods: dated`): each year under the catalogue
in force in it.

A dated scenario's run holds its money and reach by 2021–2025 budget item, also in the years of
the 2026–2035 programme, where each content's money runs on the item of the line it continues
(`simlib.dated_budget`). A report that labelled those years by the 2021–2025 lines («P1.1 … các
huyện nghèo», 2027) would name a line — and districts — that no longer exist, and hide which
content the money was given to. Here every (item, year) cell of the run goes to one row:

- a year of the 2021–2025 lines: the item's row, as in an undated report;
- a year under a dated catalogue: the row of the content whose money lands in the item
  (`simlib.dated_budget.scenario_cells`), named from the catalogue (a candidate's name ends in
  «(dự kiến)») with the line whose mechanism runs it («theo cơ chế P1.1»); an item no content
  lands in keeps its own row, marked as the lagged effect of earlier money, and only when it has
  money or beneficiaries that year (P1.2 reaches households in 2026 with 2025's investment).

So a line's money over the years of two programmes is split into two rows (`money_table`), never
shown under the 2021–2025 label alone, and every number of the run is in exactly one row.
Undated scenarios get no rows from here (their tables are unchanged).
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass

from simlib import i18n
from simlib.dated_budget import dated_catalogues, item_contents
from simlib.programmes import load_periods, period_for_year
from simlib.report.communes import period_name

#: longest content name in the money table (characters, before «(dự kiến)» and the mechanism)
SHORT_WIDTH = 66


@dataclass(frozen=True)
class Row:
    """One row of a dated scenario's money table: its label, the (item, year) cells it adds up,
    the 2021–2025 item whose beneficiary unit it counts in, the years it stands for, and whether
    it holds only the lagged effect of earlier money (no cost per beneficiary of its own)."""

    label: str
    short: str
    cells: tuple[tuple[str, int], ...]
    unit_item: str
    years: tuple[int, ...]
    lagged: bool = False


def shorten_candidate(name: str, width: int | None) -> str:
    """A name shortened to `width` characters keeping a trailing «(dự kiến)» / «(candidate)»."""
    if width is None or len(name) <= width:
        return name
    head, sep, tail = name.rpartition(" (")
    base, suffix = (head, f" ({tail}") if sep and tail.endswith(")") else (name, "")
    return textwrap.shorten(base, width, placeholder="…") + suffix


def content_label(dcat, content: str, lang: str, width: int | None = None) -> str:
    """`C1 Hỗ trợ đầu tư … các xã nghèo (dự kiến) (theo cơ chế P1.1)`: the content's project code,
    its name (shortened to `width` keeping a trailing «(dự kiến)») and the line whose mechanism
    runs it."""
    name = shorten_candidate(dcat.name(content).get(lang), width)
    mechanism = i18n.t("report.dated.mechanism", lang, line=dcat.lines[content]["effects_from"])
    return f"{dcat.lines[content]['project']} {name} ({mechanism})"


def lagged_label(label: str, first: int, lang: str) -> str:
    """An item's label in a year under a dated catalogue in which no content lands in it."""
    return f"{label} ({i18n.t('report.dated.lagged', lang, first=first)})"


def has_activity(item: str, year: int, planned, reach) -> bool:
    """Whether an item has money, spending or beneficiaries in a year (`planned`: VND by (item,
    year); `reach`: reach_by_line indexed by (line, year))."""
    if planned.get((item, year), 0.0) != 0.0:
        return True
    if (item, year) not in reach.index:
        return False
    r = reach.loc[(item, year)]
    return bool(r["spend_vnd"] != 0.0 or r["reached"] != 0.0)


def dated_rows(scen, lang: str, planned, reach, names) -> list[Row]:
    """The money tables' rows of a dated scenario (module docstring), or [] for an undated one:
    the 2021–2025 budget lines (each with its lagged-effect row, if any), then the contents of
    each dated catalogue in its order, then the 2021–2025 lines' other contents (items the
    programme's money rarely reaches: zero rows last, as in an undated report).
    `names(item)` gives an item's (label, short label)."""
    by_year = item_contents(scen)
    if not by_year:
        return []
    years = [int(y) for y in scen.years]
    cat = scen.catalogue
    lines = [c for c in cat.codes if c in cat.budget_lines]
    others = [c for c in cat.codes if c not in cat.budget_lines]
    rows = [r for item in lines for r in item_rows(item, years, by_year, planned, reach, names, lang)]
    cats = dated_catalogues(y for y in years if y in by_year)
    for dcat in {c.id: c for c in cats.values()}.values():
        dyears = tuple(y for y, c in cats.items() if c.id == dcat.id)
        for content in dcat.content_ids:
            cells = tuple((it, y) for y in dyears for it, c in by_year[y].items() if c == content)
            label, short = content_label(dcat, content, lang), content_label(dcat, content, lang, SHORT_WIDTH)
            rows.append(Row(label, short, cells, dcat.lines[content]["effects_from"], dyears))
    return rows + [r for item in others for r in item_rows(item, years, by_year, planned, reach, names, lang)]


def item_rows(item: str, years, by_year, planned, reach, names, lang: str) -> list[Row]:
    """A 2021–2025 item's row (its years under the 2021–2025 lines) and, when it has money or
    beneficiaries in a dated year no content lands in it, its lagged-effect row."""
    own = tuple(y for y in years if y not in by_year)
    lagged = tuple(
        y for y in years if y in by_year and item not in by_year[y] and has_activity(item, y, planned, reach)
    )
    label, short = names(item)
    rows = [Row(label, short, tuple((item, y) for y in own), item, own)]
    if lagged:
        first = min(by_year)
        cells = tuple((item, y) for y in lagged)
        rows.append(Row(lagged_label(label, first, lang), lagged_label(short, first, lang), cells, item, lagged, True))
    return rows


def dated_note(scen, lang: str, key: str = "report.dated.note") -> str:
    """The note under a dated scenario's money tables (or another text `key` taking the same
    fields): which years name the contents, that the catalogue is a draft, how a content runs,
    and which money its first year's beneficiaries come from; "" for an undated scenario."""
    by_year = item_contents(scen)
    if not by_year:
        return ""
    first = min(by_year)
    period = period_for_year(load_periods()["catalogues"], first)
    return i18n.t(key, lang, first=first, previous=first - 1, programme=period_name(period.id, lang))


def dated_projects(scen, lang: str, width: int | None = 46) -> tuple[dict, dict[str, str]] | None:
    """For the money chart by project of a dated scenario: {(item, year): project of the dated
    catalogue} for the cells a content lands in, and each such project's label (code, name with
    «(dự kiến)»); None for an undated scenario."""
    by_year = item_contents(scen)
    if not by_year:
        return None
    cats = dated_catalogues(by_year)
    keys = {(item, y): cats[y].lines[c]["project"] for y, items in by_year.items() for item, c in items.items()}
    labels = {}
    for dcat in {c.id: c for c in cats.values()}.values():
        for p in dcat.projects:
            labels[p] = f"{p} {shorten_candidate(dcat.name(p).get(lang), width)}"
    return keys, labels


def successor_tags(scen, lang: str) -> dict[str, str]:
    """{2021–2025 item: «từ 2026: C1»} for the items a content lands in in the dated years (the
    projects of the contents it runs, in order); {} for an undated scenario."""
    by_year = item_contents(scen)
    if not by_year:
        return {}
    cats, first = dated_catalogues(by_year), min(by_year)
    found: dict[str, list[str]] = {}
    for y, items in sorted(by_year.items()):
        for item, c in items.items():
            p = cats[y].lines[c]["project"]
            if p not in found.setdefault(item, []):
                found[item].append(p)
    return {item: i18n.t("report.dated.from", lang, first=first, projects=", ".join(ps)) for item, ps in found.items()}


def removals_by_content(removals, scen, lang: str):
    """Deprivation removals (`deprivation_removals`: year, line, …) of a dated scenario with the
    line of each year under a dated catalogue replaced by the key of the content running it
    («C1 (theo cơ chế P1.1)»), and those keys' names («… các xã nghèo (dự kiến)»); unchanged and
    {} for an undated scenario (a line no content runs keeps its code: its earlier money's effect)."""
    by_year = item_contents(scen)
    if not by_year or removals is None or len(removals) == 0:
        return removals, {}
    cats = dated_catalogues(by_year)
    keys, names = {}, {}
    for year, items in by_year.items():
        for item, content in items.items():
            spec = cats[year].lines[content]
            key = f"{spec['project']} ({i18n.t('report.dated.mechanism', lang, line=spec['effects_from'])})"
            keys[(item, year)] = key
            names[key] = cats[year].name(content).get(lang)
    lines = [keys.get((line, int(year)), line) for line, year in zip(removals["line"], removals["year"])]
    return removals.assign(line=lines), names
