"""Programme catalogues as dated data: which catalogue is in force in a year, and the catalogues
after 2025.

`params/catalogues/periods.yaml` lists the periods: the 2021–2025 National Target Program for
Sustainable Poverty Reduction (`params/program.yaml`, read by `simlib.catalogue`, referred to here
by its period id only) up to budget year 2025, and the merged 2026–2035 programme (phase I
2026–2030, `params/catalogues/2026_2035.yaml`) from 2026. `catalogue_for_year(year)` gives the
period in force; `load_programme_catalogue()` reads and checks a dated catalogue: its contents
(lines) with capital, eligibility and beneficiaries, and its `continues` mapping from the
2021–2025 lines (each link with its successors' shares and the reason). Every problem of a file is
reported at once. The catalogue after 2025 is a DRAFT (its contents are candidates, see the
file's header); scenarios with `periods: dated` run it (simlib.dated_budget).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

from simlib.errors import InputError, missing_file, raise_if_any
from simlib.i18n import LocalText
from simlib.paths import display_path, params_dir
from simlib.schema import load_yaml, validate

#: capital types of the programmes (development investment, recurrent spending)
CAPITAL = ("investment", "recurrent")
#: the 2021–2025 keys a content takes its values from
FROM_KEYS = ("unit_cost_from", "lag_from", "effects_from")
#: the kinds of file each section of the period register may name
KINDS = {"catalogues": ("program", "dated"), "targets": ("plan_targets", "period_targets")}


@dataclass(frozen=True)
class Period:
    """One entry of the period register: `file` is the absolute path of its data file."""

    id: str
    first: int
    last: int
    file: Path
    kind: str
    status: str
    source: str

    def covers(self, year: int) -> bool:
        return self.first <= year <= self.last


@dataclass(frozen=True)
class Successor:
    """A content receiving `share` of a 2021–2025 line's money from 2026."""

    content: str
    share: float


@dataclass(frozen=True)
class Link:
    """Where a 2021–2025 line goes: its successors (empty if none) and the basis of the link."""

    line: str
    successors: tuple[Successor, ...]
    reason: str
    source: str | None = None


@dataclass(frozen=True)
class ProgrammeCatalogue:
    """A dated catalogue: `id` is its file's stem, `projects` and `lines` (contents) as in the file,
    `links` by 2021–2025 line; `status` is `draft` until the approving decision's contents are read."""

    id: str
    first: int
    last: int
    status: str
    meta: dict
    projects: dict
    lines: dict
    links: dict[str, Link]
    file: Path

    @property
    def content_ids(self) -> tuple[str, ...]:
        return tuple(self.lines)

    def capital(self, content: str) -> tuple[str, ...]:
        """The capital types that may fund `content`."""
        return tuple(self.lines[content]["capital"]["value"])

    def name(self, code: str) -> LocalText:
        """The name of a content or project (a candidate's label while the catalogue is a draft)."""
        entry = self.lines[code] if code in self.lines else self.projects[code]
        return LocalText.from_fields(entry, "name")


def periods_file() -> Path:
    return params_dir() / "catalogues" / "periods.yaml"


def load_periods(file: Path | None = None) -> dict[str, tuple[Period, ...]]:
    """The period register: `{"catalogues": (...), "targets": (...)}`, each oldest first, checked
    for gaps, overlaps and missing files (every problem at once); read and checked once per
    content of the file (and parameter folder)."""
    file = Path(file or periods_file())
    if not file.is_file():
        raise missing_file(file)
    return dict(_checked_periods(file, file.read_bytes(), params_dir()))  # a caller's dict of its own


@functools.lru_cache(maxsize=8)
def _checked_periods(file: Path, data: bytes, params: Path) -> dict[str, tuple[Period, ...]]:
    """`load_periods` for a register whose bytes are `data`, its files under `params`."""
    doc = load_yaml(file)
    raise_if_any(validate(doc, "catalogue_periods", file, quantities=False))
    shown, errors, out = display_path(file), [], {}
    for key in ("catalogues", "targets"):
        periods = tuple(
            Period(p["id"], p["first"], p["last"], params / p["file"], p["kind"], p["status"], p["source"])
            for p in doc[key]
        )
        errors += sequence_problems(periods, shown, key)
        out[key] = periods
    raise_if_any(errors)
    return out


