"""The pages list the groups of like scenarios in the brief's order (order61): the group holding
the plan decided now (the 2027 commune plan) first, then the others in their former order — on
the index's scenario tables and in every section of the comparison page; unchanged without such
a plan."""

from __future__ import annotations

import re
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
from test_brief61 import _batch, _periods, _run

from simlib.report import brief_parts as BP
from simlib.report import compare as CP
from simlib.report import decision as DC
from simlib.report import html
from simlib.report import index as IX


def _names(groups) -> list[list[str]]:
    return [[r.name for r in g] for g in groups]


def test_the_group_of_the_plan_decided_now_comes_first_the_others_in_their_order():
    runs = _batch()
    # decision.groups: the largest plan group (2024, four runs) first, then the 2027 group
    assert _names(DC.groups(runs)) == [["plan_2024", "equal", "infra", "none"], ["plan_2027", "crossing"]]
    assert _names(BP.reading_order(runs)) == [["plan_2027", "crossing"], ["plan_2024", "equal", "infra", "none"]]
    # a third group without a plan keeps its place after the 2024 group
    other = _run("m2030", 18.0, "alternative", 2030, _periods({2030: ("commune", "district")}))
    other.key = ("multidim", "t", 2024, 2030)
    assert _names(BP.reading_order([*runs, other])) == [
        ["plan_2027", "crossing"],
        ["plan_2024", "equal", "infra", "none"],
        ["m2030"],
    ]


def test_without_a_plan_decided_now_the_order_is_as_before():
    runs = _batch()[:4] + _batch()[5:]  # the 2027 alternative alone: no plan on the units in force
    assert BP.current_plan(runs) is None
    assert _names(BP.reading_order(runs)) == _names(DC.groups(runs))


def _judged(runs):
    """The runs with their verdicts' threshold (a fall of at least 4 points), as the verdicts' table reads it."""
    for r in runs:
        r.verdicts = r.verdicts.assign(
            comparison="<=", threshold=-4.0, value=-4.5, lo=np.nan, hi=np.nan, geo="province"
        )
    return runs


def _years_in_order(page: str) -> list[str]:
    return re.findall(r'data-years="(\d+-\d+)"', page)


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_the_comparison_page_sections_list_the_2027_group_first(lang):
    """Each section that speaks group by group (here the verdicts, which need no draws or
    programme tables) shows the 2025–2027 group before the 2023–2025 one; before order61 the
    2024 group came first."""
    page = "".join(b if isinstance(b, str) else "" for b in CP.verdicts(_judged(_batch()), lang))
    assert _years_in_order(page) == ["2025-2027", "2023-2025"]
    runs = _judged(_batch()[:4] + _batch()[5:])
    page = "".join(b if isinstance(b, str) else "" for b in CP.verdicts(runs, lang))
    assert _years_in_order(page) == ["2023-2025", "2025-2027"]


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_the_index_scenario_tables_list_the_2027_group_first(lang, monkeypatch):
    """The index's «Các kịch bản»: the group tables in the brief's order; every scenario kept."""
    runs = {r.name: r for r in _batch()}
    items = [SimpleNamespace(name=n, ok=True, out_dir=Path(n), title=lambda lang, n=n: n) for n in runs]
    result = SimpleNamespace(items=items)
    monkeypatch.setattr(IX, "_row", lambda it, run, out, lang: [f"row:{run.name}"] + [""] * 6)
    page = "".join(IX.scenario_tables(result, runs, Path("."), lang))
    now, before = ([runs["plan_2027"], runs["crossing"]], [runs["plan_2024"]])
    titles = [html.esc(CP.group_title(g, lang)) for g in (now, before)]
    assert titles[0] != titles[1] and page.index(titles[0]) < page.index(titles[1])
    assert "2026" in titles[0]  # the 2027 group: projected 2026–2027
    rows = re.findall(r"row:(\w+)", page)
    assert rows == ["plan_2027", "crossing", "plan_2024", "equal", "infra", "none"]
