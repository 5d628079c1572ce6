"""A legal frame speaks only for the units it is written for (`meta.dataset`, `simlib.frame_fit`).

The communes' frame (`caobang_communes_2026_2027`, written for data/caobang_communes: 56
commune-level units) on the district dataset (data/caobang: 10 district-level units) used to
validate and run, its territory rules falling back to the district dataset's flags. It is refused
now, naming the frame that fits; a dataset on the same units (an imported commune review) is
accepted. A mistyped frame name suggests a frame that fits the scenario's units and years.
"""

from __future__ import annotations

import shutil

import pandas as pd
import pytest
from hostile_helpers import cli

from simlib.dataset import load_dataset
from simlib.errors import InputError, InputErrors
from simlib.review_import import import_review
from simlib.scenario import scenario_from_dict
from simlib.schema import load_yaml
from tests.conftest import ROOT

SCEN = ROOT / "params" / "scenarios"
PLAN_2027 = SCEN / "plan_2027.yaml"
CROSSING = SCEN / "crossing_2024_2027.yaml"


def problems(raw, file=PLAN_2027) -> list[InputError]:
    """The input errors `raw` raises (none if it validates)."""
    try:
        scenario_from_dict(raw, file=file)
    except InputErrors as exc:
        return exc.errors
    except InputError as exc:
        return [exc]
    return []


def test_the_communes_frame_on_the_district_dataset_is_refused():
    raw = load_yaml(PLAN_2027)
    assert raw["legal_frame"] == "caobang_communes_2026_2027"
    found = problems(dict(raw, dataset="caobang"))
    assert [(e.code, e.field) for e in found] == [("legal_frame_level", "legal_frame")]
    err = found[0]
    # the district dataset's frame is the one allowed (and suggested), or none
    assert err.allowed == ["caobang_2021_2025", "none"] and err.suggest == ["caobang_2021_2025"]
    vi, en = err.message("vi"), err.message("en")
    assert "cấp xã" in vi and "cấp huyện" in vi and "data/caobang_communes" in vi
    assert "commune-level units" in en and "district-level units" in en


def test_the_refusal_exits_2_through_the_cli(tmp_path):
    text = PLAN_2027.read_text(encoding="utf-8").replace("\ndataset: caobang_communes\n", "\ndataset: caobang\n")
    copy = tmp_path / "plan_districts.yaml"
    copy.write_text(text, encoding="utf-8")
    code, out = cli("validate", str(copy))
    assert code == 2 and "legal_frame" in out and "cấp huyện" in out


def test_the_district_frame_on_the_communes_is_refused_and_the_crossing_still_validates():
    raw = load_yaml(CROSSING)
    assert problems(raw, CROSSING) == []
    switch = dict(raw["units_switch"], legal_frame="caobang_2021_2025")
    found = problems(dict(raw, units_switch=switch), CROSSING)
    assert [(e.code, e.field) for e in found] == [("legal_frame_level", "units_switch.legal_frame")]
    assert found[0].allowed == ["caobang_communes_2026_2027", "none"]
    # the communes' frame named for the crossing's district years is refused too
    found = problems(dict(raw, legal_frame="caobang_communes_2026_2027"), CROSSING)
    assert [(e.code, e.field) for e in found] == [("legal_frame_level", "legal_frame")]


@pytest.fixture(scope="module")
def commune_review(tmp_path_factory):
    """An annual review on the 56 communes imported with `import_review(level="commune")`: the
    counts of data/caobang_communes written as a review table."""
    folder = tmp_path_factory.mktemp("review")
    table = load_dataset("caobang_communes").counts_frame()
    table["households"] = table["households"].round().astype(int)
    table.to_csv(folder / "review.csv", index=False)
    return import_review(folder / "review.csv", template="caobang", out_dir=folder / "xa", level="commune", year=2023)


def test_a_review_imported_on_the_same_communes_keeps_the_frame(commune_review):
    raw = load_yaml(PLAN_2027)
    scen = scenario_from_dict(dict(raw, dataset=str(commune_review)), file=PLAN_2027)
    assert scen.legal.name == "caobang_communes_2026_2027" and scen.dataset.name != "caobang_communes"


def test_units_outside_the_frame_are_named(commune_review, tmp_path):
    folder = tmp_path / "renamed"
    shutil.copytree(commune_review, folder)
    for name in ("units.csv", "baseline_2023.csv"):
        df = pd.read_csv(folder / name, dtype=str, keep_default_na=False)
        df["unit_id"] = df["unit_id"].replace({"01273": "xa_moi"})
        df.to_csv(folder / name, index=False)
    found = problems(dict(load_yaml(PLAN_2027), dataset=str(folder)))
    assert [(e.code, e.field) for e in found] == [("legal_frame_units", "legal_frame")]
    assert "xa_moi" in found[0].message("vi") and "1 " in found[0].message("en")


@pytest.mark.parametrize(
    ("scenario", "near"),
    [(PLAN_2027, "caobang_communes_2026_2027"), (SCEN / "plan_2024.yaml", "caobang_2021_2025")],
)
def test_a_mistyped_frame_suggests_the_frame_of_the_scenarios_units(scenario, near):
    """`caobang_2026` is closer by spelling to caobang_2021_2025 (difflib), but on the communes
    the frame that fits is the communes' one; on the districts it stays caobang_2021_2025."""
    found = problems(dict(load_yaml(scenario), legal_frame="caobang_2026"), scenario)
    assert [e.field for e in found] == ["legal_frame"] and found[0].suggest == [near]


def test_a_switch_from_the_communes_names_the_district_level_in_words():
    """«cho phép: district» was a code where the sentence wants «huyện»: the allowed value is a
    dataset on district-level units, with the bundled one a planner types in parentheses."""
    found = problems(dict(load_yaml(CROSSING), dataset="caobang_communes"), CROSSING)
    assert [e.code for e in found] == ["units_switch_from"]
    vi, en = found[0].message("vi"), found[0].message("en")
    assert "cho phép: bộ dữ liệu theo đơn vị cấp huyện (như caobang))" in vi and "cho phép: district" not in vi
    assert "allowed: a dataset on district-level units (such as caobang))" in en
