"""Every kind of bad input gets a clear message naming file, field, value and what is allowed."""

from __future__ import annotations

import pytest
import yaml
from conftest import make_scenario, tiny_raw

from simlib.errors import InputError, InputErrors, SimlibError
from simlib.scenario import load_scenario


def messages(exc: SimlibError, lang: str = "en") -> str:
    return exc.message(lang)


def write(tmp_path, raw, name="s.yaml"):
    p = tmp_path / name
    p.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    return p


def _with(path: list, value):
    raw = tiny_raw()
    node = raw
    for k in path[:-1]:
        node = node[k]
    node[path[-1]] = value
    return raw


BAD = [
    # (description, raw scenario, fragments the English message must contain)
    ("unknown key", {**tiny_raw(), "colour": "blue"}, ["s.yaml", "'colour'", "unknown key", "allowed:", "budget"]),
    ("wrong type", _with(["horizon"], "two"), ["'horizon'", "wrong type", "integer"]),
    (
        "negative money",
        _with(["budget", "years", "2024", "lines", "P2"], {"central_recurrent": -5}),
        ["budget.years.2024.lines.P2.central_recurrent", "negative", "-5"],
    ),
    (
        "unknown line",
        _with(["budget", "years", "2024", "lines", "P9"], {"central_recurrent": 5}),
        ["budget.years.2024.lines.P9", "unknown project", "'P9'", "P3.1"],
    ),
    (
        "unknown source",
        _with(["budget", "years", "2024", "lines", "P2"], {"lottery": 5}),
        ["budget.years.2024.lines.P2.lottery", "unknown key", "central_recurrent"],
    ),
    (
        "capital not allowed",
        _with(["budget", "years", "2024", "lines", "P2"], {"central_investment": 5}),
        ["P2.central_investment", "capital by content", "P2.models: recurrent"],
    ),
    (
        "shares do not add up",
        _with(["budget", "years", "2024"], {"envelope": {"local": 10}, "shares": {"P2": 0.5, "P5": 0.4}}),
        ["budget.years.2024.shares", "add up to 1", "0.9"],
    ),
    (
        "unknown district",
        _with(["budget", "district_split"], {"lines": {"P2": {"atlantis": 1.0}}}),
        ["district_split.lines.P2.atlantis", "not in the dataset", "north"],
    ),
    (
        "unknown split rule",
        _with(["budget", "district_split"], {"default": "lottery"}),
        ["district_split.default", "eligible_households"],
    ),
    (
        "envelope breaks capital rules",
        _with(
            ["budget", "years", "2024"],
            {"envelope": {"central_investment": 10, "central_recurrent": 10}, "shares": {"P2": 0.9, "P1.1": 0.1}},
        ),
        ["budget.years.2024.envelope.central_investment", "can only fund lines P1.1", "2.0"],
    ),
    ("missing year", _with(["budget", "years"], {"2024": {}}), ["budget missing for year 2025"]),
    (
        "year outside",
        _with(["budget", "years", "2031"], {}),
        ["budget.years.2031", "outside the projection period 2024–2025"],
    ),
    ("bad same_as", _with(["budget", "years", "2025"], {"same_as": 2019}), ["same_as", "2019"]),
    ("bad money unit", _with(["budget", "unit"], "dong"), ["budget.unit", "billion VND"]),
    (
        "probability override",
        {**tiny_raw(), "overrides": {"transitions.reference.poor.escaped_1.value": 1.7}},
        ["s.yaml (overrides)", "transitions.reference.poor.escaped_1.value", "[0, 1]", "1.7"],
    ),
    (
        "unknown override",
        {**tiny_raw(), "overrides": {"program.lines.P2.effects.magic.value": 1}},
        ["program.lines.P2.effects.magic.value", "no such key"],
    ),
    ("wrong start year", {**tiny_raw(), "start_year": 2030}, ["start_year", "2024"]),
    ("missing dataset", {**tiny_raw(), "dataset": "./nowhere"}, ["nowhere", "dataset folder", "not found"]),
]


