"""The indicators' own yearly flips of one cell-state in the compiled multidimensional expected
engine (`simlib.engines.multidim_jit`, called by `multidim_cell_kernels.own_changes`): the
incomes by key through the flip factors (`flip_incomes`) and the masks as one butterfly per
indicator (`flip_masks`, from `multidim_mask_flips`: two indicators a pass over the masks).

Inner loops run over views from index 0, as in `simlib.engines.multidim_cell_kernels` (numba's
check of negative indices otherwise keeps the compiler from vectorising them); each element
receives the same operations in the same order.
"""

from __future__ import annotations

import numpy as np

from simlib.engines.multidim_mask_flips import flip_masks
from simlib.engines.multidim_numba import (
    compiled,
    vbcast,
    vfma,
    vload,
    vstore,
    vzero,
)
from simlib.engines.multidim_vec8 import (
    v8bcast,
    v8fma,
    v8load,
    v8store,
    v8zero,
)

__all__ = ["classes_by_count", "flip_incomes", "flip_masks", "widen"]  # flip_masks: multidim_mask_flips


@compiled
def flip_incomes(W, Hk, H2, flips, Q, nk, X, xr, Hs, cus, by_cu, tails=True):
    """Incomes H2 (NK, B) after the yearly flips: each key's households spread over the keys
    they flip to (mean field within a key), through the factors Pl (linked flags) and Pu (the
    count of the others, by class of unlinked pattern: patterns whose counts per group of equally
    flipping indicators agree flip alike). W (links x classes,): the households by (linked
    pattern, class) before the flips (`flip_masks` sums them in its first pass). Returns (B0, B1):
    the keys' rows of H2 hold nothing outside bins B0 .. B1 - 1 (B1 <= B0: nothing at all), and
    they are zero there and the rows of no key zero unless `tails` is False (then both left as
    they were: for `multidim_income_kernel.tiled_kernel_in` with tiles, which reads the keys'
    rows only within the bins and no other row: the rows it reads, `valid`, are the keys')."""
    epop, Pl, Pc = flips[4], flips[5], flips[6]
    nlink, nu1 = Pl.shape[0], Pc.shape[1]
    _class_sums(W, flips, by_cu, Q, nk)
    B0, B1 = _pattern_bins(Hk, nk, epop, xr, nu1)
    nb = max(B1 - B0, 0)  # loops over views from 0 (see module docstring)
    for e in range(nlink):  # X[e] = Q[e]^T (H[keys of e] / households of each key): a small product
        ncu = 0
        for cu in range(nu1):  # the counts with households (a row of Q with a nonzero weight)
            for c2 in range(nu1):
                if Q[e, cu, c2] != 0.0:
                    cus[ncu], ncu = cu, ncu + 1
                    break
        for j in range(ncu):  # the rows the products read, over the union of the patterns' bins
            cu = cus[j]
            q = (cu + epop[e]) * nlink + e
            inv = 1.0 / nk[q] if nk[q] > 0 else 0.0
            hs, hq = Hs[cu, B0 : B0 + nb], Hk[q, B0 : B0 + nb]
            for i in range(nb):
                hs[i] = hq[i] * inv
        _row_products(Q[e], Hs, X[e], B0, nb, cus[:ncu])
    return _key_mix(X, (B0, B1), Pl, epop, H2, tails)


