"""Microsimulation of the multidimensional model: households with an income and 12 flags.

Each household carries its group (int32), detailed state (int8), per-capita monthly income in
VND (float32) and its deprivations as a uint16 bitmask (bit j = `INDICATORS[j]`): 11 bytes.
`synthesise` draws them to match the baseline counts exactly — income on the right side of the
line of the baseline standard, at least 3 deprivations for every poor household and fewer for
every near-poor one — from the distributions in `params/multidim.yaml`. Each year (`step`):

1. beneficiaries per budget line: the core's eligibility, priority tiers, take-up ceiling and
   budget (lines that `targets_deprived` count only households deprived in their indicators),
   exactly `n` households drawn per (line, unit, tier) as in the states microsim;
2. lines clear their indicators (each listed flag a reached household has, with probability
   `removal`), targeted lines first, and add their income effect;
3. every indicator changes on its own (gain / loss probabilities);
4. income grows with drift and volatility and may be hit by shocks (illness, harvest or
   livestock loss) that cut it by a share — the source of relapse and new poverty;
5. the household is classified by the standard in force at that year's review, and its state
   follows from the classification history (`NEXT_STATE`): escaping poverty opens the 36-month
   window, three reviews above the line close it.

New households are synthesised like the baseline ones, under the standard in force. Draws use
independent generators spawned from the scenario seed.
"""

from __future__ import annotations

import numpy as np

from simlib.engines.common import EngineOutput, run_draws
from simlib.engines.reach import (
    acting_money,
    held_stock,
    new_household_records,
    production_support_households,
    reach_households,
)
from simlib.engines.reach import record as pool_record
from simlib.multidim import income as inc
from simlib.multidim.masks import N_MASKS
from simlib.multidim.model import BELOW_LINE_STATE, NEXT_STATE, MultidimModel
from simlib.multidim.output import MultidimOutput
from simlib.standards import DIMENSIONS, N_INDICATORS, classify, deprivation_count, mask_of


class Households:
    """Household records of one draw (parallel arrays)."""

    __slots__ = ("group", "state", "income", "mask")

    def __init__(self, group, state, income, mask):
        self.group = np.asarray(group, np.int32)
        self.state = np.asarray(state, np.int8)
        self.income = np.asarray(income, np.float32)
        self.mask = np.asarray(mask, np.uint16)

    def __len__(self) -> int:
        return self.group.size

    def append(self, other: Households) -> Households:
        return Households(*(np.concatenate([getattr(self, f), getattr(other, f)]) for f in self.__slots__))


def _draw_masks(rng: np.random.Generator, dist: np.ndarray, gk: np.ndarray) -> np.ndarray:
    """One mask per household from the categorical distribution of its (group, state) row."""
    rows = dist.reshape(-1, N_MASKS)
    order = np.argsort(gk, kind="stable")
    out = np.empty(gk.size, np.uint16)
    keys, starts, counts = np.unique(gk[order], return_index=True, return_counts=True)
    u = rng.random(gk.size)
    for key, start, cnt in zip(keys, starts, counts):
        cdf = np.cumsum(rows[key])
        cdf /= cdf[-1]
        out[order[start : start + cnt]] = np.searchsorted(cdf, u[start : start + cnt], side="right").clip(
            0, N_MASKS - 1
        )
    return out


def synthesise_households(
    mm: MultidimModel, group: np.ndarray, state: np.ndarray, t: int, rng: np.random.Generator
) -> Households:
    """Incomes and flags for households of given groups and states, consistent with their state
    under the standard in force at review t."""
    K = mm.base.n0.shape[1]
    group = np.asarray(group, np.int32)
    state = np.asarray(state, np.int8)
    line = mm.lines_vnd[t][mm.base.g_area[group]]
    cut = np.log(line)
    below = BELOW_LINE_STATE[state]
    logy = inc.sample_truncated(rng, cut + mm.income_mu[group, state], mm.income_sigma[group, state], cut, below)
    y = np.exp(logy).astype(np.float32)
    # keep every household on its side of the line after rounding to float32
    lim = line.astype(np.float32)
    y = np.where(below, np.minimum(y, lim), np.maximum(y, np.nextafter(lim, np.float32(np.inf))))
    masks = _draw_masks(rng, mm.init_masks(int(mm.min_deprivations[t])), group.astype(np.int64) * K + state)
    return Households(group, state, y, masks)


