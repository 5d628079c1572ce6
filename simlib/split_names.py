"""The names of the rules that split each budget line's money across units (`simlib.district`
implements and registers them, `district.RULES`): what a scenario may name in
`budget.district_split`. `simlib.budget` checks a scenario's choice against these names without
loading the rules themselves (they read the dataset's tables with pandas), so that what only
reads names — the command line's help and `list`, money notes, the optimiser's options — stays light.
"""

from __future__ import annotations

#: every split rule, in the order `simlib.district` defines them (see its module docstring)
SPLIT_RULES = (
    "eligible_households",
    "poor_households",
    "poor_near_poor_households",
    "equal",
    "communes",
    "equal_plus_need",
    "statutory",
)
