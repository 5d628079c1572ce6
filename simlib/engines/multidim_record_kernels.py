"""The review's records of one group in the compiled multidimensional expected engine
(`simlib.engines.multidim_jit`): households by state, deprived by indicator and dimension, by
number of deprivations, FGT sums and income, and the households deprived in each targeting line's
indicators (next year's eligibility). Moved from `simlib.engines.multidim_cell_kernels`.

The sums over the 4,096 masks go through the masks once per state with the mask split into its
high and low six bits, m = 64 h + l (`_mask_sums`): every sum the review needs counts the masks
having one of a set of bits, so it is a sum of the rows' totals R[h] over the rows h having one of
its high bits plus, over the others, of the columns' totals C[l] over the columns having one of its
low bits. The order of the additions is fixed (the same on every run and with any number of
threads) but is not the order of a loop over masks: results differ from that by rounding only
(a few units in the last place).
"""

from __future__ import annotations

import numpy as np

from simlib.engines.multidim_cell_kernels import empty
from simlib.engines.multidim_numba import aempty, compiled, vadd, vbcast, vfma, vload, vstore, vzero


@compiled
def _row_totals(Mk, order, D, P):
    """One pass over the masks Mk (4096,) as 64 rows of 64 (row h = the high six bits), the rows
    by their number of bits p (`count_order`'s order (72,)): D[p] (7, 64) the sum of the rows h
    with p bits set (in increasing h, sixteen vector registers of four (`Vec4`) stored once per
    p: no load and store of D per row), P (4, 64) row h's four partial sums at P.flat[4 h : 4 h +
    4] (row h's entries l = j mod 4 in lane j, as four chains of vector additions joined by a
    fixed tree)."""
    M2 = Mk.reshape(64, 64)
    for p in range(7):
        a0, a1, a2, a3, a4, a5, a6, a7 = vzero(), vzero(), vzero(), vzero(), vzero(), vzero(), vzero(), vzero()
        a8, a9, a10, a11, a12, a13, a14, a15 = vzero(), vzero(), vzero(), vzero(), vzero(), vzero(), vzero(), vzero()
        for i in range(order[64 + p], order[65 + p]):
            h = order[i]
            x0, x1, x2, x3 = vload(M2, h, 0), vload(M2, h, 4), vload(M2, h, 8), vload(M2, h, 12)
            a0, a1, a2, a3 = vadd(a0, x0), vadd(a1, x1), vadd(a2, x2), vadd(a3, x3)
            y0, y1, y2, y3 = vload(M2, h, 16), vload(M2, h, 20), vload(M2, h, 24), vload(M2, h, 28)
            a4, a5, a6, a7 = vadd(a4, y0), vadd(a5, y1), vadd(a6, y2), vadd(a7, y3)
            t0, t1, t2, t3 = vadd(x0, y0), vadd(x1, y1), vadd(x2, y2), vadd(x3, y3)
            x0, x1, x2, x3 = vload(M2, h, 32), vload(M2, h, 36), vload(M2, h, 40), vload(M2, h, 44)
            a8, a9, a10, a11 = vadd(a8, x0), vadd(a9, x1), vadd(a10, x2), vadd(a11, x3)
            t0, t1, t2, t3 = vadd(t0, x0), vadd(t1, x1), vadd(t2, x2), vadd(t3, x3)
            x0, x1, x2, x3 = vload(M2, h, 48), vload(M2, h, 52), vload(M2, h, 56), vload(M2, h, 60)
            a12, a13, a14, a15 = vadd(a12, x0), vadd(a13, x1), vadd(a14, x2), vadd(a15, x3)
            t0, t1, t2, t3 = vadd(t0, x0), vadd(t1, x1), vadd(t2, x2), vadd(t3, x3)
            vstore(P, h >> 4, (h & 15) * 4, vadd(vadd(t0, t1), vadd(t2, t3)))
        vstore(D, p, 0, a0)
        vstore(D, p, 4, a1)
        vstore(D, p, 8, a2)
        vstore(D, p, 12, a3)
        vstore(D, p, 16, a4)
        vstore(D, p, 20, a5)
        vstore(D, p, 24, a6)
        vstore(D, p, 28, a7)
        vstore(D, p, 32, a8)
        vstore(D, p, 36, a9)
        vstore(D, p, 40, a10)
        vstore(D, p, 44, a11)
        vstore(D, p, 48, a12)
        vstore(D, p, 52, a13)
        vstore(D, p, 56, a14)
        vstore(D, p, 60, a15)


