"""Names imported when first used, in one place: `resolve` (a `"package.module:attribute"`
target, as the engine registry and the command line name the work they load late) and
`package_names` (a package's `__getattr__` and `__dir__` giving its listed names and its modules
on first access). What only needs to know the names (`simlib --help`, `list`, `validate`) then
does not load the engines, numba, SciPy or the reports' notebook stack."""

from __future__ import annotations

import functools
import importlib
from collections.abc import Callable, Mapping
from typing import Any


@functools.cache
def resolve(target: str) -> Any:
    """The object a target `"package.module:attribute"` names, its module imported on the first
    call (later calls return the same object)."""
    module, _, attribute = target.partition(":")
    return getattr(importlib.import_module(module), attribute)


def submodule(package: str, name: str):
    """The module `package.name`, imported; AttributeError (as for any missing attribute) if the
    package has no such module, or the name is a dunder (`__main__` runs the command line)."""
    if name.startswith("__"):
        raise AttributeError(f"module {package!r} has no attribute {name!r}")
    try:
        return importlib.import_module(f"{package}.{name}")
    except ModuleNotFoundError as exc:
        if exc.name != f"{package}.{name}":
            raise  # the module is there, one of its imports is not
        raise AttributeError(f"module {package!r} has no attribute {name!r}") from None


def package_names(namespace: dict, targets: Mapping[str, str]) -> tuple[Callable, Callable]:
    """(`__getattr__`, `__dir__`) for the package whose globals are `namespace`: a name of
    `targets` ({name: "package.module:attribute"}) is resolved on first access, any other name is
    the package's module of that name (as when the package imported them all: `submodule`); the
    value is then kept in `namespace`, so the next access is an ordinary attribute."""
    package = namespace["__name__"]

    def getattr_(name: str):
        value = resolve(targets[name]) if name in targets else submodule(package, name)
        namespace[name] = value
        return value

    def dir_() -> list[str]:
        return sorted(set(namespace) | set(targets))

    return getattr_, dir_
