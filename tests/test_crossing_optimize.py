"""The optimiser on the crossing (crossing_2024_2027, `units_switch`, issue 19): it allocates the
money of the years on the communes, every evaluation run through the switch as `simlib run` runs
it (segment 1 on the districts, the state moved to the communes, segment 2 from there).

Checked against independent calculations: the plain runner (`simlib.runner.run`) on the scenario
the optimiser writes, and on the scenario itself (the central run's own number, 26,245.06 poor
households at the end-2027 review, as tests/test_crossing_analyses.py records it); the legal frame's
own check (`simlib.compliance.enforce`) of both geographies; households counted before and after the
switch. The problem is kept small for time (a run of the 56 communes' multidimensional model takes
seconds): two lines may take money in 2027 (economy effort: the plan year), the others none.
"""

from __future__ import annotations

import numpy as np
import pytest
from hostile_helpers import assert_user_error, cli

from simlib import i18n
from simlib.allocate.crossing import crossing_spec
from simlib.allocate.evaluate import run_batch
from simlib.allocate.optimize import optimize
from simlib.allocate.problem import BN, from_amounts
from simlib.allocate.solve import is_feasible
from simlib.allocate.spec import resolve_spec
from simlib.compliance import enforce
from simlib.errors import InputError
from simlib.model import compile_levers, compile_structure
from simlib.paths import params_dir
from simlib.runner import run
from simlib.scenario import load_scenario
from simlib.states import POOR
from simlib.unit_switch import unit_switch

SCENARIO = params_dir() / "scenarios" / "crossing_2024_2027.yaml"
FREE = ("P3.1", "P5")  # the lines that may take money in 2027 (both recurrent money, both act on households)

pytestmark = pytest.mark.slow  # about five minutes of CPU: the communes' multidimensional model


@pytest.fixture(scope="module")
def crossing():
    return load_scenario(SCENARIO)


def _spec_raw(scen, **more) -> dict:
    lines = {c: {"ceiling": 0} for c in scen.catalogue.codes if c not in FREE}
    return {"objective": "poor", "frontier": [], "counterpart_min_share": 0, "lines": lines} | more


@pytest.fixture(scope="module")
def result(crossing):
    return optimize(crossing, resolve_spec(crossing, _spec_raw(crossing)))


@pytest.fixture(scope="module")
def central(crossing):
    """`simlib run` of the crossing itself (its own money)."""
    return run(crossing, counterfactual=False)


@pytest.fixture(scope="module")
def plain(result):
    """`simlib run` of the allocation the optimiser writes (the crossing with its 2027 money replaced)."""
    return run(result.optimal, counterfactual=False)


def _poor(res, year: int) -> float:
    st = res.states
    return float(st.loc[(st["year"] == year) & (st["state"] == "poor"), "households"].sum())


def test_the_certified_outcome_is_a_plain_run_of_the_written_allocation(result, plain):
    """The optimiser's own evaluation of its optimum (through the switch) equals the runner's run
    of the written scenario, which switches units as the crossing does."""
    assert result.optimal.units_switch == result.scenario.units_switch
    assert plain.manifest["engine_units"]["switched"]
    opt = result.comparison.set_index("allocation").loc["optimal"]
    assert opt["poor"] == pytest.approx(_poor(plain, 2027), rel=1e-9)
    assert float(result.problem.evaluate(result.x[None])[0]) == pytest.approx(_poor(plain, 2027), rel=1e-9)


def test_the_verdict_follows_the_certificate_and_is_said(result):
    """Economy effort's coarse models may not keep the 0.5 % promise: the reader is then told the
    allocation is better where tested but not proven optimal, in both languages."""
    cert = result.certificate
    assert np.isfinite(cert.gap) and np.isfinite(cert.approx_error) and cert.tests > 0
    assert (result.verdict == "optimal") == cert.promise_met
    if not cert.promise_met:
        for lang in ("vi", "en"):
            assert i18n.t("alloc.certificate.not_certified", lang) in result.message(lang) or i18n.t(
                "alloc.certificate.error_over", lang
            ) in result.message(lang)


def test_the_plan_evaluated_by_the_optimiser_is_the_crossings_central_run(result, central):
    """The scenario's own money, evaluated by the optimiser's continued runs, gives the number of
    the crossing's central run (districts to 2025, communes from 2026)."""
    p = result.problem
    out = run_batch(p.target, np.asarray(p.model.spend)[None])  # the scenario's money on the communes
    assert out.states.shape[2] == len(p.model.g_unit)
    assert float(out.states[0, -1, :, POOR].sum()) == pytest.approx(_poor(central, 2027), abs=0.01)


