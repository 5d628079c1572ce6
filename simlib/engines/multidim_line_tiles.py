"""One pass over the masks for the commonest lines of the compiled multidimensional engine
(`simlib.engines.multidim_line_kernels`): a line that keeps its households in their group, of three
indicators reaching every selectable household alike (not targeted), or of one or two indicators.

`multidim_line_kernels` makes such a line's table in one pass over the 4,096 masks, then clears
the masks in up to five more: the reached share taken out, a butterfly per indicator, the share
put back. Here the masks that differ only in the line's indicators are taken together, four such
groups at a time (`multidim_numba.Vec4`, four consecutive masks per vector; an indicator at bit
0 or 1 within a vector, `_table_clear_low`): each mask adds to its entry of the table, and its
new value is made in registers with the same operations in the same order as the passes (each
product has two uses there and here, so it is fused with neither addition): the same bits. A
table entry receives its masks in increasing order as in the separate pass.

`pull_moves` moves a cell-state's incomes for a line without an income effect column by column
in one pass, where `_move_incomes` takes the reached incomes out, adds them row by row into
scratch rows and adds those back (three passes and more over the key x income rows). Since
issue 18's mdlines2 it sums otherwise than the scratch rows (a row's households that stay and
those not reached in one product; each entry of the operator times its row's reached share
before the incomes): the same sums to rounding, in a fixed order (not the scratch rows' bits).

`pull_shift` does the same for a line with an income effect, four rows at a time turned by bins;
since mdlines4 a line whose shift has few offsets (target bin - source bin: 3 to 7 in
`multidim_2030`'s lines 2, 3, 5, 7) takes `pull_diag` instead, row by row and four bins at a time
over the shift's diagonals: `pull_shift`'s bits without turning the rows (tested).

Since mdlines7 `table_clear_ahead` and `pull_moves_ahead` prefetch the next cell-state's cells as
they go (a hint to the processor; no value changes): their first touch overlaps the work.
"""

from __future__ import annotations

from simlib.engines.multidim_line_shifts import pull_diag, pull_shift, shift_by_target, shift_diagonals
from simlib.engines.multidim_numba import U, compiled, vadd, vbcast, vfma, vhigh, vload, vmul, vodd, vset, vstore, vsub

#: the moves with an income effect (`multidim_line_shifts`, here before keptread), still found here
SHIFTS = (pull_diag, pull_shift, shift_by_target, shift_diagonals)

try:  # numba is a dependency; without it the numpy engine runs and nothing here is called
    from llvmlite import ir
    from numba.core import cgutils, types
    from numba.extending import intrinsic
except ImportError:  # pragma: no cover
    intrinsic = compiled  # the function itself (never called)


def _prefetch(arr, i, rw):
    """LLVM's prefetch of arr[i]'s cache line (arr 1-d), for reading (rw 0) or writing (1)."""
    if not (isinstance(arr, types.Array) and arr.ndim == 1):
        return None

    def codegen(context, builder, sig, args):
        a = context.make_array(sig.args[0])(context, builder, args[0])
        at = context.cast(builder, args[1], sig.args[1], types.intp)
        ptr = builder.bitcast(builder.gep(a.data, [at], inbounds=True), ir.IntType(8).as_pointer())
        i32 = ir.IntType(32)
        fnty = ir.FunctionType(ir.VoidType(), [ptr.type, i32, i32, i32])
        fn = cgutils.get_or_insert_function(builder.module, fnty, "llvm.prefetch.p0i8")
        builder.call(fn, [ptr, i32(rw), i32(2), i32(1)])
        return context.get_dummy_value()

    return types.none(arr, i), codegen


@intrinsic
def prefetch(typingctx, arr, i):
    """A hint to bring arr[i]'s cache line (arr 1-d) into the caches (LLVM's prefetch: read,
    locality 2, data); no load, no fault, nothing changes."""
    return _prefetch(arr, i, 0)


@intrinsic
def prefetch_write(typingctx, arr, i):
    """`prefetch` for writing (the line brought in to be written: keptread's cells filled)."""
    return _prefetch(arr, i, 1)


