"""A problem that follows from a scenario field left to its default says so (typo63): a copy of
plan_2027 with `horizn: 4` for `horizon: 4` runs the default 2 projected years (2024–2025), so
its budget years 2026 and 2027 lie outside the projection — each of those messages now says the
default horizon is in use because `horizon` is not given, and that `horizn` is likely the typo;
the same for the switch of units that the default model (crossing_2024_2027 with `modl:`) or the
default horizon cannot make, and for money by `contents` without `periods` (a typo of it)."""

from __future__ import annotations

import re
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
import yaml
from conftest import ROOT
from hostile_helpers import cli

from simlib.compliance import status as ST
from simlib.errors import InputError, InputErrors
from simlib.report import brief_parts as BP
from simlib.report import compare as CP
from simlib.report import decision_runs as DR
from simlib.scenario import load_scenario

SCENARIOS = ROOT / "params" / "scenarios"


def _problems(tmp_path, name: str, old: str, new: str) -> list:
    """The problems of a copy of scenario `name` with the line `old` written as `new`."""
    text = (SCENARIOS / f"{name}.yaml").read_text(encoding="utf-8")
    assert re.search(rf"^{re.escape(old)}$", text, re.M), old
    path = tmp_path / f"{name}.yaml"
    path.write_text(re.sub(rf"^{re.escape(old)}$", new, text, flags=re.M), encoding="utf-8")
    with pytest.raises((InputError, InputErrors)) as exc:
        load_scenario(path)
    return exc.value.errors if isinstance(exc.value, InputErrors) else [exc.value]


def _by_field(errors) -> dict:
    return {e.field: e for e in errors}


@pytest.mark.parametrize(
    "lang, default, typo",
    [
        (
            "vi",
            "tệp không khai báo «horizon» nên đang dùng số năm dự báo mặc định là 2 năm",
            "khóa «horizn» là «horizon»",
        ),
        ("en", "the default horizon of 2 years is in use because `horizon` is not given", "key “horizn” is likely"),
    ],
)
def test_years_beyond_the_default_horizon_name_the_default_and_the_typo(tmp_path, lang, default, typo):
    errors = _by_field(_problems(tmp_path, "plan_2027", "horizon: 4", "horizn: 4"))
    # plan_2027 starts in 2024 (dataset reviewed end-2023); 2 years by default: 2024–2025
    assert set(errors) == {"horizn", "budget.years.2026", "budget.years.2027"}
    for year in (2026, 2027):
        e = errors[f"budget.years.{year}"]
        assert e.code == "year_outside" and (e.fields["first"], e.fields["last"]) == (2024, 2025)
    text = errors["budget.years.2026"].message(lang)  # the first it causes says the cause (input64: once)
    assert default in text and typo in text
    assert text.index("2024–2025") < text.index(default) < text.index(typo)  # the problem first, then its cause
    assert not errors["budget.years.2027"].because
    assert "horizon" in errors["horizn"].suggest and not errors["horizn"].because


def test_without_a_look_alike_key_only_the_default_is_said(tmp_path):
    errors = _by_field(_problems(tmp_path, "plan_2027", "horizon: 4", "# horizon left out"))
    assert set(errors) == {"budget.years.2026", "budget.years.2027"}
    e = errors["budget.years.2026"]
    assert [k for k, _ in e.because] == ["err.default_horizon"]
    assert e.because[0][1]["default"] == 2
    assert errors["budget.years.2027"].because == []  # said once (input64)
    for e in errors.values():
        assert "horizn" not in e.message("en") and "mistyped" not in e.message("en")
    # the same typo on the command line (`--set horizn=4`) is named as the likely cause too
    path = tmp_path / "plan_2027.yaml"
    with pytest.raises(InputErrors) as exc:
        load_scenario(path, ["horizn=4"])
    errors = _by_field(exc.value.errors)
    assert errors["horizn"].code == "set_unknown" and errors["horizn"].file == "--set"
    assert errors["budget.years.2026"].message("en").endswith("; the unknown key “horizn” is likely `horizon` mistyped")
    # horizon: 3 given (2024–2026): 2027 is outside by the file's own horizon, no default at work
    (e,) = _problems(tmp_path, "plan_2027", "horizon: 4", "horizon: 3")
    assert (e.field, e.because) == ("budget.years.2027", [])
    assert e.message("en").endswith("year outside the projection period 2024–2026 (value: '2027')")


def test_the_switch_of_units_names_the_default_model_and_horizon(tmp_path):
    errors = _by_field(_problems(tmp_path, "crossing_2024_2027", "model: multidim", "modl: multidim"))
    assert set(errors) == {"modl", "model"}
    text = errors["model"].message("vi")
    assert "mô hình nghèo mặc định «states»" in text and "khóa «modl» là «model» viết nhầm" in text
    errors = _by_field(_problems(tmp_path, "crossing_2024_2027", "horizon: 4", "horizont: 4"))
    assert "units_switch" in errors
    text = errors["budget.years.2026"].message("en")  # the first problem the default causes says it (input64: once)
    assert "default horizon of 2 years" in text and "“horizont” is likely `horizon` mistyped" in text
    assert errors["units_switch"].because == [] and errors["budget.years.2027"].because == []


