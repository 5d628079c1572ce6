"""The translation catalogues (simlib/locale/<lang>/<domain>.yaml) against the code that uses them.

Fails on: a key used in `simlib/` or `notebooks/` that a catalogue lacks; a catalogue key no code
uses; a key in one language but not the other, or in different domain files; a template whose
`{fields}` differ between languages; keys out of order or outside their domain file.

Keys are found by reading the code (never importing it): every string literal that is a key, or
looks like one (`prefix.rest` with a catalogue prefix), is a use. Keys built at run time are
declared in `DYNAMIC` below: an f-string head (`f"err.{code}"` -> "err.") or the kind given to
`i18n.label(kind, code)` (-> "kind."), with the values the code can put after it. Each declared
value must have its key (unless the code falls back when it has none: `partial`), and the keys it
names count as used. A new f-string key or label kind fails the test until it is declared here.
"""

from __future__ import annotations

import ast
import functools
import json
import re
from dataclasses import dataclass, field

import pytest
import yaml
from conftest import ROOT

from simlib import i18n
from simlib.allocate.breaches import NAMED as BREACH_KINDS
from simlib.calibrate.backtest import COUNT_INDICATORS, RATE_INDICATORS
from simlib.cli import ARGPARSE_MESSAGES
from simlib.compliance import RULES as LEGAL_RULES
from simlib.dataset import AREAS, GROUPS
from simlib.engines import ENGINES
from simlib.evidence_tables import PARAMETERS as EVIDENCE_PARAMETERS
from simlib.i18n.catalogue import DOMAINS, LANGS, domain_of, field_names, read_files
from simlib.legal import KINDS as LEGAL_KINDS
from simlib.legal import STATUSES as LEGAL_STATUSES
from simlib.money_notes import UNIT_KEYS
from simlib.report.baseline import FIGURES as BASELINE_FIGURES
from simlib.report.baseline import PROVENANCE
from simlib.report.communes import CHANGE_COLUMNS, CHANGE_MEASURES
from simlib.report.compare import TRANSITION_METHODS
from simlib.report.parameter_names import CRITERIA as PARAM_CRITERIA
from simlib.report.parameter_names import RULES as PARAM_RULES
from simlib.report.parameter_names import SIMPLE as PARAM_NAMES
from simlib.results import INDICATOR_UNITS, REVIEW_CATEGORIES
from simlib.scenario import SOURCES
from simlib.standards import DIMENSIONS, INDICATORS
from simlib.states import FLOW_CATEGORIES, PUBLIC_STATES, STATES
from simlib.transitions import CHANNELS, RATE_KEYS
from simlib.uncertainty.sampling import METHODS as SAMPLERS
from simlib.uncertainty.space import KINDS

GEO_GROUPS = ("province", "poor_districts", "ethnic_minority", "kinh")
FILE_SUFFIXES = {"csv", "gz", "html", "ipynb", "json", "md", "png", "py", "svg", "txt", "xlsx", "yaml", "yml"}
KEYLIKE = re.compile(r"^[a-z][a-z0-9_]*(\.[A-Za-z0-9_-]+)+$")


def _program_codes(projects_only: bool = False) -> tuple[str, ...]:
    doc = yaml.safe_load((ROOT / "params" / "program.yaml").read_text(encoding="utf-8"))
    return tuple(doc["projects"]) + (() if projects_only else tuple(doc["lines"]))


def _err_codes() -> tuple[str, ...]:
    """Codes given to InputError / row_errors as a literal first argument, plus those chosen from a
    literal table (schema.py maps jsonschema validators to codes)."""
    codes = set(INDIRECT_ERR_CODES)
    for _, tree in _trees():
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and _name(node.func) in ("InputError", "row_errors") and node.args:
                if isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str):
                    codes.add(node.args[0].value)
    return tuple(sorted(codes))


# codes chosen from a literal table rather than given to InputError directly
INDIRECT_ERR_CODES = (
    "minimum",
    "maximum",
    "exclusive_minimum",
    "cal_from_nowhere",
    "cal_new_existing",
    "cal_escaped_history",
    "empty",
    "too_short",
    # simlib.atomic maps system errors (errno) to these
    "os_disk_full",
    "os_read_only",
    "os_permission",
    "os_name_long",
    "os_error",
    # simlib.schema: an alias that refers to itself, or too many expanded values
    "yaml_recursive",
    "yaml_too_large",
)


