"""Round 65 of hostile inputs (helper input65): a tired planner's scenario files and `--set` items
that were still accepted or answered badly — money a thousand times too large, a file cut off at
a line end, a bracket or quote left open before a line end, a path written in the other Unicode
form, a year written with a thousands dot in a `--set` key, in `horizon`, in a list of years and
in the keys of `other_programmes.N.amounts`. Each must now give exit status 2 and a plain message
(file, field, value, what to write) in the user's language, with nothing written; or, for the
path, be read as meant.
"""

from __future__ import annotations

import shutil
import unicodedata

import pytest
import yaml
from conftest import ROOT, TINY
from hostile_helpers import assert_user_error, cli
from test_hostile60 import typed

from simlib.budget_bounds import scenario_warnings
from simlib.options import RunOptions
from simlib.runner import manifest_for
from simlib.scenario import load_scenario

pytestmark = pytest.mark.usefixtures("vietnamese_by_default")

PLAN = ROOT / "params" / "scenarios" / "plan_2024.yaml"
FUNDING = yaml.safe_load((ROOT / "params" / "funding.yaml").read_text(encoding="utf-8"))
PUBLIC = ("central_investment", "central_recurrent", "local")


def plan_with(here, old: str, new: str, keep_lines: int | None = None) -> str:
    """plan_2024.yaml with `old` replaced by `new` (it must be there), or only its first
    `keep_lines` lines, as plan.yaml in the current folder."""
    text = PLAN.read_text(encoding="utf-8")
    assert old in text
    text = text.replace(old, new, 1)
    if keep_lines is not None:
        text = "".join(text.splitlines(keepends=True)[:keep_lines])
    (here / "plan.yaml").write_text(text, encoding="utf-8")
    return "plan.yaml"


def public_money(path) -> tuple[float, float]:
    """(central, local) billion VND of the first budget year of the file at `path`, summed here."""
    year = next(iter(yaml.safe_load(path.read_text(encoding="utf-8"))["budget"]["years"].values()))
    sums = {s: sum(by.get(s, 0) for by in year["lines"].values()) for s in PUBLIC}
    return sums["central_investment"] + sums["central_recurrent"], sums["local"]


# 1. money a thousand times too large


def test_local_money_written_in_millions_is_warned_of_and_recorded(here):
    """`local: 2` written `local: 2000` (2,000 million VND meant) under `unit: billion VND` ran
    with 2,000 billion VND of local money without a word. Local money above twice the year's central
    money (params/funding.yaml, plausibility.max_local_to_central = 2, an assumption: a what-if
    where the province pays most is possible) is warned of at its largest amount, asking whether
    it was written in million VND; the scenario stays valid and its run records the warning."""
    path = plan_with(here, "P2: {central_recurrent: 40, local: 2}", "P2: {central_recurrent: 40, local: 2000}")
    central, local = public_money(here / path)
    assert local > FUNDING["plausibility"]["max_local_to_central"]["limit"] * central  # 2024 > 2 × 673
    code, text = cli("validate", path)
    assert code == 0, text
    says = ["⚠ plan.yaml, trường «budget.years.2024.lines.P2.local»", "(giá trị: 2000)", "bằng triệu đồng"]
    says += ["chứ không phải «tỷ đồng»"]  # the budget's unit named in Vietnamese, not «billion VND»
    assert "billion VND" not in text, text
    total = [f"{local:,.0f}".replace(",", ".") + " tỷ đồng", f"({central:.0f} tỷ đồng)"]
    assert all(frag in text for frag in says + total), text
    scen = load_scenario(here / path)
    manifest = manifest_for(scen, RunOptions())
    assert [w["en"] for w in manifest["money_warnings"]] == [w.message("en") for w in scenario_warnings(scen)]
    assert "field 'budget.years.2024.lines.P2.local'" in manifest["money_warnings"][0]["en"]
    assert "money_warnings" not in manifest_for(load_scenario(PLAN), RunOptions())


def test_a_central_line_a_thousand_times_too_large_is_refused_in_english(here):
    """`P4.2: {central_recurrent: 4}` written 4000: the year's public money (4,695 billion VND)
    is above the province's whole public-investment and national-target-programme plan of 2024
    (4,128.9 billion VND, cited in params/funding.yaml): refused at that amount, nothing written;
    a planner whose money really is that large raises the bound the message names."""
    path = plan_with(here, "P4.2: {central_recurrent: 4}", "P4.2: {central_recurrent: 4000}")
    central, local = public_money(here / path)
    assert central + local > FUNDING["plausibility"]["max_public_year"]["limit"]
    code, text = cli("--lang", "en", "run", path, "--out", "out")
    total = f"{central + local:,.0f} billion VND"
    says = ["field 'budget.years.2024.lines.P4.2.central_recurrent'", total, "4,128.9 billion VND", "(value: 4000)"]
    assert_user_error(code, text, [*says, "written in million VND rather than in “billion VND”"])
    assert not (here / "out").exists()
    code, text = cli("validate", path, "--set", "funding.plausibility.max_public_year.limit=5000")
    assert "plausibility.max_public_year" not in text  # refused only by the legal frame's envelope now


