"""The shape of the code, enforced (issue 13): short functions, focused modules, imports at module
level, no private names across modules, engines chosen only through the registry.

Each rule has an explicit allow-list of today's offenders. The test fails on a new offender AND on
an allow-listed item that no longer offends, so the lists only shrink: when you fix one, delete its
line here. Measured on the AST of every module under `simlib/`:

- a function (or method) spans more than `MAX_FUNCTION_LINES` lines, from `def` to its last line,
  nested functions included; named `path:Outer.inner`;
- a module has more than `MAX_MODULE_LINES` lines;
- `from simlib.x import _name` names a private (`_`-prefixed) module-level name of another module;
- an `import` inside a function without a one-line `# local import: <reason>` comment on the
  import's first line or the line above (a real cycle or a heavy optional dependency only);
- an engine name compared with a string (`engine == "expected"`, `engine in ("a", "b")`) outside
  `simlib/engines/registry.py`: choose engines with `registry.select` / `registry.get_engine`.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "simlib"
MAX_FUNCTION_LINES = 60
MAX_MODULE_LINES = 500
LOCAL_IMPORT_NOTE = re.compile(r"#\s*local import:\s*\S")
REGISTRY = "simlib/engines/registry.py"

# --- allow-lists: today's offenders; only ever delete lines ------------------------------------

LONG_FUNCTIONS: set[str] = set()

LONG_MODULES: set[str] = set()

PRIVATE_IMPORTS: set[str] = set()

LOCAL_IMPORTS: set[str] = set()

ENGINE_STRING_DISPATCH: set[str] = set()


# --- the checks, each a pure function of one module's source ----------------------------------


def _functions(tree: ast.AST, prefix: str = ""):
    """Yield (qualified name, node) for every function and method, nested ones included."""
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            name = f"{prefix}{node.name}"
            yield name, node
            yield from _functions(node, f"{name}.")
        elif isinstance(node, ast.ClassDef):
            yield from _functions(node, f"{prefix}{node.name}.")
        else:
            yield from _functions(node, prefix)


def long_functions(source: str, limit: int = MAX_FUNCTION_LINES) -> list[str]:
    """Qualified names of the functions longer than `limit` lines."""
    tree = ast.parse(source)
    return [name for name, node in _functions(tree) if node.end_lineno - node.lineno + 1 > limit]


def long_module(source: str, limit: int = MAX_MODULE_LINES) -> bool:
    return len(source.splitlines()) > limit


def private_imports(source: str) -> list[str]:
    """`module._name` for every private name imported from another module."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom):
            for alias in node.names:
                if alias.name.startswith("_") and not alias.name.startswith("__"):
                    found.append(f"{node.module}.{alias.name}")
    return found


def uncommented_local_imports(source: str) -> list[str]:
    """Names of the functions holding an import without a `# local import: <reason>` comment on
    its line or the line above (one comment above a block of consecutive imports covers the block)."""
    lines = source.splitlines()
    found = []
    for name, func in _functions(ast.parse(source)):
        inner = {id(n) for _, f in _functions(func) for n in ast.walk(f)}  # counted for the inner one
        own = [n for n in ast.walk(func) if isinstance(n, (ast.Import, ast.ImportFrom)) and id(n) not in inner]
        block_end, explained = -1, False
        for node in sorted(own, key=lambda n: n.lineno):
            here, above = lines[node.lineno - 1], lines[node.lineno - 2] if node.lineno > 1 else ""
            noted = bool(LOCAL_IMPORT_NOTE.search(here) or LOCAL_IMPORT_NOTE.search(above.strip()))
            explained = noted or (explained and node.lineno == block_end + 1)
            block_end = node.end_lineno
            if not explained:
                found.append(name)
                break
    return found


def _is_engine(node: ast.AST) -> bool:
    name = node.attr if isinstance(node, ast.Attribute) else getattr(node, "id", "")
    return name == "engine" or name.endswith("_engine") or name == "engine_name"


def _is_strings(node: ast.AST) -> bool:
    if isinstance(node, ast.Constant):
        return isinstance(node.value, str)
    return isinstance(node, (ast.Tuple, ast.List, ast.Set)) and any(_is_strings(e) for e in node.elts)


