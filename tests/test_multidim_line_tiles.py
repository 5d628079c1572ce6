"""The lines' one-pass forms (`multidim_line_tiles`, issue 18) against the passes they replace in
`multidim_line_kernels`: a line's table and masks (`table_clear3`, `table_clear12` against
`_line_table` and `_clear_masks`, the same bits) and the moves of incomes without an income
effect (`pull_moves` against `_move_incomes`' scratch rows: the same sums in another order, to
rounding); since mdlines4 `pull_diag` against `pull_shift` and `pull_moves` against its form
before, bit for bit."""

from __future__ import annotations

import numpy as np
import pytest

from simlib.engines import multidim_jit
from simlib.engines import multidim_line_kernels as lines
from simlib.engines import multidim_line_tiles as tiles
from simlib.engines.multidim_numba import compiled, vbcast, vfma, vload, vmul, vstore

pytestmark = pytest.mark.skipif(not multidim_jit.available(), reason="numba not installed")

NM, NK = 4096, 12


def _masks(rng) -> np.ndarray:
    """Households by mask: a third of the masks empty, the rest of every size."""
    Mk = rng.uniform(0.0, 3.0, NM) * 10.0 ** rng.integers(-6, 2, NM)
    Mk[rng.random(NM) < 0.3] = 0.0
    return Mk


@pytest.mark.parametrize(("bits", "seed"), [((5, 8, 9), 0), ((2, 3, 11), 1), ((4, 7, 10), 2)])
def test_table_clear3_gives_the_bits_of_the_passes(bits, seed):
    rng = np.random.default_rng(seed)
    Mk = _masks(rng)
    bitpos = np.zeros(12, dtype=np.int64)
    bitpos[:3] = bits
    masks = np.arange(NM)
    pat = sum(((masks >> j) & 1) << i for i, j in enumerate(bits)).astype(np.int64)
    cell = rng.integers(0, NK, NM) * 8 + pat
    valid = rng.random(NK) < 0.9
    c, r = 0.37, 0.61
    assert tiles.fits(False, 3, bitpos) and not tiles.fits(True, 3, bitpos)
    want_T, want_s, want_M = np.full((NK, 8), -1.0), np.empty(NK), Mk.copy()
    lines._line_table(want_M, c, False, cell, valid, 8, want_T, want_s)
    lines._clear_masks(want_M, c, r, False, pat, bitpos, 3, np.empty(NM))
    got_T, got_s, got_M = np.zeros((NK, 8)), np.empty(NK), Mk.copy()
    tiles.table_clear3(got_M, c, r, cell, bitpos, got_T.reshape(-1))
    lines._table_scale(got_T, c, False, valid, 8, got_s)
    assert got_M.tobytes() == want_M.tobytes()
    assert got_T.tobytes() == want_T.tobytes() and got_s.tobytes() == want_s.tobytes()
    by_mask = np.zeros(NK * 8)  # the scatter (unsigned indices since mdlines5) mask after mask
    np.add.at(by_mask, cell, Mk)
    got_T = np.zeros(NK * 8)
    tiles.table_clear3(Mk.copy(), c, r, cell, bitpos, got_T)
    assert got_T.tobytes() == by_mask.tobytes()