def test_tiny_scenario_local_slip_under_unit_million(here):
    """The same slip under `unit: million VND` (amounts a thousand times too large: written in
    thousand VND) names that unit."""
    path = typed(here, "local: 3", "local: 3000")
    (here / path).write_text((here / path).read_text().replace("billion VND", "million VND"), encoding="utf-8")
    code, text = cli("validate", path)
    assert code == 0 and "budget.years.2024.lines.P1.1.local" in text and "tính bằng nghìn đồng" in text, text
    assert "chứ không phải «triệu đồng»" in text and "million VND" not in text, text


# 2. a file cut off at a line end


@pytest.mark.parametrize(
    "keep,line,text", [(36, 36, "2024:"), (52, 52, "district_split:"), (28, 28, "other_programmes:")]
)
def test_a_file_ending_in_a_key_with_nothing_after_it_looks_cut_off(here, keep, line, text):
    """plan_2024.yaml saved only up to a key whose content followed (`    2024:` and nothing
    after): the problem of that field says the file looks cut off at its last line."""
    path = plan_with(here, "name: plan_2024", "name: plan_2024", keep_lines=keep)
    code, out = cli("validate", path)
    assert_user_error(code, out, [f"dòng {line} «{text}» là dòng cuối của tệp", "tệp có vẻ bị cắt ngang"])
    # an empty key that is not the file's last line is a mistake of its own, not a cut
    path = plan_with(here, "district_split:\n    default: eligible_households", "district_split:\nmodel: states")
    code, out = cli("validate", path)
    assert_user_error(code, out, ["budget.district_split"])
    assert "bị cắt ngang" not in out


# 3. a bracket or a quote left open before a line end


def test_an_open_brace_before_a_line_end_is_said_in_vietnamese(here):
    """`- {programme: new_rural_development,` then a line end: libyaml's «expected ',' or '}',
    but got '{'» was shown in the Vietnamese message; now the line where «{» opens and what
    closes it."""
    old = "  - {programme: new_rural_development, as_in_baseline: true}"
    path = plan_with(here, old, "  - {programme: new_rural_development,\n      as_in_baseline: true")
    code, out = cli("validate", path)
    assert_user_error(code, out, ["dấu «{» mở ở dòng 30 chưa được đóng", "đọc đến dòng 32", "hãy thêm «}»"])
    assert "expected" not in out


@pytest.mark.parametrize(
    "content,says",
    [
        ("name: a\nyears: [2025,\n", ["dấu «[» mở ở dòng 2 chưa được đóng", "thêm «]»"]),
        ("name: a\nyears: [2025,\nseed: 3\n", ["dấu «[» mở ở dòng 2 chưa được đóng"]),
        ("name: 'a\nseed: 3\n", ["dấu nháy «'» mở ở dòng 1 chưa được đóng"]),
    ],
)
def test_an_open_bracket_or_quote_at_a_line_end(here, content, says):
    (here / "open.yaml").write_text(content, encoding="utf-8")
    code, out = cli("validate", "open.yaml")
    assert_user_error(code, out, says)
    assert "expected" not in out and "stream" not in out
    # a flow mapping closed on its own line, with another mistake inside, is not said open
    (here / "flow.yaml").write_text("name: a\nx: {a: 1 b: 2}\n", encoding="utf-8")
    code, out = cli("validate", "flow.yaml")
    assert_user_error(code, out, ["dòng 2"])
    assert "chưa được đóng" not in out


# 4. paths in a scenario file in the other Unicode form


@pytest.mark.parametrize("on_disk,written", [("NFC", "NFD"), ("NFD", "NFC")])
def test_a_dataset_path_in_the_other_unicode_form_is_found(here, on_disk, written):
    """A dataset folder «Dữ liệu/tiny» named in the scenario in NFD (as macOS writes it) while the
    disk holds NFC, or the other way round: found, as command-line paths are (`as_on_disk`)."""
    folder = unicodedata.normalize(on_disk, "Dữ liệu")
    shutil.copytree(TINY, here / folder / "tiny")
    path = typed(here, "seed: 7", "seed: 7", dataset="./" + unicodedata.normalize(written, "Dữ liệu") + "/tiny")
    code, out = cli("validate", path)
    assert code == 0, out


# 5. and 6. a year written with a thousands dot


