"""The optimiser on a dated scenario (`periods: dated`): the money of a year under a dated
catalogue (the 2026–2035 programme's contents from 2026) goes only where a content stands for it.

Inside the optimiser a dated year's money sits on the 2021–2025 "mechanism" items
(`simlib.dated_budget`), but only some (item, source) cells are where a content's money of a
source lands (`simlib.dated_budget.content_cells`): money on any other cell in such a year (P1.2,
the Decision 880 scheme, which has no 2026–2035 content; P5.repair; investment capital on P5)
is money for no line the province can adopt, and written back as `lines:` it would be read as
2021–2025 money carried along `continues` — another budget than the one judged. So:

- `cell_mask`: the cells that may take money in each projected year — in a dated year only a
  content's cells; every cell in the other years and in a scenario that is not dated. The
  optimiser makes no variable on the other cells (`simlib.allocate.rules.variables`);
- `contents_year`: a dated year's amounts as the `contents:` entry a scenario file gives
  (`simlib.allocate.scenario_out`), which reads back to the same cells; money on a cell no
  content stands for is a bug there and raises.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from simlib.budget import SOURCES
from simlib.dated_budget import contents_entry, scenario_cells
from simlib.errors import InputError

if TYPE_CHECKING:  # annotations only: the scenario module reads datasets (pandas)
    from simlib.scenario import Scenario


def cell_mask(scen: Scenario, years) -> np.ndarray | None:
    """(Y, L, S) bool for the projected `years`, the scenario's items and `SOURCES`: may the cell
    take money that year? None (every cell, every year) when no year is under a dated catalogue."""
    by_year = scenario_cells(scen, years)
    if not by_year:
        return None
    codes = scen.catalogue.codes
    mask = np.ones((len(years), len(codes), len(SOURCES)), bool)
    for yi, y in enumerate(years):
        cells = by_year.get(int(y))
        if cells is not None:
            mask[yi] = [[(code, s) in cells for s in SOURCES] for code in codes]
    return mask


def contents_year(scen: Scenario, year: int, amounts: dict[tuple[str, str], float], cells: dict) -> dict:
    """The `contents:` entry of a dated year from its amounts by (item, source) (already in the
    unit written), contents in the catalogue's order, sources in the funding file's
    (`simlib.dated_budget.contents_entry`); a `ValueError` naming the cells whose money no content
    stands for (the optimiser makes no variable there: a bug)."""
    contents, stray = contents_entry(amounts, cells)
    if stray:
        shown = ", ".join(f"{item} / {src}" for item, src in sorted(stray))
        raise ValueError(
            f"{scen.name}, {year}: money on cells no content of the catalogue in force stands for: {shown}"
        )
    return {"contents": contents} if contents else {}


def content_problems(spec, scen: Scenario, file: str) -> list[InputError]:
    """Floors, commitments and earmarks (`simlib.allocate.spec.OptimizeSpec`) asking for money, in
    the optimised years under a dated catalogue, of lines no content stands for there (P1.2 from
    2026): they cannot hold, the optimiser making no variable on those cells — named one by one
    with their years, instead of the floors' general message."""
    cells = scenario_cells(scen, spec.plan_years or tuple(scen.years))
    codes, errors = scen.catalogue.codes, []
    for b in spec.bounds:
        years = [y for y, c in cells.items() if not any((codes[li], s) in c for li in b.lines for s in SOURCES)]
        if b.lower > 0 and years:
            field = f"{'line_bounds' if b.statutory else 'lines'}.{b.code}"
            shown = ", ".join(map(str, years))
            errors.append(
                InputError("opt_floor_no_content", file=file, field=field, value=b.lower, line=b.code, years=shown)
            )
    for i, e in enumerate(spec.earmarks):
        src = SOURCES[e.source]
        years = [y for y, c in cells.items() if not any((codes[li], src) in c for li in e.lines)]
        if e.amount > 0 and years:
            shown = ", ".join(map(str, years))
            errors.append(
                InputError(
                    "opt_earmark_no_content",
                    file=file,
                    field=f"earmarks.{i}",
                    value=e.amount,
                    line=e.code,
                    source=src,
                    years=shown,
                )
            )
    return errors
