"""The yearly changes and the review of one group in the compiled multidimensional expected engine
(`simlib.engines.multidim_jit`): the indicators' own flips (masks and incomes, in factors:
`simlib.engines.multidim_flip_kernels`), the income kernel as bands
(`simlib.engines.multidim_income_kernel`), classification into the next
detailed state, new households and the review's records.

Inner loops run over views from index 0 (`for i in range(n): x[i]` on `x = row[b0 : b1]`), not
over `range(b0, b1)`: numba checks every index for a negative value (wraparound) and only a
loop counter starting at 0 lets the compiler drop that check and use vector instructions. Each
element still receives the same operations in the same order, so the results are the same to
the bit.
"""

from __future__ import annotations

import numpy as np

from simlib.engines.multidim_flip_kernels import classes_by_count, flip_incomes, flip_masks
from simlib.engines.multidim_income_kernel import tiled_kernel
from simlib.engines.multidim_numba import compiled, support

# --- classification, new households and the review's records of one group -------------------------


@compiled
def classify(Mg, H3, nb, k3, key_of, key_count, valid, count, next_state, Mnew, Hout, fl, a):
    """Classification at the review (income <= line: the first nb bins; count >= k3) and the next
    detailed state: flows fl (K, K), masks Mnew and incomes Hout (K, ...) by new state.

    The households below and above the line by key (`a` (2, NK)) are summed eight keys at a
    time (`_row_sums`); the masks are split into the next states by `_split_masks` (together
    67 -> 52 us per group in cache on `multidim_2030`, the same bits)."""
    K, NK, B = H3.shape
    Mnew[:, :] = 0.0
    Hout[:, :, :] = 0.0
    fl[:, :] = 0.0
    sb, sa = a[0], a[1]
    for k in range(K):
        if empty(Mg[k], H3[k]):  # no households: nothing flows
            continue
        kp, kn, ka = next_state[k, 0], next_state[k, 1], next_state[k, 2]
        Hk = H3[k]
        _row_sums(Hk, nb, sb, sa)
        for q in range(NK):
            if not valid[q]:
                sb[q] = 0.0
                continue
            dest = kp if key_count[q] >= k3 else kn
            hb, hq = Hout[dest, q], Hk[q]
            for b in range(nb):
                hb[b] += hq[b]
            ha, hqa = Hout[ka, q, nb:], hq[nb:]
            for i in range(B - nb):
                ha[i] += hqa[i]
            fl[k, dest] += sb[q]
            fl[k, ka] += sa[q]
            sb[q] = sb[q] / (sb[q] + sa[q]) if sb[q] + sa[q] > 0 else 0.0
        if ka != kp and ka != kn:
            _split_masks(Mg[k], sb, key_of, count, k3, Mnew[kp], Mnew[kn], Mnew[ka])
            continue
        for m in range(Mg.shape[1]):  # rows shared: the additions in the order of `_split_masks`' doc
            v = Mg[k, m]
            x = v * sb[key_of[m]]
            Mnew[kp if count[m] >= k3 else kn, m] += x
            Mnew[ka, m] += v - x


@compiled
def _split_masks(Mk, sb, key_of, count, k3, rp, rn, ra):
    """Mask m's households Mk[m] into the next states: the share sb of its key below the line to
    rp (count >= k3) or rn, the rest to ra. Each element of rp, rn and ra receives one term here
    (ra must be another row than rp and rn), so adding ra's term first gives the same bits as
    the order dest, ra (in place: 6.6 -> 5.2 us per cell-state; a function of its own)."""
    for m in range(Mk.shape[0]):
        v = Mk[m]
        x = v * sb[key_of[m]]
        ra[m] += v - x
        if count[m] >= k3:
            rp[m] += x
        else:
            rn[m] += x


@compiled
def _row_sums(Hk, nb, sb, sa):
    """sb[q], sa[q] = the sums of row q's first nb bins and of its others, each in increasing
    bin, eight rows at a time: eight independent chains of additions held in registers (a loop
    over bins with the keys inner read the rows with a stride)."""
    NK, B = Hk.shape
    for q0 in range(0, NK - NK % 8, 8):
        h0, h1, h2, h3, h4, h5, h6, h7 = (
            Hk[q0],
            Hk[q0 + 1],
            Hk[q0 + 2],
            Hk[q0 + 3],
            Hk[q0 + 4],
            Hk[q0 + 5],
            Hk[q0 + 6],
            Hk[q0 + 7],
        )
        for lo, hi, out in ((0, nb, sb), (nb, B, sa)):
            s0 = s1 = s2 = s3 = s4 = s5 = s6 = s7 = 0.0
            for b in range(lo, hi):
                s0 += h0[b]
                s1 += h1[b]
                s2 += h2[b]
                s3 += h3[b]
                s4 += h4[b]
                s5 += h5[b]
                s6 += h6[b]
                s7 += h7[b]
            out[q0], out[q0 + 1], out[q0 + 2], out[q0 + 3] = s0, s1, s2, s3
            out[q0 + 4], out[q0 + 5], out[q0 + 6], out[q0 + 7] = s4, s5, s6, s7
    for q in range(NK - NK % 8, NK):
        for lo, hi, out in ((0, nb, sb), (nb, B, sa)):
            s0 = 0.0
            for b in range(lo, hi):
                s0 += Hk[q, b]
            out[q] = s0


