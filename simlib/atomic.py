"""Safe outputs: simlib never deletes or changes a file it did not write, and a reader never sees
a half-written file or folder.

**Ownership.** Every folder simlib writes carries a marker file, `.simlib-output` (JSON: the
kind of output — `run`, `batch`, `calibration`, `backtest`, `optimization`, `sensitivity`,
`robustness`, `dataset` — and every file it wrote with its size). An output folder may be new,
empty, or one simlib wrote before for the same kind of output whose files are still exactly the
ones it wrote (nothing added, nothing changed in size). Anything else is refused before any work
(`check_output`) with a message naming the folder, the files in the way and what to do.

**All or nothing.** `atomic_dir` builds the new folder as `.NAME.partial-PID-XXXX` beside the
target and swaps it in with `os.replace`; the previous output is moved aside as `.NAME.old-PID`
for the instant of the swap and then removed. On any error (Ctrl-C included) the target is
untouched.

**One writer at a time.** A writer holds `.NAME.lock` beside the target (an exclusive
`fcntl.flock`, released by the system if the process dies) from its last check to the swap; a
second writer of the same folder gets a clear error. (Without `fcntl`, on Windows, no lock is taken.)

**Leftovers of killed runs** are cleaned by the next writer of the same target, only when simlib
made them and their process is gone: `.NAME.partial-PID-*` (incomplete) is removed;
`.NAME.old-PID` (the previous output) is put back if the target is missing, otherwise removed.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import re
import shutil
import socket
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path

from simlib.errors import InputError, odd_entry, raise_if_any
from simlib.paths import display_path, typable_path

try:  # pragma: no cover - always present on Linux and macOS
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None

MARKER = ".simlib-output"
OWNER = ".simlib-partial"  # inside a folder being built: who builds it
KINDS = ("run", "batch", "calibration", "backtest", "optimization", "sensitivity", "robustness", "dataset")
_LEFTOVER = re.compile(r"^\.(?P<name>.+)\.(?P<what>partial|old)-(?P<pid>\d+)(?:-.*)?$")
_LOCK = re.compile(r"^\..+\.lock$")
_SHOWN = 5  # file names shown in a message


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _usual_mode(path: Path, directory: bool) -> None:
    """Give a temporary file or folder the permissions a plain open()/mkdir() would have
    (mkstemp/mkdtemp make them private), so shared report folders stay readable."""
    with contextlib.suppress(OSError):
        os.chmod(path, (0o777 if directory else 0o666) & ~_umask())


def _shown(path: Path) -> str:
    return display_path(path)


def shown_names(items: Iterable[str]) -> str:
    items = sorted(items)
    return ", ".join(items[:_SHOWN]) + (f", … (+{len(items) - _SHOWN})" if len(items) > _SHOWN else "")


# --- the ownership marker -------------------------------------------------------------------------


def listing(folder: Path) -> dict[str, int]:
    """Every file under `folder` (relative POSIX path -> size in bytes; folders as `name/` -> -1),
    the marker itself left out."""
    out: dict[str, int] = {}
    for root, dirs, files in os.walk(folder):
        rel = Path(root).relative_to(folder)
        for d in dirs:
            out[(rel / d).as_posix() + "/"] = -1
        for f in files:
            if rel == Path(".") and f == MARKER:
                continue
            with contextlib.suppress(FileNotFoundError):  # removed while we look: not there
                out[(rel / f).as_posix()] = (Path(root) / f).stat().st_size
    return out


def read_marker(folder: Path) -> dict | None:
    """The marker of a folder simlib wrote, or None (no marker, or not one of simlib's)."""
    try:
        doc = json.loads((Path(folder) / MARKER).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(doc, dict) or doc.get("written_by") != "simlib" or doc.get("kind") not in KINDS:
        return None
    if not isinstance(doc.get("files"), dict):
        return None
    return doc


def write_marker(folder: Path, kind: str, files: dict[str, int] | None = None) -> None:
    """Record that simlib wrote `folder` (as output `kind`), with its files (default: all of them)."""
    doc = {
        "written_by": "simlib",
        "kind": kind,
        "note": "simlib replaces this folder only while its files are exactly the ones listed here",
        "files": listing(folder) if files is None else files,
    }
    path = Path(folder) / MARKER
    tmp = path.with_name(f"{MARKER}.partial-{os.getpid()}")
    tmp.write_text(json.dumps(doc, ensure_ascii=False, indent=1, sort_keys=True), encoding="utf-8")
    os.replace(tmp, path)


def ownership_problems(target: Path, kind: str, field: str = "--out") -> list[InputError]:
    """Why `target` may not be replaced by output `kind` (empty list: it may)."""
    shown = _shown(target)
    odd = odd_entry(target, typable_path(target), field, links_only=True)
    if odd is not None:  # a link in a circle or to nothing: the swap at the end would fail on it
        return [odd]
    try:
        if not target.exists():
            return []
    except OSError as exc:
        return [os_problem(exc, target, field)]
    if not target.is_dir():
        return [InputError("output_exists", file=shown, field=field)]
    found = listing(target)
    marker = read_marker(target)
    if marker is None:
        if not found and not (target / MARKER).exists():
            return []
        return [InputError("output_not_simlib", file=shown, field=field, files=shown_names(found) or MARKER)]
    if marker["kind"] != kind:
        return [InputError("output_other_kind", file=shown, field=field, other=marker["kind"], kind=kind)]
    listed = marker["files"]
    foreign = [name for name, size in found.items() if listed.get(name) != size]
    if foreign:
        return [InputError("output_changed", file=shown, field=field, files=shown_names(foreign))]
    return []


def _inside(path: Path, folder: Path) -> bool:
    try:
        path.resolve().relative_to(folder.resolve())
        return True
    except (ValueError, OSError, RuntimeError):  # RuntimeError: a link in a circle (Python < 3.13)
        return False


def inputs_inside(target: Path, inputs: Iterable, field: str = "--out") -> list[InputError]:
    """Input files that lie inside `target` (which the run would replace), each named once;
    none when `target` is a file (never replaced: `ownership_problems` refuses it, and an input
    given as `--out` is that file, not inside a folder)."""
    with contextlib.suppress(OSError):  # a name the system refuses: said by the other checks
        if target.is_file():
            return []
    bad = dict.fromkeys(_shown(Path(p)) for p in inputs if p is not None and _inside(Path(p), target))
    if not bad:
        return []
    return [InputError("input_inside_output", file=_shown(target), field=field, files=shown_names(bad))]


def writer_leftover(name: str) -> bool:
    """Whether `name` is one a writer of a target leaves beside it: `.NAME.lock`, and after a
    killed run `.NAME.partial-PID…` or `.NAME.old-PID` (see the module docstring)."""
    return bool(_LEFTOVER.match(name) or _LOCK.match(name))


# --- the environment ------------------------------------------------------------------------------


#: errors of the system that a user can fix (disk, permissions, names), reported without traceback
ENVIRONMENT_ERRNOS = {
    errno.ENOSPC,
    errno.EDQUOT,
    errno.EROFS,
    errno.EACCES,
    errno.EPERM,
    errno.ENAMETOOLONG,
    errno.EMFILE,
    errno.EIO,
    errno.ENOTDIR,
    errno.EISDIR,
}


#: message codes of the commonest of them (others: `os_error` with the system's own words)
_OS_CODES = {
    errno.ENOSPC: "os_disk_full",
    errno.EDQUOT: "os_disk_full",
    errno.EROFS: "os_read_only",
    errno.EACCES: "os_permission",
    errno.EPERM: "os_permission",
    errno.ENAMETOOLONG: "os_name_long",
}


def os_problem(exc: OSError, path: Path | str | None = None, field: str | None = None) -> InputError:
    """An error of the system (disk full, read-only, no permission, name too long) as a user error."""
    where = path if path is not None else (exc.filename or None)
    code = _OS_CODES.get(exc.errno or 0, "os_error")
    detail = exc.strerror or type(exc).__name__
    return InputError(code, file=_shown(Path(where)) if where else None, field=field, detail=detail)


def _name_max(folder: Path) -> int:
    try:
        return int(os.pathconf(folder, "PC_NAME_MAX"))
    except (OSError, ValueError, AttributeError):  # pragma: no cover - no pathconf
        return 255


def environment_problems(target: Path, field: str = "--out", probe: bool = True) -> list[InputError]:
    """Can `target` be written at all? Checked before any work: every missing folder name fits,
    the temporary name beside it fits, and the nearest existing folder accepts a new entry — by
    the system's permissions (`os.access`, which changes nothing) and, with `probe`, by making and
    removing an empty folder in it (a full disk, a refusal `access` cannot know; this touches the
    folder's modification time, so it is done only once the command will run)."""
    target = Path(os.path.abspath(target))
    anc, missing = target.parent, [target.name]
    try:
        while not anc.exists():
            missing.append(anc.name)
            anc = anc.parent
    except OSError as exc:
        return [os_problem(exc, target, field)]
    if not anc.is_dir():
        return [InputError("output_blocked", file=_shown(target), field=field, blocker=_shown(anc))]
    limit = _name_max(anc)
    overhead = len(f"..partial-{os.getpid()}-xxxxxxxx")
    for name in missing:
        room = limit - (overhead if name == target.name else 0)
        if len(os.fsencode(name)) > room:
            return [InputError("output_name_long", file=_shown(target), field=field, n=len(name), limit=room)]
    if not os.access(anc, os.W_OK | os.X_OK):
        code = _refusal(anc)
        return [os_problem(OSError(code, os.strerror(code)), anc, field)]
    try:
        if probe:
            os.rmdir(tempfile.mkdtemp(prefix=".simlib-probe-", dir=anc))
    except OSError as exc:
        return [os_problem(exc, anc, field)]
    return []


def _refusal(folder: Path) -> int:
    """Why `os.access` refuses to write in `folder`: a file system mounted read-only, or no
    permission."""
    try:
        read_only = bool(os.statvfs(folder).f_flag & os.ST_RDONLY)
    except (OSError, AttributeError):  # pragma: no cover - no statvfs
        read_only = False
    return errno.EROFS if read_only else errno.EACCES


def place_problems(target: str | Path, field: str = "--out") -> list[InputError]:
    """Why `target` cannot be an output folder that is replaced as a whole: no name at all
    (`--out ""`), or the current folder or one holding it (`--out .`, `--out ..`): swapping it
    would pull the folder from under the user's shell, and its writer's lock would lie inside it."""
    if not str(target).strip():
        return [InputError("output_no_name", field=field)]
    if _inside(Path.cwd(), Path(target)):
        return [InputError("output_holds_cwd", file=_shown(Path(target)), field=field)]
    return []


def check_output(target: str | Path, kind: str, inputs: Iterable = (), field: str = "--out") -> Path:
    """Everything that would stop `target` from being written as output `kind`, checked before
    any work: its place, ownership, inputs inside it, another writer, and the environment. Raises
    all problems at once."""
    raise_if_any(place_problems(target, field))
    target = Path(target)
    errors = ownership_problems(target, kind, field)
    errors += inputs_inside(target, inputs, field)
    if not errors:
        errors += lock_problems(target, field) or environment_problems(target, field)
    raise_if_any(errors)
    return target


def output_folder(path: str | Path, field: str = "--out", kind: str = "run", inputs: Iterable = ()) -> Path:
    """`path` as the output folder of a command, checked before any work (see `check_output`)."""
    return check_output(path, kind, inputs, field)


# --- one writer at a time -------------------------------------------------------------------------


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True
    return True


def _holder(fd: int) -> str:
    with contextlib.suppress(OSError):
        return os.pread(fd, 32, 0).decode("ascii", "replace").strip() or "?"
    return "?"


def lock_problems(target: Path, field: str = "--out") -> list[InputError]:
    """Another process writing `target` right now (checked before any work; `folder_lock`
    settles it for good when writing)."""
    if fcntl is None:  # pragma: no cover - Windows
        return []
    try:
        fd = os.open(target.parent / f".{target.name}.lock", os.O_RDONLY)
    except OSError:
        return []
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        fcntl.flock(fd, fcntl.LOCK_UN)
        return []
    except BlockingIOError:
        return [InputError("output_busy", file=_shown(target), field=field, pid=_holder(fd))]
    except OSError:
        return []
    finally:
        os.close(fd)


@contextlib.contextmanager
def folder_lock(target: Path, field: str = "--out") -> Iterator[None]:
    """Hold the exclusive right to write `target` (lock file `.NAME.lock` beside it)."""
    if fcntl is None:  # pragma: no cover - Windows
        yield
        return
    lock = target.parent / f".{target.name}.lock"
    while True:
        fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o666 & ~_umask())
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            other = _holder(fd)
            os.close(fd)
            raise InputError("output_busy", file=_shown(target), field=field, pid=other) from None
        try:
            same = os.path.samestat(os.fstat(fd), os.stat(lock))
        except FileNotFoundError:
            same = False
        if same:
            break
        os.close(fd)  # the previous holder removed the file between our open and lock: try again
    try:
        os.ftruncate(fd, 0)
        os.write(fd, str(os.getpid()).encode("ascii"))
        yield
    finally:
        with contextlib.suppress(OSError):
            os.unlink(lock)
        os.close(fd)


def clean_leftovers(target: Path) -> list[Path]:
    """Remove what killed writers of `target` left beside it (see the module docstring); call it
    while holding the target's lock. Returns what was removed or restored."""
    done: list[Path] = []
    try:
        entries = list(target.parent.iterdir())
    except OSError:
        entries = []
    for entry in entries:
        m = _LEFTOVER.match(entry.name)
        if not m or m["name"] != target.name or _alive(int(m["pid"])):
            continue
        if m["what"] == "partial":
            if entry.is_file() and not entry.is_symlink():
                entry.unlink(missing_ok=True)
                done.append(entry)
            elif entry.is_dir() and _own_partial(entry):
                shutil.rmtree(entry, ignore_errors=True)
                done.append(entry)
        elif entry.is_dir() and read_marker(entry) is not None:
            if not target.exists():
                os.replace(entry, target)  # the swap was cut short: the previous output goes back
            else:
                shutil.rmtree(entry, ignore_errors=True)
            done.append(entry)
    return done


def _own_partial(folder: Path) -> bool:
    try:
        doc = json.loads((folder / OWNER).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(doc, dict) and doc.get("host") == socket.gethostname()


# --- atomic writes --------------------------------------------------------------------------------


def _swap(tmp: Path, target: Path) -> None:
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


@contextlib.contextmanager
def atomic_dir(target: str | Path, kind: str = "run", inputs: Iterable = (), field: str = "--out") -> Iterator[Path]:
    """Yield a fresh temporary folder beside `target`; on success it replaces `target` and is
    marked as simlib's output of `kind`.

    `target` must be new, empty or an earlier simlib output of the same kind (checked again under
    the lock); `inputs` must not lie inside it. On any exception (including Ctrl-C) the temporary
    folder is removed and `target` is untouched.
    """
    target = Path(target)
    inputs = list(inputs)
    check_output(target, kind, inputs, field)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise os_problem(exc, target.parent, field) from None
    with folder_lock(target, field):
        raise_if_any(ownership_problems(target, kind, field))
        clean_leftovers(target)
        tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.partial-{os.getpid()}-", dir=target.parent))
        _usual_mode(tmp, directory=True)
        try:
            (tmp / OWNER).write_text(json.dumps({"pid": os.getpid(), "host": socket.gethostname()}), encoding="utf-8")
            yield tmp
            (tmp / OWNER).unlink(missing_ok=True)
            write_marker(tmp, kind)
            _swap(tmp, target)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise


@contextlib.contextmanager
def atomic_file(target: str | Path, mode: str = "w", **kw) -> Iterator:
    """Open a temporary file beside `target` for writing; rename it into place on success."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.partial-{os.getpid()}-", dir=target.parent)
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
