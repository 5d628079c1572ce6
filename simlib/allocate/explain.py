"""Why the optimum is what it is: marginal values, binding rules, what stops the best line.

- `line_marginals` / `district_marginals`: households lifted out of poverty, and the objective's
  change, per extra billion VND spent in each line (in each line and district), at the optimum,
  on the true engine (finite differences of one billion);
- `row_values`: each rule's shadow price — what one more billion VND of room in it is worth,
  on the piecewise-linear model around the optimum (`simlib.allocate.milp.shadow_prices`);
- `bindings`: the rules that hold with equality at the optimum, in plain words, each with its
  rule id, its basis (the legal source, the budget, the spec file, or an assumption) and its
  shadow price; envelope money left over and why;
- `best_line`: the line where one more billion does most, and the rule that stops more money
  reaching it — the rule touching that line whose room is worth most;
- `zero_lines`: lines left without money, with their marginal value against the value of the
  money they could take; a content whose effect on households the model does not measure
  (catalogue `population: none`, `unmeasured`) is said to be outside what the model weighs —
  its allocation a decision the province takes on other grounds — not to be worth nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from simlib import i18n
from simlib.allocate.evaluate import run_batch
from simlib.allocate.labels import named, reads_as_zero
from simlib.allocate.problem import Problem
from simlib.allocate.rules import BN, Row
from simlib.allocate.spec import year_blocks
from simlib.dated_budget import dated_titles
from simlib.i18n import LANGS, LocalText, fmt
from simlib.scenario import SOURCES, Scenario
from simlib.states import POOR

TIGHT = 1e-4  # relative slack under which a row holds with equality
WORTH = 0.01  # households per billion VND under which a rule's room is worth nothing


@dataclass
class Binding:
    """A rule that holds with equality at the optimum, in plain words."""

    kind: str
    code: str | None
    source: str | None
    year: int | None
    unit: str | None
    amount: float
    value_per_billion: float | None  # households (objective) per extra billion VND of room
    text: LocalText  # binding.csv: text_vi, text_en
    rule: str = ""
    basis: LocalText | None = None  # binding.csv: basis_vi, basis_en


def names_of(scen: Scenario, years=None) -> dict:
    """Display names: ("line", code, lang), ("geo", id, lang); for a dated scenario also ("line",
    code, lang, year): the 2026–2035 content a 2021–2025 item's or project's money stands for in
    a year under the dated catalogue («C5 – Hỗ trợ nhà ở … (dự kiến)», `dated_titles`), and
    ("line", code, lang, None) when it stands for the same content in all the optimised `years`
    (default: the projected years), so a rule of every year names it too (`line_name`)."""
    out = dated_names(scen, years)
    for lang in LANGS:
        for code, ln in scen.catalogue.lines.items():  # a content as the report names it (`named`)
            out[("line", code, lang)] = named(code, ln.name(lang))
        for code, pj in scen.catalogue.projects.items():
            out.setdefault(("line", code, lang), f"{code} ({pj.name(lang)})")
        for u in scen.dataset.unit_ids:
            out[("geo", u, lang)] = scen.dataset.unit_name(u, lang)
        for g in ("province", "poor_districts", "ethnic_minority", "kinh"):
            out[("geo", g, lang)] = i18n.t(f"geo.{g}", lang)
        if scen.dataset.level == "commune":  # the poor units of a commune dataset are communes
            out[("geo", "poor_districts", lang)] = i18n.t("geo.poor_communes", lang)
        for t in scen.params["targets"]["targets"]:
            out[("line", t["id"], lang)] = t[i18n.column("label", lang)]
    return out


def dated_names(scen: Scenario, years=None) -> dict:
    """The ("line", code, lang, year) names of `names_of` (empty for an undated scenario): each
    projected year's, and None's for the optimised `years`."""
    years = tuple(int(y) for y in (years or scen.years))
    titles = dated_titles(scen, LANGS, tuple(int(y) for y in scen.years))
    out: dict = {("line", code, lang, y): t for (code, lang, y), t in titles.items()}
    for code, lang, _ in titles:
        same = {titles.get((code, lang, y)) for y in years}
        if len(same) == 1 and None not in same:
            out[("line", code, lang, None)] = same.pop()
    return out


#: texts whose subject is a 2021–2025 line («dự án này», «dự án khác») and their wording when it
#: is a content of a year under a dated catalogue («nội dung này»)
CONTENT_TEXTS = {
    "alloc.best.returns": "alloc.best.returns_content",
    "alloc.best.rule": "alloc.best.rule_content",
    "alloc.zero_line": "alloc.zero_line_content",
    "alloc.zero_line_no_money": "alloc.zero_line_no_money_content",
    "alloc.bind.unallocated": "alloc.bind.unallocated_content",
}


def worded(key: str, names: dict, year: int | None, code: str | None = None) -> str:
    """`key`, or its content wording (`CONTENT_TEXTS`) when `code` (None: any line) is named by
    a content in `year` (`names_of`)."""
    dated = any(len(k) == 4 and k[3] == year and (code is None or k[1] == code) for k in names)
    return CONTENT_TEXTS.get(key, key) if dated else key


def line_name(names: dict, code: str | None, lang: str, year: int | None = None) -> str:
    """How a rule's line or project is named in `year` (None: every optimised year): the content
    it stands for under a dated catalogue, else «P1.1 (its 2021–2025 name)», a content «P4.1 – its
    name» (`names_of`)."""
    return names.get(("line", code, lang, year)) or names.get(("line", code, lang), code or "")


# --- marginal values on the true engine --------------------------------------------------------
def _objective(p: Problem, out) -> tuple[np.ndarray, np.ndarray]:
    poor = out.states[:, -1, :, POOR].sum(-1)
    return poor, (p.objective_from(out) if p.objective != "min_cost" else poor)


def line_marginals(p: Problem, x: np.ndarray) -> pd.DataFrame:
    """Households lifted out of poverty (and objective change) per extra billion VND in each
    line, and per billion VND taken away, at allocation x. Money follows the line's present
    district split; without a year dimension the extra billion is spread over the projected
    years (so values are per billion in total). With only some years optimised (`plan_years`),
    per year of those; at economy effort only lines that have a variable are run (others NaN)."""
    m = p.model
    sp = p.spend(x[None])[0]
    L, D, Y = len(m.line_codes), len(m.unit_ids), p.Y
    blocks = year_blocks(p.spec, tuple(m.years))
    lines = range(L) if p.spec.effort.unit_marginals else sorted(set(p.var_line.tolist()))
    keys, pats = [], []
    for yb in [None] if blocks == [-1] else blocks:
        ys = range(Y) if yb is None else [yb]
        for li in lines:
            pat = np.zeros((Y + 1, L, D))
            for yi in ys:
                cur = sp[yi + 1, li]
                pat[yi + 1, li] = (cur / cur.sum() if cur.sum() > 0 else m.split[li]) * BN / len(ys)
            pats.append(pat)
            keys.append((yb, li))
    pats = np.array(pats)
    cuts = [np.maximum(sp[None] - pats, 0.0)] if p.spec.effort.unit_marginals else []  # economy: no cut runs
    out = run_batch(p.target, np.concatenate([sp[None], sp[None] + pats, *cuts]), p.on_runs)
    poor, obj = _objective(p, out)
    n = len(keys)
    rows = []
    for k, (yb, li) in enumerate(keys):
        cut_ok = bool((sp[1:, li] - pats[k, 1:, li] >= -1e-6).all())
        rows.append(
            {
                "line": m.line_codes[li],
                "year": None if yb is None else m.years[yb],
                "lifted_per_billion_added": float(poor[0] - poor[1 + k]),
                "lifted_per_billion_cut": float(poor[1 + n + k] - poor[0]) if cut_ok and cuts else np.nan,
                "objective_per_billion_added": float(obj[0] - obj[1 + k]),
                "reached_share": _reached_share(out, m, li),
            }
        )
    done = {(r["year"], r["line"]) for r in rows}
    years = sorted({r["year"] for r in rows}, key=lambda y: -1 if y is None else y)
    rows += [
        {"line": code, "year": y, "reached_share": np.nan}
        for y in years
        for code in m.line_codes
        if (y, code) not in done
    ]
    return pd.DataFrame(rows)


def _reached_share(out, m, li) -> float:
    """Share of the line's reachable beneficiaries (eligible x max share) reached, worst year."""
    r = out.reached[0, :, li].sum(-1)
    e = (out.eligible[0, :, li] * m.max_share[li]).sum(-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        s = np.where(e > 0, r / e, np.nan)
    return float(np.nanmin(s)) if np.isfinite(s).any() else np.nan


def district_marginals(p: Problem, x: np.ndarray) -> pd.DataFrame:
    """Per line and district where the line reaches anybody: households lifted (and objective
    change) per extra billion VND spent in that district, spread over the projected years."""
    m = p.model
    sp = p.spend(x[None])[0]
    Y = p.Y
    pairs = [(li, d) for li in range(len(m.line_codes)) for d in np.flatnonzero(m.split[li] > 0)]
    pats = np.zeros((len(pairs),) + sp.shape)
    for k, (li, d) in enumerate(pairs):
        pats[k, 1:, li, d] = BN / Y
    out = run_batch(p.target, np.concatenate([sp[None], sp[None] + pats]), p.on_runs)
    poor, obj = _objective(p, out)
    return pd.DataFrame(
        {
            "line": [m.line_codes[li] for li, _ in pairs],
            "district": [m.unit_ids[d] for _, d in pairs],
            "spend_bn_per_year": [float(sp[1:, li, d].mean() / BN) for li, d in pairs],
            "lifted_per_billion_added": poor[0] - poor[1:],
            "objective_per_billion_added": obj[0] - obj[1:],
        }
    )


# --- rules -------------------------------------------------------------------------------------
def row_values(p: Problem, duals: np.ndarray | None) -> np.ndarray:
    """(m,) households (objective) per extra billion VND of room in each row, from the model's
    shadow prices: a row for every year gives a billion in each year, so its value is shared over
    the projected years (values are per billion in total, as the marginal values)."""
    if duals is None or len(duals) != len(p.rows):
        return np.full(len(p.rows), np.nan)
    per = np.array([p.Y if r.year is None else 1.0 for r in p.rows])
    return -duals / per


def tight(p: Problem, x: np.ndarray) -> np.ndarray:
    """(m,) bool: rows that hold with equality at x (an envelope: when what is left reads «0,00»
    billion VND too, `used_in_full`)."""
    return used_in_full(p, p.b - p.A @ x)


def used_in_full(p: Problem, slack: np.ndarray) -> np.ndarray:
    """(m,) bool: rows that hold with equality at the allocation whose `slack` (b − Ax) is given,
    and envelopes whose money left over reads «0,00» billion VND: said as used in full."""
    shown_zero = np.array([bool(e) and reads_as_zero(s) for e, s in zip(p.envelope_rows, slack)], bool)
    return (slack <= TIGHT * np.maximum(1.0, np.abs(p.b))) | shown_zero


def _text(kind: str, r: Row, amount: float, value: float | None, names: dict, measure: str) -> LocalText:
    texts = {}
    for lang in LANGS:
        year = i18n.t("alloc.every_year", lang) if r.year is None else i18n.t("alloc.in_year", lang, year=r.year)
        where = "" if r.unit is None else i18n.t("alloc.in_unit", lang, unit=names.get(("geo", r.unit, lang), r.unit))
        text = i18n.t(
            worded(f"alloc.bind.{kind}", names, r.year) if kind == "unallocated" else f"alloc.bind.{kind}",
            lang,
            line=line_name(names, r.code, lang, r.year),
            code=r.code or "",
            source=i18n.label("source", r.source, lang) if r.source else "",
            amount=fmt.number(amount, lang, 2),
            year=year + where,
            pct=fmt.percent(100 * r.amount, lang),
        )
        if value is not None and np.isfinite(value) and abs(value) >= WORTH:
            measure_t = i18n.t(f"alloc.measure.{measure}", lang)
            text += " " + i18n.t("alloc.bind.value", lang, value=fmt.number(value, lang, 1), measure=measure_t)
        texts[lang] = text
    return LocalText(**texts)


def binding_of(kind: str, r: Row, amount: float, value, names: dict, measure: str) -> Binding:
    """A rule in plain words; an envelope of money that reads «0,00» billion VND is said as no
    money of its source («Đã dùng hết …: 0,00 tỷ đồng» says nothing)."""
    v = None if value is None or not np.isfinite(value) else float(value)
    kind = "envelope_none" if kind == "envelope" and reads_as_zero(amount) else kind
    text = _text(kind, r, amount, v, names, measure)
    return Binding(kind, r.code, r.source, r.year, r.unit, float(amount), v, text, r.rule or kind, r.basis)


def bindings(
    p: Problem, x: np.ndarray, values: np.ndarray, names: dict, placed: np.ndarray | None = None
) -> list[Binding]:
    """Rules that hold with equality at x, in plain words, with their basis and what a billion
    more room in each is worth; envelope money left over or placed without effect (`placed`).
    An envelope whose money left over reads «0,00» billion VND (`reads_as_zero`) is said as used
    in full, and money placed without effect that reads so is not said."""
    slack = p.b - p.A @ x
    is_tight = used_in_full(p, slack)
    measure = "poor" if p.objective == "min_cost" else p.objective
    out: list[Binding] = []
    seen = set()
    for i, r in enumerate(p.rows):
        v = values[i]
        if r.kind == "envelope" and not is_tight[i]:
            kind = "unneeded" if p.objective == "min_cost" else "unallocated"
            out.append(binding_of(kind, r, slack[i], None, names, measure))
        elif (
            r.kind == "envelope"
            and placed is not None
            and placed[i] > TIGHT * max(1.0, abs(p.b[i]))
            and not reads_as_zero(placed[i])
        ):
            out.append(binding_of("no_effect", r, placed[i], None, names, measure))
        elif not is_tight[i] or (r.kind == "envelope" and r.amount <= 0):
            continue
        elif r.kind == "capital":
            if np.isfinite(v) and v >= WORTH:  # the rule keeps money out of a line where it would do good
                out.append(binding_of("capital", r, 0.0, v, names, measure))
        elif r.kind == "counterpart":
            if np.abs(p.A[i]) @ x > 1e-6:
                out.append(binding_of("counterpart", r, r.amount, v, names, measure))
        elif r.kind == "target":
            if (r.code, r.year) not in seen:
                seen.add((r.code, r.year))
                out.append(binding_of("target_linear", r, r.amount, None, names, measure))
        elif r.kind == "cap" and unmeasured(p, r.code):  # no household reached: not a cap on reaching them
            # named by its own content, not by the 2026–2035 content its money stands for (which
            # its line's measured content may fund: «C4 … not measured» would be wrong)
            own = {k: v for k, v in names.items() if not (len(k) == 4 and k[1] == r.code)}
            basis = LocalText.of("alloc.basis.unmeasured")
            out.append(replace(binding_of("cap_unmeasured", r, r.amount, None, own, measure), basis=basis))
        elif r.kind == "cap":
            out.append(binding_of("cap", r, r.amount, None, names, measure))
        else:  # envelope, floor, commitment, ceiling, earmark, a legal frame's rules
            out.append(binding_of(_kind(r), r, r.amount, v, names, measure))
    return out


def line_rows(p: Problem, li: int) -> np.ndarray:
    """(m,) bool: rows that keep money from line li — rows with a positive coefficient on a
    variable of the line that no capital rule forbids, and the capital rules of the line."""
    vs = (p.var_line == li) & ~forbidden_vars(p)
    code = p.model.line_codes[li]
    own = (p.A[:, vs] > 0).any(axis=1) if vs.any() else np.zeros(len(p.rows), bool)
    return own | np.array([r.kind == "capital" and r.code == code for r in p.rows], bool)


def forbidden_vars(p: Problem) -> np.ndarray:
    """(n,) bool: variables a capital rule keeps at zero."""
    out = np.zeros(p.n, bool)
    for i, r in enumerate(p.rows):
        if r.kind == "capital":
            out |= p.A[i] > 0
    return out


def best_line(p: Problem, x: np.ndarray, marg: pd.DataFrame, values: np.ndarray, names: dict) -> dict | None:
    """The line where one more billion VND does most, and the rules that stop more money
    reaching it: the tight rules on that line whose room is worth most (within 5 % of the most),
    or, when none is worth anything, the line's own falling returns beyond its present amount."""
    col = marg["objective_per_billion_added"].to_numpy(float)
    if p.objective == "min_cost" or not len(col) or not np.isfinite(col).any() or np.nanmax(col) <= WORTH:
        return None
    top_row = marg.iloc[int(np.nanargmax(col))]
    code, year = str(top_row["line"]), None if pd.isna(top_row["year"]) else int(top_row["year"])
    in_year = np.array([year is None or r.year is None or r.year == year for r in p.rows], bool)
    # a tight absorption cap of the line is worth the line's own marginal value: the cap keeps
    # the money out, and the model's curves end there
    values = values.copy()
    caps = np.array([r.kind == "cap" and r.code == code for r in p.rows], bool)
    values[caps] = float(np.nanmax(col))
    cand = np.flatnonzero(line_rows(p, p.model.line_codes.index(code)) & tight(p, x) & np.isfinite(values) & in_year)
    measure = p.objective
    out = {"line": code, "year": year, "value_per_billion": float(np.nanmax(col)), "rules": [], "kind": "returns"}
    if len(cand) and values[cand].max() >= WORTH:
        top = cand[values[cand] >= 0.95 * values[cand].max()]
        top = top[np.argsort(-values[top])]
        bs = [
            binding_of(_kind(p.rows[i]), p.rows[i], p.rows[i].amount, None if caps[i] else values[i], names, measure)
            for i in top
        ]
        out.update(kind="rule", rules=[b.rule for b in bs], rule_value=float(values[top[0]]), bindings=bs)
    texts = {}
    for lang in LANGS:
        bs = out.get("bindings", [])
        texts[lang] = i18n.t(
            worded(f"alloc.best.{out['kind']}", names, year, code),
            lang,
            line=line_name(names, code, lang, year),
            value=fmt.number(out["value_per_billion"], lang, 1),
            measure=i18n.t(f"alloc.measure.{measure}", lang),
            rule=" ".join(b.text(lang) for b in bs),
            basis="; ".join(dict.fromkeys(b.basis(lang) for b in bs if b.basis is not None)) or "–",
        )
    out["text"] = LocalText(**texts)
    return out


def _kind(r: Row) -> str:
    return r.kind if i18n.has(f"alloc.bind.{r.kind}") else "legal"


def zero_lines(p: Problem, x: np.ndarray, marg: pd.DataFrame, values: np.ndarray, names: dict) -> list[dict]:
    """Lines without money at x that could reach somebody: their marginal value against the
    value of one more billion of the money they may take (its envelope's shadow price); in
    optimised years under a dated catalogue, the contents without money (`names_of`)."""
    out = []
    per_line = marg.groupby("line", sort=False)["objective_per_billion_added"].max()
    env = {r.source: values[i] for i, r in enumerate(p.rows) if r.kind == "envelope" and np.isfinite(values[i])}
    measure = "poor" if p.objective == "min_cost" else p.objective
    years = p.spec.plan_years  # only these years were optimised: "nothing" is said of them
    # a content of the dated catalogue (items of one content: P4.3 and its labour-market system)
    # is one decision: said once, and not when another of its items has money
    content = {code: names.get(("line", code, LANGS[0], None)) for code in p.model.line_codes}
    said = {content[c] for li, c in enumerate(p.model.line_codes) if x[p.var_line == li].sum() > 1e-6}
    for li, code in enumerate(p.model.line_codes):
        vs = p.var_line == li
        if not vs.any() or x[vs].sum() > 1e-6 or p.model.split[li].sum() <= 0:
            continue
        if content[code] is not None and content[code] in said:
            continue
        said.add(content[code])
        allowed = [SOURCES[s] for s in np.unique(p.var_source[vs]) if not _forbidden(p, li, s)]
        alt = max((env.get(s, 0.0) for s in allowed), default=0.0)
        own = float(per_line.get(code, np.nan))
        # worth nothing within the horizon, or no money it may take is left: said as such; a
        # content whose effect on households the model does not measure is not judged by it
        measured = not unmeasured(p, code)
        key = "alloc.zero_line" if own >= WORTH and alt >= WORTH else "alloc.zero_line_no_money"
        key = "alloc.zero_line_nothing" if not own >= WORTH else key
        key = key if measured else "alloc.zero_line_unmeasured"
        texts = {
            lang: i18n.t(
                worded(key, names, None, code),
                lang,
                line=line_name(names, code, lang),
                value=fmt.number(own, lang, 2),
                alt=fmt.number(alt, lang, 2),
                measure=i18n.t(f"alloc.measure.{measure}", lang),
                when=i18n.t("alloc.zero_line_when", lang, years=", ".join(map(str, years))) if years else "",
            )
            for lang in LANGS
        }
        name = LocalText(**{lang: line_name(names, code, lang) for lang in LANGS})
        out.append(
            {
                "line": code,
                "value_per_billion": own,
                "money_value_per_billion": alt,
                "measured": measured,
                "name": name,
                "text": LocalText(**texts),
            }
        )
    return out


def unmeasured(p: Problem, code: str | None) -> bool:
    """Whether the model does not measure the effect on households of item `code` (catalogue
    `population: none`, `simlib.catalogue.Line.money_only`): its marginal value is no judgement
    of its use, and its allocation is the province's decision on other grounds."""
    line = p.scenario.catalogue.lines.get(code) if code is not None else None
    return bool(line is not None and line.money_only)


def _forbidden(p: Problem, li: int, si: int) -> bool:
    code = p.model.line_codes[li]
    return any(r.kind == "capital" and r.code == code and r.source == SOURCES[si] for r in p.rows)


def target_bindings(p: Problem, x: np.ndarray, names: dict) -> list[Binding]:
    """Targets (non-linear rows) just met at x: value within 0.001 (scaled) of the threshold."""
    if not p.target_rows:
        return []
    agg = p.aggregate(p.run(x[None]))
    sl, vals = p.slacks_from(agg)[0], p.values_from(agg)[0]
    out = []
    basis = LocalText.of("alloc.basis.targets")
    for j, tr in enumerate(p.target_rows):
        if sl[j] > 1e-3:
            continue
        year = p.model.years[tr.year_index - 1]
        texts = {}
        for lang in LANGS:
            texts[lang] = i18n.t(
                "alloc.bind.target",
                lang,
                label=tr.label,
                geo=names.get(("geo", tr.geo, lang), tr.geo),
                year=year,
                value=format_value(vals[j], tr.indicator, lang),
                threshold=format_value(tr.threshold, tr.indicator, lang),
            )
        unit = tr.geo if tr.geo_type == "district" else None
        out.append(
            Binding(
                "target", tr.target_id, None, year, unit, float(vals[j]), None, LocalText(**texts), tr.target_id, basis
            )
        )
    return out


def format_value(v: float, indicator: str, lang: str) -> str:
    """A target's value: points for a change, a percentage otherwise."""
    return fmt.points(v, lang) if indicator.endswith("change") else fmt.percent(v, lang)
