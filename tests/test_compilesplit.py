"""A batch's first run compiles each year kernel of the multidimensional engine once, one per
worker (`simlib.batch.warmup`), and its watch says compiling is over only when every year kernel
its scenarios call is compiled (`compiling.CompileWatch.needed`). No kernel is compiled here: the
cache folder is a temporary one, its files written by the tests (as tests/test_firstrun.py), and
the workers are stand-ins."""

from __future__ import annotations

import time
from concurrent.futures import Future, ProcessPoolExecutor

import pytest
from conftest import ROOT
from test_firstrun import index_file, kernel_file

from simlib.batch import compiling, run, staged, warmup
from simlib.executors import SerialExecutor
from simlib.options import RunOptions
from simlib.scenario import load_scenario

SCENARIOS = ROOT / "params" / "scenarios"
YEAR, BOTH = "multidim_jit._year", "multidim_jit._year_both"


class Workers(ProcessPoolExecutor):
    """A stand-in of the batch's local workers: records what it is handed, runs nothing."""

    def __init__(self):  # no process started
        self.asked = []

    def submit(self, fn, *args, **kwargs):
        self.asked.append((fn.__name__, args))
        fut = Future()
        fut.set_result(None)
        return fut


def test_the_kernels_each_scenario_calls():
    """The states model none; `_year` for every multidimensional run; `_year_both` too when its
    previous-standard twin continues the run (plan_2027 and multidim_2030 cross the 2026 change
    of standard after their first projected year)."""
    options = RunOptions(executor="local")
    got = {n: warmup.kernels_of(load_scenario(SCENARIOS / f"{n}.yaml"), options) for n in ("plan_2024", "plan_2027")}
    got["multidim_2030"] = warmup.kernels_of(load_scenario(SCENARIOS / "multidim_2030.yaml"), options)
    assert got == {"plan_2024": (), "plan_2027": (YEAR, BOTH), "multidim_2030": (YEAR, BOTH)}
    assert (warmup.YEAR, warmup.YEAR_BOTH) == (YEAR, BOTH)


def test_each_cold_kernel_is_asked_once_of_the_first_scenario_needing_it(tmp_path):
    needs = [("a.yaml", (YEAR,)), ("b.yaml", (YEAR, BOTH)), ("c.yaml", (YEAR, BOTH)), ("d.yaml", ())]
    assert warmup.warm_plan(needs, 2, tmp_path / "none yet") == [(YEAR, "a.yaml"), (BOTH, "b.yaml")]
    kernel_file(tmp_path, YEAR, time.time() - 100)  # `_year` compiled by an earlier run
    index_file(tmp_path, BOTH, time.time() - 100)  # `_year_both` only indexed: not compiled
    assert warmup.warm_plan(needs, 2, tmp_path) == [(BOTH, "b.yaml")]
    kernel_file(tmp_path, BOTH, time.time() - 100)
    assert warmup.warm_plan(needs, 2, tmp_path) == []  # a warm cache: nothing


def test_nothing_is_asked_where_no_two_workers_would_compile_at_once(tmp_path):
    both, one = [("b.yaml", (YEAR, BOTH)), ("c.yaml", (YEAR,))], [("a.yaml", (YEAR,)), ("s.yaml", ())]
    assert warmup.warm_plan(both, 1, tmp_path) == []  # one worker compiles each kernel once anyway
    assert warmup.warm_plan(one, 2, tmp_path) == []  # one scenario, one kernel: one worker compiles
    assert warmup.warm_plan([("s.yaml", ())] * 3, 2, tmp_path) == []  # the states model
    two = [("a.yaml", (YEAR,)), ("e.yaml", (YEAR,))]  # two would compile `_year` side by side
    assert warmup.warm_plan(two, 2, tmp_path) == [(YEAR, "a.yaml")]


