"""Charts and tables for uncertainty, sensitivity and robustness (used by notebooks/uncertainty.ipynb
and by the scenario and comparison reports).

Every function takes either a run folder written by `simlib run ... --uncertainty N` (or its
`read_uncertainty` dict) or the tidy tables themselves, and a language (`vi` default, `en`).
Charts return a matplotlib Figure; tables return DataFrames with translated column names.
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping
from pathlib import Path

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from simlib import i18n
from simlib.i18n import fmt
from simlib.report import charts
from simlib.report.charts import FILLS, TARGET_STYLE
from simlib.report.data import years_text
from simlib.report.html import Chart
from simlib.report.parameter_names import readable
from simlib.uncertainty.run import read_uncertainty
from simlib.uncertainty.summaries import target_probabilities

#: target id -> (indicator whose level is drawn, geo) for target paths on fan charts
#: the label column of each language (a target's label ends with its year on a chart of several)
LABEL_COLUMNS = tuple(i18n.column("label", lg) for lg in i18n.LANGS)
_LEVEL_OF = {"poor_rate_change": "poor_rate", "near_poor_rate_change": "near_poor_rate"}


def _tables(source) -> dict:
    """{'quantiles', 'targets', 'rules', ..., 'indicators'?} from a folder, a dict or a DataFrame."""
    if isinstance(source, (str, Path)):
        out = read_uncertainty(source)
        ind = Path(source) / "indicators.csv"
        if ind.exists():
            out["indicators"] = pd.read_csv(ind)
        return out
    if isinstance(source, pd.DataFrame):
        key = "quantiles" if "q50" in source.columns else "targets" if "probability_met" in source.columns else "table"
        return {key: source}
    if hasattr(source, "quantiles"):  # an UncertaintyResult
        return {"quantiles": source.quantiles, "targets": source.targets, "rules": source.rules}
    return dict(source)


def _label(kind: str, code: str, lang) -> str:
    return i18n.label(kind, code, lang)


def _geo_label(geo: str, lang) -> str:
    return i18n.label("geo", geo, lang, default=geo)


def _central_line(ax, ind: pd.DataFrame | None, indicator: str, geo: str, lang) -> None:
    """The central (deterministic) projection, dotted, when the tables have it."""
    if ind is None:
        return
    c = ind[(ind["indicator"] == indicator) & (ind["geo"] == geo)].groupby("year")["value"].mean()
    if len(c):
        label = i18n.t("unc.chart.deterministic", lang)
        ax.plot(c.index, c.to_numpy(), color="0.3", ls=":", lw=1.6, label=label, zorder=3)


def _target_path(ax, t: pd.DataFrame | None, indicator: str, geo: str, x, median, lang) -> None:
    """A yearly-change target as the plan defines it, dashed: for each year, a step from the
    previous year's median to that value plus the change (not a path cumulated from the first
    year, which would show a plan on track where the table says it misses)."""
    if t is None:
        return
    rows = t[(t["geo"] == geo) & (t["indicator"].map(_LEVEL_OF) == indicator)]
    if not len(rows):
        return
    # each year its own threshold (a run crossing 2025→2026 has 5 points a year, then 3)
    thr = {int(y): float(v) for y, v in rows.groupby("year", sort=False)["threshold"].first().items()}
    m, first = np.asarray(median, float), True
    for i in range(1, len(x)):
        if int(x[i]) not in thr:
            continue
        label = i18n.t("unc.chart.target_path", lang) if first else None
        ax.plot([x[i - 1], x[i]], [m[i - 1], m[i - 1] + thr[int(x[i])]], label=label, zorder=2, **TARGET_STYLE)
        first = False


def _fan_axes(ax, x, unit: str, lang, legend: bool) -> None:
    """Axis labels in the unit's words, years without separators, the language's numbers."""
    ax.set_xlabel(i18n.t("unc.chart.year", lang))
    units = {
        "percent": "%",
        "percentage points": i18n.t("unit.pts", lang),
        "households": i18n.t("unit.households", lang),
    }
    ax.set_ylabel(units.get(unit, unit))
    ax.set_xticks(x)
    ax.set_xticklabels([str(int(v)) for v in x])  # years: never thousands separators
    ax.yaxis.set_major_formatter(fmt.axis_formatter(lang))
    if legend:
        ax.legend(fontsize=8, loc="best")
    ax.grid(alpha=0.3)


def fan_chart(
    source,
    indicator: str = "poor_rate",
    geo: str = "province",
    lang: str | None = None,
    ax=None,
    scenario: str | None = None,
    central: bool = True,
    target_path: bool = True,
    legend: bool = True,
    title: bool = True,
):
    """Fan chart of one indicator over the years: 5–95 % and 25–75 % bands, median, the central
    (deterministic) projection when the folder has it, and the target path for poor-rate targets.

    Readable in black and white: grey bands, a solid median with markers, a dotted central line
    and the reports' dashed target line; tick labels use the language's number format."""
    tabs = _tables(source)
    q = tabs["quantiles"]
    q = q[(q["indicator"] == indicator) & (q["geo"] == geo)]
    if scenario is not None:
        q = q[q["scenario"] == scenario]
    q = q.sort_values("year")
    fig, ax = _fig_ax(ax, (7, 4))
    x = q["year"].to_numpy()
    ax.fill_between(x, q["q05"], q["q95"], color="0.86", lw=0, label=i18n.t("unc.chart.band_90", lang), zorder=1)
    ax.fill_between(x, q["q25"], q["q75"], color="0.66", lw=0, label=i18n.t("unc.chart.band_50", lang), zorder=1)
    ax.plot(
        x, q["q50"], color="black", lw=2, marker="o", markersize=4, label=i18n.t("unc.chart.median", lang), zorder=3
    )
    if central:
        _central_line(ax, tabs.get("indicators"), indicator, geo, lang)
    if target_path and len(q):
        _target_path(ax, tabs.get("targets"), indicator, geo, x, q["q50"].to_numpy(), lang)
    if title:
        ax.set_title(
            i18n.t(
                "unc.chart.fan_title", lang, indicator=_label("indicator", indicator, lang), geo=_geo_label(geo, lang)
            )
        )
    _fan_axes(ax, x, q["unit"].iloc[0] if len(q) else "", lang, legend)
    return fig


def headline_targets(targets: pd.DataFrame) -> pd.DataFrame:
    """The target rows at the geography each target names (not each poor district separately)."""
    return targets[targets["geo_type"] != "district"]


def target_rows(tabs: dict) -> pd.DataFrame:
    """One row per target (and year, and scenario if any): with per-draw outcomes, its
    probability of meeting the target in every area it covers, as the reports and scorecard
    count it (`simlib.uncertainty.summaries.target_probabilities`); otherwise the row of the
    area the target names."""
    t = tabs["targets"]
    o = tabs.get("outcomes")
    if (
        o is not None
        and len(o)
        and "areas" not in t.columns
        and ("scenario" not in t.columns or t["scenario"].nunique() <= 1)
    ):
        return target_probabilities(t, o)
    return headline_targets(t)


def probability_table(source, lang: str | None = None, year: int | None = None, headline: bool = True) -> pd.DataFrame:
    """Target, area, year, probability of meeting it, median and 90 % interval of its value.

    With `headline`, one row per target: the probability of meeting it in every area it covers
    when the source has per-draw outcomes (`target_rows`); otherwise one row per area."""
    tabs = _tables(source)
    t = target_rows(tabs) if headline else tabs["targets"]
    if year is not None:
        t = t[t["year"] == year]
    lab = i18n.column("label", lang)
    out = pd.DataFrame(
        {
            i18n.t("unc.col.target", lang): t[lab].to_numpy(),
            i18n.t("unc.col.geo", lang): [_geo_label(g, lang) for g in t["geo"]],
            i18n.t("unc.col.year", lang): t["year"].to_numpy(),
            i18n.t("unc.col.probability", lang): [fmt.percent(100 * p, lang, 0) for p in t["probability_met"]],
            i18n.t("unc.col.median", lang): [fmt.number(v, lang, 2) for v in t["value_q50"]],
            i18n.t("unc.col.interval", lang): [
                f"{fmt.number(a, lang, 2)} – {fmt.number(b, lang, 2)}" for a, b in zip(t["value_q05"], t["value_q95"])
            ],
        }
    )
    if "scenario" in t.columns and t["scenario"].nunique() > 1:
        out.insert(0, i18n.t("unc.col.scenario", lang), t["scenario"].to_numpy())
    return out


def _probability_rows(sources) -> pd.DataFrame:
    """The headline target rows of `sources` (see `probability_chart`), with a `scenario` column."""
    if isinstance(sources, Mapping) and not {"targets", "quantiles"} & set(sources):
        frames = [target_rows(_tables(src)).assign(scenario=name) for name, src in sources.items()]
        t = pd.concat(frames, ignore_index=True)
    else:
        t = target_rows(_tables(sources))
        if "scenario" not in t.columns:
            t = t.assign(scenario="")
    return headline_targets(t)


def _probability_bars(ax, part: pd.DataFrame, y, h: float, label, fill, lang) -> None:
    """One scenario's bars, each with its probability written after it."""
    face, hatch = fill
    p = part["probability_met"].to_numpy(float)
    bars = ax.barh(y, 100 * p, height=h, label=label, color=face, hatch=hatch, edgecolor="black", linewidth=0.6)
    for b, v in zip(bars, p):
        if np.isfinite(v):
            yb = b.get_y() + b.get_height() / 2
            ax.text(b.get_width() + 1, yb, fmt.percent(100 * v, lang, 0), va="center", fontsize=7)


