"""Targets evaluated on the indicator table: the plan's (`params/targets.yaml`) or any target specs
(`evaluate_specs`; the 2026–2030 targets come from `simlib.period_targets`).

One row per draw, projected year, target and geography: projected value, threshold, met or not.
`probability_met` summarises draws (the share of draws in which a target is met).

At a review that changes the poverty standard a change target is judged on the change from the
previous review's rate re-based under the new standard (the practice at the end-2021 review, the
first under Nghị định 07/2021/NĐ-CP, whose rates were the base of the 2022 changes; reported to the
project, not verified in a legal text): `rebase_indicators`
subtracts the reclassification (`simlib.period_changes.reclassification_points`, the one place it
is computed) from the rate-change indicators, and the scorecard carries `REBASE_COLUMNS`: the raw
change across the two standards, the re-basing in points and a `rebased` flag. Level targets stay on
the level under the new standard.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from simlib.schema import qv

#: the headline shown next to a poverty-rate target: the poor-plus-near-poor measure, so that a
#: target met by moving poor households to near-poor only (reclassification) is visible
COMPANION = {"poor_rate_change": "poor_near_poor_rate_change", "poor_rate": "poor_near_poor_rate"}


def target_specs(targets_doc: dict) -> list[dict]:
    out = []
    for t in targets_doc["targets"]:
        out.append(
            {
                "target_id": t["id"],
                "indicator": t["indicator"],
                "geo_type": {"province": "province", "poor_districts": "poor_districts"}.get(t["geo"], "ethnic_group"),
                "geo": t["geo"],
                "each_poor_district": bool(t.get("each_poor_district", False)),
                "comparison": t["comparison"],
                "threshold": qv(t["threshold"]),
                "label_vi": t["label_vi"],
                "label_en": t["label_en"],
            }
        )
    return out


#: a value this close to its threshold (in the target's unit: points or %) is at the threshold.
#: Amounts are whole VND in files and the engines' sums are floating point, so a value that meets a
#: threshold exactly is computed a few 1e-9 off it (an optimum training every officer with money
#: rounded to the VND gave 99.99999999636 %); a millionth of a point is far below anything a
#: target can tell apart (0.001 households in 100,000) and far above that rounding
AT_THRESHOLD = 1e-6
#: comparisons under which a lower value is better
LOWER_IS_BETTER = ("<=", "<")
#: comparisons that the value must clear (not merely reach)
STRICT = ("<", ">")
#: how a projected value meets a threshold: the inclusive comparisons accept a value within
#: `AT_THRESHOLD` of it, the strict ones want it clear of that
COMPARE = {
    "<=": lambda v, t: v <= t + AT_THRESHOLD,
    "<": lambda v, t: v < t - AT_THRESHOLD,
    ">=": lambda v, t: v >= t - AT_THRESHOLD,
    ">": lambda v, t: v > t + AT_THRESHOLD,
}
#: how a comparison reads (its sign) in a table or a sentence
COMPARISON_SIGN = {"<=": "≤", "<": "<", ">=": "≥", ">": ">"}


def margin(value, threshold, comparison):
    """How far `value` is on the good side of `threshold` under `comparison` (negative: short of
    it), in the target's unit. Scalars or arrays (a comparison per element); broadcast."""
    lower = np.isin(comparison, LOWER_IS_BETTER)
    out = np.where(lower, np.subtract(threshold, value, dtype=float), np.subtract(value, threshold, dtype=float))
    return out if out.ndim else float(out)


def met_by_margin(m, comparison):
    """Whether a target with `margin` m is met: `COMPARE` written on the margin (so the two never
    disagree). Scalars or arrays."""
    m = np.asarray(m, dtype=float)
    out = np.where(np.isin(comparison, STRICT), m > AT_THRESHOLD, m >= -AT_THRESHOLD)
    return out if out.ndim else bool(out)


TARGET_COLUMNS = [
    "scenario",
    "engine",
    "draw",
    "year",
    "target_id",
    "geo_type",
    "geo",
    "indicator",
    "value",
    "comparison",
    "threshold",
    "met",
    "label_vi",
    "label_en",
    "poor_near_poor_value",
]
#: added to the scorecard of a run whose re-basing is known (`rebase_indicators`): the change
#: across two standards as projected, the points re-based (NaN: not re-based), whether re-based
REBASE_COLUMNS = ["value_raw", "rebase", "rebased"]
#: added to the scorecard of a dated run (`simlib.period_targets.evaluate_period_targets`): the
#: area a target is set for when it is judged on the province only as a reference (a national or
#: regional target; "" for the province's own), and whether it is only proposed (`status: proposal`)
#: — words for the pages (`simlib.report.scorecard`), never a number or a count
FLAG_COLUMNS = ["reference_area", "proposed"]


