"""Household microsimulation: individual households, beneficiaries chosen by the plan's priority
order, budgets exhausted by unit costs, transitions drawn per household; a line with a support
cycle does not reach a household it supported within the cycle (each household's last support
year per line is kept).

Each draw starts from the same synthetic population (one record per household of the baseline,
attribute classes split exactly by their shares) and uses its own `numpy.random.Generator`
spawned from the scenario seed, so draws are independent and reproducible on any machine.
Vectorised over households: the only Python loops are over years and budget lines. Who is
reached follows the shared programme step (`simlib.engines.reach.reach_households`).
"""

from __future__ import annotations

import numpy as np

from simlib.engines.common import EngineOutput, run_draws
from simlib.engines.reach import (
    HouseholdReach,
    acting_money,
    effect_pairs,
    held_stock,
    new_household_records,
    production_support_households,
    protective,
    reach_households,
    record,
    supported_within,
)
from simlib.model import Model
from simlib.states import N_STATES
from simlib.transitions import transition_matrix

#: `last` of a household a line never supported
NEVER = -(2**30)


def synthesise_population(model: Model) -> tuple[np.ndarray, np.ndarray]:
    """One record per baseline household: (group index int32, state int8)."""
    counts = model.n0.astype(np.int64).ravel()
    gk = np.repeat(np.arange(counts.size), counts)
    return (gk // N_STATES).astype(np.int32), (gk % N_STATES).astype(np.int8)


def _rows(rates_g: np.ndarray, state: np.ndarray, f1: np.ndarray, f2: np.ndarray) -> np.ndarray:
    """Each household's transition row (n, K) from its group's rates and its own factors."""
    f1k = np.ones((state.size, N_STATES))
    f2k = np.ones((state.size, N_STATES))
    ar = np.arange(state.size)
    f1k[ar, state] = f1
    f2k[ar, state] = f2
    P = transition_matrix(rates_g, f1k, f2k)  # (n, K, K)
    return P[ar, state]


def household_factors(model: Model, group: np.ndarray, state: np.ndarray, r: HouseholdReach):
    """Each household's factors F1, F2 (n,): the product over the lines reaching it of one minus
    the line's effect pair for its state (`simlib.transitions`) — every channel for a household
    reached anew, the protective ones for one served by an area line's standing works or living
    in a house the once-per-household line built in an earlier year (`group` before this year's
    moves)."""
    act = effect_pairs(model.effects, r.boost)  # (L, D, K, 2)
    prot = effect_pairs(protective(model.effects), r.boost)
    unit = model.g_unit[group]
    housed = model.g_housed[group]
    f1 = np.ones(group.size)
    f2 = np.ones(group.size)
    for li in np.flatnonzero(model.household_line & (model.effects[:, :4].sum(1) > 0)):
        standing = r.old[li] | (housed & ~r.chosen[li]) if model.once_line[li] else r.old[li]
        for m, comb in ((r.chosen[li], act), (standing, prot)):
            if m.any():
                c = comb[li, unit[m], state[m]]
                f1[m] *= 1.0 - c[:, 0]
                f2[m] *= 1.0 - c[:, 1]
    return f1, f2


def move_housed(model: Model, group: np.ndarray, chosen: np.ndarray) -> np.ndarray:
    """Groups after the once-per-household line moved the households it reached to their twins."""
    moved = chosen[model.once_line].any(axis=0)
    return np.where(moved, model.twin[group], group).astype(group.dtype)


def _cell_counts(group: np.ndarray, state: np.ndarray, G: int) -> np.ndarray:
    return np.bincount(group * N_STATES + state, minlength=G * N_STATES).reshape(G, N_STATES)


def simulate(model: Model, spend: np.ndarray, rng: np.random.Generator) -> EngineOutput:
    """One microsimulation draw with spending `spend` (Y+1, L, D)."""
    G, K, Y = len(model.g_unit), N_STATES, len(model.years)
    group, state = synthesise_population(model)
    out = EngineOutput.like("microsim", model, 1)
    states, flows, entries, reached_out, elig_out, ps_sup, ps_want = out.arrays()
    states[0, 0] = _cell_counts(group, state, G)
    acting = acting_money(model, spend)  # (Y, L, D)
    built = np.zeros((Y,) + acting.shape[1:])  # each year's `reach.record` (area lines' works)
    last = np.full((len(model.line_codes), group.size), NEVER)  # year each line last supported each household
    for y in range(Y):
        recent = supported_within(model, last, y)
        r = reach_households(model, acting[y], group, state, rng, stock=held_stock(model, built, y), recent=recent)
        built[y] = record(model, r.reached, r.eligible)
        last[r.chosen] = y
        reached_out[0, y], elig_out[0, y] = r.reached, r.eligible
        ps_sup[0, y], ps_want[0, y] = production_support_households(model, group, state, r.chosen)
        f1, f2 = household_factors(model, group, state, r)
        group = move_housed(model, group, r.chosen)
        # transitions: one uniform per household
        rows = _rows(model.rates[group], state, f1, f2)
        u = rng.random(group.size)
        new_state = (u[:, None] > np.cumsum(rows, axis=1)).sum(axis=1).clip(0, K - 1).astype(np.int8)
        flows[0, y] = np.bincount((group.astype(np.int64) * K + state) * K + new_state, minlength=G * K * K).reshape(
            G, K, K
        )
        # household formation: expected growth * households per group, states by entry shares
        new_group, new_st = new_household_records(model, group, rng)
        entries[0, y] = _cell_counts(new_group, new_st, G)
        group = np.concatenate([group, new_group])
        state = np.concatenate([new_state, new_st])
        last = np.concatenate([last, np.full((last.shape[0], new_group.size), NEVER)], axis=1)
        states[0, y + 1] = _cell_counts(group, state, G)
    return out


def run_microsim(
    model: Model,
    spend: np.ndarray,
    draws: int = 1,
    seed: int | np.random.SeedSequence = 0,
    progress: bool = False,
    label: str = "",
) -> EngineOutput:
    """`draws` independent replications; draw i uses the i-th child of SeedSequence(seed)."""
    return run_draws(lambda rng: simulate(model, spend, rng), "microsim", draws, seed, progress, label)
