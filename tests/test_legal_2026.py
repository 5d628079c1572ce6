"""The legal frame of the 2026–2035 programme on the 56 communes, 2026–2027 (issue 15):
`params/legal/caobang_communes_2026_2027.yaml` holds only what is known — capital by content as the
draft catalogue states it, the illustrative envelope of `params/catalogues/caobang_envelope_2027.yaml`
— and says what it does not check; plan_2027 declares it and satisfies it year by year; a breach
in 2027 is named with the frame's rule. Checks are against the source files read independently."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import ROOT

from simlib.compliance import check_allocation, enforce, legal_status
from simlib.errors import InputErrors
from simlib.legal import load_frame
from simlib.model import compile_levers, compile_structure
from simlib.scenario import load_scenario, scenario_from_dict
from simlib.schema import load_yaml

LEGAL = ROOT / "params" / "legal"
FRAME = LEGAL / "caobang_communes_2026_2027.yaml"
SCENARIO = ROOT / "params" / "scenarios" / "plan_2027.yaml"
BN = 1e9


@pytest.fixture(scope="module")
def frame():
    return load_frame(FRAME)


@pytest.fixture(scope="module")
def plan():
    return load_scenario(SCENARIO)


def test_the_envelope_is_the_illustrative_derivation_for_2026_and_2027(frame):
    """557 + 239 billion VND a year, read from the envelope file (its `envelope` block), flagged."""
    env = load_yaml(ROOT / "params" / "catalogues" / "caobang_envelope_2027.yaml")
    assert env["meta"]["status"] == "illustrative" and frame.envelope.illustrative
    assert frame.years == (2026, 2027)
    for year in (2026, 2027):
        assert frame.envelope.amount(year, "central_investment") == env["envelope"]["investment"]["value"] * BN
        assert frame.envelope.amount(year, "central_recurrent") == env["envelope"]["recurrent"]["value"] * BN
    assert frame.envelope.amount(2025, "central_investment") is None


def test_unknowns_stay_unknown(frame, plan):
    """No counterpart ratio, no norm, no unit on the lists that were not found (the dataset's
    derived flags stand in); the region III list is the dataset's flag (tests/test_legal_region_iii.py)."""
    assert frame.counterpart.ratio is None and dict(frame.per_beneficiary) == {}
    for lst in ("poor_districts", "exit_scheme_districts", "border_communes"):
        assert all(v is None for v in frame.members_of(lst, plan.dataset).values()), lst
    assert all(frame.member("extremely_disadvantaged_communes", u) is None for u in plan.dataset.unit_ids)
    assert frame.lists["extremely_disadvantaged_communes"].flag == "extremely_disadvantaged"
    assert frame.not_checked and all(t.vi and t.en for t in frame.not_checked)
    assert "417/QĐ-BNNMT" in frame.not_checked[0].vi and "not checked" in frame.not_checked[0].en


def test_capital_by_content_is_the_catalogues_for_every_content(plan):
    """The frame's documented capital per content equals the 2026–2035 catalogue's, content by
    content, and every capital a content takes is taken by a content of the 2021–2025 line whose
    mechanism it runs on (the line's modelled content, or a sibling such as P4.1.facilities)."""
    raw = load_yaml(FRAME)["capital_by_content"]["contents"]
    cat = load_yaml(ROOT / "params" / "catalogues" / "2026_2035.yaml")["lines"]
    assert set(raw) == set(cat)
    for content, line in cat.items():
        assert sorted(raw[content]) == sorted(line["capital"]["value"]), content
        mech = line["effects_from"]
        items = [c for c in plan.catalogue.codes if c == mech or c.startswith(mech + ".")]
        for capital in raw[content]:
            assert any(capital in plan.catalogue.lines[c].capital for c in items), (content, capital)


def test_investment_on_vocational_training_lands_on_facilities_not_courses():
    """The draft catalogue lets C4.vocational_training take investment ("as P4.1"); under the
    2021–2025 contents that capital buys vocational-school facilities, not courses: 10 billion VND
    of it in 2027 reaches P4.1.facilities and none reaches the P4.1 training courses."""
    raw = load_yaml(SCENARIO)
    c = raw["budget"]["years"]["2027"]["contents"]
    c["C4.vocational_training"]["central_investment"] = 10
    c["C1.infrastructure_poor_communes"]["central_investment"] = 547  # within the envelope
    scen = scenario_from_dict(raw, file=SCENARIO.resolve())
    assert check_allocation(scen) == []
    b = scen.budget
    a = b.amounts[list(b.years).index(2027)][:, list(b.sources).index("central_investment")]
    assert a[scen.catalogue.index("P4.1.facilities")] == pytest.approx(10 * BN)
    assert a[scen.catalogue.index("P4.1")] == 0


