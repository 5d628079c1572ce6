"""The deprivation section's tables and sentences (see `simlib.report.deprivation`): which
dimensions improve (`dimension_changes`), where (`district_changes`), thanks to which project line
(`removals_by_line`), income poverty gap and severity (`fgt_table`), the note on a change of
standard and the section's opening sentences; with the helpers the section's charts share
(comparison years, labels, rows of one population and area).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from simlib import i18n
from simlib.i18n import fmt
from simlib.standards import DIMENSIONS, INDICATORS

DIMENSION_ORDER = tuple(DIMENSIONS)


def mean_over_draws(df: pd.DataFrame, keys: list[str], values: list[str]) -> pd.DataFrame:
    """Mean of `values` over microsimulation draws for each combination of `keys`."""
    return df.groupby(keys, sort=False, as_index=False)[values].mean()


def compared_years(dep: pd.DataFrame, start: int | None, end: int | None) -> tuple[int, int]:
    """Comparison years: by default the first review and the last review classified under the
    same standard as the first (so that shares are not compared across a reclassification)."""
    years = sorted(dep["year"].unique())
    start = years[0] if start is None else int(start)
    if end is None:
        std = dep.drop_duplicates("year").set_index("year")["standard"] if "standard" in dep else None
        same = [y for y in years if y >= start and (std is None or std[y] == std[start])]
        # stop at the first change of standard
        end = start
        for y in years:
            if y < start:
                continue
            if y not in same:
                break
            end = y
    return start, int(end)


def compared_years_note(dep: pd.DataFrame, lang: str | None = None) -> list[str]:
    """One sentence when the run goes past the comparison's last year (`compared_years`): the
    comparison stops at the last review under the first standard on purpose, because the next
    review classifies the poor and near-poor households anew under another standard; [] when the
    comparison reaches the run's last year."""
    start, end = compared_years(dep, None, None)
    later = sorted(y for y in dep["year"].unique() if y > end)
    if not later or "standard" not in dep:
        return []
    std = dep.drop_duplicates("year").set_index("year")["standard"]
    old, new = (i18n.label("report.periods.id", str(std[y]), lang, default=str(std[y])) for y in (end, later[0]))
    return [i18n.t("dep.note.compared_years", lang, start=start, end=end, next=int(later[0]), old=old, new=new)]


def dimension_label(d: str, lang) -> str:
    """A dimension's name in `lang`."""
    return i18n.label("dimension", d, lang)


def indicator_label(i: str, lang) -> str:
    """A deprivation indicator's name in `lang`."""
    return i18n.label("deprivation", i, lang)


def select_rows(dep: pd.DataFrame, population: str, geo: str, geo_type: str | None = None) -> pd.DataFrame:
    """The rows of one population in one area (optionally of one kind of area)."""
    sel = (dep["population"] == population) & (dep["geo"] == geo)
    if geo_type is not None:
        sel &= dep["geo_type"] == geo_type
    return dep[sel]


def dimension_changes(
    deprivations: pd.DataFrame,
    population: str = "poor_near_poor",
    geo: str = "province",
    start: int | None = None,
    end: int | None = None,
    level: str = "dimension",
    lang: str | None = None,
) -> pd.DataFrame:
    """Which dimensions (level='dimension') or indicators (level='indicator') improve.

    Columns: dimension, indicator (codes), label, share_start, share_end (percent of the
    population), change_pts (end - start), deprived_start, deprived_end, fewer_deprived
    (households, start - end). Sorted by change, most improved first. Mean over draws.
    """
    start, end = compared_years(deprivations, start, end)
    part = select_rows(deprivations, population, geo)
    part = part[part["year"].isin([start, end])]
    part = part[(part["indicator"] == "any") if level == "dimension" else part["indicator"].isin(INDICATORS)]
    m = mean_over_draws(part, ["year", "dimension", "indicator"], ["households", "deprived"])
    with np.errstate(invalid="ignore", divide="ignore"):
        m["share"] = 100 * m["deprived"] / m["households"].where(m["households"] > 0)
    a = m[m["year"] == start].set_index(["dimension", "indicator"])
    b = m[m["year"] == end].set_index(["dimension", "indicator"])
    out = pd.DataFrame(
        {
            "share_start": a["share"],
            "share_end": b["share"],
            "deprived_start": a["deprived"],
            "deprived_end": b["deprived"],
        }
    ).reset_index()
    out["change_pts"] = out["share_end"] - out["share_start"]
    out["fewer_deprived"] = out["deprived_start"] - out["deprived_end"]
    out["label"] = [
        (dimension_label(d, lang) if level == "dimension" else indicator_label(i, lang))
        for d, i in zip(out["dimension"], out["indicator"])
    ]
    out = out.sort_values("change_pts", kind="stable").reset_index(drop=True)
    return out[
        [
            "dimension",
            "indicator",
            "label",
            "share_start",
            "share_end",
            "change_pts",
            "deprived_start",
            "deprived_end",
            "fewer_deprived",
        ]
    ]


