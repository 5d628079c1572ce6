"""The income kernel of the compiled multidimensional expected engine (`simlib.engines.multidim_jit`):
a cell-state's households by (key, income bin) after a year's income growth, volatility and shocks,
H3 = H2 @ kernel of the group's area, the kernel held as bands (`simlib.multidim.income.band`) in
dense rows (`simlib.engines.multidim_tables`). Called by `multidim_cell_kernels.own_changes`.

Four rows go in tiles of 4 x 16 sums held in vector registers (`_kernel_tiles`, with
`multidim_numba`'s `Vec4`) while the source bins go by: 16 multiply-adds per 8 loads and no
load or store of a sum in the loop (19.0 -> 15.6 us per cell-state in cache on `multidim_2030`;
the loops below store every sum once per four source bins). The rows go in blocks of four of
about the same bins (sorted by their first bin, `_sorted_blocks`): each block's source bins are the
union of its rows' spans, so a block of rows alike computes fewer terms of zero (on
`multidim_2030` 277 k -> 234 k multiply-adds per cell-state; the same bits).

Inner loops run over views from index 0 (`for i in range(n): x[i]` on `x = row[b0 : b1]`), not
over `range(b0, b1)`: numba checks every index for a negative value (wraparound) and only a
loop counter starting at 0 lets the compiler drop that check and use vector instructions. Each
element still receives the same operations in the same order, so the results are the same to
the bit.
"""

from __future__ import annotations

import numpy as np

from simlib.engines.multidim_numba import (
    U,
    compiled,
    support,
    vbcast,
    vflush,
    vfma,
    vlane,
    vload,
    vload2,
    vpair,
    vstore,
    vzero,
)
from simlib.engines.multidim_vec8 import v8bcast, v8flush, v8fma, v8load, v8store, v8zero

#: households below this in one (key, income bin) are set to zero after the income kernel: far
#: tails of the income distributions (more than 190 orders of magnitude below a household) whose
#: products would otherwise become subnormal numbers, which processors handle a hundred times
#: slower; the results do not change in any digit a float64 holds
TINY = 1e-200


@compiled
def income_kernel(H2, H3, valid, kern, span):
    """`tiled_kernel` with kern = (k_lo, k_hi, k_out, dense) and the tiles of its bands
    (`tiles_of`); the engine passes the tiles made once per model (`multidim_tables`)."""
    tiled_kernel(H2, H3, valid, kern + (tiles_of(kern[0], kern[1], H2.shape[1]),), span)


@compiled
def tiles_of(k_lo, k_hi, B):
    """(B / 16, 2) the first and one past the last source bin whose band (k_lo, k_hi) reaches each
    tile of 16 columns (`_kernel_tiles`; (0, 0) for none): the kernel's dense rows are zero
    outside their band. No tiles ((0, 2)) when B is not a multiple of 16."""
    T = B // 16 if B % 16 == 0 else 0
    tiles = np.zeros((T, 2), dtype=np.int64)
    for t in range(T):
        first, last = B, -1
        for b in range(B):
            if k_lo[b] < 16 * t + 16 and k_hi[b] > 16 * t and k_hi[b] > k_lo[b]:
                first, last = min(first, b), b
        if last >= 0:
            tiles[t, 0], tiles[t, 1] = first, last + 1
    return tiles


@compiled
def tiled_kernel(H2, H3, valid, kern, span):
    """H3 = H2 @ kernel, kern = (k_lo, k_hi, k_out, dense, tiles), over the valid rows' nonzero
    bins (invalid rows of H3 are 0); entries below TINY become 0. With tiles (B a multiple of
    16) the rows go in blocks of four of about the same bins (`_sorted_blocks`) through
    `_kernel_tiles`, tile by tile; otherwise in blocks of four consecutive rows (`_row_blocks`).
    Every entry adds its terms in increasing source bin, each as one multiply-add, the two outer
    columns in sums of their own: the dense rows and the bins outside a row's own span only add
    exact zeros (a zero product leaves a sum of non-negative terms unchanged, and zeros are
    flushed), so the rows' grouping does not change a bit."""
    tiled_kernel_in(H2, H3, valid, kern, span, 0, H2.shape[1])