@pytest.mark.parametrize("desc,raw,fragments", BAD, ids=[b[0] for b in BAD])
def test_bad_scenarios_get_clear_messages(tmp_path, desc, raw, fragments):
    path = write(tmp_path, raw)
    with pytest.raises(SimlibError) as info:
        load_scenario(path)
    text = messages(info.value)
    for frag in fragments:
        assert frag in text, f"{desc}: {frag!r} not in {text!r}"
    # Vietnamese is the default language and has the same structure
    vi = info.value.message("vi")
    assert "s.yaml" in vi or "nowhere" in vi


VI = [
    # (description, raw scenario, fragments of the English and of the Vietnamese message)
    (
        "lines and shares",
        _with(
            ["budget", "years", "2024"],
            {"lines": {"P2": {"central_recurrent": 1}}, "envelope": {"local": 10}, "shares": {"P2": 1}},
        ),
        ["budget.years.2024", "not both"],
        ["trường «budget.years.2024»", "chỉ khai báo một trong hai cách"],
    ),
    (
        "envelope without shares",
        _with(["budget", "years", "2024"], {"envelope": {"local": 10}}),
        ["'envelope' and 'shares' go together"],
        ["«envelope» và «shares» phải được khai báo cùng nhau"],
    ),
    (
        "wrong start year",
        {**tiny_raw(), "start_year": 2030},
        ["the dataset 'tiny' describes the end of 2023, so the projection starts in 2024"],
        ["bộ dữ liệu «tiny» mô tả tình hình cuối năm 2023, nên kỳ dự báo bắt đầu từ năm 2024"],
    ),
    ("empty title", {**tiny_raw(), "title_vi": ""}, ["'title_vi'", "must not be empty"], ["không được để trống"]),
]


@pytest.mark.parametrize("desc,raw,en,vi", VI, ids=[b[0] for b in VI])
def test_messages_written_in_both_languages(tmp_path, desc, raw, en, vi):
    """Problems once reported in English only are catalogue texts in every language."""
    with pytest.raises(SimlibError) as info:
        load_scenario(write(tmp_path, raw))
    for lang, fragments in (("en", en), ("vi", vi)):
        text = info.value.message(lang)
        assert all(f in text for f in fragments), (desc, lang, text)


def test_all_problems_reported_at_once(tmp_path):
    raw = tiny_raw()
    raw["budget"]["years"]["2024"]["lines"]["P9"] = {"local": 1}
    raw["budget"]["years"]["2024"]["lines"]["P2"] = {"central_investment": 1}
    raw["budget"]["years"]["2031"] = {}
    with pytest.raises(InputErrors) as info:
        load_scenario(write(tmp_path, raw))
    assert len(info.value.errors) == 3


def test_set_overrides_apply_and_unknown_keys_fail():
    scen = make_scenario(
        set_overrides=[("program.lines.P3.1.effects.escape.value", 0.2), ("horizon", 3), ("budget.years.2026", {})]
    )
    assert scen.catalogue.lines["P3.1"].effects["escape"] == 0.2
    assert scen.years == (2024, 2025, 2026)
    with pytest.raises(InputError) as info:
        make_scenario(set_overrides=[("program.lines.P3.1.effects.nope", 1)])
    assert "program.lines.P3.1.effects.nope" in info.value.message("en")
    with pytest.raises(InputError):
        make_scenario(set_overrides=[("nonsense", 1)])


def test_quantity_override_by_key_sets_its_value():
    scen = make_scenario(set_overrides=[("transitions.growth.rate", 0.012)])
    assert scen.params.value("transitions.growth.rate") == 0.012


def test_row_sums_are_validated():
    with pytest.raises(SimlibError) as info:
        make_scenario(
            set_overrides=[
                (
                    "transitions.reference.non_poor.poor",
                    {"value": 0.6, "unit": "probability per year", "assumption": "x"},
                ),
                (
                    "transitions.reference.non_poor.near_poor",
                    {"value": 0.6, "unit": "probability per year", "assumption": "x"},
                ),
            ]
        )
    assert "add up to" in info.value.message("en") and "non_poor" in info.value.message("en")


