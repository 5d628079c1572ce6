"""Officers (cán bộ làm công tác giảm nghèo) of a unit on each level (issue 19): district units add
the district's own staff; commune-level units (from 1 July 2025, no district tier) add none and count
the per-commune officers for each legacy commune they merge (params/population.yaml)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import yaml

from simlib.dataset import load_dataset
from simlib.model import unit_officers
from simlib.paths import data_dir, params_dir

SIZES = yaml.safe_load((params_dir() / "population.yaml").read_text(encoding="utf-8"))["sizes"]


def test_commune_units_have_no_district_staff():
    """plan_2027's dataset: every unit counts 12 officers per legacy commune it merges, read by hand
    from the committed units.csv (Xã Bảo Lâm 01290: 3 old communes -> 36; Phường Thục Phán 01273:
    5 -> 60), and the province has 161 x 12 = 1,932 — no 6 district officers on any of the 56."""
    ds = load_dataset("caobang_communes")
    assert ds.level == "commune"
    got = dict(zip(ds.unit_ids, unit_officers(ds, SIZES), strict=True))
    assert got["01290"] == 36 and got["01273"] == 60
    units = pd.read_csv(data_dir() / "caobang_communes" / "units.csv", dtype={"unit_id": str})
    assert int(units["old_units"].sum()) == 161
    np.testing.assert_array_equal([got[u] for u in units["unit_id"]], units["old_units"].to_numpy() * 12)
    assert sum(got.values()) == 1932


def test_district_units_keep_their_district_staff():
    """The 2024 districts: 12 per commune + 6 per district, so the province has 161 x 12 + 10 x 6
    = 1,992 — the 60 district officers the commune-level units no longer have."""
    ds = load_dataset("caobang")
    assert ds.level == "district"
    got = unit_officers(ds, SIZES)
    np.testing.assert_array_equal(got, ds.units["communes"].to_numpy(float) * 12 + 6)
    assert got.sum() == 1992
