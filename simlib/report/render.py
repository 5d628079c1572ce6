"""Execute a parameterised notebook with papermill and render it to a self-contained HTML report.

- `execute` runs a notebook from `notebooks/` with parameters injected after its `parameters`
  cell, in the `python3` kernel of the running interpreter's environment (jupyter_client maps
  that kernel's `python` to this interpreter), and returns the executed notebook.
- `to_html` turns an executed notebook into one HTML page with the code hidden: only cell
  outputs are kept (HTML and embedded PNG charts); cells tagged `hide`, error tracebacks and
  stderr streams (warnings, logs) are left out of the page but stay in the .ipynb.
- `record_manifest` stores a run manifest in the notebook metadata (`metadata.simlib.manifest`).

Writing is the caller's job, through `simlib.atomic` (see `simlib.batch`), so that no
half-written report ever replaces a good one.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from simlib.atomic import write_text
from simlib.executors import NOTEBOOK_KERNEL, NOTEBOOK_KERNEL_ARGS
from simlib.paths import notebooks_dir
from simlib.report.html import page

HIDE_TAG = "hide"
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


class NotebookFailed(Exception):
    """A notebook raised an error in one of its cells; `notebook` is the partly executed one."""

    def __init__(self, message: str, notebook=None):
        super().__init__(message)
        self.notebook = notebook


def notebook_path(name: str) -> Path:
    """A notebook of the project (`notebooks/<name>`)."""
    return notebooks_dir() / name


def execute(
    notebook: str | Path,
    output: str | Path,
    parameters: Mapping[str, Any],
    *,
    cwd: str | Path | None = None,
    timeout: int = 1800,
    kernel_name: str = NOTEBOOK_KERNEL,
    in_process: bool = False,
):
    """Run `notebook` with `parameters` and write the executed copy to `output`.

    Raises `NotebookFailed` (with a one-line message and the executed notebook) when a cell
    fails. Paths in `parameters` should be absolute: the notebook runs in `cwd` (default: the
    notebook's folder). With `in_process`, the cells run in this process's IPython shell
    (`simlib.report.inprocess`: no kernel start; for the project's report notebooks); otherwise
    papermill runs them in a new kernel (with `timeout` seconds per cell).
    """
    notebook = Path(notebook)
    output = Path(output)
    if in_process:
        return _execute_in_process(notebook, output, parameters, cwd or notebook.parent, kernel_name)
    # local import: papermill takes about 0.3 s CPU to import; only when a notebook is executed
    import nbformat
    import papermill as pm
    from papermill.exceptions import PapermillExecutionError

    try:
        nb = pm.execute_notebook(
            str(notebook),
            str(output),
            parameters=dict(parameters),
            kernel_name=kernel_name,
            progress_bar=False,
            log_output=False,
            cwd=str(cwd or notebook.parent),
            execution_timeout=timeout,
            extra_arguments=list(NOTEBOOK_KERNEL_ARGS),
        )
    except PapermillExecutionError as exc:
        nb = nbformat.read(str(output), as_version=4) if output.is_file() else None
        msg = _ANSI.sub("", f"{exc.ename}: {exc.evalue}").strip()
        raise NotebookFailed(msg.splitlines()[0][:500] if msg else exc.ename, nb) from None
    steady_cell_ids(nb)
    write_text(output, nbformat.writes(nb))
    return nb


def _execute_in_process(notebook: Path, output: Path, parameters: Mapping[str, Any], cwd, kernel_name: str):
    """`execute` without a kernel: papermill's parameter cell, then `inprocess.execute`; the
    executed notebook is written to `output` (also when a cell failed, as papermill does)."""
    # local import: papermill (about 0.3 s CPU) and inprocess, which loads IPython (about 0.8 s CPU in all), only when a notebook is executed
    import nbformat
    from papermill.iorw import load_notebook_node
    from papermill.parameterize import parameterize_notebook

    # local import: see above
    from simlib.report import inprocess

    nb = parameterize_notebook(load_notebook_node(str(notebook)), dict(parameters), kernel_name=kernel_name)
    steady_cell_ids(nb)
    error = inprocess.execute(nb, cwd)
    write_text(output, nbformat.writes(nb))
    if error is not None:
        msg = _ANSI.sub("", f"{type(error).__name__}: {error}").strip()
        raise NotebookFailed(msg.splitlines()[0][:500], nb)
    return nb


def steady_cell_ids(nb) -> None:
    """Give papermill's injected parameter cell a fixed id (papermill draws a random one each run),
    so the same inputs write the same notebook, byte for byte."""
    for cell in nb.cells:
        if "injected-parameters" in cell.get("metadata", {}).get("tags", []):
            cell["id"] = "injected-parameters"


def moved(nb, old: str | Path, new: str | Path) -> None:
    """The notebook ran in a staging folder `old` that becomes `new`: say `new` wherever the
    injected parameters (cell and metadata) named `old`, so no deleted folder is recorded."""
    old, new = str(old), str(new)
    for cell in nb.cells:
        if "injected-parameters" in cell.get("metadata", {}).get("tags", []):
            cell.source = cell.source.replace(old, new)
    pm = nb.metadata.get("papermill", {})
    if "parameters" in pm:
        pm["parameters"] = json.loads(
            json.dumps(pm["parameters"]).replace(json.dumps(old)[1:-1], json.dumps(new)[1:-1])
        )


def record_manifest(nb, manifest: Mapping) -> None:
    """Store the run manifest in the notebook metadata (`metadata.simlib.manifest`)."""
    nb.metadata.setdefault("simlib", {})["manifest"] = dict(manifest)


def _page_notebook(nb):
    """A copy of `nb` holding only what a reader should see."""
    nb = copy.deepcopy(nb)
    keep = []
    for cell in nb.cells:
        tags = set(cell.get("metadata", {}).get("tags", []))
        if HIDE_TAG in tags or "parameters" in tags or "injected-parameters" in tags:
            continue
        if cell.cell_type == "code":
            cell.outputs = [
                o
                for o in cell.get("outputs", [])
                if not (o.get("output_type") == "stream" and o.get("name") == "stderr")
                and o.get("output_type") != "error"
            ]
            if not cell.outputs:
                continue
        elif cell.cell_type != "markdown":
            continue
        keep.append(cell)
    nb.cells = keep
    return nb


def to_html(nb, title: str, lang: str = "vi") -> str:
    """One self-contained HTML page from an executed notebook, code hidden."""
    # local import: nbconvert takes about 0.4 s CPU to import; only when a notebook is rendered
    from nbconvert import HTMLExporter

    exporter = HTMLExporter(
        template_name="basic",
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        anchor_link_text="",
    )
    body, _ = exporter.from_notebook_node(_page_notebook(nb))
    return page(body, title, lang)
