"""Per-capita monthly income on a log grid: distributions, yearly kernels, line-relative measures.

The expected engine holds each cell-state's income distribution as households per bin of a log
grid (`make_edges`). Within a bin, log income is taken as uniform; that is the only
approximation the grid adds, and it shrinks with the square of the step near the income lines
(params/multidim.yaml `income.grid`; the convergence study is benchmarks/multidim_grid.py). The
income lines of every standard are bin edges, so "income <= line" is exact at the bin level.

Operators (row-stochastic matrices, bins x bins):

- `growth_kernel`: log y' = log y + drift + volatility * Z + log(1 - loss) for the shocks that
  hit (a mixture over shock combinations); for a log-uniform source bin the landing probability
  has a closed form (integral of the normal CDF: G(t) = t Phi(t) + phi(t));
- `shift_matrix`: y' = y + delta (a programme's income effect), mapping each bin's image
  interval onto the grid.

Everything is in VND per person per month; logs are natural logs of VND.
"""

from __future__ import annotations

import itertools

import numpy as np
from scipy.special import ndtr, ndtri

_SQRT2PI = np.sqrt(2 * np.pi)


def make_edges(
    lowest: float, highest: float, step: float, lines, tail_step: float | None = None, fine_within: float = 0.0
) -> np.ndarray:
    """Log-income bin edges from `lowest` to `highest` VND with the log of every income line an edge.

    Without `tail_step`: a uniform log grid of `step` anchored at `lowest`, each line inserted
    (grid edges closer than step/3 to a line are dropped). With `tail_step`: piecewise uniform,
    bins no wider than `step` within `fine_within` log points of any line and no wider than
    `tail_step` elsewhere (`fine_grid_edges`)."""
    if tail_step is not None:
        return fine_grid_edges(np.log(lowest), np.log(highest), step, tail_step, fine_within, lines)
    lo, hi = np.log(lowest), np.log(highest)
    grid = np.arange(lo, hi + step / 2, step)
    line_logs = np.log(np.unique(np.asarray(list(lines), float)))
    if line_logs.size:
        near = np.min(np.abs(grid[:, None] - line_logs[None, :]), axis=1) < step / 3
        grid = grid[~near]
    return np.unique(np.concatenate([grid, line_logs]))


def fine_grid_edges(lo: float, hi: float, step: float, tail_step: float, within: float, lines) -> np.ndarray:
    """(B+1,) log edges on [lo, hi]: the anchors are lo, hi, every line's log inside (lo, hi) and
    the ends of the fine zones (the union of [line - within, line + within], clipped to [lo, hi]);
    each gap between consecutive anchors is cut into equal bins no wider than `step` inside a fine
    zone and `tail_step` outside, so every line is an edge and no bin is narrower than needed."""
    line_logs = np.log(np.unique(np.asarray(list(lines), float)))
    line_logs = line_logs[(line_logs > lo) & (line_logs < hi)]
    zone_ends = np.concatenate([line_logs - within, line_logs + within]).clip(lo, hi)
    anchors = np.unique(np.concatenate([[lo, hi], line_logs, zone_ends]))
    edges = [anchors[:1]]
    for a, b in zip(anchors[:-1], anchors[1:]):
        mid = 0.5 * (a + b)
        fine = line_logs.size and np.min(np.abs(line_logs - mid)) <= within
        n = max(1, int(np.ceil((b - a) / (step if fine else tail_step) - 1e-9)))
        edges.append(np.linspace(a, b, n + 1)[1:])
    return np.concatenate(edges)


def _G(t: np.ndarray) -> np.ndarray:
    """Antiderivative of the standard normal CDF: t Phi(t) + phi(t)."""
    return t * ndtr(t) + np.exp(-0.5 * t * t) / _SQRT2PI


def _landing_cdf(edges: np.ndarray, shift: float, sigma: float) -> np.ndarray:
    """F[b, i] = P(x + shift + sigma Z <= edges[i]) for x log-uniform on bin b; outer edges open."""
    lo, hi = edges[:-1, None], edges[1:, None]
    a = edges[None, 1:-1]  # interior edges; the outer ones are -inf / +inf
    if sigma > 0:
        F = sigma / (hi - lo) * (_G((a - lo - shift) / sigma) - _G((a - hi - shift) / sigma))
    else:
        F = (a - shift - lo) / (hi - lo)
    F = np.clip(F, 0.0, 1.0)
    B = len(edges) - 1
    return np.concatenate([np.zeros((B, 1)), F, np.ones((B, 1))], axis=1)


def transfer_matrix(edges: np.ndarray, shift: float, sigma: float) -> np.ndarray:
    """(B, B): probability that a household in bin b lands in bin b' after log y += shift + sigma Z."""
    return np.diff(_landing_cdf(edges, shift, sigma), axis=1)


