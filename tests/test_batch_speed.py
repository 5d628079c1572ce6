"""What the batch does to go faster must not change what it reads or writes: the YAML parse cache
hands out independent copies and sees an edited file; the longest reports go first, ties in file
order."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

from simlib.batch.run import expected_cost, longest_first
from simlib.errors import InputError
from simlib.schema import load_yaml


def test_yaml_copies_are_independent_and_an_edited_file_is_read_again(tmp_path):
    f = tmp_path / "p.yaml"
    f.write_text("a:\n  b: [1, 2]\n2024: x\n", encoding="utf-8")
    first = load_yaml(f)
    assert first == {"a": {"b": [1, 2]}, "2024": "x"}
    first["a"]["b"].append(3)  # a caller changing what it got
    assert load_yaml(f) == {"a": {"b": [1, 2]}, "2024": "x"}
    f.write_text("a:\n  b: [5]\n", encoding="utf-8")
    assert load_yaml(f) == {"a": {"b": [5]}}


def test_a_bad_file_fails_the_same_every_time(tmp_path):
    f = tmp_path / "bad.yaml"
    f.write_text("a: 1\na: 2\n", encoding="utf-8")
    seen = []
    for _ in range(2):
        with pytest.raises(InputError) as exc:
            load_yaml(f)
        seen.append((exc.value.code, exc.value.field, exc.value.message("en")))
    assert seen[0] == seen[1] and seen[0][:2] == ("duplicate_key", "a")
    f.write_bytes(b"a: \xff\n")
    with pytest.raises(InputError) as exc:
        load_yaml(f)
    assert exc.value.code == "not_utf8"


def _scen(model: str, dated: bool, units: int, years: int):
    return SimpleNamespace(
        poverty_model=model, dated=dated, dataset=SimpleNamespace(units=[0] * units), years=list(range(years))
    )


def test_longest_reports_first_ties_in_file_order():
    checked = {
        Path("a_states.yaml"): _scen("states", False, 10, 2),
        Path("b_multidim.yaml"): _scen("multidim", False, 10, 7),
        Path("c_states.yaml"): _scen("states", False, 10, 2),
        Path("d_dated_communes.yaml"): _scen("multidim", True, 56, 4),
        Path("e_bigger_states.yaml"): _scen("states", False, 10, 5),
    }
    order = [p.name for p in longest_first(list(checked), checked)]
    assert order == [
        "d_dated_communes.yaml",
        "b_multidim.yaml",
        "e_bigger_states.yaml",
        "a_states.yaml",
        "c_states.yaml",
    ]
    assert expected_cost(checked[Path("a_states.yaml")]) == expected_cost(checked[Path("c_states.yaml")])


def test_a_batch_process_exits_without_walking_its_objects_and_earlier_exit_handlers_still_run(tmp_path):
    # a handler registered before runs after it (exit handlers run last-registered first): it sees
    # every object frozen, and its own file is still written and closed
    out = tmp_path / "seen.txt"
    code = (
        "import atexit, gc\n"
        f"def seen():\n    open({str(out)!r}, 'w').write(str(gc.get_freeze_count() > 0))\n"
        "atexit.register(seen)\n"
        "from simlib.batch.pages import skip_exit_collections\n"
        "assert gc.get_freeze_count() == 0\n"
        "skip_exit_collections()\n"
        "skip_exit_collections()\n"
        "assert gc.get_freeze_count() == 0\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert out.read_text() == "True"
