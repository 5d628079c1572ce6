"""The engine core: every engine takes the shared programme step (checked against a hand-worked
case), engines are chosen in one place with domain errors, run options are checked once with
field names the command line shows as flags, and derived arrays never go stale."""

from __future__ import annotations

import pickle
import re
from dataclasses import replace

import numpy as np
import pytest
import yaml
from conftest import ROOT, make_scenario, tiny_raw

from simlib.cli import main
from simlib.engines import get_engine, run_aggregate, run_expected, run_microsim, run_microsim_fast, select
from simlib.engines.multidim_expected import run_multidim_expected
from simlib.engines.multidim_microsim import run_multidim_microsim
from simlib.engines.reach import acting_spend, beneficiaries, reach_households
from simlib.engines.registry import POVERTY_MODELS, engine_names
from simlib.errors import InputError, InputErrors
from simlib.model import Levers, Model, Parameters, Structure, compile_model
from simlib.multidim import compile_multidim
from simlib.options import RunOptions
from simlib.runner import run
from simlib.states import ESCAPED_1, N_STATES, NEAR_POOR, NON_POOR, POOR

# --- a hand-made model: one unit, two groups, a household line and an officer line -----------

A0 = 0.10  # baseline escape probability of a poor household


def hand_model() -> Model:
    """Group 0 (first priority tier): 100 poor, 40 near-poor, 60 non-poor households; group 1
    (second tier): 300 poor, 500 non-poor. Line HH reaches poor households (take-up ceiling 0.5,
    1 million VND each, 120 million VND: escape effect 0.2); line OFF trains officers (20 in the
    unit, 2 million VND each, 30 million VND: enabling effect 0.4)."""
    n0 = np.zeros((2, N_STATES))
    n0[0, [POOR, NEAR_POOR, NON_POOR]] = [100, 40, 60]
    n0[1, [POOR, NON_POOR]] = [300, 500]
    eligible = np.zeros((2, 2, N_STATES), bool)
    eligible[0, :, POOR] = True
    tier = np.full((2, 2, N_STATES), 2, np.int8)
    tier[0, 0, POOR], tier[0, 1, POOR] = 0, 1
    structure = Structure(
        years=(2024,),
        unit_ids=("u",),
        poor_district=np.array([True]),
        capacity_units=np.array([[0.0], [20.0]]),
        g_unit=np.array([0, 0]),
        g_eth=np.array([0, 1]),
        g_area=np.array([0, 1]),
        g_attr=np.array([2, 2]),
        n0=n0,
        line_codes=("HH", "OFF"),
        household_line=np.array([True, False]),
        eligible=eligible,
        tier=tier,
        n_tiers=3,
        ps_lines=np.array([True, False]),
        ps_population=np.zeros((2, N_STATES), bool),
        officer_lines=np.array([False, True]),
        infra_lines=np.array([False, False]),
        infra_min_spend=1.0,
    )
    rates = np.tile([A0, 0.05, 0.1, 0.05, 0.02, 0.03, 0.02, 0.03, 0.02, 0.03, 0.01, 0.02], (2, 1))
    effects = np.zeros((2, 5))
    effects[0, 0], effects[1, 4] = 0.2, 0.4
    params = Parameters(
        rates=rates,
        growth=0.0,
        entry=np.array([0.1, 0.1, 0, 0, 0, 0.8]),
        unit_cost=np.array([1e6, 2e6]),
        max_share=np.array([0.5, 1.0]),
        lag=np.array([0, 0]),
        effects=effects,
        disbursement=np.ones(5),
        ps_want_share=0.8,
    )
    amounts = np.zeros((2, 2, 5))
    amounts[1, 0, 0], amounts[1, 1, 0] = 1.2e8, 3e7
    return Model(structure, params, Levers(amounts=amounts, split=np.ones((2, 1))))


#: worked by hand: HH buys min(120, 0.5 x 400) = 120 households, 50 in tier 0 (its ceiling, half
#: of 100) and 70 in tier 1; OFF trains min(15, 20) = 15 officers, a boost of 0.4 x 15 / 20 = 0.3
REACHED, ELIGIBLE, COVERAGE, BOOST = [120.0, 15.0], [400.0, 20.0], (50 / 100, 70 / 300), 0.3


