"""The legal frame of the programme for one province and period, read from `params/legal/`.

A `LegalFrame` holds what the law and the centre fix for a province, each with its source and a
status (`read`, `seen_in`, `not_read`, `not_found`, `assumption`; see the README of that folder):

- `documents` — the register of legal documents (`documents_<period>.yaml`), cited by id;
- `lists` — eligibility lists of units (poor districts, the exit-scheme districts of Decision
  880/QĐ-TTg, units with extremely disadvantaged communes, border communes): for each unit
  True (on the list), False (not on it) or None (not found: the dataset's own flag is the fallback,
  marked unverified); a list may instead be held by a flag column of the dataset that documents
  its official source (`units_from_dataset`, e.g. the region III communes of 2026–2030), read by
  `members_of(list_id, dataset)`;
- `envelope` — central money the province receives per year and source (VND), flagged
  `illustrative` when it is a placeholder, with the years it does not cover;
- `counterpart` — the local counterpart rule: a ratio, or None when no rule was found (then it is
  reported as unknown, never as met);
- `per_beneficiary` — legal ceilings of central support per beneficiary, by content;
- `component_rules` — how the province may split the money between component projects
  (`caps_and_floors.component_projects`), one rule per capital type: the documents to check in the
  years listed; `unclear` when no source read states a floor or forbids a project without money (no
  floor is invented: `simlib.allocate.unfunded` says what a recommendation giving a project nothing
  leaves undone); `component_rule_for(capital, year)` is the rule speaking for a line's capital;
- `not_checked` — first-screen sentences on the rules the frame could not state;
- `earlier` — the frame of the period before (`meta.earlier`): `for_year(year)` is the frame in
  force in a year, so a scenario crossing periods is checked year by year.

The contents of the programme (capital, norm, territory and legal source of each content) are
national and part of the parameters (`legal_contents`, read by `simlib.catalogue`). The rules that
use both — checks of an allocation, linear constraints for the optimiser, absorption — are in
`simlib.compliance`. Nothing here replaces a `not_found` with a value.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from simlib import i18n
from simlib.errors import InputError, raise_if_any
from simlib.i18n import LocalText
from simlib.parameters import sha256_file
from simlib.paths import display_path
from simlib.schema import load_yaml, validate

STATUSES = ("read", "seen_in", "not_read", "not_found", "assumption")
#: central sources an envelope may bind (simlib.budget.SOURCES spells them the same)
ENVELOPE_SOURCES = ("central_investment", "central_recurrent")
MONEY_UNITS = {"billion VND": 1e9, "million VND": 1e6, "VND": 1.0}
#: the Vietnamese kind of a document (first words of its `kind`) -> catalogue key
KINDS = {
    "Quyết định": "decision",
    "Thông tư": "circular",
    "Nghị quyết": "resolution",
    "Nghị định": "decree",
    "Công văn": "letter",
    "Kế hoạch": "plan",
    "Luật": "law",
}


def status_word(text: str | None) -> str:
    """The status word a status text starts with (`"not_read (…)"` -> `not_read`)."""
    word = str(text or "not_found").split(" ", 1)[0].strip()
    return word if word in STATUSES else "not_found"


@dataclass(frozen=True)
class Document:
    """One legal document of the register."""

    id: str
    number: str
    kind_vi: str  # e.g. "Quyết định" (empty when unknown)
    title_vi: str
    status: str

    def cite(self, lang: str | None = None) -> str:
        """`Quyết định 90/QĐ-TTg` / `Decision 90/QĐ-TTg` (the number alone if its kind is unknown);
        a document whose number was not found by what it is (its title, as the register gives it)
        and that it was not found, never by the register's id (`P31_guidance`)."""
        if self.number == "not_found":
            if not self.title_vi:
                return i18n.t("legal.unidentified", lang)
            kind = self.kind_vi.split(" (")[0]  # «Quyết định (Thủ tướng Chính phủ)»: «Quyết định»
            return i18n.t("legal.unnumbered", lang, title=f"{kind} {self.title_vi}".strip())
        key = KINDS.get(self.kind_vi)
        return self.number if key is None else i18n.t(f"legal.kind.{key}", lang, number=self.number)


