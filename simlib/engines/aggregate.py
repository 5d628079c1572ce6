"""Aggregate stochastic path (engine `aggregate`): multinomial draws per cell and year.

Households within a group-state are exchangeable (see `simlib.engines.kernel`), so the
household kernel's year is, in distribution, one multinomial per group-state: the N households
of the cell move to the three destinations of its row with the row's probabilities. Drawing that
multinomial directly gives the same distribution as `microsim-fast` at a cost independent of the
number of households, and vectorises over draws: all draws advance together through the shared
`YearStep` arithmetic (about a millisecond of CPU per draw of Cao Bằng). New households: as in the
kernel.

All draws of one call come from one generator seeded by SeedSequence(seed): the same seed and
number of draws give identical numbers.

Speed (the same numbers as advancing all draws through one `YearStep` call a year):
- the step is `simlib.engines.aggregate_step.DrawStep`, `YearStep`'s arithmetic without the terms
  that are zero in every draw (two parts of it compiled), on blocks of at most `BLOCK` draws, so
  that its temporaries stay in the processor's cache. The step works draw by draw, so a block's
  numbers are those of one call on all draws — with one exception numpy decides: the
  production-support sum over group-states is added up in an order that follows the memory layout
  numpy picks for it, which depends on the number of draws in the call (Cao Bằng: one layout below
  15 draws, another from 15 on). Blocks are therefore of (nearly) equal size, never a small
  remainder (`draw_blocks`); tests check the outputs against one call on all draws byte for byte.
- the random numbers are drawn in the same order as one call per year: each call of the generator
  (the moves of the once-per-household line inside the step, then the multinomials, then the new
  households) runs over the draws block after block, and calls over consecutive blocks consume the
  stream as one call over all of them.
- the moves become flows and next year's households through products with 0/1 matrices
  (`TO_FLOWS`, `TO_STATES`: whole numbers copied and added exactly).
"""

from __future__ import annotations

import numpy as np

from simlib.engines.aggregate_step import MOVE_CELLS, DrawStep, DrawYear
from simlib.engines.common import EngineOutput, seed_sequence
from simlib.engines.kernel import DEST, new_households
from simlib.engines.reach import acting_money, formation_sizes
from simlib.model import Model
from simlib.states import N_STATES

#: draws per `DrawStep` call at most (its temporaries for 32 draws of Cao Bằng's 2,304
#: group-states stay in cache; benchmarks/HISTORY.md, `## aggfast`)
BLOCK = 32
#: 0/1 matrices from a cell's three moves of each state (K * 3) to its flows (K * K) and to the
#: households arriving in each state (K): a product with them copies and adds whole numbers
#: exactly, in one call for a block of draws
TO_FLOWS = np.zeros((N_STATES * 3, N_STATES * N_STATES))
TO_FLOWS[np.arange(N_STATES * 3), MOVE_CELLS] = 1.0
TO_STATES = np.zeros((N_STATES * 3, N_STATES))
TO_STATES[np.arange(N_STATES * 3), DEST.ravel()] = 1.0


def draw_blocks(S: int, block: int = BLOCK) -> list[slice]:
    """Consecutive slices covering range(S): as few as hold at most `block` draws each, of sizes
    differing by at most one (no small last block: see the module docstring)."""
    k = max(1, -(-S // block))
    edges = [S * i // k for i in range(k + 1)]
    return [slice(a, b) for a, b in zip(edges[:-1], edges[1:])]


def keep_step(out: EngineOutput, b: slice, y: int, st: DrawYear, counts: np.ndarray, rows: np.ndarray) -> None:
    """Write a block's year into `out` and the multinomials' inputs: households per cell `counts`
    (B, G, K) and the probabilities of their three moves `rows` (B, G, K, 3)."""
    out.reached[b, y], out.eligible[b, y], out.ps_supported[b, y], out.ps_wanting[b, y] = (
        st.reached,
        st.eligible,
        st.ps_sup,
        st.ps_want,
    )
    counts[b] = np.rint(st.n)
    np.clip(st.rows, 0.0, 1.0, out=rows[b])


def draw_moves(out: EngineOutput, blocks: list[slice], y: int, counts, rows, rng, n_next: np.ndarray) -> None:
    """The year's moves (one multinomial per cell, block after block) into `out.flows` and the
    households they leave in each group-state into `n_next` (before new households)."""
    for b in blocks:
        B, G, K = counts[b].shape
        moves = rng.multinomial(counts[b], rows[b]).reshape(B, G, K * 3).astype(float)
        np.matmul(moves, TO_FLOWS, out=out.flows[b, y].reshape(B, G, K * K))
        np.matmul(moves, TO_STATES, out=n_next[b])


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
    blocks = draw_blocks(S, BLOCK)
    steps = [DrawStep(model, b.stop - b.start) for b in blocks]
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