@pytest.mark.parametrize(
    ("bits", "targeted", "seed"),
    [
        ((2,), False, 0),
        ((6,), True, 1),
        ((6, 7), True, 2),
        ((10, 11), True, 3),
        ((2, 9), False, 4),
        ((0,), False, 5),  # a first indicator at bit 0 or 1: in vectors of four masks (mdlines7)
        ((1,), True, 6),
        ((0,), True, 1),
        ((1,), False, 2),
        ((0, 4), False, 3),  # multidim_2030's line 5
        ((0, 4), True, 4),
        ((1, 5), False, 5),
        ((1, 2), True, 6),
        ((0, 2), False, 7),
        ((0, 11), True, 8),
    ],
)
def test_table_clear12_gives_the_bits_of_the_passes(bits, targeted, seed):
    rng = np.random.default_rng(seed)
    Mk = _masks(rng)
    nb, NP = len(bits), 1 << len(bits)
    bitpos = np.zeros(12, dtype=np.int64)
    bitpos[:nb] = bits
    masks = np.arange(NM)
    pat = sum(((masks >> j) & 1) << i for i, j in enumerate(bits)).astype(np.int64)
    cell = rng.integers(0, NK, NM) * NP + pat
    valid = rng.random(NK) < 0.9
    c, r = 0.37, 0.61
    assert tiles.fits(targeted, nb, bitpos)
    want_T, want_s, want_M = np.full((NK, NP), -1.0), np.empty(NK), Mk.copy()
    lines._line_table(want_M, c, targeted, cell, valid, NP, want_T, want_s)
    lines._clear_masks(want_M, c, r, targeted, pat, bitpos, nb, np.empty(NM))
    got_T, got_s, got_M = np.zeros((NK, NP)), np.empty(NK), Mk.copy()
    tiles.table_clear(got_M, c, r, targeted, nb, cell, bitpos, got_T.reshape(-1))
    lines._table_scale(got_T, c, targeted, valid, NP, got_s)
    assert got_M.tobytes() == want_M.tobytes()
    assert got_T.tobytes() == want_T.tobytes() and got_s.tobytes() == want_s.tobytes()
    by_mask = np.zeros(NK * NP)  # the scatter (unsigned indices since mdlines5) mask after mask
    np.add.at(by_mask, cell, Mk)
    got_T = np.zeros(NK * NP)
    tiles.table_clear(Mk.copy(), c, r, targeted, nb, cell, bitpos, got_T)
    assert got_T.tobytes() == by_mask.tobytes()


def test_two_low_bits_do_not_fit():
    bitpos = np.zeros(12, dtype=np.int64)
    bitpos[:2] = (0, 1)
    assert not tiles.fits(False, 2, bitpos)


def _operator(rng, B: int):
    """Incomes H (NK, B) with zero rows and gaps, the shares reached, and a sparse operator by
    rows (each row's columns at or below it, increasing; some entries zero)."""
    H = rng.uniform(0.0, 5.0, (NK, B)) * (rng.random((NK, B)) < 0.6)
    H[3] = 0.0
    scale = rng.uniform(0.0, 1.0, NK) * (rng.random(NK) < 0.8)
    A, cols, cnt = np.zeros((NK, NK)), np.zeros((NK, NK), dtype=np.int64), np.zeros(NK, dtype=np.int64)
    for x in range(NK):
        cs = sorted({x, *rng.integers(0, x + 1, 2).tolist()})
        cnt[x], cols[x, : len(cs)], A[x, : len(cs)] = len(cs), cs, rng.uniform(0.0, 1.0, len(cs))
    A[5, 0] = 0.0
    return H, scale, (A, cols, cnt)


def _pull_work(B: int, W: int = 4) -> tuple:
    """`_move_incomes`' scratch for its one-pass moves (as `_sparse_work`'s last part)."""
    extra = (np.empty(B * W, np.int64), np.empty(B * W, np.int64), np.empty(B * W))
    return (np.empty(B + 1, np.int64), np.empty((2, B), np.int64), np.empty((2, B)), extra) + (
        np.empty((4, B)),
        np.empty((B, 4)),
        np.empty((B, 4)),
        np.empty((8, B)),
        np.empty((1, 3 * B)),
    )


@pytest.mark.parametrize("seed", range(6))
def test_pull_moves_match_the_scratch_rows(seed):
    """`pull_moves` gives row c g h_c + sum of (a s) h_x, g = (1 - s) + a_cc s, where the scratch
    rows sum h_c - s h_c and a (s h_x) term by term: the same sums grouped otherwise (issue 18,
    mdlines2), so equal to rounding (1e-13 of the row's largest value), not to the bit."""
    rng = np.random.default_rng(seed)
    B = 24
    H, scale, (A, cols, cnt) = _operator(rng, B)
    got = {}
    for pull in (False, True):
        h = H.copy()
        op = (A, cols, cnt, np.empty((NK, 2), np.int64), np.empty(NK, np.int64), np.empty((NK, NK), np.int64))
        op += (np.empty((NK, NK)),)
        sh = (np.zeros(B, np.int64), np.zeros(B, np.int64), np.zeros((B, 2)))
        scratch = (np.empty((NK, B)), np.empty(B), np.empty((NK, 2), np.int64))
        lines._move_incomes(h, h, scale, op, True, False, *sh, *scratch, _pull_work(B) if pull else None)
        got[pull] = h
    np.testing.assert_allclose(got[True], got[False], rtol=1e-13, atol=1e-13 * np.abs(got[False]).max())
    assert not np.array_equal(got[True], H)


