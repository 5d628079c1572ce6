"""Engines as registered objects: the one place that knows which engines exist, what each can do,
and how to run it.

An `Engine` declares whether it is stochastic (runs `draws` replications from a seed), which
poverty models it implements (`states`, `multidim`; each with its own runner), which of them it
can run unit by unit (`chunking`: national scale, `simlib.national`) and which it evaluates over
a leading scenario axis of spending (`sweeps`: optimiser, calibration). Every runner has the same
signature::

    runner(model, spend, draws=1, seed=0, progress=False, label="") -> EngineOutput

where `model` is the compiled model of its poverty model (`simlib.model.Model`,
`simlib.multidim.MultidimModel`), `spend` the money actually spent (Y+1, L, D) VND and `seed`
an int or the `numpy.random.SeedSequence` at the root of the run's streams.

`select(name, poverty_model, chunked)` is the only place an engine is chosen by name; an unknown
engine, or one that cannot run what is asked, is an `InputError` that lists what is allowed. To
add an engine, write its runner and `register` it below, named by its module and attribute.

The registry is data: each runner is named by where it lives (`"simlib.engines.expected:
run_expected"`) and its module is imported when the runner is first asked for (`resolve`), so
that knowing the engines — the command line's `--help`, `list`, `validate`, the check of
`--engine` — does not load the engines themselves (numba, their compiled kernels, pandas).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from simlib.errors import InputError
from simlib.lazy import resolve

if TYPE_CHECKING:
    from simlib.engines.common import EngineOutput

POVERTY_MODELS = ("states", "multidim")

Runner = Callable[..., "EngineOutput"]


@dataclass(frozen=True)
class Engine:
    """One engine: what it supports and how to run it (see the module docstring)."""

    name: str
    stochastic: bool
    targets: Mapping[str, str]  # poverty model -> its runner, as "package.module:attribute"
    chunking: tuple[str, ...] = ()  # poverty models it can run unit by unit
    sweeps: tuple[str, ...] = ()  # poverty models it evaluates over a leading scenario axis
    summary: str = ""
    #: poverty models whose runs it can stop and continue (a slice of years from a handed-over
    #: `EngineState`, e.g. on other units: `simlib.unit_switch`)
    hands_over: tuple[str, ...] = ()

    @property
    def models(self) -> tuple[str, ...]:
        return tuple(self.targets)

    @property
    def runners(self) -> dict[str, Runner]:
        """Poverty model -> runner, their modules imported (`resolve`)."""
        return {model: resolve(target) for model, target in self.targets.items()}

    def replications(self, draws: int) -> int:
        """Replications a run makes when `draws` are asked (1 for a deterministic engine)."""
        return int(draws) if self.stochastic else 1

    def run(
        self,
        model,
        spend,
        draws: int = 1,
        seed=0,
        progress: bool = False,
        label: str = "",
        *,
        start: int = 0,
        stop: int | None = None,
        state=None,
    ) -> EngineOutput:
        """Run on a compiled model with spending `spend` (the runner of the model's poverty model);
        with `start` / `stop` / `state`, only the projected years [start, stop) from the state an
        earlier run handed over at review `start` (an engine that `hands_over` that model; any
        other is an `InputError` naming those that do)."""
        runner = resolve(self.targets[model.poverty_model])
        kw = {"draws": self.replications(draws), "seed": seed, "progress": progress, "label": label}
        if start == 0 and stop is None and state is None:
            return runner(model, spend, **kw)
        self.check_hands_over(model.poverty_model)
        return runner(model, spend, **kw, start=start, stop=stop, state=state)

    def check_hands_over(self, poverty_model: str) -> None:
        """An `InputError` if this engine cannot stop a run of `poverty_model` and continue it."""
        if poverty_model not in self.hands_over:
            able = [e.name for e in _ENGINES.values() if poverty_model in e.hands_over]
            raise InputError(
                "engine_hand_over", field="engine", value=self.name, allowed=able or "—", model=poverty_model
            )


_ENGINES: dict[str, Engine] = {}


def register(engine: Engine) -> Engine:
    """Add an engine (its name must be new)."""
    if engine.name in _ENGINES:
        raise ValueError(f"engine {engine.name!r} is already registered")
    _ENGINES[engine.name] = engine
    return engine


def engine_names() -> tuple[str, ...]:
    return tuple(_ENGINES)


def get_engine(name: str) -> Engine:
    """The engine called `name`, or an `InputError` listing the engines."""
    if name not in _ENGINES:
        raise InputError("engine", field="engine", value=name, allowed=engine_names())
    return _ENGINES[name]


def select(name: str, poverty_model: str = "states", chunked: bool = False) -> Engine:
    """The engine to run a model of `poverty_model` (unit by unit when `chunked`), or an
    `InputError` naming what the engine supports and which engines would do."""
    engine = get_engine(name)
    if poverty_model not in engine.models:
        able = [e.name for e in _ENGINES.values() if poverty_model in e.models]
        raise InputError("engine_model", field="engine", value=name, allowed=able, model=poverty_model)
    if chunked and poverty_model not in engine.chunking:
        able = [e.name for e in _ENGINES.values() if poverty_model in e.chunking]
        raise InputError("engine_chunking", field="chunk", value=name, allowed=able or "—", model=poverty_model)
    return engine


def expected_states(model, spend, draws=1, seed=0, progress=False, label="") -> EngineOutput:
    """The expected engine's runner of the poverty-states model (`run_expected`, which takes no
    replications, seed or progress bar)."""
    return resolve("simlib.engines.expected:run_expected")(model, spend)


register(
    Engine(
        "expected",
        stochastic=False,
        targets={
            "states": "simlib.engines.registry:expected_states",
            "multidim": "simlib.engines.multidim_expected:run_multidim_expected",
        },
        chunking=("states", "multidim"),
        sweeps=("states", "multidim"),
        summary="exact expected counts (cohort Markov projection with budget-dependent matrices)",
        hands_over=("multidim",),
    )
)
register(
    Engine(
        "microsim",
        stochastic=True,
        targets={
            "states": "simlib.engines.microsim:run_microsim",
            "multidim": "simlib.engines.multidim_microsim:run_multidim_microsim",
        },
        chunking=("states", "multidim"),
        summary="individual households: beneficiaries drawn by priority, transitions drawn per household",
    )
)
register(
    Engine(
        "microsim-fast",
        stochastic=True,
        targets={"states": "simlib.engines.kernel:run_microsim_fast"},
        chunking=("states",),
        summary="households in 3 bytes, one random number per household-year",
    )
)
register(
    Engine(
        "aggregate",
        stochastic=True,
        targets={"states": "simlib.engines.aggregate:run_aggregate"},
        chunking=("states",),
        summary="one multinomial draw per cell and year",
    )
)

#: the registered engines' names
ENGINES = engine_names()