@compiled
def _mask_sums(Mk, half, acc, count, ck, work):
    """acc[c] = the households of the masks m in Mk (4096,) that count for sum c, ck[n] = those
    of the masks with n deprivations (`count`, the number of bits, through `order`), from one
    pass over the masks (`_row_totals`). half (2, 64, NW): half[0][l, c] = 1.0 where the low six bits l have one of
    sum c's bits, half[1][h, c] the same for the high six bits h
    (built in `multidim_tables`); work = (D (8, 64), P (4, 64), CR (3, 64), a2 (NW,), order (72,)
    (`count_order`)).

    A sum with bits in one half only is the dot product of that half's weights with the columns'
    totals C[l] (the sum of D[p, l] over p) or the rows' totals R[h]; one with bits in both halves
    adds, to the rows having one of its high bits, the rows without one masked by its low bits."""
    D, P, CR, a2, order = work
    _row_totals(Mk, order, D, P)
    C, R = CR[0], CR[1]
    Pf = P.reshape(64, 4)
    for h in range(64):
        R[h] = (Pf[h, 0] + Pf[h, 1]) + (Pf[h, 2] + Pf[h, 3])
    C[:] = D[0]
    for p in range(1, 7):
        Dp = D[p]
        for i in range(64):
            C[i] += Dp[i]
    wlo, whi = half[0], half[1]
    NW = acc.shape[0]
    for c in range(0, NW, 8):
        _dots8(C, R, wlo, whi, c, a2)
    for c in range(NW):
        acc[c] = _mixed(Mk, wlo, whi, R, c) if wlo[63, c] != 0.0 and whi[63, c] != 0.0 else a2[c]
    _counts(D, order, ck, CR[2])


@compiled
def _dots8(C, R, wlo, whi, c, out):
    """out[c : c + 8] = the sums c .. c + 7 of one half's bits (see `_mask_sums`): the columns'
    totals C (64,) by wlo[:, c : c + 8] plus the rows' totals R (64,) by whi[:, c : c + 8], each a
    chain of fused multiply-adds (by 0.0 / 1.0) over j < 32 and one over j >= 32, joined in a fixed
    order; eight such chains in vector registers of four at once."""
    a0, a1, b0, b1 = vzero(), vzero(), vzero(), vzero()
    e0, e1, f0, f1 = vzero(), vzero(), vzero(), vzero()
    for j in range(32):
        cj, rj, ck, rk = vbcast(C[j]), vbcast(R[j]), vbcast(C[j + 32]), vbcast(R[j + 32])
        a0, a1 = vfma(cj, vload(wlo, j, c), a0), vfma(cj, vload(wlo, j, c + 4), a1)
        b0, b1 = vfma(rj, vload(whi, j, c), b0), vfma(rj, vload(whi, j, c + 4), b1)
        e0, e1 = vfma(ck, vload(wlo, j + 32, c), e0), vfma(ck, vload(wlo, j + 32, c + 4), e1)
        f0, f1 = vfma(rk, vload(whi, j + 32, c), f0), vfma(rk, vload(whi, j + 32, c + 4), f1)
    o = out.reshape(1, out.shape[0])
    vstore(o, 0, c, vadd(vadd(a0, e0), vadd(b0, f0)))
    vstore(o, 0, c + 4, vadd(vadd(a1, e1), vadd(b1, f1)))


