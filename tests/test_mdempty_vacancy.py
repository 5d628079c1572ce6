"""The housed twins known vacant from one year to the next (issue 18, `multidim_vacancy`): a
twin the engine marks vacant holds no households (its cells are all zero), a run that carries the
marks gives the same years, bit for bit, as one that scans every twin at each year's start, and a
year whose cells are filled during it forgets the marks."""

from __future__ import annotations

import numpy as np
import pytest

from simlib.engines import multidim_jit, multidim_tables
from simlib.engines.multidim_expected import close_run, open_run, year_programme
from simlib.engines.multidim_vacancy import of_state, reset_if_filled, unknown, year_state
from simlib.paths import params_dir
from simlib.scenario import load_scenario
from simlib.unit_switch import compile_run_model
from tests.conftest import make_scenario
from tests.test_multidim_fill import outputs
from tests.test_workbench_incremental import crossing_raw

pytestmark = pytest.mark.skipif(not multidim_jit.available(), reason="numba is not installed")


def multidim_model(name: str):
    """The multidimensional model of `multidim_2030`, or of a tiny crossing scenario ("tiny")."""
    if name == "multidim_2030":
        return compile_run_model(load_scenario(params_dir() / "scenarios" / "multidim_2030.yaml"))[1]
    return compile_run_model(make_scenario(crossing_raw()))[1]


@pytest.fixture(scope="module", params=["multidim_2030", "tiny"])
def model(request):
    return multidim_model(request.param)


def spend_of(mm) -> np.ndarray:
    return np.stack([mm.base.spend, 0.6 * mm.base.spend, 0.0 * mm.base.spend])


def years(mm, years_run: int, known: bool, check=None) -> dict:
    """`years_run` years from the baseline, the twins' marks carried (`known`) or not (every
    year scans them); `check(cells)` after each year."""
    out, sp_all, cells, source = open_run(mm, spend_of(mm), 0, None)
    for y in range(years_run):
        state = year_state(cells) if known else cells[:4]
        multidim_jit.year(mm, y + 1, state, *year_programme(mm, cells, sp_all[:, y], out, y), out, source)
        source = None
        if check is not None:
            check(cells)
    return outputs(close_run(mm, out, years_run, cells), cells)


def test_a_twin_marked_vacant_holds_no_households(model):
    twins = multidim_tables.prepare(model)["twin"]
    marked = []

    def check(cells):
        M, H, V = cells[0], cells[1], cells[5]
        for s, g in zip(*np.nonzero(V)):  # a bit per state since mdscan (issue 18): base groups' too
            for k in range(M.shape[2]):
                if (V[s, g] >> k) & 1:
                    assert not M[s, g, k].any() and not H[s, g, k].any(), (s, g, k)
        marked.append(int(np.count_nonzero(V[:, twins[twins >= 0]] == (1 << M.shape[2]) - 1)))

    years(model, 3, True, check)
    if (twins >= 0).any():
        assert max(marked) > 0  # the marks are used: the skip is tested


def test_the_marks_change_no_bit(model):
    a, b = years(model, 3, True), years(model, 3, False)
    assert a.keys() == b.keys()
    for name in a:
        assert a[name].tobytes() == b[name].tobytes(), name


def test_a_year_that_fills_its_cells_forgets_the_marks(model):
    """Marks (wrongly) left on every group by an earlier use of the array: the first year fills
    the cells from the baseline and must scan, as a run that knows nothing."""
    out, sp_all, cells, source = open_run(model, spend_of(model), 0, None)
    cells[5][:] = 1
    multidim_jit.year(model, 1, year_state(cells), *year_programme(model, cells, sp_all[:, 0], out, 0), out, source)
    got = outputs(close_run(model, out, 1, cells), cells)
    want = years(model, 1, False)
    for name in want:
        assert got[name].tobytes() == want[name].tobytes(), name


def test_the_helpers():
    V = unknown(2, 3)
    assert V.shape == (2, 3) and not V.any()
    M = np.zeros((2, 3, 4))
    assert of_state((M, None, None, None), M).shape == (2, 3)
    assert of_state((M, None, None, None, V), M) is V
    V[:] = 1
    assert reset_if_filled(V, None).all()
    assert not reset_if_filled(V, "baseline").any()
