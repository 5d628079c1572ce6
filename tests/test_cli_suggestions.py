"""A misspelt name gets a suggestion: a scenario key (`horizn:`), a value from a list (`model:
multidm`), an engine, an executor, `--lang`, a command, a `--set` key. Every one from the same
function as the file-name suggestions (`simlib.errors.closest_names`), in Vietnamese and English;
the message stays one line naming the file, the field and what is allowed, exit status 2."""

from __future__ import annotations

import numpy as np
import pytest
import yaml
from conftest import make_scenario, tiny_raw
from hostile_helpers import cli

from simlib.cli import build_parser, usage_message
from simlib.errors import NEAR_CUTOFF, InputError, closest_names

MEAN = {"vi": "có phải là {} không?", "en": "did you mean {}?"}


@pytest.fixture(autouse=True)
def default_language(monkeypatch):
    monkeypatch.delenv("SIMLIB_LANG", raising=False)


@pytest.fixture
def scenario(tmp_path, monkeypatch):
    """Write the tiny scenario, changed by `edit`, as `s.yaml` in a private current folder."""
    monkeypatch.chdir(tmp_path)

    def write(edit) -> str:
        raw = tiny_raw()
        edit(raw)
        (tmp_path / "s.yaml").write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
        return "s.yaml"

    return write


def test_closest_names_by_hand():
    # difflib ratio 2·M/T: horizn/horizon 2·6/13 = 0.92; start_year 2·3/16 = 0.38
    assert closest_names("horizn", ["start_year", "horizon", "seed"]) == ["horizon"]
    # plan_2025 is as close to plan_2024 as to plan_2026 (2·8/18 = 0.89): both, in order
    assert closest_names("plan_2025", ["plan_2026", "baseline", "plan_2024"]) == ["plan_2024", "plan_2026"]
    # eng/en 2·2/5 = 0.8 is close enough; ab/abcd 2·2/6 = 0.67 is not
    assert 2 * 2 / 5 >= NEAR_CUTOFF > 2 * 2 / 6
    assert closest_names("eng", ["vi", "en"]) == ["en"] and closest_names("ab", ["abcd"]) == []


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_a_misspelt_scenario_key(scenario, lang):
    file = scenario(lambda raw: raw.update(horizn=raw.pop("horizon")))
    code, out = cli("--lang", lang, "validate", file)
    assert code == 2
    lines = [line for line in out.splitlines() if "horizn" in line]
    assert len(lines) == 1, out
    line = lines[0]
    assert "s.yaml" in line and "start_year" in line and "horizon" in line  # file, field, the allowed keys
    assert line.endswith("; " + MEAN[lang].format("horizon")), line


def test_no_suggestion_when_nothing_is_close(scenario):
    code, out = cli("--lang", "en", "validate", scenario(lambda raw: raw.update(zzzz=1)))
    assert code == 2 and "'zzzz': unknown key (allowed: " in out and "did you mean" not in out


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_a_misspelt_value_from_a_list(scenario, lang):
    code, out = cli("--lang", lang, "validate", scenario(lambda raw: raw.update(model="multidm")))
    assert code == 2 and "multidm" in out
    assert MEAN[lang].format("multidim") in out, out


@pytest.mark.parametrize(
    ("args", "near"),
    [
        (["run", "s.yaml", "--out", "o", "--engine", "expectd"], "expected"),
        (["batch", "s.yaml", "--out", "o", "--executor", "dask2"], "dask"),
        (["run", "s.yaml", "--out", "o", "--set", "transitons.x=1"], "transitions"),
        (["run", "s.yaml", "--out", "o", "--set", "horizn=3"], "horizon"),
        # a misspelt part inside the budget, the rest of the path after it (`P2` under it)
        (["run", "s.yaml", "--out", "o", "--set", "budget.years.2024.shars.P2=0.2"], "shares"),
    ],
)
def test_options_naming_an_allowed_value(scenario, args, near):
    file = scenario(lambda raw: None)
    assert file in args
    for lang in ("vi", "en"):
        code, out = cli("--lang", lang, *args)
        assert code == 2 and MEAN[lang].format(near) in out, out


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_a_set_key_through_a_part_the_scenario_does_not_have(scenario, lang):
    """The year is given as an envelope with shares: it has no `lines` for `--set` to go into. Said
    so, naming the part and the override, not «unknown key» with `lines` among the allowed."""

    def envelope(raw):
        raw["budget"]["years"]["2024"] = {"envelope": {"central_recurrent": 10}, "shares": {"P2": 1.0}}

    key = "budget.years.2024.lines.P3.1.central_recurrent"
    code, out = cli("--lang", lang, "validate", scenario(envelope), "--set", f"{key}=5")
    assert code == 2 and "Traceback" not in out, out
    part = {"vi": "phần «budget.years.2024» của kịch bản không có «lines»", "en": "'budget.years.2024' has no 'lines'"}
    assert part[lang] in out and "--set" in out and key in out, out
    assert "allowed" not in out and "cho phép" not in out, out
    # where the year has lines, the same key is a change the scenario can take
    code, out = cli("--lang", lang, "validate", scenario(lambda raw: None), "--set", f"{key}=5")
    assert code == 0, out


