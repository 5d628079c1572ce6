"""Baseline (no-programme) transition probabilities per cell, and how programme lines change them.

The baseline is a reference row set (ethnic-minority, rural, poor district) times relative risks
for other cells (`params/transitions.yaml`). The programme acts through two *factors* per origin
state, each a product over budget lines of (1 - reached_l * effect_l) — a form whose expectation
over independent beneficiary selections is the same product with coverage in place of the
reached indicator. That is what lets the expected engine be exact for the microsimulation.

Rows (a0 ... are baseline probabilities, F1 and F2 the state's two factors)::

    poor:       escape = 1 - (1-a0) F1          stay = (1-a0)(1-b0) F2     near_poor = rest
    near_poor:  non_poor = 1 - (1-x0) F1        poor = (1-x0) f0 F2        stay = rest
    escaped_k:  poor = r_k F1                   near_poor = q_k F2         next = rest
    non_poor:   poor = p_n F1                   near_poor = q_n F2         stay = rest
"""
from __future__ import annotations

import itertools

import numpy as np

from simlib.schema import qv
from simlib.states import ESCAPED, ESCAPED_1, ESCAPED_2, ESCAPED_3, N_STATES, NEAR_POOR, NON_POOR, POOR

#: baseline rates, in array order: (from, to)
RATE_KEYS: tuple[tuple[str, str], ...] = (
    ("poor", "escaped_1"),
    ("poor", "near_poor"),
    ("near_poor", "non_poor"),
    ("near_poor", "poor"),
    ("escaped_1", "poor"),
    ("escaped_1", "near_poor"),
    ("escaped_2", "poor"),
    ("escaped_2", "near_poor"),
    ("escaped_3", "poor"),
    ("escaped_3", "near_poor"),
    ("non_poor", "poor"),
    ("non_poor", "near_poor"),
)
N_RATES = len(RATE_KEYS)
UPWARD = {("poor", "escaped_1"), ("poor", "near_poor"), ("near_poor", "non_poor")}

#: effect channels, in array order
CHANNELS = ("escape", "deprivation", "relapse", "new_poverty", "enabling")
ESC, DEP, REL, NEW, ENA = range(len(CHANNELS))

CELL_CLASSES = [
    {"ethnic_group": e, "area": a, "poor_district": p}
    for e, a, p in itertools.product(("ethnic_minority", "kinh"), ("rural", "urban"), (True, False))
]


def rates_for_class(tr: dict, cls: dict) -> dict[tuple[str, str], float]:
    """Baseline probabilities for a cell class: reference rates times matching modifiers.

    An optional `cells` list (written by `simlib calibrate` from household-level data) gives
    rates for whole cell classes: for a class matching every key of an entry's `applies_to`, the
    probabilities the entry lists replace reference x modifiers (later entries win).
    """
    up, down = 1.0, 1.0
    for mod in tr["modifiers"]:
        if all(cls.get(k) == v for k, v in mod["applies_to"].items()):
            up *= qv(mod["upward"])
            down *= qv(mod["downward"])
    ref = tr["reference"]
    out = {(f, t): qv(ref[f][t]) * (up if (f, t) in UPWARD else down) for f, t in RATE_KEYS}
    for entry in tr.get("cells") or ():
        if all(cls.get(k) == v for k, v in entry["applies_to"].items()):
            for f, row in entry["rates"].items():
                for t, q in row.items():
                    out[(f, t)] = qv(q)
    return out


def rate_array(tr: dict, ethnic_group: np.ndarray, area: np.ndarray, poor_district: np.ndarray) -> np.ndarray:
    """Baseline rates (G, N_RATES) for groups given their ethnic group (0 EM, 1 Kinh), area
    (0 rural, 1 urban) and poor-district flag."""
    out = np.empty((len(ethnic_group), N_RATES))
    cache = {}
    for i, (e, a, p) in enumerate(zip(ethnic_group, area, poor_district)):
        key = (int(e), int(a), bool(p))
        if key not in cache:
            cls = {"ethnic_group": ("ethnic_minority", "kinh")[key[0]], "area": ("rural", "urban")[key[1]], "poor_district": key[2]}
            r = rates_for_class(tr, cls)
            cache[key] = np.array([r[k] for k in RATE_KEYS])
        out[i] = cache[key]
    return out


def combined_effects(e: np.ndarray) -> np.ndarray:
    """Per-state effect pairs (u, v) used by factors F1 and F2, from channel effects.

    `e` has channels on its last axis (..., len(CHANNELS)); returns (..., N_STATES, 2).
    """
    esc, dep, rel, new = e[..., ESC], e[..., DEP], e[..., REL], e[..., NEW]
    out = np.zeros(e.shape[:-1] + (N_STATES, 2))
    out[..., POOR, 0] = esc
    out[..., POOR, 1] = 1 - (1 - esc) * (1 - dep)
    out[..., NEAR_POOR, 0] = esc
    out[..., NEAR_POOR, 1] = 1 - (1 - esc) * (1 - new) * (1 - dep)
    for k in ESCAPED:
        out[..., k, 0] = 1 - (1 - rel) * (1 - dep)
        out[..., k, 1] = rel
    out[..., NON_POOR, 0] = 1 - (1 - new) * (1 - dep)
    out[..., NON_POOR, 1] = new
    return out


def transition_matrix(rates: np.ndarray, f1: np.ndarray, f2: np.ndarray) -> np.ndarray:
    """Transition matrices from baseline rates (..., N_RATES) and factors F1, F2 (..., N_STATES).

    Returns (..., N_STATES, N_STATES); rows sum to 1. With F1 = F2 = 1 this is the baseline.
    """
    a0, b0, x0, f0 = rates[..., 0], rates[..., 1], rates[..., 2], rates[..., 3]
    lead = np.broadcast_shapes(rates.shape[:-1], f1.shape[:-1], f2.shape[:-1])
    P = np.zeros(lead + (N_STATES, N_STATES))
    # poor
    stay_esc = (1 - a0) * f1[..., POOR]
    stay = (1 - a0) * (1 - b0) * f2[..., POOR]
    P[..., POOR, ESCAPED_1] = 1 - stay_esc
    P[..., POOR, POOR] = stay
    P[..., POOR, NEAR_POOR] = np.maximum(stay_esc - stay, 0.0)
    # near-poor
    no_exit = (1 - x0) * f1[..., NEAR_POOR]
    fall = (1 - x0) * f0 * f2[..., NEAR_POOR]
    P[..., NEAR_POOR, NON_POOR] = 1 - no_exit
    P[..., NEAR_POOR, POOR] = fall
    P[..., NEAR_POOR, NEAR_POOR] = np.maximum(no_exit - fall, 0.0)
    # newly escaped, by years since escape
    for j, (k, nxt) in enumerate(((ESCAPED_1, ESCAPED_2), (ESCAPED_2, ESCAPED_3), (ESCAPED_3, NON_POOR))):
        to_poor = rates[..., 4 + 2 * j] * f1[..., k]
        to_near = rates[..., 5 + 2 * j] * f2[..., k]
        P[..., k, POOR] = to_poor
        P[..., k, NEAR_POOR] = to_near
        P[..., k, nxt] = 1 - to_poor - to_near
    # non-poor
    to_poor = rates[..., 10] * f1[..., NON_POOR]
    to_near = rates[..., 11] * f2[..., NON_POOR]
    P[..., NON_POOR, POOR] = to_poor
    P[..., NON_POOR, NEAR_POOR] = to_near
    P[..., NON_POOR, NON_POOR] = 1 - to_poor - to_near
    return P