def _shift(rng, B: int):
    """Shift rows: bin b lands in up to 4 bins from sh_lo[b] (at or above b, within the B bins;
    some bins none), with random shares: some target bins get none, one, two or more sources."""
    sh_lo, sh_w, sh_v = np.zeros(B, np.int64), np.zeros(B, np.int64), np.zeros((B, 4))
    for b in range(B):
        sh_lo[b] = min(b + int(rng.integers(0, 3)), B - 1)
        sh_w[b] = min(int(rng.integers(0, 5)), B - sh_lo[b])
        sh_v[b, : sh_w[b]] = rng.uniform(0.0, 1.0, sh_w[b])
    return sh_lo, sh_w, sh_v


@pytest.mark.parametrize("seed,nk", [(seed, nk) for seed in range(6) for nk in (NK, NK - 2)])
def test_pull_shift_matches_the_scratch_rows(seed, nk):
    """`pull_shift` gives row c (1 - s) h_c + the shift of the sum of (a s) h_x (by target bin,
    each bin's first two sources then the rest), where the scratch rows sum h_c - s h_c and the
    shift of a (s h_x) term by term by source bin: the same sums grouped otherwise (issue 18,
    mdlines3), so equal to rounding (1e-13 of the row's largest value), not to the bit. nk keys
    (the first nk of the operator's): four rows at a time, the last block full or not."""
    rng = np.random.default_rng(seed)
    B = 24
    H, scale, (A, cols, cnt) = _operator(rng, B)
    H, scale = H[:nk].copy(), scale[:nk].copy()
    sh = _shift(rng, B)
    op = (A, cols, cnt, np.empty((NK, 2), np.int64), np.empty(NK, np.int64), np.empty((NK, NK), np.int64))
    op += (np.empty((NK, NK)),)
    want = H.copy()
    scratch = (np.empty((NK, B)), np.empty(B), np.empty((NK, 2), np.int64))
    lines._move_incomes(want, want, scale, op, True, True, *sh, *scratch, None)
    got = H.copy()
    n = int(sh[1].sum())
    tshift = (np.empty(B + 1, np.int64), np.empty((2, B), np.int64), np.empty((2, B)))
    tshift += ((np.empty(n, np.int64), np.empty(n, np.int64), np.empty(n)),)
    tiles.shift_by_target(*sh, *tshift)
    assert tshift[0][B] > 0  # some bins have more than two sources
    tiles.pull_shift(got, scale, op, tshift, np.empty((4, B)), np.empty((B, 4)), np.empty((B, 4)))
    np.testing.assert_allclose(got, want, rtol=1e-13, atol=1e-13 * np.abs(want).max())
    assert not np.array_equal(got, H)


def _few_offsets(rng, B: int):
    """Shift rows with offsets (target bin - source bin) from 1 to 5 at most: bin b lands in up to
    3 bins from b + 1 (within the B bins; some bins none, some targets one to three sources)."""
    sh_lo, sh_w, sh_v = np.zeros(B, np.int64), np.zeros(B, np.int64), np.zeros((B, 4))
    for b in range(B):
        sh_lo[b] = min(b + 1 + int(rng.integers(0, 3)), B - 1)
        sh_w[b] = min(int(rng.integers(0, 4)), B - sh_lo[b])
        sh_v[b, : sh_w[b]] = rng.uniform(0.0, 1.0, sh_w[b])
    return sh_lo, sh_w, sh_v