@dataclass(frozen=True)
class Dynamic:
    values: tuple[str, ...]
    partial: bool = False  # the code falls back (to the code or another key) where a key is missing


def dynamic() -> dict[str, Dynamic]:
    """Prefix -> the values code appends to it at run time."""
    return {
        "err.": Dynamic(_err_codes()),
        "state.": Dynamic(PUBLIC_STATES + ("new",)),
        "flow.": Dynamic(FLOW_CATEGORIES),
        "geo.": Dynamic(GEO_GROUPS, partial=True),  # districts: the unit's id (i18n.label default)
        "group.": Dynamic(GROUPS),
        "money.": Dynamic(tuple(UNIT_KEYS.values())),
        "area.": Dynamic(AREAS),
        "source.": Dynamic(SOURCES),
        "indicator.": Dynamic(tuple(INDICATOR_UNITS)),
        "evidence.param.": Dynamic(EVIDENCE_PARAMETERS),
        "review.": Dynamic(tuple(f"{lst}.{cat}" for lst, cat in REVIEW_CATEGORIES)),
        "cal.indicator.": Dynamic(tuple(RATE_INDICATORS) + tuple(COUNT_INDICATORS), partial=True),
        "dimension.": Dynamic(tuple(DIMENSIONS) + ("all",)),  # multidim.tables: `all` / `any`, `three_or_more`
        "deprivation.": Dynamic(tuple(INDICATORS) + ("any", "three_or_more")),
        "population.": Dynamic(("poor", "near_poor", "poor_near_poor", "all")),
        "short.": Dynamic(_program_codes(), partial=True),  # else the catalogue's name
        "short.indicator.": Dynamic(
            ("production_support_coverage", "officers_trained", "poor_districts_with_infrastructure")
        ),
        "rate.": Dynamic(tuple(f"{a}.{b}" for a, b in RATE_KEYS)),
        "report.engine.": Dynamic(tuple(ENGINES)),
        "compare.transitions.": Dynamic(TRANSITION_METHODS + ("file",)),
        "baseline.col.": Dynamic(BASELINE_FIGURES),
        "report.param.": Dynamic(tuple(PARAM_NAMES.values())),
        "report.param.rule.": Dynamic(PARAM_RULES),
        "report.param.criterion.": Dynamic(PARAM_CRITERIA),
        "table.measure.": Dynamic(CHANGE_MEASURES),  # simlib.report.communes.changes_table
        "table.change.": Dynamic(CHANGE_COLUMNS),
        "unc.sampler.": Dynamic(SAMPLERS),
        "type.": Dynamic(("integer", "number", "string", "boolean", "object", "array", "null")),  # JSON schema types
        "baseline.prov.": Dynamic(PROVENANCE),
        "cli.argparse_": Dynamic(tuple(ARGPARSE_MESSAGES.values())),  # simlib.cli.usage_message
        "cli.cal_what_": Dynamic(("aggregate", "household")),
        "cli.optimize_effort.": Dynamic(("full", "economy")),  # simlib.allocate.effort names
        "cli.optimize_stage.": Dynamic(("compare", "compared", "report", "written")),  # Meter.stage
        "alloc.objective.": Dynamic(("poor", "poor_near_poor", "welfare", "poverty_gap", "min_cost")),
        "alloc.allocation.": Dynamic(("optimal", "plan", "plan_feasible", "equal_split", "central_optimum")),
        "alloc.status.": Dynamic(("not_certified", "optimal", "targets_infeasible")),
        "alloc.col.": Dynamic(
            ("total_bn", "poor", "poor_near_poor", "households_lifted", "households_lifted_allocated", "targets_met")
            + ("value_mean", "value_worst", "regret_mean", "regret_max", "share_best")
            + ("draws_better_than_plan", "draws_worse_than_plan")
        ),
        "alloc.bind.": Dynamic(
            ("envelope", "floor", "commitment", "ceiling", "earmark", "counterpart", "cap", "target_linear")
            + ("envelope_none",)  # an envelope of money that reads 0,00 (simlib.allocate.explain.binding_of)
            + ("cap_unmeasured",)  # the cap of a content the model does not measure (simlib.allocate.explain.bindings)
            + ("unneeded", "unallocated", "no_effect", "capital", "legal")
            + ("legal_envelope", "territory", "norm")  # simlib.allocate.rules.LEGAL_KINDS
        ),
        "alloc.basis.": Dynamic(
            ("envelope_spec", "envelope_scenario", "statutory", "spec", "source", "assumption", "absorption")
        ),
        "alloc.best.": Dynamic(("returns", "rule")),
        "alloc.clash.": Dynamic(  # simlib.allocate.diagnose: a row's kind (rules.Row.kind)
            ("envelope", "floor", "commitment", "ceiling", "earmark", "counterpart", "cap", "target", "capital")
            + ("legal", "legal_envelope", "territory", "norm")
        ),
        "alloc.measure.": Dynamic(("poor", "poor_near_poor", "welfare", "poverty_gap")),
        "alloc.certificate.robust_": Dynamic(("expected", "regret")),
        "alloc.cert.method.": Dynamic(("milp", "multistart")),
        "alloc.cert.": Dynamic(
            ("method", "gap", "approx_error", "tests", "scale", "rounds", "evaluations", "breakpoints", "binaries")
            + ("searched_evaluations", "searched_gain", "seconds", "spread")
        ),
        "alloc.finding.": Dynamic(("capital", "counterpart")),
        "alloc.breach.": Dynamic(("above", "below", "over")),  # simlib.allocate.breaches: a row's sense
        "alloc.breach_rule.": Dynamic(BREACH_KINDS + ("legal",)),  # simlib.allocate.breaches.NAMED
        "err.opt_infeasible_": Dynamic(("cap", "ceiling", "commitment", "counterpart", "earmark", "floor", "target")),
        "unc.state.": Dynamic(tuple(STATES), partial=True),
        "unc.param.": Dynamic(UNC_PARAMS, partial=True),
        "unc.modifier.": Dynamic(("kinh", "urban", "non_poor_district"), partial=True),
        "unc.kind.": Dynamic(KINDS),
        "unc.group.": Dynamic(_program_codes(projects_only=True) + ("baseline", "funding", "other")),
        "channel.": Dynamic(CHANNELS),
        "legal.violation.": Dynamic(LEGAL_RULES),
        "legal.rule.": Dynamic(LEGAL_RULES + ("all",)),
        "legal.list.": Dynamic(
            ("poor_districts", "exit_scheme_districts", "extremely_disadvantaged_communes", "border_communes")
        ),
        "legal.capital.": Dynamic(("investment", "recurrent")),
        "legal.capital_money.": Dynamic(("investment", "recurrent")),
        "legal.kind.": Dynamic(tuple(LEGAL_KINDS.values())),
        "legal.status.": Dynamic(LEGAL_STATUSES),
        "wb.sync.": Dynamic(("copied", "refreshed", "kept", "current")),  # workbench.sync_notebooks actions
        "target.": Dynamic(("met", "uncertain", "not_met")),  # simlib.report.verdict.STATUSES
        "report.verdict.basis_": Dynamic(("probability", "projection")),
        "report.probability_label_every.": Dynamic(("commune", "district")),  # scorecard.verdict_cell
        "report.assumptions.dataset_title.": Dynamic(("commune", "district")),  # assumptions.dataset_line
        "unc.page.fig_": Dynamic(("kind", "project")),  # uncertainty_page.sensitivity_caption
        "report.verdict.role_": Dynamic(("before", "own", "after")),
        "report.periods.id.": Dynamic(  # simlib.report.communes.period_name: ids of a run's period record
            (
                "2022-2025",
                "2027-2030",
                "carried",
                "commune",
                "communes_2025",
                "contents",
                "district",
                "districts_2020",
                "lines",
                "ntp_merged_2026_2030",
                "ntp_spr_2021_2025",
                "plan_415_2024",
                "same_as",
            ),
            partial=True,
        ),
        # simlib.report.period_notes.period_source: "<kind>.<id>" of a period record's entry whose
        # recorded source (or assumption) is English or a file path; others shown as recorded
        "report.periods.source.": Dynamic(
            (
                "catalogue.ntp_merged_2026_2030",
                "geography.districts_2020",
                "standard.2022-2025",
                "standard.2027-2030",
                "targets.ntp_merged_2026_2030",
                "targets.plan_415_2024",
            ),
            partial=True,
        ),
        "report.periods.assumption.": Dynamic(("standard.2027-2030",), partial=True),
        "decision.model.": Dynamic(("states", "multidim")),  # simlib.report.decision.Run.key[0]
        "index.role.": Dynamic(("plan", "reference", "counterfactual")),
        "review_flow.": Dynamic((), partial=True),  # issue 14's review categories; else the code
    }