@pytest.mark.parametrize("lang", ["vi", "en"])
@pytest.mark.parametrize("value,fix", [("12,5", "12.5"), ("1 500", "1500"), ("1.500.000", "1500000")])
def test_a_set_key_through_a_missing_part_with_a_number_as_people_write_it(scenario, lang, value, fix):
    """Both problems of `--set …lines.P3.1.central_recurrent=12,5` on an envelope year at once:
    the missing part and the number's spelling (with how to write it), not one per try."""

    def envelope(raw):
        raw["budget"]["years"]["2024"] = {"envelope": {"central_recurrent": 10}, "shares": {"P2": 1.0}}

    key = "budget.years.2024.lines.P3.1.central_recurrent"
    code, out = cli("--lang", lang, "validate", scenario(envelope), "--set", f"{key}={value}")
    assert code == 2 and "Traceback" not in out, out
    assert {"vi": "không có «lines»", "en": "has no 'lines'"}[lang] in out, out
    assert f"'{value}'" in out and fix in out, out
    # a number written as a file writes it: only the missing part
    code, out = cli("--lang", lang, "validate", scenario(envelope), "--set", f"{key}={fix}")
    assert code == 2 and f"'{fix}'" not in out and "2 lỗi" not in out and "2 problem" not in out, out


def test_a_set_line_the_year_does_not_list_is_added_as_a_file_would_add_it(scenario):
    """`--set budget.years.2024.lines.P3.2.central_recurrent=5` where 2024 lists no P3.2: the line
    is added with that amount (it was refused as «cần bảng», the rest of the path made one key); a
    code not in the catalogue is refused as a file's would be, with the closest code, naming
    `--set`."""
    key = "budget.years.2024.lines.P3.2.central_recurrent"
    scen = make_scenario(set_overrides=[(key, 5)])
    assert scen.raw["budget"]["years"]["2024"]["lines"]["P3.2"] == {"central_recurrent": 5}
    in_file = tiny_raw()
    in_file["budget"]["years"]["2024"]["lines"]["P3.2"] = {"central_recurrent": 5}
    assert np.array_equal(scen.budget.amounts, make_scenario(in_file).budget.amounts)
    assert not np.array_equal(scen.budget.amounts, make_scenario().budget.amounts)
    name = scenario(lambda raw: None)
    for lang, says in (("en", "unknown project or sub-project code"), ("vi", "mã dự án/tiểu dự án không tồn tại")):
        code, out = cli("--lang", lang, "validate", name, "--set", "budget.years.2024.lines.P3.11.central_recurrent=5")
        assert code == 2 and says in out and "--set" in out and MEAN[lang].format("P3.1") in out, out
        assert "s.yaml," not in out, out


