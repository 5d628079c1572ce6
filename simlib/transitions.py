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
    (0 rural, 1 urban) and poor-district flag: each of the (at most 8) cell classes present is
    computed once (`rates_for_class`) and its row given to every group of that class."""
    code = (
        np.asarray(ethnic_group, dtype=np.int64) * 4
        + np.asarray(area, dtype=np.int64) * 2
        + np.asarray(poor_district).astype(bool)
    )
    rows = np.empty((8, N_RATES))
    for key in np.unique(code).tolist():
        cls = {
            "ethnic_group": ("ethnic_minority", "kinh")[key // 4],
            "area": ("rural", "urban")[key // 2 % 2],
            "poor_district": bool(key % 2),
        }
        r = rates_for_class(tr, cls)
        rows[key] = [r[k] for k in RATE_KEYS]
    return rows[code]


#: which channels enter each state's two effect pairs: u = 1 - prod over the channels of (1 - e)
#: (state, factor, channel), channels in CHANNELS order (the enabling channel never enters)
EFFECT_CHANNELS = np.zeros((N_STATES, 2, len(CHANNELS)), bool)
EFFECT_CHANNELS[POOR, 0, [ESC]] = True
EFFECT_CHANNELS[POOR, 1, [ESC, DEP]] = True
EFFECT_CHANNELS[NEAR_POOR, 0, [ESC]] = True
EFFECT_CHANNELS[NEAR_POOR, 1, [ESC, DEP, NEW]] = True
for _k in ESCAPED:
    EFFECT_CHANNELS[_k, 0, [DEP, REL]] = True
    EFFECT_CHANNELS[_k, 1, [REL]] = True
EFFECT_CHANNELS[NON_POOR, 0, [DEP, NEW]] = True
EFFECT_CHANNELS[NON_POOR, 1, [NEW]] = True


def combined_effects(e: np.ndarray) -> np.ndarray:
    """Per-state effect pairs (u, v) used by factors F1 and F2, from channel effects.

    `e` has channels on its last axis (..., len(CHANNELS)); returns (..., N_STATES, 2)::

        poor:       u = esc                      v = 1 - (1-esc)(1-dep)
        near_poor:  u = esc                      v = 1 - (1-esc)(1-dep)(1-new)
        escaped_k:  u = 1 - (1-dep)(1-rel)       v = rel
        non_poor:   u = 1 - (1-dep)(1-new)       v = new

    (the table is `EFFECT_CHANNELS`; one vectorised product instead of a formula per state).
    """
    keep = np.where(EFFECT_CHANNELS, 1.0 - e[..., None, None, :], 1.0)  # (..., K, 2, C)
    return 1.0 - keep.prod(axis=-1)


def combined_effects_fast(e: np.ndarray) -> np.ndarray:
    """`combined_effects` through one small matrix product in log space (for batches of
    scenarios); equal to it within a few units in the last place."""
    with np.errstate(divide="ignore"):
        keep = np.log1p(-e) @ EFFECT_CHANNELS.reshape(-1, len(CHANNELS)).T.astype(float)
    return -np.expm1(keep).reshape(e.shape[:-1] + (N_STATES, 2))


def affine_parts(rates: np.ndarray) -> np.ndarray:
    """Transition matrices as affine functions of the factors: (3, ..., K, K) arrays A, B, C
    with P = A + B * F1[..., :, None] + C * F2[..., :, None] (row k uses state k's factors).

    Built once per set of rates, so engines that evaluate many factor pairs (years, scenarios)
    pay only three multiply-adds for each matrix. See `transition_matrix` for the rows.
    """
    a0, b0, x0, f0 = rates[..., 0], rates[..., 1], rates[..., 2], rates[..., 3]
    out = np.zeros((3,) + rates.shape[:-1] + (N_STATES, N_STATES))
    A, B, C = out
    # poor: escape = 1 - (1-a0) F1; stay = (1-a0)(1-b0) F2; near_poor = the rest
    B[..., POOR, ESCAPED_1] = -(1 - a0)
    A[..., POOR, ESCAPED_1] = 1.0
    C[..., POOR, POOR] = (1 - a0) * (1 - b0)
    B[..., POOR, NEAR_POOR] = 1 - a0
    C[..., POOR, NEAR_POOR] = -((1 - a0) * (1 - b0))
    # near-poor: exit = 1 - (1-x0) F1; fall = (1-x0) f0 F2; stay = the rest
    A[..., NEAR_POOR, NON_POOR] = 1.0
    B[..., NEAR_POOR, NON_POOR] = -(1 - x0)
    C[..., NEAR_POOR, POOR] = (1 - x0) * f0
    B[..., NEAR_POOR, NEAR_POOR] = 1 - x0
    C[..., NEAR_POOR, NEAR_POOR] = -((1 - x0) * f0)
    # newly escaped, by years since escape; then non-poor
    for j, (k, nxt) in enumerate(
        ((ESCAPED_1, ESCAPED_2), (ESCAPED_2, ESCAPED_3), (ESCAPED_3, NON_POOR), (NON_POOR, NON_POOR))
    ):
        r, q = rates[..., 4 + 2 * j], rates[..., 5 + 2 * j]
        B[..., k, POOR] = r
        C[..., k, NEAR_POOR] = q
        A[..., k, nxt] = 1.0
        B[..., k, nxt] = -r
        C[..., k, nxt] = -q
    return out


#: scenarios per block of `apply_affine` for a batch: the block's temporaries stay in cache
AFFINE_BLOCK = 8


def _affine(parts: np.ndarray, f1: np.ndarray, f2: np.ndarray) -> np.ndarray:
    P = parts[0] + parts[1] * f1[..., :, None]
    P += parts[2] * f2[..., :, None]
    return P


def apply_affine(parts: np.ndarray, f1: np.ndarray, f2: np.ndarray) -> np.ndarray:
    """P = A + B F1 + C F2 from `affine_parts` and factors (..., K); the two `rest` entries
    (poor -> near-poor, near-poor stays) are floored at 0 as in `transition_matrix`. A batch of
    scenarios (factors (S, G, K), parts (3, S or 1, G, K, K)) is computed in blocks of
    `AFFINE_BLOCK` scenarios: the same operations element by element, without temporaries the
    size of the whole batch."""
    shape = np.broadcast_shapes(parts.shape[1:], f1.shape + (1,), f2.shape + (1,))
    S = shape[0] if f1.ndim == f2.ndim == 3 and len(shape) == 4 else 0
    if S > AFFINE_BLOCK and parts.ndim == 5 and parts.shape[1] in (1, S) and f1.shape[0] == f2.shape[0] == S:
        P = np.empty(shape)
        for a in range(0, S, AFFINE_BLOCK):
            b = min(a + AFFINE_BLOCK, S)
            P[a:b] = _affine(parts if parts.shape[1] == 1 else parts[:, a:b], f1[a:b], f2[a:b])
    else:
        P = _affine(parts, f1, f2)
    np.maximum(P[..., POOR, NEAR_POOR], 0.0, out=P[..., POOR, NEAR_POOR])
    np.maximum(P[..., NEAR_POOR, NEAR_POOR], 0.0, out=P[..., NEAR_POOR, NEAR_POOR])
    return P


def transition_matrix(rates: np.ndarray, f1: np.ndarray, f2: np.ndarray) -> np.ndarray:
    """Transition matrices from baseline rates (..., N_RATES) and factors F1, F2 (..., N_STATES).

    Returns (..., N_STATES, N_STATES); rows sum to 1. With F1 = F2 = 1 this is the baseline.
    Rows (a0 ... baseline probabilities, F1 and F2 the origin state's factors)::

        poor:       escaped_1 = 1 - (1-a0) F1     poor = (1-a0)(1-b0) F2     near_poor = rest
        near_poor:  non_poor = 1 - (1-x0) F1      poor = (1-x0) f0 F2        near_poor = rest
        escaped_k:  poor = r_k F1                 near_poor = q_k F2         next = rest
        non_poor:   poor = p_n F1                 near_poor = q_n F2         non_poor = rest
    """
    return apply_affine(affine_parts(rates), f1, f2)
