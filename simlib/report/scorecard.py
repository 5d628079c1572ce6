"""The verdict on each target as people read it: in the page (a cell per target, area and year:
value, 90 % interval, đạt / chưa chắc đạt / không đạt, probability, and by how much it falls
short) and as a table for Excel — both from the one verdict table (`simlib.report.verdict`).

Columns of the page's scorecard, in time order: the years before the plan's own (the bridge from
the last review, greyed, "Diễn biến"), its own years, and the others as an outlook (greyed,
"Triển vọng"), so a 2024 plan is judged on 2024 and a 2027 plan on 2027.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from simlib import i18n
from simlib.i18n import fmt
from simlib.report import html, verdict
from simlib.report.levels import Levels
from simlib.report.table import ReportTable
from simlib.targets import AT_THRESHOLD, COMPARISON_SIGN
from simlib.uncertainty.summaries import all_targets_probability, has_unit_cells

MARKS = {"met": "✓", "uncertain": "?", "not_met": "✗"}
CLASSES = {"met": "sl-met", "uncertain": "sl-unsure", "not_met": "sl-notmet"}
COVERAGE = ("production_support_coverage", "officers_trained", "poor_districts_with_infrastructure")


def status_word(status: str, lang: str) -> str:
    return i18n.t(f"target.{status}", lang)


def status_html(status: str, lang: str) -> str:
    """`✓ Đạt`, `? Chưa chắc đạt`, `✗ Không đạt`: distinct in black and white (mark and style)."""
    return f'<span class="{CLASSES[status]}">{html.esc(MARKS[status] + " " + status_word(status, lang))}</span>'


def value_text(indicator: str, v: float, lang: str, unit: bool = True) -> str:
    """A target's value: a change in points (`−4,69 điểm %`), a rate or coverage (`24,7 %`)."""
    if indicator.endswith("_change"):
        return fmt.signed(v, lang, 2) + (f" {i18n.t('unit.pts_short', lang)}" if unit else "")
    if indicator.endswith("_rate") or indicator in COVERAGE:
        return fmt.percent(v, lang)
    return fmt.number(v, lang, 1)


#: a fall of a rate asked by a target (`_change` below a negative threshold) in words
FALLS = {"<=": "report.threshold.fall_at_least", "<": "report.threshold.fall_more"}


def threshold_text(indicator: str, comparison: str, threshold: float, lang: str) -> str:
    """The threshold a verdict applies, as a reader checks it against the plan's wording: a fall
    in points of the rate a year («giảm ≥ 1,00 điểm %/năm» for «duy trì mức giảm 1–1,5 %/năm»,
    judged on −1,00), else the comparison and the value («≥ 80,0 %»)."""
    if indicator.endswith("_change") and comparison in FALLS and threshold < 0:
        return i18n.t(FALLS[comparison], lang, value=fmt.number(-threshold, lang, 2))
    return f"{COMPARISON_SIGN[comparison]} {value_text(indicator, threshold, lang)}"


def probability_span(
    p: float, lang: str, target_id: str = "", geo: str = "", year: int | str = "", kind: str = "cell"
) -> str:
    """A probability of meeting a target as HTML, carrying its exact value (`data-probability`,
    a share 0–1) and what it is about, so readers and tests see the same number."""
    attrs = (
        f'data-probability="{p:.6f}" data-kind="{html.esc(kind)}" data-target="{html.esc(target_id)}" '
        f'data-geo="{html.esc(geo)}" data-year="{html.esc(year)}"'
    )
    return f'<span class="sl-prob" {attrs}>{html.esc(fmt.percent(100 * p, lang, 0))}</span>'


def shortfall_text(r, lang: str) -> str:
    """`thiếu 0,04 điểm % (khoảng 52 hộ)` when the projection is short of the threshold, else ''."""
    if not np.isfinite(r["margin"]) or r["margin"] >= -AT_THRESHOLD:
        return ""
    points = r["indicator"].endswith("_change") or r["indicator"].endswith("_rate") or r["indicator"] in COVERAGE
    gap = fmt.number(-r["margin"], lang, 2 if r["indicator"].endswith("_change") else 1)
    gap += " " + i18n.t("unit.pts_short", lang) if points else ""
    text = i18n.t("report.verdict.short", lang, gap=gap)
    if np.isfinite(r.get("margin_households", np.nan)):
        text += " " + i18n.t("report.verdict.short_households", lang, n=fmt.number(-r["margin_households"], lang))
    return text


