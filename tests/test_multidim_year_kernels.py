"""Pieces of the compiled multidimensional expected engine's year (`simlib.engines.multidim_jit`)
against independent calculations: the income kernel against numpy's dense product, the review's
sums over masks and by number of deprivations against plain sequential sums (to rounding: the
kernel adds rows' and columns' totals), the classification against numpy, the kernel rows'
spans, and the lines' sparse clearing operator against the dense one."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import make_scenario, tiny_raw

from simlib.engines import multidim_cell_kernels as cells
from simlib.engines import multidim_income_kernel as income
from simlib.engines import multidim_jit
from simlib.engines import multidim_line_kernels as lk
from simlib.engines import multidim_record_kernels as records
from simlib.engines import multidim_tables as tables
from simlib.model import compile_model
from simlib.multidim import compile_multidim
from simlib.multidim import income as inc
from simlib.multidim.masks import DIMENSION_MATRIX, INDICATOR_MATRIX, JointSpace

pytestmark = pytest.mark.skipif(not multidim_jit.available(), reason="numba not installed")


def _kernel(B: int) -> np.ndarray:
    """A row-stochastic banded kernel (B, B) with mass in the two outer columns, as the income
    kernel of the model has (a smoothing band plus tails)."""
    K = np.zeros((B, B))
    for b in range(B):
        w = np.exp(-0.5 * ((np.arange(B) - b - 1.5) / 3.0) ** 2)
        w[w < 1e-16] = 0.0
        K[b] = w / w.sum() * 0.98
        K[b, 0] += 0.01
        K[b, B - 1] += 0.01
    return K


def _arrays(K: np.ndarray) -> tuple:
    lo, width, vals, outer = inc.band(K)
    B = K.shape[0]
    dense = np.zeros((B, B))
    for b in range(B):
        dense[b, lo[b] : lo[b] + width[b]] = vals[b, : width[b]]
    spans = tables._spans(lo, width)
    return (spans[0], spans[1], outer, dense)


def test_income_kernel_equals_the_dense_product():
    rng = np.random.default_rng(5)
    B, NK = 40, 10
    K = _kernel(B)
    H2 = np.zeros((NK, B))
    for q, (lo, hi) in enumerate(
        [(3, 20), (0, 40), (10, 11), (0, 0), (25, 38), (5, 9), (0, 0), (30, 40), (1, 2), (12, 30)]
    ):
        H2[q, lo:hi] = rng.uniform(0.0, 50.0, hi - lo)
    H2[1, 17] = 0.0  # a zero inside a row's bins
    valid = np.ones(NK, dtype=np.bool_)
    H3 = np.full((NK, B), -1.0)
    income.income_kernel(H2, H3, valid, _arrays(K), np.empty((NK, 2), dtype=np.int64))
    want = H2 @ K
    np.testing.assert_allclose(H3, np.where(want < income.TINY, 0.0, want), rtol=1e-12, atol=1e-12)
    assert (H3[[3, 6]] == 0.0).all()  # rows without households stay empty
    assert (H3 >= 0.0).all()


def test_income_kernel_flushes_far_tails():
    B, NK = 24, 4
    K = _kernel(B)
    H2 = np.zeros((NK, B))
    H2[0, 4] = 1e-195  # its products fall below TINY in the far columns
    H3 = np.empty((NK, B))
    income.income_kernel(H2, H3, np.ones(NK, dtype=np.bool_), _arrays(K), np.empty((NK, 2), dtype=np.int64))
    want = H2 @ K
    assert ((H3 == 0.0) | (H3 >= income.TINY)).all()
    kept = want >= income.TINY * 1.0001
    np.testing.assert_allclose(H3[kept], want[kept], rtol=1e-12)


def _bit_sums(rng, NW: int, mixed: bool) -> tuple[np.ndarray, np.ndarray]:
    """Random sums over masks of the records' kind ("the mask has one of these bits"): the bit sets
    (NW,) (some in the low six bits only, some in the high, with `mixed` some in both, and an
    empty one) and the half tables (2, 64, NW) `multidim_tables` builds for them."""
    sets = rng.integers(1, 64, NW) << (6 * rng.integers(0, 2, NW))
    if mixed:
        sets[::3] = rng.integers(1, 4096, len(sets[::3]))
    sets[-1] = 0
    masks = np.arange(64)
    half = np.stack([(masks[:, None] & sets) != 0, (masks[:, None] & (sets >> 6)) != 0]).astype(float)
    return sets, np.ascontiguousarray(half)


def _sequential(Mk: np.ndarray, sets: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The sums of Mk's masks having one of each set's bits, and by number of deprivations, as
    plain Python floats in increasing mask (independent of the kernels)."""
    acc, ck = np.zeros(len(sets)), np.zeros(13)
    for m in range(4096):
        for i, t in enumerate(sets):
            if m & int(t):
                acc[i] += float(Mk[m])
        ck[bin(m).count("1")] += float(Mk[m])
    return acc, ck


