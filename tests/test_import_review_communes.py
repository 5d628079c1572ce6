"""`simlib import-review --level commune`: review counts on the 56 commune-level units of Cao Bằng
(from 1 July 2025), named as people write them; hostile files refused with every problem at once."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hostile_helpers import HOSTILE, cli

from simlib.dataset import AREAS, GROUPS, load_dataset
from simlib.errors import SimlibError
from simlib.geography import fold, load_geography, move_to_communes
from simlib.review_import import import_review
from simlib.states import STATES


@pytest.fixture(scope="module")
def commune_review() -> pd.DataFrame:
    """A commune review table: the bundled district baseline moved to communes (whole numbers),
    units written as full names, short names without diacritics, or codes."""
    geo = load_geography()
    ds = load_dataset("caobang")
    counts = move_to_communes(ds.counts, ds.unit_ids, geo)
    units = geo.period("communes_2025").units
    full = units["name_vi"].to_numpy()
    plain = np.array([fold(n).split(" ", 1)[1] for n in full])
    written = np.where(np.arange(56) % 3 == 0, full, np.where(np.arange(56) % 3 == 1, plain, units["code"]))
    d, g, a, s = np.indices(counts.shape)
    return pd.DataFrame(
        {
            "unit_id": written[d.ravel()],
            "ethnic_group": np.array(GROUPS)[g.ravel()],
            "area": np.array(AREAS)[a.ravel()],
            "state": np.array(STATES)[s.ravel()],
            "households": counts.ravel().astype(int),
        }
    )


def test_commune_review_round_trip(tmp_path, commune_review):
    src = tmp_path / "review.csv"
    commune_review.to_csv(src, index=False)
    out = import_review(src, template="caobang", out_dir=tmp_path / "xa", level="commune", year=2025)
    back = load_dataset(out)
    assert len(back.unit_ids) == 56 and back.unit_ids[0] == "01273"
    assert back.counts.sum() == commune_review["households"].sum()
    assert back.meta["geography"]["period"] == "communes_2025"
    # the same counts as the table, unit by unit
    per_unit = back.counts.sum(axis=(1, 2, 3))
    geo = load_geography()
    expected = move_to_communes(load_dataset("caobang").counts, load_dataset("caobang").unit_ids, geo)
    np.testing.assert_array_equal(per_unit, expected.sum(axis=(1, 2, 3)))
    units = pd.read_csv(out / "units.csv", dtype=str)
    assert units["poor_district_basis"].str.startswith("derived").all()


def test_commune_review_problems_all_at_once(tmp_path, commune_review):
    df = commune_review.copy()
    df.loc[0, "unit_id"] = "Atlantis"
    df.loc[1, "unit_id"] = "Thuc Phann"
    df = pd.concat([df, df.iloc[[5]].assign(unit_id="Phường Thục Phán")], ignore_index=True)  # row 5 again
    df.loc[7, "households"] = -3
    src = tmp_path / "bad.csv"
    df.to_csv(src, index=False)
    with pytest.raises(SimlibError) as info:
        import_review(src, template="caobang", out_dir=tmp_path / "x", level="commune")
    text = info.value.message("en")
    assert "'Atlantis'" in text and "rows 2" in text
    assert "did you mean 'Thục Phán'" in text and "rows 3" in text
    assert "negative household counts at rows 9" in text
    assert not (tmp_path / "x").exists()
    df = commune_review.copy()
    df = pd.concat([df, df.iloc[[5]].assign(unit_id="phuong thuc phan")], ignore_index=True)
    df.to_csv(src, index=False)
    with pytest.raises(SimlibError) as info:
        import_review(src, template="caobang", out_dir=tmp_path / "x", level="commune")
    assert f"duplicated cells at rows 7, {len(df) + 1}" in info.value.message("en")


def test_cli_commune_review(tmp_path, monkeypatch, commune_review):
    monkeypatch.chdir(tmp_path)
    commune_review.to_csv("ok.csv", index=False)
    code, text = cli("--lang", "en", "import-review", "ok.csv", "--level", "commune", "--out", "xa")
    assert code == 0, text
    bad = commune_review.copy()
    bad.loc[3, "unit_id"] = "Bao Lamm"
    bad.to_csv("bad.csv", index=False)
    code, text = cli("--lang", "vi", "import-review", "bad.csv", "--level", "commune", "--out", "xa2")
    assert code == 2 and "Traceback" not in text
    assert "bad.csv" in text and "'Bảo Lâm'" in text and "dòng 5" in text
    assert not (tmp_path / "xa2").exists()


def test_hostile_commune_names(tmp_path, monkeypatch):
    """tests/hostile/reviews/review_communes_names.csv: a typo, a unit of another province and one
    cell written twice (with and without diacritics) — all three reported, nothing written."""
    monkeypatch.chdir(tmp_path)
    src = HOSTILE / "reviews" / "review_communes_names.csv"
    code, text = cli("--lang", "en", "import-review", src, "--level", "commune", "--out", "xa")
    assert code == 2 and "Traceback" not in text
    assert "3 problem(s) found" in text, text
    assert "review_communes_names.csv" in text
    assert "rows 5" in text and "did you mean 'Thục Phán'" in text
    assert "'Hà Nội'" in text and "rows 6" in text and "Bảo Lâm" in text  # the allowed names
    assert "duplicated cells at rows 2, 3" in text
    assert list(tmp_path.iterdir()) == []
