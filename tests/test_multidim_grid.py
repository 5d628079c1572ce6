"""The multidimensional model's income grid (`simlib.multidim.income.make_edges`, params/multidim.yaml
`income.grid`): its shape, its convergence against closed forms, household conservation across
grids, and the validation of its fields. The choice of the default rests on
benchmarks/multidim_grid.py (issue 18)."""

from __future__ import annotations

import numpy as np
import pytest
import yaml
from conftest import make_scenario, tiny_raw
from hostile_helpers import cli
from scipy.stats import binom, norm

from simlib.engines.multidim_expected import run_multidim_expected
from simlib.errors import InputError, InputErrors
from simlib.model import compile_model
from simlib.multidim import compile_multidim
from simlib.multidim import income as inc

LINES = (1.5e6, 2.0e6, 2.2e6, 2.8e6)  # the income lines of the two bundled standards, VND


def grid(step, tail_step=None, within=None, lowest=1e5, highest=1e8) -> dict:
    q = {"unit": "log points", "assumption": "test"}
    doc = {
        "lowest": {"value": lowest, "unit": "VND per person per month", "assumption": "test"},
        "highest": {"value": highest, "unit": "VND per person per month", "assumption": "test"},
        "step": {"value": step, **q},
    }
    if tail_step is not None:
        doc["tail_step"] = {"value": tail_step, **q}
    if within is not None:
        doc["fine_within"] = {"value": within, **q}
    return doc


def scenario(grid_doc: dict):
    return make_scenario(tiny_raw(model="multidim", horizon=2), set_overrides=[("multidim.income.grid", grid_doc)])


# --- shape ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "step, tail, within", [(0.05, 0.2, 0.7), (0.025, 0.2, 0.7), (0.05, 0.1, 1.0), (0.04, 0.3, 0.0)]
)
def test_fine_grid_widths_and_lines(step, tail, within):
    """Every line is an edge; bins are no wider than `step` within `within` of a line and no wider
    than `tail` elsewhere; the bounds are the outer edges; edges increase."""
    e = inc.make_edges(1e5, 1e8, step, LINES, tail_step=tail, fine_within=within)
    logs = np.log(LINES)
    assert e[0] == pytest.approx(np.log(1e5)) and e[-1] == pytest.approx(np.log(1e8))
    assert np.all(np.diff(e) > 0)
    assert all(np.isclose(e, x, rtol=0, atol=1e-12).any() for x in logs)
    mid = 0.5 * (e[:-1] + e[1:])
    near = np.min(np.abs(mid[:, None] - logs[None, :]), axis=1) <= within
    width = np.diff(e)
    assert np.all(width[near] <= step + 1e-12)
    assert np.all(width[~near] <= tail + 1e-12)
    # no more bins than needed: each gap between anchors is cut into as few bins as allowed
    assert len(width) <= np.sum(width / np.where(near, step, tail)) + 2 * len(LINES) + 4


def test_uniform_form_is_unchanged_when_only_step_is_given():
    """Without `tail_step` the grid is the uniform one anchored at `lowest` (lines inserted, grid
    edges closer than step/3 to a line dropped), computed here independently."""
    e = inc.make_edges(1e5, 1e8, 0.05, LINES)
    base = np.log(1e5) + 0.05 * np.arange(int(round(np.log(1000) / 0.05)) + 1)
    keep = [x for x in base if np.min(np.abs(x - np.log(LINES))) >= 0.05 / 3]
    np.testing.assert_allclose(e, np.sort(np.concatenate([keep, np.log(LINES)])), rtol=0, atol=1e-12)


# --- convergence ----------------------------------------------------------------------------


def share_below_after_growth(edges, years=5, median0=1.6e6, s0=0.35, drift=0.04, sigma=0.12, p=0.1, loss=0.3):
    """(grid, closed form) share of households at or below each line after `years` of the yearly
    income kernel (drift, volatility, one shock), from a lognormal start (median 1.6 million)."""
    mu0 = np.log(median0)
    H = inc.truncated_bins(edges, np.array(mu0), np.array(s0), np.array(edges[-1]), np.array(True))
    K = inc.growth_kernel(edges, drift, sigma, [(p, loss)])
    for _ in range(years):
        H = H @ K
    st = np.sqrt(s0**2 + years * sigma**2)
    hits = np.arange(years + 1)
    exact = [
        np.sum(binom.pmf(hits, years, p) * norm.cdf((np.log(L) - mu0 - years * drift - hits * np.log(1 - loss)) / st))
        for L in LINES
    ]
    got = [H[inc.below_line(edges, L)].sum() for L in LINES]
    return np.array(got), np.array(exact), H.sum()


