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
    assert err.code == "path_missing_near"  # no suffix: said as a file or folder
    assert err.fields["near"] == str(tmp_path / "scenarios")  # absolute: tmp_path is outside the current folder


def test_no_folder_is_suggested_when_none_is_close(tmp_path):
    (tmp_path / "reports").mkdir()
    err = missing_file(tmp_path / "zzz_unrelated_name")
    assert err.code == "path_missing"
    assert missing_file(tmp_path / "zzz_unrelated_name.yaml").code == "file_missing"


def tree(root, *files):
    """Make `files` (relative paths) under `root`, with their folders."""
    for f in files:
        (root / f).parent.mkdir(parents=True, exist_ok=True)
        (root / f).write_text("name: x\n", encoding="utf-8")


def test_a_mistyped_parent_folder_finds_the_folder_the_planner_meant(tmp_path, monkeypatch):
    """`simlib batch param/scenarios` (the parent `params` mistyped): only the last name was
    compared with its neighbours, and `param/` is not there, so nothing was suggested. Each name
    that is not there is now replaced by the closest folder beside it (by hand: `param` is one
    letter from `params`, `scenarios` is there)."""
    tree(tmp_path, "params/scenarios/plan.yaml", "params/schema/x.yaml", "reports/a.html")
    monkeypatch.chdir(tmp_path)
    err = missing_file("param/scenarios")
    assert (err.code, err.fields["near"]) == ("path_missing_near", "params/scenarios")
    err = missing_file("prams/senarios")  # both names mistyped
    assert (err.code, err.fields["near"]) == ("path_missing_near", "params/scenarios")
    err = missing_file("param/scenarios/plan.yml")  # a file under the mistyped folder
    assert (err.code, err.fields["near"]) == ("file_missing_near", "params/scenarios/plan.yaml")


def test_a_far_parent_folder_suggests_nothing_of_it(tmp_path, monkeypatch):
    """`zzz/scenarios`: no folder is close to `zzz`, so no folder under it is guessed."""
    tree(tmp_path, "params/scenarios/plan.yaml")
    monkeypatch.chdir(tmp_path)
    assert missing_file("zzz/scenarios").code == "path_missing"


def test_a_missing_name_without_suffix_is_said_as_a_file_or_folder(tmp_path, monkeypatch):
    """`simlib batch scenarioss` names a folder, most likely: «không tìm thấy tệp» (file not found)
    misleads there; a name without a suffix is said as no file or folder of that name, a name
    with one (`plan.yaml`) still as a file."""
    monkeypatch.chdir(tmp_path)
    assert missing_file("scenarioss").message("vi") == "scenarioss: không tìm thấy tệp hay thư mục nào có tên này"
    assert missing_file("scenarioss").message("en") == "scenarioss: no file or folder of this name"
    assert missing_file("plan.yaml").message("en") == "plan.yaml: file not found"
