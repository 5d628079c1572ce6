"""The joint prior of a series fit: baseline trend, programme effects and the nuisances, drawn together.

What is drawn, and from where (every draw is independent):

- baseline rates: the 12 reference rates of a transitions file as pseudo-count Beta / Dirichlet
  rows (`simlib.calibrate.prior`), their pseudo-counts times `reference_scale`; the relative-risk
  modifiers log-normal from their ranges. Class rates are reference x modifiers, pushed back
  inside their rows where a draw leaves them (`structure.make_valid`);
- every programme line's channel effects (escape, deprivation, relapse, new poverty) and unit
  cost, and every funding source's disbursement share, from the distributions the scenario's
  parameter files declare (`simlib.distributions`); quantities without a range stay fixed;
- per budget block, the scale of the stand-in money; the error sd `sigma` of a published rate.

Fixed at their files' values: household growth and the states of new households (published
rates do not inform them), take-up ceilings, lags, and the enabling effects of communication,
training and monitoring (the expected engine's batched path uses the model's own).

`JointDraws.frame()` writes draws as one column per parameter, named by its dotted path in the
parameter files (`program.lines.P2.effects.escape`, `funding.sources.local.disbursement`, ...;
`series.*` for the fit's own nuisances); `JointPrior.from_frame` reads them back.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace

import numpy as np
import pandas as pd

from simlib.calibrate.prior import Prior, class_index, load_prior
from simlib.calibrate.rows import dirichlet_alphas, posterior_draws
from simlib.calibrate.structure import make_valid
from simlib.distributions import declared, draw_quantity
from simlib.errors import InputError
from simlib.model import Model
from simlib.parameters import sha256_obj
from simlib.scenario import SOURCES, Scenario
from simlib.transitions import CHANNELS, ENA, RATE_KEYS

#: channels whose effects are drawn (the enabling channel stays at its value, see the docstring)
DRAWN_CHANNELS = tuple(c for c in CHANNELS if c != "enabling")


@dataclass
class JointDraws:
    """n draws of the joint prior (or posterior). Shapes: ref (n, 12), log_mods (n, M, 2),
    effects (n, L, C) — all channels, the undrawn at their value —, unit_cost (n, L) in the
    files' unit (VND per beneficiary unit), disbursement (n, S), scale (n, B), sigma (n,)."""

    ref: np.ndarray
    log_mods: np.ndarray
    effects: np.ndarray
    unit_cost: np.ndarray
    disbursement: np.ndarray
    scale: np.ndarray
    sigma: np.ndarray

    def __len__(self) -> int:
        return len(self.sigma)

    def take(self, idx) -> JointDraws:
        """The draws at positions `idx` (an index array or a slice)."""
        return JointDraws(**{f.name: getattr(self, f.name)[idx] for f in fields(self)})


