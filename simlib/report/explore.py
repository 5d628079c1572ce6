"""Interactive allocation explorer for planners (used by `notebooks/explore.ipynb`).

Sliders set each project's share of the budget and the total envelope per year; the projection
is recomputed with the expected engine (milliseconds) and shown against the plan's targets. A
button saves the allocation as a scenario YAML that `simlib validate` accepts.

The arithmetic lives in plain functions (`allocation_amounts`, `scenario_dict`,
`save_scenario`) so it is tested without widgets: a project's money is split across its lines
and funding sources as in the starting scenario (or, where that scenario gives the project
nothing, by the catalogue's `share_of_project` from the first source the line may use).
"""

from __future__ import annotations

import copy
import os
from collections.abc import Mapping
from pathlib import Path

import numpy as np

from simlib import i18n
from simlib.errors import InputError
from simlib.i18n import LANGS, LocalText, fmt

SOURCE_FOR_CAPITAL = {"investment": "central_investment", "recurrent": "central_recurrent"}


def project_totals(scenario, year_index: int = 1) -> dict[str, float]:
    """Planned VND per project in one budget year (index 1 = the first projected year)."""
    b, cat = scenario.budget, scenario.catalogue
    per_line = b.amounts[year_index].sum(axis=1)
    out = {p: 0.0 for p in cat.projects}
    for li, line in enumerate(b.lines):
        out[cat.lines[line].project] += float(per_line[li])
    return out


def base_shares(scenario) -> dict[str, float]:
    """Each project's share of the first projected year's budget (equal shares if it is empty)."""
    tot = project_totals(scenario)
    s = sum(tot.values())
    if s <= 0:
        return {p: 1.0 / len(tot) for p in tot}
    return {p: v / s for p, v in tot.items()}


def base_envelope(scenario) -> float:
    """Total planned VND of the first projected year."""
    return float(scenario.budget.amounts[1].sum())


def _default_split(scenario, project: str) -> np.ndarray:
    """(L, S) weights of a project's money when the base scenario gives it none: lines by
    `share_of_project`, each from the first funding source its capital type allows."""
    b, cat = scenario.budget, scenario.catalogue
    w = np.zeros((len(b.lines), len(b.sources)))
    for lc, share in cat.expand(project):
        caps = cat.lines[lc].capital
        src = SOURCE_FOR_CAPITAL["recurrent"] if "recurrent" in caps else SOURCE_FOR_CAPITAL[caps[0]]
        w[b.lines.index(lc), b.sources.index(src)] += share
    total = w.sum()
    return w / total if total > 0 else w


def allocation_amounts(scenario, shares: Mapping[str, float], envelope_vnd: float) -> np.ndarray:
    """Budget amounts (years, lines, sources) in VND: every budget year gets `envelope_vnd`,
    split over projects by `shares` (rescaled to add up to 1) and within each project as in
    `scenario` that year."""
    b, cat = scenario.budget, scenario.catalogue
    total_share = float(sum(max(0.0, float(v)) for v in shares.values()))
    out = np.zeros_like(b.amounts, dtype=float)
    if total_share <= 0 or envelope_vnd <= 0:
        return out
    proj_of_line = np.array([cat.lines[code].project for code in b.lines])
    for yi in range(b.amounts.shape[0]):
        for p in cat.projects:
            share = max(0.0, float(shares.get(p, 0.0))) / total_share
            if share == 0:
                continue
            mask = proj_of_line == p
            block = np.where(mask[:, None], b.amounts[yi], 0.0)
            tot = block.sum()
            w = block / tot if tot > 0 else _default_split(scenario, p)
            out[yi] += envelope_vnd * share * w
    return out


def _relocate(ref: str, old_dir: Path, new_dir: Path) -> str:
    """A path reference (dataset, params) valid from `old_dir`, rewritten for a file in `new_dir`."""
    if "/" not in ref and "\\" not in ref:
        return ref  # a bare dataset name under data/
    p = Path(ref)
    if not p.is_absolute():
        p = (old_dir / p).resolve()
    try:
        return os.path.relpath(p, new_dir)
    except ValueError:  # another drive (Windows)
        return str(p)


