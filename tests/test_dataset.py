"""The bundled baseline and the import path for a province's own annual-review counts."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
from conftest import TINY

from simlib.dataset import Dataset, load_dataset
from simlib.errors import InputError, SimlibError
from simlib.review_import import import_review
from simlib.states import POOR


def test_bundled_caobang_matches_published_totals():
    ds = load_dataset("caobang")
    assert len(ds.unit_ids) == 10 and ds.baseline_year == 2023
    total = ds.counts.sum()
    poor = ds.counts[..., POOR].sum()
    assert 100 * poor / total == pytest.approx(24.71, abs=0.01)  # published end-2023 rate
    assert ds.poor_district.any() and not ds.poor_district.all()
    pdist = ds.counts[ds.poor_district]
    assert pdist[..., POOR].sum() / pdist.sum() > poor / total  # poor districts are poorer
    assert (ds.counts >= 0).all() and np.allclose(ds.counts, np.round(ds.counts))
    units = pd.read_csv(ds.path / "units.csv")
    per_unit = ds.counts.sum(axis=(1, 2, 3))
    np.testing.assert_array_equal(per_unit, units["households_2023"].to_numpy())


def test_baseline_rows_are_marked_estimated_with_basis():
    df = pd.read_csv(load_dataset("caobang").path / "baseline_2023.csv")
    assert {"estimated", "basis"} <= set(df.columns)
    assert df["basis"].astype(str).str.len().min() > 0


def test_import_review_round_trip(tmp_path):
    ds = load_dataset(TINY)
    src = tmp_path / "review.xlsx"
    ds.counts_frame().to_excel(src, index=False)
    out = import_review(src, template=TINY, out_dir=tmp_path / "mine", name="mine")
    back = load_dataset(out)
    np.testing.assert_allclose(back.counts, ds.counts)
    assert back.name == "mine"


def _review(tmp_path, df, name="r.csv"):
    p = tmp_path / name
    df.to_csv(p, index=False)
    return p


@pytest.mark.parametrize(
    "mutate,fragment",
    [
        (lambda df: df.drop(columns=["households"]), "missing columns: households"),
        (
            lambda df: df.assign(households=df["households"].where(df.index != 3, -7)),
            "negative household counts at rows 5",
        ),
        (lambda df: pd.concat([df, df.iloc[[0]]]), "duplicated cells"),
        (lambda df: df.assign(unit_id=df["unit_id"].where(df.index != 0, "atlantis")), "atlantis"),
        (lambda df: df.assign(state=df["state"].where(df.index != 1, "rich")), "rich"),
        (
            lambda df: df.assign(households=df["households"].astype(str).where(df.index != 2, "many")),
            "not a number at rows 4",
        ),
    ],
)
def test_import_review_rejects_bad_data(tmp_path, mutate, fragment):
    df = mutate(load_dataset(TINY).counts_frame())
    with pytest.raises(SimlibError) as info:
        import_review(_review(tmp_path, df), template=TINY, out_dir=tmp_path / "x")
    assert fragment in info.value.message("en")
    assert not (tmp_path / "x").exists()


def test_escaped_without_years_is_split(tmp_path):
    df = load_dataset(TINY).counts_frame()
    esc = (
        df[df["state"].str.startswith("escaped")]
        .groupby(["unit_id", "ethnic_group", "area"], as_index=False)["households"]
        .sum()
    )
    esc["state"] = "escaped"
    df = pd.concat([df[~df["state"].str.startswith("escaped")], esc])
    out = import_review(_review(tmp_path, df), template=TINY, out_dir=tmp_path / "y")
    back = load_dataset(out)
    orig = load_dataset(TINY)
    assert back.counts[..., 2:5].sum() == pytest.approx(orig.counts[..., 2:5].sum())


def _with_column(values) -> Dataset:
    """The tiny dataset with a text column `flag` (as units.csv is read: strings)."""
    ds = load_dataset(TINY)
    units = ds.units.copy()
    units["flag"] = pd.Series(values, dtype=str)
    return replace(ds, units=units)


@pytest.mark.parametrize(
    "values,expected",
    [
        (["true", "false", "TRUE"], [True, False, True]),
        (["1", "0", " 0 "], [True, False, False]),
        (["yes", "no", "No"], [True, False, False]),
        (["có", "không", "Không"], [True, False, False]),
    ],
)
def test_unit_flag_reads_text_flags_by_their_words(values, expected):
    """A text column is read word by word: "false", "0", "no", "không" are False (the former
    `to_numpy(bool)` read every non-empty text, "false" included, as True)."""
    np.testing.assert_array_equal(_with_column(values).unit_flag("flag"), expected)


@pytest.mark.parametrize(
    "values,rows,bad", [(["true", "unknown", "false"], "3", "unknown"), (["", "true", "x"], "2, 4", "x")]
)
def test_unit_flag_refuses_anything_else_naming_column_rows_and_values(values, rows, bad):
    with pytest.raises(InputError) as info:
        _with_column(values).unit_flag("flag")
    err = info.value
    assert err.code == "csv_values" and err.field == "flag" and err.fields["rows"] == rows
    assert bad in str(err) and "units.csv" in str(err) and "không" in str(err)


def test_unit_flag_of_the_commune_dataset_region_iii_and_unknown_columns():
    """data/caobang_communes: `extremely_disadvantaged` (text true/false) gives the 53 xã;
    `poor_commune` holds `unknown` and is refused rather than read as True."""
    ds = load_dataset("caobang_communes")
    flags = ds.unit_flag("extremely_disadvantaged")
    assert flags.dtype == bool and flags.sum() == 53
    assert not flags[list(ds.unit_ids).index("01273")]  # Phường Thục Phán, region I
    with pytest.raises(InputError):
        ds.unit_flag("poor_commune")