@compiled
def _ahead(Mn, Wn, a, n):
    """Prefetch the lines of Mn[a : a + n] (a multiple of 8 in a; one line for n < 8): the next
    cell-state's cells, a part at a time while this one's line runs (mdlines7), and those of Wn
    for writing unless Wn is empty (keptread: the cells filled from the kept state Mn). Returns
    a + n."""
    if Wn.shape[0] == 0:
        for i in range(0, n, 8):
            prefetch(Mn, a + i)
        return a + n
    for i in range(0, n, 8):
        prefetch(Mn, a + i)
        prefetch_write(Wn, a + i)
    return a + n


@compiled
def fits(targeted, nbits, bitpos):
    """Whether `table_clear3` (not targeted, three indicators) or `table_clear12` (one or two) can
    take the line: its indicators in increasing bits, the lowest at bit 2 or above of three, the
    highest at bit 2 or above of two (one indicator at any bit)."""
    if nbits == 3:
        return (not targeted) and 2 <= bitpos[0] < bitpos[1] < bitpos[2]
    if nbits == 2:  # the lowest at bit 0 or 1 too, the other at 2 or above (`_table_clear_low`)
        return bitpos[0] < bitpos[1] and bitpos[1] >= 2
    return nbits == 1


@compiled
def table_clear(Mk, c, r, targeted, nbits, cell, bitpos, flat):
    """`table_clear3` or `table_clear12`, as the line's indicators are three or fewer (`fits`)."""
    table_clear_ahead(Mk, c, r, targeted, nbits, cell, bitpos, flat, Mk)


@compiled
def table_clear_ahead(Mk, c, r, targeted, nbits, cell, bitpos, flat, Mn):
    """`table_clear`, the masks Mn (4,096,) of the cell-state to come prefetched as it goes
    (`_ahead`: their first touch then overlaps this work; Mn may be Mk)."""
    table_clear_from(Mk, Mk, c, r, targeted, nbits, cell, bitpos, flat, Mn, Mn[:0])


@compiled
def table_clear_from(Sk, Mk, c, r, targeted, nbits, cell, bitpos, flat, Mn, Wn):
    """`table_clear_ahead` out of place: the table made from the masks Sk (4,096,) and the cleared
    masks written into Mk (every mask; Sk is only read, Sk may be Mk). Each mask is read once,
    before its own store, so the values are those of Mk = Sk and then `table_clear_ahead` (keptread:
    a year's first line reads a kept state's masks instead of a copy of them). Wn (empty: none):
    the masks to fill next, prefetched for writing (`_ahead`)."""
    if nbits == 3:
        _clear3(Sk, Mk, c, r, cell, bitpos, flat, Mn, Wn)
    else:
        table_clear12(Sk, Mk, c, r, targeted, nbits, cell, bitpos, flat, Mn, Wn)


