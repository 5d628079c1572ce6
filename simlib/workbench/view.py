"""The explorer's widgets (JupyterLab), a view over an `AllocationState`.

Design points (issue 17):

- **Never hangs headless.** Nothing is shown through an `ipywidgets.Output` widget: results go
  into `HTML` and `Image` widgets whose `value` is set. An Output widget makes a notebook
  executor that mimics the front end (nbclient, used by papermill and nbval) answer on the
  kernel's shell channel while it waits on that same channel for the cell's reply; with pyzmq's
  edge-triggered sockets that wake-up can be lost and the run waits forever.
- **Updated in place.** The widgets are made once; a change sets their values (the chart is a
  `LiveRateChart` whose lines move), so nothing is re-created and nothing flashes. Changes
  arriving in quick succession are merged (`Debouncer`), a busy mark shows while the projection
  runs, and all result widgets change together at the end.
- **Amounts, refused not bent.** The planner types billion VND per content and source
  (`AmountGrid`) or a year's total (every amount scaled); the state takes a change only when the
  legal frame's own check finds no new breach, else the cell keeps the state's amount and the
  reasons are listed (rule and legal source). Saving goes to the workspace with titles, a
  derived file name and an explicit overwrite.
- **A year switch is safe.** Until the chosen year's amounts are shown the grid is busy (a ring
  beside the year control, the cells and the total hidden at once, drawn by the browser from the
  choice on) and a value typed meanwhile is refused (`simlib.workbench.grid`). A refusal of
  the legal frame names the cell typed; Enter, or leaving the refused box, clears a refusal
  (`simlib.workbench.leaving`).
- **Side by side with the plan.** Every target's value and verdict for the starting scenario
  and for the allocation, and the change in points and households; the probability of meeting
  each target on demand (`compare.probabilities`); the optimiser's suggestion from the current
  allocation (`compare.suggest`), applied only on request and checked like any change.
- **Reopened notebooks.** A plain note, shown before the widgets and hidden by them while they
  are alive, tells a reader of a saved notebook to run the cell again.
"""

from __future__ import annotations

import time
import uuid
from pathlib import Path

import numpy as np

from simlib import i18n
from simlib.allocate.progress import runs_text
from simlib.errors import SimlibError
from simlib.i18n import fmt
from simlib.paths import display_path
from simlib.report import html as H
from simlib.workbench import compare as C
from simlib.workbench.background import Background, Cancelled, Debouncer, settle
from simlib.workbench.cards import money_card, targets_card
from simlib.workbench.charts import LiveRateChart
from simlib.workbench.grid import FIGURE_CLASS, GRID_CSS, TOTAL_CLASS, AmountGrid, amount_text, stale_css
from simlib.workbench.judged import Judge
from simlib.workbench.leaving import WATCH_JS, RefusalMark
from simlib.workbench.opening import WAIT_CSS, fallback_note, opened, wait_mark
from simlib.workbench.refusals import UnsavedNote, problems_html
from simlib.workbench.state import AllocationState, Problem
from simlib.workbench.workspace import plan_save, save, scenarios_folder

#: seconds a change waits for the next one before the projection runs (in a live kernel)
DEBOUNCE_S = 0.1
#: the buttons of the on-demand computations (off while one runs)
ON_DEMAND = ("probability", "suggest", "apply")
#: the stop button of each on-demand computation (shown while it runs)
STOP = {"probability": "probability_cancel", "suggest": "suggest_cancel"}
BUSY_CSS = (
    ".sl-busy { opacity: .45; transition: opacity .1s; } .sl-problems { color: #a00; font-weight: 600; }"
    " .sl-differs input { font-style: italic; background: #f4f4f4; } " + WAIT_CSS + GRID_CSS
)


