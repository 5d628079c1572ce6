"""The explored allocation side by side with the plan (the starting scenario), without widgets.

- `side_by_side(plan, now)`: one row per target, area and year (the targets' named areas, not
  their districts): the plan's and the allocation's projected value and verdict, the change in
  the target's unit (points for rates) and, for rates, in households;
- `probabilities(scen, n, base=)`: the probability of meeting each target over `n` parameter draws
  of the uncertainty analysis (expected engine, no rules), the draws' models compiled once per
  starting scenario (`draw_set`) and only the amounts swapped for each allocation;
- `suggest(state)`: the certified optimiser (`simlib.allocate.optimize`) run from the current
  allocation, under the same rules, with the same money per source and year; what it changes
  (on the multidimensional model at the optimiser's economy effort, with progress and a stop),
  and the province's targets the suggested split still misses (`unmet`: the words of `simlib
  optimize`, `simlib.allocate.summary.unmet_record`).
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass

import numpy as np
import pandas as pd

from simlib import i18n
from simlib.allocate.progress import estimate_text, progress_text
from simlib.i18n import fmt
from simlib.memo import memoised
from simlib.options import RunOptions
from simlib.report import data as D
from simlib.report import html as H
from simlib.report import scorecard as S
from simlib.report import verdict as V
from simlib.report.levels import Levels
from simlib.runner import run as run_scenario
from simlib.targets import target_specs
from simlib.workbench.layout import cell_label
from simlib.workbench.project import what_if

KEYS = ["target_id", "geo_type", "geo", "year"]
#: parameter draws behind the probabilities the explorer shows
DRAWS = 200
#: draws per chunk when progress is told (`probabilities`): a stop waits for at most these
PROGRESS_DRAWS = 4


#: province indicators of the headline cards
HEAD = ("poor_rate", "poor", "poor_fewer_than_without_programme")


def key_numbers(indicators: pd.DataFrame, targets: pd.DataFrame, met_in=D.targets_met_in, head=None) -> dict:
    """The headline cards' numbers (as `simlib.report.data.headline` names them, means over
    draws): first and last year, the province's poor rate then, its poor households and those
    kept out of poverty at the end, and the targets met in the last year (`met_in`, default
    `D.targets_met_in`: each poor unit on its own, and the poor units together). `head`:
    `head_rows(indicators)` when the caller has it (`HeadRows`)."""
    at, keys, years = head if head is not None else head_rows(indicators)
    if len(set(keys)) < len(keys):  # more than one draw: pandas' group mean (`head_means`)
        v = head_means(indicators.iloc[at])
    else:
        v = {k: x + 0.0 for k, x in zip(keys, indicators["value"].to_numpy()[at].tolist())}
    y0, y1 = years[0], years[-1]
    return met_in(targets, y1) | {
        "year_start": y0,
        "year_end": y1,
        "poor_rate_start": v.get(("poor_rate", y0), np.nan),
        "poor_rate_end": v.get(("poor_rate", y1), np.nan),
        "poor_end": v.get(("poor", y1), np.nan),
        "poor_fewer_end": v.get(("poor_fewer_than_without_programme", y1), np.nan),
    }


def head_rows(indicators: pd.DataFrame) -> tuple[np.ndarray, list[tuple], list[int]]:
    """The rows `key_numbers` reads: the province's `HEAD` indicators (positions), their
    (indicator, year) and the table's years, sorted."""
    sel = ((indicators["geo"] == "province") & indicators["indicator"].isin(HEAD)).to_numpy(dtype=bool)
    at = np.flatnonzero(sel)
    keys = list(zip(indicators["indicator"].to_numpy()[at].tolist(), indicators["year"].to_numpy()[at].tolist()))
    return at, keys, sorted(int(y) for y in indicators["year"].unique())


class HeadRows:
    """`head_rows` of the explorer's projections (`simlib.workbench.project.Projection`), found
    once for those whose tables have the same rows (its `rows`; None: found again)."""

    def __init__(self):
        self.rows, self.head = None, None

    def __call__(self, projection) -> tuple:
        if projection.rows is None or self.rows is not projection.rows:
            self.rows, self.head = projection.rows, head_rows(projection.indicators)
        return self.head


