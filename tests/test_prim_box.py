"""simlib's PRIM (simlib.uncertainty.prim_box) against hand-worked peeling and pasting on points on
a line, the tie rule, and on random data the properties every peeling trajectory must have: nested
boxes, rising density, support never below the minimum; pasting never lowers the density."""

from __future__ import annotations

import numpy as np
import pytest

from simlib.uncertainty.prim_box import box_stats, in_box, n_peeled, paste, peel, peel_candidates

INF = np.inf


def _line(ones: set[int]) -> tuple[np.ndarray, np.ndarray]:
    """x = 1..20 in one column, y = 1 at the given x."""
    x = np.arange(1, 21, dtype=float)
    return x[:, None], np.array([float(v in ones) for v in range(1, 21)])


def test_peeling_trajectory_worked_by_hand():
    # y = 1 at x = 1 and 5..12 (9 of 20). alpha = 0.1: a peel removes ⌊0.1·(n − 1)⌋ + 1 points,
    # 2 while n ≥ 11, then 1; each limit lies halfway between the last point kept and the first out.
    # n=20: low {1,2} → 8/18, high {19,20} → 9/18 = 0.5: high = 18.5
    # n=18: low → 8/16, high {17,18} → 9/16: high = 16.5;  n=16: 8/14 vs 9/14: high = 14.5
    # n=14: 8/12 vs 9/12: high = 12.5;  n=12: low {1,2} → 8/10 = 0.8, high {11,12} → 7/10: low = 2.5
    # n=10 (1 point): low {3} → 8/9, high {12} → 7/9: low = 3.5;  n=9: low {4} → 8/8: low = 4.5
    # n=8: density 1, no peel can raise it: stop.
    X, y = _line({1, *range(5, 13)})
    assert [n_peeled(n, 0.1) for n in (20, 12, 11, 10, 9)] == [2, 2, 2, 1, 1]
    boxes = peel(X, y, alpha=0.1, min_support=0.05)
    limits = [(lo[0], hi[0]) for lo, hi in boxes]
    assert limits == [
        (-INF, INF),
        (-INF, 18.5),
        (-INF, 16.5),
        (-INF, 14.5),
        (-INF, 12.5),
        (2.5, 12.5),
        (3.5, 12.5),
        (4.5, 12.5),
    ]
    stats = np.array([box_stats(X, y, lo, hi) for lo, hi in boxes])
    np.testing.assert_allclose(stats[:, 0], np.array([20, 18, 16, 14, 12, 10, 9, 8]) / 20)
    np.testing.assert_allclose(stats[:, 2], [9 / 20, 9 / 18, 9 / 16, 9 / 14, 9 / 12, 8 / 10, 8 / 9, 1.0])
    np.testing.assert_allclose(stats[:, 1], np.array([9, 9, 9, 9, 9, 8, 8, 8]) / 9)
    # a minimum support of half the points (10) stops the peeling at the box of 10 points
    assert [(lo[0], hi[0]) for lo, hi in peel(X, y, 0.1, 0.5)] == limits[:6]
    # a column with a single value is never restricted
    X2 = np.column_stack([X[:, 0], np.full(20, 7.0)])
    assert [(lo[1], hi[1]) for lo, hi in peel(X2, y, 0.1, 0.05)] == [(-INF, INF)] * 8


def test_peel_keeps_ties_together():
    # n = 10, alpha = 0.1: one point per peel. The lowest value is shared by three points: all go;
    # on the upper side the single highest point goes.
    X = np.array([1, 1, 1, 2, 3, 4, 5, 6, 7, 8], float)[:, None]
    y = np.array([0, 0, 0, 1, 1, 1, 1, 1, 1, 0], float)
    cands = peel_candidates(X, y, np.ones(10, bool), 0.1)
    assert [c[1:] for c in cands] == [(7, 0, 0, 1.5), (9, 0, 1, 7.5)]  # (kept, column, side, limit)
    assert [c[0] for c in cands] == pytest.approx([6 / 7, 6 / 9])  # x ≥ 2: six 1s of 7; x ≤ 7: six of 9
    # a run of equal values at the cut stays: 2 points are due, the third (tied with the second) stays
    X = np.array([1, 2, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11], float)[:, None]
    cands = peel_candidates(X, np.ones(12), np.ones(12, bool), 0.1)
    assert n_peeled(12, 0.1) == 2 and (cands[0][1], cands[0][4]) == (11, 1.5)


def test_pasting_worked_by_hand():
    # y = 1 at x = 1..12 except 5. Box 2..12 (low 1.5, high 12.5): 10/11. Pasting x = 1 back
    # (the last point below: the side becomes unrestricted) gives 11/12; x = 13 would give 10/12.
    # Then only the upper side is restricted, and x = 13 would lower 11/12 to 11/13: stop.
    X, y = _line(set(range(1, 13)) - {5})
    low, high = paste(X, y, [1.5], [12.5], alpha=0.05)
    assert (low[0], high[0]) == (-INF, 12.5)
    # y = 1 at x = 1..12 except 2. Box 1..10 (high 10.5): 9/10. With alpha = 0.05 one point comes
    # back at a time: x = 11 → 10/11, x = 12 → 11/12, x = 13 would give 11/13: high = 12.5.
    X, y = _line(set(range(1, 13)) - {2})
    low, high = paste(X, y, [-INF], [10.5], alpha=0.05)
    assert (low[0], high[0]) == (-INF, 12.5)
    assert box_stats(X, y, low, high) == pytest.approx((12 / 20, 1.0, 11 / 12))


@pytest.mark.parametrize("seed", range(6))
def test_peeling_trajectory_properties_on_random_data(seed):
    rng = np.random.default_rng(seed)
    n, p = 300, 5
    X = rng.random((n, p))
    X[:, 4] = rng.integers(0, 4, n)  # a column with many ties
    # binary outcomes with a weak signal in two columns, and a continuous outcome
    for y in ((rng.random(n) < 0.2 + 0.3 * (X[:, 0] < 0.5) * (X[:, 1] > 0.3)).astype(float), rng.random(n) ** 2):
        boxes = peel(X, y, alpha=0.05, min_support=0.1)
        stats = np.array([box_stats(X, y, lo, hi) for lo, hi in boxes])
        assert len(boxes) > 1
        assert np.all(np.diff(stats[:, 2]) > 0)  # density rises at every peel
        assert np.all(np.diff(stats[:, 0]) < 0) and stats[-1, 0] >= 0.1  # support shrinks, never below
        for (lo0, hi0), (lo1, hi1) in zip(boxes, boxes[1:]):  # nested, one side of one column moves
            assert np.all(lo1 >= lo0) and np.all(hi1 <= hi0)
            assert (lo1 != lo0).sum() + (hi1 != hi0).sum() == 1
        for lo, hi in (boxes[len(boxes) // 2], boxes[-1]):
            plo, phi = paste(X, y, lo, hi, 0.05)
            assert np.all(plo <= lo) and np.all(phi >= hi)  # pasting only widens
            assert box_stats(X, y, plo, phi)[2] >= box_stats(X, y, lo, hi)[2]
            assert in_box(X, plo, phi)[in_box(X, lo, hi)].all()


def test_bad_input_is_refused():
    X, y = _line({1})
    with pytest.raises(ValueError, match="alpha"):
        peel(X, y, alpha=1.0)
    with pytest.raises(ValueError, match="one y per row"):
        peel(X, y[:5])
