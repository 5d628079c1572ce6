"""A plan the optimiser calls not feasible says why: `comparison.csv`'s `breaks_vi` / `breaks_en`
and the report's plan findings name each line above a cap with both amounts
(`simlib.allocate.breaches`). Checked on a hand-made problem (the tiny fixture with hand-set
absorption caps: one line above its cap by a known amount) and on the bundled plan_2027, whose
2027 amounts for the communication and capacity lines are compared with caps computed here from
the scenario file and the parameter files."""

from __future__ import annotations

from functools import partial

import numpy as np
import pandas as pd
import pytest
import yaml
from conftest import ROOT, make_scenario, tiny_raw

from simlib import i18n
from simlib.allocate.breaches import plan_breaches
from simlib.allocate.explain import names_of
from simlib.allocate.optimize import optimize
from simlib.allocate.problem import build_problem, from_amounts
from simlib.allocate.rules import DEFAULT_PROVIDERS, absorption_rows
from simlib.allocate.spec import resolve_spec
from simlib.paths import scenarios_dir
from simlib.scenario import SOURCES, load_scenario

SPEC = {"objective": "poor", "frontier": [], "counterpart_min_share": 0, "effort": "economy"}
FULL = [(f"funding.sources.{s}.disbursement.value", 1.0) for s in SOURCES]
CAP_P62 = 0.25  # billion VND a year: the tiny plan gives P6.2 0.3 billion of central recurrent money
CAP_P71 = 1.2  # above the plan's 1 billion for P7.1: not broken


def hand_caps(scen, p62: float = CAP_P62) -> tuple:
    """Rule providers with hand-set absorption caps (Y, L, D) VND: none anywhere but P6.2 and
    P7.1, spread over units by the line's split so that the line's cap is exactly CAP_* billion."""
    p = build_problem(scen, resolve_spec(scen, SPEC))
    m = p.model
    caps = np.full((len(m.years), len(m.line_codes), len(m.unit_ids)), 1e15)
    for code, cap in (("P6.2", p62), ("P7.1", CAP_P71)):
        li = m.line_codes.index(code)
        caps[:, li] = cap * 1e9 * m.split[li]
    return tuple(partial(absorption_rows, caps=caps) if f is absorption_rows else f for f in DEFAULT_PROVIDERS)


@pytest.fixture(scope="module")
def tiny():
    return make_scenario(tiny_raw(), set_overrides=FULL)


def test_a_line_above_its_cap_is_named_with_both_amounts(tiny):
    """All money disbursed: P6.2's 0.3 billion against a cap of 0.25 is the only breach; the
    text names the line, the year optimised, both amounts in each language's number format and
    the cap."""
    provs = hand_caps(tiny)
    p = build_problem(tiny, resolve_spec(tiny, SPEC), providers=provs)
    got = plan_breaches(p, from_amounts(p, tiny.budget.amounts), [], names_of(tiny))
    assert [(b.row.kind, b.row.code, b.row.year) for b in got] == [("cap", "P6.2", 2025)]
    assert got[0].value == pytest.approx(0.3) and got[0].limit == pytest.approx(CAP_P62)
    assert got[0].text.get("vi") == "P6.2, năm 2025: 0,30 > 0,25 tỷ đồng (mức hấp thụ tối đa, tính trên vốn giải ngân)"
    assert got[0].text.get("en") == "P6.2, in 2025: 0.30 > 0.25 billion VND (absorption cap, on the money disbursed)"


def test_the_cap_is_compared_with_the_money_disbursed():
    """With the default disbursement the plan's 0.3 billion disburses 0.3 x the share of central
    recurrent money in params/funding.yaml (read from the file here), against a cap of 0.1."""
    scen = make_scenario(tiny_raw())
    funding = yaml.safe_load((ROOT / "params" / "funding.yaml").read_text(encoding="utf-8"))
    share = funding["sources"]["central_recurrent"]["disbursement"]["value"]
    assert 0.3 * share > 0.1
    p = build_problem(scen, resolve_spec(scen, SPEC), providers=hand_caps(scen, p62=0.1))
    got = plan_breaches(p, from_amounts(p, scen.budget.amounts), [], names_of(scen))
    assert [b.row.code for b in got] == ["P6.2"]
    assert got[0].value == pytest.approx(0.3 * share) and got[0].limit == pytest.approx(0.1)


def test_the_comparison_and_the_summary_carry_the_breaks(tiny, tmp_path):
    """The optimiser's comparison: the plan not feasible with the break in both languages, the
    other allocations feasible with no break; summary.json's plan_breaks the same."""
    from simlib.allocate.output import read_optimization, write_optimization

    res = optimize(tiny, resolve_spec(tiny, SPEC), providers=hand_caps(tiny))
    c = res.comparison.set_index("allocation")
    assert not c.loc["plan", "feasible"]
    assert (
        c.loc["plan", "breaks_vi"]
        == "P6.2, năm 2025: 0,30 > 0,25 tỷ đồng (mức hấp thụ tối đa, tính trên vốn giải ngân)"
    )
    assert c.loc["plan", "breaks_en"].startswith("P6.2, in 2025: 0.30 > 0.25 billion VND")
    for name in ("optimal", "plan_feasible", "equal_split"):
        assert c.loc[name, "feasible"] and c.loc[name, "breaks_vi"] == "" and c.loc[name, "breaks_en"] == ""
    data = read_optimization(write_optimization(res, tmp_path / "opt", report=False, lang="vi"))
    breaks = data["summary"]["plan_breaks"]
    assert [(b["kind"], b["code"], b["year"]) for b in breaks] == [("cap", "P6.2", 2025)]
    assert breaks[0]["value_bn"] == pytest.approx(0.3) and breaks[0]["limit_bn"] == pytest.approx(CAP_P62)
    assert data["comparison"].set_index("allocation").loc["plan", "breaks_vi"].startswith("P6.2, năm 2025: 0,30 > 0,25")


