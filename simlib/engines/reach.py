"""How money reaches households: the one programme step every engine takes.

Each projected year, for every budget line and unit:

1. money acting this year: each line's spending from `lag` years earlier (`acting_spend`);
2. eligible households per priority tier — counted by each engine in its own way (cells, classes
   of cells, individual households, households deprived in the line's indicators) and handed in
   as `by_tier` (..., L, D, T); officer and commune lines count officers / communes instead;
3. new beneficiaries: the money buys `saturating(money / unit cost, pool, cost_rise)` in the
   unit's reachable pool — eligible x take-up ceiling `max_share`, less, for an area line, the
   households its earlier works still serve, and, for a line with a support cycle of N years
   (production support once per N years), less the share of the eligible households it supported
   in the last N - 1 years (`held_stock`, `pool_left`) — at a cost per beneficiary that rises
   with the share of the pool already reached (diminishing returns). Household lines fill the
   plan's priority tiers in order, each up to its take-up ceiling; area lines (`reach: area`,
   works) cover every tier in proportion to its households, whatever their state
   (`beneficiaries`);
4. the share of each tier reached (`coverage_shares`) — newly, and for an area line also by its
   standing works (`Reach.old`); the expected engines' probabilities of being reached; the
   household engines round them to whole households without bias and draw exactly that many
   (`whole_beneficiaries`, `reach_households`);
5. a once-per-household line (a house) moves the households it reaches to their group's housed
   twin (`once_moves`, `apply_moves`), where it can never reach them again;
6. the enabling boost: communication, training and monitoring raise the household lines' effects
   in a unit by the sum of their enabling effects x share of the unit's officers / communes
   reached (`enabling_boost`);
7. each line's channel effects after the boost, capped at 0.99 (`boosted_effects`), and the
   per-state effect pairs the transition factors use (`effect_pairs`): a household reached anew
   takes every channel; one served by a standing work, or living in a house the line built in an
   earlier year, only the protective ones, relapse and new poverty (`protective`) — escape and
   deprivation removal are level shifts that happen once, when a household is first served.

A household's transition factors are products over lines of (1 - its effect pair); over the
lines' independent selections their expectation is the product of (1 - new share x pair -
standing share x protective pair), which the expected engines use (`factor_terms`).

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
from simlib.transitions import DEP, ENA, ESC, combined_effects


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


def acting_money(model, spend: np.ndarray) -> np.ndarray:
    """What the engines spend (..., Y, L, D): `acting_spend` of this programme's money `spend`
    (..., Y+1, L, D) plus the money other programmes spend above their baseline level as these
    lines (`Levers.other_spend`, `simlib.other_programmes`) — in every run, the run without this
    programme's money included, so their effect is never credited to this programme."""
    others = model.levers.other_spend()
    return acting_spend(model, spend if others is None else spend + others)


def saturating(x: np.ndarray, pool: np.ndarray, rise: np.ndarray) -> np.ndarray:
    """Beneficiaries bought in a pool of `pool` reachable beneficiaries by money worth `x`
    beneficiaries at the unit cost, when the marginal cost rises linearly with the share of the
    pool reached, from the unit cost to (1 + rise) x unit cost when the pool is exhausted.

    The money for r beneficiaries is unit cost x (r + rise r² / (2 pool)); solved for r (in a
    form without cancellation) and capped at the pool. rise = 0 gives min(x, pool): the first
    money buys at the unit cost in every case. Shapes broadcast.
    """
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.where(pool > 0, 2.0 * rise * x / np.where(pool > 0, pool, 1.0), 0.0)
    return np.clip(2.0 * x / (1.0 + np.sqrt(1.0 + z)), 0.0, np.maximum(pool, 0.0))


