"""The explorer notebook executes unattended every time (issue 17, item 7).

The explorer used to show its results through an `ipywidgets.Output` widget. nbclient (what
papermill and nbval run on) mimics that widget by sending comm messages on the kernel's shell
channel while it waits, without a time limit, for the cell's reply on the same channel; with
pyzmq's edge-triggered sockets the wake-up for the reply can be lost, and the run then waits for
ever (4 of 6 papermill runs hung). The explorer now uses no Output widget. This test executes the
notebook's cells 20 times in one kernel through nbclient exactly as papermill does (no cell
time limit), each pass under a deadline of its own, and checks the cause is gone too.
"""

from __future__ import annotations

import asyncio

import nbformat
import pytest
from conftest import ROOT
from nbclient import NotebookClient
from nbclient.exceptions import DeadKernelError

RUNS = 20
#: seconds one pass over the notebook may take (a pass takes about a second once imports are done)
DEADLINE = 90


async def _run_passes(nb, client: NotebookClient) -> list[float]:
    done = []
    async with client.async_setup_kernel():
        for run in range(RUNS):
            try:
                for index, cell in enumerate(nb.cells):
                    await asyncio.wait_for(client.async_execute_cell(cell, index), DEADLINE)
            except (TimeoutError, DeadKernelError):  # nbclient turns the deadline's cancellation into the latter
                pytest.fail(f"the explorer notebook hung in pass {run + 1} of {RUNS} (no reply within {DEADLINE} s)")
            done.append(run)
    return done


@pytest.mark.slow
def test_explorer_notebook_executes_unattended_every_time(tmp_path, monkeypatch):
    monkeypatch.setenv("SIMLIB_WORKSPACE", str(tmp_path / "workspace"))
    nb = nbformat.read(ROOT / "notebooks" / "explore.ipynb", as_version=4)
    client = NotebookClient(
        nb, timeout=None, kernel_name="python3", resources={"metadata": {"path": str(ROOT / "notebooks")}}
    )
    assert len(asyncio.run(_run_passes(nb, client))) == RUNS
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])]
    assert not [o for o in outputs if o.get("output_type") == "error"]
    kinds = [set(o.get("data", {})) for o in outputs if o.get("output_type") == "display_data"]
    assert any("application/vnd.jupyter.widget-view+json" in k for k in kinds)  # the widgets were shown
    assert any("text/html" in k for k in kinds)  # with the plain note for a reopened notebook
    models = {s.get("_model_name") for s in client.widget_state.values()}
    assert "OutputModel" not in models and {"HTMLModel", "TextModel", "DropdownModel", "ButtonModel"} <= models
    assert not (tmp_path / "workspace").exists()  # showing the explorer writes nothing
