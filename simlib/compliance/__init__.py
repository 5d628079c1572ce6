"""Allocations a province can legally adopt, and money that reaches no one (issue 15).

- `rules` — the legal rules (capital by content, central envelope, territory of each content,
  local counterpart, per-beneficiary norm) checked on a scenario's budget: `check_allocation`,
  `enforce` (violations as input errors naming the rule and its legal source, unless the scenario
  asks to ignore the rule), `territory`;
- `status` — what a run records about the legal frame (`legal_status`, manifest entry `legal`),
  and what of it is known before the run (`scenario_not_checked`, said by `simlib validate`);
- `absorption` — money each item can deliver (`absorption_capacity`) and, after a run, the money
  that reached no one (`absorption_table`, `absorption_totals`);
- `constraints` — the same rules and absorption as named linear constraints on an optimiser's
  variables (`LeverLayout`, `legal_constraints`, `constraint_arrays`).

The frame itself is data (`simlib.legal`, `params/legal/`); the contents are in the catalogue.

Importing this package loads none of its modules: each name below is imported from its module when
first asked for (`simlib.lazy.package_names`), so that checking a scenario's legal frame
(`simlib validate`: `enforce`) does not load `absorption`, which shares the engines' reach step
(`simlib.engines.reach`, with numba).
"""

from typing import TYPE_CHECKING

from simlib.lazy import package_names

if TYPE_CHECKING:  # the names `__getattr__` gives, for readers and type checkers
    from simlib.compliance.absorption import absorption_capacity, absorption_table, absorption_totals, unplaced_money
    from simlib.compliance.constraints import (
        Constraint,
        LeverLayout,
        constraint_arrays,
        layout_money_only,
        legal_constraints,
    )
    from simlib.compliance.rules import RULES, Violation, check_allocation, enforce, ignored, territory
    from simlib.compliance.status import legal_status, scenario_not_checked

#: the names this package gives from its modules, imported on first access (`__getattr__`): a
#: check of the legal frame (`enforce`, `simlib validate`) loads `rules` alone, not `absorption`,
#: whose share of the engines' reach step loads numba
LAZY = {
    "RULES": "simlib.compliance.rules:RULES",
    "Constraint": "simlib.compliance.constraints:Constraint",
    "LeverLayout": "simlib.compliance.constraints:LeverLayout",
    "Violation": "simlib.compliance.rules:Violation",
    "absorption_capacity": "simlib.compliance.absorption:absorption_capacity",
    "absorption_table": "simlib.compliance.absorption:absorption_table",
    "absorption_totals": "simlib.compliance.absorption:absorption_totals",
    "check_allocation": "simlib.compliance.rules:check_allocation",
    "constraint_arrays": "simlib.compliance.constraints:constraint_arrays",
    "enforce": "simlib.compliance.rules:enforce",
    "ignored": "simlib.compliance.rules:ignored",
    "layout_money_only": "simlib.compliance.constraints:layout_money_only",
    "legal_constraints": "simlib.compliance.constraints:legal_constraints",
    "legal_status": "simlib.compliance.status:legal_status",
    "scenario_not_checked": "simlib.compliance.status:scenario_not_checked",
    "territory": "simlib.compliance.rules:territory",
    "unplaced_money": "simlib.compliance.absorption:unplaced_money",
}

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
    "scenario_not_checked",
    "territory",
    "unplaced_money",
]


__getattr__, __dir__ = package_names(globals(), LAZY)  # and the package's modules (`simlib.compliance.rules`)
