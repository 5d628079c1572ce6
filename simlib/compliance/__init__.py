"""Allocations a province can legally adopt, and money that reaches no one (issue 15).

- `rules` — the legal rules (capital by content, central envelope, territory of each content,
  local counterpart, per-beneficiary norm) checked on a scenario's budget: `check_allocation`,
  `enforce` (violations as input errors naming the rule and its legal source, unless the scenario
  asks to ignore the rule), `territory`;
- `status` — what a run records about the legal frame (`legal_status`, manifest entry `legal`);
- `absorption` — money each item can deliver (`absorption_capacity`) and, after a run, the money
  that reached no one (`absorption_table`, `absorption_totals`);
- `constraints` — the same rules and absorption as named linear constraints on an optimiser's
  variables (`LeverLayout`, `legal_constraints`, `constraint_arrays`).

The frame itself is data (`simlib.legal`, `params/legal/`); the contents are in the catalogue.
"""

from simlib.compliance.absorption import absorption_capacity, absorption_table, absorption_totals, unplaced_money
from simlib.compliance.constraints import (
    Constraint,
    LeverLayout,
    constraint_arrays,
    layout_money_only,
    legal_constraints,
)
from simlib.compliance.rules import RULES, Violation, check_allocation, enforce, ignored, territory
from simlib.compliance.status import legal_status

__all__ = [
    "RULES",
    "Constraint",
    "LeverLayout",
    "Violation",
    "absorption_capacity",
    "absorption_table",
    "absorption_totals",
    "check_allocation",
    "constraint_arrays",
    "enforce",
    "ignored",
    "layout_money_only",
    "legal_constraints",
    "legal_status",
    "territory",
    "unplaced_money",
]
