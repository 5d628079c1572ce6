"""The 2026–2030 poor and border communes (issue 19): no official list was found
(data/geography/SEARCHES.md), so the report's caveat states what simlib assumes, and it must say
what the data hold."""

from __future__ import annotations

import pandas as pd
import yaml

from simlib.paths import data_dir, project_root

UNITS = data_dir() / "caobang_communes" / "units.csv"


def caveat(lang: str) -> str:
    path = project_root() / "simlib" / "locale" / lang / "report.yaml"
    return yaml.safe_load(path.read_text(encoding="utf-8"))["report.caveat.estimated_communes"]


def test_caveat_states_the_assumed_poor_communes_as_the_data_hold_them():
    """37 of the 56 units are 'poor' because they hold an old commune of a 2024 poor district
    (k > 0 of legacy_poor_district_communes); both languages say so, and say it is an assumption."""
    units = pd.read_csv(UNITS, dtype=str)
    assert len(units) == 56
    k = units["legacy_poor_district_communes"].str.split("/").str[0].astype(int)
    assert ((k > 0) == (units["poor_district"] == "True")).all()
    assert int((k > 0).sum()) == 37
    vi, en = caveat("vi"), caveat("en")
    assert "37/56" in vi and "giả định" in vi and "huyện nghèo năm 2024" in vi
    assert "37 of the 56" in en and "assumption" in en and "2024 poor district" in en
    assert "21 xã biên giới" in vi and "21" in en and "not checked" in en


def test_border_and_poor_commune_columns_stay_unknown():
    """No list was found: neither column is guessed (a partial border list of the four communes
    named in reports would make the other 17 read as not border)."""
    units = pd.read_csv(UNITS, dtype=str)
    assert set(units["border"]) == set(units["poor_commune"]) == {"unknown"}


def test_border_communes_named_in_reports_are_units_of_the_resolution():
    """The four units the record names as border communes (data/geography/README.md) exist under
    those codes and names (checked by hand against NQ 1657's units)."""
    units = pd.read_csv(data_dir() / "geography" / "caobang" / "units_2025.csv", dtype=str).set_index("code")
    named = {"01648": "Xã Phục Hòa", "01324": "Xã Cốc Pàng", "01822": "Xã Đức Long", "01392": "Xã Trường Hà"}
    assert {code: units.loc[code, "name"] for code in named} == named
    readme = (data_dir() / "geography" / "README.md").read_text(encoding="utf-8")
    assert all(code in readme for code in named) and "21 xã biên giới" in readme