def evaluate_targets(
    indicators: pd.DataFrame, targets_doc: dict, poor_units: list[str], rebase: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Scorecard rows: scenario, engine, draw, year, target_id, geo_type, geo, indicator, value,
    comparison, threshold, met, label_vi, label_en, and `poor_near_poor_value`: for a poverty-rate
    target, the same measure for poor and near-poor households together (`COMPANION`), else NaN.
    With `rebase` (`simlib.period_changes.reclassification_points` of the same run: a run whose
    reviews cross a change of standard, dated or not) the change targets are judged on the
    re-based change and the rows carry `REBASE_COLUMNS` (`rebase_indicators`)."""
    if rebase is not None:
        indicators = rebase_indicators(indicators, rebase)
    return evaluate_specs(indicators, target_specs(targets_doc), poor_units)


def evaluate_specs(indicators: pd.DataFrame, specs, poor_units: list[str]) -> pd.DataFrame:
    """`evaluate_targets` for target specs (as `target_specs` gives them): comparison one of
    `COMPARE`; a spec with `each_poor_district` (or `each_poor_commune`) is judged for its
    aggregate and for each unit of `poor_units` too."""
    rows = []
    keys = ["scenario", "engine", "draw", "year"]
    extra = [c for c in REBASE_COLUMNS if c in indicators.columns]
    for spec in specs:
        sel = indicators["indicator"] == spec["indicator"]
        geo_sel = (indicators["geo"] == spec["geo"]) & (indicators["geo_type"] == spec["geo_type"])
        if spec["each_poor_district"] or spec.get("each_poor_commune", False):
            geo_sel |= (indicators["geo_type"] == "district") & indicators["geo"].isin(poor_units)
        part = indicators.loc[sel & geo_sel, keys + ["geo_type", "geo", "indicator", "value"] + extra].copy()
        if part.empty:
            continue
        part["target_id"] = spec["target_id"]
        part["comparison"] = spec["comparison"]
        part["threshold"] = spec["threshold"]
        part["met"] = COMPARE[spec["comparison"]](part["value"].to_numpy(), spec["threshold"])
        part["label_vi"] = spec["label_vi"]
        part["label_en"] = spec["label_en"]
        rows.append(_with_companion(part, indicators, keys))
    if not rows:
        return pd.DataFrame(columns=TARGET_COLUMNS + extra)
    return pd.concat(rows, ignore_index=True)[TARGET_COLUMNS + extra]


def rebase_indicators(indicators: pd.DataFrame, rebase: pd.DataFrame) -> pd.DataFrame:
    """`indicators` with each rate change of a review that changes the standard re-based: `value`
    = the raw change − `rebase` (the reclassification in points of
    `simlib.period_changes.reclassification_points`, matched on draw, year, geography and
    indicator: `rebase_column`), plus `REBASE_COLUMNS` (`value_raw` the raw change; `rebase` NaN
    and `rebased` False on every other row, whose value is unchanged); index renumbered."""
    out = indicators.reset_index(drop=True)
    out["rebase"] = rebase_column(indicators, rebase)
    out["value_raw"] = out["value"]
    out["rebased"] = out["rebase"].notna()
    out["value"] = out["value"] - out["rebase"].fillna(0.0)
    return out


#: the columns a re-basing is matched on
REBASE_KEYS = ["draw", "year", "geo_type", "geo", "indicator"]


def rebase_column(indicators: pd.DataFrame, rebase: pd.DataFrame) -> np.ndarray:
    """(rows of `indicators`,) the `rebase` points of the row of `rebase` with the same
    `REBASE_KEYS` (draw and year read as `indicators`' types), NaN where there is none. Raises
    ValueError when `rebase` repeats a key. A lookup in a dict of `rebase`'s rows: the same values
    as a left merge, without its cost (8 ms for the explorer's 651 rows)."""
    r = rebase[REBASE_KEYS + ["rebase"]].astype({"draw": indicators["draw"].dtype, "year": indicators["year"].dtype})
    points = dict(zip(zip(*(r[k].tolist() for k in REBASE_KEYS)), r["rebase"].tolist()))
    if len(points) != len(r):
        raise ValueError("the re-basing table repeats a (draw, year, geography, indicator)")
    rows = zip(*(indicators[k].tolist() for k in REBASE_KEYS))
    return np.fromiter((points.get(row, np.nan) for row in rows), float, count=len(indicators))


def _with_companion(part: pd.DataFrame, indicators: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """`part` with the companion indicator's value of the same draw, year and geography."""
    name = COMPANION.get(str(part["indicator"].iloc[0]))
    if name is None:
        return part.assign(poor_near_poor_value=np.nan)
    comp = indicators.loc[indicators["indicator"] == name, keys + ["geo_type", "geo", "value"]]
    comp = comp.rename(columns={"value": "poor_near_poor_value"})
    return part.merge(comp, on=keys + ["geo_type", "geo"], how="left")


def probability_met(targets: pd.DataFrame) -> pd.DataFrame:
    """Share of draws meeting each target, with the mean projected value."""
    g = targets.groupby(
        ["scenario", "engine", "year", "target_id", "geo_type", "geo", "comparison", "threshold"], sort=False
    )
    out = g.agg(value_mean=("value", "mean"), probability_met=("met", "mean"), draws=("met", "size")).reset_index()
    out["probability_met"] = out["probability_met"].astype(float)
    return out


def all_met(targets: pd.DataFrame) -> bool:
    return bool(np.all(targets["met"].to_numpy()))