def test_the_shared_step_matches_the_hand_worked_case():
    m = hand_model()
    by_tier = np.zeros((2, 1, 3))
    by_tier[0, 0, :2] = [100, 300]
    r = beneficiaries(m, acting_spend(m, m.spend)[0], by_tier)
    np.testing.assert_allclose(r.reached[:, 0], REACHED)
    np.testing.assert_allclose(r.eligible[:, 0], ELIGIBLE)
    np.testing.assert_allclose(r.covered[0, 0], [50, 70, 0])


@pytest.mark.parametrize(
    "name,runner",
    [
        ("expected (compiled)", lambda m: run_expected(m, m.spend, backend="jit")),
        ("expected (numpy)", lambda m: run_expected(m, m.spend, backend="numpy")),
        ("microsim", lambda m: run_microsim(m, m.spend, draws=3, seed=1)),
        ("microsim-fast", lambda m: run_microsim_fast(m, m.spend, draws=3, seed=1)),
        ("aggregate", lambda m: run_aggregate(m, m.spend, draws=3, seed=1)),
    ],
)
def test_every_states_engine_reaches_what_the_hand_worked_case_buys(name, runner):
    out = runner(hand_model())
    for s in range(out.n_draws):
        np.testing.assert_allclose(out.reached[s, 0, :, 0], REACHED, err_msg=name)
        np.testing.assert_allclose(out.eligible[s, 0, :, 0], ELIGIBLE, err_msg=name)


def test_expected_escape_follows_coverage_and_boost_by_hand():
    m = hand_model()
    out = run_expected(m, m.spend)
    effect = 0.2 * (1 + BOOST)
    for g, c in enumerate(COVERAGE):
        escape = m.n0[g, POOR] * (1 - (1 - A0) * (1 - c * effect))
        np.testing.assert_allclose(out.flows[0, 0, g, POOR, ESCAPED_1], escape, rtol=1e-12)


def test_microsim_draws_exactly_the_covered_households_per_tier():
    m = hand_model()
    group = np.repeat([0, 0, 0, 1, 1], [100, 40, 60, 300, 500]).astype(np.int32)
    state = np.repeat([POOR, NEAR_POOR, NON_POOR, POOR, NON_POOR], [100, 40, 60, 300, 500]).astype(np.int8)
    r = reach_households(m, acting_spend(m, m.spend)[0], group, state, np.random.default_rng(3))
    chosen = r.chosen[0]
    assert chosen[group == 0].sum() == 50 and chosen[group == 1].sum() == 70
    assert not chosen[state != POOR].any()
    np.testing.assert_allclose(r.boost, [BOOST])


@pytest.fixture(scope="module")
def multidim_case():
    raw = tiny_raw(model="multidim")
    scen = make_scenario(raw)
    model = compile_model(scen)
    return model, compile_multidim(scen, model)


def test_multidim_engines_take_the_shared_step(multidim_case):
    """Lines that do not target deprived households see the same eligible households in the first
    year in both poverty models: both multidimensional engines reach what the states engine's
    shared step reaches (the microsimulation to whole households per tier)."""
    model, mm = multidim_case
    ref = run_expected(model, model.spend)
    exp = run_multidim_expected(mm, model.spend)
    mic = run_multidim_microsim(mm, model.spend, draws=2, seed=5)
    plain = ~mm.targeted
    np.testing.assert_allclose(exp.reached[0, 0][plain], ref.reached[0, 0][plain], rtol=1e-12)
    np.testing.assert_allclose(exp.eligible[0, 0][plain], ref.eligible[0, 0][plain], rtol=1e-12)
    hh = plain & model.household_line
    assert np.all(np.abs(mic.reached[:, 0][:, hh] - ref.reached[0, 0][hh]) <= model.n_tiers)
    assert (mm.targeted & model.household_line).any()  # the test leaves out something real


# --- the registry ---------------------------------------------------------------------------


def test_every_engine_declares_what_it_supports():
    assert set(engine_names()) == {"expected", "microsim", "microsim-fast", "aggregate"}
    for name in engine_names():
        e = get_engine(name)
        assert set(e.models) <= set(POVERTY_MODELS) and "states" in e.models
        assert set(e.chunking) <= set(e.models) and set(e.sweeps) <= set(e.models)
        assert e.replications(5) == (5 if e.stochastic else 1)


