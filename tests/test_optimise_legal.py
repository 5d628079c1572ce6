"""The optimiser under the legal frame (issue 15): its constraints come from
`simlib.compliance.legal_constraints`, its optimum passes `simlib.compliance.check_allocation`
with no breach, a binding legal rule is named with its source, and a what-if run that ignores a
rule says so. Hand-made cases on the tiny fixture (horizon 1, the hand-worked lines of
`test_allocate.known_raw`) and every bundled scenario the optimiser accepts."""

from __future__ import annotations

from dataclasses import replace

import pytest
from conftest import ROOT, make_scenario
from test_allocate import ALL_BUT, K_STAY, known_raw, poor_count, spec_for

from simlib.allocate.optimize import optimize
from simlib.compliance import check_allocation
from simlib.i18n import LocalText
from simlib.legal import Citation, Counterpart, Document, Envelope, LegalFrame
from simlib.model import compile_levers, compile_structure
from simlib.scenario import SOURCES, load_scenario

BN = 1e9
SCENARIOS = ROOT / "params" / "scenarios"


def frame(envelope: dict | None = None, counterpart: float | None = None) -> LegalFrame:
    """A made-up frame for the tiny fixture's year 2024: `envelope` source -> billion VND, one
    document (Decision 1/QĐ-UBND, read) as the source of every rule."""
    doc = Document("D1", "1/QĐ-UBND", "Quyết định", "Quyết định thử", "read")
    cite = Citation("D1", "read")
    amounts = {2024: {s: v * BN for s, v in (envelope or {}).items()}}
    return LegalFrame(
        name="test_frame",
        title=LocalText(vi="Khung thử", en="Test frame"),
        province="tiny",
        years=(2024,),
        documents={"D1": doc},
        lists={},
        envelope=Envelope(False, LocalText(vi="Dự toán thử", en="Test envelope"), amounts, (cite,)),
        counterpart=Counterpart(counterpart, cite),
        per_beneficiary={},
    )


def tiny_with(frame_: LegalFrame | None, ignore: list[str] | None = None):
    raw = known_raw()
    if ignore:
        raw["ignore_legal_rules"] = ignore
    return replace(make_scenario(raw), legal=frame_)


def line_money(res, code: str, source: str | None = None) -> float:
    """Billion VND of the optimum's projected years on a line (one source, or all)."""
    a = res.optimal.budget.amounts[1:, res.optimal.catalogue.codes.index(code)]
    return float((a.sum() if source is None else a[:, SOURCES.index(source)].sum()) / BN)


def legal_breaches(scen) -> list:
    return check_allocation(scen, compile_levers(scen, compile_structure(scen)).split)


# --- a central envelope tighter than the unconstrained optimum --------------------------------------
def test_the_optimum_sits_on_a_tighter_central_envelope_and_names_its_source():
    """5 billion VND to allocate, the frame's central recurrent envelope 1: without the frame P3.1
    (the steeper line) takes its cap and P2 the rest (test_allocate); with it, only 1 billion is
    spent, all on P3.1 (its cap, Kinh poor x 5 million VND = 1.12 billion, is above 1), and the
    frame's envelope binds under its own rule id with the frame's document as its basis."""
    assert poor_count("kinh") * 5e6 / BN > 1.0
    scen = tiny_with(frame({"central_recurrent": 1.0}))
    res = optimize(scen, spec_for(scen, {"central_recurrent": 5.0}, {c: {"ceiling": 0} for c in ALL_BUT}))
    assert line_money(res, "P3.1") == pytest.approx(1.0, abs=1e-6)
    assert line_money(res, "P2") == pytest.approx(0.0, abs=1e-6)
    assert legal_breaches(res.optimal) == [] and res.legal_violations == []
    env = [b for b in res.binding if b.rule == "envelope" and b.kind == "legal_envelope"]
    assert env and env[0].source == "central_recurrent" and env[0].amount == pytest.approx(1.0)
    assert "1/QĐ-UBND" in env[0].basis.vi and "Decision 1/QĐ-UBND" in env[0].basis.en
    assert "1,00" in env[0].text.vi and "1.00" in env[0].text.en
    # one more billion does most on P2 (P3.1 would pass its cap after 0.12 billion), and what
    # keeps money from it is the frame's envelope, worth P3.1's slope at the margin
    assert res.best_line["line"] == "P2" and res.best_line["rules"] == ["envelope"]
    assert env[0].value_per_billion == pytest.approx(K_STAY * 0.6 / 5e6 * BN, rel=1e-3)
    assert res.legal["frame"] == "test_frame" and res.legal["ignored_rules"] == []


