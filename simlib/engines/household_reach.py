"""The programme step for engines that hold households one by one, compiled: who each budget line
reaches among individual households, in two passes over the households whatever the number of
lines, without sorting.

The arithmetic of the step is the shared one (`simlib.engines.reach`): eligible households are
counted per (line, unit, priority tier) bin, `reach.beneficiaries` turns money into beneficiaries
per bin, `reach.whole_beneficiaries` rounds them without bias, and for an area line the
households its standing works still serve are rounded the same way. What differs from
`reach.reach_households` is only how exactly that many households of each bin are picked:

1. one pass counts the households of every cell (group, state) — and those deprived in the
   indicators of each line that targets deprived households — and the cells' counts give every
   household line's eligible households per bin (`_count`, `_bins`);
2. one pass picks them by *selection sampling* (Knuth's algorithm S): walking the households in
   array order, a household of bin b is taken with probability need_b / left_b, where need_b is
   how many the bin still needs and left_b how many of its households are still to come. Every
   subset of the bin's size is equally likely — the same law as a random permutation followed by
   a sort by bin, at one comparison per household instead of a sort; each household looks only
   at the lines its cell is eligible for that pick someone this year. For an area line the same
   walk picks, among the bin's households not reached anew, those its standing works serve.

Bins fully covered or not covered at all use no random numbers. The kernel draws its uniforms
from a SplitMix64 stream seeded by one 64-bit draw from the caller's `numpy.random.Generator`, so a
run is reproducible for a seed on any machine and with any number of workers. A uniform is 32
bits: a household is taken when floor(u x left_b / 2³²) < need_b, a probability exact to 2⁻³².

Which lines reach a household is a bitmask (bit `li` of a uint32, or uint64 above 32 lines): 4
bytes per household instead of one boolean per line.
"""

from __future__ import annotations

from dataclasses import dataclass

import numba
import numpy as np
from llvmlite import ir
from numba import types
from numba.extending import intrinsic

from simlib.engines.common import stochastic_round
from simlib.engines.reach import acting_money, beneficiaries, enabling_boost, held_stock, record, whole_beneficiaries
from simlib.memo import memoised

GAMMA = np.uint64(0x9E3779B97F4A7C15)
MIX1 = np.uint64(0xBF58476D1CE4E5B9)
MIX2 = np.uint64(0x94D049BB133111EB)
S30, S27, S31, S32 = np.uint64(30), np.uint64(27), np.uint64(31), np.uint64(32)
S11 = np.uint64(11)
LOW32 = np.uint64(0xFFFFFFFF)
TWO32 = float(2**32)
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


def bits_dtype(n_lines: int):
    """The integer type holding one bit per budget line."""
    if n_lines > 64:  # pragma: no cover - a plan has a dozen lines
        raise ValueError(f"at most 64 budget lines can be held as bits, not {n_lines}")
    return np.uint32 if n_lines <= 32 else np.uint64


def line_bits(lines: np.ndarray, dtype) -> np.ndarray:
    """Bit of each line index in `lines` (as `dtype`)."""
    return (np.ones(len(lines), np.uint64) << np.asarray(lines, np.uint64)).astype(dtype)


def mask_of_lines(flags: np.ndarray, dtype):
    """One integer with bit li set for every True in flags (L,)."""
    return dtype(int(sum(1 << int(li) for li in np.flatnonzero(flags))))


@numba.njit(cache=True, nogil=True)
def _count(group, state, mask, K, targeted_bits, n_cell, n_deprived):
    """Households per cell c = g*K + k (n_cell (C,)) and, for each line that targets deprived
    households, those deprived in one of its indicators (n_deprived (Q, C))."""
    for i in range(group.size):
        c = group[i] * K + state[i]
        n_cell[c] += 1
        for q in range(targeted_bits.size):  # branch-free: deprivations are unpredictable
            n_deprived[q, c] += (mask[i] & targeted_bits[q]) != 0


