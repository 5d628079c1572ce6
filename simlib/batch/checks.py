"""Before a batch runs anything: every scenario checked (all problems at once, a crash on one
file kept to that file), and the output folder checked so that nothing the batch writes replaces a
file simlib did not write.
"""

from __future__ import annotations

from pathlib import Path

from simlib.atomic import environment_problems, inputs_inside, ownership_problems
from simlib.batch.folder import collection_problems
from simlib.compliance import enforce
from simlib.dataset import NAME_PATTERN
from simlib.errors import InputError, InputErrors, raise_if_any
from simlib.i18n import LocalText
from simlib.paths import display_path
from simlib.scenario import load_scenario, switched_scenario
from simlib.schema import load_yaml

#: files a batch writes beside the scenario folders (the comparison and the index; the last
#: three are earlier versions' names, removed when unchanged since)
COMPARE_FILES = (
    "compare.html",
    "compare.ipynb",
    "compare.failed.ipynb",
    "compare.xlsx",
    "compare_verdicts.csv",
    "compare_robustness.csv",
    "compare_regret.csv",
    "compare_table_ranking.csv",
    "compare_ranking.csv",
    "compare_scorecard.csv",
    "compare_probabilities.csv",
)


def validate_all(paths: list[Path], set_items: list | None = None) -> dict[Path, BaseException]:
    """Every scenario's problems, checked before anything runs: {path: error} for invalid ones
    (an error that is not a user error is a crash of simlib on that file, kept apart so that the
    other files are still checked)."""
    return {p: v for p, v in check_all(paths, set_items).items() if isinstance(v, BaseException)}


def check_all(paths: list[Path], set_items: list | None = None) -> dict:
    """{path: Scenario or the error that makes it invalid (an input problem, or a breach of the legal
    frame, `simlib.compliance.enforce`)}; two files with the same scenario name are an error too
    (their reports would overwrite each other). A crash on one file is recorded for that file and
    does not stop the others."""
    out: dict = {}
    seen: dict[str, Path] = {}
    for p in paths:
        try:
            scen = load_scenario(p, set_items)
            enforce(scen)  # the legal frame: a breach the scenario does not ask to ignore is an error
            if scen.units_switch:  # and the frame of the units the engine switches to
                enforce(switched_scenario(scen))
        except Exception as exc:  # noqa: BLE001 - one file's problem never hides the others'
            out[p] = exc
            continue
        if scen.name in seen:
            out[p] = InputError(
                "duplicate_scenario",
                file=display_path(p),
                field="name",
                value=scen.name,
                other=display_path(seen[scen.name]),
            )
            continue
        seen[scen.name] = p
        out[p] = scen
    return out


def load_all(paths: list[Path], set_items: list | None = None) -> list:
    """Every scenario of `paths` (validated), or every problem of every file at once."""
    checked = check_all(paths, set_items)
    errors: list[InputError] = []
    for p, v in checked.items():
        if isinstance(v, InputErrors):
            errors.extend(e.with_file(display_path(p)) for e in v.errors)
        elif isinstance(v, InputError):
            errors.append(v.with_file(display_path(p)))
        elif isinstance(v, BaseException):
            raise v
    raise_if_any(errors)
    return [checked[p] for p in paths]


def names_of_invalid(path: Path, default: str) -> tuple[str, LocalText]:
    """Name and titles of an invalid scenario as far as its file can be read (for the index)."""
    try:
        raw = load_yaml(path)
        name = raw.get("name")
        name = name if isinstance(name, str) and NAME_PATTERN.match(name) else default
        return name, LocalText.from_fields(raw, "title")
    except Exception:  # noqa: BLE001 - unreadable: the validation error says why
        return default, LocalText()


def batch_names(names: list[str], reports: bool) -> list[str]:
    """Every file a batch of scenarios `names` may write at the top of its output folder."""
    if not reports:
        return []
    return ["index.html", *COMPARE_FILES, *(f"{n}.failed.ipynb" for n in names)]


def output_problems(out_dir: str | Path, reports: bool, field: str = "--out") -> list[InputError]:
    """The problems of a batch's folder `out_dir` that show before the scenarios are read (with
    the command line's other problems, `simlib.cli.common.argument_problems`): no name at all
    (`--out ""`), or a folder simlib may not collect into (a file, another kind of output, files
    simlib did not write: `collection_problems` with the files every batch writes at its top).
    `check_batch_output` checks the rest once the scenarios' names are known. Read only."""
    if not str(out_dir).strip():
        return [InputError("output_no_name", field=field)]
    return collection_problems(Path(out_dir), "batch", batch_names([], reports), field)


def check_batch_output(out_dir: Path, scenarios: dict, reports: bool) -> None:
    """Before any work: the batch's folder must be new, empty or one a batch wrote before, holding
    nothing simlib did not write but a README.md and the like (`simlib.atomic.collection_problems`),
    so that nothing the user owns is ever deleted, overwritten or mixed with the reports; each
    scenario's folder must be new, empty or an earlier simlib run or report, and must not contain
    the scenario's own inputs."""
    errors = collection_problems(out_dir, "batch", batch_names(list(scenarios), reports))
    if not errors:
        for name, scen in scenarios.items():
            errors += ownership_problems(out_dir / name, "run")
            errors += inputs_inside(out_dir / name, scen.input_paths())
    if not errors:
        errors += environment_problems(out_dir)
    raise_if_any(errors)
