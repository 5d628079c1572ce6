"""How the compiled multidimensional engine's cells get their first values: the baseline's
households written into zero arrays, or a kept state's cells copied, group by group.

A run's first year fills each task's groups as its first read of them (`fill_task`, called by
`simlib.engines.multidim_jit`'s parallel year) instead of in a pass over the whole state before
the year: the groups are then written by the thread that works on them, while they are in its
cache, and the baseline's writes (which also make the operating system zero the fresh pages)
run on every thread instead of one before the year. The values are the same either way:
`fill_start` and `fill_task` write every element with the same products.

The source's `how`: `NONE` (the cells hold their values), `COPY` (copy them from the arrays
(Ms, Hs): a kept state lent read-only, `simlib.engines.common.EngineState.lent`) or `START` (the
baseline's households from the model's entry arrays into zero arrays).

A copy reads only the cell-states the kept state does not know to be all zero (its vacancy bits,
`simlib.engines.multidim_vacancy.handed`): the others are written with zeros (the arrays copied
into may be reused ones, `simlib.workbench.pool`), which spares reading them (about a quarter of
the 183 MB of `multidim_2030`'s state from a later review), and not even written where the
arrays copied into are known all zero there too (`D`: the vacancy bits of the state whose arrays
the pool reuses, `EngineState.into_zero`; about a third of `plan_2027`'s 1 GB state at review 3,
whose zeros the copy then skips). Contiguous blocks are copied and
zeroed with the C library's `memcpy` and `memset` (`copy_into`, `zero_into`), faster than numba's
copy of a slice (its indexing loop): the same bytes.
"""

from __future__ import annotations

from simlib.engines.multidim_numba import available, compiled, parallel, prange

__all__ = [
    "COPY",
    "NONE",
    "START",
    "copy_group",
    "copy_into",
    "copy_over",
    "fill_start",
    "fill_task",
    "start_group",
    "zero_into",
]

#: the cells hold their values
NONE = 0
#: copy the cells from the source arrays (Ms, Hs)
COPY = 1
#: the baseline's households, written into zero cells
START = 2


def copy_into(dst, src) -> None:
    """dst[...] = src for arrays of one shape and type (compiled: one `memcpy` when both are
    C-contiguous)."""
    dst[...] = src


def zero_into(dst) -> None:
    """dst[...] = 0 (compiled: one `memset` of +0.0 bytes when dst is C-contiguous)."""
    dst[...] = 0


if available():  # the compiled forms (numba's `overload` of the two functions above)
    from numba.core import cgutils as _cgutils
    from numba.core import types as _types
    from numba.extending import intrinsic as _intrinsic
    from numba.extending import overload as _overload

    def _pointer(context, builder, ty, value):
        return context.make_array(ty)(context, builder, value)

    @_intrinsic
    def _memcpy(typingctx, dst, src):
        """memcpy of dst's bytes from src (C-contiguous, of dst's size and type)."""

        def codegen(context, builder, sig, args):
            d, s = _pointer(context, builder, sig.args[0], args[0]), _pointer(context, builder, sig.args[1], args[1])
            _cgutils.raw_memcpy(builder, d.data, s.data, builder.mul(d.nitems, d.itemsize), 1)
            return context.get_dummy_value()

        return _types.void(dst, src), codegen

    @_intrinsic
    def _memset0(typingctx, dst):
        """memset of dst's bytes (C-contiguous) to 0."""

        def codegen(context, builder, sig, args):
            d = _pointer(context, builder, sig.args[0], args[0])
            _cgutils.memset(builder, d.data, builder.mul(d.nitems, d.itemsize), 0)
            return context.get_dummy_value()

        return _types.void(dst), codegen

    def _contiguous(*arrays) -> bool:
        return all(isinstance(a, _types.Array) and a.layout == "C" for a in arrays)

    @_overload(copy_into)
    def _copy_into(dst, src):
        if _contiguous(dst, src) and dst.dtype == src.dtype and dst.ndim == src.ndim:

            def bytes_copy(dst, src):
                if dst.shape != src.shape:
                    raise ValueError("copy_into: shapes differ")
                _memcpy(dst, src)

            return bytes_copy

        def loop_copy(dst, src):
            dst[...] = src

        return loop_copy

    @_overload(zero_into)
    def _zero_into(dst):
        if _contiguous(dst) and isinstance(dst.dtype, (_types.Float, _types.Integer)):
            return lambda dst: _memset0(dst)

        def loop_zero(dst):
            dst[...] = 0

        return loop_zero


