"""Published poverty figures (`data/published/poverty_figures.csv` layout) read as a one-unit
calibration panel (`read_published`), for back-tests and the series fit."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from simlib.calibrate.io import check_consecutive, load_tables, missing_columns, numbers, text_column
from simlib.calibrate.panel import (
    FLOW_COLUMNS,
    HH,
    NEAR_OBS,
    POOR_OBS,
    STOCK,
    AggregatePanel,
    template_cells,
    template_counts,
)
from simlib.dataset import Dataset
from simlib.errors import InputError, raise_if_any
from simlib.i18n import LocalText, fmt
from simlib.paths import display_path


def _published_values(sub: pd.DataFrame, years: dict, ys: list[int], shown: str, area: str) -> np.ndarray:
    """(T, 6) households, poor, near-poor, poor %, near-poor % (NaN where not published) of each
    review year, read from the area's rows `sub`."""
    T = len(ys)
    vals = np.full((T, 6), np.nan)  # households, poor, near_poor, poor %, near-poor %
    for i, y in enumerate(ys):
        label = str(years[y] if y in years else years[str(y)])
        rows = sub[text_column(sub, "year") == label]
        if len(rows) != 1:
            raise InputError(
                "cal_series_year",
                file=shown,
                field="year",
                value=label,
                area=area,
                n=len(rows),
                allowed=sorted(set(text_column(sub, "year"))),
            )
        errs: list = []
        vals[i, :5] = [
            numbers(rows, c, False, errs, whole=not c.endswith("_pct"))[0]
            for c in ("households_total", "poor", "near_poor", "poor_rate_pct", "near_poor_rate_pct")
        ]
        raise_if_any(errs)
    return vals


def _households(vals: np.ndarray, ys: list[int], growth: float, shown: str, area: str) -> tuple:
    """(T,) household totals: published, else count / rate, else extrapolated at `growth` from the
    nearest year that has one; with which are estimated (T,) bool and which years are known."""
    N = vals[:, 0].copy()
    derived = np.isnan(N) & np.isfinite(vals[:, 1]) & np.isfinite(vals[:, 3])
    N[derived] = vals[derived, 1] / (vals[derived, 3] / 100)
    d2 = np.isnan(N) & np.isfinite(vals[:, 2]) & np.isfinite(vals[:, 4])
    N[d2] = vals[d2, 2] / (vals[d2, 4] / 100)
    known = np.flatnonzero(np.isfinite(N))
    if known.size == 0:
        raise InputError("cal_series_households", file=shown, field="households_total", area=area)
    estimated = np.isnan(N)
    for i in np.flatnonzero(estimated):
        j = known[np.argmin(np.abs(known - i))]
        N[i] = N[j] * (1 + growth) ** (ys[i] - ys[j])
    return N, estimated, known


def _extrapolation_notes(area: str, ys: list[int], estimated: np.ndarray, known: np.ndarray, growth: float) -> list:
    notes = (
        [
            LocalText.of(
                "cal.note.households_extrapolated",
                area=area,
                years=", ".join(str(ys[i]) for i in np.flatnonzero(estimated)),
                growth=fmt.local_text(fmt.percent, 100 * growth, decimals=3),
                known=", ".join(str(ys[i]) for i in known),
            )
        ]
        if estimated.any()
        else []
    )
    return notes


def read_published(path, area: str, years: dict, template: Dataset, growth: float) -> AggregatePanel:
    """One area of a published-figures table (`data/published/poverty_figures.csv` layout) as a
    one-unit panel spread over the template's cells.

    `years` maps review year -> the file's `year` label (labels such as `baseline_year_unstated`
    need a reading, which the caller states). Where the household total is not published it is
    count / rate where both are; otherwise extrapolated from the nearest year that has it at the
    `growth` rate, and flagged estimated. Counts not published are rate x households.
    """
    path = Path(path)
    df, records = load_tables([path])
    shown = display_path(path)
    need = ("year", "area", "households_total", "poor", "near_poor", "poor_rate_pct", "near_poor_rate_pct")
    raise_if_any(missing_columns(df, need, records))
    areas = sorted(set(text_column(df, "area")))
    if area not in areas:
        raise InputError("cal_area", file=shown, field="area", value=area, allowed=areas)
    sub = df[text_column(df, "area") == area]
    ys = sorted(int(y) for y in years)
    raise_if_any(check_consecutive(ys, shown))
    vals = _published_values(sub, years, ys, shown, area)
    N, estimated, known = _households(vals, ys, growth, shown, area)
    poor = np.where(np.isfinite(vals[:, 1]), vals[:, 1], vals[:, 3] / 100 * N)
    near = np.where(np.isfinite(vals[:, 2]), vals[:, 2], vals[:, 4] / 100 * N)
    if np.isnan(poor).any():
        raise InputError(
            "cal_series_poor",
            file=shown,
            field="poor_rate_pct",
            area=area,
            value=", ".join(str(ys[i]) for i in np.flatnonzero(np.isnan(poor))),
        )
    cells = template_cells(template)
    T, C = len(ys), len(cells)
    stock = np.full((T, 1, len(STOCK)), np.nan)
    stock[:, 0, HH], stock[:, 0, POOR_OBS], stock[:, 0, NEAR_OBS] = N, poor, near
    notes = _extrapolation_notes(area, ys, estimated, known, growth)
    return AggregatePanel(
        years=tuple(ys),
        areas=(area,),
        cells=cells,
        member=np.zeros(C, int),
        stock=stock,
        flows=np.full((T, 1, len(FLOW_COLUMNS)), np.nan),
        guess0=template_counts(template).astype(float),
        sources=tuple(records),
        households_estimated=estimated[:, None],
        notes=tuple(notes),
    )
