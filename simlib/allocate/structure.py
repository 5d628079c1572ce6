"""The structure of the money: which source may fund which line, and the local counterpart.

Development-investment capital funds only lines whose catalogue `capital` includes `investment`
(P1 and the investment parts of P4.1 and P4.3), recurrent capital the lines that list
`recurrent`; local, policy-credit and mobilised money may fund either (`params/funding.yaml`,
`capital: any`). Local counterpart money must be at least a share of central money
(the legal frame in force each year, `simlib.allocate.counterpart`). `check_budget` lists every breach of a scenario's
budget in plain words; the optimiser builds the same rules in as constraints.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from simlib import i18n
from simlib.allocate.counterpart import counterpart_floor
from simlib.budget import SOURCES, capital_mask
from simlib.catalogue import Catalogue
from simlib.i18n import fmt

if TYPE_CHECKING:  # annotations only: the scenario module reads datasets (pandas)
    from simlib.scenario import Scenario

CENTRAL_SOURCES = ("central_investment", "central_recurrent")
LOCAL_SOURCE = "local"


def source_mask(catalogue: Catalogue, funding: dict) -> np.ndarray:
    """(lines, sources) bool: may source s fund line l? The capital rule of `simlib.budget`
    (`capital_mask`, the one the legal frame checks), with `params/funding.yaml`'s capital kinds."""
    return capital_mask(catalogue, {s: funding["sources"][s]["capital"] for s in SOURCES})


def counterpart_shares(amounts: np.ndarray) -> np.ndarray:
    """Local money as a share of central money, per year of `amounts` (years, lines, sources);
    NaN where there is no central money."""
    central = amounts[..., [SOURCES.index(s) for s in CENTRAL_SOURCES]].sum(axis=(-1, -2))
    local = amounts[..., SOURCES.index(LOCAL_SOURCE)].sum(axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(central > 0, local / np.where(central > 0, central, 1.0), np.nan)


@dataclass(frozen=True)
class Finding:
    """One breach of the money's structure in a budget."""

    code: str  # capital | counterpart
    year: int
    line: str | None
    source: str | None
    amount: float  # billion VND (capital) or share (counterpart)
    fields: dict

    def message(self, lang: str | None = None) -> str:
        return i18n.t(
            f"alloc.finding.{self.code}",
            lang,
            year=self.year,
            line=self.line,
            source=i18n.label("source", self.source, lang) if self.source else "",
            amount=fmt.number(self.amount, lang, 1),
            **self.fields,
        )


def check_budget(scen: Scenario, min_counterpart=None) -> list[Finding]:
    """Every breach of the capital rules and of the local counterpart share in `scen`'s budget
    (projected years). `min_counterpart`: one share for every year, or a `CounterpartFloor` (its
    share each year; a year without a rule is not checked); default the floor of the legal frame
    in force each year (`simlib.allocate.counterpart`). Scenario parsing already refuses capital
    breaches (explicit lines and `envelope` + `shares` alike); budgets built in code, e.g. by
    `Scenario.replace_budget`, are checked here."""
    cat, b = scen.catalogue, scen.budget
    mask = source_mask(cat, scen.params["funding"])
    if min_counterpart is None:
        min_counterpart = counterpart_floor(scen, {})
    out: list[Finding] = []
    for yi, year in enumerate(b.years):
        if yi == 0:
            continue  # the year before the start is history
        a = b.amounts[yi] / 1e9
        bad = (a > 1e-9) & ~mask
        for li, si in zip(*np.nonzero(bad)):
            out.append(Finding("capital", year, cat.codes[li], SOURCES[si], float(a[li, si]), {}))
        floor = min_counterpart if isinstance(min_counterpart, (int, float)) else min_counterpart.share(year)
        share = counterpart_shares(b.amounts[yi][None])[0]
        if floor is not None and np.isfinite(share) and share < floor - 1e-12:
            out.append(
                Finding(
                    "counterpart",
                    year,
                    None,
                    None,
                    float(share),
                    {"pct": fmt.percent(100 * share), "min_pct": fmt.percent(100 * floor)},
                )
            )
    return out


def equal_by_source(envelope: np.ndarray, mask: np.ndarray, usable: np.ndarray | None = None) -> np.ndarray:
    """An equal split that respects the capital rules: each source's envelope (sources,) is split
    equally among the lines it may fund (and that are `usable`). Returns (lines, sources)."""
    m = mask & (usable[:, None] if usable is not None else True)
    n = m.sum(axis=0)
    return np.where(m, envelope[None, :] / np.where(n > 0, n, 1)[None, :], 0.0)