def test_contents_without_periods_name_the_typo(tmp_path):
    errors = _by_field(_problems(tmp_path, "plan_2027", "periods: dated", "period: dated"))
    assert set(errors) == {"period", "budget.years.2027.contents"}
    e = errors["budget.years.2027.contents"]
    assert e.code == "contents_not_dated"
    assert [k for k, _ in e.because] == ["err.default_typo"]  # its own message already asks for `periods: dated`
    assert e.message("en").endswith("; the unknown key “period” is likely `periods` mistyped")


# --- the comparison of scenarios run now leads with the plan decided now, as the batch's pages --


def _tables(scen) -> SimpleNamespace:
    """What the comparison reads of a run of `scen` in memory (`RunTables.from_result`): no
    report, so no role in its manifest; the units in force and used each year as the run records
    them (communes in force from the 2025 review, plan_2027 on communes, crossing from 2026)."""
    used = lambda y: "commune" if scen.dataset.level == "commune" or (scen.units_switch and y >= 2026) else "district"  # noqa: E731
    years = [
        {"year": y, "geography": {"level_in_force": "district" if y < 2025 else "commune", "units_used": used(y)}}
        for y in scen.years
    ]
    spend = float(scen.budget.amounts.sum())
    rows = [("poor_rate", y, 20.0) for y in (scen.start_year - 1, *scen.years)] + [("spend", scen.years[0], spend)]
    ind = pd.DataFrame(rows, columns=["indicator", "year", "value"]).assign(geo="province")
    manifest = {"model": scen.poverty_model, "transitions": "t", "periods": {"years": years}}
    return SimpleNamespace(name=scen.name, manifest=manifest, indicators=ind, folder=None, uncertainty=None)


def test_scenarios_run_now_are_compared_in_the_batch_order(monkeypatch):
    """`compare.load(scenarios=…)` (the notebook without result folders) lost each scenario's
    role (a run in memory has no report): plan_2027 was no plan, so the pages led with the
    2024–2025 group; the batch's folders record the role and lead with plan_2027's group."""
    names = ["plan_2024", "equal_split", "no_programme", "plan_2027", "crossing_2024_2027"]
    monkeypatch.setattr(CP, "run", lambda scen, engine, draws: scen)
    monkeypatch.setattr(CP.RunTables, "from_result", _tables)
    monkeypatch.setattr(DR, "verdicts_of", lambda tables: pd.DataFrame())
    runs = CP.load(scenarios=[SCENARIOS / f"{n}.yaml" for n in names])
    roles = {n: yaml.safe_load((SCENARIOS / f"{n}.yaml").read_text(encoding="utf-8")).get("role") for n in names}
    assert roles["plan_2027"] == "plan" and roles["equal_split"] == "reference"  # each file's own
    assert {r.name: r.role for r in runs} == roles
    order = [[r.name for r in g] for g in BP.reading_order(runs)]
    assert order == [["plan_2027", "crossing_2024_2027"], ["plan_2024", "equal_split", "no_programme"]]
    # the batch's path: the same tables with the role the report records (`run_of` of a folder)
    folders = [
        DR.run_of(SimpleNamespace(**(vars(r.tables) | {"manifest": r.tables.manifest | {"report": {"role": r.role}}})))
        for r in runs
    ]
    assert [[r.name for r in g] for g in BP.reading_order(folders)] == order


# --- validate says what the run's first screen says of the rules the frame does not check ------


def _not_checked(frame: str, lang: str) -> list[str]:
    """The frame file's own `meta.not_checked` sentences (folded as YAML folds them)."""
    meta = yaml.safe_load((ROOT / "params" / "legal" / f"{frame}.yaml").read_text(encoding="utf-8"))["meta"]
    return [" ".join(n[lang].split()) for n in meta.get("not_checked") or []]


@pytest.mark.parametrize("lang, head", [("vi", "Lưu ý (không phải lỗi): "), ("en", "Note (not a problem): ")])
def test_validate_says_the_2026_2027_rules_it_cannot_check_as_a_note(lang, head, monkeypatch):
    """plan_2027 (and crossing_2024_2027 from 2026) run 2026–2027 under the commune frame, which
    records no counterpart ratio and no norms: `validate` says so as the run's first screen does,
    once per file, and the files stay valid (exit 0); plan_2024's frame states its rules: no note."""
    monkeypatch.setenv("SIMLIB_LANG", lang)
    (sentence,) = _not_checked("caobang_communes_2026_2027", lang)
    assert ("vốn đối ứng" if lang == "vi" else "counterpart ratio") in sentence
    assert _not_checked("caobang_2021_2025", lang) == []
    names = ("plan_2027", "crossing_2024_2027", "plan_2024")
    code, out = cli("validate", *(SCENARIOS / f"{n}.yaml" for n in names))
    assert code == 0
    blocks = dict(zip(names, out.split("✓ ")[1:], strict=True))
    for n in names[:2]:
        assert [line.strip() for line in blocks[n].splitlines()[1:]] == [head + sentence]
    assert len(blocks["plan_2024"].strip().splitlines()) == 1
    # the run's first screen (the run's `legal` record) says the same sentence, from the same function
    scen = load_scenario(SCENARIOS / "plan_2027.yaml")
    assert [n.get(lang) for n in ST.scenario_not_checked(scen)] == [sentence]
    split = np.full((len(scen.catalogue.codes), len(scen.dataset.unit_ids)), 1 / len(scen.dataset.unit_ids))
    assert ST.legal_status(scen, split, [])[f"notes_{lang}"][0] == sentence
