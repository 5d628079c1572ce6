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

`Kept` stands for the model of any other scenario: the optimiser runs the same spending more than
once (the run without the programme for the estimate and again for the tables, the optimum, the
plan and the equal split for the comparison and again for the money that reaches no one), and
every allocation keeps the scenario's money in the years before the first one it allocates
(`simlib.allocate.kept`: plan_2027 allocates 2027 only). A `Kept` model gives a spending it ran
lately its output again (`MEMO` outputs, one scenario each) and, for an engine that hands its
state over (the multidimensional model's), continues a spending whose money before the first
allocated year is the scenario's from the state of one run stopped at that review (`EngineOutput.joined`):
the same engine on the same inputs, so the same arrays (tests/test_kept_runs.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields, replace

import numpy as np

from simlib.engines.common import ARRAYS, EngineOutput, EngineState
from simlib.model import Model
from simlib.multidim import MultidimModel, core_of


class Wrapped:
    """What the optimiser reads of a wrapped compiled model (`self.model`): its poverty model and
    its core `Model`."""

    model: Model | MultidimModel

    @property
    def poverty_model(self) -> str:
        return self.model.poverty_model

    @property
    def core(self) -> Model:
        return core_of(self.model)


class Spare:
    """The cells of a continued run's state at the horizon, which nothing reads (the run's output
    keeps no state), for the next run continued from the same kept state to copy that state into
    (`EngineState.into`). A fresh copy is fresh memory: for the 56 communes about 1 GB per run,
    whose pages the operating system maps and zeroes on the first write (on `plan_2027` some 260,000
    page faults and about 0.75 s of system time per continued run, measured with the machine loaded,
    benchmarks/HISTORY.md `## optmem65`); arrays already written are mapped. The same bytes either
    way: the run overwrites every value it reads (as the explorer's `simlib.workbench.pool`). With
    the cells go the bits of the cell-states that state knew all zero (`EngineState.into_zero`):
    the copy writes nothing where the kept state and the arrays are both known zero."""

    def __init__(self):
        self.cells: dict | None = None
        self.zero: np.ndarray | None = None

    def drop(self) -> None:
        """Let the kept cells go (before runs that make their own: the memory of the process at
        its height stays that of a continued run, the kept state and the run's copy)."""
        self.cells = self.zero = None

    def give(self, state) -> None:
        """Keep the cells of `state` (a run's state at the horizon, read by nothing else; another
        kind of state: nothing kept) and the bits of its cell-states known all zero."""
        self.drop()
        if isinstance(state, EngineState) and state.cells:
            marks = getattr(state, "vacancy", None)
            bits = getattr(marks, "bits", None)
            self.cells, self.zero = state.cells, bits.copy() if isinstance(bits, np.ndarray) else None

    def lent_from(self, state):
        """`state` for one continued run that copies its cells into the kept ones when they fit
        (the same names, shapes and types; they are then no longer kept), else `state` itself."""
        cells, zero, self.cells, self.zero = self.cells, self.zero, None, None
        if not isinstance(state, EngineState) or state.spare or not fits(cells, state.cells):
            return state
        return replace(state, into=cells, into_zero=zero)


def fits(cells: dict | None, like: dict) -> bool:
    """Whether `cells` (name -> array) have the names, shapes and types of `like`'s."""
    return (
        cells is not None
        and cells.keys() == like.keys()
        and all(cells[k].shape == v.shape and cells[k].dtype == v.dtype for k, v in like.items())
    )


@dataclass
class Continued(Wrapped):
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

    def run(self, eng, spend: np.ndarray) -> EngineOutput:
        """The engine `eng` on spending (S, Y+1, L, D), one scenario at a time from the state (a
        multidimensional state of the 56 communes holds over a gigabyte: no copies per batch), each
        copying the state into the cells the one before left (`Spare`, let go with the call)."""
        outs, spare = [], Spare()
        for i in range(len(spend)):
            out = eng.run(self.model, spend[i : i + 1], start=self.start, state=spare.lent_from(self.state))
            spare.give(out.state)
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


#: outputs a `Kept` model keeps (one scenario each; about a megabyte for the 56 communes): the last
#: `MEMO` spendings run, and the first `PINNED` for the whole optimisation (the no-programme run,
#: the plan, the kept money alone: asked for again by the tables after the loop)
MEMO, PINNED = 16, 4


@dataclass
class Kept(Wrapped):
    """The compiled `model` of a scenario that does not change units, whose allocations keep the
    money `spend` (start + 1, L, D) VND of the history year and of the projected years before
    `start` (module docstring); `start` 0: the runs are only remembered."""

    model: Model | MultidimModel
    start: int
    spend: np.ndarray
    memo: dict = field(default_factory=dict, repr=False)
    pinned: dict = field(default_factory=dict, repr=False)
    prefix: EngineOutput | None = field(default=None, repr=False)  # the run up to review `start`
    state: EngineState | None = field(default=None, repr=False)  # its state at that review
    units: dict = field(default_factory=dict, repr=False)  # units -> their `Kept` (`take_units`)
    runs: int = 0  # scenarios the engine ran from the baseline
    continued: int = 0  # scenarios the engine continued from `state`
    ran: float = 0.0  # the last call's engine runs, in runs of this model (`engine_runs`)
    #: the cells of the last continued run's state at the horizon, which the next one copies into
    #: (one set, shared with the units' models: `take_units`)
    spare: Spare = field(default_factory=Spare, repr=False)

    def run(self, eng, spend: np.ndarray) -> EngineOutput:
        """The engine `eng` on spending (S, Y+1, L, D): the outputs remembered, the spendings that
        keep `spend` continued from `state` one at a time, the others run together."""
        keys = [s.tobytes() for s in spend]
        made = {
            k: self.memo.pop(k) if k in self.memo else self.pinned[k]
            for k in keys
            if k in self.memo or k in self.pinned
        }
        todo = list({k: i for i, k in enumerate(keys) if k not in made}.values())  # first of each
        cont = [i for i in todo if self._keeps(eng, spend[i])]
        full = [i for i in todo if i not in cont]
        years = len(self.core.spend) - 1  # projected years
        self.ran = (
            len(full)
            + len(cont) * (years - self.start) / years
            + (self.start / years if cont and self.prefix is None else 0)
        )
        if full:  # the state at the horizon is not kept: let it go before the continued runs
            self.spare.drop()  # the full runs make their own cells
            out = eng.run(self.model, spend[full]).released()
            made |= {keys[i]: _row(out, j) for j, i in enumerate(full)}
            self.runs += len(full)
        for i in cont:
            made[keys[i]] = self._continue(eng, spend[i : i + 1])
        self.memo |= made
        self.pinned |= {k: made[k] for k in keys[: PINNED - len(self.pinned)] if k in made}
        while len(self.memo) > MEMO:
            del self.memo[next(iter(self.memo))]
        return EngineOutput.stack([made[k] for k in keys])

    def _keeps(self, eng, spend: np.ndarray) -> bool:
        return self.continues(eng) and spend[: self.start + 1].tobytes() == self.spend.tobytes()

    def continues(self, eng) -> bool:
        """Whether the engine `eng` continues this model's allocations from the state at review
        `start` (an engine that hands its state over, and years kept before the allocated ones)."""
        return self.start > 0 and self.model.poverty_model in eng.hands_over

    def _continue(self, eng, spend: np.ndarray) -> EngineOutput:
        if self.prefix is None:
            self.prefix = eng.run(self.model, spend, stop=self.start)
            self.state, self.prefix.state = self.prefix.state, None
            self.runs += 1
        later = eng.run(self.model, spend, start=self.start, state=self.spare.lent_from(self.state))
        self.continued += 1
        self.spare.give(later.state)
        return self.prefix.joined(later, self.start).released()

    def take_units(self, units: np.ndarray) -> Kept:
        """The same for some units only (`evaluate.unit_model`): the model and kept money of
        their units, made once (its own runs: nothing is shared with the full model)."""
        units = np.atleast_1d(np.asarray(units, int))
        key = tuple(units.tolist())
        if key not in self.units:
            self.units[key] = Kept(
                self.model.take_units(units), self.start, np.ascontiguousarray(self.spend[..., units]), spare=self.spare
            )
        return self.units[key]

    def release(self) -> None:
        """Let go of what the runs keep, the units' too (for the 56 communes the state at the
        review holds about a gigabyte): a run after this starts again from the baseline."""
        for sub in self.units.values():
            sub.release()
        self.memo.clear()
        self.pinned.clear()
        self.prefix = self.state = None
        self.spare.drop()


def release(target) -> None:
    """Let go of what a `Kept` model's runs keep (`Kept.release`); nothing for another model."""
    if isinstance(target, Kept):
        target.release()


def kept(target: Model | MultidimModel, start: int) -> Kept:
    """`target` as a `Kept` model whose allocations keep the scenario's money before projected
    year `start` (0: every year allocated)."""
    return Kept(target, start, np.ascontiguousarray(core_of(target).spend[: start + 1], dtype=float))


def _row(out: EngineOutput, i: int) -> EngineOutput:
    """Scenario i of `out` alone (copies: the batch is not kept alive)."""
    arrays = {name: getattr(out, name)[i : i + 1].copy() for name in ARRAYS}
    md = out.multidim
    if md is not None:
        md = type(md)(**{f.name: getattr(md, f.name)[i : i + 1].copy() for f in fields(md)})
    return EngineOutput(out.engine, **arrays, multidim=md)


def engine_runs(target, arrays: int) -> float:
    """The engine runs the last `engine_run` of `target` on `arrays` spendings made, in runs of
    `target`: `arrays`, or for `Kept` those not remembered, a continued one counting its years."""
    return target.ran if isinstance(target, Kept) else float(arrays)


def run_share(eng, target) -> float:
    """The share of a whole run's projected years that the engine `eng` runs for an allocation of
    `target`: (years − start) / years for a `Kept` model it continues from the kept years' state
    (`Kept.continues`; those years are run once), 1 for any other model."""
    if not (isinstance(target, Kept) and target.continues(eng)):
        return 1.0
    years = len(target.core.spend) - 1
    return (years - target.start) / years


def engine_run(eng, target, spend: np.ndarray) -> EngineOutput:
    """`eng` on spending (S, Y+1, L, D) for the model `target` (a compiled model, `Continued`
    or `Kept`)."""
    return target.run(eng, spend) if isinstance(target, Continued | Kept) else eng.run(target, spend)


def core_model(target) -> Model:
    """The core `Model` of the optimiser's target (`core_of`, through `Continued` and `Kept`)."""
    return target.core if isinstance(target, Continued | Kept) else core_of(target)


def engine_target(target) -> Model | MultidimModel:
    """The compiled model the engine runs (segment 2's for `Continued`, its own for `Kept`)."""
    return target.model if isinstance(target, Continued | Kept) else target


def described_from(target) -> int:
    """The first projected year (and review) from which an output of `target` holds the
    target's own units' arrays: 0, or the switch for `Continued`."""
    return target.at if isinstance(target, Continued) else 0


def allocated_from(target) -> int:
    """The first projected year whose money can change an output of `target`: 0, or `start`."""
    return target.start if isinstance(target, Continued) else 0
