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
they go (a hint to the processor; no value changes): their first touch overlaps the work. Since
mdlines8 the rows of incomes (`_pull_row`, `_block_sums`, `_row_sum`, `pull_diag`'s bins) go eight
bins at a time (`multidim_vec8.row_mul`, `row_fma`; a last four in a `Vec4`): the same bits.
"""

from __future__ import annotations

from simlib.engines.multidim_numba import U, compiled, vadd, vbcast, vfma, vhigh, vload, vmul, vodd, vset, vstore, vsub
from simlib.engines.multidim_vec8 import row_fma, row_mul, v8bcast, v8fma, v8load, v8store, v8zero

try:  # numba is a dependency; without it the numpy engine runs and nothing here is called
    from llvmlite import ir
    from numba.core import cgutils, types
    from numba.extending import intrinsic
except ImportError:  # pragma: no cover
    intrinsic = compiled  # the function itself (never called)


@intrinsic
def prefetch(typingctx, arr, i):
    """A hint to bring arr[i]'s cache line (arr 1-d) into the caches (LLVM's prefetch: read,
    locality 2, data); no load, no fault, nothing changes."""
    if not (isinstance(arr, types.Array) and arr.ndim == 1):
        return None

    def codegen(context, builder, sig, args):
        a = context.make_array(sig.args[0])(context, builder, args[0])
        at = context.cast(builder, args[1], sig.args[1], types.intp)
        ptr = builder.bitcast(builder.gep(a.data, [at], inbounds=True), ir.IntType(8).as_pointer())
        i32 = ir.IntType(32)
        fnty = ir.FunctionType(ir.VoidType(), [ptr.type, i32, i32, i32])
        fn = cgutils.get_or_insert_function(builder.module, fnty, "llvm.prefetch.p0i8")
        builder.call(fn, [ptr, i32(0), i32(2), i32(1)])
        return context.get_dummy_value()

    return types.none(arr, i), codegen


@compiled
def _ahead(Mn, a, n):
    """Prefetch the lines of Mn[a : a + n] (a multiple of 8 in a; one line for n < 8): the next
    cell-state's cells, a part at a time while this one's line runs (mdlines7). Returns a + n."""
    for i in range(0, n, 8):
        prefetch(Mn, a + i)
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
    if nbits == 3:
        _clear3(Mk, c, r, cell, bitpos, flat, Mn)
    else:
        table_clear12(Mk, c, r, targeted, nbits, cell, bitpos, flat, Mn)


@compiled
def table_clear12(Mk, c, r, targeted, nbits, cell, bitpos, flat, Mn):
    """`table_clear3` for a line of one or two indicators (bits bitpos[:nbits], increasing, the
    lowest >= 2), targeted or not: one indicator is cleared in the masks with it with probability
    c r; of two, the reached share c is taken out (not from the masks without either indicator if
    the line is targeted), cleared bit after bit with probability r and put back. Mn: prefetched
    (`table_clear_ahead`)."""
    n = Mk.shape[0]
    M2 = Mk.reshape((1, n))
    b0 = 1 << bitpos[0]
    if b0 < 4:  # the first indicator within each four masks (mdlines7)
        _table_clear_low(Mk, c, r, targeted, nbits, cell, bitpos, flat, Mn)
        return
    if nbits == 1:
        rv, m, a = vbcast(c * r), 0, 0
        while m < n:
            a = _ahead(Mn, a, 8)
            _scatter(Mk, cell, flat, m, 0)
            _scatter(Mk, cell, flat, m, b0)
            v0, v1 = vload(M2, 0, m), vload(M2, 0, m + b0)
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
        a = _ahead(Mn, a, 16)
        for off in (0, b0, b1, bits):
            _scatter(Mk, cell, flat, m, off)
        v0, v1, v2, v3 = vload(M2, 0, m), vload(M2, 0, m + b0), vload(M2, 0, m + b1), vload(M2, 0, m + bits)
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
def _table_clear_low(Mk, c, r, targeted, nbits, cell, bitpos, flat, Mn):
    """`table_clear12` for a first indicator at bit 0 or 1 (b0 = 1 or 2: a pair in one vector;
    mdlines7: one mask at a time took 3.5 us a call, this 2.7), a second (if any) at bit 2 or
    above (its pairs across two vectors). Each mask's operations as the passes': x = c m taken
    out, each indicator cleared (`_pair_low`, `_pair`), x put back; the table in mask order."""
    n = Mk.shape[0]
    M2 = Mk.reshape((1, n))
    b0 = 1 << bitpos[0]
    sg = vset(1.0, -1.0, 1.0, -1.0) if b0 == 1 else vset(1.0, 1.0, -1.0, -1.0)
    rv = vbcast(r)
    if nbits == 1:  # one indicator: households with it lose it with probability c r
        crv = vbcast(c * r)
        for m in range(0, n, 4):
            _ahead(Mn, m // 8 * 8, 4)
            _scatter(Mk, cell, flat, m, 0)
            v = vload(M2, 0, m)
            vstore(M2, 0, m, _pair_low(v, crv, sg, b0))
        return
    b1 = 1 << bitpos[1]
    c0 = 0.0 if targeted else c  # the masks without either indicator (targeted: not reached)
    sel = vset(c0, c, c0, c) if b0 == 1 else vset(c0, c0, c, c)
    cv = vbcast(c)
    m, a = 0, 0
    while m < n:
        a = _ahead(Mn, a, 8)
        _scatter(Mk, cell, flat, m, 0)
        _scatter(Mk, cell, flat, m, b1)
        v, w = vload(M2, 0, m), vload(M2, 0, m + b1)
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
    _clear3(Mk, c, r, cell, bitpos, flat, Mk)


@compiled
def _clear3(Mk, c, r, cell, bitpos, flat, Mn):
    """The line's table (flat (NK x row length,), zero where the masks add, entry cell[x] of
    mask x, `multidim_tables._line_arrays`) from the masks Mk (4,096,) as they are, and the masks
    then cleared: the share c of every mask reached, each of the three indicators (bits
    bitpos[:3], increasing, the lowest >= 2) cleared with probability r, bit after bit. Mn:
    prefetched, four lines each round of 32 masks (`table_clear_ahead`)."""
    n = Mk.shape[0]
    M2 = Mk.reshape((1, n))
    b0, b1, b2 = 1 << bitpos[0], 1 << bitpos[1], 1 << bitpos[2]
    bits = b0 | b1 | b2
    cv, rv = vbcast(c), vbcast(r)
    m, a = 0, 0
    while m < n:
        a = _ahead(Mn, a, 32)
        for off in (0, b0, b1, b0 | b1, b2, b0 | b2, b1 | b2, bits):
            _scatter(Mk, cell, flat, m, off)
        v0, v1, v2, v3 = vload(M2, 0, m), vload(M2, 0, m + b0), vload(M2, 0, m + b1), vload(M2, 0, m + (b0 | b1))
        v4, v5 = vload(M2, 0, m + b2), vload(M2, 0, m + (b0 | b2))
        v6, v7 = vload(M2, 0, m + (b1 | b2)), vload(M2, 0, m + bits)
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
    hn = Hn.reshape(-1)
    for c in range(NK):
        _ahead(hn, c * B, B)
        s, g = scale[c], 1.0
        if s != 0.0:
            stay = 0.0
            for e in range(cnt[c]):
                if cols[c, e] == c:
                    stay = A[c, e]
            g = (1.0 - s) + stay * s
        if tcnt[c] > 0 or g != 1.0:
            _pull_row(H, c, g, trow, ta, tcnt[c], B)


@compiled
def _pull_row(H, c, g, rows, w, n, B):
    """Row c of H (bins 0 .. B, a multiple of 4): g h + the sum over t < n of w[c, t] (h of row
    rows[c, t]), each term one multiply-add (LLVM's fmuladd), made in place term after term (the
    rows x moving into c are below it, unchanged): a pass over the row per term, without a loop
    over the terms inside the loop over the bins (whose varying length cost more than the
    stores). The whole arrays and c, not views of their rows (see `_block_sums`); eight bins at
    a time (`multidim_vec8.row_fma`, mdlines8)."""
    row_mul(H, c, 0, g, H, c, B)
    for t in range(n):
        row_fma(H, c, 0, w[c, t], H, rows[c, t], B)


@compiled
def shift_by_target(sh_lo, sh_w, sh_v, cnt, src2, wt2, extra):
    """A line's income shift (bin b lands in bins sh_lo[b] + i, i < sh_w[b], with shares sh_v[b, i])
    by target bin: bin t receives its first two source bins src2[:, t] (increasing; a missing one
    bin t with share 0) with the shares wt2[:, t] (2, B), and any further ones from `extra` =
    (targets, sources, shares) (at least sum(sh_w) - B long; increasing source bin, so each
    target's in increasing order too); cnt (B + 1,): the sources of each bin and, last, how many
    extras. Two per bin make most (a multiply-add each for every bin, no loop of varying length)."""
    B = sh_lo.shape[0]
    xt, xs, xw = extra
    cnt[:] = 0
    for t in range(B):
        src2[0, t], src2[1, t], wt2[0, t], wt2[1, t] = t, t, 0.0, 0.0
    nx = 0
    for b in range(B):
        for i in range(sh_w[b]):
            t = sh_lo[b] + i
            tu = U(t)
            if cnt[tu] < 2:
                e = U(cnt[tu])
                src2[e, tu], wt2[e, tu] = b, sh_v[b, i]
            else:
                xt[nx], xs[nx], xw[nx] = t, b, sh_v[b, i]
                nx += 1
            cnt[tu] += 1
    cnt[B] = nx


@compiled
def pull_shift(H, scale, op, tshift, R, RT, OT):
    """A line's moves of incomes with an income effect, within the cell-state (H (NK, B), B a
    multiple of 4; op as `pull_moves`'; tshift = (cnt, src2, wt2, extra), the shift by target bin
    of `shift_by_target`; scratch R (4, B), RT and OT (B, 4)): row c of H becomes (1 - s_c) h_c +
    the shift of r_c, r_c = the sum over the rows x that move into c (itself included, in
    increasing row) of w (h of row x), w = a s. Four rows at a time: their r (R, by bins) turned
    by bins (RT), shifted together (OT: each target bin's sources in increasing bin, four rows
    per multiply-add), then put in place. A row moves only to itself and rows below, and the
    rows of a block are written after all of its r are made, so every r reads rows unchanged."""
    A, cols, cnt, sp, tcnt, trow, ta = op
    NK, B = H.shape
    _by_columns(A, cols, cnt, scale, tcnt, trow, ta)
    for c0 in range(0, NK, 4):
        nu = min(4, NK - c0)
        busy = False
        for u in range(nu):
            busy = busy or tcnt[c0 + u] > 0 or scale[c0 + u] != 0.0
        if not busy:
            continue
        _block_sums(H, R, RT, trow, ta, tcnt, c0, nu)
        _shift4(RT, OT, tshift)
        for u in range(nu):
            c = c0 + u
            if tcnt[c] > 0 or scale[c] != 0.0:
                g = 1.0 - scale[c]
                for t in range(B):
                    H[c, t] = g * H[c, t] + OT[t, u]


@compiled
def _shift4(RT, OT, tshift):
    """OT (B, 4) = four rows by bins RT (B, 4) raised by the shift by target bin (`shift_by_target`):
    each bin's first two sources, then the extra ones."""
    cnt, src2, wt2, (xt, xs, xw) = tshift
    B = RT.shape[0]
    for t in range(B):
        o = vmul(vbcast(wt2[0, t]), vload(RT, src2[0, t], 0))
        vstore(OT, t, 0, vfma(vbcast(wt2[1, t]), vload(RT, src2[1, t], 0), o))
    for e in range(cnt[B]):
        t = xt[e]
        vstore(OT, t, 0, vfma(vbcast(xw[e]), vload(RT, xs[e], 0), vload(OT, t, 0)))


