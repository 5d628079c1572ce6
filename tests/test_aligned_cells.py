"""The cells the kernels read row by row start on 64-byte boundaries (`multidim_numba.aligned`):
numpy put large arrays 16 bytes past one, so every eight-wide load of a row of H (112 income
bins: 896 bytes a row) spanned two cache lines. So do a thread's compiled working arrays
(`multidim_numba.aempty`: numba's own start on 32-byte boundaries) and the static tables
(`multidim_tables.on_lines`). Checked on the arrays a run really makes, and that the kernels
give the same bits whatever the offset of their rows."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from simlib.engines import multidim_jit, multidim_tables
from simlib.engines.multidim_cell_kernels import settle_scratch
from simlib.engines.multidim_expected import run_multidim_expected
from simlib.engines.multidim_numba import ALIGN, aempty, aligned, placed
from simlib.engines.multidim_record_kernels import scratch as record_scratch
from simlib.engines.multidim_scratch import thread_scratch
from simlib.runner import compile_run_model
from simlib.scenario import load_scenario
from simlib.workbench.pool import new_like

pytestmark = pytest.mark.skipif(not multidim_jit.available(), reason="numba not installed")

#: Cao Bằng's multidimensional scenario: 112 income bins, the kernels' eight-wide paths
SCENARIO = Path(__file__).resolve().parents[1] / "params" / "scenarios" / "multidim_2030.yaml"


@pytest.fixture(scope="module")
def mm():
    return compile_run_model(load_scenario(SCENARIO))[1]


@pytest.mark.parametrize("shape", [(3,), (2, 5, 7), (1, 4, 3, 6, 112)])
def test_aligned_arrays_start_on_the_boundary_and_are_zero_c_contiguous(shape):
    a = aligned(shape)
    assert a.ctypes.data % ALIGN == 0 and a.flags.c_contiguous and a.dtype == np.float64
    assert a.shape == shape and not a.any()
    b = aligned(shape, zero=False)
    assert b.ctypes.data % ALIGN == 0 and b.shape == shape


def test_a_runs_cells_and_the_explorers_spare_cells_are_aligned(mm):
    M, H = multidim_jit.cells(mm, 2)
    assert M.ctypes.data % ALIGN == 0 and H.ctypes.data % ALIGN == 0
    assert H.shape[-1] == 112 and (H.shape[-1] * 8) % ALIGN == 0  # 112 bins: every row aligned too
    spare = new_like(np.zeros((3, 1000)))
    assert spare.ctypes.data % ALIGN == 0 and spare.shape == (3, 1000)
    assert new_like(np.zeros(5, np.int32)).dtype == np.int32


def test_the_run_is_the_same_bits_with_cells_placed_16_bytes_past_the_boundary(mm, monkeypatch):
    """A run with every cell array 16 bytes past a boundary (numpy's placement before) against
    the aligned run: the same households, deprivations and flows to the bit."""
    spend = mm.base.spend
    ours = run_multidim_expected(mm, spend)
    made = multidim_jit.cells

    def shifted(mm_, S):
        out = []
        for a in made(mm_, S):
            buf = np.zeros(a.size * 8 + 2 * ALIGN, np.uint8)
            at = (-buf.ctypes.data) % ALIGN + 16
            out.append(buf[at : at + a.size * 8].view(np.float64).reshape(a.shape))
        assert all(x.ctypes.data % ALIGN == 16 for x in out)
        return tuple(out)

    monkeypatch.setattr(multidim_jit, "cells", shifted)
    theirs = run_multidim_expected(mm, spend)
    assert np.array_equal(ours.states, theirs.states)
    assert np.array_equal(ours.flows, theirs.flows)
    assert np.array_equal(ours.multidim.deprived, theirs.multidim.deprived)
    assert np.array_equal(ours.multidim.fgt1, theirs.multidim.fgt1)


def arrays_in(x):
    """Every array in x (nested tuples, lists and dicts)."""
    if isinstance(x, np.ndarray):
        return [x]
    items = x.values() if isinstance(x, dict) else x if isinstance(x, (tuple, list)) else ()
    return [a for y in items for a in arrays_in(y)]


def test_aempty_and_placed_start_on_the_boundary_with_the_shape_dtype_and_values():
    for n, dtype in [(1, np.float64), (5, np.int64), (112, np.float64), (7, np.bool_)]:
        for _ in range(4):  # numba's allocations alternate between 0 and 32 past a boundary
            a = aempty(n, dtype)
            assert a.ctypes.data % ALIGN == 0 and a.shape == (n,) and a.dtype == dtype and a.flags.c_contiguous
    x = np.arange(2 * 3 * 5, dtype=np.int64).reshape(2, 3, 5)[:, ::2]  # not contiguous
    y = placed(x)
    assert y.ctypes.data % ALIGN == 0 and y.flags.c_contiguous and y.dtype == np.int64
    assert y.tolist() == [[[0, 1, 2, 3, 4], [10, 11, 12, 13, 14]], [[15, 16, 17, 18, 19], [25, 26, 27, 28, 29]]]


def test_a_threads_working_arrays_start_on_the_boundary(mm):
    """Every working array a thread makes (lines, own changes, settling) and `_record`'s, made
    several times over (numba placed every other one 32 bytes past a boundary)."""
    M, H = multidim_jit.cells(mm, 1)
    st = multidim_tables.prepare(mm)
    made = []
    for _ in range(4):
        made += arrays_in(thread_scratch(M, H, st["lines"], st["flips"]))
        made += arrays_in(settle_scratch(6, 52, 112)) + arrays_in(record_scratch(24, st["count"]))
    assert len(made) == 4 * (8 + 9 + 2 + 4 + 4 + 6)
    assert [a.ctypes.data % ALIGN for a in made] == [0] * len(made)
    H3 = made[17]  # the incomes after the own changes (K, NK, B): every row 896 bytes, aligned too
    assert H3.shape == (M.shape[2], H.shape[3], 112) and H3.flags.c_contiguous


def test_the_static_tables_start_on_the_boundary(mm):
    """The model's tables (the income kernel's dense bands (areas, 112, 112) among them), the
    new households' arrays and the review's weights of every review."""
    st = multidim_tables.prepare(mm)
    tables = arrays_in(st) + [
        a
        for t in range(len(mm.min_deprivations))
        for a in arrays_in((multidim_tables.entry_arrays(mm, t), multidim_tables.review_arrays(mm, t)))
    ]
    assert st["kernel"][3].shape[1:] == (112, 112) and len(tables) > 40
    assert [a.ctypes.data % ALIGN for a in tables] == [0] * len(tables)


def test_the_run_is_the_same_bits_with_tables_placed_16_bytes_past_the_boundary(monkeypatch):
    """A run whose tables all sit 16 bytes past a boundary against the aligned run."""
    model = compile_run_model(load_scenario(SCENARIO))[1]
    ours = run_multidim_expected(model, model.base.spend)

    def shifted(x):
        if isinstance(x, np.ndarray):
            buf = np.zeros(x.nbytes + 2 * ALIGN, np.uint8)
            at = (-buf.ctypes.data) % ALIGN + 16
            y = buf[at : at + x.nbytes].view(x.dtype).reshape(x.shape)
            y[...] = x
            return y
        if isinstance(x, dict):
            return {k: shifted(v) for k, v in x.items()}
        return tuple(shifted(v) for v in x) if isinstance(x, tuple) else x

    monkeypatch.setattr(multidim_tables, "on_lines", shifted)
    model = compile_run_model(load_scenario(SCENARIO))[1]
    theirs = run_multidim_expected(model, model.base.spend)
    assert multidim_tables.prepare(model)["kernel"][3].ctypes.data % ALIGN == 16
    assert np.array_equal(ours.states, theirs.states) and np.array_equal(ours.flows, theirs.flows)
    assert np.array_equal(ours.multidim.deprived, theirs.multidim.deprived)
    assert np.array_equal(ours.multidim.fgt1, theirs.multidim.fgt1)
