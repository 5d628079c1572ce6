"""The programme step for engines that hold households one by one, compiled: who each budget line
reaches among individual households, in two passes over the households whatever the number of
lines, without sorting.

The arithmetic of the step is the shared one (`simlib.engines.reach`): eligible households are
counted per (line, unit, priority tier) bin, `reach.beneficiaries` turns money into beneficiaries
per bin, `reach.whole_beneficiaries` rounds them without bias, and for an area line the
households its standing works still serve are rounded the same way. What differs from
`reach.reach_households` is only how exactly that many households of each bin are picked:

1. one pass counts every household line's eligible households per bin (`_count`);
2. one pass picks them by *selection sampling* (Knuth's algorithm S): walking the households in
   array order, a household of bin b is taken with probability need_b / left_b, where need_b is
   how many the bin still needs and left_b how many of its households are still to come. Every
   subset of the bin's size is equally likely — the same law as a random permutation followed by
   a sort by bin, at one comparison per household instead of a sort. For an area line the same
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

from simlib.engines.common import stochastic_round
from simlib.engines.reach import acting_spend, area_stock, beneficiaries, enabling_boost, whole_beneficiaries

GAMMA = np.uint64(0x9E3779B97F4A7C15)
MIX1 = np.uint64(0xBF58476D1CE4E5B9)
MIX2 = np.uint64(0x94D049BB133111EB)
S30, S27, S31, S32 = np.uint64(30), np.uint64(27), np.uint64(31), np.uint64(32)
LOW32 = np.uint64(0xFFFFFFFF)
TWO32 = float(2**32)


@numba.njit(inline="always")
def mix(z):
    """SplitMix64's output function of a state z (uint64)."""
    z = (z ^ (z >> S30)) * MIX1
    z = (z ^ (z >> S27)) * MIX2
    return z ^ (z >> S31)


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
def _count(group, state, mask, unit, elig, tier, need_bits, T, E):
    """Eligible households per household line and (unit, tier) bin: E (H, D*T) += counts.
    A line with need_bits[h] != 0 counts only households deprived in one of those indicators."""
    H = elig.shape[0]
    for i in range(group.size):
        g, k = group[i], state[i]
        base = unit[g] * T
        for h in range(H):
            if elig[h, g, k] and (need_bits[h] == 0 or (mask[i] & need_bits[h]) != 0):
                E[h, base + tier[h, g, k]] += 1


@numba.njit(cache=True, nogil=True)
def _select(group, state, mask, unit, elig, tier, need_bits, T, need, left, need_old, left_old, bits, seed, chosen, old):
    """Selection sampling of every household line's beneficiaries (see the module docstring):
    need / left (H, D*T) new beneficiaries still to pick / eligible households still to come,
    need_old / left_old the same for households an area line's standing works serve among those
    not reached anew. Sets bit bits[h] of chosen[i] / old[i] (zeroed by the caller); need and
    left arrays are consumed."""
    H = elig.shape[0]
    s = seed
    for i in range(group.size):
        g, k = group[i], state[i]
        base = unit[g] * T
        for h in range(H):
            if not elig[h, g, k] or (need_bits[h] != 0 and (mask[i] & need_bits[h]) == 0):
                continue
            b = base + tier[h, g, k]
            take = False
            if need[h, b] > 0:
                if need[h, b] >= left[h, b]:
                    take = True
                else:
                    s += GAMMA
                    u = mix(s) >> S32
                    take = (u * np.uint64(left[h, b])) >> S32 < np.uint64(need[h, b])
                left[h, b] -= 1
                if take:
                    need[h, b] -= 1
                    chosen[i] |= bits[h]
            if not take and need_old[h, b] > 0:
                if need_old[h, b] >= left_old[h, b]:
                    old[i] |= bits[h]
                    need_old[h, b] -= 1
                else:
                    s += GAMMA
                    u = mix(s) >> S32
                    if (u * np.uint64(left_old[h, b])) >> S32 < np.uint64(need_old[h, b]):
                        old[i] |= bits[h]
                        need_old[h, b] -= 1
                left_old[h, b] -= 1


@dataclass
class BitReach:
    """What a year's money buys among individual households, lines as bits."""

    chosen: np.ndarray  # (n,) uint32/uint64: bit li set when line li reaches the household anew
    old: np.ndarray  # (n,) same: an area line's standing works serve the household
    reached: np.ndarray  # (L, D) new beneficiaries (whole households; officers / communes)
    eligible: np.ndarray  # (L, D)
    boost: np.ndarray  # (D,) enabling boost


class Tables:
    """A model's per-line arrays in the kernels' layout (built once per run)."""

    def __init__(self, model, need_bits: np.ndarray | None = None):
        s = model.structure
        L = len(s.line_codes)
        self.hh = np.flatnonzero(s.household_line)
        self.others = np.flatnonzero(~s.household_line)
        self.elig = np.ascontiguousarray(s.eligible[self.hh]).astype(np.uint8)
        self.tier = np.ascontiguousarray(s.tier[self.hh]).astype(np.int64)
        nb = np.zeros(L, np.uint16) if need_bits is None else np.asarray(need_bits, np.uint16)
        self.need_bits = np.ascontiguousarray(nb[self.hh])
        self.unit = np.asarray(s.g_unit, np.int64)
        self.dtype = bits_dtype(L)
        self.bits = line_bits(self.hh, self.dtype)
        self.D, self.T = len(s.unit_ids), s.n_tiers


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
    E = np.zeros((H, D * T), np.int64)
    _count(group, state, mask, tab.unit, tab.elig, tab.tier, tab.need_bits, T, E)
    need, need_old = np.zeros((H, D * T), np.int64), np.zeros((H, D * T), np.int64)
    for h, li in enumerate(tab.hh):
        Eh = E[h].reshape(D, T).astype(float)
        r = beneficiaries(model, sp[li][None], Eh[None], lines=[li], stock=None if stock is None else stock[li][None])
        need[h] = whole_beneficiaries(r.covered[0], Eh, rng)
        reached[li], eligible[li] = need[h].reshape(D, T).sum(-1), r.eligible[0]
        if with_old and s.area_line[li] and r.old.any():
            need_old[h] = np.minimum(stochastic_round(r.old[0].ravel(), rng), E[h] - need[h])
    chosen, old = np.zeros(group.size, tab.dtype), np.zeros(group.size, tab.dtype)
    left_old = E - need
    _select(group, state, mask, tab.unit, tab.elig, tab.tier, tab.need_bits, T, need, E.copy(), need_old, left_old,
            tab.bits, seed_of(rng), chosen, old)  # fmt: skip
    return BitReach(chosen, old, reached, eligible, enabling_boost(model, reached))


class ProgrammeYears:
    """The yearly programme loop both household engines share: money acting each year, the
    households area lines' works newly serve each year (their standing stock), who is reached,
    and the reach and eligibility records of the run's output."""

    def __init__(self, model, spend: np.ndarray, out, need_bits=None, with_old=True):
        self.model, self.out, self.with_old = model, out, with_old
        self.tab = Tables(model, need_bits)
        self.acting = acting_spend(model, spend)  # (Y, L, D)
        self.built = np.zeros((len(model.years),) + self.acting.shape[1:])

    def reach(self, y: int, group, state, mask, rng) -> BitReach:
        """Year y's reach; records reached and eligible households into the output."""
        m = self.model
        r = reach_bits(m, self.tab, self.acting[y], group, state, mask, rng, area_stock(m, self.built, y), self.with_old)
        self.built[y] = r.reached * m.area_line[:, None]
        self.out.reached[0, y], self.out.eligible[0, y] = r.reached, r.eligible
        return r
