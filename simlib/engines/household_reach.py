"""The programme step for engines that hold households one by one, compiled: who each budget line
reaches among individual households, in two passes over the households whatever the number of
lines, without sorting, and random draws only for the households chosen.

The arithmetic of the step is the shared one (`simlib.engines.reach`): eligible households are
counted per (line, unit, priority tier) bin, `reach.beneficiaries` turns money into beneficiaries
per bin, `reach.whole_beneficiaries` rounds them without bias, and for an area line the
households its standing works still serve are rounded the same way. What differs from
`reach.reach_households` is only how exactly that many households of each bin are picked:

1. one pass counts the households of every *subcell*: cell (group, state) and pattern, which of
   the targeting lines' indicators the household's mask has (one pattern when no line targets
   deprived households). A bin of a line is a set of subcells (its cells; for a targeting line,
   their patterns with its indicators), so the counts give every bin's eligible households
   (`household_count`); ranking a subcell's households in array order and the bin's subcells one
   after the other ranks the bin's eligible households 0, ..., E - 1;
2. for each bin that picks some but not all of its households, the chosen *ranks* are drawn: a
   uniformly random subset of the size the bin needs (Floyd's algorithm on a bitmap of the bin's
   ranks: one bounded uniform integer per household chosen, whatever the bin's size); for an
   area line, the new beneficiaries and those its standing works serve are drawn together, then
   which of those are new, the same way — the law of a uniform subset of new beneficiaries and a
   uniform subset of the others for the standing works. Each chosen rank becomes a *position*,
   the subcell's first position plus the rank in the subcell, set in a bitmap of positions with
   the lines choosing it (`_draw`, `_place`; each bin's subcells are listed once per model,
   `bin_subcells`). A bin taken whole marks its subcells instead;
3. one pass gives each household the next position of its subcell and reads that position's
   lines (`_walk`; the subcell as step 1 kept it, in the upper half of the line bits' memory,
   `walk_arrays`, `_walk_subcells`).

Every subset of a bin's size is equally likely, as with a random permutation followed by a sort
by bin; the draws follow the number of households chosen (the selection sampling used before drew
one uniform per eligible household and line). Bins fully covered or not covered at all use no random
numbers. The kernel draws its uniforms from a SplitMix64 stream seeded by one 64-bit draw from
the caller's `numpy.random.Generator`, so a run is reproducible for a seed on any machine and with
any number of workers; a uniform integer in [0, j] is exact (`below`: a 32-bit uniform times j + 1,
the few biased values drawn again).

Which lines reach a household is a bitmask (bit `li` of a uint32, or uint64 above 32 lines): 4
bytes per household instead of one boolean per line. The model's side of these passes (cells'
lines and bins, bins' cells and subcells, patterns) is built once per model
(`simlib.engines.household_tables`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numba
import numpy as np
from llvmlite import ir
from numba import types
from numba.extending import intrinsic

from simlib.engines.household_count import NO_SUBCELLS, count_arrays, eligible_counts, eligible_needs
from simlib.engines.household_money import (
    beneficiaries,
    beneficiaries_to_draw,
    boost_arrays,
    enabling_boost,
    money_arrays,
)
from simlib.engines.household_tables import Tables, bin_subcells, position_bits, tables
from simlib.engines.reach import acting_money, held_stock, record
from simlib.memo import memoised

GAMMA = np.uint64(0x9E3779B97F4A7C15)
MIX1 = np.uint64(0xBF58476D1CE4E5B9)
MIX2 = np.uint64(0x94D049BB133111EB)
S30, S27, S31, S32 = np.uint64(30), np.uint64(27), np.uint64(31), np.uint64(32)
S11 = np.uint64(11)
S6, S7, S63 = np.uint64(6), np.uint64(7), np.uint64(63)
LOW32 = np.uint64(0xFFFFFFFF)
TWO32 = float(2**32)
TWO32_INT = np.uint64(2**32)
TWO_M53 = 2.0**-53


@numba.njit(inline="always")
def mix(z):
    """SplitMix64's output function of a state z (uint64)."""
    z = (z ^ (z >> S30)) * MIX1
    z = (z ^ (z >> S27)) * MIX2
    return z ^ (z >> S31)


