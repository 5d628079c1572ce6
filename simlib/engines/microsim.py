"""Household microsimulation: individual households, beneficiaries chosen by the plan's priority
order, budgets exhausted by unit costs, transitions drawn per household.

Each draw starts from the same synthetic population (one record per household of the baseline,
attribute classes split exactly by their shares) and uses its own `numpy.random.Generator`
spawned from the scenario seed, so draws are independent and reproducible on any machine.
Vectorised over households: the only Python loops are over years and budget lines.
"""

from __future__ import annotations

import numpy as np

from simlib.engines.common import EngineOutput, effective_effects, fill_tiers, reach
from simlib.model import Model, active_spend, enabling_boost
from simlib.states import N_STATES
from simlib.transitions import transition_matrix


def synthesise_population(model: Model) -> tuple[np.ndarray, np.ndarray]:
    """One record per baseline household: (group index int32, state int8)."""
    counts = model.n0.astype(np.int64).ravel()
    gk = np.repeat(np.arange(counts.size), counts)
    return (gk // N_STATES).astype(np.int32), (gk % N_STATES).astype(np.int8)


def _stochastic_round(x: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Integers with expectation x (x >= 0)."""
    base = np.floor(x)
    return (base + (rng.random(x.shape) < (x - base))).astype(np.int64)


def select_beneficiaries(
    key: np.ndarray, n_select: np.ndarray, n_groups: np.ndarray, rng: np.random.Generator
) -> np.ndarray:
    """Pick exactly `n_select[b]` of the households in each bin b uniformly at random.

    key (n,) bin of each eligible household; n_select, n_groups (B,) ints. Returns (n,) bool.
    Bins that are fully covered or empty need no random numbers; only partly covered ones sort:
    a random permutation, then a stable sort by bin (a linear-time radix sort for 16-bit bins),
    leaves each bin's households in uniformly random order.
    """
    full = n_select >= n_groups
    chosen = full[key]
    partial = (n_select > 0) & ~full
    idx = np.flatnonzero(partial[key])
    if idx.size:
        perm = rng.permutation(idx.size)
        small = n_groups.size <= np.iinfo(np.int16).max  # bins fit 16 bits: numpy radix-sorts them
        order = perm[np.argsort(key[idx[perm]].astype(np.int16 if small else np.int64), kind="stable")]
        ks = key[idx][order]
        first = np.searchsorted(ks, ks, side="left")
        rank = np.arange(ks.size) - first
        chosen[idx[order[rank < n_select[ks]]]] = True
    return chosen


def _rows(rates_g: np.ndarray, state: np.ndarray, f1: np.ndarray, f2: np.ndarray) -> np.ndarray:
    """Each household's transition row (n, K) from its group's rates and its own factors."""
    f1k = np.ones((state.size, N_STATES))
    f2k = np.ones((state.size, N_STATES))
    ar = np.arange(state.size)
    f1k[ar, state] = f1
    f2k[ar, state] = f2
    P = transition_matrix(rates_g, f1k, f2k)  # (n, K, K)
    return P[ar, state]


def simulate(model: Model, rng: np.random.Generator, spend: np.ndarray | None = None) -> EngineOutput:
    """One microsimulation draw."""
    spend = model.spend if spend is None else spend
    L, G, K = model.eligible.shape
    D, T, Y = len(model.unit_ids), model.n_tiers, len(model.years)
    hh_line = model.household_line
    group, state = synthesise_population(model)

    out = EngineOutput.zeros("microsim", 1, Y, G, K, L, D)
    states, flows, entries, reached_out, elig_out, ps_sup, ps_want = out.arrays()
    states[0, 0] = np.bincount(group * K + state, minlength=G * K).reshape(G, K)

    for y in range(Y):
        sp = active_spend(model, spend, y)  # (L, D)
        unit = model.g_unit[group]
        reached = np.zeros((L, group.size), bool)
        R_all = np.where(hh_line[:, None], 0.0, reach(sp, model.unit_cost, model.capacity_units))
        for li in np.flatnonzero(hh_line):
            el = model.eligible[li][group, state]
            key = unit * T + model.tier[li][group, state]
            E = np.bincount(key[el], minlength=D * T).reshape(D, T).astype(float)
            ms = model.max_share[li]
            R = reach(sp[li][None], model.unit_cost[li : li + 1], ms * E.sum(-1)[None])[0]
            # the expected engine's coverage per tier, rounded to whole households without bias
            n_sel = np.minimum(_stochastic_round(fill_tiers(R, ms * E), rng), E.astype(np.int64)).ravel()
            R_int = n_sel.reshape(D, T).sum(-1)
            sel = np.zeros(group.size, bool)
            sel[el] = select_beneficiaries(key[el], n_sel, E.ravel().astype(np.int64), rng)
            reached[li] = sel
            R_all[li] = R_int
            elig_out[0, y, li] = E.sum(-1)
        elig_out[0, y, ~hh_line] = model.capacity_units[~hh_line]
        reached_out[0, y] = R_all
        boost = enabling_boost(model, np.where(hh_line[:, None], 0.0, R_all))  # (D,)
        comb = effective_effects(model.effects, boost)  # (L, D, K, 2)
        f1 = np.ones(group.size)
        f2 = np.ones(group.size)
        for li in np.flatnonzero(hh_line & (model.effects[:, :4].sum(1) > 0)):
            m = reached[li]
            if m.any():
                c = comb[li, unit[m], state[m]]
                f1[m] *= 1.0 - c[:, 0]
                f2[m] *= 1.0 - c[:, 1]
        # production support indicator
        target = model.ps_population[group, state]
        ps_want[0, y] = model.ps_want_share * target.sum()
        ps_sup[0, y] = (target & reached[model.ps_lines].any(axis=0)).sum()
        # transitions: one uniform per household
        rows = _rows(model.rates[group], state, f1, f2)
        u = rng.random(group.size)
        new_state = (u[:, None] > np.cumsum(rows, axis=1)).sum(axis=1).clip(0, K - 1).astype(np.int8)
        flows[0, y] = np.bincount((group.astype(np.int64) * K + state) * K + new_state, minlength=G * K * K).reshape(
            G, K, K
        )
        # household formation: expected growth * households per group, states by entry shares
        size_g = np.bincount(group, minlength=G)
        n_new = _stochastic_round(model.growth * size_g, rng)
        new_group = np.repeat(np.arange(G, dtype=np.int32), n_new)
        new_st = rng.choice(K, size=new_group.size, p=model.entry).astype(np.int8)
        entries[0, y] = np.bincount(new_group * K + new_st, minlength=G * K).reshape(G, K)
        group = np.concatenate([group, new_group])
        state = np.concatenate([new_state, new_st])
        states[0, y + 1] = np.bincount(group * K + state, minlength=G * K).reshape(G, K)
    return EngineOutput("microsim", states, flows, entries, reached_out, elig_out, ps_sup, ps_want)


def run_microsim(model: Model, draws: int = 1, seed: int = 0, progress: bool = False, label: str = "") -> EngineOutput:
    """`draws` independent replications; draw i uses the i-th child of SeedSequence(seed)."""
    from tqdm.auto import tqdm

    children = np.random.SeedSequence(seed).spawn(draws)
    outs = [
        simulate(model, np.random.default_rng(c))
        for c in tqdm(children, desc=label or "microsim", disable=not progress, leave=False)
    ]
    cat = {
        f: np.concatenate([getattr(o, f) for o in outs])
        for f in ("states", "flows", "entries", "reached", "eligible", "ps_supported", "ps_wanting")
    }
    return EngineOutput("microsim", **cat)
