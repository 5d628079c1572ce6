"""What a planner sees while `simlib optimize` writes its results (opt62): a line of its own on
stderr for each stage that takes time after the optimisation — the comparison runs (how many of
how many), the report, and that everything is written, with the time so far — and the first-run
compile watch of `simlib run` and `simlib batch` around the work. Nothing of it reaches a file.
Tiny states fixture; no timings."""

from __future__ import annotations

import contextlib
import subprocess
import sys

import pytest
import yaml
from conftest import ROOT, make_scenario, tiny_raw

from simlib.allocate import output
from simlib.allocate.optimize import optimize
from simlib.allocate.spec import resolve_spec
from simlib.cli import main as cli_main
from simlib.cli import optimize as cli_optimize

NO_COUNTERPART = "allocation.money.counterpart.min_local_share_of_central.value=0"
BASE = {"frontier": [], "counterpart_min_share": 0, "effort": "economy"}


@pytest.fixture(scope="module")
def result():
    scen = make_scenario(tiny_raw())
    return optimize(scen, resolve_spec(scen, BASE | {"objective": "poor"}))


def _files(folder) -> dict:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file() and p.name != "summary.json"}


def test_writing_tells_its_stages_in_order_and_writes_the_same_bytes(result, tmp_path, monkeypatch):
    """Three comparison runs (optimal, plan, equal split), each told when done, then the report;
    the folder written while telling is byte for byte the folder written without (summary.json
    aside: it holds the time of writing)."""
    reports = []
    monkeypatch.setattr(output, "execute_report", lambda folder, lang=None: reports.append(folder))
    told = []
    output.write_optimization(result, tmp_path / "a", report=True, on_stage=lambda s, **v: told.append((s, v)))
    assert told == [
        ("compare", {"n": 3}),
        ("compared", {"done": 1, "n": 3}),
        ("compared", {"done": 2, "n": 3}),
        ("compared", {"done": 3, "n": 3}),
        ("report", {}),
    ]
    assert len(reports) == 1
    output.write_optimization(result, tmp_path / "b", report=False)
    assert _files(tmp_path / "a") == _files(tmp_path / "b") and len(_files(tmp_path / "a")) > 8


def _optimize(tmp_path, *lang):
    scen = tmp_path / "tiny.yaml"
    scen.write_text(yaml.safe_dump(tiny_raw(), allow_unicode=True), encoding="utf-8")
    args = [*lang, "optimize", str(scen), "--objective", "poor", "--out", str(tmp_path / "out")]
    args += ["--frontier", "", "--no-report", "--set", NO_COUNTERPART]
    r = subprocess.run([sys.executable, "-m", "simlib", *args], cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr
    return r.stderr.splitlines()


def _after(lines: list[str], start: str) -> list[str]:
    i = next(k for k, line in enumerate(lines) if line.startswith(start))
    return lines[i:]


def test_the_command_line_says_each_stage_of_writing_in_vietnamese(tmp_path):
    lines = _after(_optimize(tmp_path), "Xong: ")
    assert lines[1].startswith("Ghi kết quả: chạy lại mô hình cho 3 phương án phân bổ (tối ưu, kế hoạch, chia đều)")
    assert lines[1].endswith(" kể từ khi bắt đầu)") and " phút " in lines[1]
    for k in (1, 2, 3):
        assert lines[1 + k].startswith(f"… đã chạy {k}/3 phương án, ") and lines[1 + k].endswith(" giây")
    assert lines[5].startswith("Đã ghi xong kết quả, ") and lines[5].endswith(" kể từ khi bắt đầu.")
    assert len(lines) == 6  # the last line of stderr, on its own; the message and the path go to stdout


def test_the_command_line_says_each_stage_of_writing_in_english(tmp_path):
    lines = _after(_optimize(tmp_path, "--lang", "en"), "Done: ")
    assert lines[1].startswith("Writing the results: running the model again for 3 allocations")
    assert [line.split(",")[0] for line in lines[2:5]] == [f"… {k} of 3 allocations run" for k in (1, 2, 3)]
    assert lines[5].startswith("Results written, ") and lines[5].endswith(" s since the start.")
    assert len(lines) == 6


def test_the_report_stage_is_said_in_both_languages(capsys):
    for lang, start in (("vi", "Lập báo cáo (notebook và report.html), 0 phút 0"), ("en", "Writing the report")):
        cli_optimize.Meter(lang).stage("report")
        err = capsys.readouterr().err
        assert err.startswith(start) and err.endswith(" …\n") and err.count("\n") == 1


def test_the_optimisation_and_its_writing_run_under_the_first_run_compile_watch(tmp_path, monkeypatch):
    """The watch `simlib run` and `simlib batch` use is open while the optimiser and the writing
    run, told the scenario's poverty model and the year kernels a run of it calls."""
    seen, inside = [], []

    @contextlib.contextmanager
    def watch(bar, lang, models, *, needed=None, display=None, short=None):
        seen.append((models, tuple(needed), display is cli_optimize.line_display))
        inside.append(True)
        yield
        inside.append(False)

    real = output.write_optimization

    def writing(*a, **kw):
        assert inside[-1]  # written under the watch
        return real(*a, **kw)

    monkeypatch.setattr(cli_optimize, "compile_watch", watch)
    monkeypatch.setattr(output, "write_optimization", writing)
    scen = tmp_path / "tiny.yaml"
    scen.write_text(yaml.safe_dump(tiny_raw(), allow_unicode=True), encoding="utf-8")
    args = ["optimize", str(scen), "--objective", "poor", "--out", str(tmp_path / "out")]
    assert cli_main([*args, "--frontier", "", "--no-report", "--set", NO_COUNTERPART]) == 0
    assert seen == [({"states"}, (), True)] and inside == [True, False]
