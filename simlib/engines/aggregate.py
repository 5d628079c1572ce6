"""Aggregate stochastic path (engine `aggregate`): multinomial draws per cell and year.

Households within a group-state are exchangeable (see `simlib.engines.kernel`), so the
household kernel's year is, in distribution, one multinomial per group-state: the N households
of the cell move to the three destinations of its row with the row's probabilities. Drawing that
multinomial directly gives the same distribution as `microsim-fast` at a cost independent of the
number of households, and vectorises over draws: all draws advance together through the shared
`YearStep` (thousands of provincial draws per second). New households: as in the kernel.

All draws of one call come from one generator seeded by SeedSequence(seed): the same seed and
number of draws give identical numbers.
"""

from __future__ import annotations

import numpy as np

from simlib.engines.common import EngineOutput, seed_sequence
from simlib.engines.expected import YearStep
from simlib.engines.kernel import DEST, new_households
from simlib.engines.reach import acting_money, formation_sizes
from simlib.model import Model


def run_aggregate(
    model: Model,
    spend: np.ndarray,
    draws: int = 1,
    seed: int | np.random.SeedSequence = 0,
    progress: bool = False,
    label: str = "",
) -> EngineOutput:
    """`draws` replications (leading axis) with spending `spend` (Y+1, L, D), all advanced at once
    (`progress` and `label` are accepted for a uniform engine signature; one call has no steps
    worth showing)."""
    rng = np.random.default_rng(seed_sequence(seed))
    G, K = model.n0.shape
    S = int(draws)
    step = YearStep(model, S, model.effects[None])
    sp_all = acting_money(model, np.broadcast_to(spend, (S,) + spend.shape))
    out = EngineOutput.like("aggregate", model, S)
    n = np.broadcast_to(model.n0, (S, G, K)).astype(float)
    dest = np.broadcast_to(DEST.astype(np.intp), (S, G, K, 3))
    out.states[:, 0] = n
    for y in range(len(model.years)):
        st = step(n, sp_all[:, y], y, rng=rng)
        out.reached[:, y], out.eligible[:, y], out.ps_supported[:, y], out.ps_wanting[:, y] = (
            st.reached,
            st.eligible,
            st.ps_sup,
            st.ps_want,
        )
        rows = np.take_along_axis(st.P, dest, axis=-1)  # (S, G, K, 3): the three possible moves
        moves = rng.multinomial(np.rint(st.n).astype(np.int64), np.clip(rows, 0.0, 1.0)).astype(float)
        flows = out.flows[:, y]  # zeros: the moves written in place
        np.put_along_axis(flows, dest, moves, axis=-1)
        entries = new_households(model, formation_sizes(model, n), rng)
        out.entries[:, y] = entries
        n = flows.sum(axis=-2) + entries
        out.states[:, y + 1] = n
    return out
