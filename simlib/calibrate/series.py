"""Trend and programme effects estimated together from published poverty rates (`simlib calibrate
series SPEC`): a Bayesian fit by importance sampling over the joint prior.

1. Draw the joint prior (`series_prior`): baseline rates (a weak prior), every line's effects and
   unit costs, disbursement, the scale of each year's stand-in budget, the error sd of a figure.
2. Run every draw through the model from each segment's start level (`series_model`): the
   projection of each published figure under the money of its years.
3. Weigh the draws by the likelihood of the figures, the start levels integrated out
   (`series_fit`). Nothing is tuned: the figures only reweigh what the priors allow.
4. Resample equally weighted posterior draws; for them, the programme's share of each segment's
   fall (the same run without money) and the cross-checks (e.g. Hà Giang's inflow ratio).
5. Tables: the posterior against the prior of every parameter with its data weight
   (1 - posterior variance / prior variance: 0 = the data taught nothing), the fit of every figure,
   and the held-out back-test: for every figure whose segment has an earlier one, the fit on the
   figures of the years before (nothing of its year or later) predicts it.

`simlib.calibrate.series_output` writes the result as a transitions file a scenario selects (its
`calibration.posterior` names the draws); `simlib.calibrate.intervals` turns the draws into the
programme's share of the decline and the cost per household lifted out, as intervals.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from simlib.calibrate.series_fit import (
    SegmentGrid,
    Weighing,
    at_levels,
    categorical,
    level_knots,
    predictive,
    segment_grid,
    systematic,
    weigh,
    weighted_quantiles,
)
from simlib.calibrate.series_model import project_segment
from simlib.calibrate.series_prior import JointDraws, JointPrior
from simlib.calibrate.series_spec import SeriesSpec
from simlib.model import Model, compile_model

QUANTILES = (0.05, 0.5, 0.95)
PREDICTIVE_DRAWS = 4000  # draws of each predicted figure (fit and back-test tables)


def segment_quantities(spec: SeriesSpec, s: int) -> list:
    """(geo, indicator) pairs a segment's projection must hold: the province poor rate first."""
    first = ("province", "poor_rate")
    rest = {(spec.observations[i].geo, spec.observations[i].indicator) for i in spec.segment_observations(s)}
    return [first] + sorted(rest - {first}, key=str)


def prior_of(spec: SeriesSpec) -> JointPrior:
    return JointPrior(spec.scenario, spec.prior_transitions, spec.reference_scale, spec.budgets, spec.sigma)


def run_bank(spec: SeriesSpec, prior: JointPrior, model: Model, draws: JointDraws) -> list[SegmentGrid]:
    """Every segment's figures projected for every draw on the fine level grid."""
    grids = []
    for s, seg in enumerate(spec.segments):
        knots = level_knots(seg.level_range, spec.level_step)
        proj = project_segment(spec, s, model, prior, draws, knots, segment_quantities(spec, s))
        grids.append(segment_grid(spec, s, proj))
    return grids


@dataclass
class SeriesFit:
    """A series fit (see the module docstring). `draws` are the prior draws, `weighing` their
    weights given every figure; `posterior` indexes the resampled draws, `levels` (n_post, S)
    their start levels; `derived` per posterior draw: the programme's share of each segment's fall
    (%) and the cross-checks."""

    spec: SeriesSpec
    prior: JointPrior
    model: Model
    draws: JointDraws
    grids: list[SegmentGrid]
    weighing: Weighing
    posterior: np.ndarray
    levels: np.ndarray
    derived: pd.DataFrame
    fitted: pd.DataFrame = field(default_factory=pd.DataFrame)
    holdout: pd.DataFrame = field(default_factory=pd.DataFrame)
    summary: pd.DataFrame = field(default_factory=pd.DataFrame)
    checks: pd.DataFrame = field(default_factory=pd.DataFrame)

    @property
    def ess(self) -> float:
        return self.weighing.ess

    def posterior_draws(self) -> JointDraws:
        return self.draws.take(self.posterior)

    def posterior_frame(self) -> pd.DataFrame:
        """Equally weighted posterior draws: parameters (dotted columns) and start levels."""
        df = self.prior.frame(self.posterior_draws())
        for s, seg in enumerate(self.spec.segments):
            df[f"series.segments.{seg.id}.level"] = self.levels[:, s]
        df.insert(0, "draw", np.arange(len(df)))
        return df