def test_a_year_added_by_set_as_a_file_would_add_it():
    """`--set horizon=3 --set budget.years.2026.same_as=2024` (or the year's lines): the year is
    added as in a file (it was refused: the rest of the path made one key «2026.same_as»), the
    same budget as the file's; a year outside the projection is refused naming `--set`."""
    three = tiny_raw(horizon=3)
    three["budget"]["years"]["2026"] = {"same_as": 2024}
    by_set = make_scenario(set_overrides=[("horizon", 3), ("budget.years.2026.same_as", 2024)])
    assert np.array_equal(by_set.budget.amounts, make_scenario(three).budget.amounts)
    three["budget"]["years"]["2026"] = {"lines": {"P2": {"central_recurrent": 4}}}
    key = "budget.years.2026.lines.P2.central_recurrent"
    by_set = make_scenario(set_overrides=[("horizon", 3), (key, 4)])
    assert np.array_equal(by_set.budget.amounts, make_scenario(three).budget.amounts)
    with pytest.raises(InputError) as refused:
        make_scenario(set_overrides=[(key, 4)])
    assert refused.value.file == "--set" and refused.value.field == "budget.years.2026", refused.value


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_a_set_horizon_asking_for_an_unbudgeted_year_says_so(scenario, lang):
    """`--set horizon=3` on a two-year scenario: the third year has no budget in the file because
    the file never projected it; the message names the override, so the planner does not search
    the file for a year it was never meant to hold."""
    name = scenario(lambda raw: None)
    code, out = cli("--lang", lang, "validate", name, "--set", "horizon=3")
    assert code == 2 and "Traceback" not in out, out
    assert "2026" in out and "--set horizon=3" in out, out
    code, out = cli("--lang", lang, "validate", name)
    assert code == 0 and "--set" not in out, out


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_argparse_choices(lang):
    text = usage_message("argument --lang: invalid choice: 'eng' (choose from 'vi', 'en')", lang)
    assert text.endswith("; " + MEAN[lang].format("'en'")), text
    text = usage_message("argument COMMAND: invalid choice: 'valdate' (choose from 'list', 'validate', 'run')", lang)
    assert text.endswith("; " + MEAN[lang].format("'validate'")), text
    text = usage_message("argument --engine: invalid choice: 'zz' (choose from 'expected', 'microsim')", lang)
    assert text.endswith(")"), text  # nothing close: no suggestion


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_unknown_options(lang):
    flags = ("--engine", "--out", "--set", "--uncertainty")
    head = "unrecognized arguments: "
    # a misspelt option: the closest known one (engine/enigne: 2·5/12 = 0.83)
    text = usage_message(head + "--enigne microsim --uncertanty=5", lang, flags)
    assert text.endswith("; " + MEAN[lang].format("--engine, --uncertainty")), text
    # a scenario key written as an option: --set KEY=… (the option's dashes as the key's underscores)
    text = usage_message(head + "--start-year 2025", lang, flags)
    assert text.endswith("; " + MEAN[lang].format("--set start_year=…")), text
    # nothing close, a bare value, or no known options: no suggestion
    for names, known in (("--zzzz", flags), ("2030", flags), ("--enigne", ())):
        text = usage_message(head + names, lang, known)
        assert "?" not in text, text


def test_unknown_option_on_the_command_line(scenario):
    file = scenario(lambda raw: None)
    code, out = cli("--lang", "en", "run", file, "--out", "o", "--horizn", "2030")
    assert code == 2 and MEAN["en"].format("--set horizon=…") in out, out
    code, out = cli("run", file, "--out", "o", "--enigne", "microsim")
    assert code == 2 and MEAN["vi"].format("--engine") in out, out


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_an_option_of_another_command_says_whose_it_is(scenario, lang):
    """`simlib run … --years 2027` (an option of `optimize`): the message said «did you mean
    --years?», the very option typed. It now says which commands have it, points to the command's
    own `--help`, and suggests nothing that is not an option of the command given."""
    file = scenario(lambda raw: None)
    code, out = cli("--lang", lang, "run", file, "--out", "o", "--years", "2027")
    assert code == 2 and "Traceback" not in out, out
    whose = {
        "vi": "--years là tùy chọn của lệnh optimize, lệnh run không có",
        "en": "--years is an option of optimize, not of run",
    }
    assert whose[lang] in out and "simlib run --help" in out, out
    assert MEAN[lang].format("--years") not in out, out
    code, out = cli("--lang", lang, "list", "--jobs", "2")
    assert code == 2 and "simlib list --help" in out and MEAN[lang].format("--jobs") not in out, out
    assert ("lệnh run, batch" if lang == "vi" else "of run, batch") in out, out
    # a misspelt option of the command itself: the suggestion, no owner named
    code, out = cli("--lang", lang, "robustness", file, "--out", "o", "--sampel", "lhs")
    assert code == 2 and "simlib robustness --help" in out and MEAN[lang].format("--sampler") in out, out
    assert "lệnh run" not in out and "of run" not in out, out


