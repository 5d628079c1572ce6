"""Split61: a plan_2027 split table as a tired planner writes it. Commune codes written bare
(`01273:`) are read as written, never as YAML 1.1's octal number (699); a split named by a content
of the 2026–2035 programme (`C1.infrastructure_poor_communes`) is refused with the 2021–2025 line
it must be written on and the years that line's split also moves; every slip gives exit 2 and a
message naming the file, the field, the value and what is allowed — never a traceback."""

from __future__ import annotations

import pytest
from conftest import ROOT
from hostile_helpers import assert_user_error, cli

from simlib.parameters import parse_value
from simlib.scenario import load_scenario
from simlib.yaml_strict import StrictLoader, parse_strict, parse_with

pytestmark = pytest.mark.usefixtures("vietnamese_by_default")

PLAN = ROOT / "params" / "scenarios" / "plan_2027.yaml"
SPLIT = "  district_split:\n    default: eligible_households\n"


def plan_with(tmp_path, lines: str, budget_edit=("", "")):
    """A copy of plan_2027.yaml whose split has `lines` (YAML under `lines:`), its budget edited."""
    text = PLAN.read_text(encoding="utf-8")
    assert SPLIT in text
    text = text.replace(SPLIT, SPLIT + "    lines:\n" + "".join(f"      {ln}\n" for ln in lines.splitlines()))
    if budget_edit[0]:
        assert budget_edit[0] in text
        text = text.replace(budget_edit[0], budget_edit[1])
    path = tmp_path / "p27.yaml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("loader", ["fast", "pure"])
def test_octal_looking_scalars_are_text(loader):
    text = "a: {01273: 0.5, 01279: 0.5}\nb: [01273, 010, -017, 0, 10, 0.5, 0x1F]\n"
    got = parse_strict(text) if loader == "fast" else parse_with(StrictLoader, text)
    assert got == {"a": {"01273": 0.5, "01279": 0.5}, "b": ["01273", "010", "-017", 0, 10, 0.5, 31]}


def test_bare_commune_codes_split_as_written(tmp_path):
    path = plan_with(tmp_path, "P7.1: {01273: 0.25, 01279: 0.75}")
    scen = load_scenario(path)
    split = scen.budget.district_split
    items = [k for k in split if k == "P7.1" or k.startswith("P7.1.")]
    assert items
    for item in items:
        assert split[item] == {"01273": 0.25, "01279": 0.75}


def test_bare_code_not_in_dataset_is_named_as_written(tmp_path):
    code, text = cli("validate", plan_with(tmp_path, "P7.1: {01273: 0.5, 01277: 0.5}"))
    assert_user_error(code, text, ["budget.district_split.lines.P7.1.01277", "'01277'"])
    assert "699" not in text and "703" not in text


def test_content_code_split_names_its_line_and_years(tmp_path):
    code, text = cli("validate", plan_with(tmp_path, "C1.infrastructure_poor_communes: {01273: 0.5, 01279: 0.5}"))
    frags = ["p27.yaml", "budget.district_split.lines.C1.infrastructure_poor_communes", "`P1.1`", "2024, 2025"]
    assert_user_error(code, text, frags)
    assert "mã dự án/tiểu dự án không tồn tại" not in text


def test_content_code_typo_names_the_content(tmp_path):
    code, text = cli("validate", plan_with(tmp_path, "C5.housng: {01273: 1}"))
    assert_user_error(code, text, ["budget.district_split.lines.C5.housng", "«C5.housing»", "`P5`"])


def test_commune_names_for_codes_say_the_code(tmp_path):
    # units.csv: 01273 is «Phường Thục Phán», 01279 «Phường Nùng Trí Cao»
    code, text = cli("validate", plan_with(tmp_path, "P7.1: {Phường Thục Phán: 0.5, nùng trí  cao: 0.5}"))
    frags = ["budget.district_split.lines.P7.1.Phường Thục Phán", "hãy viết 01273", "«nùng trí  cao»", "hãy viết 01279"]
    assert_user_error(code, text, frags)


def crossing_with(tmp_path, lines: str):
    """A copy of crossing_2024_2027.yaml (districts, then the communes) with a split on the communes."""
    anchor = "  ignore_legal_rules: [envelope]\n"
    text = (ROOT / "params" / "scenarios" / "crossing_2024_2027.yaml").read_text(encoding="utf-8")
    assert anchor in text
    path = tmp_path / "crossing.yaml"
    path.write_text(text.replace(anchor, anchor + f"  district_split:\n    lines:\n      {lines}\n"), encoding="utf-8")
    return path


def test_switch_split_reads_bare_codes(tmp_path):
    code, text = cli("validate", crossing_with(tmp_path, "P7.1: {01273: 0.5, 01279: 0.5}"))
    assert code == 0, text


def test_switch_split_content_code_names_its_line(tmp_path):
    code, text = cli("validate", crossing_with(tmp_path, "C7.capacity: {01273: 1}"))
    assert_user_error(code, text, ["units_switch.district_split.lines.C7.capacity", "`P7.1`", "2026_2035"])
    assert "P7.1.capacity" not in text


def test_set_value_reads_bare_codes_as_written():
    assert parse_value("{01273: 0.5, 01279: 0.5}") == {"01273": 0.5, "01279": 0.5}
    assert parse_value("[0.2, 7, 2024]") == [0.2, 7, 2024]
