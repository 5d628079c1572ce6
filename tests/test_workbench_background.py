"""The explorer's on-demand buttons run off the kernel's thread (issue 17): a click returns at
once with the button in the "computing…" state, the other controls keep working, a second click
while it runs starts nothing and queues nothing, and the result is applied when the computation
ends — unless the allocation changed meanwhile. Driven through the widget API; the slow parts
are replaced by functions that wait on an event the test sets, so the test decides when the
"computation" ends."""

from __future__ import annotations

import asyncio
import html
import re
import threading

import numpy as np
import pytest
import yaml
from conftest import tiny_raw

from simlib.errors import InputError
from simlib.workbench import compare as C
from simlib.workbench.background import Background, Cancelled
from simlib.workbench.state import AllocationState


@pytest.fixture
def view(tmp_path):
    from simlib.workbench.view import ExplorerView

    path = tmp_path / "base.yaml"
    path.write_text(yaml.safe_dump(tiny_raw()), encoding="utf-8")
    return ExplorerView(AllocationState.load(path), "en", tmp_path / "saved", debounce=0)


@pytest.fixture
def gate(monkeypatch):
    """Hold `compare.probabilities` and `compare.suggest` until `gate.set()`; count the calls."""
    release, calls = threading.Event(), []
    real_p, real_s = C.probabilities, C.suggest

    def probabilities(*a, **kw):
        calls.append("probabilities")
        assert release.wait(60)
        return real_p(*a, **kw)

    def suggest(*a, **kw):
        calls.append("suggest")
        assert release.wait(60)
        return real_s(*a, **kw)

    monkeypatch.setattr(C, "probabilities", probabilities)
    monkeypatch.setattr(C, "suggest", suggest)
    release.calls = calls
    yield release
    release.set()


def test_the_runner_takes_one_computation_at_a_time():
    bg, got, hold = Background(), [], threading.Event()
    assert bg.start("a", lambda: hold.wait(60) and 41 + 1, lambda r, e: got.append((r, e)))
    assert bg.busy and bg.name == "a"
    assert not bg.start("b", lambda: 0, lambda r, e: got.append(("b", e)))  # refused, not queued
    hold.set()
    assert bg.wait(60) and got == [(42, None)] and not bg.busy
    assert bg.start("c", lambda: 1 / 0, lambda r, e: got.append((r, type(e))))  # an error is handed over
    assert bg.wait(60) and got[-1] == (None, ZeroDivisionError)


def test_a_running_computation_stops_where_it_checks_and_the_next_one_runs():
    """`cancel` asks; the work stops at its next `check` with `Cancelled`, handed to `done`;
    a stop asked for one computation does not stop the next; nothing running: nothing to stop."""
    bg, got, checks = Background(), [], []
    assert bg.cancel() is False and not bg.cancelled

    def work():
        while True:  # a computation that only ends when stopped
            checks.append(1)
            bg.check()
            threading.Event().wait(0.01)

    assert bg.start("loop", work, lambda r, e: got.append(type(e)))
    while not checks:
        threading.Event().wait(0.01)
    assert bg.cancel() and bg.cancelled
    assert bg.wait(60) and got == [Cancelled] and not bg.busy
    assert bg.start("next", lambda: (bg.check(), 7)[1], lambda r, e: got.append((r, e)))
    assert bg.wait(60) and got[-1] == (7, None)
    told = []
    bg.tell(told.append, "now")  # no event loop: called at once
    assert told == ["now"]


def test_the_result_comes_back_on_the_kernels_event_loop():
    """In a kernel the handler runs on the event loop: `done` is called there, not in the worker."""
    seen = {}

    async def click():
        bg, finished = Background(), asyncio.Event()

        def done(result, error):
            seen["thread"], seen["result"] = threading.current_thread(), result
            finished.set()

        assert bg.start("x", lambda: threading.current_thread().name, done)
        await asyncio.wait_for(finished.wait(), 60)

    asyncio.run(click())
    assert seen["thread"] is threading.main_thread() and seen["result"] == "simlib-x"


def test_probabilities_do_not_block_and_a_second_click_starts_nothing(view, gate):
    button = view.w["probability"]
    label = button.description
    button.click()  # returns at once: the computation waits on the gate
    assert gate.calls == ["probabilities"] and view.background.busy
    assert button.disabled and button.description == "Computing…" and view.w["suggest"].disabled
    assert "Computing…" in view.w["probability_note"].value
    assert view.compute_probabilities(n=8) is False and view.suggest() is False
    button.click()
    assert gate.calls == ["probabilities"]  # nothing queued
    before = view.updates
    view.grid.cells[("P2", "central_recurrent")].value = "11"  # the kernel still takes changes
    assert view.updates == before + 1
    gate.set()
    assert view.wait(120)
    assert not button.disabled and button.description == label and not view.w["suggest"].disabled
    assert "changed while this was computed" in view.w["probability_note"].value  # for the old amounts
    assert 'data-kind="target_now"' not in view.w["compare"].value and view.unc_now is None


def test_probabilities_are_shown_when_done(view, gate):
    assert view.compute_probabilities(n=8)
    assert 'data-kind="target_now"' not in view.w["compare"].value
    gate.set()
    assert view.wait(120)
    assert view.unc_plan is not None and view.unc_now is view.unc_plan  # the plan's own amounts: one run
    assert gate.calls == ["probabilities"]
    view.grid.cells[("P2", "central_recurrent")].value = "11"
    assert view.compute_probabilities(n=8) and view.wait(120)
    assert gate.calls == ["probabilities"] * 2 and view.unc_now is not view.unc_plan  # the plan's run is kept
    assert 'data-kind="target_now"' in view.w["compare"].value
    assert "8 parameter draws" in view.w["probability_note"].value