@dataclass(frozen=True)
class Citation:
    """A legal source of a rule: a document id, the part of it, and how it was seen."""

    doc: str
    status: str  # a status word
    part: str = ""  # in Vietnamese (or as the document names it)
    part_en: str = ""  # in English, when the file gives one (`part: {vi: …, en: …}`)

    @classmethod
    def of(cls, raw: Mapping | None) -> Citation:
        raw = raw or {}
        part = raw.get("part", "")
        vi, en = (part.get("vi", ""), part.get("en", "")) if isinstance(part, Mapping) else (part, "")
        return cls(str(raw.get("doc", "")), status_word(raw.get("status")), str(vi), str(en))

    def part_in(self, lang: str | None = None) -> str:
        """The part of the document in `lang`: its English form on English pages when there is one."""
        return self.part_en if self.part_en and i18n.get_lang(lang) == "en" else self.part


@dataclass(frozen=True)
class EligibilityList:
    """A named list of units; `members[unit]` True, False, or None (not found).

    A list given by the dataset (`units_from_dataset: <flag>` in the frame file) has no members of
    its own: `flag` names the dataset's true/false column that holds it, and `members_of(dataset)`
    reads it (the dataset documents the flag's source)."""

    id: str
    citation: Citation
    members: Mapping[str, bool | None]
    #: the dataset's flag column that holds the list (`units_from_dataset`), or None
    flag: str | None = None
    #: the list's name as the frame file gives it (`name_vi`; `name_en` where given, else the
    #: Vietnamese name); empty when the file gives none
    name: LocalText = LocalText(vi="", en="")

    def member(self, unit: str) -> bool | None:
        """Whether `unit` is on the list as the frame itself states it (None for a list held by the
        dataset's flag: use `members_of`)."""
        return self.members.get(unit)

    def members_of(self, dataset) -> dict[str, bool | None]:
        """Each unit of `dataset` (a `simlib.dataset.Dataset`): True (on the list), False (not on
        it) or None (not found). A list held by a flag reads that flag (`Dataset.unit_flag`, strict
        true/false); a dataset without the column leaves every unit None."""
        units = dataset.unit_ids
        if self.flag is None:
            return {u: self.member(u) for u in units}
        if self.flag not in dataset.units.columns:
            return dict.fromkeys(units)
        return {u: bool(f) for u, f in zip(units, dataset.unit_flag(self.flag), strict=True)}


@dataclass(frozen=True)
class Envelope:
    """Central money for the province by year and source, in VND."""

    illustrative: bool
    title: LocalText
    amounts: Mapping[int, Mapping[str, float]]  # year -> source -> VND
    citations: tuple[Citation, ...] = ()

    def amount(self, year: int, source: str) -> float | None:
        """VND the centre gives in `year` from `source`, or None when no envelope is known."""
        return self.amounts.get(int(year), {}).get(source)


@dataclass(frozen=True)
class Counterpart:
    """The local counterpart rule: local money ≥ `ratio` × central money, or unknown (None)."""

    ratio: float | None
    citation: Citation


@dataclass(frozen=True)
class ComponentRule:
    """How the province may split the money between component projects in `years`, for lines of
    `capital` (`caps_and_floors.component_projects`): `rule` (`unclear`: no floor found), the
    documents to check and, in words, what they require (`check`)."""

    capital: tuple[str, ...]
    years: tuple[int, ...]
    rule: str
    citations: tuple[Citation, ...]
    check: LocalText

    def applies(self, capital: str, year: int) -> bool:
        """Whether the rule speaks for a line of `capital` (investment / recurrent) in `year`."""
        return capital in self.capital and int(year) in self.years

    @classmethod
    def of(cls, raw: Mapping) -> ComponentRule:
        return cls(
            capital=tuple(raw["capital"]),
            years=tuple(int(y) for y in raw["years"]),
            rule=str(raw["rule"]),
            citations=tuple(Citation.of(c) for c in raw["documents"]),
            check=LocalText(vi=" ".join(str(raw["check_vi"]).split()), en=" ".join(str(raw["check_en"]).split())),
        )


