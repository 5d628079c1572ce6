"""One pass over the masks for the commonest lines of the compiled multidimensional engine
(`simlib.engines.multidim_line_kernels`): a line of three indicators that reaches every
selectable household alike (not targeted) and keeps them in their group.

`multidim_line_kernels` makes such a line's table in one pass over the 4,096 masks, then clears
the masks in five more: the reached share taken out, a butterfly per indicator, the share put
back. Here the eight masks that differ only in the line's three indicators are taken together,
four such groups at a time (`multidim_numba.Vec4`, four consecutive masks per vector, which needs
the lowest of the three bits at 2 or above): each mask adds to its entry of the table, and its
new value is made in registers with the same operations in the same order as the five passes
(each product has two uses there and here, so it is fused with neither addition). A table entry
receives its masks in increasing order as in the separate pass (the groups go by in increasing
order of the free bits, and masks of one entry share the line's three bits).

`pull_moves` moves a cell-state's incomes for a line without an income effect column by column
in one pass, where `_move_incomes` takes the reached incomes out, adds them row by row into
scratch rows and adds those back (three passes and more over the key x income rows).
"""

from __future__ import annotations

from simlib.engines.multidim_numba import compiled, vadd, vbcast, vfence, vfma, vload, vmul, vstore, vsub, vzero


@compiled
def fits(targeted, nbits, bitpos):
    """Whether `table_clear3` can take the line: not targeted, three indicators in increasing
    bits, the lowest at bit 2 or above."""
    return (not targeted) and nbits == 3 and 2 <= bitpos[0] < bitpos[1] < bitpos[2]


@compiled
def _pair(lo, hi, rv):
    """One indicator cleared on a pair (lo without, hi with the bit): mv = r hi; lo + mv, hi - mv."""
    mv = vmul(rv, hi)
    return vadd(lo, mv), vsub(hi, mv)


@compiled
def _scatter(Mk, cell, flat, m, off):
    """flat[cell[x]] += Mk[x] for the four masks x = m + off .. m + off + 3, in order."""
    for i in range(4):
        flat[cell[m + off + i]] += Mk[m + off + i]


@compiled
def table_clear3(Mk, c, r, cell, bitpos, flat):
    """The line's table (flat (NK x row length,), zero where the masks add, entry cell[x] of
    mask x, `multidim_tables._line_arrays`) from the masks Mk (4,096,) as they are, and the masks
    then cleared: the share c of every mask reached, each of the three indicators (bits
    bitpos[:3], increasing, the lowest >= 2) cleared with probability r, bit after bit."""
    n = Mk.shape[0]
    M2 = Mk.reshape((1, n))
    b0, b1, b2 = 1 << bitpos[0], 1 << bitpos[1], 1 << bitpos[2]
    bits = b0 | b1 | b2
    cv, rv = vbcast(c), vbcast(r)
    m = 0
    while m < n:
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
    """A line's moves of incomes without an income effect, within the cell-state (H (NK, B), B a
    multiple of 4; op = (A, cols, cnt, sp, tcnt, trow, ta): `multidim_line_kernels._move_incomes`'
    sparse operator by rows and the rows' spans, and scratch for it by columns), column by column:
    row c of H becomes (h - s h) + the terms a (s' h') of the rows that move into it, in increasing
    row, each one multiply-add from zero as the scratch rows Hr of `_move_incomes` received them
    (its take-out, the rows added into Hr and the add-back in one pass, in registers). A row moves
    only to itself and rows below, so rows above c are read as they were. Bins outside a row's span
    hold zeros and add exact zeros (the masses are not negative), so each column runs over the
    union of its rows' spans rounded out to multiples of 4."""
    A, cols, cnt, sp, tcnt, trow, ta = op
    NK, B = H.shape
    tcnt[:] = 0
    for x in range(NK):  # the operator by columns, rows in increasing order
        if sp[x, 1] <= sp[x, 0]:
            continue
        for e in range(cnt[x]):
            a = A[x, e]
            if a != 0.0:
                c = cols[x, e]
                trow[c, tcnt[c]], ta[c, tcnt[c]] = x, a
                tcnt[c] += 1
    for c in range(NK):
        n = tcnt[c]
        lo, hi = (sp[c, 0], sp[c, 1]) if sp[c, 1] > sp[c, 0] else (B, 0)
        for t in range(n):
            lo, hi = min(lo, sp[trow[c, t], 0]), max(hi, sp[trow[c, t], 1])
        if hi > lo:
            _pull_row(H, c, scale[c], trow[c], ta[c], n, scale, lo - lo % 4, min(hi + (-hi) % 4, B))


@compiled
def _pull_row(H, c, s, rows, a, n, scale, lo, hi):
    """Bins lo .. hi (multiples of 4) of row c of H: (h - s h) + sum over t < n of a[t] (scale h)
    of row rows[t], each term one multiply-add (LLVM's fmuladd) from zero."""
    sv = vbcast(s)
    for j in range(lo, hi, 4):
        h = vload(H, c, j)
        acc = vzero()
        for t in range(n):
            x = rows[t]
            acc = vfma(vbcast(a[t]), vmul(vbcast(scale[x]), vload(H, x, j)), acc)
        # the take-out's product and the sum fenced: each rounded on its own, as through memory
        vstore(H, c, j, vadd(vsub(h, vfence(vmul(sv, h))), vfence(acc)))