def head_means(rows: pd.DataFrame) -> dict:
    """`rows.groupby(["indicator", "year"])["value"].mean().to_dict()`: where each indicator and
    year has one row (one draw), its value as pandas' group mean gives it (a sum from 0.0 — so
    −0 reads 0 — over one row), without the group-by."""
    keys = list(zip(rows["indicator"].to_numpy().tolist(), rows["year"].to_numpy().tolist()))
    if len(set(keys)) < len(keys):
        return rows.groupby(["indicator", "year"])["value"].mean().to_dict()
    return {k: v + 0.0 for k, v in zip(keys, rows["value"].to_numpy().tolist())}


def verdicts(result, unc=None) -> pd.DataFrame:
    """The verdict table of a run (`simlib.report.verdict`), with an uncertainty run's
    probabilities when `unc` is given."""
    ut, oc = (unc.targets, unc.outcomes) if unc is not None else (None, None)
    ind, tg = result.indicators, result.targets
    return V.verdict_table(tg[tg["geo_type"] != "district"], ind[ind["indicator"] == "households"], ut, oc)


def side_by_side(plan: pd.DataFrame, now: pd.DataFrame) -> pd.DataFrame:
    """Verdict tables of the plan and of the allocation, one row per target, named area and
    year: `value_plan`, `value_now`, `delta` (now − plan, in the target's unit), `households`
    (the change of the margin in households, positive = better; NaN where not a rate),
    `status_*`, `probability_*`, and the target's labels, indicator and threshold."""
    cols = KEYS + ["value", "status", "probability", "margin", "margin_households"]
    a = plan.loc[~plan["detail"].astype(bool)]
    b = now.loc[~now["detail"].astype(bool), cols]
    out = a.merge(b, on=KEYS, suffixes=("_plan", "_now"))
    out["delta"] = out["value_now"] - out["value_plan"]
    out["households"] = out["margin_households_now"] - out["margin_households_plan"]
    return out.reset_index(drop=True)


class SideBySide:
    """`side_by_side(plan, now)` for the explorer's changes: the plan's verdicts are the same
    table from one change to the next and the allocation's have the same rows (the judge's
    layout, `simlib.workbench.judged`), so the merge's rows are found once (on the allocation's
    row positions, a tracer) and a change takes its values at them: the same table."""

    def __init__(self):
        self.plan, self.keys, self.table, self.rows = None, None, None, None

    def __call__(self, plan: pd.DataFrame, now: pd.DataFrame) -> pd.DataFrame:
        keys = [now[c].to_numpy() for c in KEYS + ["detail"]]
        same = self.plan is plan and all(len(a) == len(b) and np.array_equal(a, b) for a, b in zip(keys, self.keys))
        if not same:
            tracer = now.assign(value=np.arange(len(now), dtype=float))
            self.table = side_by_side(plan, tracer)
            self.rows = self.table["value_now"].to_numpy().astype(np.intp)
            self.plan, self.keys = plan, keys
        out = self.table.copy()
        for c in ("value", "status", "probability", "margin", "margin_households"):
            out[f"{c}_now"] = now[c].array.take(self.rows)  # the column's own dtype
        out["delta"] = out["value_now"] - out["value_plan"]
        out["households"] = out["margin_households_now"] - out["margin_households_plan"]
        return out


def _verdict(r, which: str, lang: str) -> str:
    parts = [H.esc(S.value_text(r["indicator"], r[f"value_{which}"], lang)), S.status_html(r[f"status_{which}"], lang)]
    p = r[f"probability_{which}"]
    if np.isfinite(p):
        span = S.probability_span(float(p), lang, r["target_id"], r["geo"], int(r["year"]), f"target_{which}")
        parts.append(f'<span class="sl-small">{H.esc(i18n.t("report.probability_label", lang))} {span}</span>')
    return "<br>".join(parts)


