"""The planner's workbench in JupyterLab (issue 17).

- `state`      the allocation being explored (`AllocationState`): inputs refused rather than
               bent, validators as hooks (the legal frame plugs in here), projection
- `view`       the explorer's widgets over a state (`explore` opens it in a notebook)
- `charts`     the explorer's chart, updated in place
- `workspace`  the git-ignored workspace: saved scenarios (safe names, overwrite only when
               confirmed) and the notebook copies `make lab` opens

`python -m simlib.workbench` copies the notebooks into the workspace (what `make lab` runs).
"""

from simlib.workbench.state import AllocationState, Problem

__all__ = ["AllocationState", "Problem", "explore"]


def explore(scenario, lang: str = "vi", save_dir=None, **kw):
    """Open the allocation explorer on a scenario file (see `simlib.workbench.view.explore`)."""
    from simlib.workbench.view import explore as _explore

    return _explore(scenario, lang, save_dir, **kw)
