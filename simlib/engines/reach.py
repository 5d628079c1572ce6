"""How money reaches households: the one programme step every engine takes.

Each projected year, for every budget line and unit:

1. money acting this year: each line's spending from `lag` years earlier (`acting_spend`);
2. eligible households per priority tier — counted by each engine in its own way (cells, classes
   of cells, individual households, households deprived in the line's indicators) and handed in
   as `by_tier` (..., L, D, T); officer and commune lines count officers / communes instead;
3. beneficiaries = min(money / unit cost, eligible x take-up ceiling `max_share`), filled in the
   plan's priority order, tier by tier, each up to its take-up ceiling (`beneficiaries`);
4. the share of each tier's eligible households reached (`coverage_shares`) — the expected
   engines' probability of being reached; the household engines round it to whole households
   without bias and draw exactly that many (`whole_beneficiaries`, `reach_households`);
5. the enabling boost: communication, training and monitoring raise the household lines' effects
   in a unit by the sum of their enabling effects x share of the unit's officers / communes
   reached (`enabling_boost`);
6. each line's channel effects after the boost, capped at 0.99 (`boosted_effects`), and the
   per-state effect pairs the transition factors use (`effect_pairs`).

The compiled expected loop (`simlib.engines.expected_jit`) repeats this arithmetic inside numba
for speed; tests hold it equal to this reference.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

import numpy as np

from simlib.engines.common import stochastic_round
from simlib.memo import memoised
from simlib.transitions import ENA, combined_effects


def _lag_index(model) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    idx = np.arange(len(model.years))[:, None] + 1 - model.params.lag[None, :]
    return np.clip(idx, 0, None), np.arange(idx.shape[1]), (idx >= 0)[:, :, None]


def lag_index(model) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(Y, L) index of the spending year acting in each projected year (clipped at 0), the line
    index (L,), and (Y, L, 1) whether that year exists (index 0 of `spend` is the year before the
    start); cached on the model (years and lags)."""
    return memoised(model, "lag_index", partial(_lag_index, model))


def acting_spend(model, spend: np.ndarray) -> np.ndarray:
    """Spending (..., Y, L, D) that acts on each projected year's transitions: each line's money
    from `lag` years earlier, from spending (..., Y+1, L, D)."""
    year, line, ok = lag_index(model)
    return spend[..., year, line, :] * ok


def reach(spend: np.ndarray, unit_cost: np.ndarray, eligible_total: np.ndarray) -> np.ndarray:
    """Beneficiaries a budget buys: min(spend / unit cost, eligible). Shapes (..., L, D)."""
    return np.minimum(spend / unit_cost[:, None], eligible_total)


def fill_tiers(reached: np.ndarray, eligible_by_tier: np.ndarray) -> np.ndarray:
    """Beneficiaries per priority tier: tier 0 first, each up to its eligible count.

    reached (...,), eligible_by_tier (..., T) -> covered (..., T), summing to min(reached, total).
    """
    before = np.cumsum(eligible_by_tier, axis=-1) - eligible_by_tier
    return np.clip(reached[..., None] - before, 0.0, eligible_by_tier)


@dataclass
class Reach:
    """What a year's money buys, by line and unit (leading axes as the inputs')."""

    reached: np.ndarray  # (..., L, D) beneficiaries: households, officers or communes
    eligible: np.ndarray  # (..., L, D) eligible households (officers / communes for those lines)
    covered: np.ndarray  # (..., L, D, T) households reached in each priority tier


def beneficiaries(model, sp: np.ndarray, by_tier: np.ndarray, lines=None) -> Reach:
    """Steps 3 of the module docstring for money acting `sp` (..., L, D) and eligible households
    `by_tier` (..., L, D, T); `lines` (indices) when the arrays hold some lines only."""
    sel = slice(None) if lines is None else lines
    p, s = model.params, model.structure
    hh, ms = s.household_line[sel], p.max_share[sel]
    eligible = np.where(hh[:, None], by_tier.sum(-1), s.capacity_units[sel])
    reached = reach(sp, p.unit_cost[sel], eligible * ms[:, None])
    return Reach(reached, eligible, fill_tiers(reached, by_tier * ms[:, None, None]))


def coverage_shares(covered: np.ndarray, by_tier: np.ndarray) -> np.ndarray:
    """Share of each tier's eligible households reached (0 where a tier is empty)."""
    return np.divide(covered, by_tier, out=np.zeros_like(covered), where=by_tier > 0)