def sequence_problems(periods: tuple[Period, ...], shown: str, key: str) -> list[InputError]:
    """Each period starts the year after the previous one ends, after its own start, names a file
    of its section's kinds, and the file exists."""
    errors = []
    for i, p in enumerate(periods):
        if p.kind not in KINDS[key]:
            errors.append(InputError("enum", file=shown, field=f"{key}.{i}.kind", value=p.kind, allowed=KINDS[key]))
        if p.last < p.first:
            errors.append(InputError("range_order", file=shown, field=f"{key}.{i}.last", value=p.last))
        if i and p.first != periods[i - 1].last + 1:
            errors.append(InputError("period_sequence", file=shown, field=f"{key}.{i}.first", value=p.first))
        if not p.file.is_file():
            errors.append(missing_file(p.file, field=f"{key}.{i}.file"))
    return errors


def period_for_year(periods: tuple[Period, ...], year: int) -> Period:
    """The period covering `year`; an error naming the years covered otherwise."""
    for p in periods:
        if p.covers(int(year)):
            return p
    raise InputError("period_year", field="year", value=year, first=periods[0].first, last=periods[-1].last)


def catalogue_for_year(year: int, file: Path | None = None) -> Period:
    """The programme catalogue in force in budget year `year`: `ntp_spr_2021_2025` (kind
    `program`, read by `simlib.catalogue`) for 2021–2025, `ntp_merged_2026_2030` (kind `dated`,
    read by `load_programme_catalogue`) for 2026–2030."""
    return period_for_year(load_periods(file)["catalogues"], year)


def old_line_ids(file: Path | None = None) -> tuple[str, ...]:
    """The budget lines of the 2021–2025 catalogue (the period of kind `program`)."""
    period = next(p for p in load_periods(file)["catalogues"] if p.kind == "program")
    return _line_ids(period.file, period.file.read_bytes())


@functools.lru_cache(maxsize=8)
def _line_ids(path: Path, data: bytes) -> tuple[str, ...]:
    """`old_line_ids` once per content of the file (`data`, its bytes): a deep copy of the whole
    2021–2025 catalogue for its keys cost about 3 ms a call, made on every change in the explorer."""
    return tuple(load_yaml(path)["lines"])


def load_programme_catalogue(path: Path | None = None, old_lines: tuple[str, ...] | None = None) -> ProgrammeCatalogue:
    """Read and check a dated catalogue (default: the one in force from 2026). `old_lines` are the
    2021–2025 line ids its references must name (default: those of `params/program.yaml`). Read and
    checked once per content of the file: the same bytes give the same (read-only) catalogue."""
    path = Path(catalogue_for_year(2026).file if path is None else path)
    if not path.is_file():
        raise missing_file(path)
    old_lines = old_line_ids() if old_lines is None else tuple(old_lines)
    return _checked_catalogue(path, path.read_bytes(), old_lines)


@functools.lru_cache(maxsize=8)
def _checked_catalogue(path: Path, data: bytes, old_lines: tuple[str, ...]) -> ProgrammeCatalogue:
    """`load_programme_catalogue` for a file whose bytes are `data` (the cache's key with the
    path and `old_lines`; a file that fails is not kept: its errors are raised again)."""
    doc = load_yaml(path)
    raise_if_any(validate(doc, "programme_catalogue", path, quantities=False))
    raise_if_any(catalogue_problems(doc, display_path(path), old_lines))
    years = doc["meta"]["valid_years"]
    links = {line: read_link(line, spec) for line, spec in doc["continues"].items()}
    return ProgrammeCatalogue(
        path.stem,
        years["first"],
        years["last"],
        doc["meta"]["status"],
        doc["meta"],
        doc["projects"],
        doc["lines"],
        links,
        path,
    )


def read_link(line: str, spec: dict) -> Link:
    to = spec["to"]
    if to is None:
        successors = ()
    elif isinstance(to, str):
        successors = (Successor(to, 1.0),)
    else:
        successors = tuple(Successor(s["content"], float(s["share"])) for s in to)
    return Link(line, successors, spec["reason"], spec.get("source"))


