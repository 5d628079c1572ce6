"""Which scenario files a command works on: files given by name, and every scenario in a folder.

Used by `simlib batch`, `simlib validate`, `simlib robustness` and the comparison notebook; it only
reads the file system (no scenario is loaded here)."""

from __future__ import annotations

from pathlib import Path

from simlib.errors import InputError, InputErrors, missing_file, raise_if_any
from simlib.paths import display_path, scenarios_dir, typable_path, written_path
from simlib.yaml_strict import empty_key_at_end


def collect_scenarios(inputs: list[str | Path]) -> list[Path]:
    """Scenario files from files and folders (folders: every *.yaml then *.yml, in any case, sorted), each file
    once however often it is named (`batch plan.yaml plan.yaml`, or a folder and a file in it: its
    second mention would be taken for another scenario of the same name, and the first dropped);
    every missing file and every folder without scenarios is reported at once."""
    paths: list[Path] = []
    errors = []
    for item in inputs:
        p = Path(item)
        if p.is_dir():
            found = _with_suffix(p, ".yaml") + _with_suffix(p, ".yml")
            if not found:
                errors.append(InputError("no_scenarios", file=display_path(p)))
            paths.extend(found)
        elif p.is_file():
            paths.append(p)
        else:
            errors.append(missing_file(p))
    raise_if_any(errors)
    return each_once(paths)


def _with_suffix(folder: Path, suffix: str) -> list[Path]:
    """The entries of `folder` whose name ends in `suffix` in any case (`A.YAML`: a file saved
    on Windows, where case does not matter), sorted."""
    return sorted(f for f in folder.iterdir() if f.suffix.lower() == suffix)


def each_once(paths: list[Path]) -> list[Path]:
    """`paths` with each file once (by its resolved path), as first named, in their order."""
    once: dict[Path, Path] = {}
    for p in paths:
        once.setdefault(p.resolve(), p)
    return list(once.values())


def linked_file(written: str, base_dir: Path, shown: str, field: str, holds: str | None = None) -> Path:
    """The file a scenario names at `field` (`transitions: ../calibrated/…/transitions.yaml`),
    `written` relative to the scenario's folder `base_dir`, resolved. Missing: an `InputError`
    naming the scenario `shown`, the field, the path as written and where it was looked for (a
    scenario copied out of params/scenarios keeps its relative paths, which then lead nowhere),
    suggesting the file the same path names from the bundled scenarios' folder, if there is one.
    With `holds` (a file's name), a folder holding that file is looked for (`params: ../params`),
    and a missing one is said once (not each of its files)."""
    path = written_path(base_dir, written)
    if (path / holds).is_file() if holds else path.is_file():
        return path
    bundled = written_path(scenarios_dir(), written)
    there = (bundled / holds).is_file() if holds else bundled.is_file()
    near = [typable_path(bundled)] if there and bundled != path else None
    if holds:  # a folder: its full path (`.` would say nothing)
        raise InputError(
            "linked_folder_missing", file=shown, field=field, value=written, looked=str(path), holds=holds, suggest=near
        )
    raise InputError(
        "linked_file_missing", file=shown, field=field, value=written, looked=typable_path(path), suggest=near
    )


def cut_file_note(exc: InputError | InputErrors, path: Path, shown: str) -> InputError | InputErrors:
    """`exc`, a scenario file's problems (a single one attributed to `shown` if it names no file),
    those about the key written on the file's last line with nothing after it (`    2024:`: the
    file stops where one cut off at a line end would, `yaml_strict.empty_key_at_end`) saying that
    the file looks cut off there. A key left empty on purpose is no problem and is not named."""
    errors = exc.errors if isinstance(exc, InputErrors) else [exc.with_file(shown)]
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError):
        return exc
    found = empty_key_at_end(text)
    if found is None:
        return exc
    field, line = found
    for e in errors:
        if e.field == field and e.file == shown:
            e.because.append(("err.cut_at_key", {"line": line, "text": text.split("\n")[line - 1].strip()}))
            e.args = (e.message("en"),)
    return exc
