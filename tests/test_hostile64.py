"""Round 64 of hostile inputs: a tired provincial planner's scenario files and command lines, and
what simlib must answer now (exit status 2 and a message naming the file, the field, the value and
what to write; no traceback; nothing of the user's changed).

Tried and already answered well (no test added here): a scenario saved by Excel as CSV (said as a
table); UTF-8 with a byte-order mark, CRLF line ends; a tab indenting a line; `80%` as an amount;
a negative amount; a start year before or after the dataset's; `--jobs 0`, `--jobs -3`,
`--seed -1`, `--lang VI`, `--draws 1.000`, `--draws 1e3`, `--engine Expected`; Windows
backslashes; `'~/kết quả'` in quotes; a folder with spaces and diacritics (`Kế hoạch 2027/`) as
input and as `--out`; `--out` at a folder of the user's, at a link to it, at a file, under a file,
at the scenarios' folder, inside params/; two batches at once into one folder (the second refused,
naming the first's process); a Ctrl-C during a batch (nothing left, a re-run works; a re-run into
an earlier batch's folder interrupted keeps it); two files of a batch with the same name; commune
names in NFD, without or with wrong diacritics; `--set …=0,2`; import-review and calibrate into
the template dataset or onto their own inputs.
"""

from __future__ import annotations

import pytest
from conftest import ROOT
from hostile_helpers import assert_user_error, cli
from test_hostile60 import typed

pytestmark = pytest.mark.usefixtures("vietnamese_by_default")

SCENARIOS = ROOT / "params" / "scenarios"


# 1. money in the wrong unit


@pytest.mark.parametrize(
    "lang,says",
    [
        ("en", ["field 'budget.years.2024'", "only 43 VND in all", "set budget.unit: billion VND"]),
        ("vi", ["trường «budget.years.2024»", "chỉ là 43 đồng", "hãy đặt budget.unit: billion VND"]),
    ],
)
def test_amounts_in_billions_under_unit_vnd_are_refused(here, lang, says):
    """`unit: VND` over amounts written in billion VND (30 + 3 + 10: 43 đồng a year) was valid:
    the run went on as if the programme had no money, every number of the report wrong. A year
    of less than a million đồng in all is refused, naming the year and the unit to write; the
    second year (`same_as`) is the same money, said once."""
    code, text = cli("--lang", lang, "validate", typed(here, "unit: billion VND", "unit: VND"))
    assert_user_error(code, text, says)
    assert "2025" not in text


def in_dong(here, path: str, old: str = "", new: str = "") -> str:
    """The scenario file `path` with `unit: VND` and `old` replaced by `new`."""
    text = (here / path).read_text(encoding="utf-8").replace("unit: billion VND", "unit: VND")
    (here / path).write_text(text.replace(old, new), encoding="utf-8")
    return path


def test_a_year_of_a_million_dong_or_of_nothing_is_valid(here):
    """The bounds of that check: a year of exactly one million đồng (999957 + 3 + 40), and years
    with no money at all, are valid."""
    million = in_dong(here, typed(here, "central_investment: 30", "central_investment: 999957"), ": 10", ": 40")
    assert cli("validate", million) == (0, f"✓ Hợp lệ: {million}\n")
    block = "      lines:\n        P1.1:\n          central_investment: 30\n          local: 3\n"
    block += "        P2:\n          central_recurrent: 10\n"
    nothing = in_dong(here, typed(here, "'2024':\n" + block, "'2024': {}\n"))
    assert cli("validate", nothing) == (0, f"✓ Hợp lệ: {nothing}\n")


@pytest.mark.parametrize(
    "unit,written,meant",
    [("billion VND", "30000000000", "30"), ("million VND", "30000000000", "30000"), ("billion VND", "1.0e+10", "10")],
)
def test_an_amount_written_in_dong_says_the_amount_to_write(here, unit, written, meant):
    """`central_investment: 30000000000` (30 tỷ written in đồng) under `unit: billion VND` was
    «amount too large (in VND it exceeds 2^53 dong, the largest amount held exactly)»: it now says
    the amount was probably written in đồng and what to write in the budget's unit."""
    path = typed(here, "central_investment: 30", f"central_investment: {written}")
    if unit != "billion VND":
        text = (here / path).read_text(encoding="utf-8").replace("unit: billion VND", f"unit: {unit}")
        (here / path).write_text(text, encoding="utf-8")
    code, text = cli("--lang", "en", "validate", path)
    assert_user_error(code, text, ["probably written in dong", f"write {meant} (the amount in {unit})"])
    assert "budget.years.2024.lines.P1.1.central_investment" in text