def probability_chart(sources, lang: str | None = None, year=None, ax=None):
    """Horizontal bars: probability of meeting each (headline) target, one bar per scenario.

    `sources`: {scenario name: folder | tables}, or one targets table with a `scenario` column
    (e.g. `RobustnessResult.targets`), or one folder. `year`: the year shown (default the last),
    or several (`shown_years`; each target's label then says its year)."""
    t, shown = shown_years(_probability_rows(sources), year)
    targets = list(dict.fromkeys(t["target_id"]))
    scens = list(dict.fromkeys(t["scenario"]))
    fig, ax = _fig_ax(ax, (8, 0.5 + 0.45 * len(targets) * max(1, len(scens)) ** 0.7))
    h = 0.8 / max(1, len(scens))
    for si, s in enumerate(scens):
        part = t[t["scenario"] == s].drop_duplicates("target_id").set_index("target_id").reindex(targets)
        y = np.arange(len(targets)) + si * h - 0.4 + h / 2
        _probability_bars(ax, part, y, h, s or None, FILLS[si % len(FILLS)], lang)
    names = t.drop_duplicates("target_id").set_index("target_id").reindex(targets)[i18n.column("label", lang)]
    ax.set_yticks(np.arange(len(targets)))
    ax.set_yticklabels([_wrap(n, 48) for n in names], fontsize=8)
    ax.invert_yaxis()
    ax.set_xlim(0, 110)
    ax.set_xlabel(i18n.t("unc.chart.probability", lang) + " (%)")
    ax.set_title(i18n.t("unc.chart.probability_title", lang) + f" – {years_text(shown)}")
    if len(scens) > 1:
        ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    ax.grid(axis="x", alpha=0.3)
    fig.tight_layout()
    return fig


