"""The local search on the engine after the piecewise optimum (`simlib.allocate.engine_search`):
a constructed two-line problem whose separable piecewise model is wrong by construction (the
lines interact), solved by the real certified loop and HiGHS, against the true optimum found by
enumeration; and the certificate's sentence on what the search found."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np

from simlib.allocate import engine_search
from simlib.allocate.certificate_text import searched_text
from simlib.allocate.certify import Task, certified, remembered
from simlib.allocate.effort import ECONOMY
from simlib.allocate.engine_search import (
    local_search,
    marginal_points,
    model_change,
    moved,
    searched_optimum,
    transfers,
    with_points,
)
from simlib.allocate.milp import solve_pl
from simlib.allocate.pwl import Curves

ENVELOPE = 10.0  # billion VND: x1 + x2 <= 10
F_ZERO = 100.0  # households poor without the programme


def households(x: np.ndarray) -> float:
    """Poor households left: each line alone has increasing returns (0.2 x1², 0.25 x2²) and line 1
    takes away part of what line 2 does (+0.03 x1 x2²): line 2 alone is best (75 households),
    line 1 alone leaves 80, the half-and-half plan 92.5."""
    x1, x2 = x
    return F_ZERO - 0.2 * x1**2 - 0.25 * x2**2 + 0.03 * x1 * x2**2


def engine(X) -> np.ndarray:
    return np.array([households(x) for x in np.atleast_2d(X)])


def economy_curves(x: np.ndarray) -> Curves:
    """The separable model around x as economy effort samples it: each line's curve at 0, its
    money at x and the envelope, the other line as at x."""
    breaks, fs = [], []
    for k in range(2):
        pts = np.unique([0.0, x[k], ENVELOPE])
        ys = []
        for s in pts:
            y = x.copy()
            y[k] = s
            ys.append(households(y))
        breaks.append(pts)
        fs.append(np.array(ys))
    return Curves(
        x_ref=x.copy(),
        s_ref=x.copy(),
        f_ref=households(x),
        g_ref=np.zeros(0),
        breaks=breaks,
        f=fs,
        g=[np.zeros((len(b), 0)) for b in breaks],
        disb=np.ones(2),
        var_dir=np.arange(2),
    )


def two_line_task() -> tuple[SimpleNamespace, Task]:
    p = SimpleNamespace(A=np.array([[1.0, 1.0]]), b=np.array([ENVELOPE]))
    true = remembered(engine)

    def scale(fx):
        return max(abs(F_ZERO - fx), 1.0)

    def solve(models):
        return solve_pl(p.A, p.b, models, "min", offset=F_ZERO, scale=scale(models[0].f_ref))

    def error(models, X):
        return float(max((abs(models[0].value(x) - v) for x, v in zip(X, true(X))), default=0.0))

    task = Task("min", true, lambda x: [economy_curves(x)], solve, scale, error, effort=ECONOMY)
    return p, task


def enumerated_optimum(step: float = 0.05) -> tuple[np.ndarray, float]:
    """The best allocation on a grid of `step` billion VND over every legal split."""
    grid = np.arange(0.0, ENVELOPE + step / 2, step)
    X = np.array([(a, c) for a in grid for c in grid if a + c <= ENVELOPE + 1e-9])
    vals = engine(X)
    k = int(np.argmin(vals))
    return X[k], float(vals[k])


def test_the_piecewise_model_misses_the_true_optimum_and_the_engine_search_finds_it():
    """From the plan (5, 5) the separable model prefers all money on line 1 (it sees line 2's
    second half less well than line 1's with the other line held at 5) and the engine confirms
    the step (80 < 92.5 households); around (10, 0) the model sees all money on line 2 at
    100 + 85 - 80 = 105 households (the interaction is missing), so the loop stops at (10, 0).
    The enumeration's optimum is (0, 10) at 75 households: one transfer of all of line 1's
    money, run on the engine, reaches it."""
    x_true, f_true = enumerated_optimum()
    assert np.allclose(x_true, [0.0, ENVELOPE]) and np.isclose(f_true, 75.0)
    p, task = two_line_task()
    plan = np.array([5.0, 5.0])
    x_pl, cert_pl = certified(task, [plan], [plan])
    assert np.allclose(x_pl, [ENVELOPE, 0.0]) and np.isclose(cert_pl.value, 80.0)  # the piecewise optimum
    assert not cert_pl.promise_met  # the model's error at the plan is measured above the promise

    p, task = two_line_task()
    x, cert = searched_optimum(p, task, [plan], [plan])
    assert np.allclose(x, x_true) and np.isclose(cert.value, f_true)
    found = cert.searched
    assert np.isclose(found["start"], 80.0) and np.isclose(found["value"], 75.0)
    assert np.isclose(found["improvement"], 5.0 / 20.0)  # of the 20 households the certificate scales by
    assert found["moves"] == 1 and not found["last_found"]
    # the marginals measured on the engine: line 1 a billion less and line 2 a billion more at
    # (10, 0), then line 2 less and line 1 more at (0, 10); 4 of the search's 9 runs (1 + 4
    # transfers tested, one per step from the first again)
    assert found["measured"] == 4 and found["evaluations"] == 9
    # the last round moved 5 % of line 2's money back to line 1 (the only legal transfer) and found nothing
    assert found["last_fraction"] == 0.05 and found["last_tested"] == 1
    assert cert.gap == cert_pl.gap and cert.approx_error == cert_pl.approx_error  # the model's figures stay


def test_transfers_are_legal_and_keep_the_money():
    """Every transfer keeps the envelope and moves the asked share of one line's money."""
    p = SimpleNamespace(A=np.array([[1.0, 1.0, 0.0], [0.0, 0.0, 1.0]]), b=np.array([10.0, 2.0]))
    x = np.array([6.0, 4.0, 2.0])
    # line 3 sits alone under its own envelope (2): money moved to or from it breaks a rule
    assert transfers(p, x, 0.5, np.arange(3)) == [(0, 1, 3.0), (1, 0, 2.0)]
    assert np.allclose(moved(x, (0, 1, 3.0)), [3.0, 7.0, 2.0])
    # two sources of one line (one direction): moving money between them changes no spending
    assert transfers(p, x, 0.5, np.array([0, 0, 1])) == []


def test_the_model_change_of_a_transfer_is_the_piecewise_model_s_own():
    """The ranking's change equals the difference of the model's values (`Curves.value`)."""
    model = economy_curves(np.array([5.0, 5.0]))
    x = np.array([5.0, 5.0])
    for move in [(0, 1, 5.0), (1, 0, 2.5), (0, 1, 0.25)]:
        assert np.isclose(model_change(model, model.spend(x), move), model.value(moved(x, move)) - model.value(x))


def test_the_certificate_says_what_the_search_found_and_that_it_is_not_proven():
    found = {
        "start": 80.0,
        "value": 75.0,
        "improvement": 0.2,
        "moves": 1,
        "evaluations": 6,
        "last_fraction": 0.05,
        "last_tested": 1,
        "last_found": False,
    }
    en = searched_text(found, "en")
    assert "5.0 fewer households" in en and "20.00%" in en and "1 transfers in 6 engine runs" in en
    assert "tested 1 transfers of 5%" in en and "not a proven gap" in en
    vi = searched_text(found | {"last_found": True}, "vi")
    assert "giảm thêm 5,0 hộ" in vi and "vẫn tìm được phương án tốt hơn" in vi and "chưa được chứng nhận" in vi


def saturating(x: np.ndarray) -> float:
    """Three separable lines: line 1 lifts 0.5 households a billion, line 2 saturates
    (30 (1 − e^(−x/3))), line 3 lifts 1 a billion."""
    return F_ZERO - 0.5 * x[0] - 30.0 * (1.0 - np.exp(-x[1] / 3.0)) - 1.0 * x[2]


def saturating_engine(X) -> np.ndarray:
    return np.array([saturating(x) for x in np.atleast_2d(X)])


def three_point_curves(x: np.ndarray, top: float) -> Curves:
    """Each line's curve at 0, its money and `top`, the others as at x (economy's three points)."""
    breaks, fs = [], []
    for k in range(len(x)):
        pts = np.unique([0.0, x[k], top])
        fs.append(saturating_engine(np.array([np.where(np.arange(len(x)) == k, s, x) for s in pts])))
        breaks.append(pts)
    n = len(x)
    g = [np.zeros((len(b), 0)) for b in breaks]
    return Curves(x.copy(), x.copy(), saturating(x), np.zeros(0), breaks, fs, g, np.ones(n), np.arange(n))


def test_transfers_are_ranked_by_the_engine_s_marginals_not_the_chords(monkeypatch):
    """At (20, 2, 8) within 30 billion, a billion moved from line 1 to line 2 gains 30 (e^(−2/3) −
    e^(−1)) − 0.5 = 3.87 households on the engine, to line 3 only 0.5; the three-point curves see
    line 2's chord from 2 to 30 (0.55 a billion) and rank line 3 first. The marginals measured a
    billion either side rank line 2 first, and the search's one transfer evaluated is that one."""
    p = SimpleNamespace(A=np.array([[1.0, 1.0, 1.0]]), b=np.array([30.0]))
    x = np.array([20.0, 2.0, 8.0])
    model = three_point_curves(x, 30.0)
    s = model.spend(x)
    to_2, to_3 = (0, 1, 1.0), (0, 2, 1.0)
    assert model_change(model, s, to_3) < model_change(model, s, to_2)  # the chords' ranking
    fx = saturating(x)
    points, runs = marginal_points(model, x, fx, saturating_engine, {1, 2}, {0}, 64)
    assert runs == 3
    ranked = with_points(model, x, points)
    by_hand = 0.5 - 30.0 * (np.exp(-2.0 / 3.0) - np.exp(-1.0))
    assert np.isclose(model_change(ranked, s, to_2), by_hand) and np.isclose(by_hand, -3.8661, atol=1e-4)
    assert np.isclose(model_change(ranked, s, to_3), 0.5 - 1.0)
    assert nothing_measured(model, x, fx)
    # the search: one transfer of 5 % after the six measuring runs (each line less and more)
    monkeypatch.setattr(engine_search, "BATCH", 1)
    monkeypatch.setattr(engine_search, "FRACTIONS", (0.05,))
    y, found = local_search(p, x, saturating_engine, 20.0, model, budget=7)
    assert found.measured == 6 and found.evaluations == 7 and found.moves == 1
    assert np.allclose(y, [19.0, 3.0, 8.0]) and np.isclose(found.start - found.value, -by_hand)


def nothing_measured(model: Curves, x: np.ndarray, fx: float) -> bool:
    """No run when the runs would pass the room left; the curves unchanged without points."""
    points, runs = marginal_points(model, x, fx, saturating_engine, {1, 2}, {0}, 2)
    same = with_points(model, x, points)
    return points == {} and runs == 0 and all(np.array_equal(a, b) for a, b in zip(same.f, model.f))