def scenario_dict(
    scenario,
    amounts: np.ndarray,
    name: str,
    title: LocalText,
    target_dir: str | Path,
    description: LocalText | None = None,
) -> dict:
    """A scenario mapping (as in a YAML file) with `amounts` (VND) as its budget, every year
    listed explicitly in billion VND; everything else (dataset, horizon, seed, district split,
    overrides) kept from `scenario`."""
    raw = copy.deepcopy(scenario.raw)
    b = scenario.budget
    years = {}
    for yi, year in enumerate(b.years):
        lines = {}
        for li, line in enumerate(b.lines):
            by_src = {
                src: round(float(amounts[yi, li, si]) / 1e9, 6)
                for si, src in enumerate(b.sources)
                if round(float(amounts[yi, li, si]) / 1e9, 6) > 0
            }
            if by_src:
                lines[line] = by_src
        years[int(year)] = {"lines": lines} if lines else {}
    budget = {"unit": "billion VND", "years": years}
    if "district_split" in (raw.get("budget") or {}):
        budget["district_split"] = raw["budget"]["district_split"]
    raw["budget"] = budget
    raw["name"] = name
    raw.update(title.to_fields("title"))
    raw.update((description or LocalText()).to_fields("description"))
    old_dir = Path(scenario.file).parent if scenario.file else Path.cwd()
    for key in ("dataset", "params"):
        if key in raw:
            raw[key] = _relocate(str(raw[key]), old_dir, Path(target_dir).resolve())
    return raw


def save_scenario(
    scenario,
    amounts: np.ndarray,
    path: str | Path,
    name: str,
    title: LocalText,
    overwrite: bool = False,
    description: LocalText | None = None,
) -> Path:
    """Write the allocation as a scenario YAML at `path` (atomically), once it is known to load
    as a valid scenario from there: an invalid result is never written (and an existing file,
    with `overwrite`, is kept)."""
    import yaml

    from simlib.atomic import write_text
    from simlib.paths import display_path
    from simlib.scenario import scenario_from_dict
    from simlib.schema import parse_yaml

    path = Path(path)
    if path.exists() and not overwrite:
        raise InputError("file_exists", file=display_path(path))
    raw = scenario_dict(scenario, amounts, name, title, path.parent, description)
    text = yaml.safe_dump(raw, allow_unicode=True, sort_keys=False)
    scenario_from_dict(parse_yaml(text, display_path(path)), file=path.resolve())  # as it will be read back
    write_text(path, f"# {i18n.t('explore.saved_header', 'en')}\n" + text)
    return path