def joint_probability(verdicts: pd.DataFrame, r) -> bool:
    """Whether the probability of verdict row `r` of `verdicts` is the joint one: the poor units
    together where the target is also judged unit by unit that year (the group and every poor
    unit meeting it at once: a 0 % beside a band straddling the threshold is not a misprint)."""
    if r["detail"]:
        return False
    same = (verdicts["target_id"] == r["target_id"]) & (verdicts["year"] == r["year"])
    return bool((same & verdicts["detail"].astype(bool)).any())


def probability_label(lang: str, every: str = "") -> str:
    """«xác suất đạt»; with `every` (the level of the poor units, district or commune) the joint
    probability's words («xác suất cả nhóm và mọi huyện nghèo cùng đạt»)."""
    return i18n.t(f"report.probability_label_every.{every}" if every else "report.probability_label", lang)


def probability_words(verdicts: pd.DataFrame, r, lang: str, levels: Callable[[], Levels]) -> str:
    """The words before the probability of verdict row `r` of `verdicts` — the one rule for the
    scorecard's cells, the headline's list of targets not met and the brief's weakest target:
    «xác suất đạt», or for the joint probability (`joint_probability`) «xác suất cả nhóm và mọi
    huyện nghèo cùng đạt», named by the level of the units the run used in `r`'s year.

    Parameters
    ----------
    verdicts : pandas.DataFrame
        The verdict table `r` belongs to (`simlib.report.verdict`).
    r : pandas.Series
        One row of `verdicts`.
    lang : str
        The language of the words.
    levels : callable
        Gives the run's `Levels`; called only for a joint probability (a stand-in context of a
        test, without a scenario, has none to give).

    Returns
    -------
    str
        The words, without the probability itself.
    """
    return probability_label(lang, levels().used_at([r["year"]]) if joint_probability(verdicts, r) else "")


def verdict_cell(r, lang: str, kind: str = "target", words: str = "") -> str:
    """One verdict as a scorecard cell (`r`: a row of the verdict table); `words`: the words
    before its probability (`probability_words`; "": «xác suất đạt») — the row of the poor units
    judged also unit by unit carries the joint probability that the group and every poor unit meet
    the target, said in the cell («xác suất cả nhóm và mọi huyện nghèo cùng đạt»), not only in the
    note under the table."""
    parts = [html.esc(value_text(r["indicator"], r["value"], lang, unit=False))]
    if np.isfinite(r["lo"]) and np.isfinite(r["hi"]):
        lo, hi = (value_text(r["indicator"], x, lang, unit=False) for x in (r["lo"], r["hi"]))
        parts.append(f'<span class="sl-small">{html.esc(i18n.t("report.verdict.interval", lang, lo=lo, hi=hi))}</span>')
    parts.append(status_html(r["status"], lang))
    if np.isfinite(r["probability"]):
        p = probability_span(float(r["probability"]), lang, r["target_id"], r["geo"], int(r["year"]), kind)
        label = words or probability_label(lang)
        parts.append(f'<span class="sl-small">{html.esc(label)} {p}</span>')
    short = shortfall_text(r, lang)
    if short:
        parts.append(f'<span class="sl-small">{html.esc(short)}</span>')
    return "<br>".join(parts)


def area_name(
    geo_type: str, geo: str, lang: str, unit_names: dict | None = None, levels: Levels | None = None, years=None
) -> str:
    """Display name of a reporting geography (province, a unit, the poor units together, a
    group); the poor units are named by the level of the run's units and of the units in force
    at the first of `years` (`simlib.report.levels`; None: district units)."""
    if geo_type == "district":
        return (unit_names or {}).get(geo, geo)
    return (levels or Levels()).geo(geo, lang, years)


#: the words of a target judged on the province for reference only, by the area it is set for
#: (`reference_area`; a national change target: the national pace)
REFERENCE_MARKS = {
    "national": "report.scorecard.mark.national",
    "ethnic_minority_and_mountainous_areas": "report.scorecard.mark.ethnic_minority_and_mountainous_areas",
}


