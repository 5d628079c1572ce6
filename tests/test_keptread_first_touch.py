"""A year from a kept state (`multidim_jit.year` with `source` = (Ms, Hs): `COPY`, the explorer's
re-runs) gives the bytes of the same year made in place after an explicit copy of the kept state,
while the kept state is poisoned (NaN) in the cell-states its vacancy bits say are all zero (they
must not be read: `multidim_fill_kernels.copy_over` writes zeros there) and the arrays filled hold
garbage (NaN) but in the states their own bits say are zero already (`into zero`, D: not written).

Written for issue 18's keptread, whose out-of-place first pass (the lines reading the kept state
instead of a copy; benchmarks/HISTORY.md `## keptread`) it checked and which was reverted as
slower: it failed with that pass reading the unfilled cells; it holds any later attempt (and the
copy) to the same contract."""

from __future__ import annotations

import copy

import numpy as np
import pytest

from simlib.engines import multidim_jit, multidim_tables
from simlib.engines.multidim_expected import open_run, year_programme
from simlib.engines.multidim_vacancy import year_state
from simlib.paths import params_dir
from simlib.scenario import load_scenario
from simlib.unit_switch import compile_run_model

pytestmark = pytest.mark.skipif(not multidim_jit.available(), reason="numba not installed")


def _records(out) -> list[bytes]:
    """Every array of the run's output (the review's records, flows, counts) as bytes."""
    arrays = [v for v in vars(out).values() if isinstance(v, np.ndarray)]
    arrays += [v for v in vars(out.multidim).values() if isinstance(v, np.ndarray)]
    return [a.tobytes() for a in arrays]


@pytest.fixture(scope="module")
def kept():
    """multidim_2030 after two years from the baseline: the run's cells at review 2 (with their
    vacancy bits) and its output, to continue from."""
    mm = compile_run_model(load_scenario(params_dir() / "scenarios" / "multidim_2030.yaml"))[1]
    out, sp_all, cells, source = open_run(mm, mm.base.spend[None], 0, None)
    for y in range(2):
        multidim_jit.year(mm, y + 1, year_state(cells), *year_programme(mm, cells, sp_all[:, y], out, y), out, source)
        source = None
    return mm, out, sp_all, cells


def _poisoned(M: np.ndarray, H: np.ndarray, bits: np.ndarray, keep: bool, held) -> tuple[np.ndarray, np.ndarray]:
    """Copies of M and H: NaN in the cell-states whose bit is set (keep) or not set (not keep), of
    the groups a task fills (`held`: the others are copied whole before the year)."""
    M, H = M.copy(), H.copy()
    for s, g in np.ndindex(bits.shape):
        for k in range(M.shape[2] if held[g] else 0):
            if bool(int(bits[s, g]) >> k & 1) == keep:
                M[s, g, k], H[s, g, k] = np.nan, np.nan
    return M, H


def test_a_year_from_a_kept_state_gives_the_bytes_of_a_year_after_a_copy(kept):
    mm, out0, sp_all, cells0 = kept
    y = 2
    Ms, Hs, V = cells0[0], cells0[1], cells0[5]
    st = multidim_tables.prepare(mm)
    held = np.zeros(Ms.shape[1], bool)
    held[st["bases"]] = True
    held[st["twin"][st["bases"]][st["twin"][st["bases"]] >= 0]] = True
    assert np.count_nonzero(V[:, held]) > 0  # states known zero: the poison below is reached
    runs = []
    for lazy in (False, True):
        out, cells = copy.deepcopy(out0), copy.deepcopy(cells0[:7])
        prog = year_programme(mm, cells, sp_all[:, y], out, y)
        if lazy:  # garbage to fill, zero (and known so) in every other state of those known zero
            D = V & np.uint8(0b101010)
            M, H = _poisoned(np.zeros_like(Ms), np.zeros_like(Hs), D, False, held)
            state = (M, H) + cells[2:4] + (cells[5], D)
            multidim_jit.year(mm, y + 1, state, *prog, out, _poisoned(Ms, Hs, V, True, held))
        else:  # the kept cells copied, then the year in place
            M, H = Ms.copy(), Hs.copy()
            multidim_jit.year(mm, y + 1, (M, H) + cells[2:4] + (cells[5],), *prog, out, None)
        assert not np.isnan(M).any() and not np.isnan(H).any()
        runs.append([M.tobytes(), H.tobytes(), cells[2].tobytes(), cells[5].tobytes()] + _records(out))
    assert runs[0] == runs[1]
