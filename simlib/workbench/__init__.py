"""The planner's workbench in JupyterLab (issue 17).

- `state`      the allocation being explored (`AllocationState`): amounts by content, source
               and year; every change checked by the legal frame's own check and refused, with
               the rule and its source, when it would add a breach; validators as hooks
- `project`    the projection the view shows (indicators it reads and targets, expected engine)
- `incremental` the multidimensional projection re-running only the years a change of amounts
               reaches (the engine's state kept at two reviews), equal to a full run bit for bit
- `compare`    side by side with the plan, probabilities of meeting targets, the optimiser's
               suggestion (no widgets)
- `grid`       the amount controls (content x source, a year control, shares, envelope)
- `view`       the explorer's widgets over a state (`explore` opens it in a notebook)
- `ondemand`   the view's computations on demand (probabilities, the optimiser's suggestion)
- `saving`     the view's saving panel (titles, file, overwrite, unsaved note)
- `language`   the header's language toggle and the texts said again in the other language
- `charts`     the explorer's chart (inline SVG), redrawn on every change
- `workspace`  the git-ignored workspace: saved scenarios (safe names, overwrite only when
               confirmed) and the notebook copies `make lab` opens

`python -m simlib.workbench` copies the notebooks into the workspace (what `make lab` runs).
"""

from simlib.memory_pages import decline_hugepage_advice
from simlib.workbench.state import AllocationState, Problem

__all__ = ["AllocationState", "Problem", "explore"]


def explore(scenario, lang: str = "vi", save_dir=None, **kw):
    """Open the allocation explorer on a scenario file (see `simlib.workbench.view.explore`).

    The explorer's kernel then declines numpy's huge-page advice, as the command line does
    (`simlib.memory_pages`; unless `NUMPY_MADVISE_HUGEPAGE` is set): it keeps engine states of
    about 1 GB on the communes, and the advice cost `plan_2027`'s opening 12–22 s of system time
    on a 2-core machine (opening 8.6–26 s → 3.2–6.2 s, 4.2 → 3.4 GB resident; the numbers the
    same; benchmarks/HISTORY.md `## lead (stop 47)`)."""
    # local import: the view imports ipywidgets and IPython, needed only when the explorer is drawn
    from simlib.workbench.view import explore as _explore

    decline_hugepage_advice()
    return _explore(scenario, lang, save_dir, **kw)