@pytest.mark.parametrize("mixed", [False, True])
def test_mask_sums_are_the_sequential_sums(mixed):
    """The sums by rows' and columns' totals (`_mask_sums`) against plain sums over the masks.
    Their order differs (the rows' totals first), so they agree to rounding, not to the bit: the
    terms are positive, so each sum is within a few units in the last place (1e-13 relative)."""
    rng = np.random.default_rng(2 + mixed)
    NW = 16
    sets, half = _bit_sums(rng, NW, mixed)
    Mk = rng.exponential(1.0, 4096) * (rng.random(4096) < 0.8)
    count = np.array([bin(m).count("1") for m in range(4096)], dtype=np.int64)
    acc, ck = np.full(NW, np.nan), np.full(13, np.nan)
    records._mask_sums(Mk, half, acc, count, ck, records.scratch(NW, count)[:5])
    want, want_ck = _sequential(Mk, sets)
    np.testing.assert_allclose(acc, want, rtol=1e-13, atol=0.0)
    np.testing.assert_allclose(ck, want_ck, rtol=1e-13, atol=0.0)
    assert acc[-1] == 0.0  # a sum of no masks is exactly zero
    again = np.full(NW, np.nan)  # the same inputs, the same bits (scratch written before read)
    records._mask_sums(Mk, half, again, count, ck, records.scratch(NW, count)[:5])
    assert again.tobytes() == acc.tobytes()


def test_counts_by_number_of_bits_are_the_loops_sums():
    """`_counts` (the seven rows' sums of one number of bits side by side, through `count_order`)
    against the loop it replaced (each row's columns added into F[count[l]] in increasing l, then
    F into ck in increasing row), in Python floats: the same additions in the same order, the
    same bits."""
    rng = np.random.default_rng(11)
    count = np.array([bin(m).count("1") for m in range(4096)], dtype=np.int64)
    order = np.empty(72, np.int64)
    records.count_order(count, order)
    assert [int(x) for x in order[64:]] == [0, 1, 7, 22, 42, 57, 63, 64]
    D = rng.exponential(1.0, (8, 64)) * (rng.random((8, 64)) < 0.7)
    ck, F = np.full(13, np.nan), np.full(64, np.nan)
    records._counts(D, order, ck, F)
    want = [0.0] * 13
    for p in range(7):
        f = [0.0] * 8
        for i in range(64):
            f[int(count[i])] += float(D[p, i])
        for q in range(7):
            want[p + q] += f[q]
    assert ck.tobytes() == np.array(want).tobytes()


def test_record_weights_are_the_models_sums():
    """The half tables of `multidim_tables` for a model's indicators, dimensions and targeting
    lines, through `_mask_sums`, give the products of the masks with the full 0/1 tables of
    `simlib.multidim.masks` (and each targeting line's "has one of its indicators")."""
    raw = tiny_raw(model="multidim", horizon=2)
    mm = compile_multidim(make_scenario(raw), compile_model(make_scenario(raw)))
    st = tables.prepare(mm)
    half, lines = st["rec_w"], st["sel_lines"]
    sel = [((np.arange(4096) & int(mm.line_bits[li])) != 0).astype(float)[:, None] for li in lines]
    full = np.concatenate([INDICATOR_MATRIX, DIMENSION_MATRIX, *sel], axis=1)
    rng = np.random.default_rng(5)
    Mk = rng.exponential(1.0, 4096) * (rng.random(4096) < 0.7)
    NW = half.shape[2]
    acc, ck = np.full(NW, np.nan), np.full(13, np.nan)
    records._mask_sums(Mk, half, acc, count := st["count"], ck, records.scratch(NW, count)[:5])
    np.testing.assert_allclose(acc[: full.shape[1]], Mk @ full, rtol=1e-13)
    assert (acc[full.shape[1] :] == 0.0).all()
    np.testing.assert_allclose(ck, np.bincount(count, weights=Mk, minlength=13), rtol=1e-13)


def test_spans_of_empty_bands_add_no_columns():
    lo = np.array([1, 3, 1, 4, 1], dtype=np.int64)
    width = np.array([0, 5, 0, 6, 0], dtype=np.int64)
    first, last = tables._spans(lo, width)
    assert list(first) == [3, 3, 3, 4, 4] and list(last) == [3, 8, 3, 10, 4]