def test_the_workers_are_handed_each_kernel_once_and_nothing_else_is():
    ex, options = Workers(), RunOptions(executor="local", jobs=2, progress=True)
    warmup.warm_kernels(ex, [(YEAR, "a.yaml"), (BOTH, "b.yaml")], [("x", 1)], options)
    assert [(f, a[:3]) for f, a in ex.asked] == [
        ("compile_year", (YEAR, "a.yaml", [("x", 1)])),
        ("compile_year", (BOTH, "b.yaml", [("x", 1)])),
    ]
    assert all(a[3] == options.in_worker() for _, a in ex.asked)
    serial = SerialExecutor()
    warmup.warm_kernels(serial, [(YEAR, "a.yaml")], [], options)  # no local workers: nothing handed
    warmup.warm_kernels(ex, [], [], options)
    assert len(ex.asked) == 2


def test_a_batch_hands_out_the_kernels_before_its_scenarios(tmp_path, monkeypatch):
    """`run_batch`'s plan for the bundled plan_2027 and multidim_2030 on a cold cache with two
    workers: `_year` to the first, `_year_both` to the second, before any report; none on a warm
    cache."""
    monkeypatch.setenv("NUMBA_CACHE_DIR", str(tmp_path / "numba"))
    monkeypatch.setattr(run, "default_jobs", lambda: 2)
    paths = [SCENARIOS / "multidim_2030.yaml", SCENARIOS / "plan_2027.yaml"]
    checked = {p: load_scenario(p) for p in paths}
    options = RunOptions(executor="local", jobs=2)
    order = run.longest_first(paths, checked)
    needed, warm = run.batch_kernels(order, checked, options, len(paths))
    assert needed == {YEAR, BOTH} and warm == ((YEAR, order[0]), (BOTH, order[0]))
    assert run.batch_kernels(order, checked, options.but(jobs=1), len(paths))[1] == ()
    folder = compiling.cache_folder()
    for k in (YEAR, BOTH):
        kernel_file(folder, k, time.time() - 100)
    assert run.batch_kernels(order, checked, options, len(paths)) == ({YEAR, BOTH}, ())


def test_the_reports_wait_for_the_kernels(tmp_path, monkeypatch):
    """`staged.run_reports` hands the warm-up to the workers before the first report."""
    ex, handed = Workers(), []
    monkeypatch.setattr(staged, "warm_kernels", lambda e, plan, *a: handed.append(("warm", plan)))
    monkeypatch.setattr(staged, "_submit_report", lambda *a: handed.append(("report", a[1])))
    batch = run.Batch(RunOptions(progress=False), tmp_path, [], True, "en", 0, "lhs", warm=((YEAR, "a"),))
    items = {"a": run.BatchItem(path=tmp_path / "a", name="a", model="multidim")}
    staged.run_reports(ex, ["a"], items, batch, staged.Stages(), lambda: None)
    assert handed == [("warm", ((YEAR, "a"),)), ("report", "a")]


@pytest.mark.parametrize("needed,over", [({YEAR}, True), ({YEAR, BOTH}, False)])
def test_compiling_is_over_only_when_every_year_kernel_needed_is(tmp_path, needed, over):
    """A mixed batch: `_year` compiled, a scenario finished. Where `_year_both` is needed too it
    is still compiling, and nothing says compiling is over until it is written."""
    start = 1_000_000.0
    for name in (YEAR, BOTH):
        index_file(tmp_path, name, start + 2)
    kernel_file(tmp_path, YEAR, start + 200)
    index_file(tmp_path, YEAR, start + 201)
    w = compiling.CompileWatch(tmp_path, "en", start, needed=frozenset(needed))
    assert w.poll(start + 210)[1] is over
    kernel_file(tmp_path, BOTH, start + 400)
    index_file(tmp_path, BOTH, start + 401)
    text, done = w.poll(start + 410)
    assert done and text.startswith("The model's kernels are compiled (2 kernels, 6 min 50 s")
