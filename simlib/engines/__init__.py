"""Engines: `expected` (exact expected counts) and `microsim` (individual households).

Both take a compiled `Model` and return an `EngineOutput` of arrays with the same shapes, so
tables, indicators and reports never depend on which engine ran.
"""
from simlib.engines.common import EngineOutput
from simlib.engines.expected import run_expected
from simlib.engines.microsim import run_microsim

ENGINES = ("expected", "microsim")

__all__ = ["ENGINES", "EngineOutput", "run_expected", "run_microsim"]
