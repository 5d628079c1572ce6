"""The inlined float32 exponential (`simlib.engines.expf32`) against the C library's `expf` as
numba calls it for `np.exp` of a float32 (bit for bit), and against a float64 exponential rounded
to float32 (within one unit in the last place: an independent check of the table and constants)."""

from __future__ import annotations

import os

import numba
import numpy as np
import pytest

from simlib.engines.expf32 import FAST_LIMIT, TAB, expf


@numba.njit
def _mismatches(x):
    """How many of the float32 x the inlined exponential and the library's disagree on (bits)."""
    bad = 0
    for i in range(x.size):
        a, b = expf(x[i]), np.exp(x[i])
        bad += not (a == b or (np.isnan(a) and np.isnan(b)))
    return bad


@numba.njit
def _all_mismatches(top, sign):
    """The same for every float32 whose bits are sign | b, b < top."""
    bad = 0
    out = np.empty(1, np.uint32)
    view = out.view(np.float32)
    for b in range(top):
        out[0] = np.uint32(b) | sign
        bad += expf(view[0]) != np.exp(view[0])
    return bad


def _floats(lo: float, hi: float, stride: int) -> np.ndarray:
    """Every `stride`-th float32 in [lo, hi] by bit pattern (both signs when lo < 0 < hi)."""
    top = int(np.float32(max(abs(lo), abs(hi))).view(np.uint32))
    pos = np.arange(0, top + 1, stride, dtype=np.uint32).view(np.float32)
    x = np.concatenate([pos, -pos])
    return x[(x >= lo) & (x <= hi)]


def test_table_is_two_to_the_i_over_32():
    """The table's entries, once i << 47 is added back, are the doubles nearest 2^(i/32)
    (checked against float64 powers to one unit in the last place, and 2^0 = 1 exactly)."""
    val = (TAB + (np.arange(32, dtype=np.uint64) << np.uint64(47))).view(np.float64)
    assert val[0] == 1.0
    want = 2.0 ** (np.arange(32) / 32.0)
    assert np.all(np.abs(val - want) <= np.spacing(want))


def test_expf_is_the_librarys_bit_for_bit_on_a_sample():
    """Every 37th float32 in [-64, 64] (about 58 million, the incomes' log changes among them)
    and the edges: the same bits as the library's expf."""
    x = _floats(-64.0, 64.0, 37)
    big = [63.99, -63.99, 64.0, -64.0, 88.7, -103.9, 100.0, -200.0, np.inf, -np.inf, np.nan]
    edges = np.array([0.0, -0.0, 1e-45, -1e-45, 1e-30] + big, np.float32)
    assert _mismatches(np.concatenate([x, edges])) == 0


def test_expf_is_within_one_ulp_of_a_double_exponential():
    """Independent of the library: on [-10, 10] the result is within one float32 unit in the last
    place of exp computed in float64 and rounded to float32."""
    x = _floats(-10.0, 10.0, 1001)
    got = np.array([expf(v) for v in x[:: max(1, x.size // 20000)]], np.float32)
    want = np.exp(x[:: max(1, x.size // 20000)].astype(np.float64)).astype(np.float32)
    assert np.all(np.abs(got.astype(np.float64) - want) <= np.spacing(want).astype(np.float64))


@pytest.mark.skipif(os.environ.get("SIMLIB_EXHAUSTIVE") != "1", reason="SIMLIB_EXHAUSTIVE=1: about 20 s")
def test_expf_is_the_librarys_for_every_float32_below_the_limit():
    """Every float32 with |x| < 64 (2.2 billion): the library's bits."""
    top = int(np.float32(FAST_LIMIT).view(np.uint32))
    assert _all_mismatches(top, np.uint32(0)) == 0
    assert _all_mismatches(top, np.uint32(0x80000000)) == 0