def district_changes(
    deprivations: pd.DataFrame,
    population: str = "poor_near_poor",
    start: int | None = None,
    end: int | None = None,
    unit_names: Mapping[str, str] | None = None,
    lang: str | None = None,
) -> pd.DataFrame:
    """Change in the share deprived (points, end - start) by unit (rows) and dimension (columns)."""
    start, end = compared_years(deprivations, start, end)
    part = deprivations[
        (deprivations["geo_type"] == "district")
        & (deprivations["population"] == population)
        & (deprivations["indicator"] == "any")
        & deprivations["year"].isin([start, end])
    ]
    m = mean_over_draws(part, ["year", "geo", "dimension"], ["households", "deprived"])
    with np.errstate(invalid="ignore", divide="ignore"):
        m["share"] = 100 * m["deprived"] / m["households"].where(m["households"] > 0)
    wide = m.pivot_table(index="geo", columns=["dimension", "year"], values="share", sort=False)
    out = pd.DataFrame({d: wide[(d, end)] - wide[(d, start)] for d in DIMENSION_ORDER if (d, start) in wide})
    out = out.dropna(how="all")  # units without both years (a run that switched units: its first units)
    out.index = [(unit_names or {}).get(u, u) for u in out.index]
    out.index.name = i18n.t("dep.col.district", lang)
    out.columns = [dimension_label(d, lang) for d in out.columns]
    return out


def removals_by_line(
    removals: pd.DataFrame,
    start: int | None = None,
    end: int | None = None,
    line_names: Mapping[str, str] | None = None,
    lang: str | None = None,
) -> pd.DataFrame:
    """Deprivations removed by each line over the years start..end (households, mean over draws),
    by dimension (columns), with a total and each line's share of all removals (percent)."""
    if removals is None or removals.empty:
        return pd.DataFrame()
    years = sorted(removals["year"].unique())
    start = years[0] if start is None else start
    end = years[-1] if end is None else end
    part = removals[(removals["year"] >= start) & (removals["year"] <= end)]
    per_draw = part.groupby(["draw", "line", "dimension"], as_index=False)["households"].sum()
    m = per_draw.groupby(["line", "dimension"], sort=False)["households"].mean().unstack("dimension", fill_value=0.0)
    m = m[[d for d in DIMENSION_ORDER if d in m.columns]]
    total_col = i18n.t("dep.col.removed", lang)
    m[total_col] = m.sum(axis=1)
    m = m[m[total_col] > 0].sort_values(total_col, ascending=False)
    m[i18n.t("dep.col.share_of_removals", lang)] = 100 * m[total_col] / m[total_col].sum()
    m.index = [f"{c} – {(line_names or {}).get(c, c)}" if line_names else c for c in m.index]
    m.index.name = i18n.t("dep.col.line", lang)
    m.columns = [(dimension_label(c, lang) if c in DIMENSIONS else c) for c in m.columns]
    return m


def with_unit(label: str, unit: str) -> str:
    """`label (unit)`, or inside the label's own closing bracket: «… (FGT1, %)», not «(FGT1) (%)»."""
    return f"{label[:-1]}, {unit})" if label.endswith(")") else f"{label} ({unit})"


def fgt_table(indicators: pd.DataFrame, geo: str = "province", lang: str | None = None) -> pd.DataFrame:
    """FGT1 and FGT2 (percent) by year, mean over draws, with the income lines in force; each
    column's label carries its unit («(%)», «(đồng/người/tháng)»)."""
    names = [
        "poverty_gap_index",
        "poverty_severity_index",
        "income_gap_ratio",
        "income_line_rural",
        "income_line_urban",
    ]
    part = indicators[indicators["indicator"].isin(names) & (indicators["geo"].isin([geo, "province"]))]
    part = part[(part["geo"] == geo) | part["indicator"].str.startswith("income_line")]
    m = part.groupby(["year", "indicator"])["value"].mean().unstack("indicator")
    m = m[[c for c in names if c in m.columns]]
    unit = {c: "unit.vnd_person_month" if c.startswith("income_line") else "unit.pct" for c in m.columns}
    m.columns = [with_unit(i18n.t(f"indicator.{c}", lang), i18n.t(unit[c], lang)) for c in m.columns]
    return m


