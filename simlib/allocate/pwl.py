"""Piecewise-linear response curves of the true engine around a reference allocation.

The objective (and every target's slack) is modelled as separable around a reference x_ref:

    f(x) ~ f(x_ref) + sum_k [ f_k(s_k) - f(x_ref) ],

where s_k is the money spent along direction k (one line — or one line in one unit, or in one
year — see `Problem.dirs`) and f_k(s) the engine's value with direction k's spending set to s
and every other direction as at x_ref. Each f_k is sampled on [0, R_k] (R_k: the most the
constraints let direction k spend) at an even grid plus s_ref, then refined where the curve is
not linear between two breakpoints: a segment's midpoint is evaluated and kept as a breakpoint
when it differs from the chord by more than the tolerance. The tiers of the priority order
and the absorption cap make the true curves piecewise smooth with kinks, which the refinement
finds. The model is exact at x_ref and along every direction through it; what it misses is the
interaction of directions (two lines reaching the same household, enabling lines raising other
lines' effects, money in one year changing who is eligible the next), which `certify` measures
and removes by re-sampling around each new solution.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from simlib.allocate.evaluate import perturbed

GRID = 8  # initial segments per direction
ROUNDS = 4  # refinement rounds (each can halve a segment)


@dataclass
class Curves:
    """Sampled responses around `x_ref`. Values are the objective (households, weighted) and the
    target slacks (scaled; >= 0 where met); shapes: K directions, R target rows."""

    x_ref: np.ndarray  # (n,) billion VND
    s_ref: np.ndarray  # (K,) billion VND spent along each direction at x_ref
    f_ref: float
    g_ref: np.ndarray  # (R,)
    breaks: list[np.ndarray]  # K arrays (m_k + 1,) of spending, ascending from 0
    f: list[np.ndarray]  # K arrays (m_k + 1,)
    g: list[np.ndarray]  # K arrays (m_k + 1, R)
    disb: np.ndarray  # (n,) spending per billion of each variable
    var_dir: np.ndarray  # (n,)
    evaluations: int = 0
    interpolation_error: float = 0.0  # largest objective error left at a checked midpoint

    @property
    def K(self) -> int:
        return len(self.breaks)

    def spend(self, x: np.ndarray) -> np.ndarray:
        """(K,) billion VND spent along each direction by allocation x."""
        s = np.zeros(self.K)
        np.add.at(s, self.var_dir, self.disb * x)
        return s

    def value(self, x: np.ndarray) -> float:
        """The model's objective at allocation x."""
        s = self.spend(x)
        return float(self.f_ref + sum(np.interp(s[k], self.breaks[k], self.f[k]) - self.f_ref for k in range(self.K)))

    def slacks(self, x: np.ndarray) -> np.ndarray:
        """The model's target slacks (R,) at allocation x."""
        s = self.spend(x)
        out = self.g_ref.copy()
        for k in range(self.K):
            b = self.breaks[k]
            for r in range(len(out)):
                out[r] += np.interp(s[k], b, self.g[k][:, r]) - self.g_ref[r]
        return out


def direction_ranges(problem) -> np.ndarray:
    """(K,) an upper bound of the money each direction can spend under the linear constraints:
    every row with non-negative coefficients (envelopes, caps, ceilings) bounds each variable,
    and a row covering all of a direction's variables bounds their sum."""
    A, b, n = problem.A, problem.b, problem.n
    K = problem.dirs.shape[0]
    disb, vd = problem.var_disb, problem.var_dir
    pos = np.all(A >= 0, axis=1) if len(A) else np.zeros(0, bool)
    ub = np.full(n, np.inf)
    for i in np.flatnonzero(pos):
        nz = A[i] > 0
        ub[nz] = np.minimum(ub[nz], b[i] / A[i, nz])
    R = np.zeros(K)
    np.add.at(R, vd, disb * np.where(np.isfinite(ub), ub, 0.0))
    for i in np.flatnonzero(pos):
        for k in np.unique(vd[A[i] > 0]):
            vs = vd == k
            if np.all(A[i, vs] > 0):
                R[k] = min(R[k], b[i] * float(np.max(disb[vs] / A[i, vs])))
    return np.maximum(R, 0.0)


def _values(agg: dict, problem, with_slacks: bool) -> tuple[np.ndarray, np.ndarray]:
    f = agg["objective"]
    g = problem.slacks_from(agg) if with_slacks else np.zeros((len(f), 0))
    return f, g


def _insert(arr: np.ndarray, at: int, row) -> np.ndarray:
    return np.insert(arr, at, row, axis=0)


