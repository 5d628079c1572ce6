"""What every command shares: one check of the command-line arguments, before any work starts, and
the check of the output folder (`--out`) before anything is computed.

`argument_problems` is the one place where the values read from the command line are checked:
the input files named (`set_defaults(input_paths=...)`), the output folder's place and owner
(`set_defaults(out_kind=...)`), `--set KEY=VALUE`, a command's own
syntax (`set_defaults(arg_checks=...)`: `--years`, `--frontier`, `--budget-year`), `--engine`,
and `--seed`, `--jobs`, `--draws`, `--chunk`, `--uncertainty`, `--points`, `--morris`,
`--prior-scale`, `--year`, `--executor` and `--sampler` (`option_problems`; a later typed set of
run options can take it over whole), and what is inside the files the command reads
(`set_defaults(file_checks=...)`: a scenario's fields, an optimiser spec's, `file_problems`).
Every problem is reported at once, with argparse's own (`simlib.cli._Parser`): a planner who
mistyped `--jobs` and a field of the scenario learns of both in one message.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from simlib import i18n
from simlib.atomic import (
    check_output,
    environment_problems,
    inputs_inside,
    lock_problems,
    ownership_problems,
    place_problems,
)
from simlib.clock import fixed_time
from simlib.engines.kernel_cache import kernels_cached
from simlib.engines.registry import engine_names
from simlib.errors import InputError, InputErrors, missing_file, raise_if_any, written_oddly
from simlib.executors import EXECUTORS
from simlib.i18n.fmt import local_text, number
from simlib.lazy import resolve
from simlib.money_notes import grouped_amounts
from simlib.paths import as_on_disk, data_dir, display_path, params_dir, project_root, typable_path
from simlib.scenario_files import collect_scenarios, each_once
from simlib.scenario_sets import parse_set_args
from simlib.uncertainty.samplers import METHODS

if TYPE_CHECKING:  # annotations only: the scenario module reads datasets (pandas)
    from simlib.scenario import Scenario

#: the attribute of the parsed arguments holding the scenarios their check read ({path: Scenario})
READ = "scenarios_read"
#: the largest seed: numpy takes any non-negative integer, but seeds are stored as 64-bit integers
MAX_SEED = 2**63 - 1
#: the most draws, replications, base points or trajectories one option may ask for: each re-runs
#: the model (a states-model draw of a province takes a fraction of a second, a multidimensional
#: one about 5 CPU seconds: 10,000 of them about 14 hours), and the results of every draw are kept
#: in memory; a typo (`--draws 1000000000`) is refused before any work instead of running for days
MAX_DRAWS = 10_000
#: options counting runs of the model: above their limit the message says why (`option_too_many`)
COUNTS = ("draws", "uncertainty", "uncertainty_multidim", "points", "morris")
#: option (argparse dest) -> (flag, lowest allowed, highest allowed); None: no bound
LIMITS: dict[str, tuple[str, float | None, float | None]] = {
    "seed": ("--seed", 0, MAX_SEED),
    "jobs": ("--jobs", 1, None),
    "draws": ("--draws", 1, MAX_DRAWS),
    "chunk": ("--chunk", 1, None),
    "uncertainty": ("--uncertainty", 1, MAX_DRAWS),
    "points": ("--points", 2, MAX_DRAWS),
    "morris": ("--morris", 0, MAX_DRAWS),
    "year": ("--year", 2000, 2099),
}


def later(target: str) -> Callable:
    """The function `target` names (`"package.module:function"`), its module imported when it is
    first called (`simlib.lazy.resolve`): the library's work of one command (the
    engines with numba and their compiled kernels, the reports' notebook stack), which `--help`,
    `list` and the other commands need not load."""

    def call(*args, **kwargs):
        return resolve(target)(*args, **kwargs)

    call.__name__ = call.__qualname__ = target.rpartition(":")[2]
    call.__doc__ = f"`{target.replace(':', '.')}`, imported when first called (`later`)."
    return call


#: the checks of `simlib validate` and the other commands' scenario files (`simlib.batch.checks`:
#: the legal frame's rules, the model's structure), loaded when a command line names a scenario
check_all = later("simlib.batch:check_all")
#: a scenario file read and checked, and the folder of a dataset named on the command line
#: (`simlib.scenario`, `simlib.dataset`: the datasets' tables with pandas), loaded when a command
#: reads one: `--help`, `list` and a command refused before it reads a file do not load pandas
load_scenario = later("simlib.scenario:load_scenario")
resolve_dataset_path = later("simlib.dataset:resolve_dataset_path")
missing_dataset = later("simlib.dataset:missing_dataset")
#: a checked scenario's money warnings (`simlib.budget_bounds`: local money far above central money)
scenario_warnings = later("simlib.budget_bounds:scenario_warnings")


def _bound_text(lo, hi) -> str:
    if hi is None:
        return f"≥ {lo}"
    return f"{lo} … {hi}"


def _range_problem(args, dest: str, flag: str, value, allowed: str) -> InputError:
    """An option's value out of its range; `run --uncertainty 0` meant no draws (as `batch` reads
    it), which for `run` is the option left out: said so."""
    if dest == "uncertainty" and value == 0 and getattr(args, "out_kind", None) == "run":
        return InputError("option_zero_draws", field=flag, value=value, allowed=allowed, option=flag)
    return InputError("option_range", field=flag, value=value, allowed=allowed)


def option_problems(args, limits: dict | None = None) -> list[InputError]:
    """Problems with the options of parsed `args` (attributes that a command does not have, or
    that are None — not given — are skipped). `limits` overrides `LIMITS` per command."""
    table = dict(LIMITS, **(limits or {}))
    errors: list[InputError] = []
    for dest, (flag, lo, hi) in table.items():
        value = getattr(args, dest, None)
        if value is None or isinstance(value, bool) or not isinstance(value, (int, float)):
            continue
        if dest in COUNTS and hi is not None and value > hi:
            limit = local_text(number, hi)  # «10.000» / «10,000»: the same figure as the text around it
            errors.append(InputError("option_too_many", field=flag, value=value, allowed=f"≤ {hi}", limit=limit))
        elif (lo is not None and value < lo) or (hi is not None and value > hi):
            errors.append(_range_problem(args, dest, flag, value, _bound_text(lo, hi)))
    scale = getattr(args, "prior_scale", None)
    if scale is not None and not (math.isfinite(scale) and scale > 0):
        errors.append(InputError("cal_prior_scale", field="--prior-scale", value=scale, allowed="> 0, finite"))
    errors.extend(_choice_problems(args))
    try:  # the fixed time of reproducible outputs, checked with the options (every problem at once)
        fixed_time()
    except InputError as exc:
        errors.append(exc)
    return errors


def _choice_problems(args) -> list[InputError]:
    errors = []
    engine = getattr(args, "engine", None)
    if engine is not None and engine not in engine_names():  # as `simlib.options.RunOptions` says it
        errors.append(InputError("engine", field="--engine", value=engine, allowed=engine_names()))
    executor = getattr(args, "executor", None)
    if executor is not None:
        if executor not in EXECUTORS:
            errors.append(InputError("enum", field="--executor", value=executor, allowed=EXECUTORS))
    sampler = getattr(args, "sampler", None)
    if sampler is not None:
        if sampler not in METHODS:
            errors.append(InputError("enum", field="--sampler", value=sampler, allowed=METHODS))
    return errors


def caught(check: Callable, *args, **kwargs) -> list[InputError]:
    """The input problems `check(*args, **kwargs)` raises (none if it returns), to say with the others."""
    try:
        check(*args, **kwargs)
    except InputErrors as exc:
        return list(exc.errors)
    except InputError as exc:
        return [exc]
    return []


def input_problems(args) -> list[InputError]:
    """The input paths of parsed `args` that cannot be read, with the existing names closest to
    each (`errors.missing_file`, as reading the file would say), and files that are empty. A
    command names its inputs with `set_defaults(input_paths={dest: kind})`: kind "file" (a
    file, not empty), "scenarios" (scenario files
    or folders of them, `scenario_files.collect_scenarios`), "dataset" (a dataset's name or folder,
    `dataset.resolve_dataset_path`); an option's path is named by its flag."""
    errors: list[InputError] = []
    flags = getattr(args, "cli_flags", {})
    for dest, kind in getattr(args, "input_paths", {}).items():
        _accents_as_on_disk(args, dest)
        items = _given(args, dest)
        if kind == "scenarios":
            errors += caught(collect_scenarios, items)
        elif kind == "dataset":
            errors += [
                missing_dataset(str(v), flags.get(dest)) for v in items if not resolve_dataset_path(str(v)).is_dir()
            ]
        else:
            errors += [e for e in (_unreadable(Path(v), flags.get(dest)) for v in items) if e is not None]
    return errors


