"""Helpers for the hostile-input tests: a private copy of the corpus, the command line run in this
process, and snapshots of a folder (names, sizes, hashes) to prove nothing else changed."""

from __future__ import annotations

import contextlib
import hashlib
import io
import shutil
from pathlib import Path

from simlib.cli import main

HOSTILE = Path(__file__).resolve().parent / "hostile"
TINY = Path(__file__).resolve().parent / "fixtures" / "tiny"
#: what a user must never see: simlib's own failures
INTERNAL = ("Traceback", "Internal simlib error", "Lỗi nội bộ")


def copy_corpus(root: Path) -> Path:
    """`root/hostile` (the corpus) and `root/fixtures/tiny` (the dataset its scenarios use)."""
    shutil.copytree(HOSTILE, root / "hostile")
    shutil.copytree(TINY, root / "fixtures" / "tiny")
    return root


def cli(*argv: str) -> tuple[int, str]:
    """Run `simlib ARGV` in this process: (exit status, everything it printed)."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main([str(a) for a in argv])
        except SystemExit as exc:  # argparse's own usage errors
            code = exc.code
    return int(code), out.getvalue() + err.getvalue()


def snapshot(folder: Path, skip: tuple[str, ...] = ()) -> dict[str, tuple[int, str]]:
    """Every entry under `folder` (relative path -> size and sha256; folders as -1), leaving out
    the paths in `skip` (a run's own output) and everything under them."""
    out: dict[str, tuple[int, str]] = {}
    for p in sorted(folder.rglob("*")):
        rel = p.relative_to(folder).as_posix()
        if any(rel == s or rel.startswith(s + "/") for s in skip):
            continue
        if p.is_dir():
            out[rel + "/"] = (-1, "")
        else:
            out[rel] = (p.stat().st_size, hashlib.sha256(p.read_bytes()).hexdigest())
    return out


def assert_user_error(code: int, text: str, fragments=()) -> None:
    """Exit status 2, no traceback or internal error, and every fragment in the message."""
    assert code == 2, text
    for bad in INTERNAL:
        assert bad not in text, text
    for frag in fragments:
        assert frag in text, f"{frag!r} not in {text!r}"
