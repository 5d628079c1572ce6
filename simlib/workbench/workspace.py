"""The planner's workspace: a git-ignored folder (`simlib.paths.workspace_dir`, by default
`workspace/` in the project) that holds

- `scenarios/`: allocations saved from the explorer — never `params/scenarios/`, so experiments
  do not end up in `make reports`;
- copies of the project's notebooks, opened by `make lab`, so that editing and running them
  never changes the tracked templates that `simlib batch` renders (`sync_notebooks`).

A saved scenario's file name is derived from its title (`safe_name`): any title is accepted,
a name that would leave the folder cannot arise, and an existing file is replaced only when the
planner confirms it (`overwrite=True`).
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from simlib import i18n
from simlib.atomic import write_bytes, write_text
from simlib.errors import InputError
from simlib.i18n import LocalText, fmt
from simlib.paths import display_path, notebooks_dir, workspace_dir
from simlib.report.explore import save_scenario
from simlib.workbench.layout import layout_for, layout_key
from simlib.workbench.state import AllocationState, Problem

#: longest file name derived from a title (characters, without `.yaml`)
MAX_NAME = 60
#: record of the notebook templates last copied into the workspace (sha256 per notebook)
NOTEBOOK_RECORD = ".simlib-notebooks.json"


def scenarios_folder(workspace: str | Path | None = None) -> Path:
    """Where the explorer saves scenarios (`<workspace>/scenarios`)."""
    return Path(workspace or workspace_dir()) / "scenarios"


def safe_name(title: str) -> str:
    """A file name for a title: Vietnamese letters without their marks (đ → d), lower case,
    every other run of characters one `_`; e.g. "Kịch bản thử 1" → `kich_ban_thu_1`, "a/b" →
    `a_b`. Empty when the title has no letter or digit."""
    text = str(title).replace("đ", "d").replace("Đ", "D")
    text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    text = re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")
    return text[:MAX_NAME].rstrip("_")


@dataclass
class SavePlan:
    """What saving would do: the file, whether it exists, and the problems that stop it."""

    name: str
    path: Path | None
    title_vi: str
    title_en: str
    exists: bool = False
    problems: list[Problem] = field(default_factory=list)

    @property
    def blocked(self) -> bool:
        return any(p.blocking for p in self.problems)


def plan_save(state: AllocationState, title_vi: str, title_en: str = "", folder: str | Path | None = None) -> SavePlan:
    """Check a save before doing it: the Vietnamese title is required (the English one defaults
    to it), it must give a file name, and the allocation must pass its checks."""
    title_vi, title_en = str(title_vi or "").strip(), str(title_en or "").strip()
    problems: list[Problem] = []
    name = safe_name(title_vi)
    if not title_vi:
        problems.append(Problem("title_vi", "wb.problem.title_missing"))
    elif not name:
        problems.append(Problem("title_vi", "wb.problem.title_no_name", {"value": title_vi}))
    problems.extend(p for p in state.problems() if p.blocking)
    target = Path(folder or scenarios_folder()) / f"{name}.yaml" if name else None
    exists = bool(target is not None and target.exists())
    return SavePlan(name, target, title_vi, title_en or title_vi, exists, problems)


def describe(state: AllocationState, lang: str) -> str:
    """The saved scenario's description: where it comes from, and the money and project shares of
    the first projected year and of the last when it differs (by the projects of the catalogue in
    force in each: a dated scenario's 2027 by the 2026–2035 programme's)."""
    first, last = state.years[1], state.years[-1]
    same = np.array_equal(state.amounts()[1], state.amounts()[-1]) and layout_key(state, first) == layout_key(
        state, last
    )
    parts = [year_description(state, y, lang) for y in ([first] if same else [first, last])]
    return i18n.t("wb.saved_description", lang, base=state.base.name, years="; ".join(parts))


def year_description(state: AllocationState, year: int, lang: str) -> str:
    """`796,0 tỷ đồng năm 2027 (tỷ trọng: C1 69,9 %; …)`."""
    groups = layout_for(state, year, lang).groups
    totals = {g.code: sum(state.amount(it, s, year) for it, s in g.cells()) for g in groups}
    s = sum(totals.values())
    shares = "; ".join(f"{p} {fmt.percent(100 * v / s if s > 0 else 0.0, lang, 1)}" for p, v in totals.items())
    envelope = fmt.number(state.allocated_vnd(year) / 1e9, lang, 1)
    return i18n.t("wb.saved_year", lang, envelope=envelope, year=year, shares=shares)


def save(state: AllocationState, plan: SavePlan, overwrite: bool = False) -> Path:
    """Write the allocation as a scenario file as `plan` says; an existing file only with
    `overwrite`. Raises `InputError` when the plan is blocked or the file exists."""
    if plan.blocked or plan.path is None:
        first = next(p for p in plan.problems if p.blocking)
        raise InputError("wb_save_blocked", field=first.where, reason=first.message("en"))
    if plan.path.exists() and not overwrite:
        raise InputError("file_exists", file=display_path(plan.path))
    return save_scenario(
        state.base,
        state.amounts(),
        plan.path,
        plan.name,
        LocalText(vi=plan.title_vi, en=plan.title_en),
        overwrite=overwrite,
        description=LocalText(vi=describe(state, "vi"), en=describe(state, "en")),
    )


# --------------------------------------------------------------------------- notebooks


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def sync_notebooks(source: str | Path | None = None, workspace: str | Path | None = None) -> list[tuple[str, str]]:
    """Copy the project's notebooks into the workspace for JupyterLab.

    A notebook missing there is copied; a copy the planner has not changed is refreshed when
    its template changed; a copy the planner changed (edited, run, saved) is kept as it is.
    Returns (notebook, action) pairs, action one of copied, refreshed, kept, current."""
    src = Path(source or notebooks_dir())
    dst = Path(workspace or workspace_dir())
    record_file = dst / NOTEBOOK_RECORD
    try:
        record = json.loads(record_file.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        record = {}
    actions = []
    for nb in sorted(src.glob("*.ipynb")):
        data = nb.read_bytes()
        target = dst / nb.name
        current = _sha(target.read_bytes()) if target.is_file() else None
        if current is None or (current != _sha(data) and current == record.get(nb.name)):
            write_bytes(target, data)
            actions.append((nb.name, "copied" if current is None else "refreshed"))
            record[nb.name] = _sha(data)
        elif current == _sha(data):
            actions.append((nb.name, "current"))
            record[nb.name] = current
        else:
            actions.append((nb.name, "kept"))
    write_text(record_file, json.dumps(record, indent=1, sort_keys=True) + "\n")
    return actions
