"""What the CLI's summary and the optimiser's report say beside the optimum's numbers.

- `unmet_record`: the province's targets (headline verdicts: the province, the poor units, the
  ethnic-minority group — not each unit) that the recommended split does not meet in the years
  allocated and that the request did not require. The objectives other than `min_cost` minimise
  poverty within the money and rules: they do not constrain a target, so the recommended split
  may miss one the plan meets (plan_2024 with `poor`: production support 0 in 2025, its 80 %
  coverage target «0,00 ✗»). The record says which, the value of each year under the optimum and
  under the plan, that the objective did not constrain them, and the option that does
  (`--objective min_cost`: the least money meeting every target; the linear coverage targets
  also `targets:` in a `--spec` file with any objective). `summary.json` keeps it
  (`unmet_targets`), the CLI prints it and the report shows it under the headline; the
  explorer's «Suggest» shows it under the suggestion (`ASKED["explorer"]`: against the
  allocation being explored, and what to do there: save it, then `--objective min_cost`); the
  report (`ASKED["report"]`, `summary.json` → `unmet_targets` → `report`) says what to ask of the
  planning office instead of the command, which a provincial leader does not type.
"""

from __future__ import annotations

import pandas as pd

from simlib import i18n
from simlib.allocate.spec import LINEAR_TARGETS, OptimizeSpec
from simlib.i18n import fmt

#: the geo_type of a target's rows per unit (districts or communes): detail, not headline
UNIT_ROWS = "district"

#: where the record is read: (the word for the allocation the optimum is compared with, what to
#: do to require every target) — the command line and its report compare with the scenario's
#: plan (the report asks the planning office, the command line names the option); the explorer's
#: «Suggest» with the allocation being explored, which it started from
ASKED = {
    "cli": ("alloc.unmet.start_plan", "alloc.unmet.min_cost"),
    "explorer": ("alloc.unmet.start_explored", "alloc.unmet.min_cost_explorer"),
    "report": ("alloc.unmet.start_plan", "alloc.unmet.min_cost_report"),
}


def shown_value(v: float, indicator: str, lang: str) -> str:
    """A target's value as the report's targets table shows it: points for a change, a
    percentage otherwise, two decimals («0,00 %» beside the table's «0,00 ✗»)."""
    return fmt.points(v, lang) if indicator.endswith("change") else fmt.percent(v, lang, 2)


def required_targets(spec: OptimizeSpec, target_ids) -> set[str]:
    """The targets the optimisation had to meet: those the request names (`targets`), and with
    `min_cost` every target when it names none."""
    if spec.targets is not None:
        return set(spec.targets)
    return set(target_ids) if spec.objective == "min_cost" else set()


def unmet_rows(targets: pd.DataFrame, spec: OptimizeSpec, years) -> pd.DataFrame:
    """The headline rows of the optimal allocation in `years` that are not met and were not
    required, with the plan's value of the same row (`plan_value`)."""
    if targets is None or targets.empty or "allocation" not in targets:
        return pd.DataFrame()
    keys = ["year", "target_id", "geo_type", "geo"]
    head = targets[(targets["geo_type"] != UNIT_ROWS) & targets["year"].isin(list(years))]
    opt = head[head["allocation"] == "optimal"]
    plan = head.loc[head["allocation"] == "plan", keys + ["value"]].rename(columns={"value": "plan_value"})
    required = required_targets(spec, targets["target_id"].unique())
    sel = opt["met"].astype(object).eq(False) & ~opt["target_id"].isin(required)
    return opt[sel].merge(plan, on=keys, how="left")


def unmet_record(
    targets: pd.DataFrame, spec: OptimizeSpec, years, status: str = "optimal", where: str = "cli"
) -> dict | None:
    """{"targets": ids, "vi": text, "en": text} for `summary.json` (module docstring), None when
    the recommended split meets every target it is judged on, or the targets could not be met
    (the message says so). `where`: a key of `ASKED` (the words of the command line or of the
    explorer)."""
    rows = unmet_rows(targets, spec, years) if status == "optimal" else pd.DataFrame()
    if rows.empty:
        return None
    out: dict = {"targets": sorted(rows["target_id"].unique())}
    for lang in i18n.LANGS:
        out[lang] = unmet_text(rows, spec, lang, where)
    return out


def unmet_text(rows: pd.DataFrame, spec: OptimizeSpec, lang: str, where: str = "cli") -> str:
    """The sentences of `unmet_record` in `lang`: one line per target, then why and what to do
    (`where`: a key of `ASKED`)."""
    start, advice = (i18n.t(k, lang) for k in ASKED[where])
    label = i18n.column("label", lang)
    lines = [i18n.t("alloc.unmet.head", lang, n=rows.groupby(["target_id", "geo_type", "geo"]).ngroups)]
    for _, grp in rows.groupby(["target_id", "geo_type", "geo"], sort=False):
        values = "; ".join(
            i18n.t(
                "alloc.unmet.value",
                lang,
                year=int(r.year),
                value=shown_value(r.value, r.indicator, lang),
                start=start,
                plan=shown_value(r.plan_value, r.indicator, lang),
            )
            for r in grp.sort_values("year").itertuples()
        )
        lines.append("  • " + i18n.t("alloc.unmet.row", lang, label=grp[label].iloc[0], values=values))
    objective = i18n.t(f"alloc.objective.{spec.objective}", lang)
    if spec.objective == "min_cost":  # a request naming some targets only
        ids = ", ".join(spec.targets or ())
        lines.append(i18n.t("alloc.unmet.why_listed", lang, targets=ids))
    else:
        lines.append(i18n.t("alloc.unmet.why", lang, objective=objective) + " " + advice)
        linear = sorted(set(rows["target_id"]) & set(LINEAR_TARGETS))
        if linear and where == "cli":  # a --spec file: the command line's
            lines.append(i18n.t("alloc.unmet.linear", lang, targets=", ".join(linear)))
    return "\n".join(lines)


__all__ = ["ASKED", "required_targets", "unmet_record", "unmet_rows", "unmet_text"]
