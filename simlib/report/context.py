"""What a scenario report reads (`ReportContext`): the run, its tables, its parameter draws, the
verdict on every target (`simlib.report.verdict`, computed once here and read by every section,
table and file), the language and the links to the pages around it; and how blocks of HTML and
charts are shown in a notebook.

`prepare` loads and runs a scenario (and its parameter draws) for the report notebook;
`context` wraps a run already in memory (tests, the workbench).
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import pandas as pd

from simlib import i18n
from simlib.calibrate.intervals import programme_intervals
from simlib.errors import InputError
from simlib.options import RunOptions
from simlib.paths import display_path
from simlib.period_targets import targets_for_year
from simlib.report import data, html, verdict
from simlib.report.data import RunTables, unit_names
from simlib.report.levels import district_worded_years
from simlib.runner import run
from simlib.scenario import load_scenario
from simlib.uncertainty.run import run_uncertainty
from simlib.uncertainty.sampling import METHODS

#: the parameter draws a report's command suggests when none were asked (`make reports`' default)
SUGGESTED_DRAWS = 100


@dataclass
class Links:
    """Pages around a report (relative links; None when there is no such page)."""

    index: str | None = None  # the batch's index.html
    uncertainty: str | None = None  # this scenario's uncertainty page
    compare: str | None = None  # the batch's comparison
    report: str | None = None  # the scenario report (from its uncertainty page)


@dataclass
class ReportContext:
    """What every section reads: the run, its tables, the verdicts, the language, display names."""

    result: object  # simlib.runner.RunResult
    tables: RunTables
    lang: str
    unit_names: dict = field(default_factory=dict)
    head: dict = field(default_factory=dict)
    #: the parameter draws (`simlib.uncertainty.UncertaintyResult`), when asked for
    uncertainty: object | None = None
    links: Links = field(default_factory=Links)
    #: why draws were asked for but not run, shown in their place
    uncertainty_note: str = ""
    #: one row per target, area and year (`simlib.report.verdict.verdict_table`)
    verdicts: pd.DataFrame = field(default_factory=pd.DataFrame)
    #: the programme's share of the decline and cost per household lifted out over the posterior
    #: draws of the scenario's transitions (`simlib.calibrate.intervals`), None without a posterior
    intervals: object | None = None
    #: the parameter draws the batch asked of every scenario (0: none asked; `prepare`)
    draws_asked: int = 0

    def t(self, key: str, **kw) -> str:
        return i18n.t(key, self.lang, **kw)

    @property
    def scenario(self):
        return self.result.scenario

    @property
    def area_names(self) -> dict:
        """Display names of every unit a verdict may name: `unit_names` and, for a run whose engine
        switched units, the new units' (`simlib.report.data.unit_names`)."""
        return unit_names(self.scenario, self.lang, switched=True)

    @property
    def draws(self) -> int:
        return self.tables.draws

    @property
    def spread_shown(self) -> bool:
        return self.draws > 1

    @property
    def uncertainty_link(self) -> str | None:
        return self.links.uncertainty

    def unc_tables(self) -> dict | None:
        """The uncertainty tables as `simlib.report.uncertainty` reads them (with the central
        run's indicators for the fan charts), or None without parameter draws."""
        u = self.tables.uncertainty
        return None if u is None else dict(u, indicators=self.tables.indicators)

    def target_probabilities(self):
        """Per target and year: probability of meeting it in every area it covers (None
        without parameter draws); see `simlib.uncertainty.summaries.target_probabilities`."""
        return self.tables.target_probabilities()


def verdicts_of(tables: RunTables, targets_doc: dict | None = None) -> pd.DataFrame:
    """The verdict table of a run's tables (and of its parameter draws, if any)."""
    u = tables.uncertainty or {}
    years = district_worded_years(tables.manifest)  # no district to judge "each poor district" on
    return verdict.verdict_table(
        verdict.without_unit_rows(tables.targets, years),
        tables.indicators,
        verdict.without_unit_rows(u.get("targets"), years),
        verdict.without_unit_rows(u.get("outcomes"), years),
        verdict.plan_years(targets_doc) if targets_doc is not None else None,
    )