ONE = np.uint64(1)


@intrinsic
def _cttz(typingctx, b):
    """LLVM's count-trailing-zeros of a uint64 that is not 0, as an int64."""
    sig = types.int64(types.uint64)

    def codegen(context, builder, signature, args):
        return builder.cttz(args[0], ir.Constant(ir.IntType(1), 1))

    return sig, codegen


@numba.njit(inline="always")
def lowest_bit(b):
    """Index of the lowest set bit of b (uint64, not 0): one count-trailing-zeros instruction."""
    return _cttz(b)


def seed_of(rng: np.random.Generator) -> np.uint64:
    """A kernel stream's seed: one raw 64-bit output of the caller's generator."""
    return np.uint64(rng.bit_generator.random_raw())


def thresholds32(p: np.ndarray) -> np.ndarray:
    """Probabilities as 32-bit thresholds (uint64): an event of probability p happens when a
    32-bit uniform u < threshold; exact to 2⁻³² (p = 1 always, p = 0 never)."""
    return np.floor(np.clip(np.asarray(p, float), 0.0, 1.0) * TWO32).astype(np.uint64)


def mask_of_lines(flags: np.ndarray, dtype):
    """One integer with bit li set for every True in flags (L,)."""
    return dtype(int(sum(1 << int(li) for li in np.flatnonzero(flags))))


@intrinsic
def _ctpop(typingctx, b):
    """LLVM's population count of a uint64, as an int64."""
    sig = types.int64(types.uint64)

    def codegen(context, builder, signature, args):
        return builder.zext(builder.ctpop(args[0]), ir.IntType(64))

    return sig, codegen


@numba.njit(inline="always")
def below(n, s):
    """A uniform integer in [0, n) (1 <= n < 2³²), exactly: a 32-bit uniform times n, drawn
    again while the low half falls among the 2³² mod n values that would favour some results
    (Lemire 2019, "Fast random integer generation in an interval"); and the stream's state."""
    n = np.uint64(n)
    s += GAMMA
    x = (mix(s) >> S32) * n
    if (x & LOW32) < n:
        reject = (TWO32_INT - n) % n
        while (x & LOW32) < reject:
            s += GAMMA
            x = (mix(s) >> S32) * n
    return np.int64(x >> S32), s


@numba.njit(inline="always")
def _has(words, j):
    """Whether bit j of a bitmap (uint64 words) is set."""
    return ((words[j >> 6] >> np.uint64(j & 63)) & ONE) != 0


@numba.njit(inline="always")
def floyd(k, n, words, s):
    """A uniformly random k-subset of [0, n) as set bits of `words` (zero on entry), by
    Floyd's algorithm (Bentley & Floyd 1987, "A sample of brilliance"): for j = n - k, ..., n - 1,
    t uniform in [0, j] joins the set, or j when t is already in it; k draws whatever n.
    Returns the stream's state."""
    for j in range(n - k, n):
        t, s = below(j + 1, s)
        if _has(words, t):
            t = j
        words[t >> 6] |= ONE << np.uint64(t & 63)
    return s


@numba.njit(inline="always")
def _nonempty(subs, base, ends, delta):
    """A bin's subcells that hold households, in rank order (without a branch): ends[j] the rank
    after the j-th one's last, delta[j] its first position less its first rank (a subcell's
    households from its positions base[s + 1] - base[s]: one cache line, not two tables' read);
    returns how many. The ranks then skip the empty subcells (most of a bin's patterns) without
    visiting them."""
    nc, acc = 0, 0
    for q in range(subs.size):  # unsigned indices: no code for negative ones
        sq = np.uint64(subs[q])
        b0 = base[sq]
        c = base[sq + ONE] - b0
        delta[nc] = b0 - acc
        acc += c
        ends[nc] = acc
        nc += np.int64(c > 0)
    return nc


