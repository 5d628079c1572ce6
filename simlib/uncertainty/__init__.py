"""Uncertainty, sensitivity and robustness: how sure are we that a plan meets its targets?

- `space`       which parameters are uncertain, their kinds and groups (`build_space`);
- `validity`    sampled transition parameters checked and pulled back towards the centre if invalid;
- `sampling`    seeded Latin hypercube / Sobol designs and the map to declared distributions
                (transition rows and entry shares drawn whole, from Dirichlet distributions);
- `apply`       one draw applied to a scenario (fast, or re-validated);
- `evaluate`    draws run through an engine in chunks, through the executor seam;
- `summaries`   quantiles and probabilities of meeting targets with bounded memory;
- `run`         `run_uncertainty` / `write_uncertainty` / `read_uncertainty`;
- `sensitivity` variance-based (Sobol, grouped) indices and Morris screening (SALib);
- `prim_box`    PRIM peeling and pasting (Friedman & Fisher 1999) in numpy;
- `rules`       PRIM rules for when a plan misses its target;
- `robustness`  allocations compared on the same draws: regret, probabilities, rules.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from simlib.lazy import package_names
from simlib.uncertainty.samplers import METHODS

if TYPE_CHECKING:
    from simlib.uncertainty.run import UncertaintyResult, read_uncertainty, run_uncertainty, write_uncertainty
    from simlib.uncertainty.sampling import Sample, sample
    from simlib.uncertainty.space import KINDS, ParameterSpace, build_space

#: the names this package gives from its modules, imported on first access (`__getattr__`): the
#: command line's checks read `samplers` without loading the runner, SciPy or SALib
LAZY = {
    "KINDS": "simlib.uncertainty.space:KINDS",
    "ParameterSpace": "simlib.uncertainty.space:ParameterSpace",
    "Sample": "simlib.uncertainty.sampling:Sample",
    "UncertaintyResult": "simlib.uncertainty.run:UncertaintyResult",
    "build_space": "simlib.uncertainty.space:build_space",
    "read_uncertainty": "simlib.uncertainty.run:read_uncertainty",
    "run_uncertainty": "simlib.uncertainty.run:run_uncertainty",
    "sample": "simlib.uncertainty.sampling:sample",
    "write_uncertainty": "simlib.uncertainty.run:write_uncertainty",
}

__all__ = [
    "KINDS",
    "METHODS",
    "ParameterSpace",
    "Sample",
    "UncertaintyResult",
    "build_space",
    "read_uncertainty",
    "run_uncertainty",
    "sample",
    "write_uncertainty",
]


__getattr__, __dir__ = package_names(globals(), LAZY)  # and the package's modules (`simlib.uncertainty.rules`)
