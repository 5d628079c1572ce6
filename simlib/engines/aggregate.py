"""Aggregate stochastic path (engine `aggregate`): multinomial draws per cell and year.

Households within a group-state are exchangeable (see `simlib.engines.kernel`), so the
household kernel's year is, in distribution, one multinomial per group-state: the N households
of the cell move to the three destinations of its row with the row's probabilities. Drawing that
multinomial directly gives the same distribution as `microsim-fast` at a cost independent of the
number of households, and vectorises over draws: all draws advance together through the shared
`YearStep` (thousands of provincial draws per second). New households: as in the kernel.

All draws of one call come from one generator seeded by SeedSequence(seed): the same seed and
number of draws give identical numbers.

Speed: `YearStep` is called on blocks of `BLOCK` draws, so its temporaries stay in the processor's
cache instead of spanning all draws (the step is elementwise over draws: a block's numbers are the
same as in one call on all draws). The random numbers are drawn in the same order as one call per
year would draw them: each call of the generator (the moves of the once-per-household line inside
the step, then the multinomials, then the new households) runs over the draws block after block,
and a call over consecutive blocks consumes the stream as one call over all of them.
"""

from __future__ import annotations

import numpy as np

from simlib.engines.common import EngineOutput, seed_sequence
from simlib.engines.expected import StepResult, YearStep
from simlib.engines.kernel import DEST, new_households
from simlib.engines.reach import acting_money, formation_sizes
from simlib.model import Model
from simlib.states import N_STATES

#: draws per `YearStep` call (its temporaries for 32 draws of Cao Bằng's 2,304 group-states stay
#: in cache; measured in benchmarks/HISTORY.md, `## aggfast`)
BLOCK = 32
#: flat (from, to) positions in a K x K matrix of each state's three destinations, (K * 3,)
MOVE_CELLS = (np.arange(N_STATES)[:, None] * N_STATES + DEST).ravel()


def draw_blocks(S: int, block: int = BLOCK) -> list[slice]:
    """Consecutive slices covering range(S): as few as hold at most `block` draws each, of sizes
    differing by at most one (no small last block: see the module docstring)."""
    k = max(1, -(-S // block))
    edges = [S * i // k for i in range(k + 1)]
    return [slice(a, b) for a, b in zip(edges[:-1], edges[1:])]


def keep_step(out: EngineOutput, b: slice, y: int, st: StepResult, counts: np.ndarray, rows: np.ndarray) -> None:
    """Write a block's year into `out` and the multinomials' inputs: households per cell `counts`
    (B, G, K) and the probabilities of their three moves `rows` (B, G, K, 3)."""
    out.reached[b, y], out.eligible[b, y], out.ps_supported[b, y], out.ps_wanting[b, y] = (
        st.reached,
        st.eligible,
        st.ps_sup,
        st.ps_want,
    )
    counts[b] = np.rint(st.n)
    B, G, K = st.n.shape
    np.clip(st.P.reshape(B, G, K * K)[:, :, MOVE_CELLS].reshape(B, G, K, 3), 0.0, 1.0, out=rows[b])


def draw_moves(out: EngineOutput, blocks: list[slice], y: int, counts, rows, rng, n_next: np.ndarray) -> None:
    """The year's moves (one multinomial per cell, block after block) into `out.flows` and the
    households they leave in each group-state into `n_next` (before new households)."""
    for b in blocks:
        moves = rng.multinomial(counts[b], rows[b])
        B, G, K = counts[b].shape
        flows = out.flows[b, y]  # zeros: the moves written in place
        flows.reshape(B, G, K * K)[:, :, MOVE_CELLS] = moves.reshape(B, G, K * 3)
        flows.sum(axis=-2, out=n_next[b])


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
    blocks = draw_blocks(S)
    steps = [YearStep(model, b.stop - b.start, model.effects[None]) for b in blocks]
    sp_all = acting_money(model, np.broadcast_to(spend, (S,) + spend.shape))
    out = EngineOutput.like("aggregate", model, S)
    n = np.broadcast_to(model.n0, (S, G, K)).astype(float)
    counts, rows, n_next = np.empty((S, G, K), np.int64), np.empty((S, G, K, 3)), np.empty((S, G, K))
    out.states[:, 0] = n
    for y in range(len(model.years)):
        for b, step in zip(blocks, steps):
            keep_step(out, b, y, step(n[b], sp_all[b, y], y, rng=rng), counts, rows)
        draw_moves(out, blocks, y, counts, rows, rng, n_next)
        entries = new_households(model, formation_sizes(model, n), rng)
        out.entries[:, y] = entries
        n = n_next + entries
        out.states[:, y + 1] = n
    return out
