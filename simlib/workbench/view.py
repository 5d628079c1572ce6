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
- **Refused, not bent.** A typed envelope that cannot be read is refused with a message and the
  state kept; the state's validators (and later the legal frame) are shown in words; saving
  goes to the workspace with titles, a derived file name and an explicit overwrite.
- **Reopened notebooks.** A plain note, shown before the widgets and hidden by them while they
  are alive, tells a reader of a saved notebook to run the cell again.
"""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path

from simlib import i18n
from simlib.errors import SimlibError
from simlib.i18n import fmt
from simlib.paths import display_path
from simlib.report import html as H
from simlib.workbench.charts import LiveRateChart
from simlib.workbench.state import AllocationState, Problem
from simlib.workbench.workspace import plan_save, save, scenarios_folder

#: seconds a change waits for the next one before the projection runs (in a live kernel)
DEBOUNCE_S = 0.25
BUSY_CSS = ".sl-busy { opacity: .45; transition: opacity .1s; } .sl-problems { color: #a00; font-weight: 600; }"


class Debouncer:
    """Call `fn` once, `delay` seconds after the last of a burst of calls — on the running event
    loop (a kernel's); with no running loop or no delay, at once."""

    def __init__(self, delay: float, fn):
        self.delay, self.fn, self._handle = float(delay), fn, None

    def __call__(self) -> None:
        if self._handle is not None:
            self._handle.cancel()
            self._handle = None
        try:
            loop = asyncio.get_running_loop() if self.delay > 0 else None
        except RuntimeError:
            loop = None
        if loop is None:
            self.fn()
        else:
            self._handle = loop.call_later(self.delay, self._fire)

    def _fire(self) -> None:
        self._handle = None
        self.fn()


def fallback_note(uid: str, lang: str) -> str:
    """What a reopened notebook shows where the widgets were (both languages; hidden by the
    live widgets' stylesheet)."""
    text = f"{i18n.t('wb.rerun', 'vi')} / {i18n.t('wb.rerun', 'en')}"
    style = "border-left:4px solid #111;background:#f2f2f2;padding:.4em .8em;margin:.4em 0"
    return f'<div class="sl-fallback-{uid}" style="{style}">{H.esc(text)}</div>'


class ExplorerView:
    """Sliders for project weights, the yearly envelope, the live projection and saving."""

    def __init__(self, state: AllocationState, lang: str = "vi", save_folder=None, debounce: float = DEBOUNCE_S):
        self.state, self.lang = state, i18n.get_lang(lang)
        self.save_folder = Path(save_folder) if save_folder else scenarios_folder()
        self.uid = uuid.uuid4().hex[:12]
        self.start = state.evaluate()
        self.result = self.start
        self.chart = LiveRateChart(self.start.indicators, self.start.targets, self.lang)
        self.updates = 0  # completed view updates (tests and the benchmark read it)
        self._start_head: dict | None = None  # the starting scenario's headline numbers
        self.input_problems: dict[str, Problem] = {}
        self.w: dict = {}
        self._build()
        self._debounced = Debouncer(debounce, self.refresh)
        self.refresh()

    def t(self, key: str, **kw) -> str:
        return i18n.t(key, self.lang, **kw)

    # -- building -------------------------------------------------------------------------
    def _build(self) -> None:
        import ipywidgets as W

        from simlib.report.scenario_report import short_name

        css = f"{H.notebook_css()}\n{BUSY_CSS}\n.sl-fallback-{self.uid} {{ display: none !important; }}"
        self.w["style"] = W.HTML(f"<style>{css}</style>")
        self.w["weights"], self.w["shares"], rows = {}, {}, []
        for p in self.state.projects:
            share = self.state.shares()[p]
            s = W.FloatSlider(value=round(100 * share, 1), min=0, max=100, step=0.5, continuous_update=False)
            s.layout.width = "300px"
            self.w["weights"][p], self.w["shares"][p] = s, W.HTML()
            name = short_name(p, self.state.base.catalogue, self.lang, 44)
            rows.append(W.HBox([W.Label(name, layout=W.Layout(width="330px")), s, self.w["shares"][p]]))
            s.observe(self._changed, names="value")
        env = W.Text(value=fmt.number(self.state.envelope_vnd / 1e9, self.lang, 1), continuous_update=False)
        env.observe(self._changed, names="value")
        self.w["envelope"] = env
        env_row = W.HBox(
            [W.Label(self.t("wb.envelope"), layout=W.Layout(width="330px")), env, W.Label(self.t("unit.billion_vnd"))]
        )
        self.w["problems"], self.w["busy"] = W.HTML(), W.HTML(f"⏳ {self.t('wb.busy')}")
        self.w["busy"].layout.visibility = "hidden"
        self.w["cards"], self.w["scorecard"] = W.HTML(), W.HTML()
        self.w["chart"] = W.Image(format="png")
        self.w["results"] = W.VBox([self.w["cards"], self.w["chart"], self.w["scorecard"]])
        heading = W.HTML(f"<b>{H.esc(self.t('wb.weights'))}</b>")
        top = [self.w["style"], heading, *rows, env_row, self.w["problems"], self.w["busy"]]
        self.w["box"] = W.VBox(top + [self.w["results"], self._build_save()])

    def _build_save(self):
        import ipywidgets as W

        wide = W.Layout(width="520px")
        self.w["title_vi"] = W.Text(
            description=self.t("wb.title_vi"), layout=wide, style={"description_width": "150px"}
        )
        self.w["title_en"] = W.Text(
            description=self.t("wb.title_en"), layout=wide, style={"description_width": "150px"}
        )
        self.w["file"], self.w["status"] = W.HTML(), W.HTML()
        self.w["save"] = W.Button(description=self.t("wb.save"), icon="save", button_style="primary")
        self.w["overwrite"] = W.Button(description=self.t("wb.overwrite"), button_style="warning")
        self.w["overwrite"].layout.display = "none"
        for k in ("title_vi", "title_en"):
            self.w[k].observe(self._title_changed, names="value")
        self.w["save"].on_click(lambda _: self.save())
        self.w["overwrite"].on_click(lambda _: self.save(overwrite=True))
        self._title_changed()
        buttons = W.HBox([self.w["save"], self.w["overwrite"]])
        heading = W.HTML(f"<b>{H.esc(self.t('wb.save_heading'))}</b>")
        return W.VBox([heading, self.w["title_vi"], self.w["title_en"], self.w["file"], buttons, self.w["status"]])

    def show(self) -> None:
        """Display the fallback note and the widgets."""
        from IPython.display import HTML, display

        display(HTML(fallback_note(self.uid, self.lang)))
        display(self.w["box"])

    # -- changes ----------------------------------------------------------------------------
    def _changed(self, change=None) -> None:
        """A control moved: take the inputs into the state, then project (debounced)."""
        for p, s in self.w["weights"].items():
            self.state.set_weight(p, s.value)  # sliders only give numbers in range
        refused = self.state.set_envelope(self.w["envelope"].value, self.lang)
        self.input_problems = {p.where: p for p in refused}
        self._show_inputs()
        self._set_busy(True)
        self._debounced()

    def _show_inputs(self) -> None:
        for p, share in self.state.shares().items():
            self.w["shares"][p].value = f"→ {H.esc(fmt.percent(100 * share, self.lang, 1))}"
        problems = list(self.input_problems.values()) + self.state.problems()
        items = [H.esc(p.message(self.lang)) for p in problems]
        if "envelope" in self.input_problems:
            items[0] += " " + H.esc(
                self.t("wb.envelope_kept", value=fmt.number(self.state.envelope_vnd / 1e9, self.lang, 1))
            )
        self.w["problems"].value = (
            H.bullet_list(items, raw=True).replace("sl-list", "sl-list sl-problems") if items else ""
        )
        self._title_changed()

    def _set_busy(self, on: bool) -> None:
        self.w["busy"].layout.visibility = "visible" if on else "hidden"
        (self.w["results"].add_class if on else self.w["results"].remove_class)("sl-busy")

    def refresh(self) -> None:
        """Project the current allocation and update every result widget together."""
        try:
            self.result = self.state.evaluate()
            self.chart.update(self.result.indicators)
            cards, png, score = self.cards_html(), self.chart.png(), self.scorecard_html()
        except SimlibError as exc:  # e.g. an allocation the engine refuses: say so, keep the view
            self.w["problems"].value = f'<p class="sl-problems">{H.esc(exc.message(self.lang))}</p>'
            self._set_busy(False)
            return
        self.w["cards"].value, self.w["chart"].value, self.w["scorecard"].value = cards, png, score
        self._show_inputs()
        self.updates += 1
        self._set_busy(False)

    # -- results ----------------------------------------------------------------------------
    def cards_html(self) -> str:
        """Headline cards of the current run, with the change against the starting scenario."""
        from simlib.report.data import headline

        h = headline(self.result.indicators, self.result.targets)
        if self._start_head is None:
            self._start_head = headline(self.start.indicators, self.start.targets)
        h0 = self._start_head
        L, y0, y1 = self.lang, h["year_start"], h["year_end"]
        d_rate = h["poor_rate_end"] - h0["poor_rate_end"]
        d_poor = h["poor_end"] - h0["poor_end"]
        cards = [
            (self.t("wb.card.money"), fmt.billion_vnd(self.state.allocated_vnd(), L), self.t("wb.card.per_year")),
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
            (
                self.t("report.card.targets_met", year=y1),
                f"{h['targets_met']}/{h['targets_total']}",
                self.t("report.card.years", y0=y0, y1=y1),
            ),
        ]
        return H.cards(cards)

    def scorecard_html(self) -> str:
        from simlib.report.scenario_report import scorecard_html

        units = self.state.base.dataset.units
        names = dict(zip(units["unit_id"], units[i18n.column("name", self.lang)]))
        return scorecard_html(self.result.targets, self.lang, names, False)

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
        self.w["status"].value = f"<b>✓</b> {H.esc(self.t('wb.saved', path=display_path(path)))}"
        return path


def explore(scenario: str | Path, lang: str = "vi", save_dir=None, debounce: float = DEBOUNCE_S) -> ExplorerView:
    """Open the explorer on a scenario file and display it (the notebook's one call)."""
    view = ExplorerView(AllocationState.load(scenario), lang, save_dir, debounce)
    view.show()
    return view
