"""numpy's float32 standard normals drawn inside compiled loops, from the caller's own generator.

`numpy.random.Generator.standard_normal(n, dtype=np.float32)` is numpy's PCG64 bit generator
(128-bit LCG, XSL-RR output; a 64-bit output gives two 32-bit draws, the high half kept for the
next one) and numpy's float32 ziggurat (`random_standard_normal_f`: 256 layers, one 32-bit draw
for 99 % of the normals). This module repeats both in numba with the same integer and float32
arithmetic, so that a kernel can draw its normals where it uses them instead of reading an
array numpy filled before: the same numbers in the same order, and the generator left in the
same state (`tests/test_household_kernels.py` compares 10⁷ draws bit for bit and the state after).

numba's own support for `Generator` arguments is not a substitute: it calls the bit generator
through a function pointer for every 32 bits (about 18 ns a normal, numpy's array fill 9–12 ns,
this module about 2.5 ns on the same machine), and it compares the ziggurat's wedge in float32
where numpy compares in double precision, so that now and then (seed 18: at the 3,712,878th
normal) it rejects a point numpy accepts and its stream is shifted from there. The ziggurat's tables are numpy's
(`simlib.engines.ziggurat_f32`).

A kernel takes the state as a uint64 array (`state_of`), keeps it in registers as a tuple
(`unpack`, `normal_f32`) and writes it back (`pack`); `set_state` returns it to the generator.
"""

from __future__ import annotations

import numba
import numpy as np
from llvmlite import ir
from numba import types
from numba.extending import intrinsic

from simlib.engines.ziggurat_f32 import FI, INV_R_F, KI, R_F, WI

#: numpy's PCG64 multiplier (128 bits), as its high and low 64-bit halves
PCG_MULT = 0x2360ED051FC65DA44385DF649FCCF645
MULT_HI, MULT_LO = np.uint64(PCG_MULT >> 64), np.uint64(PCG_MULT & (2**64 - 1))
M32, S32, S58, S63, U64 = (np.uint64(v) for v in (0xFFFFFFFF, 32, 58, 63, 64))
ZERO, ONE = np.uint64(0), np.uint64(1)
B8, B9, BYTE, MANT, BIT = (np.uint32(v) for v in (8, 9, 0xFF, 0x7FFFFF, 1))
TWO_M24_F = np.float32(1.0 / 16777216.0)

#: a state array's entries: LCG state (high, low), whether a 32-bit half is kept and that half,
#: increment (high, low)
STATE_SIZE = 6


def state_of(rng: np.random.Generator) -> np.ndarray | None:
    """The generator's state as a uint64 array (`STATE_SIZE`), or None when its bit generator
    is not numpy's PCG64 (then numpy must draw the normals)."""
    s = rng.bit_generator.state
    if s.get("bit_generator") != "PCG64":
        return None
    lcg, inc, low = s["state"]["state"], s["state"]["inc"], 2**64 - 1
    return np.array([lcg >> 64, lcg & low, s["has_uint32"], s["uinteger"], inc >> 64, inc & low], np.uint64)


def set_state(rng: np.random.Generator, st: np.ndarray) -> None:
    """Give the generator the state `st` (from `state_of`, advanced by a kernel)."""
    hi, lo, has, half, inc_hi, inc_lo = (int(v) for v in st)
    rng.bit_generator.state = {
        "bit_generator": "PCG64",
        "state": {"state": (hi << 64) | lo, "inc": (inc_hi << 64) | inc_lo},
        "has_uint32": has,
        "uinteger": half,
    }


@intrinsic
def _mul_high(typingctx, a, b):
    """LLVM's 128-bit product of two uint64, its high 64 bits."""
    sig = types.uint64(types.uint64, types.uint64)

    def codegen(context, builder, signature, args):
        wide = ir.IntType(128)
        p = builder.mul(builder.zext(args[0], wide), builder.zext(args[1], wide))
        return builder.trunc(builder.lshr(p, ir.Constant(wide, 64)), ir.IntType(64))

    return sig, codegen


@numba.njit(inline="always")
def mulhi(a, b):
    """High 64 bits of the 128-bit product of two uint64 (one widening multiply)."""
    return _mul_high(a, b)