def delta_text(r, lang: str) -> str:
    """The change against the plan: `−0,42 điểm %` and, for rates, `(tốt hơn khoảng 120 hộ)`."""
    d = float(r["delta"])
    if abs(d) < 5e-3:
        text = "±0"
    elif r["indicator"].endswith("_change") or r["indicator"].endswith("_rate") or r["indicator"] in S.COVERAGE:
        text = f"{fmt.signed(d, lang, 2)} {i18n.t('unit.pts_short', lang)}"
    else:
        text = fmt.signed(d, lang, 1)
    hh = float(r["households"])
    if np.isfinite(hh) and abs(hh) >= 0.5:
        key = "wb.compare.better_households" if hh > 0 else "wb.compare.worse_households"
        text += " " + i18n.t(key, lang, n=fmt.number(abs(hh), lang))
    return text


def rebase_note(targets: pd.DataFrame, lang: str) -> str:
    """A sentence under the side-by-side table when the run judged rate-change targets from a
    re-based previous review (a review changing the poverty standard, `simlib.targets`): which
    years and the province's re-basing in points; "" otherwise."""
    if "rebased" not in targets.columns:
        return ""
    col = targets["rebased"]  # the scorecard's flags (bool; else filled as pandas fills them)
    at = np.flatnonzero(col.to_numpy() if col.dtype == bool else col.fillna(False).astype(bool).to_numpy())
    if not len(at):
        return ""
    years = sorted({int(y) for y in targets["year"].to_numpy()[at].tolist()})
    geo_type, indicator = (targets[c].to_numpy(dtype=object)[at] for c in ("geo_type", "indicator"))
    prov = at[(geo_type == "province") & (indicator == "poor_rate_change")]  # text compared as Python's ==
    pts = fmt.points(float(targets["rebase"].iloc[prov].mean()), lang) if len(prov) else "–"
    text = i18n.t("wb.compare.rebased", lang, years=", ".join(str(y) for y in years), points=pts)
    return H.para(text, "sl-small")


def side_by_side_html(table: pd.DataFrame, lang: str, levels: Levels | None = None, memo: dict | None = None) -> str:
    """The side-by-side table as HTML (target and area, year, threshold, plan, now, change); the
    poor units named by `levels` (`simlib.report.levels`; None: district units). `memo`: the
    cells of the last table made with the same `lang` and `levels` (the explorer's, kept between
    changes), by the values they show: a row's target, area, year and threshold and the plan's
    verdict are the same from one change to the next, and made once."""
    t = lambda k, **kw: i18n.t(k, lang, **kw)  # noqa: E731
    if table.empty:
        return H.para(t("report.no_targets"))
    header = [t("table.target_area"), t("table.year"), t("table.threshold"), t("wb.compare.plan")]
    header += [t("wb.compare.now"), t("wb.compare.change")]
    kept, used = memo if memo is not None else {}, {}

    def cell(key: tuple, make) -> str:
        key = tuple(repr(v) if isinstance(v, float) else v for v in key)  # a float by its bits (NaN, −0)
        text = kept.get(key)
        used[key] = text = make() if text is None else text
        return text

    label_col, rows = i18n.column("label", lang), []
    for r in records(table):
        fixed = (r["target_id"], r["geo_type"], r["geo"], r["year"], r[label_col], r["indicator"])
        fixed += (r["comparison"], r["threshold"])
        plan = ("plan", r["indicator"], r["value_plan"], r["status_plan"], r["probability_plan"])
        plan += (r["target_id"], r["geo"], r["year"])
        rows.append(
            [
                *cell(("row", *fixed), lambda r=r: _fixed_cells(r, lang, levels)).split("\0"),
                cell(plan, lambda r=r: _verdict(r, "plan", lang)),
                _verdict(r, "now", lang),
                H.esc(delta_text(r, lang)),
            ]
        )
    if memo is not None:
        memo.clear()
        memo.update(used)
    return H.table(header, rows, numeric=[False, True, True, True, True, True], raw_cols=range(len(header)))


