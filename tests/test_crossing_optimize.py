"""The optimiser on the crossing (crossing_2024_2027, `units_switch`, issue 19): it allocates the
money of the years on the communes, every evaluation run through the switch as `simlib run` runs
it (segment 1 on the districts, the state moved to the communes, segment 2 from there).

Checked against independent calculations: the plain runner (`simlib.runner.run`) on the scenario
the optimiser writes, and on the scenario itself (the central run's own number, 26,245.06 poor
households at the end-2027 review, as tests/test_crossing_analyses.py records it); the legal frame's
own check (`simlib.compliance.enforce`) of both geographies; households counted before and after the
switch. The problem is kept small for time (a run of the 56 communes' multidimensional model takes
seconds): two lines may take money in 2027 (economy effort: the plan year), the others none.

`--robust` and `--by-district` reuse that problem's continued runs (no second optimisation): the
robust optimum over 2 draws is checked against a run of a draw through the switch as `simlib
uncertainty` runs it (`run_pieces` on the written scenario's models of the draw), and a draw at the
central values against the central evaluation; a per-commune allocation against `simlib run` of the
scenario written for it, the money it adds up to, and both legal frames' own checks.
"""

from __future__ import annotations

import copy

import numpy as np
import pytest
from hostile_helpers import assert_user_error, cli
from test_optimize_dated_cells import variable_cells

from simlib import i18n
from simlib.allocate.crossing import crossing_note, crossing_spec, draw_targets, legal_check
from simlib.allocate.evaluate import run_batch
from simlib.allocate.optimize import optimize
from simlib.allocate.problem import BN, amounts_of, build_problem, district_spend_shares, from_amounts
from simlib.allocate.robust import compare, draw_problems
from simlib.allocate.rules import DEFAULT_PROVIDERS, absorption_rows
from simlib.allocate.scenario_out import optimal_scenario_raw, scenario_from_raw
from simlib.allocate.solve import is_feasible, project
from simlib.allocate.spec import resolve_spec
from simlib.compliance import enforce
from simlib.dated_budget import scenario_cells
from simlib.errors import InputError, InputErrors
from simlib.model import compile_levers, compile_structure
from simlib.multidim import core_of
from simlib.options import RunOptions
from simlib.paths import params_dir
from simlib.runner import run
from simlib.scenario import load_scenario, scenario_from_dict
from simlib.states import POOR
from simlib.uncertainty.apply import target_for_values
from simlib.uncertainty.space import scenario_space
from simlib.unit_switch import run_pieces, state_map, unit_switch

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
    # the communes' frame's capital by content holds by construction: the problem has a variable in
    # 2026–2027 only on a cell a content stands for with a source its capital takes
    # (`simlib.allocate.dated.cell_mask`; tests/test_legal_2026.py: the frame's list is the catalogue's)
    p = result.problem
    cells = scenario_cells(p.scenario, p.model.years)
    optimised = {y: variable_cells(p, y) for y in (2026, 2027) if variable_cells(p, y)}
    assert optimised
    for year, got in optimised.items():
        assert got <= set(cells[year]), sorted(got - set(cells[year]))


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
        ({"by_district": True, "years": [2026, 2027]}, "opt_district_years"),
        ({"by_district": True, "effort": "full"}, "opt_district_years"),  # full effort: both commune years
    ],
)
def test_what_the_crossing_cannot_be_asked_is_an_input_error(crossing, more, code):
    with pytest.raises(InputError) as exc:
        crossing_spec(crossing, resolve_spec(crossing, _spec_raw(crossing, **more)))
    assert exc.value.code == code


@pytest.mark.parametrize("more", [{"by_district": True}, {"robust": "expected", "draws": 2}])
def test_per_commune_money_and_draws_are_no_longer_refused(crossing, more):
    spec = crossing_spec(crossing, resolve_spec(crossing, _spec_raw(crossing, **more)))
    assert spec.plan_years == (2027,)
    assert (spec.by_district, spec.robust) == (more.get("by_district", False), more.get("robust"))


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