@compiled
def _pattern_bins(Hk, nk, epop, xr, nu1):
    """The union (B0, B1) of the nonzero bins of the linked patterns' rows with households
    (`widen`), to whole vectors of four bins (B1 <= B0: none); xr[e] = it for every pattern. A
    row with households is zero outside the union, so its products over the union's other bins
    are exact zeros (a sum of products of zero from +0.0). One union for all the patterns: each
    row scanned only outside the bins found so far (a union by pattern, then of those, scanned
    each pattern's first row whole: `## fliptwo`); the union of the patterns' unions rounded
    to vectors of four is the union rounded (min and max commute with the rounding)."""
    B, nlink = Hk.shape[1], xr.shape[0]
    b0, b1 = B, 0
    for e in range(nlink):
        for cu in range(nu1):
            q = (cu + epop[e]) * nlink + e
            if nk[q] > 0:
                b0, b1 = widen(Hk[q], b0, b1)
    if b1 > b0:  # to whole vectors of four bins: no scalar tails (the bins added are zeros)
        b0, b1 = b0 - b0 % 4, min(b1 + (-b1) % 4, B)
    else:
        b0, b1 = B, 0
    for e in range(nlink):
        xr[e, 0], xr[e, 1] = b0, b1
    return b0, b1


@compiled
def classes_by_count(cls_cu, nu1):
    """The classes of unlinked patterns grouped by their count (nu1 + 1 + classes,): entry cu is
    where count cu's classes start (after the nu1 + 1 starts), then the classes in increasing
    order within each count."""
    nc = cls_cu.shape[0]
    out = np.zeros(nu1 + 1 + nc, np.int64)
    for c in range(nc):
        out[cls_cu[c] + 1] += 1
    for cu in range(nu1):
        out[cu + 1] += out[cu]
    fill = out[: nu1 + 1].copy()
    for c in range(nc):
        out[nu1 + 1 + fill[cls_cu[c]]] = c
        fill[cls_cu[c]] += 1
    return out


@compiled
def _class_sums(W, flips, by_cu, Q, nk):
    """Q[e, cu] = the sum over the classes c of count cu (increasing) of W[e, c] Pc[c] (nu1,),
    nk[key of (cu, e)] = the sum of W[e, c]: the classes of one count go by with the sums in
    vector registers (four counts after the flips per vector; the last vector overlaps the one
    before when nu1 is not a multiple of four: the same sums, stored twice). Each sum adds its
    terms in increasing class from +0.0, each one multiply-add; a class without households adds
    an exact zero (the loop by class skipped it). The vectors write every entry of Q and every
    key's nk (nothing zeroed before; nk of no key is not read)."""
    cls_cu, epop, Pl, Pc = flips[3], flips[4], flips[5], flips[6]
    nlink, nu1, nc = Pl.shape[0], Pc.shape[1], Pc.shape[0]
    if nu1 < 4:  # too few counts for a vector: the loop by class
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
        return
    for e4 in range(0, nlink, 4):  # four patterns at once (past the last: the last again)
        for cu in range(nu1):
            for o12 in range(0, nu1, 12):
                _class_vectors(W, Pc, by_cu, Q, nk, (e4, cu, o12), (nlink, epop))