@numba.njit(cache=True, nogil=True)
def _bins(ptr, line, bin_, which, n_cell, n_deprived, E):
    """Eligible households per line and bin E (H, D*T) from the cells' counts: each cell adds
    its households (or, for a targeting line, its deprived ones: which[h] >= 0) to the bin of
    each line it is eligible for (the cell's list ptr / line / bin_)."""
    for c in range(ptr.size - 1):
        for e in range(ptr[c], ptr[c + 1]):
            h = line[e]
            E[h, bin_[e]] += n_cell[c] if which[h] < 0 else n_deprived[which[h], c]


@numba.njit(cache=True, nogil=True)
def _active(ptr, line, bin_, need, need_old):
    """The cells' lists restricted to the (line, bin) pairs that pick someone this year."""
    keep = np.zeros(line.size, np.bool_)
    for e in range(line.size):
        keep[e] = need[line[e], bin_[e]] > 0 or need_old[line[e], bin_[e]] > 0
    aptr = np.zeros(ptr.size, np.int64)
    for c in range(ptr.size - 1):
        aptr[c + 1] = aptr[c] + keep[ptr[c] : ptr[c + 1]].sum()
    return aptr, line[keep], bin_[keep]


@numba.njit(cache=True, nogil=True)
def _select(group, state, mask, K, need_bits, ptr, line, bin_, need, left, need_old, left_old, bits, seed, chosen, old):
    """Selection sampling of every household line's beneficiaries (see the module docstring),
    walking each household's cell list of lines that pick someone (ptr / line / bin_):
    need / left (H, D*T) new beneficiaries still to pick / eligible households still to come,
    need_old / left_old the same for households an area line's standing works serve among those
    not reached anew. Sets bit bits[h] of chosen[i] / old[i] (zeroed by the caller); need and
    left arrays are consumed. Returns the stream's state."""
    s = np.uint64(seed)
    has_old = old.size > 0  # engines that pick no standing works pass an empty `old`
    for i in range(group.size):
        c = group[i] * K + state[i]
        m = mask[i]
        for e in range(ptr[c], ptr[c + 1]):
            h, b = line[e], bin_[e]
            nb = need_bits[h]
            if nb != 0 and (m & nb) == 0:
                continue
            take = False
            nd = need[h, b]
            if nd > 0:
                lf = left[h, b]
                if nd >= lf:
                    take = True
                else:
                    s += GAMMA
                    take = ((mix(s) >> S32) * np.uint64(lf)) >> S32 < np.uint64(nd)
                left[h, b] = lf - 1
                if take:
                    need[h, b] = nd - 1
                    chosen[i] |= bits[h]
            if has_old and not take and need_old[h, b] > 0:
                pick = True
                if need_old[h, b] < left_old[h, b]:
                    s += GAMMA
                    pick = ((mix(s) >> S32) * np.uint64(left_old[h, b])) >> S32 < np.uint64(need_old[h, b])
                if pick:
                    old[i] |= bits[h]
                    need_old[h, b] -= 1
                left_old[h, b] -= 1
    return s


@dataclass
class BitReach:
    """What a year's money buys among individual households, lines as bits."""

    chosen: np.ndarray  # (n,) uint32/uint64: bit li set when line li reaches the household anew
    old: np.ndarray  # (n,) same: an area line's standing works serve the household (empty if not picked)
    reached: np.ndarray  # (L, D) new beneficiaries (whole households; officers / communes)
    eligible: np.ndarray  # (L, D)
    boost: np.ndarray  # (D,) enabling boost