def enabling_boost(model, reached: np.ndarray) -> np.ndarray:
    """Relative boost (..., D) of household lines' effects from reached (..., L, D): the sum over
    enabling lines of their enabling effect x share of the unit's officers / communes reached
    (household lines do not count)."""
    return np.einsum("...ld,l->...d", reached * model.structure.inv_capacity, model.params.effects[:, ENA])


def boosted_effects(effects: np.ndarray, boost: np.ndarray) -> np.ndarray:
    """Channel effects (..., L, D, C) of each line in each unit after the unit's enabling boost,
    capped at 0.99 so that no line is certain. effects (..., L, C); boost (..., D)."""
    return np.minimum(effects[..., :, None, :] * (1.0 + boost[..., None, :, None]), 0.99)


def effect_pairs(effects: np.ndarray, boost: np.ndarray) -> np.ndarray:
    """Per-state effect pairs (..., L, D, K, 2) of `simlib.transitions.combined_effects`."""
    return combined_effects(boosted_effects(effects, boost))


def production_support_cells(model, n: np.ndarray, miss: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Households (S,) of the production-support target group given support, and wanting it,
    from households (S, G, K) and the share of each group-state no counted line reaches."""
    target = n * model.structure.ps_population
    supported = (target * (1.0 - miss)).sum(axis=(1, 2))
    return supported, model.params.ps_want_share * target.sum(axis=(1, 2))


def whole_beneficiaries(covered: np.ndarray, by_tier: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Households to draw per (unit, tier) bin (flat): the covered households rounded to whole
    households without bias, never more than the bin holds."""
    return np.minimum(stochastic_round(covered, rng), by_tier.astype(np.int64)).ravel()


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


@dataclass
class HouseholdReach:
    """What a year's money buys among individual households."""

    chosen: np.ndarray  # (L, n) bool: which households each line reaches
    reached: np.ndarray  # (L, D) beneficiaries (whole households; officers / communes)
    eligible: np.ndarray  # (L, D)
    boost: np.ndarray  # (D,) enabling boost


def reach_households(
    model,
    sp: np.ndarray,
    group: np.ndarray,
    state: np.ndarray,
    rng: np.random.Generator,
    selectable: Callable[[int, np.ndarray], np.ndarray] | None = None,
) -> HouseholdReach:
    """The programme step for engines that hold households one by one (group, state (n,)) and
    money acting `sp` (L, D): eligible households counted by (unit, tier), beneficiaries as in
    `beneficiaries`, then exactly that many households drawn per bin, line by line.
    `selectable(line, eligible_mask)` narrows who a line may reach (e.g. deprived households)."""
    s = model.structure
    L, D, T = len(s.line_codes), len(s.unit_ids), s.n_tiers
    hh = s.household_line
    unit = s.g_unit[group]
    chosen = np.zeros((L, group.size), bool)
    others = np.flatnonzero(~hh)
    out = beneficiaries(model, sp[others], np.zeros((len(others), D, T)), lines=others)
    reached, eligible = np.zeros((L, D)), np.zeros((L, D))
    reached[others], eligible[others] = out.reached, out.eligible
    for li in np.flatnonzero(hh):
        el = s.eligible[li][group, state]
        if selectable is not None:
            el = selectable(li, el)
        key = unit * T + s.tier[li][group, state]
        E = np.bincount(key[el], minlength=D * T).reshape(D, T).astype(float)
        r = beneficiaries(model, sp[li][None], E[None], lines=[li])
        n_sel = whole_beneficiaries(r.covered[0], E, rng)
        chosen[li, el] = select_beneficiaries(key[el], n_sel, E.ravel().astype(np.int64), rng)
        reached[li], eligible[li] = n_sel.reshape(D, T).sum(-1), r.eligible[0]
    return HouseholdReach(chosen, reached, eligible, enabling_boost(model, reached))


def production_support_households(
    model, group: np.ndarray, state: np.ndarray, chosen: np.ndarray
) -> tuple[float, float]:
    """Households of the production-support target group reached by a counted line, and wanting
    support, among individual households."""
    target = model.structure.ps_population[group, state]
    supported = (target & chosen[model.structure.ps_lines].any(axis=0)).sum()
    return supported, model.params.ps_want_share * target.sum()


def new_household_records(model, group: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Groups (int32) and states (int8) of the households formed in a year: growth x households
    per group, rounded without bias; states drawn from the entry shares."""
    G, K = model.structure.n0.shape
    n_new = stochastic_round(model.params.growth * np.bincount(group, minlength=G), rng)
    new_group = np.repeat(np.arange(G, dtype=np.int32), n_new)
    new_state = rng.choice(K, size=new_group.size, p=model.params.entry).astype(np.int8)
    return new_group, new_state
