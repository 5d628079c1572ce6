"""Writing and reading the outputs of `simlib optimize` (one folder, written atomically).

Files:
- `optimal_scenario.yaml`  the optimal allocation as a scenario (`simlib run` / `simlib batch`)
- `allocation.csv`         allocation, year, line, source, amount_bn (optimal, plan, plan
                           adjusted to the constraints, equal split)
- `spending_by_district.csv` allocation, year, line, district, spend_bn (after disbursement); a
                           dated scenario also `content` (as `allocation.csv`, `unallocatable.csv`)
- `lines.csv`              per line: money per year under each allocation, bounds, households
                           lifted per extra billion VND (and per billion cut), coverage reached;
                           a dated scenario also the content each line's money stands for from
                           its first dated year (content, content_from, content_vi, content_en)
- `marginals_by_district.csv` per line and district: money per year at the optimum, households
                           lifted (and objective change) per extra billion VND spent there; a
                           dated scenario also the content the line's money stands for from its
                           first dated year (content, content_from, as `lines.csv`)
- `comparison.csv`         per allocation: objective, poor, poor + near-poor, households lifted,
                           total money, feasible, the rules each breaks in words (breaks_vi,
                           breaks_en: empty when feasible), targets met
- `binding.csv`            binding rules in plain words (text_vi, text_en), with the rule id, its
                           basis (basis_vi, basis_en) and what a billion more room is worth
- `unallocatable.csv`      money that reaches no one, per allocation, year, line and district
- `frontier.csv`           poverty reduction against total budget
- `robust_draws.csv`, `robust_summary.csv`  (robust runs) every allocation's value and regret in
                           each parameter draw, and per allocation the mean, worst, regrets and
                           draws better / worse than the plan
- `indicators.csv`, `targets.csv`  tidy indicators and target scorecards of the optimal
                           allocation, the plan and the equal split (column `allocation`)
- `summary.json`           status, objective, the years allocated (`years_allocated`; the others
                           keep the scenario's money), messages, the province's targets the
                           optimum misses that the request did not require (`unmet_targets`,
                           `simlib.allocate.summary`; `report`: in the report's words, without
                           the command), certificate (gap, model error, rounds) and the
                           message's sentence on it (`certificate_text`, the report's annex),
                           the best line and what stops it, the lines left without money where
                           the legal frame cannot say whether that is allowed (`unfunded`:
                           code, years, sentence, the rule to check; `simlib.allocate.unfunded`;
                           absent from older results), lines left without money (each
                           with `measured`: false for a content whose effect on households the
                           model does not measure, and its `name`), infeasibility, the plan's legal findings and its breaches of the
                           optimiser's caps and limits (`plan_breaks`), the optimum under the legal frame (`legal`: frame,
                           rules a what-if run ignores and what it lets through, notes;
                           `legal_violations`: breaches, always empty unless a bug), manifest
- `optimize_allocation.ipynb`, `report.html`  the executed report notebook (unless skipped)
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from simlib import i18n
from simlib.allocate.breaches import breach_record
from simlib.allocate.continued import described_from, engine_target
from simlib.allocate.optimize import OptimizationResult, certificate_text
from simlib.allocate.scenario_out import PATH_KEYS, is_path
from simlib.allocate.summary import unmet_record
from simlib.allocate.tables import with_content
from simlib.allocate.unfunded import record as unfunded_record
from simlib.atomic import atomic_dir, output_folder
from simlib.dataset import resolve_dataset_path
from simlib.engines.common import EngineOutput
from simlib.errors import InputError
from simlib.executors import NOTEBOOK_KERNEL, NOTEBOOK_KERNEL_ARGS
from simlib.i18n import LocalText
from simlib.options import RunOptions
from simlib.parameters import sha256_obj
from simlib.paths import notebooks_dir
from simlib.runner import manifest_for, run
from simlib.scenario import load_scenario
from simlib.unit_switch import simulate

SCENARIO_FILE = "optimal_scenario.yaml"
NOTEBOOK = "optimize_allocation.ipynb"


def _portable_raw(raw: dict, scen, out_dir: Path) -> dict:
    """The scenario mapping with its dataset, params, transitions and legal-frame paths made
    relative to `out_dir`."""
    raw = dict(raw)
    base = scen.file.parent if scen.file else Path.cwd()
    ref = str(raw["dataset"])
    if "/" in ref or "\\" in ref:
        raw["dataset"] = os.path.relpath(resolve_dataset_path(ref, base), out_dir.resolve())
    for key in PATH_KEYS:
        if key in raw and is_path(raw[key]):
            raw[key] = os.path.relpath((base / str(raw[key])).resolve(), out_dir.resolve())
    return raw


def comparison_runs(
    result: OptimizationResult, optimal_scenario=None, on_stage=None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Indicators and targets of the optimal allocation, the plan and the equal split, each
    projected by `simlib.runner.run` (expected engine) like any scenario; `on_stage` (a
    `write_optimization` callback, or None) is told `("compare", n=…)` before the runs and
    `("compared", done=…, n=…)` after each."""
    runs = dict(result.scenarios)
    if optimal_scenario is not None:
        runs["optimal"] = optimal_scenario
    inds, tgts = [], []
    _tell(on_stage, "compare", n=len(runs))
    without = no_money_run(result)
    for done, (name, sc) in enumerate(runs.items(), 1):
        res = run(sc, engine="expected", without=without)
        _tell(on_stage, "compared", done=done, n=len(runs))
        ind = res.indicators.copy()
        ind.insert(0, "allocation", name)
        tg = res.targets.copy()
        tg.insert(0, "allocation", name)
        inds.append(ind)
        tgts.append(tg)
        del res  # a crossing's run holds both segments' engine states (gigabytes): one run at a time
    return pd.concat(inds, ignore_index=True), pd.concat(tgts, ignore_index=True)


