"""The piecewise-linear programme on its own: response curves written by hand (no engine), solved
by `simlib.allocate.milp` and checked against a brute-force search over a fine grid."""

from __future__ import annotations

import numpy as np
import pytest

from simlib.allocate.milp import shadow_prices, solve_pl
from simlib.allocate.pwl import Curves


def curves(breaks, values, slacks=None, disb=None):
    """Curves of one variable per direction around x_ref = 0 (every curve is 0 at 0)."""
    K = len(breaks)
    g = slacks if slacks is not None else [np.zeros((len(b), 0)) for b in breaks]
    g_ref = np.array([s[0] for s in g[0].T]) if g[0].shape[1] else np.zeros(0)
    return Curves(
        x_ref=np.zeros(K),
        s_ref=np.zeros(K),
        f_ref=0.0,
        g_ref=g_ref,
        breaks=[np.asarray(b, float) for b in breaks],
        f=[np.asarray(v, float) for v in values],
        g=[np.asarray(s, float) for s in g],
        disb=np.ones(K) if disb is None else np.asarray(disb, float),
        var_dir=np.arange(K),
    )


# flat, then steep: reaching first households it does nothing for (a non-convex curve)
FLAT_THEN_STEEP = ([0, 4, 10], [0, 0, -18])
LINEAR = ([0, 10], [0, -10])


def brute(f, B, step=0.01):
    """min f(a, B - a) over a grid of a in [0, B] (the budget is always worth spending here)."""
    a = np.arange(0, B + step / 2, step)
    v = np.array([f(x, B - x) for x in a])
    k = int(np.argmin(v))
    return a[k], v[k]


def test_a_non_convex_curve_gets_binaries_and_the_true_optimum():
    """With 8 to spend: all of it on the flat-then-steep line gives -12, all on the linear one -8.
    The linear relaxation would count the steep segment without the flat one (-20): the lazy
    binaries must restore the order."""
    cs = curves([FLAT_THEN_STEEP[0], LINEAR[0]], [FLAT_THEN_STEEP[1], LINEAR[1]])
    sol = solve_pl(np.array([[1.0, 1.0]]), np.array([8.0]), [cs], "min")
    a, best = brute(lambda x0, x1: np.interp(x0, *FLAT_THEN_STEEP) + np.interp(x1, *LINEAR), 8.0)
    assert sol.binaries > 0
    assert sol.x == pytest.approx([a, 8 - a], abs=1e-6)
    assert sol.value == pytest.approx(best, abs=1e-9) and sol.value == pytest.approx(cs.value(sol.x), abs=1e-9)
    assert sol.gap_abs <= 1e-3 * abs(best)


@pytest.mark.parametrize("B", [2.0, 5.0, 12.0, 20.0])
def test_concave_returns_are_filled_greedily_without_binaries(B):
    """Diminishing returns (slopes -3 then -1; -2 then -0.5): the linear programme alone fills
    segments in order and equals the brute-force optimum."""
    c0, c1 = ([0, 3, 10], [0, -9, -16]), ([0, 5, 10], [0, -10, -12.5])
    cs = curves([c0[0], c1[0]], [c0[1], c1[1]])
    sol = solve_pl(np.array([[1.0, 1.0]]), np.array([B]), [cs], "min")
    _, best = brute(lambda x0, x1: np.interp(x0, *c0) + np.interp(x1, *c1), min(B, 20.0))
    assert sol.binaries == 0
    assert sol.value == pytest.approx(best, abs=1e-6)


def test_shadow_price_of_the_envelope_is_the_marginal_segment_slope():
    """Greedy fill with 5 to spend: c0's first segment (slope -3, length 3), then c1's first
    (slope -2): one more unit of budget is worth 2 (the marginal segment)."""
    c0, c1 = ([0, 3, 10], [0, -9, -16]), ([0, 5, 10], [0, -10, -12.5])
    cs = curves([c0[0], c1[0]], [c0[1], c1[1]])
    A, b = np.array([[1.0, 1.0]]), np.array([5.0])
    sol = solve_pl(A, b, [cs], "min")
    assert sol.x == pytest.approx([3.0, 2.0], abs=1e-6)
    assert shadow_prices(A, b, cs, sol.x) == pytest.approx([-2.0], abs=1e-6)


