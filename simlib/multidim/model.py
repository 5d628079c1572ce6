"""Compile a scenario's multidimensional parameters into arrays both multidim engines share.

`compile_multidim(scen, model)` adds to the core `Model` (groups, eligibility, priority tiers,
spending, ...) what the multidimensional model needs: the standard in force at each review, the
income grid and yearly income kernels, the synthesis distributions of income and deprivation
flags by group and state, the indicators' yearly gain and loss, and each budget line's channels
(bits it clears, removal probability, income effect, whether it targets deprived households).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from simlib.dataset import AREAS, GROUPS
from simlib.errors import InputError, raise_if_any
from simlib.memo import Memoised, memoised
from simlib.model import Model
from simlib.multidim import income as inc
from simlib.multidim.masks import COUNT, N_MASKS, JointSpace, count_window, product_distribution
from simlib.scenario import Scenario
from simlib.schema import qv
from simlib.standards import (
    ABOVE_C,
    INDICATORS,
    N_INDICATORS,
    NEAR_POOR_C,
    POOR_C,
    Standard,
    build_standards,
    check_review_years,
    mask_of,
    standard_changes,
    standard_for_year,
)
from simlib.states import ESCAPED_1, ESCAPED_2, ESCAPED_3, N_STATES, NEAR_POOR, NON_POOR, POOR, PUBLIC_OF, PUBLIC_STATES

#: NEXT_STATE[k, c]: detailed state after a review that classifies a household of state k as c
#: (POOR_C, NEAR_POOR_C, ABOVE_C). Leaving poverty starts the 36-month escaped window; each review
#: above the line moves a newly escaped household one year on; the third ages it out.
NEXT_STATE = np.zeros((N_STATES, 3), dtype=np.int8)
NEXT_STATE[:, POOR_C] = POOR
NEXT_STATE[:, NEAR_POOR_C] = NEAR_POOR
NEXT_STATE[:, ABOVE_C] = [ESCAPED_1, NON_POOR, ESCAPED_2, ESCAPED_3, NON_POOR, NON_POOR]
#: households of these detailed states are below the line at the review that put them there
BELOW_LINE_STATE = np.isin(np.arange(N_STATES), [POOR, NEAR_POOR])
#: synthesis class of each detailed state (the `baseline` / `propensity` keys of multidim.yaml)
SYNTH_CLASS = np.array(PUBLIC_STATES)[PUBLIC_OF]


@dataclass(frozen=True, eq=False)
class MultidimModel(Memoised):
    """Arrays for the multidimensional model of one scenario (see module docstring).

    Shapes: G groups, K = 6 detailed states, L lines, D units, B income bins, Y projected years;
    index t over review years (0 = baseline review, t = y + 1 for projected year y).
    """

    base: Model
    standards: tuple[Standard, ...]  # every standard known
    review_years: tuple[int, ...]  # (Y+1,)
    review_standard: tuple[Standard, ...]  # (Y+1,) standard in force at each review
    changes: tuple[tuple[int, str, str], ...]  # (year, old id, new id) of standard changes
    lines_vnd: np.ndarray  # (Y+1, 2) income line per review and area (rural, urban)
    min_deprivations: np.ndarray  # (Y+1,) int
    edges: np.ndarray  # (B+1,) log VND
    below: np.ndarray  # (Y+1, 2, B) bool: bin <= line at review t for the area
    fgt1_bin: np.ndarray  # (Y+1, 2, B)
    fgt2_bin: np.ndarray  # (Y+1, 2, B)
    drift: np.ndarray  # (2,) log drift per year by area
    volatility: float  # log points per year
    shocks: tuple[tuple[str, np.ndarray, float], ...]  # (name, probability by area (2,), loss)
    kernel: np.ndarray  # (2, B, B) yearly income kernel by area
    income_mu: np.ndarray  # (G, K) median log(income / line) at synthesis
    income_sigma: np.ndarray  # (G, K)
    propensity: np.ndarray  # (G, K, 12) independent-flag probabilities before conditioning
    gain: np.ndarray  # (12,) yearly probability of becoming deprived
    loss: np.ndarray  # (12,) yearly probability of stopping being deprived
    line_bits: np.ndarray  # (L,) int: indicators each line clears
    removal: np.ndarray  # (L,) probability per listed indicator
    income_effect: np.ndarray  # (L,) VND per person per month
    targeted: np.ndarray  # (L,) bool: eligibility needs a deprivation among the line's bits
    line_order: tuple[int, ...]  # order lines act on flags: targeted lines first
    joint: JointSpace  # keys the expected engine holds income with (count + linked flags)

    #: the poverty model an engine must implement to run this model
    poverty_model = "multidim"

    @property
    def G(self) -> int:
        return len(self.base.g_unit)

    @property
    def B(self) -> int:
        return len(self.edges) - 1

    @property
    def unit_ids(self) -> tuple[str, ...]:
        return self.base.unit_ids

    @property
    def spend(self) -> np.ndarray:
        return self.base.spend

    def take_units(self, units: np.ndarray) -> MultidimModel:
        """The model of some units only (units renumbered; `simlib.national` runs it unit by unit):
        the core's slice and the synthesis arrays of the groups kept."""
        units = np.asarray(units, int)
        groups = np.flatnonzero(np.isin(self.base.g_unit, units))
        return replace(
            self,
            base=self.base.take_units(units),
            income_mu=self.income_mu[groups],
            income_sigma=self.income_sigma[groups],
            propensity=self.propensity[groups],
        )

    def init_masks(self, min_dep: int) -> np.ndarray:
        """(G, K, 4096) mask distribution of a new household by group and state (sums to 1):
        independent flags with `propensity`, conditioned on >= min_dep deprivations for the poor
        and < min_dep for the near-poor."""
        return memoised(self, f"masks.{int(min_dep)}", lambda: self.entry_masks(int(min_dep)))

    def entry_masks(self, min_dep: int, groups=slice(None)) -> np.ndarray:
        """`init_masks` of some groups only (index or slice; not cached): the same arithmetic row
        by row, so the compiled engine builds it once per kind of group."""
        M = product_distribution(self.propensity[groups])
        M[:, POOR] = count_window(M[:, POOR], min_dep, N_INDICATORS + 1)
        M[:, NEAR_POOR] = count_window(M[:, NEAR_POOR], 0, min_dep)
        tot = M.sum(-1, keepdims=True)
        if np.any(tot <= 0):
            state = PUBLIC_STATES[PUBLIC_OF[np.argwhere(tot[..., 0] <= 0)[0][1]]]
            raise InputError("mask_impossible", file="multidim.yaml", field="deprivations.propensity", state=state)
        return M / tot

    def init_income(self, t: int) -> np.ndarray:
        """(G, K, B) income distribution of a new household at review t (sums to 1), relative to
        the line in force then."""
        key = f"income.{float(self.lines_vnd[t, 0])}.{float(self.lines_vnd[t, 1])}"
        return memoised(self, key, lambda: self.entry_income(t))

    def entry_income(self, t: int, groups=slice(None)) -> np.ndarray:
        """`init_income` of some groups only (index or slice; not cached), row by row the same."""
        cut = np.log(self.lines_vnd[t][self.base.g_area[groups]])[:, None]  # (G, 1)
        mu = self.income_mu[groups]
        return inc.truncated_bins(
            self.edges,
            cut + mu,
            self.income_sigma[groups],
            np.broadcast_to(cut, mu.shape),
            BELOW_LINE_STATE[None, :],
        )


