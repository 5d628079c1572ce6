"""The extremely disadvantaged communes of 2026–2030 (xã khu vực III) in the legal frame (issue 19).

The frame `caobang_communes_2026_2027` does not retype the list: its eligibility list
`extremely_disadvantaged_communes` names the dataset's flag (`units_from_dataset:
extremely_disadvantaged`), which data/caobang_communes writes from the region III list (QĐ
2230/QĐ-UBND as reported: 53 xã). The territory rule then checks P6.1 (modelled content
P6.1.public_information_points) against the flagged units. Expected values come from the CSV files
read here with the csv module, and from hand-made three-unit datasets.
"""

from __future__ import annotations

import csv
import shutil

import numpy as np
import pytest
import yaml
from conftest import ROOT, TINY, tiny_raw

from simlib.compliance import check_allocation, enforce, legal_status
from simlib.dataset import load_dataset
from simlib.errors import InputError, InputErrors
from simlib.legal import load_frame
from simlib.model import compile_levers, compile_structure
from simlib.scenario import load_scenario, scenario_from_dict
from simlib.schema import load_yaml

LEGAL = ROOT / "params" / "legal"
FRAME = LEGAL / "caobang_communes_2026_2027.yaml"
SCENARIO = ROOT / "params" / "scenarios" / "plan_2027.yaml"
LIST = "extremely_disadvantaged_communes"
BN = 1e9


