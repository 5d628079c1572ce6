"""Money in the decision brief: the disbursement the projections assume, and the money each run
leaves reaching no one (`simlib.report.decision`'s messages say both)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import pandas as pd

from simlib import i18n
from simlib.i18n import fmt
from simlib.report.money import absorption_unallocated
from simlib.report.table import read_csv

if TYPE_CHECKING:
    from simlib.report.decision import Run

__all__ = ["disbursement_note", "unallocated_by_run"]


def disbursement_note(runs: Sequence[Run], lang: str) -> str:
    """One sentence: the share of planned money the projections assume disbursed in the year, by
    source (from the runs' manifests; said once when every run assumes the same shares)."""
    found = [r.tables.manifest.get("disbursement") for r in runs]
    found = [d for d in found if d]
    if not found:
        return ""
    if any(d != found[0] for d in found[1:]):
        return i18n.t("decision.disbursement_differs", lang)
    shares = "; ".join(f"{i18n.t('source.' + s, lang)} {fmt.percent(100 * v, lang, 0)}" for s, v in found[0].items())
    return i18n.t("decision.disbursement", lang, shares=shares)


def unallocated_by_run(runs: Sequence[Run]) -> dict[str, float]:
    """Billion VND reaching no one per run (0 when it has none): the sum the scenario report
    states, from the run's `absorption.csv` (`money.absorption_unallocated`: the run record's
    total); without one, the last row of the report's table (its total, rounded to 0.1)."""
    out = {}
    for r in runs:
        folder = r.tables.folder
        f = folder / "table_unallocated.csv" if folder is not None else None
        out[r.name] = 0.0
        if folder is not None and (folder / "absorption.csv").is_file():
            absorption = pd.read_csv(folder / "absorption.csv", usecols=["line", "year", "unallocatable_vnd"])
            out[r.name] = float(absorption_unallocated(absorption).sum()) / 1e9
        elif f is not None and f.is_file():
            lang = (r.tables.manifest.get("report") or {}).get("lang", "vi")
            df = read_csv(f, lang)
            out[r.name] = float(pd.to_numeric(df.iloc[:, 2], errors="coerce").iloc[-1]) if len(df) else 0.0
    return out
