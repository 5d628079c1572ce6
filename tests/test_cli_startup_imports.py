"""What the command line loads before it speaks (issue 18): `--help`, `list` and a refused command
do not import the engines — numba, their compiled kernels, the runner — nor the reports' notebook
stack, nor pandas (they read no table); `validate` does not import the engines it never runs,
numba or SciPy. The engines are
imported when a run asks for one (`simlib.lazy.resolve`), and `simlib`'s API names when first used."""

from __future__ import annotations

import importlib
import json
import subprocess
import sys

import pytest
import yaml
from conftest import ROOT, fresh_python

from simlib.engines.registry import ENGINES, get_engine

PLAN = "params/scenarios/plan_2024.yaml"
#: what a run needs and `--help` or `list` does not: numba, the engines' modules, the runner, the
#: batch and its notebook stack
ENGINE_STACK = (
    "numba",
    "simlib.engines.common",
    "simlib.engines.expected",
    "simlib.engines.microsim",
    "simlib.engines.multidim_jit",
    "simlib.engines.multidim_expected",
    "simlib.runner",
    "simlib.batch",
    "nbformat",
)
#: the runners of the engines a validation never runs
RUNNERS = (
    "simlib.engines.aggregate",
    "simlib.engines.kernel",
    "simlib.engines.microsim",
    "simlib.engines.multidim_microsim",
)


def command(*argv: str) -> dict:
    """`simlib ARGV` run as the program in a fresh interpreter in the project: its exit status,
    what it printed and the modules it had imported when it stopped."""
    code = (
        "import json, runpy, sys\n"
        f"sys.argv = ['simlib', *{list(argv)!r}]\n"
        "try:\n"
        "    runpy.run_module('simlib', run_name='__main__', alter_sys=True)\n"
        "except SystemExit as exc:\n"
        "    status = exc.code\n"
        "sys.stdout.flush()\n"
        "sys.__stdout__.write('\\n' + json.dumps({'status': status, 'modules': sorted(sys.modules)}) + '\\n')\n"
    )
    r = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=300)
    *printed, last = r.stdout.rstrip("\n").split("\n")
    seen = json.loads(last)
    return {"status": seen["status"], "modules": set(seen["modules"]), "out": "\n".join(printed), "err": r.stderr}


@pytest.mark.parametrize("argv", [("--help",), ("list",), ("--lang", "en", "run", "--help")])
def test_help_and_list_do_not_load_the_engines(argv):
    seen = command(*argv)
    assert seen["status"] in (0, None), seen["err"]
    assert "simlib.cli.run" in seen["modules"]  # the parser of every command was built
    assert sorted(seen["modules"] & set(ENGINE_STACK)) == []


def test_help_still_lists_every_command():
    out = command("--help")["out"]
    for name in ("list", "validate", "run", "batch", "import-review", "calibrate", "optimize", "robustness"):
        assert name in out


def test_list_still_lists_the_scenarios_and_lines():
    out = command("--lang", "en", "list")["out"]
    assert "plan_2024" in out
    assert "[" in out and "/" in out  # a budget line with its unit cost


def test_a_mistyped_scenario_is_refused_without_the_engines():
    seen = command("--lang", "en", "validate", "params/scenarios/plan_2042.yaml")
    assert seen["status"] == 2
    assert "plan_2042.yaml" in seen["err"] and "plan_2024.yaml" in seen["err"]  # the name and the closest one
    assert "Traceback" not in seen["err"]
    assert sorted(seen["modules"] & set(ENGINE_STACK)) == []


#: what reads tables: pandas, a scenario's dataset and units, the split rules, the review's import,
#: the evidence register's tables for the pages
TABLES = (
    "pandas",
    "simlib.scenario",
    "simlib.dataset",
    "simlib.table_files",
    "simlib.geography",
    "simlib.district",
    "simlib.review_import",
    "simlib.evidence_tables",
)


@pytest.mark.parametrize(
    "argv, status",
    [
        (("--help",), 0),  # builds every command's parser
        (("--lang", "en", "optimize", "--help"), 0),
        (("--lang", "en", "list"), 0),  # the scenarios' titles and the parameters' budget lines
        (("--lang", "en", "validate", "params/scenarios/plan_2042.yaml"), 2),  # a mistyped name
        (("--lang", "en", "run", "params/scenarios/plan_2042.yaml", "--out", "/tmp/x"), 2),
    ],
)
def test_what_reads_no_table_does_not_load_pandas(argv, status):
    """`--help`, `list` and a command refused before it reads a scenario read no table: pandas,
    the scenarios' and datasets' modules, the split rules (`simlib.district`: `simlib.budget`
    checks their names, `simlib.split_names`) and the evidence tables stay unloaded."""
    seen = command(*argv)
    assert (seen["status"] or 0) == status, seen["err"]
    assert "Traceback" not in seen["err"]
    assert sorted(seen["modules"] & set(TABLES)) == []
    assert {"simlib.cli.optimize", "simlib.allocate.spec", "simlib.budget"} <= seen["modules"]


