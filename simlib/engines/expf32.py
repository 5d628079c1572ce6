"""The float32 exponential of glibc's `expf` (glibc 2.28 and later, x86-64 with FMA), inlined in
compiled loops: the same bits as numba's `np.exp` of a float32 on such a machine, without the
library call.

numba compiles `np.exp` of a float32 to a call of the C library's `expf`. glibc's (Arm's
optimized-routines, `e_expf.c` / `e_exp2f_data.c`, 2017) computes, for |x| < 88, in double
precision: z = x·32/ln 2 = k + r with k the nearest integer (adding and subtracting 1.5·2⁵²),
2^(k/32) from a 32-entry table of 2^(i/32) and k's exponent bits, a cubic in r for 2^(r/32), and
rounds the product to float32. On a CPU with FMA the library's multiarch build fuses the multiply
of z with the addition of the shift and with the subtraction of k, and the cubic's multiply-adds;
`fma` here does the same, so that the results are the library's bit for bit (`tests/
test_expf32.py`: a sample of float32 in every run; every float32 with |x| < 64, with
SIMLIB_EXHAUSTIVE=1). For |x| >= 64, NaN or infinities `expf` calls `np.exp` itself.

The table is 2^(i/32) rounded to the nearest double (computed here with 60 significant digits),
stored as the library stores it: its bits minus i << 47. The constants are the library's (as
published in optimized-routines' `exp2f_data.c`): 1/ln 2 and the cubic's coefficients (close to
ln 2, ln² 2 / 2 and ln³ 2 / 6, scaled by powers of 1/32).
"""

from __future__ import annotations

from decimal import Decimal, getcontext

import numba
import numpy as np
from llvmlite import ir
from numba import types
from numba.extending import intrinsic

#: table bits: 2^(k/32) from 32 entries
BITS = 5
N = float(1 << BITS)


def exp2_table(bits: int = BITS) -> np.ndarray:
    """2^(i/2^bits) rounded to the nearest double, as its bits minus i << (52 - bits) (uint64)."""
    getcontext().prec = 60
    n = 1 << bits
    out = []
    for i in range(n):
        v = Decimal(2) ** (Decimal(i) / Decimal(n))  # in [1, 2): 52 fraction bits
        m = int((v * Decimal(2**52)).to_integral_value(rounding="ROUND_HALF_EVEN"))
        out.append(((1023 << 52) + m - (1 << 52) - (i << (52 - bits))) % 2**64)
    return np.array(out, np.uint64)


TAB = exp2_table()
INV_LN2_N = float.fromhex("0x1.71547652b82fep+0") * N
SHIFT = float.fromhex("0x1.8p+52")
C0 = float.fromhex("0x1.c6af84b912394p-5") / N / N / N
C1 = float.fromhex("0x1.ebfce50fac4f3p-3") / N / N
C2 = float.fromhex("0x1.62e42ff0c52d6p-1") / N
#: beyond this magnitude (and for NaN) the library itself is called
FAST_LIMIT = np.float32(64.0)
S47, LOW5 = np.uint64(52 - BITS), np.uint64((1 << BITS) - 1)


@intrinsic
def _fma(typingctx, a, b, c):
    """LLVM's fused multiply-add a·b + c of three float64 (one rounding)."""
    sig = types.float64(types.float64, types.float64, types.float64)

    def codegen(context, builder, signature, args):
        d = ir.DoubleType()
        fn = builder.module.declare_intrinsic("llvm.fma", [d], ir.FunctionType(d, [d, d, d]))
        return builder.call(fn, args)

    return sig, codegen


@intrinsic
def _bits(typingctx, d):
    """The bits of a float64, as a uint64."""
    sig = types.uint64(types.float64)

    def codegen(context, builder, signature, args):
        return builder.bitcast(args[0], ir.IntType(64))

    return sig, codegen


@intrinsic
def _double(typingctx, u):
    """The float64 of the bits u (uint64)."""
    sig = types.float64(types.uint64)

    def codegen(context, builder, signature, args):
        return builder.bitcast(args[0], ir.DoubleType())

    return sig, codegen


@numba.njit(inline="always")
def expf(x):
    """exp(x) of a float32, as glibc's `expf` (module docstring)."""
    if not abs(x) < FAST_LIMIT:  # large, infinite or NaN: the library
        return np.exp(x)
    xd = np.float64(x)
    kd = _fma(INV_LN2_N, xd, SHIFT)  # k in the low bits
    ki = _bits(kd)
    kd -= SHIFT
    r = _fma(INV_LN2_N, xd, -kd)
    s = _double(TAB[ki & LOW5] + (ki << S47))
    z = _fma(C0, r, C1)
    y = _fma(z, r * r, _fma(C2, r, 1.0))
    return np.float32(y * s)
