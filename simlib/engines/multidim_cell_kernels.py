"""The yearly changes and the review of one group in the compiled multidimensional expected engine
(`simlib.engines.multidim_jit`): the indicators' own flips (masks and incomes, in factors), the
income kernel as bands (`simlib.engines.multidim_income_kernel`), classification into the next
detailed state and new households (the review's records: `simlib.engines.multidim_record_kernels`).

Inner loops run over views from index 0 (`for i in range(n): x[i]` on `x = row[b0 : b1]`), not
over `range(b0, b1)`: numba checks every index for a negative value (wraparound) and only a
loop counter starting at 0 lets the compiler drop that check and use vector instructions. Each
element still receives the same operations in the same order, so the results are the same to
the bit.
"""

from __future__ import annotations

from simlib.engines.multidim_income_kernel import tiled_kernel
from simlib.engines.multidim_numba import axpy, compiled, support

# --- the yearly changes of one cell-state ---------------------------------------------------------


@compiled
def _flip_incomes(Mk, Hk, H2, flips, W, Q, nk, X, xr, Hs):
    """Incomes H2 (NK, B) after the yearly flips: each key's households spread over the keys
    they flip to (mean field within a key), through the factors Pl (linked flags) and Pu (the
    count of the others, by class of unlinked pattern: patterns whose counts per group of equally
    flipping indicators agree flip alike)."""
    row_of, cls_cu, epop, Pl, Pc = flips[2], flips[3], flips[4], flips[5], flips[6]
    NK, B = Hk.shape
    nlink, nu1, nc = Pl.shape[0], Pc.shape[1], Pc.shape[0]
    W[:] = 0.0
    for m in range(Mk.shape[0]):
        W[row_of[m]] += Mk[m]
    Q[:, :, :] = 0.0
    nk[:] = 0.0
    for e in range(nlink):
        for c in range(nc):
            v = W[e * nc + c]
            if v != 0.0:
                cu = cls_cu[c]
                nk[(cu + epop[e]) * nlink + e] += v
                for c2 in range(nu1):
                    Q[e, cu, c2] += v * Pc[c, c2]
    for e in range(nlink):  # X[e] = Q[e]^T (H[keys of e] / households of each key): a small product
        b0, b1 = B, 0
        for cu in range(nu1):
            q = (cu + epop[e]) * nlink + e
            if nk[q] > 0:
                lo, hi = support(Hk[q])
                if hi > lo:
                    b0, b1 = min(b0, lo), max(b1, hi)
        xr[e, 0], xr[e, 1] = b0, b1
        nb = max(b1 - b0, 0)  # the rows' nonzero bins; loops over views from 0 (see module docstring)
        for cu in range(nu1):
            q = (cu + epop[e]) * nlink + e
            inv = 1.0 / nk[q] if nk[q] > 0 else 0.0
            hs, hq = Hs[cu, b0 : b0 + nb], Hk[q, b0 : b0 + nb]
            for i in range(nb):
                hs[i] = hq[i] * inv
        for c2 in range(nu1):
            x = X[e, c2, b0 : b0 + nb]
            x[:] = 0.0
            for cu in range(nu1):
                w = Q[e, cu, c2]
                if w != 0.0:
                    axpy(x, Hs[cu, b0 : b0 + nb], w)
    H2[:, :] = 0.0
    for e2 in range(nlink):
        for c2 in range(nu1):
            for e in range(nlink):
                b0, nb = xr[e, 0], max(xr[e, 1] - xr[e, 0], 0)
                w, x = Pl[e, e2], X[e, c2, b0 : b0 + nb]
                h2 = H2[(c2 + epop[e2]) * nlink + e2, b0 : b0 + nb]
                for i in range(nb):
                    h2[i] += w * x[i]


@compiled
def _flip_low(Mk, gain, loss):
    """The butterflies of bits 0 and 1 (as `_flip_masks`), four masks at a time in registers:
    blocks of 2 or 4 masks are too short for a loop of their own."""
    a, lo = gain[0], loss[0]
    a0, a1 = 1.0 - a, 1.0 - lo
    c, lc = gain[1], loss[1]
    c0, c1 = 1.0 - c, 1.0 - lc
    for r4 in range(Mk.shape[0] // 4):  # a loop counted from 0 by 1: 2.3 -> 1.35 us per 4,096 masks
        r = 4 * r4
        u, v = Mk[r], Mk[r + 1]
        x0 = u * a0 + v * lo
        x1 = u * a + v * a1
        u, v = Mk[r + 2], Mk[r + 3]
        x2 = u * a0 + v * lo
        x3 = u * a + v * a1
        Mk[r] = x0 * c0 + x2 * lc
        Mk[r + 2] = x0 * c + x2 * c1
        Mk[r + 1] = x1 * c0 + x3 * lc
        Mk[r + 3] = x1 * c + x3 * c1


@compiled
def _flip_masks(Mk, gain, loss):
    """Each indicator's own yearly gain and loss: one butterfly per bit (the two halves of each
    block of 2 * 2**j masks are the masks without and with bit j); bits 0 and 1 in `_flip_low`."""
    n = Mk.shape[0]
    _flip_low(Mk, gain, loss)
    for j in range(2, gain.shape[0]):
        a, lo, h = gain[j], loss[j], 1 << j
        V = Mk.reshape((n >> (j + 1), 2, h))
        for r in range(V.shape[0]):
            _butterfly(V[r, 0], V[r, 1], 1.0 - a, lo, a, 1.0 - lo)


@compiled
def _butterfly(x0, x1, p00, p10, p01, p11):
    """x0, x1 = x0 * p00 + x1 * p10, x0 * p01 + x1 * p11, element by element. A function of its
    own: the same loop written inline over the views of a reshaped block ran about twice as
    slow (measured: 1.25 against 0.55 us per bit of 4,096 masks)."""
    for i in range(x0.shape[0]):
        u, v = x0[i], x1[i]
        x0[i] = u * p00 + v * p10
        x1[i] = u * p01 + v * p11


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
    for k in range(Mg.shape[0]):
        if empty(Mg[k], Hg[k]):  # no households: every step would add zeros to zeros
            H3[k, :, :] = 0.0
            continue
        _flip_incomes(Mg[k], Hg[k], H2, flips, W, Q, nk, X, xr, Hs)
        _flip_masks(Mg[k], gain, loss)
        tiled_kernel(H2, H3[k], valid, kern, work[8])
