"""The uncertain parameters of a `ParameterSet`: what is sampled, how, and in which groups.

Every quantity in `params/` with a non-degenerate `range` (and `distribution` other than `fixed`)
is uncertain. Most are sampled one by one (a *scalar* factor: one uniform number mapped to the
declared distribution, `simlib.uncertainty.sampling`). Two kinds of vectors are sampled as wholes
(a *simplex* factor, Dirichlet around the central vector, one uniform per component):

- each reference row of `transitions.yaml`, written as explicit probabilities of the row's moves
  plus staying, so it always sums to 1. The core's row semantics are kept: for poor and near-poor
  households the second move is stored *given no move up*, so a draw (up, other, stay) is written
  back as `up` and `other / (1 - up)`; for newly escaped and non-poor households the two falls are
  explicit and staying is the rest;
- the entry shares of new households (`transitions.growth.entry_states`), on the simplex.

A few quantities are never sampled because they are decisions or definitions, not estimates
(`NOT_UNCERTAIN`); tests check that every other quantity carries a range.

Factors are grouped for variance-based sensitivity by *kind* (effect size, unit cost, take-up,
baseline transition, disbursement, ...) and by *project* (P1 ... P7; `baseline`, `funding`,
`other` for the rest).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from simlib import i18n
from simlib.errors import InputError
from simlib.parameters import REGISTER, ParameterSet
from simlib.paths import display_path
from simlib.schema import iter_quantities, qv
from simlib.uncertainty.groupings import GROUPINGS

#: kinds of uncertain quantities, in display order
KINDS = (
    "effect",
    "unit_cost",
    "take_up",
    "transition",
    "demography",
    "disbursement",
    "population",
    "coverage",
    "other",
)


#: quantities that are never sampled: (path pattern, reason). `*` matches one path element.
NOT_UNCERTAIN: tuple[tuple[tuple[str, ...], str], ...] = (
    (
        ("program", "lines", "*", "share_of_project"),
        "a budgeting convention: how a project-level amount is split over its lines",
    ),
    (("program", "lines", "*", "lag"), "whole years: part of the model's structure"),
    (("program", "lines", "*", "support_cycle"), "whole years: part of the model's structure"),
    (("program", "lines", "*", "beneficiary", "households_per_unit"), "the definition of the beneficiary unit"),
    (("targets", "targets", "*", "threshold"), "a policy target, not an estimate"),
    (("targets", "coverage", "infrastructure", "min_spend"), "the definition of an indicator"),
    (("transitions", "uncertainty", "*"), "settings of the sampler itself"),
    (("standards", "*", "income_line", "*"), "a legal definition (the poverty standard), not an estimate"),
    (("standards", "*", "poor_min_deprivations"), "a legal definition (the poverty standard), not an estimate"),
    (("multidim", "income", "grid", "*"), "a numerical setting of the expected engine's income grid"),
    (("legal_contents", "contents", "*", "norm"), "a legal norm (amount per beneficiary set by law), not an estimate"),
)
#: documents and path elements used only by the multidimensional model (`model: multidim`)
MULTIDIM_ONLY = "used only by the multidimensional model (model: multidim), not by this scenario's states model"


def _multidim_only(full: tuple) -> bool:
    return full[0] in ("multidim", "standards") or (full[0] == "program" and "multidim" in map(str, full))


def scenario_space(scen) -> ParameterSpace:
    """The parameter space of a scenario: with the multidimensional model (`model: multidim`) its
    own parameters (`params/multidim.yaml`, the lines' `multidim` effects) are sampled too."""
    return build_space(scen.params, getattr(scen, "poverty_model", "states"))


#: sequential rows: (state, up key, other key); the other move is conditional on no move up
SEQUENTIAL_ROWS = {"poor": ("escaped_1", "near_poor"), "near_poor": ("non_poor", "poor")}
#: explicit rows: (state, two falls); staying is the rest
EXPLICIT_ROWS = {s: ("poor", "near_poor") for s in ("escaped_1", "escaped_2", "escaped_3", "non_poor")}


def _matches(path: tuple, pattern: tuple[str, ...]) -> bool:
    return len(path) == len(pattern) and all(p == "*" or str(x) == p for x, p in zip(path, pattern))


def fixed_reason(path: tuple) -> str | None:
    """Why the quantity at `path` (document name first) is never sampled, or None."""
    for pattern, reason in NOT_UNCERTAIN:
        if _matches(path, pattern):
            return reason
    return None


def _is_ranged(q: dict) -> bool:
    rng = q.get("range")
    return (
        isinstance(rng, list)
        and len(rng) == 2
        and float(rng[1]) > float(rng[0])
        and q.get("distribution", "triangular") != "fixed"
    )


def _bounds(unit: str) -> tuple[float, float]:
    u = unit.lower()
    if u.startswith("probability") or u.startswith("share"):
        return 0.0, 1.0
    return 0.0, float("inf")


@dataclass(frozen=True)
class Factor:
    """One sampled input: a scalar quantity (dims 1) or a whole row / share vector (dims k).

    `keys` are the dotted parameter keys written back (`ParameterSet.with_overrides` style),
    `central` their central values. For a simplex factor `explicit` is the central vector of
    explicit shares (summing to 1) that the Dirichlet is centred on.
    """

    name: str
    keys: tuple[str, ...]
    central: tuple[float, ...]
    kind: str
    project: str
    distribution: str  # one of sampling.DISTRIBUTIONS, or 'dirichlet'
    low: float = float("nan")
    high: float = float("nan")
    unit: str = ""
    basis: str = ""
    bounds: tuple[float, float] = (0.0, float("inf"))
    explicit: tuple[float, ...] = ()
    concentration: float = float("nan")
    row: str = ""  # 'sequential' | 'explicit' | 'shares' for simplex factors
    tag: str = ""  # a short name shown in labels (e.g. the modifier's name)

    @property
    def dims(self) -> int:
        return len(self.explicit) if self.distribution == "dirichlet" else 1

    def group(self, grouping: str) -> str:
        if grouping == "kind":
            return self.kind
        if grouping == "project":
            return self.project
        return self.name

    def label(self, lang: str | None = None) -> str:
        return factor_label(self, lang)


@dataclass(frozen=True)
class ParameterSpace:
    """The sampled factors of a parameter set, with their uniform-column layout."""

    factors: tuple[Factor, ...]
    fixed: tuple[tuple[str, str], ...] = ()  # (key, reason) of quantities never sampled
    notes: tuple[str, ...] = field(default=())
    modifiers: tuple[dict, ...] = ()  # applies_to of each transition modifier, for validity checks

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(k for f in self.factors for k in f.keys)

    @property
    def central(self) -> np.ndarray:
        return np.array([c for f in self.factors for c in f.central], float)

    @property
    def dims(self) -> int:
        return sum(f.dims for f in self.factors)

    def columns(self) -> list[slice]:
        """Uniform columns of each factor."""
        out, start = [], 0
        for f in self.factors:
            out.append(slice(start, start + f.dims))
            start += f.dims
        return out

    def value_columns(self) -> list[slice]:
        """Value columns (keys) of each factor."""
        out, start = [], 0
        for f in self.factors:
            out.append(slice(start, start + len(f.keys)))
            start += len(f.keys)
        return out

    def groups(self, grouping: str = "kind") -> dict[str, list[int]]:
        """Uniform column indices of each group (`kind`, `project` or `parameter`), in order."""
        if grouping not in GROUPINGS:
            raise InputError("enum", field="grouping", value=grouping, allowed=GROUPINGS)
        out: dict[str, list[int]] = {}
        for f, cols in zip(self.factors, self.columns()):
            out.setdefault(f.group(grouping), []).extend(range(cols.start, cols.stop))
        if grouping == "kind":
            out = {k: out[k] for k in sorted(out, key=lambda k: KINDS.index(k) if k in KINDS else len(KINDS))}
        return out

    def table(self) -> pd.DataFrame:
        """One row per written key: what is sampled, how, with its basis."""
        rows = []
        for f in self.factors:
            for i, k in enumerate(f.keys):
                rows.append(
                    {
                        "key": k,
                        "factor": f.name,
                        "kind": f.kind,
                        "project": f.project,
                        "distribution": f.distribution,
                        "value": f.central[i],
                        "low": f.low if f.distribution != "dirichlet" else np.nan,
                        "high": f.high if f.distribution != "dirichlet" else np.nan,
                        "concentration": f.concentration,
                        "unit": f.unit,
                        "basis": f.basis,
                        "label_vi": key_label(f, k, "vi"),
                        "label_en": key_label(f, k, "en"),
                    }
                )
        return pd.DataFrame(rows)

    def labels(self, lang: str | None = None) -> dict[str, str]:
        """Display label of every written key."""
        return {k: key_label(f, k, lang) for f in self.factors for k in f.keys}


def _basis(q: dict) -> str:
    return str(q.get("source") or q.get("assumption") or "")


def _classify(path: tuple, program: dict) -> tuple[str, str]:
    """(kind, project) of a scalar quantity at `path` (document name first)."""
    doc = path[0]
    if doc == "program" and len(path) >= 3 and path[1] == "lines":
        proj = program["lines"][path[2]]["project"]
        if path[3] == "effects":
            return "effect", proj
        if path[-1] == "unit_cost" or path[-1] == "households_per_unit":
            return "unit_cost", proj
        if path[-1] == "max_share":
            return "take_up", proj
        return "other", proj
    if doc == "transitions":
        if path[1] in ("reference", "modifiers"):
            return "transition", "baseline"
        return "demography", "baseline"
    if doc == "funding":
        return "disbursement", "funding"
    if doc == "population":
        return "population", "other"
    if doc == "targets":
        return "coverage", "other"
    return "other", "other"


def _concentration(tr: dict, name: str, file: str) -> float:
    q = (tr.get("uncertainty") or {}).get(name)
    if q is None:
        raise InputError("missing", file=file, field="uncertainty", name=name)
    c = qv(q)
    if not c > 0:
        raise InputError("exclusive_minimum", file=file, field=f"uncertainty.{name}.value", value=c, limit=0)
    return c


def _scalar_factors(params: ParameterSet, poverty_model: str) -> tuple[list[Factor], list[tuple[str, str]]]:
    """One factor per ranged quantity of every parameter document (transition rows and entry
    shares apart), and the (key, reason) of the quantities kept fixed."""
    program = params["program"]
    tr = params["transitions"]
    factors: list[Factor] = []
    fixed: list[tuple[str, str]] = []
    for doc_name, doc in params.docs.items():
        if doc_name == REGISTER[0]:
            continue  # the evidence register is sampled through the quantities that cite it
        for path, q in iter_quantities(doc):
            full = (doc_name,) + tuple(path)
            key = ".".join(str(p) for p in full)
            if poverty_model == "states" and _multidim_only(full):
                fixed.append((key, MULTIDIM_ONLY))
                continue
            if doc_name == "transitions" and path[0] == "reference":
                continue  # rows, below
            if doc_name == "transitions" and path[:2] == ("growth", "entry_states"):
                continue  # shares, below
            reason = fixed_reason(full)
            if reason is not None:
                fixed.append((key, reason))
                continue
            if not _is_ranged(q):
                fixed.append((key, "no range" if "range" not in q else "zero-width range or distribution: fixed"))
                continue
            kind, proj = _classify(full, program)
            lo, hi = (float(x) for x in q["range"])
            tag = str(tr["modifiers"][path[1]]["name"]) if full[:2] == ("transitions", "modifiers") else ""
            factors.append(
                Factor(
                    name=key,
                    keys=(key,),
                    central=(qv(q),),
                    kind=kind,
                    project=proj,
                    distribution=q.get("distribution", "triangular"),
                    low=lo,
                    high=hi,
                    unit=str(q.get("unit", "")),
                    basis=_basis(q),
                    bounds=_bounds(str(q.get("unit", ""))),
                    tag=tag,
                )
            )
    return factors, fixed


def _row_factors(tr: dict, tr_file: str) -> tuple[list[Factor], list[tuple[str, str]]]:
    """The reference transition rows as wholes: one Dirichlet factor per ranged row."""
    factors: list[Factor] = []
    fixed: list[tuple[str, str]] = []
    ref = tr["reference"]
    for state, row in ref.items():
        if state in SEQUENTIAL_ROWS:
            up, other = SEQUENTIAL_ROWS[state]
            a, b = qv(row[up]), qv(row[other])
            explicit = (a, (1 - a) * b, (1 - a) * (1 - b))
            names, kind_row = (up, other), "sequential"
        else:
            names = EXPLICIT_ROWS[state]
            r, s = qv(row[names[0]]), qv(row[names[1]])
            explicit = (r, s, 1 - r - s)
            kind_row = "explicit"
        keys = tuple(f"transitions.reference.{state}.{n}" for n in names)
        central = tuple(qv(row[n]) for n in names)
        if any(_is_ranged(row[n]) for n in names):
            factors.append(
                Factor(
                    name=f"transitions.reference.{state}",
                    keys=keys,
                    central=central,
                    kind="transition",
                    project="baseline",
                    distribution="dirichlet",
                    unit="probability per year",
                    basis="; ".join(_basis(row[n]) for n in names),
                    bounds=(0.0, 1.0),
                    explicit=explicit,
                    concentration=_concentration(tr, "row_concentration", tr_file),
                    row=kind_row,
                )
            )
        else:
            fixed.extend((k, "zero-width ranges") for k in keys)
    return factors, fixed


def _entry_factors(tr: dict, tr_file: str) -> tuple[list[Factor], list[tuple[str, str]]]:
    """The entry shares of new households as one Dirichlet factor, if ranged."""
    factors: list[Factor] = []
    fixed: list[tuple[str, str]] = []
    entry = tr["growth"]["entry_states"]
    ekeys = tuple(f"transitions.growth.entry_states.{s}" for s in entry)
    ecentral = tuple(qv(q) for q in entry.values())
    if any(_is_ranged(q) for q in entry.values()):
        factors.append(
            Factor(
                name="transitions.growth.entry_states",
                keys=ekeys,
                central=ecentral,
                kind="demography",
                project="baseline",
                distribution="dirichlet",
                unit="share",
                basis="; ".join(_basis(q) for q in entry.values()),
                bounds=(0.0, 1.0),
                explicit=ecentral,
                concentration=_concentration(tr, "entry_concentration", tr_file),
                row="shares",
            )
        )
    else:
        fixed.extend((k, "zero-width ranges") for k in ekeys)
    return factors, fixed


def build_space(params: ParameterSet, poverty_model: str = "states") -> ParameterSpace:
    """The parameter space of `params`: every ranged quantity becomes a factor (rows and entry
    shares as Dirichlet factors); quantities in `NOT_UNCERTAIN`, and with the states model the
    multidimensional model's own parameters, are listed as fixed."""
    tr = params["transitions"]
    tr_file = display_path(params.files["transitions"]) if "transitions" in params.files else "transitions.yaml"
    factors, fixed = _scalar_factors(params, poverty_model)
    for more, more_fixed in (_row_factors(tr, tr_file), _entry_factors(tr, tr_file)):
        factors.extend(more)
        fixed.extend(more_fixed)
    mods = tuple(dict(m["applies_to"]) for m in tr["modifiers"])
    return ParameterSpace(factors=tuple(factors), fixed=tuple(fixed), modifiers=mods)


# --- labels -----------------------------------------------------------------------------------

_LINE_KEY = re.compile(r"^program\.lines\.(P[1-9](?:\.[1-9])?)\.(.+)$")


def _t(key: str, lang, fallback: str) -> str:
    return i18n.t(key, lang) if i18n.has(key) else fallback


def key_label(f: Factor, key: str, lang: str | None = None) -> str:
    """Readable name of one written key, e.g. 'P2 – escape effect' / 'P2 – hiệu quả thoát nghèo'."""
    parts = key.split(".")
    m = _LINE_KEY.match(key)
    if m:
        line, what = m.group(1), m.group(2)
        name = _t(f"unc.param.{what.split('.')[-1]}", lang, what)
        return f"{line} – {name}"
    if key.startswith("transitions.reference."):
        frm, to = parts[2], parts[3]
        cond = f.row == "sequential" and to in ("near_poor", "poor")
        text = f"{_t(f'unc.state.{frm}', lang, frm)} → {_t(f'unc.state.{to}', lang, to)}"
        if cond:
            text += " " + i18n.t("unc.param.given_no_move_up", lang)
        return i18n.t("unc.param.baseline_rate", lang, move=text)
    if key.startswith("transitions.modifiers."):
        return i18n.t(
            "unc.param.modifier",
            lang,
            name=_t(f"unc.modifier.{f.tag}", lang, f.tag or parts[2]),
            direction=_t(f"unc.param.{parts[3]}", lang, parts[3]),
        )
    if key.startswith("transitions.growth.entry_states."):
        return i18n.t("unc.param.entry_share", lang, state=_t(f"unc.state.{parts[-1]}", lang, parts[-1]))
    if key == "transitions.growth.rate":
        return i18n.t("unc.param.growth", lang)
    if key.startswith("funding.sources."):
        return i18n.t("unc.param.disbursement", lang, source=i18n.label("source", parts[2], lang))
    return _t(f"unc.param.{key}", lang, key)


def factor_label(f: Factor, lang: str | None = None) -> str:
    if f.distribution == "dirichlet":
        if f.row == "shares":
            return i18n.t("unc.param.entry_shares", lang)
        state = f.name.split(".")[-1]
        return i18n.t("unc.param.row", lang, state=_t(f"unc.state.{state}", lang, state))
    return key_label(f, f.keys[0], lang)


def group_label(grouping: str, group: str, lang: str | None = None) -> str:
    """Display name of a sensitivity group."""
    if grouping == "kind":
        return _t(f"unc.kind.{group}", lang, group)
    if grouping == "project":
        return _t(f"unc.group.{group}", lang, group)
    return group
