"""The runs a decision reads (split from `simlib.report.decision`, brief64): one scenario's
results (`Run`, read from a report folder by `run_of`, `folder_runs`), the groups of runs that can
be compared side by side (`groups`: same poverty model, transitions and projected years), and the
allocations of a group (`allocations`: every run but the counterfactual) and those of them that are
not ones to choose (`set_aside`: money breaking legal rules its run let through, `rules_broken`) —
the one place every path naming an allocation to choose reads it (the brief of one part or of
several, the comparison page and its notebook)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from simlib import i18n
from simlib.report import data
from simlib.report.context import verdicts_of
from simlib.report.data import RunTables

ROLE_ORDER = {"plan": 0, "alternative": 1, "counterfactual": 2}


@dataclass
class Run:
    """One scenario's results as the decision reads them."""

    tables: RunTables
    verdicts: pd.DataFrame
    role: str
    link: str = ""  # its report, relative to the page that links it

    @property
    def name(self) -> str:
        return self.tables.name

    def title(self, lang: str) -> str:
        return self.tables.title(lang)

    @property
    def key(self) -> tuple:
        m, ys = self.tables.manifest, data.years(self.tables.indicators)
        return (str(m.get("model", "states")), str(m.get("transitions")), ys[0], ys[-1])

    def rate(self, year: int) -> float:
        return data.value_at(self.tables.indicators, "poor_rate", year)[0]


def run_of(tables: RunTables, link: str = "") -> Run:
    """A Run from a report folder's tables (its verdicts and role as the report wrote them)."""
    f = tables.folder / "verdicts.csv" if tables.folder is not None else None
    verdicts = pd.read_csv(f, dtype={"geo": str}) if f is not None and f.is_file() else verdicts_of(tables)
    role = str((tables.manifest.get("report") or {}).get("role") or "")
    if not role:
        spent = float(tables.indicators.loc[tables.indicators["indicator"] == "spend", "value"].sum())
        role = "counterfactual" if spent == 0 else "alternative"
    return Run(tables, verdicts, role, link)


def groups(runs: Sequence[Run]) -> list[list[Run]]:
    """Runs grouped by (poverty model, transitions in force, first and last year): the group holding the plan first,
    then larger groups; inside a group the plan first, the counterfactual last."""
    by: dict[tuple, list[Run]] = {}
    for r in runs:
        by.setdefault(r.key, []).append(r)
    out = [sorted(g, key=lambda r: ROLE_ORDER.get(r.role, 1)) for g in by.values()]
    return sorted(out, key=lambda g: (not any(r.role == "plan" for r in g), -len(g)))


def allocations(group: Sequence[Run]) -> list[Run]:
    """The runs of `group` that allocate money: every run but the counterfactual."""
    return [r for r in group if r.role != "counterfactual"]


def rules_broken(r: Run) -> list[str]:
    """The legal rules `r`'s money breaks and its run let through (`ignored_violations` of the
    manifest's `legal` and `legal_after_switch` records: crossing_2024_2027's 2024 budget over the
    2026–2027 envelope), each once; empty when it keeps every rule it was checked against."""
    m = r.tables.manifest or {}
    found = [
        v.get("rule") for k in ("legal", "legal_after_switch") for v in (m.get(k) or {}).get("ignored_violations") or []
    ]
    return list(dict.fromkeys(str(x) for x in found if x))


def rules_text(r: Run, lang: str) -> str:
    """`rules_broken(r)` named in `lang` («; » between them); "" when it keeps every rule."""
    return "; ".join(i18n.label("legal.rule", x, lang, default=x) for x in rules_broken(r))


def set_aside(group: Sequence[Run]) -> list[Run]:
    """The allocations of `group` that are not ones to choose (report63, brief64): their money
    breaks legal rules their run let through (`rules_broken`: crossing_2024_2027, a replay to show
    the changes, «không dùng làm phương án phân bổ chính thức» on its own report). The group's plan
    is never set aside: it is the plan being judged, and its own verdict is said."""
    return [r for r in allocations(group) if r.role != "plan" and rules_broken(r)]


def folder_runs(folders: Sequence[str | Path], link_of=None) -> list[Run]:
    """Runs from report folders; `link_of(folder)` gives each report's link."""
    return [run_of(RunTables.from_folder(f), link_of(Path(f)) if link_of else "") for f in folders]
