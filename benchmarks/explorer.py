"""The explorer's response time (issue 17): from a widget value change to the updated view,
through the widget API (what a browser's change does in the kernel, without the network and the
drawing in the browser), on the bundled 2024 plan. No debounce here: the figure is the work a
change costs once the debounce has fired."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent


def bench_explorer(res: dict, quick: bool) -> None:
    from simlib.workbench.state import AllocationState
    from simlib.workbench.view import ExplorerView

    view = ExplorerView(AllocationState.load(ROOT / "params" / "scenarios" / "plan_2024.yaml"), "vi", debounce=0)
    slider = view.w["weights"]["P3"]
    values = [slider.value, slider.value + 5]
    total, engine, chart = [], [], []
    for i in range(5 if quick else 15):
        before = view.updates
        t0 = time.perf_counter()
        slider.value = values[(i + 1) % 2]  # the observer takes the change into the state and redraws
        total.append(time.perf_counter() - t0)
        assert view.updates == before + 1
        t0 = time.perf_counter()
        view.state.evaluate()
        engine.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        view.chart.update(view.result.indicators)
        view.chart.png()
        chart.append(time.perf_counter() - t0)
    res["explorer_change_to_view_ms"] = float(np.median(total)) * 1e3
    res["explorer_projection_ms"] = float(np.median(engine)) * 1e3
    res["explorer_chart_ms"] = float(np.median(chart)) * 1e3
