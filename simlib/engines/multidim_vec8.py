"""Vectors of eight float64 (LLVM's <8 x double>, one 512-bit register on processors with
AVX-512) for the income kernel's wide tiles (`simlib.engines.multidim_income_kernel`) and the
lines' rows of incomes (`row_mul`, `row_fma`: `simlib.engines.multidim_line_tiles`), as
`multidim_numba`'s `Vec4` is for four: every operation acts lane by lane, so a sum held in a lane
receives the same operations in the same order as in a `Vec4` lane (the same bits). On a
processor without 512-bit registers LLVM splits each into two halves (the same lane by lane
operations). The compiled kernels are refreshed with the engine's modules (`multidim_jit`)."""

from __future__ import annotations

from simlib.engines.multidim_numba import available, compiled, lane_shuffle, vbcast, vfma, vload, vmul, vstore

__all__ = [
    "row_fma",
    "row_mul",
    "v8bcast",
    "v8even",
    "v8fma",
    "v8flush",
    "v8hi4",
    "v8high",
    "v8lo4",
    "v8load",
    "v8low",
    "v8mul",
    "v8odd",
    "v8store",
    "v8zero",
]

if available():
    from llvmlite import ir as _ir
    from numba.core import cgutils as _cgutils
    from numba.core import types as _types
    from numba.extending import intrinsic as _intrinsic
    from numba.extending import models as _models
    from numba.extending import register_model as _register_model

    _V8 = _ir.VectorType(_ir.DoubleType(), 8)
    _LANE0 = _ir.Constant(_ir.IntType(32), 0)
    _SPLAT = _ir.Constant(_ir.VectorType(_ir.IntType(32), 8), [0] * 8)

    class Vec8(_types.Type):
        """Eight float64 in one vector register (LLVM <8 x double>)."""

        def __init__(self):
            super().__init__(name="Vec8f64")

    vec8 = Vec8()

    @_register_model(Vec8)
    class _Vec8Model(_models.PrimitiveModel):
        def __init__(self, dmm, fe_type):
            super().__init__(dmm, fe_type, _V8)

    def _is_c2d(t):
        return isinstance(t, _types.Array) and t.ndim == 2 and t.layout == "C" and t.dtype == _types.float64

    def _ptr(context, builder, sig, args):
        """Pointer to element (i, j) of the C-contiguous 2-d float64 array args[0], as <8 x double>*."""
        a = context.make_array(sig.args[0])(context, builder, args[0])
        i = context.cast(builder, args[1], sig.args[1], _types.intp)
        j = context.cast(builder, args[2], sig.args[2], _types.intp)
        at = builder.add(builder.mul(i, builder.extract_value(a.shape, 1)), j)
        return builder.bitcast(builder.gep(a.data, [at], inbounds=True), _V8.as_pointer())

    def _splat(builder, x):
        v = builder.insert_element(_ir.Constant(_V8, _ir.Undefined), x, _LANE0)
        return builder.shuffle_vector(v, _ir.Constant(_V8, _ir.Undefined), _SPLAT)

    @_intrinsic
    def v8load(typingctx, arr, i, j):
        """arr[i, j : j + 8] as a vector (arr C-contiguous 2-d float64; no bounds check)."""
        if not _is_c2d(arr):
            return None

        def codegen(context, builder, sig, args):
            return builder.load(_ptr(context, builder, sig, args), align=8)

        return vec8(arr, i, j), codegen

    @_intrinsic
    def v8store(typingctx, arr, i, j, v):
        """arr[i, j : j + 8] = v (arr C-contiguous 2-d float64; no bounds check)."""
        if not _is_c2d(arr) or v != vec8:
            return None

        def codegen(context, builder, sig, args):
            builder.store(args[3], _ptr(context, builder, sig, args), align=8)
            return context.get_dummy_value()

        return _types.none(arr, i, j, v), codegen

    @_intrinsic
    def v8zero(typingctx):
        """Eight +0.0."""

        def codegen(context, builder, sig, args):
            return _ir.Constant(_V8, [0.0] * 8)

        return vec8(), codegen

    @_intrinsic
    def v8bcast(typingctx, x):
        """x in all eight lanes."""
        if x != _types.float64:
            return None

        def codegen(context, builder, sig, args):
            return _splat(builder, args[0])

        return vec8(x), codegen

    @_intrinsic
    def v8fma(typingctx, a, b, c):
        """a * b + c lane by lane: LLVM's fmuladd, as `multidim_numba.vfma` (one rounding where the
        compiled `c + a * b` is fused under `FAST`)."""
        if not (a == b == c == vec8):
            return None

        def codegen(context, builder, sig, args):
            fn = _cgutils.get_or_insert_function(builder.module, _ir.FunctionType(_V8, [_V8] * 3), "llvm.fmuladd.v8f64")
            return builder.call(fn, list(args))

        return vec8(a, b, c), codegen

    @_intrinsic
    def v8mul(typingctx, a, b):
        """a * b lane by lane, with the function's `FAST` flags as `multidim_numba.vmul` (a product
        whose one use is an addition may be fused with it: `v8fma`'s addend is not one)."""
        if not (a == b == vec8):
            return None

        def codegen(context, builder, sig, args):
            return builder.fmul(args[0], args[1])

        return vec8(a, b), codegen

    def _v8shuffle(lanes):
        """A function of a vector v: v's lanes in the order `lanes` (eight of 0 .. 7)."""
        return lane_shuffle(vec8, _V8, lanes)

    #: the lanes paired by the masks' butterflies of bits 0, 1 and 2 (`multidim_flip_kernels._low3`)
    v8even, v8odd = _v8shuffle((0, 0, 2, 2, 4, 4, 6, 6)), _v8shuffle((1, 1, 3, 3, 5, 5, 7, 7))
    v8low, v8high = _v8shuffle((0, 1, 0, 1, 4, 5, 4, 5)), _v8shuffle((2, 3, 2, 3, 6, 7, 6, 7))
    v8lo4, v8hi4 = _v8shuffle((0, 1, 2, 3, 0, 1, 2, 3)), _v8shuffle((4, 5, 6, 7, 4, 5, 6, 7))

    @_intrinsic
    def v8flush(typingctx, v, t):
        """v with its lanes below t (float64) set to +0.0, as `multidim_numba.vflush`."""
        if v != vec8 or t != _types.float64:
            return None

        def codegen(context, builder, sig, args):
            below = builder.fcmp_ordered("<", args[0], _splat(builder, args[1]))
            return builder.select(below, _ir.Constant(_V8, [0.0] * 8), args[0])

        return vec8(v, t), codegen

