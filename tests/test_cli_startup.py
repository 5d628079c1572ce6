"""jsonschema imports `rfc3987_syntax` (installed with the notebook stack), which builds a grammar
at import: about 1.2 s CPU. The command line and the local executor's workers (simlib's own
processes) decline it; importing simlib does not, so that another program importing simlib (a
planner's notebook kernel) keeps jsonschema's iri formats checked."""

from __future__ import annotations

import importlib.util
import os

from conftest import fresh_python

from simlib.executors import make_executor

PLAN = "params/scenarios/plan_2024.yaml"
INSTALLED = importlib.util.find_spec("rfc3987_syntax") is not None


def test_importing_simlib_leaves_the_rfc3987_import_alone():
    seen = fresh_python(
        "import simlib\n"
        "from simlib.cli import main\n"
        "result = {'after_import': 'rfc3987_syntax' in sys.modules}\n"
        f"result['code'] = main(['validate', {PLAN!r}])  # an in-process caller of the CLI, as a notebook\n"
        "result['jsonschema'] = 'jsonschema' in sys.modules\n"
        "result['rfc'] = repr(sys.modules.get('rfc3987_syntax', 'absent'))\n"
    )
    assert seen["after_import"] is False  # no entry put in sys.modules by importing simlib or its CLI
    assert seen["code"] == 0 and seen["jsonschema"] is True  # validating the file imported jsonschema
    if INSTALLED:
        assert seen["rfc"].startswith("<module 'rfc3987_syntax'")  # which imported it, as anywhere else
    else:
        assert seen["rfc"] == "'absent'"


def test_the_command_line_declines_it():
    seen = fresh_python(
        "import runpy\n"
        f"sys.argv = ['simlib', 'validate', {PLAN!r}]\n"
        "try:\n"
        "    runpy.run_module('simlib', run_name='__main__', alter_sys=True)\n"
        "except SystemExit as exc:\n"
        "    code = exc.code\n"
        "result = {'code': code, 'jsonschema': 'jsonschema' in sys.modules,\n"
        "          'rfc': repr(sys.modules.get('rfc3987_syntax', 'absent'))}\n"
    )
    assert seen == {"code": 0, "jsonschema": True, "rfc": "None"}  # validated, without the grammar


def test_the_local_executors_workers_decline_it():
    probe = "__import__('jsonschema') and repr(__import__('sys').modules.get('rfc3987_syntax', 'absent'))"
    with make_executor("local", jobs=2) as ex:
        assert ex.submit(eval, probe).result(timeout=300) == "None"


def mark_warm() -> None:
    """A warm-up for the workers below (module level: a spawned worker finds it by name)."""
    os.environ["SIMLIB_TEST_WARMED"] = str(os.getpid())


def warmed_in() -> tuple[int, str | None]:
    """(this process, the process that warmed it up, if one did)."""
    return os.getpid(), os.environ.get("SIMLIB_TEST_WARMED")


def test_local_workers_warm_up_before_their_first_task():
    with make_executor("local", jobs=2, warm=mark_warm) as ex:
        seen = [ex.submit(warmed_in).result(timeout=300) for _ in range(4)]
    assert all(warmed == str(pid) for pid, warmed in seen)  # each worker warmed itself up before its tasks
    assert all(pid != os.getpid() for pid, _ in seen)
    with make_executor("local", jobs=2) as ex:  # without a warm-up, nothing is called
        assert ex.submit(warmed_in).result(timeout=300)[1] is None
