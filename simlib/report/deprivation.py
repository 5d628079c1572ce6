"""Report section: deprivation dimensions — which improve, where, and thanks to which project.

Building blocks for the scenario report (the plan: "kết quả giảm nghèo hằng năm phải phản ánh
được mức độ cải thiện các chiều thiếu hụt"). Every function takes the tidy tables a run produces
(`RunResult.deprivations`, `.deprivation_removals`, `.indicators`, or the same tables read back
with `simlib.runner.read_outputs`), averages over microsimulation draws, and returns a DataFrame,
a matplotlib Figure or text in the requested language (Vietnamese by default).

Comparisons default to the first review and the last review under the same poverty standard, so
that shares are never compared across a reclassification (2026 -> 2027); pass `start` / `end` to
choose other years. Time series (FGT) show every year with the change of standard marked.

- `dimension_changes`      per dimension / indicator: share deprived at the start and the end,
                           change in points, households fewer deprived (which dimensions improve)
- `district_changes`       unit x dimension change in points (where)
- `removals_by_line`       deprivations removed by each project line, by dimension (thanks to which)
- `fgt_table`              income poverty gap (FGT1) and severity (FGT2) by year
- `standard_break_note`    the sentence a report must show when a new poverty standard applies
- `summary_text`           a few sentences for the section's opening
- `plot_dimension_shares`, `plot_district_changes`, `plot_removals_by_line`, `plot_fgt`
- `deprivation_section`    all of the above for one run, as a `Section` (texts, tables, figures)

Example (the tests run the same on the tiny fixture)::

    from simlib.scenario import load_scenario
    from simlib.runner import run
    from simlib.report import deprivation as dep

    res = run(load_scenario("params/scenarios/plan_2024.yaml", ["model=multidim"]))
    sec = dep.deprivation_section(res, lang="vi")
    for line in sec.texts: print(line)
    sec.tables["dimensions"]          # which dimensions improve
    sec.figures["shares"]             # bar chart, start vs end year, by indicator

For a run of the states model the section holds only a note saying that deprivations are not
tracked (and, across 2026 -> 2027, that the new standard was not applied).
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from simlib import i18n
from simlib.chart_style import FILLS, STYLES
from simlib.i18n import fmt
from simlib.standards import DIMENSIONS, INDICATORS

DIMENSION_ORDER = tuple(DIMENSIONS)
#: print-safe (face, hatch) per dimension: distinct when printed in black and white
DIMENSION_FILLS = dict(zip(DIMENSION_ORDER, FILLS))


@dataclass
class Section:
    """Texts (paragraphs), tables and figures of the deprivation section, in display order."""

    texts: list[str] = field(default_factory=list)
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    figures: dict[str, Figure] = field(default_factory=dict)


def _mean_over_draws(df: pd.DataFrame, keys: list[str], values: list[str]) -> pd.DataFrame:
    return df.groupby(keys, sort=False, as_index=False)[values].mean()


def _years(dep: pd.DataFrame, start: int | None, end: int | None) -> tuple[int, int]:
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


def _label_dim(d: str, lang) -> str:
    return i18n.label("dimension", d, lang)


def _label_ind(i: str, lang) -> str:
    return i18n.label("deprivation", i, lang)


def _select(dep: pd.DataFrame, population: str, geo: str, geo_type: str | None = None) -> pd.DataFrame:
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
    start, end = _years(deprivations, start, end)
    part = _select(deprivations, population, geo)
    part = part[part["year"].isin([start, end])]
    part = part[(part["indicator"] == "any") if level == "dimension" else part["indicator"].isin(INDICATORS)]
    m = _mean_over_draws(part, ["year", "dimension", "indicator"], ["households", "deprived"])
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
        (_label_dim(d, lang) if level == "dimension" else _label_ind(i, lang))
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
    start, end = _years(deprivations, start, end)
    part = deprivations[
        (deprivations["geo_type"] == "district")
        & (deprivations["population"] == population)
        & (deprivations["indicator"] == "any")
        & deprivations["year"].isin([start, end])
    ]
    m = _mean_over_draws(part, ["year", "geo", "dimension"], ["households", "deprived"])
    with np.errstate(invalid="ignore", divide="ignore"):
        m["share"] = 100 * m["deprived"] / m["households"].where(m["households"] > 0)
    wide = m.pivot_table(index="geo", columns=["dimension", "year"], values="share", sort=False)
    out = pd.DataFrame({d: wide[(d, end)] - wide[(d, start)] for d in DIMENSION_ORDER if (d, start) in wide})
    out.index = [(unit_names or {}).get(u, u) for u in out.index]
    out.index.name = i18n.t("dep.col.district", lang)
    out.columns = [_label_dim(d, lang) for d in out.columns]
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
    m.columns = [(_label_dim(c, lang) if c in DIMENSIONS else c) for c in m.columns]
    return m


def fgt_table(indicators: pd.DataFrame, geo: str = "province", lang: str | None = None) -> pd.DataFrame:
    """FGT1 and FGT2 (percent) by year, mean over draws, with the income lines in force."""
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
    m.columns = [i18n.t(f"indicator.{c}", lang) for c in m.columns]
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
        if not reclassified:
            notes.append(i18n.t("dep.note.break_states_model", lang, year=y, new=ch["to"]))
            continue
        vals = {}
        for key, name in (("rural", "income_line_rural"), ("urban", "income_line_urban")):
            s = lines.get(name)
            vals[key] = fmt.number(s.get(y, np.nan) if s is not None else np.nan, lang)
            vals[f"old_{key}"] = fmt.number(s.get(y - 1, np.nan) if s is not None else np.nan, lang)
        notes.append(
            i18n.t("dep.note.break", lang, year=y, new=ch["to"], unit=i18n.t("unit.vnd_person_month", lang), **vals)
        )
    return notes


def summary_text(
    deprivations: pd.DataFrame,
    removals: pd.DataFrame | None = None,
    indicators: pd.DataFrame | None = None,
    population: str = "poor_near_poor",
    line_names: Mapping[str, str] | None = None,
    lang: str | None = None,
) -> list[str]:
    """Opening sentences: which dimensions improved most, the largest contributing line, FGT."""
    start, end = _years(deprivations, None, None)
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
    if removals is not None and not removals.empty:
        tab = removals_by_line(removals, start + 1, end, lang=lang)
        if not tab.empty:
            code = tab.index[0]
            name = (line_names or {}).get(code)
            out.append(
                i18n.t(
                    "dep.text.lines",
                    lang,
                    line=f"{code} – {name}" if name else code,
                    share=fmt.percent(tab.iloc[0, -1], lang),
                )
            )
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


# --- charts ------------------------------------------------------------------------------------


def plot_dimension_shares(
    deprivations: pd.DataFrame,
    population: str = "poor_near_poor",
    geo: str = "province",
    start: int | None = None,
    end: int | None = None,
    lang: str | None = None,
) -> Figure:
    """Horizontal bars: share of the population deprived in each indicator, start vs end year,
    indicators grouped by dimension; 5–95 % range across draws as whiskers when there are draws."""
    start, end = _years(deprivations, start, end)
    part = _select(deprivations, population, geo)
    part = part[part["indicator"].isin(INDICATORS) & part["year"].isin([start, end])]
    order = list(INDICATORS)
    fig = Figure(figsize=(8, 6.5), layout="constrained")
    ax = fig.add_subplot()
    ypos = np.arange(len(order))[::-1]
    for off, year, (face, hatch) in ((0.2, start, ("white", "///")), (-0.2, end, ("0.3", ""))):
        p = part[part["year"] == year]
        g = p.groupby("indicator")["share"]
        mean = g.mean().reindex(order)
        ax.barh(
            ypos + off,
            mean.to_numpy(),
            height=0.38,
            color=face,
            hatch=hatch,
            edgecolor="black",
            linewidth=0.6,
            label=str(year),
        )
        if p["draw"].nunique() > 1:
            lo, hi = g.quantile(0.05).reindex(order), g.quantile(0.95).reindex(order)
            ax.errorbar(mean.to_numpy(), ypos + off, xerr=[mean - lo, hi - mean], fmt="none", ecolor="black", lw=0.8)
    ax.set_yticks(
        ypos, [f"{_label_ind(i, lang)} ({_label_dim(d, lang)})" for d, inds in DIMENSIONS.items() for i in inds]
    )
    ax.set_xlabel(i18n.t("dep.axis.share", lang))
    fig.suptitle(i18n.t("dep.title.shares", lang, population=i18n.t(f"population.{population}", lang)))
    ax.legend(loc="lower right")
    ax.grid(axis="x", alpha=0.3)
    return fig


def plot_district_changes(
    deprivations: pd.DataFrame,
    population: str = "poor_near_poor",
    start: int | None = None,
    end: int | None = None,
    unit_names: Mapping[str, str] | None = None,
    lang: str | None = None,
) -> Figure:
    """Heat map of `district_changes` (points; green = fewer deprived)."""
    start, end = _years(deprivations, start, end)
    tab = district_changes(deprivations, population, start, end, unit_names, lang)
    fig = Figure(figsize=(8.5, 0.45 * len(tab) + 2), layout="constrained")
    ax = fig.add_subplot()
    v = tab.to_numpy(float)
    lim = np.nanmax(np.abs(v)) if v.size and np.isfinite(v).any() else 1.0
    im = ax.imshow(v, cmap="RdYlGn_r", vmin=-lim, vmax=lim, aspect="auto")
    ax.set_xticks(range(tab.shape[1]), tab.columns, rotation=30, ha="right")
    ax.set_yticks(range(tab.shape[0]), tab.index)
    for (r, c), x in np.ndenumerate(v):
        if np.isfinite(x):  # printed values make the map readable in black and white; light text on dark cells
            ax.text(
                c,
                r,
                fmt.number(x, lang, 1),
                ha="center",
                va="center",
                fontsize=8,
                color="white" if abs(x) > 0.6 * lim else "black",
            )
    fig.colorbar(im, ax=ax, label=i18n.t("dep.axis.points", lang))
    fig.suptitle(i18n.t("dep.title.district", lang, start=start, end=end))
    return fig


def plot_removals_by_line(
    removals: pd.DataFrame, line_names: Mapping[str, str] | None = None, lang: str | None = None
) -> Figure:
    """Stacked bars: deprivations removed by each line over the projection, by dimension."""
    tab = removals_by_line(removals, lang=lang)
    fig = Figure(figsize=(8, 0.5 * max(len(tab), 1) + 2), layout="constrained")
    ax = fig.add_subplot()
    if tab.empty:
        return fig
    left = np.zeros(len(tab))
    ypos = np.arange(len(tab))[::-1]
    for d in DIMENSION_ORDER:
        col = _label_dim(d, lang)
        if col not in tab.columns or not (tab[col] > 0).any():
            continue
        vals = tab[col].to_numpy(float)
        face, hatch = DIMENSION_FILLS[d]
        ax.barh(ypos, vals, left=left, color=face, hatch=hatch, edgecolor="black", linewidth=0.6, label=col)
        left += vals
    labels = [
        textwrap.shorten(f"{c} – {(line_names or {}).get(c, '')}".rstrip(" –"), 60, placeholder="…") for c in tab.index
    ]
    ax.set_yticks(ypos, labels)
    ax.xaxis.set_major_locator(MaxNLocator(6))
    ax.xaxis.set_major_formatter(fmt.axis_formatter(lang))
    ax.set_xlabel(i18n.t("dep.axis.households", lang))
    years = sorted(removals["year"].unique())
    fig.suptitle(i18n.t("dep.title.lines", lang, start=years[0], end=years[-1]))
    ax.legend(fontsize=8)
    ax.grid(axis="x", alpha=0.3)
    return fig


def plot_fgt(indicators: pd.DataFrame, geo: str = "province", lang: str | None = None) -> Figure:
    """FGT1 and FGT2 by year (mean; 5–95 % band across draws); a dashed line marks a new standard."""
    fig = Figure(figsize=(7, 3.8), layout="constrained")
    ax = fig.add_subplot()
    ind = indicators[indicators["geo"] == geo]
    for name, style in (("poverty_gap_index", STYLES[0]), ("poverty_severity_index", STYLES[1])):
        p = ind[ind["indicator"] == name]
        if p.empty:
            continue
        g = p.groupby("year")["value"]
        mean = g.mean()
        ax.plot(mean.index, mean.to_numpy(), **style, label=i18n.t(f"indicator.{name}", lang))
        if p["draw"].nunique() > 1:
            ax.fill_between(mean.index, g.quantile(0.05).to_numpy(), g.quantile(0.95).to_numpy(), color="0.85", lw=0)
    flag = indicators[(indicators["indicator"] == "standard_changed") & (indicators["value"] > 0)]
    for y in sorted(flag["year"].unique()):
        ax.axvline(y - 0.5, ls="--", color="grey")
        ax.annotate(
            i18n.t("indicator.standard_changed", lang),
            xy=(y - 0.5, 0),
            xycoords=("data", "axes fraction"),
            xytext=(4, 4),
            textcoords="offset points",
            ha="left",
            va="bottom",
            fontsize=8,
            color="0.3",
        )
    ax.set_ylabel(i18n.t("dep.axis.index", lang))
    fig.suptitle(i18n.t("dep.title.fgt", lang))
    if ax.get_legend_handles_labels()[0]:  # below the plot: never over the lines or the standard-change note
        fig.legend(loc="outside lower center", ncols=2, fontsize=8, frameon=False)
    ax.grid(alpha=0.3)
    return fig


# --- the whole section ------------------------------------------------------------------------


def display_changes(tab: pd.DataFrame, start: int, end: int, lang: str | None = None) -> pd.DataFrame:
    """`dimension_changes` output with translated headers, for display (numbers unchanged)."""
    level_dim = (tab["indicator"] == "any").all()
    out = pd.DataFrame(
        {
            i18n.t("dep.col.dimension" if level_dim else "dep.col.indicator", lang): tab["label"],
            i18n.t("dep.col.start", lang, year=start): tab["share_start"],
            i18n.t("dep.col.end", lang, year=end): tab["share_end"],
            i18n.t("dep.col.change", lang): tab["change_pts"],
            i18n.t("dep.col.households_fewer", lang): tab["fewer_deprived"],
        }
    )
    if not level_dim:
        out.insert(0, i18n.t("dep.col.dimension", lang), [_label_dim(d, lang) for d in tab["dimension"]])
    return out


def _tables_of(result) -> tuple[pd.DataFrame | None, pd.DataFrame | None, pd.DataFrame | None, dict]:
    """(deprivations, removals, indicators, manifest) of a RunResult or a read_outputs dict."""
    if isinstance(result, Mapping):
        return (
            result.get("deprivations"),
            result.get("deprivation_removals"),
            result.get("indicators"),
            result.get("manifest") or {},
        )
    return result.deprivations, result.deprivation_removals, result.indicators, result.manifest


def _names(result, lang) -> tuple[dict, dict]:
    """Unit and line display names when the run's scenario is at hand (RunResult)."""
    scen = getattr(result, "scenario", None)
    if scen is None:
        return {}, {}
    units = {u: scen.dataset.unit_name(u, lang) for u in scen.dataset.unit_ids}
    lines = {c: ln.name(lang) for c, ln in scen.catalogue.lines.items()}
    return units, lines


