"""Engines: `expected` (exact expected counts) and `microsim` (individual households); and,
for speed and national scale, `microsim-fast` (a few bytes and one random number per household)
and `aggregate` (multinomial draws per cell).

All take a compiled model and the money spent, and return an `EngineOutput` of arrays with the
same shapes, so tables, indicators and reports never depend on which engine ran. How money
reaches households is one shared step (`simlib.engines.reach`); which engines exist and what each
supports is the registry (`simlib.engines.registry`), the only place that chooses one by name.

Importing this package loads only the registry: the runners below (and `EngineOutput`) are
imported from their modules when first asked for (`simlib.engines.run_expected`, `from
simlib.engines import run_microsim`), so that what only needs the engines' names (the command
line's `--help`, `list`, `validate`) does not load numba, the compiled kernels or pandas.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from simlib.engines.registry import ENGINES, Engine, engine_names, get_engine, select
from simlib.lazy import package_names

if TYPE_CHECKING:
    from simlib.engines.aggregate import run_aggregate
    from simlib.engines.common import EngineOutput
    from simlib.engines.expected import run_expected
    from simlib.engines.kernel import run_microsim_fast
    from simlib.engines.microsim import run_microsim

#: the names this package gives from its modules, imported on first access (`__getattr__`)
LAZY = {
    "EngineOutput": "simlib.engines.common:EngineOutput",
    "run_aggregate": "simlib.engines.aggregate:run_aggregate",
    "run_expected": "simlib.engines.expected:run_expected",
    "run_microsim": "simlib.engines.microsim:run_microsim",
    "run_microsim_fast": "simlib.engines.kernel:run_microsim_fast",
}

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


__getattr__, __dir__ = package_names(globals(), LAZY)  # and the package's modules (`simlib.engines.multidim_jit`)
