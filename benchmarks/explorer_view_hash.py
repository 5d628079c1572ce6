"""Hashes of everything the explorer's view shows on `multidim_2030`, after a series of changes
through the widget API (issue 18: a faster change must show the same view, bit for bit).

`python benchmarks/explorer_view_hash.py TREE OUT.json [SCENARIO]` (run with `PYTHONPATH=TREE`;
SCENARIO: another file of params/scenarios, e.g. crossing_2024_2027, its years' changes only) opens the
view (`ExplorerView`, debounce 0) and makes `CHANGES` — an amount typed with the year control on
every year or on one year, 2024 to 2030, including changes acting after the horizon — then a
year's total typed for 2028 and 2024; after the opening and each change it hashes the cards',
chart's, side-by-side table's, problems', total's, note's and file line's HTML, every grid cell,
share, total and envelope, the indicator and target tables (values to the bit, dtypes, index) and
the chart's lines and axis; at the end the last run's lazily made tables, period changes and
manifest (its time aside). Compare two trees' files: `cmp` or `python -c` on the JSON.
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

import numpy as np
import pandas as pd

#: (calendar year or None for every year, item, source, factor of the amount shown)
CHANGES = (
    (None, "P1.1", "central_investment", 0.9),
    (None, "P1.1", "central_investment", 1 / 0.9),
    (2024, "P5", "central_recurrent", 0.9),
    (2024, "P5", "central_recurrent", 1 / 0.9),
    (2025, "P5", "central_recurrent", 0.8),
    (2026, "P5", "central_recurrent", 0.7),
    (2027, "P5", "central_recurrent", 0.9),
    (2027, "P5", "central_recurrent", 1 / 0.9),
    (2028, "P5", "central_recurrent", 0.6),
    (2029, "P5", "central_recurrent", 0.9),
    (2030, "P5", "central_recurrent", 0.9),
    (2030, "P5", "central_recurrent", 0.5),
    (2029, "P5", "central_recurrent", 1.0 / 0.9),
    (2026, "P1.1", "central_investment", 0.5),
    (None, "P5", "central_recurrent", 0.95),
    (2024, "P1.1", "central_investment", 0.7),
    (2027, "P1.1", "central_investment", 0.8),
    (2030, "P1.1", "central_investment", 0.3),  # acts after the horizon: no engine run
)


def digest(x) -> str:
    """A short hash of a table (values to the bit, dtypes, index) or of anything's text."""
    if isinstance(x, pd.DataFrame):
        b = pd.util.hash_pandas_object(x, index=True).to_numpy().tobytes()
        b += repr(list(x.columns)).encode() + repr(list(x.dtypes.astype(str))).encode()
        for c in x.columns:
            if x[c].dtype.kind == "f":
                b += np.ascontiguousarray(x[c].to_numpy()).tobytes()
        return hashlib.sha256(b).hexdigest()[:16]
    return hashlib.sha256(str(x).encode()).hexdigest()[:16]


def snapshot(view) -> dict:
    """The hashes of what the view shows now."""
    w, g = view.w, view.grid
    out = {
        k: digest(w[k].value) for k in ("cards", "chart", "compare", "problems", "total", "probability_note", "file")
    }
    shown = [(k, c.value) for k, c in sorted(g.cells.items())] + [(k, x.value) for k, x in sorted(g.shares.items())]
    shown += [(k, x.value) for k, x in sorted(g.totals.items())] + [(k, x.value) for k, x in sorted(g.limits.items())]
    out["grid"] = digest(shown + [g.note.value])
    out["indicators"], out["targets"] = digest(view.result.indicators), digest(view.result.targets)
    out["chart_state"] = digest((view.chart.current, view.chart.ylim))
    return out


def typed(view, year, item: str, source: str, factor: float) -> bool:
    """Type `factor` times the amount shown into one cell; whether the view was updated."""
    from simlib.workbench.grid import EVERY_YEAR

    st = view.state
    view.grid.year_control.value = EVERY_YEAR if year is None else year
    now = st.amount(item, source, year or st.years[1]) / 1e9
    before = view.updates
    view.grid.cells[(item, source)].value = str(round(now * factor, 3)).replace(".", ",")
    return view.updates == before + 1


def run_tables(view) -> list[dict]:
    """The hashes of the last run's tables, period changes and manifest (made when read)."""
    r, out = view.result.run, []
    for name in ("states", "flows", "indicators", "deprivations"):
        out.append({"change": f"table:{name}", "hash": digest(getattr(r.tables, name))})
    out.append({"change": "period_changes", "hash": digest(r.period_changes)})
    made = {k: v for k, v in r.manifest.items() if k != "created_utc"}
    out.append({"change": "manifest", "hash": digest(json.dumps(made, sort_keys=True, default=str))})
    return out


def main(root: Path, path: Path, scenario: str = "multidim_2030") -> None:
    from simlib.workbench.state import AllocationState
    from simlib.workbench.view import ExplorerView

    view = ExplorerView(AllocationState.load(root / f"params/scenarios/{scenario}.yaml"), "vi", debounce=0)
    years = set(view.state.years[1:])  # another scenario's (crossing_2024_2027: to 2027): its changes only
    res = [{"change": "open", **snapshot(view)}]
    for i, (year, item, source, factor) in enumerate(CHANGES):
        if year is not None and year not in years:
            continue
        ok = typed(view, year, item, source, factor)
        res.append({"change": f"{i}:{year}:{item}:{factor:.3f}", "updated": ok, **snapshot(view)})
    for year, share in ((y, s) for y, s in ((2028, 0.95), (2024, 0.97)) if y in years):
        view.grid.year_control.value = year
        view.w["total"].value = str(round(view.state.allocated_vnd(year) / 1e9 * share))
        res.append({"change": f"total{year}", "updates": view.updates, **snapshot(view)})
    path.write_text(json.dumps(res + run_tables(view), indent=0), encoding="utf-8")
    print(len(res), "snapshots")


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]), *sys.argv[3:4])