else:  # pragma: no cover - the numpy engine runs instead
    v8load = v8store = v8zero = v8bcast = v8fma = v8mul = v8flush = None
    v8even = v8odd = v8low = v8high = v8lo4 = v8hi4 = None


@compiled
def row_mul(D, d, o, g, S, s, n):
    """D[d, o : o + n] = g S[s, :n] (n a multiple of 4; S may be D), eight bins at a time and a
    last four in a `Vec4`: each bin one product, as in vectors of four (issue 18, mdlines8: the
    lines' rows of 112 bins on 64-byte boundaries, whole cache lines per vector)."""
    e = n - n % 8
    gw = v8bcast(g)
    for j in range(0, e, 8):
        v8store(D, d, o + j, v8mul(gw, v8load(S, s, j)))
    if e < n:
        vstore(D, d, o + e, vmul(vbcast(g), vload(S, s, e)))


@compiled
def row_fma(D, d, o, w, S, s, n):
    """D[d, o : o + n] = w S[s, :n] + D[d, o : o + n], each bin one multiply-add (LLVM's fmuladd),
    eight bins at a time and a last four in a `Vec4`, as `row_mul`."""
    e = n - n % 8
    ww = v8bcast(w)
    for j in range(0, e, 8):
        v8store(D, d, o + j, v8fma(ww, v8load(S, s, j), v8load(D, d, o + j)))
    if e < n:
        vstore(D, d, o + e, vfma(vbcast(w), vload(S, s, e), vload(D, d, o + e)))