# --- plan_2027 ---------------------------------------------------------------------------------
def independent_caps_2027(scen) -> dict[str, tuple[float, float]]:
    """{line: (money disbursed in 2027, absorption cap)} billion VND for the lines that reach
    communes or officers (their caps need no engine run), from the files alone: the scenario's 2027
    amounts by content (params/scenarios/plan_2027.yaml), each content's beneficiaries, the line
    it continues and the line whose unit cost it takes (params/catalogues/2026_2035.yaml), the disbursement share of its source (params/funding.yaml),
    the unit cost (params/evidence.yaml), the communes of each unit (the dataset's units.csv) and
    the officers per legacy commune of each unit (params/population.yaml; commune-level units have no
    district staff); take-up ceiling 1 (none set
    for these lines in params/program.yaml)."""

    read = lambda *parts: yaml.safe_load((ROOT.joinpath(*parts)).read_text(encoding="utf-8"))  # noqa: E731
    raw = read("params", "scenarios", "plan_2027.yaml")
    contents = read("params", "catalogues", "2026_2035.yaml")["lines"]
    funding = read("params", "funding.yaml")["sources"]
    priors = read("params", "evidence.yaml")["priors"]
    program = read("params", "program.yaml")["lines"]
    sizes = read("params", "population.yaml")["sizes"]
    units = pd.read_csv(scen.dataset.path / "units.csv", dtype={"unit_id": str})
    communes = units["communes"].to_numpy(float)
    # commune-level units: 12 officers per legacy commune merged, no district staff (no district tier)
    officers = units["old_units"].to_numpy(float) * sizes["officers_per_commune"]["value"]
    out = {}
    for content, money in raw["budget"]["years"][2027]["contents"].items():
        ben = contents[content]["beneficiary"]
        if ben["population"] == "households":
            continue
        (line,) = contents[content]["continues"]
        assert "max_share" not in program[line]["beneficiary"] and "max_share" not in ben
        spent = sum(v * funding[s]["disbursement"]["value"] for s, v in money.items())
        count = communes if ben["population"] == "communes" else officers
        out[line] = (spent, count.sum() * priors[ben["unit_cost_from"]]["unit_cost"]["central"] / 1e9)
    return out


@pytest.mark.slow
def test_plan_2027_names_exactly_the_lines_above_their_caps():
    scen = load_scenario(scenarios_dir() / "plan_2027.yaml")
    p = build_problem(scen, resolve_spec(scen, {"frontier": []}))
    got = plan_breaches(p, from_amounts(p, scen.budget.amounts), [], names_of(scen))
    assert {b.row.kind for b in got} == {"cap"} and {b.row.year for b in got} == {2027}
    ind = independent_caps_2027(scen)
    # the communication and capacity lines' money is split in proportion to their communes or
    # officers, so the line's cap is the sum over units
    for line in ind:
        li = p.model.line_codes.index(line)
        cap = p.model.capacity_units[li]
        np.testing.assert_allclose(p.model.split[li], cap / cap.sum(), rtol=1e-9)
    # P7.1 by hand: 161 legacy communes x 12 officers x 4 million VND = 7.728 billion VND, above
    # the 4.87 disbursed (before the district staff were dropped from commune-level units and the
    # officers counted per legacy commune, the cap was 56 x 18 x 4 million = 4.03 and P7.1 broke it)
    assert ind["P7.1"][1] == pytest.approx(161 * 12 * 4e6 / 1e9)
    over = {line for line, (spent, cap) in ind.items() if spent > cap * (1 + 1e-5)}
    assert over == {"P6.2", "P7.2"}
    assert {b.row.code for b in got} == over  # and no household line
    for b in got:
        spent, cap = ind[b.row.code]
        assert b.value == pytest.approx(spent, rel=1e-9) and b.limit == pytest.approx(cap, rel=1e-9)
    texts = {b.row.code: b.text.get("vi") for b in got}
    # 2027 is under the 2026–2035 catalogue: each line's money is named by the content it stands for
    assert texts["P6.2"] == (
        "C6 – Truyền thông về giảm nghèo đa chiều (dự kiến), năm 2027: 2,44 > 1,68 tỷ đồng"
        " (mức hấp thụ tối đa, tính trên vốn giải ngân)"
    )
    assert texts["P7.2"].startswith("C7 – Giám sát, đánh giá Chương trình (dự kiến), năm 2027: 2,44 > 1,12 tỷ đồng")
    en = got[-1].text.get("en")
    assert "C7 – Monitoring and evaluation (candidate), in 2027: 2.44 > 1.12 billion VND (absorption cap" in en


def test_the_poor_units_of_a_commune_scenario_are_named_communes():
    """The optimiser's tables name the poor units by the scenario's units: «Các xã nghèo» on the
    56 communes of plan_2027 (they read «Các huyện nghèo»), «Các huyện nghèo» on plan_2024."""
    communes = names_of(load_scenario(scenarios_dir() / "plan_2027.yaml"))
    districts = names_of(load_scenario(scenarios_dir() / "plan_2024.yaml"))
    assert communes[("geo", "poor_districts", "vi")] == "Các xã nghèo"
    assert communes[("geo", "poor_districts", "en")] == i18n.t("geo.poor_communes", "en")
    assert districts[("geo", "poor_districts", "vi")] == "Các huyện nghèo"
