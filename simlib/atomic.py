"""Atomic writes: a reader never sees a half-written file or folder, and a failed run leaves
nothing behind (the previous good output, if any, stays in place)."""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

from simlib.errors import InputError


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _usual_mode(path: Path, directory: bool) -> None:
    """Give a temporary file or folder the permissions a plain open()/mkdir() would have
    (mkstemp/mkdtemp make them private), so shared report folders stay readable."""
    with contextlib.suppress(OSError):
        os.chmod(path, (0o777 if directory else 0o666) & ~_umask())


def output_folder(path: str | Path, field: str = "--out") -> Path:
    """`path` as the output folder of a command; a file standing there is a user error (checked
    before any work starts, so nothing is computed for an output that cannot be written)."""
    path = Path(path)
    if path.exists() and not path.is_dir():
        raise InputError("output_exists", field=field, value=str(path))
    return path


@contextlib.contextmanager
def atomic_dir(target: str | Path) -> Iterator[Path]:
    """Yield a fresh temporary folder beside `target`; on success it replaces `target`.

    On any exception (including Ctrl-C) the temporary folder is removed and `target` is untouched.
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.partial-", dir=target.parent))
    _usual_mode(tmp, directory=True)
    try:
        yield tmp
        if target.exists():
            old = target.parent / f".{target.name}.old-{os.getpid()}"
            os.replace(target, old)
            try:
                os.replace(tmp, target)
            except BaseException:
                os.replace(old, target)
                raise
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(tmp, target)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


@contextlib.contextmanager
def atomic_file(target: str | Path, mode: str = "w", **kw) -> Iterator:
    """Open a temporary file beside `target` for writing; rename it into place on success."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.partial-", dir=target.parent)
    os.close(fd)
    _usual_mode(Path(tmp), directory=False)
    try:
        with open(tmp, mode, **kw) as fh:
            yield fh
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def write_text(target: str | Path, text: str) -> None:
    with atomic_file(target, "w", encoding="utf-8") as fh:
        fh.write(text)


def write_bytes(target: str | Path, data: bytes) -> None:
    with atomic_file(target, "wb") as fh:
        fh.write(data)