def shock_combinations(shocks: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """[(probability, income factor)] of every combination of independent shocks (p, loss)."""
    out = []
    for hit in itertools.product((False, True), repeat=len(shocks)):
        p, f = 1.0, 1.0
        for (ps, loss), h in zip(shocks, hit):
            p *= ps if h else 1 - ps
            f *= (1 - loss) if h else 1.0
        out.append((p, f))
    return out


def growth_kernel(edges: np.ndarray, drift: float, sigma: float, shocks: list[tuple[float, float]]) -> np.ndarray:
    """(B, B) yearly income kernel: log drift, volatility and independent shocks (p, loss)."""
    K = np.zeros((len(edges) - 1,) * 2)
    for p, f in shock_combinations(shocks):
        if p > 0:
            K += p * transfer_matrix(edges, drift + np.log(f), sigma)
    return K


def band(K: np.ndarray, tol: float = 1e-14) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Kernel rows (B, B) as bands for the compiled engine: start (B,), width (B,) and values
    (B, W) of each row's interior columns from its first to its last entry above `tol` in size
    (every entry between is kept), and the outer columns (B, 2) apart (they absorb the tails).

    The closed form's upper tail is rounding noise of about 1e-15 (differences of G near 1), the
    lower tail true values far below `tol`: a row loses less than about B * tol of its sum of 1."""
    B = K.shape[0]
    inner = np.abs(K[:, 1:-1]) > tol
    has = inner.any(axis=1)
    lo = np.where(has, np.argmax(inner, axis=1), 0) + 1
    hi = np.where(has, B - 2 - np.argmax(inner[:, ::-1], axis=1) + 1, 1)  # one past the last
    width = np.where(has, hi - lo, 0)
    values = np.zeros((B, max(int(width.max()), 1)))
    for b in range(B):
        values[b, : width[b]] = K[b, lo[b] : hi[b]]
    return lo.astype(np.int64), width.astype(np.int64), values, np.ascontiguousarray(K[:, [0, B - 1]])


def shift_matrix(edges: np.ndarray, delta: float) -> np.ndarray:
    """(B, B): income y -> y + delta (VND, >= 0) for log-uniform bins, image spread uniformly."""
    B = len(edges) - 1
    if delta == 0:
        return np.eye(B)
    lo = np.log(np.exp(edges[:-1]) + delta)[:, None]
    hi = np.log(np.exp(edges[1:]) + delta)[:, None]
    F = np.clip((edges[None, 1:-1] - lo) / (hi - lo), 0.0, 1.0)
    F = np.concatenate([np.zeros((B, 1)), F, np.ones((B, 1))], axis=1)
    return np.diff(F, axis=1)


def below_line(edges: np.ndarray, line: float) -> np.ndarray:
    """(B,) bool: bins whose incomes are all <= line (the line must be an edge)."""
    return edges[1:] <= np.log(line) + 1e-9


def bin_moments(edges: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """E[y] and E[y^2] of each bin (log-uniform within the bin), VND and VND^2."""
    lo, hi = edges[:-1], edges[1:]
    w = hi - lo
    m1 = (np.exp(hi) - np.exp(lo)) / w
    m2 = (np.exp(2 * hi) - np.exp(2 * lo)) / (2 * w)
    return m1, m2


def fgt_weights(edges: np.ndarray, line: float) -> tuple[np.ndarray, np.ndarray]:
    """Per-bin mean of max(0, 1 - y/line) and of its square (FGT1, FGT2 contributions)."""
    m1, m2 = bin_moments(edges)
    below = below_line(edges, line)
    f1 = np.where(below, 1 - m1 / line, 0.0)
    f2 = np.where(below, 1 - 2 * m1 / line + m2 / line**2, 0.0)
    return np.clip(f1, 0, 1), np.clip(f2, 0, 1)


def truncated_bins(
    edges: np.ndarray, mu: np.ndarray, sigma: np.ndarray, cut: np.ndarray, below: np.ndarray
) -> np.ndarray:
    """Bin probabilities (..., B) of log y ~ N(mu, sigma) truncated to log y <= cut (below=True)
    or > cut; `cut` must be an edge. Outer bins absorb the tails. mu, sigma, cut, below broadcast."""
    mu, sigma, cut, below = (np.asarray(x)[..., None] for x in (mu, sigma, cut, below))
    e = edges.copy()
    e[0], e[-1] = -np.inf, np.inf
    cdf = ndtr((e - mu) / sigma)
    mass = np.diff(cdf, axis=-1)
    centre = 0.5 * (edges[:-1] + edges[1:])
    keep = np.where(below, centre <= cut, centre > cut)
    mass = mass * keep
    total = mass.sum(-1, keepdims=True)
    return np.divide(mass, total, out=np.zeros_like(mass), where=total > 0)


def sample_truncated(
    rng: np.random.Generator, mu: np.ndarray, sigma: np.ndarray, cut: np.ndarray, below: np.ndarray
) -> np.ndarray:
    """Log incomes drawn from N(mu, sigma) truncated to <= cut (below) or > cut, by inverse CDF."""
    z = (cut - mu) / sigma
    u = np.clip(rng.random(np.shape(mu)), 1e-300, None)
    # below: Phi^-1(u Phi(z)); above: -Phi^-1(u Phi(-z)) (both tails computed without cancellation)
    x = np.where(below, ndtri(u * ndtr(z)), -ndtri(u * ndtr(-z)))
    return mu + sigma * x
