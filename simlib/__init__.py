"""simlib — projections of poor, near-poor, newly escaped and non-poor households under a
budget allocation of Vietnam's National Target Program for Sustainable Poverty Reduction.

Typical use::

    import simlib
    scen = simlib.load_scenario("params/scenarios/plan_2024.yaml")
    res = simlib.run(scen)                                   # expected engine
    res = simlib.run(scen, simlib.RunOptions(engine="microsim", draws=20, seed=1))
    res.indicators.head()
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError
from importlib.metadata import version as _version

try:
    __version__ = _version("simlib")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.0.0+src"

from simlib.clock import import_f2py_despite_a_malformed_time  # noqa: E402
from simlib.errors import InputError, InputErrors, SimlibError  # noqa: E402

import_f2py_despite_a_malformed_time()  # before SciPy imports it: see simlib.clock
from simlib.options import RunOptions  # noqa: E402
from simlib.runner import RunResult, run  # noqa: E402
from simlib.scenario import Scenario, load_scenario  # noqa: E402

__all__ = [
    "__version__",
    "InputError",
    "InputErrors",
    "SimlibError",
    "Scenario",
    "load_scenario",
    "run",
    "RunOptions",
    "RunResult",
]
