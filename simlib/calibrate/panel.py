"""What calibration data look like once read and checked.

- `Cells`: the model cells the data cover — (unit, ethnic group, area) with the unit's
  poor-district flag, hence the cell class whose rates apply (`simlib.transitions.CELL_CLASSES`).
- `AggregatePanel`: annual-review *counts* for consecutive years, per observation unit. An
  observation unit is one cell (cell-level counts), a whole unit (district-level counts) or a
  whole area (a published provincial or regional series); it holds one or more cells.
- `TransitionCounts`: household-level review lists turned into counts of households moving
  between detailed states (escaped by years since escape) per cell and year.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np

from simlib.calibrate.prior import class_index
from simlib.dataset import AREAS, GROUPS, Dataset
from simlib.i18n import LocalText
from simlib.states import N_STATES

#: stock columns of an aggregate panel; households and poor are required, the others optional
STOCK = ("households", "poor", "near_poor", "escaped")
HH, POOR_OBS, NEAR_OBS, ESC_OBS = range(len(STOCK))
#: optional flow columns: the flow indicators of simlib.results (households moving during the year)
FLOW_COLUMNS = (
    "escapes",
    "poor_to_near_poor",
    "relapses",
    "relapses_near_poor",
    "near_poor_to_poor",
    "near_poor_exits",
    "new_poor",
    "new_near_poor",
)


@dataclass(frozen=True)
class Cells:
    """C model cells: unit, ethnic group (0 EM, 1 Kinh), area (0 rural, 1 urban), poor district."""

    unit_id: np.ndarray
    eth: np.ndarray
    area: np.ndarray
    poor_district: np.ndarray

    def __len__(self) -> int:
        return len(self.unit_id)

    @property
    def klass(self) -> np.ndarray:
        """(C,) index of each cell's class in CELL_CLASSES."""
        return class_index(self.eth, self.area, self.poor_district)

    def labels(self) -> list[str]:
        return [f"{u}/{GROUPS[e]}/{AREAS[a]}" for u, e, a in zip(self.unit_id, self.eth, self.area)]


def template_cells(ds: Dataset) -> Cells:
    """All cells of a dataset, in its (unit, group, area) order."""
    d, e, a = (x.ravel() for x in np.indices((len(ds.unit_ids), len(GROUPS), len(AREAS))))
    return Cells(unit_id=np.array(ds.unit_ids)[d], eth=e, area=a, poor_district=ds.poor_district[d])


def template_counts(ds: Dataset) -> np.ndarray:
    """(C, K) baseline counts of the dataset's cells, in `template_cells` order."""
    return ds.counts.reshape(-1, N_STATES)


@dataclass(frozen=True)
class AggregatePanel:
    """Annual-review counts. T consecutive years, O observation units, C cells.

    stock (T, O, 4): households, poor, near_poor, escaped (all three cohorts); NaN = not observed.
    flows (T, O, F): households moving during the year that ends at review t (row 0 unused).
    member (C,): observation unit of each cell. guess0 (C, K): a composition that splits the
    first year's totals over cells and over states the data do not separate (escaped cohorts,
    and near-poor when it is not observed) — by default the template dataset's counts.
    households_estimated (T, O): True where the household total is not a published count.
    """

    years: tuple[int, ...]
    areas: tuple[str, ...]
    cells: Cells
    member: np.ndarray
    stock: np.ndarray
    flows: np.ndarray
    guess0: np.ndarray
    sources: tuple[dict, ...] = ()
    households_estimated: np.ndarray | None = None
    notes: tuple[LocalText, ...] = field(default=())  # what was estimated or left out, for the reader

    @property
    def n_obs(self) -> int:
        return len(self.areas)

    def until(self, last_year: int) -> AggregatePanel:
        """The panel restricted to years <= last_year (the training part of a back-test)."""
        keep = np.array([y <= last_year for y in self.years])
        est = None if self.households_estimated is None else self.households_estimated[keep]
        return replace(
            self,
            years=tuple(y for y in self.years if y <= last_year),
            stock=self.stock[keep],
            flows=self.flows[keep],
            households_estimated=est,
        )


@dataclass(frozen=True)
class TransitionCounts:
    """Households observed at two consecutive reviews, by cell and detailed state.

    years: the review years (T); counts (T-1, C, K, K): households in state k at review t-1 and
    j at review t (t = 1..T-1); entries (T-1, C, K): new households by state at their first review;
    households (T, C): households listed at each review. Households whose state at t-1 is not
    known (newly escaped in the first year without an escape year) are left out of `counts`
    and counted in `unknown_origin`; households that disappear are counted in `left` (T-1,).
    """

    years: tuple[int, ...]
    cells: Cells
    counts: np.ndarray
    entries: np.ndarray
    households: np.ndarray
    left: np.ndarray
    unknown_origin: int = 0
    sources: tuple[dict, ...] = ()
