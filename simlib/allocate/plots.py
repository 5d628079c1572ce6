"""Charts and translated tables of an optimisation result (for the report notebook).

Every function takes the tables `simlib.allocate.output.read_optimization` returns and a
language; all labels come from `simlib.i18n`. A dated scenario's money of the years under the
2026–2035 programme is named by the content it stands for (`simlib.dated_budget.content_title`):
a line's row says «từ 2026: C1 – …» after its 2021–2025 name (`line_labels`, from
`simlib.allocate.labels`: no charts there, so the CLI can use it), money reaching no
one in such a year is a row of its content (`unallocatable_summary`). A content of a line with
a code of its own in the catalogue («P1.1.maintenance», an identifier, English words) is named
for a reader by its line and its name («P1.1 – Duy tu, bảo dưỡng …», `report_labels`).
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from simlib import i18n
from simlib.allocate.labels import MONEY_DECIMALS, line_labels, marked, reads_as_zero, shown_code
from simlib.chart_style import FILLS as CHART_FILLS
from simlib.dated_budget import content_title, dated_catalogues
from simlib.i18n import fmt

ALLOCATIONS = ("optimal", "plan", "equal_split")
#: print-safe styles (greys, markers, hatches): the charts stay readable in black and white
COLOURS = {"optimal": "black", "plan": "0.35", "equal_split": "0.6", "plan_feasible": "0.8"}
MARKERS = {"plan": "D", "equal_split": "s"}
FILLS = {"optimal": CHART_FILLS[0], "plan": CHART_FILLS[1]}


def comparison_table(comparison: pd.DataFrame, lang: str | None = None) -> pd.DataFrame:
    """One row per allocation: total money, poor and poor + near-poor households at the
    horizon, households lifted compared with no programme, targets met."""
    lifted = [c for c in ("households_lifted", "households_lifted_allocated") if c in comparison]
    cols = ["total_bn", "poor", "poor_near_poor"] + lifted + (["targets_met"] if "targets_met" in comparison else [])
    df = comparison.set_index("allocation")[cols].copy()
    df.index = [i18n.t(f"alloc.allocation.{a}", lang) for a in df.index]
    for c in ["poor", "poor_near_poor"] + lifted:
        df[c] = df[c].round(0)
    df["total_bn"] = df["total_bn"].round(1)
    df.columns = [i18n.t(f"alloc.col.{c}", lang) for c in cols]
    return df


def dated_note(lines: pd.DataFrame, lang: str | None = None) -> str:
    """The note under a dated scenario's table by line (which years name the contents, that the
    catalogue is a draft and the money per year averages both programmes' years); "" otherwise."""
    if "content" not in lines or not (lines["content"].fillna("") != "").any():
        return ""
    return i18n.t("alloc.dated.note", lang, first=int(lines["content_from"].min()))


def report_labels(lines: pd.DataFrame, lang: str | None = None, short: bool = False) -> list[str]:
    """`line_labels` as the report shows them: a content of a line by its line and name
    (`shown_code`: «P1.1 – Duy tu, bảo dưỡng …», never «P1.1.maintenance …»); `short` (a chart's
    row): a line by its code, a content by its name cut to `CHART_NAME_CHARS`."""
    lang = i18n.get_lang(lang)
    shown = [shown_code(c) for c in lines["line"]]
    if not short:
        return line_labels(lines.assign(line=shown), lang)
    own = line_labels(lines, lang, short=True)
    return [
        label if code == code_shown else short_name(name)
        for label, code, code_shown, name in zip(own, lines["line"], shown, item_names(lines, lang), strict=True)
    ]


def item_names(lines: pd.DataFrame, lang: str) -> pd.Series:
    """The items' names in `lang` (their codes where `lines` has no names)."""
    column = i18n.column("name", lang)
    return lines[column] if column in lines else lines["line"]


def short_name(name) -> str:
    """A name as a chart's row writes it: whole up to `CHART_NAME_CHARS`, else `cut` at a word."""
    return str(name) if len(str(name)) <= CHART_NAME_CHARS else cut(str(name), CHART_NAME_CHARS)


