"""Simulation-based calibration of the series fit: do its 90 % intervals cover the truth 90 % of
the time when the model is right?

Each replication draws a "true" parameter set and start levels from the prior, runs the model
from them exactly (at the true level, not on the fit's grid), adds the figures' errors
(sd sqrt(sigma^2 + sd_extra^2)) to get the published figures of a synthetic province, and fits
them with the machinery of `series_fit` on a bank of prior draws independent of the truths. For a
correct method, the posterior 5-95 % interval contains the truth in about 90 % of replications,
and the truth's posterior rank is uniform. Quantities checked: the reference escape rate, the
error sd, and per segment its start level and the programme's share of its fall.

`sigma_factor` multiplies the error sd the fit assumes (1 = the true model); another value makes
the fit wrong on purpose, to show the check can fail.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd

from simlib.calibrate.series import prior_of, segment_quantities
from simlib.calibrate.series_fit import (
    at_levels,
    categorical,
    level_knots,
    segment_grid,
    systematic,
    weigh,
    weighted_quantiles,
)
from simlib.calibrate.series_model import project_segment
from simlib.calibrate.series_spec import SeriesSpec
from simlib.model import compile_model

LEVEL = 0.90
SAMPLES = 4000  # posterior (draw, level) samples per replication


def _share(on: np.ndarray, off: np.ndarray, level) -> np.ndarray:
    """Programme's share (%) of the fall from `level` to the end rate `on` (NaN if no fall)."""
    fall = level - on
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(fall > 0, 100 * (off - on) / fall, np.nan)


def _bank(spec: SeriesSpec, prior, model, draws):
    """Per segment: the fine-grid projections of its figures and the share on the same grid."""
    out = []
    for s, seg in enumerate(spec.segments):
        knots = level_knots(seg.level_range, spec.level_step)
        on = project_segment(spec, s, model, prior, draws, knots, segment_quantities(spec, s))
        off = project_segment(spec, s, model, prior, draws, knots, [("province", "poor_rate")], money_on=False)
        g = segment_grid(spec, s, on)
        share = _share(
            at_levels(knots, on.values[:, :, -1, 0], g.grid),
            at_levels(knots, off.values[:, :, -1, 0], g.grid),
            g.grid[:, None],
        )
        out.append((g, share))
    return out


def _truth(spec: SeriesSpec, prior, model, draw, levels) -> tuple[np.ndarray, list[float]]:
    """The figures' model values (O,) and each segment's programme share for one true draw."""
    mu, shares = np.empty(len(spec.observations)), []
    for s in range(len(spec.segments)):
        qs = segment_quantities(spec, s)
        on = project_segment(spec, s, model, prior, draw, np.array([levels[s]]), qs)
        off = project_segment(spec, s, model, prior, draw, np.array([levels[s]]), qs[:1], money_on=False)
        for i in spec.segment_observations(s):
            o = spec.observations[i]
            mu[i] = on.values[0, 0, on.years.index(o.year), qs.index((o.geo, o.indicator))]
        shares.append(float(_share(on.values[0, 0, -1, 0], off.values[0, 0, -1, 0], levels[s])))
    return mu, shares


def _interval(x: np.ndarray, w: np.ndarray | None, truth: float) -> tuple[float, float, float]:
    """Posterior 5 % and 95 % points of values x (weights w, or equally weighted samples) and the
    posterior probability below `truth`."""
    w = np.full(len(x), 1.0) if w is None else w
    ok = np.isfinite(x) & (w > 0)
    lo, hi = weighted_quantiles(x[ok], w[ok], [(1 - LEVEL) / 2, (1 + LEVEL) / 2])
    return float(lo), float(hi), float(w[ok][x[ok] < truth].sum() / w[ok].sum())


def simulation_based_calibration(
    spec: SeriesSpec, replications: int = 100, bank: int = 2000, seed: int = 0, sigma_factor: float = 1.0
) -> pd.DataFrame:
    """One row per replication and quantity: truth, the posterior 5 % and 95 % points, whether
    the interval covers the truth, and the truth's posterior rank (see the module docstring)."""
    rng = np.random.default_rng(seed)
    prior, model = prior_of(spec), compile_model(spec.scenario)
    draws = prior.draw(bank, rng)
    grids = _bank(spec, prior, model, draws)
    truths = prior.draw(replications, rng)
    rows = []
    for r in range(replications):
        levels = [rng.uniform(*seg.level_range) for seg in spec.segments]
        mu, shares = _truth(spec, prior, model, truths.take([r]), levels)
        extra = np.array([o.sd_extra for o in spec.observations])
        y = mu + rng.standard_normal(len(mu)) * np.sqrt(truths.sigma[r] ** 2 + extra**2)
        fit_grids = [replace(g, y=y[g.obs]) for g, _ in grids]
        wt = weigh(fit_grids, draws.sigma * sigma_factor, np.ones(len(y), bool))
        checks = [("transitions.reference.poor.escaped_1", draws.ref[:, 0], wt.weights, truths.ref[r, 0])]
        checks.append(("series.error.sigma", draws.sigma, wt.weights, truths.sigma[r]))
        idx = systematic(wt.weights, SAMPLES, rng)  # joint (draw, level) samples for the rest
        for s, seg in enumerate(spec.segments):
            g, share = grids[s]
            lev = categorical(wt.level_logpost[s][:, idx], rng)
            checks.append((f"series.segments.{seg.id}.level", g.grid[lev], None, levels[s]))
            key = f"series.segments.{seg.id}.programme_share_of_fall"
            checks.append((key, share[lev, idx], None, shares[s]))
        for name, x, w, truth in checks:
            if not np.isfinite(truth):
                continue
            lo, hi, rank = _interval(x, w, truth)
            rows.append((r, name, truth, lo, hi, bool(lo <= truth <= hi), rank, wt.ess))
    return pd.DataFrame(rows, columns=["replication", "quantity", "truth", "q05", "q95", "covered", "rank", "ess"])


def coverage(table: pd.DataFrame) -> pd.DataFrame:
    """Per quantity: replications, share of intervals covering the truth, and how many truths fell
    below and above the interval."""
    g = table.groupby("quantity", sort=False)
    return pd.DataFrame(
        {
            "replications": g.size(),
            "coverage": g["covered"].mean(),
            "below": g.apply(lambda d: int((d["truth"] < d["q05"]).sum()), include_groups=False),
            "above": g.apply(lambda d: int((d["truth"] > d["q95"]).sum()), include_groups=False),
        }
    ).reset_index()