def target_marks(r, lang: str) -> list[str]:
    """The words said after the area of verdict row `r`'s target (its `FLAG_COLUMNS`): a national
    or regional target judged on the province is for reference only («đối chiếu nhịp giảm của cả
    nước — chỉ để tham khảo»); [] for a target set for the province or its own areas."""
    area = str(r.get("reference_area", "") or "")
    if area in ("", "nan"):
        return []
    pace = area == "national" and str(r["indicator"]).endswith("_change")
    return [i18n.t("report.scorecard.mark.national_change" if pace else REFERENCE_MARKS[area], lang)]


def area_with_marks(area: str, r, lang: str) -> str:
    """`area` followed by `target_marks` of `r` («Toàn tỉnh; đối chiếu … — chỉ để tham khảo»)."""
    return "; ".join([area, *target_marks(r, lang)])


def target_label(r, lang: str) -> str:
    """The label of verdict row `r`'s target, with «(dự kiến)» when the target is only proposed
    (`proposed`, `status: proposal` in its file) and its label does not say so already."""
    label = str(r[i18n.column("label", lang)])
    word = i18n.t("report.scorecard.mark.proposed", lang)
    proposed = str(r.get("proposed", False)).lower() == "true"
    return f"{label} ({word})" if proposed and word.lower() not in label.lower() else label


def scorecard_html(
    verdicts: pd.DataFrame, lang: str, unit_names: dict | None = None, levels: Levels | None = None
) -> str:
    """The scorecard: one row per target (its districts indented below it), the threshold, then
    one column per year — the years before the plan's own, its own years, the outlook years."""
    if verdicts.empty:
        return html.para(i18n.t("report.no_targets", lang))
    role = dict(zip(verdicts["year"], verdict.year_roles(verdicts)))
    shown = sorted(role)  # in time order: a year between two own years sits between them
    own = [y for y in shown if role[y] == "own"]
    t = lambda k, **kw: i18n.t(k, lang, **kw)  # noqa: E731
    names = {"before": "report.verdict.history", "after": "report.verdict.outlook"}
    header = [t("table.target_area"), t("table.threshold_applied")]
    header += [str(y) if role[y] == "own" else t(names[role[y]], year=y) for y in shown]
    hcls = ["", ""] + ["" if role[y] == "own" else "sl-outlook-h" for y in shown]
    rows, classes = [], []
    # the targets judged in the plan's own year first, those of the bridge or outlook years after
    judged = verdicts.groupby("target_id", sort=False)["own_year"].transform("any").astype(bool)
    ordered = verdicts.assign(_later=~judged).sort_values("_later", kind="stable")
    run_levels = lambda: levels or Levels()  # noqa: E731
    for (_, gt, geo), g in ordered.groupby(["target_id", "geo_type", "geo"], sort=False):
        first = g.iloc[0]
        area = area_name(gt, geo, lang, unit_names, levels, g["year"])
        marked = area_with_marks(area, first, lang)
        label = area if first["detail"] else f"{target_label(first, lang)} ({marked})"
        cells = [
            html.esc(label),
            html.esc(threshold_text(first["indicator"], first["comparison"], first["threshold"], lang)),
        ]
        for y in shown:
            r = g[g["year"] == y]
            kind = "cell" if first["detail"] else "target"
            words = probability_words(verdicts, r.iloc[0], lang, run_levels) if len(r) else ""
            cell = verdict_cell(r.iloc[0], lang, kind, words) if len(r) else "–"
            cells.append(cell if y in own else f'<span class="sl-outlook">{cell}</span>')
        rows.append(cells)
        classes.append("sub" if first["detail"] else "")
    n = len(header)
    return html.table(
        header,
        rows,
        numeric=[False, False] + [True] * (n - 2),  # the threshold in words wraps (readers59)
        row_classes=classes,
        raw_cols=range(n),
        header_classes=hcls,
    )