class ExplorerView:
    """Amounts by content and source, the live projection side by side with the plan, the
    probability of meeting each target on demand, the optimiser's suggestion, and saving."""

    def __init__(self, state: AllocationState, lang: str = "vi", save_folder=None, debounce: float = DEBOUNCE_S):
        self.state, self.lang = state, i18n.get_lang(lang)
        self.save_folder = Path(save_folder) if save_folder else scenarios_folder()
        self.uid = uuid.uuid4().hex[:12]
        self.start = self.result = state.evaluate()
        self.levels = self.start.levels(state.base)  # communes or districts each year, for labels
        self.chart = LiveRateChart(self.start.indicators, self.start.targets, self.lang, self.levels)
        self.updates = 0  # completed view updates (tests and the benchmark read it)
        self._start_head: dict | None = None  # the starting scenario's headline numbers
        self.judge = Judge()  # the current run's verdicts, from a layout made once (no draws)
        self._table_cells: dict = {}  # the side-by-side table's cells kept between changes
        self._side_by_side, self._heads = C.SideBySide(), C.HeadRows()  # ... its rows; the cards' rows
        self._plan_verdicts = C.verdicts(self.start)
        self.unc_plan = self.unc_now = None  # uncertainty runs behind the probabilities shown
        self.suggestion: C.Suggestion | None = None
        self.background = Background()  # the on-demand computations, off the kernel's thread
        self.input_problems: list[Problem] = []
        # the total shown is being set from the state, not typed; `_changed` showed the inputs
        self._syncing_total = self._inputs_shown = False
        self.w: dict = {}
        self._build()
        self._debounced = Debouncer(debounce, self.refresh)
        self.refresh()
        settle()

    def t(self, key: str, **kw) -> str:
        return i18n.t(key, self.lang, **kw)

    # -- building -------------------------------------------------------------------------
    def _build(self) -> None:
        # local import: ipywidgets only where a widget is drawn (the workbench runs headless too)
        import ipywidgets as W

        self.grid = AmountGrid(self.state, self.lang, self._cell_changed, on_year=self._year_chosen)  # total, card
        self.grid.on_enter = self._entered
        self.refusal = RefusalMark(self._entered)  # leaving the refused box clears its refusal
        stale = stale_css(len(self.grid.options), ".sl-explorer")  # busy while the year shown is not the one chosen
        css = f"{H.notebook_css()}\n{BUSY_CSS}{stale}\n.sl-fallback-{self.uid} {{ display: none !important; }}"
        self.w["style"] = W.HTML(f"<style>{css}</style>")
        total = W.Text(value="", continuous_update=False)
        total.add_class(TOTAL_CLASS)
        total.observe(self._total_typed, names="value")
        total.on_msg(lambda _w, content, _b: content == {"event": "submit"} and self._entered())
        self.w["total"] = total
        total_row = W.HBox(
            [W.Label(self.t("wb.envelope"), layout=W.Layout(width="330px")), total, W.Label(self.t("wb.total_unit"))]
        )
        self.w["problems"], self.w["busy"] = W.HTML(), W.HTML(f"{wait_mark()}{H.esc(self.t('wb.busy'))}")
        self.w["busy"].layout.visibility = "hidden"
        self.w["cards"], self.w["compare"] = W.HTML(), W.HTML()
        self.w["chart"] = W.HTML()
        self.w["probability"] = W.Button(description=self.t("wb.probability"), icon="calculator")
        self.w["probability"].on_click(lambda _: self.compute_probabilities())
        self.w["probability_cancel"] = W.Button(description=self.t("wb.suggest_cancel"), icon="stop")
        self.w["probability_cancel"].layout.display = "none"  # shown while the draws run
        self.w["probability_cancel"].on_click(lambda _: self.cancel_probabilities())
        self.w["probability_note"] = W.HTML()
        compare = [W.HTML(f"<b>{H.esc(self.t('wb.compare.heading'))}</b>"), self.w["compare"]]
        compare.append(W.HBox([self.w["probability"], self.w["probability_cancel"], self.w["probability_note"]]))
        self.w["results"] = W.VBox([self.w["cards"], self.w["chart"], *compare])
        heading = W.HTML(f"<b>{H.esc(self.t('wb.amounts'))}</b>")
        read = W.HTML("".join(H.note(n.message(self.lang)) for n in self.state.base.money_notes))  # the file's 12.500
        top = [self.w["style"], read, heading, total_row, self.grid.box, self.w["problems"], self.w["busy"]]
        top.append(self.refusal.widget)
        self.w["box"] = W.VBox(top + [self.w["results"], self._build_suggest(), self._build_save()])
        self.w["box"].add_class("sl-explorer")
        for b in (w for w in self.w.values() if isinstance(w, W.Button)):
            b.layout.width = "auto"  # the whole label in either language («Gợi ý phân bổ tốt hơn» was cut)

    def _build_suggest(self):
        # local import: ipywidgets only where a widget is drawn (the workbench runs headless too)
        import ipywidgets as W

        self.w["suggest"] = W.Button(description=self.t("wb.suggest"), icon="magic", button_style="info")
        self.w["apply"] = W.Button(description=self.t("wb.suggest_apply"), button_style="success")
        self.w["apply"].layout.display = "none"
        self.w["suggest_cancel"] = W.Button(description=self.t("wb.suggest_cancel"), icon="stop")
        self.w["suggest_cancel"].layout.display = "none"  # shown while the optimiser runs
        self.w["suggestion"] = W.HTML()
        self.w["suggest"].on_click(lambda _: self.suggest())
        self.w["apply"].on_click(lambda _: self.apply_suggestion())
        self.w["suggest_cancel"].on_click(lambda _: self.cancel_suggestion())
        heading = W.HTML(f"<b>{H.esc(self.t('wb.suggest_heading'))}</b>")
        buttons = W.HBox([self.w["suggest"], self.w["apply"], self.w["suggest_cancel"]])
        return W.VBox([heading, buttons, self.w["suggestion"]])

    def _build_save(self):
        # local import: ipywidgets only where a widget is drawn (the workbench runs headless too)
        import ipywidgets as W

        wide, label = W.Layout(width="520px"), {"description_width": "150px"}
        self.w["title_vi"] = W.Text(description=self.t("wb.title_vi"), layout=wide, style=label)
        self.w["title_en"] = W.Text(description=self.t("wb.title_en"), layout=wide, style=label)
        self.w["file"], self.w["status"] = W.HTML(), W.HTML()
        self.w["save"] = W.Button(description=self.t("wb.save"), icon="save", button_style="primary")
        self.w["overwrite"] = W.Button(description=self.t("wb.overwrite"), button_style="warning")
        self.w["overwrite"].layout.display = "none"
        for k in ("title_vi", "title_en"):
            self.w[k].observe(self._title_changed, names="value")
        self.w["save"].on_click(lambda _: self.save())
        self.w["overwrite"].on_click(lambda _: self.save(overwrite=True))
        self._title_changed()
        self.unsaved = UnsavedNote(self.state, self.lang)  # while amounts are not saved: a restart loses them
        buttons = W.HBox([self.w["save"], self.w["overwrite"], self.unsaved.widget])
        heading = W.HTML(f"<b>{H.esc(self.t('wb.save_heading'))}</b>")
        return W.VBox([heading, self.w["title_vi"], self.w["title_en"], self.w["file"], buttons, self.w["status"]])

    def show(self) -> None:
        """Display the fallback note and the widgets."""
        # local import: IPython only inside a notebook
        from IPython.display import HTML, Javascript, display

        display(HTML(fallback_note(self.uid, self.lang)))
        display(Javascript(WATCH_JS))  # leaving a refused box clears its refusal
        display(self.w["box"])

    # -- changes ----------------------------------------------------------------------------
    def _total_typed(self, change=None) -> None:
        if self._syncing_total:
            return
        if self.grid.pending:  # typed before the chosen year's total was shown: taken for no year
            self._changed([self.grid.pending_problem("total", self.w["total"].value)], self.w["total"])
            return
        problems = self.state.set_total(self.w["total"].value, self.grid.year, self.lang)
        self.grid.sync()
        self._changed(problems, self.w["total"])

    def _entered(self) -> None:
        """Enter in a cell or the total, or the refused box left: a refusal on screen goes (the
        browser sends no value when the amount shown is typed again; a new value, sent before
        the leaving and after Enter, is checked as ever)."""
        self.refusal.clear()
        if self.input_problems:
            self.input_problems = []
            self._show_inputs()

    def _cell_changed(self, problems: list[Problem]) -> None:
        """A value typed in a cell (`grid.typed`) was taken or refused (`_changed`)."""
        self._changed(problems, self.grid.typed)

    def _changed(self, problems: list[Problem], typed=None) -> None:
        """A control was used (a value typed in the box `typed`): show what was refused (the state
        is unchanged then, the box marked: leaving it clears the refusal) or project the new
        allocation (debounced)."""
        self.input_problems = list(problems)
        self.refusal.mark(typed) if problems and typed is not None else self.refusal.clear()  # the box refused
        self._show_inputs()
        if problems:
            return
        self._inputs_shown = True  # the refresh that follows need not show them again
        self.unc_now = None  # the probabilities shown belonged to the previous allocation
        self.suggestion = None  # ... and the suggestion too: it can no longer be applied
        self.w["apply"].layout.display = "none"
        self._set_busy(True)
        self._debounced()

    def _year_chosen(self) -> None:
        self._show_inputs()
        if self.result is not None:  # the money card follows the year shown
            self.w["cards"].value = self.cards_html()

    def _show_inputs(self) -> None:
        self._syncing_total = True
        try:
            # as the cells and the totals by source show amounts: a typed «650,55» is not shown «650,5»
            self.w["total"].value = amount_text(self.state.allocated_vnd(self.grid.year), self.lang)
        finally:
            self._syncing_total = False
        totals = [amount_text(self.state.allocated_vnd(y), self.lang) for y in self.state.years[1:]]  # as shown
        differs = self.grid.year is None and len(set(totals)) > 1  # the first year's total shown, as the cells
        (self.w["total"].add_class if differs else self.w["total"].remove_class)("sl-differs")
        self.w["problems"].value = problems_html(self.input_problems, self.state.problems(), self.lang)
        self._title_changed()
        self.unsaved.update()

    def _set_busy(self, on: bool) -> None:
        self.w["busy"].layout.visibility = "visible" if on else "hidden"
        (self.w["results"].add_class if on else self.w["results"].remove_class)("sl-busy")

    def refresh(self) -> None:
        """Project the current allocation and update every result widget together."""
        shown, self._inputs_shown = self._inputs_shown, False
        try:
            self.result = self.state.evaluate()
            self.chart.update(self.result.indicators, self.result.rows)
            cards, chart, compare = self.cards_html(), self.chart.svg(), self.compare_html()
        except SimlibError as exc:  # e.g. an allocation the engine refuses: say so, keep the view
            self.w["problems"].value = f'<p class="sl-problems">{H.esc(exc.message(self.lang))}</p>'
            self._set_busy(False)
            return
        self.w["cards"].value, self.w["chart"].value, self.w["compare"].value = cards, chart, compare
        if not self.background.busy:  # a running computation keeps its "computing…" note
            self.w["probability_note"].value = ""
        if not shown:  # else a change showed them just before (`_changed`): the same state
            self._show_inputs()
        self.updates += 1
        self._set_busy(False)

    # -- on demand, in the background: probabilities and the optimiser's suggestion ----------
    def _launch(self, name: str, note: str, work, done) -> bool:
        """Run `work` off the kernel's thread with `name`'s button in the "computing…" state, the
        widget `note` saying so and every on-demand button off; `done(result, error)` once it
        ends. False (nothing started, nothing queued) while another computation runs. `name`'s
        stop button (`STOP`) shows while it runs."""
        if self.background.busy:
            return False
        self.w[note].value = f"{wait_mark()}{H.esc(self.t('wb.working'))}"
        labels = {k: (self.w[k].description, self.w[k].icon) for k in ON_DEMAND}
        for k in ON_DEMAND:
            self.w[k].disabled = True
        self.w[name].description, self.w[name].icon = self.t("wb.working"), "hourglass-half"
        stop = self.w.get(STOP.get(name, ""))
        if stop is not None:
            stop.disabled, stop.layout.display = False, ""

        def finish(result, error) -> None:
            for k in ON_DEMAND:
                self.w[k].disabled = False
                self.w[k].description, self.w[k].icon = labels[k]
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
            if isinstance(error, Cancelled):
                self.w["probability_note"].value = H.esc(self.t("wb.probability_cancelled", done=sum(told), n=total))
                return
            if error is not None:
                self.w["probability_note"].value = self._error_html(error)
                return
            self.unc_plan = result[0]
            if not np.array_equal(amounts, self.state.amounts()):
                self.w["probability_note"].value = H.esc(self.t("wb.stale"))
                return
            self.unc_now = result[1]
            self.w["compare"].value = self.compare_html()
            seconds = fmt.number(time.perf_counter() - t0, self.lang, 1)
            self.w["probability_note"].value = H.esc(self.t("wb.probability_done", n=n, seconds=seconds))

        return self._launch("probability", "probability_note", work, done)

    def _probability_progress(self, done: int, total: int) -> None:
        """Show the running draws' progress (on the kernel's thread, via `Background.tell`)."""
        if self.background.name == "probability" and not self.background.cancelled:
            text = self.t("wb.probability_progress", done=done, n=total)
            self.w["probability_note"].value = f"{wait_mark()}{H.esc(self.t('wb.working'))} {H.esc(text)}"

    def suggest(self) -> bool:
        """Start the optimiser from the current allocation in the background, with its progress
        (runs of the model against its estimate) and a stop button; what it would change is
        shown when done (with the time it took), unless the allocation changed meanwhile. False
        when a computation is already running (nothing is queued)."""
        state, amounts, bg = self.state, self.state.amounts(), self.background
        t0 = time.perf_counter()
        progress = C.Progress(self.lang, lambda text: bg.tell(self._suggest_progress, text), check=bg.check)

        def done(result, error) -> None:
            self.suggestion = None
            if isinstance(error, Cancelled):
                runs = runs_text(progress.runs, self.lang)
                self.w["suggestion"].value = H.para(self.t("wb.suggest_cancelled", runs=runs))
            elif not np.array_equal(amounts, self.state.amounts()):  # whatever came out, it is for other amounts
                self.w["suggestion"].value = H.para(self.t("wb.stale"))
            elif error is not None:
                self.w["suggestion"].value = self._error_html(error)
            else:
                self.suggestion = result
                seconds = fmt.number(time.perf_counter() - t0, self.lang, 1)
                self.w["suggestion"].value = self.suggestion_html() + H.para(self.t("wb.suggest_done", seconds=seconds))
            show = self.suggestion is not None and len(self.suggestion.changes) > 0
            self.w["apply"].layout.display = "" if show else "none"

        work = lambda: C.suggest(state, amounts, on_runs=progress, on_estimate=progress.estimate)  # noqa: E731
        return self._launch("suggest", "suggestion", work, done)

    def _suggest_progress(self, text: str) -> None:
        """Show the running optimiser's progress (on the kernel's thread, via `Background.tell`)."""
        if self.background.name == "suggest" and not self.background.cancelled:
            lines = "<br>".join(H.esc(line) for line in text.splitlines())
            self.w["suggestion"].value = f"<p>{wait_mark()}{H.esc(self.t('wb.working'))}<br>{lines}</p>"

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
            self.w["suggestion"].value += H.para(self.t("wb.suggest_applied"))
        self._changed(problems)

    # -- results ----------------------------------------------------------------------------
    def cards_html(self) -> str:
        """Headline cards of the current run, with the change against the starting scenario."""
        h = C.key_numbers(self.result.indicators, self.result.targets, self.judge.met_in, self._heads(self.result))
        if self._start_head is None:
            self._start_head = C.key_numbers(self.start.indicators, self.start.targets)
        h0 = self._start_head
        L, y1 = self.lang, h["year_end"]
        d_rate = h["poor_rate_end"] - h0["poor_rate_end"]
        d_poor = h["poor_end"] - h0["poor_end"]
        cards = [
            (*money_card(self.state, self.grid.year, L), FIGURE_CLASS),  # greyed while a year switches
            (
                self.t("report.card.poor_rate"),
                f"{fmt.percent(h['poor_rate_start'], L)} → {fmt.percent(h['poor_rate_end'], L)}",
                self.t("wb.card.vs_start", delta=fmt.points(d_rate, L)),
            ),
            (
                self.t("wb.card.poor_end", year=y1),
                fmt.households(h["poor_end"], L),
                self.t(
                    "wb.card.vs_start",
                    delta=("+" if d_poor > 0 else "−" if d_poor < 0 else "±") + fmt.households(abs(d_poor), L),
                ),
            ),
            (self.t("report.card.fewer_poor", y1=y1), fmt.households(h["poor_fewer_end"], L), ""),
            targets_card(h, self.lang, self.levels),
        ]
        return H.cards(cards)

    def compare_html(self) -> str:
        """The targets side by side with the plan (probabilities where computed)."""
        plan = C.verdicts(self.start, self.unc_plan) if self.unc_plan is not None else self._plan_verdicts
        now = C.verdicts(self.result, self.unc_now) if self.unc_now is not None else self._verdicts_now()
        table = C.side_by_side_html(self._side_by_side(plan, now), self.lang, self.levels, self._table_cells)
        return table + C.rebase_note(self.result.targets, self.lang)

    def _verdicts_now(self):
        """`C.verdicts(self.result)` (no draws), filled in from the judge's layout."""
        return self.judge.verdicts(self.result.targets, self.result.indicators, self.result.rows)

    def suggestion_html(self) -> str:
        """What the optimiser's suggestion changes (`C.suggestion_html`); "" without one."""
        return C.suggestion_html(self.suggestion, self.state, self.lang) if self.suggestion is not None else ""

    # -- saving -----------------------------------------------------------------------------
    def _plan(self):
        return plan_save(self.state, self.w["title_vi"].value, self.w["title_en"].value, self.save_folder)

    def _title_changed(self, change=None) -> None:
        """Show the file the titles give (or why there is none); hide a stale overwrite offer."""
        if "file" not in self.w:
            return
        self.w["overwrite"].layout.display = "none"
        plan = self._plan()
        if plan.path is not None:
            self.w["file"].value = f"<span class='sl-small'>→ {H.esc(display_path(plan.path))}</span>"
        else:
            self.w["file"].value = ""

    def save(self, overwrite: bool = False) -> Path | None:
        """Save as the titles say; every refusal is shown in the status line. Returns the file."""
        plan = self._plan()
        if plan.problems:
            items = [H.esc(p.message(self.lang)) for p in plan.problems]
            self.w["status"].value = "<b>✗</b> " + "; ".join(items)
            return None
        if plan.exists and not overwrite:
            self.w["status"].value = "<b>?</b> " + H.esc(self.t("wb.save_exists", path=display_path(plan.path)))
            self.w["overwrite"].layout.display = ""
            return None
        try:
            path = save(self.state, plan, overwrite=overwrite)
        except SimlibError as exc:
            self.w["status"].value = f"<b>✗</b> {H.esc(exc.message(self.lang))}"
            return None
        self.w["overwrite"].layout.display = "none"
        self.unsaved.saved()
        self.w["status"].value = f"<b>✓</b> {H.esc(self.t('wb.saved', path=display_path(path)))}"
        return path


def explore(scenario: str | Path, lang: str = "vi", save_dir=None, debounce: float = DEBOUNCE_S) -> ExplorerView:
    """Open the explorer on a scenario file and display it (the notebook's one call)."""
    view = opened(lambda: ExplorerView(AllocationState.load(scenario), lang, save_dir, debounce), lang)
    view.show()
    return view
