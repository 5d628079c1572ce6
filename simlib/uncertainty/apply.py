"""Apply one parameter draw to a scenario: fast, or re-validated.

Values are set like `ParameterSet.with_overrides` sets them (the `value` of each dotted quantity).
Each draw copies only the containers on the path to each value it changes (copy on write), so the
scenario's own documents are never modified and the rest is shared. The default fast path does not re-validate the documents (under 1 ms instead of about 15 ms): the
sampler produces physically valid draws by construction (bounded distributions, Dirichlet rows,
`space.repair_transitions`). `validate=True` re-runs the schema and the core's semantic checks —
probabilities in [0, 1], transition rows after relative risks, entry shares adding up to 1 — and
raises on any problem except "central value outside its declared range": a range is the plausible
interval, and distributions with tails (normal, lognormal, Dirichlet rows) may leave it. Tests
check that sampled draws pass and that both paths compile to identical models.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np

from simlib.catalogue import catalogue_of, with_lines
from simlib.errors import raise_if_any
from simlib.model import (
    Model,
    compile_levers,
    compile_model,
    compile_parameters,
    compile_structure,
    structure_for_values,
)
from simlib.multidim import MultidimModel, compile_multidim
from simlib.parameters import PARAM_FILES, ParameterSet, dotted_keys, semantic_checks, sha256_obj
from simlib.paths import display_path
from simlib.runner import compile_run_model
from simlib.scenario import Scenario
from simlib.schema import validate


def key_paths(params: ParameterSet, keys: Sequence[str]) -> list[tuple[str, list]]:
    """Where each dotted key lives: its document and the keys (and list indices) inside it, found
    as `set_dotted` finds them. Resolved once for many draws (`params_for_values(paths=...)`)."""
    out = []
    for key in keys:
        head, _, rest = key.partition(".")
        out.append((head, dotted_keys(params.docs[head], rest)))
    return out


def params_for_values(
    params: ParameterSet,
    keys: Sequence[str],
    values: np.ndarray,
    validate: bool = False,
    paths: Sequence[tuple[str, list]] | None = None,
) -> ParameterSet:
    """`params` with `keys` set to `values` (dotted keys of quantities; their `value` is set).
    `paths` (`key_paths(params, keys)`) saves finding the keys again for every draw."""
    items = [(k, float(v)) for k, v in zip(keys, values)]
    if not items:
        return params
    docs = dict(params.docs)
    copied: set[int] = set()  # containers already copied for this draw
    for (head, path), (_, value) in zip(paths or key_paths(params, keys), items):
        docs[head] = node = _own(docs[head], copied)
        for k in path[:-1]:  # copy on write: the path to each changed value
            node[k] = _own(node[k], copied)
            node = node[k]
        target = node[path[-1]]
        if isinstance(target, dict) and "value" in target:  # a quantity mapping: its `value` is set
            target = node[path[-1]] = _own(target, copied)
            target["value"] = value
        else:
            node[path[-1]] = value
    if validate:
        _check(docs, params)
        return replace(params, docs=docs, overrides=tuple(params.overrides) + tuple(items), hash=sha256_obj(docs))
    # not re-validated, so no parameter hash is claimed for it
    return replace(params, docs=docs, overrides=tuple(params.overrides) + tuple(items), hash="")


def _own(node, copied: set[int]):
    """`node` itself if this draw copied it already, else a shallow copy of it (then recorded)."""
    if id(node) in copied or not isinstance(node, (dict, list)):
        return node
    node = copy.copy(node)
    copied.add(id(node))
    return node


def _check(docs: dict, params: ParameterSet) -> None:
    """The core's validation of parameter documents, less the central-value-in-range rule."""
    origin = "uncertainty draw"
    files = {name: params.files.get(name, origin) for name in docs}
    errors = []
    for name, doc in docs.items():
        if name in PARAM_FILES:
            errors.extend(validate(doc, name, f"{display_path(files[name])} ({origin})"))
    if not errors:
        errors.extend(semantic_checks(docs, files))  # the core's cross-field checks
    raise_if_any([e for e in errors if e.code != "range"])


def scenario_for_values(scen: Scenario, keys: Sequence[str], values: np.ndarray, validate: bool = False) -> Scenario:
    """The scenario with one parameter draw applied (budget and dataset unchanged)."""
    ps = params_for_values(scen.params, keys, values, validate=validate)
    return replace(scen, params=ps, catalogue=catalogue_of(ps))


def model_for_values(scen: Scenario, keys: Sequence[str], values: np.ndarray, validate: bool = False) -> Model:
    """The compiled model of one parameter draw."""
    return compile_model(scenario_for_values(scen, keys, values, validate=validate))


def target_for_values(
    scen: Scenario, keys: Sequence[str], values: np.ndarray, validate: bool = False
) -> Model | MultidimModel:
    """The model the scenario's engine runs for one parameter draw: the compiled core, or the
    multidimensional model on top of it (`model: multidim`)."""
    return compile_run_model(scenario_for_values(scen, keys, values, validate=validate))[1]


_NODE, _QUANTITY, _PLAIN = 0, 1, 2


