"""What the multidim engines report besides the core `EngineOutput` arrays (same for both engines).

All arrays have a leading axis S (draws for microsim, scenarios for expected); t indexes reviews
(0 = baseline), y projected years; G groups, K detailed states, L lines.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np

from simlib.standards import DIMENSIONS, N_INDICATORS


@dataclass
class MultidimOutput:
    """deprived     (S, Y+1, G, K, 12) households deprived in each indicator
    dim_deprived    (S, Y+1, G, K, 6)  households deprived in at least one indicator of a dimension
    count_dist      (S, Y+1, G, K, 13) households by number of deprivations
    fgt1, fgt2      (S, Y+1, G, K)     sums over households of max(0, 1 - income/line) and its square
    income_sum      (S, Y+1, G, K)     sum of per-capita monthly income, VND
    removed         (S, Y, L, G, 12)   deprivations removed by each line in year y (households);
                                       when two lines clear the same flag of a household, the line
                                       acting first (targeted lines, then catalogue order) counts it
    """

    deprived: np.ndarray
    dim_deprived: np.ndarray
    count_dist: np.ndarray
    fgt1: np.ndarray
    fgt2: np.ndarray
    income_sum: np.ndarray
    removed: np.ndarray

    @classmethod
    def zeros(cls, S: int, Y: int, G: int, K: int, L: int) -> MultidimOutput:
        """Zero-filled arrays of the documented shapes, for an engine to fill in place."""
        return cls(
            np.zeros((S, Y + 1, G, K, N_INDICATORS)),
            np.zeros((S, Y + 1, G, K, len(DIMENSIONS))),
            np.zeros((S, Y + 1, G, K, N_INDICATORS + 1)),
            np.zeros((S, Y + 1, G, K)),
            np.zeros((S, Y + 1, G, K)),
            np.zeros((S, Y + 1, G, K)),
            np.zeros((S, Y, L, G, N_INDICATORS)),
        )

    @staticmethod
    def concatenate(parts: list[MultidimOutput]) -> MultidimOutput:
        return MultidimOutput(
            **{f.name: np.concatenate([getattr(p, f.name) for p in parts]) for f in fields(MultidimOutput)}
        )
