"""Programme catalogues as dated data (simlib.programmes, simlib.programme_money): the catalogue in
force around the 2025/2026 boundary, the checks of a catalogue and an envelope (every problem at
once, naming file, field and value), and money carried along the `continues` mapping (conserved,
hand-worked, lines without successor reported)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import yaml

from simlib.errors import InputError, InputErrors, SimlibError
from simlib.paths import params_dir
from simlib.programme_money import continue_spend, load_envelope
from simlib.programmes import (
    CAPITAL,
    Link,
    ProgrammeCatalogue,
    Successor,
    catalogue_for_year,
    load_periods,
    load_programme_catalogue,
    old_line_ids,
)

CATALOGUE = params_dir() / "catalogues" / "2026_2035.yaml"
ENVELOPE = params_dir() / "catalogues" / "caobang_envelope_2027.yaml"


@pytest.fixture(scope="module")
def catalogue() -> ProgrammeCatalogue:
    return load_programme_catalogue()


def read(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def write(path: Path, doc: dict) -> Path:
    path.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def messages(exc: SimlibError) -> list[str]:
    errors = exc.errors if isinstance(exc, InputErrors) else [exc]
    return [e.message("en") for e in errors]


def test_catalogue_switches_between_2025_and_2026():
    old, new = catalogue_for_year(2025), catalogue_for_year(2026)
    assert (old.id, old.kind, old.file.name) == ("ntp_spr_2021_2025", "program", "program.yaml")
    assert (new.id, new.kind, new.file.name) == ("ntp_merged_2026_2030", "dated", "2026_2035.yaml")
    assert catalogue_for_year(2021).id == old.id and catalogue_for_year(2030).id == new.id
    assert new.status == "draft"


@pytest.mark.parametrize("year", [2020, 2031])
def test_no_catalogue_outside_the_register(year):
    with pytest.raises(InputError) as info:
        catalogue_for_year(year)
    text = info.value.message("en")
    assert str(year) in text and "2021–2030" in text


def test_period_register_problems_all_at_once(tmp_path):
    doc = read(params_dir() / "catalogues" / "periods.yaml")
    doc["catalogues"][1]["first"] = 2027  # a gap after 2025
    doc["targets"][1]["file"] = "targets/absent.yaml"
    doc["targets"][0]["last"] = 2019  # ends before it starts
    doc["catalogues"][0]["kind"] = "period_targets"  # a targets file in the catalogue section
    with pytest.raises(InputErrors) as info:
        load_periods(write(tmp_path / "periods.yaml", doc))
    text = "\n".join(messages(info.value))
    assert "catalogues.1.first" in text and "2027" in text
    assert "targets.0.last" in text and "absent.yaml" in text
    assert "catalogues.0.kind" in text and "'period_targets'" in text


def test_bundled_catalogue_links_every_2021_2025_line(catalogue):
    old = old_line_ids()
    assert len(old) == 13 and set(catalogue.links) == set(old)
    for link in catalogue.links.values():
        assert link.reason and link.successors
        assert sum(s.share for s in link.successors) == pytest.approx(1.0)
        assert all(s.content in catalogue.lines for s in link.successors)
    assert (catalogue.first, catalogue.last, catalogue.status) == (2026, 2030, "draft")
    for content in catalogue.content_ids:
        assert set(catalogue.capital(content)) <= set(CAPITAL)
        assert catalogue.lines[content]["legal_status"] == "not_found"  # candidates until Decision 417's annex is read


def test_catalogue_schema_problems_all_at_once(tmp_path):
    doc = read(CATALOGUE)
    doc["lines"]["C5.housing"]["capital"]["value"] = ["grant"]
    doc["lines"]["C3.nutrition"]["eligible"] = [{"states": ["poor"], "poor_districts_only": True}]
    doc["continues"]["P2"]["to"] = "livelihood"
    with pytest.raises(InputErrors) as info:
        load_programme_catalogue(write(tmp_path / "cat.yaml", doc))
    text = "\n".join(messages(info.value))
    assert "cat.yaml" in text
    for field in ("lines.C5.housing.capital.value.0", "lines.C3.nutrition.eligible.0", "continues.P2.to"):
        assert field in text
    assert "'grant'" in text


def test_catalogue_cross_reference_problems_all_at_once(tmp_path):
    doc = read(CATALOGUE)
    doc["continues"]["P9"] = {"to": "C5.housing", "reason": "no such line"}
    doc["continues"]["P2"]["to"] = [
        {"content": "C2.livelihood_models", "share": 0.5},
        {"content": "C2.production_support", "share": 0.2},
    ]
    doc["lines"]["C4.work_abroad"]["project"] = "C2"
    doc["lines"]["C3.nutrition"]["effects_from"] = "P3.3"
    doc["lines"]["C2.production_support"]["effects_from"] = "P2"  # as C2.livelihood_models
    with pytest.raises(InputErrors) as info:
        load_programme_catalogue(write(tmp_path / "cat.yaml", doc))
    text = "\n".join(messages(info.value))
    assert "continues.P9" in text and "'P9'" in text
    assert "continues.P2.to" in text and "0.7" in text  # shares add up to 0.7
    assert "lines.C2.production_support.continues" in text  # P2 now also sent there
    assert "lines.C4.work_abroad.project" in text
    assert "lines.C3.nutrition.effects_from" in text and "'P3.3'" in text
    assert "lines.C2.production_support.effects_from" in text and "C2.livelihood_models" in text


def small_catalogue() -> ProgrammeCatalogue:
    """Two contents; P1.1 -> C1; P2 -> 1/4 C1, 3/4 C2; P5 -> no successor (P7.2 not mapped)."""
    links = {
        "P1.1": Link("P1.1", (Successor("C1.a", 1.0),), "same works"),
        "P2": Link("P2", (Successor("C1.a", 0.25), Successor("C2.b", 0.75)), "split"),
        "P5": Link("P5", (), "ended"),
    }
    lines = {"C1.a": {"capital": {"value": ["investment"]}}, "C2.b": {"capital": {"value": ["recurrent"]}}}
    return ProgrammeCatalogue("t", 2026, 2030, "draft", {}, {}, lines, links, Path("t.yaml"))


def test_continue_spend_hand_worked():
    out = continue_spend(np.array([8.0, 4.0, 2.0, 1.0]), ("P1.1", "P2", "P5", "P7.2"), small_catalogue())
    assert out.contents == ("C1.a", "C2.b")
    np.testing.assert_array_equal(out.spend, [8.0 + 1.0, 3.0])
    assert out.unmapped_lines == ("P5", "P7.2")
    np.testing.assert_array_equal(out.unmapped, [2.0, 1.0])
    assert out.basis["C1.a"] == (("P1.1", 1.0, "same works"), ("P2", 0.25, "split"))


def test_continue_spend_conserves_money_by_year_and_unit(catalogue):
    rng = np.random.default_rng(19)
    lines = old_line_ids()
    spend = rng.gamma(2.0, 50.0, size=(3, len(lines), 56))  # (Y, L, D)
    out = continue_spend(spend, lines, catalogue)
    assert out.spend.shape == (3, len(catalogue.content_ids), 56) and out.unmapped_lines == ()
    np.testing.assert_allclose(out.spend.sum(axis=1), spend.sum(axis=1), rtol=1e-12)
    # independent: the infrastructure content receives exactly P1.1 + P1.2
    i, j = lines.index("P1.1"), lines.index("P1.2")
    k = catalogue.content_ids.index("C1.infrastructure_poor_communes")
    np.testing.assert_allclose(out.spend[:, k], spend[:, i] + spend[:, j], rtol=1e-12)


def test_continue_spend_split_conserves_each_line():
    rng = np.random.default_rng(7)
    spend = rng.uniform(0, 1e6, size=(2, 4, 5))
    out = continue_spend(spend, ("P1.1", "P2", "P5", "P7.2"), small_catalogue())
    total = out.spend.sum(axis=1) + out.unmapped.sum(axis=1)
    np.testing.assert_allclose(total, spend.sum(axis=1), rtol=1e-13)
    np.testing.assert_allclose(out.spend[:, 1], 0.75 * spend[:, 1], rtol=1e-12)
    with pytest.raises(ValueError):
        continue_spend(spend, ("P1.1", "P2"), small_catalogue())


def test_bundled_envelope_is_illustrative_and_consistent(catalogue):
    env = load_envelope()
    assert env.illustrative and env.year == 2027 and env.catalogue_id == catalogue.id
    assert env.by_capital == {"investment": 557.0, "recurrent": 239.0}
    assert env.total == pytest.approx(round(0.0398 * 100000 / 5))  # the file's stated method
    assert env.by_content == {}  # no split by content is known


def test_envelope_problems_all_at_once(tmp_path, catalogue):
    doc = read(ENVELOPE)
    doc["meta"]["year"] = 2031
    doc["envelope"]["recurrent"]["value"] = 240
    doc["by_content"] = {"C1.infrastructure_poor_communes": {"recurrent": 10}, "C9.roads": {"investment": 5}}
    with pytest.raises(InputErrors) as info:
        load_envelope(write(tmp_path / "env.yaml", doc), catalogue)
    text = "\n".join(messages(info.value))
    assert "meta.year" in text and "2031" in text
    assert "797" in text and "envelope.total" in text
    assert "by_content.C1.infrastructure_poor_communes.recurrent" in text
    assert "by_content.C9.roads" in text


def test_envelope_schema_problems(tmp_path, catalogue):
    doc = read(ENVELOPE)
    doc["envelope"]["investment"]["value"] = float("nan")
    doc["envelope"]["recurrent"]["value"] = -1
    doc["meta"]["status"] = "final"
    with pytest.raises(InputErrors) as info:
        load_envelope(write(tmp_path / "env.yaml", doc), catalogue)
    text = "\n".join(messages(info.value))
    for field in ("envelope.investment.value", "envelope.recurrent.value", "meta.status"):
        assert field in text


def test_a_catalogue_is_read_once_per_content_and_anew_when_edited(tmp_path):
    """The explorer checks the legal status on every change: the catalogue (and the register and
    the 2021–2025 line ids) are read and checked once per content of their files — the same bytes
    give the same object — and an edited file is read anew, never served stale."""
    path = tmp_path / "cat.yaml"
    path.write_bytes(CATALOGUE.read_bytes())
    first = load_programme_catalogue(path)
    assert load_programme_catalogue(path) is first
    assert load_periods() == load_periods() and old_line_ids() is old_line_ids()
    text = CATALOGUE.read_text(encoding="utf-8")
    path.write_text(
        text.replace("Dinh dưỡng (dự kiến)", "Dinh dưỡng và an ninh lương thực (dự kiến)"), encoding="utf-8"
    )
    edited = load_programme_catalogue(path)
    assert edited is not first
    assert edited.name("C3").get("vi") == "Dinh dưỡng và an ninh lương thực (dự kiến)"
    assert first.name("C3").get("vi") == "Dinh dưỡng (dự kiến)"
    path.write_text(text.replace("valid_years: {first: 2026", "valid_years: {first: 2036"), encoding="utf-8")
    with pytest.raises(SimlibError):  # a file that fails is not kept: the error every time
        load_programme_catalogue(path)
