"""Cell-states known to hold no households (issue 18's mdscan): the lines return the states they
left all zero (`lines_known`), the own changes and the records skip the scan of states known zero
and give the same bytes, the records return the states they left zero (`_record`), classification
leaves zero the states nothing reaches (`unreached`), and the engine keeps a bit per state from
one year to the next (`multidim_vacancy`), base groups' too, each one's cells all zero."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import make_scenario, tiny_raw

from simlib.engines import multidim_jit, multidim_scratch, multidim_tables
from simlib.engines import multidim_record_kernels as records
from simlib.engines.multidim_cell_kernels import area_kernel, own_changes
from simlib.engines.multidim_expected import open_run, year_programme
from simlib.engines.multidim_line_kernels import lines_known
from simlib.engines.multidim_vacancy import year_state
from simlib.model import compile_model
from simlib.multidim import compile_multidim
from simlib.multidim.model import NEXT_STATE
from simlib.paths import params_dir
from simlib.scenario import load_scenario
from simlib.unit_switch import compile_run_model

pytestmark = pytest.mark.skipif(not multidim_jit.available(), reason="numba not installed")

K, NM = 6, 4096


@pytest.fixture(scope="module")
def tiny():
    raw = tiny_raw(model="multidim", horizon=2)
    mm = compile_multidim(make_scenario(raw), compile_model(make_scenario(raw)))
    return multidim_tables.prepare(mm) | {"B": mm.B}


def _cells(rng, NK, B, full) -> tuple[np.ndarray, np.ndarray]:
    """Masks (K, 4096) and incomes (K, NK, B) with households in the states `full` only."""
    M, H = np.zeros((K, NM)), np.zeros((K, NK, B))
    for k in full:
        M[k] = rng.uniform(0.0, 1.0, NM) * (rng.random(NM) < 0.5)
        H[k, :, 20:60] = rng.uniform(0.0, 1.0, (NK, 40))
    return M, H


def _zero_bits(M, H) -> int:
    """The bits of the states whose masks and incomes are all zero."""
    return sum(1 << k for k in range(M.shape[0]) if not M[k].any() and not H[k].any())


def test_unreached_states_are_those_no_source_nor_new_household_reaches():
    nxt = np.ascontiguousarray(NEXT_STATE, dtype=np.int64)
    new = np.zeros(K)
    assert records.unreached(0, nxt, new) == 63
    assert records.unreached(1, nxt, new) == 0b111000  # state 0 goes to 0, 1 and 2
    new[4] = 0.5
    assert records.unreached(1, nxt, new) == 0b101000
    rng = np.random.default_rng(3)
    for _ in range(50):
        occupied, new = int(rng.integers(0, 64)), np.where(rng.random(K) < 0.3, 1.0, 0.0)
        reached = {int(d) for k in range(K) if occupied >> k & 1 for d in nxt[k]} | set(np.flatnonzero(new))
        assert records.unreached(occupied, nxt, new) == sum(1 << d for d in range(K) if d not in reached)


def _lines_args(static, once_reach, L, B):
    lines, keys = static["lines"], static["keys"]
    NK, W = keys[1].shape[0], static["shift_width"]
    cov_g, cov_t = np.full((L, K), 0.2), np.full((L, K), 0.2)
    cov_g[np.flatnonzero(lines[8] & lines[1])] = once_reach
    sh = (np.zeros((L, B), np.int64), np.zeros((L, B), np.int64), np.zeros((L, B, W)))
    work = multidim_scratch.scratch_jit(K, NM, NK, B, 1 << int(lines[5].max()), 1, 1, 1)[0]
    return (cov_g, cov_t, np.full(L, 0.5), *sh, lines, keys), work


@pytest.mark.parametrize(("twin_full", "once_reach"), [((), 0.0), ((), 0.3), ((4,), 0.0), ((0, 4), 0.3)])
def test_lines_return_the_states_left_zero_and_known_ones_change_nothing(tiny, twin_full, once_reach):
    L, NK, B = tiny["lines"][1].shape[0], tiny["keys"][1].shape[0], tiny["B"]
    rng = np.random.default_rng(len(twin_full) + int(10 * once_reach))
    start = _cells(rng, NK, B, (1, 2)) + _cells(rng, NK, B, twin_full)
    args, work = _lines_args(tiny, once_reach, L, B)
    runs = []
    for zero in ((0, 0), (_zero_bits(*start[:2]), _zero_bits(*start[2:]))):
        Mg, Hg, Mt, Ht = (x.copy() for x in start)
        rem = (np.zeros((L, 12)), np.zeros((L, 12)))
        got = lines_known(Mg, Hg, Mt, Ht, True, zero, *args[:3], *args[3:], *rem, work)
        assert got == (_zero_bits(Mg, Hg), _zero_bits(Mt, Ht))
        runs.append((got, [x.tobytes() for x in (Mg, Hg, Mt, Ht, *rem)]))
    assert runs[0] == runs[1]
    assert zero[0] != 0 and (zero[1] != 0 or twin_full == (0, 4))


def test_own_changes_skip_the_states_known_zero(tiny):
    keys, flips, lines = tiny["keys"], tiny["flips"], tiny["lines"]
    NK, B = keys[1].shape[0], tiny["B"]
    rng = np.random.default_rng(5)
    Mg0, Hg0 = _cells(rng, NK, B, (0, 3))
    scratch = multidim_scratch.thread_scratch(Mg0[None, None], Hg0[None, None], lines, flips)
    runs = []
    for zero in (0, _zero_bits(Mg0, Hg0)):
        Mg, Hg, H3 = Mg0.copy(), Hg0.copy(), np.full((K, NK, B), np.nan)
        occupied = own_changes(Mg, Hg, H3, flips, keys[1], area_kernel(tiny["kernel"], 0), scratch[1], zero)
        runs.append((occupied, Mg.tobytes(), H3.tobytes()))
    assert runs[0] == runs[1] and runs[0][0] == 0b1001


def test_own_changes_write_only_the_states_holding_households(tiny):
    """Since issue 18's linepass the own changes leave the rows of H3 of an empty state as they
    were (`classify` reads H3 only in the states `own_changes` returns): NaN stays NaN there, and
    the states holding households are written whole."""
    keys, flips, lines = tiny["keys"], tiny["flips"], tiny["lines"]
    NK, B = keys[1].shape[0], tiny["B"]
    Mg, Hg = _cells(np.random.default_rng(6), NK, B, (1, 4))
    scratch = multidim_scratch.thread_scratch(Mg[None, None], Hg[None, None], lines, flips)
    H3 = np.full((K, NK, B), np.nan)
    occupied = own_changes(Mg, Hg, H3, flips, keys[1], area_kernel(tiny["kernel"], 0), scratch[1])
    assert occupied == 0b10010
    assert np.isnan(H3[[0, 2, 3, 5]]).all()
    assert not np.isnan(H3[[1, 4]]).any() and H3[[1, 4]].sum() > 0.0


@pytest.mark.parametrize("full", [(), (2, 5), (0, 1, 3)])
def test_records_return_the_states_left_zero(full):
    rng = np.random.default_rng(len(full))
    NK, B, L = 5, 9, 3
    Mg, Hg = np.zeros((K, NM)), np.zeros((K, NK, B))
    for k in full:
        Mg[k] = rng.exponential(1.0, NM) * (rng.random(NM) < 0.8)
        Hg[k] = rng.exponential(1.0, (NK, B))
    n, f1b, f2b, means = rng.random(K), rng.random(B), rng.random(B), rng.random(B)
    count = np.array([bin(m).count("1") for m in range(NM)], dtype=np.int64)
    rec_w = np.zeros((2, 64, 16))
    rec_w[0, 1::2, ::2], rec_w[1, 2::4, 1::2] = 1.0, 1.0
    sel_lines = np.array([0, 2], dtype=np.int64)
    hs = np.empty((K, B))
    records.income_bins(Hg, hs)
    want = sum(1 << k for k in range(K) if k not in full)
    runs = []
    for zero in (0, want):
        got = [np.full(s, np.nan) for s in [(K,), (K, 12), (K, 2), (K, 13), (K,), (K,), (K,), (L, K)]]
        bits = records._record(
            Mg, Hg, n, f1b, f2b, means, rec_w, count, sel_lines, *got, hs, records.scratch(16, count), zero
        )
        runs.append((bits, [x.tobytes() for x in got]))
    assert runs[0] == runs[1] and runs[0][0] == want


def test_the_engine_marks_base_groups_states_each_all_zero():
    mm = compile_run_model(load_scenario(params_dir() / "scenarios" / "multidim_2030.yaml"))[1]
    st = multidim_tables.prepare(mm)
    twin = st["twin"]
    base_only = np.setdiff1d(st["bases"], twin[twin >= 0])
    out, sp_all, cells, source = open_run(mm, mm.base.spend[None], 0, None)
    marked = []
    for y in range(3):
        multidim_jit.year(mm, y + 1, year_state(cells), *year_programme(mm, cells, sp_all[:, y], out, y), out, source)
        source = None
        M, H, V = cells[0], cells[1], cells[5]
        for g in range(M.shape[1]):
            assert int(V[0, g]) & ~_zero_bits(M[0, g], H[0, g]) == 0, g  # a marked state is all zero
        marked.append(int(np.count_nonzero(V[0, base_only])))
    assert marked[0] > 0  # base groups' states are marked, not only twins'
