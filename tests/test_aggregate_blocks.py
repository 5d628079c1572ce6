"""The aggregate path's speed-ups keep its numbers: `run_aggregate` (blocks of draws through
`DrawStep`) against the plain loop it replaced (one `YearStep` call on all draws a year, moves
gathered and scattered with take/put_along_axis), byte for byte, and `DrawStep` against `YearStep`
year by year."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from simlib.engines import aggregate, run_aggregate
from simlib.engines.aggregate import draw_blocks
from simlib.engines.aggregate_step import DrawStep
from simlib.engines.common import EngineOutput, seed_sequence
from simlib.engines.expected import YearStep
from simlib.engines.kernel import DEST, new_households
from simlib.engines.reach import acting_money, formation_sizes
from simlib.model import compile_model
from simlib.scenario import load_scenario

PLAN = Path(__file__).resolve().parents[1] / "params" / "scenarios" / "plan_2024.yaml"
ARRAYS = ("states", "flows", "entries", "reached", "eligible", "ps_supported", "ps_wanting")


@pytest.fixture(scope="module")
def plan():
    return compile_model(load_scenario(PLAN))


def plain_aggregate(model, spend, draws, seed) -> EngineOutput:
    """The aggregate path as written before the speed-ups: all draws in one `YearStep` call."""
    rng = np.random.default_rng(seed_sequence(seed))
    G, K = model.n0.shape
    S = int(draws)
    step = YearStep(model, S, model.effects[None])
    sp_all = acting_money(model, np.broadcast_to(spend, (S,) + spend.shape))
    out = EngineOutput.like("aggregate", model, S)
    n = np.broadcast_to(model.n0, (S, G, K)).astype(float)
    dest = np.broadcast_to(DEST.astype(np.intp), (S, G, K, 3))
    out.states[:, 0] = n
    for y in range(len(model.years)):
        st = step(n, sp_all[:, y], y, rng=rng)
        out.reached[:, y], out.eligible[:, y] = st.reached, st.eligible
        out.ps_supported[:, y], out.ps_wanting[:, y] = st.ps_sup, st.ps_want
        rows = np.take_along_axis(st.P, dest, axis=-1)
        moves = rng.multinomial(np.rint(st.n).astype(np.int64), np.clip(rows, 0.0, 1.0)).astype(float)
        np.put_along_axis(out.flows[:, y], dest, moves, axis=-1)
        entries = new_households(model, formation_sizes(model, n), rng)
        out.entries[:, y] = entries
        n = out.flows[:, y].sum(axis=-2) + entries
        out.states[:, y + 1] = n
    return out


def assert_same_bytes(got: EngineOutput, want: EngineOutput) -> None:
    for name in ARRAYS:
        a, b = getattr(got, name), getattr(want, name)
        assert a.shape == b.shape and a.dtype == b.dtype, name
        assert a.tobytes() == b.tobytes(), name


@pytest.mark.parametrize(("draws", "seed"), [(1, 0), (5, 13), (33, 5), (70, 9)])
def test_blocks_give_the_plain_loops_bytes(plan, draws, seed):
    """Cao Bằng 2024: one block (1, 5 draws), two blocks of 16 and 17, three of 23, 23, 24."""
    assert_same_bytes(
        run_aggregate(plan, plan.spend, draws=draws, seed=seed), plain_aggregate(plan, plan.spend, draws, seed)
    )


def test_other_blocks_give_the_same_bytes(plan, monkeypatch):
    """Blocks of 16, 17 and 17 draws (at most 20). Blocks under 15 draws would not do for Cao
    Bằng: numpy adds the production-support sum in another order there (module docstring)."""
    monkeypatch.setattr(aggregate, "BLOCK", 20)
    assert_same_bytes(run_aggregate(plan, plan.spend, draws=50, seed=4), plain_aggregate(plan, plan.spend, 50, 4))


def test_tiny_model_gives_the_plain_loops_bytes(tiny_scenario):
    m = compile_model(tiny_scenario)
    for draws in (3, 40):
        assert_same_bytes(run_aggregate(m, m.spend, draws=draws, seed=7), plain_aggregate(m, m.spend, draws, 7))


def test_the_same_seed_gives_the_same_bytes_and_another_seed_other_numbers(plan):
    a, b = (run_aggregate(plan, plan.spend, draws=40, seed=3) for _ in range(2))
    assert_same_bytes(a, b)
    c = run_aggregate(plan, plan.spend, draws=40, seed=4)
    assert a.flows.tobytes() != c.flows.tobytes()


def test_draw_step_returns_year_steps_numbers(plan):
    """Year by year on realised households that differ between draws, with the same generator
    state: the moves' probabilities (YearStep's P at each state's three destinations), the
    households after the moves to twins, reach and production support, bit for bit, and the
    generator left in the same state."""
    S = 20
    hh = run_aggregate(plan, plan.spend, draws=S, seed=2).states
    sp = acting_money(plan, np.broadcast_to(plan.spend, (S,) + plan.spend.shape))
    old, new = YearStep(plan, S, plan.effects[None]), DrawStep(plan, S)
    dest = np.broadcast_to(DEST.astype(np.intp), (S,) + plan.n0.shape + (3,))
    for y in range(len(plan.years)):
        r1, r2 = np.random.default_rng(y), np.random.default_rng(y)
        a, b = old(hh[:, y], sp[:, y], y, rng=r1), new(hh[:, y], sp[:, y], y, rng=r2)
        assert np.take_along_axis(a.P, dest, axis=-1).tobytes() == b.rows.tobytes()
        for field in ("n", "reached", "eligible", "ps_sup", "ps_want"):
            assert getattr(a, field).tobytes() == getattr(b, field).tobytes(), field
        assert r1.random() == r2.random()


@pytest.mark.parametrize(
    ("S", "block", "sizes"),
    [(1, 32, [1]), (32, 32, [32]), (33, 32, [16, 17]), (70, 32, [23, 23, 24]), (64, 32, [32, 32]), (0, 32, [0])],
)
def test_draw_blocks(S, block, sizes):
    blocks = draw_blocks(S, block)
    assert [b.stop - b.start for b in blocks] == sizes
    assert blocks[0].start == 0 and blocks[-1].stop == S
    assert all(p.stop == q.start for p, q in zip(blocks[:-1], blocks[1:]))


def test_compiled_rows_equal_the_numpy_rows(plan):
    """The compiled transition rows and the numpy fallback, on a year with twins reached."""
    S = 18
    hh = run_aggregate(plan, plan.spend, draws=S, seed=6).states
    sp = acting_money(plan, np.broadcast_to(plan.spend, (S,) + plan.spend.shape))
    step, got = DrawStep(plan, S), {}
    compiled = step.moves_rows

    def both(fac, s_tw, ua, up):
        got["numpy"] = step.moves_rows_numpy(fac, s_tw, ua, up).copy()
        got["twins"] = np.count_nonzero(s_tw)
        return compiled(fac, s_tw, ua, up)

    step.moves_rows = both
    for y in range(len(plan.years)):
        rows = step(hh[:, y], sp[:, y], y, rng=np.random.default_rng(y)).rows
        assert rows.tobytes() == np.ascontiguousarray(got["numpy"]).tobytes()
    assert got["twins"] > 0


def test_compiled_eligible_households_equal_year_steps(plan):
    """On fractional households too, where the order of the sums matters."""
    S = 7
    n = np.random.default_rng(11).random((S,) + plan.n0.shape) * plan.n0
    got, want = DrawStep(plan, S).eligible_by_tier(n), YearStep(plan, S, plan.effects[None]).eligible_by_tier(n)
    assert got.shape == want.shape and got.tobytes() == want.tobytes()
