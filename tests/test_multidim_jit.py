"""The compiled multidimensional expected engine (`simlib.engines.multidim_jit`) against the
numpy reference (`backend="numpy"`): the same arithmetic reorganised, so every output agrees to
rounding — for one scenario, a batch of scenarios with different money, a changing standard and a
model where lines both clear flags and raise income. A negative control shows the comparison
detects a change in one line's effect."""

from __future__ import annotations

import ast
import inspect
import textwrap
from dataclasses import replace

import numpy as np
import pytest
from conftest import make_scenario, tiny_raw

from simlib.engines import multidim_balance, multidim_jit
from simlib.engines.multidim_expected import run_multidim_expected
from simlib.errors import InputError
from simlib.model import compile_model
from simlib.multidim import compile_multidim
from simlib.multidim.output import spread_removals

pytestmark = pytest.mark.skipif(not multidim_jit.available(), reason="numba not installed")

FIELDS = ("states", "flows", "entries", "reached", "eligible", "ps_supported", "ps_wanting")
MD_FIELDS = ("deprived", "dim_deprived", "multi_deprived", "fgt1", "fgt2", "income_sum", "removed")


def _model(horizon: int):
    raw = tiny_raw(model="multidim", horizon=horizon)
    for y in range(2026, 2024 + horizon):
        raw["budget"]["years"][str(y)] = {"same_as": 2024}
    model = compile_model(make_scenario(raw))
    return model, compile_multidim(make_scenario(raw), model)


def _differences(a, b) -> dict[str, float]:
    """Largest difference of every output relative to its scale (1 household or the value)."""
    out = {}
    for name in FIELDS:
        x, y = getattr(a, name), getattr(b, name)
        out[name] = float(np.max(np.abs(x - y) / np.maximum(np.abs(y), 1.0), initial=0.0))
    for name in MD_FIELDS:
        x, y = getattr(a.multidim, name), getattr(b.multidim, name)
        out[name] = float(np.max(np.abs(x - y) / np.maximum(np.abs(y), 1.0), initial=0.0))
    return out


@pytest.fixture(scope="module")
def tiny():
    return _model(horizon=4)  # 2024 ... 2028: crosses the 2027 change of standard


def test_compiled_engine_equals_the_numpy_reference(tiny):
    model, mm = tiny
    a = run_multidim_expected(mm, model.spend, backend="jit")
    b = run_multidim_expected(mm, model.spend, backend="numpy")
    assert b.states[0, 0].sum() > 0 and b.multidim.removed.sum() > 0  # the lines act
    diff = _differences(a, b)
    assert max(diff.values()) < 1e-9, diff


def test_compiled_engine_batch_of_scenarios(tiny):
    model, mm = tiny
    scale = np.array([0.0, 0.5, 2.0])[:, None, None, None]
    spend = model.spend[None] * scale
    a = run_multidim_expected(mm, spend, backend="jit")
    b = run_multidim_expected(mm, spend, backend="numpy")
    diff = _differences(a, b)
    assert max(diff.values()) < 1e-9, diff
    # each scenario of the batch is the scenario run alone
    alone = run_multidim_expected(mm, spend[1], backend="jit")
    assert np.allclose(a.multidim.deprived[1], alone.multidim.deprived[0], rtol=1e-12, atol=1e-9)


def test_compiled_engine_income_and_flags_together(tiny):
    """Every line that clears flags also raises income: the reached households' incomes move
    through the flag-clearing operator and the income shift in one pass."""
    model, mm = tiny
    effect = np.where(mm.removal > 0, np.maximum(mm.income_effect, 1.5e6), mm.income_effect)
    both = replace(mm, income_effect=effect)
    diff = _differences(
        run_multidim_expected(both, model.spend, backend="jit"),
        run_multidim_expected(both, model.spend, backend="numpy"),
    )
    assert max(diff.values()) < 1e-9, diff


