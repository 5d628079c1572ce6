"""The lines' income shifts made once per group (issue 18, yearparts): `_sparse_work` holds the
shift by diagonals and by target bin of each of the group's shift rows, `_slot_pull` hands a row's
tables to `_move_incomes`, which makes them at the first call (its `made` zero) and reads them at
the next ones, instead of making them again for every line and cell-state. Each call's result is
compared word for word with `_move_incomes` given fresh tables (made in that call, as before)."""

import numpy as np
import pytest

from simlib.engines import multidim_line_kernels as lines

NK, B = 8, 24


def _operator(rng):
    """Incomes H (NK, B), reached shares and a sparse lower operator (each row: itself and up to
    two columns below, increasing), as the clearing operator makes them."""
    H = rng.uniform(0.0, 1.0, (NK, B)) * (rng.random((NK, B)) < 0.7)
    scale = rng.uniform(0.0, 1.0, NK) * (rng.random(NK) < 0.8)
    A, cols, cnt = np.zeros((NK, NK)), np.zeros((NK, NK), np.int64), np.zeros(NK, np.int64)
    for x in range(NK):
        cs = sorted({x, *rng.integers(0, x + 1, 2).tolist()})
        cnt[x], cols[x, : len(cs)], A[x, : len(cs)] = len(cs), cs, rng.uniform(0.0, 1.0, len(cs))
    op = (A, cols, cnt, np.empty((NK, 2), np.int64), np.empty(NK, np.int64), np.empty((NK, NK), np.int64))
    return H, scale, op + (np.empty((NK, NK)),)


def _shifts(rng):
    """Two shift rows (slots, B): row 0 with offsets 1 to 3 (by diagonals), row 1 with offsets up to
    B (by target bin: too many diagonals); shares by binary fractions."""
    W = 4
    sh_lo, sh_w, sh_v = np.zeros((2, B), np.int64), np.zeros((2, B), np.int64), np.zeros((2, B, W))
    for b in range(B):
        sh_lo[0, b] = min(b + 1, B - 1)
        sh_w[0, b] = min(int(rng.integers(1, 3)), B - sh_lo[0, b])
        sh_lo[1, b] = min(b + int(rng.integers(0, B)), B - 1)
        sh_w[1, b] = min(int(rng.integers(1, W + 1)), B - sh_lo[1, b])
    sh_v[:, :, :] = rng.integers(1, 8, sh_v.shape) / 8.0
    return sh_lo, sh_w, sh_v


def _work():
    """The lines' scratch as `multidim_scratch.scratch` makes it (8 keys by B bins)."""
    f = np.float64
    return (np.empty((NK, 8)), np.empty(NK), np.empty((NK, NK)), np.empty(NK), np.empty(16, f), np.empty((NK, B)))


def _fresh(sh_w_row):
    """`_slot_pull`'s tuple for one row with tables not made (as every call had them before)."""
    n = int(sh_w_row.sum())
    extra = (np.empty(n, np.int64), np.empty(n, np.int64), np.empty(n))
    return (np.empty(B + 1, np.int64), np.empty((2, B), np.int64), np.empty((2, B)), extra) + (
        np.empty((4, B)),
        np.empty((B, 4)),
        np.empty((B, 4)),
        np.empty((8, B)),
        np.empty((1, 3 * B)),
        np.zeros(3, np.int64),
    )


def _move(H, scale, op, sh, si, pull):
    h = H.copy()
    scratch = (np.empty((NK, B)), np.empty(B), np.empty((NK, 2), np.int64))
    lines._move_incomes(h, h, scale, op, True, True, sh[0][si], sh[1][si], sh[2][si], *scratch, pull)
    return h


@pytest.mark.parametrize("seed", range(4))
def test_rows_made_once_give_every_call_its_own_shift(seed):
    """Rows 0, 1, 0, 1 through one group's scratch: each the same bits as with fresh tables; after
    the first call of a row its `made` holds (1, d0, nd): by diagonals for row 0, by target for
    row 1 (nd = 0)."""
    rng = np.random.default_rng(seed)
    sh = _shifts(rng)
    work = _work() + (np.empty(B), np.empty((NK, 2), np.int64))
    pull = lines._sparse_work(work, sh[1])[2]
    made = pull[-1]
    assert made.shape == (2, 3) and not made.any()
    for si in (0, 1, 0, 1):
        H, scale, op = _operator(rng)
        got = _move(H, scale, op, sh, si, lines._slot_pull(pull, si))
        want = _move(H, scale, op, sh, si, _fresh(sh[1][si]))
        assert got.tobytes() == want.tobytes()
        assert not np.array_equal(got, H)
    assert made[0, 0] == 1 and made[0, 2] > 0
    assert made[1, 0] == 1 and made[1, 2] == 0


def test_a_row_is_made_at_its_first_call_only():
    """The tables of a row are read, not made again: with the row's shares changed after the first
    call, the second call still moves by the first shares (what the group's rows guarantee: the
    same unit's rows for every cell-state of the group and its twin)."""
    rng = np.random.default_rng(7)
    sh = _shifts(rng)
    work = _work() + (np.empty(B), np.empty((NK, 2), np.int64))
    pull = lines._sparse_work(work, sh[1])[2]
    H, scale, op = _operator(rng)
    for si in (0, 1):
        first = _move(H, scale, op, sh, si, lines._slot_pull(pull, si))
        sh[2][si] *= 0.5
        again = _move(H, scale, op, sh, si, lines._slot_pull(pull, si))
        assert again.tobytes() == first.tobytes()
        assert _move(H, scale, op, sh, si, _fresh(sh[1][si])).tobytes() != first.tobytes()