def no_money_run(result: OptimizationResult) -> EngineOutput | None:
    """The run with no money that the comparison's runs (`comparison_runs`) share as their
    `without` (`simlib.runner.run`: it depends on the scenario's structure and parameters, not on
    its amounts or their split across units): one run of the optimiser's compiled model instead
    of one per allocation. None for a scenario that changes units (its runs make their own)."""
    scen = result.scenario
    if scen.units_switch:
        return None
    options = RunOptions(engine="expected").for_scenario(scen).but(progress=False)
    return simulate(engine_target(result.problem.target), np.zeros_like(result.problem.model.spend), options)


def spending_table(result: OptimizationResult) -> pd.DataFrame:
    p = result.problem
    m = p.model
    rows = []
    x_plan_spend = m.spend
    named = {"optimal": p.spend(result.x[None])[0], "plan": x_plan_spend}
    first = described_from(p.target)  # a crossing: the years on the districts are not the communes' money
    for name, sp in named.items():
        for yi, y in list(enumerate(m.years))[first:]:
            for li, code in enumerate(m.line_codes):
                for d, u in enumerate(m.unit_ids):
                    v = sp[yi + 1, li, d] / 1e9
                    if v > 1e-9:
                        rows.append({"allocation": name, "year": y, "line": code, "district": u, "spend_bn": float(v)})
    return with_content(pd.DataFrame(rows, columns=["allocation", "year", "line", "district", "spend_bn"]), p)


def _local(text) -> dict:
    return {} if text is None else {"vi": text.vi, "en": text.en}


def explanation_dict(result: OptimizationResult) -> dict:
    """The best line and the rules that stop it, and the lines left without money (texts in
    both languages)."""
    best = result.best_line
    if best is not None:
        best = {
            "line": best["line"],
            "year": best.get("year"),
            "value_per_billion": best["value_per_billion"],
            "kind": best["kind"],
            "rules": best.get("rules", []),
            "text": _local(best["text"]),
        }
    zero = [{k: (_local(v) if isinstance(v, LocalText) else v) for k, v in z.items()} for z in result.zero_lines]
    return {"best_line": best, "zero_lines": zero}


def counterpart_record(floor) -> list[dict]:
    """Per projected year: the counterpart share applied (None: unknown, not applied) and its
    basis (frame | spec | assumption | unknown), with the source searched."""
    if floor is None:
        return []
    return [
        {"year": y, "min_local_share_of_central": s, "basis": k, "searched": {"vi": c.vi, "en": c.en} if c else None}
        for y, s, k, c in zip(floor.years, floor.shares, floor.kinds, floor.searched)
    ]


def unmet_with_report(targets: pd.DataFrame | None, spec, years, status: str) -> dict | None:
    """`unmet_record` of the command line, with `report`: the same record in the report's words
    (what to ask of the planning office, not the command a leader does not type)."""
    unmet = unmet_record(targets, spec, years, status)
    if unmet is not None:
        report = unmet_record(targets, spec, years, status, where="report")
        unmet["report"] = {lang: report[lang] for lang in i18n.LANGS}
    return unmet


