"""The parameter set: every number the model uses, read from versioned YAML files in `params/`.

A `ParameterSet` holds the validated documents (`program`, `transitions`, `population`,
`targets`, `funding`, `allocation`, `multidim`, and `standards` from `params/standards/*.yaml`),
the files they came from and their hashes. Reforms and sensitivity runs are parameter changes:
`with_overrides({"program.lines.P2.effects.escape.value": 0.2})` returns a new, re-validated
set (OpenFisca/PolicyEngine style); nothing is mutated in place.
"""

from __future__ import annotations

import copy
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from simlib.errors import InputError, InputErrors, raise_if_any, suggestions
from simlib.evidence import check_register, resolve_priors
from simlib.paths import display_path, params_dir
from simlib.scenario_files import linked_file
from simlib.schema import load_yaml, qv, validate
from simlib.standards import check_standards
from simlib.transitions import CELL_CLASSES, rates_for_class
from simlib.yaml_strict import ValueLoader

#: parameter documents: name -> file name in the parameter folder
PARAM_FILES = {
    "program": "program.yaml",
    "transitions": "transitions.yaml",
    "population": "population.yaml",
    "targets": "targets.yaml",
    "funding": "funding.yaml",
    "allocation": "allocation.yaml",
    "multidim": "multidim.yaml",
    # the programme's contents by capital, norm and beneficiaries (simlib.catalogue, simlib.legal)
    "legal_contents": "legal/contents_2021_2025.yaml",
}
#: the evidence register: read and checked with the parameters, not a target of overrides (the
#: documents that refer to its priors are: `program.lines.P2.effects.escape.value`)
REGISTER = ("evidence", "evidence.yaml")
#: documents whose `{prior: <path>}` references are resolved from the register when loaded
CITING = ("program", "population")
#: folder of the poverty standards (one YAML file each); loaded as the document `standards`,
#: a mapping {file stem: document}, e.g. `standards.2027-2030.income_line.rural` in overrides
STANDARDS_DIR = "standards"


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 16), b""):
            h.update(chunk)
    return h.hexdigest()