def records(frame: pd.DataFrame) -> list[dict]:
    """`frame.to_dict("records")` (values as Python's own int, float, bool and str) read column by
    column where every column holds numbers, flags or text; any other frame through pandas."""
    cols = list(frame.columns)
    plain = all(d.kind in "iufb" or isinstance(d, pd.StringDtype) for d in frame.dtypes)
    if len(set(cols)) < len(cols) or not plain:
        return frame.to_dict("records")
    values = [frame[c].to_numpy().tolist() for c in cols]
    return [dict(zip(cols, row)) for row in zip(*values)]


def _fixed_cells(r: dict, lang: str, levels: Levels | None) -> str:
    """A row's target and area, year and threshold (HTML), joined by NUL."""
    area = S.area_name(r["geo_type"], r["geo"], lang, levels=levels, years=[r["year"]])
    label = f"{r[i18n.column('label', lang)]} ({area})"
    threshold = S.threshold_text(r["indicator"], r["comparison"], r["threshold"], lang)
    return "\0".join([H.esc(label), H.esc(str(int(r["year"]))), H.esc(threshold)])


def draw_set(base, n: int = DRAWS, seed: int | None = None):
    """The `n` parameter draws of the starting scenario `base`, each model compiled once
    (`simlib.uncertainty.drawset.DrawSet`), kept on `base` for every later allocation."""
    # local import: the uncertainty module loads in seconds; only the probability button needs it
    from simlib.uncertainty.drawset import DrawSet

    return memoised(base, f"wb_draws_{n}_{seed}", lambda: DrawSet(what_if(base), n, engine="expected", seed=seed))


def probabilities(scen, n: int = DRAWS, seed: int | None = None, base=None, central=None, on_draws=None):
    """`n` parameter draws of `scen` through the expected engine, no PRIM rules. With `base`
    (the starting scenario `scen` differs from by its amounts only, core model) the draws'
    models are compiled once per `base` and only the amounts swapped (`draw_set`); otherwise,
    and for multidimensional scenarios, the uncertainty module's own run (`run_uncertainty`) —
    the same probabilities for the same seed and draws. There `central`, the explorer's run of
    the same allocation (`simlib.workbench.project.Projection.run`), stands for the central run
    the draws' layout is built from (`simlib.uncertainty.evaluate.make_layout`); a run of other
    amounts is not used. The no-money run of every draw is left out when no target reads the
    programme's effect (the bundled targets do not: rates, coverage, officers trained, works).
    `on_draws(done)`, for the uncertainty module's own run (seconds per draw on the
    multidimensional model), is told the draws done every `PROGRESS_DRAWS` draws; an exception it
    raises stops the run there (the explorer's stop button). The draw-set path takes about a
    second and tells nothing."""
    # local import: the uncertainty module loads in seconds; only this button needs it
    from simlib.uncertainty import run_uncertainty

    effect = {"poor_fewer_than_without_programme", "poor_near_poor_fewer_than_without_programme"}
    effect |= {"cost_per_household_lifted", "reclassified_by_programme"}
    counterfactual = any(t["indicator"] in effect for t in target_specs(scen.params["targets"]))
    scen = what_if(scen)
    if base is not None and base.poverty_model == "states":
        draws = draw_set(base, n, seed)
        if draws.accepts(scen):
            return draws.run(scen, counterfactual=counterfactual, rules=False)
    if central is not None and same_allocation(central.scenario, scen):
        scen = central.scenario  # the very scenario the run was made of: its output is reused
    options = RunOptions(seed=seed)  # expected engine, serial
    size = PROGRESS_DRAWS if on_draws is not None else None  # the same numbers in any chunks
    return run_uncertainty(
        scen,
        n,
        options,
        rules=False,
        counterfactual=counterfactual,
        central=central,
        chunk_size=size,
        on_chunk=on_draws,
    )


def same_allocation(a, b) -> bool:
    """Whether scenarios `a` and `b` are one starting scenario with the same amounts (the same
    parameters and dataset objects, the same file contents and budget)."""
    same = a.params is b.params and a.dataset is b.dataset and a.raw == b.raw
    return same and np.array_equal(a.budget.amounts, b.budget.amounts)