@pytest.mark.parametrize("linked", [0, 0b1, 0b101, 0b100000000011])
def test_down_key_never_above_its_key(linked):
    """`_move_incomes` reads row q of the clearing operator only up to q: clearing a flag must
    lead to a key of no higher index (one deprivation fewer, a subset of the linked flags)."""
    joint = JointSpace(linked)
    keys = np.arange(joint.n_keys)
    assert (joint.down_key <= keys[None, :]).all()
    assert (joint.down_key[:, keys >= joint.n_linked] < keys[keys >= joint.n_linked][None, :]).all()


def _dense_operator(Tt, NP, r, bitpos, nbits, down_key, scale):
    """The clearing operator as the dense form before it was held sparse: bit by bit, the mass
    of each key that loses households moves to its down key, keys in increasing order."""
    NK = Tt.shape[0]
    Tt = Tt.copy()
    A = np.eye(NK)
    for i in range(nbits):
        j, bi = bitpos[i], 1 << i
        pats = np.arange(NP)
        nk, d1 = Tt[:, :NP].sum(axis=1), Tt[:, pats[(pats & bi) != 0]].sum(axis=1)
        d = np.where(nk > 0, r * d1 / np.where(nk > 0, nk, 1.0), 0.0)
        for q in range(NK):
            for p in pats[(pats & bi) != 0]:
                mv = r * Tt[q, p]
                Tt[q, p] -= mv
                Tt[down_key[j, q], p ^ bi] += mv
        for x in np.flatnonzero(scale != 0.0):
            for q in np.flatnonzero(d != 0.0):
                a = A[x, q]
                if a != 0.0:
                    A[x, q] = a - a * d[q]
                    A[x, down_key[j, q]] += a * d[q]
    return A


@pytest.mark.parametrize("bits", [(5,), (5, 8, 9), (0, 4), (10, 11)])
def test_sparse_clearing_operator_matches_the_dense_one(bits):
    """`_clear_operator` holds the operator by rows, sparse (columns increasing, none above the
    row): the same entries as the dense form, every row summing to one."""
    joint = JointSpace(0b101)
    NK, nbits = joint.n_keys, len(bits)
    NP = 1 << nbits
    rng = np.random.default_rng(7)
    Tt = rng.random((NK, NP)) * (rng.random((NK, 1)) < 0.8)
    scale = np.where(rng.random(NK) < 0.9, 0.3, 0.0)
    bitpos = np.array(bits + (0,) * (12 - nbits), dtype=np.int64)
    down = np.ascontiguousarray(joint.down_key, dtype=np.int64)
    A, cols, cnt = np.empty((NK, NK)), np.empty((NK, NK), np.int64), np.empty(NK, np.int64)
    dense = _dense_operator(Tt, NP, 0.6, bitpos, nbits, down, scale)
    lk._clear_operator(Tt.copy(), NP, 0.6, bitpos, nbits, down, scale, A, cols, cnt, np.empty(NK), np.zeros(12))
    got = np.zeros((NK, NK))
    for x in range(NK):
        c = cols[x, : cnt[x]]
        assert (np.diff(c) > 0).all() and (c <= x).all()
        got[x, c] = A[x, : cnt[x]]
    assert np.allclose(got, dense, rtol=1e-14, atol=1e-15)
    assert np.allclose(got.sum(axis=1), 1.0)


@pytest.mark.parametrize("full", [(0,), (2, 5), (0, 1, 3), (1, 2, 3, 4), (0, 2, 3, 4, 5), (0, 1, 2, 3, 4, 5)])
def test_records_of_any_number_of_states_are_those_of_each(full):
    """Records of a group with any states empty (`_record`) against each state's own pass (the
    same kernels, so the same bits) and zeros for the empty states."""
    rng = np.random.default_rng(len(full))
    K, NM, NK, B, L = 6, 4096, 5, 9, 3
    Mg, Hg = np.zeros((K, NM)), np.zeros((K, NK, B))
    for k in full:
        Mg[k] = rng.exponential(1.0, NM) * (rng.random(NM) < 0.8)
        Hg[k] = rng.exponential(1.0, (NK, B))
    n, f1b, f2b, means = rng.random(K), rng.random(B), rng.random(B), rng.random(B)
    count = np.array([bin(m).count("1") for m in range(NM)], dtype=np.int64)
    rec_w = _bit_sums(rng, 12 + 2 + 2, True)[1]
    sel_lines = np.array([0, 2], dtype=np.int64)
    got = [np.full(s, np.nan) for s in [(K,), (K, 12), (K, 2), (K, 13), (K,), (K,), (K,), (L, K)]]
    hs = np.full((K, B), np.nan)
    records.income_bins(Hg, hs)
    assert hs.tobytes() == np.stack([sum(Hg[k, q] for q in range(NK)) for k in range(K)]).tobytes()  # increasing key
    records._record(Mg, Hg, n, f1b, f2b, means, rec_w, count, sel_lines, *got, hs, records.scratch(16, count))
    want = [np.zeros_like(x) for x in got]
    want[0][:] = n
    acc = np.empty(16)
    for k in full:
        records._mask_sums(Mg[k], rec_w, acc, count, want[3][k], records.scratch(16, count)[:5])
        args = (want[1], want[2], want[7], (f1b, f2b, means), (want[4], want[5], want[6]))
        records._state_records(hs[k], acc, k, sel_lines, *args)
    for g, x in zip(got, want):
        assert g.tobytes() == x.tobytes()