# --- --robust on the crossing: every draw through the switch ------------------------------------
@pytest.fixture(scope="module")
def draws(crossing, result):
    """The problem of the `result` fixture on 2 parameter draws of the crossing, each through the
    switch, as `--robust` builds them (`draw_problems` with `draw_targets`; the certified loop
    over them is not run again here: its figures per draw are `compare`'s, checked below)."""
    p = result.problem
    return draw_problems(p, 2, "lhs", None, crossing, draw_targets(crossing, p.target))


def test_a_draw_at_the_central_values_is_the_central_evaluation(crossing, result):
    """Both segments compiled with the central values of the crossing's parameter space, run
    through the switch: the optimiser's evaluation of any allocation is the central one."""
    p = result.problem
    space = scenario_space(crossing)
    (target,) = draw_targets(crossing, p.target)(space.keys, space.central[None])
    X = np.array([result.x, np.zeros(p.n)])
    np.testing.assert_allclose(p.with_model(target).evaluate(X), p.evaluate(X), rtol=1e-9)


def test_the_robust_figures_are_runs_of_each_draw_through_the_switch(crossing, result, draws):
    """What the robust optimiser reports of an allocation in draw 0 (`compare`: the table and
    summary `--robust` writes) equals the run of that draw of the scenario written for it, as
    `simlib uncertainty` runs a draw of a switching scenario (`run_pieces` on the written
    scenario's models of the draw, the state moved by `state_map`), not through the optimiser's
    continued runs; and the draws differ from each other and from the central evaluation."""
    p = result.problem
    table, summary = compare(draws, {"optimal": result.x}, None)
    opt = scenario_from_raw(optimal_scenario_raw(crossing, amounts_of(p, result.x), "poor", {}), crossing)
    sw = unit_switch(opt)
    targets = (
        target_for_values(opt, draws.keys, draws.values[0]),
        target_for_values(sw.scenario, draws.keys, draws.values[0]),
    )
    models = tuple(core_of(t) for t in targets)
    mapping = state_map(models[0], models[1], sw.geography)
    options = RunOptions(engine="expected", seed=crossing.seed)
    _, second = run_pieces(targets, tuple(m.spend for m in models), options, sw, mapping)
    own = table.set_index(["draw", "allocation"]).loc[(0, "optimal"), "value"]
    assert own == pytest.approx(float(second.states[0, -1, :, POOR].sum()), rel=1e-9)
    values = table["value"].to_numpy()
    assert len(values) == 2 and abs(values[0] - values[1]) > 1.0
    assert np.all(np.abs(values - float(p.evaluate(result.x[None])[0])) > 1e-6)
    assert summary.loc[0, "value_mean"] == pytest.approx(values.mean())


