"""The programme step's pieces made compiled for issue 18 (the serial time between the compiled
years) give the bits of the numpy forms they replaced: what earlier years hold in the pools
(`multidim_reach_kernels.held_into` against `reach.held_stock`'s einsum) and the year's record
(`programme_bins`' fifth array against `reach.record`), on random arrays and two models."""

from __future__ import annotations

import numpy as np
import pytest

from simlib.engines import multidim_expected, multidim_jit
from simlib.engines.multidim_reach_kernels import held_into, programme_work, reach_apart
from simlib.engines.reach import held_stock, held_weight, record
from tests.test_mdempty_vacancy import multidim_model
from tests.test_mdpy_programme import random_year, same

pytestmark = pytest.mark.skipif(not multidim_jit.available(), reason="numba is not installed")


@pytest.fixture(scope="module", params=["multidim_2030", "tiny"])
def model(request):
    return multidim_model(request.param)


def random_history(rng, S: int, Y: int, L: int, D: int) -> np.ndarray:
    """Records (S, Y, L, D) over eight orders of magnitude, with zeros and negative zeros."""
    hist = rng.random((S, Y, L, D)) * 10.0 ** rng.integers(-3, 5, (S, Y, L, D))
    hist[rng.random(hist.shape) < 0.2] = 0.0
    hist[rng.random(hist.shape) < 0.05] = -0.0
    return hist


@pytest.mark.parametrize("S", [1, 3])
def test_held_into_gives_the_einsum_bits(model, S):
    base = model.base
    L, Y, D = len(base.line_codes), len(base.years), len(base.unit_ids)
    rng = np.random.default_rng(S)
    for _ in range(3):
        hist = random_history(rng, S, Y, L, D)
        for y in range(Y):
            got = np.full((S, L, D), np.nan)
            held_into(hist, y, held_weight(base, y), got)
            assert same(got, held_stock(base, hist, y))


def test_held_into_adds_in_year_order_on_any_shape():
    rng = np.random.default_rng(11)
    for _ in range(200):
        S, y, L, D = (int(x) for x in rng.integers(1, [4, 12, 30, 40]))
        hist = random_history(rng, S, y + int(rng.integers(0, 3)), L, D)
        weight = rng.random((y, L)) * (rng.random((y, L)) > 0.3)
        got = np.empty((S, L, D))
        held_into(hist, y, weight, got)
        assert same(got, np.einsum("...vld,vl->...ld", hist[..., :y, :, :], weight))


@pytest.mark.parametrize("S", [1, 3])
def test_the_year_record_is_reach_record(model, S):
    rng = np.random.default_rng(20 + S)
    lines = multidim_expected._reach_static(model)[0]
    work = programme_work(model.base, multidim_expected._reach_static(model)[1], S)
    for _ in range(4):
        n, sel, sp, stock = random_year(model, rng, S)
        got = multidim_expected._reach(model, n, sel, sp, stock, work)
        want = record(model.base, got[0], got[1])
        assert same(got[4], want)
        assert same(reach_apart(model.base, lines, n, sel, sp, stock)[4], want)
