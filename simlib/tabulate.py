"""Model arrays as reporting cells, geographies and long tables: the shared shapes of every
results table (`simlib.results`, `simlib.multidim.tables`, calibration exposures).

A group is a (unit, ethnic group, area, attribute class, ...) slice of the population; a cell is
(unit, ethnic group, area). Geographies are the province, each district, the poor districts as a
whole and each ethnic group, as masks over (unit, ethnic group).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from simlib.dataset import AREAS, GROUPS
from simlib.memo import memoised
from simlib.model import Model


def cell_of_group(model: Model) -> np.ndarray:
    """(G,) the (unit, ethnic group, area) cell of each group, flat in that nesting order."""
    return (model.g_unit * len(GROUPS) + model.g_eth) * len(AREAS) + model.g_area


def by_cell(model: Model, arr: np.ndarray, lead: int) -> np.ndarray:
    """Sum attribute classes, labour capacity and housed twins out of a (lead..., G, rest...)
    array -> (lead..., D, E, A, rest...) (`lead` axes before the group axis)."""
    D = len(model.unit_ids)
    order, starts = cell_order(model)
    summed = np.add.reduceat(np.take(arr, order, axis=lead), starts, axis=lead)  # every cell has groups
    return summed.reshape(arr.shape[:lead] + (D, len(GROUPS), len(AREAS)) + arr.shape[lead + 1 :])


def cell_order(model: Model) -> tuple[np.ndarray, np.ndarray]:
    """(the groups in cell order, the first of each cell's) for `by_cell`, made once per structure
    (it reads the groups' units, ethnic groups and areas only)."""

    def make() -> tuple[np.ndarray, np.ndarray]:
        cell = cell_of_group(model)
        order = np.argsort(cell, kind="stable")
        starts = np.searchsorted(cell[order], np.arange(len(model.unit_ids) * len(GROUPS) * len(AREAS)))
        return read_only(order), read_only(starts)

    return memoised(model.structure, "tabulate.cell_order", make)


def read_only(a: np.ndarray) -> np.ndarray:
    """`a`, made read-only (kept and shared between callers)."""
    a.flags.writeable = False
    return a


def long_frame(index_arrays: dict, values: np.ndarray, name: str) -> pd.DataFrame:
    """A long table of `values` (one axis per entry of `index_arrays`, in order): one column per
    index (its labels) and the values in column `name`."""
    grids = np.meshgrid(*[np.arange(len(v)) for v in index_arrays.values()], indexing="ij")
    data = {k: np.asarray(v)[g.ravel()] for (k, v), g in zip(index_arrays.items(), grids)}
    data[name] = values.ravel()
    return pd.DataFrame(data)


def geographies(model: Model) -> tuple[list[tuple[str, str]], np.ndarray]:
    """Reporting geographies [(geo_type, geo)] and their masks over (unit, ethnic group) (a new
    list; the masks read-only, made once per structure: they read its units and poor units only)."""
    geos, masks = memoised(model.structure, "tabulate.geographies", lambda: _geographies(model))
    return list(geos), masks


def _geographies(model: Model) -> tuple[tuple[tuple[str, str], ...], np.ndarray]:
    D = len(model.unit_ids)
    geos = [("province", "province")] + [("district", u) for u in model.unit_ids]
    masks = [np.ones((D, len(GROUPS)))] + [np.eye(D)[i][:, None] * np.ones(len(GROUPS)) for i in range(D)]
    geos.append(("poor_districts", "poor_districts"))
    masks.append(model.poor_district[:, None] * np.ones(len(GROUPS)))
    for gi, g in enumerate(GROUPS):
        geos.append(("ethnic_group", g))
        m = np.zeros((D, len(GROUPS)))
        m[:, gi] = 1
        masks.append(m)
    return tuple(geos), read_only(np.array(masks, float))