def shown_years(t: pd.DataFrame, year) -> tuple[pd.DataFrame, list[int]]:
    """The target rows of `year` (None: the last; a sequence: each of those years) and the years
    shown; with several years each target is one bar a year, its label ending with the year."""
    shown = sorted({int(y) for y in year}) if np.ndim(year) else [int(year or t["year"].max())]
    t = t[t["year"].isin(shown)]
    if len(shown) > 1:
        y = " (" + t["year"].astype(int).astype(str) + ")"
        t = t.assign(target_id=t["target_id"].astype(str) + y, **{c: t[c] + y for c in LABEL_COLUMNS if c in t})
    return t, shown


def _fig_ax(ax, figsize: tuple[float, float]):
    """(figure, axes): the given axes and its figure, or a new figure of `figsize` (inches)."""
    if ax is not None:
        return ax.figure, ax

    return plt.subplots(figsize=figsize)


def _wrap(text: str, width: int) -> str:
    return "\n".join(textwrap.wrap(str(text), width)) or str(text)


def sensitivity_chart(result, output: str | None = None, grouping: str = "kind", lang: str | None = None, ax=None):
    """ "What we most need to measure better": each group's total Sobol index (hatched bar, with
    its 95 % bootstrap interval) and first-order index (dark bar inside it), in % of the
    output's variance, largest first.

    Only the values `simlib.uncertainty.sensitivity.bound_indices` marks as shown are drawn as
    bars (within [0, 100 %], first-order ≤ total); a group with a value not drawn gets a mark on
    its label, and when its total index is too imprecise, that index's interval as a dashed line."""
    t = result.table if hasattr(result, "table") else result
    t = t[t["grouping"] == grouping] if "grouping" in t.columns else t
    output = output or t["output"].iloc[0]
    t = t[t["output"] == output].copy()
    t["_order"] = t["ST_shown"].fillna((t["ST_low"] + t["ST_high"]) / 2).fillna(-1)
    t = t.sort_values("_order", ascending=True)
    lab = i18n.column("group_label", lang)
    fig, ax = _fig_ax(ax, (7, 0.9 + 0.38 * len(t)))
    y = np.arange(len(t))
    ok = t["ST_reliable"].to_numpy(bool)
    s1_ok = t["S1_reliable"].to_numpy(bool)
    st, lo, hi = (100 * t[c].to_numpy(float) for c in ("ST_shown", "ST_low", "ST_high"))
    # print-safe: hatched outline for the total index, solid dark bar for the first-order part inside it
    ax.barh(
        y[ok],
        st[ok],
        color="white",
        hatch="///",
        edgecolor="black",
        linewidth=0.6,
        label=i18n.t("unc.chart.total_index", lang),
        xerr=np.vstack([st[ok] - lo[ok], hi[ok] - st[ok]]).clip(min=0),
        error_kw={"lw": 0.8, "capsize": 2},
    )
    ax.barh(
        y[s1_ok],
        100 * t["S1_shown"].to_numpy(float)[s1_ok],
        height=0.4,
        color="0.3",
        edgecolor="black",
        linewidth=0.6,
        label=i18n.t("unc.chart.first_index", lang),
    )
    _imprecise_totals(ax, y[~ok], lo[~ok], hi[~ok], lang)
    names, star = starred_names(t[lab], s1_ok, lang)
    ax.plot([], [], " ", label=star or "_nolegend_")  # what the mark says, in the legend beside the bars
    ax.set_yticks(y)
    ax.set_yticklabels(names, fontsize=8)
    ax.set_xlim(0, 100)
    ax.xaxis.set_major_formatter(fmt.axis_formatter(lang, 0))
    ax.set_xlabel(i18n.t("unc.chart.sensitivity_xlabel", lang) + " (%)", fontsize=8)
    olab = i18n.column("output_label", lang)
    sub = t[olab].iloc[0] if olab in t.columns and len(t) else output
    ax.set_title(i18n.t("unc.chart.sensitivity_title", lang) + "\n" + _wrap(sub, 70), fontsize=10)
    ax.legend(fontsize=8, loc="lower right")
    ax.grid(axis="x", alpha=0.3)
    fig.tight_layout()
    return fig