def verdict_targets(scen) -> dict:
    """The targets document whose `meta.years` say which years a verdict judges: the scenario's
    own years (the others are history or an outlook, `simlib.report.verdict.year_roles`).

    For most scenarios those are the targets file's years (Plan 415: 2024). A `periods: dated`
    run judges each year's targets in force in it (the 2026–2030 targets are set for every year
    of their period, `simlib.period_targets`) — except a plan (`role: plan`): a plan is judged on
    the targets of the year it plans, its last year; the years before are the bridge from the
    last review to it (plan_2027: the 2024 plan's targets in 2024 and the 2026–2030 ones in 2026
    are shown, never counted)."""
    doc = scen.params["targets"]
    if not scen.dated:
        return doc
    if scen.raw.get("role") == "plan":
        years = [max(int(y) for y in scen.years)]
    else:
        years = verdict.plan_years(doc) or []
        years += [y for y in scen.years if targets_for_year(y).period.kind == "period_targets"]
    return dict(doc, meta=dict(doc.get("meta") or {}, years=years))


def prepare(
    scenario: str | Path,
    options: RunOptions | None = None,
    lang: str = "vi",
    set_items: Sequence[str] = (),
    uncertainty: int = 0,
    sampler: str = "lhs",
    links: Links | None = None,
    draws_folder: str | Path | None = None,
    uncertainty_asked: int = 0,
) -> ReportContext:
    """Load and run a scenario for its report.

    The run takes the engine, draws and seed of `options` (a `RunOptions`; None: its defaults,
    seed the scenario's) and runs serially. With `uncertainty` = N > 0, also run N parameter draws
    (`sampler` lhs | sobol | random, seeded by the run's seed; with the microsimulation, `draws`
    replications each) through `simlib.uncertainty.run_uncertainty` on the executor and jobs of
    `options` (serial by default: inside `simlib batch` the scenarios already run in parallel);
    their per-sample array stays in `draws_folder` when given (the batch compares allocations on
    it). `uncertainty_asked`: the draws the batch asked of every scenario, when it runs fewer of this
    one (`simlib batch --uncertainty-multidim`): the report says so (`uncertainty_note`), with the
    commands that run them all, and links no uncertainty page when it ran none."""
    options = RunOptions.of(options)
    lang = i18n.get_lang(lang)
    scen = load_scenario(scenario, list(set_items or []))
    res = run(scen, options.in_worker())
    unc = None
    if uncertainty:  # both models: a multidimensional draw re-runs its whole model
        unc = run_draws(res, int(uncertainty), sampler=sampler, options=options, folder=draws_folder)
    note = fewer_draws_note(scen, int(uncertainty), int(uncertainty_asked), lang)
    if note and not uncertainty:  # no draws, hence no uncertainty page to link to
        links = replace(links or Links(), uncertainty=None)
    ctx = context(res, lang, unc, links)
    ctx.uncertainty_note, ctx.draws_asked = note, int(uncertainty_asked)
    return ctx


def fewer_draws_note(scen, ran: int, asked: int, lang: str) -> str:
    """Why a batch ran `ran` parameter draws of a scenario while asking `asked` of the others
    (the multidimensional model's cost, `simlib batch --uncertainty-multidim`), in plain words:
    the commands that run them all are in `draws_technical_note`; "" when it ran them all."""
    if ran >= asked:
        return ""
    key = "report.uncertainty.fewer_draws" if ran else "report.uncertainty.no_draws"
    return i18n.t(key, lang, n=ran, asked=asked)


def draws_commands(scen, n: int) -> tuple[str, str]:
    """The commands that run `n` parameter draws of `scen`: alone (`simlib run`), and in the
    report batch for every multidimensional scenario (`make reports`)."""
    path = display_path(scen.file) if scen.file is not None else "<scenario.yaml>"
    return f"simlib run {path} --uncertainty {n} --out …", f"make reports UNCERTAINTY_MULTIDIM={n}"


def no_draws_note(scen, asked: int, lang: str) -> str:
    """The note under the first screen's answer when no parameter draws ran (brief64). The answer
    already says its verdicts follow the central projection, how sure not assessed (report63), so
    the note says what it does not: why none ran — the batch asked `asked` of each scenario but
    none of this multidimensional one (its time budget), or none were asked — and that the
    technical team can run them, in plain words: the commands are in `draws_technical_note`."""
    key = "report.verdict.no_draws_batch" if asked else "report.verdict.no_draws_asked"
    return i18n.t(key, lang, asked=asked)