@compiled
def table_clear12(Sk, Mk, c, r, targeted, nbits, cell, bitpos, flat, Mn, Wn):
    """`table_clear3` for a line of one or two indicators (bits bitpos[:nbits], increasing, the
    lowest >= 2), targeted or not: one indicator is cleared in the masks with it with probability
    c r; of two, the reached share c is taken out (not from the masks without either indicator if
    the line is targeted), cleared bit after bit with probability r and put back. Mn: prefetched
    (`table_clear_ahead`); the masks read from Sk, written into Mk (`table_clear_from`)."""
    n = Mk.shape[0]
    M2, S2 = Mk.reshape((1, n)), Sk.reshape((1, n))
    b0 = 1 << bitpos[0]
    if b0 < 4:  # the first indicator within each four masks (mdlines7)
        _table_clear_low(Sk, Mk, c, r, targeted, nbits, cell, bitpos, flat, Mn, Wn)
        return
    if nbits == 1:
        rv, m, a = vbcast(c * r), 0, 0
        while m < n:
            a = _ahead(Mn, Wn, a, 8)
            _scatter(Sk, cell, flat, m, 0)
            _scatter(Sk, cell, flat, m, b0)
            v0, v1 = vload(S2, 0, m), vload(S2, 0, m + b0)
            v0, v1 = _pair(v0, v1, rv)
            vstore(M2, 0, m, v0)
            vstore(M2, 0, m + b0, v1)
            m = ((m | b0) + 4) & ~b0
        return
    b1 = 1 << bitpos[1]
    bits = b0 | b1
    cv, c0, rv = vbcast(c), vbcast(0.0 if targeted else c), vbcast(r)
    m, a = 0, 0
    while m < n:
        a = _ahead(Mn, Wn, a, 16)
        for off in (0, b0, b1, bits):
            _scatter(Sk, cell, flat, m, off)
        v0, v1, v2, v3 = vload(S2, 0, m), vload(S2, 0, m + b0), vload(S2, 0, m + b1), vload(S2, 0, m + bits)
        x0, x1, x2, x3 = vmul(c0, v0), vmul(cv, v1), vmul(cv, v2), vmul(cv, v3)
        v0, v1, v2, v3 = vsub(v0, x0), vsub(v1, x1), vsub(v2, x2), vsub(v3, x3)
        x0, x1 = _pair(x0, x1, rv)
        x2, x3 = _pair(x2, x3, rv)
        x0, x2 = _pair(x0, x2, rv)
        x1, x3 = _pair(x1, x3, rv)
        vstore(M2, 0, m, vadd(v0, x0))
        vstore(M2, 0, m + b0, vadd(v1, x1))
        vstore(M2, 0, m + b1, vadd(v2, x2))
        vstore(M2, 0, m + bits, vadd(v3, x3))
        m = ((m | bits) + 4) & ~bits


