"""The first run on a machine compiles the multidimensional engine's kernels (minutes): a batch
says that work goes on — the kernels compiled so far and the time — read from numba's cache
folder (`simlib.batch.compiling`), and says nothing when the cache is warm. No kernel is compiled
here: the cache folder is a temporary one, its files written by the tests."""

from __future__ import annotations

import io
import os
import threading
import time
from pathlib import Path

import pytest
from conftest import ROOT
from numba.core.caching import UserProvidedCacheLocator
from tqdm import tqdm

from simlib.batch import compiling
from simlib.engines.kernel_cache import ENGINES_DIR

PLAN = ROOT / "params" / "scenarios" / "plan_2024.yaml"
MULTIDIM = ROOT / "params" / "scenarios" / "multidim_2030.yaml"


def kernel_file(folder: Path, name: str, mtime: float, n: int = 1) -> None:
    """A stand-in of numba's machine code of kernel `name` (its `n`-th signature), written at `mtime`."""
    folder.mkdir(parents=True, exist_ok=True)
    p = folder / f"{name}-12.py311.{n}.nbc"
    p.write_bytes(b"")
    os.utime(p, (mtime, mtime))


def test_the_cache_folder_is_numbas_own(tmp_path, monkeypatch):
    monkeypatch.delenv("NUMBA_CACHE_DIR", raising=False)
    assert compiling.cache_folder() == ENGINES_DIR / "__pycache__"
    monkeypatch.setenv("NUMBA_CACHE_DIR", str(tmp_path))
    # numba's own rule for a cache folder under NUMBA_CACHE_DIR
    sub = UserProvidedCacheLocator.get_suitable_cache_subpath(str(ENGINES_DIR / "multidim_jit.py"))
    assert compiling.cache_folder() == tmp_path / sub


def index_file(folder: Path, name: str, mtime: float) -> None:
    """A stand-in of numba's index of kernel `name`, written at `mtime`."""
    folder.mkdir(parents=True, exist_ok=True)
    p = folder / f"{name}-12.py311.nbi"
    p.write_bytes(b"")
    os.utime(p, (mtime, mtime))


def test_poll_counts_the_kernels_compiled_since_the_start(tmp_path):
    start = 1_000_000.0
    kernel_file(tmp_path, "multidim_jit._year", start - 50)  # code left by an older version
    kernel_file(tmp_path, "multidim_tables._shift_rows", start - 50)
    for name in ("multidim_jit._year", "multidim_jit._year_both", "multidim_tables._shift_rows"):
        index_file(tmp_path, name, start + 2)  # importing the engines on a cold cache: empty indexes
    w = compiling.CompileWatch(tmp_path, "vi", start)
    assert w.poll(start + 30) == (None, False)  # nothing compiled: nothing said
    kernel_file(tmp_path, "multidim_fill_kernels.fill_start", start + 5)
    kernel_file(tmp_path, "multidim_numba.aempty", start + 6, n=1)
    kernel_file(tmp_path, "multidim_numba.aempty", start + 7, n=2)  # a second signature: the same kernel
    kernel_file(tmp_path, "multidim_tables._shift_rows", start + 8)  # compiled again
    assert w.poll(start + 65) == (
        "lần chạy đầu: đang biên dịch các hàm tính của mô hình, đã xong 3 hàm, 1 phút 05 giây",
        False,
    )
    kernel_file(tmp_path, "multidim_jit._year", start + 200)
    index_file(tmp_path, "multidim_jit._year", start + 201)
    assert w.poll(start + 250)[1] is False  # the year with a change of standard is still to come
    kernel_file(tmp_path, "multidim_jit._year_both", start + 300)
    index_file(tmp_path, "multidim_jit._year_both", start + 301)
    text, done = w.poll(start + 311)
    assert done
    assert text.startswith("Đã biên dịch xong các hàm tính của mô hình (5 hàm, 5 phút 11 giây")
    w_en = compiling.CompileWatch(tmp_path, "en", start)
    assert w_en.poll(start + 125)[0].startswith("The model's kernels are compiled (5 kernels, 2 min 05 s")
    # on a progress bar, which shows its own elapsed time, the count alone (short: the line is cut
    # to the terminal)
    (tmp_path / "multidim_jit._year_both-12.py311.1.nbc").unlink()
    assert compiling.CompileWatch(tmp_path, "vi", start, short=True).poll(start + 125)[0] == (
        "đang biên dịch (lần đầu): 4 hàm xong"
    )
    w_en = compiling.CompileWatch(tmp_path, "en", start)
    assert w_en.poll(start + 125)[0] == "first run: compiling the model's kernels, 4 done, 2 min 05 s"


