"""Budget allocation.

- `district`: named rules that split each line's money across districts (proportional to
  eligible, poor or poor + near-poor households, equal, by communes, equal per poor district plus
  the rest by need, the statutory criteria in the form of Decision 02/2022/QĐ-TTg), or an explicit
  table per line in the scenario.
- `structure`: which capital may fund which line, the local counterpart share, breaches of both.
- `spec`, `problem`, `solve`, `optimize`: the best split of the budget under the expected engine
  (`simlib optimize`); `output` writes and reads its folder, `plots` draws its charts.
"""
