"""The certified loop's stopping rule (`simlib.allocate.certify`): it stops when a round gains
less than `STOP` of the certificate's scale, when the model around the result sees no such gain,
or at the effort's maximum of rounds — and there, while the model still sees a gain, it says so
(«chưa hội tụ» / “not converged”) in the certificate's sentence and in the progress line's
estimate. A stub task whose every round gains 10 households on the engine, counted by hand."""

from __future__ import annotations

from dataclasses import replace
from types import SimpleNamespace

import numpy as np

from simlib.allocate.certificate_text import certificate_text
from simlib.allocate.certify import STOP, Task, run_certified
from simlib.allocate.effort import ECONOMY, EstimatedRuns
from simlib.allocate.progress import estimate_text

SPEC = SimpleNamespace(robust=None, draws=0)


def stub_task(sees_until: float, effort=ECONOMY) -> Task:
    """The engine: 100 − 10 x households (one variable); the model around x says one more
    billion gains 10 more while x < `sees_until`, nothing from there (its own optimum is x)."""

    def true(X):
        return 100.0 - 10.0 * np.atleast_2d(X)[:, 0]

    def curves(x):
        return [SimpleNamespace(x_ref=x.copy(), evaluations=1, breaks=[np.array([0.0, 1.0])])]

    def solve(models):
        x = models[0].x_ref
        fx = float(true(x[None])[0])
        more = x[0] < sees_until - 1e-9
        return SimpleNamespace(
            x=x + (1.0 if more else 0.0), value=fx - (10.0 if more else 0.0), bound=fx - 10.0, binaries=0
        )

    return Task("min", true, curves, solve, lambda fx: 100.0, lambda models, X: 0.0, effort=effort)


def test_stopped_at_the_maximum_while_the_model_still_gains_is_not_converged():
    """Economy's two rounds each step one billion (10 households on the engine); the model around
    x = 2 still sees 10 more (10 % of the 100 households): not converged."""
    x, cert = run_certified(stub_task(sees_until=9.0), np.array([0.0]), [])
    assert x[0] == 2.0 and cert.value == 80.0 and cert.rounds == 2 and cert.max_rounds == 2
    assert cert.stopped == "max_rounds" and not cert.converged
    assert cert.last_gain == 10.0 and cert.next_gain == 10.0
    assert cert.as_dict()["converged"] is False
    en = certificate_text(cert, SPEC, "en")
    assert "maximum of 2 rounds" in en and "still gained 10.0 households" in en and "not converged" in en
    assert "sees 10.0 more (10.00%" in en and "below 0.02%" in en
    vi = certificate_text(cert, SPEC, "vi")
    assert "tối đa (2 vòng)" in vi and "giảm thêm 10,0 hộ" in vi and "chưa hội tụ" in vi and "0,02 %" in vi


def test_stopped_at_the_maximum_at_the_model_s_own_optimum_is_converged():
    """The model around x = 2 sees nothing better: a third round would step to x itself."""
    x, cert = run_certified(stub_task(sees_until=2.0), np.array([0.0]), [])
    assert x[0] == 2.0 and cert.rounds == 2
    assert cert.stopped == "model_optimum" and cert.converged and cert.next_gain == 0.0
    assert "not converged" not in certificate_text(cert, SPEC, "en")


def test_a_round_that_finds_nothing_ends_the_loop_before_its_maximum():
    """Full effort (ten rounds): from x = 3 the model's step gains nothing on the engine."""
    x, cert = run_certified(stub_task(sees_until=3.0, effort=replace(ECONOMY, max_rounds=10)), np.array([0.0]), [])
    assert x[0] == 3.0 and cert.rounds == 4 and cert.stopped == "no_gain" and cert.converged


def test_a_gain_below_the_tolerance_ends_the_loop():
    """A round that gains less than `STOP` of the scale ends the loop (converged)."""
    task = stub_task(sees_until=9.0, effort=replace(ECONOMY, max_rounds=10))
    small = STOP * 100.0 / 2  # households a billion gains: half the tolerance

    def true(X):
        return 100.0 - small * np.atleast_2d(X)[:, 0]

    task.true = true
    x, cert = run_certified(task, np.array([0.0]), [])
    assert x[0] == 1.0 and cert.rounds == 1 and cert.stopped == "small_gain" and cert.converged


def test_the_estimate_states_the_loop_s_maximum_and_tolerance():
    runs = EstimatedRuns(31, rounds=2, stop=STOP)
    en, vi = estimate_text(runs, 4.6, "en"), estimate_text(runs, 4.6, "vi")
    assert "at most 2 rounds" in en and "less than 0.02%" in en and "“not converged”" in en
    assert "tối đa 2 vòng" in vi and "ít hơn 0,02 %" in vi and "«chưa hội tụ»" in vi
    assert "rounds" not in estimate_text(EstimatedRuns(31), 4.6, "en")