def lines_table(lines: pd.DataFrame, lang: str | None = None, unmeasured=frozenset()) -> pd.DataFrame:
    """Per line: money per year (optimal, plan, equal split) and the marginal value; the items
    whose effect on households the model does not measure (`unmeasured`) marked (`marked`)."""
    lang = i18n.get_lang(lang)
    df = pd.DataFrame(
        {
            i18n.t("alloc.col.line", lang): marked(report_labels(lines, lang), lines["line"], unmeasured),
            i18n.t("alloc.col.optimal", lang): lines["optimal_bn_per_year"].round(1),
            i18n.t("alloc.col.plan", lang): lines["plan_bn_per_year"].round(1),
            i18n.t("alloc.col.equal_split", lang): lines["equal_split_bn_per_year"].round(1),
            i18n.t("alloc.col.marginal", lang): lines.get(
                "lifted_per_billion_added", pd.Series(np.nan, index=lines.index)
            ).round(2),
        }
    )
    return df.set_index(i18n.t("alloc.col.line", lang))


def targets_table(targets: pd.DataFrame, lang: str | None = None) -> pd.DataFrame:
    """Target rows (target, geography, year) with the projected value under each allocation."""
    lang = i18n.get_lang(lang)
    if targets.empty:
        return pd.DataFrame()
    lab = i18n.column("label", lang)
    t = targets.copy()
    t["cell"] = [f"{fmt.number(v, lang, 2)}{' ✓' if m else ' ✗'}" for v, m in zip(t["value"], t["met"])]
    wide = t.pivot_table(index=[lab, "geo", "year"], columns="allocation", values="cell", aggfunc="first", sort=False)
    wide = wide[[a for a in ALLOCATIONS if a in wide.columns]]
    wide.columns = [i18n.t(f"alloc.allocation.{a}", lang) for a in wide.columns]
    return wide


def plot_frontier(frontier: pd.DataFrame, comparison: pd.DataFrame, lang: str | None = None):
    """Households kept out of poverty by the money of the years allocated (against no money in
    those years) against that money, for the optimal allocation at each envelope, with the plan
    and the equal split as points on the same count. Results written before that count had its
    own column (`households_lifted` in frontier.csv, the points against no money at all) are
    drawn as they were."""
    fig, ax = plt.subplots(figsize=(7, 4.2))
    lifted = "households_lifted_allocated" if "households_lifted_allocated" in comparison else "households_lifted"
    fr = frontier[frontier["feasible"].astype(bool)] if not frontier.empty else frontier
    if not fr.empty:
        ax.plot(
            fr["total_bn"],
            fr[lifted if lifted in fr else "households_lifted"],
            "-o",
            color=COLOURS["optimal"],
            label=i18n.t("alloc.plot.frontier_line", lang),
        )
    for a in ("plan", "equal_split"):
        row = comparison[comparison["allocation"] == a]
        if not row.empty:
            ax.scatter(
                row["total_bn"],
                row[lifted],
                s=70,
                marker=MARKERS[a],
                color=COLOURS[a],
                edgecolor="black",
                zorder=3,
                label=i18n.t(f"alloc.allocation.{a}", lang),
            )
    ax.set_xlabel(i18n.t("alloc.plot.frontier_x", lang))
    ax.set_ylabel(i18n.t("alloc.plot.frontier_y", lang))
    ax.set_title(i18n.t("alloc.plot.frontier_title", lang))
    ax.grid(alpha=0.3)
    ax.legend()
    fig.tight_layout()
    return fig


#: the longest name a chart writes as a row label (`chart_labels`) before cutting it at a word
CHART_NAME_CHARS = 32


def shown_lines(lines: pd.DataFrame, unmeasured=frozenset(), money: tuple[str, ...] = ()) -> pd.DataFrame:
    """The rows of `lines` a chart shows: all but the items whose effect on households the model
    does not measure (`unmeasured`) — unless one of the `money` columns gives them money."""
    funded = lines[list(money)].fillna(0.0).abs().sum(axis=1) > 0 if money else pd.Series(False, index=lines.index)
    return lines[~lines["line"].isin(unmeasured) | funded]