def _rows(path):
    with open(path, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture(scope="module")
def frame():
    return load_frame(FRAME)


@pytest.fixture(scope="module")
def plan():
    return load_scenario(SCENARIO)


def test_the_frame_resolves_exactly_the_flagged_units_of_the_dataset(frame):
    """The list is the dataset's flag, unit by unit: the 53 units whose `extremely_disadvantaged`
    is "true" in units.csv, which are the region III units of the source file — every xã and none of
    the three phường (Thục Phán region I; Tân Giang, Nùng Trí Cao region II)."""
    lst = frame.lists[LIST]
    assert lst.flag == "extremely_disadvantaged" and lst.citation.doc == "QD2230_2025_UBND_CB"
    assert lst.citation.status == "seen_in"
    ds = load_dataset("caobang_communes")
    units = _rows(ROOT / "data" / "caobang_communes" / "units.csv")
    expected = {r["unit_id"]: {"true": True, "false": False}[r["extremely_disadvantaged"]] for r in units}
    got = frame.members_of(LIST, ds)
    assert got == expected
    assert sum(got.values()) == 53 and len(got) == 56
    regions = {
        r["code"]: r["region"]
        for r in _rows(ROOT / "data" / "geography" / "caobang" / "sources" / "regions_2026_2030.csv")
    }
    assert {u for u, on in got.items() if on} == {u for u, reg in regions.items() if reg == "III"}
    kinds = {r["unit_id"]: r["kind"] for r in units}
    assert {u for u, on in got.items() if not on} == {u for u, k in kinds.items() if k == "phường"}
    off = {r["name_vi"] for r in units if not got[r["unit_id"]]}
    assert off == {"Phường Thục Phán", "Phường Tân Giang", "Phường Nùng Trí Cao"}
    # the frame's own `member` does not guess: a list held by the dataset is read with the dataset
    assert frame.member(LIST, "01290") is None


def _tiny_with_flags(tmp_path, flags: dict[str, str], name="tiny_flags"):
    """The tiny dataset (three made-up units) with an `extremely_disadvantaged` column."""
    folder = tmp_path / name
    shutil.copytree(TINY, folder)
    rows = _rows(folder / "units.csv")
    cols = list(rows[0]) + ["extremely_disadvantaged"]
    with open(folder / "units.csv", "w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=cols)
        w.writeheader()
        for r in rows:
            w.writerow({**r, "extremely_disadvantaged": flags[r["unit_id"]]})
    return folder


def test_a_hand_made_dataset_with_two_flagged_units_gives_those_two(frame, tmp_path):
    """Three units, `north` and `town` flagged (one written "1", one "TRUE"), `south` "false": the
    list is exactly north and town. A dataset without the column leaves every unit not found."""
    folder = _tiny_with_flags(tmp_path, {"north": "1", "south": "false", "town": "TRUE"})
    ds = load_dataset(folder)
    assert frame.members_of(LIST, ds) == {"north": True, "south": False, "town": True}
    assert frame.members_of(LIST, load_dataset(TINY)) == {"north": None, "south": None, "town": None}


def test_a_flag_that_is_neither_true_nor_false_is_an_error_naming_the_column(frame, tmp_path):
    folder = _tiny_with_flags(tmp_path, {"north": "true", "south": "unknown", "town": "false"})
    with pytest.raises(InputError) as info:
        frame.members_of(LIST, load_dataset(folder))
    text = str(info.value)
    assert "extremely_disadvantaged" in text and "rows 3" in text and "unknown" in text


def _tiny_frame(tmp_path) -> str:
    """A frame for the tiny dataset whose only list is the region III flag of the dataset."""
    folder = tmp_path / "legal"
    folder.mkdir()
    shutil.copy(LEGAL / "documents_2026_2030.yaml", folder / "documents_2026_2030.yaml")
    text = f"""
meta:
  title_vi: Khung thử
  title_en: Test frame
  province: tiny
  dataset: {TINY}
  years: [2024, 2025]
  documents: documents_2026_2030.yaml
eligibility:
  {LIST}:
    document: {{doc: QD2230_2025_UBND_CB, status: seen_in}}
    units_from_dataset: extremely_disadvantaged
envelopes: {{illustrative: true, unit: billion VND, years: {{}}}}
counterpart: {{document: {{doc: PHANBO_2026_2030_TTg, status: not_found}}, rule: not_found, min_local_share_of_central: null}}
caps_and_floors: {{}}
"""
    (folder / "tiny_frame.yaml").write_text(text, encoding="utf-8")
    return str(folder / "tiny_frame.yaml")


def _tiny_p61(tmp_path, flags):
    raw = tiny_raw(dataset=str(_tiny_with_flags(tmp_path, flags)), legal_frame=_tiny_frame(tmp_path))
    raw["budget"]["years"]["2024"]["lines"]["P6.1"] = {"central_recurrent": 2}
    return scenario_from_dict(raw, file=None)


def test_money_in_an_unflagged_unit_is_a_territory_breach(tmp_path):
    """P6.1 serves households of poor districts only (params/program.yaml), so in the tiny dataset
    all its money goes to `north`. With north off the list (flag false) the 2 billion VND of each
    year 2024 and 2025 (2025 repeats 2024) breach the territory rule, citing QĐ 2230/QĐ-UBND; with
    north on it, nothing is breached."""
    scen = _tiny_p61(tmp_path / "off", {"north": "false", "south": "true", "town": "true"})
    found = [v for v in check_allocation(scen) if v.rule == "territory"]
    assert [(v.year, v.item, v.unit) for v in found] == [(2024, "P6.1", "north"), (2025, "P6.1", "north")]
    assert all(v.amount == pytest.approx(2 * BN) for v in found)
    assert "2230/QĐ-UBND" in found[0].message("vi") and "2230/QĐ-UBND" in found[0].message("en")
    with pytest.raises(InputErrors):
        enforce(scen)
    ok = _tiny_p61(tmp_path / "on", {"north": "true", "south": "false", "town": "false"})
    assert [v for v in check_allocation(ok) if v.rule == "territory"] == []
    split = compile_levers(ok, compile_structure(ok)).split
    assert "P6.1" not in {e["item"] for e in legal_status(ok, split, [])["unverified_territory"]}


def test_plan_2027_has_no_breach_on_p61_and_it_is_no_longer_unverified(plan, frame):
    """P6.1 (C6.information from 2026) gets money in every year 2024–2027, all of it in flagged
    units (checked from the budget arrays and the split), the check finds no breach, and the run's
    legal record no longer lists P6.1 among the unverified territories (P1.1, P1.2, P5 stay: the
    poor-commune and exit-scheme lists were not found)."""
    assert check_allocation(plan) == []
    flagged = np.array([frame.members_of(LIST, plan.dataset)[u] for u in plan.dataset.unit_ids])
    assert flagged.sum() == 53
    i = plan.catalogue.index("P6.1")
    split = compile_levers(plan, compile_structure(plan)).split
    b = plan.budget
    for yi, year in enumerate(b.years):
        if year < 2024:
            continue
        money = b.amounts[yi][i].sum() * split[i]
        assert money.sum() > 0, year
        assert np.all(money[~flagged] == 0), year
    rec = legal_status(plan, split, [])
    items = {e["item"] for e in rec["unverified_territory"]}
    assert "P6.1" not in items and {"P1.1", "P1.2", "P5"} <= items


def test_a_list_given_both_by_flag_and_by_units_is_refused(tmp_path):
    raw = load_yaml(FRAME)
    for name in ("documents_2026_2030.yaml", "documents_2021_2025.yaml", "caobang_2021_2025.yaml"):
        shutil.copy(LEGAL / name, tmp_path / name)
    raw["eligibility"][LIST]["units"] = ["01290"]
    (tmp_path / "frame.yaml").write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    with pytest.raises(InputError) as info:
        load_frame(tmp_path / "frame.yaml")
    assert info.value.code == "list_flag_and_units" and "units_from_dataset" in str(info.value)
