"""Compiled household loops of the multidimensional microsimulation (`multidim_microsim`): one
pass per year over the households after the programme step, one pass for each review's records.

A household is its group (uint16, or uint32 above 65,535 groups), state (int8), income (float32)
and deprivations (uint16 bitmask): 9 bytes; the year's lines reaching it are one more uint32
(`household_reach`). `year_pass` does, household by household, what `multidim_microsim.step`
describes: lines clear their indicators (targeted lines first) and add their income effects, the
indicators change on their own, income grows and may be hit by shocks, the household is
classified at the review and moves to its next state (and, reached by a once-per-household line,
to its group's housed twin). Uniforms are 32-bit draws of a SplitMix64 stream seeded from the
run's generator (`household_reach.seed_of`); the income's normal shocks are numpy's float32
standard normals, drawn in the pass from the run's own PCG64 generator (`pcg64_normals`: the
numbers `rng.standard_normal(n, dtype=np.float32)` gives, in household order), or, for another
bit generator, read from arrays numpy filled by chunks. The income's float32 exponential is the C
library's `expf` inlined (`expf32`: the same bits, without a call per household).
"""

from __future__ import annotations

import sys

import numba
import numpy as np

from simlib.engines import expf32, household_reach, pcg64_normals
from simlib.engines.expf32 import expf
from simlib.engines.household_reach import GAMMA, LOW32, ONE, S11, S32, TWO_M53, lowest_bit, mix
from simlib.engines.multidim_numba import refresh_caches
from simlib.engines.pcg64_normals import normal_f32, pack, unpack

TWO_M32 = 2.0**-32

#: households per chunk of the yearly pass (temporaries stay small and in cache)
CHUNK = 1 << 16


@numba.njit(inline="always")
def _clear(c, g, u, mask, clear_bits, clear_at, q_of_line, clear_t, removed, s):
    """Line by line (targeted lines first), the flags the lines reaching a household (bits c,
    clearing lines only) clear: one uniform per flag a reaching line lists and the household has,
    lowest flag first, each flag cleared counted in the flat table `removed` at off[q, j] + g * gs
    (clear_at = (off (C, 12), gs): clearing line q's flag j, group g). Only the set bits are
    walked (the reaching lines, then each one's flags)."""
    off, gs = clear_at
    at_g = np.uint64(g) * np.uint64(gs)
    cq = np.uint64(0)
    b = np.uint64(c)
    while b:  # the reaching lines, as bits of their place q in the clearing order
        li = lowest_bit(b)
        b &= b - ONE
        cq |= ONE << np.uint64(q_of_line[np.uint64(li)])
    while cq:
        q = np.uint64(lowest_bit(cq))  # unsigned indices: no code for negative ones
        cq &= cq - ONE
        f = np.uint64(clear_bits[q]) & np.uint64(mask)  # clearing flag j leaves the later ones as they are
        t, row = clear_t[q, u], off[q]  # the line's, read once (0.5 ns a household)
        while f:
            j = lowest_bit(f)
            f &= f - ONE
            s += GAMMA
            if (mix(s) >> S32) < t:
                mask &= ~np.uint16(1 << j) & np.uint16(0xFFFF)
                removed[np.uint64(row[np.uint64(j)]) + at_g] += 1  # a float or integer table
    return mask, s


def no_change_thresholds(gain: np.ndarray, loss: np.ndarray) -> np.ndarray:
    """32-bit thresholds (4096,) of the probability that no indicator of a household with each
    mask changes on its own in a year: the product over indicators of one minus its gain (not
    deprived) or loss (deprived) probability."""
    masks = np.arange(1 << 12)
    bits = (masks[:, None] >> np.arange(12)[None, :]) & 1
    p = np.where(bits == 1, loss[None, :], gain[None, :])
    return np.floor(np.prod(1.0 - p, axis=1) * 2.0**32).astype(np.uint64)


