"""Dispatch for the issue-8 engines, so the runner needs one line per call site:
FAST_ENGINES[name](model, draws, seed, spend) -> EngineOutput."""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from simlib.engines.aggregate import run_aggregate
from simlib.engines.common import EngineOutput
from simlib.engines.kernel import run_microsim_fast
from simlib.model import Model


def _fast(model: Model, draws: int, seed: int, spend: np.ndarray | None) -> EngineOutput:
    model = model if spend is None else replace(model, spend=spend, cache={})
    return run_microsim_fast(model, draws=draws, seed=seed)


def _aggregate(model: Model, draws: int, seed: int, spend: np.ndarray | None) -> EngineOutput:
    return run_aggregate(model, draws=draws, seed=seed, spend=spend)


FAST_ENGINES = {"microsim-fast": _fast, "aggregate": _aggregate}
