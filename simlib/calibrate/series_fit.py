"""Weighing prior draws by the published figures: importance sampling with the start levels
integrated out.

The posterior of the joint parameters theta (baseline rates, effects, unit costs, disbursement,
budget scales, error sd) and of each segment's start level L_s is

    p(theta, L | y) ∝ p(theta) prod_s U(L_s; level_range_s) prod_{i in s} N(y_i; mu_i(theta, L_s), sigma^2 + sd_i^2)

where mu_i is the model's projection of figure i (`series_model`). Prior draws theta_m are
weighed by their likelihood with every L_s integrated out on a fine grid (0.1 point) over its
flat prior — the model runs at a few levels (knots, `level_step` apart) and a cubic spline fills
the grid, which is smooth to well under the figures' error (tested). Weights w_m, their effective
sample size (ESS = 1 / sum w^2) and the conditional posterior of each L_s given theta_m are
exact for the draws; with enough effective draws, weighted quantiles are the posterior's.

Because the model runs do not depend on the figures, the same draws answer every question about
other subsets of the figures at no cost: the held-out back-test (`holdout_table`: fit on the
figures before year T, predict T) and simulation-based calibration (`simlib.calibrate.sbc`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.interpolate import CubicSpline
from scipy.special import logsumexp

from simlib.calibrate.series_model import Projection
from simlib.calibrate.series_spec import SeriesSpec

FINE_STEP = 0.1  # percentage points between the grid points a start level is integrated on
MIN_KNOTS = 4


def level_knots(level_range: tuple[float, float], step: float) -> np.ndarray:
    """Start levels the model runs at: `level_range` in steps of at most `step` (at least 4)."""
    lo, hi = level_range
    return np.linspace(lo, hi, max(MIN_KNOTS, int(np.ceil((hi - lo) / step - 1e-9)) + 1))


def fine_grid(level_range: tuple[float, float]) -> np.ndarray:
    """Midpoints of equal cells of about `FINE_STEP` covering `level_range`."""
    lo, hi = level_range
    n = max(2, int(np.ceil((hi - lo) / FINE_STEP)))
    edges = np.linspace(lo, hi, n + 1)
    return 0.5 * (edges[1:] + edges[:-1])


def at_levels(knots: np.ndarray, values: np.ndarray, levels: np.ndarray) -> np.ndarray:
    """Values (k, ...) given at `knots` (k,), at `levels` (F,) -> (F, ...) (cubic spline)."""
    return CubicSpline(knots, values, axis=0)(levels)


def observation_columns(spec: SeriesSpec, proj: Projection, obs_idx: list[int]) -> np.ndarray:
    """(k, n, O) the projection's values at each observation of the segment (its year and quantity)."""
    cols = []
    for i in obs_idx:
        o = spec.observations[i]
        q = proj.quantities.index((o.geo, o.indicator))
        cols.append(proj.values[:, :, proj.years.index(o.year), q])
    return np.stack(cols, axis=-1)


@dataclass
class SegmentGrid:
    """What a segment contributes: the fine level grid (F,) and the projections of its figures on
    it (F, n, O), the figures `obs` (indices into the spec's), their values and extra sd."""

    grid: np.ndarray
    pred: np.ndarray
    obs: list[int]
    y: np.ndarray
    extra: np.ndarray
    level_range: tuple[float, float]

    def loglik(self, sigma: np.ndarray, use: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Log-likelihood (n,) of the used figures (bool (O,)) with the level integrated out over
        its flat prior, and the conditional log posterior (F, n) of the level given each draw."""
        F, n, _ = self.pred.shape
        ll = np.zeros((F, n))
        for j in np.flatnonzero(use):
            var = sigma**2 + self.extra[j] ** 2
            ll += -0.5 * (self.y[j] - self.pred[:, :, j]) ** 2 / var - 0.5 * np.log(2 * np.pi * var)
        lo, hi = self.level_range
        cell = (hi - lo) / F
        total = logsumexp(ll, axis=0)
        return total + np.log(cell) - np.log(hi - lo), ll - total


def segment_grid(spec: SeriesSpec, s: int, proj: Projection) -> SegmentGrid:
    """The fine-grid projections of segment s's figures from a knots projection."""
    seg = spec.segments[s]
    obs = spec.segment_observations(s)
    grid = fine_grid(seg.level_range)
    pred = at_levels(proj.knots, observation_columns(spec, proj, obs), grid)
    y = np.array([spec.observations[i].value for i in obs])
    extra = np.array([spec.observations[i].sd_extra for i in obs])
    return SegmentGrid(grid, pred, obs, y, extra, seg.level_range)


def normalise(log_w: np.ndarray) -> tuple[np.ndarray, float]:
    """Normalised weights and their effective sample size."""
    w = np.exp(log_w - log_w.max())
    w /= w.sum()
    return w, float(1.0 / (w**2).sum())


def systematic(w: np.ndarray, n: int, rng: np.random.Generator) -> np.ndarray:
    """n indices drawn with probabilities w by systematic resampling (low variance)."""
    c = np.cumsum(w)
    c[-1] = 1.0
    return np.searchsorted(c, (rng.random() + np.arange(n)) / n, side="right").clip(0, len(w) - 1)


def categorical(logp: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """One index per column of log probabilities (F, m) -> (m,)."""
    c = np.cumsum(np.exp(logp - logp.max(axis=0)), axis=0)
    u = rng.random(logp.shape[1]) * c[-1]
    return (c < u).sum(axis=0).clip(0, logp.shape[0] - 1)


def weighted_quantiles(x: np.ndarray, w: np.ndarray, q) -> np.ndarray:
    """Quantiles `q` of values x (n,) with weights w (n,), NaN values left out."""
    ok = np.isfinite(x) & (w > 0)
    if not ok.any():
        return np.full(len(np.atleast_1d(q)), np.nan)
    x, w = x[ok], w[ok]
    order = np.argsort(x)
    x, w = x[order], w[order]
    c = (np.cumsum(w) - 0.5 * w) / w.sum()
    return np.interp(q, c, x)


@dataclass
class Weighing:
    """The draws weighed by some of the figures (`use`, bool over the spec's observations)."""

    use: np.ndarray
    log_lik: np.ndarray  # (n,)
    weights: np.ndarray  # (n,)
    ess: float
    level_logpost: list  # per segment (F, n)

    @property
    def log_evidence(self) -> float:
        """log of the mean likelihood over the prior draws (the marginal likelihood)."""
        return float(logsumexp(self.log_lik) - np.log(len(self.log_lik)))


def weigh(grids: list[SegmentGrid], sigma: np.ndarray, use: np.ndarray) -> Weighing:
    """Weights of the draws given the figures `use` (bool over all observations)."""
    total = np.zeros(len(sigma))
    post = []
    for g in grids:
        ll, lp = g.loglik(sigma, use[g.obs])
        total += ll
        post.append(lp)
    w, ess = normalise(total)
    return Weighing(use, total, w, ess, post)


def predictive(
    grids: list[SegmentGrid], s: int, j: int, sigma: np.ndarray, wt: Weighing, n: int, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """n draws of figure j of segment s under the weighing `wt`: the projection (model only) and
    the figure (plus its error)."""
    g = grids[s]
    idx = systematic(wt.weights, n, rng)
    lev = categorical(wt.level_logpost[s][:, idx], rng)
    mu = g.pred[lev, idx, j]
    return mu, mu + rng.standard_normal(n) * np.sqrt(sigma[idx] ** 2 + g.extra[j] ** 2)
