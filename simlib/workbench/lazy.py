"""A run result whose tables are made when first read (issue 18: the explorer's change → view).

The explorer shows a few indicators, the target scorecard and a chart of a multidimensional run
(`simlib.workbench.project.Projection`); the run's full tables (households by state and cell,
flows, the programme, deprivations, the flows in the review's categories, absorption) and its
period changes take about as long as a late change's engine year and nothing on the view reads
them. `LazyTables` makes them — all at once, with the run's own function — only when one is first
read (the probability button's draws, a test comparing them with a run from scratch), and
`LazyRun` does the same for the period changes and the manifest (legal status, absorption totals,
period record: nothing on the view reads it): the values are those of the full run, only made
later. Pickled, both become the plain `Tables` / `RunResult` with every table made.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import fields

from simlib.results import Tables
from simlib.runner import RunResult


class LazyTables(Tables):
    """`Tables` made by `make()` when a table is first read or set."""

    def __init__(self, make: Callable[[], Tables]):
        self._make: Callable[[], Tables] | None = make
        self._tables: Tables | None = None

    @property
    def made(self) -> bool:
        """Whether the tables have been made."""
        return self._tables is not None

    def built(self) -> Tables:
        """The tables (made now if not yet)."""
        if self._tables is None:
            self._tables, self._make = self._make(), None
        return self._tables

    def __reduce__(self):
        t = self.built()
        return Tables, tuple(getattr(t, f.name) for f in fields(Tables))


def _table(name: str) -> property:
    return property(lambda self: getattr(self.built(), name), lambda self, v: setattr(self.built(), name, v))


for _f in fields(Tables):
    setattr(LazyTables, _f.name, _table(_f.name))


class LazyRun(RunResult):
    """`RunResult` whose `period_changes` and `manifest` are made by a function when first read
    (the tables are a `LazyTables`); construct with `period_changes=Later(fn)`,
    `manifest=Later(fn)`."""

    def __reduce__(self):
        return RunResult, tuple(getattr(self, f.name) for f in fields(RunResult))


def _later(name: str) -> property:
    slot = f"_{name}"

    def get(self):
        value = self.__dict__.get(slot)
        if isinstance(value, Later):
            value = self.__dict__[slot] = value.fn()
        return value

    def put(self, value) -> None:
        self.__dict__[slot] = value

    return property(get, put)


for _name in ("period_changes", "manifest"):
    setattr(LazyRun, _name, _later(_name))


class Later:
    """A value made by `fn()` when first read (`LazyRun.period_changes`, `LazyRun.manifest`)."""

    def __init__(self, fn: Callable):
        self.fn = fn