@numba.njit(cache=True, nogil=True)
def _draw(layout, base, need, need_old, E, bits, seed, full, targets):
    """Every household line's beneficiaries as positions (module docstring, step 2): bin b of
    line h ranks its E[h, b] eligible households subcell by subcell (layout = (sptr, sub): bin
    key h*B + b's subcells in rank order, `bin_subcells`; rank r in subcell s is position
    base[s] + r). A bin taken whole sets bits[h] in its subcells' full[0] (new) or full[1]
    (standing works); otherwise its need + need_old chosen ranks are drawn by Floyd's algorithm,
    then which need of them are new the same way, and written into targets = (position, line,
    new) packed as position << 7 | line << 1 | new; a chosen rank's subcell is the number of the
    bin's non-empty subcells whose first rank is at or below it (a bitmap of first ranks and a
    popcount: no branch per subcell passed). Returns the number written and the stream's state."""
    sptr, sub = layout
    s = np.uint64(seed)
    H, B = need.shape
    words = np.zeros((E.max() + 63) // 64 + 1, np.uint64)
    split, starts = np.zeros(words.size, np.uint64), np.zeros(words.size, np.uint64)
    longest = np.max(sptr[1:] - sptr[:-1])
    ends, delta = np.empty(longest, np.int64), np.empty(longest, np.int64)
    t = 0
    for h in range(H):
        for b in range(B):
            k, m, n = need[h, b], need_old[h, b], E[h, b]
            if k + m == 0:
                continue
            subs = sub[sptr[h * B + b] : sptr[h * B + b + 1]]
            if k >= n or m >= n:  # the whole bin, new or served: no draws
                for q in range(subs.size):
                    full[0 if k >= n else 1, subs[q]] |= bits[h]
                continue
            u = k + m
            if u < n:
                s = floyd(u, n, words, s)
            if m > 0:
                s = floyd(k, u, split, s)
            nc = _nonempty(subs, base, ends, delta)
            lo = np.uint64(0)
            for q in range(nc):  # each non-empty subcell's first rank, as a bit of `starts`
                starts[lo >> S6] |= ONE << (lo & S63)
                lo = np.uint64(ends[q])
            qacc, j = -1, 0
            for w in range((n + 63) // 64):  # the chosen ranks in increasing order
                x = words[w] if u < n else ~np.uint64(0)
                if w == n // 64:  # the last word's ranks below n only
                    x &= (ONE << np.uint64(n & 63)) - ONE
                sw = starts[w]
                while x:
                    bit = np.uint64(lowest_bit(x))
                    x &= x - ONE
                    q = qacc + _ctpop(sw & (((ONE << bit) << ONE) - ONE))  # the subcell of the rank: no branch
                    new = m == 0 or _has(split, j)
                    targets[t] = (delta[q] + w * 64 + np.int64(bit)) << 7 | h << 1 | np.int64(new)
                    t += 1
                    j += 1
                qacc += _ctpop(sw)
            words[: n // 64 + 1] = 0
            split[: u // 64 + 1] = 0
            starts[: n // 64 + 1] = 0
    return t, s


@numba.njit(cache=True, nogil=True)
def _place(targets, t, bits, words, pre, vals):
    """The targets' positions as set bits of `words`, pre[w] the set bits before word w, and
    the lines choosing the target of rank idx among the set bits in vals[0, idx] (new) and
    vals[1, idx] (standing works); vals has one column more than the set bits."""
    for i in range(t):  # unsigned indices: no code for negative ones
        p = np.uint64(targets[i]) >> S7
        words[p >> S6] |= ONE << (p & S63)
    acc = 0
    for w in range(words.size):
        pre[w] = acc
        acc += _ctpop(words[w])
    for i in range(t):
        x = np.uint64(targets[i])
        p = x >> S7
        idx = np.uint64(pre[p >> S6] + _ctpop(words[p >> S6] & ((ONE << (p & S63)) - ONE)))
        vals[ONE - (x & ONE), idx] |= bits[(x >> ONE) & S63]


@numba.njit(cache=True, nogil=True)
def _walk(hh, K, pat, P, cnt, placed, full, chosen, old):
    """Each household's lines (module docstring, step 3): its position is the next of its
    subcell's (cnt, consumed); bits of the subcell's whole bins, and of the lines choosing that
    position (placed = (words, pre, vals) of `_place`), into chosen[i] / old[i] (old empty:
    not picked)."""
    group, state, mask = hh
    words, pre, vals = placed
    pm, Ku, Pu = np.uint64(pat.size - 1), np.uint64(K), np.uint64(P)
    has_old = old.size > 0
    for i in range(group.size):  # unsigned indices: no code for negative ones
        sc = (np.uint64(group[i]) * Ku + np.uint64(state[i])) * Pu + np.uint64(pat[mask[i] & pm])
        p = np.uint64(cnt[sc])
        cnt[sc] = p + ONE
        w, sh = words[p >> S6], p & S63
        idx = np.uint64(pre[p >> S6] + _ctpop(w & ((ONE << sh) - ONE)))  # the position's rank if it is set
        keep = vals.dtype.type(0) - vals.dtype.type((w >> sh) & ONE)  # all ones if set (branch-free)
        chosen[i] = full[0, sc] | (vals[0, idx] & keep)
        if has_old:
            old[i] = full[1, sc] | (vals[1, idx] & keep)


@numba.njit(inline="always")
def _walk_subcells(sc_of, cnt, placed, full, chosen, old):
    """`_walk` with the households' subcells read from sc_of (kept by `_count`): 2 bytes a
    household instead of its group, state and mask, a table look-up and two multiplies. The
    per-household body repeats `_walk`'s on purpose: shared as an inlined function it ran 4×
    slower (reach at 10⁵ 0.80 → 3.1 ms a year, benchmarks/HISTORY.md)."""
    words, pre, vals = placed
    has_old = old.size > 0
    for i in range(sc_of.size):  # unsigned indices: no code for negative ones
        sc = np.uint64(sc_of[i])
        p = np.uint64(cnt[sc])
        cnt[sc] = p + ONE
        w, sh = words[p >> S6], p & S63
        idx = np.uint64(pre[p >> S6] + _ctpop(w & ((ONE << sh) - ONE)))  # the position's rank if it is set
        keep = vals.dtype.type(0) - vals.dtype.type((w >> sh) & ONE)  # all ones if set (branch-free)
        chosen[i] = full[0, sc] | (vals[0, idx] & keep)
        if has_old:
            old[i] = full[1, sc] | (vals[1, idx] & keep)


@dataclass
class BitReach:
    """What a year's money buys among individual households, lines as bits."""

    chosen: np.ndarray  # (n,) uint32/uint64: bit li set when line li reaches the household anew
    old: np.ndarray  # (n,) same: an area line's standing works serve the household (empty if not picked)
    reached: np.ndarray  # (L, D) new beneficiaries (whole households; officers / communes)
    eligible: np.ndarray  # (L, D)
    boost: np.ndarray  # (D,) enabling boost


def walk_arrays(tab: Tables, n: int) -> tuple[np.ndarray, np.ndarray]:
    """The arrays of n households' lines (`chosen`, of the tables' dtype) and of their subcells
    (`eligible_counts` to `pick`: uint16 when the subcells fit), the subcells in the upper half
    of `chosen`'s memory when they fit there (no byte more at the step's peak): the walk reads
    subcell i before it writes line bits i, and the bytes of line bits i only cover subcells
    already read (those below 2i - n + 2)."""
    chosen = np.empty(n, tab.dtype)
    sc = np.dtype(np.uint16 if (tab.ptr.size - 1) * tab.P <= 1 << 16 else np.uint32)
    r = chosen.itemsize // sc.itemsize
    return chosen, (chosen.view(sc)[(r - 1) * n :] if r >= 2 else np.empty(n, sc))


def pick(
    tab: Tables, hh: tuple, n_sub: np.ndarray, counts: tuple, seed, with_old: bool = True, kept=None, total=None
) -> tuple:
    """Who each household line reaches among households hh = (group, state, mask) counted by
    subcell n_sub: counts = (need, need_old, E) (H, D*T), new beneficiaries, households served
    by standing works among the others, eligible households per line and bin; a uniformly random
    subset of each bin's size (module docstring, steps 2-3), from a SplitMix64 stream seeded by
    `seed`; kept = (chosen, their subcells) of `walk_arrays` if given, the subcells filled by
    `eligible_counts`; `total` the households the partly covered bins draw, if known. Returns
    chosen, old (n,) line bits (old empty when not `with_old`)."""
    need, need_old, E = counts
    n = hh[0].size
    if E.size == 0:  # no household line
        return np.zeros(n, tab.dtype), np.zeros(n if with_old else 0, tab.dtype)
    layout = memoised(tab, "bin_subcells", lambda: bin_subcells(tab.bptr, tab.bcell, tab.ok, tab.P))
    pbits = memoised(tab, "position_bits", lambda: position_bits(tab))
    if total is None:
        total = int(need[need < E].sum() + need_old[need_old < E].sum())
    m = n // 64 + 1
    rows = 2 if with_old else 1  # the standing works' row (1) only when they are picked
    buffers = (  # numpy's arrays (traced like the others), filled in one compiled call
        np.empty(n_sub.size + 1 + m + total, np.int64),  # base, pre and targets (`_pick` cuts them)
        np.zeros((rows, n_sub.size), tab.dtype),
        np.zeros(m, np.uint64),
        np.zeros((rows, total + 1), pbits.dtype),
    )
    chosen, sc_of = (np.empty(n, tab.dtype), NO_SUBCELLS) if kept is None else kept
    old = np.empty(n if with_old else 0, tab.dtype)
    counts = (need, need_old, E)
    hh = (hh, sc_of)
    _pick(hh, tab.K, tab.pat, tab.P, layout, n_sub, counts, (tab.bits, pbits), np.uint64(seed), buffers, chosen, old)
    return chosen, old


@numba.njit(cache=True, nogil=True)
def _pick(hh, K, pat, P, layout, n_sub, counts, bits, seed, buffers, chosen, old):
    """`pick`'s steps 2-3 in one compiled call: the draws (`_draw`), the positions (`_place`,
    the lines choosing them as bits[1], `position_bits`) and the walk (`_walk`; hh = ((group,
    state, mask), their subcells or none)) into chosen, old (as bits[0]); buffers = (base (C*P + 1,),
    pre (words,) and targets one after another in one int64 array, full (2, C*P), words, vals (2,
    targets + 1)), full, words and vals zero (full and vals with one row when nothing is picked for
    the standing works). The walk takes each subcell's next position from base itself (the draws
    and the positions are done with it): no second table of counters."""
    need, need_old, E = counts
    bits, pbits = bits
    ints, full, words, vals = buffers
    b, m = n_sub.size + 1, words.size
    base, pre, targets = ints[:b], ints[b : b + m], ints[b + m :]
    base[0] = 0
    for c in range(n_sub.size):
        base[c + 1] = base[c] + n_sub[c]
    t, _ = _draw(layout, base, need, need_old, E, bits, seed, full, targets)
    _place(targets, t, pbits, words, pre, vals)  # vals: one more column, the branch-free walk reads past the last
    if hh[1].size > 0:
        _walk_subcells(hh[1], base, (words, pre, vals), full, chosen, old)
    else:
        _walk(hh[0], K, pat, P, base, (words, pre, vals), full, chosen, old)


def reach_bits(model, tab: Tables, sp, group, state, mask, rng, stock=None, with_old=True) -> BitReach:
    """The programme step (`reach.reach_households`) for households (group, state, mask (n,))
    and money acting `sp` (L, D), area lines' standing works serving `stock` (L, D) households.
    `with_old=False` skips picking who the standing works serve (engines that do not use it).

    Every line's beneficiaries come from one `reach.beneficiaries` call (the other lines' with no
    households and nothing held: the arithmetic of a call of their own, element by element), the
    household lines' whole beneficiaries from one rounding per run of lines that draw nothing in
    between (the generator's uniforms in the same order as line by line)."""
    s = model.structure
    L, D, T = len(s.line_codes), tab.D, tab.T
    H = tab.hh.size
    mask = np.zeros(group.size, np.uint16) if mask is None else mask
    kept = walk_arrays(tab, group.size)
    held = None
    if stock is not None:  # the other lines hold nothing (their own call had no stock)
        held = np.zeros((L, D))
        held[tab.hh] = stock[tab.hh]
    if H and not (with_old and stock is not None):  # no standing-work draws: the money in the count's call
        money = money_arrays(model, tab.hh, sp, D * T, held, rng, seed=True)
        seed = money[4][-1] if money[4].size else seed_of(rng)  # the next raw output either way
        n_sub, E, odd = count_arrays(tab, group.size)
        hh = ((group, state, mask), tab.K, tab.pat, tab.ok, (tab.ptr, tab.line, tab.bin))
        boost = np.empty(D)  # the boost in the same call (`household_money.enabling_boost`'s)
        total = eligible_needs(hh, (n_sub, E, odd), kept[1], money, (*boost_arrays(model), boost))
        del odd
        (reached, eligible, *_), need = money[6], money[7]
        need_old = memoised(tab, "no_need_old", lambda: np.zeros_like(need))  # read only
        boost = boost if D >= 2 else enabling_boost(model, reached)
    else:
        n_sub, E = eligible_counts(tab, group, state, mask, kept[1])
        by_tier, total = np.zeros((L, D, T)), None
        by_tier[tab.hh] = E.reshape(H, D, T)
        r = beneficiaries(model, sp, by_tier, held)  # `reach.beneficiaries`, compiled
        reached, eligible = r.reached, r.eligible
        need, need_old = beneficiaries_to_draw(s, tab.hh, r, by_tier[tab.hh], E, rng, with_old)
        reached[tab.hh] = need.reshape(H, D, T).sum(-1)
        seed, boost = seed_of(rng), enabling_boost(model, reached)
    counts = (need, need_old, E)
    chosen, old = pick(tab, (group, state, mask), n_sub, counts, seed, with_old, kept, total)
    return BitReach(chosen, old, reached, eligible, boost)


class ProgrammeYears:
    """The yearly programme loop both household engines share: money acting each year, the
    households area lines' works newly serve each year (their standing stock), who is reached,
    and the reach and eligibility records of the run's output."""

    def __init__(self, model, spend: np.ndarray, out, need_bits=None, with_old=True):
        self.model, self.out, self.with_old = model, out, with_old
        self.tab = tables(model, need_bits)
        self.acting = acting_money(model, spend)  # (Y, L, D)
        self.built = np.zeros((len(model.years),) + self.acting.shape[1:])

    def reach(self, y: int, group, state, mask, rng) -> BitReach:
        """Year y's reach; records reached and eligible households into the output."""
        m = self.model
        r = reach_bits(
            m, self.tab, self.acting[y], group, state, mask, rng, held_stock(m, self.built, y), self.with_old
        )
        self.built[y] = record(m, r.reached, r.eligible)
        self.out.reached[0, y], self.out.eligible[0, y] = r.reached, r.eligible
        return r