def test_global_options_after_the_command(scenario):
    """`--lang` and `--debug` are taken after the command too (a planner types them last): the
    message in English, no unknown-option error; `batch` keeps its own `--lang` (the reports')."""
    file = scenario(lambda raw: raw.update(horizn=2030))
    code, out = cli("run", file, "--out", "o", "--lang", "en", "--debug")
    assert code == 2 and "unknown arguments" not in out and "did you mean horizon?" in out, out
    code, out = cli("run", file, "--out", "o2", "--enigne", "microsim", "--lang", "en")
    assert code == 2 and "2 problem(s) found" in out, out  # the scenario's field said with the option
    (option,) = [line for line in out.splitlines() if "--enigne" in line]
    assert option.endswith(MEAN["en"].format("--engine")) and "did you mean horizon?" in out, out
    args = build_parser().parse_args(["--lang", "en", "run", "s.yaml", "--out", "o"])
    assert args.lang == "en" and args.debug is False
    args = build_parser().parse_args(["run", "s.yaml", "--out", "o", "--lang", "en"])
    assert args.lang == "en" and args.debug is False
    args = build_parser().parse_args(["batch", "d", "--out", "o", "--lang", "en"])
    assert args.lang == "en"


def test_a_suggested_bundled_scenario_can_be_typed_from_another_folder(tmp_path, monkeypatch):
    """From a folder outside the project, a misspelt scenario's suggestion is a path that exists
    from there (absolute), not the project-relative `params/scenarios/…` that names nothing there;
    from inside the project, the short relative form."""
    from simlib.errors import missing_file
    from simlib.paths import scenarios_dir

    monkeypatch.chdir(tmp_path)
    near = missing_file("params/scenarios/plan_2024.yml").fields["near"]
    assert near == str(scenarios_dir().resolve() / "plan_2024.yaml")
    assert (tmp_path / near).is_file()  # an absolute path: joined to the folder, it is itself
    monkeypatch.chdir(scenarios_dir().parent.parent)
    assert missing_file("params/scenarios/plan_2024.yml").fields["near"] == "params/scenarios/plan_2024.yaml"


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_list_says_a_missing_scenario_folder_and_does_not_price_unmeasured_contents(tmp_path, lang):
    """`simlib list --scenarios` on a folder that is not there is an error (exit 2), not an empty
    list; a content the model gives no household effect (`money_only`, no unit cost) is not
    listed at «0,0 triệu đồng» a beneficiary, as if it cost nothing."""
    from simlib.catalogue import catalogue_of
    from simlib.parameters import load_parameters

    code, out = cli("--lang", lang, "list", "--scenarios", tmp_path / "nowhere")
    assert code == 2 and "nowhere" in out and "Traceback" not in out
    code, out = cli("--lang", lang, "list")
    assert code == 0
    lines = catalogue_of(load_parameters()).lines
    unmeasured = [c for c, ln in lines.items() if ln.money_only]
    assert unmeasured
    for c in unmeasured:
        row = next(r for r in out.splitlines() if r.strip().startswith(c + " "))
        assert "/ —" not in row and ("0,0 triệu" not in row and "0.0 million" not in row)
    priced = [c for c, ln in lines.items() if not ln.money_only]
    assert all(any(r.strip().startswith(c + " ") and "/" in r for r in out.splitlines()) for c in priced)


@pytest.mark.parametrize(
    "lang,says",
    [("vi", "{}: không tìm thấy tệp; có phải là {} không?"), ("en", "{}: file not found; did you mean {}?")],
)
def test_a_missing_file_typed_absolute_from_another_folder_is_shown_as_typed(tmp_path, monkeypatch, lang, says):
    """`cd /tmp && simlib run /…/params/scenarios/plan_2024.yml`: the file was shown project-relative
    (`params/scenarios/plan_2024.yml`, nothing from /tmp) beside an absolute suggestion; both are
    now the paths the planner can type there, the file as typed."""
    from simlib.paths import scenarios_dir

    monkeypatch.chdir(tmp_path)
    typed = str(scenarios_dir().resolve() / "plan_2024.yml")
    code, out = cli("--lang", lang, "run", typed, "--out", "o")
    assert code == 2 and says.format(typed, typed[:-4] + ".yaml") in out, out
    code, out = cli("--lang", lang, "validate", typed)  # a scenario list (`scenario_files`) says it the same
    assert code == 2 and says.format(typed, typed[:-4] + ".yaml") in out, out
    assert sorted(tmp_path.iterdir()) == []
