"""Dated geography (simlib.geography): the units in force on a date, the district → commune move
of a baseline (conservation of households, hand-worked apportionment) and unit names as people
write them."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from simlib.dataset import load_dataset
from simlib.errors import InputError, SimlibError
from simlib.geography import (
    Geography,
    Period,
    apportion,
    commune_baseline,
    fold,
    geography_dir,
    geography_for_year,
    load_geography,
    match_units,
    move_to_communes,
    split_by_district,
    units_on,
)
from simlib.states import STATES


@pytest.fixture(scope="module")
def geo() -> Geography:
    return load_geography()


def test_units_in_force_change_on_1_july_2025(geo):
    assert units_on("2025-06-30", geo).id == "districts_2020"
    assert units_on(dt.date(2025, 7, 1), geo).id == "communes_2025"
    assert units_on("2000-01-01", geo).level == "district"  # open start: the model's years are later
    assert geography_for_year(2024, geo).level == "district"  # the review at the end of the year
    assert geography_for_year(2025, geo).level == "commune"
    assert geography_for_year(2030, geo).level == "commune"


def test_unit_tables(geo):
    districts = geo.period("districts_2020").units
    communes = geo.period("communes_2025").units
    assert len(districts) == 10 and districts["communes"].sum() == 161
    assert set(districts["unit_id"]) == set(load_dataset("caobang").unit_ids)
    assert len(communes) == 56 and communes["unit_id"].is_unique
    assert communes.loc[communes["code"] == "01290", "name_en"].item() == "Bao Lam commune"
    # derived flag: 37 units hold at least one commune of a 2024 poor district (README)
    assert communes["former_poor_district_area"].sum() == 37


def test_poor_district_flag_follows_the_2024_flags(geo):
    """`legacy_poor_district_communes` (k/n) counted independently: the mapping's old communes of
    each new unit, and the districts flagged poor in data/caobang/units.csv today (Trùng Khánh
    included, QĐ 880/QĐ-TTg)."""
    poor = set(load_dataset("caobang").units.query("poor_district")["unit_id"])
    assert "trung_khanh" in poor
    m = geo.mapping.assign(poor=geo.mapping["old_district_id"].isin(poor))
    expected = m.groupby("new_code")["poor"].agg(lambda s: f"{int(s.sum())}/{len(s)}")
    units = geo.period("communes_2025").units.set_index("code")
    assert units["legacy_poor_district_communes"].to_dict() == expected.to_dict()
    # every unit formed only from Trùng Khánh communes is now wholly former poor-district area
    only_tk = m.groupby("new_code")["old_district_id"].agg(lambda s: set(s) == {"trung_khanh"})
    for code in only_tk[only_tk].index:
        k, n = units.loc[code, "legacy_poor_district_communes"].split("/")
        assert k == n and units.loc[code, "former_poor_district_area"]


def test_apportion_hand_worked():
    # 7 × (0.5, 0.3, 0.2) = 3.5, 2.1, 1.4 → floors 3, 2, 1; the 1 left goes to the largest remainder
    np.testing.assert_array_equal(apportion(np.array([7.0]), np.array([0.5, 0.3, 0.2])), [[4, 2, 1]])
    # ties go to the earlier part
    np.testing.assert_array_equal(apportion(np.array([10.0]), np.full(3, 1 / 3)), [[4, 3, 3]])
    # a fractional total keeps its fraction, with the next part in line
    np.testing.assert_allclose(apportion(np.array([2.5]), np.array([0.5, 0.5])), [[1.5, 1.0]])
    np.testing.assert_array_equal(apportion(np.array([0.0, 1.0]), np.array([0.9, 0.1])), [[0, 0], [1, 0]])


def tiny_geography() -> Geography:
    """Two districts, three new units; unit c2 takes communes of both (population parts 40 / 25)."""
    units = pd.DataFrame({"unit_id": ["c1", "c2", "c3"], "code": ["1", "2", "3"]})
    period = Period("new", "commune", dt.date(2025, 7, 1), None, units, Path("units.csv"))
    weights = pd.DataFrame(
        {
            "district_id": ["A", "A", "B", "B"],
            "new_code": ["c1", "c2", "c2", "c3"],
            "population_part": [60.0, 40.0, 25.0, 75.0],
            "share": [0.6, 0.4, 0.25, 0.75],
        }
    )
    meta = {"transition": {"to_period": "new"}}
    return Geography("tiny", Path("."), meta, (period,), weights, pd.DataFrame())


def test_move_to_communes_hand_worked():
    counts = np.array([[7.0, 3.0], [5.0, 2.0]])  # districts A, B × two states
    # A: 7 → 4.2, 2.8 → (4, 3); 3 → 1.8, 1.2 → (2, 1).  B: 5 → 1.25, 3.75 → (1, 4); 2 → 0.5, 1.5 → (1, 1)
    pieces = split_by_district(counts, ("A", "B"), tiny_geography())
    np.testing.assert_array_equal(pieces[0], [[4, 2], [3, 1], [0, 0]])
    np.testing.assert_array_equal(pieces[1], [[0, 0], [1, 1], [4, 1]])
    np.testing.assert_array_equal(move_to_communes(counts, ("A", "B"), tiny_geography()), [[4, 2], [4, 2], [4, 1]])
    # the dataset's districts may come in any order
    np.testing.assert_array_equal(
        move_to_communes(counts[::-1], ("B", "A"), tiny_geography()), [[4, 2], [4, 2], [4, 1]]
    )


def test_baseline_moved_to_communes_conserves_households(geo):
    ds = load_dataset("caobang")
    pieces = split_by_district(ds.counts, ds.unit_ids, geo)
    communes = move_to_communes(ds.counts, ds.unit_ids, geo)
    assert communes.shape == (56,) + ds.counts.shape[1:]
    # exactly: every district and the province, in every cell and so in every state
    np.testing.assert_array_equal(pieces.sum(axis=1), ds.counts)
    np.testing.assert_array_equal(communes.sum(axis=0), ds.counts.sum(axis=0))
    for s, state in enumerate(STATES):
        assert communes[..., s].sum() == ds.counts[..., s].sum(), state
    assert (communes >= 0).all() and np.array_equal(communes, np.round(communes))
    # a unit inside one district takes about its population share of that district's households
    units = geo.period("communes_2025").units
    i = units.index[units["code"] == "01290"].item()  # Bảo Lâm: wholly in bao_lam
    w = geo.weights.set_index("new_code").loc["01290", "share"]
    d = ds.unit_ids.index("bao_lam")
    assert communes[i].sum() == pytest.approx(w * ds.counts[d].sum(), abs=ds.counts.shape[1] * ds.counts.shape[2] * 6)


def test_wrong_districts_are_refused(geo):
    counts = np.ones((2, 3))
    with pytest.raises(InputError) as info:
        move_to_communes(counts, ("bao_lac", "atlantis"), geo)
    text = info.value.message("en")
    assert "atlantis" in text and "tp_cao_bang" in text


@pytest.mark.parametrize("written", ["Xã Bảo Lâm", "Bảo Lâm", "bao lam", "BAO_LAM", "xa bao-lam", "01290", "1290"])
def test_unit_names_with_and_without_diacritics(geo, written):
    units = geo.period("communes_2025").units
    ids, errors = match_units(pd.Series([written]), units, "r.csv", "unit_id")
    assert errors == [] and ids.tolist() == ["01290"]


def test_folded_names_are_distinct(geo):
    units = geo.period("communes_2025").units
    short = [n.split(" ", 1)[1] for n in units["name_vi"]]
    assert len({fold(n) for n in short}) == 56


def test_unknown_typo_and_ambiguous_names(geo):
    units = geo.period("communes_2025").units
    values = pd.Series(["Bao Lamm", "Atlantis", "Bảo Lâm", "Atlantis"])
    ids, errors = match_units(values, units, "r.csv", "unit_id")
    assert ids.tolist() == [None, None, "01290", None]
    texts = [e.message("en") for e in errors]
    assert len(texts) == 2
    assert "rows 2" in texts[0] and "did you mean 'Bảo Lâm'" in texts[0] and "'Bao Lamm'" in texts[0]
    assert "rows 3, 5" in texts[1] and "Thục Phán" in texts[1]  # every allowed name is listed
    twins = pd.DataFrame(
        {"unit_id": ["a", "b"], "code": ["1", "2"], "name_vi": ["Xã Bảo Lâm", "Xã Bảo Lam"], "kind": ["xã", "xã"]}
    )
    ids, errors = match_units(pd.Series(["bao lam", "Bảo Lam"]), twins, "r.csv", "unit_id")
    assert ids.tolist() == [None, "b"]
    assert "several units (Xã Bảo Lam, Xã Bảo Lâm)" in errors[0].message("en")


def test_geography_file_problems_reported_together(tmp_path):
    folder = shutil.copytree(geography_dir(), tmp_path / "geo")
    text = (folder / "geography.yaml").read_text(encoding="utf-8")
    text = text.replace('valid_from: "2025-07-01"', 'valid_from: "2025-07-02"')
    text = text.replace("to_period: communes_2025", "to_period: communes_2026")
    (folder / "geography.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(SimlibError) as info:
        load_geography(folder)
    message = info.value.message("en")
    assert "periods.1.valid_from" in message and "transition.to_period" in message and "communes_2026" in message


def test_geography_schema_problems(tmp_path):
    folder = shutil.copytree(geography_dir(), tmp_path / "geo")
    text = (folder / "geography.yaml").read_text(encoding="utf-8")
    (folder / "geography.yaml").write_text(text.replace("level: commune", "level: county"), encoding="utf-8")
    with pytest.raises(SimlibError) as info:
        load_geography(folder)
    message = info.value.message("en")
    assert "geography.yaml" in message and "periods.1.level" in message and "county" in message


def test_commune_baseline_is_flagged_estimated(geo):
    ds = load_dataset("caobang")
    base = commune_baseline(ds.counts, ds.unit_ids, geo)
    assert base.estimated and base.period == "communes_2025"
    assert "Population weights" in base.method_en and "largest remainder" in base.method_en
    assert "ƯỚC TÍNH" in base.method_vi
    assert list(base.units["unit_id"]) == list(geo.period("communes_2025").unit_ids)
    np.testing.assert_array_equal(base.counts, move_to_communes(ds.counts, ds.unit_ids, geo))
