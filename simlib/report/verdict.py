"""One verdict per target, area and year — the single computation behind every page and file that
says whether a target is met (scenario report, uncertainty page, comparison, index, CSV, XLSX).

A verdict is the projected value, its 90 % interval and the probability of meeting the target
over the parameter draws, and one of three states:

- **met** (đạt) when the probability is at least `P_MET`,
- **not met** (không đạt) when it is at most `P_NOT_MET`,
- **uncertain** (chưa chắc đạt) in between.

Without parameter draws there is no probability: the state is the central projection's (met or
not met, `basis` = "projection"), and pages say so; the interval is then the spread of the
microsimulation's replications, if any (household-level chance only, not parameter uncertainty). A target of several areas (the poor districts
together and each poor district) is judged on the probability of meeting it in all of them; its
district rows keep their own.

Targets belong to the years their plan sets them for (`meta.years` of the targets file: 2024
for Plan 415; a dated plan's last year, `simlib.report.context.verdict_targets`);
earlier projected years are the bridge to them and later ones an outlook (`own_year` False,
`year_roles`), both shown apart and never counted as "targets met".

**Two readings of a target judged for each unit** (the poor communes of the 2026–2030 programme,
the poor districts of Plan 415): neither text says whether the rate is to fall by so many points in
the poor units taken together or in every one of them (`reading` in
`params/targets/2026_2030.yaml`). The headline row of such a target carries both
(`READING_COLUMNS`): `aggregate_status` (the units together: the area's own probability, or its
central projection) and `each_unit_status` (every unit: the probability of meeting it in all its
areas, or without draws met only when every unit is met, not met when one is not), with
`units` and `units_met` (units whose own verdict is met). Its `status` is unchanged (the joint
probability with draws, the aggregate's projection without). `counts(..., reading=...)` counts
under either reading; pages show both side by side when a target has units. For poor-rate changes the margin is also given in households (points x
households of the area / 100), so a near miss reads as "about 50 households short".

Every row also carries `simlib.targets.FLAG_COLUMNS` from the targets table (a dated run's):
`reference_area`, the wider area a target is set for when the province's verdict on it is for
reference only ("" otherwise), and `proposed`, a target only proposed — words the scorecard says
next to the verdict (`simlib.report.scorecard`); they change no status, probability or count.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from simlib import i18n
from simlib.i18n import fmt
from simlib.targets import FLAG_COLUMNS, margin, met_by_margin
from simlib.uncertainty.summaries import target_probabilities

#: probability of meeting a target from which it is called met (and at most which not met)
P_MET = 0.8
P_NOT_MET = 0.2
STATUSES = ("met", "uncertain", "not_met")
#: indicators whose margin in points converts to households (a rate of households, in %)
RATE_INDICATORS = ("poor_rate_change", "near_poor_rate_change", "poor_near_poor_rate_change", "poor_rate")

COLUMNS = [
    "target_id",
    "geo_type",
    "geo",
    "detail",
    "year",
    "own_year",
    "indicator",
    "comparison",
    "threshold",
    "value",
    "lo",
    "hi",
    "probability",
    "status",
    "basis",
    "margin",
    "margin_households",
    "samples",
    "label_vi",
    "label_en",
]
#: the two readings of a target judged for each unit, on its headline rows (module docstring);
#: a target without units has units 0 and both statuses equal to its `status`
READING_COLUMNS = ["units", "units_met", "aggregate_status", "each_unit_status"]
READINGS = ("aggregate", "each_unit")


def status_of(probability: float | None, central_met: bool) -> tuple[str, str]:
    """(status, basis) from a probability of meeting a target (NaN/None: the projection's)."""
    if probability is None or not np.isfinite(probability):
        return ("met" if central_met else "not_met"), "projection"
    if probability >= P_MET - 1e-12:
        return "met", "probability"
    if probability <= P_NOT_MET + 1e-12:
        return "not_met", "probability"
    return "uncertain", "probability"


def _central(targets: pd.DataFrame) -> pd.DataFrame:
    """Mean over microsimulation draws per target, area and year (the expected engine has one)."""
    keys = ["target_id", "geo_type", "geo", "year"]
    first = targets.drop_duplicates(keys).set_index(keys)
    g = targets.groupby(keys, sort=False)
    flags = [c for c in FLAG_COLUMNS if c in targets]
    out = first[["indicator", "comparison", "threshold", "label_vi", "label_en", *flags]].copy()
    out["value"] = g["value"].mean()
    several = g["draw"].nunique() > 1  # microsimulation replications: their 90 % range
    out["rep_lo"] = g["value"].quantile(0.05).where(several)
    out["rep_hi"] = g["value"].quantile(0.95).where(several)
    out["central_met"] = [
        met_by_margin(margin(v, t, c), c) for v, t, c in zip(out["value"], out["threshold"], out["comparison"])
    ]
    return out.reset_index()


def _probabilities(unc_targets: pd.DataFrame | None, outcomes: pd.DataFrame | None) -> pd.DataFrame:
    """Per target, area and year: probability of meeting it there and the 90 % interval of the
    value (parameter draws); on a target's named area, the probability in all its areas."""
    keys = ["target_id", "geo_type", "geo", "year"]
    if unc_targets is None or unc_targets.empty:
        return pd.DataFrame(columns=keys + ["probability", "probability_own", "lo", "hi", "samples"])

    cells = unc_targets[keys + ["probability_met", "value_q05", "value_q95", "samples"]].rename(
        columns={"probability_met": "probability", "value_q05": "lo", "value_q95": "hi"}
    )
    joint = target_probabilities(unc_targets, outcomes)[["target_id", "year", "probability_met"]]
    cells = cells.merge(joint.rename(columns={"probability_met": "joint"}), on=["target_id", "year"], how="left")
    named = cells["geo_type"] != "district"
    cells["probability_own"] = cells["probability"]
    cells.loc[named, "probability"] = cells.loc[named, "joint"].where(
        cells.loc[named, "joint"].notna(), cells.loc[named, "probability"]
    )
    return cells.drop(columns="joint")


def _households(indicators: pd.DataFrame) -> dict[tuple[str, int], float]:
    """{(geo, year): households} (mean over draws) for the margins in households."""
    h = indicators[indicators["indicator"] == "households"]
    return {(str(g), int(y)): float(v) for (g, y), v in h.groupby(["geo", "year"])["value"].mean().items()}


def without_unit_rows(table: pd.DataFrame | None, years) -> pd.DataFrame | None:
    """`table` (targets.csv, uncertainty_targets.csv or uncertainty_outcomes.csv rows) without the
    rows of single units (`geo_type` district) in `years`: the years whose targets are worded for
    poor districts while the run's units are communes (`simlib.report.levels.district_worded_years`).
    A commune's change is not a reading of a target set for each poor district, so those rows are
    no verdict; the poor units together stay (the communes holding the former poor districts)."""
    if table is None or not len(table) or not years or "geo_type" not in table:
        return table
    drop = (table["geo_type"] == "district") & table["year"].astype(int).isin([int(y) for y in years])
    return table[~drop].reset_index(drop=True) if drop.any() else table


def verdict_table(
    targets: pd.DataFrame,
    indicators: pd.DataFrame,
    unc_targets: pd.DataFrame | None = None,
    outcomes: pd.DataFrame | None = None,
    plan_years: Sequence[int] | None = None,
) -> pd.DataFrame:
    """One row per target, area and projected year (see the module docstring).

    `targets`: the run's `targets.csv`; `indicators`: its `indicators.csv` (households for the
    margins); `unc_targets`, `outcomes`: `uncertainty_targets.csv` and `uncertainty_outcomes.csv`
    of its parameter draws (None without draws); `plan_years`: the years the targets are set for
    (None: every year). Rows keep the order of the targets file; a target's named area comes
    before its districts."""
    if targets.empty:
        return pd.DataFrame(columns=COLUMNS + READING_COLUMNS + FLAG_COLUMNS)
    keys = ["target_id", "geo_type", "geo", "year"]
    # commune codes read back from CSV are numbers in one file and text in another: compare as text
    central, probs = _central(targets), _probabilities(unc_targets, outcomes)
    central["geo"], probs["geo"] = central["geo"].astype(str), probs["geo"].astype(str)
    out = central.merge(probs, on=keys, how="left")
    hh = _households(indicators)
    rows = []
    for r in out.itertuples(index=False):
        status, basis = status_of(r.probability, bool(r.central_met))
        m = margin(r.value, r.threshold, r.comparison)
        households = hh.get((r.geo, int(r.year)), np.nan) if r.indicator in RATE_INDICATORS else np.nan
        rows.append(
            {
                "target_id": r.target_id,
                "geo_type": r.geo_type,
                "geo": r.geo,
                "detail": r.geo_type == "district",
                "year": int(r.year),
                "own_year": plan_years is None or int(r.year) in set(int(y) for y in plan_years),
                "indicator": r.indicator,
                "comparison": r.comparison,
                "threshold": float(r.threshold),
                "value": float(r.value),
                "lo": float(r.lo) if pd.notna(r.lo) else float(r.rep_lo),
                "hi": float(r.hi) if pd.notna(r.hi) else float(r.rep_hi),
                "probability": float(r.probability) if pd.notna(r.probability) else np.nan,
                "status": status,
                "basis": basis,
                "margin": m,
                "margin_households": m * households / 100.0 if np.isfinite(households) else np.nan,
                "samples": int(r.samples) if pd.notna(r.samples) else 0,
                "label_vi": r.label_vi,
                "label_en": r.label_en,
            }
        )
    df = with_flags(with_readings(pd.DataFrame(rows, columns=COLUMNS), out), out)
    order = {t: i for i, t in enumerate(dict.fromkeys(targets["target_id"]))}
    df["_t"] = df["target_id"].map(order)
    return df.sort_values(["_t", "detail", "geo", "year"], kind="stable").drop(columns="_t").reset_index(drop=True)


def with_readings(df: pd.DataFrame, cells: pd.DataFrame) -> pd.DataFrame:
    """`df` (verdict rows) with `READING_COLUMNS`; `cells`: the same rows with `probability_own`
    (the area's own probability of meeting the target, NaN without draws) and `central_met`."""
    df = df.copy()
    own = cells["probability_own"] if "probability_own" in cells else pd.Series(np.nan, index=cells.index)
    df["aggregate_status"] = [
        status_of(p if pd.notna(p) else None, bool(m))[0] for p, m in zip(own.to_numpy(), cells["central_met"])
    ]
    df["each_unit_status"] = df["status"]
    df["units"], df["units_met"] = 0, 0
    units = df[df["detail"]].groupby(["target_id", "year"])["status"]
    for (tid, year), st in units:
        at = (~df["detail"]) & (df["target_id"] == tid) & (df["year"] == year)
        df.loc[at, "units"], df.loc[at, "units_met"] = len(st), int((st == "met").sum())
        if at.any() and df.loc[at, "basis"].iloc[0] == "projection":
            df.loc[at, "each_unit_status"] = each_unit_status(st.tolist(), str(df.loc[at, "status"].iloc[0]))
    df.loc[df["detail"], "aggregate_status"] = df.loc[df["detail"], "status"]
    return df


def with_flags(df: pd.DataFrame, cells: pd.DataFrame) -> pd.DataFrame:
    """`df` (verdict rows) with `FLAG_COLUMNS` of `cells` (the same rows: the targets table's
    flags, read back from CSV or not; a table without them: "" and False)."""
    reference = cells["reference_area"] if "reference_area" in cells else pd.Series("", index=cells.index)
    proposed = cells["proposed"] if "proposed" in cells else pd.Series(False, index=cells.index)
    reference = reference.where(reference.notna(), "").astype(str)
    proposed = proposed.where(proposed.notna(), False).astype(str).str.lower() == "true"
    return df.assign(reference_area=reference.to_numpy(), proposed=proposed.to_numpy())


def each_unit_status(unit_statuses: Sequence[str], aggregate: str) -> str:
    """Without draws, a target read as "in every unit": met when the aggregate and every unit are
    met, not met when either is not met, else uncertain."""
    statuses = [*unit_statuses, aggregate]
    if all(s == "met" for s in statuses):
        return "met"
    return "not_met" if any(s == "not_met" for s in statuses) else "uncertain"


def year_roles(table: pd.DataFrame) -> pd.Series:
    """Per row: 'own' (a year the plan is judged in), 'before' (a projected year before the first
    of them: the bridge from the last review, shown as history) or 'after' (an outlook)."""
    own = table.loc[table["own_year"].astype(bool), "year"]
    first = int(own.min()) if len(own) else None
    roles = [
        "own" if o else ("before" if first is not None and int(y) < first else "after")
        for o, y in zip(table["own_year"].astype(bool), table["year"])
    ]
    return pd.Series(roles, index=table.index, dtype=object)


def headline_verdicts(table: pd.DataFrame, own_year_only: bool = True) -> pd.DataFrame:
    """The verdicts of each target as a whole (its named area), in the years it is set for."""
    t = table[~table["detail"]]
    return t[t["own_year"]] if own_year_only else t


def counts(table: pd.DataFrame, year: int | None = None, reading: str | None = None) -> dict[str, int]:
    """{status: number of targets} among the headline verdicts of the targets' own years (or of
    `year`); `reading` ("aggregate" or "each_unit", `READINGS`) counts a target judged for each
    unit under that reading (module docstring), None by its `status`."""
    t = headline_verdicts(table, own_year_only=year is None)
    if year is not None:
        t = t[t["year"] == year]
    column = "status" if reading is None else f"{reading}_status"
    return {s: int((t[column] == s).sum()) for s in STATUSES}


def central_only(table: pd.DataFrame) -> bool:
    """Whether every headline verdict of the targets' own years rests on the central projection
    alone (`basis` "projection": no parameter draws were run), so that a count of «chưa chắc đạt»
    (uncertain) is 0 because no uncertainty was assessed, not because none was found; False when no
    target is judged or the table says no basis."""
    v = headline_verdicts(table)
    return bool(len(v)) and "basis" in v and bool((v["basis"] == "projection").all())


#: the text counting verdicts met, uncertain and not met -> its form for verdicts on the central
#: projection alone (`central_only`): met and not met by the central projection, and that how sure
#: they are was not assessed — never a count of «chưa chắc đạt» that no draw computed
CENTRAL_KEYS = {
    "report.verdict.summary": "report.verdict.central_summary",
    "report.verdict.summary_readings": "report.verdict.central_readings",
    "report.card.targets_verdict": "report.card.targets_verdict_central",
    "decision.each_unit_reading": "decision.each_unit_central",
    "decision.plan": "decision.plan_central",
    "index.verdict": "index.verdict_central",
}


def count_key(table: pd.DataFrame, key: str) -> str:
    """The catalogue key of a text counting `table`'s verdicts: `key`, or its central-projection
    form (`CENTRAL_KEYS`) when no draws were run (`central_only`)."""
    return CENTRAL_KEYS[key] if central_only(table) else key


def counted_caveat(table: pd.DataFrame, lang: str) -> str:
    """The words a count of met targets needs when the headline verdicts it counts hold targets
    that are not the province's own (`reference_area`: a national or regional target the
    province's result is only compared with) or only proposed (`proposed`): the targets named, so
    that «đạt 2 trong 2 chỉ tiêu» is not read as the province meeting its own targets (target59:
    plan_2027's 2027 counts are exactly such targets); "" when every counted target is the
    province's own and adopted."""
    v = headline_verdicts(table)
    label = i18n.column("label", lang)
    if v.empty or label not in v:
        return ""
    parts = []
    ref, prop = counted_kinds(v)
    for mask, key in ((ref, "report.verdict.counted_reference"), (prop, "report.verdict.counted_proposed")):
        names = list(dict.fromkeys(v.loc[mask, label]))
        if names:
            parts.append(i18n.t(key, lang, targets="; ".join(fmt.quote(n, lang) for n in names)))
    return " ".join(parts)


def counted_kinds(v: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """Of headline verdicts `v`, the rows of targets that are not the province's own
    (`reference_area`) and those of the province's own that are only proposed (`proposed`), as
    two boolean masks (disjoint)."""
    # as objects before filling: an all-empty column read from CSV is float64 (NaN), and filling
    # it with text warns (pandas 4 will refuse)
    ref = (
        v["reference_area"].astype(object).fillna("").astype(str) != ""
        if "reference_area" in v
        else v["year"] != v["year"]
    )
    prop = (
        v["proposed"].astype(object).fillna(False).astype(str).str.lower() == "true" if "proposed" in v else ref & False
    )
    return ref, prop & ~ref


def unit_targets(table: pd.DataFrame) -> pd.DataFrame:
    """The headline verdicts of the targets' own years that are judged for each unit too
    (`units` > 0): the targets whose two readings pages show side by side."""
    t = headline_verdicts(table)
    if "units" not in t:
        return t.iloc[0:0]
    return t[t["units"] > 0]


def plan_years(targets_doc: dict) -> list[int] | None:
    """The years a targets file sets its targets for (`meta.years`), None when it does not say."""
    years = ((targets_doc or {}).get("meta") or {}).get("years")
    return [int(y) for y in years] if years else None
