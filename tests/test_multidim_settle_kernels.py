"""The settling's kernels of the compiled multidimensional expected engine
(`simlib.engines.multidim_cell_kernels`) against the forms they replaced, bit for bit: the
incomes' moves addressed by row index (issue 18's mdsettle2) against the moves by views of rows
(mdsettle's `_move_incomes`, kept here as the reference, compiled with the same `FAST` maths);
the records' rows' totals by number of bits in registers against the former pass in mask
order; `classify` told which states are empty (mdsettle3) against `classify` scanning them."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import reference_kernel

from simlib.engines import multidim_cell_kernels as cells
from simlib.engines import multidim_jit
from simlib.engines import multidim_record_kernels as records
from simlib.engines.multidim_numba import support, vadd, vload, vstore, vzero
from simlib.multidim.masks import JointSpace

pytestmark = pytest.mark.skipif(not multidim_jit.available(), reason="numba not installed")

_ref = reference_kernel


@_ref
def _zero(x):
    for i in range(x.shape[0]):
        x[i] = 0.0


@_ref
def _part(Hk, Hd, q, lo, hi, lanes, first):
    s = vzero()
    top = hi - (hi - lo) % 4
    for j in range(lo, top, 4):
        x = vload(Hk, q, j)
        vstore(Hd, q, j, x if first else vadd(vload(Hd, q, j), x))
        s = vadd(s, x)
    vstore(lanes, 0, 0, s)
    t = (lanes[0, 0] + lanes[0, 1]) + (lanes[0, 2] + lanes[0, 3])
    for b in range(top, hi):
        Hd[q, b] = Hk[q, b] if first else Hd[q, b] + Hk[q, b]
        t += Hk[q, b]
    return t


@_ref
def _moves_by_views(H3, Hout, review, keys, next_state, src, sums, people, hs):
    """mdsettle's `_move_incomes` (rows as views)."""
    lanes = np.empty((1, 4))
    nb, k3 = review
    key_count, valid = keys[1], keys[2]
    new, kd, inc0 = people[0], people[2], people[3]
    K, NK, B = Hout.shape
    kp, kn = next_state[0, 0], next_state[0, 1]
    for d in range(K):
        hd = hs[d]
        hd[:] = 0.0
        b0, b1 = support(inc0[d])
        below = d == kp or d == kn
        lo, hi = (0, nb) if below else (nb, B)
        Hd = Hout[d]
        for q in range(NK):
            first = True
            if valid[q] and (not below or (key_count[q] >= k3) == (d == kp)):
                for t in range(src.shape[0]):
                    k = src[t]
                    if below or next_state[k, 2] == d:
                        sums[0 if below else 1, k, q] = _part(H3[k], Hd, q, lo, hi, lanes, first)
                        first = False
            row = Hout[d, q]
            if first:
                _zero(row)
            else:
                _zero(row[:lo])
                _zero(row[hi:])
            w, x = kd[d, q], new[d]
            if x != 0.0 and w != 0.0:
                hk, ik = row[b0:b1], inc0[d, b0:b1]
                for i in range(b1 - b0):
                    hk[i] += x * (w * ik[i])
            for b in range(B):
                hd[b] += row[b]