def draws_technical_note(scen, asked: int, lang: str) -> str:
    """The technical note giving the commands that run the parameter draws a report lacks (polish64):
    a command is for the technical team, never in a leader's sentence, so the notes above
    (`no_draws_note`, `fewer_draws_note`) say it in plain words and point here. `asked`: the draws
    the batch asked of each scenario (both commands); 0 when none were asked (`SUGGESTED_DRAWS`,
    the scenario's command alone)."""
    cmd, batch = draws_commands(scen, asked or SUGGESTED_DRAWS)
    if asked:
        return i18n.t("report.technical.draws_batch", lang, n=asked, command=cmd, batch=batch)
    return i18n.t("report.technical.draws_run", lang, n=SUGGESTED_DRAWS, command=cmd)


def run_draws(result, n: int, sampler: str = "lhs", options: RunOptions | None = None, folder=None):
    """N parameter draws of a run's scenario, with the run's engine, replications and seed, spread
    by the executor, jobs, scheduler and progress of `options` (a `RunOptions`; None: serial)."""
    if n < 1:
        raise InputError("draws", field="uncertainty", value=n)
    if sampler not in METHODS:
        raise InputError("enum", field="sampler", value=sampler, allowed=METHODS)
    m = result.manifest
    options = RunOptions.of(options, engine=m["engine"], draws=int(m["draws"]), seed=m["seed"], chunk=None)
    return run_uncertainty(result.scenario, n, options, method=sampler, folder=folder, central=result)


def context(result, lang: str = "vi", uncertainty=None, links: Links | str | None = None) -> ReportContext:
    """A report context for a run already in memory (and its parameter draws, if any); `links`
    may be the link to the uncertainty page alone (as before)."""
    lang = i18n.get_lang(lang)
    tabs = RunTables.from_result(result)
    units = result.scenario.dataset.units
    names = dict(zip(units["unit_id"], units[i18n.column("name", lang)]))
    if uncertainty is not None:
        u = uncertainty
        tabs.uncertainty = {
            "quantiles": u.quantiles,
            "targets": u.targets,
            "rules": u.rules,
            "outcomes": u.outcomes,
            "parameters": u.parameters,
            "space": u.space,
            "info": u.info,
        }
    if not isinstance(links, Links):
        links = Links(uncertainty=links or None)
    verdicts = verdicts_of(tabs, verdict_targets(result.scenario))
    head = data.headline(tabs.indicators, tabs.targets)
    intervals = programme_intervals(result.scenario, result.model)
    return ReportContext(result, tabs, lang, names, head, uncertainty, links, "", verdicts, intervals)


def to_html(blocks: Sequence) -> str:
    """Blocks as one HTML fragment (charts become embedded PNGs)."""
    return "\n".join(html.figure(b) if isinstance(b, html.Chart) else str(b) for b in blocks)


def show(blocks: Sequence) -> None:
    """Display blocks in a notebook as one HTML output (so the report carries no code); a
    section with nothing to say displays nothing."""
    # local import: IPython only in a notebook session (batch workers and the CLI never show)
    from IPython.display import HTML, display

    if blocks:
        display(HTML(to_html(blocks)))


#: the public code of a budget line (P1.1, P4.3) at the start of a content's code
LINE_CODE = re.compile(r"P\d+(?:\.\d+)?")


def short_name(code: str, catalogue, lang: str, width: int = 46) -> str:
    """`P3.1 Hỗ trợ phát triển sản xuất…`: the code and a short display name (a translation
    key `short.<code>` when there is one, else the catalogue name shortened)."""
    key = f"short.{code}"
    if i18n.has(key):
        name = i18n.t(key, lang)
    elif code in catalogue.lines:
        name = catalogue.lines[code].name(lang)
    elif code in catalogue.projects:
        name = catalogue.projects[code].name(lang)
    else:
        name = code
    # a content's internal suffix (`P4.3.labour_market_system`) is not shown: its name says it
    shown = m.group(0) if (m := LINE_CODE.match(code)) else code
    return f"{shown} " + textwrap.shorten(name, width, placeholder="…")


def full_name(code: str, catalogue, lang: str) -> str:
    """`short_name` without the shortening: the code and whole name, for tables (their cells wrap;
    a name cut short, «… cho các đồn…», reads as a different name)."""
    return short_name(code, catalogue, lang, width=10_000)
