"""numba for the compiled multidimensional expected engine (`simlib.engines.multidim_jit`): its
decorators, whether numba is installed, and helpers the kernels share.

The kernels are cached on disk (`cache=True`): a process after the first loads their machine code
instead of compiling (about 30 s of CPU). numba keys a cached function on its own source file
only, so `refresh_caches` drops the cached code of all the engine's modules when any of them
changed (and the household kernels' with `household_reach`, whose `mix` they carry).
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np

try:  # numba is a dependency; the numpy engine remains the fallback and the reference
    import numba as _numba
    from numba import get_num_threads, prange
except ImportError:  # pragma: no cover
    _numba = None
    prange = range

    def get_num_threads() -> int:
        return 1


#: multiply-adds may be fused and the sign of zero ignored; sums are NOT reordered ("reassoc"):
#: with it, code compiled in this process and the same code loaded from numba's cache summed in
#: different orders (a fresh clone's first run and its second differed by 3e-11 in
#: indicators.csv), which broke "same inputs, same bytes"
FAST = {"contract", "nsz"}

#: the type an index loaded from an array is cast to at the access (`W[U(row_of[m])]`): numba adds
#: the array's length to a negative signed index (a compare and a select at every access); an
#: unsigned index has none (`multidim_line_tiles.table_clear3`'s scatter 3.9 -> 2.4 us a call).
#: Only at the access: uint64 mixed with int64 in arithmetic gives float64.
U = np.uint64


def compiled(fn):
    """`fn` compiled (cached, without the GIL, `FAST` maths), or `fn` itself without numba."""
    return _numba.njit(cache=True, nogil=True, fastmath=FAST)(fn) if _numba is not None else fn


def plain(fn):
    """`fn` compiled (cached, without the GIL) with IEEE arithmetic as numpy's (no `FAST` maths:
    no fused multiply-adds), or `fn` itself without numba."""
    return _numba.njit(cache=True, nogil=True)(fn) if _numba is not None else fn


def parallel(fn):
    """`fn` compiled with its `prange` loops in parallel threads, or `fn` itself without numba."""
    return _numba.njit(cache=True, parallel=True, fastmath=FAST)(fn) if _numba is not None else fn


def available() -> bool:
    """Whether numba is installed (else the numpy reference engine runs)."""
    return _numba is not None


#: bytes: a cache line, and the widest vector the kernels use (eight float64, 512 bits)
ALIGN = 64


def aligned(shape: tuple, zero: bool = True) -> np.ndarray:
    """A C-contiguous float64 array of `shape` whose first element sits on a 64-byte boundary
    (`ALIGN`): zero (fresh zero pages, as `np.zeros`) or, with `zero=False`, to be overwritten.

    numpy places large arrays 16 bytes past such a boundary, and with 112 income bins every row
    of the cells H then too: each eight-wide load or store of a row spans two cache lines
    (benchmarks/HISTORY.md `## mdlinefold`; the rows' kernels 5–25 % slower). The cells M and H
    of a run (`multidim_jit.cells`), the explorer's spare cells (`simlib.workbench.pool`) and the
    cells moved to the communes (`remap_review`) are made here. The values are the same bits:
    the kernels' order of operations does not depend on where a row starts."""
    n = int(np.prod(shape, dtype=np.int64)) * 8
    buf = (np.zeros if zero else np.empty)(n + ALIGN, np.uint8)
    at = (-buf.ctypes.data) % ALIGN
    return buf[at : at + n].view(np.float64).reshape(shape)


def placed(x: np.ndarray) -> np.ndarray:
    """A C-contiguous copy of x (any dtype) starting on a 64-byte boundary (`ALIGN`): the static
    tables the kernels read row by row (`multidim_tables`), which numpy places 16 or 48 bytes
    past one. The same values."""
    x = np.asarray(x)
    n = x.size * x.itemsize
    buf = np.empty(n + ALIGN, np.uint8)
    at = (-buf.ctypes.data) % ALIGN
    out = buf[at : at + n].view(x.dtype).reshape(x.shape)
    out[...] = x
    return out


@compiled
def aempty(n, dtype):
    """An uninitialised 1-d array of n entries of `dtype` (a numpy scalar type) whose first entry
    sits on a 64-byte boundary (`ALIGN`), for compiled working arrays (reshape it). numba's
    `np.empty` aligns to 32 bytes only, so half of a thread's scratch rows (`multidim_scratch`)
    started 32 bytes past a cache line: every eight-wide load or store of them spanned two."""
    buf = np.empty(n + ALIGN, dtype)  # ALIGN entries: at least ALIGN bytes to spare
    at = (ALIGN - np.int64(buf.ctypes.data % ALIGN)) % ALIGN // buf.itemsize
    return buf[at : at + n]


@compiled
def support(row):
    """First and one-past-last nonzero entries of a row ((0, 0) when all are zero)."""
    n = row.shape[0]
    lo = 0
    while lo < n and row[lo] == 0.0:
        lo += 1
    if lo == n:
        return 0, 0
    hi = n
    while row[hi - 1] == 0.0:
        hi -= 1
    return lo, hi


@compiled
def axpy(x, h, w):
    """x += w h, element by element. The kernels call it for each row rather than writing the
    loop inline in their loop nests: inline, the same loop ran slower (`flip_incomes` 20 against
    15 us per cell-state on `multidim_2030`; the same for a butterfly of the masks, about twice)."""
    for i in range(x.shape[0]):
        x[i] += w * h[i]


def refresh_caches(modules, name: str = "multidim_kernels") -> None:
    """Drop the on-disk machine code of every compiled function of `modules` when any of their
    sources changed since it was cached; `name` names the group's digest file (one per group of
    modules: two groups sharing a cache folder must not overwrite each other's digest).

    numba keys a cached function on its own file only, but a function that calls a kernel of
    another module carries that kernel's machine code: after an edit of `multidim_cell_kernels`,
    `multidim_jit._year` would keep running the old kernel. A digest of all the modules' sources,
    kept beside the cache, catches that; the cost is one recompilation after an edit. The household
    kernels (`targeted_kernels`, `deprivation_kernels`) carry `household_reach.mix` the same way."""
    if _numba is None:
        return
    digest = hashlib.sha256(b"".join(Path(m.__file__).read_bytes() for m in modules)).hexdigest()
    funcs = [f for m in modules for f in vars(m).values() if getattr(f, "_cache", None) is not None]
    paths = {getattr(f._cache, "_cache_path", None) for f in funcs} - {None}
    stamps = [Path(p) / f"{name}.sha256" for p in paths]
    if all(s.is_file() and s.read_text(encoding="ascii") == digest for s in stamps):
        return
    for f in funcs:
        f._cache.flush()
    for s in stamps:
        try:
            s.write_text(digest, encoding="ascii")
        except OSError:  # a read-only cache folder: numba then does not cache either
            pass


# --- vectors of four float64 for the income kernel's tiles (`multidim_income_kernel`) ----------------
# numba has no vector type: the loop vectorizer vectorizes only innermost loops over memory, and a
# tile of sums held in scalar variables was not vectorized (32 scalar multiply-adds per source bin,
# `## mdyear` in benchmarks/HISTORY.md). `Vec4` is LLVM's <4 x double> as a numba value: a variable
# of it lives in a vector register, and `vfma` is the multiply-add the compiled `d + x * k` becomes
# under `FAST` ("contract"), lane by lane.

if _numba is not None:
    from llvmlite import ir as _ir
    from numba.core import cgutils as _cgutils
    from numba.core import types as _types
    from numba.extending import intrinsic as _intrinsic
    from numba.extending import models as _models
    from numba.extending import register_model as _register_model

    _V4 = _ir.VectorType(_ir.DoubleType(), 4)

    class Vec4(_types.Type):
        """Four float64 in one vector register (LLVM <4 x double>)."""

        def __init__(self):
            super().__init__(name="Vec4f64")

    vec4 = Vec4()

    @_register_model(Vec4)
    class _Vec4Model(_models.PrimitiveModel):
        def __init__(self, dmm, fe_type):
            super().__init__(dmm, fe_type, _V4)

    def _row_ptr(context, builder, aryty, ary, i, j):
        """Pointer to element (i, j) of a C-contiguous 2-d float64 array, as <4 x double>*."""
        a = context.make_array(aryty)(context, builder, ary)
        ncol = builder.extract_value(a.shape, 1)
        at = builder.add(builder.mul(i, ncol), j)
        return builder.bitcast(builder.gep(a.data, [at], inbounds=True), _V4.as_pointer())

    def _is_c2d(t):
        return isinstance(t, _types.Array) and t.ndim == 2 and t.layout == "C" and t.dtype == _types.float64

    @_intrinsic
    def vload(typingctx, arr, i, j):
        """arr[i, j : j + 4] as a vector (arr C-contiguous 2-d float64; no bounds check)."""
        if not _is_c2d(arr):
            return None

        def codegen(context, builder, sig, args):
            i_ = context.cast(builder, args[1], sig.args[1], _types.intp)
            j_ = context.cast(builder, args[2], sig.args[2], _types.intp)
            return builder.load(_row_ptr(context, builder, sig.args[0], args[0], i_, j_), align=8)

        return vec4(arr, i, j), codegen

    @_intrinsic
    def vstore(typingctx, arr, i, j, v):
        """arr[i, j : j + 4] = v (arr C-contiguous 2-d float64; no bounds check)."""
        if not _is_c2d(arr) or v != vec4:
            return None

        def codegen(context, builder, sig, args):
            i_ = context.cast(builder, args[1], sig.args[1], _types.intp)
            j_ = context.cast(builder, args[2], sig.args[2], _types.intp)
            builder.store(args[3], _row_ptr(context, builder, sig.args[0], args[0], i_, j_), align=8)
            return context.get_dummy_value()

        return _types.none(arr, i, j, v), codegen

    @_intrinsic
    def vzero(typingctx):
        """Four +0.0."""

        def codegen(context, builder, sig, args):
            return _ir.Constant(_V4, [0.0] * 4)

        return vec4(), codegen

    @_intrinsic
    def vbcast(typingctx, x):
        """x in all four lanes."""
        if x != _types.float64:
            return None

        def codegen(context, builder, sig, args):
            v = builder.insert_element(_ir.Constant(_V4, _ir.Undefined), args[0], _ir.Constant(_ir.IntType(32), 0))
            mask = _ir.Constant(_ir.VectorType(_ir.IntType(32), 4), [0, 0, 0, 0])
            return builder.shuffle_vector(v, _ir.Constant(_V4, _ir.Undefined), mask)

        return vec4(x), codegen

    @_intrinsic
    def vfma(typingctx, a, b, c):
        """a * b + c lane by lane: LLVM's fmuladd, fused into one rounding exactly when the compiled
        `c + a * b` is under `FAST` ("contract": on processors with fused multiply-add)."""
        if not (a == b == c == vec4):
            return None

        def codegen(context, builder, sig, args):
            fn = _cgutils.get_or_insert_function(builder.module, _ir.FunctionType(_V4, [_V4] * 3), "llvm.fmuladd.v4f64")
            return builder.call(fn, list(args))

        return vec4(a, b, c), codegen

    def _vop(name):
        """a (op) b lane by lane. numba gives every floating-point operation of a function its
        `FAST` flags, these too: a product whose one use is an addition or subtraction is fused
        with it (one rounding), as in compiled scalar code; `vfence` keeps the two apart."""

        @_intrinsic
        def op(typingctx, a, b):
            if not (a == b == vec4):
                return None

            def codegen(context, builder, sig, args):
                return getattr(builder, name)(args[0], args[1])

            return vec4(a, b), codegen

        return op

    vmul, vadd, vsub = _vop("fmul"), _vop("fadd"), _vop("fsub")

    @_intrinsic
    def vfence(typingctx, a):
        """a itself, as a fence the compiler does not fuse or reorder operations across (LLVM's
        arithmetic.fence): under `FAST` a product's single use in an addition is fused with it
        (one rounding), also across these helpers; a fenced product or sum is rounded on its own."""
        if a != vec4:
            return None

        def codegen(context, builder, sig, args):
            fn = _cgutils.get_or_insert_function(
                builder.module, _ir.FunctionType(_V4, [_V4]), "llvm.arithmetic.fence.v4f64"
            )
            return builder.call(fn, [args[0]])

        return vec4(a), codegen

    @_intrinsic
    def vpair(typingctx, x, y):
        """x in lanes 0 and 1, y in lanes 2 and 3."""
        if not (x == y == _types.float64):
            return None

        def codegen(context, builder, sig, args):
            v = _ir.Constant(_V4, _ir.Undefined)
            for k in range(4):
                v = builder.insert_element(v, args[k // 2], _ir.Constant(_ir.IntType(32), k))
            return v

        return vec4(x, y), codegen

    @_intrinsic
    def vload2(typingctx, arr, i, j):
        """arr[i, j : j + 2] twice (lanes 0, 1 and 2, 3; arr C-contiguous 2-d float64; no bounds
        check)."""
        if not _is_c2d(arr):
            return None

        def codegen(context, builder, sig, args):
            i_ = context.cast(builder, args[1], sig.args[1], _types.intp)
            j_ = context.cast(builder, args[2], sig.args[2], _types.intp)
            v2 = _ir.VectorType(_ir.DoubleType(), 2)
            ptr = builder.bitcast(_row_ptr(context, builder, sig.args[0], args[0], i_, j_), v2.as_pointer())
            two = builder.load(ptr, align=8)
            mask = _ir.Constant(_ir.VectorType(_ir.IntType(32), 4), [0, 1, 0, 1])
            return builder.shuffle_vector(two, _ir.Constant(v2, _ir.Undefined), mask)

        return vec4(arr, i, j), codegen

    @_intrinsic
    def vlane(typingctx, v, k):
        """Lane k of v (k in 0 .. 3, not checked)."""
        if v != vec4 or not isinstance(k, _types.Integer):
            return None

        def codegen(context, builder, sig, args):
            return builder.extract_element(args[0], args[1])

        return _types.float64(v, k), codegen

    @_intrinsic
    def vflush(typingctx, v, t):
        """v with its lanes below t (float64) set to +0.0, lane by lane as the compiled `0.0 if x < t
        else x` (a NaN lane is kept)."""
        if v != vec4 or t != _types.float64:
            return None

        def codegen(context, builder, sig, args):
            tv = builder.insert_element(_ir.Constant(_V4, _ir.Undefined), args[1], _ir.Constant(_ir.IntType(32), 0))
            mask = _ir.Constant(_ir.VectorType(_ir.IntType(32), 4), [0, 0, 0, 0])
            tv = builder.shuffle_vector(tv, _ir.Constant(_V4, _ir.Undefined), mask)
            below = builder.fcmp_ordered("<", args[0], tv)
            return builder.select(below, _ir.Constant(_V4, [0.0] * 4), args[0])

        return vec4(v, t), codegen

    @_intrinsic
    def vset(typingctx, a, b, c, d):
        """The vector (a, b, c, d) of four float64."""
        if not (a == b == c == d == _types.float64):
            return None

        def codegen(context, builder, sig, args):
            v = _ir.Constant(_V4, _ir.Undefined)
            for k in range(4):
                v = builder.insert_element(v, args[k], _ir.Constant(_ir.IntType(32), k))
            return v

        return vec4(a, b, c, d), codegen

    def lane_shuffle(vec, ir_vec, lanes):
        """A function of a vector v of numba type `vec` (LLVM type `ir_vec`): v's lanes in the
        order `lanes` (as many as v has), for `Vec4` here and `multidim_vec8`'s `Vec8`."""

        @_intrinsic
        def shuffle(typingctx, v):
            if v != vec:
                return None

            def codegen(context, builder, sig, args):
                mask = _ir.Constant(_ir.VectorType(_ir.IntType(32), len(lanes)), list(lanes))
                return builder.shuffle_vector(args[0], _ir.Constant(ir_vec, _ir.Undefined), mask)

            return vec(v), codegen

        return shuffle

    def _vshuffle(lanes):
        """v's lanes in the order `lanes` (four of 0 .. 3)."""
        return lane_shuffle(vec4, _V4, lanes)

    #: lanes (0, 0, 2, 2), (1, 1, 3, 3), (0, 1, 0, 1) and (2, 3, 2, 3) of a vector
    veven, vodd, vlow, vhigh = (
        _vshuffle((0, 0, 2, 2)),
        _vshuffle((1, 1, 3, 3)),
        _vshuffle((0, 1, 0, 1)),
        _vshuffle((2, 3, 2, 3)),
    )
else:  # pragma: no cover - the numpy engine runs instead
    vload = vstore = vzero = vbcast = vfma = vmul = vadd = vsub = vfence = None
    vpair = vload2 = vlane = vflush = vset = veven = vodd = vlow = vhigh = lane_shuffle = None


# --- helpers added for the masks' weights by class (`multidim_flip_kernels._class_weights`) ----

if _numba is not None:

    @_intrinsic
    def vpairs(typingctx, arr, i, j):
        """(arr[i], arr[i + 1], arr[j], arr[j + 1]): two pairs of neighbours as one vector (arr
        1-d C-contiguous float64, i and j indices of any integer type; no bounds check)."""
        ok = isinstance(arr, _types.Array) and arr.ndim == 1 and arr.layout == "C" and arr.dtype == _types.float64
        if not ok or not isinstance(i, _types.Integer) or not isinstance(j, _types.Integer):
            return None

        def codegen(context, builder, sig, args):
            a = context.make_array(sig.args[0])(context, builder, args[0])
            v2 = _ir.VectorType(_ir.DoubleType(), 2)
            two = []
            for k in (1, 2):
                at = context.cast(builder, args[k], sig.args[k], _types.intp)
                ptr = builder.bitcast(builder.gep(a.data, [at], inbounds=True), v2.as_pointer())
                two.append(builder.load(ptr, align=8))
            mask = _ir.Constant(_ir.VectorType(_ir.IntType(32), 4), [0, 1, 2, 3])
            return builder.shuffle_vector(two[0], two[1], mask)

        return vec4(arr, i, j), codegen

else:  # pragma: no cover - the numpy engine runs instead
    vpairs = None


# --- a counter shared by threads (`multidim_jit._year`'s tasks taken in turn) ----------------------

if _numba is not None:

    @_intrinsic
    def take(typingctx, counter):
        """counter[0] += 1 atomically; returns the value before (counter 1-d C-contiguous int64):
        threads sharing the counter each get a different value."""
        ok = isinstance(counter, _types.Array) and counter.ndim == 1 and counter.layout == "C"
        if not ok or counter.dtype != _types.int64:
            return None

        def codegen(context, builder, sig, args):
            a = context.make_array(sig.args[0])(context, builder, args[0])
            one = _ir.Constant(_ir.IntType(64), 1)
            return builder.atomic_rmw("add", a.data, one, "seq_cst")

        return _types.int64(counter), codegen

else:  # pragma: no cover - the numpy engine runs instead

    def take(counter):
        """counter[0] += 1; returns the value before."""
        counter[0] += 1
        return counter[0] - 1
