"""The multidimensional engine's programme step in one compiled call (issue 18's mdpy,
`multidim_reach_kernels.programme_bins`) gives the bits of the calls it replaced (eligible
households by bin, `reach.beneficiaries`, `coverage_shares`, the coverage spread to the entries:
`multidim_reach_kernels.reach_apart`), on random cells, money and stocks of two models, several
scenarios, its working arrays reused from call to call."""

from __future__ import annotations

import numpy as np
import pytest

from simlib.engines import multidim_expected, multidim_jit
from simlib.engines.multidim_reach_kernels import programme_work, reach_apart
from tests.test_mdempty_vacancy import multidim_model

pytestmark = pytest.mark.skipif(not multidim_jit.available(), reason="numba is not installed")


@pytest.fixture(scope="module", params=["multidim_2030", "tiny"])
def model(request):
    return multidim_model(request.param)


def random_year(mm, rng, S: int) -> tuple:
    """Cells n (S, G, K) with about 30 % empty group-states, households deprived sel (S, L, G,
    K) <= n, money (S, L, D) from none to far past the pools, stocks (S, L, D) from 0 to past 1."""
    model = mm.base
    L, G, K = model.eligible.shape
    D = len(model.unit_ids)
    n = rng.random((S, G, K)) * 10.0 ** rng.integers(0, 4, (S, G, K)) * (rng.random((S, G, K)) > 0.3)
    sel = n[:, None] * rng.random((S, L, G, K)) * (rng.random((S, L, G, K)) > 0.1)
    scale = 10.0 ** rng.integers(-3, 3, (S, L, D)) * (rng.random((S, L, D)) > 0.2)
    sp = model.params.unit_cost[None, :, None] * n.sum() * rng.random((S, L, D)) * scale
    stock = rng.random((S, L, D)) * np.where(rng.random((S, L, D)) < 0.5, 1.5, n.sum() * 0.1)
    return n, sel, sp, stock


def same(a, b) -> bool:
    return a.shape == b.shape and a.dtype == b.dtype and a.tobytes() == b.tobytes()


@pytest.mark.parametrize("S", [1, 3])
def test_one_call_gives_the_bits_of_the_calls_it_replaced(model, S):
    rng = np.random.default_rng(S)
    work = programme_work(model.base, multidim_expected._reach_static(model)[1], S)
    for _ in range(4):  # the same working arrays each time
        n, sel, sp, stock = random_year(model, rng, S)
        got = multidim_expected._reach(model, n, sel, sp, stock, work)
        want = reach_apart(model.base, multidim_expected._reach_static(model)[0], n, sel, sp, stock)
        assert all(same(g, w) for g, w in zip(got, want))
        assert got[0].any() and got[2].any()


def test_no_money_reaches_nobody(model):
    n, sel, sp, stock = random_year(model, np.random.default_rng(7), 2)
    got = multidim_expected._reach(model, n, sel, 0.0 * sp, 0.0 * stock)
    want = reach_apart(model.base, multidim_expected._reach_static(model)[0], n, sel, 0.0 * sp, 0.0 * stock)
    assert all(same(g, w) for g, w in zip(got, want))
    assert not got[0].any() and not got[2].any()
