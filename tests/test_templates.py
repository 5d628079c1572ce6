"""Templates stay pristine (issue 17, item 4): the tracked notebooks carry no outputs, and `simlib
batch` passes every parameter a template declares, so that no default in it — edited in
JupyterLab or not — reaches a batch report."""

from __future__ import annotations

import nbformat
import papermill as pm
import pytest
from conftest import ROOT

from simlib import batch
from simlib.options import RunOptions
from simlib.report import render

NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


def expected_output(cell) -> bool:
    """A cell whose output nbval compares (`# NBVAL_CHECK_OUTPUT`) keeps it as the expected text."""
    return cell.source.lstrip().startswith("# NBVAL_CHECK_OUTPUT") and all(
        o.get("output_type") == "stream" for o in cell.outputs
    )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_tracked_notebooks_carry_no_outputs(path):
    nb = nbformat.read(path, as_version=4)
    code = [(i, c) for i, c in enumerate(nb.cells) if c.cell_type == "code"]
    dirty = [i for i, c in code if (c.outputs or c.execution_count) and not expected_output(c)]
    assert not dirty, f"{path.name}: cells {dirty} have outputs; clear them before committing (Edit ▸ Clear Outputs)"
    assert "widgets" not in nb.metadata and "papermill" not in nb.metadata


class Stop(Exception):
    pass


@pytest.fixture
def captured(monkeypatch):
    """Parameters `simlib.batch` gives each template (the notebook is not run)."""
    seen = {}

    def fake_execute(notebook, output, parameters, **kw):
        seen[notebook.name] = dict(parameters)
        raise render.NotebookFailed("stopped by the test")

    monkeypatch.setattr(render, "execute", fake_execute)
    return seen


def declared(name: str) -> set[str]:
    return set(pm.inspect_notebook(str(render.notebook_path(name))))


@pytest.mark.parametrize("uncertainty", [0, 50])
def test_batch_passes_every_parameter_of_the_report_template(captured, tmp_path, uncertainty):
    scen = ROOT / "params" / "scenarios" / "plan_2024.yaml"
    r = batch.report_one(str(scen), "plan_2024", "t", str(tmp_path), RunOptions(), "vi", [], uncertainty)
    assert not r["ok"]
    params = captured[batch.REPORT_NOTEBOOK]
    assert set(params) == declared(batch.REPORT_NOTEBOOK)
    assert params["uncertainty"] == uncertainty and params["batch_options"]["uncertainty_executor"] == "serial"
    assert params["batch_options"]["uncertainty_link"] == ("uncertainty.html" if uncertainty else None)


def test_batch_passes_every_parameter_of_the_comparison_and_uncertainty_templates(captured, tmp_path):
    with pytest.raises(render.NotebookFailed):
        batch.compare_reports([tmp_path / "a"], tmp_path / "out", "vi")
    assert set(captured[batch.COMPARE_NOTEBOOK]) == declared(batch.COMPARE_NOTEBOOK)
    scen = str(ROOT / "params" / "scenarios" / "plan_2024.yaml")
    err = batch.uncertainty_report(scen, tmp_path, tmp_path, "t", "vi", [], [], None, 10, "lhs", {})
    assert err == "stopped by the test"
    assert set(captured[batch.UNCERTAINTY_NOTEBOOK]) == declared(batch.UNCERTAINTY_NOTEBOOK)
