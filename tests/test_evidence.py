"""The evidence register is the one source of the programme's effects, lags and unit costs: program.yaml
refers to its priors, loading resolves them, every effect cites studies or carries the wide-prior
flag, and the sampler draws from the register's distributions."""

from __future__ import annotations

import shutil

import pytest
import yaml
from conftest import ROOT

from simlib.errors import InputError, InputErrors
from simlib.evidence import lookup, prior_quantity
from simlib.evidence_tables import DISTRIBUTIONS, UNITS, citation, evidence_table, readable_evidence_table
from simlib.parameters import load_parameters
from simlib.transitions import CHANNELS
from simlib.uncertainty.space import build_space

PARAMS = ROOT / "params"


@pytest.fixture(scope="module")
def params():
    return load_parameters()


def _raw(name: str) -> dict:
    return yaml.safe_load((PARAMS / name).read_text(encoding="utf-8"))


def _lines_quantities(params):
    """(line, path, quantity) of every effect (states and multidimensional), lag and unit cost."""
    for code, line in params["program"]["lines"].items():
        for ch, q in line["effects"].items():
            yield code, f"effects.{ch}", q
        for key in ("removal", "income"):
            if key in line.get("multidim", {}):
                yield code, f"multidim.{key}", line["multidim"][key]
        yield code, "lag", line["lag"]
        yield code, "unit_cost", line["beneficiary"]["unit_cost"]


def test_program_yaml_writes_no_effect_lag_or_unit_cost_itself():
    """One source of truth: the file refers to the register instead of repeating its numbers."""
    for code, line in _raw("program.yaml")["lines"].items():
        nodes = {f"effects.{ch}": q for ch, q in line["effects"].items()}
        nodes.update({f"multidim.{k}": v for k, v in line.get("multidim", {}).items() if isinstance(v, dict)})
        nodes["lag"], nodes["unit_cost"] = line["lag"], line["beneficiary"]["unit_cost"]
        for what, node in nodes.items():
            assert set(node) == {"prior"}, f"{code}.{what} must refer to the register, not write {node}"


def test_every_effect_cites_evidence_or_carries_the_wide_prior_flag(params):
    seen = 0
    for code, what, q in _lines_quantities(params):
        assert q.get("prior"), f"{code}.{what} did not come from the register"
        assert q["evidence"] or q["no_evidence"] is True, f"{code}.{what}: no studies and no flag"
        seen += 1
    assert seen >= 13 * 3  # every line has at least one effect, a lag and a unit cost


def test_every_effect_range_contains_zero_unless_the_register_says_why(params):
    register = params["evidence"]
    for code, what, q in _lines_quantities(params):
        if what.startswith(("effects", "multidim")) and q["range"][0] > 0:
            assert lookup(register, q["prior"]).get("zero_excluded"), f"{code}.{what} excludes zero"


def test_resolved_values_are_the_register_s_priors(params):
    register = params["evidence"]
    shapes = {"triangular": "triangular", "uniform": "uniform", "point": "fixed"}
    for code, what, q in _lines_quantities(params):
        prior = lookup(register, q["prior"])
        assert q["value"] == prior["central"] and q["unit"] == prior["unit"], (code, what)
        assert q["distribution"] == shapes[prior.get("shape", "triangular")], (code, what)
        if "range" in prior:
            assert q["range"] == prior["range"], (code, what)


def test_a_line_the_register_marks_same_as_another_uses_its_priors(params):
    p11, p12 = params["program"]["lines"]["P1.1"], params["program"]["lines"]["P1.2"]
    for ch in ("escape", "relapse", "deprivation"):
        assert p12["effects"][ch]["value"] == p11["effects"][ch]["value"]
        assert p12["effects"][ch]["prior"] == f"priors.P1.2.effects.{ch}"


def test_lags_per_line_come_from_the_register(params):
    register = params["evidence"]
    for code, line in params["program"]["lines"].items():
        assert line["lag"]["value"] == lookup(register, f"priors.{code}.lag")["central"]
    # livelihood lines pay off the year after support (the register: year-0 effects not supported)
    assert params["program"]["lines"]["P2"]["lag"]["value"] == 1


