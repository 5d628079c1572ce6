"""Tables planners hand over: semicolon CSVs and hand-written numbers read without a guess
(`simlib.table_files`), through `import_review` and the calibration's readers."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from conftest import TINY

from simlib.calibrate.io import load_tables, numbers
from simlib.dataset import load_dataset
from simlib.errors import SimlibError
from simlib.review_import import import_review
from simlib.table_files import number_text, read_table


@pytest.mark.parametrize(
    "written,read",
    [
        ("4410", 4410.0),
        (" 4410 ", 4410.0),
        ("4,410", 4410.0),
        ("1,234,567", 1234567.0),
        ("1,234.5", 1234.5),
        ("4 410", 4410.0),
        ("4\u00a0410", 4410.0),
        ("1\u202f234\u202f567", 1234567.0),
        ("4.41", 4.41),
        ("4410.0", 4410.0),
        ("0", 0.0),
    ],
)
def test_numbers_read_as_written(written, read):
    text, dots, commas = number_text(pd.Series([written]))
    assert float(pd.to_numeric(text).iloc[0]) == read
    assert not dots[0] and not commas[0]


@pytest.mark.parametrize(
    "written,dot,comma",
    [
        ("4.410", True, False),  # 4 410 in Vietnamese, 4.41 in English
        ("12.345.678", True, False),
        ("-4.410", True, False),
        ("4,5", False, True),  # a decimal comma: 45 once thousands commas are dropped
        ("12,34", False, True),
        ("4.410,5", False, True),
        ("4,41,0", False, True),
    ],
)
def test_numbers_only_a_guess_could_read_are_flagged(written, dot, comma):
    _, dots, commas = number_text(pd.Series([written]))
    assert (bool(dots[0]), bool(commas[0])) == (dot, comma)


def test_rates_take_a_dot_as_decimal_point_and_refuse_any_comma():
    _, dots, commas = number_text(pd.Series(["24.710", "24,71", "24,710"]), whole=False)
    assert list(dots) == [False, False, False]
    assert list(commas) == [False, True, True]


def test_a_semicolon_csv_reads_as_the_comma_one(tmp_path):
    df = load_dataset(TINY).counts_frame()
    df.to_csv(tmp_path / "a.csv", index=False)
    df.to_csv(tmp_path / "b.csv", index=False, sep=";")
    pd.testing.assert_frame_equal(read_table(tmp_path / "a.csv"), read_table(tmp_path / "b.csv"))


def test_import_review_of_a_vietnamese_spreadsheet_csv(tmp_path):
    """Semicolons and thousands grouped by spaces: the same counts as the plain file."""
    ds = load_dataset(TINY)
    df = ds.counts_frame()
    df["households"] = [f"{int(v):,}".replace(",", "\u00a0") for v in df["households"]]
    (tmp_path / "r.csv").write_text(df.to_csv(index=False, sep=";"), encoding="utf-8-sig")
    back = load_dataset(import_review(tmp_path / "r.csv", template=TINY, out_dir=tmp_path / "mine"))
    np.testing.assert_array_equal(back.counts, ds.counts)


def test_import_review_refuses_dotted_thousands_and_writes_nothing(tmp_path):
    df = load_dataset(TINY).counts_frame()
    counts = df["households"].to_numpy()
    big = np.flatnonzero(counts >= 1000)
    assert len(big) >= 2
    df["households"] = df["households"].astype(int).astype(str)
    df.loc[big, "households"] = [f"{int(v):,}".replace(",", ".") for v in df.loc[big, "households"]]
    small = int(np.flatnonzero(counts < 1000)[0])
    df.loc[small, "households"] = "12,5"
    (tmp_path / "r.csv").write_text(df.to_csv(index=False), encoding="utf-8")
    with pytest.raises(SimlibError) as info:
        import_review(tmp_path / "r.csv", template=TINY, out_dir=tmp_path / "x")
    text = info.value.message("en")
    first = df.loc[big[0], "households"]
    assert f"rows {', '.join(str(i + 2) for i in big[:10])}" in text
    assert f"“{first}”" in text and first.replace(".", "") in text
    assert f"rows {small + 2} have a comma" in text and "12.5" in text
    assert "dấu chấm chia nhóm ba chữ số" in info.value.message("vi")
    assert not (tmp_path / "x").exists()


def test_calibration_numbers_name_each_file_and_its_rows(tmp_path):
    for name, values in (("a.csv", ["10", "1.200", "3"]), ("b.csv", ["2,5", "7", "4.410"])):
        pd.DataFrame({"poor": values}).to_csv(tmp_path / name, index=False)
    df, _ = load_tables([tmp_path / "a.csv", tmp_path / "b.csv"])
    errors: list = []
    vals = numbers(df, "poor", True, errors)
    assert vals[0] == 10 and vals[2] == 3 and vals[4] == 7
    assert np.isnan(vals[[1, 3, 5]]).all()
    got = sorted((e.file.rsplit("/", 1)[-1], e.code, e.fields["rows"]) for e in errors)
    assert got == [
        ("a.csv", "csv_dot_groups", "3"),
        ("b.csv", "csv_decimal_comma", "2"),
        ("b.csv", "csv_dot_groups", "4"),
    ]
