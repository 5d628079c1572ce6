"""What a report reads: a run's tidy tables (from memory or from a run folder) and the summaries
every report shows — series over years with their spread over draws, headline numbers, the
target scorecard. Pure functions over DataFrames; no plotting, no formatting.

Spread: with several microsim draws a value is shown as its mean over draws and the 5th–95th
percentile range; with the expected engine (one draw) the range collapses to the value.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from simlib import i18n
from simlib.errors import InputError
from simlib.paths import display_path
from simlib.uncertainty.run import read_uncertainty
from simlib.uncertainty.summaries import target_probabilities
from simlib.unit_switch import unit_switch

#: lower and upper quantile of the spread shown for microsim draws
SPREAD = (0.05, 0.95)
#: flows shown in reports, in reading order (indicator names in indicators.csv)
FLOW_INDICATORS = ("escapes", "poor_to_near_poor", "relapses", "new_poor", "near_poor_to_poor")
#: indicator name -> flow category (i18n key `flow.<category>`)
FLOW_OF_INDICATOR = {
    "escapes": "escape",
    "poor_to_near_poor": "poor_to_near_poor",
    "relapses": "relapse",
    "new_poor": "new_poor",
    "near_poor_to_poor": "near_poor_to_poor",
}
COVERAGE_INDICATORS = ("production_support_coverage", "officers_trained", "poor_districts_with_infrastructure")


@dataclass
class RunTables:
    """The tables of one run, whichever engine produced them and wherever they come from."""

    name: str
    manifest: dict
    indicators: pd.DataFrame
    targets: pd.DataFrame
    programme: pd.DataFrame
    flows: pd.DataFrame | None = None
    states: pd.DataFrame | None = None
    folder: Path | None = None
    extra: dict = field(default_factory=dict)
    #: the run's parameter-draw tables (`simlib.uncertainty.read_uncertainty`), if it has them
    uncertainty: dict | None = None

    def title(self, lang: str = "vi") -> str:
        m = self.manifest
        return str(m.get(i18n.column("title", lang)) or self.name)

    def target_probabilities(self) -> pd.DataFrame | None:
        """Per target and year, the probability of meeting it in every area it covers (None
        without parameter draws); see `simlib.uncertainty.summaries.target_probabilities`."""
        u = self.uncertainty
        if not u or "targets" not in u:
            return None
        return target_probabilities(u["targets"], u.get("outcomes"))

    @property
    def draws(self) -> int:
        return int(self.indicators["draw"].nunique()) if len(self.indicators) else 0

    @classmethod
    def from_result(cls, result) -> RunTables:
        """From a `simlib.runner.RunResult` in memory."""
        return cls(
            name=result.scenario.name,
            manifest=dict(result.manifest),
            indicators=result.indicators,
            targets=result.targets,
            programme=result.programme,
            flows=result.flows,
            states=result.states,
        )

    @classmethod
    def from_folder(cls, folder: str | Path) -> RunTables:
        """From a run folder written by `simlib run` / `simlib batch` (CSV tables + manifest.json)."""
        folder = Path(folder)
        need = ("indicators.csv", "targets.csv", "programme.csv", "manifest.json")
        missing = [f for f in need if not (folder / f).is_file()]
        if missing:
            raise InputError("report_folder", file=display_path(folder), missing=", ".join(missing))
        manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))

        def opt(name):
            p = folder / name
            return pd.read_csv(p) if p.is_file() else None

        unc = None
        if (folder / "uncertainty_targets.csv").is_file():
            unc = read_uncertainty(folder)
        return cls(
            name=str(manifest.get("scenario", folder.name)),
            manifest=manifest,
            indicators=pd.read_csv(folder / "indicators.csv"),
            targets=pd.read_csv(folder / "targets.csv"),
            programme=pd.read_csv(folder / "programme.csv"),
            flows=opt("flows.csv"),
            states=opt("states.csv"),
            folder=folder,
            uncertainty=unc,
        )


def unit_names(scen, lang: str, switched: bool = False) -> dict:
    """{unit id: display name} of the units of `scen`'s dataset; with `switched`, also those of
    the units a run with `units_switch` moves to (`simlib.unit_switch`; the ids are distinct), so
    that a verdict on a commune of the crossing's later years is named, not shown by its code."""
    frames = [scen.dataset.units]
    sw = unit_switch(scen) if switched else None
    if sw is not None:
        frames.append(sw.scenario.dataset.units)
    column = i18n.column("name", lang)
    return {u: n for units in frames for u, n in zip(units["unit_id"], units[column], strict=True)}


def spread(values: pd.Series | np.ndarray) -> tuple[float, float, float]:
    """(mean, low, high) of values over draws; low/high are the SPREAD quantiles."""
    v = np.asarray(values, float)
    v = v[np.isfinite(v)]
    if v.size == 0:
        return (np.nan, np.nan, np.nan)
    lo, hi = np.quantile(v, SPREAD)
    return (float(v.mean()), float(lo), float(hi))