# the last part of a programme key (effects by channel, costs, take-up), a modifier's direction,
# or a whole parameter path (uncertainty.space.key_label); other keys show as written
UNC_PARAMS = (
    *CHANNELS,
    "unit_cost",
    "households_per_unit",
    "max_share",
    "upward",
    "downward",
    "population.attributes.meritorious.share",
    "population.attributes.vulnerable.share",
    "population.sizes.officers_per_commune",
    "population.sizes.officers_per_district",
    "population.sizes.working_age_per_household",
    "targets.coverage.production_support.want_share",
)


# --------------------------------------------------------------------------- reading the code


def _sources():
    """(where, source text) of every Python file in simlib/ and every notebook code cell."""
    for p in sorted((ROOT / "simlib").rglob("*.py")):
        yield str(p.relative_to(ROOT)), p.read_text(encoding="utf-8")
    for p in sorted((ROOT / "notebooks").glob("*.ipynb")):
        nb = json.loads(p.read_text(encoding="utf-8"))
        for i, cell in enumerate(nb["cells"]):
            if cell["cell_type"] == "code":
                lines = "".join(cell["source"]).splitlines()
                yield (
                    f"{p.relative_to(ROOT)} cell {i}",
                    "\n".join(x for x in lines if not x.lstrip().startswith(("%", "!"))),
                )