def _classify_reference(Mg, H3, nb, k3, keys, count, nxt, people):
    """`classify` in numpy, state by state (independent of the kernels' loops), then the new
    households added."""
    key_of, key_count, valid = keys
    new, Mn, kd, inc0 = people
    K, NK, B = H3.shape
    Mnew, Hout, fl = np.zeros_like(Mg), np.zeros_like(H3), np.zeros((K, K))
    for k in range(K):
        if not Mg[k].any() and not H3[k].any():
            continue
        kp, kn, ka = nxt[k]
        below, above = H3[k, :, :nb].sum(axis=1), H3[k, :, nb:].sum(axis=1)
        dest = np.where(key_count >= k3, kp, kn)
        for q in np.flatnonzero(valid):
            Hout[dest[q], q, :nb] += H3[k, q, :nb]
            Hout[ka, q, nb:] += H3[k, q, nb:]
            fl[k, dest[q]] += below[q]
            fl[k, ka] += above[q]
        tot = below + above
        share = np.where(valid & (tot > 0), below / np.where(tot > 0, tot, 1.0), 0.0)
        x = Mg[k] * share[key_of]
        np.add.at(Mnew, (np.where(count >= k3, kp, kn), np.arange(Mg.shape[1])), x)
        Mnew[ka] += Mg[k] - x
    Mnew += new[:, None] * Mn
    Hout += new[:, None, None] * (kd[:, :, None] * inc0[:, None, :])
    return Mnew, Hout, fl, Hout.sum(axis=1)


@pytest.mark.parametrize("in_place", [False, True])
def test_classify_matches_numpy(in_place):
    """`classify` (every new row written once: the incomes' rows moved and summed, the masks split
    block by block, in place or not, the new households added) against numpy, with empty states,
    invalid keys, states without new households and NaN-filled outputs. The rows' sums are in
    another order than numpy's: equal to rounding (1e-13 relative)."""
    rng = np.random.default_rng(7 + in_place)
    joint = JointSpace(0b100000100)  # two linked indicators: 52 keys, some of them invalid
    B, nb, k3 = 23, 9, 3
    K, NM, NK = 6, 4096, joint.n_keys
    keys = (np.asarray(joint.key_of, np.int64), np.asarray(joint.key_count, np.int64), joint.valid.copy())
    count = np.array([bin(m).count("1") for m in range(NM)], dtype=np.int64)
    nxt = np.array([[0, 1, 2], [0, 1, 5], [0, 1, 3], [0, 1, 4], [0, 1, 5], [0, 1, 5]], dtype=np.int64)
    Mg, H3 = rng.exponential(1.0, (K, NM)), rng.exponential(1.0, (K, NK, B))
    Mg[3], H3[3] = 0.0, 0.0
    H3[:, ~keys[2]] = 0.0
    new = np.array([0.5, 0.0, 0.2, 0.0, 1.5, 0.3])
    people = (new, rng.random((K, NM)), rng.random((K, NK)), rng.random((K, B)) * (np.arange(B) % 7 != 0))
    want = _classify_reference(Mg, H3, nb, k3, keys, count, nxt, people)
    got = (Mg if in_place else np.full((K, NM), np.nan), np.full((K, NK, B), np.nan))
    fl, hs = np.full((K, K), np.nan), np.full((K, B), np.nan)
    work = cells.settle_scratch(K, NK, B)
    cells.classify(Mg, H3, (nb, k3), keys, count, nxt, got, fl, people, hs, work, 63)
    for g, w in zip(got + (fl, hs), want):
        np.testing.assert_allclose(g, w, rtol=1e-13, atol=0.0)
    nxt[0, 2] = 1  # another table of next states: refused (the masks' split is written for NEXT_STATE)
    with pytest.raises(ValueError):
        cells.classify(Mg, H3, (nb, k3), keys, count, nxt, got, fl, people, hs, work, 63)
