"""Notebooks run one after another in the process's own IPython shell (`simlib.report.inprocess`):
each starts from an empty namespace and output cache, as in a new kernel, and the shell's reset
between them forces no full garbage collection (issue 18: it walked every object of a batch worker
before each page, for nothing). That shell is IPython's process-wide one only while it runs a
notebook: the process keeps its own (or none) before and after."""

from __future__ import annotations

import gc

import nbformat
from IPython.core.interactiveshell import InteractiveShell

from simlib.report import inprocess, render


def notebook(*sources: str):
    return nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(s) for s in sources])


def test_each_notebook_starts_empty_and_no_full_collection_is_forced(tmp_path, monkeypatch):
    first = notebook("x = 41", "x + 1")
    assert inprocess.execute(first, tmp_path) is None
    shown = first.cells[1].outputs
    assert [o["output_type"] for o in shown] == ["execute_result"] and shown[0]["data"]["text/plain"] == "42"
    assert shown[0]["execution_count"] == 2
    collections = []
    monkeypatch.setattr(gc, "collect", lambda *a: collections.append(a) or 0)
    second = notebook("print(sorted(k for k in ('x', '_2', '_') if globals().get(k) not in (None, '')), dict(Out))")
    assert inprocess.execute(second, tmp_path) is None
    assert second.cells[0].outputs[0]["text"] == "[] {}\n"  # neither x nor the first one's outputs
    assert second.cells[0].execution_count == 1
    assert collections == []


def test_the_same_parameters_write_the_same_notebook_byte_for_byte(tmp_path):
    """papermill gives the cell it injects a random id; a report notebook run twice with the same
    parameters must still be the same file (same inputs => identical files)."""
    source = notebook("n = 1", "n * 2")
    source.cells[0].metadata["tags"] = ["parameters"]
    source.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    path = tmp_path / "page.ipynb"
    nbformat.write(source, path)
    written = []
    for k in range(2):
        out = tmp_path / f"run{k}.ipynb"
        nb = render.execute(path, out, {"n": 21}, cwd=tmp_path, in_process=True)
        written.append(out.read_bytes())
    injected = [c for c in nb.cells if "injected-parameters" in c.metadata.get("tags", [])]
    assert len(injected) == 1 and "n = 21" in injected[0].source
    assert nb.cells[-1].outputs[0]["data"]["text/plain"] == "42"
    assert written[0] == written[1]


def test_the_process_keeps_its_own_ipython_shell(tmp_path):
    """The recording shell once stayed IPython's process-wide shell after a page: a later
    `InteractiveShell.instance()` in the process (the workbench's error-handler test after a
    batch test, on one xdist worker) got it, and its error reports went into a notebook instead
    of the screen; and a process with a shell of its own (a Jupyter kernel running a batch,
    whose comparison page renders in that process) could not make it at all
    (traitlets' MultipleInstanceError)."""
    cell = "from IPython import get_ipython\nfrom IPython.display import display\ndisplay(type(get_ipython()).__name__)"
    InteractiveShell.clear_instance()
    try:
        first = notebook(cell)
        assert inprocess.execute(first, tmp_path) is None
        assert first.cells[0].outputs[0]["data"]["text/plain"] == "'_Shell'"  # the recording shell while it runs
        assert not InteractiveShell.initialized()  # and none left behind
        own = InteractiveShell.instance()  # the process's own shell, as a kernel's
        second = notebook(cell)
        assert inprocess.execute(second, tmp_path) is None
        assert second.cells[0].outputs[0]["data"]["text/plain"] == "'_Shell'"
        assert InteractiveShell.instance() is own
    finally:
        InteractiveShell.clear_instance()
