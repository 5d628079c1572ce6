"""The parameters a notebook was run with, checked against the ones it declares.

Papermill injects the parameters it is given (`-p name value`) as a cell after the one tagged
`parameters` — also names the notebook does not declare (a misspelt `-p scenario_path x.yaml`
would otherwise leave the default scenario running silently) and in whatever type the command
line produced (`-p draws abc` is the text "abc"). Each notebook calls `check_parameters(globals())`
first thing after its parameters cell: the injected assignments are compared with the declared
ones — their names, and the type of each default and of its annotation (`seed: int = None` takes
an int or None: papermill reads only such simple annotations). A whole float for an int parameter
(`-p draws 20.0`) becomes the int.

Both cells are read from the kernel's input history (`In`), where the injected cell is the one
that starts with papermill's `# Parameters` comment; without one (a plain run, nbval) nothing was
injected and there is nothing to check.
"""

from __future__ import annotations

import ast
import math
from collections.abc import MutableMapping

from simlib import i18n
from simlib.errors import InputError, SimlibError

INJECTED_HEADER = "# Parameters"  # papermill's comment on the cell it injects
_TYPES = {"int": int, "float": float, "str": str, "bool": bool, "list": list, "dict": dict, "None": type(None)}


class ParameterProblems(SimlibError):
    """Parameters a notebook was run with that it does not declare, or of the wrong type."""

    def __init__(self, errors: list[InputError], lang: str | None = None):
        self.errors, self.lang = errors, lang
        super().__init__(self.message(lang))

    def message(self, lang: str | None = None) -> str:
        return "\n".join(e.message(lang or self.lang) for e in self.errors)


def _assignments(source: str) -> dict[str, tuple[ast.expr | None, ast.expr | None]]:
    """Top-level `name = value` and `name: annotation = value` of a cell: {name: (annotation, value)}."""
    out: dict = {}
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return out
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            out[node.targets[0].id] = (None, node.value)
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            out[node.target.id] = (node.annotation, node.value)
    return out


def _annotation_types(node: ast.expr) -> tuple[type, ...]:
    """`int | None` -> (int, NoneType); `list[str]` -> (list,); unknown names -> ()."""
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
        return _annotation_types(node.left) + _annotation_types(node.right)
    if isinstance(node, ast.Subscript):
        return _annotation_types(node.value)
    if isinstance(node, ast.Constant) and node.value is None:
        return (type(None),)
    if isinstance(node, ast.Name) and node.id in _TYPES:
        return (_TYPES[node.id],)
    return ()


def declared_types(annotation: ast.expr | None, default: ast.expr | None) -> tuple[type, ...]:
    """The types a parameter accepts: its annotation's and its default's (`seed: int = None`
    takes an int or None; `scenarios: list = "folder"` a list or a text); () for any."""
    try:
        value = ast.literal_eval(default) if default is not None else None
    except ValueError:
        return ()
    own = (float, int) if isinstance(value, float) else (type(value),)
    if annotation is not None:
        found = _annotation_types(annotation)
        return found + own if found else ()
    return () if value is None else own


def _fits(value, types: tuple[type, ...]) -> bool:
    if not types:
        return True
    if isinstance(value, bool):
        return bool in types
    if isinstance(value, int) and float in types:
        return True
    return isinstance(value, types)


def _type_names(types: tuple[type, ...]) -> str:
    names = {int: "int", float: "float", str: "str", bool: "bool", list: "list", dict: "dict", type(None): "None"}
    return " | ".join(dict.fromkeys(names.get(t, t.__name__) for t in types))


def parameter_problems(declared: dict, injected: dict, namespace: MutableMapping) -> list[InputError]:
    """Problems of the `injected` assignments against the `declared` ones (both from
    `_assignments`); values are read from `namespace`, where whole floats for int parameters
    are turned into ints."""
    errors = []
    for name in injected:
        if name not in declared:
            errors.append(InputError("nb_parameter_unknown", field=name, allowed=sorted(declared)))
            continue
        types = declared_types(*declared[name])
        value = namespace.get(name)
        if isinstance(value, float) and int in types and float not in types and math.isfinite(value):
            if value.is_integer():
                namespace[name] = value = int(value)
        if not _fits(value, types):
            errors.append(InputError("nb_parameter_type", field=name, value=value, expected=_type_names(types)))
        elif isinstance(value, float) and not math.isfinite(value):
            errors.append(InputError("not_finite", field=name, value=value))
    return errors


def _cells(history) -> tuple[str | None, str | None]:
    """(declared, injected) parameter cells among the executed cells, the latest injection: papermill
    puts its cell right after the cell tagged `parameters`, so the declared cell is the one run just
    before it (whatever its first comment says)."""
    declared = injected = None
    cells = [c for c in (history or ()) if c and c.strip()]
    for i, source in enumerate(cells):
        if source.lstrip().split("\n", 1)[0].strip() == INJECTED_HEADER and i > 0:
            declared, injected = cells[i - 1], source
    return declared, injected


def check_parameters(namespace: MutableMapping) -> None:
    """Refuse parameters this notebook does not declare, or of the wrong type (see the module
    docstring); call it with `globals()` right after the parameters cell."""
    declared_src, injected_src = _cells(namespace.get("In") or namespace.get("_ih"))
    if not declared_src or not injected_src:
        return
    errors = parameter_problems(_assignments(declared_src), _assignments(injected_src), namespace)
    if errors:
        lang = namespace.get("lang") if namespace.get("lang") in i18n.LANGS else None
        raise ParameterProblems(errors, lang)
