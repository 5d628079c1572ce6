"""The aggregate path's year step: `simlib.engines.expected.YearStep`'s numbers for realised
households, with less work.

`DrawStep` does the arithmetic of `YearStep.__call__` operation by operation (the same numpy
functions on arrays of the same layout, the moves of the once-per-household line drawn by the same
`rng.binomial` call), so every number it returns is the one `YearStep` returns, to the bit (tests
compare them). It saves two things the aggregate path does not need:

- Transition factors are sums of log(1 - coverage x effect) over a class's eligible lines, and most
  (class, line) entries get no money (Cao Bằng 2024: 9 of 100 terms are non-zero). A term that is
  zero in every draw adds log1p(-0) = -0.0 to a sum that starts at +0.0, which changes nothing, so
  only the entries with coverage in some draw are summed (in the same order).
- Only the three moves each state can make (`kernel.DEST`) are computed of each transition row.

Two parts run as compiled loops when numba is installed, with the same operations in the same
order (no transcendental functions, no fused multiply-adds, sums in `np.bincount`'s order): the
eligible households per bin and the transition rows; the numpy versions remain as the fallback and
the tests' reference. The logs and exponentials stay in numpy, whose vectorised functions may
round differently from the C library's.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from simlib.engines.common import batched_bins
from simlib.engines.expected import YearStep, log_factor
from simlib.engines.kernel import DEST
from simlib.engines.reach import (
    apply_moves,
    beneficiaries,
    boosted_effects,
    coverage_shares,
    enabling_boost,
    held_stock,
    newly_housed,
    once_shares,
    production_support_cells,
    record,
    twin_shares,
)
from simlib.model import Model
from simlib.states import N_STATES
from simlib.transitions import NEAR_POOR, POOR, combined_effects_fast

#: flat (from, to) positions in a K x K matrix of each state's three destinations, (K * 3,)
MOVE_CELLS = (np.arange(N_STATES)[:, None] * N_STATES + DEST).ravel()
#: positions in a state's three moves of the two `rest` moves `apply_affine` floors at 0
FLOORED = tuple((k, int(np.flatnonzero(DEST[k] == NEAR_POOR)[0])) for k in (POOR, NEAR_POOR))
#: the same as a (K, 3) table
FLOORED_AT = np.zeros((N_STATES, 3), np.bool_)
for _k, _j in FLOORED:
    FLOORED_AT[_k, _j] = True

try:  # numba is a dependency; the numpy path remains the fallback (and the tests' reference)
    import numba as _numba
except ImportError:  # pragma: no cover
    _numba = None


def _rows_python(fac, cls, twin_at, t_pair, s_tw, ua, up, parts, floored, out):  # compiled below
    """`DrawStep.moves_rows_numpy`'s numbers element by element, in the same order of operations
    (numba adds no fused multiply-adds without fastmath): factors of each group-state's class,
    a twin's once-line share, then A + B F1 + C F2 at each state's three moves."""
    S, GK, K = fac.shape[0], cls.shape[0], floored.shape[0]
    for s in range(S):
        for i in range(GK):
            c = cls[i]
            f1, f2 = fac[s, 2 * c], fac[s, 2 * c + 1]
            t = twin_at[i]
            if t >= 0:
                st = s_tw[s, i]
                f1 *= (1.0 - st * ua[s, t_pair[t, 0]]) - (1.0 - st) * up[s, t_pair[t, 0]]
                f2 *= (1.0 - st * ua[s, t_pair[t, 1]]) - (1.0 - st) * up[s, t_pair[t, 1]]
            for j in range(3):
                p = parts[1, i, j] * f1 + parts[0, i, j]
                p = p + parts[2, i, j] * f2
                if floored[i % K, j] and p < 0.0:
                    p = 0.0
                out[s, i, j] = p


_rows_numba = _numba.njit(cache=True, nogil=True)(_rows_python) if _numba is not None else None


def _eligible_python(n, cls, e_cls, e_bin, ncl, out):  # compiled below
    """`YearStep.eligible_by_tier`: households per class, then per (line, unit, tier) bin, each
    sum in the order `np.bincount` adds (index order, from 0.0)."""
    for s in range(n.shape[0]):
        ncl[:] = 0.0
        for i in range(cls.shape[0]):
            ncl[cls[i]] += n[s, i]
        out[s, :] = 0.0
        for e in range(e_cls.shape[0]):
            out[s, e_bin[e]] += ncl[e_cls[e]]


_eligible_numba = _numba.njit(cache=True, nogil=True)(_eligible_python) if _numba is not None else None


@dataclass
class DrawYear:
    """One projected year of `DrawStep` for S draws."""

    rows: np.ndarray  # (S, G, K, 3) probabilities of each state's three moves (`kernel.DEST`), unclipped
    #                   (a view of an (S, 3, G, K) array)
    n: np.ndarray  # (S, G, K) households after the year's moves to housed twins
    reached: np.ndarray  # (S, L, D)
    eligible: np.ndarray  # (S, L, D)
    ps_sup: np.ndarray  # (S,)
    ps_want: np.ndarray  # (S,)


class DrawStep:
    """`YearStep` (the model's own effects and rates) for S draws of realised households, drawing
    the once-per-household line's moves with `rng`; years 0, 1, ... of one run in order."""

    def __init__(self, model: Model, S: int):
        self.year = YearStep(model, S, model.effects[None])
        p = self.year.parts  # (3, 1, G, K, K)
        at_moves = p.reshape(p.shape[:-2] + (-1,))[..., MOVE_CELLS].reshape(p.shape[:-1] + (3,))
        # (3, 1, 3, G, K): a move's parts for all group-states side by side, for long inner loops
        self.moves_parts = np.ascontiguousarray(np.moveaxis(at_moves, -1, 2))
        _, G, K, _, _ = self.year.shape
        self.rows, self.scratch = np.empty((S, 3, G, K)), np.empty((S, 3, G, K))  # reused each year
        # the compiled path: parts (3, G K, 3), each twin group-state's position in `t_gk`
        self.flat_parts = np.ascontiguousarray(at_moves.reshape(3, G * K, 3))
        ix = self.year.ix
        self.twin_at = np.full(G * K, -1, np.intp)
        self.twin_at[ix["t_gk"]] = np.arange(len(ix["t_gk"]))
        self.t_pair = np.ascontiguousarray(ix["t_pair"], dtype=np.intp)
        self.cls = np.ascontiguousarray(ix["cls"], dtype=np.intp)
        self.compiled_rows = np.empty((S, G, K, 3))
        self.e_cls = np.ascontiguousarray(ix["e_cls"], dtype=np.intp)
        self.e_bin = np.ascontiguousarray(ix["e_bin"], dtype=np.intp)

    def eligible_by_tier(self, n: np.ndarray) -> np.ndarray:
        """Eligible households (S, L, D, T): `YearStep.eligible_by_tier`, compiled when numba is
        installed (the same sums in the same order)."""
        if _eligible_numba is None:  # pragma: no cover
            return self.year.eligible_by_tier(n)
        S, (L, G, K, D, T) = n.shape[0], self.year.shape
        out = np.empty((S, L, D, T))
        ncl = np.empty(self.year.ix["n_cls"])
        _eligible_numba(
            np.ascontiguousarray(n).reshape(S, G * K), self.cls, self.e_cls, self.e_bin, ncl, out.reshape(S, -1)
        )
        return out

    def factors(self, c: np.ndarray, co: np.ndarray, ua: np.ndarray, up: np.ndarray) -> np.ndarray:
        """exp(sum of log(1 - term)) per class: `YearStep`'s factors (S, 3 C) from the coverage `c`
        (S, L D T) of each (line, unit, tier) bin and of the area entries' standing works `co`,
        summed over the entries with a non-zero term in some draw only. An entry's coverage is
        its bin's, 0 on the once-per-household line (its households have moved)."""
        ix, area, S = self.year.ix, self.year.area, c.shape[0]
        C = ix["n_cls"]
        keep = (c != 0.0).any(axis=0)[ix["e_bin"]] & ~ix["e_once"]
        keep[area] |= (co != 0.0).any(axis=0)
        sel = np.flatnonzero(keep)
        ce = np.where(ix["e_once"][sel], 0.0, c[:, ix["e_bin"][sel]])  # (S, kept entries)
        in_area = np.flatnonzero(ix["e_area"][sel])  # kept area entries, positions in `sel`
        at_area = np.searchsorted(area, sel[in_area])  # and in `co`
        terms = ce[:, :, None] * ua[:, ix["pair"][sel]]
        terms[:, in_area] += co[:, at_area, None] * up[:, ix["pair"][sel[in_area]]]
        ps = ix["e_ps"][sel]
        terms = np.concatenate([terms.reshape(S, -1), ce[:, ps]], axis=1)
        bins = np.concatenate([(ix["e_cls"][sel, None] * 2 + np.arange(2)).ravel(), 2 * C + ix["e_cls"][sel[ps]]])
        flat = log_factor(terms).ravel()
        return np.exp(np.bincount(batched_bins(bins, 3 * C, S), weights=flat, minlength=S * 3 * C).reshape(S, 3 * C))

    def moves_rows(self, fac: np.ndarray, s_tw: np.ndarray, ua: np.ndarray, up: np.ndarray) -> np.ndarray:
        """Probabilities (S, G, K, 3) of each state's three moves (`YearStep`'s P there), compiled
        when numba is installed (`moves_rows_numpy` otherwise); overwritten by the next year."""
        if _rows_numba is None:  # pragma: no cover
            return self.moves_rows_numpy(fac, s_tw, ua, up)
        S = fac.shape[0]
        c = np.ascontiguousarray
        sw = c(s_tw.reshape(S, -1))
        args = (self.cls, self.twin_at, self.t_pair, sw, c(ua), c(up), self.flat_parts, FLOORED_AT)
        _rows_numba(c(fac), *args, self.compiled_rows.reshape(S, -1, 3))
        return self.compiled_rows

    def moves_rows_numpy(self, fac: np.ndarray, s_tw: np.ndarray, ua: np.ndarray, up: np.ndarray) -> np.ndarray:
        """`moves_rows` in numpy (`YearStep`'s P at each state's three moves: A + B F1 + C F2 with
        the same roundings, as sums commute), a view of `self.rows`."""
        ix, S = self.year.ix, fac.shape[0]
        C = ix["n_cls"]
        _, G, K, _, _ = self.year.shape
        F = np.take(fac[:, : 2 * C].reshape(S, C, 2), ix["cls"], axis=1)  # (S, G K, 2)
        st = s_tw.reshape(S, G * K)[:, ix["t_gk"], None]
        F[:, ix["t_gk"]] *= 1.0 - st * ua[:, ix["t_pair"]] - (1.0 - st) * up[:, ix["t_pair"]]
        A, B, Cp = self.moves_parts
        rows = np.multiply(B, F[:, :, 0].reshape(S, 1, G, K), out=self.rows)  # (S, 3, G, K)
        rows += A
        rows += np.multiply(Cp, F[:, :, 1].reshape(S, 1, G, K), out=self.scratch)
        for k, j in FLOORED:
            np.maximum(rows[:, j, :, k], 0.0, out=rows[:, j, :, k])
        return np.moveaxis(rows, 1, -1)

    def __call__(self, n: np.ndarray, sp: np.ndarray, y: int, rng: np.random.Generator) -> DrawYear:
        ys = self.year
        model, ix, S = ys.model, ys.ix, ys.S
        L, G, K, D, T = ys.shape
        E = self.eligible_by_tier(n)
        r = beneficiaries(model, sp, E, stock=held_stock(model, ys.built, y))
        ys.built[:, y] = record(model, r.reached, r.eligible)
        cov = coverage_shares(r.covered, E)
        share = once_shares(model, cov)
        moved = rng.binomial(np.rint(n).astype(np.int64), np.clip(share, 0.0, 1.0)).astype(float)
        after = apply_moves(model, n, moved)
        s_tw = twin_shares(model, after, newly_housed(model, moved))
        c = cov.reshape(S, L * D * T)
        co = coverage_shares(r.old, E).reshape(S, -1)[:, ix["e_bin"][ys.area]]
        boost = enabling_boost(model, r.reached)
        ua = combined_effects_fast(boosted_effects(ys.eff, boost)).reshape(S, -1)
        up = combined_effects_fast(boosted_effects(ys.prot, boost)).reshape(S, -1)
        fac = self.factors(c, co, ua, up)
        rows = self.moves_rows(fac, s_tw, ua, up)
        miss = fac[:, 2 * ix["n_cls"] :][:, ix["cls"]].reshape(S, G, K)
        ps_sup, ps_want = production_support_cells(model, n, miss)
        return DrawYear(rows, after, r.reached, r.eligible, ps_sup, ps_want)