@compiled
def _mixed(Mk, wlo, whi, R, c):
    """Sum c over the masks when it has bits in both halves (see `_mask_sums`): the totals of the
    rows with one of its high bits, then the rows' masks with one of its low bits."""
    s = 0.0
    for h in range(64):
        if whi[h, c] != 0.0:
            s += R[h]
    for h in range(64):
        if whi[h, c] == 0.0:
            row = Mk[64 * h : 64 * h + 64]
            for i in range(64):
                s += row[i] * wlo[i, c]
    return s


@compiled
def _counts(D, order, ck, F):
    """ck[n] = the households with n deprivations from D (7, 64) (rows' bits p, columns l): each
    (p, number of bits of l) summed in increasing l into F[8 p + q] (F (64,)), then added to
    ck[p + q] in increasing p. order (72,) = `count_order`: the columns by number of bits.
    The seven rows' sums of a number of bits q run side by side (seven chains; a loop over the
    columns adding into F[count[l]] was one chain of loads and stores through F)."""
    for q in range(7):
        s0 = s1 = s2 = s3 = s4 = s5 = s6 = 0.0
        for i in range(order[64 + q], order[65 + q]):
            c = order[i]
            s0, s1, s2, s3 = s0 + D[0, c], s1 + D[1, c], s2 + D[2, c], s3 + D[3, c]
            s4, s5, s6 = s4 + D[4, c], s5 + D[5, c], s6 + D[6, c]
        F[q], F[8 + q], F[16 + q], F[24 + q] = s0, s1, s2, s3
        F[32 + q], F[40 + q], F[48 + q] = s4, s5, s6
    ck[:] = 0.0
    for p in range(7):
        for q in range(7):
            ck[p + q] += F[8 * p + q]


@compiled
def count_order(count, order):
    """order (72,): the columns l < 64 by their number of bits count[l] (0 to 6), in increasing l
    within each number, then where each number's columns start (order[64 + q]; order[71] = 64)."""
    n = np.zeros(8, np.int64)
    for c in range(64):
        n[count[c] + 1] += 1
    for q in range(7):
        n[q + 1] += n[q]
        order[64 + q] = n[q]
    order[71] = 64
    for c in range(64):
        order[n[count[c]]] = c
        n[count[c]] += 1


@compiled
def _record(
    Mg, Hg, n, f1b, f2b, means, half, count, sel_lines, states, dep, dim, cnt, f1, f2, inc_sum, sel, hs, work, zero=0
):
    """The review's records of one group: households, deprived by indicator and dimension, by
    number of deprivations, FGT sums and income; and the households deprived in each targeting
    line's indicators (for next year's eligibility), `sel` (L, K) (zero for the other lines).

    The sums over masks of a state with households come from one pass over its masks
    (`_mask_sums`, with the half tables `half` (2, 64, sums): indicators, dimensions, then the
    targeting lines `sel_lines`); hs (K, B) each state's incomes summed over keys (`income_bins`,
    or the classification's); work = `scratch` (`_mask_sums`' and acc (sums,)). zero: bit k set
    where state k's cells are known to be all zero (`unreached`; not scanned). Returns the bits
    of the states found or known all zero (`empty`): the group's states known zero next year
    (`multidim_vacancy`)."""
    K = Mg.shape[0]
    w, sums = (f1b, f2b, means), (f1, f2, inc_sum)
    acc = work[5]
    for k in range(K):
        states[k] = n[k]
        sel[:, k] = 0.0
        if (zero >> k) & 1 or empty(Mg[k], Hg[k]):  # no households: every record is 0
            zero |= 1 << k
            dep[k, :], dim[k, :], cnt[k, :] = 0.0, 0.0, 0.0
            f1[k], f2[k], inc_sum[k] = 0.0, 0.0, 0.0
            continue
        _mask_sums(Mg[k], half, acc, count, cnt[k], work[:5])
        _state_records(hs[k], acc, k, sel_lines, dep, dim, sel, w, sums)
    return zero