def test_a_warm_year_and_a_year_to_compile():
    """A year compiled by an earlier run (its code, then its index) is there; one whose index is
    newer than its code (emptied) or without code is not."""
    assert compiling.years_compiled({"y": 100.0, "b": 300.0}, {"y": 100.1, "b": 300.2})
    assert not compiling.years_compiled({"y": 100.0}, {"y": 200.0})
    assert not compiling.years_compiled({"y": 100.0}, {"y": 100.1, "b": 50.0})
    assert not compiling.years_compiled({"y": 100.0}, {})  # no index: nothing known


class Script:
    """A stand-in for the loop's stop event (`wait` says «go on» `n` times) and its clock (0, 10,
    20 … seconds)."""

    def __init__(self, n: int):
        self.n, self.t = n, -10.0

    def wait(self, tick):
        self.n -= 1
        return self.n < 0

    def clock(self):
        self.t += 10.0
        return self.t


class Compiling:
    """A stand-in watch: compiling for `seconds`, then over (`None`: never over)."""

    def __init__(self, seconds=None):
        self.seconds = seconds

    def poll(self, now):
        if self.seconds is not None and now >= self.seconds:
            return "done", True
        return f"at {now:.0f}", False

    def ended(self, now):
        return f"ended at {now:.0f}"


def test_a_log_gets_a_plain_line_a_minute_and_a_terminal_every_tick():
    said = []
    s = Script(14)  # ticks at 0, 10, … 130 s
    compiling.watch_loop(Compiling(), lambda text, done: said.append(text), s, 1.0, 60.0, s.clock)
    assert said == ["at 0", "at 60", "at 120", "ended at 140"]  # stopped: a last line (cli61)
    said.clear()
    s = Script(14)
    compiling.watch_loop(Compiling(25), lambda text, done: said.append((text, done)), s, 1.0, 0.0, s.clock)
    assert said == [("at 0", False), ("at 10", False), ("at 20", False), ("done", True)]


def test_the_bar_shows_it_and_a_log_gets_lines(capsys):
    show, every = compiling.bar_display(tqdm(total=3, disable=True))
    assert every == 60.0
    show("đang biên dịch", False)
    show(None, False)
    assert capsys.readouterr().err == "đang biên dịch\n"
    screen = io.StringIO()
    bar = tqdm(total=3, file=screen, desc="Báo cáo")
    show, every = compiling.bar_display(bar)
    assert every == 0.0
    show("đang biên dịch, 5 hàm", False)
    assert "đang biên dịch, 5 hàm" in screen.getvalue().rsplit("\r", 1)[-1]  # on the bar's line
    show(None, False)
    assert "đang biên dịch" not in screen.getvalue().rsplit("\r", 1)[-1]  # cleared
    bar.close()


def test_the_watch_thread_speaks_while_a_slow_step_compiles_and_ends_with_it(tmp_path):
    index_file(tmp_path, "multidim_jit._year", time.time())
    said, heard = [], threading.Event()

    def display(bar):
        def show(text, done):
            said.append((text, done))
            heard.set()

        return show, 0.0

    with compiling.compile_watch(None, "vi", {"states", "multidim"}, folder=tmp_path, tick=0.01, display=display):
        kernel_file(tmp_path, "multidim_numba.aempty", time.time() + 1)  # a slow step's first kernel
        assert heard.wait(30)
        assert said[0] == ("đang biên dịch (lần đầu): 1 hàm xong", False)
        kernel_file(tmp_path, "multidim_jit._year", time.time() + 1)
        for _ in range(3000):
            if said[-1][1]:
                break
            time.sleep(0.01)
    assert said[-1][1] and said[-1][0].startswith("Đã biên dịch xong các hàm tính của mô hình (2 hàm")
    assert not [t for t in threading.enumerate() if t.name == "simlib-compile-watch"]