def summary_dict(result: OptimizationResult, manifest: dict, targets: pd.DataFrame | None = None) -> dict:
    """`summary.json` of `result`; `targets` the targets of the allocations compared (targets.csv)."""
    spec = result.spec
    years = list(spec.plan_years or result.scenario.years)
    cert = {k: v for k, v in result.certificate.as_dict().items()}
    rob = None
    if result.robust is not None:
        d = result.robust.draws
        rob = {"kind": spec.robust, "draws": d.n, "sampler": d.method, "seed": d.seed}
    return {
        "status": result.status,
        "verdict": result.verdict,
        "objective": spec.objective,
        "by_district": spec.by_district,
        "by_year": spec.by_year,
        "years_allocated": years,
        "robust": rob,
        "message_vi": result.message("vi"),
        "message_en": result.message("en"),
        "unmet_targets": unmet_with_report(targets, spec, years, result.status),
        "scenario_file": SCENARIO_FILE,
        "source_scenario": result.scenario.name,
        "spec": spec.raw,
        "spec_hash": sha256_obj(spec.raw),
        "envelope_bn": {"years": list(result.scenario.years), "by_source": spec.envelope.tolist()},
        "certificate": cert,
        # the message's technical sentence (`optimize.certificate_text`): the report's annex, not its headline
        "certificate_text": {lang: certificate_text(result.certificate, spec, lang) for lang in i18n.LANGS},
        "explanation": explanation_dict(result),
        # lines left without money where the law is unclear (`simlib.allocate.unfunded`; older results: no key)
        "unfunded": unfunded_record(result),
        "infeasibility": result.infeasibility,
        "plan_findings": [{"vi": f.message("vi"), "en": f.message("en")} for f in result.plan_findings],
        "plan_breaks": [breach_record(b) for b in result.plan_breaches],
        "counterpart": counterpart_record(spec.counterpart),
        "legal": result.legal,
        "legal_violations": [v.record() for v in result.legal_violations],
        "manifest": manifest,
    }


BINDING_COLUMNS = [
    "kind",
    "rule",
    "code",
    "source",
    "year",
    "unit",
    "amount",
    "value_per_billion",
    "text_vi",
    "text_en",
    "basis_vi",
    "basis_en",
]


def binding_table(result: OptimizationResult) -> pd.DataFrame:
    rows = []
    for b in result.binding:
        row = {
            k: getattr(b, k) for k in ("kind", "rule", "code", "source", "year", "unit", "amount", "value_per_billion")
        }
        row.update(b.text.to_fields("text"))
        row.update(b.basis.to_fields("basis") if b.basis is not None else {"basis_vi": "", "basis_en": ""})
        rows.append(row)
    return pd.DataFrame(rows, columns=BINDING_COLUMNS)


def _tell(on_stage, stage: str, **values) -> None:
    """Tell `on_stage` (a callable or None) that the writing reached `stage`."""
    if on_stage is not None:
        on_stage(stage, **values)


def write_optimization(
    result: OptimizationResult, out_dir: str | Path, report: bool = True, lang: str | None = None, on_stage=None
) -> Path:
    """Write every output of `result` into `out_dir`, atomically; the scenario YAML is checked
    with `simlib.scenario.load_scenario` from where it is written. `on_stage(stage, **values)`
    (None: nobody is told; the CLI's progress) is told the stages that take time: the comparison
    runs (`comparison_runs`), then `"report"` before the report notebook runs; nothing it is told
    changes what is written."""

    inputs = result.scenario.input_paths()
    out_dir = output_folder(out_dir, kind="optimization", inputs=inputs)
    with atomic_dir(out_dir, "optimization", inputs) as tmp:
        raw = _portable_raw(result.optimal_raw, result.scenario, out_dir)
        (tmp / SCENARIO_FILE).write_text(yaml.safe_dump(raw, allow_unicode=True, sort_keys=False), encoding="utf-8")
        optimal = load_scenario(tmp / SCENARIO_FILE)
        if not np.allclose(
            optimal.budget.amounts, result.optimal.budget.amounts, rtol=1e-6, atol=1e3
        ):  # pragma: no cover - a bug
            raise RuntimeError("the written scenario does not reproduce the optimal allocation")
        result.allocation.to_csv(tmp / "allocation.csv", index=False)
        spending_table(result).to_csv(tmp / "spending_by_district.csv", index=False)
        result.lines.to_csv(tmp / "lines.csv", index=False)
        result.comparison.to_csv(tmp / "comparison.csv", index=False)
        result.districts.to_csv(tmp / "marginals_by_district.csv", index=False)
        binding_table(result).to_csv(tmp / "binding.csv", index=False)
        result.unallocatable.to_csv(tmp / "unallocatable.csv", index=False)
        result.frontier.to_csv(tmp / "frontier.csv", index=False)
        if result.robust is not None:
            result.robust.table.to_csv(tmp / "robust_draws.csv", index=False)
            result.robust.summary.to_csv(tmp / "robust_summary.csv", index=False)
        ind, tg = comparison_runs(result, optimal, on_stage)
        ind.to_csv(tmp / "indicators.csv", index=False)
        tg.to_csv(tmp / "targets.csv", index=False)
        manifest = manifest_for(optimal, RunOptions(seed=optimal.seed))
        manifest["scenario_file"] = SCENARIO_FILE
        (tmp / "summary.json").write_text(
            json.dumps(summary_dict(result, manifest, tg), ensure_ascii=False, indent=2, default=_json_default),
            encoding="utf-8",
        )
        if report:
            _tell(on_stage, "report")
            execute_report(tmp, lang=lang)
    return out_dir