def test_households_are_conserved_through_the_switch(result, plain):
    """Households at the end-2025 review: the districts' (segment 1) equal the communes' state the
    optimiser continues from, and the written run's second segment starts from the same total."""
    at = unit_switch(result.scenario).at
    first, second = plain.segment_outputs
    districts = first.states[0, at].sum()
    out = result.problem.run(result.x[None])
    assert out.states[0, at].sum() == pytest.approx(districts, rel=1e-12)
    assert second.states[0, at].sum() == pytest.approx(districts, rel=1e-12)
    assert result.problem.target.state.n.sum() > districts  # review 2027's start: households formed in 2026


def test_only_the_years_on_the_communes_are_allocated(result, crossing):
    """Economy effort (the multidimensional model's default) allocates the plan year, 2027: the
    money of 2024–2026 is the scenario's, the lines held at 0 get nothing in 2027."""
    assert result.spec.plan_years == (2027,)
    got, own = result.optimal.budget.amounts, crossing.budget.amounts
    np.testing.assert_array_equal(got[:-1], own[:-1])
    codes = list(crossing.catalogue.codes)
    held = [i for i, c in enumerate(codes) if c not in FREE]
    assert np.abs(got[-1, held]).max() == 0.0
    assert got[-1].sum() > 0


def test_at_least_as_good_as_the_scenarios_own_split_of_the_same_lines(result, crossing):
    """The scenario's own 2027 money for the two free lines (the others at 0) is an allocation of
    the same problem: feasible, and not better than the optimum (the engine's own numbers)."""
    p = result.problem
    own = crossing.budget.amounts.copy()
    codes = list(crossing.catalogue.codes)
    own[:, [i for i, c in enumerate(codes) if c not in FREE]] = 0.0
    x_own = from_amounts(p, own)
    assert x_own.sum() * BN == pytest.approx(own[-1].sum())
    assert is_feasible(p, x_own)
    f = p.evaluate(np.array([result.x, x_own]))
    assert f[0] <= f[1] + 1e-6
    assert f[1] - f[0] > 0.0 or np.allclose(result.x, x_own)


def test_the_legal_frame_of_each_geography_applies(result):
    """The optimal allocation passes the districts' frame (2024–2025, as `simlib run` enforces it on
    the crossing) and the communes' frame from 2026 (`units_switch.legal_frame`, the region III list,
    the envelope waived as the scenario asks); the rules of the optimiser's problem are the
    communes' frame's."""
    opt = result.optimal
    sw = unit_switch(opt)
    assert opt.legal.name != sw.scenario.legal.name
    assert sw.scenario.legal.name == "caobang_communes_2026_2027"
    assert [v.rule for v in enforce(opt, compile_levers(opt, compile_structure(opt)).split)] == []
    let = enforce(sw.scenario, compile_levers(sw.scenario, compile_structure(sw.scenario)).split)
    assert {v.rule for v in let} <= {"envelope"}
    assert result.legal_violations == []
    assert "legal_after_switch" in result.legal
    assert result.problem.scenario.legal.name == sw.scenario.legal.name
    assert any(
        r.kind not in ("envelope", "floor", "ceiling", "cap", "commitment", "earmark") for r in result.problem.rows
    )


@pytest.mark.parametrize(
    "lang, words", [("vi", ["2024, 2025, 2026", "56 xã", "10 huyện"]), ("en", ["2024, 2025, 2026", "56 communes"])]
)
def test_the_message_says_which_years_were_allocated_on_which_units(result, lang, words):
    text = result.message(lang)
    for w in words:
        assert w in text
    assert ("BỎ QUA" in text) if lang == "vi" else ("IGNORING" in text)  # the envelope waived after the switch


@pytest.mark.parametrize(
    "more, code",
    [
        ({"years": [2025, 2027]}, "units_switch_years"),
        ({"by_district": True}, "units_switch_by_district"),
        ({"robust": "expected"}, "units_switch_robust"),
    ],
)
def test_what_the_crossing_cannot_be_asked_is_an_input_error(crossing, more, code):
    with pytest.raises(InputError) as exc:
        crossing_spec(crossing, resolve_spec(crossing, _spec_raw(crossing, **more)))
    assert exc.value.code == code


def test_full_effort_allocates_every_year_on_the_communes(crossing):
    spec = crossing_spec(crossing, resolve_spec(crossing, _spec_raw(crossing, effort="full")))
    assert spec.plan_years == (2026, 2027)
    assert spec.effort.name == "full"


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_the_cli_refuses_a_year_on_the_districts_naming_the_years_allowed(lang, tmp_path):
    code, text = cli("--lang", lang, "optimize", str(SCENARIO), "--years", "2025", "--out", str(tmp_path / "o"))
    assert_user_error(code, text, ["crossing_2024_2027", "2026", "2027"])
    assert not (tmp_path / "o").exists()
    assert ("xã" in text) if lang == "vi" else ("communes" in text)
