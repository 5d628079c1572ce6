"""A line's moves of incomes with an income effect, within a cell-state, for the compiled
multidimensional engine's lines (`simlib.engines.multidim_line_kernels`): `pull_shift` (four rows at
a time turned by bins) and `pull_diag` (row by row over the shift's diagonals, for a shift of few
offsets), with the shift tables they read (`shift_by_target`, `shift_diagonals`). Moved here from
`simlib.engines.multidim_line_tiles` (issue 18's keptread, for room there): the same code.
"""

from __future__ import annotations

from simlib.engines.multidim_numba import U, compiled, vbcast, vfma, vload, vmul, vstore


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
        w0, x0 = vbcast(ta[c, 0]), trow[c, 0]
        for j in range(0, B, 4):
            vstore(R, u, j, vmul(w0, vload(H, x0, j)))
        for t in range(1, n):
            wt, xt = vbcast(ta[c, t]), trow[c, t]
            for j in range(0, B, 4):
                vstore(R, u, j, vfma(wt, vload(H, xt, j), vload(R, u, j)))
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
        gv = vbcast(1.0 - scale[c])
        for t in range(0, B, 4):
            acc = vbcast(0.0)
            for i in range(nd):
                acc = vfma(vload(W, i, t), vload(R, 0, B + t - d0 + i), acc)
            vstore(H, c, t, vfma(gv, vload(H, c, t), acc))


@compiled
def _row_sum(H, R, trow, ta, n, c, B):
    """R[0, B:2B] = r of row c: the sum over t < n of ta[c, t] (h of row trow[c, t]) term after
    term, four bins at a time, as `_block_sums` (zeros for n = 0)."""
    if n == 0:
        for j in range(0, B, 4):
            vstore(R, 0, B + j, vbcast(0.0))
        return
    w0, x0 = vbcast(ta[c, 0]), trow[c, 0]
    for j in range(0, B, 4):
        vstore(R, 0, B + j, vmul(w0, vload(H, x0, j)))
    for t in range(1, n):
        wt, xt = vbcast(ta[c, t]), trow[c, t]
        for j in range(0, B, 4):
            vstore(R, 0, B + j, vfma(wt, vload(H, xt, j), vload(R, 0, B + j)))
