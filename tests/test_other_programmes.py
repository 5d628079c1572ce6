"""Other programmes as a scenario input (issue 14): declared at their baseline level they add
nothing; money above that level acts as the named item in every run, the run without this
programme's money included, so it is not credited to this programme; bad declarations are input
errors naming the field."""

from __future__ import annotations

import numpy as np
import pytest
import yaml
from conftest import ROOT, make_scenario, tiny_raw

from simlib.engines import run_expected
from simlib.engines.reach import acting_money
from simlib.errors import InputErrors
from simlib.model import compile_model
from simlib.other_programmes import register_programmes
from simlib.runner import run
from simlib.scenario import SOURCES

CAMPAIGN = "temporary_house_campaign_2024_2025"


def _with_others(others, budget_lines=None):
    raw = tiny_raw()
    raw["other_programmes"] = others
    if budget_lines is not None:
        raw["budget"] = {"unit": "billion VND", "years": {"2023": {}, "2024": {"lines": budget_lines}, "2025": {}}}
    # this programme's money fully disbursed, like the other programme's (its amounts are money spent)
    return make_scenario(raw, [(f"funding.sources.{s}.disbursement.value", 1.0) for s in SOURCES])


def _houses(amount: float) -> dict:
    return {"programme": CAMPAIGN, "acts_as": "P5", "amounts": {"2024": amount}, "basis": "ASSUMPTION: test"}


def test_as_in_baseline_adds_nothing():
    base = compile_model(_with_others([]))
    declared = compile_model(
        _with_others([{"programme": p, "as_in_baseline": True} for p in ("new_rural_development",)])
    )
    assert declared.levers.other is None
    np.testing.assert_array_equal(acting_money(declared, declared.spend), acting_money(base, base.spend))


def test_money_above_the_baseline_acts_as_the_item_split_like_it():
    model = compile_model(_with_others([_houses(20.0)]))
    li = model.line_codes.index("P5")
    other = model.levers.other_spend()
    assert other.sum() == pytest.approx(20e9) and other[1, li].sum() == pytest.approx(20e9)  # 2024: index 1
    np.testing.assert_allclose(other[1, li], 20e9 * model.levers.split[li])
    # it acts even with none of this programme's money
    acting = acting_money(model, np.zeros_like(model.spend))
    assert acting[:, li].sum() == pytest.approx(20e9)


def test_other_money_is_not_credited_to_this_programme():
    """The same houses paid by the campaign instead of by P5: the run's poor count is the same,
    but this programme keeps nobody out of poverty with them and its money is not counted."""
    by_p5 = run(_with_others([], budget_lines={"P5": {"central_recurrent": 20}}), engine="expected")
    by_campaign = run(_with_others([_houses(20.0)], budget_lines={}), engine="expected")
    ind = {k: r.tables.indicators for k, r in (("p5", by_p5), ("campaign", by_campaign))}

    def prov(name, what):
        df = ind[name]
        return df[(df["geo"] == "province") & (df["indicator"] == what) & (df["year"] == 2025)]["value"].iloc[0]

    assert prov("p5", "poor") == pytest.approx(prov("campaign", "poor"), rel=1e-9)
    assert prov("p5", "poor_fewer_than_without_programme") > 1.0
    assert prov("campaign", "poor_fewer_than_without_programme") == pytest.approx(0.0, abs=1e-6)
    assert prov("campaign", "spend") == pytest.approx(0.0)


def test_other_money_competes_for_the_same_households():
    """Houses the campaign built are not built again: P5's own reach falls when the campaign
    houses households of the same pool first (the housed twins)."""
    alone = compile_model(_with_others([], budget_lines={"P5": {"central_recurrent": 20}}))
    shared = compile_model(_with_others([_houses(400.0)], budget_lines={"P5": {"central_recurrent": 20}}))
    li = alone.line_codes.index("P5")
    r_alone = run_expected(alone, alone.spend).reached[0, :, li].sum()
    r_shared_own = (
        run_expected(shared, shared.spend).reached[0, :, li].sum()
        - run_expected(shared, np.zeros_like(shared.spend)).reached[0, :, li].sum()
    )
    assert r_shared_own < r_alone


def test_bad_declarations_are_reported_together():
    bad = [
        {"programme": "programme_9999", "as_in_baseline": True},
        {"programme": CAMPAIGN, "acts_as": "P9", "amounts": {"2031": 5}, "basis": "x"},
        {"programme": CAMPAIGN, "amounts": {"2024": 5}},
        {"programme": CAMPAIGN, "acts_as": "P6.2", "amounts": {"2024": 5}, "basis": "x"},  # not a household line
    ]
    with pytest.raises(InputErrors) as exc:
        _with_others(bad)
    fields = {e.field for e in exc.value.errors}
    assert {
        "other_programmes.0.programme",
        "other_programmes.1.acts_as",
        "other_programmes.1.amounts.2031",
        "other_programmes.2",
        "other_programmes.3.acts_as",
    } <= fields


def test_bundled_scenarios_state_every_register_programme_at_its_baseline_level():
    register = yaml.safe_load((ROOT / "params" / "evidence.yaml").read_text(encoding="utf-8"))
    names = set(register_programmes(register))
    assert {"programme_1719_ethnic_minority_mountainous", CAMPAIGN} <= names
    for path in sorted((ROOT / "params" / "scenarios").glob("*.yaml")):
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        declared = {e["programme"]: e for e in raw.get("other_programmes", [])}
        assert set(declared) == names, path.name
        assert all(e.get("as_in_baseline") for e in declared.values()), path.name