@compiled
def start_group(M, H, s, g, n0, Mn, kd, inc0, kind):
    """The baseline's households of group g in scenario s into the zero cells M (S, G, K, 4096)
    and H (S, G, K, keys, B): n0[g, k] households with the masks Mn (kinds, K, 4096) and the
    keys kd (kinds, K, keys) x incomes inc0 (kinds, K, B) of the group's kind (`kind` (G,)),
    independent. Cell-states without households are left untouched (zero pages, which the
    kernels skip). The products are those of `simlib.engines.multidim_expected._initial`'s numpy
    form: n0 x Mn, n0 x (kd x inc0)."""
    K, NM = M.shape[2], M.shape[3]
    NK, B = H.shape[3], H.shape[4]
    u = kind[g]
    for k in range(K):
        x = n0[g, k]
        if x == 0.0:
            continue
        mo, mi = M[s, g, k], Mn[u, k]
        for m in range(NM):
            mo[m] = x * mi[m]
        inc = inc0[u, k]
        for q in range(NK):
            w = kd[u, k, q]
            ho = H[s, g, k, q]
            for b in range(B):
                ho[b] = x * (w * inc[b])


@parallel
def fill_start(M, H, n0, Mn, kd, inc0, kind, groups):
    """`start_group` for the groups (n,) of every scenario, in parallel (M and H zero there)."""
    S, ng = M.shape[0], groups.shape[0]
    for i in prange(S * ng):
        start_group(M, H, i // ng, groups[i % ng], n0, Mn, kd, inc0, kind)


@compiled
def copy_group(Mg, Hg, Ms, Hs, known):
    """A group's cells (Mg (K, ...), Hg (K, ...)) copied from (Ms, Hs), but for the states with
    bit k of `known` set (the source's cells known all zero: not read), written with zeros."""
    copy_over(Mg, Hg, Ms, Hs, known, 0)


@compiled
def copy_over(Mg, Hg, Ms, Hs, known, zero):
    """`copy_group`, but the states with bit k set in both `known` and `zero` (Mg's and Hg's
    cells known all zero already) not written either."""
    if known == 0:
        copy_into(Mg, Ms)
        copy_into(Hg, Hs)
        return
    for k in range(Mg.shape[0]):
        if (known >> k) & 1:
            if not (zero >> k) & 1:
                zero_into(Mg[k])
                zero_into(Hg[k])
        else:
            copy_into(Mg[k], Ms[k])
            copy_into(Hg[k], Hs[k])


@compiled
def _fill_group(M, H, s, g, Ms, Hs, start, how, known, zero):
    if how == COPY:
        copy_over(M[s, g], H[s, g], Ms[s, g], Hs[s, g], known, zero)
    elif how == START:
        n0, Mn, kd, inc0, kind = start
        start_group(M, H, s, g, n0, Mn, kd, inc0, kind)


@compiled
def fill_task(M, H, s, g, t, Ms, Hs, start, how, V, D):
    """A task's first read of its groups: base group g and its twin t (t >= 0) of scenario s
    filled in (M, H) (S, G, K, ...) as `how` says (module docstring): copied from (Ms, Hs), the
    states V (S, G) marks as known all zero in them written with zeros where D (S, G) does not
    mark them known all zero in (M, H) already (`copy_over`), or the baseline's households from
    start = (n0, Mn, kd, inc0, kind) (`start_group`)."""
    _fill_group(M, H, s, g, Ms, Hs, start, how, V[s, g], D[s, g])
    if t >= 0:
        _fill_group(M, H, s, t, Ms, Hs, start, how, V[s, t], D[s, t])