def sha256_obj(obj: Any) -> str:
    """Hash of a JSON-able object, independent of key order and platform."""
    blob = json.dumps(obj, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


def parse_value(text: str) -> Any:
    """A `--set` value: YAML syntax, so `0.2`, `true`, `[1, 2]` and `abc` all work."""
    try:
        return yaml.load(text, Loader=ValueLoader)  # noqa: S506 - a safe loader (`yaml_strict.ValueLoader`)
    except yaml.YAMLError:
        return text


def _resolve(node: Any, segments: list[str], prefix: list[str]) -> tuple[Any, Any]:
    """Find the container and key addressed by `segments`; keys may themselves contain dots
    (line codes such as `P3.1`), so the longest matching key wins."""
    for n in range(len(segments), 0, -1):
        key = ".".join(segments[:n])
        rest = segments[n:]
        if isinstance(node, dict) and key in node:
            if not rest:
                return node, key
            return _resolve(node[key], rest, prefix + [key])
        if isinstance(node, list) and key.isdigit() and int(key) < len(node):
            if not rest:
                return node, int(key)
            return _resolve(node[int(key)], rest, prefix + [key])
    raise KeyError(".".join(prefix + segments))


def dotted_keys(tree: Any, dotted: str) -> list:
    """The keys (and list indices) `dotted` addresses in `tree`, outermost first, found as
    `set_dotted` finds them (a key may contain dots, the longest match wins); KeyError if none."""
    keys: list = []
    node, segments = tree, dotted.split(".")
    while segments:
        for n in range(len(segments), 0, -1):
            key = ".".join(segments[:n])
            if isinstance(node, dict) and key in node:
                keys.append(key)
                node, segments = node[key], segments[n:]
                break
            if isinstance(node, list) and key.isdigit() and int(key) < len(node):
                keys.append(int(key))
                node, segments = node[int(key)], segments[n:]
                break
        else:
            raise KeyError(dotted)
    return keys


def set_dotted(
    tree: dict, dotted: str, value: Any, *, allow_new_top: tuple[str, ...] = (), allow_new_leaf: bool = False
) -> None:
    """Set `tree[a][b]... = value` for `dotted = "a.b..."`; the key must exist.

    If the target is a quantity mapping and `value` a number, the quantity's `value` is set.
    Top-level keys in `allow_new_top` may be created (optional scenario fields such as `seed`);
    with `allow_new_leaf`, a missing last key under an existing mapping is created (the schema
    check that follows still rejects keys that are not allowed there).
    """
    segments = dotted.split(".")
    if len(segments) == 1 and dotted in allow_new_top and dotted not in tree:
        tree[dotted] = value
        return
    try:
        container, key = _resolve(tree, segments, [])
    except KeyError:
        if not allow_new_leaf or len(segments) < 2:
            raise
        for n in range(1, len(segments)):
            parent_path, leaf = segments[:-n], ".".join(segments[-n:])
            try:
                parent, pkey = _resolve(tree, parent_path, [])
            except KeyError:
                continue
            if isinstance(parent[pkey], dict):
                parent[pkey][leaf] = value
                return
        raise
    target = container[key]
    if isinstance(target, dict) and "value" in target and not isinstance(value, dict):
        target["value"] = value
    else:
        container[key] = value


def get_dotted(tree: dict, dotted: str) -> Any:
    container, key = _resolve(tree, dotted.split("."), [])
    return container[key]


@dataclass(frozen=True)
class ParameterSet:
    """Validated parameter documents with their provenance."""

    folder: Path
    docs: Mapping[str, dict]
    files: Mapping[str, Path]
    file_hashes: Mapping[str, str]
    overrides: tuple[tuple[str, Any], ...] = ()
    hash: str = field(default="")

    def __getitem__(self, name: str) -> dict:
        return self.docs[name]

    def with_overrides(
        self, overrides: Mapping[str, Any] | list[tuple[str, Any]], origin: str = "--set"
    ) -> ParameterSet:
        """A new set with dotted keys replaced, re-validated. Unknown keys are user errors."""
        items = list(overrides.items()) if isinstance(overrides, Mapping) else list(overrides)
        if not items:
            return self
        docs = copy.deepcopy(dict(self.docs))
        errors = []
        for key, value in items:
            head, _, rest = key.partition(".")
            if head not in docs or head == REGISTER[0] or not rest:
                roots = sorted(PARAM_FILES)
                errors.append(
                    InputError("set_unknown", file=origin, field=key, allowed=roots, suggest=suggestions(head, roots))
                )
                continue
            try:
                set_dotted(docs[head], rest, value)
            except (KeyError, TypeError):
                errors.append(InputError("set_unknown", file=origin, field=key))
        raise_if_any(errors)
        try:
            return _finish(self.folder, docs, self.files, self.file_hashes, tuple(self.overrides) + tuple(items))
        except (InputError, InputErrors) as exc:
            found = exc.errors if isinstance(exc, InputErrors) else [exc]
            raise_if_any([self._blame(e, items, origin) for e in found])
            raise  # pragma: no cover - raise_if_any raised

    def _blame(self, error: InputError, items: list[tuple[str, Any]], origin: str) -> InputError:
        """An error found in a document after overrides, attributed to the override that caused
        it (`--set`, or the scenario's `overrides`) rather than to the untouched file."""
        for key, _ in items:
            head, _, rest = key.partition(".")
            shown = display_path(self.files[head]) if head in self.files else None
            if error.file == shown and error.field and error.field.startswith(rest):
                error.file, error.field = origin, key + error.field[len(rest) :]
                error.args = (error.message("en"),)
                break
        return error

    def with_file(self, name: str, path: str | Path) -> ParameterSet:
        """A new set with document `name` read from another file (e.g. a calibrated
        transitions file), re-validated; the file and its hash are recorded."""
        path = Path(path)
        docs = dict(self.docs)
        docs[name] = load_yaml(path)
        files = dict(self.files, **{name: path})
        hashes = dict(self.file_hashes, **{name: sha256_file(path)})
        return _finish(self.folder, docs, files, hashes, self.overrides)

    def value(self, dotted: str) -> float:
        """Numeric value at a dotted path, e.g. `transitions.growth.rate`."""
        head, _, rest = dotted.partition(".")
        return qv(get_dotted(self.docs[head], rest))


def _check_projects(prog: dict, pf: str) -> list[InputError]:
    """Every project's lines exist, belong to it and their shares of the project add up to 1."""
    errors: list[InputError] = []
    lines = prog["lines"]
    for pcode, proj in prog["projects"].items():
        total = 0.0
        for lc in proj["lines"]:
            if lc not in lines:
                errors.append(
                    InputError("unknown_line", file=pf, field=f"projects.{pcode}.lines", value=lc, allowed=list(lines))
                )
                continue
            if lines[lc]["project"] != pcode:
                errors.append(
                    InputError(
                        "line_project", file=pf, field=f"lines.{lc}.project", pcode=pcode, project=lines[lc]["project"]
                    )
                )
            total += qv(lines[lc]["share_of_project"])
        if abs(total - 1.0) > 1e-6:
            errors.append(
                InputError(
                    "shares_sum", file=pf, field=f"projects.{pcode}.lines (share_of_project)", total=round(total, 6)
                )
            )
    return errors


def _check_lines(prog: dict, pf: str) -> list[InputError]:
    """Every line's project exists, its unit cost is positive, its lag whole years, and a line
    for households has an eligibility rule."""
    errors: list[InputError] = []
    for lc, line in prog["lines"].items():
        if line["project"] not in prog["projects"]:
            errors.append(
                InputError(
                    "unknown_line",
                    file=pf,
                    field=f"lines.{lc}.project",
                    value=line["project"],
                    allowed=list(prog["projects"]),
                )
            )
        ben = line["beneficiary"]
        for key in ("unit_cost", "households_per_unit"):
            if key in ben and qv(ben[key]) <= 0:
                errors.append(
                    InputError(
                        "exclusive_minimum",
                        file=pf,
                        field=f"lines.{lc}.beneficiary.{key}.value",
                        value=qv(ben[key]),
                        limit=0,
                    )
                )
        lag = qv(line["lag"])
        if lag < 0 or lag != int(lag):
            errors.append(InputError("whole_years", file=pf, field=f"lines.{lc}.lag.value", value=lag))
        pop = line["beneficiary"]["population"]
        if pop == "households" and not line["eligible"]:
            errors.append(InputError("no_eligibility", file=pf, field=f"lines.{lc}.eligible"))
    return errors


def check_income_grid(grid: dict, file: str) -> list[InputError]:
    """The multidimensional model's income grid (`income.grid` of params/multidim.yaml): the highest
    income above the lowest, and the step away from the lines (`tail_step`) not below the step near them."""
    errors = []
    if qv(grid["highest"]) <= qv(grid["lowest"]):
        value, lowest = qv(grid["highest"]), qv(grid["lowest"])
        errors.append(
            InputError("grid_bounds", file=file, field="income.grid.highest.value", value=value, lowest=lowest)
        )
    if "tail_step" in grid and qv(grid["tail_step"]) < qv(grid["step"]):
        value, step = qv(grid["tail_step"]), qv(grid["step"])
        errors.append(
            InputError("grid_tail_step", file=file, field="income.grid.tail_step.value", value=value, step=step)
        )
    return errors


def semantic_checks(docs: Mapping[str, dict], files: Mapping[str, Path]) -> list[InputError]:
    """Cross-field checks the schema cannot express."""
    errors: list[InputError] = []
    errors.extend(check_income_grid(docs["multidim"]["income"]["grid"], display_path(files["multidim"])))
    prog, pf = docs["program"], display_path(files["program"])
    lines = prog["lines"]
    errors.extend(_check_projects(prog, pf))
    errors.extend(_check_lines(prog, pf))
    tg, tf = docs["targets"], display_path(files["targets"])
    for name, cov in tg["coverage"].items():
        for lc in cov.get("lines", []):
            if lc not in lines:
                errors.append(
                    InputError("unknown_line", file=tf, field=f"coverage.{name}.lines", value=lc, allowed=list(lines))
                )
    errors.extend(_check_multidim_channels(lines, pf))
    errors.extend(_check_contents(lines, docs["legal_contents"]["contents"], pf, display_path(files["legal_contents"])))
    tr, trf = docs["transitions"], display_path(files["transitions"])
    entry = sum(qv(q) for q in tr["growth"]["entry_states"].values())
    if abs(entry - 1.0) > 1e-6:
        errors.append(InputError("shares_sum", file=trf, field="growth.entry_states", total=round(entry, 6)))
    errors.extend(check_transition_rows(tr, trf))
    return errors


def _check_contents(lines: dict, contents: dict, pf: str, cf: str) -> list[InputError]:
    """Each line models one of its own contents, and every content belongs to a line."""
    errors = []
    for lc, line in lines.items():
        cc = line["content"]
        if cc not in contents:
            errors.append(InputError("enum", file=pf, field=f"lines.{lc}.content", value=cc, allowed=sorted(contents)))
        elif contents[cc]["line"] != lc:
            errors.append(
                InputError("content_line", file=pf, field=f"lines.{lc}.content", value=cc, line=contents[cc]["line"])
            )
    for cc, c in contents.items():
        if c["line"] not in lines:
            errors.append(
                InputError("unknown_line", file=cf, field=f"contents.{cc}.line", value=c["line"], allowed=list(lines))
            )
    return errors


def _check_multidim_channels(lines: dict, file: str) -> list[InputError]:
    """A line that `targets_deprived` picks households by its own indicators at the start of the
    year; the expected engine is exact for that only if no other line clears those indicators."""
    errors = []
    for lc, line in lines.items():
        md = line.get("multidim") or {}
        if not md.get("targets_deprived"):
            continue
        mine = set(line.get("deprivations", []))
        if not mine:
            errors.append(InputError("no_deprivations", file=file, field=f"lines.{lc}.multidim.targets_deprived"))
        for other, ol in lines.items():
            shared = mine & set(ol.get("deprivations", [])) if other != lc else set()
            if shared and (ol.get("multidim") or {}).get("removal"):
                errors.append(
                    InputError(
                        "targeted_overlap",
                        file=file,
                        field=f"lines.{lc}.multidim.targets_deprived",
                        value=sorted(shared),
                        other=other,
                    )
                )
    return errors


def _standard_docs(folder: Path) -> tuple[dict, dict, dict, list[InputError]]:
    """The standards folder: documents by file stem, their paths and hashes."""
    docs, files, hashes, errors = {}, {}, {}, []
    sdir = folder / STANDARDS_DIR
    paths = sorted(sdir.glob("*.yaml")) if sdir.is_dir() else []
    if not paths:
        errors.append(InputError("file_missing", file=display_path(sdir / "*.yaml")))
    for path in paths:
        try:
            docs[path.stem] = load_yaml(path)
        except InputError as exc:
            errors.append(exc)
            continue
        files[f"{STANDARDS_DIR}/{path.stem}"] = path
        hashes[f"{STANDARDS_DIR}/{path.stem}"] = sha256_file(path)
    return docs, files, hashes, errors


def _validate_standards(docs: dict, files: Mapping[str, Path]) -> list[InputError]:
    errors = []
    shown = {stem: display_path(files[f"{STANDARDS_DIR}/{stem}"]) for stem in docs}
    for stem, doc in docs.items():
        errors.extend(validate(doc, "standard", shown[stem]))
    if not errors:
        errors.extend(check_standards(docs, shown))
    return errors


def check_transition_rows(tr: dict, file: str) -> list[InputError]:
    """Every probability, after relative-risk modifiers, must lie in [0, 1], and the explicit
    outgoing probabilities of newly escaped and non-poor households must add up to at most 1
    (the poor and near-poor rows are sequential, so they always sum to 1)."""
    errors = []
    for cls in CELL_CLASSES:
        rates = rates_for_class(tr, cls)
        label = ",".join(f"{k}={v}" for k, v in cls.items())
        for (frm, to), p in rates.items():
            if not 0.0 <= p <= 1.0:
                errors.append(
                    InputError(
                        "probability",
                        file=file,
                        field=f"reference.{frm}.{to} ({label})",
                        value=round(p, 6),
                        allowed="0 ≤ p ≤ 1",
                    )
                )
        for state in ("escaped_1", "escaped_2", "escaped_3", "non_poor"):
            out = rates[(state, "poor")] + rates[(state, "near_poor")]
            if out > 1.0 + 1e-12:
                errors.append(
                    InputError(
                        "row_sum", file=file, field=f"reference.{state}", state=state, total=round(out, 6), cell=label
                    )
                )
    return errors


def _register_errors(docs: dict, files: Mapping[str, Path]) -> list[InputError]:
    """The register's own problems, then the references of the citing documents resolved from it
    (in place; a document without references is left as it is)."""
    name = REGISTER[0]
    shown = display_path(files[name])
    errors = validate(docs[name], name, files[name], quantities=False)
    if not errors:
        errors.extend(check_register(docs[name], shown))
    if errors:
        return errors
    for cited in CITING:
        errors.extend(resolve_priors(docs[cited], docs[name], display_path(files[cited])))
    return errors


def _finish(folder, docs, files, file_hashes, overrides) -> ParameterSet:
    errors: list[InputError] = _register_errors(docs, files)
    unresolved = set(CITING) if errors else set()  # their references would only repeat the problem
    for name in PARAM_FILES:
        if name not in unresolved:
            errors.extend(validate(docs[name], name, files[name]))
    errors.extend(_validate_standards(docs["standards"], files))
    if not errors:
        errors.extend(semantic_checks(docs, files))
    raise_if_any(errors)
    h = sha256_obj(docs)
    return ParameterSet(
        folder=Path(folder),
        docs=docs,
        files=dict(files),
        file_hashes=dict(file_hashes),
        overrides=tuple(overrides),
        hash=h,
    )


def load_parameters(folder: str | Path | None = None) -> ParameterSet:
    """Read and validate every parameter file of `folder` (default: the project's `params/`)."""
    folder = Path(folder) if folder else params_dir()
    docs, files, hashes = {}, {}, {}
    errors = []
    for name, fname in list(PARAM_FILES.items()) + [REGISTER]:
        path = folder / fname
        try:
            docs[name] = load_yaml(path)
        except InputError as exc:
            errors.append(exc)
            continue
        files[name] = path
        hashes[name] = sha256_file(path)
    sdocs, sfiles, shashes, serr = _standard_docs(folder)
    docs["standards"] = sdocs
    files.update(sfiles)
    hashes.update(shashes)
    errors.extend(serr)
    raise_if_any(errors)
    return _finish(folder, docs, files, hashes, ())


def scenario_parameters(written: str | None, base_dir: Path, shown: str) -> ParameterSet:
    """The parameter set of a scenario file `shown` in `base_dir` whose `params:` field is
    `written` (None: the project's params/): a folder that holds no parameter files is said once,
    naming the scenario, the field and where it was looked for (`scenario_files.linked_file`)."""
    if written is None:
        return load_parameters()
    return load_parameters(linked_file(written, base_dir, shown, "params", holds=PARAM_FILES["program"]))