def synthesise_population(mm: MultidimModel, rng: np.random.Generator) -> Households:
    """One record per baseline household (counts per group and state exactly as the baseline)."""
    K = mm.base.n0.shape[1]
    counts = mm.base.n0.astype(np.int64).ravel()
    gk = np.repeat(np.arange(counts.size), counts)
    return synthesise_households(mm, gk // K, gk % K, 0, rng)


def _sums(mm: MultidimModel, hh: Households, t: int, G: int, K: int) -> tuple:
    """Per (group, state): households, deprived by indicator and dimension, by count, FGT sums, income."""
    key = hh.group.astype(np.int64) * K + hh.state
    size = G * K
    n = np.bincount(key, minlength=size).reshape(G, K)
    bits = ((hh.mask[:, None] >> np.arange(N_INDICATORS, dtype=np.uint16)[None, :]) & 1).astype(bool)
    dep = np.stack([np.bincount(key[bits[:, j]], minlength=size) for j in range(N_INDICATORS)], axis=-1).reshape(
        G, K, -1
    )
    dim_bits = [mask_of(v) for v in DIMENSIONS.values()]
    dim = np.stack([np.bincount(key[(hh.mask & b) != 0], minlength=size) for b in dim_bits], axis=-1).reshape(G, K, -1)
    cnt = deprivation_count(hh.mask).astype(np.int64)
    cdist = np.bincount(key * (N_INDICATORS + 1) + cnt, minlength=size * (N_INDICATORS + 1)).reshape(G, K, -1)
    line = mm.lines_vnd[t][mm.base.g_area[hh.group]]
    gap = np.maximum(0.0, 1.0 - hh.income.astype(np.float64) / line)
    f1 = np.bincount(key, weights=gap, minlength=size).reshape(G, K)
    f2 = np.bincount(key, weights=gap * gap, minlength=size).reshape(G, K)
    isum = np.bincount(key, weights=hh.income.astype(np.float64), minlength=size).reshape(G, K)
    return n, dep, dim, cdist, f1, f2, isum


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


def step(mm: MultidimModel, hh: Households, y: int, sp: np.ndarray, rng: np.random.Generator, stock=None) -> dict:
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


def simulate_multidim(
    mm: MultidimModel, spend: np.ndarray, rng: np.random.Generator, population: Households | None = None
) -> EngineOutput:
    """One microsimulation draw with spending `spend` (Y+1, L, D) (optionally from a given
    household population)."""
    model = mm.base
    G, K = model.n0.shape
    Y = len(model.years)
    hh = synthesise_population(mm, rng) if population is None else population
    out = EngineOutput.like("microsim", model, 1)
    states, flows, entries, reached_out, elig_out, ps_sup, ps_want = out.arrays()
    md = MultidimOutput.zeros(1, Y, G, K, len(model.line_codes))

    def record(t: int) -> None:
        sums = _sums(mm, hh, t, G, K)
        for arr, v in zip((states, md.deprived, md.dim_deprived, md.count_dist, md.fgt1, md.fgt2, md.income_sum), sums):
            arr[0, t] = v

    record(0)
    acting = acting_money(model, spend)  # (Y, L, D)
    built = np.zeros((Y,) + acting.shape[1:])  # households area lines newly served
    for y in range(Y):
        res = step(mm, hh, y, acting[y], rng, stock=held_stock(model, built, y))
        built[y] = pool_record(model, res["reached"], res["eligible"])
        nxt = res["households"]
        before = nxt.group.astype(np.int64) * K + hh.state  # from the group after the year's moves
        flows[0, y] = np.bincount(before * K + nxt.state, minlength=G * K * K).reshape(G, K, K)
        reached_out[0, y], elig_out[0, y] = res["reached"], res["eligible"]
        ps_sup[0, y], ps_want[0, y] = res["ps_supported"], res["ps_wanting"]
        md.removed[0, y] = res["removed"]
        # household formation: growth x households per group, states by entry shares
        new_group, new_state = new_household_records(model, hh.group, rng)
        entries[0, y] = np.bincount(new_group.astype(np.int64) * K + new_state, minlength=G * K).reshape(G, K)
        hh = nxt.append(synthesise_households(mm, new_group, new_state, y + 1, rng))
        record(y + 1)
    out.multidim = md
    return out


def run_multidim_microsim(
    mm: MultidimModel,
    spend: np.ndarray,
    draws: int = 1,
    seed: int | np.random.SeedSequence = 0,
    progress: bool = False,
    label: str = "",
) -> EngineOutput:
    """`draws` independent replications; draw i uses the i-th child of SeedSequence(seed)."""
    return run_draws(lambda rng: simulate_multidim(mm, spend, rng), "microsim", draws, seed, progress, label)
