"""Engines that hand over their state (issue 19): a run stopped after two projected years and
continued from the state it handed over gives the same numbers as the run in one go; an engine
that cannot continue a run says so."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import make_scenario, tiny_raw

from simlib.engines.common import ARRAYS
from simlib.engines.multidim_expected import run_multidim_expected
from simlib.engines.registry import engine_names, get_engine
from simlib.errors import InputError
from simlib.model import compile_model
from simlib.multidim import compile_multidim


@pytest.fixture(scope="module")
def four_years():
    raw = tiny_raw(model="multidim", horizon=4)
    for y in range(2026, 2028):
        raw["budget"]["years"][str(y)] = {"same_as": 2024}
    scen = make_scenario(raw)
    model = compile_model(scen)
    return model, compile_multidim(scen, model)


def assert_same(whole, joined):
    for name in ARRAYS:
        np.testing.assert_allclose(getattr(joined, name), getattr(whole, name), rtol=1e-12, atol=1e-9, err_msg=name)
    for name in ("deprived", "fgt1", "income_sum", "removed"):
        np.testing.assert_allclose(
            getattr(joined.multidim, name), getattr(whole.multidim, name), rtol=1e-12, atol=1e-9, err_msg=name
        )


@pytest.mark.parametrize("backend", ["numpy", "jit"])
def test_two_pieces_equal_one_run(four_years, backend):
    model, mm = four_years
    whole = run_multidim_expected(mm, model.spend, backend=backend)
    first = run_multidim_expected(mm, model.spend, backend=backend, stop=2)
    assert first.state.t == 2
    np.testing.assert_array_equal(first.state.n[0], first.states[0, 2])
    second = run_multidim_expected(mm, model.spend, backend=backend, start=2, state=first.state)
    assert second.state.t == 4
    assert not np.allclose(second.states[:, 3], 0.0)  # it ran the later years
    assert_same(whole, first.joined(second, 2))
    # the first piece alone left the later years empty: the comparison can fail
    assert not np.allclose(first.states[:, 4], whole.states[:, 4])


def test_registry_runs_a_slice_for_the_engines_that_hand_over(four_years):
    model, mm = four_years
    engine = get_engine("expected")
    assert "multidim" in engine.hands_over
    first = engine.run(mm, model.spend, stop=1)
    second = engine.run(mm, model.spend, start=1, state=first.state)
    assert_same(engine.run(mm, model.spend), first.joined(second, 1))


def test_a_continued_run_needs_the_state_of_its_first_review(four_years):
    model, mm = four_years
    first = run_multidim_expected(mm, model.spend, stop=2)
    with pytest.raises(ValueError, match="state handed over"):
        run_multidim_expected(mm, model.spend, start=3, state=first.state)
    with pytest.raises(ValueError, match="state handed over"):
        run_multidim_expected(mm, model.spend, start=2)


@pytest.mark.parametrize("name", [n for n in engine_names() if "multidim" not in get_engine(n).hands_over])
def test_engines_that_cannot_hand_over_say_so(name):
    engine = get_engine(name)
    model_name = "multidim" if "multidim" in engine.models else "states"
    with pytest.raises(InputError) as err:
        engine.check_hands_over(model_name)
    assert "expected" in str(err.value.allowed) or model_name == "states"
    assert "continue" in err.value.message("en")


@pytest.mark.parametrize("backend", ["numpy", "jit"])
def test_a_state_handed_over_once_is_taken_not_copied(four_years, backend):
    """A state handed over for one last run (`once`) gives that run the same numbers as a copied
    one; the run writes its arrays in place, so the state is emptied and cannot be used again,
    while a state handed over as usual is left as it was."""
    model, mm = four_years
    first = run_multidim_expected(mm, model.spend, backend=backend, stop=2)
    kept = {"n": first.state.n.copy(), **{k: v.copy() for k, v in first.state.cells.items()}}
    copied = run_multidim_expected(mm, model.spend, backend=backend, start=2, state=first.state)
    np.testing.assert_array_equal(first.state.n, kept["n"])  # the copying run left it unchanged
    for k, v in first.state.cells.items():
        np.testing.assert_array_equal(v, kept[k], err_msg=k)
    M = first.state.cells["M"]
    taken = run_multidim_expected(mm, model.spend, backend=backend, start=2, state=first.state.once())
    assert_same(copied, taken)
    np.testing.assert_array_equal(taken.state.cells["M"], copied.state.cells["M"])
    assert not np.array_equal(M, kept["M"])  # the run wrote the handed-over arrays themselves
    assert first.state.n is None and first.state.cells == {}
    with pytest.raises(ValueError, match="handed over once"):
        run_multidim_expected(mm, model.spend, backend=backend, start=2, state=first.state)