def fit_series(spec: SeriesSpec, draws: int | None = None, seed: int | None = None) -> SeriesFit:
    """Fit the figures of `spec` (see the module docstring); `draws` prior draws (default the
    spec's), seeded by `seed` (default the spec's)."""
    seed = spec.seed if seed is None else int(seed)
    rng = np.random.default_rng(seed)
    prior, model = prior_of(spec), compile_model(spec.scenario)
    bank = prior.draw(int(draws or spec.draws), rng)
    grids = run_bank(spec, prior, model, bank)
    wt = weigh(grids, bank.sigma, np.ones(len(spec.observations), bool))
    idx = systematic(wt.weights, spec.posterior_draws, rng)
    levels = np.column_stack([g.grid[categorical(wt.level_logpost[s][:, idx], rng)] for s, g in enumerate(grids)])
    derived = derived_quantities(spec, prior, model, bank.take(idx), levels)
    fit = SeriesFit(spec, prior, model, bank, grids, wt, idx, levels, derived)
    fit.fitted = figure_table(spec, grids, bank.sigma, wt, rng)
    fit.holdout = holdout_table(spec, grids, bank.sigma, rng)
    fit.summary = summary_table(fit)
    fit.checks = check_table(spec, derived)
    return fit


def derived_quantities(spec: SeriesSpec, prior: JointPrior, model: Model, post: JointDraws, levels: np.ndarray):
    """Per posterior draw: the programme's share (%) of each segment's fall in the province poor
    rate (start review to last figure; NaN where it did not fall) and each cross-check's value."""
    out, rows = {}, np.arange(len(post))
    for s, seg in enumerate(spec.segments):
        knots = level_knots(seg.level_range, spec.level_step)
        checks = [c for c in spec.cross_checks if c.segment == s]
        on = project_segment(spec, s, model, prior, post, knots, [("province", "poor_rate")], flows=bool(checks))
        off = project_segment(spec, s, model, prior, post, knots, [("province", "poor_rate")], money_on=False)
        lev = levels[:, s]
        with_p = at_levels(knots, on.values[:, :, -1, 0], lev)[rows, rows]  # draw r at its own level
        without = at_levels(knots, off.values[:, :, -1, 0], lev)[rows, rows]
        fall = lev - with_p
        with np.errstate(invalid="ignore", divide="ignore"):
            out[f"series.segments.{seg.id}.programme_share_of_fall"] = np.where(
                fall > 0, 100 * (without - with_p) / fall, np.nan
            )
        for c in checks:
            f = at_levels(knots, on.flows.sum(axis=2), lev)[rows, rows]  # (n, 2): exits, inflow
            with np.errstate(invalid="ignore", divide="ignore"):
                out[f"series.checks.{c.id}"] = f[:, 1] / f[:, 0]
    return pd.DataFrame(out)


def _row(spec: SeriesSpec, i: int) -> dict:
    o = spec.observations[i]
    return {
        "segment": spec.segments[o.segment].id,
        "year": o.year,
        "area": o.area,
        "label": o.label,
        "geo": o.geo_name,
        "indicator": o.indicator,
        "observed": o.value,
        "sd_extra": o.sd_extra,
    }


def _prediction(spec, grids, sigma, wt: Weighing, i: int, rng) -> dict:
    s = spec.observations[i].segment
    j = grids[s].obs.index(i)
    mu, y = predictive(grids, s, j, sigma, wt, PREDICTIVE_DRAWS, rng)
    lo, med, hi = np.quantile(y, QUANTILES)
    obs = spec.observations[i].value
    return {
        "model": float(np.median(mu)),
        "predicted": float(med),
        "lo": float(lo),
        "hi": float(hi),
        "error": float(med - obs),
        "covered": bool(lo <= obs <= hi),
        "ess": round(wt.ess, 1),
    }