@pytest.mark.parametrize("seed,nk", [(seed, nk) for seed in range(6) for nk in (NK, NK - 3)])
def test_pull_diag_gives_the_bits_of_pull_shift(seed, nk):
    """`pull_diag` (the shift by diagonals, row by row) gives `pull_shift`'s bits: each target
    bin's terms in the same order (increasing source bin), the zero shares between them adding
    exact zeros, the same row sums and the same put-back (issue 18, mdlines4)."""
    rng = np.random.default_rng(seed)
    B = 24
    H, scale, (A, cols, cnt) = _operator(rng, B)
    H, scale = H[:nk].copy(), scale[:nk].copy()
    sh = _shift(rng, B) if seed % 2 else _few_offsets(rng, B)
    op = (A, cols, cnt, np.empty((NK, 2), np.int64), np.empty(NK, np.int64), np.empty((NK, NK), np.int64))
    op += (np.empty((NK, NK)),)
    n = int(sh[1].sum())
    tshift = (np.empty(B + 1, np.int64), np.empty((2, B), np.int64), np.empty((2, B)))
    tshift += ((np.empty(n, np.int64), np.empty(n, np.int64), np.empty(n)),)
    tiles.shift_by_target(*sh, *tshift)
    want = H.copy()
    tiles.pull_shift(want, scale, op, tshift, np.empty((4, B)), np.empty((B, 4)), np.empty((B, 4)))
    W = np.empty((8, B))
    d0, nd = tiles.shift_diagonals(*sh, W)
    assert 3 <= nd <= 8
    got = H.copy()
    tiles.pull_diag(got, scale, op, W, d0, nd, np.full((1, 3 * B), np.nan))
    assert got.tobytes() == want.tobytes()
    assert tiles.shift_diagonals(*sh, np.empty((nd - 1, B)))[1] == 0  # too many offsets: not taken


@compiled
def _pull_row_before(H, c, g, rows, w, n, B):
    """`multidim_line_tiles._pull_row` before issue 18's mdlines4: the terms summed in registers,
    bins outer (views of the operator's rows as rows, w)."""
    gv = vbcast(g)
    for j in range(0, B, 4):
        acc = vmul(gv, vload(H, c, j))
        for t in range(n):
            acc = vfma(vbcast(w[t]), vload(H, rows[t], j), acc)
        vstore(H, c, j, acc)


@compiled
def _pull_moves_before(H, scale, op):
    """`multidim_line_tiles.pull_moves` with `_pull_row_before` (the same operator by columns)."""
    A, cols, cnt, sp, tcnt, trow, ta = op
    NK, B = H.shape
    tcnt[:] = 0
    for x in range(NK):
        s = scale[x]
        if s == 0.0:
            continue
        for e in range(cnt[x]):
            a, c = A[x, e], cols[x, e]
            if a != 0.0 and c != x:
                trow[c, tcnt[c]], ta[c, tcnt[c]] = x, a * s
                tcnt[c] += 1
    for c in range(NK):
        s, g = scale[c], 1.0
        if s != 0.0:
            stay = 0.0
            for e in range(cnt[c]):
                if cols[c, e] == c:
                    stay = A[c, e]
            g = (1.0 - s) + stay * s
        if tcnt[c] > 0 or g != 1.0:
            _pull_row_before(H, c, g, trow[c], ta[c], tcnt[c], B)


@pytest.mark.parametrize("seed", range(6))
def test_pull_moves_gives_the_bits_of_its_form_before(seed):
    """`pull_moves` with each row made in place term after term (a pass over the row per term)
    gives the bits of the terms summed in registers: each bin's terms in the same order, each
    stored and loaded again unrounded (issue 18, mdlines4)."""
    rng = np.random.default_rng(seed)
    B = 24
    H, scale, (A, cols, cnt) = _operator(rng, B)
    got = {}
    for fn in (tiles.pull_moves, _pull_moves_before):
        h = H.copy()
        op = (A, cols, cnt, np.empty((NK, 2), np.int64), np.empty(NK, np.int64), np.empty((NK, NK), np.int64))
        fn(h, scale, op + (np.empty((NK, NK)),))
        got[fn] = h
    assert got[tiles.pull_moves].tobytes() == got[_pull_moves_before].tobytes()
    assert not np.array_equal(got[tiles.pull_moves], H)