@functools.cache
def _trees() -> tuple:
    return tuple((where, ast.parse(src)) for where, src in _sources())


def _name(func) -> str:
    return func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")


def _is_label(call: ast.Call) -> bool:
    """`i18n.label(kind, code, ...)` (or a module's `_label` wrapper; `LocalText.coded(kind, codes)`)."""
    return _name(call.func) in ("label", "_label", "coded") and len(call.args) >= 2


@dataclass
class Uses:
    static: dict[str, list[str]] = field(default_factory=dict)  # key-like literal -> where
    heads: dict[str, list[str]] = field(default_factory=dict)  # dynamic prefix -> where


def uses() -> Uses:
    keys = set(i18n.catalogue.messages("vi"))
    prefixes = {k.split(".", 1)[0] for k in keys}
    out = Uses()
    for where, tree in _trees():
        in_fstring = {id(v) for n in ast.walk(tree) if isinstance(n, ast.JoinedStr) for v in n.values}
        kinds = {id(n.args[0]) for n in ast.walk(tree) if isinstance(n, ast.Call) and _is_label(n)}  # label("a.b", ...)
        for n in ast.walk(tree):
            at = f"{where}:{getattr(n, 'lineno', '?')}"
            if isinstance(n, ast.JoinedStr) and n.values and isinstance(n.values[0], ast.Constant):
                head = n.values[0].value
                if head.split(".", 1)[0] in prefixes and "." in head and len(n.values) > 1:
                    out.heads.setdefault(head, []).append(at)
            elif isinstance(n, ast.BinOp) and isinstance(n.op, ast.Add) and isinstance(n.left, ast.Constant):
                head = n.left.value  # "alloc.status." + code
                if isinstance(head, str) and head.endswith(".") and head.split(".", 1)[0] in prefixes:
                    out.heads.setdefault(head, []).append(at)
            elif isinstance(n, ast.Call) and _is_label(n):
                kind = n.args[0]
                if isinstance(kind, ast.Constant) and isinstance(kind.value, str):
                    out.heads.setdefault(kind.value + ".", []).append(at)
            elif isinstance(n, ast.Call) and _name(n.func) == "InputError" and n.args:
                code = n.args[0]  # InputError(f"opt_infeasible_{kind}") -> err.opt_infeasible_
                if isinstance(code, ast.JoinedStr) and code.values and isinstance(code.values[0], ast.Constant):
                    out.heads.setdefault("err." + code.values[0].value, []).append(at)
            elif isinstance(n, ast.Constant) and isinstance(n.value, str) and id(n) not in in_fstring | kinds:
                v = n.value
                if v in keys or (
                    KEYLIKE.match(v) and v.split(".", 1)[0] in prefixes and v.rsplit(".", 1)[1] not in FILE_SUFFIXES
                ):
                    out.static.setdefault(v, []).append(at)
    return out


