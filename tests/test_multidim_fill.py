"""A compiled run from the baseline writes the baseline's households into zero cells group by
group as its first year reads them (`simlib.engines.multidim_fill_kernels`, `multidim_jit`'s
`BASELINE` source): the same cells as the baseline's households by hand (the group's households
times its kind's shares), and the same year, bit for bit, as from cells filled before it."""

from __future__ import annotations

from dataclasses import fields

import numpy as np
import pytest

from simlib.engines import multidim_jit, multidim_tables
from simlib.engines.multidim_expected import close_run, filled, open_run, year_programme
from simlib.paths import params_dir
from simlib.scenario import load_scenario
from simlib.unit_switch import compile_run_model
from tests.conftest import make_scenario
from tests.test_workbench_incremental import ARRAYS, crossing_raw

pytestmark = pytest.mark.skipif(not multidim_jit.available(), reason="numba is not installed")


@pytest.fixture(scope="module")
def multidim_2030():
    return compile_run_model(load_scenario(params_dir() / "scenarios" / "multidim_2030.yaml"))[1]


def test_the_baseline_cells_are_the_groups_households_times_their_shares(multidim_2030):
    mm = multidim_2030
    M, H = multidim_jit.start(mm, 2)
    Mn, kd, inc0 = multidim_tables.entry_arrays(mm, 0)
    kind = multidim_tables.entry_kinds(mm)[1]
    n0 = mm.base.n0
    want_M = n0[:, :, None] * Mn[kind]  # (G, K, 4096)
    want_H = n0[:, :, None, None] * (kd[kind][..., None] * inc0[kind][:, :, None, :])  # (G, K, keys, B)
    for s in range(2):
        assert np.array_equal(M[s], want_M)
        assert np.array_equal(H[s], want_H)


def outputs(out, cells) -> dict:
    got = {name: getattr(out, name) for name in ARRAYS}
    got |= {f"multidim.{f.name}": getattr(out.multidim, f.name) for f in fields(out.multidim)}
    return got | dict(zip(("M", "H", "n", "sel", "built"), cells))


def years(mm, spend, years_run: int, fill_first: bool) -> dict:
    """`years_run` years from the baseline, its cells filled before the first year (`filled`) or
    by it (`BASELINE`)."""
    out, sp_all, cells, source = open_run(mm, spend, 0, None)
    if fill_first:
        cells, source = filled(mm, cells, source), None
    for y in range(years_run):
        multidim_jit.year(mm, y + 1, cells[:4], *year_programme(mm, cells, sp_all[:, y], out, y), out, source)
        source = None
    return outputs(close_run(mm, out, years_run, cells), cells)


@pytest.mark.parametrize("case", ["multidim_2030", "tiny"])
def test_a_year_from_the_baseline_fills_its_cells_as_it_reads_them(case, multidim_2030):
    mm = multidim_2030 if case == "multidim_2030" else compile_run_model(make_scenario(crossing_raw()))[1]
    spend = np.stack([mm.base.spend, 0.6 * mm.base.spend])  # two scenarios
    for n_years in (1, 2):
        a, b = years(mm, spend, n_years, False), years(mm, spend, n_years, True)
        assert a.keys() == b.keys()
        for name in a:
            assert a[name].tobytes() == b[name].tobytes(), name
