"""The optimiser report's tables as report tables: numbers in the report's language (1.424,0;
«–» where there is no value, never NaN), headers and places in words, no row numbers — the same
`ReportTable` pages of the scenario reports use (`simlib.report.table`).

Each function takes a table `simlib.allocate.output.read_optimization` returns and gives a
`ReportTable`; `show` puts tables in the notebook. The translated frames come from
`simlib.allocate.plots` (one place for the wording); here they are only laid out and formatted.
"""

from __future__ import annotations

import pandas as pd

from simlib import i18n
from simlib.allocate import plots
from simlib.report import html
from simlib.report.levels import geo_label
from simlib.report.table import ReportTable, to_html

#: the targets' geography types whose `geo` is a unit id (named by the run's dataset)
UNIT_GEO_TYPES = ("district", "commune", "unit")


def show(*tables: ReportTable | None, lang: str | None = None) -> None:
    """Display `tables` in the notebook (None or an empty table: «Không có.»)."""
    # local import: IPython only in a notebook session
    from IPython.display import HTML, display

    lang = i18n.get_lang(lang)
    parts = [
        to_html(t, lang, caption=False)
        if t is not None and not t.frame.empty
        else html.para(i18n.t("alloc.report.none", lang))
        for t in tables
    ]
    display(HTML("\n".join(parts)))


def framed(key: str, df: pd.DataFrame, first: str, formats: dict, default: str = "num2") -> ReportTable:
    """A `ReportTable` of a translated frame whose index labels the rows (column `first`); each
    other column's format from `formats`, else `default`."""
    frame = df.reset_index(drop=False)
    frame.columns = [first, *[str(c) for c in df.columns]]
    return ReportTable(key, "", frame, {first: "text"} | {c: formats.get(c, default) for c in frame.columns[1:]})


def comparison(table: pd.DataFrame, lang: str) -> ReportTable:
    """The allocations compared: money (1 decimal), households (whole numbers)."""
    df = plots.comparison_table(table, lang)
    money = i18n.t("alloc.col.total_bn", lang)
    formats = {c: ("num1" if c == money else "int") for c in df.columns}
    if "targets_met" in table:
        col = i18n.t("alloc.col.targets_met", lang)
        df[col] = [i18n.t("alloc.yes" if bool(v) else "alloc.no", lang) for v in df[col]]
        formats[col] = "text"
    return framed("comparison", df, i18n.t("alloc.col.allocation", lang), formats)


def lines(table: pd.DataFrame, lang: str) -> ReportTable:
    """Money per year of each line under each allocation (1 decimal) and its marginal value."""
    df = plots.lines_table(table, lang)
    marginal = i18n.t("alloc.col.marginal", lang)
    formats = {c: ("num2" if c == marginal else "num1") for c in df.columns}
    return framed("lines", df, i18n.t("alloc.col.line", lang), formats)


def rules(binding: pd.DataFrame, lang: str) -> ReportTable:
    """The binding rules in words, their basis and what one more billion of room is worth."""
    df = plots.rules_table(binding, lang)
    if df.empty:
        return ReportTable("binding", "", df)
    return ReportTable("binding", "", df, {c: "text" for c in df.columns})  # values in words already («–»: none)


def districts(marginals: pd.DataFrame, lang: str, names: dict, lines_table: pd.DataFrame) -> ReportTable:
    """One more billion's value by line (rows) and unit (columns, named); «–» where the line
    does not act in the unit."""
    df = plots.district_table(marginals, lang, names, lines=lines_table)
    return framed("districts", df, i18n.t("alloc.col.line", lang), {})


def unallocatable(table: pd.DataFrame, lang: str) -> ReportTable:
    """Money reaching no one by line (or content) and allocation, billion VND."""
    df = plots.unallocatable_summary(table, lang)
    first = i18n.t("alloc.col.line_or_content" if "content" in table else "alloc.col.line", lang)
    return framed("unallocatable", df, first, {})


def frontier(table: pd.DataFrame, lang: str) -> ReportTable:
    """Each point of the frontier: the envelopes' scale, the money, poor households at the
    horizon and households lifted against no programme; whether the optimum was found."""
    if table.empty:
        return ReportTable("frontier", "", table)
    t = i18n.t
    frame = pd.DataFrame(
        {
            t("alloc.col.scale", lang): table["scale"].astype(float),
            t("alloc.col.total_bn", lang): table["total_bn"].astype(float),
            t("alloc.col.poor", lang): table["poor"].astype(float),
            t("alloc.col.households_lifted", lang): table["households_lifted"].astype(float),
            t("alloc.col.feasible", lang): [t("alloc.yes" if bool(v) else "alloc.no", lang) for v in table["feasible"]],
        }
    )
    formats = dict(zip(frame.columns, ("num2", "num1", "int", "int", "text"), strict=True))
    return ReportTable("frontier", "", frame, formats)


def targets(table: pd.DataFrame, lang: str, names: dict) -> ReportTable:
    """Each target, place and year with its projected value and verdict (✓ / ✗) under each
    allocation; places by name (`names`: unit id → name)."""
    if table.empty:
        return ReportTable("targets", "", table)
    wide = plots.targets_table(table, lang).reset_index()
    places = table.drop_duplicates(["geo"]).set_index("geo")["geo_type"]
    place = [names.get(g, g) if places.get(g) in UNIT_GEO_TYPES else geo_label(g, lang) for g in wide["geo"]]
    first = i18n.t("table.target", lang)
    frame = pd.concat(
        [
            pd.DataFrame(
                {first: wide.iloc[:, 0], i18n.t("table.area", lang): place, i18n.t("table.year", lang): wide["year"]}
            ),
            wide.iloc[:, 3:],
        ],
        axis=1,
    )
    year = i18n.t("table.year", lang)
    return ReportTable("targets", "", frame, {year: "year"})


def robust(summary: pd.DataFrame, lang: str) -> ReportTable:
    """Each allocation over the parameter draws (`plots.robust_table`), one decimal."""
    df = plots.robust_table(summary, lang)
    return framed("robust", df, i18n.t("alloc.col.allocation", lang), {c: "num1" for c in df.columns})


def certificate(cert: dict, lang: str) -> ReportTable:
    """How far the optimum can be trusted (`plots.certificate_table`: values in words already)."""
    df = plots.certificate_table(cert, lang)
    return framed("certificate", df, i18n.t("alloc.cert.col.item", lang), {}, default="text")