@compiled
def unreached(occupied, next_state, new):
    """The bits of the states d that classification leaves all zero, known without a scan: no
    state holding households (bit k of `occupied`, `multidim_cell_kernels.own_changes`; the
    others are zero) has d among its next states (next_state (K, 3)), and no new household joins
    d (new[d] == 0.0): every term written into d's masks and incomes is then a zero."""
    K = new.shape[0]
    reached = 0
    for k in range(K):
        if (occupied >> k) & 1:
            for j in range(next_state.shape[1]):
                reached |= 1 << next_state[k, j]
    for d in range(K):
        if new[d] != 0.0:
            reached |= 1 << d
    return ((1 << K) - 1) & ~reached


@compiled
def _state_records(hs, a, k, sel_lines, dep, dim, sel, weights, sums):
    """State k's records from its sums over masks `a` (indicators, dimensions, targeting lines)
    and its incomes by bin hs (B,) (summed over keys): FGT sums and income, with the bins' weights
    (f1b, f2b, means)."""
    NI, ND = dep.shape[1], dim.shape[1]
    f1b, f2b, means = weights
    f1, f2, inc_sum = sums
    dep[k, :] = a[:NI]
    dim[k, :] = a[NI : NI + ND]
    for i in range(sel_lines.shape[0]):
        sel[sel_lines[i], k] = a[NI + ND + i]
    a1 = a2 = a3 = 0.0
    for b in range(hs.shape[0]):
        a1 += hs[b] * f1b[b]
        a2 += hs[b] * f2b[b]
        a3 += hs[b] * means[b]
    f1[k], f2[k], inc_sum[k] = a1, a2, a3


@compiled
def income_bins(Hg, hs):
    """hs (K, B): each state's incomes Hg (K, NK, B) summed over keys, in increasing key."""
    for k in range(Hg.shape[0]):
        hk = hs[k]
        hk[:] = 0.0
        for q in range(Hg.shape[1]):
            hq = Hg[k, q]
            for b in range(hq.shape[0]):
                hk[b] += hq[b]


@compiled
def record_group(Mg, Hg, ng, s, g, f1b, f2b, rec, hs, zero=0):
    """`_record` of group g in scenario s into the output arrays rec = (states, dep, dim, cnt,
    f1, f2, inc_sum, sel, means, rec_w, count, sel_lines) with the area's FGT weights f1b, f2b;
    rec_w (2, 64, sums) the half tables built in `multidim_tables`; hs (K, B) the incomes summed
    over keys (`income_bins`); zero: the states known all zero. Returns `_record`'s bits."""
    states, dep, dim, cnt, f1, f2, inc_sum, sel, means, rec_w, count, sel_lines = rec
    sg = (states[s, g], dep[s, g], dim[s, g], cnt[s, g], f1[s, g], f2[s, g], inc_sum[s, g], sel[s, :, g])
    return _record(Mg, Hg, ng, f1b, f2b, means, rec_w, count, sel_lines, *sg, hs, scratch(rec_w.shape[2], count), zero)


@compiled
def scratch(NW, count):
    """`_record`'s working arrays for NW sums and the masks' numbers of bits `count`: (D (8, 64),
    P (4, 64), CR (3, 64), a2 (NW,), order (72,) (`count_order`), acc (NW,))."""
    order = aempty(72, np.int64)
    count_order(count, order)
    f = np.float64
    D, P, CR = (
        aempty(8 * 64, f).reshape((8, 64)),
        aempty(4 * 64, f).reshape((4, 64)),
        aempty(3 * 64, f).reshape((3, 64)),
    )
    return D, P, CR, aempty(NW, f), order, aempty(NW, f)
