"""The explorer's computations on demand: the probability of meeting each target and the
optimiser's suggestion, run off the kernel's thread (`simlib.workbench.background`).

`OnDemand` is a part of `simlib.workbench.view.ExplorerView` (a mixin): it reads the view's state,
runs and widgets (`w`) and shows every note through the view's `words`, so a note on screen is
said again in the other language when the planner switches (`ExplorerView.relabel`). While one
computation runs, every on-demand button is off and the running one's stop button shows; a
result is shown only for the allocation it was computed for.
"""

from __future__ import annotations

import time

import numpy as np

from simlib.allocate.progress import runs_text
from simlib.errors import SimlibError
from simlib.i18n import fmt
from simlib.report import html as H
from simlib.workbench import compare as C
from simlib.workbench.background import Cancelled
from simlib.workbench.opening import wait_mark

#: the buttons of the on-demand computations (off while one runs), with their label's key and icon
ON_DEMAND = {"probability": ("wb.probability", "calculator"), "suggest": ("wb.suggest", "magic")}
ON_DEMAND["apply"] = ("wb.suggest_apply", "")
#: the stop button of each on-demand computation (shown while it runs)
STOP = {"probability": "probability_cancel", "suggest": "suggest_cancel"}


class OnDemand:
    """Probabilities and the optimiser's suggestion, for `ExplorerView` (see the module)."""

    def _build_suggest(self):
        # local import: ipywidgets only where a widget is drawn (the workbench runs headless too)
        import ipywidgets as W

        self.w["suggest"] = W.Button(button_style="info")
        self.w["apply"] = W.Button(button_style="success")
        self.w["apply"].layout.display = "none"
        self.w["suggest_cancel"] = W.Button(icon="stop")
        self.w["suggest_cancel"].layout.display = "none"  # shown while the optimiser runs
        self.w["suggestion"] = W.HTML()
        self.w["suggest"].on_click(lambda _: self.suggest())
        self.w["apply"].on_click(lambda _: self.apply_suggestion())
        self.w["suggest_cancel"].on_click(lambda _: self.cancel_suggestion())
        heading = W.HTML()
        self.words.put(heading, lambda: f"<b>{H.esc(self.t('wb.suggest_heading'))}</b>")
        self.words.put(self.w["suggest_cancel"], lambda: self.t("wb.suggest_cancel"), "description")
        buttons = W.HBox([self.w["suggest"], self.w["apply"], self.w["suggest_cancel"]])
        return W.VBox([heading, buttons, self.w["suggestion"]])

    def _label_button(self, name: str) -> None:
        """An on-demand button's own label and icon (not the "computing…" ones)."""
        key, icon = ON_DEMAND[name]
        self.words.put(self.w[name], lambda: self.t(key), "description")
        self.w[name].icon = icon

    def _say(self, name: str, make) -> None:
        """Show `make()` in the widget `name`, said again in another language (`words`)."""
        self.words.put(self.w[name], make)

    def _launch(self, name: str, note: str, work, done) -> bool:
        """Run `work` off the kernel's thread with `name`'s button in the "computing…" state, the
        widget `note` saying so and every on-demand button off; `done(result, error)` once it
        ends. False (nothing started, nothing queued) while another computation runs. `name`'s
        stop button (`STOP`) shows while it runs."""
        if self.background.busy:
            return False
        self._say(note, lambda: f"{wait_mark()}{H.esc(self.t('wb.working'))}")
        for k in ON_DEMAND:
            self.w[k].disabled = True
        self.words.put(self.w[name], lambda: self.t("wb.working"), "description")
        self.w[name].icon = "hourglass-half"
        stop = self.w.get(STOP.get(name, ""))
        if stop is not None:
            stop.disabled, stop.layout.display = False, ""

        def finish(result, error) -> None:
            for k in ON_DEMAND:
                self.w[k].disabled = False
                self._label_button(k)
            if stop is not None:
                stop.layout.display = "none"
            done(result, error)

        return self.background.start(name, work, finish)

    def _error_html(self, error: BaseException) -> str:
        if isinstance(error, SimlibError):
            return f'<p class="sl-problems">{H.esc(error.message(self.lang))}</p>'
        return f'<p class="sl-problems">{H.esc(self.t("wb.task_failed", error=str(error) or type(error).__name__))}</p>'

    def compute_probabilities(self, n: int = C.DRAWS) -> bool:
        """Start computing the probability of meeting each target over `n` parameter draws, for
        the plan (once) and for the current allocation, in the background (`Background`); shown
        in the side-by-side table when done, unless the allocation changed meanwhile. False when
        a computation is already running (nothing is queued)."""
        base, scen, amounts, plan = self.state.base, self.state.scenario(), self.state.amounts(), self.unc_plan
        runs = (self.start.run, self.result.run)  # multidimensional: the draws' layout reuses them
        t0, bg = time.perf_counter(), self.background
        total = (2 if plan is None and not np.array_equal(amounts, base.budget.amounts) else 1) * n
        told = [0, 0]  # draws of the finished runs, of the running one

        def tell(done: int) -> None:
            told[1] = done
            bg.check()
            bg.tell(self._probability_progress, told[0] + done, total)

        def work():
            first = plan if plan is not None else C.probabilities(base, n, base=base, central=runs[0], on_draws=tell)
            if np.array_equal(amounts, base.budget.amounts):  # the plan's own amounts: the same run
                return first, first
            told[:] = [n if plan is None else 0, 0]
            return first, C.probabilities(scen, n, base=base, central=runs[1], on_draws=tell)

        def done(result, error) -> None:
            note = "probability_note"
            if isinstance(error, Cancelled):
                draws = sum(told)
                self._say(note, lambda: H.esc(self.t("wb.probability_cancelled", done=draws, n=total)))
                return
            if error is not None:
                self._say(note, lambda: self._error_html(error))
                return
            self.unc_plan = result[0]
            if not np.array_equal(amounts, self.state.amounts()):
                self._say(note, lambda: H.esc(self.t("wb.stale")))
                return
            self.unc_now = result[1]
            self.w["compare"].value = self.compare_html()
            seconds = time.perf_counter() - t0
            self._say(note, lambda: H.esc(self.t("wb.probability_done", n=n, seconds=self._seconds(seconds))))

        return self._launch("probability", "probability_note", work, done)

    def _seconds(self, seconds: float) -> str:
        return fmt.number(seconds, self.lang, 1)

    def _probability_progress(self, done: int, total: int) -> None:
        """Show the running draws' progress (on the kernel's thread, via `Background.tell`)."""
        if self.background.name == "probability" and not self.background.cancelled:
            text = lambda: H.esc(self.t("wb.probability_progress", done=done, n=total))  # noqa: E731
            self._say("probability_note", lambda: f"{wait_mark()}{H.esc(self.t('wb.working'))} {text()}")

    def suggest(self) -> bool:
        """Start the optimiser from the current allocation in the background, with its progress
        (runs of the model against its estimate) and a stop button; what it would change is
        shown when done (with the time it took), unless the allocation changed meanwhile. False
        when a computation is already running (nothing is queued)."""
        state, amounts, bg = self.state, self.state.amounts(), self.background
        t0 = time.perf_counter()
        self.progress = C.Progress(self.lang, lambda text: bg.tell(self._suggest_progress, text), check=bg.check)
        progress = self.progress

        def done(result, error) -> None:
            self.suggestion = None
            if isinstance(error, Cancelled):
                self._say("suggestion", lambda: H.para(self.t("wb.suggest_cancelled", runs=self._runs(progress))))
            elif not np.array_equal(amounts, self.state.amounts()):  # whatever came out, it is for other amounts
                self._say("suggestion", lambda: H.para(self.t("wb.stale")))
            elif error is not None:
                self._say("suggestion", lambda: self._error_html(error))
            else:
                self.suggestion, seconds = result, time.perf_counter() - t0
                words = lambda: H.para(self.t("wb.suggest_done", seconds=self._seconds(seconds)))  # noqa: E731
                self._say("suggestion", lambda: C.suggestion_html(result, state, self.lang) + words())
            show = self.suggestion is not None and len(self.suggestion.changes) > 0
            self.w["apply"].layout.display = "" if show else "none"

        work = lambda: C.suggest(state, amounts, on_runs=progress, on_estimate=progress.estimate)  # noqa: E731
        return self._launch("suggest", "suggestion", work, done)

    def _runs(self, progress) -> str:
        return runs_text(progress.runs, self.lang)

    def _suggest_progress(self, text: str) -> None:
        """Show the running optimiser's progress (on the kernel's thread, via `Background.tell`):
        `text`, said again in the other language on a switch (`Progress.said`, its latest count)."""
        if self.background.name == "suggest" and not self.background.cancelled:
            progress = self.progress
            said = progress.said if progress is not None else (lambda lang: text)

            def make() -> str:
                lines = "<br>".join(H.esc(line) for line in said(self.lang).splitlines())
                return f"<p>{wait_mark()}{H.esc(self.t('wb.working'))}<br>{lines}</p>"

            self._say("suggestion", make)

    def cancel_suggestion(self) -> bool:
        """Stop the running optimiser at its next engine call (False when it is not running)."""
        return self._cancel("suggest")

    def cancel_probabilities(self) -> bool:
        """Stop the running parameter draws after their current chunk (False when not running)."""
        return self._cancel("probability")

    def _cancel(self, name: str) -> bool:
        if self.background.name != name:
            return False
        self.w[STOP[name]].disabled = True
        return self.background.cancel()

    def wait(self, timeout: float | None = None) -> bool:
        """Wait for a running on-demand computation (outside a live kernel: tests, scripts)."""
        return self.background.wait(timeout)

    def apply_suggestion(self) -> None:
        """Take the suggested amounts (checked by the legal frame like any change)."""
        if self.suggestion is None:
            return
        problems = self.state.set_amounts(self.suggestion.amounts, "suggestion")
        self.grid.sync()
        if not problems:
            said = self.words.makers[id(self.w["suggestion"]), "value"][2]
            self._say("suggestion", lambda: said() + H.para(self.t("wb.suggest_applied")))
        self._changed(problems)

    def suggestion_html(self) -> str:
        """What the optimiser's suggestion changes (`C.suggestion_html`); "" without one."""
        return C.suggestion_html(self.suggestion, self.state, self.lang) if self.suggestion is not None else ""