def test_comparison_detects_a_changed_line(tiny):
    model, mm = tiny
    b = run_multidim_expected(mm, model.spend, backend="numpy")
    removed = spread_removals(b.multidim.removed, mm)  # (S, Y, L, G, 12)
    li = int(np.argmax(removed.sum(axis=(0, 1, 3, 4))))  # the line that removes the most
    removal = mm.removal.copy()
    removal[li] *= 0.5
    a = run_multidim_expected(replace(mm, removal=removal), model.spend, backend="jit")
    assert max(_differences(a, b).values()) > 1e-6


def test_unknown_backend_is_refused(tiny):
    model, mm = tiny
    with pytest.raises(InputError):
        run_multidim_expected(mm, model.spend, backend="gpu")


def test_cached_code_is_dropped_when_a_kernel_module_changes(tmp_path, monkeypatch):
    """numba keys a cached function on its own file only; `refresh_caches` keeps a digest of all
    the engine's modules beside the cache and drops every cached function when it changes."""
    import importlib.util  # local import: a module written by the test itself
    import sys

    from simlib.engines.multidim_numba import refresh_caches

    src = tmp_path / "kernels_under_test.py"
    src.write_text("import numba\n\n\n@numba.njit(cache=True)\ndef f(x):\n    return x + 1\n", encoding="utf-8")
    spec = importlib.util.spec_from_file_location("kernels_under_test", src)
    mod = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, "kernels_under_test", mod)
    spec.loader.exec_module(mod)
    flushed = []
    monkeypatch.setattr(mod.f._cache, "flush", lambda: flushed.append(1))
    refresh_caches((mod,))  # no digest yet: drop
    stamp = tmp_path / "__pycache__" / "multidim_kernels.sha256"
    assert len(flushed) == 1 and stamp.is_file()
    refresh_caches((mod,))  # unchanged: keep
    assert len(flushed) == 1
    src.write_text(src.read_text(encoding="utf-8") + "\n\nY = 2\n", encoding="utf-8")
    refresh_caches((mod,))  # a source changed: drop
    assert len(flushed) == 2


def _numpy_calls_before_prange(fn) -> list[str]:
    """The `np.*` calls among the statements of `fn` (a parallel year) before its loop over threads."""
    body = ast.parse(textwrap.dedent(inspect.getsource(fn.py_func))).body[0].body
    calls = []
    for stmt in body:
        if isinstance(stmt, ast.For) and ast.unparse(stmt.iter).startswith("prange("):
            return calls
        calls += [
            ast.unparse(n.func)
            for n in ast.walk(stmt)
            if isinstance(n, ast.Call) and ast.unparse(n.func).startswith("np.")
        ]
    raise AssertionError("no loop over prange")


def test_parallel_years_start_their_loop_with_no_other_parallel_region():
    """numba (parallel=True) makes an array expression such as `np.zeros` before the loop over
    threads a parallel loop of its own, whose start and end wait for the other thread (on a busy
    machine 0.3-20 ms a year, benchmarks/HISTORY.md `## p27drive`): the years' counters come
    from a compiled helper, `multidim_balance.runs`, which gives `cuts` and zeros."""
    for fn in (multidim_jit._year, multidim_jit._year_both):
        assert _numpy_calls_before_prange(fn) == []
    n = np.array([[[1.0, 0.0], [2.0, 3.0], [0.0, 0.0], [4.0, 0.0]]])  # (S, G, K)
    cov = np.zeros((1, 1, 4, 2))
    lines = tuple(np.zeros(1, bool) for _ in range(9))
    bases, twin = np.arange(4), np.full(4, -1)
    cut, taken = multidim_balance.runs(n, cov, lines, bases, twin, 2)
    assert cut.tolist() == multidim_balance.cuts(n, cov, lines, bases, twin, 2).tolist()
    assert taken.dtype == np.int64 and taken.tolist() == [0, 0]
