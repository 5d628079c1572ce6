"""What every engine shares besides the programme step: the output container, random streams per
draw, the stacking of draws and batched sums into bins."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from tqdm.auto import tqdm

#: the arrays of an `EngineOutput`, in order
ARRAYS = ("states", "flows", "entries", "reached", "eligible", "ps_supported", "ps_wanting")


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