@numba.njit(inline="always")
def _flip(mask, no_change_t, gain, loss, s):
    """Every indicator's own yearly gain or loss, exactly as twelve independent draws but with
    one uniform per change plus one: a uniform u decides whether anything changes (probability
    1 - prod(1 - p_j), `no_change_thresholds`); if so, the first indicator to change is the first
    j at which the running product of (1 - p) falls to u or below; after it, the same with a
    fresh uniform for the indicators that follow. The year pass takes the same draws to the same
    masks from a table of the running products (`flip_rows`, `_first_change`, `_later_changes`);
    this loop is their reference."""
    s += GAMMA
    u = mix(s) >> S32
    if u < no_change_t[mask]:
        return mask, s
    x = np.float64(u) * TWO_M32
    out = mask
    surv = 1.0
    for j in range(12):
        surv *= 1.0 - (loss[j] if (mask >> j) & 1 else gain[j])
        if x >= surv:  # indicator j is the first of those left to change
            out ^= np.uint16(1 << j)
            s += GAMMA
            x = np.float64(mix(s) >> S11) * TWO_M53
            surv = 1.0
    return out, s


#: a flip row's slots: the first change's thresholds (0-11), the later changes' screens (12-14,
#: one byte each), the no-change threshold (15)
ROW, SCREENS, GATE = np.uint64(16), np.uint64(12), np.uint64(15)
S45, BYTE = np.uint64(45), np.uint64(0xFF)


