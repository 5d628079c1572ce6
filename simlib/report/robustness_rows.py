"""The robustness of a scenario against others on common parameter draws, as a notebook runs it
on its own (`run_robustness`), and the regret table a page shows (`robustness_section_rows`); a
batch computes it once for all its scenarios (`simlib.report.decision.shared_robustness`)."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from simlib import i18n
from simlib.i18n import fmt
from simlib.options import RunOptions
from simlib.report import html
from simlib.scenario import load_scenario
from simlib.uncertainty.robustness import comparable, compare_allocations


def run_robustness(scenario, compare: Sequence, draws: int, options: RunOptions | None = None) -> pd.DataFrame:
    """A scenario against others on `draws` common draws (a notebook run on its own), run with
    `options` (a `RunOptions`; None: its defaults, seed the scenario's)."""
    others, _ = comparable(scenario, [load_scenario(c) for c in compare])
    if not others:
        return pd.DataFrame()
    rob = compare_allocations([scenario] + others, n=max(2, int(draws)), options=options, rules=False)
    return rob.summary


def robustness_section_rows(summary: pd.DataFrame, name: str, lang: str, titles: dict | None = None) -> list:
    """The regret summary as a table (this scenario's row in bold), with its reading."""
    t = lambda k, **kw: i18n.t(k, lang, **kw)  # noqa: E731
    header = [
        t("unc.col.scenario"),
        t("decision.col.rate"),
        t("unc.col.regret_mean"),
        t("unc.col.regret_p95"),
        t("unc.col.share_best"),
    ]
    rows = []
    for r in summary.itertuples():
        label = (titles or {}).get(r.scenario, r.scenario)
        cells = [
            label,
            fmt.percent(r.value_mean, lang, 2),
            fmt.number(r.regret_mean, lang, 2),
            fmt.number(r.regret_p95, lang, 2),
            fmt.percent(100 * r.share_best, lang, 0),
        ]
        rows.append([f"<strong>{html.esc(c)}</strong>" if r.scenario == name else html.esc(c) for c in cells])
    return [
        html.para(t("decision.robustness_intro")),
        html.table(header, rows, numeric=[False, True, True, True, True], raw_cols=range(5)),
    ]