@dataclass
class Suggestion:
    """The optimiser's allocation from the current state, and what it changes."""

    amounts: np.ndarray  # (years, items, sources) VND
    changes: pd.DataFrame  # item, source, now_bn, suggested_bn, change_bn (year `year_index`)
    message: dict  # lang -> the optimiser's summary
    year_index: int = 1  # the row of `amounts` listed in `changes`: the first year optimised
    unmet: dict | None = None  # the province's targets it misses (`unmet_targets`), None: none


def suggestion_unmet(res, on_runs=None) -> dict | None:
    """The province's targets the optimiser's split `res` (`simlib.allocate.optimize`) misses in
    the years it allocated, against the allocation it started from: `simlib optimize`'s
    `unmet_targets` (`simlib.allocate.summary.unmet_record`), in the explorer's words. Both
    allocations are judged as `simlib optimize` judges them (`simlib.runner.run`, expected engine).
    `on_runs(1)` (`suggest`'s progress) is called before each of the two runs: they are counted,
    and the explorer's stop, raised there, interrupts them as it does the optimiser."""
    # local import: the optimiser loads in seconds; only the suggest button needs it
    from simlib.allocate.summary import unmet_record

    if res.status != "optimal":
        return None  # the optimiser's message says which targets cannot be met
    judged = []
    for a in ("optimal", "plan"):
        if on_runs is not None:
            on_runs(1)
        judged.append(run_scenario(res.scenarios[a], engine="expected").targets.assign(allocation=a))
    years = res.spec.plan_years or res.scenario.years  # as summary.json's years_allocated
    return unmet_record(pd.concat(judged, ignore_index=True), res.spec, years, res.status, where="explorer")


def suggest(state, amounts: np.ndarray | None = None, on_runs=None, on_estimate=None) -> Suggestion:
    """Run the certified optimiser (objective: fewest poor households at the horizon) from the
    state's allocation (or `amounts`, a copy of it taken earlier: the state may change while
    the optimiser runs in the background) — same money per source and year, the same rules —
    and list the changes of the first year it optimises, and the province's targets the suggested
    split still misses (`suggestion_unmet`). Kept per starting scenario and amounts.

    The optimiser's own effort applies (`simlib.allocate.effort.choose`): full on the states
    model (seconds); economy on the multidimensional model (the plan year only, a few hundred
    engine runs for Cao Bằng: minutes). `on_estimate(runs, cpu_seconds_per_run)` and
    `on_runs(runs)` are the optimiser's progress callbacks (`simlib.allocate.optimize.optimize`);
    `on_runs` is called after every engine call (at most `simlib.allocate.evaluate.CHUNK_MULTIDIM`
    runs of the multidimensional model), so an exception it raises (the explorer's cancel,
    `simlib.workbench.background.Cancelled`) stops the optimiser there; nothing is kept then."""
    # local import: the optimiser loads in seconds; only this button needs it
    from simlib.allocate.optimize import optimize

    old = state.amounts() if amounts is None else np.array(amounts, dtype=float)

    def run() -> Suggestion:
        res = optimize(
            state.base.replace_budget(old),
            objective="poor",
            with_frontier=False,
            on_runs=on_runs,
            on_estimate=on_estimate,
        )
        new = np.array(res.amounts["optimal"], dtype=float)
        new[0] = old[0]
        optimised = res.spec.plan_years or state.years[1:]
        at = state.years.index(int(min(optimised)))
        message = {lg: res.message(lg, where="explorer") for lg in i18n.LANGS}
        return Suggestion(new, changes(state, new, year_index=at, old=old), message, at, suggestion_unmet(res, on_runs))

    # the optimum from the same amounts is the same: asked again (back to an allocation already
    # tried, a second click), it is not recomputed
    return memoised(state.base, "wb_suggest_" + hashlib.sha256(old.tobytes()).hexdigest(), run)


def unmet_html(unmet: dict | None, lang: str) -> str:
    """`Suggestion.unmet` as HTML in a note box: its first line, the targets as a list (the
    lines `unmet_text` marks «•»), then why and what to do; "" when every target is met."""
    if not unmet:
        return ""
    lines = [line.strip() for line in unmet[lang].splitlines() if line.strip()]
    items = [line.removeprefix("•").strip() for line in lines if line.startswith("•")]
    text = [line for line in lines if not line.startswith("•")]
    body = H.para(text[0]) + H.bullet_list(items) + "".join(H.para(line) for line in text[1:])
    return f'<div class="sl-note">{body}</div>'


