"""The cells the kernels read row by row start on 64-byte boundaries (`multidim_numba.aligned`):
numpy put large arrays 16 bytes past one, so every eight-wide load of a row of H (112 income
bins: 896 bytes a row) spanned two cache lines. Checked on the arrays a run really makes, and
that the kernels give the same bits whatever the offset of their rows."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from simlib.engines import multidim_jit
from simlib.engines.multidim_expected import run_multidim_expected
from simlib.engines.multidim_numba import ALIGN, aligned
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
