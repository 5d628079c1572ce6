"""Engines: `expected` (exact expected counts) and `microsim` (individual households); and,
for speed and national scale, `microsim-fast` (a few bytes and one random number per household)
and `aggregate` (multinomial draws per cell).

Both take a compiled `Model` and return an `EngineOutput` of arrays with the same shapes, so
tables, indicators and reports never depend on which engine ran.
"""

from simlib.engines.common import EngineOutput
from simlib.engines.expected import run_expected
from simlib.engines.microsim import run_microsim

ENGINES = ("expected", "microsim")

# performance and national scale (issue 8): the fast household kernel and the aggregate
# stochastic path (simlib.engines.kernel, simlib.engines.aggregate)
from simlib.engines.aggregate import run_aggregate  # noqa: E402
from simlib.engines.kernel import run_microsim_fast  # noqa: E402

ENGINES = ENGINES + ("microsim-fast", "aggregate")

__all__ = ["ENGINES", "EngineOutput", "run_aggregate", "run_expected", "run_microsim", "run_microsim_fast"]