def _accents_as_on_disk(args, dest: str) -> None:
    """The paths given for `dest` written as the file system holds them (`paths.as_on_disk`: a
    name typed in NFD, `Kế hoạch/` pasted from macOS, finds the file saved as NFC), in `args`."""
    value = getattr(args, dest, None)
    if isinstance(value, list):
        setattr(args, dest, [as_on_disk(v) for v in value])
    elif isinstance(value, str):
        setattr(args, dest, as_on_disk(value))


def _unreadable(path: Path, field: str | None = None) -> InputError | None:
    """Why the input file `path` cannot be read (`errors.missing_file`), or that it is empty
    (0 bytes: saved before anything was written in it; a YAML reader would call it no mapping, a
    table reader say its own words); None if it can be read."""
    if not path.is_file():
        return missing_file(path, field=field)
    try:
        empty = path.stat().st_size == 0
    except OSError:  # gone, or no permission to look: reading it says why
        return None
    return InputError("file_empty", file=typable_path(path), field=field) if empty else None


def _given(args, dest: str) -> list:
    """The values given for `dest` (one or several; none if not given)."""
    value = getattr(args, dest, None)
    return [v for v in (value if isinstance(value, list) else [value]) if v]


def out_problems(args, read: Iterable = ()) -> list[InputError]:
    """The output folder `--out` of a command that names its output's kind
    (`set_defaults(out_kind=...)`), as `check_out` will check it before any work: its place, whose
    files it holds, the inputs inside it (those named on the command line and the files `read`
    names: a scenario's dataset), and, when all that is right, another writer and whether it can
    be written at all (`simlib.atomic`, by permissions only: nothing the user owns is touched
    while arguments may still be wrong; `check_out` probes the folder before the work)."""
    kind, out = getattr(args, "out_kind", None), getattr(args, "out", None)
    if kind is None or out is None:
        return []
    inputs = [Path(v) for dest in getattr(args, "input_paths", {}) for v in _given(args, dest)]
    inputs += [Path(p) for p in read if p]
    place = place_problems(out, "--out")
    if place:
        return place
    errors = ownership_problems(Path(out), kind, "--out") + inputs_inside(Path(out), inputs, "--out")
    return errors or lock_problems(Path(out), "--out") or environment_problems(Path(out), "--out", probe=False)