def chart_labels(lines: pd.DataFrame, lang: str | None = None, unmeasured=frozenset()) -> list[str]:
    """A chart's row labels: a line by its code (`report_labels` short), an item whose effect on
    households the model does not measure (`unmeasured`, shown when funded) by its name, cut to
    `CHART_NAME_CHARS` at a word, and marked as the table marks it — never by a bare code like
    «P5.repair» that names nothing to a reader."""
    lang = i18n.get_lang(lang)
    short = report_labels(lines, lang, short=True)
    out = [
        short_name(name) if code in unmeasured else label
        for label, code, name in zip(short, lines["line"], item_names(lines, lang), strict=True)
    ]
    return marked(out, lines["line"], unmeasured)


def cut(text: str, limit: int) -> str:
    """`text` cut to at most `limit` characters at a word, «…» after it."""
    head = text[: limit - 1].rsplit(" ", 1)[0].rstrip(",;:–- ")
    return head + "…"


def plot_allocation(lines: pd.DataFrame, lang: str | None = None, unmeasured=frozenset()):
    """Money per year by line: optimal against plan; the items whose effect on households the
    model does not measure (`unmeasured`) only when either gives them money (`shown_lines`)."""
    lines = shown_lines(lines, unmeasured, ("optimal_bn_per_year", "plan_bn_per_year"))
    fig, ax = plt.subplots(figsize=(7, 0.35 * len(lines) + 1.5))
    y = np.arange(len(lines))
    for off, a, col in ((-0.2, "optimal", "optimal_bn_per_year"), (0.2, "plan", "plan_bn_per_year")):
        face, hatch = FILLS[a]
        ax.barh(
            y + off,
            lines[col],
            height=0.4,
            color=face,
            hatch=hatch,
            edgecolor="black",
            linewidth=0.6,
            label=i18n.t(f"alloc.allocation.{a}", lang),
        )
    ax.set_yticks(y, chart_labels(lines, lang, unmeasured))
    ax.invert_yaxis()
    ax.set_xlabel(i18n.t("unit.billion_vnd", lang))
    ax.set_title(i18n.t("alloc.plot.allocation_title", lang))
    ax.legend()
    ax.grid(axis="x", alpha=0.3)
    fig.tight_layout()
    return fig


def plot_marginal(lines: pd.DataFrame, lang: str | None = None, unmeasured=frozenset()):
    """Households lifted out of poverty per extra billion VND, by line, at the optimum; not the
    items whose effect on households the model does not measure (`unmeasured`: no value to show)
    nor the lines whose value was not computed (economy effort: «–» in the table)."""
    lines = shown_lines(lines, unmeasured)
    if "lifted_per_billion_added" in lines:  # a value not computed (economy effort) is no bar of 0
        lines = lines[lines["lifted_per_billion_added"].notna()]
    fig, ax = plt.subplots(figsize=(7, 0.35 * len(lines) + 1.5))
    v = lines.get("lifted_per_billion_added", pd.Series(0.0, index=lines.index)).fillna(0.0)
    ax.barh(np.arange(len(lines)), v, color="0.45", edgecolor="black", linewidth=0.6)
    ax.set_yticks(np.arange(len(lines)), report_labels(lines, lang, short=True))
    ax.invert_yaxis()
    ax.set_xlabel(i18n.t("alloc.col.marginal", lang))
    ax.set_title(i18n.t("alloc.plot.marginal_title", lang))
    ax.grid(axis="x", alpha=0.3)
    fig.tight_layout()
    return fig


def certificate_table(certificate: dict, lang: str | None = None) -> pd.DataFrame:
    """The certificate of an optimum as a two-column table (what, value)."""
    c = certificate
    rows = [
        ("method", i18n.t(f"alloc.cert.method.{c['method']}", lang)),
        ("gap", fmt.percent(100 * c["gap"], lang, 3)),
        ("approx_error", fmt.percent(100 * c["approx_error"], lang, 2)),
        ("tests", fmt.number(c["tests"], lang)),
        ("scale", fmt.number(c["scale"], lang, 1)),
        ("rounds", fmt.number(c["rounds"], lang)),
        ("evaluations", fmt.number(c["evaluations"], lang)),
        ("breakpoints", fmt.number(c["breakpoints"], lang)),
        ("binaries", fmt.number(c["binaries"], lang)),
        ("seconds", fmt.number(c["seconds"], lang, 1)),
    ]
    if c.get("starts"):
        rows.append(("spread", fmt.percent(100 * c["spread"], lang, 2)))
    if c.get("searched"):  # the local search on the engine (`engine_search`): measured, not proven
        s = c["searched"]
        gain = f"{fmt.number(s['start'] - s['value'], lang, 1)} ({fmt.percent(100 * s['improvement'], lang, 2)})"
        rows += [("searched_gain", gain), ("searched_evaluations", fmt.number(s["evaluations"], lang))]
    return pd.DataFrame(
        {i18n.t("alloc.cert.col.value", lang): [v for _, v in rows]},
        index=[i18n.t(f"alloc.cert.{k}", lang) for k, _ in rows],
    )