def _applies(applies_to: dict, eth: int, area: int, poor_district: bool) -> bool:
    values = {"ethnic_group": GROUPS[eth], "area": AREAS[area], "poor_district": poor_district}
    return all(values[k] == v for k, v in applies_to.items())


def _standards(scen: Scenario, model: Model) -> dict:
    """The standard in force at each review and the years a new one applies."""
    standards = build_standards(scen.params["standards"])
    review_years = (scen.baseline_year,) + tuple(model.years)
    raise_if_any(
        check_review_years(
            standards, review_years, scen.dataset.meta.get("standard"), scen.name, f"{scen.dataset.name}/dataset.yaml"
        )
    )
    review_std = tuple(standard_for_year(standards, y) for y in review_years)
    return {
        "standards": standards,
        "review_years": review_years,
        "review_standard": review_std,
        "changes": tuple((y, a.id, b.id) for y, a, b in standard_changes(standards, review_years)),
        "lines_vnd": np.array([s.lines for s in review_std]),
        "min_deprivations": np.array([s.min_deprivations for s in review_std]),
    }


def _income_grid(ig: dict, std: dict) -> dict:
    """The log-income grid, which bins are below each review's line, FGT weights per bin, and the
    yearly income kernel by area (drift, volatility, shocks)."""
    grid = ig["grid"]
    edges = inc.make_edges(
        qv(grid["lowest"]),
        qv(grid["highest"]),
        qv(grid["step"]),
        [v for s in std["standards"] for v in s.lines],
        tail_step=qv(grid["tail_step"]) if "tail_step" in grid else None,
        fine_within=qv(grid["fine_within"]) if "fine_within" in grid else 0.0,
    )
    lines_vnd = std["lines_vnd"]
    fgt = [[inc.fgt_weights(edges, L) for L in row] for row in lines_vnd]
    sigma = qv(ig["volatility"])
    growth = np.array([qv(ig["growth"][a]) for a in AREAS])
    drift = np.log1p(growth) - 0.5 * sigma**2
    shocks = []
    for name, sh in (ig.get("shocks") or {}).items():
        p = np.array([qv(sh["probability"]) if a in sh["areas"] else 0.0 for a in AREAS])
        shocks.append((name, p, qv(sh["loss"])))
    kernel = np.array(
        [inc.growth_kernel(edges, drift[a], sigma, [(p[a], loss) for _, p, loss in shocks]) for a in range(len(AREAS))]
    )
    return {
        "edges": edges,
        "below": np.array([[inc.below_line(edges, L) for L in row] for row in lines_vnd]),
        "fgt1_bin": np.array([[f[0] for f in row] for row in fgt]),
        "fgt2_bin": np.array([[f[1] for f in row] for row in fgt]),
        "drift": drift,
        "volatility": sigma,
        "shocks": tuple(shocks),
        "kernel": kernel,
    }