def out_name_problems(args) -> list[InputError]:
    """What is wrong with the name of the output folder `--out` of any command, before any work:
    blanks at its ends, quotes kept in it or Windows' backslashes (`errors.written_oddly`: the
    folder would be made under a name the planner cannot find), or, for a command writing
    results, a place inside simlib's own folders (`params/`, `data/`, `simlib/`: the results would
    mix with the model's inputs and code). A command whose output is an input of the model
    (`calibrate`'s transitions in `params/calibrated/`, `import-review`'s dataset in `data/`)
    says so with `set_defaults(out_is_input=True)`."""
    out = getattr(args, "out", None)
    if out is None or not str(out).strip():
        return []
    odd = written_oddly(str(out), "--out")
    if odd is not None:
        return [odd]
    if getattr(args, "out_is_input", False):
        return []
    for folder in (params_dir(), data_dir(), project_root() / "simlib"):
        if folder.is_dir() and _within(Path(out), folder):
            return [InputError("output_in_project", file=typable_path(out), field="--out", folder=typable_path(folder))]
    return []


def _within(path: Path, folder: Path) -> bool:
    """Whether `path` (which may not exist) is `folder` or lies under it, links followed."""
    try:
        path.resolve().relative_to(folder.resolve())
    except (ValueError, OSError, RuntimeError):  # RuntimeError: a link in a circle (Python < 3.13)
        return False
    return True


