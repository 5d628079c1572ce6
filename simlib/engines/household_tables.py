"""A model's household lines in the layout of the programme step's kernels
(`simlib.engines.household_reach`), built once per model: the lines' bits, each cell's lines and
bins, the bins' cells, the masks' patterns of targeted indicators and each bin's subcells."""

from __future__ import annotations

import numpy as np

from simlib.memo import memoised


def bits_dtype(n_lines: int):
    """The integer type holding one bit per budget line."""
    if n_lines > 64:  # pragma: no cover - a plan has a dozen lines
        raise ValueError(f"at most 64 budget lines can be held as bits, not {n_lines}")
    return np.uint32 if n_lines <= 32 else np.uint64


def line_bits(lines: np.ndarray, dtype) -> np.ndarray:
    """Bit of each line index in `lines` (as `dtype`)."""
    return (np.ones(len(lines), np.uint64) << np.asarray(lines, np.uint64)).astype(dtype)


class Tables:
    """A model's per-line arrays in the kernels' layout (built once per run): for each cell
    (group, state), the household lines it is eligible for and its bin (unit, tier) in each
    (ptr / line / bin); the same bin by bin (bptr / bcell: the cells of bin key h*D*T + b); the
    masks' patterns and which patterns each line takes (`patterns`: pat, ok, P of them)."""

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
        self.pat, self.ok = patterns(self.targeted_bits, self.need_bits, self.which)
        self.P = self.ok.shape[1]
        key = self.line * (self.D * self.T) + self.bin  # the same entries bin by bin (bin-major)
        self.bptr = np.concatenate([[0], np.cumsum(np.bincount(key, minlength=len(self.hh) * self.D * self.T))])
        self.bcell = cell[np.lexsort((cell, key))].astype(np.int64)


def patterns(targeted_bits: np.ndarray, need_bits: np.ndarray, which: np.ndarray) -> tuple:
    """Which targeting lines' indicators a household's mask has, as a pattern number: the
    pattern of every mask (pat, indexed by mask & (pat.size - 1)), whether line h's bins take
    households of pattern p (ok (H, P) 0 / 1: every pattern for a line that does not target,
    those with its indicators otherwise)."""
    span = int(np.bitwise_or.reduce(targeted_bits.astype(np.int64), initial=0))
    masks = np.arange(1 << span.bit_length())
    hit = (masks[:, None] & targeted_bits[None, :].astype(np.int64)) != 0  # (masks, Q)
    code = hit.astype(np.int64) @ (1 << np.arange(targeted_bits.size, dtype=np.int64))
    uniq, pat = np.unique(code, return_inverse=True)
    pat_dep = ((uniq[:, None] >> np.arange(targeted_bits.size)[None, :]) & 1).astype(np.int64)  # (P, Q)
    ok = np.ones((need_bits.size, uniq.size), np.int64)
    for h in np.flatnonzero(need_bits != 0):
        ok[h] = pat_dep[:, which[h]]
    return pat.astype(np.int64).ravel(), ok


def bin_subcells(bptr: np.ndarray, bcell: np.ndarray, ok: np.ndarray, P: int) -> tuple:
    """Each bin's eligible subcells in rank order, built once per model (the lists `_draw`
    walks): bin key = h*B + b holds sub[sptr[key] : sptr[key + 1]], for each of its cells
    (bptr / bcell) in turn the patterns line h takes (ok[h]), in increasing order."""
    key = np.repeat(np.arange(bptr.size - 1), np.diff(bptr))
    allowed = ok[key // ((bptr.size - 1) // ok.shape[0])] != 0  # (entries, P): line h = key // B
    sub = (np.asarray(bcell, np.int64)[:, None] * P + np.arange(P)[None, :])[allowed]
    per_key = np.bincount(np.repeat(key, allowed.sum(1)), minlength=bptr.size - 1)
    return np.concatenate([[0], np.cumsum(per_key)]).astype(np.int64), sub.astype(np.int64)


def tables(model, need_bits: np.ndarray | None = None) -> Tables:
    """`Tables` of a model (and lines' targeted indicators), cached on the model."""
    key = "household_reach." + ("" if need_bits is None else np.asarray(need_bits, np.uint16).tobytes().hex())
    return memoised(model, key, lambda: Tables(model, need_bits))


def position_bits(tab: Tables) -> np.ndarray:
    """The household lines' bits as the lines choosing a position hold them (`_place`): uint16
    when every household line is among the first 16 (the walk's look-ups of a position's lines
    then read half the bytes: a year's positions stay in the first-level cache at 10⁵
    households), the records' type otherwise."""
    return tab.bits.astype(np.uint16) if tab.hh.size and tab.hh.max() < 16 else tab.bits