def _json_default(o):
    if isinstance(o, (np.integer,)):
        return int(o)
    if isinstance(o, (np.floating,)):
        return None if not np.isfinite(o) else float(o)
    if isinstance(o, np.ndarray):
        return o.tolist()
    return str(o)


def read_optimization(folder: str | Path) -> dict:
    """The outputs of a `simlib optimize` folder: DataFrames by file stem, plus `summary`."""
    folder = Path(folder)
    out: dict = {}
    for f in (
        "allocation",
        "spending_by_district",
        "lines",
        "marginals_by_district",
        "comparison",
        "binding",
        "unallocatable",
        "frontier",
        "robust_draws",
        "robust_summary",
        "indicators",
        "targets",
    ):
        p = folder / f"{f}.csv"
        out[f] = pd.read_csv(p) if p.is_file() and p.stat().st_size > 1 else pd.DataFrame()
    out["summary"] = read_summary(folder)
    return out


#: what a result's summary holds since the recommendation's current checks (the verdict, the
#: certificate's words, the lines left without money where the law is unclear): a result without
#: them was written by an older simlib and is refused rather than shown without those checks
CURRENT_KEYS = ("verdict", "certificate_text", "unfunded")


def read_summary(folder: str | Path) -> dict:
    """`summary.json` of a `simlib optimize` folder; an `InputError` when the folder has none, or
    when the summary lacks one of `CURRENT_KEYS` (written by an older simlib: re-run it)."""
    path = Path(folder) / "summary.json"
    if not path.is_file():
        raise InputError("opt_result_missing", file=str(folder))
    summary = json.loads(path.read_text(encoding="utf-8"))
    missing = [k for k in CURRENT_KEYS if k not in summary]
    if missing:
        name = (summary.get("manifest") or {}).get("scenario", "?")
        raise InputError("opt_result_old", file=str(path), missing=", ".join(missing), scenario=name)
    return summary


def execute_report(folder: Path, lang: str | None = None, html: bool = True) -> Path:
    """Run the report notebook on a result folder (papermill, working folder = `folder`) and save
    it there, with an HTML copy without code."""
    # local import: papermill takes about 0.3 s CPU to import; only when the optimiser's report runs
    import papermill as pm

    nb_in = notebooks_dir() / NOTEBOOK
    nb_out = folder / NOTEBOOK
    pm.execute_notebook(
        str(nb_in),
        str(nb_out),
        parameters={"result_dir": ".", "lang": i18n.get_lang(lang)},
        cwd=str(folder),
        progress_bar=False,
        kernel_name=NOTEBOOK_KERNEL,
        extra_arguments=list(NOTEBOOK_KERNEL_ARGS),
    )
    if html:
        # local import: nbformat is only needed when the optimiser's report is rendered
        import nbformat

        page = report_html(nbformat.read(str(nb_out), as_version=4), lang)
        (folder / "report.html").write_text(page, encoding="utf-8")
    return nb_out


def report_html(nb, lang: str | None = None) -> str:
    """The executed report notebook `nb` as a page without code: in `lang` (`<html lang>`, so that
    the browser and the print styles read it as Vietnamese or English) and titled as the report
    («Phân bổ vốn tối ưu», not «Notebook»: the title a browser prints at the top of each page)."""
    # local import: nbconvert takes about 0.4 s CPU to import; only when the optimiser's report is rendered
    from nbconvert import HTMLExporter
    from nbconvert.preprocessors import TagRemovePreprocessor

    lang = i18n.get_lang(lang)
    exp = HTMLExporter()
    # cells tagged `hide` (the notebook's own note, its checks) stay in the .ipynb, not the page
    exp.register_preprocessor(TagRemovePreprocessor(remove_cell_tags={"hide"}), enabled=True)
    exp.exclude_input = True
    exp.exclude_input_prompt = True
    exp.exclude_output_prompt = True
    exp.language_code = lang
    body, _ = exp.from_notebook_node(nb, resources={"metadata": {"name": i18n.t("alloc.report.title", lang)}})
    return body


__all__ = ["write_optimization", "read_optimization", "read_summary", "execute_report", "report_html", "SCENARIO_FILE"]
