"""The lines of the compiled multidimensional expected engine (`simlib.engines.multidim_jit`): every
acting line in order on a base group and its housed twin, cell-state by cell-state — the table of
households by (key, pattern of the line's indicators), the key-to-key operator of clearing its
indicators (sparse by rows), the masks' butterflies, and the reached households' incomes moved
and raised (sparse shift rows). See `simlib.engines.multidim_jit` for why it is organised this way.

Inner loops run over views from index 0, as in `simlib.engines.multidim_cell_kernels` (numba's
check for negative indices keeps a loop over `range(b0, b1)` from using vector instructions);
every element receives the same operations in the same order (`pull_moves` apart: see below).

`apply_lines` goes cell-state by cell-state, every line on it in order (base group, then twin): a
line changes only the cell-state it acts on (and the twin's same cell-state) and adds to its
deprivations removed in the order of the cell-states, so each element receives the reference's
operations in the reference's order, with the cell-state's households kept in cache across the
lines. A cell-state without households is skipped: on zeros a line adds zeros to zeros (and 0 to
the deprivations removed), and 25-55 % of the (line, cell-state) pairs a line reaches are empty
in `multidim_2030` (mostly housed twins before anyone is housed).

The lines that clear flags without an income effect and keep their households in the group
(`multidim_2030`'s lines 0, 1, 4 and 9: three indicators untargeted; one or two, targeted) make
78 % of the (line, cell-state) pairs with households: their table and masks go in one pass
(`multidim_line_tiles.table_clear`), and their incomes move in one pass (`pull_moves`, which
since issue 18's mdlines2 groups the sums otherwise than `_move_incomes`' scratch rows: the same
to rounding, in a fixed order that depends on nothing but the data).
"""

from __future__ import annotations

import numpy as np

from simlib.engines.multidim_cell_kernels import empty
from simlib.engines.multidim_line_tiles import (
    U,
    fits,
    pull_diag,
    pull_moves,
    pull_moves_ahead,
    pull_shift,
    shift_by_target,
    shift_diagonals,
    table_clear_ahead,
)
from simlib.engines.multidim_numba import axpy, compiled


@compiled
def _line_table(Mk, c, targeted, cell, valid, NP, Tt, scale):
    """Households the line reaches by (key, pattern of its indicators) in Tt (NK, NP), and the
    share of each key's households (and incomes) reached in `scale` (NK,). Mask m adds to the
    entry cell[m] of the flat table (key x row length + pattern): one index to load instead of
    two and a product (the table's scatter-add over the 4,096 masks in 60 % of the time)."""
    Tt[:, :] = 0.0
    flat = Tt.reshape(-1)
    for m in range(Mk.shape[0]):
        flat[U(cell[m])] += Mk[m]
    _table_scale(Tt, c, targeted, valid, NP, scale)


@compiled
def _table_scale(Tt, c, targeted, valid, NP, scale):
    """`_line_table` after the masks' pass: the share of each key reached in `scale` (NK,), the
    table Tt (NK, NP) made the reached households'. The row's sums only for a targeted line (an
    untargeted one reaches the share c of every valid key: they are not read); the product by c
    over the whole of Tt (NK, 2**max(nbits)) as one array (zero past NP: `_line` zeroes it
    whole), not row by row over a loop of NP (linepass: 0.10-0.37 -> 0.05-0.17 us a call)."""
    NK = Tt.shape[0]
    for q in range(NK):
        if not valid[q]:
            scale[q] = 0.0
        elif targeted:  # only households deprived in one of the line's indicators
            tot = 0.0
            for p in range(NP):
                tot += Tt[q, p]
            sel = 0.0
            for p in range(1, NP):
                sel += Tt[q, p]
            scale[q] = c * (sel / tot) if tot > 0 else 0.0
        else:
            scale[q] = c
        if targeted:
            Tt[q, 0] = 0.0
    flat = Tt.reshape(-1)  # every entry times c in one vector loop (the columns past NP: zeros)
    for i in range(flat.shape[0]):
        flat[i] *= c