class Progress:
    """The optimiser's progress in words, for the explorer (the command line's texts: the
    estimate once the problem is built, then the runs done against it and the CPU minutes of
    the process): `show(text)` is called with each new text, `said(lang)` makes that text again
    in either language (a switch of the explorer's language re-words the line on screen).
    `check()` (default none), called at every count, may raise to stop the optimiser (the
    explorer's cancel). Pass `estimate` as `on_estimate` and the object itself as `on_runs`
    (`suggest`)."""

    def __init__(self, lang: str, show, check=None, every: float = 4):
        self.lang, self.show, self.check, self.every = lang, show, check, every
        self.runs, self.told, self.expected = 0.0, 0, None
        self.first = None  # the estimate's line as a function of the language
        self.said = lambda lang: ""  # the last text shown, as a function of the language
        self.c0 = time.process_time()

    def minutes(self) -> str:
        return fmt.number((time.process_time() - self.c0) / 60, self.lang, 1)

    def estimate(self, runs: int, seconds: float) -> None:
        if self.check is not None:
            self.check()
        self.expected = runs
        self.first = self.said = lambda lang: estimate_text(runs, seconds, lang)
        self.show(self.said(self.lang))

    def __call__(self, runs: float) -> None:
        self.runs += runs  # counted first: a stop then says every run made
        if self.check is not None:
            self.check()
        if int(self.runs // self.every) > self.told:
            self.told = int(self.runs // self.every)
            done, expected, first = self.runs, self.expected, self.first
            minutes = (time.process_time() - self.c0) / 60

            def said(lang: str) -> str:
                line = progress_text(done, expected, fmt.number(minutes, lang, 1), lang)
                return "\n".join(([first(lang)] if first is not None else []) + [line])

            self.said = said
            self.show(said(self.lang))


def changes(state, new: np.ndarray, year_index: int = 1, min_bn: float = 0.05, old: np.ndarray | None = None):
    """Item and source amounts that differ by at least `min_bn` billion VND in one year from
    `old` (default the state's amounts), as a table."""
    old = state.amounts() if old is None else old
    rows = []
    for li, item in enumerate(state.items):
        for si, src in enumerate(state.sources):
            a, b = old[year_index, li, si] / 1e9, new[year_index, li, si] / 1e9
            if abs(b - a) >= min_bn:
                rows.append({"item": item, "source": src, "now_bn": a, "suggested_bn": b, "change_bn": b - a})
    return pd.DataFrame(rows, columns=["item", "source", "now_bn", "suggested_bn", "change_bn"])


def suggestion_html(s: Suggestion, state, lang: str) -> str:
    """What the optimiser's suggestion `s` for `state` (an `AllocationState`) changes (the first
    year it optimises), its summary and the province's targets it still misses."""
    t = lambda k, **kw: i18n.t(k, lang, **kw)  # noqa: E731
    year = state.years[s.year_index]
    parts = [H.para(line) for line in s.message[lang].splitlines() if line.strip()]
    parts.append(unmet_html(s.unmet, lang))  # the targets the suggested split still misses
    if s.changes.empty:
        return "".join(parts) + H.para(t("wb.suggest_none"))
    header = [
        t("wb.grid.item"),
        t("wb.grid.source"),
        t("wb.compare.now"),
        t("wb.suggest_column"),
        t("wb.compare.change"),
    ]
    rows = [
        [
            cell_label(state, r.item, r.source, year, lang),
            i18n.label("source", r.source, lang),
            fmt.number(r.now_bn, lang, 1),
            fmt.number(r.suggested_bn, lang, 1),
            fmt.signed(r.change_bn, lang, 1),
        ]
        for r in s.changes.itertuples(index=False)
    ]
    caption = t("wb.suggest_caption", year=year)
    return "".join(parts) + H.table(header, rows, numeric=[False, False, True, True, True], caption=caption)
