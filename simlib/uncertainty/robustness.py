"""Robustness: allocations compared on the same parameter draws.

- `regret`: for each draw, how much worse an allocation does than the best allocation *in that
  draw* (e.g. percentage points of poor-household rate). A robust allocation has low regret in
  most draws, not only a good average.
- `compare_allocations`: every allocation run on the same draws: regret, probability of meeting
  each target and, for each, when it misses (`simlib.uncertainty.rules.miss_rules`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from simlib.errors import InputError
from simlib.options import RunOptions
from simlib.uncertainty.evaluate import make_layout, map_draws
from simlib.uncertainty.rules import miss_rules
from simlib.uncertainty.sampling import design, to_values
from simlib.uncertainty.sensitivity import Output
from simlib.uncertainty.space import scenario_space
from simlib.uncertainty.summaries import outcomes_frame, target_probabilities

# --- regret -------------------------------------------------------------------------------------


def regret(values: pd.DataFrame, lower_is_better: bool = True) -> pd.DataFrame:
    """Per-draw regret from a long table with columns draw, scenario, value.

    Adds `best` (the best value among scenarios in that draw) and `regret` (>= 0, in the value's
    unit) and `is_best`."""
    df = values.copy()
    g = df.groupby("draw")["value"]
    df["best"] = g.transform("min" if lower_is_better else "max")
    df["regret"] = (df["value"] - df["best"]) if lower_is_better else (df["best"] - df["value"])
    df["is_best"] = df["regret"] <= 1e-12
    return df


def regret_summary(regrets: pd.DataFrame) -> pd.DataFrame:
    """Per scenario: mean value, mean / 95th-percentile / largest regret, share of draws where it is best."""
    g = regrets.groupby("scenario", sort=False)
    out = g.agg(
        value_mean=("value", "mean"),
        regret_mean=("regret", "mean"),
        regret_p95=("regret", lambda x: float(np.quantile(x, 0.95))),
        regret_max=("regret", "max"),
        share_best=("is_best", "mean"),
        draws=("draw", "nunique"),
    ).reset_index()
    return out.sort_values(["regret_mean", "regret_p95"]).reset_index(drop=True)


# --- allocations compared on the same draws ------------------------------------------------------


@dataclass
class RobustnessResult:
    """Allocations compared across the same parameter draws."""

    values: pd.DataFrame  # draw, scenario, value (the metric)
    regrets: pd.DataFrame  # + best, regret, is_best
    summary: pd.DataFrame  # per scenario: value_mean, regret_mean, regret_p95, regret_max, share_best
    targets: pd.DataFrame  # scenario, year, target_id, geo_type, geo, probability_met, label_vi, label_en
    rules: pd.DataFrame  # scenario + miss_rules columns
    info: dict
    #: per scenario, target and year: probability of meeting it in every area it covers
    #: (`simlib.uncertainty.summaries.target_probabilities`)
    target_probabilities: pd.DataFrame = field(default_factory=pd.DataFrame)


def comparable(base, others: Sequence) -> tuple[list, list]:
    """(kept, left out): the scenarios of `others` that `compare_allocations` can run with `base`
    on the same draws — scenarios of the same poverty model sharing its uncertain parameters — and the rest
    (including any with `base`'s name)."""
    sp0 = scenario_space(base)
    kept, left = [], []
    for s in others:
        sp = scenario_space(s)
        ok = s.name != base.name and sp.keys == sp0.keys and sp.dims == sp0.dims
        (kept if ok else left).append(s)
    return kept, left


def _spaces(scenarios: Sequence) -> list:
    """The parameter space of every scenario, checked: at least two, distinct names, the same
    uncertain parameters."""
    if len(scenarios) < 2:
        raise InputError("length", field="scenarios", value=len(scenarios), allowed="≥ 2")
    names = [s.name for s in scenarios]
    if len(set(names)) != len(names):
        raise InputError("scenario_names_repeat", field="scenarios", value=names)
    spaces = [scenario_space(s) for s in scenarios]
    for s, sp in zip(scenarios[1:], spaces[1:]):
        if sp.keys != spaces[0].keys or sp.dims != spaces[0].dims:
            raise InputError("compare_params_differ", field="scenarios", value=s.name)
    return spaces


def _one_allocation(s, sp, U: np.ndarray, metric, options: RunOptions, rules: bool) -> tuple:
    """Run one scenario on the design points `U` (n, dims): its metric per draw (mean over
    replications), its target table with the probability of meeting each, the joint target
    probabilities and (with `rules`) its miss rules, or None."""
    n, R = len(U), options.replications
    values, _ = to_values(sp, s.params, U)
    layout = make_layout(s, options.engine, counterfactual=False)
    col = layout.index(metric.indicator, metric.year or layout.years[-1], metric.geo)
    metric_v = np.full(n * R, np.nan)
    tv = np.full((n * R, len(layout.target_cells)), np.nan)
    tm = np.zeros((n * R, len(layout.target_cells)), bool)

    def consume(res):
        metric_v[res.samples] = res.indicators[:, col]
        tv[res.samples] = res.target_values
        tm[res.samples] = res.target_met

    map_draws(s, sp.keys, values, layout, consume, options, counterfactual=False, label=s.name)
    vals = pd.DataFrame({"draw": np.arange(n), "scenario": s.name, "value": metric_v.reshape(n, R).mean(1)})
    cells = layout.target_cells.copy()
    cells["probability_met"] = tm.mean(0)
    cells.insert(0, "scenario", s.name)
    outcomes = outcomes_frame(layout, tv, tm, R)
    joint = target_probabilities(cells.assign(samples=n * R), outcomes)
    if not rules:
        return vals, cells, joint, None
    frame = pd.DataFrame(values, columns=list(sp.keys))
    frame.insert(0, "draw", np.arange(n))
    units = {k: f.unit for f in sp.factors for k in f.keys}
    r = miss_rules(frame, outcomes, sp.labels("vi"), sp.labels("en"), layout.target_cells, units=units)
    r.insert(0, "scenario", s.name)
    return vals, cells, joint, r


def compare_allocations(
    scenarios: Sequence,
    n: int = 200,
    metric=None,
    lower_is_better: bool = True,
    method: str = "lhs",
    options: RunOptions | None = None,
    rules: bool = True,
) -> RobustnessResult:
    """Run every scenario on the same `n` parameter draws (the same design points mapped through
    each scenario's parameter space, so identical values when they share their parameters) and
    compare them: regret on `metric` (default: province poor-household rate in the last year,
    lower is better), probability of meeting each target, and PRIM rules for misses.

    `options` (a `RunOptions`; None: its defaults) give the engine, its replications (`draws`),
    the seed (default the first scenario's; it also seeds the design) and how the runs are spread."""
    metric = metric or Output("poor_rate", "province")
    spaces = _spaces(scenarios)
    options = RunOptions.of(options).for_scenario(scenarios[0])
    seed, engine = int(options.seed), options.engine
    U = design(n, spaces[0].dims, method, seed)
    vals, tables, joint, rule_frames = zip(
        *(_one_allocation(s, sp, U, metric, options, rules) for s, sp in zip(scenarios, spaces))
    )
    rule_frames = [r for r in rule_frames if r is not None]
    values_df = pd.concat(vals, ignore_index=True)
    reg = regret(values_df, lower_is_better)
    info = {
        "draws": n,
        "replications": options.replications,
        "sampler": method,
        "seed": seed,
        "engine": engine,
        "scenarios": [s.name for s in scenarios],
        "metric": metric.name(make_layout(scenarios[0], engine, False).years),
        "lower_is_better": lower_is_better,
    }
    return RobustnessResult(
        values_df,
        reg,
        regret_summary(reg),
        pd.concat(tables, ignore_index=True),
        pd.concat(rule_frames, ignore_index=True) if rule_frames else pd.DataFrame(),
        info,
        pd.concat(joint, ignore_index=True),
    )
