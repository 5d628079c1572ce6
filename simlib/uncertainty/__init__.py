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

from simlib.uncertainty.run import UncertaintyResult, read_uncertainty, run_uncertainty, write_uncertainty
from simlib.uncertainty.sampling import METHODS, Sample, sample
from simlib.uncertainty.space import KINDS, ParameterSpace, build_space

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