def series(ind: pd.DataFrame, indicator: str, geo: str = "province", geo_type: str | None = None) -> pd.DataFrame:
    """One indicator over years for one geography: columns year, mean, lo, hi, draws."""
    sel = (ind["indicator"] == indicator) & (ind["geo"] == geo)
    if geo_type is not None:
        sel &= ind["geo_type"] == geo_type
    part = ind.loc[sel, ["year", "draw", "value"]]
    rows = []
    for year, g in part.groupby("year", sort=True):
        m, lo, hi = spread(g["value"])
        rows.append({"year": int(year), "mean": m, "lo": lo, "hi": hi, "draws": int(g["draw"].nunique())})
    return pd.DataFrame(rows, columns=["year", "mean", "lo", "hi", "draws"])


def years_text(years) -> str:
    """'2027' or '2024, 2026, 2027': years a chart or a count covers, as the reading sentences
    list them (a run crossing 2025→2026 is judged in the years of each period's targets)."""
    return ", ".join(str(int(y)) for y in sorted(years))


def years(ind: pd.DataFrame) -> list[int]:
    """All review years in the table: the baseline year first, then the projected years."""
    return sorted(int(y) for y in ind["year"].unique())


def value_at(ind: pd.DataFrame, indicator: str, year: int, geo: str = "province") -> tuple[float, float, float]:
    """(mean, lo, hi) of an indicator in one year for one geography."""
    sel = (ind["indicator"] == indicator) & (ind["geo"] == geo) & (ind["year"] == year)
    return spread(ind.loc[sel, "value"])


def rate_basis(indicators: pd.DataFrame, lang: str) -> str:
    """«dự báo trung tâm» for indicators of one draw, else «bình quân các lượt rút tham số»: the
    label of a rate read from them by `value_at` (the mean over draws)."""
    central = "draw" not in indicators.columns or indicators["draw"].nunique() <= 1
    return i18n.t("decision.basis_central" if central else "decision.basis_mean", lang)


def total_over_years(ind: pd.DataFrame, indicator: str, geo: str = "province") -> tuple[float, float, float]:
    """(mean, lo, hi) over draws of an indicator summed over the projected years (flows)."""
    sel = (ind["indicator"] == indicator) & (ind["geo"] == geo)
    per_draw = ind.loc[sel].groupby("draw")["value"].sum()
    return spread(per_draw)


def target_path(start_value: float, per_year, year0: int, years_out: list[int]) -> tuple[list[int], list[float]]:
    """The path a 'change of at least X points a year' target asks for, from the baseline value:
    start + per_year * (year - year0) for one number; for {year: points} (a run crossing
    2025→2026 has one threshold, then another) each year adds its own, and the path stops
    before the first year without one."""
    xs = [year0] + list(years_out)
    if not isinstance(per_year, Mapping):
        return xs, [start_value + per_year * (y - year0) for y in xs]
    ys = [start_value]
    for y0, y1 in zip(xs[:-1], xs[1:]):
        if int(y1) not in per_year:
            break
        ys.append(ys[-1] + per_year[int(y1)] * (y1 - y0))
    return xs[: len(ys)], ys


def target_status(targets: pd.DataFrame) -> pd.DataFrame:
    """Per target and projected year: the share of draws in which the target is met in every
    area it covers (e.g. the poor districts together and each poor district), and `met` when
    that share is at least one half. Columns: target_id, year, share_met, met, draws."""
    if targets.empty:
        return pd.DataFrame(columns=["target_id", "year", "share_met", "met", "draws"])
    all_met = targets.groupby(["target_id", "year", "draw"], sort=False)["met"].all().reset_index()
    out = all_met.groupby(["target_id", "year"], sort=False)["met"].agg(share_met="mean", draws="size").reset_index()
    out["share_met"] = out["share_met"].astype(float)
    out["met"] = out["share_met"] >= 0.5
    return out


def scorecard(targets: pd.DataFrame) -> pd.DataFrame:
    """One row per target, area and projected year: mean projected value, spread, threshold and
    the share of draws meeting it. Rows keep the order of targets.yaml; a target's own area
    comes before its individual districts."""
    cols = [
        "target_id",
        "geo_type",
        "geo",
        "year",
        "indicator",
        "value",
        "lo",
        "hi",
        "comparison",
        "threshold",
        "share_met",
        "met",
        "draws",
        "label_vi",
        "label_en",
        "detail",
    ]
    if targets.empty:
        return pd.DataFrame(columns=cols)
    rows = []
    order = list(dict.fromkeys(targets["target_id"]))
    for (tid, gt, geo, year), g in targets.groupby(["target_id", "geo_type", "geo", "year"], sort=False):
        m, lo, hi = spread(g["value"])
        share = float(g["met"].astype(float).mean())
        first = g.iloc[0]
        rows.append(
            {
                "target_id": tid,
                "geo_type": gt,
                "geo": geo,
                "year": int(year),
                "indicator": first["indicator"],
                "value": m,
                "lo": lo,
                "hi": hi,
                "comparison": first["comparison"],
                "threshold": float(first["threshold"]),
                "share_met": share,
                "met": share >= 0.5,
                "draws": int(g["draw"].nunique()),
                "label_vi": first["label_vi"],
                "label_en": first["label_en"],
                "detail": gt == "district",
            }
        )
    df = pd.DataFrame(rows, columns=cols)
    df["_t"] = df["target_id"].map({t: i for i, t in enumerate(order)})
    return df.sort_values(["_t", "detail", "geo", "year"], kind="stable").drop(columns="_t").reset_index(drop=True)