def engine_string_dispatch(source: str) -> list[int]:
    """Line numbers where an engine name is compared with a string (==, !=, in, not in)."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Compare) and all(
            isinstance(op, (ast.Eq, ast.NotEq, ast.In, ast.NotIn)) for op in node.ops
        ):
            sides = [node.left, *node.comparators]
            if any(_is_engine(s) for s in sides) and any(_is_strings(s) for s in sides):
                found.append(node.lineno)
    return sorted(found)


# --- the checkers can fail ---------------------------------------------------------------------


def test_long_function_detected_at_the_limit():
    body = "\n".join(f"    x{i} = {i}" for i in range(59))
    assert long_functions(f"def f():\n{body}\n") == []  # 60 lines
    assert long_functions(f"def f():\n{body}\n    return 1\n") == ["f"]  # 61 lines
    nested = f"class A:\n    def m(self):\n        def g():\n{body.replace('    ', '            ')}\n"
    nested += "            return 1\n        return 2\n"
    assert long_functions(nested) == ["A.m", "A.m.g"]


def test_long_module_detected():
    assert not long_module("x = 1\n" * 500)
    assert long_module("x = 1\n" * 501)


def test_private_import_detected():
    assert private_imports("from simlib.a import _b, c, __version__\nimport os\n") == ["simlib.a._b"]


def test_local_import_needs_a_reason():
    bare = "def f():\n    import json\n    return json\n"
    above = "def f():\n    # local import: heavy optional dependency\n    import matplotlib\n"
    inline = "def f():\n    import dask  # local import: optional dependency\n"
    empty = "def f():\n    import json  # local import:\n"
    inner = "def f():\n    def g():\n        import json\n    return g\n"
    block = "def f():\n    # local import: heavy\n    import a\n    from b import c\n\n    import d\n"
    assert uncommented_local_imports(bare) == ["f"]
    assert uncommented_local_imports(above) == []
    assert uncommented_local_imports(inline) == []
    assert uncommented_local_imports(empty) == ["f"]
    assert uncommented_local_imports(inner) == ["f.g"]
    assert uncommented_local_imports(block) == ["f"]  # `import d` is not in the commented block
    assert uncommented_local_imports(block.replace("\n\n", "\n")) == []
    assert uncommented_local_imports("import json\n\ndef f():\n    return json\n") == []


def test_engine_string_dispatch_detected():
    src = (
        'a = 1 if engine == "expected" else 0\n'
        'b = options.engine in ("microsim", "expected")\n'
        'c = "expected" != opts.engine\n'
        "d = engine == other\n"
        'e = name == "expected"\n'
    )
    assert engine_string_dispatch(src) == [1, 2, 3]


# --- the package ------------------------------------------------------------------------------


def _modules() -> dict[str, str]:
    return {p.relative_to(ROOT).as_posix(): p.read_text(encoding="utf-8") for p in sorted(PACKAGE.rglob("*.py"))}


def _offenders() -> dict[str, set[str]]:
    found: dict[str, set[str]] = {k: set() for k in ("functions", "modules", "private", "local", "dispatch")}
    for path, source in _modules().items():
        found["functions"] |= {f"{path}:{name}" for name in long_functions(source)}
        found["modules"] |= {path} if long_module(source) else set()
        found["private"] |= {f"{path}:{name}" for name in private_imports(source)}
        found["local"] |= {f"{path}:{name}" for name in uncommented_local_imports(source)}
        if path != REGISTRY:
            found["dispatch"] |= {f"{path}:{line}" for line in engine_string_dispatch(source)}
    return found


ALLOWED = {
    "functions": (LONG_FUNCTIONS, f"functions over {MAX_FUNCTION_LINES} lines: split them into named steps"),
    "modules": (LONG_MODULES, f"modules over {MAX_MODULE_LINES} lines: split them into focused modules"),
    "private": (PRIVATE_IMPORTS, "private names imported across modules: make them public where they belong"),
    "local": (LOCAL_IMPORTS, "function-local imports without '# local import: <reason>': move them up"),
    "dispatch": (ENGINE_STRING_DISPATCH, "engine chosen by string outside the registry: use registry.select"),
}


@pytest.fixture(scope="module")
def offenders():
    return _offenders()


@pytest.mark.parametrize("rule", sorted(ALLOWED))
def test_no_new_offenders(offenders, rule):
    allowed, advice = ALLOWED[rule]
    new = sorted(offenders[rule] - allowed)
    assert not new, f"{advice}:\n  " + "\n  ".join(new)


@pytest.mark.parametrize("rule", sorted(ALLOWED))
def test_allow_list_only_shrinks(offenders, rule):
    allowed, _ = ALLOWED[rule]
    fixed = sorted(allowed - offenders[rule])
    assert not fixed, "fixed (or renamed) - delete from the allow-list in tests/test_structure.py:\n  " + "\n  ".join(
        fixed
    )