def flip_rows(gain: np.ndarray, loss: np.ndarray, no_change_t: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """`_flip_rows`' table (4096 * 16,) uint32, one 64-byte row per mask: slot j < 12 the
    32-bit uniforms u below which x = u 2⁻³² stays under `_flip`'s running product of indicators
    0..j (min(ceil(prod 2³²), 2³² - 1), the products multiplied in `_flip`'s order); slots 12-14
    twelve bytes, byte c a lower bound of the 8 top bits of a 53-bit uniform at which indicators
    c + 1..11 may change after a first change at c (floor(prod 2⁸) of their product from 1.0,
    at most 255); slot 15 min(no_change_t, 2³² - 1). Saturated entries only differ from the
    exact thresholds at u = 2³² - 1, which `_flip_rows` hands to the exact loop."""
    bits = (np.arange(1 << 12)[:, None] >> np.arange(12)[None, :]) & 1
    keep = np.where(bits == 1, 1.0 - loss[None, :], 1.0 - gain[None, :])  # 1 - p, as `_flip` makes it
    rows, surv = np.zeros((1 << 12, 16), np.uint32), np.ones(1 << 12)
    top = 2.0**32 - 1.0
    for j in range(12):  # the running product, one multiply at a time as in `_flip`
        surv = surv * keep[:, j]
        rows[:, j] = np.minimum(np.ceil(surv * 2.0**32), top)
    screens = np.full((1 << 12, 12), 255, np.uint8)  # after a change at 11 none is left: any bound
    for c in range(11):
        tail = np.ones(1 << 12)
        for j in range(c + 1, 12):
            tail = tail * keep[:, j]
        screens[:, c] = np.minimum(np.floor(tail * 256.0), 255.0)
    rows[:, 12:15] = screens.view(np.uint32)  # byte c of slots 12-14 (little-endian words)
    rows[:, 15] = np.minimum(no_change_t, 2**32 - 1)
    return rows.ravel(), np.concatenate([gain, loss, no_change_t]).astype(float)


@numba.njit(inline="always")
def _first_change(mask, s, rows):
    """`_flip`'s first uniform u and first change from the mask's row of `flip_rows` (one cache
    line): none under the row's gate (four households in five), else the number of thresholds
    u is under (no loop, no branch per indicator), then the next uniform x. Returns the mask,
    the stream's state, and where `_flip`'s loop must go on (`_later_changes`): 12 when no later
    indicator can change (no change, or x's top byte under the row's screen: about nine
    households in ten that change), -1 for u = 2³² - 1, where a saturated entry may differ (the
    loop from the no-change test, x = u)."""
    s += GAMMA
    u = mix(s) >> S32
    row = np.uint64(mask) * ROW
    if u < rows[row + GATE]:
        return mask, s, 12, 0.0
    if u == LOW32:
        return mask, s, -1, np.float64(u)
    c = np.uint64(0)
    for j in range(12):
        c += np.uint64(u < rows[row + np.uint64(j)])
    if c >= np.uint64(12):
        return mask, s, 12, 0.0
    s += GAMMA
    v = mix(s) >> S11
    screen = (rows[row + SCREENS + (c >> np.uint64(2))] >> ((c & np.uint64(3)) * np.uint64(8))) & BYTE
    j0 = 12 if (v >> S45) < screen else np.int64(c) + 1
    return mask ^ np.uint16(ONE << c), s, j0, np.float64(v) * TWO_M53


@numba.njit(nogil=True)
def _later_changes(mask, out, j0, x, s, probs):
    """`_flip`'s loop from indicator j0 with the uniform x (probs = (gain (12,), loss (12,),
    no-change thresholds (4096,)) as floats); j0 = -1: `_flip` after its first uniform u = x
    (2³² - 1), from its no-change test."""
    if j0 < 0:
        if x < probs[24 + np.int64(mask)]:
            return out, s
        j0, x = 0, x * TWO_M32
    surv = 1.0
    for j in range(j0, 12):
        surv *= 1.0 - (probs[12 + j] if (mask >> j) & 1 else probs[j])
        if x >= surv:
            out ^= np.uint16(1 << j)
            s += GAMMA
            x = np.float64(mix(s) >> S11) * TWO_M53
            surv = 1.0
    return out, s


#: deprivations counted in each of the 4096 masks
N_FLAGS = ((np.arange(1 << 12)[:, None] >> np.arange(12)[None, :]) & 1).sum(axis=1)


def deprived_enough(min_deprivations: int) -> np.ndarray:
    """Whether each of the 4096 masks counts at least `min_deprivations` deprivations (uint8
    (4096,)): the review's deprivation rule as one table look-up per household."""
    return (N_FLAGS >= min_deprivations).astype(np.uint8)


@numba.njit(inline="always")
def _log_growth(logf, a, shock_t, shock_log, s, two):
    """The log of a household's income growth in area a: `logf` (drift and the normal shock)
    plus the log of what each shock that hits it leaves (shock q hits when a 32-bit uniform, two
    to a SplitMix64 draw, is under shock_t[q, a]), and the stream's state. `two`, a constant of
    the caller's: the shocks are two (then the loop for other counts is compiled out)."""
    if two or shock_t.shape[0] == 2:  # the model's two shocks: one draw, no loop (0.5 ns a household)
        s += GAMMA
        x = mix(s)
        logf += shock_log[0] * ((x >> S32) < shock_t[0, a])
        logf += shock_log[1] * ((x & LOW32) < shock_t[1, a])
        s += GAMMA
    else:
        x = np.uint64(0)
        for q in range(shock_t.shape[0]):
            if q % 2 == 0:
                s += GAMMA
                x = mix(s)
                r = x >> S32
            else:
                r = x & LOW32
            logf += shock_log[q] * (r < shock_t[q, a])
        if shock_t.shape[0] % 2 == 0:  # the stream steps once more after a full pair (no draw needed)
            s += GAMMA
    return logf, s


@numba.njit(cache=True, nogil=True)
def year_pass(hh_in, hh_out, chosen, normals, seed, lines, people, review, out):
    """`year_pass_body` for any number of shocks."""
    return year_pass_body(hh_in, hh_out, chosen, normals, seed, lines, people, review, out, False)


@numba.njit(cache=True, nogil=True)
def year_pass_two(hh_in, hh_out, chosen, normals, seed, lines, people, review, out):
    """`year_pass_body` for two shocks (shock_t (2, 2)): the same numbers as `year_pass`, without
    the other counts' loop in the household loop (about 0.4 ns a household at 10⁵, depfix2 in
    benchmarks/HISTORY.md)."""
    return year_pass_body(hh_in, hh_out, chosen, normals, seed, lines, people, review, out, True)


@numba.njit(inline="always")
def year_pass_body(hh_in, hh_out, chosen, normals, seed, lines, people, review, out, two):
    """One projected year for households hh_in = (group, state, income, mask) into hh_out
    (same arrays, next year) given the lines reaching each household (`chosen` bits) and one
    float32 standard normal per household: normals = (z, pcg), z the normals (n,) or, when z is
    empty, drawn here household by household from the PCG64 state array `pcg` (advanced; see
    `pcg64_normals`). `lines` = ((off (C, 12), gs): clearing line q's removals of flag j in group
    g counted at the flat `removed`'s off[q, j] + g * gs, q_of_line (L,), clear_bits, clear_t (C, D),
    q_of_income (L,) (income line li's row of income_add), income_add (I, D), once_bits, ps_bits,
    bits of the clearing lines, bits of the income lines); `people` = (unit, area, twin, ps_population
    (G, K), `flip_rows`' two arrays, drift (2,), volatility, shock_t (S, 2), shock_log (S,));
    `review` = (line by area (2,), whether each mask has the minimum deprivations (4096,),
    next_state (K, 3)); `out` = (flows (G*K*K,), removed (flat), ps counts (2,)); `two`: a
    constant, shock_t has two rows (`year_pass_two`). Returns the stream's state."""
    group, state, income, mask = hh_in
    g_out, s_out, y_out, m_out = hh_out
    clear_at, q_of_line, clear_bits, clear_t, q_of_income, income_add, once_bits, ps_bits, clear_any, income_any = lines
    unit, area, twin, ps_pop, rows, probs, drift, vol, shock_t, shock_log = people
    line_of_area, enough, next_state = review
    flows, removed, ps = out
    z, pcg = normals
    own = z.size == 0  # the normals are drawn here
    st = unpack(pcg)
    inc_hi, inc_lo = pcg[4], pcg[5]  # the stream's increment, in registers (not read back after each store)
    K = ps_pop.shape[1]
    ps_flat, next_flat = ps_pop.reshape(-1), next_state.reshape(-1)  # flat: no strides to read
    s = np.uint64(seed)
    ps_in, ps_all = 0.0, 0.0  # production-support counts kept in registers, added to `ps` once
    Ku = np.uint64(K)
    for i in range(group.size):  # unsigned indices: no code for negative ones
        g, k, c = np.uint64(group[i]), np.uint64(state[i]), chosen[i]
        u, a = np.uint64(unit[g]), np.uint64(area[g])
        target = ps_flat[g * Ku + k]
        ps_all += target
        ps_in += target and (c & ps_bits) != 0
        m = mask[i]
        y = np.float64(income[i])
        if c & (clear_any | income_any):
            if c & clear_any:
                m, s = _clear(c & clear_any, g, u, m, clear_bits, clear_at, q_of_line, clear_t, removed, s)
            ci = np.uint64(c & income_any)
            while ci:  # the reaching income lines, lowest first (the order of income_add's rows)
                li = np.uint64(lowest_bit(ci))
                ci &= ci - ONE
                y += income_add[np.uint64(q_of_income[li]), u]
        m2, s, j0, x = _first_change(m, s, rows)  # `_flip`, its later changes (2 %) called
        m, s = (m2, s) if j0 == 12 else _later_changes(m, m2, j0, x, s, probs)
        zi, st = normal_f32(st, inc_hi, inc_lo) if own else (z[i], st)
        logf, s = _log_growth(drift[a] + vol * np.float64(zi), a, shock_t, shock_log, s, two)
        inc = np.float32(y) * expf(np.float32(logf))  # float32: the income's own precision (glibc's expf)
        below = np.int64(np.float64(inc) <= line_of_area[a])
        cls = np.uint64(2 - below * (1 + np.int64(enough[m])))  # POOR_C 0, NEAR_POOR_C 1, ABOVE_C 2 (branch-free)
        g2 = np.uint64(twin[g]) if (c & once_bits) != 0 else g
        k2 = np.uint64(next_flat[k * np.uint64(3) + cls])
        flows[(g2 * Ku + k) * Ku + k2] += 1
        g_out[i], s_out[i], y_out[i], m_out[i] = g2, k2, inc, m
    ps[0] += ps_in
    ps[1] += ps_all
    pack(st, pcg)
    return s


@numba.njit(cache=True, nogil=True)
def boosted_lines(removal, effect, boost):
    """The year's boosted line arrays of `year_pass`: clearing thresholds (C, D), uint64, of
    `household_reach.thresholds32(np.minimum(1.0, removal[:, None] * (1.0 + boost)))`, and income
    additions (n_inc, D) `effect[:, None] * (1.0 + boost)`, element by element the same operations
    (one call instead of about ten numpy calls a year). removal (C,), effect (n_inc,), boost (D,)."""
    C, n_inc, D = removal.size, effect.size, boost.size
    clear_t, income_add = np.empty((C, D), np.uint64), np.empty((n_inc, D))
    for d in range(D):
        f = 1.0 + boost[d]
        for q in range(C):
            p = min(1.0, removal[q] * f)
            clear_t[q, d] = np.uint64(np.floor(min(max(p, 0.0), 1.0) * household_reach.TWO32))
        for q in range(n_inc):
            income_add[q, d] = effect[q] * f
    return clear_t, income_add


@numba.njit(cache=True, nogil=True)
def record_pass(group, state, income, mask, line_of_area, area, dim_bits, enough, K, sums):
    """Per (group, state) cell c = g*K + k: households, deprived by indicator and dimension,
    deprived in at least the standard's minimum number of indicators (`enough`, of each mask:
    `deprived_enough`), FGT1 and FGT2 sums, income sum, added into sums = (n (C,), dep (C, 12),
    dim (C, nd), multi (C,), f1 (C,), f2 (C,), isum (C,)) (zeros: an output's review itself); the
    counts may be integer arrays (exact, and faster to add than floats)."""
    n, dep, dim, multi, f1, f2, isum = sums
    inv_line = 1.0 / line_of_area
    for i in range(group.size):  # unsigned indices: no code for negative ones
        g = group[i]
        c = np.uint64(g * K + state[i])
        m = mask[i]
        n[c] += 1
        for j in range(12):  # branch-free: flags are unpredictable
            dep[c, j] += (m >> j) & 1
        for d in range(dim_bits.size):
            dim[c, d] += (m & dim_bits[d]) != 0
        multi[c] += enough[m]
        y = np.float64(income[i])
        gap = max(0.0, 1.0 - y * inv_line[np.uint64(area[g])])
        f1[c] += gap
        f2[c] += gap * gap
        isum[c] += y


@numba.njit(cache=True, nogil=True)
def draw_masks(rows, keys, starts, counts, order, u, out):
    """One mask per household from the categorical distribution of its row: for each key q
    (row keys[q] of rows (R, 4096)), the households order[starts[q] : starts[q] + counts[q]] take
    the first mask whose cumulative probability exceeds their uniform u (in the same positions;
    an empty `order` is the identity: households already sorted by row). The arithmetic of numpy's `cumsum`, division by the total and `searchsorted(side="right")`,
    so the same masks, without the per-row temporaries."""
    n_masks = rows.shape[1]
    cdf = np.empty(n_masks)
    for q in range(keys.size):
        row = rows[keys[q]]
        acc = 0.0
        for j in range(n_masks):  # sequential, as numpy's cumsum
            acc += row[j]
            cdf[j] = acc
        tot = cdf[n_masks - 1]
        for j in range(n_masks):
            cdf[j] /= tot
        for p in range(starts[q], starts[q] + counts[q]):
            x = u[p]
            lo, hi = 0, n_masks
            while lo < hi:  # first mask with cdf > x
                mid = (lo + hi) >> 1
                if cdf[mid] <= x:
                    lo = mid + 1
                else:
                    hi = mid
            out[order[p] if order.size else p] = min(lo, n_masks - 1)


#: the modules whose machine code this module's cached functions carry (`household_reach.mix`,
#: `pcg64_normals.normal_f32` and `expf32.expf` are inlined across modules, which numba's own
#: cache key, this file alone, does not see)
CACHED_WITH = (expf32, household_reach, pcg64_normals, sys.modules[__name__])
refresh_caches(CACHED_WITH, "deprivation_kernels")