@compiled
def add_entries(n, fl, growth, entry, Mn, kd, inc0, Mnew, Hout, new, size):
    """New households by state (growth x `size` x entry shares: the households that form new ones,
    `simlib.engines.reach.formation_sizes`), with the masks and incomes of the standard in force;
    n becomes the households at the review. A state without new households (every state of a
    housed twin: `size` 0) and income bins without any add zeros to the masks and incomes: left out."""
    K, NK = Hout.shape[0], Hout.shape[1]
    for k in range(K):
        new[k] = growth * size * entry[k]
    for k in range(K):
        acc = 0.0
        for k0 in range(K):
            acc += fl[k0, k]
        n[k] = acc + new[k]
        if new[k] == 0.0:
            continue
        for m in range(Mnew.shape[1]):
            Mnew[k, m] += new[k] * Mn[k, m]
        b0, b1 = support(inc0[k])
        ik = inc0[k, b0:b1]  # a view from 0: see the module docstring
        for q in range(NK):
            w = kd[k, q]
            if w != 0.0:
                hk = Hout[k, q, b0:b1]
                for i in range(b1 - b0):
                    hk[i] += new[k] * (w * ik[i])


@compiled
def empty(Mk, Hk):
    """Whether a cell-state holds no households: every mask and every (key, income bin) is 0."""
    return _zero(Mk) and _zero(Hk.reshape(Hk.size))


@compiled
def _zero(x):
    """Whether every entry of x is 0: blocks of 64 entries counted without a branch (vector
    instructions), the scan ending at the first block with a nonzero entry."""
    n = x.shape[0]
    for j in range(n // 64):
        v, c = x[64 * j : 64 * j + 64], 0
        for i in range(64):
            c += v[i] != 0.0
        if c != 0:
            return False
    for i in range(n // 64 * 64, n):
        if x[i] != 0.0:
            return False
    return True


@compiled
def vacant(Mg, Hg):
    """Whether a group holds no households in any state (`empty` for each)."""
    for k in range(Mg.shape[0]):
        if not empty(Mg[k], Hg[k]):
            return False
    return True


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
def _record(Mg, Hg, n, f1b, f2b, means, rec_w, count, sel_lines, states, dep, dim, cnt, f1, f2, inc_sum, sel, hs, acc):
    """The review's records of one group: households, deprived by indicator and dimension, by
    number of deprivations, FGT sums and income; and the households deprived in each targeting
    line's indicators (for next year's eligibility), `sel` (L, K) (zero for the other lines).

    One pass over the masks adds each mask's households into all the sums at once (`_mask_sums`):
    `rec_w` (4096, 12 + dimensions + targeting lines `sel_lines`) holds 1.0 where a mask counts
    for a sum. Each sum still adds its masks in increasing order (a term times 0.0 adds nothing),
    so the result is the same to the bit as one loop per sum, without the chain of dependent
    additions that made each of those wait on the last. The states with households go two per
    pass (`_mask_sums2`; `acc` (2, sums))."""
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
    for i in range(0, nf, 2):
        k, j = full[i], full[min(i + 1, nf - 1)]
        if j != k:
            _mask_sums2(Mg[k], Mg[j], rec_w, acc[0], acc[1], count, cnt[k], cnt[j])
            _state_records(Hg[j], acc[1], j, sel_lines, dep, dim, sel, hs, (f1b, f2b, means), (f1, f2, inc_sum))
        else:
            _mask_sums(Mg[k], rec_w, acc[0], count, cnt[k])
        _state_records(Hg[k], acc[0], k, sel_lines, dep, dim, sel, hs, (f1b, f2b, means), (f1, f2, inc_sum))


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
    _record(Mg, Hg, ng, f1b, f2b, means, rec_w, count, sel_lines, *sg, hs, np.empty((2, rec_w.shape[1])))


@compiled
def own_changes(Mg, Hg, H3, flips, valid, kern, work):
    """Yearly flips (masks and incomes) and the income kernel of the group's area, state by
    state; the incomes after both in H3 (K, NK, B)."""
    gain, loss = flips[0], flips[1]
    W, Q, nk, X, H2, xr, Hs = work[:7]
    cus, by_cu = np.empty(flips[6].shape[1], np.int64), classes_by_count(flips[3], flips[6].shape[1])
    for k in range(Mg.shape[0]):
        if empty(Mg[k], Hg[k]):  # no households: every step would add zeros to zeros
            H3[k, :, :] = 0.0
            continue
        flip_incomes(Mg[k], Hg[k], H2, flips, W, Q, nk, X, xr, Hs, cus, by_cu)
        flip_masks(Mg[k], gain, loss)
        tiled_kernel(H2, H3[k], valid, kern, work[8])