def _imprecise_totals(ax, y, lo, hi, lang: str | None) -> None:
    """The 95 % interval (dashed) of each total index too imprecise to draw as a bar."""
    if len(y):
        ax.hlines(y, lo, hi, colors="0.3", linestyles="--", lw=1.2, label=i18n.t("unc.chart.noisy", lang))
        ax.plot(np.r_[lo, hi], np.r_[y, y], "|", color="0.3", markersize=8)


def starred_names(labels, s1_ok, lang: str | None = None) -> tuple[list[str], str]:
    """The groups' names on a sensitivity chart and the legend line of their mark: a group whose
    own (first-order) index is not drawn is marked «*» when others have theirs drawn; when no
    group has it drawn (few base points) no group is marked — a mark on every bar says nothing —
    and the legend line says so instead ("": every group's is drawn)."""
    ok = np.asarray(s1_ok, bool)
    marked = (~ok).any() and ok.any()
    names = [_wrap(s, 40) + (" *" if marked and not k else "") for s, k in zip(labels, ok)]
    key = "" if ok.all() else "unc.chart.first_not_drawn" if marked else "unc.chart.first_none_drawn"
    return names, i18n.t(key, lang) if key else ""


def sensitivity_note(result, lang: str | None = None) -> str:
    """One sentence under the sensitivity charts: how many runs, the interval level, and what a
    mark on a group means."""
    info = result.info if hasattr(result, "info") else dict(result)
    return i18n.t(
        "unc.nb.sensitivity_note",
        lang,
        runs=fmt.number(info.get("runs", 0), lang),
        base=fmt.number(info.get("base_points", 0), lang),
        width=fmt.number(100 * info.get("max_half_width", 0.1), lang, 0),
    )


