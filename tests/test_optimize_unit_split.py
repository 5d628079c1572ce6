"""A per-unit split (`by_district`) the written scenario can hold: a scenario has one split of each
line for every year of its units, so the optimiser splits one year's money per unit, and a line
with money in a year of the same units that it does not allocate keeps the scenario's split (a
split written for the allocated year would move that money too). Checked on the tiny fixture
against the plain runner (`simlib.runner.run`) of the scenario the optimiser writes."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import make_scenario

from simlib.allocate.optimize import optimize
from simlib.allocate.problem import build_problem
from simlib.allocate.spec import resolve_spec
from simlib.errors import InputError, InputErrors
from simlib.runner import run

FUNDED = ("P1.1", "P2", "P3.1", "P5", "P6.2", "P7.1")  # the tiny plan's lines with money in 2024 and 2025


def _lines_with_unit_variables(p) -> set[str]:
    return {p.model.line_codes[li] for li in np.unique(p.var_line[p.var_unit >= 0])}


def test_a_line_with_money_in_a_year_not_allocated_keeps_the_scenarios_split():
    """Allocating 2025 per unit: the lines funded in 2024 (kept as planned) keep the scenario's
    split; unfunded lines are split per unit. Allocating both years (one allocation for every
    year), a funded line without lagged money from 2023 is split per unit."""
    scen = make_scenario()
    one = build_problem(scen, resolve_spec(scen, {"by_district": True, "years": [2025], "counterpart_min_share": 0}))
    per_unit = _lines_with_unit_variables(one)
    assert per_unit and not per_unit & set(FUNDED)
    every = build_problem(scen, resolve_spec(scen, {"by_district": True, "counterpart_min_share": 0}))
    assert "P5" in _lines_with_unit_variables(every)  # lag 0: its 2023 money acts in 2023 only


def test_per_unit_money_of_several_years_is_refused_with_a_message():
    scen = make_scenario()
    with pytest.raises((InputError, InputErrors)) as exc:
        resolve_spec(scen, {"by_district": True, "years": [2024, 2025], "counterpart_min_share": 0}, "spec.yaml")
    errors = getattr(exc.value, "errors", [exc.value])
    assert [e.code for e in errors] == ["opt_district_years"]
    for lang in ("vi", "en"):
        text = exc.value.message(lang)
        assert "2024, 2025" in text and "spec.yaml" in text and "years" in text


def test_the_written_split_reproduces_the_optimisers_outcome_when_a_year_is_kept():
    """The optimum of 2025's money per unit, its 2024 money kept: `simlib run` of the scenario it
    writes gives the optimiser's own number (a re-split of 2024's money would not), and each
    line's money per unit adds up to the line's total."""
    scen = make_scenario()
    spec = resolve_spec(scen, {"by_district": True, "years": [2025], "counterpart_min_share": 0, "frontier": []})
    res = optimize(scen, spec)
    p = res.problem
    assert res.optimal_raw["budget"]["district_split"].get("lines")  # some line was split per unit
    for code, shares in res.optimal_raw["budget"]["district_split"]["lines"].items():
        assert code not in FUNDED
        assert sum(shares.values()) == pytest.approx(1.0, abs=1e-9)
        li = p.model.line_codes.index(code)
        per_unit = p.spend(res.x[None])[0, -1, li]  # 2025's spending of the line, by unit
        written = np.array([shares.get(u, 0.0) for u in p.model.unit_ids]) * per_unit.sum()
        np.testing.assert_allclose(per_unit, written, rtol=1e-6, atol=1e-3)
    st = run(res.optimal, counterfactual=False).states
    poor = float(st.loc[(st["year"] == 2025) & (st["state"] == "poor"), "households"].sum())
    assert float(p.evaluate(res.x[None])[0]) == pytest.approx(poor, rel=1e-9)
