"""The multidimensional engines' programme step in compiled kernels
(`simlib.engines.multidim_reach_kernels`) gives the bits of the numpy form it replaced (written
out below: `np.where`, fancy indexing, `np.bincount`), on random cells with empty group-states,
several scenarios and lines that target deprived households; and eligible households and
coverage by hand on a small case. `reach.held_stock`'s weight kept on the model gives the same
stock as the weight made each call."""

from __future__ import annotations

import numpy as np
import pytest

from simlib.engines import reach
from simlib.engines.multidim_reach_kernels import eligible_bins, entry_coverage
from simlib.model import compile_model
from simlib.paths import params_dir
from simlib.scenario import load_scenario


def numpy_form(n, sel, lines, ix, L, D, T):
    """`multidim_expected._reach`'s former numpy code (E, frac, and the coverage of a given c)."""
    S, G, K = n.shape
    frac = np.ones((S, L, G, K))
    with np.errstate(invalid="ignore", divide="ignore"):
        for li in lines:
            frac[:, li] = np.where(n > 0, sel[:, li] / n, 0.0)
    w = n.reshape(S, G * K)[:, ix["m_gk"]] * frac.reshape(S, L * G * K)[:, ix["m_lgk"]]
    bins = ix["m_bin"] if S == 1 else (np.arange(S)[:, None] * (L * D * T) + ix["m_bin"][None, :]).ravel()
    E = np.bincount(bins, weights=w.ravel(), minlength=S * L * D * T).reshape(S, L * D * T)

    def cover(c):
        cov = np.zeros((S, L * G * K))
        cov[:, ix["m_lgk"]] = c[:, ix["m_bin"]]
        cov = cov.reshape(S, L, G, K)
        return cov, cov * frac

    return E, frac, cover


def random_case(seed, S, L=7, G=13, K=6, D=3, T=4):
    rng = np.random.default_rng(seed)
    n = rng.random((S, G, K)) * 50 * (rng.random((S, G, K)) > 0.3)  # about 30 % empty
    sel = n[:, None] * rng.random((S, L, G, K))
    eligible = rng.random((L, G, K)) < 0.6
    g_unit = rng.integers(0, D, G)
    tier = rng.integers(0, T, (L, G, K))
    m_line, m_g, m_k = np.nonzero(eligible)
    ix = {
        "m_gk": m_g * K + m_k,
        "m_lgk": m_line * (G * K) + m_g * K + m_k,
        "m_bin": (m_line * D + g_unit[m_g]) * T + tier[m_line, m_g, m_k],
    }
    lines = np.sort(rng.choice(L, 3, replace=False)).astype(np.int64)
    return n, sel, lines, ix, (L, D, T), rng


@pytest.mark.parametrize("seed, S", [(1, 1), (2, 1), (3, 2), (4, 3)])
def test_the_kernels_are_the_numpy_form_bit_for_bit(seed, S):
    n, sel, lines, ix, (L, D, T), rng = random_case(seed, S)
    E, frac = eligible_bins(n, sel, lines, ix, L * D * T)
    E0, frac0, cover = numpy_form(n, sel, lines, ix, L, D, T)
    assert E.tobytes() == E0.tobytes()
    assert frac.tobytes() == frac0.tobytes()
    c = rng.random(E.shape) * (rng.random(E.shape) > 0.2)
    cov, share = entry_coverage(c, frac, ix)
    cov0, share0 = cover(c)
    assert cov.tobytes() == cov0.tobytes()
    assert share.tobytes() == share0.tobytes()


def test_no_targeting_line_leaves_every_share_one():
    n, sel, _, ix, (L, D, T), _ = random_case(5, 2)
    E, frac = eligible_bins(n, sel, np.zeros(0, np.int64), ix, L * D * T)
    assert np.all(frac == 1.0)
    assert E.tobytes() == numpy_form(n, sel, [], ix, L, D, T)[0].tobytes()


def test_eligible_households_and_coverage_by_hand():
    """Two group-states (10 and 0 households), one line that targets the deprived (4 of the 10)
    and one that does not, in one unit and two tiers: the first group-state in tier 0, the
    second in tier 1."""
    n = np.array([[[10.0, 0.0]]])  # (S, G, K) = (1, 1, 2)
    sel = np.array([[[[4.0, 0.0]], [[9.0, 0.0]]]])  # (1, L=2, 1, 2); line 1's is not read
    ix = {"m_gk": np.array([0, 1, 0, 1]), "m_lgk": np.array([0, 1, 2, 3]), "m_bin": np.array([0, 1, 2, 3])}
    E, frac = eligible_bins(n, sel, np.array([0], np.int64), ix, 4)
    assert E.tolist() == [[4.0, 0.0, 10.0, 0.0]]  # line 0 counts the deprived only
    assert frac.ravel().tolist() == [0.4, 0.0, 1.0, 1.0]  # an empty group-state's share is 0
    cov, share = entry_coverage(np.array([[0.5, 0.0, 0.25, 1.0]]), frac, ix)
    assert cov.ravel().tolist() == [0.5, 0.0, 0.25, 1.0]
    assert share.ravel().tolist() == [0.2, 0.0, 0.25, 1.0]  # of all households: 2 of 10 by line 0


def test_held_stock_with_the_kept_weight_is_the_weight_made_each_call():
    model = compile_model(load_scenario(params_dir() / "scenarios" / "plan_2024.yaml"))
    assert model.structure.area_line.any() and reach.cycle_line(model).any()  # both kinds of weight
    Y, (L, D) = 6, model.structure.capacity_units.shape
    hist = np.random.default_rng(9).random((2, Y, L, D))
    for y in range(1, Y):
        ages = y - np.arange(y)[:, None]
        p = model.params
        surv = reach.survival(p.life[None, :], ages)
        within = (ages < p.cycle[None, :]) & reach.cycle_line(model)[None, :]
        weight = np.where(model.structure.area_line[None, :], surv, within.astype(float))
        want = np.einsum("...vld,vl->...ld", hist[..., :y, :, :], weight)
        for _ in range(2):  # made, then kept
            assert reach.held_stock(model, hist, y).tobytes() == want.tobytes()
