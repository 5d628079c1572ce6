"""What the multidim engines report besides the core `EngineOutput` arrays (same for both engines).

All arrays have a leading axis S (draws for microsim, scenarios for expected); t indexes reviews
(0 = baseline), y projected years; G groups, K detailed states, L lines, P removal pairs.

The deprivations the lines remove are kept by removal pair (`removal_pairs`): a (line, indicator)
the line lists and clears with a positive probability. No engine removes any other flag (the
expected engine's numpy reference leaves rounding noise there, 1e-10 households in all for
`multidim_2030`, which the pairs drop), and the tables show only these pairs: the (L, 12)
table by line and indicator would hold 17 non-zero pairs of 276 for Cao Bằng (5.9 MB of which
94 % zeros for its 384 groups over seven years). `spread_removals` gives that table when a
reader needs it.

Of the households by number of deprivations the tables read only those with at least the
standard's minimum (`MultidimModel.min_deprivations` of each review: the multidimensionally
deprived), which is what the outputs keep (`multi_deprived`, a thirteenth of the bytes).
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np

from simlib.standards import DIMENSIONS, N_INDICATORS


def removal_pairs(mm) -> tuple[np.ndarray, np.ndarray]:
    """The removal pairs of a multidimensional model (`mm.line_bits`, `mm.removal` by line) as
    index arrays (lines, indicators), line by line and each line's indicators in order: the flags
    j a line li lists (bit j of `line_bits[li]`) with `removal[li] > 0`."""
    bits = np.asarray(mm.line_bits, np.int64)
    acts = (bits[:, None] >> np.arange(N_INDICATORS) & 1).astype(bool) & (np.asarray(mm.removal) > 0)[:, None]
    lines, flags = np.nonzero(acts)
    return lines.astype(np.int64), flags.astype(np.int64)


def spread_removals(removed: np.ndarray, mm) -> np.ndarray:
    """Removals by pair (..., P, G) as the table by line and indicator (..., L, G, 12), zero
    outside the pairs."""
    lines, flags = removal_pairs(mm)
    lead, G = removed.shape[:-2], removed.shape[-1]
    out = np.zeros(lead + (len(mm.line_bits), G, N_INDICATORS))
    out[..., lines, :, flags] = np.moveaxis(removed, -2, 0)
    return out


@dataclass
class MultidimOutput:
    """deprived     (S, Y+1, G, K, 12) households deprived in each indicator (deprived,
                                       dim_deprived, multi_deprived, removed: int32 from the
                                       microsimulation)
    dim_deprived    (S, Y+1, G, K, 6)  households deprived in at least one indicator of a dimension
    multi_deprived  (S, Y+1, G, K)     households deprived in at least the minimum number of
                                       indicators of the standard of review t
                                       (`MultidimModel.min_deprivations[t]`). While an expected
                                       engine runs: (S, Y+1, G, K, 13) by number of deprivations,
                                       its kernels' table (`compact` at the end)
    fgt1, fgt2      (S, Y+1, G, K)     sums over households of max(0, 1 - income/line) and its square
    income_sum      (S, Y+1, G, K)     sum of per-capita monthly income, VND
    removed         (S, Y, P, G)       deprivations removed in year y (households) by each removal
                                       pair (`removal_pairs`: a line and an indicator it clears);
                                       when two lines clear the same flag of a household, the line
                                       acting first (targeted lines, then catalogue order) counts it.
                                       While an expected engine runs: (S, Y, L, G, 12) by line and
                                       indicator, its kernels' table (`compact` at the end)
    """

    deprived: np.ndarray
    dim_deprived: np.ndarray
    multi_deprived: np.ndarray
    fgt1: np.ndarray
    fgt2: np.ndarray
    income_sum: np.ndarray
    removed: np.ndarray

    @classmethod
    def zeros(
        cls, S: int, Y: int, G: int, K: int, L: int, pairs: int | None = None, counts=np.float64
    ) -> MultidimOutput:
        """Zero-filled arrays of the documented shapes, for an engine to fill in place: `removed`
        by `pairs` removal pairs (S, Y, P, G) and `multi_deprived` (S, Y+1, G, K), or, for an
        engine that writes its kernels' tables and then `compact`s them (`pairs` None), by line
        and indicator (S, Y, L, G, 12) and by number of deprivations (S, Y+1, G, K, 13); the
        households' counts (and, by pair, the removals) as `counts` (the microsimulation's whole
        households: int32, exact and half the bytes; the expected engine's float64)."""
        removed = (S, Y, L, G, N_INDICATORS) if pairs is None else (S, Y, pairs, G)
        multi = (S, Y + 1, G, K) + ((N_INDICATORS + 1,) if pairs is None else ())
        return cls(
            np.zeros((S, Y + 1, G, K, N_INDICATORS), counts),
            np.zeros((S, Y + 1, G, K, len(DIMENSIONS)), counts),
            np.zeros(multi, counts),
            np.zeros((S, Y + 1, G, K)),
            np.zeros((S, Y + 1, G, K)),
            np.zeros((S, Y + 1, G, K)),
            np.zeros(removed, float if pairs is None else counts),
        )

    def compact(self, mm) -> MultidimOutput:
        """This output with `removed` (S, Y, L, G, 12) by line and indicator taken at the removal
        pairs of `mm` (S, Y, P, G), and `multi_deprived` by number of deprivations (S, Y+1, G, K,
        13) summed from each review's minimum (`mm.min_deprivations[t]`, t over the output's
        reviews: a twin cut at a change of standard holds fewer than `mm` lists) (S, Y+1, G, K),
        each a no-op when it already is; returned."""
        if self.removed.ndim == 5:
            lines, flags = removal_pairs(mm)
            self.removed = np.ascontiguousarray(np.moveaxis(self.removed[:, :, lines, :, flags], 0, 2))
        if self.multi_deprived.ndim == 5:
            by_count, k_min = self.multi_deprived, mm.min_deprivations
            reviews = range(by_count.shape[1])  # the run's (a twin cut at a change: fewer than `mm`'s)
            self.multi_deprived = np.stack([by_count[:, t, ..., k_min[t] :].sum(-1) for t in reviews], 1)
        return self

    @staticmethod
    def concatenate(parts: list[MultidimOutput]) -> MultidimOutput:
        return MultidimOutput(
            **{f.name: np.concatenate([getattr(p, f.name) for p in parts]) for f in fields(MultidimOutput)}
        )
