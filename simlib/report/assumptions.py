"""What a scenario report rests on, and what produced it: the baseline data and its sources (each
a link, cited in the reader's language, with the plan's document number), the programme's
parameters (which are assumptions), disbursement, the evidence register when the parameters
carry one, a glossary of the terms the report uses, and the run manifest in the footer.
"""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import pandas as pd

from simlib import i18n
from simlib.i18n import fmt
from simlib.report import html
from simlib.report.context import full_name
from simlib.report.levels import Levels
from simlib.report.table import ReportTable, to_html
from simlib.schema import qv

#: the terms the glossary explains, in reading order (each key holds "term: explanation")
GLOSSARY = (
    "report.glossary.poor",
    "report.glossary.escape",
    "report.glossary.relapse",
    "report.glossary.new_poor",
    "report.glossary.target",
    "report.glossary.verdict",
    "report.glossary.projection",
    "report.glossary.interval",
    "report.glossary.probability",
    "report.glossary.counterfactual",
    "report.glossary.regret",
    "report.glossary.disbursement",
    "report.glossary.unallocated",
)


def basis(q) -> str:
    """'source', 'assumption' or '' for a quantity of the parameter files."""
    if isinstance(q, dict):
        if "source" in q:
            return "source"
        if "assumption" in q:
            return "assumption"
    return ""


def parameters_table(ctx) -> ReportTable:
    """Per budget line: unit cost, beneficiary unit, lag and effect sizes with their ranges
    (assumptions marked *)."""
    scen, L = ctx.scenario, ctx.lang
    t = lambda k, **kw: i18n.t(k, L, **kw)  # noqa: E731
    prog = scen.params["program"]
    rows = []
    for code in scen.catalogue.codes:
        if scen.catalogue.lines[code].money_only:  # a content with no household benefit in the model
            rows.append(
                {
                    t("table.line"): full_name(code, scen.catalogue, L),
                    t("table.unit_cost"): float("nan"),
                    t("table.assumed"): "",
                    t("table.beneficiary_unit"): "–",
                    t("table.lag"): float("nan"),
                    t("table.effects"): t("report.assumptions.money_only"),
                }
            )
            continue
        d = prog["lines"][code]
        effs = []
        for ch, q in d.get("effects", {}).items():
            rng = q.get("range") if isinstance(q, dict) else None
            txt = f"{i18n.t('channel.' + ch, L)} {fmt.number(qv(q), L, 2)}"
            if rng:
                txt += f" [{fmt.number(rng[0], L, 2)}–{fmt.number(rng[1], L, 2)}]"
            effs.append(txt + ("*" if basis(q) == "assumption" else ""))
        uc = d["beneficiary"]["unit_cost"]
        rows.append(
            {
                t("table.line"): full_name(code, scen.catalogue, L),
                t("table.unit_cost"): qv(uc) / 1e6,
                t("table.assumed"): "*" if basis(uc) == "assumption" else "",
                t("table.beneficiary_unit"): d["beneficiary"].get(i18n.column("unit", L), ""),
                t("table.lag"): qv(d["lag"]),
                t("table.effects"): "; ".join(effs) or "–",
            }
        )
    formats = {t("table.unit_cost"): "num1", t("table.lag"): "int"}
    return ReportTable(
        "parameters", t("report.table.parameters"), pd.DataFrame(rows), formats, t("report.assumptions.star")
    )


def effect_counts(program: dict) -> tuple[int, int]:
    """(effect sizes flagged as assumptions, all effect sizes) in the programme parameters."""
    n = total = 0
    for d in program["lines"].values():
        for q in (d.get("effects") or {}).values():
            total += 1
            n += basis(q) == "assumption"
    return n, total


def evidence_table(ctx) -> ReportTable | None:
    """The evidence register behind the effect sizes, when the installed simlib provides it
    (`simlib.evidence_tables.evidence_table(params, lang)` returning a DataFrame), else None."""
    try:
        mod = importlib.import_module("simlib.evidence_tables")
    except ImportError:
        return None
    fn = getattr(mod, "readable_evidence_table", None) or getattr(mod, "evidence_table", None)
    if fn is None:
        return None
    df = fn(ctx.scenario.params, ctx.lang)
    if not isinstance(df, pd.DataFrame) or df.empty:
        return None
    df = df.reset_index(drop=df.index.name is None)
    general = {c: "general" for c in df.columns if pd.api.types.is_float_dtype(df[c])}  # rates to đồng
    return ReportTable("evidence", ctx.t("report.table.evidence"), df, formats=general)


def sources(ctx) -> list:
    """The dataset's sources and the plan's, as links cited in the reader's language."""
    L, ds = ctx.lang, ctx.scenario.dataset
    items = html.source_items(
        [
            dict(s, title=s.get(i18n.column("title", L)) or s.get("title", s.get("id", "")))
            for s in ds.meta.get("sources") or []
        ],
        note_key=i18n.column("note", L),
    )
    meta = ctx.scenario.params["targets"].get("meta") or {}
    if meta.get("source"):
        items.insert(0, html.link(meta["source"], ctx.t("report.assumptions.plan_source")))
    return [html.para(ctx.t("report.assumptions.sources")), html.bullet_list(items, raw=True)] if items else []


