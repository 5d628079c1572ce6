"""A mistyped folder finds the folder beside it, as a mistyped file finds the file
(`simlib.errors.missing_file`): `simlib batch params/scenario` said «không tìm thấy tệp» with no
suggestion, though `params/scenarios` is one letter away."""

from __future__ import annotations

from simlib.errors import missing_file


def test_a_folder_one_letter_away_is_suggested(tmp_path):
    (tmp_path / "scenarios").mkdir()
    (tmp_path / "scenarios" / "a.yaml").write_text("name: a\n", encoding="utf-8")
    (tmp_path / "reports").mkdir()
    err = missing_file(tmp_path / "scenario")
    assert err.code == "file_missing_near"
    assert err.fields["near"] == str(tmp_path / "scenarios")  # absolute: tmp_path is outside the current folder


def test_no_folder_is_suggested_when_none_is_close(tmp_path):
    (tmp_path / "reports").mkdir()
    err = missing_file(tmp_path / "zzz_unrelated_name")
    assert err.code == "file_missing"
