"""The settling of the compiled multidimensional expected engine (`simlib.engines.multidim_jit`)
against its former form, bit for bit: the masks' split that also sums the new masks for the
records (`multidim_cell_kernels._split_masks`) against the split alone (the former kernel, kept
here) and the records' own pass over the masks (`multidim_record_kernels.row_totals`); the
records from those sums against the records that make them; `classify` told which states are
empty (`own_changes`' bits) against `classify` scanning every state."""

from __future__ import annotations

import numpy as np
import pytest

from simlib.engines import multidim_cell_kernels as cells
from simlib.engines import multidim_record_kernels as records
from simlib.engines.multidim_numba import compiled, vadd, vbcast, vfma, vload, vstore, vzero
from simlib.multidim.masks import JointSpace


@compiled
def _split_before(Mg, Mout, W, key_of, count, k3, new, Mn, HI):
    """The masks' split as it was before its sums for the records (main at 4e3bdbd)."""
    NK = W.shape[0] // 6
    for t in range(4):
        for i in range(4):
            HI[t, i] = 1.0 if count[i] >= t else 0.0
    zero, m1 = vzero(), vbcast(-1.0)
    entering = False
    for d in range(6):
        entering = entering or new[d] != 0.0
    for j in range(0, Mg.shape[1], 4):
        c = key_of[j]
        v0, v1, v2 = vload(Mg, 0, j), vload(Mg, 1, j), vload(Mg, 2, j)
        v3, v4, v5 = vload(Mg, 3, j), vload(Mg, 4, j), vload(Mg, 5, j)
        x0, x1 = vfma(v0, vload(W, c, 0), zero), vfma(v1, vload(W, NK + c, 0), zero)
        x2, x3 = vfma(v2, vload(W, 2 * NK + c, 0), zero), vfma(v3, vload(W, 3 * NK + c, 0), zero)
        x4, x5 = vfma(v4, vload(W, 4 * NK + c, 0), zero), vfma(v5, vload(W, 5 * NK + c, 0), zero)
        a = vadd(vadd(vadd(vadd(vadd(x0, x1), x2), x3), x4), x5)
        p = vfma(a, vload(HI, min(max(k3 - count[j], 0), 3), 0), zero)
        r = (p, vfma(p, m1, a), vfma(x0, m1, v0), vfma(x2, m1, v2), vfma(x3, m1, v3))
        r5 = vadd(vadd(vfma(x1, m1, v1), vfma(x4, m1, v4)), vfma(x5, m1, v5))
        rows = r + (r5,)
        for d in range(6):
            x = rows[d]
            if entering:
                x = vfma(vbcast(new[d]), vload(Mn, d, j), x)
            vstore(Mout, d, j, x)


def _inputs(seed, empty_states=(3,)):
    rng = np.random.default_rng(seed)
    joint = JointSpace(0b100000100)
    K, NM, NK, B = 6, 4096, joint.n_keys, 23
    key_of = np.asarray(joint.key_of, np.int64)
    count = np.array([bin(m).count("1") for m in range(NM)], dtype=np.int64)
    Mg = rng.exponential(1.0, (K, NM)) * (rng.random((K, NM)) < 0.8)
    H3 = rng.exponential(1.0, (K, NK, B))
    for k in empty_states:
        Mg[k], H3[k] = 0.0, 0.0
    H3[:, ~joint.valid] = 0.0
    W = rng.random((K * NK, 4))
    new = np.array([0.5, 0.0, 0.2, 0.0, 1.5, 0.3])
    Mn = rng.random((K, NM))
    keys = (key_of, np.asarray(joint.key_count, np.int64), joint.valid.copy())
    return Mg, H3, W, key_of, count, new, Mn, keys


