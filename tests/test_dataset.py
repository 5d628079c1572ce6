"""The bundled baseline and the import path for a province's own annual-review counts."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from conftest import TINY

from simlib.dataset import import_review, load_dataset
from simlib.errors import SimlibError
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
