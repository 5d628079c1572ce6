"""The model the optimiser's engine runs for a scenario whose engine changes units (`units_switch`).

A run of the crossing (`simlib.unit_switch`) is segment 1 on the districts up to the switch year,
the household state at the review before it moved to the communes (`state_map`), and segment 2 on
the communes from there. The optimiser allocates the money of years on the communes only (the
years before the switch keep the scenario's money, `simlib.allocate.crossing`), so everything a
run does before the first year it allocates is the same for every allocation: it is run once, and
each allocation is evaluated by continuing segment 2's engine from the state at that review —
the same engine, state and money as `simlib run`, so the same numbers (a run stopped at a review
and continued from its state is the run itself, `Engine.run`).

`Continued` stands for segment 2's model in the optimiser's evaluations (`evaluate.run_batch`,
`evaluate.aggregates`): its outputs have the shapes of the commune model over every review and
year; the reviews and years before the continuation are the fixed part's — the communes' own
from the switch on, the districts' households moved to the communes by the transition's weights
before it (households by group and state only: the other arrays of those years are zero, and
`described_from` tells readers where the communes' arrays begin).
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np

from simlib.engines.common import ARRAYS, EngineOutput, EngineState
from simlib.model import Model
from simlib.multidim import MultidimModel, core_of


@dataclass
class Continued:
    """Segment 2's model `model` continued from `state` (one scenario) handed over at review
    `start`; `at` the review of the switch (segment 2 begins there, `start` >= `at`); `prefix`
    segment 2's run from `at` to `start` with the scenario's money (None when `start` == `at`);
    `early` (1, at, G, K) segment 1's households at the reviews before `at`, on the communes."""

    model: Model | MultidimModel
    at: int
    start: int
    state: EngineState
    prefix: EngineOutput | None
    early: np.ndarray
    #: a unit's model (`take_units`): its groups in the full model (only households are filled in
    #: before `start`: a unit's runs are read as changes against its own run, `evaluate.perturbed`)
    groups: np.ndarray | None = None

    @property
    def poverty_model(self) -> str:
        return self.model.poverty_model

    @property
    def core(self) -> Model:
        return core_of(self.model)

    def run(self, eng, spend: np.ndarray) -> EngineOutput:
        """The engine `eng` on spending (S, Y+1, L, D), one scenario at a time from the state (a
        multidimensional state of the 56 communes holds over a gigabyte: no copies per batch)."""
        outs = []
        for i in range(len(spend)):
            out = eng.run(self.model, spend[i : i + 1], start=self.start, state=self.state)
            out.state = None  # the state at the horizon is not needed (and large)
            outs.append(out)
        out = EngineOutput.stack(outs, "expected")
        self.fill(out)
        return out

    def take_units(self, units: np.ndarray) -> Continued:
        """The same continuation for some units only (`evaluate.unit_model`: units do not interact
        within a year): the model's, the state's and the households' slices of their groups."""
        units = np.asarray(units, int)
        groups = np.flatnonzero(np.isin(self.core.g_unit, units))
        st = self.state
        cells = {k: v[:, groups] for k, v in st.cells.items()}
        state = EngineState(st.t, st.n[:, groups], st.built[..., units], st.built_counts, cells)
        part = self.prefix.states[:, self.at : self.start][:, :, groups] if self.prefix is not None else None
        early = self.early[:, :, groups] if part is None else np.concatenate([self.early[:, :, groups], part], axis=1)
        model = self.model.take_units(units)
        return Continued(model, self.start if part is not None else self.at, self.start, state, None, early, groups)

    def fill(self, out: EngineOutput) -> None:
        """Write the fixed part's reviews and years before `start` into `out` (module docstring)."""
        if self.prefix is not None:
            for name in ARRAYS:
                getattr(out, name)[:, self.at : self.start] = getattr(self.prefix, name)[:, self.at : self.start]
            if out.multidim is not None:
                for f in fields(out.multidim):
                    getattr(out.multidim, f.name)[:, self.at : self.start] = getattr(self.prefix.multidim, f.name)[
                        :, self.at : self.start
                    ]
        out.states[:, : self.at] = self.early


def engine_run(eng, target, spend: np.ndarray) -> EngineOutput:
    """`eng` on spending (S, Y+1, L, D) for the model `target` (a compiled model, or `Continued`)."""
    return target.run(eng, spend) if isinstance(target, Continued) else eng.run(target, spend)


def core_model(target) -> Model:
    """The core `Model` of the optimiser's target (`core_of`, through `Continued`)."""
    return target.core if isinstance(target, Continued) else core_of(target)


def engine_target(target) -> Model | MultidimModel:
    """The compiled model the engine runs (segment 2's for `Continued`)."""
    return target.model if isinstance(target, Continued) else target


def described_from(target) -> int:
    """The first projected year (and review) from which an output of `target` holds the
    target's own units' arrays: 0, or the switch for `Continued`."""
    return target.at if isinstance(target, Continued) else 0


def allocated_from(target) -> int:
    """The first projected year whose money can change an output of `target`: 0, or `start`."""
    return target.start if isinstance(target, Continued) else 0