# --- --by-district on the crossing: 2027's money split across the 56 communes -----------------
@pytest.fixture(scope="module")
def per_commune(crossing, result):
    """The per-commune problem of the crossing's 2027 money on the continued runs of the `result`
    fixture (the fixed part is not run again): the lines without money in 2026 free (the others
    keep the scenario's split, and are held at 0 here), and an uneven allocation of it: money on
    a few of their commune variables, moved into the rules (`solve.project`); the line that got
    the most. Under the absorption caps none of these lines reaches anyone in 2027, so the caps are
    left out here: this checks the split and its writing, not the model's absorption."""
    p0 = result.problem
    unfunded = [c for i, c in enumerate(p0.model.line_codes) if p0.model.spend[3, i].sum() == 0]
    lines = {c: {"ceiling": 0} for c in crossing.catalogue.codes if c not in unfunded}
    raw = {"objective": "poor", "frontier": [], "counterpart_min_share": 0, "lines": lines, "by_district": True}
    spec = crossing_spec(crossing, resolve_spec(crossing, raw))
    # without the absorption caps: under them these lines reach no one in 2027 (the optimum gives them
    # nothing); the legal frame's rules and the envelope stay
    providers = tuple(f for f in DEFAULT_PROVIDERS if f is not absorption_rows)
    p = build_problem(p0.scenario, spec, model=p0.model, target=p0.target, providers=providers)
    x = np.zeros(p.n)
    units = np.flatnonzero(p.var_unit >= 0)
    picked = units[:: max(1, len(units) // 40)]
    x[picked] = 1.0 + np.arange(len(picked)) % 5  # billion VND
    x = project(p, x)
    li = int(np.argmax(np.bincount(p.var_line, weights=x, minlength=len(p.model.line_codes))))
    return p, x, p.model.line_codes[li]


def test_per_commune_variables_are_the_communes_of_the_lines_allocated(per_commune):
    p, x, code = per_commune
    per_unit = set(p.var_line[p.var_unit >= 0].tolist())
    funded = set(np.flatnonzero(p.model.spend[3].sum(axis=1) > 0).tolist())  # money in 2026 (kept)
    assert funded and not per_unit & funded  # those keep the scenario's split
    assert len(p.model.unit_ids) == 56 and x.sum() > 0
    li = p.model.line_codes.index(code)
    assert len({int(p.var_unit[v]) for v in np.flatnonzero((x > 1e-9) & (p.var_line == li))}) > 1


def test_per_commune_money_adds_up_to_the_lines_total(per_commune):
    """2027's spending of the line by commune adds up to its money (amount x its source's
    disbursement), and the written split gives each commune its share of it."""
    p, x, code = per_commune
    li = p.model.line_codes.index(code)
    spend = p.spend(x[None])[0, -1, li]
    assert spend.sum() == pytest.approx(float(amounts_of(p, x)[-1, li] @ p.model.disbursement), rel=1e-9)
    shares = district_spend_shares(p, x)[code]
    assert sum(shares.values()) == pytest.approx(1.0, abs=1e-12)
    got = np.array([shares.get(u, 0.0) for u in p.model.unit_ids]) * spend.sum()
    np.testing.assert_allclose(got, spend, rtol=1e-9, atol=1e-3)


def test_the_written_per_commune_scenario_runs_as_evaluated_under_both_frames(per_commune, crossing):
    """The scenario written for it names communes in `units_switch.district_split` (the budget's
    split stays the districts'); `simlib run` of it through the switch gives the optimiser's
    number; the districts' frame passes, the communes' frame lets through only the waived envelope."""
    p, x, code = per_commune
    raw = optimal_scenario_raw(crossing, amounts_of(p, x), "poor", district_spend_shares(p, x))
    assert raw["budget"]["district_split"] == crossing.raw["budget"]["district_split"]
    written = raw["units_switch"]["district_split"]["lines"][code]
    assert set(written) <= set(unit_switch(crossing).scenario.dataset.unit_ids)
    opt = scenario_from_raw(raw, crossing)
    assert float(p.evaluate(x[None])[0]) == pytest.approx(_poor(run(opt, counterfactual=False), 2027), rel=1e-9)
    assert [v.rule for v in enforce(opt, compile_levers(opt, compile_structure(opt)).split)] == []
    new = unit_switch(opt).scenario
    assert {v.rule for v in enforce(new, compile_levers(new, compile_structure(new)).split)} <= {"envelope"}
    assert legal_check(opt)[1] == []


@pytest.mark.parametrize("lang, word", [("vi", "từng xã"), ("en", "communes (xã)")])
def test_the_message_names_the_communes_of_the_split(crossing, per_commune, lang, word):
    text = crossing_note(crossing, per_commune[0].spec, lang)
    assert word in text and "units_switch.district_split" in text and "2026" in text


def test_a_split_naming_a_unit_that_is_not_a_commune_is_an_input_error(crossing):
    raw = copy.deepcopy(crossing.raw)
    raw["units_switch"]["district_split"] = {"lines": {"P5.repair": {"NOT_A_COMMUNE": 1.0}}}
    with pytest.raises((InputError, InputErrors)) as exc:
        scenario_from_dict(raw, file=SCENARIO)
    text = exc.value.message("en")
    assert "units_switch.district_split.lines.P5.repair.NOT_A_COMMUNE" in text and "crossing_2024_2027" in text


def test_the_cli_refuses_per_commune_money_of_two_years_naming_one_year_to_ask(tmp_path):
    args = ("--lang", "vi", "optimize", str(SCENARIO), "--by-district", "--years", "2026-2027")
    code, text = cli(*args, "--out", str(tmp_path / "o"))
    assert_user_error(code, text, ["--years", "2026, 2027", "--years 2027"])
    assert "từng địa bàn" in text and not (tmp_path / "o").exists()
