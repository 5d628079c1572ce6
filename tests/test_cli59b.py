"""Round 59's command-line leftovers: `simlib run` says what its first run compiles (as a batch
does); a batch whose scenarios never cross a change of standard says when compiling is over; a
table or a document given as a scenario is said to be no YAML file; a two-digit `start_year` gets
the year meant. No kernel is compiled here: the cache folder is a temporary one, its files written
by the tests (as tests/test_firstrun.py)."""

from __future__ import annotations

import contextlib
import threading
import time
import zipfile

import pytest
import yaml
from conftest import ROOT
from test_firstrun import index_file, kernel_file
from tqdm import tqdm

from simlib import i18n
from simlib.batch import compiling
from simlib.cli import common as cli_common
from simlib.cli import main as cli_main
from simlib.cli import run as run_command
from simlib.errors import InputError
from simlib.options import RunOptions
from simlib.scenario import load_scenario
from simlib.schema import load_yaml

PLAN = ROOT / "params" / "scenarios" / "plan_2024.yaml"
MULTIDIM = ROOT / "params" / "scenarios" / "multidim_2030.yaml"
OPTIONS = RunOptions(progress=False)  # a log


@pytest.fixture
def cache(tmp_path, monkeypatch):
    """numba's cache folder in `tmp_path` (`NUMBA_CACHE_DIR`), looked at every 10 ms."""
    monkeypatch.setenv("NUMBA_CACHE_DIR", str(tmp_path / "numba"))
    monkeypatch.setattr(compiling, "TICK", 0.01)
    return compiling.cache_folder()


def wait_for(condition) -> None:
    for _ in range(3000):
        if condition():
            return
        time.sleep(0.01)
    raise AssertionError("not said within 30 s")


def test_run_in_a_log_says_what_its_first_run_compiles(cache, monkeypatch, capfd):
    """`simlib run`'s run of a multidimensional scenario, a stand-in that compiles three kernels
    (the year and, the run continuing into its twin's year, `_year_both`: cli61): plain lines on
    stderr, the first that it compiles, the last that compiling is over."""
    index_file(cache, "multidim_jit._year", time.time())  # the engines imported on a cold cache
    lines, plain = [], compiling.plain_line

    def line(text, done):
        plain(text, done)
        lines.append(text)

    def compiles(scen, options):
        kernel_file(cache, "multidim_numba.aempty", time.time() + 1)
        wait_for(lambda: lines)
        kernel_file(cache, "multidim_jit._year", time.time() + 1)
        kernel_file(cache, "multidim_jit._year_both", time.time() + 1)
        wait_for(lambda: lines[-1].startswith("The model's kernels are compiled"))
        return "the run"

    monkeypatch.setattr(compiling, "plain_line", line)
    monkeypatch.setattr(run_command, "run", compiles)
    capfd.readouterr()
    assert run_command._run_compiling(load_scenario(MULTIDIM), OPTIONS, "en") == "the run"
    out = capfd.readouterr()
    assert out.out == ""
    assert lines[0] == "first run: compiling the model's kernels, 1 done, 0 min 00 s"
    assert lines[-1].startswith("The model's kernels are compiled (3 kernels")
    assert out.err.splitlines() == lines
    assert not [t for t in threading.enumerate() if t.name == "simlib-compile-watch"]


def test_run_says_the_first_run_note_on_a_cold_cache_only_for_the_multidimensional_model(monkeypatch, capfd):
    monkeypatch.setattr(run_command, "run", lambda scen, options: "the run")
    monkeypatch.setattr(cli_common, "kernels_cached", lambda: False)
    note = i18n.t("cli.first_compile", "vi")
    capfd.readouterr()
    run_command._run_compiling(load_scenario(MULTIDIM), OPTIONS, "vi")
    assert capfd.readouterr().err == note + "\n"
    run_command._run_compiling(load_scenario(PLAN), OPTIONS, "vi")  # states: seconds
    monkeypatch.setattr(cli_common, "kernels_cached", lambda: True)
    run_command._run_compiling(load_scenario(MULTIDIM), OPTIONS, "vi")  # warm
    assert capfd.readouterr().err == ""


def test_on_a_terminal_run_rewrites_one_line_and_clears_it(capsys):
    show, every = compiling.line_display(True)
    assert every == 0.0
    show("lần chạy đầu: đang biên dịch, 3 hàm", False)
    show(None, False)
    show("Đã biên dịch xong", True)
    assert capsys.readouterr().err == "\rlần chạy đầu: đang biên dịch, 3 hàm\x1b[K\r\x1b[K\rĐã biên dịch xong\x1b[K\n"
    assert compiling.line_display(False) == (compiling.plain_line, 60.0)