@compiled
def _by_columns(A, cols, cnt, scale, tcnt, trow, ta):
    """The reached moves by columns: column c's rows trow[c, :tcnt[c]] (increasing, itself
    included) with weights ta (the operator's entry times the row's reached share)."""
    NK = scale.shape[0]
    tcnt[:] = 0
    for x in range(NK):
        s = scale[x]
        if s == 0.0:
            continue
        for e in range(cnt[x]):
            a, c = A[x, e], cols[x, e]
            if a != 0.0:
                cu = U(c)
                k = U(tcnt[cu])
                trow[cu, k], ta[cu, k] = x, a * s
                tcnt[cu] += 1


@compiled
def _block_sums(H, R, RT, trow, ta, tcnt, c0, nu):
    """R[u] (B,) = r of row c0 + u (u < 4; zeros for u >= nu), the sum over t < n of ta[c, t] (h
    of row trow[c, t]) term after term, four bins at a time, then turned by bins into RT (B, 4).
    All four rows in one call, without views: each call or view costs atomic reference counts."""
    B = R.shape[1]
    for u in range(4):
        c = c0 + u
        n = tcnt[c] if u < nu else 0
        if n == 0:
            for j in range(0, B, 4):
                vstore(R, u, j, vbcast(0.0))
            continue
        row_mul(R, u, 0, ta[c, 0], H, trow[c, 0], B)
        for t in range(1, n):
            row_fma(R, u, 0, ta[c, t], H, trow[c, t], B)
    for b in range(B):
        for u in range(4):
            RT[b, u] = R[u, b]


