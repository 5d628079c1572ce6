"""The prior of a calibration: a transitions file (default `params/transitions.yaml`) read as
pseudo-counts.

Every baseline rate in the file has a central value and a plausible range. Reading the range as
a 95 % interval (sd = width / 4), a Beta prior with that mean and sd is worth
kappa = p (1 - p) / sd^2 - 1 household-years of observation — e.g. poor -> escaped 0.065 in
[0.04, 0.10] is worth about 270 household-years, so a district's review data (thousands of poor
households) outweighs it at once while a cell with ten households barely moves it. Relative-risk
modifiers get log-normal priors (log-sd = log-width / 4), the growth rate a normal prior, the
entry shares of new households a Dirichlet prior, all from their ranges. `scale` multiplies every
pseudo-count (and every prior precision): 0.1 = a ten times weaker prior.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from simlib.errors import InputError, raise_if_any
from simlib.parameters import check_transition_rows, sha256_file
from simlib.paths import display_path, params_dir
from simlib.schema import load_yaml, qv, validate
from simlib.transitions import CELL_CLASSES, RATE_KEYS, UPWARD, rates_for_class

N_CLASSES = len(CELL_CLASSES)
#: True where a rate is an upward move (uses the modifiers' `upward` relative risk)
UP_MASK = np.array([k in UPWARD for k in RATE_KEYS])
KAPPA_MIN, KAPPA_MAX, KAPPA_DEFAULT = 2.0, 1e5, 20.0
LOG_SD_DEFAULT = 0.25
#: prior log-sd of the programme effect multiplier (a factor e^0.5 = 1.65 is one sd)
EFFECT_LOG_SD = 0.5
ENTRY_STATES = ("poor", "near_poor", "non_poor")


def class_index(eth: np.ndarray, area: np.ndarray, poor_district: np.ndarray) -> np.ndarray:
    """Index into `CELL_CLASSES` of cells given ethnic group (0 EM, 1 Kinh), area (0 rural,
    1 urban) and the poor-district flag."""
    return np.asarray(eth, int) * 4 + np.asarray(area, int) * 2 + (~np.asarray(poor_district, bool)).astype(int)


def class_key(i: int) -> str:
    """A short readable name of cell class i, e.g. 'ethnic_minority/rural/poor_district'."""
    c = CELL_CLASSES[i]
    return f"{c['ethnic_group']}/{c['area']}/{'poor_district' if c['poor_district'] else 'other_district'}"


def kappa_of(q: dict, p: float | None = None) -> float:
    """Pseudo-count (household-years) of a probability quantity from its range; the range may be
    rescaled by `p / value` when the rate is a modified class rate."""
    rng = q.get("range") if isinstance(q, dict) else None
    p = qv(q) if p is None else p
    if not rng:
        return KAPPA_DEFAULT
    sd = (rng[1] - rng[0]) / 4.0 * (p / qv(q) if qv(q) > 0 else 1.0)
    if sd <= 0:
        return KAPPA_MAX
    return float(np.clip(p * (1 - p) / sd**2 - 1.0, KAPPA_MIN, KAPPA_MAX))


def log_sd_of(q: dict) -> float:
    """Prior sd of log(value) for a positive quantity (relative risk) from its range."""
    rng = q.get("range") if isinstance(q, dict) else None
    if not rng or rng[0] <= 0:
        return LOG_SD_DEFAULT
    return max((np.log(rng[1]) - np.log(rng[0])) / 4.0, 1e-3)


@dataclass(frozen=True)
class Prior:
    """A transitions document read as a prior (see module docstring). Arrays use the order of
    `RATE_KEYS` (12 rates) and `CELL_CLASSES` (8 classes)."""

    doc: dict
    file: str | None
    sha256: str | None
    scale: float
    ref: np.ndarray  # (12,) reference-class rates
    ref_kappa: np.ndarray  # (12,)
    mod_names: tuple[str, ...]
    mod_applies: np.ndarray  # (8, M) bool: modifier m applies to class i
    mod_log0: np.ndarray  # (M, 2) log upward, log downward
    mod_sd: np.ndarray  # (M, 2) prior sd of the logs
    class_rates: np.ndarray  # (8, 12) rates of every class (reference x modifiers, or `cells`)
    class_kappa: np.ndarray  # (8, 12)
    growth0: float
    growth_sd: float
    entry0: np.ndarray  # (3,) shares poor, near_poor, non_poor
    entry_kappa: float

    @property
    def has_cells(self) -> bool:
        return bool(self.doc.get("cells"))

    def pseudo_counts(self) -> dict[str, float]:
        """Reference pseudo-counts by rate name (after scaling), for provenance."""
        return {f"{f}.{t}": round(float(k), 1) for (f, t), k in zip(RATE_KEYS, self.ref_kappa)}

    def class_multipliers(self, log_mods: np.ndarray) -> np.ndarray:
        """(..., 8, 12) relative risks of each class from log modifiers (..., M, 2)."""
        up = log_mods[..., 0] @ self.mod_applies.T.astype(float)  # (..., 8)
        down = log_mods[..., 1] @ self.mod_applies.T.astype(float)
        return np.exp(np.where(UP_MASK, up[..., None], down[..., None]))


def check_transitions_doc(doc: dict, file: str) -> list[InputError]:
    """Schema and semantic checks of a transitions document (as the parameter loader does)."""
    errors = validate(doc, "transitions", file)
    if errors:
        return errors
    entry = sum(qv(q) for q in doc["growth"]["entry_states"].values())
    if abs(entry - 1.0) > 1e-6:
        errors.append(InputError("shares_sum", file=file, field="growth.entry_states", total=round(entry, 6)))
    errors.extend(check_transition_rows(doc, file))
    return errors


def _class_kappa(doc: dict, class_rates: np.ndarray) -> np.ndarray:
    """(classes, rates) pseudo-count strength of every class rate: a class's own `cells` entry
    where the file gives one, else the reference quantity's at the class rate."""
    ref_doc = doc["reference"]
    class_kappa = np.empty_like(class_rates)
    for i, cls in enumerate(CELL_CLASSES):
        quantities = {k: ref_doc[k[0]][k[1]] for k in RATE_KEYS}
        for entry in doc.get("cells") or ():
            if all(cls.get(a) == v for a, v in entry["applies_to"].items()):
                for f, row in entry["rates"].items():
                    for t, q in row.items():
                        quantities[(f, t)] = {**q, "_final": True}
        for j, k in enumerate(RATE_KEYS):
            q = quantities[k]
            if q.get("_final"):
                class_kappa[i, j] = kappa_of(q)
            else:
                class_kappa[i, j] = kappa_of(q, p=class_rates[i, j])
    return class_kappa


