"""The distribution a parameter file declares for an uncertain quantity, as an inverse CDF.

A quantity `{value, range: [low, high], distribution}` (distribution `triangular` when not given)
is read the same way wherever it is drawn — the uncertainty analysis's designs
(`simlib.uncertainty.sampling`) and the calibration's prior draws (`simlib.calibrate.series_prior`):

- `uniform` on [low, high]; `triangular` (low, mode = value, high);
- `beta`: PERT — a beta distribution on [low, high] with mode = value (shape 4);
- `normal`: mean = value, [low, high] its 5–95 % interval, truncated to the quantity's physical
  bounds ([0, 1] for probabilities and shares, > 0 otherwise);
- `lognormal`: median = value, [low, high] its 5–95 % interval;
- `fixed` (or no range, or an empty one): the value.
"""

from __future__ import annotations

import numpy as np
from scipy import stats

from simlib.errors import InputError

DISTRIBUTIONS = ("fixed", "uniform", "triangular", "normal", "lognormal", "beta")
Z95 = stats.norm.ppf(0.95)  # 1.645: half-width of a 90 % interval in standard deviations
EPS = 1e-9


def unit_bounds(unit: str) -> tuple[float, float]:
    """Physical bounds of a quantity from its unit: [0, 1] for probabilities and shares, else [0, inf)."""
    u = str(unit).lower()
    if u.startswith("probability") or u.startswith("share"):
        return 0.0, 1.0
    return 0.0, float("inf")


def quantity_ppf(
    distribution: str,
    central: float,
    low: float,
    high: float,
    u: np.ndarray,
    bounds: tuple[float, float] = (0.0, float("inf")),
    name: str = "",
) -> np.ndarray:
    """Values of a quantity at uniforms `u` (inverse CDF of its declared distribution; see the
    module docstring). `name` is the quantity's dotted path, for the error of a bad declaration."""
    u = np.clip(np.asarray(u, float), EPS, 1 - EPS)
    mode, lo, hi = float(central), float(low), float(high)
    if distribution == "fixed" or not hi > lo:
        return np.full(u.shape, mode)
    if distribution == "uniform":
        return lo + u * (hi - lo)
    if distribution == "triangular":
        return stats.triang.ppf(u, (mode - lo) / (hi - lo), loc=lo, scale=hi - lo)
    if distribution == "beta":
        a = 1 + 4 * (mode - lo) / (hi - lo)
        b = 1 + 4 * (hi - mode) / (hi - lo)
        return lo + (hi - lo) * stats.beta.ppf(u, a, b)
    if distribution == "normal":
        sd = (hi - lo) / (2 * Z95)
        blo, bhi = bounds
        return stats.truncnorm.ppf(u, (blo - mode) / sd, (bhi - mode) / sd, loc=mode, scale=sd)
    if distribution == "lognormal":
        if lo <= 0 or mode <= 0:
            raise InputError("minimum", field=f"{name}.range", value=[lo, hi], limit="> 0 (lognormal)")
        sigma = np.log(hi / lo) / (2 * Z95)
        return np.minimum(mode * np.exp(sigma * stats.norm.ppf(u)), bounds[1])
    raise InputError("enum", field=f"{name}.distribution", value=distribution, allowed=DISTRIBUTIONS)


def declared(q: dict) -> tuple[str, float, float, float]:
    """(distribution, value, low, high) a quantity declares; no range means fixed at its value."""
    value = float(q["value"])
    rng = q.get("range")
    if not (isinstance(rng, list) and len(rng) == 2 and float(rng[1]) > float(rng[0])):
        return "fixed", value, value, value
    return str(q.get("distribution", "triangular")), value, float(rng[0]), float(rng[1])


def draw_quantity(q: dict, n: int, rng: np.random.Generator, name: str = "") -> np.ndarray:
    """`n` independent draws (n,) of a declared quantity."""
    dist, value, lo, hi = declared(q)
    return quantity_ppf(dist, value, lo, hi, rng.random(n), unit_bounds(q.get("unit", "")), name)
