"""Where the project's parameters and data live.

The package ships inside the project checkout (installed editable), so the defaults are the
`params/` and `data/` folders beside `simlib/`. `SIMLIB_HOME` points elsewhere, e.g. to another
province's project folder.
"""

from __future__ import annotations

import os
import unicodedata
from pathlib import Path


def project_root() -> Path:
    """The project folder: `$SIMLIB_HOME` if set, else the folder that contains `simlib/`."""
    env = os.environ.get("SIMLIB_HOME")
    if env:
        return Path(env).expanduser().resolve()
    return Path(__file__).resolve().parent.parent


def params_dir() -> Path:
    """Default parameter folder (`params/`)."""
    return project_root() / "params"


def data_dir() -> Path:
    """Default data folder (`data/`)."""
    return project_root() / "data"


def scenarios_dir() -> Path:
    """Default scenario folder (`params/scenarios/`)."""
    return params_dir() / "scenarios"


def notebooks_dir() -> Path:
    """Report notebooks (`notebooks/`)."""
    return project_root() / "notebooks"


def workspace_dir() -> Path:
    """The user's workspace (`$SIMLIB_WORKSPACE`, else `workspace/` in the project; git-ignored):
    copies of the notebooks opened by `make lab` and the scenarios saved from the explorer."""
    env = os.environ.get("SIMLIB_WORKSPACE")
    if env:
        return Path(env).expanduser().resolve()
    return project_root() / "workspace"


def typable_path(path: os.PathLike | str) -> str:
    """A path a user can type where they stand: relative to the current folder when it is under
    it, else absolute (`display_path`'s project-relative form names nothing from another folder)."""
    p = Path(path).absolute()
    try:
        return str(p.relative_to(Path.cwd()))
    except ValueError:
        return str(p)


def display_path(path: os.PathLike | str) -> str:
    """A path as a user should see it: relative to the current folder or the project if possible."""
    p = Path(path)
    try:
        p = p.resolve()
    except (OSError, RuntimeError):  # RuntimeError: a link in a circle (Python < 3.13)
        return str(path)
    for base in (Path.cwd(), project_root()):
        try:
            return str(p.relative_to(base.resolve()))
        except ValueError:
            continue
    return str(p)


def as_on_disk(path: str) -> str:
    """`path` as the file system holds it when it is not there as typed but is under the other
    Unicode form of its accented letters (NFD, as macOS and some keyboards write «ế» as «e» and
    two marks, or NFC): both look the same on the screen, but are other names to Linux; else
    `path` unchanged."""
    if not isinstance(path, str) or os.path.lexists(path):
        return path
    for form in ("NFC", "NFD"):
        other = unicodedata.normalize(form, path)
        if other != path and os.path.lexists(other):
            return other
    return path


def written_path(base_dir: os.PathLike | str, written: str) -> Path:
    """The path a file names inside it (a scenario's `dataset`, `transitions`, `legal_frame`,
    `params`), `written` relative to that file's folder `base_dir` (or absolute), resolved: as the
    file system holds it when only the other Unicode form of its accented letters is there
    (`as_on_disk`, the one place the command line's paths are mended too)."""
    return Path(as_on_disk(str(Path(base_dir) / written))).resolve()
