"""The yearly changes and the review of one group in the compiled multidimensional expected engine
(`simlib.engines.multidim_jit`): the indicators' own flips (masks and incomes, in factors:
`simlib.engines.multidim_flip_kernels`), the income kernel as bands
(`simlib.engines.multidim_income_kernel`), classification into the next detailed state and new
households (the review's records: `simlib.engines.multidim_record_kernels`).

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

# --- classification and new households of one group ----------------------------------------------


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