def test_nothing_is_said_on_a_warm_cache_or_without_the_multidimensional_model(tmp_path):
    said = []

    def display(bar):
        return (lambda text, done: said.append(text)), 0.0

    kernel_file(tmp_path, "multidim_jit._year", time.time() - 100)  # the warm cache
    with compiling.compile_watch(None, "vi", {"multidim"}, folder=tmp_path, tick=0.01, display=display):
        time.sleep(0.2)  # ticks with nothing compiled
    with compiling.compile_watch(None, "vi", {"states"}, folder=tmp_path, tick=0.01, display=display):
        kernel_file(tmp_path, "state_step.step", time.time() + 1)
        assert not [t for t in threading.enumerate() if t.name == "simlib-compile-watch"]
        time.sleep(0.1)
    assert said == []


@pytest.mark.parametrize(
    "lang,reports,progress,done",
    [
        ("vi", False, "lần chạy đầu: đang biên dịch", "Đã biên dịch xong"),
        ("en", True, "first run: compiling", "The model's kernels"),
    ],
    ids=["vi-tables", "en-reports"],
)
def test_a_batch_in_a_log_says_what_its_first_run_compiles(tmp_path, monkeypatch, capfd, lang, reports, progress, done):
    """`run_batch` of a multidimensional scenario, tables only or reports, in this process, its run
    (its report) a stand-in that compiles its three kernels into numba's cache folder
    (`NUMBA_CACHE_DIR`): plain lines on stderr, the first that it compiles, the last that
    compiling is over; nothing on stdout."""
    from simlib.batch import run_batch

    monkeypatch.setenv("NUMBA_CACHE_DIR", str(tmp_path / "numba"))
    monkeypatch.setattr(compiling, "TICK", 0.01)
    folder = compiling.cache_folder()
    index_file(folder, "multidim_jit._year", time.time())
    lines, printed = [], threading.Event()
    plain = compiling.plain_line

    def line(text, is_done):
        plain(text, is_done)
        lines.append(text)
        printed.set()

    def compiles(path, out_dir, *args):
        kernel_file(folder, "multidim_numba.aempty", time.time() + 1)
        assert printed.wait(30)
        kernel_file(folder, "multidim_jit._year", time.time() + 1)
        kernel_file(folder, "multidim_jit._year_both", time.time() + 1)  # multidim_2030 crosses a change
        for _ in range(3000):
            if lines[-1].startswith(done):
                break
            time.sleep(0.01)
        return {"ok": False, "name": Path(path).stem, "error": "stand-in", "out_dir": None}

    monkeypatch.setattr(compiling, "plain_line", line)
    monkeypatch.setattr("simlib.batch.run.run_one", compiles)
    monkeypatch.setattr("simlib.batch.staged.report_page", compiles)
    capfd.readouterr()
    run_batch([MULTIDIM], tmp_path / "out", executor="serial", reports=reports, progress=False, lang=lang)
    out = capfd.readouterr()
    assert out.out == ""
    assert lines[0].startswith(progress) and lines[-1].startswith(done)
    assert out.err.splitlines() == lines  # plain lines, no carriage returns


def test_the_note_says_the_measured_time_and_that_a_busy_machine_takes_longer():
    from simlib import i18n

    vi, en = i18n.t("cli.first_compile", "vi"), i18n.t("cli.first_compile", "en")
    assert "khoảng 5 phút trên máy 2 lõi" not in vi and "about 5 minutes on a 2-core" not in en  # the old promise
    assert "khoảng 3–5 phút trên máy 2 lõi không bận" in vi and "lâu hơn nhiều khi máy đang bận" in vi
    assert "about 3–5 minutes on a quiet 2-core machine" in en and "much longer on a busy one" in en
