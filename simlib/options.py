"""How to run: one typed set of options, checked once where it enters the library.

`RunOptions` holds the engine, its replications (`draws`) and `seed`, whether to run units in
chunks (`chunk`: national scale), and how work is spread (`executor`, `jobs`, `scheduler`) and
shown (`progress`). Building one checks every field and reports every problem at once as
`InputError`s named by the field (`engine`, `draws`, `seed`, `chunk`, `executor`, `jobs`); the
command line shows them as its flags (`--engine`, ...). Functions take a `RunOptions`; the
top-level entry points (`simlib.run`, `simlib.uncertainty.run_uncertainty`) also accept its
fields as keywords, e.g. `simlib.run(scen, engine="microsim", draws=20)`.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace

import numpy as np

from simlib.engines.registry import Engine, engine_names, get_engine
from simlib.errors import InputError, raise_if_any
from simlib.executors import EXECUTORS


def _whole(x) -> bool:
    return isinstance(x, int | np.integer) and not isinstance(x, bool)


@dataclass(frozen=True)
class RunOptions:
    """How to run a scenario (see the module docstring)."""

    engine: str = "expected"
    draws: int = 1  # replications of a stochastic engine (per parameter draw under uncertainty)
    seed: int | None = None  # None: the scenario's seed
    chunk: int | None = None  # units per task (runs unit by unit, one random stream per unit)
    executor: str = "serial"  # serial | local (processes) | dask
    jobs: int | None = None  # workers (None: one per core)
    scheduler: str | None = None  # Dask scheduler address (executor dask)
    progress: bool = False  # progress bars

    def __post_init__(self):
        raise_if_any(self.problems())

    def problems(self) -> list[InputError]:
        """Every invalid field, as errors named by the field."""
        out = []
        if self.engine not in engine_names():
            out.append(InputError("engine", field="engine", value=self.engine, allowed=engine_names()))
        if not _whole(self.draws) or self.draws < 1:
            out.append(InputError("draws", field="draws", value=self.draws))
        if self.seed is not None and (not _whole(self.seed) or self.seed < 0):
            out.append(InputError("seed", field="seed", value=self.seed))
        if self.chunk is not None and (not _whole(self.chunk) or self.chunk < 1):
            out.append(InputError("chunk_units", field="chunk", value=self.chunk))
        if self.executor not in EXECUTORS:
            out.append(InputError("enum", field="executor", value=self.executor, allowed=EXECUTORS))
        if self.jobs is not None and (not _whole(self.jobs) or self.jobs < 1):
            out.append(InputError("jobs", field="jobs", value=self.jobs))
        return out

    @classmethod
    def of(cls, options: RunOptions | None = None, **changes) -> RunOptions:
        """`options` (default: the defaults) with some fields changed, checked."""
        unknown = sorted(set(changes) - {f.name for f in fields(cls)})
        if unknown:
            raise TypeError(f"unknown run options: {', '.join(unknown)}")
        base = options if options is not None else cls()
        return replace(base, **changes) if changes else base

    def but(self, **changes) -> RunOptions:
        """These options with some fields changed, checked."""
        return RunOptions.of(self, **changes)

    @property
    def engine_spec(self) -> Engine:
        return get_engine(self.engine)

    @property
    def replications(self) -> int:
        """Replications a run makes: `draws` for a stochastic engine, else 1."""
        return self.engine_spec.replications(self.draws)

    def for_scenario(self, scen) -> RunOptions:
        """With the scenario's seed when none was given."""
        return self if self.seed is not None else self.but(seed=int(scen.seed))

    def in_worker(self) -> RunOptions:
        """The options of one task inside a worker: serial, unchunked, silent."""
        return self.but(executor="serial", jobs=None, scheduler=None, chunk=None, progress=False)
