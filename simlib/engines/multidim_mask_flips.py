"""The masks' own yearly flips of one cell-state in the compiled multidimensional expected engine
(`flip_masks`, called by `multidim_cell_kernels.own_changes` through `multidim_flip_kernels`):
one butterfly per indicator (two indicators a pass over the masks, `_flip_pair8`), the first pass
also summing the weights of the incomes' flips (`_class_weights`). Split from
`multidim_flip_kernels` (branch fliptwo) when that module reached 500 lines.

Inner loops run over views from index 0, as in `simlib.engines.multidim_cell_kernels` (numba's
check of negative indices otherwise keeps the compiler from vectorising them); each element
receives the same operations in the same order.
"""

from __future__ import annotations

import numpy as np

from simlib.engines.multidim_numba import (
    U,
    compiled,
    vadd,
    veven,
    vfma,
    vhigh,
    vlane,
    vload,
    vlow,
    vmul,
    vodd,
    vpairs,
    vset,
    vstore,
    vzero,
)
from simlib.engines.multidim_vec8 import (
    v8bcast,
    v8even,
    v8fma,
    v8hi4,
    v8high,
    v8lo4,
    v8load,
    v8low,
    v8mul,
    v8odd,
    v8store,
)

__all__ = ["flip_masks"]


@compiled
def _flip_low(Mk, gain, loss, row_of, W):
    """The butterflies of bits 0 and 1 (as `flip_masks`), four masks at a time in a vector register:
    blocks of 2 or 4 masks are too short for a loop of their own; W[row_of[m]] += the masks
    before the flips, in increasing m (the scatter in the same pass: Mk is read once). The four
    masks' lanes paired by shuffles, each new mask `u * p + v * q` as the compiled scalar code
    computes it (the first product fused with the sum, the second rounded): 16 scalar
    multiplications and multiply-adds per four masks become 4 vector ones."""
    a, lo = gain[0], loss[0]
    c, lc = gain[1], loss[1]
    p0, q0 = vset(1.0 - a, a, 1.0 - a, a), vset(lo, 1.0 - lo, lo, 1.0 - lo)
    p1, q1 = vset(1.0 - c, 1.0 - c, c, c), vset(lc, lc, 1.0 - lc, 1.0 - lc)
    M4 = Mk.reshape((Mk.shape[0] // 4, 4))
    for r4 in range(M4.shape[0]):  # a loop counted from 0 by 1: 2.3 -> 1.35 us per 4,096 masks
        r = 4 * r4
        m = vload(M4, r4, 0)
        W[U(row_of[r])] += Mk[r]
        W[U(row_of[r + 1])] += Mk[r + 1]
        W[U(row_of[r + 2])] += Mk[r + 2]
        W[U(row_of[r + 3])] += Mk[r + 3]
        x = vfma(veven(m), p0, vmul(vodd(m), q0))  # bit 0: (m0 p + m1 q, ..., m2 p + m3 q)
        vstore(M4, r4, 0, vfma(vlow(x), p1, vmul(vhigh(x), q1)))  # bit 1: lanes 0, 1 with 2, 3


@compiled
def _class_weights(Mk, T, W):
    """W[e nc + c] = the sum of the masks of row e nc + c (T: `multidim_tables.with_class_lists`'
    lists), each from +0.0 in increasing mask as the scatter `W[row_of[m]] += Mk[m]` adds them:
    four linked patterns in the lanes of a vector while class c's masks go by (the four masks
    of a base loaded into one vector), the sums stored once. Per four masks one index and four
    masks loaded, where the scatter loaded four indices, masks and sums and stored four sums."""
    nlink, nc = T[0], T[1]
    off, starts, bases = T[2 : 2 + nlink], T[2 + nlink : 3 + nlink + nc], T[3 + nlink + nc :]
    for e4 in range(0, nlink, 4):
        o0, o1, o2, o3 = off[e4], off[e4 + 1], off[e4 + 2], off[e4 + 3]
        W0, W1, W2, W3 = W[e4 * nc :], W[(e4 + 1) * nc :], W[(e4 + 2) * nc :], W[(e4 + 3) * nc :]
        pairs = o1 == o0 + 1 and o3 == o2 + 1  # two loads of two neighbours (bit 0 linked)
        for c in range(nc):
            a = vzero()
            if pairs:
                for j in range(starts[c], starts[c + 1]):
                    m = bases[U(j)]
                    a = vadd(a, vpairs(Mk, U(m + o0), U(m + o2)))
            else:
                for j in range(starts[c], starts[c + 1]):
                    m = bases[U(j)]
                    a = vadd(a, vset(Mk[U(m + o0)], Mk[U(m + o1)], Mk[U(m + o2)], Mk[U(m + o3)]))
            W0[c], W1[c], W2[c], W3[c] = vlane(a, 0), vlane(a, 1), vlane(a, 2), vlane(a, 3)


@compiled
def flip_masks(Mk, gain, loss, row_of, W):
    """Each indicator's own yearly gain and loss: one butterfly per bit (the two halves of each
    block of 2 * 2**j masks are the masks without and with bit j); first the masks before the
    flips summed by row_of into W (`flip_incomes`' weights, each from +0.0 in increasing mask):
    by class (`_class_weights`) when row_of carries its lists by class
    (`multidim_tables.with_class_lists`), else as a scatter in `_flip_low`'s pass with bits 0
    and 1; bits 0 .. 3 in `_flip_four8`; then two bits per pass in vectors of eight masks
    (`_flip_pair8`), other bits one per pass (`_butterfly`)."""
    n, nb = Mk.shape[0], gain.shape[0]
    j0 = 2
    if row_of.shape[0] > n and nb >= 4 and n % 16 == 0:
        _class_weights(Mk, row_of[n:], W)
        _flip_four8(Mk.reshape((n // 8, 8)), gain, loss)
        j0 = 4
    elif row_of.shape[0] > n:  # fewer than four bits
        _class_weights(Mk, row_of[n:], W)
        j0 = 0
    else:
        W[:] = 0.0
        _flip_low(Mk, gain, loss, row_of, W)
    j = j0
    while j < nb:
        if j >= 3 and j + 1 < nb and n % 8 == 0:
            _flip_pair8(Mk.reshape((n // 8, 8)), gain[j], loss[j], gain[j + 1], loss[j + 1], 1 << j)
            j += 2
            continue
        a, lo, h = gain[j], loss[j], 1 << j
        V = Mk.reshape((n >> (j + 1), 2, h))
        for r in range(V.shape[0]):
            _butterfly(V[r, 0], V[r, 1], 1.0 - a, lo, a, 1.0 - lo)
        j += 1


@compiled
def _low3(m, P):
    """Eight masks m through the butterflies of bits 0, 1 and 2, the lanes paired by shuffles
    (P: `_flip_four8`'s coefficients by lane; bit 2 pairs lanes 0 .. 3 with 4 .. 7)."""
    x = v8fma(v8even(m), v8load(P, 0, 0), v8mul(v8odd(m), v8load(P, 1, 0)))
    x = v8fma(v8low(x), v8load(P, 2, 0), v8mul(v8high(x), v8load(P, 3, 0)))
    return v8fma(v8lo4(x), v8load(P, 4, 0), v8mul(v8hi4(x), v8load(P, 5, 0)))


@compiled
def _flip_four8(M8, gain, loss):
    """The butterflies of bits 0 .. 3 in one pass (M8 the masks by eight, two vectors a block of
    16): each vector through bits 0, 1 and 2 (`_low3`), then the two as the halves of bit 3, each
    mask read and written once. Lane by lane the new mask of each bit is `u * p + v * q` as the
    compiled scalar code computes it (the first product fused with the sum, the second rounded),
    the same operations in the same order as one `_butterfly` per bit."""
    P = np.empty((6, 8))  # lane k: the coefficients of mask k's own value and its partner's
    for k in range(8):
        for j in range(3):
            on = (k >> j) & 1
            P[2 * j, k] = gain[j] if on else 1.0 - gain[j]
            P[2 * j + 1, k] = 1.0 - loss[j] if on else loss[j]
    c, lc = gain[3], loss[3]
    q00, q10, q01, q11 = v8bcast(1.0 - c), v8bcast(lc), v8bcast(c), v8bcast(1.0 - lc)
    for r in range(M8.shape[0] // 2):
        i = 2 * r
        y0, y1 = _low3(v8load(M8, i, 0), P), _low3(v8load(M8, i + 1, 0), P)
        v8store(M8, i, 0, v8fma(y0, q00, v8mul(y1, q10)))
        v8store(M8, i + 1, 0, v8fma(y0, q01, v8mul(y1, q11)))


@compiled
def _flip_pair8(M8, a, lo, c, lc, h):
    """The butterflies of bits j and j + 1 (h = 2**j >= 8; M8 the masks by eight) in one pass:
    each block of 4h masks as quarters (without and with bit j, then bit j + 1), eight masks of
    each in vector registers through both bits, as `_butterfly` (x0 p00 + x1 p10: the second
    product rounded, the first fused with the sum); vectors of four before (`## mdkern`)."""
    p00, p10, p01, p11 = v8bcast(1.0 - a), v8bcast(lo), v8bcast(a), v8bcast(1.0 - lo)
    q00, q10, q01, q11 = v8bcast(1.0 - c), v8bcast(lc), v8bcast(c), v8bcast(1.0 - lc)
    v = h // 8  # vectors per quarter
    for r in range(M8.shape[0] // (4 * v)):
        for i in range(r * 4 * v, r * 4 * v + v):
            u0, u1, u2, u3 = v8load(M8, i, 0), v8load(M8, i + v, 0), v8load(M8, i + 2 * v, 0), v8load(M8, i + 3 * v, 0)
            y0, y1 = v8fma(u0, p00, v8mul(u1, p10)), v8fma(u0, p01, v8mul(u1, p11))
            y2, y3 = v8fma(u2, p00, v8mul(u3, p10)), v8fma(u2, p01, v8mul(u3, p11))
            v8store(M8, i, 0, v8fma(y0, q00, v8mul(y2, q10)))
            v8store(M8, i + 2 * v, 0, v8fma(y0, q01, v8mul(y2, q11)))
            v8store(M8, i + v, 0, v8fma(y1, q00, v8mul(y3, q10)))
            v8store(M8, i + 3 * v, 0, v8fma(y1, q01, v8mul(y3, q11)))


@compiled
def _butterfly(x0, x1, p00, p10, p01, p11):
    """x0, x1 = x0 * p00 + x1 * p10, x0 * p01 + x1 * p11, element by element. A function of its
    own: the same loop written inline over the views of a reshaped block ran about twice as
    slow (measured: 1.25 against 0.55 us per bit of 4,096 masks)."""
    for i in range(x0.shape[0]):
        u, v = x0[i], x1[i]
        x0[i] = u * p00 + v * p10
        x1[i] = u * p01 + v * p11