def test_unknown_or_unsupported_engine_is_a_domain_error_listing_what_is_allowed():
    with pytest.raises(InputError) as err:
        get_engine("magic")
    assert err.value.field == "engine" and set(err.value.allowed) == set(engine_names())
    with pytest.raises(InputError) as err:
        select("aggregate", "multidim")
    assert err.value.field == "engine" and sorted(err.value.allowed) == ["expected", "microsim"]
    with pytest.raises(InputError) as err:
        select("aggregate", "multidim", chunked=True)  # the model first: the engine lacks it
    assert err.value.field == "engine"
    assert select("microsim", "multidim").name == "microsim"
    assert select("microsim", "multidim", chunked=True).name == "microsim"  # issue 18: unit by unit too


def test_run_refuses_an_engine_the_poverty_model_lacks():
    scen = make_scenario(tiny_raw(model="multidim"))
    with pytest.raises(InputError) as err:
        run(scen, engine="microsim-fast")
    assert "multidim" in err.value.message("en") and err.value.field == "engine"


# --- run options ----------------------------------------------------------------------------


def test_run_options_report_every_bad_field_at_once_by_its_name():
    with pytest.raises(InputErrors) as err:
        RunOptions(engine="magic", draws=0, seed=-1, chunk=0, executor="cloud", jobs=0)
    assert {e.field for e in err.value.errors} == {"engine", "draws", "seed", "chunk", "executor", "jobs"}
    for bad in ({"draws": 1.5}, {"seed": 2.0}, {"draws": True}):
        with pytest.raises(InputError):
            RunOptions(**bad)
    with pytest.raises(TypeError):
        RunOptions.of(engines="expected")
    opts = RunOptions.of(engine="microsim", draws=4)
    assert opts.replications == 4 and opts.but(engine="expected").replications == 1
    assert opts.for_scenario(make_scenario()).seed == 7 and opts.but(seed=3).for_scenario(make_scenario()).seed == 3


def test_cli_shows_option_errors_by_their_flags(tmp_path, capsys):
    scen = tmp_path / "s.yaml"
    scen.write_text(yaml.safe_dump(tiny_raw(), allow_unicode=True), encoding="utf-8")
    rc = main(["--lang", "en", "run", str(scen), "--out", str(tmp_path / "o"), "--seed", "-1", "--jobs", "0"])
    err = capsys.readouterr().err
    assert rc == 2 and "'--seed'" in err and "'--jobs'" in err and "Traceback" not in err
    assert not (tmp_path / "o").exists()


def test_the_library_names_fields_not_flags():
    """Errors raised outside the command line name a field (`engine`), never a flag (`--engine`)."""
    pattern = re.compile(r"""field\s*=\s*f?["']--""")
    offenders = [
        str(p.relative_to(ROOT))
        for p in (ROOT / "simlib").rglob("*.py")
        if "cli" not in p.relative_to(ROOT / "simlib").parts and pattern.search(p.read_text(encoding="utf-8"))
    ]
    assert offenders == []


# --- caches belong to what they are derived from ----------------------------------------------


def test_a_changed_copy_never_sees_the_original_s_cached_arrays(tiny_scenario):
    m = compile_model(tiny_scenario)
    first = run_expected(m, m.spend)  # fills the caches of m, its structure and parameters
    half = replace(m, params=replace(m.params, rates=m.rates * 0.5))
    np.testing.assert_allclose(
        run_expected(half, half.spend).states, run_expected(m, m.spend, rates=m.rates * 0.5).states, rtol=1e-12
    )
    assert not np.allclose(run_expected(half, half.spend).states, first.states)
    double = replace(m, structure=replace(m.structure, n0=m.n0 * 2))
    for backend in ("jit", "numpy"):
        np.testing.assert_allclose(run_expected(double, double.spend, backend=backend).states[0, 0], 2 * m.n0)
    assert "_memo" in m.__dict__ and "_memo" not in pickle.loads(pickle.dumps(m)).__dict__  # workers rebuild it