def _start_grid(problem, x_ref: np.ndarray, ranges: np.ndarray, grid: int, inner: int = 0) -> tuple[np.ndarray, list]:
    """The money each direction spends at `x_ref` (capped at its range) and each direction's
    starting points: an even grid on [0, range] plus that money, and, for a direction that holds
    money at `x_ref`, `inner` more points evenly between 0 and it (where the decision is taken:
    the money a line keeps or gives up)."""
    K = len(ranges)
    s_ref = np.zeros(K)
    np.add.at(s_ref, problem.var_dir, problem.var_disb * x_ref)
    s_ref = np.minimum(s_ref, ranges)
    pts = [
        np.unique(
            np.concatenate(
                [
                    np.linspace(0.0, ranges[k], grid + 1),
                    [s_ref[k]],
                    np.linspace(0.0, s_ref[k], inner + 2)[1:-1] if s_ref[k] > 1e-9 else [],
                ]
            )
        )
        for k in range(K)
    ]
    return s_ref, [p if ranges[k] > 1e-9 else np.zeros(1) for k, p in enumerate(pts)]


def _by_direction(pts: list, f_all: np.ndarray, g_all: np.ndarray) -> tuple[list, list, list]:
    """Stacked evaluations cut back into one (breaks, f, g) per direction."""
    breaks, fs, gs, start = [], [], [], 0
    for p in pts:
        breaks.append(p.copy())
        fs.append(f_all[start : start + len(p)].copy())
        gs.append(g_all[start : start + len(p)].copy())
        start += len(p)
    return breaks, fs, gs


def _midpoints(breaks: list, todo: list, ranges: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Direction and amount of the midpoint of every segment still to check (not too short)."""
    cand = [(k, breaks[k][a], breaks[k][b]) for k in range(len(ranges)) for a, b in todo[k]]
    cand = [(k, lo, hi) for k, lo, hi in cand if hi - lo > 1e-6 * max(1.0, ranges[k])]
    return np.array([c[0] for c in cand]), np.array([(c[1] + c[2]) / 2 for c in cand])


def _keep_midpoints(ks, mids, fm, gm, breaks, fs, gs, tol_f: float, tol_g: float) -> tuple[list, float]:
    """Insert (in place) each midpoint where the chord misses the curve by more than the
    tolerance; the segments to check next round and the largest error of a chord kept."""
    todo: list = [[] for _ in breaks]
    worst = 0.0
    for i, k in enumerate(ks):
        b = breaks[k]
        j = int(np.searchsorted(b, mids[i]))  # b[j-1] < mid < b[j]
        w = (mids[i] - b[j - 1]) / (b[j] - b[j - 1])
        err_f = abs(fm[i] - ((1 - w) * fs[k][j - 1] + w * fs[k][j]))
        err_g = np.max(np.abs(gm[i] - ((1 - w) * gs[k][j - 1] + w * gs[k][j])), initial=0.0)
        if err_f > tol_f or err_g > tol_g:
            breaks[k], fs[k], gs[k] = _insert(b, j, mids[i]), _insert(fs[k], j, fm[i]), _insert(gs[k], j, gm[i])
            todo[k] = [(a + (a >= j), c + (c >= j)) for a, c in todo[k]] + [(j - 1, j), (j, j + 1)]
        else:
            worst = max(worst, err_f)
    return todo, worst


def build_curves(
    problem,
    x_ref: np.ndarray,
    ranges: np.ndarray,
    tol_f: float,
    tol_g: float = 1e-4,
    with_slacks: bool = False,
    grid: int = GRID,
    rounds: int = ROUNDS,
    inner: int = 0,
) -> Curves:
    """Sample every direction's response around `x_ref` on [0, ranges[k]] (see the module
    docstring), with `inner` more points between 0 and the money a direction holds at `x_ref`
    (`_start_grid`); midpoints are kept where the chord misses the curve by more than `tol_f`
    (objective) or `tol_g` (any target slack)."""
    s_ref, pts = _start_grid(problem, x_ref, ranges, grid, inner)
    ks = np.concatenate([np.full(len(p), k) for k, p in enumerate(pts)])
    base, agg = perturbed(problem, x_ref, ks, np.concatenate(pts) - s_ref[ks])
    f0, g0 = _values(base, problem, with_slacks)
    breaks, fs, gs = _by_direction(pts, *_values(agg, problem, with_slacks))
    n_eval = len(ks) + 1
    todo = [[(j, j + 1) for j in range(len(b) - 1)] for b in breaks]
    worst = 0.0
    for _ in range(rounds):
        ks, mids = _midpoints(breaks, todo, ranges)
        if not len(ks):
            break
        _, agg = perturbed(problem, x_ref, ks, mids - s_ref[ks])
        fm, gm = _values(agg, problem, with_slacks)
        n_eval += len(ks)
        todo, round_worst = _keep_midpoints(ks, mids, fm, gm, breaks, fs, gs, tol_f, tol_g)
        worst = max(worst, round_worst)
    return Curves(
        x_ref=x_ref.copy(),
        s_ref=s_ref,
        f_ref=float(f0[0]),
        g_ref=g0[0],
        breaks=breaks,
        f=fs,
        g=gs,
        disb=problem.var_disb.copy(),
        var_dir=problem.var_dir.copy(),
        evaluations=n_eval,
        interpolation_error=worst,
    )