def test_quantities_need_a_basis(tmp_path):
    from simlib.schema import check_quantities

    errs = check_quantities({"a": {"value": 1, "unit": "VND"}}, "x.yaml")
    assert errs and "source" in errs[0].message("en")
    assert not check_quantities({"a": {"value": 1, "unit": "VND", "assumption": "because"}}, "x.yaml")


def test_bundled_scenarios_are_valid():
    from simlib.paths import scenarios_dir

    files = sorted(scenarios_dir().glob("*.yaml"))
    names = {f.stem for f in files}
    assert {"plan_2024", "no_programme", "equal_split", "infrastructure_first", "livelihoods_first"} <= names
    for f in files:
        s = load_scenario(f)
        assert s.name == f.stem


def test_project_code_is_split_over_sub_projects():
    raw = tiny_raw()
    raw["budget"]["years"]["2024"] = {"lines": {"P1": {"central_investment": 100}}}
    scen = make_scenario(raw)
    b = scen.budget
    tot = b.amounts[1].sum(axis=1)
    i11, i12 = scen.catalogue.index("P1.1"), scen.catalogue.index("P1.2")
    assert tot[i11] == pytest.approx(75e9) and tot[i12] == pytest.approx(25e9)


def test_duplicate_yaml_keys_are_rejected(tmp_path):
    p = tmp_path / "dup.yaml"
    p.write_text("name: a\nhorizon: 2\nhorizon: 3\n", encoding="utf-8")
    with pytest.raises(InputError) as info:
        load_scenario(p)
    text = info.value.message("en")
    assert "dup.yaml" in text and "'horizon'" in text and "line 3" in text


def test_envelope_respects_capital_and_shares():
    from simlib.allocate.structure import check_budget

    raw = tiny_raw()
    env = {"central_investment": 30, "central_recurrent": 50, "local": 20}
    raw["budget"]["years"]["2024"] = {"envelope": env, "shares": {"P1": 0.35, "P2": 0.25, "P3.1": 0.2, "P4.1": 0.2}}
    scen = make_scenario(raw)
    a = scen.budget.amounts[1] / 1e9  # (lines, sources)
    cat = scen.catalogue
    for si, src in enumerate(scen.budget.sources):
        assert a[:, si].sum() == pytest.approx(env.get(src, 0.0), abs=1e-6)
    totals = a.sum(axis=1)
    assert totals[cat.index("P2")] == pytest.approx(25.0, abs=1e-6)
    # P1's money goes to all its contents (works, maintenance, the exit scheme's recurrent part)
    assert sum(totals[cat.index(it)] for it in cat.items_of("P1")) == pytest.approx(35.0, abs=1e-6)
    # investment capital only where a content takes it: P1 works, P4.1 facilities
    takes_investment = {it for it in cat.codes if "investment" in cat.lines[it].capital}
    assert takes_investment == {"P1.1", "P1.2", "P4.1.facilities", "P4.3.labour_market_system"}
    assert all(a[cat.index(it), 0] == 0 for it in cat.codes if it not in takes_investment)
    assert not check_budget(scen, min_counterpart=0.0)  # no capital breach


def test_start_year_and_horizon_default_to_the_dataset_and_two_years():
    """Left out, the projection starts the year after the dataset's baseline review and runs two
    years (the plan's window); a misspelt key is still an error, not a silent default."""
    from simlib.scenario import DEFAULT_HORIZON

    full = make_scenario()
    raw = tiny_raw()
    del raw["start_year"], raw["horizon"]
    short = make_scenario(raw)
    assert short.start_year == full.start_year == full.dataset.baseline_year + 1
    assert short.horizon == DEFAULT_HORIZON == 2
    raw["horzion"] = 2
    with pytest.raises((InputError, InputErrors)) as e:
        make_scenario(raw)
    assert "horzion" in messages(e.value) and "horizon" in messages(e.value)