def load_prior(source: str | Path | dict | None = None, scale: float = 1.0) -> Prior:
    """A prior from a transitions file (default `params/transitions.yaml`) or document."""
    if not (np.isfinite(scale) and scale > 0):
        raise InputError("cal_prior_scale", field="prior_scale", value=scale, allowed="> 0")
    if isinstance(source, dict):
        doc, file, digest = source, None, None
        raise_if_any(check_transitions_doc(doc, "<transitions>"))
    else:
        path = Path(source) if source else params_dir() / "transitions.yaml"
        doc = load_yaml(path)
        file, digest = display_path(path), sha256_file(path)
        raise_if_any(check_transitions_doc(doc, file))
    ref_doc = doc["reference"]
    ref = np.array([qv(ref_doc[f][t]) for f, t in RATE_KEYS])
    ref_kappa = np.array([kappa_of(ref_doc[f][t]) for f, t in RATE_KEYS]) * scale
    mods = doc["modifiers"]
    applies = np.array(
        [[all(cls.get(k) == v for k, v in m["applies_to"].items()) for m in mods] for cls in CELL_CLASSES], bool
    ).reshape(N_CLASSES, len(mods))
    log0 = np.array([[np.log(qv(m["upward"])), np.log(qv(m["downward"]))] for m in mods]).reshape(len(mods), 2)
    sd = np.array([[log_sd_of(m["upward"]), log_sd_of(m["downward"])] for m in mods]).reshape(len(mods), 2) / np.sqrt(
        scale
    )
    class_rates = np.array([[rates_for_class(doc, cls)[k] for k in RATE_KEYS] for cls in CELL_CLASSES])
    class_kappa = _class_kappa(doc, class_rates) * scale
    g = doc["growth"]
    rng = g["rate"].get("range")
    growth_sd = ((rng[1] - rng[0]) / 4.0 if rng else 0.005) / np.sqrt(scale)
    entry0 = np.array([qv(g["entry_states"][s]) for s in ENTRY_STATES])
    entry_kappa = min(kappa_of(g["entry_states"][s]) for s in ENTRY_STATES) * scale
    return Prior(
        doc=doc,
        file=file,
        sha256=digest,
        scale=float(scale),
        ref=ref,
        ref_kappa=ref_kappa,
        mod_names=tuple(m["name"] for m in mods),
        mod_applies=applies,
        mod_log0=log0,
        mod_sd=sd,
        class_rates=class_rates,
        class_kappa=class_kappa,
        growth0=qv(g["rate"]),
        growth_sd=float(growth_sd),
        entry0=entry0,
        entry_kappa=float(entry_kappa),
    )