def deprivation_section(
    result,
    lang: str | None = None,
    population: str = "poor_near_poor",
    unit_names: Mapping[str, str] | None = None,
    line_names: Mapping[str, str] | None = None,
) -> Section:
    """Texts, tables and figures of the deprivation section for one run (RunResult or the dict of
    `read_outputs`), ready to display: translated headers and labels. A run of the states model
    gives only explanatory notes. Unit and line names come from the run's scenario (RunResult) or
    from `unit_names` / `line_names` ({id: name}), else the codes are shown."""
    lang = i18n.get_lang(lang)
    dep, rem, ind, manifest = _tables_of(result)
    sec = Section()
    if dep is None or len(dep) == 0:
        sec.texts.append(i18n.t("dep.note.states_model", lang))
        sec.texts.extend(standard_break_note(ind, manifest, lang))
        return sec
    sec.texts.extend(standard_break_note(ind, manifest, lang))
    units, lines = _names(result, lang)
    units, lines = dict(units, **(unit_names or {})), dict(lines, **(line_names or {}))
    sec.texts.extend(summary_text(dep, rem, ind, population, lines, lang))
    start, end = _years(dep, None, None)
    sec.tables["dimensions"] = display_changes(dimension_changes(dep, population, lang=lang), start, end, lang)
    sec.tables["indicators"] = display_changes(
        dimension_changes(dep, population, level="indicator", lang=lang), start, end, lang
    )
    sec.tables["districts"] = district_changes(dep, population, unit_names=units, lang=lang)
    if rem is not None and len(rem):
        sec.tables["lines"] = removals_by_line(rem, line_names=lines, lang=lang)
    if ind is not None:
        sec.tables["fgt"] = fgt_table(ind, lang=lang)
    sec.figures["shares"] = plot_dimension_shares(dep, population, lang=lang)
    sec.figures["districts"] = plot_district_changes(dep, population, unit_names=units, lang=lang)
    if rem is not None and len(rem):
        sec.figures["lines"] = plot_removals_by_line(rem, lines, lang)
    if ind is not None:
        sec.figures["fgt"] = plot_fgt(ind, lang=lang)
    return sec