#: tolerance on the share below a line after five years: the grid the study chose (0.025 within 0.7
#: of a line, 0.2 beyond) errs by about 2.4e-4, the uniform 0.05 grid by about 1e-3
SHARE_TOL = 5e-4


def test_share_below_line_converges_on_the_chosen_grid():
    """On the grid the study chose (0.025 within 0.7 of a line, 0.2 beyond) the share below each line after five years
    matches the closed form (a mixture of normals) within SHARE_TOL, and halving the fine step
    cuts the error by at least half (the within-bin error is second order in the step)."""
    step, tail, within = 0.025, 0.2, 0.7  # the grid the study chose (params/multidim.yaml)
    got, exact, total = share_below_after_growth(inc.make_edges(1e5, 1e8, step, LINES, tail, within))
    err = np.abs(got - exact).max()
    assert err < SHARE_TOL
    assert total == pytest.approx(1.0, abs=1e-12)
    got2, _, _ = share_below_after_growth(inc.make_edges(1e5, 1e8, step / 2, LINES, tail, within))
    assert np.abs(got2 - exact).max() < 0.5 * err


@pytest.mark.parametrize("step, tail, within", [(0.05, None, 0.0), (0.025, 0.6, 0.2)])
def test_share_below_line_check_can_fail(step, tail, within):
    """The uniform 0.05 grid, or a fine zone too narrow for the tails' step, misses the tolerance."""
    got, exact, _ = share_below_after_growth(inc.make_edges(1e5, 1e8, step, LINES, tail_step=tail, fine_within=within))
    assert np.abs(got - exact).max() > SHARE_TOL


def test_households_are_conserved_exactly_across_grids():
    """The grid moves households between income bins only: the households of every cell (unit x
    group x area) and review are the same on a uniform and on a fine-near-the-lines grid."""
    totals = []
    for g in (grid(0.05), grid(0.05, 0.2, 0.7), grid(0.1)):
        scen = scenario(g)
        model = compile_model(scen)
        mm = compile_multidim(scen, model)
        out = run_multidim_expected(mm, model.spend)
        per_group = out.states.sum(axis=-1)  # (S, Y+1, G); a group's twin holds its housed households
        cell = np.unique(np.column_stack([model.g_unit, model.g_eth, model.g_area]), axis=0, return_inverse=True)[1]
        totals.append(np.stack([per_group[..., cell.ravel() == c].sum(-1) for c in range(cell.max() + 1)], -1))
    np.testing.assert_allclose(totals[1], totals[0], rtol=1e-12, atol=1e-9)
    np.testing.assert_allclose(totals[2], totals[0], rtol=1e-12, atol=1e-9)


# --- validation -----------------------------------------------------------------------------


def problems(g: dict) -> str:
    with pytest.raises((InputError, InputErrors)) as exc:
        scenario(g)
    return str(exc.value)


def test_grid_fields_are_validated():
    assert "grid.tail_step" in problems(grid(0.05, 0.02, 0.7)) and "step" in problems(grid(0.05, 0.02, 0.7))
    assert "fine_within" in problems(grid(0.05, 0.2, None))  # tail_step needs fine_within
    assert "tail_step" in problems(grid(0.05, None, 0.7))  # and the other way round
    assert "fine_within" in problems(grid(0.05, 0.2, -0.1))
    assert "step" in problems(grid(0.0))
    assert "highest" in problems(grid(0.05, lowest=1e8, highest=1e5))


def test_all_grid_problems_are_reported_at_once():
    msg = problems(grid(0.05, 0.01, 0.7, lowest=1e8, highest=1e5))
    assert "tail_step" in msg and "highest" in msg


def test_valid_grids_are_accepted():
    for g in (grid(0.05), grid(0.05, 0.2, 0.7), grid(0.05, 0.05, 0.0)):
        assert scenario(g).params["multidim"]["income"]["grid"]["step"]["value"] == 0.05


def test_cli_reports_bad_grid_values_with_status_2(tmp_path):
    """`--set` values each within its range that break the grid together (tail step below the step
    near the lines, highest income below the lowest): both problems named (file, field), status 2,
    no traceback, nothing written."""
    scen = tmp_path / "md.yaml"
    scen.write_text(yaml.safe_dump(tiny_raw(model="multidim", horizon=2)), encoding="utf-8")
    out = tmp_path / "out"
    sets = ["multidim.income.grid.step=0.1", "multidim.income.grid.tail_step=0.06", "multidim.income.grid.highest=1000"]
    code, text = cli("--lang", "en", "run", str(scen), "--out", str(out), *[a for s in sets for a in ("--set", s)])
    assert code == 2 and "Traceback" not in text
    assert "multidim.income.grid.tail_step" in text and "multidim.income.grid.highest" in text
    assert not out.exists()