@compiled
def _table_clear_low(Sk, Mk, c, r, targeted, nbits, cell, bitpos, flat, Mn, Wn):
    """`table_clear12` for a first indicator at bit 0 or 1 (b0 = 1 or 2: a pair in one vector;
    mdlines7: one mask at a time took 3.5 us a call, this 2.7), a second (if any) at bit 2 or
    above (its pairs across two vectors). Each mask's operations as the passes': x = c m taken
    out, each indicator cleared (`_pair_low`, `_pair`), x put back; the table in mask order. Read
    from Sk, written into Mk (`table_clear_from`)."""
    n = Mk.shape[0]
    M2, S2 = Mk.reshape((1, n)), Sk.reshape((1, n))
    b0 = 1 << bitpos[0]
    sg = vset(1.0, -1.0, 1.0, -1.0) if b0 == 1 else vset(1.0, 1.0, -1.0, -1.0)
    rv = vbcast(r)
    if nbits == 1:  # one indicator: households with it lose it with probability c r
        crv = vbcast(c * r)
        for m in range(0, n, 4):
            _ahead(Mn, Wn, m // 8 * 8, 4)
            _scatter(Sk, cell, flat, m, 0)
            v = vload(S2, 0, m)
            vstore(M2, 0, m, _pair_low(v, crv, sg, b0))
        return
    b1 = 1 << bitpos[1]
    c0 = 0.0 if targeted else c  # the masks without either indicator (targeted: not reached)
    sel = vset(c0, c, c0, c) if b0 == 1 else vset(c0, c0, c, c)
    cv = vbcast(c)
    m, a = 0, 0
    while m < n:
        a = _ahead(Mn, Wn, a, 8)
        _scatter(Sk, cell, flat, m, 0)
        _scatter(Sk, cell, flat, m, b1)
        v, w = vload(S2, 0, m), vload(S2, 0, m + b1)
        x, y = vmul(sel, v), vmul(cv, w)
        v, w = vsub(v, x), vsub(w, y)
        x, y = _pair(_pair_low(x, rv, sg, b0), _pair_low(y, rv, sg, b0), rv)
        vstore(M2, 0, m, vadd(v, x))
        vstore(M2, 0, m + b1, vadd(w, y))
        m = ((m | b1) + 4) & ~b1


@compiled
def _pair_low(v, rv, sg, b0):
    """One indicator at bit 0 or 1 (b0 = 1 or 2) cleared within four masks v: mv = r (the mask with
    it), the mask without it + mv, the one with it + (-1) mv (the bits of - mv)."""
    hi = vodd(v) if b0 == 1 else vhigh(v)
    return vadd(v, vmul(vmul(rv, hi), sg))


@compiled
def _pair(lo, hi, rv):
    """One indicator cleared on a pair (lo without, hi with the bit): mv = r hi; lo + mv, hi - mv."""
    mv = vmul(rv, hi)
    return vadd(lo, mv), vsub(hi, mv)


@compiled
def _scatter(Mk, cell, flat, m, off):
    """flat[cell[x]] += Mk[x] for the four masks x = m + off .. m + off + 3, in order."""
    for i in range(4):
        x = U(m + off + i)
        flat[U(cell[x])] += Mk[x]


@compiled
def table_clear3(Mk, c, r, cell, bitpos, flat):
    """`_clear3` with nothing to prefetch (its own masks)."""
    _clear3(Mk, Mk, c, r, cell, bitpos, flat, Mk, Mk[:0])


@compiled
def _clear3(Sk, Mk, c, r, cell, bitpos, flat, Mn, Wn):
    """The line's table (flat (NK x row length,), zero where the masks add, entry cell[x] of
    mask x, `multidim_tables._line_arrays`) from the masks Mk (4,096,) as they are, and the masks
    then cleared: the share c of every mask reached, each of the three indicators (bits
    bitpos[:3], increasing, the lowest >= 2) cleared with probability r, bit after bit. Mn:
    prefetched, four lines each round of 32 masks (`table_clear_ahead`). Read from Sk, written into
    Mk (`table_clear_from`)."""
    n = Mk.shape[0]
    M2, S2 = Mk.reshape((1, n)), Sk.reshape((1, n))
    b0, b1, b2 = 1 << bitpos[0], 1 << bitpos[1], 1 << bitpos[2]
    bits = b0 | b1 | b2
    cv, rv = vbcast(c), vbcast(r)
    m, a = 0, 0
    while m < n:
        a = _ahead(Mn, Wn, a, 32)
        for off in (0, b0, b1, b0 | b1, b2, b0 | b2, b1 | b2, bits):
            _scatter(Sk, cell, flat, m, off)
        v0, v1, v2, v3 = vload(S2, 0, m), vload(S2, 0, m + b0), vload(S2, 0, m + b1), vload(S2, 0, m + (b0 | b1))
        v4, v5 = vload(S2, 0, m + b2), vload(S2, 0, m + (b0 | b2))
        v6, v7 = vload(S2, 0, m + (b1 | b2)), vload(S2, 0, m + bits)
        x0, x1, x2, x3 = vmul(cv, v0), vmul(cv, v1), vmul(cv, v2), vmul(cv, v3)
        x4, x5, x6, x7 = vmul(cv, v4), vmul(cv, v5), vmul(cv, v6), vmul(cv, v7)
        v0, v1, v2, v3 = vsub(v0, x0), vsub(v1, x1), vsub(v2, x2), vsub(v3, x3)
        v4, v5, v6, v7 = vsub(v4, x4), vsub(v5, x5), vsub(v6, x6), vsub(v7, x7)
        x0, x1 = _pair(x0, x1, rv)  # the first indicator: patterns p and p | 1
        x2, x3 = _pair(x2, x3, rv)
        x4, x5 = _pair(x4, x5, rv)
        x6, x7 = _pair(x6, x7, rv)
        x0, x2 = _pair(x0, x2, rv)  # the second: p and p | 2
        x1, x3 = _pair(x1, x3, rv)
        x4, x6 = _pair(x4, x6, rv)
        x5, x7 = _pair(x5, x7, rv)
        x0, x4 = _pair(x0, x4, rv)  # the third: p and p | 4
        x1, x5 = _pair(x1, x5, rv)
        x2, x6 = _pair(x2, x6, rv)
        x3, x7 = _pair(x3, x7, rv)
        vstore(M2, 0, m, vadd(v0, x0))
        vstore(M2, 0, m + b0, vadd(v1, x1))
        vstore(M2, 0, m + b1, vadd(v2, x2))
        vstore(M2, 0, m + (b0 | b1), vadd(v3, x3))
        vstore(M2, 0, m + b2, vadd(v4, x4))
        vstore(M2, 0, m + (b0 | b2), vadd(v5, x5))
        vstore(M2, 0, m + (b1 | b2), vadd(v6, x6))
        vstore(M2, 0, m + bits, vadd(v7, x7))
        m = ((m | bits) + 4) & ~bits  # the next four masks without the line's bits
    return


@compiled
def pull_moves(H, scale, op):
    """`pull_moves_ahead` without a next cell-state (its own incomes prefetched)."""
    pull_moves_ahead(H, scale, op, H)


@compiled
def pull_moves_ahead(H, scale, op, Hn):
    """A line's moves of incomes without an income effect, within the cell-state (H (NK, B), B a
    multiple of 4; op = (A, cols, cnt, sp, tcnt, trow, ta): `multidim_line_kernels._move_incomes`'
    sparse operator by rows, and scratch for it by columns), column by column: row c of H becomes
    g_c h_c + the sum over the rows x that move into it (in increasing row) of w (h of row x), w =
    a s (the entry of the operator times the row's reached share), and g_c = (1 - s_c) + a_cc s_c
    (the households not reached and those reached that stay), each term one multiply-add. A row
    moves only to itself and rows below, so rows above c are read as they were. Row c of Hn (the
    incomes of the cell-state to come, (NK, B)) is prefetched as row c goes (mdlines7)."""
    pull_moves_from(H, H, scale, op, Hn, Hn, False)


@compiled
def pull_moves_from(S, H, scale, op, Hn, Wn, apart):
    """`pull_moves_ahead` out of place when `apart`: the incomes read from S (NK, B), only read,
    the rows written into H, a row without moves copied (keptread: a year's first line reads a kept
    state's incomes instead of a copy of them). Each term reads rows of S, unchanged, as the
    in-place form reads rows not yet written: the same values. Not `apart`: S is H (in place). Wn:
    the incomes to fill next (Hn's shape), prefetched for writing when `apart`."""
    A, cols, cnt, sp, tcnt, trow, ta = op
    NK, B = H.shape
    tcnt[:] = 0
    for x in range(NK):  # the operator by columns without its diagonal, rows in increasing order
        s = scale[x]
        if s == 0.0:
            continue
        for e in range(cnt[x]):
            a, c = A[x, e], cols[x, e]
            if a != 0.0 and c != x:
                cu = U(c)
                k = U(tcnt[cu])
                trow[cu, k], ta[cu, k] = x, a * s
                tcnt[cu] += 1
    hn, wn = Hn.reshape(-1), Wn.reshape(-1)[: Wn.size if apart else 0]
    for c in range(NK):
        _ahead(hn, wn, c * B, B)
        s, g = scale[c], 1.0
        if s != 0.0:
            stay = 0.0
            for e in range(cnt[c]):
                if cols[c, e] == c:
                    stay = A[c, e]
            g = (1.0 - s) + stay * s
        if tcnt[c] > 0 or g != 1.0:
            _pull_row(S, H, c, g, trow, ta, tcnt[c], B)
        elif apart:
            for j in range(0, B, 4):
                vstore(H, c, j, vload(S, c, j))


@compiled
def _pull_row(S, H, c, g, rows, w, n, B):
    """Row c of H (bins 0 .. B, a multiple of 4): g h + the sum over t < n of w[c, t] (h of row
    rows[c, t]), each term one multiply-add (LLVM's fmuladd), made in place term after term (the
    rows x moving into c are below it, unchanged): a pass over the row per term, without a loop
    over the terms inside the loop over the bins (whose varying length cost more than the
    stores). The whole arrays and c, not views of their rows (see `_block_sums`). h and the
    rows moving in are read from S (H itself in place; `pull_moves_from`)."""
    gv = vbcast(g)
    for j in range(0, B, 4):
        vstore(H, c, j, vmul(gv, vload(S, c, j)))
    for t in range(n):
        wt, xt = vbcast(w[c, t]), rows[c, t]
        for j in range(0, B, 4):
            vstore(H, c, j, vfma(wt, vload(S, xt, j), vload(H, c, j)))
