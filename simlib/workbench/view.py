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
- **Either language, switched live.** The header's toggle (`simlib.workbench.language`) says
  every text of the view again in the other language and number format, from the run and the
  amounts held: nothing is projected again and the planner's edits stay (`relabel`).
- **Reopened notebooks.** A plain note, shown before the widgets and hidden by them while they
  are alive, tells a reader of a saved notebook to run the cell again.
"""

from __future__ import annotations

import uuid
from pathlib import Path

from simlib import i18n
from simlib.errors import SimlibError
from simlib.i18n import fmt
from simlib.report import html as H
from simlib.workbench import compare as C
from simlib.workbench.background import Background, Debouncer, settle
from simlib.workbench.cards import money_card, targets_card
from simlib.workbench.charts import LiveRateChart
from simlib.workbench.grid import FIGURE_CLASS, GRID_CSS, TOTAL_CLASS, AmountGrid, amount_text, stale_css
from simlib.workbench.judged import Judge
from simlib.workbench.language import Words, language_toggle
from simlib.workbench.leaving import WATCH_JS, RefusalMark
from simlib.workbench.ondemand import ON_DEMAND, OnDemand
from simlib.workbench.opening import WAIT_CSS, fallback_note, opened, wait_mark
from simlib.workbench.refusals import problems_html
from simlib.workbench.saving import SavePanel
from simlib.workbench.state import AllocationState, Problem
from simlib.workbench.workspace import scenarios_folder

#: seconds a change waits for the next one before the projection runs (in a live kernel)
DEBOUNCE_S = 0.1
BUSY_CSS = (
    ".sl-busy { opacity: .45; transition: opacity .1s; } .sl-problems { color: #a00; font-weight: 600; }"
    " .sl-differs input { font-style: italic; background: #f4f4f4; } " + WAIT_CSS + GRID_CSS
)


class ExplorerView(OnDemand):
    """Amounts by content and source, the live projection side by side with the plan, the
    probability of meeting each target on demand, the optimiser's suggestion, and saving; in
    either language, switched in place (`relabel`)."""

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
        self.progress: C.Progress | None = None  # the optimiser's progress, while it runs
        self.background = Background()  # the on-demand computations, off the kernel's thread
        self.input_problems: list[Problem] = []
        # the total shown is being set from the state, not typed; `_changed` showed the inputs
        self._syncing_total = self._inputs_shown = False
        self.w: dict = {}
        self.words = Words()  # how each text was made, to make it again in another language
        self._build()
        self._debounced = Debouncer(debounce, self.refresh)
        self.refresh()
        settle()

    def t(self, key: str, **kw) -> str:
        return i18n.t(key, self.lang, **kw)

    # -- building -------------------------------------------------------------------------
    def _heading(self, key: str):
        """A bold heading saying `key`'s text (in the language shown)."""
        # local import: ipywidgets only where a widget is drawn (the workbench runs headless too)
        import ipywidgets as W

        heading = W.HTML()
        self.words.put(heading, lambda: f"<b>{H.esc(self.t(key))}</b>")
        return heading

    def _build(self) -> None:
        # local import: ipywidgets only where a widget is drawn (the workbench runs headless too)
        import ipywidgets as W

        put = self.words.put
        self.grid = AmountGrid(self.state, self.lang, self._cell_changed, on_year=self._year_chosen)  # total, card
        self.grid.on_enter = self._entered
        self.refusal = RefusalMark(self._entered)  # leaving the refused box clears its refusal
        stale = stale_css(len(self.grid.options), ".sl-explorer")  # busy while the year shown is not the one chosen
        css = f"{H.notebook_css()}\n{BUSY_CSS}{stale}\n.sl-fallback-{self.uid} {{ display: none !important; }}"
        self.w["style"] = W.HTML(f"<style>{css}</style>")
        self.w["language"] = language_toggle(self.lang, self.relabel)
        put(self.w["language"], lambda: self.t("wb.language"), "description")
        total = W.Text(value="", continuous_update=False)
        total.add_class(TOTAL_CLASS)
        total.observe(self._total_typed, names="value")
        total.on_msg(lambda _w, content, _b: content == {"event": "submit"} and self._entered())
        self.w["total"] = total
        envelope, unit = W.Label(layout=W.Layout(width="330px")), W.Label()
        put(envelope, lambda: self.t("wb.envelope"))
        put(unit, lambda: self.t("wb.total_unit"))
        self.w["problems"], self.w["busy"] = W.HTML(), W.HTML()
        put(self.w["busy"], lambda: f"{wait_mark()}{H.esc(self.t('wb.busy'))}")
        self.w["busy"].layout.visibility = "hidden"
        self.w["cards"], self.w["compare"] = W.HTML(), W.HTML()
        self.w["chart"] = W.HTML()
        self.w["probability"] = W.Button()
        self.w["probability"].on_click(lambda _: self.compute_probabilities())
        self.w["probability_cancel"] = W.Button(icon="stop")
        put(self.w["probability_cancel"], lambda: self.t("wb.suggest_cancel"), "description")
        self.w["probability_cancel"].layout.display = "none"  # shown while the draws run
        self.w["probability_cancel"].on_click(lambda _: self.cancel_probabilities())
        self.w["probability_note"] = W.HTML()
        compare = [self._heading("wb.compare.heading"), self.w["compare"]]
        compare.append(W.HBox([self.w["probability"], self.w["probability_cancel"], self.w["probability_note"]]))
        self.w["results"] = W.VBox([self.w["cards"], self.w["chart"], *compare])
        read = W.HTML()  # the file's 12.500
        put(read, lambda: "".join(H.note(n.message(self.lang)) for n in self.state.base.money_notes))
        top = [self.w["style"], self.w["language"], read, self._heading("wb.amounts")]
        top += [W.HBox([envelope, total, unit]), self.grid.box, self.w["problems"], self.w["busy"]]
        top.append(self.refusal.widget)
        self.saving = SavePanel(self.state, self.lang, self.save_folder, self.w)
        self.unsaved = self.saving.unsaved
        self.w["box"] = W.VBox(top + [self.w["results"], self._build_suggest(), self.saving.box])
        self.w["box"].add_class("sl-explorer")
        for k in ON_DEMAND:
            self._label_button(k)
        for b in (w for w in self.w.values() if isinstance(w, W.Button)):
            b.layout.width = "auto"  # the whole label in either language («Gợi ý phân bổ tốt hơn» was cut)

    def show(self) -> None:
        """Display the fallback note and the widgets."""
        # local import: IPython only inside a notebook
        from IPython.display import HTML, Javascript, display

        display(HTML(fallback_note(self.uid, self.lang)))
        display(Javascript(WATCH_JS))  # leaving a refused box clears its refusal
        display(self.w["box"])

    # -- the language shown ------------------------------------------------------------------
    def relabel(self, lang: str) -> None:
        """Say every text of the view in `lang` ("vi" or "en"; the header's toggle calls it):
        labels, amounts and their number format, cards, chart, table, messages — from the run,
        the amounts and the messages held. Nothing is projected again; the amounts typed, the
        year chosen, the titles and any refusal or result on screen stay, in the other words."""
        lang = i18n.get_lang(lang)
        if lang == self.lang:
            return
        self.lang = lang
        if self.w["language"].value != lang:  # called from code: the toggle follows
            self.w["language"].value = lang
        if self.progress is not None:  # a running optimiser tells its next progress in `lang`
            self.progress.lang = lang
        self._table_cells.clear()  # the side-by-side table's cells were made in the other language
        self.chart.relabel(lang)
        self.grid.relabel(lang)
        self.saving.relabel(lang)
        self.words.redo()
        self._show_total()
        if self.result is not None:
            self.w["cards"].value, self.w["chart"].value = self.cards_html(), self.chart.svg()
            self.w["compare"].value = self.compare_html()

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
        self._show_total()
        totals = [amount_text(self.state.allocated_vnd(y), self.lang) for y in self.state.years[1:]]  # as shown
        differs = self.grid.year is None and len(set(totals)) > 1  # the first year's total shown, as the cells
        (self.w["total"].add_class if differs else self.w["total"].remove_class)("sl-differs")
        refused, found = self.input_problems, self.state.problems()
        self.words.put(self.w["problems"], lambda: problems_html(refused, found, self.lang))
        self._title_changed()
        self.unsaved.update()

    def _show_total(self) -> None:
        """The total box shows the state's total of the year shown (not taken as typed)."""
        self._syncing_total = True
        try:
            # as the cells and the totals by source show amounts: a typed «650,55» is not shown «650,5»
            self.w["total"].value = amount_text(self.state.allocated_vnd(self.grid.year), self.lang)
        finally:
            self._syncing_total = False

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
            self.words.put(
                self.w["problems"], lambda e=exc: f'<p class="sl-problems">{H.esc(e.message(self.lang))}</p>'
            )
            self._set_busy(False)
            return
        self.w["cards"].value, self.w["chart"].value, self.w["compare"].value = cards, chart, compare
        if not self.background.busy:  # a running computation keeps its "computing…" note
            self._say("probability_note", str)
        if not shown:  # else a change showed them just before (`_changed`): the same state
            self._show_inputs()
        self.updates += 1
        self._set_busy(False)

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

    # -- saving -----------------------------------------------------------------------------
    def _title_changed(self, change=None) -> None:
        """Show the file the titles give (`SavePanel.title_changed`)."""
        if hasattr(self, "saving"):
            self.saving.title_changed()

    def save(self, overwrite: bool = False) -> Path | None:
        """Save as the titles say; every refusal is shown in the status line. Returns the file."""
        return self.saving.save(overwrite)


def explore(scenario: str | Path, lang: str = "vi", save_dir=None, debounce: float = DEBOUNCE_S) -> ExplorerView:
    """Open the explorer on a scenario file and display it (the notebook's one call)."""
    view = opened(lambda: ExplorerView(AllocationState.load(scenario), lang, save_dir, debounce), lang)
    view.show()
    return view