def test_a_validation_still_reads_the_tables():
    """What needs the tables still loads them: a validation reads the scenario's dataset."""
    seen = command("--lang", "en", "validate", PLAN)
    assert seen["status"] == 0, seen["err"]
    assert {"pandas", "simlib.scenario", "simlib.dataset", "simlib.district"} <= seen["modules"]


def test_the_parameters_are_read_without_pandas():
    """The parameters resolve the evidence register's priors (`simlib.evidence`) without its
    tables for the pages (`simlib.evidence_tables`, pandas): `simlib list` reads them."""
    seen = fresh_python(
        "from simlib.parameters import load_parameters\n"
        "escape = load_parameters()['program']['lines']['P2']['effects']['escape']\n"
        "result = {'pandas': 'pandas' in sys.modules, 'value': escape['value'], 'prior': escape['prior']}\n"
    )
    register = yaml.safe_load((ROOT / "params/evidence.yaml").read_text(encoding="utf-8"))
    assert seen == {
        "pandas": False,
        "value": register["priors"]["P2"]["effects"]["escape"]["central"],
        "prior": "priors.P2.effects.escape",
    }


def test_refused_options_still_said_at_once():
    seen = command("--lang", "en", "run", "params/scenarios/plan_2042.yaml", "--jobs", "abc", "--out", "/tmp/x")
    assert seen["status"] == 2
    assert "--jobs" in seen["err"] and "plan_2042.yaml" in seen["err"]
    assert "Traceback" not in seen["err"]


@pytest.mark.parametrize("sampler", ["lhs", "abc"])
def test_a_refused_run_does_not_load_the_uncertainty_stack(sampler):
    """`run`'s checks read the samplers' names (`simlib.uncertainty.samplers`), not the runner,
    SciPy or SALib: a mistyped scenario is refused before any of them loads."""
    argv = ("--lang", "en", "run", "params/scenarios/plan_2042.yaml", "--sampler", sampler, "--out", "/tmp/x")
    seen = command(*argv)
    assert seen["status"] == 2 and "Traceback" not in seen["err"]
    assert ("--sampler" in seen["err"]) == (sampler == "abc")
    assert sorted(seen["modules"] & {*ENGINE_STACK, "scipy", "SALib", "simlib.uncertainty.run"}) == []


def test_validate_does_not_load_the_runners_it_never_runs():
    seen = command("validate", PLAN)
    assert seen["status"] == 0, seen["err"]
    assert "✓" in seen["out"]
    assert sorted(seen["modules"] & set(RUNNERS)) == []


@pytest.mark.parametrize(
    "files",
    [
        (PLAN,),
        ("params/scenarios/crossing_2024_2027.yaml",),  # switches units: its new units' frame is checked too
        ("params/scenarios/multidim_2030.yaml",),
        ("params/scenarios",),  # every bundled scenario
    ],
)
def test_validate_loads_no_engine_nor_scipy(files):
    """A validation reads the scenarios and checks them and their legal frame
    (`simlib.compliance.rules`); it runs no engine: numba, the engines' shared step, the money
    that reaches no one (`simlib.compliance.absorption`), the run on new units (`unit_switch`),
    the multidimensional model (SciPy) and the reports' notebook stack stay unloaded."""
    seen = command("--lang", "en", "validate", *files)
    assert seen["status"] == 0, seen["err"]
    checked = [line for line in seen["out"].splitlines() if line.startswith("✓ Valid: ")]
    expected = sorted((ROOT / files[0]).glob("*.yaml")) if files[0].endswith("scenarios") else files
    assert len(checked) == len(expected) and "✗" not in seen["out"]
    light = {*ENGINE_STACK, "scipy", "simlib.engines.reach", "simlib.compliance.absorption", "simlib.unit_switch"}
    light |= {"simlib.multidim", "simlib.batch.pages", "simlib.batch.run", "tqdm"}
    light -= {"simlib.batch"}  # the package, for its checks (`simlib.batch.checks`)
    assert sorted(seen["modules"] & light) == []
    assert {"simlib.batch.checks", "simlib.compliance.rules"} <= seen["modules"]  # the legal frame was checked


def test_validate_still_checks_the_frame_of_the_new_units(tmp_path):
    """The legal frame of the units a scenario switches to is still checked, on the scenario read
    on its new units (`simlib.scenario.switched_scenario`) without the engines: the crossing
    scenario without its waiver of the new frame's envelope breaches it in 2026 and 2027."""
    text = (ROOT / "params/scenarios/crossing_2024_2027.yaml").read_text(encoding="utf-8")
    waiver = "\n  ignore_legal_rules: [envelope]\n"
    assert text.count(waiver) == 1
    path = tmp_path / "crossing_no_waiver.yaml"
    path.write_text(text.replace(waiver, "\n"), encoding="utf-8")
    seen = command("--lang", "en", "validate", str(path))
    assert seen["status"] == 2 and "Traceback" not in seen["err"]
    assert "2 problem(s) found" in seen["out"] and seen["out"].count("“central envelope”") == 2
    assert "'budget.years.2026'" in seen["out"] and "'budget.years.2027'" in seen["out"]
    assert sorted(seen["modules"] & {"numba", "scipy", "simlib.unit_switch", "simlib.engines.reach"}) == []