def disbursement_text(ctx) -> str:
    fund = ctx.scenario.params["funding"]["sources"]
    parts = []
    for s, v in fund.items():
        q = v["disbursement"]
        rng = q.get("range") if isinstance(q, dict) else None
        txt = f"{i18n.t('source.' + s, ctx.lang)} {fmt.percent(100 * qv(q), ctx.lang, 0)}"
        if rng:
            txt += f" ({fmt.percent(100 * rng[0], ctx.lang, 0)}–{fmt.percent(100 * rng[1], ctx.lang, 0)})"
        parts.append(txt)
    return ctx.t("report.assumptions.disbursement", shares="; ".join(parts))


#: a range of years written with a hyphen («2022-2025»), as a dataset's description may have it
YEAR_RANGE = re.compile(r"\b(\d{4})-(\d{4})\b")


#: a command in a dataset's description («… bằng lệnh «simlib import-review --level commune»»,
#: «… via `simlib import-review`»): the sentence holding it is said plainly on a leader's page
#: (`dataset_description`), the command goes to the technical note (`dataset_technical`)
DESCRIBED_COMMAND = re.compile(r"«(simlib [^»]*)»|`(simlib [^`]*)`")
#: where a description's sentence ends (a full stop, then a blank)
SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
#: a file a dataset's description names -> the words a page says it in
DESCRIBED_FILES = {"assumptions.yaml": "report.assumptions.assumptions_file"}


def dataset_line(ds, lang: str) -> str:
    """The dataset as a leader's page names it: its title (`title_vi`/`title_en` of dataset.yaml,
    else «số hộ tỉnh Cao Bằng theo xã» by its units' level) — neither its folder's code nor its
    version (the code «caobang_communes», version 2024.1-communes: `dataset_technical`)."""
    province = ds.meta.get(i18n.column("province", lang), "")
    title = ds.meta.get(i18n.column("title", lang)) or i18n.t(
        f"report.assumptions.dataset_title.{ds.level}", lang, province=province
    )
    return i18n.t("report.assumptions.dataset", lang, title=title, year=ds.baseline_year)


def _description(ds, lang: str) -> str:
    """The dataset's description in `lang` on one line, as written."""
    return " ".join(str(ds.meta.get(i18n.column("description", lang), "") or "").split())


def described_commands(ds, lang: str) -> list[str]:
    """The commands the dataset's description gives (`DESCRIBED_COMMAND`), each once."""
    found = (a or b for a, b in DESCRIBED_COMMAND.findall(_description(ds, lang)))
    return list(dict.fromkeys(" ".join(c.split()) for c in found))


def dataset_technical(ds, lang: str) -> str:
    """The technical note naming the dataset's code and version (small type, under `dataset_line`),
    and the command its description gives to import the review counts (`described_commands`)."""
    commands = described_commands(ds, lang)
    fields = dict(name=ds.name, version=ds.version or "–")
    if not commands:
        return i18n.t("report.technical.dataset", lang, **fields)
    command = "; ".join(fmt.quote(c, lang) for c in commands)
    return i18n.t("report.technical.dataset_import", lang, command=command, **fields)


def dataset_description(ds, lang: str) -> str:
    """The dataset's description on one line, a range of years with an en dash («chuẩn nghèo đa
    chiều giai đoạn 2022–2025», the file writes «2022-2025»), a file it names described, and the
    sentence giving a command («Khi có kết quả rà soát chính thức của tỉnh, hãy thay bằng lệnh
    «simlib import-review».») said in administrative words, once: who replaces the estimates, the
    command in the technical note (`dataset_technical`)."""
    said, plain = False, []
    for sentence in SENTENCE_END.split(_description(ds, lang)):
        if DESCRIBED_COMMAND.search(sentence):
            sentence, said = ("" if said else i18n.t("report.assumptions.replace_estimates", lang)), True
        if sentence:
            plain.append(sentence)
    desc = " ".join(plain)
    for name, key in DESCRIBED_FILES.items():
        desc = desc.replace(name, i18n.t(key, lang))
    return YEAR_RANGE.sub("\\1–\\2", desc)


