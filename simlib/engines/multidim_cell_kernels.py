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
from simlib.engines.multidim_numba import compiled, support, vadd, vload, vstore, vzero

# --- classification and new households of one group ----------------------------------------------


@compiled
def classify(Mg, H3, nb, k3, key_of, key_count, valid, count, next_state, Mnew, Hout, fl, a):
    """Classification at the review (income <= line: the first nb bins; count >= k3) and the next
    detailed state: flows fl (K, K), masks Mnew and incomes Hout (K, ...) by new state.

    The rows of incomes by key go to the next states in one pass that also sums each row's part
    below and above the line (`_move_rows`, into `a` (2, NK)); the masks are split into the next
    states by `_split_masks` (the first source's written, not added, into the three rows it
    reaches, the other rows zeroed: `_split_masks_first`)."""
    K, NK, B = H3.shape
    zeroed = False  # Mnew is zeroed when a source's split first adds to it (`_split_masks_first`)
    Hout[:, :, :] = 0.0
    fl[:, :] = 0.0
    sb, sa = a[0], a[1]
    lanes = np.empty((1, 4))
    for k in range(K):
        if empty(Mg[k], H3[k]):  # no households: nothing flows
            continue
        kp, kn, ka = next_state[k, 0], next_state[k, 1], next_state[k, 2]
        _move_rows(H3[k], nb, valid, key_count, k3, (Hout[kp], Hout[kn], Hout[ka]), sb, sa, lanes)
        for q in range(NK):
            if not valid[q]:
                sb[q] = 0.0
                continue
            dest = kp if key_count[q] >= k3 else kn
            fl[k, dest] += sb[q]
            fl[k, ka] += sa[q]
            sb[q] = sb[q] / (sb[q] + sa[q]) if sb[q] + sa[q] > 0 else 0.0
        if ka != kp and ka != kn and not zeroed:
            _split_masks_first(Mg[k], sb, key_of, count, k3, Mnew, kp, kn, ka)
            zeroed = True
            continue
        if not zeroed:
            Mnew[:, :] = 0.0
            zeroed = True
        if ka != kp and ka != kn:
            _split_masks(Mg[k], sb, key_of, count, k3, Mnew[kp], Mnew[kn], Mnew[ka])
            continue
        for m in range(Mg.shape[1]):  # rows shared: the additions in the order of `_split_masks`' doc
            v = Mg[k, m]
            x = v * sb[key_of[m]]
            Mnew[kp if count[m] >= k3 else kn, m] += x
            Mnew[ka, m] += v - x
    if not zeroed:
        Mnew[:, :] = 0.0


@compiled
def _move_rows(Hk, nb, valid, key_count, k3, rows, sb, sa, lanes):
    """Each valid key q's incomes Hk[q] (NK, B) added to the next states' rows = (Hp, Hn, Ha)
    (NK, B) each: the first nb bins to Hp (key_count >= k3) or Hn, the others to Ha; and sb[q],
    sa[q] the sums of the two parts, in the same pass (`_part_sum`)."""
    Hp, Hn, Ha = rows
    NK, B = Hk.shape
    for q in range(NK):
        if valid[q]:
            sb[q] = _part_sum(Hk, Hp if key_count[q] >= k3 else Hn, q, 0, nb, lanes)
            sa[q] = _part_sum(Hk, Ha, q, nb, B, lanes)


@compiled
def _part_sum(Hk, Hd, q, lo, hi, lanes):
    """Hd[q, lo:hi] += Hk[q, lo:hi], returning the sum of Hk[q, lo:hi] in a fixed order: four
    lanes over the whole vectors of four from lo (a vector register, `Vec4`), the lanes joined
    ((0 + 1) + (2 + 3)), then the last entries in increasing bin."""
    s = vzero()
    top = hi - (hi - lo) % 4
    for j in range(lo, top, 4):
        x = vload(Hk, q, j)
        vstore(Hd, q, j, vadd(vload(Hd, q, j), x))
        s = vadd(s, x)
    vstore(lanes, 0, 0, s)
    t = (lanes[0, 0] + lanes[0, 1]) + (lanes[0, 2] + lanes[0, 3])
    for b in range(top, hi):
        Hd[q, b] += Hk[q, b]
        t += Hk[q, b]
    return t


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
def _split_masks_first(Mk, sb, key_of, count, k3, Mnew, kp, kn, ka):
    """`_split_masks` into rows kp, kn, ka of Mnew (K, 4096) when nothing was added to Mnew yet:
    each of the three rows' entries written (the term or 0.0: the same as adding it to zeros),
    the other rows zeroed, so that no row is zeroed and then read back."""
    rp, rn, ra = Mnew[kp], Mnew[kn], Mnew[ka]
    for m in range(Mk.shape[0]):
        v = Mk[m]
        x = v * sb[key_of[m]]
        ra[m] = v - x
        if count[m] >= k3:
            rp[m], rn[m] = x, 0.0
        else:
            rp[m], rn[m] = 0.0, x
    for d in range(Mnew.shape[0]):
        if d != kp and d != kn and d != ka:
            Mnew[d, :] = 0.0


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
    state; the incomes after both in H3 (K, NK, B). The masks flip first (their first pass also
    sums the weights W of the incomes' flips), while they are in the processor's nearest cache."""
    gain, loss = flips[0], flips[1]
    W, Q, nk, X, H2, xr, Hs = work[:7]
    cus, by_cu = np.empty(flips[6].shape[1], np.int64), classes_by_count(flips[3], flips[6].shape[1])
    for k in range(Mg.shape[0]):
        if empty(Mg[k], Hg[k]):  # no households: every step would add zeros to zeros
            H3[k, :, :] = 0.0
            continue
        flip_masks(Mg[k], gain, loss, flips[2], W)
        flip_incomes(W, Hg[k], H2, flips, Q, nk, X, xr, Hs, cus, by_cu)
        tiled_kernel(H2, H3[k], valid, kern, work[8])
