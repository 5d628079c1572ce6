"""What every engine shares besides the programme step: the output container, random streams per
draw, the stacking of draws and batched sums into bins."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, fields

import numpy as np
from tqdm.auto import tqdm

from simlib.engines.remap_jit import GroupMove
from simlib.geography import remap_units

#: the arrays of an `EngineOutput`, in order
ARRAYS = ("states", "flows", "entries", "reached", "eligible", "ps_supported", "ps_wanting")
#: the axis of the review t (states-like arrays) or projected year y of each array
REVIEW_AXIS = {"states": 1}
YEAR_AXIS = {"flows": 1, "entries": 1, "reached": 1, "eligible": 1, "ps_supported": 1, "ps_wanting": 1}


@dataclass
class EngineState:
    """What an engine that `hands_over` needs to continue a run from review `t` (0 = baseline):
    households by group and state `n` (S, G, K), the engine's per-cell arrays `cells` (name ->
    array with the group axis 1, e.g. the multidimensional engine's households by deprivation
    mask and by key and income bin), and `built` (S, Y, L, D): what each projected year left for
    later years' pools by unit (`simlib.engines.reach.record`) — households served for the lines
    in `built_counts` (L,) bool, shares of the eligible households for the others."""

    t: int
    n: np.ndarray
    built: np.ndarray
    built_counts: np.ndarray
    cells: dict = field(default_factory=dict)
    #: handed over for one run only (`once`): that run may write the arrays in place
    spare: bool = False
    #: arrays of the cells' shapes and types that a run continuing from this state (not `once`)
    #: writes its copy of the cells into, instead of new ones (`lent`: reused memory is already
    #: mapped; `simlib.workbench.pool`)
    into: dict | None = None
    #: the cell-states known all zero in `into`'s arrays (the multidimensional engine's vacancy
    #: bits (S, G) of the state that held them, `simlib.engines.multidim_vacancy.destination`):
    #: a copy need not write zeros there; None: nothing known
    into_zero: np.ndarray | None = None

    def once(self) -> EngineState:
        """This state for one last run: the engine continuing from it takes its arrays and writes
        them in place instead of copying them (for the communes several hundred MB per copy); the
        state is not used again (`taken` empties it). The numbers are the same: the run reads the
        same values either way."""
        self.spare = True
        return self

    def taken(self) -> tuple[np.ndarray, np.ndarray, dict]:
        """(n, built, cells) for an engine continuing from this state, as arrays it may write:
        copies (into `into` when given), or the state's own arrays when it was handed over `once`
        (the state is then emptied, so that a second use fails instead of reading the arrays the
        run changed)."""
        n, built, cells, source = self.lent()
        for k, v in (source or {}).items():
            np.copyto(cells[k], v)
        return n, built, cells

    def lent(self) -> tuple[np.ndarray, np.ndarray, dict, dict | None]:
        """(n, built, cells, source) for an engine that copies the cells itself as it first reads
        them: `taken`'s arrays, except that when the state is not handed over `once` the cells
        are arrays to be filled (`into`, or new) and `source` the state's own cells to fill them
        from, read only (else None: `cells` hold the values). The same values either way once
        every cell is copied; the multidimensional engine copies group by group in its first
        year (`simlib.engines.multidim_jit.year`), where the copy costs no pass over memory of
        its own."""
        if self.n is None:
            raise ValueError("this state was handed over once and a run has taken its arrays")
        if not self.spare:
            into, self.into = self.into or {k: np.empty_like(v, order="C") for k, v in self.cells.items()}, None
            self.into_zero = None  # those arrays are taken: the bits go with them
            return self.n.copy(), self.built.copy(), {k: into[k] for k in self.cells}, self.cells
        n, built, cells = self.n, self.built, self.cells
        self.n, self.built, self.cells = None, None, {}
        own = np.ascontiguousarray
        return own(n), own(built), {k: own(v) for k, v in cells.items()}, None

    def remapped(self, mapping, into: dict | None = None, skip: np.ndarray | None = None) -> EngineState:
        """The same households on other units and groups: `mapping.groups` (G, G') moves each
        group's households (rows sum to 1: households are conserved exactly, per state and cell),
        `mapping.units` (D, D') each unit's (rows sum to 1). Households served are moved with the
        households; a share of the eligible households is averaged with the same weights.
        `into`: arrays (name -> array of the moved cell's shape, float64, C order) the moved
        cells are written into instead of new ones (their values overwritten: the same numbers),
        e.g. the cells of a moved state nothing reads any more (`simlib.workbench.switched`);
        `skip` (S, G') uint8: the states of the new groups (bit k: state k) known all zero both in
        `into`'s arrays and in every old group moved there, not written (`GroupMove`)."""
        moved = remap_units(self.built, mapping.units, axis=3)
        cover = mapping.units.sum(axis=0)
        with np.errstate(invalid="ignore", divide="ignore"):
            mean = np.where(cover > 0, moved / cover, 0.0)
        built = np.where(self.built_counts[None, None, :, None], moved, mean)
        move = GroupMove.of_map(mapping)  # compiled, the numbers of `remap_groups`
        cells = {k: move(v, axis=1, out=(into or {}).get(k), skip=skip) for k, v in self.cells.items()}
        n = move(self.n, axis=1)
        return EngineState(self.t, n, built, self.built_counts, cells)


@dataclass
class EngineOutput:
    """Arrays from one engine run; leading axis S = draws (stochastic engines) or scenarios
    (expected engine over a batch of spending).

    states   (S, Y+1, G, K) households at each review, index 0 = baseline
    flows    (S, Y, G, K, K) households moving from -> to during projected year y
    entries  (S, Y, G, K) new households formed during year y, by state at the review
    reached  (S, Y, L, D) beneficiaries reached (households, or officers / communes)
    eligible (S, Y, L, D) eligible beneficiaries
    ps_supported, ps_wanting (S, Y) households given / wanting production support
    multidim (optional) deprivation and income arrays of the multidimensional model
             (simlib.multidim.output.MultidimOutput); None for the states model
    """

    engine: str
    states: np.ndarray
    flows: np.ndarray
    entries: np.ndarray
    reached: np.ndarray
    eligible: np.ndarray
    ps_supported: np.ndarray
    ps_wanting: np.ndarray
    multidim: object | None = None
    #: the state at the last review run, for an engine that `hands_over` (None otherwise)
    state: EngineState | None = None

    @property
    def n_draws(self) -> int:
        return self.states.shape[0]

    @classmethod
    def zeros(cls, engine: str, S: int, Y: int, G: int, K: int, L: int, D: int, alloc=np.zeros) -> EngineOutput:
        """Arrays of the documented shapes for an engine to fill in place: zero-filled, or left
        unset with `alloc=np.empty` by an engine that writes every element."""
        return cls(
            engine,
            alloc((S, Y + 1, G, K)),
            alloc((S, Y, G, K, K)),
            alloc((S, Y, G, K)),
            alloc((S, Y, L, D)),
            alloc((S, Y, L, D)),
            alloc((S, Y)),
            alloc((S, Y)),
        )

    @classmethod
    def like(cls, engine: str, model, S: int, alloc=np.zeros) -> EngineOutput:
        """`zeros` with the shapes of a compiled model (`simlib.model.Model`)."""
        s = model.structure
        L, G, K = s.eligible.shape
        return cls.zeros(engine, S, len(s.years), G, K, L, len(s.unit_ids), alloc)

    def joined(self, later: EngineOutput, t: int) -> EngineOutput:
        """This output up to review `t` followed by `later` (a run continued from review `t` on the
        same groups and units): reviews after `t` and projected years from `t` on from `later`."""
        parts = {}
        for name in ARRAYS:
            a, b = getattr(self, name), getattr(later, name)
            cut = t + 1 if name in REVIEW_AXIS else t
            parts[name] = np.concatenate([a[:, :cut], b[:, cut:]], axis=1)
        md = None
        if self.multidim is not None:
            md = type(self.multidim)(
                **{
                    f.name: np.concatenate(
                        [
                            getattr(self.multidim, f.name)[:, : t + (f.name != "removed")],
                            getattr(later.multidim, f.name)[:, t + (f.name != "removed") :],
                        ],
                        axis=1,
                    )
                    for f in fields(self.multidim)
                }
            )
        return EngineOutput(later.engine, **parts, multidim=md, state=later.state)

    def removals_by_pair(self, mm) -> EngineOutput:
        """This output with its multidimensional removals by removal pair of the model `mm` and its
        households deprived in at least the minimum number of indicators
        (`simlib.multidim.output.MultidimOutput.compact`; none for the states model), returned:
        what an expected engine does when a run ends."""
        if self.multidim is not None:
            self.multidim.compact(mm)
        return self

    def released(self) -> EngineOutput:
        """This output without its handed-over state (`state` = None), returned: for a run whose
        last state nothing continues from (for the communes about 1.2 GB of arrays, kept alive as
        long as the output otherwise). The output's own arrays are untouched."""
        self.state = None
        return self

    def arrays(self) -> tuple:
        """(states, flows, entries, reached, eligible, ps_supported, ps_wanting)."""
        return self.states, self.flows, self.entries, self.reached, self.eligible, self.ps_supported, self.ps_wanting

    @classmethod
    def stack(cls, outs: list[EngineOutput], engine: str | None = None) -> EngineOutput:
        """Outputs of single draws stacked along the draw axis (the multidimensional arrays too)."""
        cat = {f: np.concatenate([getattr(o, f) for o in outs]) for f in ARRAYS}
        extra = [o.multidim for o in outs]
        md = type(extra[0]).concatenate(extra) if extra and extra[0] is not None else None
        return cls(engine or outs[0].engine, **cat, multidim=md)


def seed_sequence(seed: int | np.random.SeedSequence) -> np.random.SeedSequence:
    """The root of a run's random streams."""
    return seed if isinstance(seed, np.random.SeedSequence) else np.random.SeedSequence(int(seed))


def draw_seeds(seed: int | np.random.SeedSequence, draws: int) -> list[np.random.SeedSequence]:
    """The stream of each draw: the i-th child of the root, as `SeedSequence.spawn` numbers them
    (without changing the root, so a root can start two runs, e.g. with and without the programme)."""
    root = seed_sequence(seed)
    return [
        np.random.SeedSequence(root.entropy, spawn_key=root.spawn_key + (i,), pool_size=root.pool_size)
        for i in range(int(draws))
    ]


def run_draws(
    simulate_one: Callable[[np.random.Generator], EngineOutput],
    engine: str,
    draws: int,
    seed: int | np.random.SeedSequence,
    progress: bool = False,
    label: str = "",
) -> EngineOutput:
    """`draws` independent replications of `simulate_one(rng)`, draw i on the i-th child stream
    of `seed`, stacked along the draw axis."""
    seeds = draw_seeds(seed, draws)
    bar = tqdm(seeds, desc=label or engine, disable=not progress, leave=False)
    return EngineOutput.stack([simulate_one(np.random.default_rng(s)) for s in bar], engine)


def batched_bins(index: np.ndarray, size: int, S: int) -> np.ndarray:
    """Bins of a batched bincount: scenario s's entries go to s * size + index."""
    return index if S == 1 else (np.arange(S)[:, None] * size + index[None, :]).ravel()


def scatter_sum(values: np.ndarray, bins: np.ndarray, size: int) -> np.ndarray:
    """Sum values (S, M) into (S, size) bins given by `batched_bins(index, size, S)`."""
    S = values.shape[0]
    return np.bincount(bins, weights=values.ravel(), minlength=S * size).reshape(S, size)


def stochastic_round(x: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Integers with expectation x (x >= 0)."""
    base = np.floor(x)
    return (base + (rng.random(x.shape) < (x - base))).astype(np.int64)