def test_plan_2027_declares_the_frame_and_satisfies_it_year_by_year(plan, frame):
    """Central money of 2026 and 2027 by source equals the envelope (the plan spends it in full),
    no item takes capital its content may not, and P1.1 money lands only in the derived former
    poor-district area — each checked from the budget arrays, and check_allocation finds nothing."""
    assert plan.legal is not None and plan.legal.name == "caobang_communes_2026_2027"
    # the earlier frame's files are inputs of the run too (hashed in its manifest)
    assert {p.name for p in plan.legal.files.values()} >= {"caobang_2021_2025.yaml", "documents_2021_2025.yaml"}
    assert check_allocation(plan) == []
    b, cat = plan.budget, plan.catalogue
    src = list(b.sources)
    split = compile_levers(plan, compile_structure(plan)).split
    for year in (2026, 2027):
        a = b.amounts[list(b.years).index(year)]
        for s in ("central_investment", "central_recurrent"):
            assert a[:, src.index(s)].sum() == pytest.approx(frame.envelope.amount(year, s), rel=1e-12)
        for li, code in enumerate(cat.codes):
            for s, cap in (("central_investment", "investment"), ("central_recurrent", "recurrent")):
                if cap not in cat.lines[code].capital:
                    assert a[li, src.index(s)] == 0, (year, code, s)
        p11 = a[cat.index("P1.1")].sum() * split[cat.index("P1.1")]
        assert p11.sum() > 0 and np.all(p11[~plan.dataset.poor_district] == 0)


def test_a_run_says_what_the_frame_does_not_check_on_its_first_lines(plan):
    split = compile_levers(plan, compile_structure(plan)).split
    rec = legal_status(plan, split, [])
    assert rec["frame"] == "caobang_communes_2026_2027" and rec["envelope_illustrative"] is True
    assert rec["years_not_covered"] == []
    assert rec["frame_by_year"] == {
        2024: "caobang_2021_2025",
        2025: "caobang_2021_2025",
        2026: "caobang_communes_2026_2027",
        2027: "caobang_communes_2026_2027",
    }
    assert rec["notes_en"][0].startswith("The 2026–2027 legal frame is incomplete")
    assert rec["notes_vi"][0].startswith("Khung pháp lý 2026–2027 chưa đầy đủ")
    assert any("ILLUSTRATIVE" in n for n in rec["notes_en"]) and any("MINH HỌA" in n for n in rec["notes_vi"])
    assert {"P1.1", "P5"} <= {e["item"] for e in rec["unverified_territory"]}


def test_more_central_investment_than_the_2027_envelope_is_refused_naming_the_rule():
    """One billion VND more on C1 in 2027 (558 > 557; 2026 repeats 2027): an envelope breach in each
    year, citing the frame's documents; recurrent money stays within."""
    raw = load_yaml(SCENARIO)
    raw["budget"]["years"]["2027"]["contents"]["C1.infrastructure_poor_communes"]["central_investment"] = 558
    scen = scenario_from_dict(raw, file=SCENARIO.resolve())
    found = check_allocation(scen)
    assert [(v.rule, v.year, v.source) for v in found] == [
        ("envelope", 2026, "central_investment"),
        ("envelope", 2027, "central_investment"),
    ]
    assert found[1].amount == pytest.approx(558 * BN) and found[1].limit == pytest.approx(557 * BN)
    assert "Nghị quyết 257/2025/QH15" in found[1].message("vi")
    with pytest.raises(InputErrors) as info:
        enforce(scen)
    en = info.value.message("en")
    assert "Year 2027" in en and "558" in en and "557" in en and "ILLUSTRATIVE" in en
    assert "central envelope" in en and "Resolution 257/2025/QH15" in en


def test_years_before_2026_are_checked_against_the_2021_2025_frame():
    """The frame names caobang_2021_2025 as earlier: plan_2027's 2024 (and 2025, the same amounts)
    are checked against its illustrative envelope of 410 billion VND of central investment — one
    billion more on P1.1 is a breach in 2024 and 2025 citing that frame's documents, not 2026's."""
    frame = load_frame(FRAME)
    assert frame.for_year(2024).name == "caobang_2021_2025" and frame.for_year(2026) is frame
    assert frame.for_year(2031) is None
    raw = load_yaml(SCENARIO)
    raw["budget"]["years"]["2024"]["lines"]["P1.1.investment"]["central_investment"] = 331
    raw["ignore_legal_rules"] = ["envelope"]
    found = check_allocation(scenario_from_dict(raw, file=SCENARIO.resolve()))
    assert [(v.rule, v.year, v.source) for v in found] == [
        ("envelope", 2024, "central_investment"),
        ("envelope", 2025, "central_investment"),
    ]
    assert found[0].amount == pytest.approx(411 * BN) and found[0].limit == pytest.approx(410 * BN)
    assert "652/QĐ-TTg" in found[0].message("en") and "257/2025/QH15" not in found[0].message("en")
