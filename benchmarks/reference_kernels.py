"""Reference implementations timed beside the compiled kernels in the same benchmark run: the
household engines as they were before the compiled passes (numpy, one boolean per line and
household, a random permutation and a sort per line and year for the beneficiaries), kept here
verbatim so that the ratios in `results.json` compare like with like. Not part of the library.
"""

from __future__ import annotations

import numpy as np

from simlib.engines.common import EngineOutput
from simlib.engines.microsim import synthesise_population as microsim_population
from simlib.engines.multidim_microsim import Households
from simlib.engines.reach import (
    HouseholdReach,
    acting_spend,
    effect_pairs,
    held_stock,
    new_household_records,
    production_support_households,
    protective,
    reach_households,
    record,
)
from simlib.model import Model
from simlib.multidim.model import NEXT_STATE, MultidimModel
from simlib.standards import N_INDICATORS, classify
from simlib.states import N_STATES
from simlib.transitions import transition_matrix


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


def microsim_simulate(model: Model, spend: np.ndarray, rng: np.random.Generator) -> EngineOutput:
    """One microsimulation draw with spending `spend` (Y+1, L, D)."""
    G, K, Y = len(model.g_unit), N_STATES, len(model.years)
    group, state = microsim_population(model)
    group = group.astype(np.int32)
    out = EngineOutput.like("microsim", model, 1)
    states, flows, entries, reached_out, elig_out, ps_sup, ps_want = out.arrays()
    states[0, 0] = _cell_counts(group, state, G)
    acting = acting_spend(model, spend)  # (Y, L, D)
    built = np.zeros((Y,) + acting.shape[1:])  # what each year leaves in the lines' pools
    for y in range(Y):
        r = reach_households(model, acting[y], group, state, rng, stock=held_stock(model, built, y))
        built[y] = record(model, r.reached, r.eligible)
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
        states[0, y + 1] = _cell_counts(group, state, G)
    return out


def _programme(mm: MultidimModel, hh: Households, sp: np.ndarray, rng: np.random.Generator, stock=None):
    """The year's programme: who each line reaches (the shared step; lines that target deprived
    households select among those deprived in their indicators), then lines clear their flags
    (targeted lines first) and add their income effects. Returns (reach, mask, income (float64),
    deprivations removed (L, G, 12))."""
    model = mm.base
    L, G, K = model.eligible.shape
    group, state = hh.group, hh.state
    mask = hh.mask.copy()
    income = hh.income.astype(np.float64)
    unit = model.g_unit[group]

    def selectable(li: int, el: np.ndarray) -> np.ndarray:
        return el & ((mask & np.uint16(mm.line_bits[li])) != 0) if mm.targeted[li] else el

    r = reach_households(model, sp, group, state, rng, selectable, stock=stock)
    removed = np.zeros((L, G, N_INDICATORS))
    for li in mm.line_order:
        bits = int(mm.line_bits[li])
        if not model.household_line[li] or mm.removal[li] <= 0 or bits == 0:
            continue
        idx = np.flatnonzero(r.chosen[li])
        if not idx.size:
            continue
        p_clear = np.minimum(1.0, mm.removal[li] * (1.0 + r.boost[unit[idx]]))
        for j in range(N_INDICATORS):
            if not (bits >> j) & 1:
                continue
            has = ((mask[idx] >> np.uint16(j)) & 1).astype(bool)
            clear = has & (rng.random(idx.size) < p_clear)
            mask[idx[clear]] &= np.uint16(~(1 << j) & 0xFFFF)
            removed[li, :, j] += np.bincount(group[idx[clear]], minlength=G)
    for li in np.flatnonzero(model.household_line & (mm.income_effect > 0)):
        m = r.chosen[li]
        income[m] += mm.income_effect[li] * (1.0 + r.boost[unit[m]])
    return r, mask, income, removed


def _own_changes(mm: MultidimModel, group: np.ndarray, mask: np.ndarray, income: np.ndarray, rng) -> tuple:
    """The indicators' own yearly gain and loss, then income growth, volatility and shocks."""
    u = rng.random((group.size, N_INDICATORS))
    bits = ((mask[:, None] >> np.arange(N_INDICATORS, dtype=np.uint16)[None, :]) & 1).astype(bool)
    new_bits = np.where(bits, u >= mm.loss[None, :], u < mm.gain[None, :])
    mask = (
        (new_bits.astype(np.uint16) << np.arange(N_INDICATORS, dtype=np.uint16)[None, :]).sum(axis=1).astype(np.uint16)
    )
    area = mm.base.g_area[group]
    logf = mm.drift[area] + mm.volatility * rng.standard_normal(group.size)
    for _, prob, loss in mm.shocks:
        hit = rng.random(group.size) < prob[area]
        logf = logf + np.where(hit, np.log1p(-loss), 0.0)
    return mask, (income * np.exp(logf)).astype(np.float32)


def multidim_step(
    mm: MultidimModel, hh: Households, y: int, sp: np.ndarray, rng: np.random.Generator, stock=None
) -> dict:
    """Advance every household through projected year y (review t = y + 1) with money acting
    this year `sp` (L, D) (area lines' standing works serving `stock` (L, D) households); `hh`
    is not changed. A household a once-per-household line reached moves to its group's twin.

    Returns {'households': next records (without new households), 'reached', 'eligible',
    'ps_supported', 'ps_wanting', 'removed' (L, G, 12)}.
    """
    model = mm.base
    r, mask, income, removed = _programme(mm, hh, sp, rng, stock)
    ps_sup, ps_want = production_support_households(model, hh.group, hh.state, r.chosen)
    mask, income = _own_changes(mm, hh.group, mask, income, rng)
    # classification at the review and the next state
    cls = classify(income, mask, model.g_area[hh.group], mm.review_standard[y + 1])
    moved = r.chosen[model.once_line].any(axis=0)
    group = np.where(moved, model.twin[hh.group], hh.group)
    return {
        "households": Households(group, NEXT_STATE[hh.state, cls], income, mask),
        "reached": r.reached,
        "eligible": r.eligible,
        "ps_supported": ps_sup,
        "ps_wanting": ps_want,
        "removed": removed,
    }
