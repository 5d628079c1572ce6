"""Summaries of many samples with bounded memory: quantiles of every indicator and the
probability of meeting each target.

Samples are streamed, chunk by chunk, into a disk-backed array (`numpy` memmap,
`uncertainty_draws.npy`: one row per sample, one column per indicator cell) while target counts
are kept as they arrive. Exact quantiles, means and standard deviations are then read back a
block of columns at a time, in sample order (so the numbers do not depend on which worker
finished first), and memory stays at about `block_bytes` however many draws were run.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from simlib.results import INDICATOR_UNITS
from simlib.uncertainty.evaluate import ChunkResult, Layout

QUANTILES = (0.05, 0.25, 0.5, 0.75, 0.95)
QUANTILE_COLUMNS = tuple(f"q{int(round(100 * q)):02d}" for q in QUANTILES)
DRAWS_FILE = "uncertainty_draws.npy"


class Accumulator:
    """Streams chunk results to disk and keeps running sums.

    `folder` receives `uncertainty_draws.npy` (samples x indicator cells) and
    `uncertainty_targets_draws.npy` (samples x target cells, value and met).
    """

    def __init__(self, folder: str | Path, layout: Layout, n_samples: int):
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.layout = layout
        self.n = int(n_samples)
        C, T = layout.n_cells, len(layout.target_cells)
        self.draws = np.lib.format.open_memmap(self.folder / DRAWS_FILE, mode="w+", dtype=np.float64, shape=(self.n, C))
        self.tvalues = np.lib.format.open_memmap(
            self.folder / "uncertainty_target_values.npy", mode="w+", dtype=np.float64, shape=(self.n, T)
        )
        self.tmet = np.lib.format.open_memmap(
            self.folder / "uncertainty_target_met.npy", mode="w+", dtype=np.bool_, shape=(self.n, T)
        )
        self.filled = np.zeros(self.n, bool)
        self.met = np.zeros(T)
        self.seen = np.zeros(T)

    def add(self, res: ChunkResult) -> None:
        rows = res.samples
        self.draws[rows] = res.indicators
        self.tvalues[rows] = res.target_values
        self.tmet[rows] = res.target_met
        self.filled[rows] = True
        tok = ~np.isnan(res.target_values)
        self.met += (res.target_met & tok).sum(0)
        self.seen += tok.sum(0)

    def close(self) -> None:
        for a in (self.draws, self.tvalues, self.tmet):
            a.flush()

    # --- summaries ----------------------------------------------------------------------------
    def quantile_table(self, scenario: str, engine: str, block_bytes: int = 64 << 20) -> pd.DataFrame:
        """Quantiles (5/25/50/75/95 %), mean and sd of every indicator cell that has values.

        Mean and sd are computed here from the stored samples in sample order, not accumulated
        as chunks arrive: workers finish in any order, and floating-point sums depend on their
        order, so this is what makes the numbers bit-for-bit the same whatever `--jobs` or
        executor ran the draws. (Target counts are sums of whole numbers: exact in any order.)"""
        return quantile_table(self.draws, self.layout, scenario, engine, block_bytes)

    def target_table(self, scenario: str, engine: str) -> pd.DataFrame:
        return target_table(self.layout, self.met, self.seen, self.tvalues, scenario, engine)


class RunningStats:
    """Count, mean and sum of squared deviations per column, merged chunk by chunk (Chan et al.'s
    parallel form of Welford's algorithm: stable, unlike sums of squares). NaNs are skipped."""

    def __init__(self, columns: int):
        self.count = np.zeros(columns)
        self.mean = np.zeros(columns)
        self.m2 = np.zeros(columns)

    def add(self, x: np.ndarray) -> None:
        x = np.asarray(x, float)
        ok = ~np.isnan(x)
        nb = ok.sum(0).astype(float)
        with np.errstate(invalid="ignore", divide="ignore"):
            mb = np.where(nb > 0, np.where(ok, x, 0.0).sum(0) / nb, 0.0)
        m2b = np.where(ok, (x - mb) ** 2, 0.0).sum(0)
        total = self.count + nb
        with np.errstate(invalid="ignore", divide="ignore"):
            w = np.where(total > 0, nb / total, 0.0)
        delta = mb - self.mean
        self.mean = self.mean + delta * w
        self.m2 = self.m2 + m2b + delta * delta * self.count * w
        self.count = total

    @property
    def sd(self) -> np.ndarray:
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(
                self.count > 1, np.sqrt(self.m2 / np.maximum(self.count - 1, 1)), np.where(self.count == 1, 0.0, np.nan)
            )


def _quantiles(block: np.ndarray) -> np.ndarray:
    """(len(QUANTILES), cols) quantiles ignoring NaN (all-NaN columns give NaN)."""
    out = np.full((len(QUANTILES), block.shape[1]), np.nan)
    has = ~np.all(np.isnan(block), axis=0)
    if has.any():
        out[:, has] = np.nanquantile(block[:, has], QUANTILES, axis=0)
    return out


def quantile_table(
    draws: np.ndarray,
    layout: Layout,
    scenario: str,
    engine: str,
    block_bytes: int = 64 << 20,
    stats: RunningStats | None = None,
) -> pd.DataFrame:
    """Tidy quantile table from a (samples, cells) array (memmap is fine), a block of columns at a
    time; `stats` are the running mean and sd if they were kept while streaming."""
    n, C = draws.shape
    block = max(1, int(block_bytes // max(1, 8 * n)))
    q = np.empty((len(QUANTILES), C))
    mean, sd, count = (np.empty(C), np.empty(C), np.empty(C)) if stats is None else (stats.mean, stats.sd, stats.count)
    for s in range(0, C, block):
        b = np.asarray(draws[:, s : s + block])
        q[:, s : s + block] = _quantiles(b)
        if stats is None:
            st = RunningStats(b.shape[1])
            st.add(b)
            mean[s : s + block], sd[s : s + block], count[s : s + block] = st.mean, st.sd, st.count
    df = layout.cells()
    df.insert(0, "engine", engine)
    df.insert(0, "scenario", scenario)
    df["unit"] = df["indicator"].map(INDICATOR_UNITS)
    df["mean"] = np.where(count > 0, mean, np.nan)
    df["sd"] = sd
    for name, row in zip(QUANTILE_COLUMNS, q):
        df[name] = row
    df["samples"] = count.astype(int)
    df = df[df["samples"] > 0]
    return df[
        [
            "scenario",
            "engine",
            "year",
            "geo_type",
            "geo",
            "indicator",
            "unit",
            "mean",
            "sd",
            *QUANTILE_COLUMNS,
            "samples",
        ]
    ].reset_index(drop=True)


def target_table(
    layout: Layout, met: np.ndarray, seen: np.ndarray, values: np.ndarray, scenario: str, engine: str
) -> pd.DataFrame:
    """Probability of meeting each target cell (share of samples meeting it) with value quantiles.

    A dated scenario's table ends with `rebased` (the cell's change is judged from the previous
    review re-based under a new standard; every sample's own reclassification is taken off its
    value) and `rebase_central` (the points re-based in the central run, NaN where not re-based)."""
    cells = layout.target_cells.copy()
    with np.errstate(invalid="ignore", divide="ignore"):
        cells["probability_met"] = met / seen
    q = _quantiles(np.asarray(values)) if len(cells) else np.empty((len(QUANTILES), 0))
    for name, row in zip(QUANTILE_COLUMNS, q):
        cells[f"value_{name}"] = row
    cells["samples"] = seen.astype(int)
    cells.insert(0, "engine", engine)
    cells.insert(0, "scenario", scenario)
    cols = [
        "scenario",
        "engine",
        "year",
        "target_id",
        "geo_type",
        "geo",
        "indicator",
        "comparison",
        "threshold",
        "probability_met",
        *[f"value_{c}" for c in QUANTILE_COLUMNS],
        "samples",
        "label_vi",
        "label_en",
    ]
    if "rebased" in cells:
        cells = cells.rename(columns={"rebase": "rebase_central"})
        cols += ["rebased", "rebase_central"]
    return cells[cols]


def outcomes_frame(layout: Layout, values: np.ndarray, met: np.ndarray, replications: int) -> pd.DataFrame:
    """Long per-sample target outcomes: draw, replication, year, target_id, geo_type, geo, value, met."""
    cells = layout.target_cells
    n, T = values.shape
    s, c = np.indices((n, T)).reshape(2, -1)
    return pd.DataFrame(
        {
            "draw": s // replications,
            "replication": s % replications,
            "year": cells["year"].to_numpy()[c],
            "target_id": cells["target_id"].to_numpy()[c],
            "geo_type": cells["geo_type"].to_numpy()[c],
            "geo": cells["geo"].to_numpy()[c],
            "value": np.asarray(values).ravel(),
            "met": np.asarray(met).ravel(),
        }
    )


def _sample_met(outcomes: pd.DataFrame, keys: list[str]) -> pd.Series:
    """Per sample (draw, replication) and `keys`: every cell with a value met (False if none has one)."""
    o = outcomes.assign(_ok=outcomes["met"].astype(bool) | outcomes["value"].isna(), _has=outcomes["value"].notna())
    g = o.groupby(["draw", "replication", *keys], sort=False)
    return g["_ok"].all() & g["_has"].any()


def target_probabilities(targets: pd.DataFrame, outcomes: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per target and year: the probability of meeting it (`probability_met`).

    A target met means met in every area it covers — the area it names and, for targets checked
    in each poor district too, every poor district — as the scorecard counts it
    (`simlib.report.data.target_status`). So `probability_met` is the share of samples in which
    all of the target's cells are met, from the per-sample `outcomes`
    (`uncertainty_outcomes.csv`). The row keeps the named area's own cell: `probability_area`
    and the quantiles of its value (`value_q05` ... `value_q95`); `areas` counts the cells.
    Without outcomes, a target of several areas gets NaN (its joint probability is unknown).
    """
    if targets.empty:
        return targets.assign(probability_area=pd.Series(dtype=float), areas=pd.Series(dtype=int))
    named = targets[targets["geo_type"] != "district"].copy()
    areas = targets.groupby(["target_id", "year"], sort=False).size().rename("areas")
    named = named.join(areas, on=["target_id", "year"])
    named["probability_area"] = named["probability_met"].astype(float)
    joint = pd.Series(np.nan, index=named.index)
    one = named["areas"] == 1
    joint[one] = named.loc[one, "probability_area"]
    if outcomes is not None and len(outcomes):
        p = _sample_met(outcomes, ["target_id", "year"]).groupby(["target_id", "year"], sort=False).mean()
        joint = pd.Series(
            p.reindex(pd.MultiIndex.from_frame(named[["target_id", "year"]])).to_numpy(float), index=named.index
        )
    named["probability_met"] = joint
    return named.reset_index(drop=True)


#: the geography type of the cells that judge a target in each poor unit on its own
UNIT_GEO_TYPE = "district"
#: the two readings of a target set for the poor units: their aggregate, or each on its own
ALL_TARGETS_READINGS = ("each_unit", "aggregate")


def has_unit_cells(outcomes: pd.DataFrame | None) -> bool:
    """Whether some target is also judged in each poor unit on its own (so the two readings of
    "every target met" can differ)."""
    return outcomes is not None and len(outcomes) > 0 and bool((outcomes["geo_type"] == UNIT_GEO_TYPE).any())


def all_targets_probability(outcomes: pd.DataFrame, reading: str = "each_unit") -> pd.Series:
    """Per year: the share of samples in which every target is met.

    `reading` "each_unit" (the default, the strict one): in every area each target covers, each
    poor unit on its own included; "aggregate": in the areas the targets name only, the poor units
    judged together (their aggregate cell), the unit cells left out.
    """
    if reading not in ALL_TARGETS_READINGS:
        raise ValueError(f"reading must be one of {ALL_TARGETS_READINGS}, not {reading!r}")
    if outcomes is None or outcomes.empty:
        return pd.Series(dtype=float)
    if reading == "aggregate":
        outcomes = outcomes[outcomes["geo_type"] != UNIT_GEO_TYPE]
    per = _sample_met(outcomes, ["year"])
    return per.groupby("year").mean().astype(float)