# --------------------------------------------------------------------------- the tests


@pytest.fixture(scope="module")
def files():
    return read_files()


def test_every_language_has_the_same_keys_in_the_same_files(files):
    assert set(files) == set(LANGS)
    ref = {(d, k) for d, entries in files[LANGS[0]].items() for k in entries}
    for lang in LANGS[1:]:
        other = {(d, k) for d, entries in files[lang].items() for k in entries}
        assert sorted(ref - other) == [], f"in {LANGS[0]} but not in {lang} (domain, key)"
        assert sorted(other - ref) == [], f"in {lang} but not in {LANGS[0]} (domain, key)"


def test_templates_have_the_same_fields_in_every_language(files):
    texts = {lang: {k: v for entries in files[lang].values() for k, v in entries.items()} for lang in LANGS}
    differ = []
    for key, ref in texts[LANGS[0]].items():
        fields = {lang: field_names(texts[lang].get(key, ref)) for lang in LANGS}
        if len(set(fields.values())) > 1:
            differ.append((key, {lang: sorted(f) for lang, f in fields.items()}))
    assert differ == []


def test_keys_sit_in_their_domain_file_in_order(files):
    misplaced, unsorted = [], []
    for lang, domains in files.items():
        assert set(domains) <= set(DOMAINS), f"{lang}: unknown domain files {set(domains) - set(DOMAINS)}"
        for d, entries in domains.items():
            misplaced += [(lang, d, k) for k in entries if domain_of(k) != d]
            if list(entries) != sorted(entries):
                unsorted.append(f"{lang}/{d}.yaml")
    assert misplaced == [], "keys outside the domain file of their prefix (simlib.i18n.catalogue.DOMAINS)"
    assert unsorted == [], "keys not sorted (python -m simlib.i18n.migrate rewrites files in order)"


def test_every_key_the_code_uses_exists():
    keys = set(i18n.catalogue.messages("vi"))
    found = uses()
    missing = {k: w[:3] for k, w in found.static.items() if k not in keys}
    assert not missing, f"keys used in code but in no catalogue: {missing}"
    declared = dynamic()
    undeclared = {h: w[:3] for h, w in found.heads.items() if h not in declared}
    assert not undeclared, f"keys built at run time whose prefix is not declared in dynamic() (this file): {undeclared}"
    absent = [p + v for p, d in declared.items() if not d.partial for v in d.values if p + v not in keys]
    assert not absent, f"declared dynamic keys missing from the catalogue: {absent}"


def test_every_key_is_used():
    keys = set(i18n.catalogue.messages("vi"))
    used = set(uses().static)
    used |= {p + v for p, d in dynamic().items() for v in d.values}
    unused = sorted(keys - used)
    assert not unused, f"catalogue keys no code uses (delete them, or declare their dynamic prefix): {unused}"


def test_declared_prefixes_are_used():
    """A declared prefix whose f-string or label call is gone is stale."""
    stale = sorted(set(dynamic()) - set(uses().heads))
    assert not stale, f"declared prefixes no code builds keys with: {stale}"


def test_input_errors_carry_no_sentence_written_in_code():
    """An InputError's reason is a catalogue text in every language; `detail` may carry what the
    input or a library said (an exception's message), never an English sentence written in code."""
    found = []
    for where, tree in _trees():
        for n in ast.walk(tree):
            if isinstance(n, ast.Call) and _name(n.func) == "InputError":
                found += [
                    f"{where}:{n.lineno}"
                    for kw in n.keywords
                    if kw.arg == "detail" and isinstance(kw.value, (ast.Constant, ast.JoinedStr))
                ]
    assert not found, f"give these a catalogue text (err.<code>) instead of detail=...: {found}"