def money_to_reach(r: np.ndarray, pool: np.ndarray, unit_cost: np.ndarray, rise: np.ndarray) -> np.ndarray:
    """VND that buy `r` beneficiaries in a pool of `pool` (the inverse of `saturating`); the
    whole pool costs unit cost x pool x (1 + rise / 2)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        extra = np.where(pool > 0, rise * r * r / (2.0 * np.where(pool > 0, pool, 1.0)), 0.0)
    return unit_cost * (r + extra)


def survival(life: np.ndarray, age: np.ndarray) -> np.ndarray:
    """Share of a line's works still standing `age` years after the year they were built:
    straight-line, 1 - age / life (the wear-rate norm's method), 0 for a line that builds none."""
    life = np.asarray(life, float)
    safe = np.where(life > 0, life, 1.0)
    return np.where(life > 0, np.clip(1.0 - np.asarray(age, float) / safe, 0.0, 1.0), 0.0)


def cycle_line(model) -> np.ndarray:
    """(L,) bool: lines with a support cycle (a household they supported is out of their pool
    for `cycle` - 1 years); area lines never (their standing works serve everybody)."""
    return (model.params.cycle > 1) & ~model.structure.area_line


def record(model, reached: np.ndarray, eligible: np.ndarray) -> np.ndarray:
    """What a year leaves for later years' pools (..., L, D), from its new beneficiaries and
    eligible households (..., L, D): households an area line newly served; the share of the
    eligible households a cycle line supported; 0 for other lines. Engines keep one per year."""
    share = np.divide(reached, eligible, out=np.zeros_like(np.asarray(reached, float)), where=eligible > 0)
    return np.where(model.structure.area_line[:, None], reached, np.where(cycle_line(model)[:, None], share, 0.0))


def held_stock(model, hist: np.ndarray, y: int) -> np.ndarray:
    """What earlier years hold in each line's pool in projected year y (..., L, D), from the
    `record` of each year (`hist` (..., Y, L, D)): for an area line, the households its works
    built before y still serve (times the share still standing, `survival`); for a cycle line,
    the share of the eligible households it supported in the last cycle - 1 years (a cohort per
    year; households are supported independently of their state, so a supported cohort's share
    is taken to hold among the households eligible now)."""
    if y == 0:
        return np.zeros(hist.shape[:-3] + hist.shape[-2:])
    return np.einsum("...vld,vl->...ld", hist[..., :y, :, :], held_weight(model, y))


def held_weight(model, y: int) -> np.ndarray:
    """(y, L): the weight of each earlier year's `record` in the pools of projected year y
    (`held_stock`; cached on the model)."""
    return memoised(model, f"reach.held_weight.{y}", partial(_held_weight, model, y))


def _held_weight(model, y: int) -> np.ndarray:
    """(y, L): the weight of each earlier year's `record` in the pools of projected year y
    (`held_stock`)."""
    ages = y - np.arange(y)[:, None]  # (y, 1)
    p = model.params
    surv = survival(p.life[None, :], ages)  # (y, L)
    within = (ages < p.cycle[None, :]) & cycle_line(model)[None, :]
    return np.where(model.structure.area_line[None, :], surv, within.astype(float))


def pool_left(model, ceiling: np.ndarray, stock: np.ndarray | None, lines=None) -> tuple[np.ndarray, np.ndarray]:
    """The reachable pool (..., L, D) left this year under the take-up `ceiling` (eligible x
    `max_share`), and the households an area line's standing works serve in it, given what
    earlier years hold (`held_stock`; none if not given): an area line's pool less its standing
    works' households; a cycle line's pool times (1 - the share it supported within its cycle)."""
    sel = slice(None) if lines is None else lines
    if stock is None:
        return ceiling, np.zeros_like(ceiling)
    area, cyc = model.structure.area_line[sel][:, None], cycle_line(model)[sel][:, None]
    standing = np.minimum(stock * area, ceiling)
    held = np.where(cyc, ceiling * np.clip(stock, 0.0, 1.0), 0.0)
    return ceiling - standing - held, standing


def beneficiary_money(model, reached: np.ndarray, eligible: np.ndarray) -> np.ndarray:
    """VND (..., Y, L, D) the beneficiaries reached each year (`reached`, `eligible` (..., Y, L, D)
    of a run) cost at the rising cost per beneficiary, in the pool the year left them (`pool_left`:
    eligible × take-up ceiling, less what earlier years hold)."""
    p = model.params
    hist = record(model, reached, eligible)
    out = np.empty_like(np.asarray(reached, float))
    for y in range(reached.shape[-3]):
        ceiling = eligible[..., y, :, :] * p.max_share[:, None]
        pool, _ = pool_left(model, ceiling, held_stock(model, hist, y))
        out[..., y, :, :] = money_to_reach(reached[..., y, :, :], pool, p.unit_cost[:, None], p.cost_rise[:, None])
    return out


def fill_tiers(reached: np.ndarray, eligible_by_tier: np.ndarray) -> np.ndarray:
    """Beneficiaries per priority tier: tier 0 first, each up to its eligible count.

    reached (...,), eligible_by_tier (..., T) -> covered (..., T), summing to min(reached, total).
    """
    before = np.cumsum(eligible_by_tier, axis=-1) - eligible_by_tier
    return np.clip(reached[..., None] - before, 0.0, eligible_by_tier)


@dataclass
class Reach:
    """What a year's money buys, by line and unit (leading axes as the inputs')."""

    reached: np.ndarray  # (..., L, D) new beneficiaries: households, officers or communes
    eligible: np.ndarray  # (..., L, D) eligible households (officers / communes for those lines)
    covered: np.ndarray  # (..., L, D, T) households newly reached in each priority tier
    old: np.ndarray  # (..., L, D, T) households served by an area line's standing works


def beneficiaries(model, sp: np.ndarray, by_tier: np.ndarray, lines=None, stock=None) -> Reach:
    """Step 3 of the module docstring for money acting `sp` (..., L, D), eligible households
    `by_tier` (..., L, D, T) and what earlier years hold in the lines' pools `stock` (..., L, D,
    `held_stock`; none if not given); `lines` (indices) when the arrays hold some lines only."""
    sel = slice(None) if lines is None else lines
    p, s = model.params, model.structure
    hh, ms, area = s.household_line[sel], p.max_share[sel], s.area_line[sel]
    eligible = np.where(hh[:, None], by_tier.sum(-1), s.capacity_units[sel])
    ceiling = eligible * ms[:, None]
    pool, standing = pool_left(model, ceiling, stock, lines)
    reached = saturating(sp / p.unit_cost[sel][:, None], pool, p.cost_rise[sel][:, None])
    share = np.divide(by_tier, eligible[..., None], out=np.zeros_like(by_tier), where=eligible[..., None] > 0)
    # a cycle line's households supported within the cycle are taken to be spread over the tiers
    # like the eligible ones: each tier's room shrinks by the pool's share held
    left = np.divide(pool, ceiling, out=np.ones_like(pool), where=~area[:, None] & (ceiling > 0))
    ordered = fill_tiers(reached, by_tier * (ms[:, None] * left)[..., None])
    covered = np.where(area[:, None, None], reached[..., None] * share, ordered)
    return Reach(reached, eligible, covered, standing[..., None] * share)


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


def protective(effects: np.ndarray) -> np.ndarray:
    """The channels a standing work or a house keeps acting through (relapse, new poverty): the
    escape and deprivation channels set to 0. effects (..., C)."""
    out = np.array(effects, float, copy=True)
    out[..., [ESC, DEP]] = 0.0
    return out


def once_shares(model, cov: np.ndarray) -> np.ndarray:
    """Share (..., G, K) of each group-state's households a once-per-household line reaches this
    year (its coverage of their tier where they are eligible), from coverage (..., L, D, T). The
    expected engines move that share of the households to the group's housed twin; the
    stochastic ones draw how many."""
    s = model.structure
    out = np.zeros(cov.shape[:-3] + s.n0.shape)
    for li in np.flatnonzero(s.once_line):
        c = cov[..., li, :, :][..., s.g_unit[:, None], s.tier[li]]  # (..., G, K)
        out += np.where(s.eligible[li], c, 0.0)
    return out


def apply_moves(model, n: np.ndarray, moved: np.ndarray) -> np.ndarray:
    """Households (..., G, K) after `moved` left their group for its housed twin."""
    twin = model.structure.twin
    has = np.flatnonzero(twin >= 0)
    out = n - moved
    out[..., twin[has], :] += moved[..., has, :]
    return out


def newly_housed(model, moved: np.ndarray) -> np.ndarray:
    """Households (..., G, K) that arrived in each twin group this year."""
    twin = model.structure.twin
    has = np.flatnonzero(twin >= 0)
    out = np.zeros_like(moved)
    out[..., twin[has], :] = moved[..., has, :]
    return out


def twin_shares(model, n_after: np.ndarray, new: np.ndarray) -> np.ndarray:
    """Share (..., G, K) of each twin group-state's households reached anew this year (the rest
    were housed earlier); 0 outside twins."""
    return np.divide(new, n_after, out=np.zeros_like(n_after), where=n_after > 0)


def formation_sizes(model, n: np.ndarray) -> np.ndarray:
    """Households (..., G) that form new households in each group: new households are never
    housed, so a twin's households count for its base group and twins get none."""
    s = model.structure
    sizes = n.sum(-1)
    has = np.flatnonzero(s.twin >= 0)
    out = np.where(s.g_housed, 0.0, sizes)
    out[..., has] += sizes[..., s.twin[has]]
    return out


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

    chosen: np.ndarray  # (L, n) bool: which households each line reaches anew
    old: np.ndarray  # (L, n) bool: which households an area line's standing works serve
    reached: np.ndarray  # (L, D) new beneficiaries (whole households; officers / communes)
    eligible: np.ndarray  # (L, D)
    boost: np.ndarray  # (D,) enabling boost


def reach_households(
    model,
    sp: np.ndarray,
    group: np.ndarray,
    state: np.ndarray,
    rng: np.random.Generator,
    selectable: Callable[[int, np.ndarray], np.ndarray] | None = None,
    stock: np.ndarray | None = None,
    recent: np.ndarray | None = None,
) -> HouseholdReach:
    """The programme step for engines that hold households one by one (group, state (n,)) and
    money acting `sp` (L, D): eligible households counted by (unit, tier), beneficiaries as in
    `beneficiaries` (what earlier years hold in the pools: `stock` (L, D), `held_stock`), then
    exactly that many households drawn per bin, line by line — for an area line, those its
    standing works serve among the rest. `selectable(line, eligible_mask)` narrows who a line may
    reach (e.g. deprived households). `recent` (L, n) bool, if given, marks the households each
    cycle line supported within its cycle: they are out of its pool one by one (exact memory,
    `supported_within`), instead of the cohort share of `stock`; `eligible` still counts them."""
    s = model.structure
    L, D, T = len(s.line_codes), len(s.unit_ids), s.n_tiers
    hh = s.household_line
    unit = s.g_unit[group]
    chosen, old = np.zeros((L, group.size), bool), np.zeros((L, group.size), bool)
    others = np.flatnonzero(~hh)
    out = beneficiaries(model, sp[others], np.zeros((len(others), D, T)), lines=others)
    reached, eligible = np.zeros((L, D)), np.zeros((L, D))
    reached[others], eligible[others] = out.reached, out.eligible
    exact = cycle_line(model) & (recent is not None)
    for li in np.flatnonzero(hh):
        el = s.eligible[li][group, state]
        if selectable is not None:
            el = selectable(li, el)
        key = unit * T + s.tier[li][group, state]
        eligible[li] = np.bincount(unit[el], minlength=D)
        line_stock = None if stock is None or exact[li] else stock[li][None]
        if exact[li]:
            el = el & ~recent[li]
        E = np.bincount(key[el], minlength=D * T).reshape(D, T).astype(float)
        r = beneficiaries(model, sp[li][None], E[None], lines=[li], stock=line_stock)
        n_sel = whole_beneficiaries(r.covered[0], E, rng)
        chosen[li, el] = select_beneficiaries(key[el], n_sel, E.ravel().astype(np.int64), rng)
        reached[li] = n_sel.reshape(D, T).sum(-1)
        if s.area_line[li] and r.old.any():
            left = E.ravel() - n_sel
            n_old = np.minimum(stochastic_round(r.old[0].ravel(), rng), left.astype(np.int64))
            rest = el & ~chosen[li]
            old[li, rest] = select_beneficiaries(key[rest], n_old, left.astype(np.int64), rng)
    return HouseholdReach(chosen, old, reached, eligible, enabling_boost(model, reached))


def supported_within(model, last: np.ndarray, y: int) -> np.ndarray:
    """(L, n) bool: households each cycle line supported within its cycle before projected year
    y, from the year each was last supported by each line (`last` (L, n), very negative if never)."""
    return cycle_line(model)[:, None] & (y - last < model.params.cycle[:, None])


def production_support_households(
    model, group: np.ndarray, state: np.ndarray, chosen: np.ndarray
) -> tuple[float, float]:
    """Households of the production-support target group reached by a counted line, and wanting
    support, among individual households."""
    target = model.structure.ps_population[group, state]
    supported = (target & chosen[model.structure.ps_lines].any(axis=0)).sum()
    return supported, model.params.ps_want_share * target.sum()


def new_household_records(
    model, group: np.ndarray | None, rng: np.random.Generator, counts: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Groups (int32) and states (int8) of the households formed in a year: growth x households
    per group, rounded without bias; states drawn from the entry shares. The households per
    group are those of `group` (n,), or `counts` (G,) when the caller has them already."""
    G, K = model.structure.n0.shape
    n = np.bincount(group, minlength=G) if counts is None else counts
    sizes = formation_sizes(model, np.asarray(n, float)[:, None])
    n_new = stochastic_round(model.params.growth * sizes, rng)
    new_group = np.repeat(np.arange(G, dtype=np.int32), n_new)
    new_state = rng.choice(K, size=new_group.size, p=model.params.entry).astype(np.int8)
    return new_group, new_state
