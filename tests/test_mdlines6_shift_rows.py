"""The income shift tables of the compiled multidimensional engine hold rows only for the lines
with an income effect (issue 18's mdlines6): each such line's rows are those it had when every
line had a row (the same closed form, row by row), at the row `_line_arrays`' slot names, and a
model without an income effect gets one row of zeros (never read)."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from conftest import make_scenario, tiny_raw

from simlib.engines import multidim_jit
from simlib.engines import multidim_tables as tables
from simlib.model import compile_model
from simlib.multidim import compile_multidim

pytestmark = pytest.mark.skipif(not multidim_jit.available(), reason="numba not installed")


@pytest.fixture(scope="module")
def mm():
    raw = tiny_raw(model="multidim", horizon=2)
    return compile_multidim(make_scenario(raw), compile_model(make_scenario(raw)))


def _delta(mm, effect: np.ndarray, S: int = 2, D: int = 3) -> np.ndarray:
    """delta (S, L, D) as `multidim_expected.year_programme` makes it, for a few gains."""
    gain = 1.0 + np.linspace(0.0, 0.4, S * D).reshape(S, 1, D)
    return np.where(effect[None, :, None] > 0, np.round(effect[None, :, None] * gain, 6), np.nan)


def test_rows_of_income_lines_equal_those_of_every_line(mm):
    L = len(mm.line_bits)
    effect = np.zeros(L)
    effect[::3] = np.linspace(1.0e6, 3.0e6, len(effect[::3]))  # every third line raises incomes
    some = replace(mm, income_effect=effect)
    every = replace(mm, income_effect=np.where(effect > 0, effect, 2.0e6))  # a row for every line
    part = tables.shift_tables(some, _delta(some, effect))
    full = tables.shift_tables(every, _delta(every, np.where(effect > 0, effect, 2.0e6)))
    slot = tables.prepare(some)["lines"][10]
    rows = np.flatnonzero(effect > 0)
    assert np.array_equal(slot[rows], np.arange(rows.size))
    assert all(a.shape[1] == rows.size for a in part)
    for a, b in zip(part, full):
        assert np.array_equal(a, b[:, rows])  # to the bit
    assert part[1].sum() > 0


def test_no_income_line_gives_one_row_of_zeros(mm):
    L = len(mm.line_bits)
    none = replace(mm, income_effect=np.zeros(L))
    lo, w, v = tables.shift_tables(none, _delta(none, np.zeros(L)))
    assert lo.shape[1] == w.shape[1] == v.shape[1] == 1
    assert not lo.any() and not w.any() and not v.any()
    assert not tables.prepare(none)["lines"][10].any()


def test_units_with_equal_deltas_get_the_rows_made_alone(mm):
    """A unit whose delta equals an earlier unit's gets a copy of its rows: the same bits as the
    unit's rows made on their own (deltas equal, distinct, and equal again out of order)."""
    L = len(mm.line_bits)
    effect = np.zeros(L)
    effect[1::2] = np.linspace(0.8e6, 2.5e6, len(effect[1::2]))
    some = replace(mm, income_effect=effect)
    gain = np.array([[1.0, 1.0, 1.3, 1.0, 1.3, 1.7], [1.2, 1.2, 1.2, 1.0, 1.2, 1.0]])[:, None, :]
    delta = np.where(effect[None, :, None] > 0, np.round(effect[None, :, None] * gain, 6), np.nan)
    got = tables.shift_tables(some, delta)
    for d in range(delta.shape[2]):
        alone = tables.shift_tables(some, np.ascontiguousarray(delta[:, :, d : d + 1]))
        for a, b in zip(got, alone):
            assert np.array_equal(a[:, :, d : d + 1], b)
