"""The multidimensional model: households' income and 12 deprivation flags drive their state.

Select it with the scenario field `model: multidim` (or `--set model=multidim`); the states model
(`model: states`, Markov transitions with budget-dependent factors) stays the default and is
untouched by this package.

Pieces
- `simlib.standards` — the poverty standards (params/standards/), the one in force by year, and
  the vectorised classification (poor: income <= line and >= 3 deprivations; near-poor: income
  <= line and < 3; otherwise above the line).
- `simlib.multidim.model` — `compile_multidim(scen, model)`: the arrays both engines share
  (params/multidim.yaml: synthesis distributions, yearly income and flag dynamics; program.yaml:
  each line's `deprivations` and `multidim` channels).
- `simlib.multidim.income`, `simlib.multidim.masks` — the income grid and the 4,096-mask
  distributions, with their yearly operators.
- `simlib.engines.multidim_microsim` — households with float32 income and a uint16 bitmask.
- `simlib.engines.multidim_expected` — per cell and state, households by deprivation mask (all
  4,096) and by (key, income bin), the key being the number of deprivations and the flags that
  income-raising lines also clear; exact for flags, classification, merges and the change of
  standard, approximate through the income grid and in holding income independent of the
  remaining flags given the key; see its docstring.
- `simlib.multidim.tables` — the tidy `deprivations` and `deprivation_removals` tables and the
  extra indicators (FGT1, FGT2, income lines, the standard-change flag).

How programme lines act (program.yaml): `removal` clears each of the line's `deprivations` a
reached household has with that probability (housing: both housing indicators; information: the
two information indicators; nutrition; infrastructure: water, sanitation, school attendance and
health insurance in the districts it funds, a year later through its lag); `income` adds VND per
person per month (livelihood, production, vocational and employment lines, which also clear the
employment flag); `targets_deprived` restricts eligibility to households deprived in the line's
indicators. Beneficiaries are chosen by the core's eligibility, priority tiers, take-up ceiling
and budget; enabling lines scale removal and income effects as they scale the channels.

At a change of standard (2026 -> 2027: lines 1.5/2.0 -> 2.2/2.8 million VND) every household is
classified against the new line at the 2027 review: the reclassification shows up as flows (e.g.
non-poor -> poor) in that year, and the `standard_changed` indicator is 1 for it.
"""

from simlib.multidim.model import NEXT_STATE, MultidimModel, compile_multidim, core_of

__all__ = ["MultidimModel", "compile_multidim", "core_of", "NEXT_STATE"]