@compiled
def shift_diagonals(sh_lo, sh_w, sh_v, W):
    """A line's income shift (bin b lands in bins sh_lo[b] + i, i < sh_w[b], with shares sh_v[b, i])
    as diagonals: W[i, t] (W (D, B)) the share that bin t - (d0 - i) gives bin t (0 where it gives
    none), i increasing = the source bin increasing. Returns (d0, nd): the largest offset (target
    bin - source bin) and the number of diagonals; nd = 0 (W unset) when there is no shift or
    its offsets span more than D (`multidim_2030`'s line 6: 35)."""
    B = sh_lo.shape[0]
    lo, hi = B, -B
    for b in range(B):
        if sh_w[b] > 0:
            lo, hi = min(lo, sh_lo[b] - b), max(hi, sh_lo[b] + sh_w[b] - 1 - b)
    nd = hi - lo + 1
    if hi < lo or nd > W.shape[0]:
        return hi, 0
    W[:nd, :] = 0.0
    for b in range(B):
        for i in range(sh_w[b]):
            t = sh_lo[b] + i
            W[U(hi - (t - b)), U(t)] = sh_v[b, i]
    return hi, nd


@compiled
def pull_diag(H, scale, op, W, d0, nd, R):
    """`pull_shift` with the shift as diagonals (`shift_diagonals`: W (D, B), d0, nd) and scratch R
    (1, 3B), row by row: r_c (bins B .. 2B of R, zeros around it) as `_block_sums` makes it, then
    for each four target bins the sum over the diagonals (increasing source bin) of W (r shifted),
    each one multiply-add from zero, and the row put back as (1 - s) h + that, four bins at a time:
    the terms of each bin in `pull_shift`'s order with exact zeros between them (a zero share
    times r adds 0), without turning r by bins and back. A row moves only to itself and rows
    below, so each r reads rows not yet written."""
    A, cols, cnt, sp, tcnt, trow, ta = op
    NK, B = H.shape
    _by_columns(A, cols, cnt, scale, tcnt, trow, ta)
    R[0, :] = 0.0
    for c in range(NK):
        if tcnt[c] == 0 and scale[c] == 0.0:
            continue
        _row_sum(H, R, trow, ta, tcnt[c], c, B)
        g, e = 1.0 - scale[c], B - B % 8
        gw = v8bcast(g)
        for t in range(0, e, 8):  # eight bins at a time (mdlines8), a last four in a `Vec4`
            acc = v8zero()
            for i in range(nd):
                acc = v8fma(v8load(W, i, t), v8load(R, 0, B + t - d0 + i), acc)
            v8store(H, c, t, v8fma(gw, v8load(H, c, t), acc))
        if e < B:
            acc = vbcast(0.0)
            for i in range(nd):
                acc = vfma(vload(W, i, e), vload(R, 0, B + e - d0 + i), acc)
            vstore(H, c, e, vfma(vbcast(g), vload(H, c, e), acc))


@compiled
def _row_sum(H, R, trow, ta, n, c, B):
    """R[0, B:2B] = r of row c: the sum over t < n of ta[c, t] (h of row trow[c, t]) term after
    term, four bins at a time, as `_block_sums` (zeros for n = 0)."""
    if n == 0:
        for j in range(0, B, 4):
            vstore(R, 0, B + j, vbcast(0.0))
        return
    row_mul(R, 0, B, ta[c, 0], H, trow[c, 0], B)
    for t in range(1, n):
        row_fma(R, 0, B, ta[c, t], H, trow[c, t], B)