def morris_chart(result, output: str | None = None, top: int = 15, lang: str | None = None, ax=None):
    """Morris screening: mu* (bars, with their 95 % bootstrap interval) and sigma (dots; empty
    for a factor of several columns, such as a transition row) of the `top` most influential
    factors."""
    t = result.table if hasattr(result, "table") else result
    output = output or t["output"].iloc[0]
    t = t[t["output"] == output].nlargest(top, "mu_star").iloc[::-1]
    lab = i18n.column("group_label", lang)
    fig, ax = _fig_ax(ax, (7, 0.6 + 0.33 * len(t)))
    y = np.arange(len(t))
    conf = t["mu_star_conf"] if "mu_star_conf" in t.columns else None  # 95 % bootstrap interval of mu*
    ax.barh(y, t["mu_star"], color="0.6", edgecolor="black", linewidth=0.6, label="μ*", xerr=conf, error_kw={"lw": 0.8})
    ax.plot(t["sigma"], y, "k.", label="σ")
    ax.set_yticks(y)
    ax.set_yticklabels([_wrap(s, 45) for s in t[lab]], fontsize=8)
    ax.set_xlabel(i18n.t("unc.chart.morris_xlabel", lang))
    ax.xaxis.set_major_formatter(fmt.axis_formatter(lang))
    ax.set_title(i18n.t("unc.chart.morris_title", lang), fontsize=10)
    ax.legend(fontsize=8, loc="lower right")
    ax.grid(axis="x", alpha=0.3)
    fig.tight_layout()
    return fig


def regret_chart(result, lang: str | None = None, ax=None):
    """Distribution of each allocation's regret over the draws (box plot), best first."""
    reg = result.regrets if hasattr(result, "regrets") else result
    order = reg.groupby("scenario")["regret"].mean().sort_values().index.tolist()
    fig, ax = _fig_ax(ax, (7, 0.8 + 0.5 * len(order)))
    ax.boxplot(
        [reg.loc[reg["scenario"] == s, "regret"].to_numpy() for s in order],
        vert=False,
        whis=(5, 95),
        showfliers=False,
        tick_labels=order,
    )
    ax.invert_yaxis()
    ax.set_xlabel(i18n.t("unc.chart.regret_xlabel", lang))
    ax.set_title(i18n.t("unc.chart.regret_title", lang), fontsize=10)
    ax.grid(axis="x", alpha=0.3)
    fig.tight_layout()
    return fig


def regret_table(result, lang: str | None = None) -> pd.DataFrame:
    """Per allocation: mean value, mean / 95 % / largest regret and share of draws where it is best."""
    s = result.summary if hasattr(result, "summary") else result
    return pd.DataFrame(
        {
            i18n.t("unc.col.scenario", lang): s["scenario"],
            i18n.t("unc.col.value_mean", lang): [fmt.number(v, lang, 2) for v in s["value_mean"]],
            i18n.t("unc.col.regret_mean", lang): [fmt.number(v, lang, 2) for v in s["regret_mean"]],
            i18n.t("unc.col.regret_p95", lang): [fmt.number(v, lang, 2) for v in s["regret_p95"]],
            i18n.t("unc.col.regret_max", lang): [fmt.number(v, lang, 2) for v in s["regret_max"]],
            i18n.t("unc.col.share_best", lang): [fmt.percent(100 * v, lang, 0) for v in s["share_best"]],
        }
    )