class Tables:
    """A model's per-line arrays in the kernels' layout (built once per run): for each cell
    (group, state), the household lines it is eligible for and its bin (unit, tier) in each."""

    def __init__(self, model, need_bits: np.ndarray | None = None):
        s = model.structure
        L = len(s.line_codes)
        G, K = s.n0.shape
        self.hh = np.flatnonzero(s.household_line)
        self.others = np.flatnonzero(~s.household_line)
        nb = np.zeros(L, np.uint16) if need_bits is None else np.asarray(need_bits, np.uint16)
        self.need_bits = np.ascontiguousarray(nb[self.hh])
        self.targeted_bits = self.need_bits[self.need_bits != 0]
        self.which = np.where(self.need_bits != 0, np.cumsum(self.need_bits != 0) - 1, -1).astype(np.int64)
        self.dtype = bits_dtype(L)
        self.bits = line_bits(self.hh, self.dtype)
        self.D, self.T, self.K = len(s.unit_ids), s.n_tiers, K
        elig = s.eligible[self.hh].reshape(len(self.hh), G * K)  # (H, C)
        cell, h = np.nonzero(elig.T)  # cell-major
        self.ptr = np.concatenate([[0], np.cumsum(np.bincount(cell, minlength=G * K))]).astype(np.int64)
        self.line = h.astype(np.int64)
        tier = s.tier[self.hh].reshape(len(self.hh), G * K)
        self.bin = (s.g_unit[cell // K] * self.T + tier[h, cell]).astype(np.int64)


def tables(model, need_bits: np.ndarray | None = None) -> Tables:
    """`Tables` of a model (and lines' targeted indicators), cached on the model."""
    key = "household_reach." + ("" if need_bits is None else np.asarray(need_bits, np.uint16).tobytes().hex())
    return memoised(model, key, lambda: Tables(model, need_bits))


def reach_bits(model, tab: Tables, sp, group, state, mask, rng, stock=None, with_old=True) -> BitReach:
    """The programme step (`reach.reach_households`) for households (group, state, mask (n,))
    and money acting `sp` (L, D), area lines' standing works serving `stock` (L, D) households.
    `with_old=False` skips picking who the standing works serve (engines that do not use it)."""
    s = model.structure
    L, D, T = len(s.line_codes), tab.D, tab.T
    H = tab.hh.size
    reached, eligible = np.zeros((L, D)), np.zeros((L, D))
    out = beneficiaries(model, sp[tab.others], np.zeros((tab.others.size, D, T)), lines=tab.others)
    reached[tab.others], eligible[tab.others] = out.reached, out.eligible
    mask = np.zeros(group.size, np.uint16) if mask is None else mask
    n_cell, n_dep = np.zeros(tab.ptr.size - 1, np.int64), np.zeros((tab.targeted_bits.size, tab.ptr.size - 1), np.int64)
    _count(group, state, mask, tab.K, tab.targeted_bits, n_cell, n_dep)
    E = np.zeros((H, D * T), np.int64)
    _bins(tab.ptr, tab.line, tab.bin, tab.which, n_cell, n_dep, E)
    need, need_old = np.zeros((H, D * T), np.int64), np.zeros((H, D * T), np.int64)
    Ef = E.reshape(H, D, T).astype(float)
    r = beneficiaries(model, sp[tab.hh], Ef, lines=tab.hh, stock=None if stock is None else stock[tab.hh])
    eligible[tab.hh] = r.eligible
    for h, li in enumerate(tab.hh):  # line by line: the generator's draws in the lines' order
        need[h] = whole_beneficiaries(r.covered[h], Ef[h], rng)
        reached[li] = need[h].reshape(D, T).sum(-1)
        if with_old and s.area_line[li] and r.old[h].any():
            need_old[h] = np.minimum(stochastic_round(r.old[h].ravel(), rng), E[h] - need[h])
    # without standing works to pick (with_old=False: need_old stays 0), `old` is never written
    chosen, old = np.zeros(group.size, tab.dtype), np.zeros(group.size if with_old else 0, tab.dtype)
    ptr, line, bin_ = _active(tab.ptr, tab.line, tab.bin, need, need_old)
    _select(group, state, mask, tab.K, tab.need_bits, ptr, line, bin_, need, E.copy(), need_old, E - need, tab.bits,
            seed_of(rng), chosen, old)  # fmt: skip
    return BitReach(chosen, old, reached, eligible, enabling_boost(model, reached))


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