def test_min_cost_meets_a_target_with_the_cheapest_money():
    """Target slack rises with money: line 0 by 1 per unit up to 4 then flat, line 1 by 0.5 per
    unit. Needing a slack of 5 (starting at -5): 4 units on line 0 and 2 on line 1 (cost 6)."""
    g0 = np.array([[-5.0], [-1.0], [-1.0]])  # breaks 0, 4, 10
    g1 = np.array([[-5.0], [0.0]])  # breaks 0, 10: +0.5 per unit
    cs = curves([[0, 4, 10], [0, 10]], [[0, 0, 0], [0, 0]], slacks=[g0, g1])
    cs.g_ref = np.array([-5.0])
    sol = solve_pl(np.array([[1.0, 1.0]]), np.array([20.0]), [cs], "mincost", cost=np.ones(2))
    assert sol.x == pytest.approx([4.0, 2.0], abs=1e-6)
    assert sol.value == pytest.approx(6.0, abs=1e-6)
    assert cs.slacks(sol.x) == pytest.approx([0.0], abs=1e-9)


def test_regret_over_two_draws_against_brute_force():
    """Two draws disagree on which line is better: the least largest regret splits the money,
    as a grid search over the split finds."""
    d1 = curves([[0, 10], [0, 10]], [[0, -20], [0, -10]])  # line 0 better
    d2 = curves([[0, 10], [0, 10]], [[0, -5], [0, -15]])  # line 1 better
    B = 10.0
    f1 = lambda a, c: np.interp(a, [0, 10], [0, -20]) + np.interp(c, [0, 10], [0, -10])  # noqa: E731
    f2 = lambda a, c: np.interp(a, [0, 10], [0, -5]) + np.interp(c, [0, 10], [0, -15])  # noqa: E731
    star = np.array([brute(f1, B)[1], brute(f2, B)[1]])
    sol = solve_pl(np.array([[1.0, 1.0]]), np.array([B]), [d1, d2], "regret", f_star=star)
    _, best = brute(lambda a, c: max(f1(a, c) - star[0], f2(a, c) - star[1]), B)
    assert sol.value == pytest.approx(best, abs=1e-6)
    assert sol.t == pytest.approx(best, abs=1e-6)


def test_expected_over_draws_is_the_mean_curve():
    d1 = curves([FLAT_THEN_STEEP[0], LINEAR[0]], [FLAT_THEN_STEEP[1], LINEAR[1]])
    d2 = curves([[0, 10], [0, 10]], [[0, -2], [0, -10]])
    B = 8.0

    def mean(a, c):
        v1 = np.interp(a, *FLAT_THEN_STEEP) + np.interp(c, *LINEAR)
        return 0.5 * (v1 + np.interp(a, [0, 10], [0, -2]) + np.interp(c, [0, 10], [0, -10]))

    sol = solve_pl(np.array([[1.0, 1.0]]), np.array([B]), [d1, d2], "min")
    assert sol.value == pytest.approx(brute(mean, B)[1], abs=1e-6)


def test_disbursement_links_money_to_spending():
    """Only 60 % of the first variable's money is spent: 10 of money buys 6 of spending."""
    cs = curves([[0, 10], [0, 10]], [[0, -10], [0, -5]], disb=[0.6, 1.0])
    sol = solve_pl(np.array([[1.0, 1.0]]), np.array([10.0]), [cs], "min")
    # line 0: 0.6 per unit of money; line 1: 0.5 per unit: all money to line 0 (6 spent, -6)
    assert sol.x == pytest.approx([10.0, 0.0], abs=1e-6) and sol.value == pytest.approx(-6.0)


def test_infeasible_programme_is_none():
    g0 = np.array([[-5.0], [-4.0]])
    cs = curves([[0, 10]], [[0, 0]], slacks=[g0])
    cs.g_ref = np.array([-5.0])
    assert solve_pl(np.array([[1.0]]), np.array([10.0]), [cs], "mincost", cost=np.ones(1)) is None