@compiled
def _class_vectors(W, Pc, by_cu, Q, nk, at, keys):
    """Q[f, cu, o .. o + 11] and nk of the keys (cu, f) for the patterns f = e4 .. e4 + 3 (at =
    (e4, cu, o); patterns past the last and vectors past the last count repeat the last: the
    same sums, stored twice; keys = (nlink, epop)): twelve vector sums and four scalar sums in
    registers while count cu's classes go by, each from +0.0 in increasing class, one
    multiply-add (addition) a class; Pc's three vectors of a class loaded once for the four
    (two patterns a pass: flip_incomes 11.1 -> 10.6 ms of one thread a year, `## flipless`)."""
    e4, cu, o12 = at
    nlink, epop = keys
    nu1, nc = Pc.shape[1], Pc.shape[0]
    f = (e4, min(e4 + 1, nlink - 1), min(e4 + 2, nlink - 1), min(e4 + 3, nlink - 1))
    o0, o1, o2 = min(o12, nu1 - 4), min(o12 + 4, nu1 - 4), min(o12 + 8, nu1 - 4)
    W0, W1, W2, W3 = W[f[0] * nc :], W[f[1] * nc :], W[f[2] * nc :], W[f[3] * nc :]
    a0, a1, a2, b0, b1, b2 = vzero(), vzero(), vzero(), vzero(), vzero(), vzero()
    c0, c1, c2, d0, d1, d2 = vzero(), vzero(), vzero(), vzero(), vzero(), vzero()
    s0 = s1 = s2 = s3 = 0.0
    for j in range(by_cu[cu], by_cu[cu + 1]):
        c = by_cu[nu1 + 1 + j]
        x0, x1, x2, x3 = W0[c], W1[c], W2[c], W3[c]
        s0, s1, s2, s3 = s0 + x0, s1 + x1, s2 + x2, s3 + x3
        p0, p1, p2 = vload(Pc, c, o0), vload(Pc, c, o1), vload(Pc, c, o2)
        v = vbcast(x0)
        a0, a1, a2 = vfma(v, p0, a0), vfma(v, p1, a1), vfma(v, p2, a2)
        v = vbcast(x1)
        b0, b1, b2 = vfma(v, p0, b0), vfma(v, p1, b1), vfma(v, p2, b2)
        v = vbcast(x2)
        c0, c1, c2 = vfma(v, p0, c0), vfma(v, p1, c1), vfma(v, p2, c2)
        v = vbcast(x3)
        d0, d1, d2 = vfma(v, p0, d0), vfma(v, p1, d1), vfma(v, p2, d2)
    for e, u0, u1, u2, t in (
        (f[3], d0, d1, d2, s3),
        (f[2], c0, c1, c2, s2),
        (f[1], b0, b1, b2, s1),
        (f[0], a0, a1, a2, s0),
    ):
        vstore(Q[e], cu, o2, u2)
        vstore(Q[e], cu, o1, u1)
        vstore(Q[e], cu, o0, u0)
        nk[(cu + epop[e]) * nlink + e] = t


@compiled
def widen(row, b0, b1):
    """(b0, b1) widened to the first and one past the last nonzero entries of `row` (unchanged
    for a row of zeros): the union of `support`'s spans, scanning only outside [b0, b1), eight
    entries per test (counted without a branch, as `multidim_cell_kernels.empty`)."""
    n = row.shape[0]
    j, top = 0, min(b0, n)
    while j + 8 <= top:
        v, c = row[j : j + 8], 0
        for i in range(8):
            c += v[i] != 0.0
        if c != 0:
            break
        j += 8
    while j < top and row[j] == 0.0:
        j += 1
    k, bot = n, max(b1, j)
    while k - 8 >= bot:
        v, c = row[k - 8 : k], 0
        for i in range(8):
            c += v[i] != 0.0
        if c != 0:
            break
        k -= 8
    while k > bot and row[k - 1] == 0.0:
        k -= 1
    if j == n:  # a row of zeros (only when b0 is n)
        return b0, b1
    return j, max(k, b1)


@compiled
def _key_mix(X, bins, Pl, epop, H2, tails):
    """H2[key of (c2, e2)] = the sum over linked patterns e (increasing) of Pl[e, e2] X[e, c2],
    zero elsewhere: every X[e] holds the union of the patterns' bins bins = (B0, B1) (zeros
    outside its own: `_pattern_bins`), so that each row is one pass over the union, its four
    sums per bin in vector registers from +0.0 (a zero term adds an exact zero to a sum of
    nonnegative terms: the same bits as adding each pattern's row over its own bins). Returns
    the union; `tails`: whether the keys' rows are zeroed outside it and the rows of no key
    whole (`_zero_rest`; without, 4.98 against 5.36 us a cell-state of `multidim_2030`: the
    loop's divisions by the number of patterns and the rows' stores, `## fliptwo`)."""
    nlink, nu1, (B0, B1) = X.shape[0], X.shape[1], bins
    if tails:  # else nothing outside the keys' bins is read (the income kernel with tiles)
        _zero_rest(H2, epop, nu1, B0, B1)
    if B1 <= B0:
        return B0, B1
    n4 = (B1 - B0) // 4
    for c2 in range(nu1):
        for e4 in range(0, nlink, 4):
            _mix_tiles(X, Pl, epop, H2, (c2, e4, B0, n4))
        for e2 in range(nlink):
            q = (c2 + epop[e2]) * nlink + e2
            for b in range(B0 + 4 * n4, B1):
                x = 0.0
                for e in range(nlink):
                    x += Pl[e, e2] * X[e, c2, b]
                H2[q, b] = x
    return B0, B1