def test_prior_quantity_maps_a_hand_written_prior():
    prior = {"shape": "uniform", "central": 0.05, "range": [0.0, 0.1], "unit": "share", "no_evidence": True}
    q = prior_quantity(prior, "priors.X.effects.escape")
    assert q["value"] == 0.05 and q["range"] == [0.0, 0.1] and q["distribution"] == "uniform"
    assert q["no_evidence"] is True and q["evidence"] == [] and "assumption" in q and "source" not in q
    prior = {"central": 2, "unit": "years", "evidence": ["s1"]}
    q = prior_quantity(prior, "priors.X.lag")
    assert q["distribution"] == "triangular" and "s1" in q["source"] and "range" not in q


def test_the_sampler_draws_from_the_priors(params):
    space = {f.name: f for f in build_space(params).factors}
    register = params["evidence"]
    f = space["program.lines.P2.effects.escape"]
    prior = register["priors"]["P2"]["effects"]["escape"]
    assert (f.low, f.central[0], f.high) == (prior["range"][0], prior["central"], prior["range"][1])
    assert f.distribution == "triangular"
    assert space["program.lines.P2.effects.relapse"].kind == "effect"
    assert space["program.lines.P1.1.effects.relapse"].distribution == "uniform"
    assert "population.labour_capacity.without_share" in space
    assert not any(name.startswith("evidence.") for name in space)


def test_an_override_changes_the_value_and_the_table_says_so(params):
    changed = params.with_overrides({"program.lines.P2.effects.escape.value": 0.1})
    assert changed["program"]["lines"]["P2"]["effects"]["escape"]["value"] == 0.1
    tab = evidence_table(changed, "en")
    row = tab[(tab["Line or scope"] == "P2") & (tab["Parameter"] == "effects.escape")].iloc[0]
    assert row["Value used"] == 0.1 and row["Prior's central value"] == 0.06 and row["Changed from the register"]
    assert not evidence_table(params, "en")["Changed from the register"].any()


def test_the_register_itself_is_not_a_target_of_overrides(params):
    with pytest.raises((InputError, InputErrors)):
        params.with_overrides({"evidence.priors.P2.effects.escape.central": 0.5})


def test_evidence_table_lists_every_cited_parameter_in_both_languages(params):
    vi, en = evidence_table(params, "vi"), evidence_table(params, "en")
    # + cost_rise, 3 lives, labour capacity, the support cycles of P2 and P3.1
    assert len(vi) == len(en) == sum(1 for _ in _lines_quantities(params)) + 7
    assert len(vi) > 0
    assert "Dự án, tiểu dự án hoặc phạm vi" in vi.columns and "Line or scope" in en.columns
    assert set(en["Line or scope"]) >= set(params["program"]["lines"])
    assert (en["Parameter"] == "population.labour_capacity.without_share").sum() == 1
    assert set(en["Strength of evidence"]) <= {"direct", "indirect", "none", "not graded"}


def _copy_params(tmp_path):
    folder = tmp_path / "params"
    shutil.copytree(PARAMS, folder)
    return folder


def test_an_unknown_prior_is_an_error_naming_file_and_field(tmp_path):
    folder = _copy_params(tmp_path)
    path = folder / "program.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace("priors.P2.effects.escape", "priors.P2.effects.nothing"),
        encoding="utf-8",
    )
    with pytest.raises((InputError, InputErrors)) as exc:
        load_parameters(folder)
    text = str(exc.value)
    assert "program.yaml" in text and "lines.P2.effects.escape.prior" in text and "priors.P2.effects.nothing" in text


def test_a_prior_citing_no_study_and_not_flagged_is_refused(tmp_path):
    folder = _copy_params(tmp_path)
    doc = yaml.safe_load((folder / "evidence.yaml").read_text(encoding="utf-8"))
    doc["priors"]["P2"]["effects"]["escape"]["evidence"] = []
    doc["priors"]["P3.1"]["effects"]["escape"]["evidence"].append("no_such_study")
    doc["priors"]["P4.3"]["effects"]["escape"]["range"] = [0.01, 0.05]
    (folder / "evidence.yaml").write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    with pytest.raises(InputErrors) as exc:
        load_parameters(folder)
    codes = sorted(e.code for e in exc.value.errors)
    assert codes == ["evidence_unknown", "prior_no_basis", "prior_zero_excluded"]