def rules_table(
    binding: pd.DataFrame, lang: str | None = None, lines: pd.DataFrame | None = None, measure: str = "poor"
) -> pd.DataFrame:
    """Binding rules: the rule in words, its basis, and what one more billion of room is worth,
    in the objective's `measure` (a key of `alloc.measure.`: «Số hộ nghèo giảm thêm khi nới 1 tỷ
    đồng», the unit in the header, not a bare number).
    The contents the model proposes no money for because it does not measure their effect on
    households (kind `cap_unmeasured`, the same basis) are one row naming them all
    (`grouped_unmeasured`, labelled as the table by line labels them when `lines` is given)."""
    lang = i18n.get_lang(lang)
    if binding.empty:
        return pd.DataFrame()
    binding = grouped_unmeasured(binding, lang, lines)
    value = binding["value_per_billion"].astype(float)
    room = i18n.t("alloc.col.room_value", lang, measure=i18n.t(f"alloc.measure.{measure}", lang))
    return pd.DataFrame(
        {
            i18n.t("alloc.col.rule", lang): binding[i18n.column("text", lang)],
            i18n.t("alloc.col.basis", lang): binding[i18n.column("basis", lang)].fillna(""),
            room: [fmt.number(v, lang, 2) if np.isfinite(v) else "–" for v in value],
        }
    )


def grouped_unmeasured(binding: pd.DataFrame, lang: str, lines: pd.DataFrame | None = None) -> pd.DataFrame:
    """`binding` with its rows of kind `cap_unmeasured` (no unit; each year or one year) put
    together into one row per year, placed where the first of them was: «Mô hình không đo tác
    động đến hộ gia đình của 10 nội dung sau …: P1.1.maintenance …; …». One such row is kept as
    it is."""
    text = i18n.column("text", lang)
    rows = binding.reset_index(drop=True)
    is_group = (rows["kind"] == "cap_unmeasured") & rows["unit"].isna()
    known = {} if lines is None else dict(zip(lines["line"], report_labels(lines, lang), strict=True))
    keys = [None if pd.isna(y) else int(y) for y in rows["year"]]
    out, done = [], set()
    for i, row in rows.iterrows():
        if not is_group[i]:
            out.append(row)
            continue
        if keys[i] in done:
            continue
        done.add(keys[i])
        group = rows[is_group & pd.Series([k == keys[i] for k in keys])]
        if len(group) == 1:
            out.append(row)
            continue
        names = "; ".join(known.get(c, c) for c in group["code"])
        year = i18n.t("alloc.every_year", lang) if keys[i] is None else i18n.t("alloc.in_year", lang, year=keys[i])
        joined = i18n.t("alloc.bind.cap_unmeasured_group", lang, n=len(group), year=year, lines=names)
        row = row.copy()
        row[text] = joined
        out.append(row)
    return pd.DataFrame(out).reset_index(drop=True)