@compiled
def _clear_operator(Tt, NP, r, bitpos, nbits, down_key, scale, A, cols, cnt, d, removed):
    """The key-to-key operator of clearing each of the line's indicators with probability r, bit
    after bit as `JointSpace.bit_op` (mean field within a key, from the table Tt, which it
    updates), and the deprivations removed by indicator (added to `removed`). The operator is
    held by rows, sparse: row x's nonzero entries are A[x, :cnt[x]] in the columns cols[x,
    :cnt[x]], in increasing column (about two per row: a key's households move only to its down
    keys, never above it). Rows of keys the line does not reach (scale 0) stay the identity."""
    NK = Tt.shape[0]
    for q in range(NK):
        A[q, 0] = 1.0
        cols[q, 0] = q
        cnt[q] = 1
    for i in range(nbits):
        j, bi = bitpos[i], 1 << i
        acc = 0.0
        for q in range(NK):
            nk = 0.0
            d1 = 0.0
            for p in range(NP):
                nk += Tt[q, p]
                if p & bi:
                    d1 += Tt[q, p]
            acc += d1
            d[q] = r * d1 / nk if nk > 0 else 0.0
        removed[j] += r * acc
        for q in range(NK):
            dq = U(down_key[j, q])
            for p in range(NP):
                if p & bi:
                    mv = r * Tt[q, p]
                    Tt[q, p] -= mv
                    Tt[dq, U(p ^ bi)] += mv
        _clear_rows(A, cols, cnt, scale, d, down_key, j)


@compiled
def _clear_rows(A, cols, cnt, scale, d, down_key, j):
    """One bit (indicator j) on every row x of the operator the line reaches (scale[x] != 0;
    entries A[x, :cnt[x]], columns cols[x, :cnt[x]], increasing): the mass a of a column q that
    loses households (d[q] != 0) moves by the share d[q] to column down_key[j, q] (added if new),
    the columns in increasing order as over the dense row; mass moves to lower columns only, so
    an entry moves once per bit and the entries added are not visited. Then the row's columns
    sorted again and its count updated. Indexed in the whole arrays, without a view of a row per
    call (a view's reference count cost more than the row's few entries: 5.0 -> 1.7 us per
    operator on `multidim_2030`)."""
    for x in range(A.shape[0]):
        if scale[x] == 0.0:
            continue
        n0 = n = cnt[x]
        for e in range(n0):
            q = U(cols[x, e])
            v = A[x, e]
            if d[q] == 0.0 or v == 0.0:
                continue
            # d[q] read again after the store into A (which the compiler may not assume apart from
            # d): each of the two products fused with its own addition (one rounding each), as the
            # dense form; a shared product would be rounded once (other bits)
            A[x, e] = v - v * d[q]
            c = down_key[j, q]
            f = 0
            while f < n and cols[x, f] != c:
                f += 1
            if f == n:
                cols[x, n] = c
                A[x, n] = 0.0
                n += 1
            A[x, f] += v * d[q]
        for e in range(n0, n):  # insertion: the few added columns into the sorted ones
            c, v = cols[x, e], A[x, e]
            f = e
            while f > 0 and cols[x, f - 1] > c:
                cols[x, f], A[x, f] = cols[x, f - 1], A[x, f - 1]
                f -= 1
            cols[x, f], A[x, f] = c, v
        cnt[x] = n


