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
from simlib.engines.multidim_income_kernel import tiled_kernel_in
from simlib.engines.multidim_numba import (
    U,
    aempty,
    compiled,
    support,
    vadd,
    vbcast,
    vfence,
    vfma,
    vlane,
    vload,
    vmul,
    vstore,
    vzero,
)

# --- classification and new households of one group ----------------------------------------------

#: the state above the line after each state (`simlib.multidim.model.NEXT_STATE`'s last column,
#: which `multidim_tables` checks): the masks' split (`_split_masks`) is written for it
_ABOVE = (2, 5, 3, 4, 5, 5)


@compiled
def classify(Mg, H3, review, keys, count, next_state, cells, fl, people, hs, work, occupied):
    """Classification at the review (review = (nb, k3): income <= line, the first nb bins; count
    >= k3) into the next detailed state, with the new households added: masks Mout and incomes
    Hout (K, ...) by new state (cells = (Mout, Hout); Mout may be Mg itself: written block by
    block after the block's sources are read), flows fl (K, K), and the incomes' sums over keys hs
    (K, B) of every new state (the records' bins, `multidim_record_kernels`).

    keys = (key_of, key_count, valid); people = (new (K,), Mn (K, 4096), kd (K, NK), inc0 (K, B)):
    the new households by state and their masks, keys and incomes; work = `settle_scratch`;
    occupied: bit k set unless state k is known to hold no households (`own_changes`: it held
    none before them; the states with the bit set are scanned, `empty`). Every new row is
    written once, its sources added in increasing state as the reference does, then its
    new households (the same operations per element as adding into zeroed rows: bit for bit).
    Requires the review's next states of `NEXT_STATE` (six states; below the line rows 0 (count
    >= k3) and 1 for every state, above it `_ABOVE`) and keys additive in blocks of four masks (key_of[4 j +
    i] = key_of[4 j] + key_of[i], `multidim_tables` checks both)."""
    sums, W, HI, src = work
    K = Mg.shape[0]
    ns = 0
    for k in range(K):
        if K != 6 or next_state[k, 0] != 0 or next_state[k, 1] != 1 or next_state[k, 2] != _ABOVE[k]:
            raise ValueError("classify: next states not NEXT_STATE's")
        if (occupied >> k) & 1 and not empty(Mg[k], H3[k]):  # no households: nothing flows
            src[ns] = k
            ns += 1
    _move_incomes(H3, cells[1], review, keys, next_state, src[:ns], sums, people, hs)
    _flows(review, keys, next_state, src[:ns], sums, fl)
    W4 = W.reshape(W.shape[0] // K, 4 * K)  # (NK, 4 K): a key's shares of every source in a row
    _share_tables(sums[0], keys[0], src[:ns], W4)
    _split_masks(Mg, cells[0], W4, keys[0], count, review[1], people, HI)


@compiled
def _move_incomes(H3, Hout, review, keys, next_state, src, sums, people, hs):
    """Every row Hout[d, q] (K, NK, B) written once: the sources' rows moved to it (the first nb
    bins to kp (key_count >= k3) or kn, the others to the source's ka; in increasing source),
    zeros elsewhere, then state d's new households; hs[d] the sum of its rows in increasing key
    (`_bin_sums`, the rows of zeros left out). sums (2, K, NK): each source's part below and
    above the line (`_part_sum`'s order). Rows are addressed by index in (K NK, B) views made
    once: a view per row or per call cost more than the moves (a reference count each, where
    the call is not inlined)."""
    nb, k3 = review
    key_count, valid = keys[1], keys[2]
    new, kd, inc0 = people[0], people[2], people[3]
    K, NK, B = Hout.shape
    kp, kn = next_state[0, 0], next_state[0, 1]
    S, R = H3.reshape(K * NK, B), Hout.reshape(K * NK, B)
    sd = np.empty(K, np.int64)
    for d in range(K):
        b0, b1 = support(inc0[d])
        below = d == kp or d == kn
        lo, hi = (0, nb) if below else (nb, B)
        n, side, held = _sources_of(src, next_state, d, below, sd), 0 if below else 1, 0
        for q in range(NK):
            r = d * NK + q
            if n > 0 and valid[q] and (not below or (key_count[q] >= k3) == (d == kp)):
                i = 0
                while i < n:  # two sources a pass (the same additions as one by one)
                    k, m = sd[i], sd[min(i + 1, n - 1)]
                    rk, rm = k * NK + q, m * NK + q
                    if i + 1 < n:
                        if i == 0:
                            sums[side, k, q], sums[side, m, q] = _part_copy2(S, R, rk, rm, r, lo, hi)
                        else:
                            sums[side, k, q], sums[side, m, q] = _part_sum2(S, R, rk, rm, r, lo, hi)
                    elif i == 0:
                        sums[side, k, q] = _part_copy(S, R, rk, r, lo, hi)
                    else:
                        sums[side, k, q] = _part_sum(S, R, rk, r, lo, hi)
                    i += 2
                _zero_span(R, r, 0, lo)
                _zero_span(R, r, hi, B)
                held |= _bit(q)
            else:
                _zero_span(R, r, 0, B)
            if new[d] != 0.0 and kd[d, q] != 0.0:
                _add_entering(R, r, inc0, d, new[d], kd[d, q], b0, b1)
                held |= _bit(q)
        _bin_sums(R, d * NK, NK, held, hs, d)


@compiled
def _sources_of(src, next_state, d, below, sd):
    """The sources (src, increasing) whose rows move to state d (every one below the line, else
    those with d above it) into sd; returns their number."""
    n = 0
    for t in range(src.shape[0]):
        if below or next_state[src[t], 2] == d:
            sd[n] = src[t]
            n += 1
    return n


@compiled
def _zero_span(A, r, lo, hi):
    """A[r, lo:hi] = 0.0 (A 2-d): vector stores in line (a fenced zero: the loop is not made a
    call of memset, which cost more than the stores on spans of a row)."""
    top = hi - (hi - lo) % 4
    z = vfence(vzero())
    for j in range(lo, top, 4):
        vstore(A, r, j, z)
    for b in range(top, hi):
        A[r, b] = 0.0


@compiled
def _add_entering(R, r, inc0, d, x, w, b0, b1):
    """R[r, b0:b1] += x (w inc0[d, b0:b1]): state d's new households x with key share w (one
    rounding of the product and the sum, as the compiled `+=` under `FAST`)."""
    top = b1 - (b1 - b0) % 4
    vx, vw = vbcast(x), vbcast(w)
    for j in range(b0, top, 4):
        vstore(R, r, j, vfma(vx, vmul(vw, vload(inc0, d, j)), vload(R, r, j)))
    for b in range(top, b1):
        R[r, b] += x * (w * inc0[d, b])


@compiled
def _bit(q):
    """Row q's bit in `_bin_sums`' `held` (none past 63: those rows are always added)."""
    return 1 << q if q < 64 else 0


@compiled
def _bin_sums(R, r0, n, held, hs, d):
    """hs[d] = R[r0] + R[r0 + 1] + ... + R[r0 + n - 1] from +0.0 in increasing row, the rows q <
    64 not in the bits `held` left out (all zero: adding +0.0 to a sum that is never -0.0 changes
    nothing; the rows past 63 always added); 16 bins at a time in four vector registers (the same
    additions per bin)."""
    B = R.shape[1]
    top = B - B % 16
    for j in range(0, top, 16):
        a0, a1, a2, a3 = vzero(), vzero(), vzero(), vzero()
        for q in range(n):
            if q >= 64 or (held >> q) & 1:
                r = r0 + q
                a0, a1 = vadd(a0, vload(R, r, j)), vadd(a1, vload(R, r, j + 4))
                a2, a3 = vadd(a2, vload(R, r, j + 8)), vadd(a3, vload(R, r, j + 12))
        vstore(hs, d, j, a0)
        vstore(hs, d, j + 4, a1)
        vstore(hs, d, j + 8, a2)
        vstore(hs, d, j + 12, a3)
    for b in range(top, B):
        acc = 0.0
        for q in range(n):
            if q >= 64 or (held >> q) & 1:
                acc += R[r0 + q, b]
        hs[d, b] = acc


@compiled
def _part_sum(S, R, rs, r, lo, hi):
    """R[r, lo:hi] += S[rs, lo:hi], returning the sum of S[rs, lo:hi] in a fixed order: four
    lanes over the whole vectors of four from lo (a vector register, `Vec4`), the lanes joined
    ((0 + 1) + (2 + 3)), then the last entries in increasing bin."""
    s = vzero()
    top = hi - (hi - lo) % 4
    for j in range(lo, top, 4):
        x = vload(S, rs, j)
        vstore(R, r, j, vadd(vload(R, r, j), x))
        s = vadd(s, x)
    t = (vlane(s, 0) + vlane(s, 1)) + (vlane(s, 2) + vlane(s, 3))
    for b in range(top, hi):
        R[r, b] += S[rs, b]
        t += S[rs, b]
    return t


@compiled
def _part_copy(S, R, rs, r, lo, hi):
    """`_part_sum` into a row not written yet: R[r, lo:hi] = S[rs, lo:hi] (the same as adding
    to zeros), the same sum."""
    s = vzero()
    top = hi - (hi - lo) % 4
    for j in range(lo, top, 4):
        x = vload(S, rs, j)
        vstore(R, r, j, x)
        s = vadd(s, x)
    t = (vlane(s, 0) + vlane(s, 1)) + (vlane(s, 2) + vlane(s, 3))
    for b in range(top, hi):
        R[r, b] = S[rs, b]
        t += S[rs, b]
    return t


@compiled
def _part_copy2(S, R, r1, r2, r, lo, hi):
    """`_part_copy` of row r1 then `_part_sum` of row r2 into row r in one pass: R[r, lo:hi] =
    S[r1, lo:hi] + S[r2, lo:hi], the two parts' sums."""
    s1, s2 = vzero(), vzero()
    top = hi - (hi - lo) % 4
    for j in range(lo, top, 4):
        x, y = vload(S, r1, j), vload(S, r2, j)
        vstore(R, r, j, vadd(x, y))
        s1, s2 = vadd(s1, x), vadd(s2, y)
    t1 = (vlane(s1, 0) + vlane(s1, 1)) + (vlane(s1, 2) + vlane(s1, 3))
    t2 = (vlane(s2, 0) + vlane(s2, 1)) + (vlane(s2, 2) + vlane(s2, 3))
    for b in range(top, hi):
        R[r, b] = S[r1, b] + S[r2, b]
        t1 += S[r1, b]
        t2 += S[r2, b]
    return t1, t2


@compiled
def _part_sum2(S, R, r1, r2, r, lo, hi):
    """`_part_sum` of row r1 then of row r2 into row r in one pass: R[r, lo:hi] = (R[r, lo:hi] +
    S[r1, lo:hi]) + S[r2, lo:hi], the two parts' sums."""
    s1, s2 = vzero(), vzero()
    top = hi - (hi - lo) % 4
    for j in range(lo, top, 4):
        x, y = vload(S, r1, j), vload(S, r2, j)
        vstore(R, r, j, vadd(vadd(vload(R, r, j), x), y))
        s1, s2 = vadd(s1, x), vadd(s2, y)
    t1 = (vlane(s1, 0) + vlane(s1, 1)) + (vlane(s1, 2) + vlane(s1, 3))
    t2 = (vlane(s2, 0) + vlane(s2, 1)) + (vlane(s2, 2) + vlane(s2, 3))
    for b in range(top, hi):
        R[r, b] = (R[r, b] + S[r1, b]) + S[r2, b]
        t1 += S[r1, b]
        t2 += S[r2, b]
    return t1, t2


@compiled
def _flows(review, keys, next_state, src, sums, fl):
    """fl (K, K): each source's households by next state (its keys' parts below the line to kp or
    kn, above to its ka, in increasing key: three sums in registers, kp, kn and ka distinct);
    sums[0][k] then becomes source k's share of each key below the line (0.0 for an invalid key
    or none)."""
    k3 = review[1]
    key_count, valid = keys[1], keys[2]
    kp, kn = next_state[0, 0], next_state[0, 1]
    sb, sa = sums[0], sums[1]
    fl[:, :] = 0.0
    for t in range(src.shape[0]):
        k = src[t]
        fp, fn, fa = 0.0, 0.0, 0.0
        for q in range(sb.shape[1]):
            if not valid[q]:
                sb[k, q] = 0.0
                continue
            b, a = sb[k, q], sa[k, q]
            if key_count[q] >= k3:
                fp += b
            else:
                fn += b
            fa += a
            sb[k, q] = b / (b + a) if b + a > 0 else 0.0
        fl[k, kp], fl[k, kn], fl[k, next_state[k, 2]] = fp, fn, fa


@compiled
def _share_tables(share, key_of, src, W):
    """W[c, 4 k + i] (NK, 4 K) = share[k, c + key_of[i]] (0.0 past the last key), i < 4: the
    shares of the four masks of a block of source k whose first mask has key c (keys additive in
    blocks of four: see `classify`); 0.0 for the states not in src (without households). A
    key's row holds every source's shares (one address a block in `_split_masks`)."""
    K, NK = share.shape
    t = 0
    for k in range(K):
        if t < src.shape[0] and src[t] == k:
            t += 1
            for c in range(NK):
                for i in range(4):
                    x = c + key_of[i]
                    W[c, 4 * k + i] = share[k, x] if x < NK else 0.0
        else:
            for c in range(NK):
                for i in range(4):
                    W[c, 4 * k + i] = 0.0


@compiled
def _split_masks(Mg, Mout, W, key_of, count, k3, people, HI):
    """Masks Mg (6, 4096) into Mout (may be Mg) block of four by block: mask m's households v of
    source k, x = v times its key's share below the line (W (NK, 24): `_share_tables`), to row 0
    (count >= k3) or 1, v - x to its row above (2 to 5); each row's terms added in increasing
    source, then its new households (people[0][d] Mn[d, m]: one rounding, as the compiled `x +=
    new[d] * Mn[d, m]`; the factors broadcast once, not reloaded each block behind the stores).
    Every source is read (an empty one has zero masks and shares: its terms add +0.0). Vector
    registers of four (`Vec4`), the blocks' sums with no loop-carried dependency; the split
    between rows 0 and 1 by products with HI (4, 4) rows of 1.0 / 0.0 (exact), HI[t, i] =
    count[i] >= t."""
    new, Mn = people[0], people[1]
    for t in range(4):
        for i in range(4):
            HI[t, i] = 1.0 if count[i] >= t else 0.0
    zero, m1 = vzero(), vbcast(-1.0)
    entering = False
    for d in range(6):
        entering = entering or new[d] != 0.0
    n0, n1, n2 = vbcast(new[0]), vbcast(new[1]), vbcast(new[2])
    n3, n4, n5 = vbcast(new[3]), vbcast(new[4]), vbcast(new[5])
    for j in range(0, Mg.shape[1], 4):
        c = key_of[U(j)]
        v0, v1, v2 = vload(Mg, 0, j), vload(Mg, 1, j), vload(Mg, 2, j)
        v3, v4, v5 = vload(Mg, 3, j), vload(Mg, 4, j), vload(Mg, 5, j)
        x0, x1 = vfma(v0, vload(W, c, 0), zero), vfma(v1, vload(W, c, 4), zero)
        x2, x3 = vfma(v2, vload(W, c, 8), zero), vfma(v3, vload(W, c, 12), zero)
        x4, x5 = vfma(v4, vload(W, c, 16), zero), vfma(v5, vload(W, c, 20), zero)
        a = vadd(vadd(vadd(vadd(vadd(x0, x1), x2), x3), x4), x5)
        p = vfma(a, vload(HI, min(max(k3 - count[U(j)], 0), 3), 0), zero)
        r0, r1, r2, r3, r4 = p, vfma(p, m1, a), vfma(x0, m1, v0), vfma(x2, m1, v2), vfma(x3, m1, v3)
        r5 = vadd(vadd(vfma(x1, m1, v1), vfma(x4, m1, v4)), vfma(x5, m1, v5))
        if entering:
            r0, r1, r2 = vfma(n0, vload(Mn, 0, j), r0), vfma(n1, vload(Mn, 1, j), r1), vfma(n2, vload(Mn, 2, j), r2)
            r3, r4, r5 = vfma(n3, vload(Mn, 3, j), r3), vfma(n4, vload(Mn, 4, j), r4), vfma(n5, vload(Mn, 5, j), r5)
        vstore(Mout, 0, j, r0)
        vstore(Mout, 1, j, r1)
        vstore(Mout, 2, j, r2)
        vstore(Mout, 3, j, r3)
        vstore(Mout, 4, j, r4)
        vstore(Mout, 5, j, r5)


@compiled
def entrants(growth, size, entry, new):
    """New households by state (K,): growth x `size` x entry shares (the households that form new
    ones, `simlib.engines.reach.formation_sizes`); every state of a housed twin (`size` 0) none."""
    for k in range(new.shape[0]):
        new[k] = growth * size * entry[k]


@compiled
def households(n, fl, new):
    """n (K,) the households at the review: the flows fl (K, K) into each state, then its new."""
    K = n.shape[0]
    for k in range(K):
        acc = 0.0
        for k0 in range(K):
            acc += fl[k0, k]
        n[k] = acc + new[k]


@compiled
def settle_scratch(K, NK, B):
    """`classify`'s working arrays: (sums (2, K, NK), W (K NK, 4) (`classify` views it as (NK, 4 K):
    a key's shares of every source in a row), HI (4, 4), src (K,))."""
    f = np.float64
    sums, W, HI = aempty(2 * K * NK, f).reshape((2, K, NK)), aempty(K * NK * 4, f).reshape((K * NK, 4)), aempty(16, f)
    return sums, W, HI.reshape((4, 4)), aempty(K, np.int64)


@compiled
def empty(Mk, Hk):
    """Whether a cell-state holds no households: every mask and every (key, income bin) is 0."""
    return _all_zero(Mk) and _all_zero(Hk.reshape(Hk.size))


@compiled
def _all_zero(x):
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
def area_kernel(kerns, a):
    """The income kernel's arrays of area a (`own_changes`' kern) from the model's kerns (5 arrays
    by area)."""
    return kerns[0][a], kerns[1][a], kerns[2][a], kerns[3][a], kerns[4][a]


@compiled
def own_changes(Mg, Hg, H3, flips, valid, kern, work, zero=0):
    """Yearly flips (masks and incomes) and the income kernel of the group's area, state by
    state; the incomes after both in H3 (K, NK, B). The masks flip first (their first pass also
    sums the weights W of the incomes' flips), while they are in the processor's nearest cache.
    zero: bit k set where state k's cells are known to be all zero (the lines': `lines_known`),
    not scanned. Returns the states that held households before (bit k for state k): the others
    are zero after (masks untouched), which spares `classify` their scan; their rows of H3 are
    not written (`classify` reads H3 only in the states whose bit is set; linepass: zeroing them
    cost about 0.26 us a state in cache)."""
    gain, loss = flips[0], flips[1]
    W, Q, nk, X, H2, xr, Hs = work[:7]
    cus, by_cu = np.empty(flips[6].shape[1], np.int64), classes_by_count(flips[3], flips[6].shape[1])
    tails = kern[4].shape[0] == 0  # without tiles the income kernel reads H2's rows whole
    occupied = 0
    for k in range(Mg.shape[0]):
        if (zero >> k) & 1 or empty(Mg[k], Hg[k]):  # no households: every step would add zeros to zeros
            continue
        occupied |= 1 << k
        flip_masks(Mg[k], gain, loss, flips[2], W)
        B0, B1 = flip_incomes(W, Hg[k], H2, flips, Q, nk, X, xr, Hs, cus, by_cu, tails)
        tiled_kernel_in(H2, H3[k], valid, kern, work[8], B0, B1)
    return occupied