def test_a_set_key_with_a_dotted_year_is_said_as_in_files(here):
    """`--set budget.years.2.025.lines.P2.local=3`: the year split at its dot was said as an
    unknown key `2.025.lines.P2.local` and a wrong type; now as a `2.025:` key in a file."""
    code, out = cli("run", "good.yaml", "--set", "budget.years.2.025.lines.P2.central_recurrent=3", "--out", "o")
    says = ["--set, trường «budget.years»", "dấu chấm phân cách hàng nghìn", "bốn chữ số liền nhau: 2025"]
    assert_user_error(code, out, [*says, "(giá trị: '2.025')"])
    assert "025.lines" not in out and not (here / "o").exists()
    filed = typed(here, "'2025':", "2.025:")
    code, in_file = cli("validate", filed)
    assert_user_error(code, in_file, says[1:] + ["(giá trị: '2.025')"])


def test_horizon_written_as_a_dotted_year(here):
    """`horizon: 2.030` (the last year, with a thousands dot) was «wrong type, integer»."""
    code, out = cli("--lang", "en", "validate", typed(here, "horizon: 2", "horizon: 2.030"))
    assert_user_error(code, out, ["field 'horizon'", "looks like the year 2030", "2024–2030 is horizon: 7"])


def test_a_dotted_year_in_a_list_of_years_and_in_amounts_by_year(here):
    """`years: [2.025]` in an optimiser spec was «matches no allowed form»; `2.025:` under
    `other_programmes.N.amounts` was «wrong format»: both now the year to write."""
    (here / "spec.yaml").write_text("years: [2.025, 2025]\n", encoding="utf-8")
    code, out = cli("optimize", "good.yaml", "--spec", "spec.yaml", "--out", "o")
    assert_user_error(code, out, ["trường «years.0»", "bốn chữ số liền nhau: 2025"])
    assert not (here / "o").exists()
    extra = "seed: 7\nother_programmes:\n  - {programme: new_rural_development, amounts: {2.025: 1}}"
    code, out = cli("validate", typed(here, "seed: 7", extra))
    assert_user_error(code, out, ["trường «other_programmes.0.amounts»", "bốn chữ số liền nhau: 2025"])


# more of the same kind


def test_shares_that_do_not_add_up_say_their_total_in_the_message_language(here):
    """`shares` adding up to 4.96 were said «hiện là 4.96» in Vietnamese: a decimal point where
    Vietnamese writes a comma; now 4,96 in Vietnamese and 4.96 in English."""
    text = (ROOT / "params" / "scenarios" / "infrastructure_first.yaml").read_text(encoding="utf-8")
    old = "        P2: 0.04"
    assert old in text
    (here / "shares.yaml").write_text(text.replace(old, "        P2: 4", 1), encoding="utf-8")
    code, out = cli("validate", "shares.yaml")
    assert_user_error(code, out, ["tổng tỷ lệ phải bằng 1 (hiện là 4,96)"])
    code, out = cli("--lang", "en", "validate", "shares.yaml")
    assert_user_error(code, out, ["shares must add up to 1 (they add up to 4.96)"])


def test_import_review_of_a_yaml_file_or_a_row_with_a_decimal_comma(here):
    """A scenario given to import-review, and a review table whose row holds `783,5` (one cell
    more than the header): pandas' English «Error tokenizing data. C error: Expected 5 fields in
    line 3, saw 6» was the message; now what the file is, or the line and what to write."""
    code, out = cli("import-review", str(PLAN), "--template", str(TINY), "--year", "2025", "--out", "ir")
    assert_user_error(code, out, ["đây là tệp YAML (kịch bản hoặc tham số), không phải bảng số liệu"])
    rows = "unit_id,ethnic_group,area,state,households\nnorth,kinh,rural,poor,1306\nnorth,kinh,rural,near_poor,783,5\n"
    (here / "review.csv").write_text(rows, encoding="utf-8")
    code, out = cli(
        "--lang", "en", "import-review", "review.csv", "--template", str(TINY), "--year", "2025", "--out", "ir"
    )
    assert_user_error(code, out, ["review.csv: line 3 has more cells than the 5 columns of the header", "(1.5)"])
    assert "tokenizing" not in out and not (here / "ir").exists()


def test_the_provincial_bound_holds_only_on_its_province():
    """The refusal's figure is Cao Bằng's plan of a year (`province_vi` of the bound): a national
    run (about 11,900 billion VND in 2024) was refused by it; another province's dataset is not
    bound by it, a Cao Bằng one is."""
    from types import SimpleNamespace

    from simlib.budget_bounds import bounds_for

    def of(province):
        return SimpleNamespace(meta={"province_vi": province})

    assert "max_public_year" in bounds_for(FUNDING, of("Cao Bằng"))["plausibility"]
    for other in (of("Toàn quốc (tổng hợp giả lập)"), of("Hà Giang"), None):
        kept = bounds_for(FUNDING, other)["plausibility"]
        assert "max_public_year" not in kept and "max_local_to_central" in kept