@pytest.mark.parametrize(("B", "nb", "seed"), [(23, 9, 0), (112, 47, 1), (112, 48, 2), (30, 0, 3), (17, 17, 4)])
def test_moves_by_index_are_the_moves_by_views(B, nb, seed):
    """`_move_incomes` (rows by index, vector stores) against the moves by views: every row, the
    bins' sums and the sources' parts the same to the bit, with empty sources, invalid keys, a
    state without new households, keys without them, a line at 0 and at B, B and nb not
    multiples of four and the new households' bins starting and ending inside a vector."""
    rng = np.random.default_rng(seed)
    joint = JointSpace(0b100000100)
    K, NK = 6, joint.n_keys
    keys = (np.asarray(joint.key_of, np.int64), np.asarray(joint.key_count, np.int64), joint.valid.copy())
    nxt = np.array([[0, 1, 2], [0, 1, 5], [0, 1, 3], [0, 1, 4], [0, 1, 5], [0, 1, 5]], dtype=np.int64)
    H3 = rng.exponential(1.0, (K, NK, B)) * (rng.random((K, NK, B)) < 0.9)
    H3[3], H3[:, ~keys[2]] = 0.0, 0.0
    src = np.array([0, 1, 2, 4, 5], dtype=np.int64)
    inc0 = rng.random((K, B))
    inc0[:, : B // 5 + 1], inc0[:, B - B // 4 :] = 0.0, 0.0
    kd = rng.random((K, NK)) * (rng.random((K, NK)) < 0.7)
    people = (np.array([0.5, 0.0, 0.2, 1.0, 1.5, 0.3]), None, kd, inc0)
    got, want = [], []
    for fn, out in ((cells._move_incomes, got), (_moves_by_views, want)):
        Hout, hs, sums = np.full((K, NK, B), np.nan), np.full((K, B), np.nan), np.full((2, K, NK), np.nan)
        fn(H3, Hout, (nb, 3), keys, nxt, src, sums, people, hs)
        out += [Hout, hs, sums[:, src][:, :, keys[2]]]
    for g, w in zip(got, want):
        assert g.tobytes() == w.tobytes()
    assert not np.isnan(got[0]).any()


@_ref
def _row_totals_in_mask_order(Mk, count, D, P):
    """mdrecords' `_row_totals`: rows in increasing h, D[count[h]] loaded and stored per row."""
    M2 = Mk.reshape(64, 64)
    D[:, :] = 0.0
    for h in range(64):
        p = count[h]
        t0, t1, t2, t3 = vzero(), vzero(), vzero(), vzero()
        for j in range(0, 64, 16):
            x0, x1, x2, x3 = vload(M2, h, j), vload(M2, h, j + 4), vload(M2, h, j + 8), vload(M2, h, j + 12)
            vstore(D, p, j, vadd(vload(D, p, j), x0))
            vstore(D, p, j + 4, vadd(vload(D, p, j + 4), x1))
            vstore(D, p, j + 8, vadd(vload(D, p, j + 8), x2))
            vstore(D, p, j + 12, vadd(vload(D, p, j + 12), x3))
            t0, t1, t2, t3 = vadd(t0, x0), vadd(t1, x1), vadd(t2, x2), vadd(t3, x3)
        vstore(P, h >> 4, (h & 15) * 4, vadd(vadd(t0, t1), vadd(t2, t3)))


@pytest.mark.parametrize("seed", range(4))
def test_row_totals_by_number_of_bits_are_those_in_mask_order(seed):
    """`_row_totals` (the rows taken by number of bits, D's rows in registers) against the pass in
    mask order: D[0:7] and P the same to the bit (each D[p, l] adds the same rows in increasing h;
    P's chains are each row's own). Masks with zeros, and a state with no rows of some counts."""
    rng = np.random.default_rng(seed)
    count = np.array([bin(m).count("1") for m in range(4096)], dtype=np.int64)
    order = np.empty(72, np.int64)
    records.count_order(count, order)
    Mk = rng.exponential(1.0, 4096) * (rng.random(4096) < 0.8)
    if seed == 3:
        Mk[count[np.arange(4096) >> 6] == 2] = 0.0
    got, want = (
        (np.full((8, 64), np.nan), np.full((4, 64), np.nan)),
        (np.full((8, 64), np.nan), np.full((4, 64), np.nan)),
    )
    records._row_totals(Mk, order, *got)
    _row_totals_in_mask_order(Mk, count, *want)
    assert got[0][:7].tobytes() == want[0][:7].tobytes()
    assert got[1].tobytes() == want[1].tobytes()


def test_classify_told_the_empty_states_writes_what_scanning_them_writes():
    """`classify` with the bits of the states holding households (`own_changes`': the others are
    known empty, not scanned) writes the same bytes as with every bit set (each state scanned)."""
    rng = np.random.default_rng(4)
    joint = JointSpace(0b100000100)
    K, NM, NK, B = 6, 4096, joint.n_keys, 23
    keys = (np.asarray(joint.key_of, np.int64), np.asarray(joint.key_count, np.int64), joint.valid.copy())
    count = np.array([bin(m).count("1") for m in range(NM)], dtype=np.int64)
    nxt = np.array([[0, 1, 2], [0, 1, 5], [0, 1, 3], [0, 1, 4], [0, 1, 5], [0, 1, 5]], dtype=np.int64)
    Mg, H3 = rng.exponential(1.0, (K, NM)), rng.exponential(1.0, (K, NK, B))
    Mg[[1, 3]], H3[[1, 3]] = 0.0, 0.0
    H3[:, ~keys[2]] = 0.0
    people = (np.array([0.5, 0.0, 0.2, 0.0, 1.5, 0.3]), rng.random((K, NM)), rng.random((K, NK)), rng.random((K, B)))
    outs = []
    for held in (63, 0b110101):
        got = (np.full((K, NM), np.nan), np.full((K, NK, B), np.nan), np.full((K, K), np.nan), np.full((K, B), np.nan))
        work = cells.settle_scratch(K, NK, B)
        H = H3.copy()
        if held != 63:  # the states not held: rows `own_changes` leaves unwritten (linepass), not read
            H[[1, 3]] = np.nan
        cells.classify(Mg, H, (9, 3), keys, count, nxt, got[:2], got[2], people, got[3], work, held)
        outs.append(b"".join(x.tobytes() for x in got))
    assert outs[0] == outs[1]