def figure_table(spec: SeriesSpec, grids, sigma, wt: Weighing, rng) -> pd.DataFrame:
    """Every figure against its posterior predictive (median and 90 % interval, with its error)."""
    return pd.DataFrame(
        [_row(spec, i) | _prediction(spec, grids, sigma, wt, i, rng) for i in range(len(spec.observations))]
    )


def holdout_table(spec: SeriesSpec, grids, sigma, rng) -> pd.DataFrame:
    """The held-out back-test: every figure whose segment has a figure of an earlier year,
    predicted from the figures of the years before it only; with the error of carrying the last
    earlier figure of the same series forward, for comparison."""
    rows = []
    for i, o in enumerate(spec.observations):
        earlier = [k for k in spec.segment_observations(o.segment) if spec.observations[k].year < o.year]
        if not earlier:
            continue
        use = np.array([x.year < o.year for x in spec.observations])
        wt = weigh(grids, sigma, use)
        same = [
            k for k in earlier if (spec.observations[k].geo, spec.observations[k].indicator) == (o.geo, o.indicator)
        ]
        last = spec.observations[max(same, key=lambda k: spec.observations[k].year)].value if same else np.nan
        used = [x.year for x in spec.observations if x.year < o.year]
        rows.append(
            _row(spec, i)
            | {"training_years": f"{min(used)}–{max(used)}", "figures_used": int(use.sum())}
            | _prediction(spec, grids, sigma, wt, i, rng)
            | {"persistence": last, "persistence_error": last - o.value}
        )
    return pd.DataFrame(rows)


def _stats(x: np.ndarray, w: np.ndarray | None = None) -> tuple[np.ndarray, float, float]:
    w = np.full(len(x), 1.0 / len(x)) if w is None else w
    ok = np.isfinite(x)
    mean = float(np.average(x[ok], weights=w[ok])) if ok.any() else np.nan
    var = float(np.average((x[ok] - mean) ** 2, weights=w[ok])) if ok.any() else np.nan
    return weighted_quantiles(x, w, QUANTILES), mean, var


def summary_table(fit: SeriesFit) -> pd.DataFrame:
    """Prior and posterior of every parameter (5/50/95 %, mean) and the data weight."""
    frame = fit.prior.frame(fit.draws)
    rows = []
    for col in frame.columns:
        x = frame[col].to_numpy(float)
        pq, pm, pv = _stats(x)
        qq, qm, qv = _stats(x, fit.weighing.weights)
        weight = 1.0 - qv / pv if pv > 0 else 0.0
        rows.append((col, *pq, pm, *qq, qm, float(np.clip(weight, 0.0, 1.0))))
    for s, seg in enumerate(fit.spec.segments):
        lo, hi = seg.level_range
        qq, qm, qv = _stats(fit.levels[:, s])
        rows.append(
            (
                f"series.segments.{seg.id}.level",
                *np.interp(QUANTILES, [0, 1], [lo, hi]),
                (lo + hi) / 2,
                *qq,
                qm,
                1 - qv / ((hi - lo) ** 2 / 12),
            )
        )
    for col in fit.derived.columns:
        qq, qm, _ = _stats(fit.derived[col].to_numpy(float))
        rows.append((col, np.nan, np.nan, np.nan, np.nan, *qq, qm, np.nan))
    cols = [
        "parameter",
        "prior_q05",
        "prior_q50",
        "prior_q95",
        "prior_mean",
        "q05",
        "q50",
        "q95",
        "mean",
        "data_weight",
    ]
    return pd.DataFrame(rows, columns=cols)


def check_table(spec: SeriesSpec, derived: pd.DataFrame) -> pd.DataFrame:
    """Each cross-check: the figure, the posterior's 5/50/95 % and whether the figure lies inside."""
    rows = []
    for c in spec.cross_checks:
        x = derived[f"series.checks.{c.id}"].to_numpy(float)
        lo, med, hi = np.nanquantile(x, QUANTILES) if np.isfinite(x).any() else (np.nan,) * 3
        rows.append(
            {"check": c.id, "segment": spec.segments[c.segment].id, "quantity": c.quantity, "observed": c.observed}
            | {"q05": lo, "q50": med, "q95": hi, "inside": bool(lo <= c.observed <= hi)}
            | c.title.to_fields("title")
        )
    return pd.DataFrame(rows)
