"""Parameter draws of multidimensional scenarios (issue 18): the old-standard twin of a draw runs
only up to the change of standard, with the same numbers as the whole twin; and the report batch's
draw-count policy for the multidimensional model (`simlib batch --uncertainty-multidim`), whose
report says how many draws ran, why, and the command that runs them all."""

from __future__ import annotations

import copy
import subprocess
import sys
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
import yaml
from conftest import ROOT, make_scenario, tiny_raw

from simlib import i18n
from simlib.batch import pages
from simlib.batch.run import Batch, run_batch
from simlib.errors import InputErrors
from simlib.options import RunOptions
from simlib.paths import params_dir
from simlib.report import render
from simlib.report.context import draws_technical_note, fewer_draws_note
from simlib.report.uncertainty_page import no_sensitivity
from simlib.results import states_table
from simlib.runner import compile_run_model, simulate
from simlib.scenario import load_scenario
from simlib.uncertainty.apply import DrawCompiler
from simlib.uncertainty.evaluate import Rebasing, draw_rebase, until_year
from simlib.uncertainty.sampling import sample
from simlib.uncertainty.space import scenario_space


@pytest.fixture(scope="module")
def md2030():
    return load_scenario(params_dir() / "scenarios" / "multidim_2030.yaml")


def _md(horizon: int = 6):
    """The tiny dataset on the multidimensional model, 2024 to 2023 + `horizon` (the end-2027
    review applies the 2027–2030 standard)."""
    raw = tiny_raw(model="multidim", horizon=horizon)
    for y in range(2026, 2024 + horizon):
        raw["budget"]["years"][str(y)] = {"same_as": 2024}
    return raw


def test_the_twin_cut_at_the_change_gives_the_whole_twins_years_and_rebasing():
    """One parameter draw of a multidimensional run to 2029 (change of standard at the end-2027
    review): the twin keeping the old standard, run to 2027 only, has exactly the states of the
    whole twin in 2023–2027 (bit for bit), and the draw's re-basing table is the same with either."""
    scen = make_scenario(_md(6))
    rb = Rebasing.of(scen)
    assert rb is not None and rb.year == 2027 and scen.years[-1] == 2029
    space = scenario_space(scen)
    draws = sample(space, scen.params, 2, "lhs", 7)
    v = draws.values[1]
    model = DrawCompiler(scen, draws.keys).target(v)
    whole = DrawCompiler(rb.old, draws.keys).target(v)
    _, cut = rb.twin(whole)
    assert cut.base.years == (2024, 2025, 2026, 2027) and whole.base.years == scen.years
    options = RunOptions(seed=0)
    spend = model.base.spend
    a = states_table(simulate(whole, spend, options), whole.base, scen.baseline_year)
    b = states_table(simulate(cut, spend, options), cut.base, scen.baseline_year)
    a = a[a["year"] <= 2027].reset_index(drop=True)
    assert set(b["year"]) == {2023, 2024, 2025, 2026, 2027}
    pd.testing.assert_frame_equal(a, b, check_exact=True)
    out = simulate(model, spend, options)
    r_whole = draw_rebase((rb, whole), model.base, out, spend, options)
    r_cut = draw_rebase((rb, cut), model.base, out, spend, options)
    assert len(r_cut) and (r_cut["year"] == 2027).all()
    pd.testing.assert_frame_equal(r_whole, r_cut, check_exact=True)
    assert np.abs(r_cut["rebase"].to_numpy(float)).max() > 0.1  # the 2027 standard reclassifies


def test_until_year_leaves_a_model_ending_at_the_year_alone(md2030):
    """Nothing to cut: the same object (and so the same run)."""
    target = compile_run_model(md2030)[1]
    assert until_year(target, 2030) is target and until_year(target, 2031) is target
    assert until_year(target, 2025).base.years == (2024, 2025)