@dataclass(frozen=True)
class DrawWriter:
    """The copy-on-write steps of `params_for_values` for one set of key paths, planned once:
    each container on the way to a changed value is copied once per draw (a tree of the paths,
    walked in order), and whether each value is a quantity's `value` is decided once. The
    documents it gives equal `params_for_values`'s (tested). `ops`: (slot of the copied parent,
    key, step, index of the value); a `_NODE` step copies a container into the next slot."""

    ops: tuple[tuple[int, object, int, int], ...]

    @classmethod
    def of(cls, params: ParameterSet, paths: Sequence[tuple[str, list]]) -> DrawWriter | None:
        """The plan of `paths` (`key_paths`); None when one key's value lies inside another's."""
        tree: dict = {}
        for i, (head, path) in enumerate(paths):
            node = tree.setdefault(head, {})
            for k in path[:-1]:
                node = node.setdefault(k, {})
                if not isinstance(node, dict):
                    return None
            if isinstance(node.get(path[-1]), dict):
                return None
            node[path[-1]] = i  # a key given twice: the last value is kept, as set one after another
        ops: list = []
        _plan(params.docs, tree, -1, ops)
        return cls(tuple(ops))

    def params(self, params: ParameterSet, keys: Sequence[str], values: np.ndarray) -> ParameterSet:
        """`params_for_values(params, keys, values)` through the planned steps."""
        vals = np.asarray(values, dtype=float).tolist()
        if not vals:
            return params
        docs = dict(params.docs)
        slots: list = []  # the containers this draw copied, in the order the plan copies them
        for parent, key, step, i in self.ops:
            node = docs if parent < 0 else slots[parent]
            if step == _NODE:
                node[key] = child = node[key].copy()  # a dict or list from the YAML documents
                slots.append(child)
            elif step == _QUANTITY:
                node[key] = target = node[key].copy()
                target["value"] = vals[i]
            else:
                node[key] = vals[i]
        items = tuple(zip(keys, vals))
        return replace(params, docs=docs, overrides=tuple(params.overrides) + items, hash="")


def _plan(doc, sub: dict, slot: int, ops: list) -> None:
    """Append the steps under the container `doc` (copied into `slot`; -1: the documents) for
    the tree of keys `sub`. Slots are numbered in the order the `_NODE` steps fill them."""
    for key, v in sub.items():
        if isinstance(v, dict):
            ops.append((slot, key, _NODE, -1))
            _plan(doc[key], v, sum(op[2] == _NODE for op in ops) - 1, ops)
        else:
            quantity = isinstance(doc[key], dict) and "value" in doc[key]
            ops.append((slot, key, _QUANTITY if quantity else _PLAIN, v))


def catalogue_lines(paths: Sequence[tuple[str, list]]) -> tuple[str, ...] | None:
    """The budget lines whose catalogue items the keys at `paths` can change, when only budget
    lines' values and `program.reach` move (`simlib.catalogue.with_lines` then rebuilds just
    those); None when another part of the catalogue's documents moves (rebuilt whole)."""
    codes: dict[str, None] = {}
    for head, path in paths:
        if head == "legal_contents" or (head == "program" and path[0] not in ("lines", "reach")):
            return None
        if head == "program" and path[0] == "lines":
            if len(path) < 3 or path[2] == "content":
                return None
            codes[path[1]] = None
    return tuple(codes)


class DrawCompiler:
    """The models of many parameter draws of one scenario, with the work that no draw changes
    done once: the keys' places in the documents are found once, and the structure (groups,
    eligibility, tiers, housed twins) is compiled once — each draw recomputes only what
    quantity values set (`simlib.model.structure_for_values`), then its parameters and levers;
    its writes are planned once (`DrawWriter`) and its catalogue rebuilds only the sampled budget
    lines (`catalogue_lines`).
    `target(values)` equals `target_for_values(scen, keys, values)` (tested array by array)."""

    def __init__(self, scen: Scenario, keys: Sequence[str]):
        self.scen, self.keys = scen, list(keys)
        self.paths = key_paths(scen.params, self.keys)
        self.writer = DrawWriter.of(scen.params, self.paths)
        self.lines = catalogue_lines(self.paths)
        self.catalogue = catalogue_of(scen.params) if self.lines is not None else None
        self.structure = compile_structure(scen)

    def params(self, values: np.ndarray) -> ParameterSet:
        """The parameters of one draw (as `params_for_values`, not re-validated)."""
        if self.writer is None:  # keys overlapping one another: one path after another
            return params_for_values(self.scen.params, self.keys, values, paths=self.paths)
        return self.writer.params(self.scen.params, self.keys, values)

    def scenario(self, values: np.ndarray) -> Scenario:
        """The scenario with one draw applied (as `scenario_for_values`, not re-validated)."""
        ps = self.params(values)
        if self.catalogue is None:
            return replace(self.scen, params=ps, catalogue=catalogue_of(ps))
        return replace(self.scen, params=ps, catalogue=with_lines(self.catalogue, ps["program"], self.lines))

    def model(self, values: np.ndarray) -> Model:
        """The compiled core model of one draw (as `model_for_values`)."""
        return self._model(self.scenario(values))

    def _model(self, scen: Scenario) -> Model:
        structure = structure_for_values(self.structure, scen)
        return Model(structure, compile_parameters(scen, structure), compile_levers(scen, structure))

    def target(self, values: np.ndarray) -> Model | MultidimModel:
        """The model the scenario's engine runs for one draw (as `target_for_values`)."""
        scen = self.scenario(values)
        model = self._model(scen)
        return compile_multidim(scen, model) if scen.poverty_model == "multidim" else model