def test_a_what_if_run_ignoring_the_envelope_spends_beyond_it_and_says_so():
    """The same case asking to ignore the envelope: the optimum is the unconstrained one (5 billion
    spent), the check finds the envelope breach and lets it through as asked, and the result's
    first line says the allocation ignores the rule."""
    scen = tiny_with(frame({"central_recurrent": 1.0}), ignore=["envelope"])
    res = optimize(scen, spec_for(scen, {"central_recurrent": 5.0}, {c: {"ceiling": 0} for c in ALL_BUT}))
    assert line_money(res, "P3.1") + line_money(res, "P2") == pytest.approx(5.0, abs=1e-6)
    assert res.legal_violations == []
    assert [v["rule"] for v in res.legal["ignored_violations"]] == ["envelope"]
    assert not any(b.rule == "envelope" and b.kind == "legal_envelope" for b in res.binding)
    vi, en = res.message("vi").splitlines()[0], res.message("en").splitlines()[0]
    assert "BỎ QUA" in vi and "dự toán" in vi
    assert "IGNORING" in en and "central envelope" in en
    assert [v.rule for v in legal_breaches(res.optimal)] == ["envelope"]


# --- capital by content ---------------------------------------------------------------------------
def test_investment_capital_never_reaches_recurrent_only_contents():
    """Only development-investment capital to allocate, and the lines that may take it held at
    zero: P2 and P3.1 (recurrent contents) would lift households with it, but the capital rule
    keeps it out with its legal source; the money stays unallocated (test_optimise_certified checks
    the rule's value when it keeps usable money from the best line)."""
    scen = tiny_with(None)
    res = optimize(scen, spec_for(scen, {"central_investment": 5.0}, {c: {"ceiling": 0} for c in ALL_BUT}))
    assert line_money(res, "P2") == 0.0 and line_money(res, "P3.1") == 0.0
    assert legal_breaches(res.optimal) == []
    rows = [r for r in res.problem.rows if r.kind == "capital" and r.code in ("P2", "P3.1")]
    assert {(r.code, r.source, r.rule) for r in rows} == {
        ("P2", "central_investment", "capital"),
        ("P3.1", "central_investment", "capital"),
    }
    assert all("90/QĐ-TTg" in r.basis.vi and "90/QĐ-TTg" in r.basis.en for r in rows)
    left = [b for b in res.binding if b.kind == "unallocated" and b.source == "central_investment"]
    assert left and left[0].amount == pytest.approx(5.0, abs=1e-6)


def test_ignoring_the_capital_rule_lets_investment_capital_buy_households():
    """The what-if: the same request ignoring the capital rule puts the investment money where it
    lifts most (P3.1 first), and the result is labelled as ignoring the rule."""
    scen = tiny_with(None, ignore=["capital"])
    res = optimize(scen, spec_for(scen, {"central_investment": 5.0}, {c: {"ceiling": 0} for c in ALL_BUT}))
    cap_p31 = poor_count("kinh") * 5e6 / BN
    assert line_money(res, "P3.1", "central_investment") == pytest.approx(cap_p31, rel=1e-6)
    assert line_money(res, "P2", "central_investment") == pytest.approx(5.0 - cap_p31, rel=1e-6)
    assert {v["rule"] for v in res.legal["ignored_violations"]} == {"capital"}
    assert "IGNORING" in res.message("en") and "capital by content" in res.message("en")


# --- the counterpart: the frame's ratio, else the request's share as an assumption --------------------
def test_the_frames_counterpart_ratio_binds_with_its_source():
    """Central recurrent 5 and local 1 billion VND, the frame's counterpart ratio 0.5: local money
    must be at least half the central money spent, so at most 2 billion of central money is used
    (with the 1 billion of local money, 3 in all), the counterpart binds under the frame's
    document."""
    scen = tiny_with(frame(counterpart=0.5))
    res = optimize(scen, spec_for(scen, {"central_recurrent": 5.0, "local": 1.0}, {c: {"ceiling": 0} for c in ALL_BUT}))
    central = sum(line_money(res, c, "central_recurrent") for c in ("P2", "P3.1"))
    local = sum(line_money(res, c, "local") for c in ("P2", "P3.1"))
    assert central == pytest.approx(2.0, abs=1e-6) and local == pytest.approx(1.0, abs=1e-6)
    cp = [b for b in res.binding if b.kind == "counterpart"]
    assert cp and "1/QĐ-UBND" in cp[0].basis.vi
    assert legal_breaches(res.optimal) == []