def _synthesis(doc: dict, model: Model) -> dict:
    """Distributions of new households' income and flags by group and state, and the flags'
    yearly gain and loss."""
    ig, dep = doc["income"], doc["deprivations"]
    G = len(model.g_unit)
    cells = list(zip(model.g_eth, model.g_area, model.poor_district[model.g_unit]))
    synth = np.array([SYNTH_CLASS[k] for k in range(N_STATES)])
    base_ratio = {s: qv(ig["baseline"][s]["median_ratio"]) for s in ("poor", "near_poor", "escaped", "non_poor")}
    base_sigma = {s: qv(ig["baseline"][s]["sigma"]) for s in base_ratio}
    mu = np.log(np.array([[base_ratio[c] for c in synth]] * G))
    sig = np.array([[base_sigma[c] for c in synth]] * G)
    for mod in ig.get("modifiers") or []:
        hit = np.array([_applies(mod["applies_to"], e, a, p) for e, a, p in cells])
        mu[hit] += np.log(qv(mod["median_factor"]))
    prop = np.array([[qv(dep["propensity"][ind][c]) for ind in INDICATORS] for c in synth])  # (K, 12)
    prop = np.broadcast_to(prop, (G, N_STATES, N_INDICATORS)).copy()
    for mod in dep.get("modifiers") or []:
        hit = np.array([_applies(mod["applies_to"], e, a, p) for e, a, p in cells])
        prop[hit] *= qv(mod["factor"])
    return {
        "income_mu": mu,
        "income_sigma": sig,
        "propensity": np.clip(prop, 0.0, 1.0),
        "gain": np.array([qv(dep["dynamics"][ind]["gain"]) for ind in INDICATORS]),
        "loss": np.array([qv(dep["dynamics"][ind]["loss"]) for ind in INDICATORS]),
    }


def _line_channels(scen: Scenario) -> dict:
    """Each line's indicators, removal probability, income effect and targeting; the order lines
    act in; and the key space the expected engine holds income with."""
    cat = scen.catalogue
    lines = [cat.lines[c] for c in cat.codes]
    line_bits = np.array([mask_of(ln.deprivations) for ln in lines], dtype=np.int64)
    removal = np.array([ln.removal for ln in lines])
    income_effect = np.array([ln.income_effect for ln in lines])
    targeted = np.array([ln.targets_deprived and ln.population == "households" for ln in lines])
    hh_line = np.array([ln.population == "households" for ln in lines])
    linked = int(np.bitwise_or.reduce(line_bits[hh_line & (income_effect > 0) & (removal > 0)], initial=0))
    return {
        "line_bits": line_bits,
        "removal": removal,
        "income_effect": income_effect,
        "targeted": targeted,
        "line_order": tuple(int(i) for i in np.concatenate([np.flatnonzero(targeted), np.flatnonzero(~targeted)])),
        "joint": JointSpace(linked),
    }


def core_of(target: Model | MultidimModel) -> Model:
    """The core `Model` (groups, lines, units, money) of an engine's model: itself, or the
    multidimensional model's base."""
    return target.base if isinstance(target, MultidimModel) else target


def compile_multidim(scen: Scenario, model: Model) -> MultidimModel:
    """Multidimensional arrays for `scen` on top of its compiled core `model`."""
    doc = scen.params["multidim"]
    std = _standards(scen, model)
    return MultidimModel(
        base=model,
        **std,
        **_income_grid(doc["income"], std),
        **_synthesis(doc, model),
        **_line_channels(scen),
    )


def deprivation_counts(n_masks: np.ndarray) -> np.ndarray:
    """Households by number of deprivations (..., 13) from households by mask (..., 4096)."""
    out = np.zeros(n_masks.shape[:-1] + (N_INDICATORS + 1,))
    for c in range(N_INDICATORS + 1):
        out[..., c] = n_masks[..., COUNT == c].sum(-1)
    return out


__all__ = ["MultidimModel", "compile_multidim", "NEXT_STATE", "N_MASKS"]
