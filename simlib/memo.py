"""Derived arrays cached on the immutable object they are derived from.

A compiled structure, parameter set or model never changes after it is built (a changed copy is a
new object, e.g. from `dataclasses.replace`), so whatever is derived from it alone can be kept on
it: the cache belongs to the object, is keyed by what is derived, and a new object starts with an
empty one. Nobody has to remember to reset anything. The cache is not pickled (workers rebuild
what they need).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")

_SLOT = "_memo"
_MISSING = object()


def memoised(owner: Any, key: str, build: Callable[[], T]) -> T:
    """`build()` computed once per `owner` (an immutable object with a `__dict__`) and `key`."""
    memo = owner.__dict__.get(_SLOT)
    if memo is None:
        memo = owner.__dict__[_SLOT] = {}
    value = memo.get(key, _MISSING)
    if value is _MISSING:
        value = memo[key] = build()
    return value


class Memoised:
    """Mixin for frozen dataclasses that cache derived arrays with `memoised`: the cache is left
    out when the object is pickled (sent to a worker process) or copied."""

    def __getstate__(self) -> dict:
        state = dict(self.__dict__)
        state.pop(_SLOT, None)
        return state

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)

    def __copy__(self):
        new = object.__new__(type(self))
        new.__setstate__(self.__getstate__())
        return new


def carry(source: Any, owner: Any, prefix: str) -> Any:
    """`owner` with the values cached on `source` under keys starting with `prefix` (those not
    cached on `owner` yet): for an object derived from `source` whose differences do not reach
    what those keys derive (the caller's to know). Returns `owner`."""
    memo = source.__dict__.get(_SLOT) or {}
    mine = owner.__dict__.setdefault(_SLOT, {})
    for key, value in memo.items():
        if key.startswith(prefix):
            mine.setdefault(key, value)
    return owner
