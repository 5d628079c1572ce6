"""Run a folder (or list) of scenarios and build their reports.

1. Every scenario is validated first; all problems are reported together (`validate_all`).
2. Each valid scenario runs `notebooks/scenario_report.ipynb`, in parallel through the executor
   seam (`simlib.executors.make_executor`: local processes, or Dask), the longest reports handed
   out first (`run.longest_first`: multidimensional, dated, larger). Each worker runs the
   notebooks in its own IPython shell (`simlib.report.inprocess`: no kernel start per page;
   the report notebooks only call library functions), so simlib is imported once per worker.
   The executed notebook, its HTML rendering (code hidden, charts embedded), the tables
   (CSV + XLSX) and `manifest.json` go to `OUT/<scenario>/`, replaced atomically: a failed
   run leaves the previous report in place, and its partly executed notebook is kept as
   `OUT/<scenario>.failed.ipynb` for debugging.
   With `uncertainty` = N > 0, each report also runs N parameter draws (fan charts and the
   probability of meeting each target; the draws run serially inside each worker, since the
   batch already runs its scenarios in parallel) and keeps them (`uncertainty_draws.npy`), and
   `notebooks/uncertainty.ipynb` is rendered over them into `OUT/<scenario>/uncertainty.html`
   (when targets are missed, what we most need to measure better).
   In a batch the report and its uncertainty page are two tasks (`staged`): the page goes to
   whichever worker is free once its report is done, over the folder the batch staged for it.
3. `notebooks/compare_scenarios.ipynb` compares the successful runs (`OUT/compare.html`): groups
   of like scenarios, and the allocations compared on the draws their reports already ran —
   robustness computed once for the batch, no run repeated (`simlib.report.decision`). It is
   made as soon as every report is done, while the workers finish the uncertainty pages.
4. `OUT/index.html` opens with the decision brief (which allocation to choose, how sure) in the
   order a planner reads it (`simlib.report.brief_parts`): first the plan decided now — the plan
   whose last projected year is counted on the units in force (the 2027 plan, on communes) — with
   its own verdict and its group's choice, then the whole brief of the batch's largest plan group
   (the 2024 allocations, on the former districts), each part under its heading; a batch without
   such a plan keeps one brief. Then every report with its verdict, headline numbers and status,
   by group, the group of the plan decided now first (as in the comparison's sections); failed
   scenarios with their error.

One scenario's failure never stops the others; the caller turns failures into a non-zero exit.
With `reports=False` only the tables are written (no notebooks), as `simlib run` would.

The output folder must be new, empty or one a batch wrote, holding nothing else of the user's
but a README.md and the like (`folder`): nothing the user owns is deleted, overwritten or mixed
with the reports.

The package: `checks` (scenarios and the output folder, before anything runs), `folder` (what the
output folder may hold, the record of what simlib wrote there), `pages` (one scenario's tables or
report, its uncertainty page, the comparison), `staged` (the reports page by page over folders the
batch stages), `run` (the batch over the executor, the index), `compiling` (what a first run
compiles meanwhile), `warmup` (a first run's year kernels compiled once each, one per worker).
Importing the package loads none of
them: each name is imported from its module when first asked for (`simlib.lazy.package_names`).
"""

from typing import TYPE_CHECKING

from simlib.lazy import package_names
from simlib.scenario_files import collect_scenarios

if TYPE_CHECKING:  # the names `__getattr__` gives, for readers and type checkers
    from simlib.batch.checks import COMPARE_FILES, batch_names, check_all, check_batch_output, load_all, validate_all
    from simlib.batch.pages import (
        COMPARE_NOTEBOOK,
        REPORT_NOTEBOOK,
        UNCERTAINTY_NOTEBOOK,
        UNCERTAINTY_OPTIONS,
        compare_reports,
        headline,
        report_one,
        run_one,
        uncertainty_report,
    )
    from simlib.batch.run import BatchItem, BatchResult, run_batch

#: the names this package gives from its modules, imported on first access (`__getattr__`): the
#: checks of `simlib validate` (`checks`) do not load the runner, the engines or the reports'
#: notebook stack (`pages`, `run`)
LAZY = {
    "COMPARE_FILES": "simlib.batch.checks:COMPARE_FILES",
    "COMPARE_NOTEBOOK": "simlib.batch.pages:COMPARE_NOTEBOOK",
    "REPORT_NOTEBOOK": "simlib.batch.pages:REPORT_NOTEBOOK",
    "UNCERTAINTY_NOTEBOOK": "simlib.batch.pages:UNCERTAINTY_NOTEBOOK",
    "UNCERTAINTY_OPTIONS": "simlib.batch.pages:UNCERTAINTY_OPTIONS",
    "BatchItem": "simlib.batch.run:BatchItem",
    "BatchResult": "simlib.batch.run:BatchResult",
    "batch_names": "simlib.batch.checks:batch_names",
    "check_all": "simlib.batch.checks:check_all",
    "check_batch_output": "simlib.batch.checks:check_batch_output",
    "compare_reports": "simlib.batch.pages:compare_reports",
    "headline": "simlib.batch.pages:headline",
    "load_all": "simlib.batch.checks:load_all",
    "report_one": "simlib.batch.pages:report_one",
    "run_batch": "simlib.batch.run:run_batch",
    "run_one": "simlib.batch.pages:run_one",
    "uncertainty_report": "simlib.batch.pages:uncertainty_report",
    "validate_all": "simlib.batch.checks:validate_all",
}

__all__ = [
    "COMPARE_FILES",
    "COMPARE_NOTEBOOK",
    "REPORT_NOTEBOOK",
    "UNCERTAINTY_NOTEBOOK",
    "UNCERTAINTY_OPTIONS",
    "BatchItem",
    "BatchResult",
    "batch_names",
    "check_all",
    "check_batch_output",
    "collect_scenarios",
    "compare_reports",
    "headline",
    "load_all",
    "report_one",
    "run_batch",
    "run_one",
    "uncertainty_report",
    "validate_all",
]


__getattr__, __dir__ = package_names(globals(), LAZY)  # and the package's modules (`simlib.batch.pages`)