def readable(path) -> bool:
    """Whether the input file `path` is there and not empty: its contents can be checked (when
    not, `input_problems` says why)."""
    try:
        return path is not None and Path(path).is_file() and Path(path).stat().st_size > 0
    except OSError:
        return False


def readable_sets(items: Iterable[str] | None) -> list[str]:
    """The `--set` items, as typed, that can be read (`KEY=VALUE`; the others are said with the
    arguments): the scenario files are checked with these."""
    return [item for item in items or [] if not caught(parse_set_args, [item])]


def scenario_problems(
    paths: Iterable, set_items: Iterable[str] = (), read: dict | None = None
) -> tuple[list[InputError], list[Path]]:
    """Every problem inside the scenario files `paths` read with the overrides `set_items` (as
    typed), as `simlib validate` finds them (`simlib.batch.check_all`: fields, values, the legal
    frame, two files with one name), each attributed to its file; and the files the valid ones
    read (their datasets, parameters), for the check of `--out`. The valid scenarios go into
    `read` ({path: Scenario}), if given. A crash of simlib on a file is left to the command, which
    says it as the bug it is."""
    errors: list[InputError] = []
    inputs: list[Path] = []
    for p, found in check_all(list(paths), list(set_items)).items():
        if isinstance(found, InputErrors):
            errors += [e.with_file(display_path(p)) for e in found.errors]
        elif isinstance(found, InputError):
            errors.append(found.with_file(display_path(p)))
        elif not isinstance(found, BaseException):
            inputs += found.input_paths()
            if read is not None:
                read[p] = found
    return errors, inputs


def checked_scenario(args, path: str | Path) -> Scenario:
    """The scenario file `path`, as named on the command line, as the check of the arguments read
    it (`scenario_check`: read, validated, its legal frame enforced) — the command runs what was
    checked, without reading its files (scenario, dataset, parameters, legal frame) again — else
    read now (`load_scenario`, with the command's `--set` items)."""
    found = getattr(args, READ, {}).get(Path(path))
    return found if found is not None else load_scenario(path, getattr(args, "set_items", None))


def checked_scenarios(args, paths: Iterable[Path]) -> list[Scenario] | None:
    """The scenarios `paths` as the check of the arguments read them (`checked_scenario`); None if
    it did not read them all."""
    read = getattr(args, READ, {})
    found = [read.get(Path(p)) for p in paths]
    return None if any(s is None for s in found) else found


def scenario_check(dest: str, always: bool = True) -> Callable:
    """A file check (`file_problems`) of the scenario files given as `dest`: a file, or files and
    folders of them (each item as `collect_scenarios` reads it; one that cannot be read is said
    with the arguments and skipped), read with the `--set` items that can be read. `always=False`:
    only when something else is wrong (`simlib batch` runs the valid scenarios and says the
    others' problems; `simlib validate` lists them file by file). The valid scenarios read are
    kept on `args` for the command to run (`checked_scenario`)."""

    def check(args, bad: frozenset, others: bool) -> tuple[list[InputError], list[Path]]:
        if not (always or others):
            return [], []
        paths: list[Path] = []
        listed = getattr(args, "input_paths", {}).get(dest) == "scenarios"  # an empty file: said by the check
        for item in _given(args, dest):
            if listed and Path(item).is_dir():
                paths += [] if caught(collect_scenarios, [item]) else collect_scenarios([item])
            elif readable(item) or listed and Path(item).is_file():
                paths.append(Path(item))
        if not paths:
            return [], []
        paths = each_once(paths)  # `batch plan.yaml plan.yaml`: one scenario, not a name used twice
        return scenario_problems(
            paths, readable_sets(getattr(args, "set_items", None)), vars(args).setdefault(READ, {})
        )

    return check