@numba.njit(inline="always")
def next64(hi, lo, inc_hi, inc_lo):
    """PCG64's step (state × multiplier + increment, modulo 2¹²⁸) and its XSL-RR output of the
    new state: (output, new high, new low)."""
    nhi = mulhi(lo, MULT_LO) + lo * MULT_HI + hi * MULT_LO
    nlo = lo * MULT_LO
    lo2 = nlo + inc_lo
    hi2 = nhi + inc_hi + np.uint64(lo2 < nlo)
    x = hi2 ^ lo2
    rot = hi2 >> S58
    return (x >> rot) | (x << ((U64 - rot) & S63)), hi2, lo2


@numba.njit(inline="always")
def next32(st, inc_hi, inc_lo):
    """numpy's 32-bit draw: the kept high half if there is one, else the low half of a new 64-bit
    output (its high half kept). `st` = (high, low, kept?, kept half)."""
    hi, lo, has, half = st
    if has:
        return np.uint32(half), (hi, lo, ZERO, half)
    v, hi, lo = next64(hi, lo, inc_hi, inc_lo)
    return np.uint32(v & M32), (hi, lo, ONE, v >> S32)


@numba.njit(inline="always")
def next_float(st, inc_hi, inc_lo):
    """numpy's float32 uniform on [0, 1): the top 24 bits of a 32-bit draw."""
    r, st = next32(st, inc_hi, inc_lo)
    return np.float32(r >> B8) * TWO_M24_F, st


@numba.njit(inline="always")
def _candidate(r):
    """The ziggurat's try with a 32-bit draw r: its layer (8 bits), magnitude (23 bits) and
    signed point in the layer; the point is a normal when the magnitude is under KI[layer]."""
    idx, rabs = r & BYTE, (r >> B9) & MANT
    x = np.float32(rabs) * WI[idx]
    if (r >> B8) & BIT:
        x = -x
    return idx, rabs, x


@numba.njit(cache=True, nogil=True)
def normal_rare(st, inc_hi, inc_lo, idx, rabs, x):
    """The ziggurat's rare branches (under 1 % of the normals): the tail beyond the last layer
    (idx 0) or the wedge of layer idx, then new tries until one is accepted."""
    while True:
        if idx == 0:
            while True:
                f, st = next_float(st, inc_hi, inc_lo)
                xx = -INV_R_F * np.log1p(-f)
                f, st = next_float(st, inc_hi, inc_lo)
                yy = -np.log1p(-f)
                if yy + yy > xx * xx:
                    return (-(R_F + xx) if (rabs >> B8) & BIT else R_F + xx), st
        else:
            f, st = next_float(st, inc_hi, inc_lo)
            # numpy compares the float32 wedge point with exp(-0.5 x²) in double precision
            if np.float64((FI[idx - 1] - FI[idx]) * f + FI[idx]) < np.exp(-0.5 * np.float64(x) * np.float64(x)):
                return x, st
        r, st = next32(st, inc_hi, inc_lo)
        idx, rabs, x = _candidate(r)
        if rabs < KI[idx]:
            return x, st


@numba.njit(inline="always")
def normal_f32(st, inc_hi, inc_lo):
    """numpy's next float32 standard normal and the new state tuple."""
    r, st = next32(st, inc_hi, inc_lo)
    idx, rabs, x = _candidate(r)
    if rabs < KI[idx]:
        return x, st
    return normal_rare(st, inc_hi, inc_lo, idx, rabs, x)


@numba.njit(inline="always")
def unpack(state):
    """The state tuple a kernel carries, from a state array."""
    return (state[0], state[1], state[2], state[3])


@numba.njit(inline="always")
def pack(st, state):
    """Write the state tuple back into the state array."""
    state[0], state[1], state[2], state[3] = st


@numba.njit(cache=True, nogil=True)
def fill_normals(state, out):
    """`out` (float32) filled with the next normals of the state array, which advances: what
    `rng.standard_normal(out.size, dtype=np.float32)` gives."""
    st = unpack(state)
    for i in range(out.size):
        out[i], st = normal_f32(st, state[4], state[5])
    pack(st, state)


def standard_normal_f32(rng: np.random.Generator, n: int) -> np.ndarray:
    """`rng.standard_normal(n, dtype=np.float32)` drawn by this module (PCG64 generators only):
    for tests and benchmarks."""
    state = state_of(rng)
    if state is None:
        raise TypeError("standard_normal_f32 needs a PCG64 generator")
    out = np.empty(n, np.float32)
    fill_normals(state, out)
    set_state(rng, state)
    return out