def test_an_amount_too_large_in_dong_keeps_its_message(here):
    """Under `unit: VND` there is no smaller unit to have meant: the message stays as it was."""
    path = in_dong(here, typed(here, "central_investment: 30", "central_investment: 1.0e+20"))
    code, text = cli("--lang", "en", "validate", path)
    assert_user_error(code, text, ["amount too large (in VND it exceeds 2^53 dong"])
    assert "probably written in dong" not in text


# 2. a scenario copied out of params/scenarios


def test_a_copied_scenarios_relative_transitions_path_is_said_with_where_it_was_looked_for(here):
    """plan_2024_estimated.yaml copied into a planner's folder: its `transitions:
    ../calibrated/caobang_series/transitions.yaml` (relative to the scenario's folder) led nowhere,
    and the message was only «calibrated/caobang_series/transitions.yaml: file not found», with
    neither the scenario nor the field. It names both now, the path as written, where it was
    looked for and why, and the bundled file the same path leads to from params/scenarios."""
    (here / "mine").mkdir()
    (here / "mine" / "est.yaml").write_text((SCENARIOS / "plan_2024_estimated.yaml").read_text(encoding="utf-8"))
    code, text = cli("--lang", "en", "validate", "mine/est.yaml")
    bundled = (ROOT / "params" / "calibrated" / "caobang_series" / "transitions.yaml").resolve()
    says = ["mine/est.yaml, field 'transitions': file not found: calibrated/caobang_series/transitions.yaml"]
    says += [
        "read from the folder holding that scenario file",
        "(value: '../calibrated/caobang_series/transitions.yaml')",
    ]
    assert_user_error(code, text, [*says, f"did you mean {bundled}?"])


def test_a_transitions_path_that_leads_nowhere_from_params_too_gets_no_suggestion(here):
    """Nothing to suggest when the bundled scenarios' folder has no such file either."""
    text = (SCENARIOS / "plan_2024_estimated.yaml").read_text(encoding="utf-8")
    (here / "est.yaml").write_text(text.replace("caobang_series/transitions", "nowhere/transitions"), encoding="utf-8")
    code, text = cli("validate", "est.yaml")
    assert_user_error(code, text, ["est.yaml, trường «transitions»: không tìm thấy tệp", "nowhere/transitions.yaml"])
    assert "có phải là" not in text


# 3. an amount without its source


@pytest.mark.parametrize(
    "old,new,field,says",
    [
        (
            "        P2:\n          central_recurrent: 10\n",
            "        P2: 10\n",
            "budget.years.2024.lines.P2",
            "write “P2: {<source>: 10}”, <source> one of the names allowed",
        ),
        (
            "        P1.1:\n          central_investment: 30\n          local: 3\n",
            "        P1.1: 33.5\n",
            "budget.years.2024.lines.P1.1",
            "write “P1.1: {<source>: 33.5}”",
        ),
    ],
)
def test_an_amount_without_its_source_says_how_to_write_it(here, old, new, field, says):
    """`P2: 10` (the line's money, its source left out) was «wrong type, expected a mapping
    (key: value)»: it says now that an amount is given by source, how to write it and the sources
    there are."""
    code, text = cli("--lang", "en", "validate", typed(here, old, new))
    sources = "allowed: central_investment, central_recurrent, local, mobilised, policy_credit"
    assert_user_error(code, text, [f"field '{field}'", "given by funding source", says, sources])


def test_other_wrong_types_keep_their_message(here):
    """Only a number where a budget year wants amounts by source: text there, or a number
    elsewhere, keeps «wrong type»."""
    code, text = cli(
        "--lang", "en", "validate", typed(here, "        P2:\n          central_recurrent: 10\n", "        P2: ten\n")
    )
    assert_user_error(code, text, ["field 'budget.years.2024.lines.P2': wrong type"])
    code, text = cli(
        "--lang", "en", "validate", typed(here, "  unit: billion VND\n", "  unit: billion VND\n  district_split: 3\n")
    )
    assert_user_error(code, text, ["field 'budget.district_split': wrong type"])