@dataclass(frozen=True)
class LegalFrame:
    """The legal frame of one province and period (see the module docstring)."""

    name: str
    title: LocalText
    province: str
    years: tuple[int, ...]
    documents: Mapping[str, Document]
    lists: Mapping[str, EligibilityList]
    envelope: Envelope
    counterpart: Counterpart
    per_beneficiary: Mapping[str, tuple[float, str]]  # content -> (VND, status word)
    files: Mapping[str, Path] = field(default_factory=dict)
    file_hashes: Mapping[str, str] = field(default_factory=dict)
    #: first-screen sentences: rules the frame could not state, so not checked (`meta.not_checked`)
    not_checked: tuple[LocalText, ...] = ()
    #: the frame of the years before this one's (`meta.earlier`), for scenarios that cross periods
    earlier: LegalFrame | None = None
    #: the dataset whose units the frame is written for (`meta.dataset`: a path from the project
    #: folder, or a dataset name); `simlib.frame_fit` refuses a scenario on other units
    dataset: str = ""
    #: the split between component projects (`caps_and_floors.component_projects`), one rule per
    #: capital type; empty: not stated
    component_rules: tuple[ComponentRule, ...] = ()
    #: the sources of its capital by content (`capital_by_content.documents`) and how it is known
    #: (`capital_by_content.status`, a status word), with the catalogue it follows; empty when the
    #: file records none
    capital: tuple[Citation, ...] = ()
    capital_status: str = ""
    capital_catalogue: str = ""

    def covers(self, year: int) -> bool:
        """Whether the frame speaks for `year` (the programme's years in the file)."""
        return int(year) in self.years

    def for_year(self, year: int) -> LegalFrame | None:
        """The frame in force in `year`: this one if it covers the year, else the earlier frame's
        (`meta.earlier`, followed back), else None (no frame speaks for that year)."""
        if self.covers(year):
            return self
        return self.earlier.for_year(year) if self.earlier is not None else None

    def component_rule_for(self, capital: str, year: int) -> ComponentRule | None:
        """The component-project rule speaking for lines of `capital` in `year`, None if none does
        (at most one does: `load_frame` refuses two for the same capital and year)."""
        return next((r for r in self.component_rules if r.applies(capital, year)), None)

    def chain(self) -> tuple[LegalFrame, ...]:
        """This frame and the earlier ones it names, latest first."""
        return (self,) + (self.earlier.chain() if self.earlier is not None else ())

    def member(self, list_id: str, unit: str) -> bool | None:
        """Whether `unit` is on list `list_id` as the frame states it (None: not found, no such
        list, or a list held by the dataset's flag — see `members_of`)."""
        lst = self.lists.get(list_id)
        return None if lst is None else lst.member(unit)

    def members_of(self, list_id: str, dataset) -> dict[str, bool | None]:
        """Each unit of `dataset` on list `list_id`: True, False or None (not found; every unit when
        the frame has no such list). Lists held by a flag of the dataset read it."""
        lst = self.lists.get(list_id)
        return dict.fromkeys(dataset.unit_ids) if lst is None else lst.members_of(dataset)

    def cite(self, citation: Citation, lang: str | None = None) -> str:
        """A citation in words: `Quyết định 90/QĐ-TTg, Dự án 4 (chưa đọc trực tiếp)`."""
        doc = self.documents.get(citation.doc)
        text = doc.cite(lang) if doc is not None else (citation.doc or i18n.t("legal.no_document", lang))
        if citation.part_in(lang):
            text += f", {citation.part_in(lang)}"
        if doc is not None and doc.number == "not_found":
            return text  # its text says it was not found (no status read of a document not found)
        return text + " " + i18n.t(f"legal.status.{citation.status}", lang)

    def cite_all(self, citations, lang: str | None = None) -> str:
        """Several citations, joined with `; `."""
        return "; ".join(self.cite(c, lang) for c in citations) or i18n.t("legal.no_document", lang)