def standard_break_note(
    indicators: pd.DataFrame | None = None, manifest: Mapping | None = None, lang: str | None = None
) -> list[str]:
    """One sentence per change of poverty standard inside the projection, saying that households
    were reclassified (multidimensional model) or that the states model did not reclassify them."""
    notes = []
    changes = list(((manifest or {}).get("standards") or {}).get("changes") or [])
    reclassified = ((manifest or {}).get("standards") or {}).get("reclassified", True)
    lines = {}
    if indicators is not None and "standard_changed" in set(indicators["indicator"]):
        ind = indicators[indicators["geo"] == "province"]
        flag = ind[ind["indicator"] == "standard_changed"].groupby("year")["value"].max()
        lines = {
            n: ind[ind["indicator"] == n].groupby("year")["value"].mean()
            for n in ("income_line_rural", "income_line_urban")
        }
        if not changes:
            changes = [{"year": int(y), "from": "", "to": ""} for y, v in flag.items() if v > 0]
    for ch in changes:
        y = int(ch["year"])
        # the standard by its name (en dash, decree), not its file id «2027-2030»
        standard = i18n.label("report.periods.id", str(ch["to"]), lang, default=str(ch["to"]))
        if not reclassified:
            notes.append(i18n.t("dep.note.break_states_model", lang, year=y, new=standard))
            continue
        vals = {}
        for key, name in (("rural", "income_line_rural"), ("urban", "income_line_urban")):
            s = lines.get(name)
            vals[key] = fmt.number(s.get(y, np.nan) if s is not None else np.nan, lang)
            vals[f"old_{key}"] = fmt.number(s.get(y - 1, np.nan) if s is not None else np.nan, lang)
        notes.append(
            i18n.t("dep.note.break", lang, year=y, new=standard, unit=i18n.t("unit.vnd_person_month", lang), **vals)
        )
    return notes


def _largest_line_text(
    removals: pd.DataFrame | None, line_names: Mapping[str, str] | None, lang: str | None
) -> list[str]:
    """The sentence on the line that removed the most deprivations, over every projected year (as
    the section's table and chart of the lines: the removals are counts of households, not shares
    compared across a change of standard); none without removals."""
    if removals is None or removals.empty:
        return []
    tab = removals_by_line(removals, lang=lang)
    if tab.empty:
        return []
    code = tab.index[0]
    name = (line_names or {}).get(code)
    y0, y1 = int(removals["year"].min()), int(removals["year"].max())
    years = str(y0) if y0 == y1 else f"{y0}–{y1}"
    line = f"{code} – {name}" if name else code
    return [i18n.t("dep.text.lines", lang, years=years, line=line, share=fmt.percent(tab.iloc[0, -1], lang))]


def summary_text(
    deprivations: pd.DataFrame,
    removals: pd.DataFrame | None = None,
    indicators: pd.DataFrame | None = None,
    population: str = "poor_near_poor",
    line_names: Mapping[str, str] | None = None,
    lang: str | None = None,
) -> list[str]:
    """Opening sentences: which dimensions improved most, the largest contributing line, FGT."""
    start, end = compared_years(deprivations, None, None)
    dims = dimension_changes(deprivations, population=population, start=start, end=end, lang=lang)
    out = []
    if not dims.empty:
        best = dims.iloc[0]
        out.append(
            i18n.t(
                "dep.text.improves",
                lang,
                population=i18n.t(f"population.{population}", lang),
                best=best["label"],
                best_change=fmt.points(best["change_pts"], lang),
                n_improve=int((dims["change_pts"] < 0).sum()),
                n_dims=len(dims),
                start=start,
                end=end,
            )
        )
    out += _largest_line_text(removals, line_names, lang)
    if indicators is not None and "poverty_gap_index" in set(indicators["indicator"]):
        prov = indicators[indicators["geo"] == "province"]
        f1 = prov[prov["indicator"] == "poverty_gap_index"].groupby("year")["value"].mean()
        f2 = prov[prov["indicator"] == "poverty_severity_index"].groupby("year")["value"].mean()
        out.append(
            i18n.t(
                "dep.text.fgt",
                lang,
                start=start,
                end=end,
                start_v=fmt.percent(f1.get(start), lang),
                end_v=fmt.percent(f1.get(end), lang),
                start_v2=fmt.percent(f2.get(start), lang),
                end_v2=fmt.percent(f2.get(end), lang),
            )
        )
    return out