class Explorer:
    """Sliders for project shares and the envelope, live projection, and a save button."""

    def __init__(self, scenario: str | Path, lang: str = "vi", save_dir: str | Path | None = None):
        from simlib.paths import scenarios_dir
        from simlib.scenario import load_scenario

        self.lang = i18n.get_lang(lang)
        self.base = load_scenario(scenario)
        self.save_dir = Path(save_dir) if save_dir else scenarios_dir()
        self.projects = list(self.base.catalogue.projects)
        self.shares = base_shares(self.base)
        self.envelope_vnd = base_envelope(self.base)
        self.result = None
        self._widgets: dict = {}

    # -- computation -----------------------------------------------------------------
    def amounts(self) -> np.ndarray:
        return allocation_amounts(self.base, self.shares, self.envelope_vnd)

    def scenario(self):
        return self.base.replace_budget(self.amounts())

    def evaluate(self):
        """Project the current allocation with the expected engine."""
        from simlib.runner import run

        self.result = run(self.scenario(), engine="expected")
        return self.result

    def set(self, shares: Mapping[str, float] | None = None, envelope_billion: float | None = None):
        """Change shares (any non-negative weights) and/or the envelope, and recompute."""
        if shares is not None:
            self.shares = {p: float(shares.get(p, 0.0)) for p in self.projects}
        if envelope_billion is not None:
            self.envelope_vnd = float(envelope_billion) * 1e9
        return self.evaluate()

    def summary_html(self) -> str:
        """Headline cards, the rate panels against targets and the scorecard of the current run."""
        from simlib.report import html as H
        from simlib.report.scenario_report import context, rate_panels, scorecard_html

        res = self.result or self.evaluate()
        ctx = context(res, self.lang)
        h, L = ctx.head, self.lang
        total = sum(max(0.0, v) for v in self.shares.values()) or 1.0
        share_txt = "; ".join(f"{p} {fmt.percent(100 * max(0.0, self.shares[p]) / total, L, 0)}" for p in self.projects)
        cards = H.cards(
            [
                (
                    ctx.t("report.card.poor_rate"),
                    f"{fmt.percent(h['poor_rate_start'], L)} → {fmt.percent(h['poor_rate_end'], L)}",
                    ctx.t("report.card.years", y0=h["year_start"], y1=h["year_end"]),
                ),
                (ctx.t("report.card.fewer_poor", y1=h["year_end"]), fmt.households(h["poor_fewer_end"], L), ""),
                (ctx.t("report.card.cost_per_lifted"), fmt.million_vnd(h["cost_per_household_lifted_end"], L), ""),
                (ctx.t("report.card.targets_met", year=h["year_end"]), f"{h['targets_met']}/{h['targets_total']}", ""),
            ]
        )
        return "\n".join(
            [
                H.para(
                    ctx.t("explore.current", envelope=fmt.number(self.envelope_vnd / 1e9, L, 1), shares=share_txt),
                    "sl-small",
                ),
                cards,
                H.figure(rate_panels(ctx.tables.indicators, ctx.tables.targets, L)),
                scorecard_html(ctx.tables.targets, L, ctx.unit_names, False),
            ]
        )

    def save(self, name: str, title: str | None = None, overwrite: bool = False) -> Path:
        """Save the current allocation as `<save_dir>/<name>.yaml`."""

        total = sum(max(0.0, v) for v in self.shares.values()) or 1.0
        shares = {p: 100 * max(0.0, self.shares[p]) / total for p in self.projects}
        description = LocalText.of(
            "explore.saved_description",
            base=self.base.name,
            envelope=fmt.local_text(fmt.number, self.envelope_vnd / 1e9, decimals=1),
            shares=LocalText(**{lg: ", ".join(f"{p} {fmt.percent(v, lg)}" for p, v in shares.items()) for lg in LANGS}),
        )
        return save_scenario(
            self.base,
            self.amounts(),
            self.save_dir / f"{name}.yaml",
            name,
            LocalText(title or name, title or name),
            overwrite=overwrite,
            description=description,
        )

    # -- widgets -----------------------------------------------------------------------
    def show(self):
        """Display the sliders, the live results and the save button (in Jupyter)."""
        import ipywidgets as W
        from IPython.display import HTML, display

        from simlib.report.html import CSS
        from simlib.report.scenario_report import short_name

        t = lambda k, **kw: i18n.t(k, self.lang, **kw)  # noqa: E731
        out = W.Output()
        sliders = {}
        rows = []
        for p in self.projects:
            s = W.FloatSlider(
                value=round(100 * self.shares[p], 1),
                min=0,
                max=100,
                step=0.5,
                continuous_update=False,
                readout_format=".1f",
                layout=W.Layout(width="340px"),
            )
            sliders[p] = s
            rows.append(
                W.HBox(
                    [
                        W.Label(short_name(p, self.base.catalogue, self.lang, 44), layout=W.Layout(width="330px")),
                        s,
                        W.Label("%"),
                    ]
                )
            )
        env = W.FloatSlider(
            value=round(self.envelope_vnd / 1e9, 1),
            min=0,
            max=max(100.0, round(3 * self.envelope_vnd / 1e9, -1)),
            step=5,
            continuous_update=False,
            readout_format=",.0f",
            layout=W.Layout(width="340px"),
        )
        rows.append(
            W.HBox(
                [W.Label(t("explore.envelope"), layout=W.Layout(width="330px")), env, W.Label(t("unit.billion_vnd"))]
            )
        )
        name = W.Text(value=f"{self.base.name}_explore", description=t("explore.name"), layout=W.Layout(width="420px"))
        button = W.Button(description=t("explore.save"), icon="save", button_style="primary")
        status = W.HTML()

        def redraw(change=None):
            if change is not None:  # a slider moved (the first drawing keeps the exact starting budget)
                self.shares = {p: sliders[p].value for p in self.projects}
                self.envelope_vnd = env.value * 1e9
            self.evaluate()
            with out:
                out.clear_output(wait=True)
                display(HTML(f"<style>{CSS}</style>" + self.summary_html()))

        def on_save(_):
            from simlib.errors import SimlibError
            from simlib.paths import display_path

            try:
                path = self.save(name.value.strip())
                status.value = f"<b>✓</b> {t('explore.saved', path=display_path(path))}"
            except SimlibError as exc:
                status.value = f"<b>✗</b> {exc.message(self.lang)}"

        for w in list(sliders.values()) + [env]:
            w.observe(redraw, names="value")
        button.on_click(on_save)
        self._widgets = {
            "sliders": sliders,
            "envelope": env,
            "name": name,
            "button": button,
            "status": status,
            "output": out,
        }
        display(W.VBox([W.HTML(f"<b>{t('explore.shares')}</b>"), *rows, W.HBox([name, button]), status, out]))
        redraw()