def test_channels_of_the_register_are_the_model_s(params):
    for entry in params["evidence"]["priors"].values():
        assert set(entry.get("effects", {})) <= set(CHANNELS)


def _register_units(node):
    if isinstance(node, dict):
        if "central" in node and "unit" in node:
            yield node["unit"]
        for v in node.values():
            yield from _register_units(v)


def test_every_unit_of_the_register_has_a_name_in_the_catalogues(params):
    """Units and distributions on a Vietnamese page are Vietnamese: every unit a prior of the
    register gives is translated (a new unit must be added to `evidence.UNITS` and both catalogues)."""
    missing = set(_register_units(params["evidence"])) - set(UNITS)
    assert not missing, f"units without a catalogue name: {sorted(missing)}"


def test_readable_table_shows_units_and_distributions_in_the_page_s_language(params):
    vi, en = readable_evidence_table(params, "vi"), readable_evidence_table(params, "en")
    raw = evidence_table(params, "en")
    assert set(raw["Distribution"]) <= set(DISTRIBUTIONS) and set(raw["Unit"]) <= set(UNITS)
    # every row's unit and distribution named in the page's language, not the register's English
    assert not set(vi["Đơn vị"]) & set(UNITS)
    assert not set(vi["Dạng phân phối"]) & set(DISTRIBUTIONS)
    assert {"tỷ lệ", "năm", "đồng/hộ"} <= set(vi["Đơn vị"])
    assert {"tam giác", "đều"} <= set(vi["Dạng phân phối"])
    assert set(en["Unit"]) == set(raw["Unit"]) and set(en["Distribution"]) == set(raw["Distribution"])
    cycle = vi[vi["Tham số"].str.startswith("Chu kỳ hỗ trợ")]
    assert set(cycle["Dự án, tiểu dự án hoặc phạm vi"]) == {"P2", "P3.1"} and set(cycle["Đơn vị"]) == {"năm"}


def test_a_study_is_cited_in_the_page_s_language_when_the_register_says_how():
    study = {"authors": "Ministry of Finance (draft circular)", "year": 2022}
    assert citation(study, "k", "vi") == "Ministry of Finance (2022)"  # derived: first author (year)
    study["cite"] = {"vi": "Bộ Tài chính (2022)", "en": "Ministry of Finance (2022)"}
    assert citation(study, "k", "vi") == "Bộ Tài chính (2022)"
    assert citation(study, "k", "en") == "Ministry of Finance (2022)"
    assert citation({"title": "t"}, "the_key", "vi") == "the_key"  # no authors: the register's key


def test_no_english_body_or_missing_year_on_a_vietnamese_page(params):
    """The register's English for bodies and unknown years ("Ministry of Finance", "not stated",
    "not read") must not reach a Vietnamese page's list of studies."""
    col = readable_evidence_table(params, "vi")["Nghiên cứu dẫn chứng"]
    text = " ; ".join(col)
    for english in ("not stated", "not read", "Ministry", "Prime Minister", "World Bank", "Government", "Council"):
        assert english not in text, english
    assert "Bộ Tài chính (2022)" in text and "Thủ tướng Chính phủ (2009)" in text
    en = " ; ".join(readable_evidence_table(params, "en")["Studies cited"])
    assert "not stated" not in en and "not read (not read)" not in en and "Ministry of Finance (2022)" in en


def test_the_register_s_yes_no_columns_read_in_the_page_s_language(params):
    """The two flag columns read có / không on a Vietnamese page, never Python's True / False."""
    vi, en = readable_evidence_table(params, "vi"), readable_evidence_table(params, "en")
    raw = evidence_table(params, "en")
    for page, cols, words in (
        (vi, ["Không có bằng chứng (khoảng rộng)", "Đã thay đổi so với sổ bằng chứng"], {"có", "không"}),
        (en, ["No evidence (wide prior)", "Changed from the register"], {"yes", "no"}),
    ):
        for c in cols:
            assert set(page[c]) <= words, (c, set(page[c]))
    yes_vi = vi["Không có bằng chứng (khoảng rộng)"] == "có"
    assert list(yes_vi) == list(raw["No evidence (wide prior)"].astype(bool))  # same rows flagged
