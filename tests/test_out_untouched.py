"""While the arguments may still be wrong, checking `--out` changes nothing the user owns: not
even the modification time of the folder it would be made in (the write probe — a folder made
and removed — runs only once the command will run)."""

from __future__ import annotations

import os

import pytest
from hostile_helpers import assert_user_error, cli, copy_corpus

from simlib import atomic

S = "hostile/scenarios/"
OLD = (1_577_836_800, 1_577_836_800)  # 1 January 2020, as (atime, mtime) seconds


@pytest.fixture
def work(tmp_path, monkeypatch):
    root = copy_corpus(tmp_path / "work")
    monkeypatch.chdir(root)
    return root


def _aged(folder) -> os.stat_result:
    folder.mkdir()
    os.utime(folder, OLD)
    return folder.stat()


def test_a_wrong_scenario_leaves_the_out_folders_parent_as_it_was(work):
    parent = work / "mine"
    before = _aged(parent)
    bad = work / S / "bad.yaml"
    bad.write_text((work / S / "good.yaml").read_text(encoding="utf-8").replace("seed:", "sed:"), encoding="utf-8")
    code, text = cli("--lang", "en", "run", str(bad), "--out", "mine/out")
    assert_user_error(code, text, ["sed", "seed"])
    after = parent.stat()
    assert (after.st_mtime_ns, after.st_nlink) == (before.st_mtime_ns, before.st_nlink)
    assert list(parent.iterdir()) == []


def test_a_folder_the_system_refuses_is_said_without_a_probe(work, monkeypatch):
    """`os.access` refusing: the problem is said (no permission), and nothing is made to find it."""
    made = []
    monkeypatch.setattr(atomic.os, "access", lambda *a, **k: False)
    monkeypatch.setattr(atomic.tempfile, "mkdtemp", lambda *a, **k: made.append(a) or "x")
    problems = atomic.environment_problems(work / "mine" / "out", probe=False)
    assert [p.code for p in problems] == ["os_permission"] and made == []


def test_the_probe_still_runs_before_the_work(work, monkeypatch):
    """With the arguments right, the folder is probed (a full disk is known only by trying)."""

    def full(*a, **k):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(atomic.tempfile, "mkdtemp", full)
    code, text = cli("--lang", "en", "run", S + "good.yaml", "--out", "out")
    assert_user_error(code, text, ["disk is full"])
    assert not (work / "out").exists()