@pytest.mark.parametrize("in_place", [False, True])
@pytest.mark.parametrize("k3", [0, 2, 3, 5])
def test_split_with_sums_is_the_split_and_the_records_pass(in_place, k3):
    """The new masks equal the former split's to the bit, and the sums made while they are stored
    equal `row_totals`' on the new masks to the bit (D's seven rows, P), state by state."""
    Mg, _, W, key_of, count, new, Mn, _ = _inputs(k3)
    want = np.full_like(Mg, np.nan)
    _split_before(Mg, want, W, key_of, count, k3, new, Mn, np.empty((4, 4)))
    work = cells.settle_scratch(6, 1, 1)
    tot = work[5]
    tot[0][:], tot[1][:] = np.nan, np.nan
    got = Mg if in_place else np.full_like(Mg, np.nan)
    cells._split_masks(Mg, got, W, key_of, count, k3, (new, Mn), np.empty((4, 4)), tot)
    assert got.tobytes() == want.tobytes()
    order = np.empty(72, np.int64)
    records.count_order(count, order)
    for d in range(6):
        D, P = np.full((8, 64), np.nan), np.full((4, 64), np.nan)
        records.row_totals(got[d].copy(), order, D, P)
        assert tot[0][8 * d : 8 * d + 7].tobytes() == D[:7].tobytes()
        assert tot[1][4 * d : 4 * d + 4].tobytes() == P.tobytes()


@pytest.mark.parametrize("full", [(0, 2, 4, 5), (1,), (0, 1, 2, 3, 4, 5)])
def test_records_from_the_splits_sums_are_the_records(full):
    """`record_group` given the classification's sums of the new masks writes the same bytes as
    when it makes them from the masks (tot None), with empty states."""
    rng = np.random.default_rng(len(full))
    Mg, H3, _, key_of, count, new, Mn, keys = _inputs(11, [k for k in range(6) if k not in full])
    K, NK, B = H3.shape
    nxt = np.array([[0, 1, 2], [0, 1, 5], [0, 1, 3], [0, 1, 4], [0, 1, 5], [0, 1, 5]], dtype=np.int64)
    people = (np.zeros(K), Mn, rng.random((K, NK)), rng.random((K, B)))
    Mout, Hout, fl, hs = np.empty_like(Mg), np.empty_like(H3), np.empty((K, K)), np.empty((K, B))
    work = cells.settle_scratch(K, NK, B)
    cells.classify(Mg, H3, (9, 3), keys, count, nxt, (Mout, Hout), fl, people, hs, work, 63)
    NW, L = 16, 3
    rec_w = (rng.random((2, 64, NW)) < 0.3).astype(float)
    rec_w[:, 63, :] = 0.0
    rec_w[:, 63, 0] = (0.0, 1.0)
    rec_w[:, 63, 1] = 1.0  # a sum with bits in both halves (`_mixed`, from the masks)
    outs = []
    for tot in (None, work[5]):
        shapes = [(1, 1, K), (1, 1, K, 12), (1, 1, K, 2), (1, 1, K, 13), (1, 1, K), (1, 1, K), (1, 1, K), (1, L, 1, K)]
        o = [np.full(s, np.nan) for s in shapes]
        rec = (*o, np.full(B, 1.5), rec_w, count, np.array([0, 2], np.int64))
        records.record_group(Mout, Hout, np.full(K, 2.0), 0, 0, np.ones(B), np.ones(B), rec, hs, tot)
        outs.append(b"".join(x.tobytes() for x in o))
    assert outs[0] == outs[1]


def test_classify_told_the_empty_states_is_classify_scanning_them():
    """`classify` with the bits of the states holding households (`own_changes`') writes the same
    bytes as with every bit set (each state scanned)."""
    Mg, H3, _, _, count, new, Mn, keys = _inputs(3, (1, 3))
    K, NK, B = H3.shape
    rng = np.random.default_rng(4)
    nxt = np.array([[0, 1, 2], [0, 1, 5], [0, 1, 3], [0, 1, 4], [0, 1, 5], [0, 1, 5]], dtype=np.int64)
    people = (new, Mn, rng.random((K, NK)), rng.random((K, B)))
    outs = []
    for held in (63, 0b110101):
        got = (np.full_like(Mg, np.nan), np.full_like(H3, np.nan), np.full((K, K), np.nan), np.full((K, B), np.nan))
        cells.classify(
            Mg, H3, (9, 3), keys, count, nxt, got[:2], got[2], people, got[3], cells.settle_scratch(K, NK, B), held
        )
        outs.append(b"".join(x.tobytes() for x in got))
    assert outs[0] == outs[1]
