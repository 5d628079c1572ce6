"""`reach.beneficiaries` for one year of one draw (money `sp` (L, D), eligible households by tier
(L, D, T)), compiled, with the same numbers bit for bit: the household engines' programme step
(`household_reach.reach_bits`) paid about 50 µs a year of numpy calls on these small arrays.

Element by element, the same operations in the same order as `reach.beneficiaries`,
`reach.pool_left`, `reach.saturating` and `reach.fill_tiers`; `np.clip`, `np.maximum` and
`np.minimum` as numpy computes them for floats (a NaN operand propagates). Tests: every array of
whole runs compared with `reach.beneficiaries` (tests/test_household_kernels.py).
"""

from __future__ import annotations

from functools import cache

import numba
import numpy as np

from simlib.engines import reach
from simlib.engines.common import stochastic_round
from simlib.engines.reach import Reach, cycle_line, whole_beneficiaries
from simlib.memo import memoised
from simlib.transitions import ENA

#: no stock held (the first year, or an engine without standing works)
NO_STOCK = np.zeros((0, 0))
#: no raw outputs: the uniforms are numpy's doubles (`money_arrays`)
NO_RAW = np.empty(0, np.uint64)
NO_UNIFORMS = np.empty(0)
S11 = np.uint64(11)
TWO_M53 = 2.0**-53


@numba.njit(inline="always")
def _clip(x, lo, hi):
    """numpy's clip of a float: min(max(x, lo), hi), a NaN kept."""
    m = x if np.isnan(x) or x > lo else lo
    return m if np.isnan(m) or m < hi else hi


@numba.njit(inline="always")
def _maximum(a, b):
    """numpy's maximum of two floats."""
    return a if a >= b or np.isnan(a) else b


@numba.njit(inline="always")
def _minimum(a, b):
    """numpy's minimum of two floats."""
    return a if a <= b or np.isnan(a) else b


@numba.njit(cache=True, nogil=True)
def _beneficiaries(sp, by_tier, stock, lines, out):
    """`reach.beneficiaries(model, sp, by_tier, stock=stock or None)` into out = (reached,
    eligible, covered, old); lines = (household line, capacity units (L, D), max share, area line,
    cycle line, unit cost, cost rise)."""
    hh, cap, ms, area, cyc, unit_cost, rise = lines
    reached, eligible, covered, old = out
    L, D, T = by_tier.shape
    for li in range(L):
        for d in range(D):
            e = by_tier[li, d, 0]
            for t in range(1, T):
                e += by_tier[li, d, t]
            e = e if hh[li] else cap[li, d]
            ceiling = e * ms[li]
            pool, standing = ceiling, 0.0
            if stock.size > 0:
                standing = _minimum(stock[li, d] * (1.0 if area[li] else 0.0), ceiling)
                held = ceiling * _clip(stock[li, d], 0.0, 1.0) if cyc[li] else 0.0
                pool = ceiling - standing - held
            x = sp[li, d] / unit_cost[li]
            z = 2.0 * rise[li] * x / pool if pool > 0 else 0.0
            r = _clip(2.0 * x / (1.0 + np.sqrt(1.0 + z)), 0.0, _maximum(pool, 0.0))
            left = pool / ceiling if not area[li] and ceiling > 0 else 1.0
            eligible[li, d], reached[li, d] = e, r
            acc = 0.0
            for t in range(T):
                share = by_tier[li, d, t] / e if e > 0 else 0.0
                room = by_tier[li, d, t] * (ms[li] * left)
                acc += room
                covered[li, d, t] = r * share if area[li] else _clip(r - (acc - room), 0.0, room)
                old[li, d, t] = standing * share


def _lines(model) -> tuple:
    """The lines' side of `_beneficiaries`, built once per model."""
    p, s = model.params, model.structure
    arrays = (s.household_line, s.capacity_units, p.max_share, s.area_line, cycle_line(model), p.unit_cost)
    return tuple(np.ascontiguousarray(a) for a in arrays + (p.cost_rise,))


def beneficiaries(model, sp: np.ndarray, by_tier: np.ndarray, stock: np.ndarray | None = None) -> Reach:
    """`reach.beneficiaries(model, sp, by_tier, stock=stock)` for sp (L, D), by_tier (L, D, T)."""
    L, D, T = by_tier.shape
    out = (np.empty((L, D)), np.empty((L, D)), np.empty((L, D, T)), np.empty((L, D, T)))
    stock = NO_STOCK if stock is None else np.ascontiguousarray(stock, float)
    lines = memoised(model, "household_money.lines", lambda: _lines(model))
    _beneficiaries(np.ascontiguousarray(sp, float), by_tier, stock, lines, out)
    return Reach(*out)