def catalogue_problems(doc: dict, shown: str, old_lines: tuple[str, ...]) -> list[InputError]:
    """Cross-references of a schema-valid catalogue: years, projects ↔ contents, 2021–2025 lines
    named, successors known with shares adding up to 1, each content's `continues` as the mapping."""
    errors = []
    years = doc["meta"]["valid_years"]
    if years["last"] < years["first"]:
        errors.append(InputError("range_order", file=shown, field="meta.valid_years.last", value=years["last"]))
    errors += listing_problems(doc, shown)
    errors += reference_problems(doc, shown, old_lines)
    errors += link_problems(doc, shown, old_lines)
    return errors


def listing_problems(doc: dict, shown: str) -> list[InputError]:
    """Every content names a project that lists it; every listed content exists."""
    errors, lines = [], doc["lines"]
    for pcode, project in doc["projects"].items():
        for i, content in enumerate(project["lines"]):
            if content not in lines:
                errors.append(
                    InputError(
                        "enum", file=shown, field=f"projects.{pcode}.lines.{i}", value=content, allowed=list(lines)
                    )
                )
    for content, spec in lines.items():
        listed_under = [p for p, proj in doc["projects"].items() if content in proj["lines"]]
        if listed_under != [spec["project"]]:
            pcode = ", ".join(listed_under) or "—"
            errors.append(
                InputError(
                    "line_project",
                    file=shown,
                    field=f"lines.{content}.project",
                    value=spec["project"],
                    pcode=pcode,
                    project=spec["project"],
                )
            )
    return errors


def reference_problems(doc: dict, shown: str, old_lines: tuple[str, ...]) -> list[InputError]:
    """`continues`, `unit_cost_from`, `lag_from` and `effects_from` name 2021–2025 lines, and no
    two contents run as one line (`effects_from`): a year's money held by budget item is written
    back by content (`simlib.dated_budget.content_cells`), which needs one content per line."""
    errors, run_as = [], {}
    for content, spec in doc["lines"].items():
        other = run_as.setdefault(spec["effects_from"], content)
        if other != content:
            field = f"lines.{content}.effects_from"
            errors.append(
                InputError(
                    "effects_shared",
                    file=shown,
                    field=field,
                    value=spec["effects_from"],
                    content=content,
                    other=other,
                    line=spec["effects_from"],
                )
            )
        named = {f"continues.{i}": line for i, line in enumerate(spec["continues"])}
        named["beneficiary.unit_cost_from"] = spec["beneficiary"]["unit_cost_from"]
        named.update({key: spec[key] for key in FROM_KEYS[1:]})
        for field, line in named.items():
            if line not in old_lines:
                errors.append(
                    InputError(
                        "unknown_line", file=shown, field=f"lines.{content}.{field}", value=line, allowed=old_lines
                    )
                )
    return errors


def link_problems(doc: dict, shown: str, old_lines: tuple[str, ...]) -> list[InputError]:
    """Links from known 2021–2025 lines to known contents, shares adding up to 1, and each
    content's own `continues` list equal to the lines the mapping sends to it."""
    errors, contents = [], list(doc["lines"])
    sent_to: dict[str, list[str]] = {c: [] for c in contents}
    for line, spec in doc["continues"].items():
        if line not in old_lines:
            errors.append(
                InputError("unknown_line", file=shown, field=f"continues.{line}", value=line, allowed=old_lines)
            )
        link = read_link(line, spec)
        for i, s in enumerate(link.successors):
            if s.content not in sent_to:
                field = f"continues.{line}.to" + (f".{i}.content" if isinstance(spec["to"], list) else "")
                errors.append(InputError("enum", file=shown, field=field, value=s.content, allowed=contents))
            else:
                sent_to[s.content].append(line)
        total = sum(s.share for s in link.successors)
        if link.successors and abs(total - 1.0) > 1e-9:
            errors.append(InputError("shares_sum", file=shown, field=f"continues.{line}.to", total=round(total, 6)))
    for content, spec in doc["lines"].items():
        if sorted(spec["continues"]) != sorted(sent_to[content]):
            errors.append(
                InputError(
                    "programme_continues",
                    file=shown,
                    field=f"lines.{content}.continues",
                    value=spec["continues"],
                    expected=", ".join(sent_to[content]) or "—",
                )
            )
    return errors