def test_without_a_known_ratio_the_requested_share_is_a_labelled_assumption():
    """No ratio in the frame: the spec's counterpart share (0.5) applies, labelled as set in the
    spec (not as law)."""
    scen = tiny_with(frame())
    spec = spec_for(
        scen, {"central_recurrent": 5.0, "local": 1.0}, {c: {"ceiling": 0} for c in ALL_BUT}, counterpart_min_share=0.5
    )
    res = optimize(scen, spec)
    central = sum(line_money(res, c, "central_recurrent") for c in ("P2", "P3.1"))
    assert central == pytest.approx(2.0, abs=1e-6)
    cp = [b for b in res.binding if b.kind == "counterpart"]
    assert cp and "<spec>" in cp[0].basis.en and "QĐ" not in cp[0].basis.vi


# --- every bundled scenario -----------------------------------------------------------------------
STATES_SCENARIOS = ["plan_2024", "equal_split", "infrastructure_first", "livelihoods_first", "plan_2024_estimated"]


@pytest.mark.slow
@pytest.mark.parametrize("name", STATES_SCENARIOS)
def test_every_bundled_optimum_passes_the_legal_frame(name):
    scen = load_scenario(SCENARIOS / f"{name}.yaml")
    assert scen.legal is not None
    res = optimize(scen, objective="poor", frontier=[])
    assert legal_breaches(res.optimal) == [] and res.legal_violations == []
    assert res.legal["frame"] == scen.legal.name and res.legal["ignored_rules"] == []
    c = res.comparison.set_index("allocation")
    assert c.loc["optimal", "poor"] <= c.loc["equal_split", "poor"] + 1e-6


@pytest.mark.slow
def test_a_by_district_optimum_keeps_the_exit_scheme_in_its_districts():
    """P1.2 (the exit scheme of Decision 880/QĐ-TTg) only in the frame's exit-scheme districts when
    the optimiser also chooses each line's districts."""
    scen = load_scenario(SCENARIOS / "plan_2024.yaml")
    res = optimize(scen, objective="poor", frontier=[], by_district=True)
    assert legal_breaches(res.optimal) == []
    split = compile_levers(res.optimal, compile_structure(res.optimal)).split
    li = res.optimal.catalogue.codes.index("P1.2")
    listed = {u for u in scen.dataset.unit_ids if scen.legal.member("exit_scheme_districts", u)}
    money = res.optimal.budget.amounts[1:, li].sum()
    where = {u for u, s in zip(scen.dataset.unit_ids, split[li]) if s * money > 1.0}
    assert where <= listed


def test_legal_rows_are_the_compliance_constraints():
    """The optimiser's legal rows are exactly `legal_constraints` on its variables: the capital
    rows forbid the (line, source) pairs the capital rule forbids, nothing else."""
    from simlib.allocate.problem import build_problem
    from simlib.allocate.spec import resolve_spec

    scen = load_scenario(SCENARIOS / "plan_2024.yaml")
    p = build_problem(scen, resolve_spec(scen, {"frontier": []}))
    funding = scen.params["funding"]["sources"]
    cat = scen.catalogue
    forbidden = {
        (code, s)
        for code in p.model.line_codes
        for s in SOURCES
        if funding[s]["capital"] != "any" and funding[s]["capital"] not in cat.lines[code].capital
    }
    has_var = {(p.model.line_codes[li], SOURCES[si]) for li, si in zip(p.var_line, p.var_source)}
    got = {(r.code, r.source) for r in p.rows if r.kind == "capital"}
    assert got == forbidden & has_var
    kinds = {r.rule for r in p.rows if r.kind in ("capital", "legal_envelope", "territory", "norm", "counterpart")}
    assert {"capital", "envelope"} <= kinds
