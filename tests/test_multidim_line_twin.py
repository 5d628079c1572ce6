"""`multidim_line_kernels.apply_lines`' answer whether the housed twin holds households after the
lines (issue 18's mdlines5): `multidim_jit._task` takes it instead of scanning the twin again with
`vacant`, so it must be `not vacant(twin)` after the lines: a twin empty and left so, a twin
empty that a once-per-household line fills, a twin that held households already."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import make_scenario, tiny_raw

from simlib.engines import multidim_jit, multidim_scratch
from simlib.engines import multidim_tables as tables
from simlib.engines.multidim_cell_kernels import vacant
from simlib.engines.multidim_line_kernels import apply_lines
from simlib.model import compile_model
from simlib.multidim import compile_multidim

pytestmark = pytest.mark.skipif(not multidim_jit.available(), reason="numba not installed")

K, NM, B = 6, 4096, 112


@pytest.fixture(scope="module")
def static():
    raw = tiny_raw(model="multidim", horizon=2)
    model = compile_model(make_scenario(raw))
    return tables.prepare(compile_multidim(make_scenario(raw), model))


def _cells(rng, NK, full) -> tuple[np.ndarray, np.ndarray]:
    """Masks (K, 4096) and incomes (K, NK, B) with households in the states `full` only."""
    M, H = np.zeros((K, NM)), np.zeros((K, NK, B))
    for k in full:
        M[k] = rng.uniform(0.0, 1.0, NM) * (rng.random(NM) < 0.5)
        H[k, :, 20:60] = rng.uniform(0.0, 1.0, (NK, 40))
    return M, H


@pytest.mark.parametrize(
    ("twin_full", "once_reach", "want"),
    [((), 0.0, False), ((), 0.3, True), ((4,), 0.0, True)],
)
def test_apply_lines_says_whether_the_twin_holds_households(static, twin_full, once_reach, want):
    rng = np.random.default_rng(len(twin_full) + int(10 * once_reach))
    lines, keys = static["lines"], static["keys"]
    L, NK, W = lines[1].shape[0], keys[1].shape[0], static["shift_width"]
    once = np.flatnonzero(lines[8] & lines[1])
    assert once.size > 0  # the tiny model has a once-per-household line
    Mg, Hg = _cells(rng, NK, (1, 2))
    Mt, Ht = _cells(rng, NK, twin_full)
    cov_g, cov_t = np.full((L, K), 0.2), np.full((L, K), 0.2)
    cov_g[once] = once_reach
    sh = (np.zeros((L, B), np.int64), np.zeros((L, B), np.int64), np.zeros((L, B, W)))
    NP = 1 << int(lines[5].max())
    work = multidim_scratch.scratch_jit(K, NM, NK, B, NP, 1, 1, 1)[0]
    rem = (np.zeros((L, 12)), np.zeros((L, 12)))
    held = apply_lines(Mg, Hg, Mt, Ht, True, cov_g, cov_t, np.full(L, 0.5), *sh, lines, keys, *rem, work)
    assert held == want
    assert held == (not vacant(Mt, Ht))
