"""Engines: `expected` (exact expected counts) and `microsim` (individual households); and,
for speed and national scale, `microsim-fast` (a few bytes and one random number per household)
and `aggregate` (multinomial draws per cell).

All take a compiled model and the money spent, and return an `EngineOutput` of arrays with the
same shapes, so tables, indicators and reports never depend on which engine ran. How money
reaches households is one shared step (`simlib.engines.reach`); which engines exist and what each
supports is the registry (`simlib.engines.registry`), the only place that chooses one by name.
"""

from simlib.engines.aggregate import run_aggregate
from simlib.engines.common import EngineOutput
from simlib.engines.expected import run_expected
from simlib.engines.kernel import run_microsim_fast
from simlib.engines.microsim import run_microsim
from simlib.engines.registry import ENGINES, Engine, engine_names, get_engine, select

__all__ = [
    "ENGINES",
    "Engine",
    "EngineOutput",
    "engine_names",
    "get_engine",
    "run_aggregate",
    "run_expected",
    "run_microsim",
    "run_microsim_fast",
    "select",
]