def test_the_suggestion_runs_in_the_background_and_a_stale_one_is_not_offered(view, gate):
    assert view.suggest()
    assert view.w["suggest"].disabled and view.w["suggest"].description == "Computing…"
    assert "Computing…" in view.w["suggestion"].value
    assert not view.compute_probabilities()  # one computation at a time
    view.grid.cells[("P2", "central_recurrent")].value = "11"
    gate.set()
    assert view.wait(600)
    assert view.suggestion is None and view.w["apply"].layout.display == "none"
    assert "changed while this was computed" in html.unescape(view.w["suggestion"].value)
    assert not view.w["suggest"].disabled and not view.w["probability"].disabled


def test_a_failed_computation_is_said_in_words(view, monkeypatch):
    def refuse(*a, **kw):
        raise InputError("enum", file="spec", field="objective", value="x", allowed=["poor"])

    monkeypatch.setattr(C, "probabilities", refuse)
    assert view.compute_probabilities(n=4) and view.wait(60)
    note = html.unescape(view.w["probability_note"].value)
    assert "objective" in note and "Traceback" not in note and not view.w["probability"].disabled


def _md_view(tmp_path):
    from simlib.workbench.view import ExplorerView

    raw = tiny_raw(model="multidim")
    raw["budget"]["years"]["2024"]["lines"]["P1.1"]["local"] = 3  # the optimiser asks a local counterpart
    path = tmp_path / "md.yaml"
    path.write_text(yaml.safe_dump(raw), encoding="utf-8")
    return ExplorerView(AllocationState.load(path), "en", tmp_path / "saved", debounce=0)


@pytest.mark.slow
def test_the_multidimensional_suggestion_shows_its_progress_and_stops_on_request(tmp_path):
    """Issue 18: on the multidimensional model the suggestion runs (no refusal) with the
    optimiser's estimate and runs shown, and the stop button ends it at the next engine call:
    the optimiser's runs stop short of its estimate, nothing is suggested or kept, the state is
    unchanged and the buttons work again."""
    view = _md_view(tmp_path)
    shown, first = [], threading.Event()
    real = view._suggest_progress

    def spy(text):
        shown.append(text)
        real(text)
        if "runs" in text and "of about" in text:
            first.set()

    view._suggest_progress = spy
    assert view.cancel_suggestion() is False  # nothing running
    assert view.w["suggest_cancel"].layout.display == "none"
    assert view.suggest()
    assert view.w["suggest_cancel"].layout.display == "" and view.w["suggest"].disabled
    assert first.wait(600)
    assert "Estimate: about" in shown[-1] and "of about" in html.unescape(view.w["suggestion"].value)
    assert view.cancel_suggestion() and view.w["suggest_cancel"].disabled
    assert view.wait(600)
    note = html.unescape(view.w["suggestion"].value)
    assert "stopped on request" in note and "the allocation is unchanged" in note
    ran = int(re.search(r"after ([\d,]+) runs", note)[1].replace(",", ""))  # English groups thousands
    # the estimate's line (runs counted while the problem is built may be shown before it)
    estimate = next(text for text in shown if "Estimate: about" in text)
    expected = int(re.search(r"about ([\d,]+) runs of the model", estimate)[1].replace(",", ""))
    assert 0 < ran < expected
    assert view.suggestion is None and view.w["apply"].layout.display == "none" and view.state.unchanged
    assert view.w["suggest_cancel"].layout.display == "none"
    assert not view.w["suggest"].disabled and not view.w["probability"].disabled
    memo = view.state.base.__dict__.get("_memo") or {}
    assert not any(str(k).startswith("wb_suggest_") for k in memo)  # a stopped run is not kept


@pytest.mark.slow
def test_the_multidimensional_probabilities_show_their_draws_and_stop_on_request(tmp_path):
    """On the multidimensional model a draw runs the whole model (seconds on Cao Bằng): the
    probability button shows the draws done and its stop button ends the run after the current
    chunk of `compare.PROGRESS_DRAWS` draws — nothing is shown as a probability, the buttons work
    again, and a later click computes the probabilities in full, equal to the uncertainty
    module's own run of the same draws (an independent path: default chunks, no progress)."""
    view = _md_view(tmp_path)
    first = threading.Event()
    real = view._probability_progress

    def spy(done, total):
        real(done, total)
        first.set()

    view._probability_progress = spy
    n = 6 * C.PROGRESS_DRAWS
    assert view.cancel_probabilities() is False  # nothing running
    assert view.compute_probabilities(n=n)
    assert view.w["probability_cancel"].layout.display == ""
    assert first.wait(600)
    assert f"of {n} parameter draws" in view.w["probability_note"].value
    assert view.cancel_probabilities()
    assert view.wait(600)
    note = html.unescape(view.w["probability_note"].value)
    done = int(re.search(rf"after (\d+) of {n} parameter draws", note)[1])
    assert 0 < done < n and done % C.PROGRESS_DRAWS == 0
    assert view.unc_plan is None and view.unc_now is None and 'data-kind="target_now"' not in view.w["compare"].value
    assert view.w["probability_cancel"].layout.display == "none" and not view.w["probability"].disabled
    view._probability_progress = real
    assert view.compute_probabilities(n=n) and view.wait(600)  # run to the end this time
    direct = C.probabilities(view.state.base, n, base=view.state.base)
    np.testing.assert_allclose(
        view.unc_plan.targets["probability_met"].to_numpy(), direct.targets["probability_met"].to_numpy()
    )
