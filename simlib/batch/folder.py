"""A batch's output folder (`reports/`): it collects outputs — the comparison and the index at
its top, one output folder per scenario — and may hold nothing else simlib did not write but the
`FURNITURE` (a README.md and the like). Its marker (`simlib.atomic`, kind `batch`) lists the
files simlib wrote at its top, with their sizes; the scenario folders carry markers of their own.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterable, Iterator
from pathlib import Path

from simlib.atomic import MARKER, os_problem, read_marker, shown_names, write_marker, writer_leftover
from simlib.errors import InputError, odd_entry
from simlib.paths import display_path, typable_path

#: what may sit in a collecting folder (a batch's `reports/`) beside simlib's outputs, never
#: written or deleted by simlib: a description of the folder (the repository's `reports/` ships a
#: README.md) and what version control, file browsers and Jupyter put there
FURNITURE = frozenset(
    {"README.md", ".gitignore", ".gitkeep", ".DS_Store", "Thumbs.db", "desktop.ini", ".ipynb_checkpoints"}
)


#: the size recorded for a file simlib is about to write (not yet written)
RESERVED = -2


def foreign_entries(folder: Path, listed: Iterable[str] = ()) -> list[str]:
    """The entries at the top of a collecting folder that simlib did not write: not its marker,
    not a file `listed` in it, not an output folder of simlib's own (with its marker), not what a
    writer leaves beside its target (`.NAME.lock`, `.NAME.partial-PID…`, `.NAME.old-PID`) and not
    `FURNITURE`. Folders end in '/'; a symbolic link is never simlib's."""
    listed = set(listed)
    out = []
    with os.scandir(folder) as entries:
        for entry in entries:
            name = entry.name
            if name in (MARKER, *FURNITURE) or writer_leftover(name):
                continue
            is_dir = entry.is_dir(follow_symlinks=False)
            if (name in listed and entry.is_file(follow_symlinks=False)) or (
                is_dir and read_marker(Path(entry.path)) is not None
            ):
                continue
            out.append(name + ("/" if is_dir else ""))
    return out


def collection_problems(folder: Path, kind: str, names: Iterable[str], field: str = "--out") -> list[InputError]:
    """For a folder that collects outputs (a batch's `reports/`): why simlib may not write the
    files `names` into it (empty list: it may). The folder must be new, empty, or one simlib wrote
    for `kind` before (its marker): it may hold nothing simlib did not write (`foreign_entries`;
    `FURNITURE` such as a README.md excepted), and none of the files simlib wrote there may have
    been changed since (size as recorded). Sub-folders that are outputs of their own are checked
    with `ownership_problems`."""
    shown = display_path(folder)
    odd = odd_entry(folder, typable_path(folder), field, links_only=True)
    if odd is not None:  # a link in a circle or to nothing: making the folder would fail on it
        return [odd]
    try:
        if not folder.exists():
            return []
    except OSError as exc:
        return [os_problem(exc, folder, field)]
    if not folder.is_dir():
        return [InputError("output_exists", file=shown, field=field)]
    marker = read_marker(folder)
    if marker is not None and marker["kind"] != kind:
        return [InputError("output_other_kind", file=shown, field=field, other=marker["kind"], kind=kind)]
    if marker is None and (folder / MARKER).exists():
        return [InputError("output_not_simlib", file=shown, field=field, files=MARKER)]
    listed = marker["files"] if marker else {}
    try:
        foreign = foreign_entries(folder, listed)
    except OSError as exc:
        return [os_problem(exc, folder, field)]
    foreign += [n for n in names if n not in listed and n not in foreign and (folder / n).exists()]
    if foreign:
        return [InputError("output_collection_foreign", file=shown, field=field, files=shown_names(foreign))]
    changed = [n for n, size in listed.items() if size >= 0 and _size(folder / n) not in (None, size)]
    if changed:
        return [InputError("output_changed", file=shown, field=field, files=shown_names(changed))]
    return []


def _size(path: Path) -> int | None:
    """The size of a file, or None (gone, or not a file)."""
    try:
        return path.stat().st_size if path.is_file() else None
    except OSError:
        return None


def mark_collection(folder: Path, kind: str, names: Iterable[str] = (), written: bool = False) -> None:
    """Record in a collecting folder's marker that simlib is about to write `names` (reserved:
    their sizes unknown until written); `written`: that every file listed is as simlib left it
    now (their sizes recorded). Names listed before that no longer exist are dropped, but for
    those still reserved while `written` is false (another step of the batch writes them later)."""
    marker = read_marker(folder) or {"files": {}}
    names = set(names)
    files = {}
    for n in sorted(set(marker["files"]) | names):
        size, before = _size(folder / n), marker["files"].get(n)
        if not written and (n in names or (size is None and before == RESERVED)):
            files[n] = RESERVED
        elif size is not None:
            files[n] = size if written else marker["files"].get(n, size)
    write_marker(folder, kind, files)


@contextlib.contextmanager
def removed_if_left_bare(folder: Path) -> Iterator[None]:
    """A collecting folder this block may create: if the block ends with an exception (Ctrl-C
    included) and the folder was not there before, it is removed when it holds nothing but the
    marker simlib put there (nothing half-written is left behind; one with any output stays)."""
    created = not folder.exists()
    try:
        yield
    except BaseException:
        if created:
            with contextlib.suppress(OSError):
                if set(os.listdir(folder)) <= {MARKER}:
                    (folder / MARKER).unlink(missing_ok=True)
                    folder.rmdir()
        raise