@compiled
def _mix_tiles(X, Pl, epop, H2, at):
    """`_key_mix`'s sums over whole vectors of bins for count c2 and the patterns e4 .. e4 + 3
    after the flips (at = (c2, e4, B0, n4): n4 vectors from bin B0; patterns past the last repeat
    it: the same sums, stored twice): the four patterns' sums of eight bins (an odd last vector twice) in vector registers
    while the patterns before the flips go by, each of X[e, c2]'s vectors loaded once for the
    four (eight chains of multiply-adds at once; each sum from +0.0 in increasing e)."""
    c2, e4, B0, n4 = at
    nlink = X.shape[0]
    f0, f1, f2, f3 = e4, min(e4 + 1, nlink - 1), min(e4 + 2, nlink - 1), min(e4 + 3, nlink - 1)
    q0, q1 = (c2 + epop[f0]) * nlink + f0, (c2 + epop[f1]) * nlink + f1
    q2, q3 = (c2 + epop[f2]) * nlink + f2, (c2 + epop[f3]) * nlink + f3
    for t in range((n4 + 1) // 2):
        b = B0 + 8 * t
        c = b + 4 if 2 * t + 2 <= n4 else b  # an odd last vector twice: the same sums, stored twice
        a0, a1, a2, a3, d0, d1, d2, d3 = vzero(), vzero(), vzero(), vzero(), vzero(), vzero(), vzero(), vzero()
        for e in range(nlink):
            x, y = vload(X[e], c2, b), vload(X[e], c2, c)
            w0, w1, w2, w3 = vbcast(Pl[e, f0]), vbcast(Pl[e, f1]), vbcast(Pl[e, f2]), vbcast(Pl[e, f3])
            a0, a1, a2, a3 = vfma(w0, x, a0), vfma(w1, x, a1), vfma(w2, x, a2), vfma(w3, x, a3)
            d0, d1, d2, d3 = vfma(w0, y, d0), vfma(w1, y, d1), vfma(w2, y, d2), vfma(w3, y, d3)
        for q, x, y in ((q3, a3, d3), (q2, a2, d2), (q1, a1, d1), (q0, a0, d0)):
            vstore(H2, q, b, x)
            vstore(H2, q, c, y)


@compiled
def _zero_rest(H2, epop, nu1, B0, B1):
    """H2 = 0 where `_key_mix` does not write: rows of no key (c2, e2) entirely, the keys' rows
    outside bins B0 .. B1 - 1 (all of them when B1 <= B0)."""
    NK, B = H2.shape
    nlink = epop.shape[0]
    lo, hi = (B0, B1) if B1 > B0 else (B, B)
    for q in range(NK):
        e2 = q % nlink
        c2 = q // nlink - epop[e2]
        if 0 <= c2 < nu1:
            H2[q, :lo] = 0.0
            H2[q, hi:] = 0.0
        else:
            H2[q, :] = 0.0


@compiled
def _row_products(Qe, Hs, Xe, b0, nb, cus):
    """Xe[c2, b0 : b0 + nb] = the sum over cu in `cus` (increasing) of Qe[cu, c2] Hs[cu, b0 :
    b0 + nb]: each entry's terms in increasing cu, each one multiply-add on the sum so far from
    +0.0 (as `axpy` on a zeroed row; a zero weight adds an exact zero). Four columns c2 by 16
    bins in vector registers of eight (`multidim_vec8`) while the counts go by, the sums stored
    once; then a vector of eight, one of four (`_row_vectors`), the last bins in scalar sums; a
    last column block shorter than four repeats the last column (the same sums, stored twice).
    Lane by lane the same operations as in vectors of four (the same bits; `## mdcore`)."""
    nu1, ncu, n16 = Xe.shape[0], cus.shape[0], nb // 16
    for c0 in range(0, nu1, 4):
        i = (c0, min(c0 + 1, nu1 - 1), min(c0 + 2, nu1 - 1), min(c0 + 3, nu1 - 1))
        for t in range(n16):
            b = b0 + 16 * t
            a0, a1, a2, a3 = v8zero(), v8zero(), v8zero(), v8zero()
            d0, d1, d2, d3 = v8zero(), v8zero(), v8zero(), v8zero()
            for j in range(ncu):
                cu = cus[j]
                h, g = v8load(Hs, cu, b), v8load(Hs, cu, b + 8)
                w0, w1 = v8bcast(Qe[cu, i[0]]), v8bcast(Qe[cu, i[1]])
                w2, w3 = v8bcast(Qe[cu, i[2]]), v8bcast(Qe[cu, i[3]])
                a0, a1, a2, a3 = v8fma(w0, h, a0), v8fma(w1, h, a1), v8fma(w2, h, a2), v8fma(w3, h, a3)
                d0, d1, d2, d3 = v8fma(w0, g, d0), v8fma(w1, g, d1), v8fma(w2, g, d2), v8fma(w3, g, d3)
            for u, x, y in ((3, a3, d3), (2, a2, d2), (1, a1, d1), (0, a0, d0)):
                v8store(Xe, i[u], b, x)
                v8store(Xe, i[u], b + 8, y)
        b = _row_vectors(Qe, Hs, Xe, b0 + 16 * n16, b0 + nb, cus, i)
        for bb in range(b, b0 + nb):
            for c2 in range(c0, min(c0 + 4, nu1)):
                x = 0.0
                for j in range(ncu):
                    x += Qe[cus[j], c2] * Hs[cus[j], bb]
                Xe[c2, bb] = x


@compiled
def _row_vectors(Qe, Hs, Xe, b, end, cus, i):
    """`_row_products`' columns i (four) over bins b .. end - 1 (fewer than 16) in one vector of
    eight bins, then one of four, as far as whole vectors go; returns the first bin left."""
    if b + 8 <= end:
        a0, a1, a2, a3 = v8zero(), v8zero(), v8zero(), v8zero()
        for j in range(cus.shape[0]):
            cu = cus[j]
            h = v8load(Hs, cu, b)
            a0, a1 = v8fma(v8bcast(Qe[cu, i[0]]), h, a0), v8fma(v8bcast(Qe[cu, i[1]]), h, a1)
            a2, a3 = v8fma(v8bcast(Qe[cu, i[2]]), h, a2), v8fma(v8bcast(Qe[cu, i[3]]), h, a3)
        for u, x in ((3, a3), (2, a2), (1, a1), (0, a0)):
            v8store(Xe, i[u], b, x)
        b += 8
    if b + 4 <= end:
        c0, c1, c2, c3 = vzero(), vzero(), vzero(), vzero()
        for j in range(cus.shape[0]):
            cu = cus[j]
            h = vload(Hs, cu, b)
            c0, c1 = vfma(vbcast(Qe[cu, i[0]]), h, c0), vfma(vbcast(Qe[cu, i[1]]), h, c1)
            c2, c3 = vfma(vbcast(Qe[cu, i[2]]), h, c2), vfma(vbcast(Qe[cu, i[3]]), h, c3)
        for u, x in ((3, c3), (2, c2), (1, c1), (0, c0)):
            vstore(Xe, i[u], b, x)
        b += 4
    return b