def _members(raw: Mapping) -> dict[str, bool | None]:
    """Units of one eligibility list, from `units` (a complete list or per-unit entries) or
    `by_unit` (communes; a unit with a region III commune is on the list)."""
    units = raw.get("units")
    if isinstance(units, list):
        return {"*": False, **{u: True for u in units}}
    out: dict[str, bool | None] = {}
    for u, entry in (units or {}).items():
        listed = entry.get("listed")
        out[u] = listed if isinstance(listed, bool) else None
    for u, entry in (raw.get("by_unit") or {}).items():
        if not isinstance(entry, Mapping):
            out[u] = None
            continue
        r3 = entry.get("region_III")
        count = r3.get("count") if isinstance(r3, Mapping) else r3
        out[u] = None if count is None else int(count) > 0
    return out


class _CompleteList(dict):
    """Members of a complete list: a unit not named is not on it."""

    def get(self, key, default=None):
        return super().get(key, super().get("*", default))


def _eligibility(raw: Mapping) -> dict[str, EligibilityList]:
    out = {}
    for lid, entry in raw.items():
        members = _members(entry)
        if "*" in members:
            members = _CompleteList(members)
        flag = entry.get("units_from_dataset")
        name_vi = " ".join(str(entry.get("name_vi") or "").split())
        name = LocalText(vi=name_vi, en=" ".join(str(entry.get("name_en") or name_vi).split()))
        citation = Citation.of(entry.get("document"))
        out[lid] = EligibilityList(lid, citation, members, str(flag) if flag else None, name)
    return out


def _envelope(raw: Mapping) -> Envelope:
    amounts: dict[int, dict[str, float]] = {}
    for year, by_source in (raw.get("years") or {}).items():
        if not isinstance(by_source, Mapping):
            continue  # not_found
        amounts[int(year)] = {s: float(e["value"]) * MONEY_UNITS[e["unit"]] for s, e in by_source.items()}
    cites = tuple(Citation.of(d) for d in raw.get("documents") or () if isinstance(d, Mapping))
    title = LocalText.from_fields(raw, "title") if "title_vi" in raw else LocalText(vi="", en="")
    return Envelope(bool(raw["illustrative"]), title, amounts, cites)


def _documents(raw: Mapping) -> dict[str, Document]:
    out = {}
    for did, d in raw["documents"].items():
        kind = str(d.get("kind", "")).split(" (", 1)[0].strip()
        out[did] = Document(did, str(d["number"]), kind, str(d.get("title_vi", "")), status_word(d.get("status")))
    return out


def load_documents(path: str | Path) -> dict[str, Document]:
    """The document register of a file (`documents_*.yaml`, schema `legal_documents`)."""
    path = Path(path)
    raw = load_yaml(path)
    raise_if_any(validate(raw, "legal_documents", path, quantities=False))
    return _documents(raw)


def register_only(documents: Mapping[str, Document]) -> LegalFrame:
    """A frame that holds only a document register: no list, envelope, counterpart or norm (it
    lets rules that need no frame, such as capital by content, cite their documents by number)."""
    none = Citation("", "not_found")
    empty = LocalText(vi="", en="")
    return LegalFrame("", empty, "", (), documents, {}, Envelope(False, empty, {}), Counterpart(None, none), {})


