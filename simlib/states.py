"""Household states at the annual review and the flows between them.

Internally a household is in one of six detailed states; `escaped_k` means the household left
poverty at the review k years ago (k = 1, 2, 3: the 36-month "newly escaped" window). Reports use
the four public states of the programme: poor, near-poor, newly escaped, non-poor.

Allowed moves in one year (everything else is a structural zero)::

    poor       -> poor | near_poor | escaped_1
    near_poor  -> near_poor | poor | non_poor
    escaped_k  -> poor | near_poor | escaped_{k+1}   (escaped_3 -> non_poor: ages out)
    non_poor   -> non_poor | poor | near_poor
"""

from __future__ import annotations

import numpy as np

STATES: tuple[str, ...] = ("poor", "near_poor", "escaped_1", "escaped_2", "escaped_3", "non_poor")
POOR, NEAR_POOR, ESCAPED_1, ESCAPED_2, ESCAPED_3, NON_POOR = range(6)
N_STATES = len(STATES)
ESCAPED = (ESCAPED_1, ESCAPED_2, ESCAPED_3)
STATE_INDEX = {s: i for i, s in enumerate(STATES)}

PUBLIC_STATES: tuple[str, ...] = ("poor", "near_poor", "escaped", "non_poor")
#: public state of each detailed state
PUBLIC_OF = np.array([0, 1, 2, 2, 2, 3], dtype=np.int8)
#: years since escape of each detailed state (0 = not in the escaped window)
YEARS_SINCE_ESCAPE = np.array([0, 0, 1, 2, 3, 0], dtype=np.int8)

#: detailed states covered by a public state name, for eligibility rules
EXPAND_PUBLIC = {
    "poor": (POOR,),
    "near_poor": (NEAR_POOR,),
    "escaped": ESCAPED,
    "non_poor": (NON_POOR,),
}

# Flow category of every (from, to) pair; "" marks structurally impossible moves.
_FLOW = [[""] * N_STATES for _ in range(N_STATES)]
_FLOW[POOR][POOR] = "stay"
_FLOW[POOR][NEAR_POOR] = "poor_to_near_poor"
_FLOW[POOR][ESCAPED_1] = "escape"
_FLOW[NEAR_POOR][NEAR_POOR] = "stay"
_FLOW[NEAR_POOR][POOR] = "near_poor_to_poor"
_FLOW[NEAR_POOR][NON_POOR] = "near_poor_exit"
for _k, _nxt in ((ESCAPED_1, ESCAPED_2), (ESCAPED_2, ESCAPED_3), (ESCAPED_3, NON_POOR)):
    _FLOW[_k][POOR] = "relapse"
    _FLOW[_k][NEAR_POOR] = "relapse_near_poor"
    _FLOW[_k][_nxt] = "stay" if _nxt != NON_POOR else "ageing_out"
_FLOW[NON_POOR][NON_POOR] = "stay"
_FLOW[NON_POOR][POOR] = "new_poor"
_FLOW[NON_POOR][NEAR_POOR] = "new_near_poor"
FLOW_NAME: tuple[tuple[str, ...], ...] = tuple(tuple(r) for r in _FLOW)

#: True where a one-year move is possible
ALLOWED = np.array([[bool(c) for c in row] for row in FLOW_NAME])

FLOW_CATEGORIES: tuple[str, ...] = (
    "escape",
    "poor_to_near_poor",
    "relapse",
    "relapse_near_poor",
    "near_poor_exit",
    "near_poor_to_poor",
    "new_poor",
    "new_near_poor",
    "ageing_out",
    "stay",
    "new_household",
)


def public_state(detailed: str) -> str:
    """The public state name ('escaped') of a detailed state name ('escaped_2')."""
    return PUBLIC_STATES[PUBLIC_OF[STATE_INDEX[detailed]]]


def expand_states(names) -> tuple[int, ...]:
    """Detailed state indices covered by public or detailed state names."""
    out: list[int] = []
    for n in names:
        out.extend(EXPAND_PUBLIC.get(n, (STATE_INDEX[n],) if n in STATE_INDEX else ()))
    return tuple(sorted(set(out)))
