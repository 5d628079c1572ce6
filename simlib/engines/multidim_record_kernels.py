"""The review's records of one group in the compiled multidimensional expected engine
(`simlib.engines.multidim_jit`): households by state, deprived by indicator and dimension, by
number of deprivations, FGT sums and income, and the households deprived in each targeting line's
indicators (next year's eligibility). Moved from `simlib.engines.multidim_cell_kernels`.
"""

from __future__ import annotations

import numpy as np

from simlib.engines.multidim_cell_kernels import empty
from simlib.engines.multidim_numba import compiled


@compiled
def _mask_sums(Mk, rec_w, acc, count, ck):
    """acc[i] = the sum of Mk[m] over the masks m with rec_w[m, i] = 1.0, in increasing m (a term
    times 0.0 adds nothing): eight masks per pass over the sums, each sum adding their eight terms
    in order (one load and store of a sum per eight masks instead of per mask). In the same pass
    ck[c] = the sum of Mk[m] over the masks with c deprivations (`count`, the number of bits), in
    increasing m: masks 8j .. 8j + 7 have count[8j] plus the count of their last three bits (a
    zero adds nothing), so the pass adds its eight masks to four sums in order (as a loop of its
    own over the masks: 13.9 against 11.3 us per cell-state for both)."""
    NM, NW = rec_w.shape
    acc[:] = 0.0
    ck[:] = 0.0
    for m8 in range(NM // 8):  # a loop counted from 0 by 1 (not `while`): 10.8 -> 9.3 us per cell-state
        m = 8 * m8
        v0, v1, v2, v3, v4, v5, v6, v7 = (
            Mk[m],
            Mk[m + 1],
            Mk[m + 2],
            Mk[m + 3],
            Mk[m + 4],
            Mk[m + 5],
            Mk[m + 6],
            Mk[m + 7],
        )
        w0, w1, w2, w3, w4, w5, w6, w7 = (
            rec_w[m],
            rec_w[m + 1],
            rec_w[m + 2],
            rec_w[m + 3],
            rec_w[m + 4],
            rec_w[m + 5],
            rec_w[m + 6],
            rec_w[m + 7],
        )
        for i in range(NW):
            a = acc[i]
            a += v0 * w0[i]
            a += v1 * w1[i]
            a += v2 * w2[i]
            a += v3 * w3[i]
            a += v4 * w4[i]
            a += v5 * w5[i]
            a += v6 * w6[i]
            a += v7 * w7[i]
            acc[i] = a
        c = count[m]
        ck[c] += v0
        ck[c + 1] = ck[c + 1] + v1 + v2 + v4
        ck[c + 2] = ck[c + 2] + v3 + v5 + v6
        ck[c + 3] += v7
    for m in range(NM // 8 * 8, NM):
        v, w = Mk[m], rec_w[m]
        for i in range(NW):
            acc[i] += v * w[i]
        ck[count[m]] += v


@compiled
def _mask_sums2(Mk, Mj, rec_w, acc, accj, count, ck, cj):
    """`_mask_sums` of two cell-states in one pass: each sum's additions wait on the last (a
    chain of 4,096), so the two states' independent chains interleave (7.5 against 12.1 us per
    cell-state in cache on `multidim_2030`); the same terms in the same order, the same bits."""
    NM, NW = rec_w.shape
    acc[:], accj[:], ck[:], cj[:] = 0.0, 0.0, 0.0, 0.0
    for m8 in range(NM // 8):
        m = 8 * m8
        v0, v1, v2, v3, v4, v5, v6, v7 = Mk[m : m + 8]
        u0, u1, u2, u3, u4, u5, u6, u7 = Mj[m : m + 8]
        w0, w1, w2, w3 = rec_w[m], rec_w[m + 1], rec_w[m + 2], rec_w[m + 3]
        w4, w5, w6, w7 = rec_w[m + 4], rec_w[m + 5], rec_w[m + 6], rec_w[m + 7]
        for i in range(NW):
            a, b = acc[i], accj[i]
            a += v0 * w0[i]
            b += u0 * w0[i]
            a += v1 * w1[i]
            b += u1 * w1[i]
            a += v2 * w2[i]
            b += u2 * w2[i]
            a += v3 * w3[i]
            b += u3 * w3[i]
            a += v4 * w4[i]
            b += u4 * w4[i]
            a += v5 * w5[i]
            b += u5 * w5[i]
            a += v6 * w6[i]
            b += u6 * w6[i]
            a += v7 * w7[i]
            b += u7 * w7[i]
            acc[i], accj[i] = a, b
        c = count[m]
        ck[c] += v0
        ck[c + 1] = ck[c + 1] + v1 + v2 + v4
        ck[c + 2] = ck[c + 2] + v3 + v5 + v6
        ck[c + 3] += v7
        cj[c] += u0
        cj[c + 1] = cj[c + 1] + u1 + u2 + u4
        cj[c + 2] = cj[c + 2] + u3 + u5 + u6
        cj[c + 3] += u7
    for m in range(NM // 8 * 8, NM):
        v, u, w = Mk[m], Mj[m], rec_w[m]
        for i in range(NW):
            acc[i] += v * w[i]
            accj[i] += u * w[i]
        ck[count[m]] += v
        cj[count[m]] += u


@compiled
def _mask_sums3(Mk, Mj, Ml, rec_w, acc, count, ck, cj, cl):
    """`_mask_sums` of three cell-states in one pass: acc (3, sums) and ck, cj, cl (counts,) the
    sums of Mk, Mj and Ml. Each weight row is read once for three states (a pass over `rec_w`, 786 kB on
    `multidim_2030`, is read from beyond the L2 cache in the year: six states took three passes of
    `_mask_sums2` and take two of these, 17.0 -> 15.2 ms CPU per year on one thread); each sum adds
    the same terms in the same order as `_mask_sums`, the same bits."""
    NM, NW = rec_w.shape
    acc[:, :], ck[:], cj[:], cl[:] = 0.0, 0.0, 0.0, 0.0
    a_k, a_j, a_l = acc[0], acc[1], acc[2]
    for m8 in range(NM // 8):
        m = 8 * m8
        v0, v1, v2, v3, v4, v5, v6, v7 = Mk[m : m + 8]
        u0, u1, u2, u3, u4, u5, u6, u7 = Mj[m : m + 8]
        t0, t1, t2, t3, t4, t5, t6, t7 = Ml[m : m + 8]
        w0, w1, w2, w3 = rec_w[m], rec_w[m + 1], rec_w[m + 2], rec_w[m + 3]
        w4, w5, w6, w7 = rec_w[m + 4], rec_w[m + 5], rec_w[m + 6], rec_w[m + 7]
        for i in range(NW):
            a, b, c = a_k[i], a_j[i], a_l[i]
            a, b, c = a + v0 * w0[i], b + u0 * w0[i], c + t0 * w0[i]
            a, b, c = a + v1 * w1[i], b + u1 * w1[i], c + t1 * w1[i]
            a, b, c = a + v2 * w2[i], b + u2 * w2[i], c + t2 * w2[i]
            a, b, c = a + v3 * w3[i], b + u3 * w3[i], c + t3 * w3[i]
            a, b, c = a + v4 * w4[i], b + u4 * w4[i], c + t4 * w4[i]
            a, b, c = a + v5 * w5[i], b + u5 * w5[i], c + t5 * w5[i]
            a, b, c = a + v6 * w6[i], b + u6 * w6[i], c + t6 * w6[i]
            a, b, c = a + v7 * w7[i], b + u7 * w7[i], c + t7 * w7[i]
            a_k[i], a_j[i], a_l[i] = a, b, c
        n = count[m]
        _count8(ck, n, v0, v1, v2, v3, v4, v5, v6, v7)
        _count8(cj, n, u0, u1, u2, u3, u4, u5, u6, u7)
        _count8(cl, n, t0, t1, t2, t3, t4, t5, t6, t7)
    for m in range(NM // 8 * 8, NM):
        for z, x, h in ((0, Mk[m], ck), (1, Mj[m], cj), (2, Ml[m], cl)):
            for i in range(NW):
                acc[z, i] += x * rec_w[m, i]
            h[count[m]] += x


@compiled
def _count8(ck, n, v0, v1, v2, v3, v4, v5, v6, v7):
    """The households of masks 8j .. 8j + 7 (n = count of 8j) added to ck by number of
    deprivations, in increasing mask (as in `_mask_sums`)."""
    ck[n] += v0
    ck[n + 1] = ck[n + 1] + v1 + v2 + v4
    ck[n + 2] = ck[n + 2] + v3 + v5 + v6
    ck[n + 3] += v7


@compiled
def _record(Mg, Hg, n, f1b, f2b, means, rec_w, count, sel_lines, states, dep, dim, cnt, f1, f2, inc_sum, sel, hs, acc):
    """The review's records of one group: households, deprived by indicator and dimension, by
    number of deprivations, FGT sums and income; and the households deprived in each targeting
    line's indicators (for next year's eligibility), `sel` (L, K) (zero for the other lines).

    One pass over the masks adds each mask's households into all the sums at once (`_mask_sums`):
    `rec_w` (4096, 12 + dimensions + targeting lines `sel_lines`) holds 1.0 where a mask counts
    for a sum. Each sum still adds its masks in increasing order (a term times 0.0 adds nothing),
    so the result is the same to the bit as one loop per sum, without the chain of dependent
    additions that made each of those wait on the last. The states with households go three per
    pass (`_mask_sums3`), else two (`_mask_sums2`) or one; `acc` (3, sums)."""
    K = Mg.shape[0]
    full, nf = np.empty(K, np.int64), 0
    for k in range(K):
        states[k] = n[k]
        sel[:, k] = 0.0
        if empty(Mg[k], Hg[k]):  # no households: every record is 0
            dep[k, :], dim[k, :], cnt[k, :] = 0.0, 0.0, 0.0
            f1[k], f2[k], inc_sum[k] = 0.0, 0.0, 0.0
            continue
        full[nf], nf = k, nf + 1
    w, sums = (f1b, f2b, means), (f1, f2, inc_sum)
    i = 0
    while i < nf:  # three states per pass while three remain (four: two and two), then two, one
        r = 3 if nf - i >= 3 and nf - i != 4 else min(nf - i, 2)
        k, j, q = full[i], full[i + r - 2 if r > 1 else i], full[i + r - 1]
        if r == 3:
            _mask_sums3(Mg[k], Mg[j], Mg[q], rec_w, acc, count, cnt[k], cnt[j], cnt[q])
        elif r == 2:
            _mask_sums2(Mg[k], Mg[q], rec_w, acc[0], acc[2], count, cnt[k], cnt[q])
        else:
            _mask_sums(Mg[k], rec_w, acc[0], count, cnt[k])
        for z in range(3):
            if z == 0 or (z == 2 and r > 1) or r == 3:  # acc[1]: the middle of three, acc[2]: the last
                x = (k, j, q)[z]
                _state_records(Hg[x], acc[z], x, sel_lines, dep, dim, sel, hs, w, sums)
        i += r


@compiled
def _state_records(Hk, a, k, sel_lines, dep, dim, sel, hs, weights, sums):
    """State k's records from its sums over masks `a` (indicators, dimensions, targeting lines)
    and its incomes Hk (NK, B): FGT sums and income, with the bins' weights (f1b, f2b, means)."""
    NI, ND = dep.shape[1], dim.shape[1]
    f1b, f2b, means = weights
    f1, f2, inc_sum = sums
    dep[k, :] = a[:NI]
    dim[k, :] = a[NI : NI + ND]
    for i in range(sel_lines.shape[0]):
        sel[sel_lines[i], k] = a[NI + ND + i]
    NK, B = Hk.shape
    hs[:] = 0.0
    for q in range(NK):
        hq = Hk[q]
        for b in range(B):
            hs[b] += hq[b]
    a1 = a2 = a3 = 0.0
    for b in range(B):
        a1 += hs[b] * f1b[b]
        a2 += hs[b] * f2b[b]
        a3 += hs[b] * means[b]
    f1[k], f2[k], inc_sum[k] = a1, a2, a3


@compiled
def record_group(Mg, Hg, ng, s, g, f1b, f2b, rec, hs):
    """`_record` of group g in scenario s into the output arrays rec = (states, dep, dim, cnt,
    f1, f2, inc_sum, sel, means, rec_w, count, sel_lines) with the area's FGT weights f1b, f2b."""
    states, dep, dim, cnt, f1, f2, inc_sum, sel, means, rec_w, count, sel_lines = rec
    sg = (states[s, g], dep[s, g], dim[s, g], cnt[s, g], f1[s, g], f2[s, g], inc_sum[s, g], sel[s, :, g])
    _record(Mg, Hg, ng, f1b, f2b, means, rec_w, count, sel_lines, *sg, hs, np.empty((3, rec_w.shape[1])))