def load_frame(path: str | Path) -> LegalFrame:
    """Read and validate a frame file and the document register it names; every problem at once."""
    path = Path(path)
    raw = load_yaml(path)
    errors = validate(raw, "legal_frame", path, quantities=False)
    raise_if_any(errors)
    doc_path = path.parent / raw["meta"]["documents"]
    also = [path.parent / name for name in raw["meta"].get("documents_also") or ()]
    documents = {k: v for p in [*also, doc_path] for k, v in load_documents(p).items()}
    errors = _unknown_documents(raw, documents, display_path(path))
    raise_if_any(errors)
    cp = raw["counterpart"]
    ratio = cp.get("min_local_share_of_central")
    per_ben = {
        e["content"]: (float(e["max"]), status_word(e["status"]))
        for e in (raw["caps_and_floors"].get("per_beneficiary") or [])
    }
    earlier = load_frame(path.parent / raw["meta"]["earlier"]) if raw["meta"].get("earlier") else None
    capital = raw.get("capital_by_content") or {}
    return LegalFrame(
        name=path.stem,
        title=LocalText.from_fields(raw["meta"], "title"),
        province=raw["meta"]["province"],
        years=tuple(int(y) for y in raw["meta"]["years"]),
        documents=documents,
        lists=_eligibility(raw["eligibility"]),
        envelope=_envelope(raw["envelopes"]),
        counterpart=Counterpart(None if ratio is None else float(ratio), Citation.of(cp.get("document"))),
        per_beneficiary=per_ben,
        files={
            "frame": path,
            "documents": doc_path,
            **{f"documents_{p.stem}": p for p in also},
            **({f"earlier_{k}": p for k, p in earlier.files.items()} if earlier is not None else {}),
        },
        file_hashes={
            "frame": sha256_file(path),
            "documents": sha256_file(doc_path),
            **{f"documents_{p.stem}": sha256_file(p) for p in also},
            **({f"earlier_{k}": h for k, h in earlier.file_hashes.items()} if earlier is not None else {}),
        },
        earlier=earlier,
        dataset=str(raw["meta"]["dataset"]),
        not_checked=tuple(
            LocalText(vi=str(n["vi"]).strip(), en=str(n["en"]).strip()) for n in raw["meta"].get("not_checked") or ()
        ),
        component_rules=tuple(ComponentRule.of(r) for r in raw["caps_and_floors"].get("component_projects") or ()),
        capital=tuple(Citation.of(c) for c in capital.get("documents") or ()),
        capital_status=status_word(capital.get("status")) if capital else "",
        capital_catalogue=str(capital.get("catalogue") or ""),
    )


def _unknown_documents(raw: Mapping, documents: Mapping, shown: str) -> list[InputError]:
    """Citations in the frame that name a document the register does not hold, and lists given
    both by a dataset flag and by units."""
    errors = []
    for lid, entry in raw["eligibility"].items():
        if entry.get("units_from_dataset") and (entry.get("units") or entry.get("by_unit")):
            field_ = f"eligibility.{lid}.units_from_dataset"
            errors.append(InputError("list_flag_and_units", file=shown, field=field_, flag=entry["units_from_dataset"]))
        doc = (entry.get("document") or {}).get("doc")
        if doc and doc not in documents:
            field_ = f"eligibility.{lid}.document.doc"
            errors.append(
                InputError("unknown_document", file=shown, field=field_, value=doc, allowed=sorted(documents))
            )
    cited = [("counterpart.document.doc", (raw["counterpart"].get("document") or {}).get("doc"))]
    rules = raw["caps_and_floors"].get("component_projects") or ()
    cited += [
        (f"caps_and_floors.component_projects.{k}.documents.{i}.doc", c.get("doc"))
        for k, rule in enumerate(rules)
        for i, c in enumerate(rule.get("documents") or ())
    ]
    errors += _overlapping_rules(rules, shown)
    for field_, doc in cited:
        if doc and doc not in documents:
            errors.append(
                InputError("unknown_document", file=shown, field=field_, value=doc, allowed=sorted(documents))
            )
    return errors


def _overlapping_rules(rules, shown: str) -> list[InputError]:
    """Component-project rules that speak for the same capital in the same year (the second one
    is named): a line's rule must be one."""
    seen: dict[tuple[str, int], int] = {}
    errors = []
    for k, rule in enumerate(rules):
        both = [(c, int(y)) for c in rule.get("capital") or () for y in rule.get("years") or ()]
        clash = sorted({key for key in both if key in seen})
        if clash:
            (capital, year), field_ = clash[0], f"caps_and_floors.component_projects.{k}"
            other = seen[(capital, year)]
            errors.append(
                InputError("component_rules_overlap", file=shown, field=field_, capital=capital, year=year, other=other)
            )
        seen.update({key: k for key in both if key not in seen})
    return errors


def frame_files(folder: Path) -> dict[str, Path]:
    """Frame files of a legal folder by name (files whose `meta` names a province)."""
    out = {}
    for path in sorted(Path(folder).glob("*.yaml")):
        try:
            meta = load_yaml(path).get("meta") or {}
        except InputError:
            continue
        if isinstance(meta, Mapping) and "province" in meta:
            out[path.stem] = path
    return out


def find_frame(folder: Path, province: str) -> Path | None:
    """The frame file of `province` in a legal folder (the first by name), or None."""
    for path in frame_files(folder).values():
        if (load_yaml(path).get("meta") or {}).get("province") == province:
            return path
    return None
