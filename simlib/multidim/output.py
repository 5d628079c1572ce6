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
                                       dim_deprived, count_dist: int32 from the microsimulation)
    dim_deprived    (S, Y+1, G, K, 6)  households deprived in at least one indicator of a dimension
    count_dist      (S, Y+1, G, K, 13) households by number of deprivations
    fgt1, fgt2      (S, Y+1, G, K)     sums over households of max(0, 1 - income/line) and its square
    income_sum      (S, Y+1, G, K)     sum of per-capita monthly income, VND
    removed         (S, Y, P, G)       deprivations removed in year y (households) by each removal
                                       pair (`removal_pairs`: a line and an indicator it clears);
                                       when two lines clear the same flag of a household, the line
                                       acting first (targeted lines, then catalogue order) counts it.
                                       While an expected engine runs: (S, Y, L, G, 12) by line and
                                       indicator, its kernels' table (`compact_removals` at the end)
    """

    deprived: np.ndarray
    dim_deprived: np.ndarray
    count_dist: np.ndarray
    fgt1: np.ndarray
    fgt2: np.ndarray
    income_sum: np.ndarray
    removed: np.ndarray

    @classmethod
    def zeros(
        cls, S: int, Y: int, G: int, K: int, L: int, pairs: int | None = None, counts=np.float64
    ) -> MultidimOutput:
        """Zero-filled arrays of the documented shapes, for an engine to fill in place: `removed`
        by `pairs` removal pairs (S, Y, P, G), or by line and indicator (S, Y, L, G, 12) for an
        engine that writes that table and then `compact_removals`; the households deprived and by
        number of deprivations as `counts` (the microsimulation's whole households: int32, exact
        and half the bytes; the expected engine's float64)."""
        removed = (S, Y, L, G, N_INDICATORS) if pairs is None else (S, Y, pairs, G)
        return cls(
            np.zeros((S, Y + 1, G, K, N_INDICATORS), counts),
            np.zeros((S, Y + 1, G, K, len(DIMENSIONS)), counts),
            np.zeros((S, Y + 1, G, K, N_INDICATORS + 1), counts),
            np.zeros((S, Y + 1, G, K)),
            np.zeros((S, Y + 1, G, K)),
            np.zeros((S, Y + 1, G, K)),
            np.zeros(removed),
        )

    def compact_removals(self, mm) -> MultidimOutput:
        """This output with `removed` (S, Y, L, G, 12) by line and indicator taken at the removal
        pairs of `mm` (S, Y, P, G) (a no-op when it already is), returned."""
        if self.removed.ndim == 5:
            lines, flags = removal_pairs(mm)
            self.removed = np.ascontiguousarray(np.moveaxis(self.removed[:, :, lines, :, flags], 0, 2))
        return self

    @staticmethod
    def concatenate(parts: list[MultidimOutput]) -> MultidimOutput:
        return MultidimOutput(
            **{f.name: np.concatenate([getattr(p, f.name) for p in parts]) for f in fields(MultidimOutput)}
        )