def district_table(
    marginals: pd.DataFrame,
    lang: str | None = None,
    names: dict | None = None,
    value: str = "objective_per_billion_added",
    lines: pd.DataFrame | None = None,
    unmeasured=frozenset(),
) -> pd.DataFrame:
    """Marginal value of one more billion VND per line (rows) and district (columns, named by
    `names` {district id: name} when given). Rows are labelled as the table by line labels them
    (`report_labels` of `lines` when given: «P4.1 – Đầu tư cơ sở vật chất …», a dated
    scenario's content after its line), never by a bare code, the items whose effect on
    households the model does not measure (`unmeasured`) marked (`marked`)."""
    if marginals.empty:
        return pd.DataFrame()
    wide = marginals.pivot_table(index="line", columns="district", values=value, aggfunc="first", sort=False)
    wide.columns = [(names or {}).get(c, c) for c in wide.columns]
    labels = dict(zip(lines["line"], report_labels(lines, lang))) if lines is not None else {}
    wide.index = marked([labels.get(c, c) for c in wide.index], wide.index, unmeasured)
    return wide.round(2)


def unallocatable_summary(
    unallocatable: pd.DataFrame, lang: str | None = None, names: dict | None = None
) -> pd.DataFrame:
    """Money that reaches no one, per allocation and line (billion VND over the projection); a
    dated scenario's money of a year under the dated catalogue is a row of the content it stands
    for («C5 – …», `content_title`), apart from its line's 2021–2025 years. Rows and allocations
    whose money rounds to 0,00 billion are left out (less than 5 million VND: «0,00 tỷ đồng không
    đến được» says nothing; none left: an empty table, shown as «Không có.»). `names`: {line:
    its label} for a line's own rows («P6.2 Truyền thông …», `names_by_line`; default its code)."""
    if unallocatable.empty:
        return pd.DataFrame()
    rows = unallocatable.assign(line=unallocatable_rows(unallocatable, lang, names))
    t = rows.groupby(["allocation", "line"], sort=False)["unallocatable_bn"].sum().unstack(0).fillna(0.0)
    shown = ~t.map(reads_as_zero)
    t = t.loc[shown.any(axis=1), shown.any(axis=0)]
    if t.empty:
        return pd.DataFrame()
    if "content" in unallocatable:  # rows of 2021–2025 lines and of 2026–2035 contents
        t.index.name = i18n.t("alloc.col.line_or_content", lang)
    t.columns = [i18n.t(f"alloc.allocation.{a}", lang) for a in t.columns]
    return t.map(lambda v: round(v, MONEY_DECIMALS))  # as shown (numpy's round differs at 0,005)


def unallocatable_rows(unallocatable: pd.DataFrame, lang: str | None = None, names: dict | None = None) -> list[str]:
    """The row each line's money of each year goes to: its content's title in a year under a
    dated catalogue (column `content`), the line's label otherwise (`names`, default its code)."""
    names = names or {}
    own = [names.get(line, line) for line in unallocatable["line"]]
    if "content" not in unallocatable:
        return own
    contents = unallocatable["content"].fillna("")
    cats = dated_catalogues(sorted({int(y) for y, c in zip(unallocatable["year"], contents) if c}))
    lang = i18n.get_lang(lang)
    return [
        content_title(cats[int(y)], c, lang) if c else label
        for y, label, c in zip(unallocatable["year"], own, contents)
    ]


def names_by_line(lines: pd.DataFrame, lang: str | None = None) -> dict:
    """{line: «P6.2 Truyền thông về giảm nghèo đa chiều»} from lines.csv (its 2021–2025 name: the
    label of the line's own rows, its years under a dated catalogue named by their content; a
    content of a line «P1.1 – its name», `shown_code`)."""
    lang = i18n.get_lang(lang)
    names = lines[i18n.column("name", lang)]
    return {code: f"{shown_code(code)} {name}" for code, name in zip(lines["line"], names)}


def robust_table(summary: pd.DataFrame, lang: str | None = None) -> pd.DataFrame:
    """Per allocation over the parameter draws: mean and worst value, mean and largest regret,
    share of draws where it is best, draws better and worse than the plan."""
    if summary.empty:
        return pd.DataFrame()
    cols = [
        "value_mean",
        "value_worst",
        "regret_mean",
        "regret_max",
        "share_best",
        "draws_better_than_plan",
        "draws_worse_than_plan",
    ]
    df = summary.set_index("allocation")[cols].copy()
    df.index = [i18n.t(f"alloc.allocation.{a}", lang) for a in df.index]
    df["share_best"] = 100 * df["share_best"]
    df.columns = [i18n.t(f"alloc.col.{c}", lang) for c in cols]
    return df.round(1)