def test_the_packages_load_their_modules_when_a_name_is_asked_for():
    """`simlib.compliance` and `simlib.batch` give their names on first access, the same objects
    as their modules' (`simlib.lazy.package_names`): importing the package loads none of them."""
    seen = fresh_python(
        "import simlib.batch, simlib.compliance\n"
        "names = ['simlib.batch.checks', 'simlib.batch.pages', 'simlib.compliance.absorption',\n"
        "         'simlib.compliance.rules', 'numba']\n"
        "result = {'before': [n for n in names if n in sys.modules]}\n"
        "from simlib.compliance import enforce\n"
        "from simlib.batch import check_all\n"
        "result['checks'] = [n for n in names if n in sys.modules]\n"
        "import simlib.batch.checks, simlib.batch.pages, simlib.compliance.absorption, simlib.compliance.rules\n"
        "result['same'] = [enforce is simlib.compliance.rules.enforce, check_all is simlib.batch.checks.check_all,\n"
        "    simlib.batch.run_one is simlib.batch.pages.run_one,\n"
        "    simlib.compliance.absorption_totals is simlib.compliance.absorption.absorption_totals]\n"
        "result['listed'] = [set(simlib.batch.__all__) <= set(dir(simlib.batch)),\n"
        "    set(simlib.compliance.__all__) <= set(dir(simlib.compliance))]\n"
        "result['resolve'] = [getattr(simlib.batch, n) is not None for n in simlib.batch.__all__]\n"
        "result['resolve'] += [getattr(simlib.compliance, n) is not None for n in simlib.compliance.__all__]\n"
    )
    assert seen["before"] == []
    assert seen["checks"] == ["simlib.batch.checks", "simlib.compliance.rules"]
    assert seen["same"] == [True] * 4 and seen["listed"] == [True, True] and all(seen["resolve"])


def test_an_engine_is_imported_when_a_run_asks_for_it():
    seen = fresh_python(
        "import simlib\n"
        "from simlib.engines.registry import get_engine\n"
        "opts = simlib.RunOptions(engine='microsim', draws=3)  # checked without the engine\n"
        "result = {'before': 'simlib.engines.microsim' in sys.modules, 'reps': opts.replications}\n"
        "runner = get_engine('microsim').runners['states']\n"
        "import simlib.engines.microsim as m\n"
        "result['same'] = runner is m.run_microsim\n"
        "result['numba'] = 'numba' in sys.modules\n"
    )
    assert seen == {"before": False, "reps": 3, "same": True, "numba": True}


def test_the_api_names_are_there_on_first_use():
    seen = fresh_python(
        "import simlib\n"
        "result = {'engines': 'simlib.engines.common' in sys.modules, 'runner': 'simlib.runner' in sys.modules,\n"
        "          'metadata': 'importlib.metadata' in sys.modules}\n"
        "import importlib.metadata\n"
        "result['version'] = simlib.__version__ == importlib.metadata.version('simlib')\n"
        "from simlib import RunOptions, load_scenario\n"
        "import simlib.engines\n"
        "import simlib.engines.expected, simlib.options, simlib.runner, simlib.scenario\n"
        "result['same'] = [simlib.run is simlib.runner.run, simlib.RunResult is simlib.runner.RunResult,\n"
        "    RunOptions is simlib.options.RunOptions, load_scenario is simlib.scenario.load_scenario,\n"
        "    simlib.Scenario is simlib.scenario.Scenario,\n"
        "    simlib.engines.run_expected is simlib.engines.expected.run_expected]\n"
        "result['listed'] = set(simlib.__all__) <= set(dir(simlib))\n"
        "result['modules'] = [simlib.programmes.__name__, simlib.engines.multidim_tables.__name__,\n"
        "    hasattr(simlib, '__main__'), hasattr(simlib.engines, 'no_such_module')]\n"
        "try:\n"
        "    simlib.no_such_name\n"
        "    result['unknown'] = 'found'\n"
        "except AttributeError:\n"
        "    result['unknown'] = 'AttributeError'\n"
    )
    assert seen == {
        "engines": False,
        "runner": False,
        "metadata": False,
        "version": True,
        "same": [True] * 6,
        "listed": True,
        "modules": ["simlib.programmes", "simlib.engines.multidim_tables", False, False],
        "unknown": "AttributeError",
    }


def test_every_registered_runner_resolves():
    for name in ENGINES:
        engine = get_engine(name)
        for model, runner in engine.runners.items():
            module, _, attribute = engine.targets[model].partition(":")
            assert runner is getattr(importlib.import_module(module), attribute)
            assert callable(runner)