def headline(ind: pd.DataFrame, targets: pd.DataFrame) -> dict:
    """The numbers a decision-maker reads first (means over draws; `_lo`/`_hi` the spread):
    poor and near-poor rates now and at the horizon, households leaving poverty (escapes and
    moves to near-poor), relapses and new poor, households kept out of poverty by the programme,
    cost per household lifted out, money spent, and targets met in the last year."""
    ys = years(ind)
    y0, y1 = ys[0], ys[-1]
    h: dict = {"year_start": y0, "year_end": y1, "draws": int(ind["draw"].nunique())}

    def put(key, triple):
        h[key], h[key + "_lo"], h[key + "_hi"] = triple

    for name in ("poor_rate", "near_poor_rate", "poor", "near_poor", "households"):
        put(f"{name}_start", value_at(ind, name, y0))
        put(f"{name}_end", value_at(ind, name, y1))
    for name in ("escapes", "poor_to_near_poor", "relapses", "new_poor", "near_poor_to_poor"):
        put(f"{name}_total", total_over_years(ind, name))
    sel = (ind["geo"] == "province") & ind["indicator"].isin(["escapes", "poor_to_near_poor"])
    put("left_poverty_total", spread(ind.loc[sel].groupby("draw")["value"].sum()))
    put("poor_fewer_end", value_at(ind, "poor_fewer_than_without_programme", y1))
    put("cost_per_household_lifted_end", value_at(ind, "cost_per_household_lifted", y1))
    put("spend_total_billion", total_over_years(ind, "spend"))
    return h | targets_met_in(targets, y1)


def targets_met_in(targets: pd.DataFrame, year: int) -> dict:
    """Targets met in `year` (`target_status`: in every area a target covers, i.e. each poor unit
    on its own), how many, and the same with the poor units taken together (the targets' named
    areas only, `targets_met_together`) with `targets_with_units`: how many targets are judged for
    each unit too (then the two readings differ and are shown side by side,
    `simlib.report.verdict`)."""
    st = target_status(targets)
    last = st[st["year"] == year]
    named = targets[targets["geo_type"] != "district"] if len(targets) else targets
    together = target_status(named)
    together = together[together["year"] == year]
    unit_rows = targets[(targets["geo_type"] == "district") & (targets["year"] == year)] if len(targets) else targets
    return {
        "targets_met": int(last["met"].sum()),
        "targets_total": int(len(last)),
        "targets_met_together": int(together["met"].sum()),
        "targets_with_units": int(unit_rows["target_id"].nunique()) if len(unit_rows) else 0,
    }


def budget_by_line(scenario) -> pd.DataFrame:
    """Planned money of the projected years by line and source, in VND (from the scenario's
    budget; the disbursement parameters turn it into spending). Columns: year, line, project,
    source, vnd."""
    b = scenario.budget
    rows = []
    for yi, year in enumerate(b.years):
        if yi == 0:
            continue  # the year before the start funds lagged effects; shown separately
        for li, line in enumerate(b.lines):
            for si, src in enumerate(b.sources):
                rows.append(
                    {
                        "year": year,
                        "line": line,
                        "project": scenario.catalogue.lines[line].project,
                        "source": src,
                        "vnd": float(b.amounts[yi, li, si]),
                    }
                )
    return pd.DataFrame(rows, columns=["year", "line", "project", "source", "vnd"])


def reach_by_line(programme: pd.DataFrame) -> pd.DataFrame:
    """Beneficiaries reached and eligible per line and year (summed over districts, mean over
    draws), with the money spent (VND). Columns: line, year, spend_vnd, reached, eligible."""
    per_draw = programme.groupby(["draw", "line", "year"], sort=False)[["spend_vnd", "reached", "eligible"]].sum()
    out = per_draw.groupby(["line", "year"], sort=False).mean().reset_index()
    return out


def project_of(line: str, catalogue=None) -> str:
    """The project a budget line belongs to (catalogue if given, else its code before the dot)."""
    if catalogue is not None and line in catalogue.lines:
        return catalogue.lines[line].project
    return line.split(".", 1)[0]