@compiled
def tiled_kernel_in(H2, H3, valid, kern, span, B0, B1):
    """`tiled_kernel` of H2 whose valid rows hold nothing outside bins B0 .. B1 - 1
    (`multidim_flip_kernels.flip_incomes`' union of bins): with tiles those rows are read only
    there (their spans found inside, the zeros around neither scanned nor needed), and each entry
    of H3 is written once (a tile's sums flushed in registers, tiles of no source bin and rows
    of no block as zeros) instead of zeroed, written and flushed in three passes; without tiles
    the rows are read whole (zeros outside required)."""
    k_lo, k_hi, k_out, dense, tiles = kern
    NK, B = H2.shape
    if tiles.shape[0] == 0:
        H3[:, :] = 0.0
        _row_blocks(H2, H3, valid, k_lo, k_hi, k_out, dense, span)
        for q in range(NK):  # far tails: flushed before products of them turn subnormal (slow)
            for b in range(B):
                if H3[q, b] < TINY:
                    H3[q, b] = 0.0
        return
    blocks = np.empty((NK // 4 + 1, 6), dtype=np.int64)
    nbl = _sorted_blocks(H2, H3, valid, span, blocks, (B0, max(B1, B0)))
    NT = tiles.shape[0]
    for i in range(nbl):
        r0, r1, r2, r3, c0, c1 = blocks[i, 0], blocks[i, 1], blocks[i, 2], blocks[i, 3], blocks[i, 4], blocks[i, 5]
        t = 0
        while t < NT:
            b0, b1 = max(c0, tiles[t, 0]), min(c1, tiles[t, 1])
            e0, e1 = (max(c0, tiles[t + 1, 0]), min(c1, tiles[t + 1, 1])) if t + 1 < NT else (0, 0)
            if b1 > b0 and e1 > e0:  # two tiles at once over the union of their source bins
                _kernel_tiles8(H2, H3, r0, r1, r2, r3, min(b0, e0), max(b1, e1), 16 * t, dense)
                t += 2
                continue
            if b1 > b0:  # a tile alone (the last of an odd count): in vectors of eight too
                _kernel_tile8(H2, H3, r0, r1, r2, r3, b0, b1, 16 * t, dense)
            else:
                z = vzero()
                _store4(H3, r3, 16 * t, z, z, z, z)
                _store4(H3, r2, 16 * t, z, z, z, z)
                _store4(H3, r1, 16 * t, z, z, z, z)
                _store4(H3, r0, 16 * t, z, z, z, z)
            t += 1
    for i in range(0, nbl, 2):  # after the tiles: their outer columns are sums of zeros
        _outer8(H2, H3, blocks[i], blocks[min(i + 1, nbl - 1)], k_out)


@compiled
def _sorted_blocks(H2, H3, valid, span, blocks, bins):
    """The valid rows with households in blocks of four (nbl, 6): the rows (a last block short of
    four repeats its last row: the same sums, stored twice), then the union of their spans;
    the rows go in increasing first bin (then last), so that a block's rows share their bins
    (`tiles_of`' ranges then cut the most); the rows of H3 of no block are set to zero. Returns
    the number of blocks; span (NK, 2) is scratch (each valid row's span within bins = (B0,
    B1), the invalid rows not read: entry by entry from both ends, inline; the rows after the
    flips fill the bins but for 0-3 entries at each end, and `multidim_flip_kernels.widen`'s
    eight entries a test and its call cost 1.2 of this function's 1.5 us per cell-state on
    `multidim_2030`; with `support` over every row it took 3.6)."""
    NK = H2.shape[0]
    B0, B1 = bins
    n = 0
    for q in range(NK):  # an invalid row is left out unread; a row of zeros gets an empty span
        lo = hi = B0
        if valid[q]:
            hi = B1
            while lo < hi and H2[q, U(lo)] == 0.0:
                lo += 1
            while hi > lo and H2[q, U(hi - 1)] == 0.0:
                hi -= 1
        span[q, 0], span[q, 1] = lo, hi
    order = np.empty(NK, dtype=np.int64)
    for q in range(NK):
        if not valid[q] or span[q, 1] <= span[q, 0]:
            H3[q, :] = 0.0
            continue
        i = n  # insertion into the order by (first, last bin)
        while i > 0 and (span[order[i - 1], 0], span[order[i - 1], 1]) > (span[q, 0], span[q, 1]):
            order[i] = order[i - 1]
            i -= 1
        order[i], n = q, n + 1
    nbl = (n + 3) // 4
    for i in range(nbl):
        c0, c1 = H2.shape[1], 0
        for j in range(4):
            q = order[min(4 * i + j, n - 1)]
            blocks[i, j] = q
            c0, c1 = min(c0, span[q, 0]), max(c1, span[q, 1])
        blocks[i, 4], blocks[i, 5] = c0, c1
    return nbl


@compiled
def _row_blocks(H2, H3, valid, k_lo, k_hi, k_out, dense, span):
    """H3 += H2 @ kernel without tiles (B not a multiple of 16), rows in blocks of four
    consecutive rows over the block's nonzero bins of valid rows: four at once (`_kernel_rows`)
    when three or more hold households, else a row alone (`_kernel_row`); invalid rows stay 0."""
    NK, B = H2.shape
    for q0 in range(0, NK, 4):
        q1 = min(q0 + 4, NK)
        b0, b1 = B, 0
        for q in range(q0, q1):
            lo, hi = support(H2[q])
            span[q, 0], span[q, 1] = lo, hi
            if valid[q] and hi > lo:
                b0, b1 = min(b0, lo), max(b1, hi)
        c0, c1, full = B, 0, 0
        for q in range(q0, q1):  # the rows' own bins within the block's
            span[q, 0], span[q, 1] = max(span[q, 0], b0), min(span[q, 1], b1)
            if span[q, 1] > span[q, 0]:
                c0, c1, full = min(c0, span[q, 0]), max(c1, span[q, 1]), full + 1
        if full >= 3 and q1 - q0 == 4:  # four rows at once: 27 -> 22.5 us per cell-state
            _outer4(H2, H3, np.array([q0, q0 + 1, q0 + 2, q0 + 3, c0, c1]), k_out)
            _kernel_rows(H2, H3, q0, c0, c1, k_lo, k_hi, dense)
        else:
            for q in range(q0, q1):
                if span[q, 1] > span[q, 0]:
                    _outer(H2[q], H3[q], span[q, 0], span[q, 1], k_out)
                    _kernel_row(H2[q], H3[q], span[q, 0], span[q, 1], k_lo, k_hi, dense)
        for q in range(q0, q1):
            if not valid[q]:
                H3[q, :] = 0.0


@compiled
def _outer(h, dst, lo, hi, k_out):
    """The outer columns 0 and B - 1 of row h @ kernel: sums of h's bins lo .. hi - 1 in order."""
    a0 = a1 = 0.0
    hr, ko = h[lo:hi], k_out[lo:hi]
    for i in range(hi - lo):
        a0 += hr[i] * ko[i, 0]
        a1 += hr[i] * ko[i, 1]
    dst[0], dst[dst.shape[0] - 1] = a0, a1


@compiled
def _outer4(H2, H3, block, k_out):
    """`_outer` of the block's rows block[:4] over bins block[4] .. block[5] - 1 (the union of
    their spans: the others' bins add zeros) in one loop: eight independent sums instead of two
    chains of additions at a time (income kernel 23.3 -> 22.0 us per cell-state in cache)."""
    r0, r1, r2, r3, lo, hi = block[0], block[1], block[2], block[3], block[4], block[5]
    h0, h1, h2, h3, ko = H2[r0, lo:hi], H2[r1, lo:hi], H2[r2, lo:hi], H2[r3, lo:hi], k_out[lo:hi]
    a0 = a1 = b0 = b1 = c0 = c1 = d0 = d1 = 0.0
    for i in range(hi - lo):
        k0, k1 = ko[i, 0], ko[i, 1]
        a0 += h0[i] * k0
        a1 += h0[i] * k1
        b0 += h1[i] * k0
        b1 += h1[i] * k1
        c0 += h2[i] * k0
        c1 += h2[i] * k1
        d0 += h3[i] * k0
        d1 += h3[i] * k1
    B = H3.shape[1]
    H3[r3, 0], H3[r2, 0], H3[r1, 0], H3[r0, 0] = d0, c0, b0, a0  # a repeated row: the same sums
    H3[r3, B - 1], H3[r2, B - 1], H3[r1, B - 1], H3[r0, B - 1] = d1, c1, b1, a1


@compiled
def _outer8(H2, H3, bl, bm, k_out):
    """`_outer4` of two blocks (bl, bm; the same block twice for an odd last one: the same sums,
    stored twice) over the union of their bins (the others' bins add zeros), flushed below TINY
    as stored: each row's two sums
    side by side in a vector (two rows a vector, both outer columns of `k_out` loaded as one
    pair), four vectors of sums in registers: the 16 multiply-adds of a bin in 4 vector
    instructions instead of 16 scalar ones, each sum in increasing bin as in `_outer4`."""
    r0, r1, r2, r3, s0, s1, s2, s3 = bl[0], bl[1], bl[2], bl[3], bm[0], bm[1], bm[2], bm[3]
    lo, hi = min(bl[4], bm[4]), max(bl[5], bm[5])
    h0, h1, h2, h3 = H2[r0, lo:hi], H2[r1, lo:hi], H2[r2, lo:hi], H2[r3, lo:hi]
    g0, g1, g2, g3 = H2[s0, lo:hi], H2[s1, lo:hi], H2[s2, lo:hi], H2[s3, lo:hi]
    a, b, c, d = vzero(), vzero(), vzero(), vzero()
    for i in range(hi - lo):  # views from 0: see the module docstring
        k = vload2(k_out, lo + i, 0)
        a, b = vfma(vpair(h0[i], h1[i]), k, a), vfma(vpair(h2[i], h3[i]), k, b)
        c, d = vfma(vpair(g0[i], g1[i]), k, c), vfma(vpair(g2[i], g3[i]), k, d)
    B = H3.shape[1]
    for w, q0, q1 in ((d, s2, s3), (c, s0, s1), (b, r2, r3), (a, r0, r1)):  # repeated rows: the same sums
        v = vflush(w, TINY)
        H3[q1, 0], H3[q1, B - 1], H3[q0, 0], H3[q0, B - 1] = vlane(v, 2), vlane(v, 3), vlane(v, 0), vlane(v, 1)


@compiled
def _kernel_rows(H2, H3, q, b, b1, k_lo, k_hi, dense):
    """Rows q .. q + 3 of H3 += H2 @ kernel over source bins b .. b1 - 1 (the union of the four
    rows' spans: the others' bins add zeros), four bins per pass over the columns their bands
    cover: one load of each kernel entry for four rows, one load and store of an entry per four
    multiply-adds (each entry adds its terms in increasing source bin)."""
    h0, h1, h2, h3 = H2[q], H2[q + 1], H2[q + 2], H2[q + 3]
    e0, e1, e2, e3 = H3[q], H3[q + 1], H3[q + 2], H3[q + 3]
    while b + 4 <= b1:
        lo = min(min(k_lo[b], k_lo[b + 1]), min(k_lo[b + 2], k_lo[b + 3]))
        hi = max(max(k_hi[b], k_hi[b + 1]), max(k_hi[b + 2], k_hi[b + 3]))
        x0, x1, x2, x3 = h0[b], h0[b + 1], h0[b + 2], h0[b + 3]
        y0, y1, y2, y3 = h1[b], h1[b + 1], h1[b + 2], h1[b + 3]
        z0, z1, z2, z3 = h2[b], h2[b + 1], h2[b + 2], h2[b + 3]
        w0, w1, w2, w3 = h3[b], h3[b + 1], h3[b + 2], h3[b + 3]
        d0, d1, d2, d3 = e0[lo:hi], e1[lo:hi], e2[lo:hi], e3[lo:hi]
        r0, r1, r2, r3 = dense[b, lo:hi], dense[b + 1, lo:hi], dense[b + 2, lo:hi], dense[b + 3, lo:hi]
        for i in range(hi - lo):  # views from 0: see the module docstring
            k0, k1, k2, k3 = r0[i], r1[i], r2[i], r3[i]
            d0[i] = d0[i] + x0 * k0 + x1 * k1 + x2 * k2 + x3 * k3
            d1[i] = d1[i] + y0 * k0 + y1 * k1 + y2 * k2 + y3 * k3
            d2[i] = d2[i] + z0 * k0 + z1 * k1 + z2 * k2 + z3 * k3
            d3[i] = d3[i] + w0 * k0 + w1 * k1 + w2 * k2 + w3 * k3
        b += 4
    while b < b1:
        lo, hi, x0, y0, z0, w0 = k_lo[b], k_hi[b], h0[b], h1[b], h2[b], h3[b]
        d0, d1, d2, d3, r0 = e0[lo:hi], e1[lo:hi], e2[lo:hi], e3[lo:hi], dense[b, lo:hi]
        for i in range(hi - lo):
            k0 = r0[i]
            d0[i] += x0 * k0
            d1[i] += y0 * k0
            d2[i] += z0 * k0
            d3[i] += w0 * k0
        b += 1


@compiled
def _kernel_row(h, dst, b0, b1, k_lo, k_hi, dense):
    """dst += h[b] x kernel row b for b = b0 .. b1 - 1 in order, four source bins per pass over
    the columns their bands cover (`k_lo`, `k_hi`; each column adds its four terms in order)."""
    b = b0
    while b + 4 <= b1:
        lo = min(min(k_lo[b], k_lo[b + 1]), min(k_lo[b + 2], k_lo[b + 3]))
        hi = max(max(k_hi[b], k_hi[b + 1]), max(k_hi[b + 2], k_hi[b + 3]))
        x0, x1, x2, x3 = h[b], h[b + 1], h[b + 2], h[b + 3]
        d, r0, r1, r2, r3 = dst[lo:hi], dense[b, lo:hi], dense[b + 1, lo:hi], dense[b + 2, lo:hi], dense[b + 3, lo:hi]
        for i in range(hi - lo):  # a view from 0: see the module docstring
            y = d[i]
            y += x0 * r0[i]
            y += x1 * r1[i]
            y += x2 * r2[i]
            y += x3 * r3[i]
            d[i] = y
        b += 4
    while b < b1:
        lo, hi, x = k_lo[b], k_hi[b], h[b]
        d, r0 = dst[lo:hi], dense[b, lo:hi]
        for i in range(hi - lo):
            d[i] += x * r0[i]
        b += 1


@compiled
def _kernel_tiles(H2, H3, r0, r1, r2, r3, b0, b1, j, dense):
    """The block's rows block[:4] of H3 = H2 @ kernel in the tile of 16 columns j .. j + 15 over
    source bins block[4] .. block[5] - 1 within the tile's tile[0] .. tile[1] - 1 (the kernel
    rows of the others are zero there): the tile's 4 x 16 sums stay in 16 vector registers while
    the source bins go by in increasing order, each term one fused multiply-add as in
    `_kernel_rows`. Terms of zero (a bin outside a row's span or a column outside a bin's band)
    leave a sum unchanged, so every entry gets the bits of `_kernel_rows`. The sums are flushed
    below TINY as they are stored (`vflush`: the flush pass of `tiled_kernel`'s other path)."""
    a0 = a1 = a2 = a3 = b0v = b1v = b2v = b3v = vzero()
    c0v = c1v = c2v = c3v = d0v = d1v = d2v = d3v = vzero()
    for b in range(b0, b1):
        k0, k1, k2, k3 = vload(dense, b, j), vload(dense, b, j + 4), vload(dense, b, j + 8), vload(dense, b, j + 12)
        x = vbcast(H2[r0, b])
        a0, a1, a2, a3 = vfma(x, k0, a0), vfma(x, k1, a1), vfma(x, k2, a2), vfma(x, k3, a3)
        x = vbcast(H2[r1, b])
        b0v, b1v, b2v, b3v = vfma(x, k0, b0v), vfma(x, k1, b1v), vfma(x, k2, b2v), vfma(x, k3, b3v)
        x = vbcast(H2[r2, b])
        c0v, c1v, c2v, c3v = vfma(x, k0, c0v), vfma(x, k1, c1v), vfma(x, k2, c2v), vfma(x, k3, c3v)
        x = vbcast(H2[r3, b])
        d0v, d1v, d2v, d3v = vfma(x, k0, d0v), vfma(x, k1, d1v), vfma(x, k2, d2v), vfma(x, k3, d3v)
    _store4(H3, r3, j, vflush(d0v, TINY), vflush(d1v, TINY), vflush(d2v, TINY), vflush(d3v, TINY))
    _store4(H3, r2, j, vflush(c0v, TINY), vflush(c1v, TINY), vflush(c2v, TINY), vflush(c3v, TINY))
    _store4(H3, r1, j, vflush(b0v, TINY), vflush(b1v, TINY), vflush(b2v, TINY), vflush(b3v, TINY))
    _store4(H3, r0, j, vflush(a0, TINY), vflush(a1, TINY), vflush(a2, TINY), vflush(a3, TINY))


@compiled
def _kernel_tiles8(H2, H3, r0, r1, r2, r3, b0, b1, j, dense):
    """`_kernel_tiles` of two neighbouring tiles at once (32 columns j .. j + 31, in vectors of
    eight: `multidim_vec8`) over the union b0 .. b1 - 1 of their source bins: a bin outside one
    tile's own bins has a zero kernel row there and adds exact zeros to its sums, so every entry
    gets the bits of `_kernel_tiles` (16 multiply-adds of eight lanes a source bin instead of
    16 of four: the income kernel 14.3 -> 10.5 ms of one thread's CPU a year of `multidim_2030`
    on an AMD EPYC with 512-bit registers, every entry the same bits)."""
    a0 = a1 = a2 = a3 = e0 = e1 = e2 = e3 = v8zero()
    c0 = c1 = c2 = c3 = d0 = d1 = d2 = d3 = v8zero()
    for b in range(b0, b1):
        k0, k1 = v8load(dense, b, j), v8load(dense, b, j + 8)
        k2, k3 = v8load(dense, b, j + 16), v8load(dense, b, j + 24)
        x = v8bcast(H2[r0, b])
        a0, a1, a2, a3 = v8fma(x, k0, a0), v8fma(x, k1, a1), v8fma(x, k2, a2), v8fma(x, k3, a3)
        x = v8bcast(H2[r1, b])
        e0, e1, e2, e3 = v8fma(x, k0, e0), v8fma(x, k1, e1), v8fma(x, k2, e2), v8fma(x, k3, e3)
        x = v8bcast(H2[r2, b])
        c0, c1, c2, c3 = v8fma(x, k0, c0), v8fma(x, k1, c1), v8fma(x, k2, c2), v8fma(x, k3, c3)
        x = v8bcast(H2[r3, b])
        d0, d1, d2, d3 = v8fma(x, k0, d0), v8fma(x, k1, d1), v8fma(x, k2, d2), v8fma(x, k3, d3)
    for q, w0, w1, w2, w3 in ((r3, d0, d1, d2, d3), (r2, c0, c1, c2, c3), (r1, e0, e1, e2, e3), (r0, a0, a1, a2, a3)):
        v8store(H3, q, j, v8flush(w0, TINY))
        v8store(H3, q, j + 8, v8flush(w1, TINY))
        v8store(H3, q, j + 16, v8flush(w2, TINY))
        v8store(H3, q, j + 24, v8flush(w3, TINY))


@compiled
def _kernel_tile8(H2, H3, r0, r1, r2, r3, b0, b1, j, dense):
    """`_kernel_tiles` (one tile of 16 columns j .. j + 15, the block's four rows) in vectors of
    eight: two a row, eight sums in registers, 8 multiply-adds of eight lanes a source bin instead
    of 16 of four; lane by lane the same multiply-adds in the same order from +0.0, flushed as
    stored: the same bits. On `multidim_2030` (B 112, seven tiles) the seventh tile goes alone
    after three pairs (`_kernel_tiles8`) over the widest source bins (12 .. 112)."""
    a0 = a1 = c0 = c1 = e0 = e1 = d0 = d1 = v8zero()
    for b in range(b0, b1):
        k0, k1 = v8load(dense, b, j), v8load(dense, b, j + 8)
        x = v8bcast(H2[r0, b])
        a0, a1 = v8fma(x, k0, a0), v8fma(x, k1, a1)
        x = v8bcast(H2[r1, b])
        e0, e1 = v8fma(x, k0, e0), v8fma(x, k1, e1)
        x = v8bcast(H2[r2, b])
        c0, c1 = v8fma(x, k0, c0), v8fma(x, k1, c1)
        x = v8bcast(H2[r3, b])
        d0, d1 = v8fma(x, k0, d0), v8fma(x, k1, d1)
    for q, w0, w1 in ((r3, d0, d1), (r2, c0, c1), (r1, e0, e1), (r0, a0, a1)):  # repeated rows: the same sums
        v8store(H3, q, j, v8flush(w0, TINY))
        v8store(H3, q, j + 8, v8flush(w1, TINY))


@compiled
def _store4(H3, q, j, v0, v1, v2, v3):
    """H3[q, j : j + 16] = the four vectors."""
    vstore(H3, q, j, v0)
    vstore(H3, q, j + 4, v1)
    vstore(H3, q, j + 8, v2)
    vstore(H3, q, j + 12, v3)