def scorecard_table(
    verdicts: pd.DataFrame, lang: str, unit_names: dict | None = None, levels: Levels | None = None
) -> ReportTable:
    """The verdicts as a table for Excel: one row per target, area and year."""
    t = lambda k, **kw: i18n.t(k, lang, **kw)  # noqa: E731
    v = verdicts
    # a target's area is named as on the page: by the units in force at its first year
    first_year = v.groupby(["target_id", "geo_type", "geo"], sort=False)["year"].transform("min")
    unit = [
        t("unit.pts") if i.endswith("_change") else t("unit.pct") if (i.endswith("_rate") or i in COVERAGE) else ""
        for i in v["indicator"]
    ]
    frame = pd.DataFrame(
        {
            t("table.target"): [target_label(r, lang) for _, r in v.iterrows()],
            t("table.area"): [
                area_with_marks(area_name(r["geo_type"], r["geo"], lang, unit_names, levels, [y]), r, lang)
                for (_, r), y in zip(v.iterrows(), first_year, strict=True)
            ],
            t("table.year"): v["year"].astype(int).to_numpy(),
            t("table.judged"): [t(f"report.verdict.role_{r}") for r in verdict.year_roles(v)],
            t("table.projected"): v["value"].to_numpy(),
            t("table.low"): v["lo"].to_numpy(),
            t("table.high"): v["hi"].to_numpy(),
            t("table.comparison"): [COMPARISON_SIGN[c] for c in v["comparison"]],
            t("table.threshold"): v["threshold"].to_numpy(),
            t("table.unit"): unit,
            t("table.probability_pct"): (100 * v["probability"]).to_numpy(),
            t("table.status"): [status_word(s, lang) for s in v["status"]],
            t("table.basis"): [t(f"report.verdict.basis_{b}") for b in v["basis"]],
            t("table.margin"): v["margin"].to_numpy(),
            t("table.margin_households"): v["margin_households"].to_numpy(),
        }
    )
    formats = {
        t("table.year"): "year",
        t("table.projected"): "num2",
        t("table.low"): "num2",
        t("table.high"): "num2",
        t("table.threshold"): "num2",
        t("table.probability_pct"): "pct1",
        t("table.margin"): "pts2",
        t("table.margin_households"): "int",
    }
    return ReportTable("scorecard", t("report.table.scorecard"), frame, formats, t("report.table.scorecard_note"))


def reading_sentences(table: pd.DataFrame, lang: str, levels: Levels) -> list[str]:
    """The headline's two readings of the targets judged for each unit too (`verdict.unit_targets`):
    the count of targets met under each reading, then per target how many units reach it; empty
    when no target of the own years has units. The texts say that the source does not settle the
    reading (params/targets/2026_2030.yaml `reading`)."""
    units = verdict.unit_targets(table)
    if units.empty:
        return []
    v = verdict.headline_verdicts(table)
    together, each = verdict.counts(table, reading="aggregate"), verdict.counts(table, reading="each_unit")
    years = ", ".join(str(y) for y in sorted(v["year"].unique()))
    out = [
        levels.t_over(
            verdict.count_key(table, "report.verdict.summary_readings"),
            lang,
            units["year"].unique(),
            years=years,
            total=len(v),
            met=together["met"],
            uncertain=together["uncertain"],
            not_met=together["not_met"],
            met_each=each["met"],
            uncertain_each=each["uncertain"],
            not_met_each=each["not_met"],
        )
    ]
    label = i18n.column("label", lang)
    level_of = units["year"].map(lambda y: levels.used_at([y]))
    # one sentence per target and set of units, the readings of its years side by side
    out += [_unit_reading(rows, name, lang, levels) for (name, _), rows in units.groupby([label, level_of], sort=False)]
    return out


def _unit_reading(rows: pd.DataFrame, label: str, lang: str, levels: Levels) -> str:
    """Both readings of one target on one set of units, year by year."""
    readings = [
        levels.t_at(
            "report.verdict.unit_reading_year",
            lang,
            int(r["year"]),
            year=int(r["year"]),
            together=status_word(r["aggregate_status"], lang).lower(),
            units_met=int(r["units_met"]),
            units=int(r["units"]),
        )
        for _, r in rows.iterrows()
    ]
    return levels.t_at(
        "report.verdict.unit_reading", lang, int(rows["year"].iloc[0]), label=label, readings="; ".join(readings)
    )


