"""What both engines share: the output container and the beneficiary rules at cell level."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from simlib.transitions import combined_effects


@dataclass
class EngineOutput:
    """Arrays from one engine run; leading axis S = draws (microsim) or scenarios (expected).

    states   (S, Y+1, G, K) households at each review, index 0 = baseline
    flows    (S, Y, G, K, K) households moving from -> to during projected year y
    entries  (S, Y, G, K) new households formed during year y, by state at the review
    reached  (S, Y, L, D) beneficiaries reached (households, or officers / communes)
    eligible (S, Y, L, D) eligible beneficiaries
    ps_supported, ps_wanting (S, Y) households given / wanting production support
    multidim (optional) deprivation and income arrays of the multidimensional model
             (simlib.multidim.output.MultidimOutput); None for the states model
    """

    engine: str
    states: np.ndarray
    flows: np.ndarray
    entries: np.ndarray
    reached: np.ndarray
    eligible: np.ndarray
    ps_supported: np.ndarray
    ps_wanting: np.ndarray
    multidim: object | None = None

    @property
    def n_draws(self) -> int:
        return self.states.shape[0]

    @classmethod
    def zeros(cls, engine: str, S: int, Y: int, G: int, K: int, L: int, D: int) -> EngineOutput:
        """Zero-filled arrays of the documented shapes, for an engine to fill in place."""
        return cls(
            engine,
            np.zeros((S, Y + 1, G, K)),
            np.zeros((S, Y, G, K, K)),
            np.zeros((S, Y, G, K)),
            np.zeros((S, Y, L, D)),
            np.zeros((S, Y, L, D)),
            np.zeros((S, Y)),
            np.zeros((S, Y)),
        )

    def arrays(self) -> tuple:
        """(states, flows, entries, reached, eligible, ps_supported, ps_wanting)."""
        return self.states, self.flows, self.entries, self.reached, self.eligible, self.ps_supported, self.ps_wanting


def fill_tiers(reached: np.ndarray, eligible_by_tier: np.ndarray) -> np.ndarray:
    """Beneficiaries per priority tier: tier 0 first, each up to its eligible count.

    reached (...,), eligible_by_tier (..., T) -> covered (..., T), summing to min(reached, total).
    """
    before = np.cumsum(eligible_by_tier, axis=-1) - eligible_by_tier
    return np.clip(reached[..., None] - before, 0.0, eligible_by_tier)


def reach(spend: np.ndarray, unit_cost: np.ndarray, eligible_total: np.ndarray) -> np.ndarray:
    """Beneficiaries a budget buys: min(spend / unit cost, eligible). Shapes (..., L, D)."""
    return np.minimum(spend / unit_cost[:, None], eligible_total)


def effective_effects(effects: np.ndarray, boost: np.ndarray) -> np.ndarray:
    """Per-state effect pairs (..., L, D, K, 2) after each unit's enabling boost.

    effects (..., L, C); boost (..., D). Effects are capped at 0.99 so no line is certain.
    """
    e = effects[..., :, None, :] * (1.0 + boost[..., None, :, None])  # (..., L, D, C)
    return combined_effects(np.minimum(e, 0.99))