class JointPrior:
    """The joint prior of a scenario's parameters (see the module docstring).

    scen: gives the lines, effects, unit costs and disbursement priors; transitions: the document
    whose baseline rates are the prior; budgets: the `BudgetBlock`s whose scales are drawn; sigma:
    the error-sd quantity."""

    def __init__(
        self, scen: Scenario, transitions: dict, reference_scale: float, budgets=(), sigma: dict | None = None
    ):
        base = load_prior(transitions)
        self.prior: Prior = replace(base, ref_kappa=base.ref_kappa * float(reference_scale))
        self.reference_scale = float(reference_scale)
        self.lines = scen.catalogue.codes
        self.program = scen.params["program"]["lines"]
        self.funding = scen.params["funding"]["sources"]
        self.budgets = tuple(budgets)
        self.sigma_q = sigma or {"value": 1.0, "unit": "percentage points"}
        self.alpha, self.beta = dirichlet_alphas(self.prior.ref, self.prior.ref_kappa)

    # --- the quantities -------------------------------------------------------------------

    def effect_quantity(self, code: str, channel: str) -> dict | None:
        """None for a channel the line lacks and for budget items that buy no household benefit."""
        return self.program[code]["effects"].get(channel) if code in self.program else None

    def cost_quantity(self, code: str) -> dict:
        """A line's unit cost; a fixed placeholder for budget items without beneficiaries (never used)."""
        return self.program[code]["beneficiary"]["unit_cost"] if code in self.program else {"value": 1.0}

    def quantities(self) -> dict[str, dict]:
        """Every drawn quantity of the parameter files by its column name (not the baseline rates)."""
        out = {}
        for code in self.lines:
            for ch in DRAWN_CHANNELS:
                q = self.effect_quantity(code, ch)
                if q is not None:
                    out[f"program.lines.{code}.effects.{ch}"] = q
            if code in self.program:
                out[f"program.lines.{code}.beneficiary.unit_cost"] = self.cost_quantity(code)
        for s in SOURCES:
            out[f"funding.sources.{s}.disbursement"] = self.funding[s]["disbursement"]
        for b in self.budgets:
            out[f"series.budgets.{b.id}.scale"] = b.scale
        out["series.error.sigma"] = self.sigma_q
        return out

    def programme_signature(self) -> str:
        """Hash of the declared distributions of the programme's effects, unit costs and
        disbursement — what a scenario must still declare for a posterior to apply to it."""
        decl = {k: declared(q) for k, q in self.quantities().items() if not k.startswith("series.")}
        return sha256_obj(decl)

    # --- drawing --------------------------------------------------------------------------

    def central_effects(self) -> np.ndarray:
        """(L, C) effects at their values (0 where a line has no such channel)."""
        out = np.zeros((len(self.lines), len(CHANNELS)))
        for li, code in enumerate(self.lines):
            for ci, ch in enumerate(CHANNELS):
                q = self.effect_quantity(code, ch)
                out[li, ci] = 0.0 if q is None else float(q["value"])
        return out

    def draw(self, n: int, rng: np.random.Generator) -> JointDraws:
        """n independent draws of the joint prior."""
        ref = posterior_draws(self.alpha, self.beta, n, rng)
        log_mods = self.prior.mod_log0[None] + rng.standard_normal((n,) + self.prior.mod_log0.shape) * self.prior.mod_sd
        effects = np.broadcast_to(self.central_effects(), (n, len(self.lines), len(CHANNELS))).copy()
        cost = np.empty((n, len(self.lines)))
        for li, code in enumerate(self.lines):
            for ch in DRAWN_CHANNELS:
                q = self.effect_quantity(code, ch)
                if q is not None:
                    effects[:, li, CHANNELS.index(ch)] = draw_quantity(q, n, rng, f"program.lines.{code}.effects.{ch}")
            cost[:, li] = draw_quantity(self.cost_quantity(code), n, rng, f"program.lines.{code}.beneficiary.unit_cost")
        disb = np.column_stack([draw_quantity(self.funding[s]["disbursement"], n, rng) for s in SOURCES])
        scale = (
            np.column_stack([draw_quantity(b.scale, n, rng) for b in self.budgets]) if self.budgets else np.ones((n, 0))
        )
        sigma = draw_quantity(self.sigma_q, n, rng, "series.error.sigma")
        return JointDraws(ref, log_mods, effects, cost, disb, scale, sigma)

    # --- what a model runs with -----------------------------------------------------------

    def group_rates(self, model: Model, draws: JointDraws) -> np.ndarray:
        """Baseline rates (n, G, 12) of every group of `model`, per draw."""
        R8, _ = make_valid(draws.ref[:, None, :] * self.prior.class_multipliers(draws.log_mods))
        return R8[:, group_classes(model), :]

    def cost_ratio(self, model: Model, draws: JointDraws) -> np.ndarray:
        """(n, L) the model's unit cost over the drawn one, per line of `model` (lines the draws do
        not have keep their cost). Households reached are money / unit cost, so money times this
        ratio reaches what the drawn cost would."""
        central = np.array(
            [float(self.cost_quantity(c)["value"]) if c in self.program else np.nan for c in model.line_codes]
        )
        idx = [self.lines.index(c) if c in self.lines and c in self.program else -1 for c in model.line_codes]
        out = np.ones((len(draws), len(idx)))
        for j, i in enumerate(idx):
            if i >= 0:
                out[:, j] = central[j] / draws.unit_cost[:, i]
        return out

    # --- the draws table ------------------------------------------------------------------

    def columns(self) -> list[str]:
        ref = [f"transitions.reference.{f}.{t}" for f, t in RATE_KEYS]
        mods = [f"transitions.modifiers.{m}.{d}" for m in self.prior.mod_names for d in ("upward", "downward")]
        return ref + mods + list(self.quantities())

    def frame(self, draws: JointDraws) -> pd.DataFrame:
        """One row per draw, one column per parameter (see the module docstring)."""
        cols = {f"transitions.reference.{f}.{t}": draws.ref[:, j] for j, (f, t) in enumerate(RATE_KEYS)}
        for m, name in enumerate(self.prior.mod_names):
            for d, direction in enumerate(("upward", "downward")):
                cols[f"transitions.modifiers.{name}.{direction}"] = np.exp(draws.log_mods[:, m, d])
        for li, code in enumerate(self.lines):
            for ch in DRAWN_CHANNELS:
                if self.effect_quantity(code, ch) is not None:
                    cols[f"program.lines.{code}.effects.{ch}"] = draws.effects[:, li, CHANNELS.index(ch)]
            cols[f"program.lines.{code}.beneficiary.unit_cost"] = draws.unit_cost[:, li]
        for s, src in enumerate(SOURCES):
            cols[f"funding.sources.{src}.disbursement"] = draws.disbursement[:, s]
        for b, blk in enumerate(self.budgets):
            cols[f"series.budgets.{blk.id}.scale"] = draws.scale[:, b]
        cols["series.error.sigma"] = draws.sigma
        return pd.DataFrame(cols)

    def from_frame(self, df: pd.DataFrame, file: str | None = None) -> JointDraws:
        """Draws from a table written by `frame` (columns this prior does not know are ignored;
        parameters the table lacks stay at their values)."""
        need = [f"transitions.reference.{f}.{t}" for f, t in RATE_KEYS]
        missing = [c for c in need if c not in df.columns]
        if missing:
            raise InputError("missing", file=file, name=", ".join(missing[:3]))
        n = len(df)
        ref = df[need].to_numpy(float)
        log_mods = np.broadcast_to(self.prior.mod_log0, (n,) + self.prior.mod_log0.shape).copy()
        for m, name in enumerate(self.prior.mod_names):
            for d, direction in enumerate(("upward", "downward")):
                col = f"transitions.modifiers.{name}.{direction}"
                if col in df.columns:
                    log_mods[:, m, d] = np.log(df[col].to_numpy(float))
        effects = np.broadcast_to(self.central_effects(), (n, len(self.lines), len(CHANNELS))).copy()
        cost = np.tile([float(self.cost_quantity(c)["value"]) for c in self.lines], (n, 1))
        for li, code in enumerate(self.lines):
            for ci, ch in enumerate(CHANNELS):
                col = f"program.lines.{code}.effects.{ch}"
                if col in df.columns and ci != ENA:
                    effects[:, li, ci] = df[col].to_numpy(float)
            col = f"program.lines.{code}.beneficiary.unit_cost"
            if col in df.columns:
                cost[:, li] = df[col].to_numpy(float)
        disb = np.column_stack(
            [_column(df, f"funding.sources.{s}.disbursement", self.funding[s]["disbursement"]) for s in SOURCES]
        )
        scale = (
            np.column_stack([_column(df, f"series.budgets.{b.id}.scale", b.scale) for b in self.budgets])
            if self.budgets
            else np.ones((n, 0))
        )
        sigma = _column(df, "series.error.sigma", self.sigma_q)
        return JointDraws(ref, log_mods, effects, cost, disb, scale, sigma)


def group_classes(model: Model) -> np.ndarray:
    """(G,) cell class (`simlib.transitions.CELL_CLASSES`) of every group of a compiled model."""
    return class_index(model.g_eth, model.g_area, model.poor_district[model.g_unit])


def _column(df: pd.DataFrame, col: str, q: dict) -> np.ndarray:
    return df[col].to_numpy(float) if col in df.columns else np.full(len(df), float(q["value"]))