def reading_card(table: pd.DataFrame, lang: str, levels: Levels) -> tuple[str, str] | None:
    """The headline card's value and detail under both readings (None: no target has units)."""
    units = verdict.unit_targets(table)
    if units.empty:
        return None
    n = len(verdict.headline_verdicts(table))
    together, each = verdict.counts(table, reading="aggregate"), verdict.counts(table, reading="each_unit")
    value = f"{together['met']}/{n} · {each['met']}/{n}"
    detail = levels.t_over(
        "report.card.targets_readings", lang, units["year"].unique(), together=together["met"], each=each["met"], n=n
    )
    return value, detail


def each_unit_sentence(table: pd.DataFrame, lang: str, levels: Levels) -> str:
    """The count of targets met when each poor unit is judged on its own (without draws: met and
    not met by the central projection, `verdict.count_key`); "" when no target of the own years
    has units."""
    units = verdict.unit_targets(table)
    if units.empty:
        return ""
    c = verdict.counts(table, reading="each_unit")
    key = verdict.count_key(table, "decision.each_unit_reading")
    return levels.t_over(key, lang, units["year"].unique(), total=len(verdict.headline_verdicts(table)), **c)


def all_targets_card(outcomes: pd.DataFrame, year: int, draws: int, lang: str, levels: Levels):
    """The headline card (title, value, detail) of the probability of meeting every target in
    `year` over the draws' `outcomes`: the poor units together and each on its own when a target
    is judged in each poor unit too (None: no draw judged `year`)."""
    p = all_targets_probability(outcomes)
    if year not in p.index:
        return None
    title = i18n.t("report.card.all_targets", lang, year=year)
    each = fmt.percent(100 * float(p[year]), lang, 0)
    if not has_unit_cells(outcomes):
        return title, each, i18n.t("report.card.all_targets_detail", lang, n=draws)
    together = fmt.percent(100 * float(all_targets_probability(outcomes, "aggregate")[year]), lang, 0)
    detail = levels.t_at("report.card.all_targets_readings", lang, year, together=together, each=each, n=draws)
    return title, f"{together} · {each}", detail


def former_districts_share(units: pd.DataFrame, name: str = "name_vi") -> tuple[int, list[str], float]:
    """Of a commune dataset's poor units (`poor_district`: holding an old commune of a 2024 poor
    district): how many, the names of those that also hold old communes of other districts
    (`legacy_poor_district_communes` k/n with k < n), and the estimated share of the poor units'
    population in those other old communes — each unit's population taken as split evenly among
    its old communes, as the dataset splits a unit of two districts (data/caobang_communes/README.md);
    names from the column `name`."""
    poor = units[units["poor_district"].astype(str).str.lower() == "true"]
    kn = poor["legacy_poor_district_communes"].astype(str).str.split("/", expand=True).astype(int)
    population = pd.to_numeric(poor["population"], errors="coerce").fillna(0.0)
    partial = kn[0] < kn[1]
    other = float(((kn[1] - kn[0]) / kn[1] * population).sum())
    total = float(population.sum())
    return len(poor), poor.loc[partial, name].tolist(), (other / total if total else 0.0)


def former_districts_note(verdicts: pd.DataFrame, units: pd.DataFrame, lang: str, levels: Levels) -> str:
    """Why a target worded for poor districts is judged for the poor units together only in the
    years a run on communes judges it (`levels.district_worded`, plan_2027's 2024–2025): what the
    communes together are, and that no district — and no commune as one — is judged; "" when no
    such year is shown or the dataset does not say which units hold the former poor districts."""
    years = sorted(levels.district_worded & {int(y) for y in verdicts["year"]})
    rows = verdicts[verdicts["year"].isin(years) & (verdicts["geo"].astype(str) == "poor_districts")]
    if rows.empty or "legacy_poor_district_communes" not in units:
        return ""
    n, partial, share = former_districts_share(units, i18n.column("name", lang))
    return i18n.t(
        "report.scorecard.former_districts_note",
        lang,
        years=f"{years[0]}–{years[-1]}" if len(years) > 1 else str(years[0]),
        labels="; ".join(fmt.quote(x, lang) for x in dict.fromkeys(rows[i18n.column("label", lang)])),
        units=len(units),
        n=n,
        k=len(partial),
        names=", ".join(partial),
        share=fmt.percent(100 * share, lang, 1),
    )