def test_the_batch_gives_multidimensional_scenarios_at_most_their_own_count():
    b = Batch(RunOptions(), ROOT, [], True, "vi", 100, "lhs", 20)
    assert (b.draws_for("states"), b.draws_for("multidim")) == (100, 20)
    assert Batch(RunOptions(), ROOT, [], True, "vi", 100, "lhs", None).draws_for("multidim") == 100
    assert Batch(RunOptions(), ROOT, [], True, "vi", 100, "lhs", 0).draws_for("multidim") == 0
    assert Batch(RunOptions(), ROOT, [], True, "vi", 10, "lhs", 20).draws_for("multidim") == 10
    assert Batch(RunOptions(), ROOT, [], True, "vi", 0, "lhs", 20).draws_for("multidim") == 0


def test_a_bad_multidim_count_is_an_input_error_with_every_problem(tmp_path):
    with pytest.raises(InputErrors) as err:
        run_batch([], tmp_path / "out", uncertainty=-1, uncertainty_multidim=-2)
    fields = {e.field for e in err.value.errors}
    assert {"uncertainty", "uncertainty_multidim"} <= fields
    r = subprocess.run(
        [sys.executable, "-m", "simlib", "--lang", "en", "batch", str(tmp_path), "--out", str(tmp_path / "o")]
        + ["--uncertainty", "5", "--uncertainty-multidim", "-1"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert r.returncode == 2 and "--uncertainty-multidim" in r.stderr and "Traceback" not in r.stderr
    assert not (tmp_path / "o").exists()


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_the_report_says_how_many_draws_ran_and_how_to_run_them_all(md2030, lang):
    assert fewer_draws_note(md2030, 100, 100, lang) == ""
    none = fewer_draws_note(md2030, 0, 100, lang)
    some = fewer_draws_note(md2030, 20, 100, lang)
    cmd = "simlib run params/scenarios/multidim_2030.yaml --uncertainty 100"
    tech = draws_technical_note(md2030, 100, lang)  # the commands, for the technical team (polish64)
    assert cmd in tech and "make reports UNCERTAINTY_MULTIDIM=100" in tech
    for note in (none, some):
        assert "simlib" not in note and "make reports" not in note
    assert "20" in some and "20" not in none.replace("2030", "")
    assert none != some


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_the_uncertainty_page_says_why_a_multidimensional_scenario_has_no_sobol(md2030, lang):
    states = load_scenario(params_dir() / "scenarios" / "plan_2024.yaml")
    t = lambda key, **kw: i18n.t(key, lang, **kw)  # noqa: E731
    plain = no_sensitivity(SimpleNamespace(scenario=states, t=t))
    md = no_sensitivity(SimpleNamespace(scenario=md2030, t=t))
    assert plain == t("unc.page.no_sensitivity")
    assert md.startswith(plain) and "simlib sensitivity params/scenarios/multidim_2030.yaml --points 32" in md


@pytest.fixture
def captured(monkeypatch):
    """Parameters `simlib.batch` gives each template (the notebook is not run)."""
    seen = {}

    def fake_execute(notebook, output, parameters, **kw):
        seen[notebook.name] = dict(parameters)
        raise render.NotebookFailed("stopped by the test")

    monkeypatch.setattr(render, "execute", fake_execute)
    return seen


def test_the_batch_tells_the_report_how_many_draws_it_asked_for(captured, tmp_path):
    scen = str(ROOT / "params" / "scenarios" / "plan_2027.yaml")
    pages.report_one(scen, "plan_2027", "t", str(tmp_path), RunOptions(), "vi", [], 3, "lhs", (), 6)
    params = captured[pages.REPORT_NOTEBOOK]
    assert params["uncertainty"] == 3 and params["batch_options"]["uncertainty_asked"] == 6
    pages.report_one(scen, "plan_2027", "t", str(tmp_path), RunOptions(), "vi", [], 6)
    assert captured[pages.REPORT_NOTEBOOK]["batch_options"]["uncertainty_asked"] == 6


@pytest.mark.parametrize(("model", "points"), [("states", 32), ("multidim", 0)])
def test_the_uncertainty_page_of_a_multidimensional_scenario_runs_no_sobol_design(captured, tmp_path, model, points):
    scen = str(ROOT / "params" / "scenarios" / "plan_2027.yaml")
    err = pages.uncertainty_report(scen, tmp_path, tmp_path, "t", "vi", [], [], None, 10, "lhs", {"model": model})
    assert err == "stopped by the test"
    assert captured[pages.UNCERTAINTY_NOTEBOOK]["sensitivity_points"] == points


def simlib(*args, timeout=900):
    return subprocess.run(
        [sys.executable, "-m", "simlib", "--lang", "en", *map(str, args)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


@pytest.fixture(scope="module")
def md_files(tmp_path_factory):
    """Two allocations of the tiny multidimensional scenario (2024–2025) as scenario files."""
    base = tmp_path_factory.mktemp("md")
    plan = tiny_raw(model="multidim", name="md_plan")
    half = tiny_raw(model="multidim", name="md_half", title_vi="Một nửa", title_en="Half")
    half["budget"] = copy.deepcopy(half["budget"])
    for sources in half["budget"]["years"]["2024"]["lines"].values():  # 2025 is the same as 2024
        for source, amount in list(sources.items()):
            sources[source] = amount / 2
    paths = []
    for raw in (plan, half):
        p = base / f"{raw['name']}.yaml"
        p.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
        paths.append(p)
    return paths


@pytest.mark.slow
def test_sensitivity_and_robustness_commands_run_the_multidimensional_model(md_files, tmp_path):
    """`simlib sensitivity` and `simlib robustness` on multidimensional scenarios: no refusal,
    their tables written; the robustness summary has both allocations with shares of best adding
    up to 1 over the same draws."""
    r = simlib(
        "sensitivity", md_files[0], "--out", tmp_path / "s", "--points", 4, "--morris", 2, "--executor", "serial"
    )
    assert r.returncode == 0, r.stderr[-2000:]
    sobol = pd.read_csv(tmp_path / "s" / "sensitivity_sobol.csv")
    assert len(sobol) and np.isfinite(sobol["ST"]).any()
    assert (tmp_path / "s" / "sensitivity_morris.csv").is_file()
    r = simlib("robustness", *md_files, "--out", tmp_path / "r", "--uncertainty", 8, "--executor", "serial")
    assert r.returncode == 0, r.stderr[-2000:]
    summary = pd.read_csv(tmp_path / "r" / "regret_summary.csv")
    assert set(summary["scenario"]) == {"md_plan", "md_half"}
    assert summary["share_best"].sum() == pytest.approx(1.0)


@pytest.mark.slow
def test_a_batch_without_multidimensional_draws_says_so_and_links_no_page(md_files, tmp_path):
    """`--uncertainty 4 --uncertainty-multidim 0` over a states scenario and a multidimensional
    one: the states one gets its draws and page; the multidimensional report says no draws ran,
    with the commands, shows no probability and links no uncertainty page (none is written)."""
    folder = tmp_path / "scenarios"
    folder.mkdir()
    (folder / "a_states.yaml").write_text(yaml.safe_dump(tiny_raw(), allow_unicode=True), encoding="utf-8")
    (folder / "b_md.yaml").write_text(md_files[0].read_text(encoding="utf-8"), encoding="utf-8")
    out = tmp_path / "reports"
    r = simlib("batch", folder, "--out", out, "--jobs", 1, "--uncertainty", 4, "--uncertainty-multidim", 0)
    assert r.returncode == 0, r.stdout + r.stderr[-3000:]
    states, md = out / "tiny_plan", out / "md_plan"
    assert (states / "uncertainty.html").is_file() and (states / "uncertainty_outcomes.csv").is_file()
    assert not list(md.glob("uncertainty*")), list(md.glob("uncertainty*"))
    page = (md / "report.html").read_text(encoding="utf-8")
    assert "ran no draws of this scenario (it ran 4 of each states-model scenario)" in page
    assert "make reports UNCERTAINTY_MULTIDIM=4" in page and "--uncertainty 4 --out" in page
    assert 'href="uncertainty.html"' not in page and "sl-prob" not in page