def rules_table(source, lang: str | None = None, headline: bool = True, year: int | None = None) -> pd.DataFrame:
    """When each target is missed, in plain words (from `uncertainty_rules.csv` or a rules table)."""
    tabs = _tables(source)
    r = tabs.get("rules", tabs.get("table"))
    if r is None or r.empty:
        return pd.DataFrame(
            columns=[
                i18n.t("unc.col.target", lang),
                i18n.t("unc.col.geo", lang),
                i18n.t("unc.col.year", lang),
                i18n.t("unc.col.probability", lang),
                i18n.t("unc.col.rule", lang),
            ]
        )
    r = r[r["limits"].fillna("{}") != "{}"] if "limits" in r.columns else r  # folders from before: rules only
    if headline:
        r = r[r["geo_type"] != "district"]
    if year is not None:
        r = r[r["year"] == year]
    col = i18n.column("rule", lang)
    names = r["target_id"]
    t = tabs.get("targets")
    if t is not None and {"target_id", "label_vi", "label_en"} <= set(t.columns):  # targets by name, not code
        lab = t.drop_duplicates("target_id").set_index("target_id")[i18n.column("label", lang)]
        names = names.map(lab).fillna(names)
    out = pd.DataFrame(
        {
            i18n.t("unc.col.target", lang): names.to_numpy(),
            i18n.t("unc.col.geo", lang): [_geo_label(g, lang) for g in r["geo"]],
            i18n.t("unc.col.year", lang): r["year"].to_numpy(),
            i18n.t("unc.col.probability", lang): [fmt.percent(100 * p, lang, 0) for p in r["probability_met"]],
            i18n.t("unc.col.rule", lang): [readable(x, lang) for x in r[col]],
        }
    )
    if "scenario" in r.columns:
        out.insert(0, i18n.t("unc.col.scenario", lang), r["scenario"].to_numpy())
    return out


def rules_note(source, lang: str | None = None, headline: bool = True, lo: float = 0.02, hi: float = 0.98) -> str:
    """A sentence on the targets missed in some draws (between `lo` and `hi` of them, as
    `miss_rules` analyses) for which no rule held: they get no row in `rules_table`. Empty when
    there are none."""
    tabs = _tables(source)
    t, r = tabs.get("targets"), tabs.get("rules")
    if t is None or t.empty:
        return ""
    keys = ["target_id", "geo", "year"]
    t = headline_targets(t) if headline else t
    missed = t[(1 - t["probability_met"]).between(lo, hi)]
    if r is not None and not r.empty:
        found = r[r["limits"].fillna("{}") != "{}"] if "limits" in r.columns else r
        found = found[keys].drop_duplicates().astype({"geo": str})
        missed = missed.astype({"geo": str}).merge(found, on=keys, how="left", indicator=True)
        n, n_found = int((missed["_merge"] == "left_only").sum()), int((missed["_merge"] == "both").sum())
    else:
        n, n_found = len(missed), 0
    if n == 0:
        return ""
    return i18n.t("unc.nb.rules_none_other" if n_found else "unc.nb.rules_none_all", lang, n=n)


def probability_figure(probs, lang: str, year=None, by: str | None = None) -> Chart:
    """Bars of the probability of meeting each target in `year` (default the last; a sequence:
    each of those years, `shown_years`), titled with the years shown; with `by` (a column, e.g.
    the scenario), one bar per value of that column."""
    frame = probs.assign(scenario=probs[by] if by else "")
    rows, shown = shown_years(frame, year)
    n_targets = rows["target_id"].nunique()
    n_bars = max(1, frame["scenario"].nunique())
    fig = charts._figure(charts.WIDTH, 0.9 + 0.42 * n_targets * n_bars**0.8, layout=None)
    with matplotlib.rc_context(charts.RC):
        ax = fig.add_subplot()
        probability_chart(frame, lang=lang, year=shown, ax=ax)
        ax.set_title("")
        ax.xaxis.set_major_formatter(fmt.axis_formatter(lang))
    return Chart(fig, i18n.t("report.fig.probabilities", lang, year=years_text(shown)))