def test_without_a_change_of_standard_compiling_is_over_once_the_year_is_compiled(tmp_path):
    """On a cold cache importing the engines indexes `_year_both` too; a batch that never crosses
    a change of standard never compiles it (its `needed` year kernels: `_year` alone): compiling
    is over once `_year` is compiled. Without `needed` (`simlib run`), every indexed year kernel
    says it."""
    start = 1_000_000.0
    for name in ("multidim_jit._year", "multidim_jit._year_both"):
        index_file(tmp_path, name, start + 2)
    w = compiling.CompileWatch(tmp_path, "en", start, needed=frozenset({"multidim_jit._year"}))
    kernel_file(tmp_path, "multidim_numba.aempty", start + 5)
    assert w.poll(start + 10) == ("first run: compiling the model's kernels, 1 done, 0 min 10 s", False)
    kernel_file(tmp_path, "multidim_jit._year", start + 200)
    index_file(tmp_path, "multidim_jit._year", start + 201)
    text, over = w.poll(start + 260)
    assert over and text.startswith("The model's kernels are compiled (2 kernels, 4 min 20 s")
    assert compiling.CompileWatch(tmp_path, "en", start).poll(start + 260)[1] is False


def test_a_batch_bar_hidden_in_a_log_is_left_as_it_is_by_the_watch(cache):
    """`compile_watch` on a batch's tqdm bar (hidden: a log) says compiling is over once the year
    kernels the batch needs are compiled, with `_year_both` never compiled; the bar's `update` is
    its own throughout (nothing counted through it)."""
    index_file(cache, "multidim_jit._year", time.time())
    index_file(cache, "multidim_jit._year_both", time.time())
    said = []

    def display(bar):
        return (lambda text, done: said.append((text, done))), 60.0

    bar = tqdm(total=2, disable=True)
    with compiling.compile_watch(bar, "vi", {"multidim"}, needed={"multidim_jit._year"}, display=display):
        assert "update" not in vars(bar)
        kernel_file(cache, "multidim_numba.aempty", time.time() + 1)
        wait_for(lambda: said)
        assert not said[-1][1]
        kernel_file(cache, "multidim_jit._year", time.time() + 10)
        index_file(cache, "multidim_jit._year", time.time() + 10)
        wait_for(lambda: said[-1][1])


def office_file(path) -> None:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<w:document>" + "kịch bản " * 50 + "</w:document>")


@pytest.mark.parametrize(
    "name,said",
    [
        ("plan.csv", "this file is a table (CSV), not a YAML file"),
        ("plan.tsv", "this file is a table (TSV), not a YAML file"),
        ("plan.docx", "this file is a document (Word), not a YAML file"),
        ("plan.xlsx", "this file is a document (Excel), not a YAML file"),
        ("plan.yaml", "this file is a document (zip / Office), not a YAML file"),  # a document renamed
    ],
)
def test_a_table_or_a_document_as_the_scenario_is_said_to_be_no_yaml_file(tmp_path, capsys, name, said):
    path = tmp_path / name
    if name.endswith("sv"):
        path.write_text("name,horizon\nplan,6\n", encoding="utf-8")
    else:
        office_file(path)
    with pytest.raises(InputError) as exc:
        load_yaml(path)
    assert said in exc.value.message("en")
    assert "a .yaml text file of “key: value” lines, such as params/scenarios/plan_2024.yaml" in exc.value.message("en")
    assert cli_main(["--lang", "vi", "validate", str(path)]) == 2
    assert "không phải tệp YAML: kịch bản (và tham số) là tệp văn bản .yaml" in "".join(capsys.readouterr())
    text = tmp_path / "plan.yaml.txt"  # a YAML text file is read whatever its suffix
    text.write_bytes(PLAN.read_bytes())
    assert load_yaml(text) == load_yaml(PLAN)


def test_a_two_digit_start_year_suggests_the_year_meant(tmp_path, capsys):
    doc = yaml.safe_load(PLAN.read_text(encoding="utf-8"))
    for value, said in ((24, "có phải là 2024 không?"), (1999, None)):
        doc["start_year"] = value
        path = tmp_path / f"y{value}.yaml"
        path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
        assert cli_main(["--lang", "vi", "validate", str(path)]) == 2
        err = "".join(capsys.readouterr())
        assert "«start_year»: giá trị phải ≥ 2000" in err
        assert (said in err) if said else ("có phải là" not in err)
    assert cli_main(["--lang", "en", "validate", str(PLAN), "--set", "start_year=24"]) == 2
    assert "did you mean 2024?" in "".join(capsys.readouterr())
    assert cli_main(["--lang", "en", "validate", str(PLAN), "--set", "horizon=-24"]) == 2
    assert "did you mean" not in "".join(capsys.readouterr())  # not a year


def test_run_rewrites_a_line_on_a_terminal_unless_a_stochastic_engine_draws_its_bar_there(monkeypatch):
    asked = []

    @contextlib.contextmanager
    def watch(bar, lang, models, **kw):
        asked.append((kw["display"](bar)[1], models))
        yield

    monkeypatch.setattr(run_command, "compile_watch", watch)
    monkeypatch.setattr(run_command, "run", lambda scen, options: "the run")
    scen = load_scenario(MULTIDIM)
    for engine in ("expected", "microsim"):
        run_command._run_compiling(scen, RunOptions(engine=engine, progress=True), "vi")
    run_command._run_compiling(scen, OPTIONS, "vi")
    assert asked == [(0.0, {"multidim"}), (60.0, {"multidim"}), (60.0, {"multidim"})]