@numba.njit(cache=True, nogil=True)
def needs(sp, E, hh_lines, stock, u, raw, lines, out, need):
    """`_beneficiaries` from the household lines' eligible households E (H, D*T) (the other lines'
    none), then each household line's covered households rounded without bias as
    `reach.whole_beneficiaries` does (`common.stochastic_round` with the uniforms u (H*D*T,), never
    more than the bin holds; when raw is not empty, the uniforms are numpy's doubles of its raw
    64-bit outputs, `(raw[i] >> 11) * 2**-53`, and u is empty) into need (H, D*T), and
    reached[hh_lines] their sums over tiers; out = (reached, eligible (L, D), (covered, old,
    by_tier) (3, L, D, T), by_tier zero). Returns the households the partly covered bins draw
    (`household_reach.pick`'s targets)."""
    reached, eligible, lanes = out
    covered, old, by_tier = lanes[0], lanes[1], lanes[2]
    D, T = by_tier.shape[1], by_tier.shape[2]
    for h in range(hh_lines.size):
        for b in range(D * T):
            by_tier[hh_lines[h], b // T, b % T] = E[h, b]
    _beneficiaries(sp, by_tier, stock, lines, (reached, eligible, covered, old))
    total = 0
    for h in range(hh_lines.size):
        li = hh_lines[h]
        for d in range(D):
            acc = 0
            for t in range(T):
                b = d * T + t
                x = covered[li, d, t]
                base = np.floor(x)
                i = h * D * T + b
                ui = np.float64(raw[i] >> S11) * TWO_M53 if raw.size > 0 else u[i]
                k = min(np.int64(base + (ui < x - base)), np.int64(by_tier[li, d, t]))
                need[h, b] = k
                acc += k
                total += k if k < E[h, b] else 0
            reached[li, d] = acc
    return total


@cache
def raw_uniforms_checked() -> bool:
    """Whether numpy's PCG64 `Generator.random` gives `(raw >> 11) * 2**-53` of the bit
    generator's raw outputs (`random_raw`), as numpy's `next_double` does: checked once per
    process on 256 numbers."""
    raw = np.random.PCG64(2026).random_raw(256)
    return bool(np.array_equal(np.random.Generator(np.random.PCG64(2026)).random(256), (raw >> S11) * TWO_M53))


def money_arrays(model, hh_lines: np.ndarray, sp: np.ndarray, DT: int, stock, rng, seed: bool = False) -> tuple:
    """`needs`'s arguments but E, for the household lines hh_lines (H,) with D*T bins each and
    money `sp` (L, D): the generator's H*D*T uniforms drawn (one `reach.whole_beneficiaries` call's;
    from a PCG64 generator as its raw outputs, `raw`, which `needs` makes the same doubles of:
    one numpy call, and with `seed` one more raw output after them, a kernel stream's seed,
    raw[-1]), the outputs (reached, eligible (L, D), covered, old and by_tier (3, L, D, T),
    zero) and need (H, D*T) allocated. Without raw outputs (another bit generator) the caller
    draws the seed after this call."""
    (L, D), H = sp.shape, hh_lines.size
    T = DT // D
    if type(rng.bit_generator) is np.random.PCG64 and raw_uniforms_checked():
        u, raw = NO_UNIFORMS, rng.bit_generator.random_raw(H * DT + bool(seed))
    else:
        u, raw = rng.random(H * DT), NO_RAW
    out = (np.empty((L, D)), np.empty((L, D)), np.zeros((3, L, D, T)))  # covered, old, by_tier: one call
    stock = NO_STOCK if stock is None else np.ascontiguousarray(stock, float)
    lines = memoised(model, "household_money.lines", lambda: _lines(model))
    return np.ascontiguousarray(sp, float), hh_lines, stock, u, raw, lines, out, np.empty((H, DT), np.int64)


@numba.njit(cache=True, nogil=True)
def boost_into(reached, inv_capacity, ena, out):
    """`reach.enabling_boost` into out (D,), D >= 2: numpy's einsum `"...ld,l->...d"` of reached
    (L, D) * inv_capacity (L, D) and ena (L,) then adds line by line, out[d] = a[l, d] * ena[l] +
    out[d] from zeros (its inner loop runs over d; with D = 1 it runs over l and may add in
    another order: not for this function)."""
    L, D = reached.shape
    for d in range(D):
        out[d] = 0.0
    for li in range(L):
        e = ena[li]
        for d in range(D):
            out[d] = (reached[li, d] * inv_capacity[li, d]) * e + out[d]


def boost_arrays(model) -> tuple:
    """`boost_into`'s model side, (inv_capacity (L, D), ena (L,)) contiguous, built once per model."""
    s, p = model.structure, model.params
    return memoised(
        model,
        "household_money.boost",
        lambda: (np.ascontiguousarray(s.inv_capacity, float), np.ascontiguousarray(p.effects[:, ENA], float)),
    )


def enabling_boost(model, reached: np.ndarray) -> np.ndarray:
    """`reach.enabling_boost(model, reached)` for reached (L, D), byte for byte: compiled
    (`boost_into`) when D >= 2, numpy's otherwise."""
    if reached.ndim != 2 or reached.shape[1] < 2:
        return reach.enabling_boost(model, reached)
    out = np.empty(reached.shape[1])
    boost_into(np.ascontiguousarray(reached, float), *boost_arrays(model), out)
    return out


def beneficiaries_to_draw(s, hh_lines: np.ndarray, r, Ef: np.ndarray, E: np.ndarray, rng, with_old: bool) -> tuple:
    """Households to draw per household line (hh_lines (H,)) and bin (need, need_old (H, D*T)):
    each line's covered households rounded (`whole_beneficiaries`), then, for an area line with
    standing works, those they serve among the rest; the generator's draws in the lines' order,
    lines without standing-work draws between them rounded together (the same uniforms)."""
    H = hh_lines.size
    need, need_old = np.zeros(E.shape, np.int64), np.zeros(E.shape, np.int64)
    a = 0
    for h in range(H + 1):
        li = hh_lines[h] if h < H else -1
        served = h < H and with_old and s.area_line[li] and r.old[li].any()
        if h == H or served:
            b = min(h + 1, H)
            if b > a:
                need[a:b] = whole_beneficiaries(r.covered[hh_lines[a:b]], Ef[a:b], rng).reshape(b - a, -1)
            if served:
                need_old[h] = np.minimum(stochastic_round(r.old[li].ravel(), rng), E[h] - need[h])
            a = b
    return need, need_old
