"""The minimum local counterpart share the optimiser holds each year to follows the legal frame in
force that year (issue 18/19): a frame that states no ratio does not borrow the assumed floor of
`params/allocation.yaml` outside the years that floor was chosen for (`period`); the rule is then
not applied and the output says it is unknown, with the source searched. A request's own
`counterpart_min_share` still applies, labelled as the user's. Hand-made cases on the tiny fixture
(one projected year, 2024) and the bundled plan_2027."""

from __future__ import annotations

import copy
from dataclasses import replace

import pytest
from conftest import ROOT
from test_allocate import ALL_BUT
from test_optimise_legal import frame, line_money, tiny_with

from simlib.allocate.optimize import optimize, prepare
from simlib.allocate.output import counterpart_record
from simlib.allocate.spec import resolve_spec
from simlib.allocate.structure import check_budget
from simlib.errors import InputError, InputErrors
from simlib.scenario import SOURCES

NO_P = {c: {"ceiling": 0} for c in ALL_BUT}  # only P2 and P3.1 may take money


def with_period(scen, period):
    """`scen` with the assumed floor of params/allocation.yaml chosen for `period` (first, last)."""
    params = copy.deepcopy(scen.params)
    params["allocation"]["money"]["counterpart"]["period"] = list(period)
    return replace(scen, params=params)


def request(scen, envelope, **more):
    """A spec without `counterpart_min_share` unless `more` sets it."""
    return resolve_spec(scen, {"envelope": envelope, "lines": NO_P, "frontier": [], **more})


def test_the_assumed_floor_applies_only_in_its_period():
    """Central recurrent 5, no local money, a frame (2024) with no ratio. Inside the assumed floor's
    period the request is refused before any solver runs (no local money for a 3 % counterpart);
    outside it, no counterpart applies, the central money is spent (the envelope and the two lines'
    absorption caps allow it) and the message says the rule is unknown in 2024, naming the frame's
    document, in both languages."""
    base = tiny_with(frame())
    assert base.years == (2024,)
    with pytest.raises((InputError, InputErrors)) as err:
        request(with_period(base, (2021, 2025)), {"central_recurrent": 5.0})
    assert "envelope.local" in str(err.value)
    scen = with_period(base, (2021, 2023))
    spec = request(scen, {"central_recurrent": 5.0})
    assert spec.counterpart.kinds == ("unknown",) and spec.counterpart.share(2024) is None
    res = optimize(scen, spec, with_frontier=False)
    assert line_money(res, "P2") + line_money(res, "P3.1") > 1.0  # money spent without local money
    assert not [r for r in res.problem.rows if r.kind == "counterpart"]
    for lang, words in (("vi", "2024"), ("en", "2024")):
        text = res.message(lang)
        assert words in text and "1/QĐ-UBND" in text
        assert any("1/QĐ-UBND" in n for n in res.legal[f"notes_{lang}"])
    assert "không áp dụng" in res.message("vi") and "no minimum counterpart" in res.message("en")
    rec = counterpart_record(spec.counterpart)
    assert rec == [
        {
            "year": 2024,
            "min_local_share_of_central": None,
            "basis": "unknown",
            "searched": {"vi": rec[0]["searched"]["vi"], "en": rec[0]["searched"]["en"]},
        }
    ]


def test_a_requested_share_applies_outside_the_period_as_the_users_assumption():
    """The same year outside the period, the request sets 0.5: local 1 billion allows at most 2
    billion of central money (hand-worked: 0.5 × central ≤ local), the counterpart binds and its
    basis is the request, not a law; nothing is said to be unknown."""
    scen = with_period(tiny_with(frame()), (2021, 2023))
    spec = request(scen, {"central_recurrent": 5.0, "local": 1.0}, counterpart_min_share=0.5)
    assert spec.counterpart.kinds == ("spec",) and spec.counterpart.share(2024) == 0.5
    res = optimize(scen, spec, with_frontier=False)
    central = sum(line_money(res, c, "central_recurrent") for c in ("P2", "P3.1"))
    assert central == pytest.approx(2.0, abs=1e-6)
    cp = [b for b in res.binding if b.kind == "counterpart"]
    assert cp and "<spec>" in cp[0].basis.en
    assert "counterpart ratio" not in res.message("en")


def test_a_frames_own_ratio_wins_over_the_period():
    """A frame that states a ratio (0.5) holds its year to it whatever the assumed floor's period."""
    scen = with_period(tiny_with(frame(counterpart=0.5)), (2021, 2023))
    spec = request(scen, {"central_recurrent": 5.0, "local": 1.0})
    assert spec.counterpart.kinds == ("frame",) and spec.counterpart.share(2024) == 0.5


def test_check_budget_follows_the_year_rule():
    """The tiny plan spends central money with no local money: a counterpart finding when 2024 is
    held to the assumed 3 %, none when 2024 has no rule; an explicit share is checked as given."""
    base = tiny_with(frame())
    amounts = base.budget.amounts[1]
    assert amounts[:, [SOURCES.index(s) for s in ("central_investment", "central_recurrent")]].sum() > 0
    assert amounts[:, SOURCES.index("local")].sum() == 0
    inside = [f for f in check_budget(with_period(base, (2021, 2025))) if f.code == "counterpart"]
    outside = [f for f in check_budget(with_period(base, (2021, 2023))) if f.code == "counterpart"]
    assert [f.year for f in inside] == [2024] and outside == []
    assert [f.code for f in check_budget(base, min_counterpart=0.2) if f.code == "counterpart"] == ["counterpart"]


def test_plan_2027_is_held_to_no_counterpart_in_2026_and_2027():
    """plan_2027: 2024–2025 under the 2021–2025 frame (no ratio; the assumed 3 % of its period),
    2026–2027 under the 2026–2027 frame (no ratio, outside the period): no rule there, so the
    request is no longer refused for want of local money in 2026–2027; the note names the
    allocation decision for 2026–2030 that was searched for."""
    scen, spec = prepare(ROOT / "params" / "scenarios" / "plan_2027.yaml", frontier_scales=[])
    floor = spec.counterpart
    assert floor.years == (2024, 2025, 2026, 2027)
    assert floor.kinds == ("assumption", "assumption", "unknown", "unknown")
    assert floor.shares[:2] == (0.03, 0.03) and floor.unknown_years == (2026, 2027)
    assert [f for f in check_budget(scen, min_counterpart=floor) if f.code == "counterpart"] == []
    rec = counterpart_record(floor)
    assert "2026–2030" in rec[3]["searched"]["vi"] and rec[0]["basis"] == "assumption"
