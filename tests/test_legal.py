"""The legal frame as data (params/legal/, simlib.legal), budget contents (simlib.catalogue,
simlib.budget) and the rules every allocation must respect (simlib.compliance): each rule is
checked on the bundled scenarios by an independent computation, and an illegal scenario gives an
error naming the rule and its legal source."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
import yaml
from conftest import ROOT, make_scenario, tiny_raw

import simlib
from simlib.compliance import check_allocation, enforce
from simlib.errors import InputError, InputErrors, SimlibError
from simlib.legal import Citation, load_documents, load_frame
from simlib.model import compile_model
from simlib.scenario import SOURCES, load_scenario, scenario_from_dict
from simlib.schema import load_yaml

SCENARIOS = sorted((ROOT / "params" / "scenarios").glob("*.yaml"))
FRAME = ROOT / "params" / "legal" / "caobang_2021_2025.yaml"
BN = 1e9


@pytest.fixture(scope="module")
def frame():
    return load_frame(FRAME)


#: every planned VND spent in its year: the amounts below were worked with full disbursement (the
#: defaults follow published rates, params/funding.yaml)
FULL = [(f"funding.sources.{s}.disbursement.value", 1.0) for s in SOURCES]


@pytest.fixture(scope="module")
def bundled():
    return {p.stem: load_scenario(p, FULL) for p in SCENARIOS}


def plan_raw() -> dict:
    return load_yaml(ROOT / "params" / "scenarios" / "plan_2024.yaml")


def plan_from(raw: dict):
    return scenario_from_dict(raw, file=(ROOT / "params" / "scenarios" / "plan_2024.yaml").resolve())


def text_of(exc: SimlibError, lang: str) -> str:
    return exc.message(lang)


# --- the frame as data ----------------------------------------------------------------------


def test_frame_reads_lists_envelopes_and_an_unknown_counterpart(frame):
    assert frame.province == "caobang" and frame.years == (2022, 2023, 2024, 2025)
    units = ("bao_lac", "bao_lam", "ha_quang", "ha_lang", "hoa_an", "nguyen_binh", "quang_hoa", "thach_an")
    assert {u for u in units + ("trung_khanh", "tp_cao_bang") if frame.member("exit_scheme_districts", u)} == {
        "ha_quang",
        "trung_khanh",
    }
    assert frame.member("poor_districts", "trung_khanh") is True
    assert frame.member("poor_districts", "bao_lac") is None  # not found: never guessed
    assert frame.counterpart.ratio is None  # no rule found: unknown, not an invented floor
    assert frame.envelope.illustrative
    assert frame.envelope.amount(2024, "central_investment") == 410 * BN
    assert frame.envelope.amount(2025, "central_recurrent") == 263 * BN
    assert frame.envelope.amount(2023, "central_investment") is None
    assert frame.per_beneficiary["P5.new_house"][0] == 40e6 and frame.per_beneficiary["P5.repair"][0] == 20e6


def test_frame_cites_documents_by_number_and_status(frame):
    cite = frame.cite(frame.lists["exit_scheme_districts"].citation, "vi")
    assert "Quyết định 880/QĐ-TTg" in cite and "trích dẫn lại" in cite
    assert "Decision 880/QĐ-TTg" in frame.cite(frame.lists["exit_scheme_districts"].citation, "en")


def test_the_part_of_a_document_is_cited_in_the_page_language():
    """A citation's part given in both languages (`part: {vi, en}`) is written in the page's
    language; a part given once (a document's own Vietnamese name) is the same in both. Every part
    in the bundled frames and contents that is not a Vietnamese name has both forms (an English
    phrase in a Vietnamese page read «phase-I central budget …»)."""
    both = Citation.of({"doc": "X", "status": "read", "part": {"vi": "Điều 2", "en": "Article 2"}})
    once = Citation.of({"doc": "X", "status": "read", "part": "Dự án 4"})
    assert (both.part_in("vi"), both.part_in("en"), once.part_in("en")) == ("Điều 2", "Article 2", "Dự án 4")
    frame = load_frame(ROOT / "params" / "legal" / "caobang_communes_2026_2027.yaml")
    cite = frame.cite(frame.lists["poor_districts"].citation, "vi")
    assert "danh sách xã nghèo giai đoạn 2026–2030" in cite and "list of" not in cite
    assert "list of poor communes" in frame.cite(frame.lists["poor_districts"].citation, "en")
    parts = [p for path in (ROOT / "params" / "legal").glob("*.yaml") for p in _parts(load_yaml(path))]
    assert len(parts) >= 25
    assert all(isinstance(p, dict) or p.startswith("Dự án") for p in parts), parts


def _parts(node) -> list:
    """Every citation's `part` in a parsed YAML tree (a mapping with `doc` and `part`)."""
    if isinstance(node, dict):
        own = [node["part"]] if "doc" in node and "part" in node else []
        return own + [p for v in node.values() for p in _parts(v)]
    return [p for v in node for p in _parts(v)] if isinstance(node, list) else []


def _frame_copy(folder, raw: dict):
    """`raw` written as a frame file in `folder`, beside a copy of the documents it cites."""
    (folder / "documents_2021_2025.yaml").write_text(
        (FRAME.parent / "documents_2021_2025.yaml").read_text(encoding="utf-8"), encoding="utf-8"
    )
    path = folder / "x_frame.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    return path


def test_a_part_in_two_languages_needs_both(tmp_path):
    raw = yaml.safe_load(FRAME.read_text(encoding="utf-8"))
    raw["eligibility"]["exit_scheme_districts"]["document"]["part"] = {"vi": "Điều 2"}
    with pytest.raises(SimlibError) as info:
        load_frame(_frame_copy(tmp_path, raw))
    assert "eligibility.exit_scheme_districts.document.part" in info.value.message("en")


def test_a_frame_citing_an_unknown_document_is_refused(tmp_path):
    raw = yaml.safe_load(FRAME.read_text(encoding="utf-8"))
    raw["eligibility"]["exit_scheme_districts"]["document"]["doc"] = "QD999_TTg"
    raw["counterpart"]["min_local_share_of_central"] = "three percent"
    path = _frame_copy(tmp_path, raw)
    with pytest.raises(SimlibError) as info:
        load_frame(path)
    assert "min_local_share_of_central" in info.value.message("en")
    raw["counterpart"]["min_local_share_of_central"] = None
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    with pytest.raises(InputError) as info:
        load_frame(path)
    assert "eligibility.exit_scheme_districts.document.doc" in info.value.message("en")
    assert "QD999_TTg" in info.value.message("en")


def test_units_csv_agrees_with_the_frame_lists(frame):
    units = pd.read_csv(ROOT / "data" / "caobang" / "units.csv")
    for _, row in units.iterrows():
        for lst, flag in (("poor_districts", "poor_district"), ("exit_scheme_districts", "exit_scheme_district")):
            member = frame.member(lst, row["unit_id"])
            if member is not None:
                assert bool(row[flag]) == member, (lst, row["unit_id"])
    tk = units.set_index("unit_id").loc["trung_khanh"]
    assert tk["poor_district"] and tk["exit_scheme_district"] and "880" in tk["exit_scheme_district_basis"]


# --- contents --------------------------------------------------------------------------------


def test_every_legal_content_is_a_budget_item_with_its_capital(bundled):
    cat = bundled["plan_2024"].catalogue
    legal = load_yaml(ROOT / "params" / "legal" / "contents_2021_2025.yaml")["contents"]
    assert {cat.lines[it].content for it in cat.codes} == set(legal)
    for it in cat.codes:
        assert cat.lines[it].capital == tuple(legal[cat.lines[it].content]["capital"])
    investment = {it for it in cat.codes if "investment" in cat.lines[it].capital}
    assert investment == {"P1.1", "P1.2", "P4.1.facilities", "P4.3.labour_market_system"}
    # the lines keep their codes for the content they model: P4.1 is the training courses
    assert cat.lines["P4.1"].content == "P4.1.training" and cat.lines["P4.1"].capital == ("recurrent",)


def test_contents_that_buy_no_household_benefit_reach_no_one(bundled):
    """Facilities, information systems, maintenance and repairs: money shown, nobody reached, no effect."""
    scen = bundled["equal_split"]
    res = simlib.run(scen, counterfactual=False)
    prog = res.programme.groupby("line")[["spend_vnd", "reached"]].sum()
    for item in ("P4.1.facilities", "P4.3.labour_market_system"):
        assert prog.loc[item, "spend_vnd"] == pytest.approx(2 * 102.5 * BN)
        assert prog.loc[item, "reached"] == 0
    cat = scen.catalogue
    for it in cat.codes:
        if cat.lines[it].money_only:
            assert not any(cat.lines[it].effects.values())
    # the money counts in what the programme spent
    spend = res.indicators.query("indicator == 'spend' and geo == 'province'")["value"].sum()
    assert spend == pytest.approx(scen.budget.amounts[1:].sum() / BN)


def test_line_money_is_routed_to_contents_by_capital():
    raw = tiny_raw()
    raw["budget"]["years"]["2024"]["lines"]["P4.1"] = {"central_investment": 4, "central_recurrent": 6, "local": 1}
    raw["budget"]["years"]["2024"]["lines"]["P5"] = {"central_recurrent": 10, "local": 2}
    scen = make_scenario(raw)
    a, cat = scen.budget.amounts[1] / BN, scen.catalogue
    src = list(scen.budget.sources)
    assert a[cat.index("P4.1.facilities"), src.index("central_investment")] == pytest.approx(4)
    assert a[cat.index("P4.1"), src.index("central_recurrent")] == pytest.approx(6)
    assert a[cat.index("P4.1"), src.index("local")] == pytest.approx(1)  # default: the modelled content
    assert a[cat.index("P5"), src.index("central_recurrent")] == pytest.approx(10)  # new houses by default
    assert a[cat.index("P5.repair")].sum() == 0
    defaults = {(r.line, r.source) for r in scen.budget.routing}
    assert defaults == {("P4.1", "local"), ("P5", "central_recurrent"), ("P5", "local")}
    # naming the content is explicit: no default
    raw["budget"]["years"]["2024"]["lines"]["P5"] = {}
    raw["budget"]["years"]["2024"]["lines"]["P5.repair"] = {"central_recurrent": 3}
    scen = make_scenario(raw)
    assert scen.budget.amounts[1, scen.catalogue.index("P5.repair")].sum() == pytest.approx(3 * BN)
    assert ("P5", "central_recurrent") not in {(r.line, r.source) for r in scen.budget.routing}


def test_money_no_content_of_a_line_may_take_is_an_error_naming_the_rule():
    raw = tiny_raw()
    raw["budget"]["years"]["2024"]["lines"]["P3.1"] = {"central_investment": 5}
    with pytest.raises(SimlibError) as info:
        make_scenario(raw)
    en, vi = info.value.message("en"), info.value.message("vi")
    assert "budget.years.2024.lines.P3.1.central_investment" in en
    assert "capital by content" in en and "P3.1.production: recurrent" in en
    assert "quy tắc nguồn vốn theo nội dung" in vi


# --- every bundled scenario satisfies each rule (independent computations) ------------------


@pytest.mark.parametrize("name", [p.stem for p in SCENARIOS])
def test_bundled_scenarios_satisfy_the_legal_frame(bundled, frame, name):
    scen = bundled[name]
    if scen.raw.get("legal_frame") == "none":  # declared: no frame covers its units and years (plan_2027)
        assert scen.legal is None
        return
    if scen.legal is not None and scen.legal.name == "caobang_communes_2026_2027":  # tests/test_legal_2026.py
        assert check_allocation(scen) == []
        return
    assert scen.legal is not None and scen.legal.name == "caobang_2021_2025"
    assert check_allocation(scen) == []
    b, cat = scen.budget, scen.catalogue
    src = list(b.sources)
    split = compile_model(scen).levers.split
    units = list(scen.dataset.unit_ids)
    for yi, year in enumerate(b.years[1:], start=1):
        a = b.amounts[yi]
        # envelope: central money by source within the (illustrative) envelope, in covered years
        for s in ("central_investment", "central_recurrent"):
            limit = frame.envelope.amount(year, s)
            if limit is not None:
                assert a[:, src.index(s)].sum() <= limit * (1 + 1e-9), (year, s)
        # capital: central money only in items whose content takes that capital
        for li, it in enumerate(cat.codes):
            if "investment" not in cat.lines[it].capital:
                assert a[li, src.index("central_investment")] == 0, (year, it)
            if "recurrent" not in cat.lines[it].capital:
                assert a[li, src.index("central_recurrent")] == 0, (year, it)
        # territory: P1.2 money only in the exit-scheme districts, P1.1 and P5 in poor districts
        money = a.sum(axis=1)[:, None] * split
        for it in ("P1.2", "P1.2.recurrent"):
            spent = {units[d] for d in np.flatnonzero(money[cat.index(it)] > 1)}
            assert spent <= {"ha_quang", "trung_khanh"}, (year, it, spent)
        for it in ("P1.1", "P1.1.maintenance", "P5", "P5.repair"):
            spent = {units[d] for d in np.flatnonzero(money[cat.index(it)] > 1)}
            assert spent <= set(np.array(units)[scen.dataset.poor_district]), (year, it, spent)
        # norm: central money per new house at most 40 million VND
        p5 = a[cat.index("P5")]
        if p5.sum() > 0:
            central_share = (p5[src.index("central_investment")] + p5[src.index("central_recurrent")]) / p5.sum()
            assert cat.lines["P5"].cost_per_household * central_share <= 40e6 * (1 + 1e-12)


def test_p12_goes_to_the_exit_scheme_districts_only(bundled):
    model = compile_model(bundled["plan_2024"])
    units = list(model.unit_ids)
    li = model.line_codes.index("P1.2")
    assert {units[d] for d in np.flatnonzero(model.levers.split[li] > 0)} == {"ha_quang", "trung_khanh"}


# --- an illegal scenario gives a named error; a what-if may ignore it ------------------------


def illegal_raw() -> dict:
    raw = plan_raw()
    lines = raw["budget"]["years"]["2024"]["lines"]
    lines["P4.1.training"] = {"central_investment": 5}  # capital: courses take recurrent money only
    lines["P1.1.investment"]["central_investment"] = 400  # envelope: 405 + 80 > 410 (illustrative)
    raw["budget"]["district_split"]["lines"] = {"P1.2": {"ha_quang": 0.5, "bao_lac": 0.5}}  # territory
    return raw


def test_an_illegal_scenario_gives_errors_naming_each_rule_and_its_source():
    scen = plan_from(illegal_raw())
    found = {v.rule for v in check_allocation(scen)}
    assert found == {"capital", "envelope", "territory"}
    with pytest.raises(InputErrors) as info:
        simlib.run(scen)
    vi, en = text_of(info.value, "vi"), text_of(info.value, "en")
    assert "plan_2024.yaml" in en
    assert "rule “capital by content”" in en and "Decision 90/QĐ-TTg" in en
    assert "rule “central envelope”" in en and "ILLUSTRATIVE" in en and "485" in en and "410" in en
    assert "rule “eligible territory”" in en and "Bao Lac district" in en and "Decision 880/QĐ-TTg" in en
    assert "quy định «địa bàn được hỗ trợ»" in vi and "Huyện Bảo Lạc" in vi and "Quyết định 880/QĐ-TTg" in vi


def test_a_what_if_run_may_ignore_rules_and_says_so():
    raw = illegal_raw()
    raw["ignore_legal_rules"] = ["territory", "capital"]
    with pytest.raises(InputErrors) as info:  # the envelope is still enforced
        simlib.run(plan_from(raw))
    assert "central envelope" in info.value.message("en") and "territory" not in info.value.message("en")
    raw["ignore_legal_rules"] = ["all"]
    res = simlib.run(plan_from(raw), counterfactual=False)
    legal = res.legal
    assert set(legal["ignored_rules"]) == {"all"}
    assert {v["rule"] for v in legal["ignored_violations"]} == {"capital", "envelope", "territory"}
    assert legal["notes_vi"][0].startswith("Phương án giả định, BỎ QUA quy định")
    assert "IGNORING" in legal["notes_en"][0]


def test_the_cli_refuses_an_illegal_scenario_with_status_2(tmp_path):
    import subprocess
    import sys

    raw = illegal_raw()
    raw["dataset"] = str(ROOT / "data" / "caobang")
    path = tmp_path / "illegal.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    for cmd in (["validate", str(path)], ["run", str(path), "--out", str(tmp_path / "out")]):
        proc = subprocess.run(
            [sys.executable, "-m", "simlib", "--lang", "en", *cmd], capture_output=True, text=True, timeout=300
        )
        assert proc.returncode == 2, proc.stderr
        assert "Traceback" not in proc.stderr
        assert "central envelope" in proc.stderr + proc.stdout
    assert not (tmp_path / "out").exists()


def test_every_rule_can_be_broken_alone():
    """The per-beneficiary norm fires alone when a new house costs 45 million VND, all of it central."""
    raw = plan_raw()
    raw["overrides"] = {
        "program.lines.P5.beneficiary.unit_cost.value": 45e6,
        "program.lines.P5.beneficiary.unit_cost.range": [20e6, 45e6],
    }
    lines = raw["budget"]["years"]["2024"]["lines"]
    lines["P5.new_house"] = {"central_recurrent": 100}
    lines["P3.1"]["central_recurrent"] = 60  # keeps central recurrent money at 263
    found = check_allocation(plan_from(raw))
    assert {v.rule for v in found} == {"norm"}
    v = found[0]
    assert v.item == "P5" and v.amount == pytest.approx(45e6) and v.limit == pytest.approx(40e6)
    assert "Circular 01/2022/TT-BXD" in v.message("en") and "45.0" in v.message("en")


# --- absorption -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def equal_split_run(bundled):
    return simlib.run(bundled["equal_split"], counterfactual=False)


def test_absorption_of_a_commune_line_matches_a_hand_calculation(equal_split_run, bundled):
    """P7.2 monitoring: 20 million VND per commune, every commune at most once a year; equal_split
    gives it 23.909 + 2 + 1 billion VND a year: the rest of the money reaches no commune."""
    scen = bundled["equal_split"]
    communes = scen.dataset.units["communes"].sum()
    cost = scen.catalogue.lines["P7.2"].unit_cost
    money = (23.909 + 2 + 1) * BN
    expected = 2 * max(money - communes * cost, 0.0)
    ab = equal_split_run.absorption
    got = ab.loc[ab["line"] == "P7.2", "unallocatable_vnd"].sum()
    assert got == pytest.approx(expected, rel=1e-9)
    assert equal_split_run.manifest["absorption"]["unallocatable_by_line"]["P7.2"] == pytest.approx(expected / BN)


def test_absorption_adds_up_and_shows_money_without_household_effect(equal_split_run):
    ab = equal_split_run.absorption
    total = ab["usable_vnd"] + ab["unallocatable_vnd"] + ab["no_household_effect_vnd"]
    assert np.allclose(total, ab["spend_vnd"], rtol=1e-9, atol=1.0)
    assert (ab["usable_vnd"] <= ab["capacity_vnd"] * (1 + 1e-9) + 1).all()
    none = ab[ab["role"] == "none"]
    assert set(none["line"]) == {"P4.1.facilities", "P4.3.labour_market_system"}
    m = equal_split_run.manifest["absorption"]
    assert m["no_household_effect"] == pytest.approx(410.0)
    # what reached anyone + what did not = all the money acting in the projected years
    assert m["spend"] == pytest.approx(ab["spend_vnd"].sum() / BN)


def test_money_a_split_places_nowhere_is_unallocatable():
    """The tiny dataset has no exit-scheme district: P1.2 money has no unit to go to."""
    raw = tiny_raw()
    raw["budget"]["years"]["2024"]["lines"]["P1.2"] = {"central_investment": 5}
    res = simlib.run(make_scenario(raw, FULL), counterfactual=False)
    ab = res.absorption
    lost = ab[(ab["line"] == "P1.2") & (ab["district"] == "")]
    # P1.2 acts a year later: 2023's money (repeating 2024) in 2024, 2024's in 2025
    assert lost["unallocatable_vnd"].sum() == pytest.approx(2 * 5 * BN)
    assert res.programme.query("line == 'P1.2'")["spend_vnd"].sum() == 0


def test_outputs_include_the_absorption_table_and_legal_record(tmp_path, bundled):
    res = simlib.run(bundled["plan_2024"])
    out = simlib.runner.write_outputs(res, tmp_path / "run")
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert "absorption.csv" in manifest["outputs"]
    table = pd.read_csv(out / "absorption.csv")
    assert {"line", "content", "role", "unallocatable_vnd", "no_household_effect_vnd"} <= set(table.columns)
    legal = manifest["legal"]
    assert legal["frame"] == "caobang_2021_2025" and legal["envelope_illustrative"] is True
    assert legal["counterpart"] == {"ratio": None, "known": False}
    assert legal["ignored_violations"] == [] and legal["list_disagreements"] == []
    assert any("MINH HỌA" in n for n in legal["notes_vi"])
    assert any("counterpart" in n for n in legal["notes_en"])
    assert any(str(p).endswith("caobang_2021_2025.yaml") for p in manifest["input_files"])


def test_years_the_frame_does_not_cover_are_reported(bundled):
    res = simlib.run(bundled["multidim_2030"], counterfactual=False)
    assert res.legal["years_not_covered"] == [2026, 2027, 2028, 2029, 2030]
    # P5 spends 100 billion VND a year while fewer and fewer houses need building: shown
    ab = res.absorption
    p5 = ab[ab["line"] == "P5"].groupby("year")["unallocatable_vnd"].sum()
    assert p5.loc[2030] > p5.loc[2024]
    assert res.manifest["absorption"]["unallocatable_by_line"]["P5"] > 0


def test_a_dataset_without_a_frame_is_run_and_said_so(tiny_scenario):
    assert tiny_scenario.legal is None
    res = simlib.run(tiny_scenario, counterfactual=False)
    assert res.legal["frame"] is None
    assert res.legal["notes_en"] == [
        "No legal frame for this dataset: the allocation was not checked against the rules."
    ]


def test_legal_frame_none_and_unknown_names(bundled):
    raw = plan_raw()
    raw["legal_frame"] = "none"
    assert plan_from(raw).legal is None
    raw["legal_frame"] = "atlantis_2021_2025"
    with pytest.raises(InputError) as info:
        plan_from(raw)
    assert "legal_frame" in info.value.message("en") and "caobang_2021_2025" in info.value.message("en")


def test_enforce_returns_the_ignored_breaches():
    raw = illegal_raw()
    raw["ignore_legal_rules"] = ["capital", "envelope", "territory"]
    let_through = enforce(plan_from(raw))
    assert {v.rule for v in let_through} == {"capital", "envelope", "territory"}
    assert all(v.record()["text_vi"].startswith("Năm ") for v in let_through)


def test_the_explorer_refuses_a_breach_naming_the_rule():
    from simlib.workbench.state import AllocationState

    state = AllocationState.load(ROOT / "params" / "scenarios" / "plan_2024.yaml")
    assert state.problems() == []
    refused = state.set_total(800)  # 800 billion VND a year: above the envelope of 673 central
    assert refused and state.unchanged and all(p.key == "wb.problem.refused" for p in refused)
    assert "central envelope" in refused[0].message("en") and "dự toán" in refused[0].message("vi")


def test_the_explorer_shows_a_what_ifs_own_breaches_and_still_projects():
    from simlib.workbench.state import AllocationState

    raw = illegal_raw()
    raw["ignore_legal_rules"] = ["capital", "envelope", "territory"]
    state = AllocationState(plan_from(raw))
    found = [p for p in state.problems() if p.key == "wb.problem.legal"]
    assert len(found) >= 3 and not any(p.blocking for p in found)  # the scenario asks to ignore them
    assert not state.evaluate().indicators.empty


def test_a_what_ifs_report_says_so_on_the_first_screen():
    """A run that sets rules aside is labelled on the report's first screen with the rules it
    ignores (the scenario's `ignore_legal_rules`), next to the legal record's own sentences."""
    from simlib.report import html
    from simlib.report import scenario_report as R
    from simlib.runner import run

    raw = illegal_raw()
    raw["ignore_legal_rules"] = ["capital", "envelope", "territory"]
    ctx = R.context(run(plan_from(raw)), "en")
    first_screen = "".join(R.title(ctx))
    assert "What-if run" in first_screen and "capital, envelope, territory" in first_screen
    assert all(html.esc(s) in first_screen for s in ctx.result.manifest["legal"]["notes_en"])


def test_documents_not_found_are_cited_by_what_they_are_not_by_register_id():
    """A document whose number was not found (its id is the register's, e.g. `P31_guidance`) is cited
    by its title and kind when the register gives them, else as a document not identified; never
    by the id, and never with a status of reading (it was not found: nothing was read)."""
    docs = {}
    for path in sorted((ROOT / "params" / "legal").glob("documents_*.yaml")):
        docs.update(load_documents(path))
    lost = {k: d for k, d in docs.items() if d.number == "not_found"}
    assert {"P31_guidance", "PHANBO_2026_2030_TTg"} <= set(lost)
    for lang, found in (("vi", "chưa tìm thấy văn bản"), ("en", "document not found")):
        for key, doc in lost.items():
            text = doc.cite(lang)
            assert key not in text
            assert (found in text) == bool(doc.title_vi)
        assert lost["PHANBO_2026_2030_TTg"].cite(lang).startswith("Quyết định quy định nguyên tắc")
