"""The compiled multidimensional year's tasks shared by its threads as they go (issue 18's
mdsched, `multidim_jit._year` and `_year_both`: two loops walk a run from its two ends while its
shared counter says a task is left): the counter hands out every number once, and the engine's
arrays do not depend on how many loops share the tasks nor on which takes which."""

from __future__ import annotations

from dataclasses import fields

import numpy as np
import pytest

from simlib.engines import multidim_jit, multidim_twin
from simlib.engines.multidim_expected import run_multidim_expected
from simlib.engines.multidim_numba import compiled, parallel, prange, take
from simlib.paths import params_dir
from simlib.scenario import load_scenario
from tests.test_engine_twin_year import arrays, copied, models
from tests.test_mdempty_vacancy import multidim_model, spend_of
from tests.test_workbench_incremental import ARRAYS

pytestmark = pytest.mark.skipif(not multidim_jit.available(), reason="numba is not installed")


@parallel
def _handed_out(tasks, parts):
    """How many times each of `tasks` numbers was taken by `parts` loops sharing one counter, and
    the counter (1,) at the end (the array: its entry read here after the loop was the zero
    written before it, the atomic additions not seen by the compiler there)."""
    taken, seen = np.zeros(1, np.int64), np.zeros(tasks, np.int64)
    for _ in prange(parts):
        i = take(taken)
        while i < tasks:
            seen[i] += 1  # each number is taken once: no other thread writes it
            i = take(taken)
    return seen, taken


@pytest.mark.parametrize("parts", [1, 2, 3, 8])
def test_the_counter_hands_out_every_task_once(parts):
    seen, end = _handed_out(10_000, parts)
    assert np.all(seen == 1)
    assert end[0] == 10_000 + parts  # each loop took one number past the last task


@compiled
def _twice(counter):
    return take(counter), take(counter)


def test_take_returns_the_value_before():
    counter = np.array([5], np.int64)
    assert _twice(counter) == (5, 6) and counter[0] == 7


def _bytes(got) -> dict:
    """Every output array's bytes (`arrays`; without a state handed over: the output's own)."""
    if got.state is None:
        got = {name: getattr(got, name) for name in ARRAYS} | {
            f.name: getattr(got.multidim, f.name) for f in fields(got.multidim)
        }
        return {name: a.tobytes() for name, a in got.items()}
    return {name: a.tobytes() for name, a in arrays(got).items()}


@pytest.mark.parametrize("name", ["multidim_2030", "tiny"])
def test_the_years_do_not_depend_on_the_threads(name, monkeypatch):
    mm = multidim_model(name)
    spend = spend_of(mm)
    runs = []
    for parts in (1, 2, 3, 7, 2):  # 3 and 7 loops on the machine's threads: tasks taken in any order
        monkeypatch.setattr(multidim_jit, "get_num_threads", lambda p=parts: p)
        runs.append(_bytes(run_multidim_expected(mm, spend, stop=3)))
    for got in runs[1:]:
        assert got == runs[0]


@pytest.mark.parametrize("hands_over", [True, False])
def test_the_twin_year_does_not_depend_on_the_threads(hands_over, monkeypatch):
    at, spend, mm, twin = models(load_scenario(params_dir() / "scenarios" / "multidim_2030.yaml"))
    first = run_multidim_expected(mm, spend, stop=at)
    both = []
    real = multidim_jit.year_both
    monkeypatch.setattr(multidim_jit, "year_both", lambda *a: (both.append(1), real(*a)))
    runs = []
    for parts in (1, 2, 5):
        monkeypatch.setattr(multidim_jit, "get_num_threads", lambda p=parts: p)
        states = copied(first.state), copied(first.state)
        got = multidim_twin.run_with_twin(mm, twin, spend, at, at + 2, *states, twin_hands_over=hands_over)
        runs.append([_bytes(g) for g in got])
    assert len(both) == 3  # the two standards' year made together (`_year_both`)
    for got in runs[1:]:
        assert got == runs[0]