def assumptions(ctx) -> list:
    """What the projection rests on: the baseline data and where it comes from, the programme
    parameters (and which are assumptions), disbursement, any overrides, and a glossary."""
    scen, L = ctx.scenario, ctx.lang
    ds = scen.dataset
    blocks = [
        html.heading(ctx.t("report.section.assumptions"), anchor="assumptions", up=ctx.t("report.toc.up")),
        html.heading(ctx.t("report.assumptions.data"), 3),
        html.para(dataset_line(ds, L)),
        html.para(dataset_technical(ds, L), "sl-small"),
    ]
    desc = dataset_description(ds, L)
    if desc:
        blocks.append(html.para(desc))
    blocks += sources(ctx)
    n_ass, n_eff = effect_counts(scen.params["program"])
    blocks += [
        html.heading(ctx.t("report.assumptions.parameters"), 3),
        html.para(ctx.t("report.assumptions.effects_note", n=n_ass, total=n_eff)),
        to_html(parameters_table(ctx), L, caption=False),
        html.para(disbursement_text(ctx)),
    ]
    ev = evidence_table(ctx)
    if ev is not None:
        blocks += [html.heading(ev.title, 3), to_html(ev, L, caption=False)]
    over = dict(ctx.result.manifest.get("overrides") or {})
    over.update(ctx.result.manifest.get("set") or {})
    if over:
        blocks.append(html.para(ctx.t("report.assumptions.overrides")))
        blocks.append(
            html.bullet_list(
                [f'<span class="mono">{html.esc(k)} = {html.esc(v)}</span>' for k, v in over.items()], raw=True
            )
        )
    blocks.append(html.para(ctx.t("report.assumptions.files"), "sl-small"))
    return blocks


def glossary(ctx) -> list:
    """The terms the report uses, explained in one line each."""
    items = []
    for key in GLOSSARY:
        term, _, text = ctx.t(key).partition(":")
        items.append(f"<strong>{html.esc(term.strip())}</strong>: {html.esc(text.strip())}")
    return [
        html.heading(ctx.t("report.section.glossary"), anchor="glossary", up=ctx.t("report.toc.up")),
        html.bullet_list(items, raw=True),
    ]


def manifest_rows(manifest: dict, lang: str) -> list[tuple[str, str]]:
    """The run manifest as (label, value) rows for a report footer and the workbook's
    information sheet."""
    t = lambda k: i18n.t(k, lang)  # noqa: E731
    ds = manifest.get("dataset") or {}
    eng = manifest.get("engine", "")
    rows = [
        (t("manifest.scenario"), f"{manifest.get('scenario', '')} ({manifest.get('scenario_file') or '–'})"),
        (
            t("manifest.engine"),
            f"{i18n.label('report.engine', eng, lang, default=eng)}, {t('manifest.draws')} {manifest.get('draws', '')}, "
            f"{t('manifest.seed')} {manifest.get('seed', '')}",
        ),
        (t("manifest.dataset"), f"{ds.get('name', '')} {ds.get('version', '')} ({ds.get('baseline_year', '')})"),
        (t("manifest.parameter_hash"), str(manifest.get("parameter_hash", ""))),
        (t("manifest.run_id"), str(manifest.get("run_id", ""))),
        (
            t("manifest.version"),
            f"simlib {manifest.get('simlib_version', '')}, Python {manifest.get('python', '')}, "
            f"numpy {manifest.get('numpy', '')}, pandas {manifest.get('pandas', '')}",
        ),
        (t("manifest.created"), fmt.timestamp(manifest.get("created_utc"), lang)),
    ]
    for path, sha in sorted((manifest.get("input_files") or {}).items()):
        rows.append((t("manifest.input"), f"{path}  sha256:{sha[:16]}…"))
    return rows


def footer_html(manifest: dict, lang: str) -> str:
    rows = manifest_rows(manifest, lang)
    trs = "".join(f"<tr><td>{html.esc(k)}</td><td>{html.esc(v)}</td></tr>" for k, v in rows)
    return (
        f'<footer class="sl-footer"><p><strong>{html.esc(i18n.t("manifest.title", lang))}</strong> — '
        f"{html.esc(i18n.t('manifest.explain', lang))}</p><table>{trs}</table></footer>"
    )


def dataset_estimated_share(dataset) -> float | None:
    """Share of baseline households in rows flagged `estimated` (None if the data say nothing)."""
    f = Path(dataset.path) / str(dataset.meta.get("baseline_file", f"baseline_{dataset.baseline_year}.csv"))
    try:
        df = pd.read_csv(f, usecols=["households", "estimated"], dtype={"estimated": str})
    except (OSError, ValueError):
        return None
    est = df["estimated"].str.strip().str.lower().isin(["true", "1", "yes"])
    total = df["households"].sum()
    return float(df.loc[est, "households"].sum() / total) if total else None


def caveats(ctx) -> list[str]:
    """How to read the figures: projections, not statistics; estimated baseline and assumed
    effect sizes when that is what the inputs say."""
    out = [ctx.t("report.caveat.base")]
    share, lv = dataset_estimated_share(ctx.scenario.dataset), Levels.of(ctx)
    if share is not None and share > 0.5:
        out.append(lv.t("report.caveat.estimated", ctx.lang))
    if lv.switches():  # a run continued on other units (simlib.unit_switch): how they were estimated
        year = min(y for y, level in lv.used_by_year.items() if level != lv.used_at([min(lv.used_by_year)]))
        out.append(ctx.t("report.caveat.estimated_switched", year=year))
    n, total = effect_counts(ctx.scenario.params["program"])
    if n:
        out.append(ctx.t("report.caveat.assumed", n=n, total=total))
    return out