def file_problems(args, known: list[InputError], pending: bool = False) -> tuple[list[InputError], list[Path]]:
    """The problems inside the files the command reads, said with those of the arguments, and
    the files they name (for `out_problems`). A command names its checks with
    `set_defaults(file_checks=[f])`: `f(args, bad, others)` returns `(problems, files read)`;
    `bad` holds the options already found wrong (`--objective`: the files are checked without
    them, so that nothing is said twice), `others` whether anything else is wrong (`simlib batch`
    and `simlib validate` say their files' problems themselves when the arguments are right)."""
    bad = frozenset(e.field for e in known if e.field)
    others = pending or bool(known)
    errors: list[InputError] = []
    inputs: list[Path] = []
    for check in getattr(args, "file_checks", ()):
        found, read = check(args, bad, others)
        errors += found
        inputs += read
    return errors, inputs


def argument_problems(args, pending: bool = False) -> list[InputError]:
    """Every problem with the values of parsed `args`, before any work: the input files named
    (`input_paths`), the output folder (`out_problems`), `--set KEY=VALUE`, the command's own
    checks (`set_defaults(arg_checks=[f])`, `f(args)` raising its problems), the options'
    values (`option_problems`; a command declares its own limits with
    `set_defaults(option_limits={...})`) and what is inside the files read (`file_problems`),
    in that order. `pending`: argparse found problems too (said with these)."""
    missing = input_problems(args)
    errors = caught(parse_set_args, getattr(args, "set_items", None))
    for check in getattr(args, "arg_checks", ()):
        errors += caught(check, args)
    errors += option_problems(args, getattr(args, "option_limits", None))
    inside, read = file_problems(args, missing + errors, pending)
    return missing + out_name_problems(args) + out_problems(args, read) + errors + inside


def check_options(args) -> None:
    """Raise every problem with the command-line arguments at once (see `argument_problems`)."""
    raise_if_any(argument_problems(args))


def check_out(out: str | Path, kind: str, inputs: Iterable = ()) -> Path:
    """The output folder `--out`, checked before any computation (see `simlib.atomic`)."""
    return check_output(out, kind, [Path(p) for p in inputs if p], field="--out")


def print_money_notes(
    paths: Iterable, lang: str, file=None, indent: str = "", set_items=(), shown: set[str] | None = None
) -> int:
    """Print a note for every budget amount of the scenario files `paths` and of the command
    line's overrides `set_items` (as typed, `KEY=VALUE`) written with a dot between groups of
    thousands (`simlib.money_notes`), to `file` (standard error by default), an override's note
    once however many files it applies to — also over several calls sharing `shown` (the notes'
    texts printed so far, updated); returns how many this call printed."""
    shown = set() if shown is None else shown
    before = len(shown)
    for p in paths:
        for note in grouped_amounts(p, display_path(p), set_items):
            text = note.message(lang)
            if note.line is None and text in shown:
                continue
            shown.add(text)
            print(indent + "⚠ " + text, file=file or sys.stderr)
    return len(shown) - before


def print_money_warnings(scen, lang: str, file=None, indent: str = "") -> None:
    """Print the warnings of the checked scenario `scen`'s money (`simlib.budget_bounds`: a
    year's local money far above its central money, perhaps written in a unit a thousand times
    smaller), to `file` (standard error by default); the run records them in its manifest."""
    for warning in scenario_warnings(scen):
        print(indent + "⚠ " + warning.message(lang), file=file or sys.stderr)


def say_first_compile(models: set, lang: str) -> None:
    """Before the work of `models` (the poverty models about to run) starts: the first-run note,
    when a multidimensional run is among them and numba's cache holds no compiled year — minutes
    with nothing else to show (a states run's kernels compile in seconds); `run` and `batch` alike."""
    if "multidim" in models and kernels_cached() is False:
        print(i18n.t("cli.first_compile", lang), file=sys.stderr)