@compiled
def _clear_bits(Rm, r, bitpos, nbits):
    """Masks `Rm` of reached households: each of the line's indicators (bits `bitpos[:nbits]`)
    cleared with probability r, indicator by indicator (mass moves to the mask without the bit)."""
    n = Rm.shape[0]
    for i in range(nbits):  # the two halves of each block of 2 * 2**j masks: without and with bit j
        h = 1 << bitpos[i]
        V = Rm.reshape((n // (2 * h), 2, h))
        if h < 16:  # short halves: a view and a call per block would cost more than the block
            _clear_short(V, r)
            continue
        for blk in range(V.shape[0]):
            _clear_half(V[blk, 0], V[blk, 1], r)


@compiled
def _clear_short(V, r):
    """`_clear_half` on every block of V (blocks, 2, h) for short halves h, without views."""
    for blk in range(V.shape[0]):
        for m in range(V.shape[2]):
            mv = r * V[blk, 1, m]
            V[blk, 0, m] += mv
            V[blk, 1, m] -= mv


@compiled
def _clear_half(x0, x1, r):
    """x0 += r * x1 and x1 -= the same, element by element (a function of its own, for the reason
    given at `multidim_flip_kernels._butterfly`)."""
    for m in range(x0.shape[0]):
        mv = r * x1[m]
        x0[m] += mv
        x1[m] -= mv


@compiled
def _clear_masks(Mk, c, r, targeted, pat, bitpos, nbits, Rm):
    """Masks: the reached share c (of the selectable masks) has each of the line's indicators
    cleared with probability r."""
    n = Mk.shape[0]
    if nbits == 1:  # one indicator: households with it lose it with probability c * r
        _clear_bits(Mk, c * r, bitpos, 1)
        return
    for m in range(n):
        x = c * Mk[m] if (not targeted or pat[m] > 0) else 0.0
        Rm[m] = x
        Mk[m] -= x
    _clear_bits(Rm, r, bitpos, nbits)
    for m in range(n):
        Mk[m] += Rm[m]


@compiled
def _move_masks(Mk, Md, c, r, flags, targeted, pat, bitpos, nbits, Rm):
    """Masks of a once-per-household line: the reached share c (of the selectable masks) leaves
    Mk, has each of the line's indicators cleared with probability r (if the line clears flags)
    and joins Md (the housed twin's masks)."""
    n = Mk.shape[0]
    for m in range(n):
        x = c * Mk[m] if (not targeted or pat[m] > 0) else 0.0
        Rm[m] = x
        Mk[m] -= x
    if flags:
        _clear_bits(Rm, r, bitpos, nbits)
    for m in range(n):
        Md[m] += Rm[m]


@compiled
def _move_incomes(Hk, Hd, scale, op, flags, income, sh_lo, sh_w, sh_v, Hr, row, rng, pull):
    """Incomes of the reached households: taken out of their keys, moved by the sparse operator
    (A, cols, cnt) of `_clear_operator` (flags cleared; op = (A, cols, cnt, sp, ...)), raised by
    the line's income effect (sparse shift rows), put back — into Hd (Hk itself, or the housed
    twin's incomes for a once-per-household line). With `pull` (not None: `_sparse_work`'s last
    part), Hd is Hk and the operator is set, and B a multiple of 4: in one pass, the same sums
    grouped otherwise (`multidim_line_tiles.pull_moves` without an income effect, `pull_shift`
    with one). Else only each row's nonzero bins are visited (sp (NK, 2), `_supports`); rng (NK,
    2) holds the bins each row of Hr received. Row q of the operator holds columns <= q only, in
    increasing order: each row of Hr receives its terms in the order of the dense product."""
    NK, B = Hk.shape
    if pull is not None and B % 4 == 0:  # within the cell-state: one pass
        if not income:
            pull_moves(Hk, scale, op)
            return
        cnt, src2, wt2, extra, R, RT, OT, W, RD = pull
        d0, nd = shift_diagonals(sh_lo, sh_w, sh_v, W)
        if nd > 0:  # a few offsets: by diagonals
            pull_diag(Hk, scale, op, W, d0, nd, RD)
            return
        shift_by_target(sh_lo, sh_w, sh_v, cnt, src2, wt2, extra)
        pull_shift(Hk, scale, op, (cnt, src2, wt2, extra), R, RT, OT)
        return
    rng[:, 0] = B
    rng[:, 1] = 0
    A, cols, cnt, sp = op[0], op[1], op[2], op[3]
    _supports(Hk, scale, sp)
    for q in range(NK):
        s = scale[q]
        b0, b1 = sp[q, 0], sp[q, 1]
        if b1 <= b0:
            continue
        hk, rw = Hk[q, b0:b1], row[b0:b1]  # views from 0: see `_clear_bits`
        for i in range(b1 - b0):
            x = s * hk[i]
            rw[i] = x
            hk[i] -= x
        if not flags:
            _add_row(Hr, rng, q, b0, b1, rw, 1.0)
            continue
        for e in range(cnt[q]):  # row q's nonzero entries, in increasing column
            a = A[q, e]
            if a != 0.0:
                _add_row(Hr, rng, cols[q, e], b0, b1, rw, a)
    if not income:
        for q in range(NK):
            b0, b1 = rng[q, 0], max(rng[q, 0], rng[q, 1])
            hd, hr = Hd[q, b0:b1], Hr[q, b0:b1]
            for i in range(b1 - b0):
                hd[i] += hr[i]
        return
    _shift_rows(Hd, Hr, rng, sh_lo, sh_w, sh_v)


@compiled
def _supports(Hk, scale, sp):
    """The first and one-past-last nonzero bins sp[q] of every row q of Hk that the line reaches
    (scale[q] != 0; (0, 0) for a row of zeros), as `multidim_numba.support` row by row but
    without a view and a call per row (a third of the moves' time in cache)."""
    NK, B = Hk.shape
    for q in range(NK):
        sp[q, 0], sp[q, 1] = 0, 0
        if scale[q] == 0.0:
            continue
        h = Hk[q]
        lo = 0
        while lo + 8 <= B and not _any8(h, lo):
            lo += 8
        while lo < B and h[lo] == 0.0:
            lo += 1
        if lo == B:
            continue
        hi = B
        while hi - 8 >= lo and not _any8(h, hi - 8):
            hi -= 8
        while h[hi - 1] == 0.0:
            hi -= 1
        sp[q, 0], sp[q, 1] = lo, hi


@compiled
def _any8(h, i):
    """Whether any of h[i:i + 8] is nonzero (one test for the eight)."""
    return (
        (h[i] != 0.0)
        | (h[i + 1] != 0.0)
        | (h[i + 2] != 0.0)
        | (h[i + 3] != 0.0)
        | (h[i + 4] != 0.0)
        | (h[i + 5] != 0.0)
        | (h[i + 6] != 0.0)
        | (h[i + 7] != 0.0)
    )


@compiled
def _add_row(Hr, rng, q2, b0, b1, rw, a):
    """Hr[q2, b0:b1] += a rw, the row's received bins rng[q2] widened (the bins added to the range
    zeroed first: Hr is read only within rng)."""
    r0, r1 = rng[q2, 0], rng[q2, 1]
    hr = Hr[q2]
    if r1 <= r0:  # first time: start from zero
        for b in range(b0, b1):
            hr[b] = 0.0
        rng[q2, 0], rng[q2, 1] = b0, b1
    else:
        for b in range(b0, r0):
            hr[b] = 0.0
        for b in range(r1, b1):
            hr[b] = 0.0
        rng[q2, 0], rng[q2, 1] = min(r0, b0), max(r1, b1)
    axpy(hr[b0:b1], rw, a)


@compiled
def _shift_rows(Hd, Hr, rng, sh_lo, sh_w, sh_v):
    """Hd += the rows of Hr (bins rng (NK, 2) of each) raised by the line's income effect (bin b
    lands in bins sh_lo[b] .. with shares sh_v[b]). Source bin by source bin, every key at once:
    each (key, bin) of Hd receives its terms in the same order as row by row, but consecutive
    additions go to different keys instead of waiting on one another."""
    NK, B = Hd.shape
    b0, b1 = B, 0
    for q in range(NK):
        if rng[q, 1] > rng[q, 0]:
            b0, b1 = min(b0, rng[q, 0]), max(b1, rng[q, 1])
    for b in range(b0, b1):
        lo, wb = sh_lo[b], sh_w[b]
        for i in range(wb):
            v = sh_v[b, i]
            for q in range(NK):
                if rng[q, 0] <= b < rng[q, 1]:
                    x = Hr[q, b]
                    if x != 0.0:
                        Hd[q, lo + i] += x * v


@compiled
def _line(li, k, kn, Mg, Hg, Md, Hd, move, c, r, sh_lo, sh_w, sh_v, lines, keys, removed, work):
    """Line li on cell-state k of the group (reached share c > 0 of its selectable households);
    with `move` the reached households go to cell-state k of the group's housed twin (masks Md,
    incomes Hd (K, ...)). A line `multidim_line_tiles.fits` has its table and masks in one pass,
    and prefetches cell-state kn of the group as it goes (the next one the lines will read, k if
    none: `_next_state`)."""
    flags, income, targeted, nbits, bitpos, pat = lines[2], lines[3], lines[4], lines[5], lines[6], lines[7]
    valid, down_key = keys[1], keys[2]
    Tt, scale, A, d, Rm, Hr, row, rng = work[0]
    op = (A,) + work[1]
    NP = 1 << nbits[li]
    if flags[li] and not move and fits(targeted[li], nbits[li], bitpos[li]):  # one pass over the masks
        Tt[:, :] = 0.0  # whole: `_table_scale` multiplies every entry
        table_clear_ahead(Mg[k], c, r, targeted[li], nbits[li], lines[9][li], bitpos[li], Tt.reshape(-1), Mg[kn])
        _table_scale(Tt, c, targeted[li], valid, NP, scale)
        _clear_operator(Tt, NP, r, bitpos[li], nbits[li], down_key, scale, A, op[1], op[2], d, removed)
        if income[li] or Hg.shape[2] % 4 != 0:
            _move_incomes(Hg[k], Hg[k], scale, op, True, income[li], sh_lo, sh_w, sh_v, Hr, row, rng, work[2])
        else:  # `_move_incomes`' own path here: `pull_moves`, the next cell-state's incomes prefetched
            pull_moves_ahead(Hg[k], scale, op, Hg[kn])
        return
    _line_table(Mg[k], c, targeted[li], lines[9][li], valid, NP, Tt, scale)
    if flags[li]:
        _clear_operator(Tt, NP, r, bitpos[li], nbits[li], down_key, scale, A, op[1], op[2], d, removed)
    if move:
        _move_masks(Mg[k], Md[k], c, r, flags[li], targeted[li], pat[li], bitpos[li], nbits[li], Rm)
        _move_incomes(Hg[k], Hd[k], scale, op, flags[li], income[li], sh_lo, sh_w, sh_v, Hr, row, rng, None)
    elif flags[li]:
        _clear_masks(Mg[k], c, r, targeted[li], pat[li], bitpos[li], nbits[li], Rm)
        _move_incomes(Hg[k], Hg[k], scale, op, True, income[li], sh_lo, sh_w, sh_v, Hr, row, rng, work[2])
    else:
        _move_incomes(Hg[k], Hg[k], scale, op, False, income[li], sh_lo, sh_w, sh_v, Hr, row, rng, None)


@compiled
def _next_state(zero, k, K):
    """The first state after k of K not known all zero (bits `zero`), k if none: the one whose
    cells the lines read next (prefetched by `_line`)."""
    for kn in range(k + 1, K):
        if not (zero >> kn) & 1:
            return kn
    return k


@compiled
def _sparse_work(work, W):
    """The lines' scratch: `multidim_scratch.scratch`'s (Tt, scale, A, d, Rm, Hr, row, rng), the
    columns and counts of the sparse operator's rows, the rows' spans and the operator by columns
    (`pull_moves`: count, rows, entries), and `pull_shift`'s (the shift by target bin for shift
    rows of width W at most, four rows by bins and turned), made once per group."""
    NK, B = work[5].shape
    cols, cnt, sp = np.empty((NK, NK), dtype=np.int64), np.empty(NK, dtype=np.int64), np.empty((NK, 2), dtype=np.int64)
    op = (cols, cnt, sp, np.empty(NK, dtype=np.int64), np.empty((NK, NK), dtype=np.int64), np.empty((NK, NK)))
    extra = (np.empty(B * W, dtype=np.int64), np.empty(B * W, dtype=np.int64), np.empty(B * W))
    shift = (np.empty(B + 1, dtype=np.int64), np.empty((2, B), dtype=np.int64), np.empty((2, B)), extra)
    diag = (np.empty((8, B)), np.empty((1, 3 * B)))
    return work, op, shift + (np.empty((4, B)), np.empty((B, 4)), np.empty((B, 4))) + diag


@compiled
def apply_lines(Mg, Hg, Mt, Ht, has_twin, cov_g, cov_t, rr, sh_lo, sh_w, sh_v, lines, keys, rem_g, rem_t, work):
    """Every acting line in order on a base group (cov_g (L, K)) and its housed twin (cov_t; when
    `has_twin`): a once-per-household line moves the base group's households it reaches into the
    twin (which it never reaches). Cell-state by cell-state, skipping empty ones (see the module
    docstring). Line li's income shift: row lines[10][li] of sh_* (`multidim_tables.shift_tables`);
    `work`: the lines' scratch (`_sparse_work`). Returns whether the twin holds households after
    the lines (its states scanned at the start and after each move into them): `vacant`'s answer.
    Nothing is known of the cells (`lines_known`)."""
    args = (cov_g, cov_t, rr, sh_lo, sh_w, sh_v, lines, keys, rem_g, rem_t, work)
    zero_t = lines_known(Mg, Hg, Mt, Ht, has_twin, (0, 0), *args)[1]
    return zero_t != (1 << Mg.shape[0]) - 1


@compiled
def lines_known(Mg, Hg, Mt, Ht, has_twin, zero, cov_g, cov_t, rr, sh_lo, sh_w, sh_v, lines, keys, rem_g, rem_t, work):
    """`apply_lines` with the states known to be all zero, zero = (the group's bits, the twin's)
    (bit k: state k, `multidim_vacancy`): not scanned at the start (a twin's state is scanned
    after a move into it). Returns (zero_g, zero_t): the bits of the group's and the twin's
    states all zero after the lines (known or scanned so, and not written since: a group's state
    skipped here is never written, a twin's only by a move, after which it is scanned again);
    every bit of zero_t without a twin. The states holding households are not looked at again."""
    order, acts, once, slot = lines[0], lines[1], lines[8], lines[10]
    lwork, zero_g, zero_t = _sparse_work(work, sh_v.shape[2]), 0, 0
    for k in range(Mg.shape[0]):
        full_g = not (zero[0] >> k) & 1 and not empty(Mg[k], Hg[k])
        full_t = has_twin and not (zero[1] >> k) & 1 and not empty(Mt[k], Ht[k])
        if not full_g:
            zero_g |= 1 << k
        if not (full_g or full_t):
            zero_t |= 1 << k
            continue
        kn_g, kn_t = _next_state(zero[0], k, Mg.shape[0]), _next_state(zero[1], k, Mg.shape[0])
        for li in order:
            if not acts[li]:
                continue
            move, si = has_twin and once[li], slot[li]  # si: the line's row of the shift tables
            if full_g and not cov_g[li, k] <= 0.0:
                lo, w, v = sh_lo[si], sh_w[si], sh_v[si]
                _line(li, k, kn_g, Mg, Hg, Mt, Ht, move, cov_g[li, k], rr[li], lo, w, v, lines, keys, rem_g[li], lwork)
                if move and not full_t:
                    full_t = not empty(Mt[k], Ht[k])
            if full_t and not cov_t[li, k] <= 0.0:
                lo, w, v = sh_lo[si], sh_w[si], sh_v[si]
                _line(li, k, kn_t, Mt, Ht, Mt, Ht, False, cov_t[li, k], rr[li], lo, w, v, lines, keys, rem_t[li], lwork)
        if not full_t:
            zero_t |= 1 << k
    return zero_g, zero_t
