"""Household microsimulation: individual households, beneficiaries chosen by the plan's priority
order, budgets exhausted by unit costs, transitions drawn per household.

Each draw starts from the same synthetic population (one record per household of the baseline,
attribute classes split exactly by their shares) and uses its own `numpy.random.Generator`
spawned from the scenario seed, so draws are independent and reproducible on any machine.
Each year is two compiled passes over the households: who is reached (the shared programme step
with exactly the budget's number of beneficiaries per unit and priority tier picked as a uniformly
random subset, `simlib.engines.household_reach`), then each household's transition factors — the
product over the lines reaching it of one minus the line's effect pair for its state
(`simlib.transitions`): every channel for a household reached anew, the protective ones for one
served by an area line's standing works or living in a house the once-per-household line built
in an earlier year — its row and its next state (`simlib.engines.targeted_kernels`).
"""

from __future__ import annotations

import numpy as np

from simlib.engines import household_reach as hr
from simlib.engines import targeted_kernels as kern
from simlib.engines.common import EngineOutput, run_draws
from simlib.engines.reach import effect_pairs, new_household_records, protective
from simlib.model import Model
from simlib.states import N_STATES
from simlib.transitions import affine_parts


def synthesise_population(model: Model) -> tuple[np.ndarray, np.ndarray]:
    """One record per baseline household: (group index, uint16 up to 65,536 groups, else int32;
    state int8)."""
    counts = model.n0.astype(np.int64).ravel()
    G = len(model.g_unit)
    gtype = np.uint16 if G <= np.iinfo(np.uint16).max + 1 else np.int32
    return np.repeat((np.arange(counts.size) // N_STATES).astype(gtype), counts), np.repeat(
        (np.arange(counts.size) % N_STATES).astype(np.int8), counts
    )


def move_housed(model: Model, group: np.ndarray, chosen: np.ndarray) -> np.ndarray:
    """Groups after the once-per-household line moved the households it reached to their twins."""
    moved = chosen[model.once_line].any(axis=0)
    return np.where(moved, model.twin[group], group).astype(group.dtype)


def _year_arrays(model: Model, r) -> tuple:
    """The yearly pass's line arrays (`targeted_kernels.year_pass`) given the year's reach."""
    s = model.structure
    eff = np.flatnonzero(s.household_line & (model.effects[:, :4].sum(1) > 0))
    L = len(s.line_codes)
    act, prot = np.zeros((2, L, r.boost.size, N_STATES, 2))  # (L, D, K, 2); the pass reads the lines `eff` only
    act[eff] = effect_pairs(model.effects[eff], r.boost)
    prot[eff] = effect_pairs(protective(model.effects[eff]), r.boost)
    dtype = r.chosen.dtype.type
    eff_bits = hr.mask_of_lines(np.isin(np.arange(L), eff), dtype)
    return (
        eff,
        s.once_line,
        act,
        prot,
        hr.mask_of_lines(s.once_line, dtype),
        hr.mask_of_lines(s.ps_lines, dtype),
        eff_bits,
    )


def simulate(model: Model, spend: np.ndarray, rng: np.random.Generator) -> EngineOutput:
    """One microsimulation draw with spending `spend` (Y+1, L, D): per year the programme step
    (`household_reach`), then one compiled pass over the households (`targeted_kernels`)."""
    G, K, Y = len(model.g_unit), N_STATES, len(model.years)
    group, state = synthesise_population(model)
    out = EngineOutput.like("microsim", model, 1)
    out.states[0, 0] = model.n0
    s = model.structure
    groups = (np.asarray(s.g_unit, np.int64), s.g_housed, np.asarray(s.twin, np.int64), s.ps_population)
    parts = np.ascontiguousarray(affine_parts(model.rates))  # (3, G, K, K)
    parts = (parts, kern.unreached_rows(parts))
    years = hr.ProgrammeYears(model, spend, out)
    for y in range(Y):
        r = years.reach(y, group, state, None, rng)
        flows, ps = np.zeros(G * K * K, np.int64), np.zeros(2)
        g_next, s_next = np.empty_like(group), np.empty_like(state)
        kern.year_pass(group, state, r.chosen, r.old, hr.seed_of(rng), _year_arrays(model, r), groups, parts, g_next,
                       s_next, flows, ps)  # fmt: skip
        out.ps_supported[0, y], out.ps_wanting[0, y] = ps[0], model.params.ps_want_share * ps[1]
        out.flows[0, y] = flows.reshape(G, K, K)
        # household formation: expected growth * households per group, states by entry shares
        new_group, new_st = new_household_records(model, None, rng, counts=flows.reshape(G, K * K).sum(1))
        out.entries[0, y] = np.bincount(new_group.astype(np.int64) * K + new_st, minlength=G * K).reshape(G, K)
        group = np.concatenate([g_next, new_group.astype(g_next.dtype)])
        state = np.concatenate([s_next, new_st])
        out.states[0, y + 1] = out.flows[0, y].sum(axis=-2) + out.entries[0, y]
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
