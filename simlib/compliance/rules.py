"""The legal rules an allocation must respect, checked on money by year, item, source and unit.

Each rule has an id, and each breach (`Violation`) names the rule and its legal source:

- `capital` — an item takes only the capital its content may take (development investment or
  recurrent; local, credit and mobilised money any content), `legal_contents`;
- `envelope` — central money per year and source at most the frame's envelope (flagged when the
  envelope is illustrative); years without an envelope are listed as not covered, never as met;
- `territory` — a content limited to an eligibility list (poor districts, the exit-scheme
  districts, the extremely disadvantaged communes, …) gets no money in a unit off the list; a list
  the frame takes from a flag of the dataset (`units_from_dataset`) is read from that flag and
  counts as the frame's list; where the list does not say, the dataset's own flag decides and the
  unit is reported as unverified;
- `counterpart` — local money at least the frame's ratio of central money, when a ratio is known
  (otherwise reported as unknown, never as met);
- `norm` — central support per beneficiary at most the legal ceiling (P5: 40 million VND per new
  house): the item's unit cost × its central share of money.

Envelope, counterpart and norm are those of the frame in force in each year (`LegalFrame.for_year`:
the scenario's frame, or the earlier frame it names for the years before its period).
`check_allocation` returns every breach; `enforce` raises them as input errors unless the scenario
asks to ignore the rule (`ignore_legal_rules`). `legal_status` is what a run records about the
frame (manifest entry `legal`), for the first screen of its reports.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from simlib import i18n
from simlib.budget import SOURCES
from simlib.dated_budget import dated_catalogues, dated_titles
from simlib.errors import InputError, raise_if_any
from simlib.i18n import LANGS, LocalText, fmt
from simlib.legal import ENVELOPE_SOURCES, Citation, LegalFrame, load_documents, register_only
from simlib.memo import memoised
from simlib.model import compile_levers, compile_structure
from simlib.paths import display_path

RULES = ("capital", "envelope", "territory", "counterpart", "norm")
#: eligibility list of the legal frame -> the dataset's flag column that stands in where it is silent
LIST_FLAGS = {"poor_districts": "poor_district", "exit_scheme_districts": "exit_scheme_district"}
CENTRAL = ENVELOPE_SOURCES
LOCAL = "local"
BN = 1e9
TOL = 1.0  # VND: amounts within this are equal


def above(value: float, limit: float) -> bool:
    """Whether `value` exceeds `limit` by more than rounding (1 VND, or a billionth of the limit:
    the source assignment of `envelope` + `shares` budgets is exact to about 1 VND per source)."""
    return value > limit + max(TOL, 1e-9 * abs(limit))


def both(key: str, **fields) -> LocalText:
    """A catalogue text in every language."""
    return LocalText(**{lg: i18n.t(key, lg, **fields) for lg in LANGS})


def cited(frame: LegalFrame | None, citations) -> LocalText:
    """Legal sources in words, in every language (document ids when there is no frame)."""
    citations = [c for c in citations if c is not None]
    if frame is None:
        text = "; ".join(c.doc for c in citations)
        return LocalText(vi=text, en=text)
    return LocalText(**{lg: frame.cite_all(citations, lg) for lg in LANGS})


@dataclass(frozen=True)
class Violation:
    """One breach of a legal rule."""

    rule: str  # one of RULES
    year: int
    item: str | None  # item code (simlib.catalogue)
    unit: str | None
    source: str | None  # funding source
    amount: float  # VND (capital, envelope, territory, counterpart) or VND per beneficiary (norm)
    limit: float  # the rule's bound in the same unit
    basis: LocalText  # the legal source, in words
    fields: dict = field(default_factory=dict)
    item_name: LocalText | None = None  # `P4.1 – <content name>`
    #: the message's catalogue key when not the rule's (`legal.violation.territory_frame`)
    key: str = ""

    def message(self, lang: str | None = None) -> str:
        return i18n.t(self.key or f"legal.violation.{self.rule}", lang, **self._fields(lang))

    def _fields(self, lang: str | None) -> dict:
        out = dict(
            year=self.year,
            item=self.item_name.get(lang) if self.item_name is not None else (self.item or ""),
            unit=self.unit or "",
            source=i18n.label("source", self.source, lang) if self.source else "",
            amount=self._number(self.amount, lang),
            limit=self._number(self.limit, lang),
            rule=i18n.t(f"legal.rule.{self.rule}", lang),
            basis=self.basis.get(lang),
        )
        out.update({k: v.get(lang) if isinstance(v, LocalText) else v for k, v in self.fields.items()})
        return out

    def _number(self, vnd: float, lang: str | None) -> str:
        """Billion VND (money), or million VND per beneficiary (norm)."""
        if self.rule == "norm":
            return fmt.number(vnd / 1e6, lang, 1)
        return fmt.number(vnd / BN, lang, 3, trim=True)

    def to_error(self, file: str | None) -> InputError:
        """This breach as an input error (exit status 2), naming the rule and its source."""
        fields = {lg: self._fields(lg) for lg in LANGS}
        key = self.key or f"legal.violation.{self.rule}"
        texts = LocalText(**{lg: i18n.t(key, lg, **fields[lg]) for lg in LANGS})
        return InputError("legal_violation", file=file, field=f"budget.years.{self.year}", text=texts)

    def record(self) -> dict:
        """A JSON-able record (manifest)."""
        return {
            "rule": self.rule,
            "year": self.year,
            "item": self.item,
            "unit": self.unit,
            "source": self.source,
            "amount": self.amount,
            "limit": self.limit,
            **{f"text_{lg}": self.message(lg) for lg in LANGS},
        }


def territory(scen, frame: LegalFrame | None) -> tuple[np.ndarray, np.ndarray]:
    """(L, D) whether each item may spend in each unit, and (L, D) whether that is verified in the
    frame's lists (False: the dataset's flag stood in, or the list is not known for the unit).
    It reads the catalogue, the dataset and the frame only, no amount: made once per catalogue
    and frame, kept on the dataset (the explorer checks every change); copies returned."""
    cat, ds = scen.catalogue, scen.dataset
    kept = memoised(ds, "rules.territory", dict)  # (catalogue, frame) ids -> (catalogue, frame, arrays)
    hit = kept.get((id(cat), id(frame)))
    if hit is None or hit[0] is not cat or hit[1] is not frame:  # the objects kept: their ids not reused
        hit = kept[(id(cat), id(frame))] = (cat, frame, territory_of(cat, ds, frame))
    ok, verified = hit[2]
    return ok.copy(), verified.copy()


def territory_of(cat, ds, frame: LegalFrame | None) -> tuple[np.ndarray, np.ndarray]:
    """`territory` of a catalogue and dataset under `frame`, made."""
    L, D = len(cat.codes), len(ds.unit_ids)
    ok, verified = np.ones((L, D), bool), np.ones((L, D), bool)
    members: dict[str, dict] = {}  # list -> unit -> True / False / None, read once per list
    for li, code in enumerate(cat.codes):
        content = cat.contents.get(cat.lines[code].content)
        lst = content.territory if content is not None else None
        if lst is None:
            continue
        if lst not in members:
            members[lst] = frame.members_of(lst, ds) if frame is not None else dict.fromkeys(ds.unit_ids)
        fallback = ds.unit_flag(LIST_FLAGS[lst]) if lst in LIST_FLAGS else np.ones(D, bool)
        for di, unit in enumerate(ds.unit_ids):
            member = members[lst][unit]
            ok[li, di] = fallback[di] if member is None else member
            verified[li, di] = member is not None
    return ok, verified


def territory_citation(content, frame: LegalFrame | None) -> Citation:
    """The legal source of a content's territory: its own, else the frame's list."""
    if content.territory_source is not None:
        return content.territory_source
    lst = frame.lists.get(content.territory) if frame is not None else None
    return lst.citation if lst is not None else Citation("", "not_found")


def citing_frame(scen) -> LegalFrame | None:
    """The frame whose register cites the scenario's rules: its legal frame, else (`legal_frame:
    none`, or a dataset without a frame) only the register the contents file names, so that capital
    rules still cite their documents by number; None when there is none."""
    if scen.legal is not None:
        return scen.legal
    contents = scen.params.docs.get("legal_contents") or {}
    name = (contents.get("meta") or {}).get("documents")
    path = scen.params.files.get("legal_contents")
    if not name or path is None or not (Path(path).parent / name).is_file():
        return None
    return register_of(Path(path).parent / name)


@functools.lru_cache(maxsize=8)
def register_of(path: Path) -> LegalFrame:
    """A register-only frame of a document file (read once per path)."""
    return register_only(load_documents(path))


def unit_name(scen, unit: str) -> LocalText:
    """A unit's name in every language (`Huyện Hà Quảng`)."""
    return LocalText(**{lg: scen.dataset.unit_name(unit, lg) for lg in LANGS})


def in_force_of(frame: LegalFrame | None, year: int) -> LegalFrame | None:
    """The frame in force in `year` when the year is one of a dated catalogue (the 2026–2035
    programme), whose breaches are told under it (`frame_cite`); None otherwise."""
    return frame.for_year(year) if frame is not None and dated_catalogues([year]) else None


def _capital(scen, a, year) -> list[Violation]:
    cat, frame = scen.catalogue, citing_frame(scen)
    in_force = in_force_of(scen.legal, year)
    capital_of = {s: scen.params["funding"]["sources"][s]["capital"] for s in SOURCES}
    out = []
    for li, code in enumerate(cat.codes):
        line = cat.lines[code]
        content = cat.contents.get(line.content)
        for si, src in enumerate(SOURCES):
            cap = capital_of[src]
            if a[li, si] > TOL and cap != "any" and cap not in line.capital:
                cites = [replace(c, status=content.capital_status) for c in content.sources] if content else []
                allowed = LocalText(
                    **{lg: ", ".join(i18n.t(f"legal.capital.{c}", lg) for c in line.capital) for lg in LANGS}
                )
                basis, fields, key = cited(frame, cites), {"allowed": allowed}, ""
                if in_force is not None:
                    basis, key = frame_capital(in_force), "legal.violation.capital_frame"
                    fields["frame"] = in_force.title
                out.append(Violation("capital", year, code, None, src, a[li, si], 0.0, basis, fields, key=key))
    return out


def _envelope(frame, a, year) -> list[Violation]:
    out = []
    dated = in_force_of(frame, year) is frame  # a year of the 2026–2035 programme: told under its frame
    for src in CENTRAL:
        limit = frame.envelope.amount(year, src)
        total = float(a[:, SOURCES.index(src)].sum())
        if limit is not None and above(total, limit):
            flag = both("legal.illustrative") if frame.envelope.illustrative else LocalText(vi="", en="")
            fields, key = {"flag": flag}, ""
            basis = cited(frame, frame.envelope.citations[:3])
            if dated:
                basis, key = (
                    frame_cited(frame, frame.envelope.citations[:3], "envelope"),
                    "legal.violation.envelope_frame",
                )
                fields["frame"] = frame.title
            out.append(Violation("envelope", year, None, None, src, total, limit, basis, fields, key=key))
    return out


def _territory(scen, frame, a, split, year, ok, verified) -> list[Violation]:
    cat, units = scen.catalogue, scen.dataset.unit_ids
    money = a.sum(axis=1)[:, None] * split  # (L, D) VND planned in each unit
    in_force = in_force_of(frame, year)
    out = []
    for li, di in zip(*np.nonzero((money > TOL) & ~ok)):
        content = cat.contents[cat.lines[cat.codes[li]].content]
        fields = {"list": both(f"legal.list.{content.territory}"), "unit": unit_name(scen, units[di])}
        if in_force is not None:
            basis, key = frame_territory(in_force, content.territory, fields, bool(verified[li, di]))
        else:
            basis, key = cited(frame, [territory_citation(content, frame)]), ""
        v = Violation("territory", year, cat.codes[li], units[di], None, money[li, di], 0.0, basis, fields, key=key)
        out.append(v)
    return out


def frame_territory(in_force: LegalFrame, list_id: str, fields: dict, verified: bool) -> tuple[LocalText, str]:
    """(legal source, message key) of a territory breach in a year of the 2026–2035 programme: the
    frame in force that year (`in_force`) names the list and its source as its file records them
    (`fields` gets the list's name and the frame's title), never the 2021–2025 content's source;
    a list whose source the frame records as not found says so, and a unit judged by the dataset's
    flag (`verified` False) says that too."""
    lst = in_force.lists.get(list_id)
    if lst is not None and lst.name.vi:
        fields["list"] = LocalText(**{lg: i18n.t("legal.list.named", lg, name=lst.name.get(lg)) for lg in LANGS})
    fields["frame"] = in_force.title
    citation = lst.citation if lst is not None else Citation("", "not_found")
    texts = {}
    for lg in LANGS:
        texts[lg] = frame_cite(in_force, citation, fields["list"].get(lg), lg)
        if not verified:
            texts[lg] += i18n.t("legal.stand_in", lg, flag=LIST_FLAGS.get(list_id, list_id))
    return LocalText(**texts), "legal.violation.territory_frame"


def frame_cite(in_force: LegalFrame, citation: Citation, what: str, lang: str) -> str:
    """A source as the frame in force records it, in `lang`: a citation the frame records as not
    found says that nothing is found for `what` (its part, else `what`), never citing the
    2021–2025 content's source; any other is cited with its status."""
    if citation.status != "not_found":
        return in_force.cite(citation, lang)
    doc = in_force.documents.get(citation.doc)
    found_in = doc.cite(lang) if doc is not None else i18n.t("legal.no_document", lang)
    return i18n.t("legal.basis_not_found", lang, what=citation.part_in(lang) or what, doc=found_in)


def frame_cited(in_force: LegalFrame, citations, rule: str) -> LocalText:
    """Sources of `rule` as the frame in force records them (`frame_cite`), joined with `; `, in
    every language; that no document is identified when there is none."""
    texts = {}
    for lg in LANGS:
        what = i18n.t(f"legal.rule.{rule}", lg)
        texts[lg] = "; ".join(frame_cite(in_force, c, what, lg) for c in citations) or i18n.t("legal.no_document", lg)
    return LocalText(**texts)


def frame_capital(in_force: LegalFrame) -> LocalText:
    """The source of a capital breach in a year of the 2026–2035 programme: the capital by content
    of the frame in force (`in_force`) as its file records it — the catalogue it follows and how
    (its status), and its documents (`frame_cite`) — never the 2021–2025 content's sources."""
    if not in_force.capital_catalogue and not in_force.capital:
        return both("legal.capital.unrecorded")
    docs = frame_cited(in_force, in_force.capital, "capital")
    texts = {}
    for lg in LANGS:
        status = i18n.t(f"legal.status.{in_force.capital_status or 'not_found'}", lg)
        catalogue = in_force.capital_catalogue or i18n.t("legal.no_document", lg)
        texts[lg] = i18n.t("legal.capital.by_frame", lg, catalogue=catalogue, status=status, docs=docs.get(lg))
    return LocalText(**texts)


def _counterpart(frame, a, year) -> list[Violation]:
    ratio = frame.counterpart.ratio
    if ratio is None:
        return []
    central = float(a[:, [SOURCES.index(s) for s in CENTRAL]].sum())
    local = float(a[:, SOURCES.index(LOCAL)].sum())
    if above(ratio * central, local):
        basis = cited(frame, [frame.counterpart.citation])
        return [Violation("counterpart", year, None, None, LOCAL, local, ratio * central, basis, {})]
    return []


def _norm(scen, frame, a, year) -> list[Violation]:
    cat = scen.catalogue
    out = []
    for li, code in enumerate(cat.codes):
        line = cat.lines[code]
        cap = frame.per_beneficiary.get(line.content)
        total = float(a[li].sum())
        if cap is None or line.money_only or total <= TOL:
            continue
        central = float(a[li, [SOURCES.index(s) for s in CENTRAL]].sum())
        per_ben = line.cost_per_household * central / total
        if per_ben > cap[0] * (1 + 1e-9):
            content = cat.contents[line.content]
            out.append(Violation("norm", year, code, None, None, per_ben, cap[0], cited(frame, content.sources), {}))
    return out


def check_allocation(scen, split: np.ndarray | None = None, frame: LegalFrame | None = None) -> list[Violation]:
    """Every breach of the legal rules by `scen`'s budget in its projected years. `split` (L, D) is
    each item's split across units (default: the scenario's, `simlib.model.compile_levers`);
    `frame` defaults to the scenario's. Without a frame only the capital rule is checked."""
    frame = frame if frame is not None else scen.legal
    b = scen.budget
    if split is None:
        split = compile_levers(scen, compile_structure(scen)).split
    ok, verified = territory(scen, frame)
    out: list[Violation] = []
    for yi, year in enumerate(b.years):
        if yi == 0:
            continue  # the year before the start is history
        a = b.amounts[yi]
        out += _capital(scen, a, year)
        out += _territory(scen, frame, a, split, year, ok, verified)
        in_force = frame.for_year(year) if frame is not None else None  # the frame of the year's period
        if in_force is not None:
            out += _envelope(in_force, a, year) + _counterpart(in_force, a, year) + _norm(scen, in_force, a, year)
    framed = sorted({v.year for v in out if v.key})
    titles = dated_titles(scen, LANGS, framed) if framed else {}
    return [_named(scen, v, titles) for v in out]


def _named(scen, v: Violation, titles: dict) -> Violation:
    """The violation with its item's display name (`P4.1 – Hỗ trợ đào tạo nghề …`); a breach
    named by the frame in force in a year of the 2026–2035 programme (`Violation.key`) names the
    content the item's money stands for that year (`dated_titles`: «C1 – … (dự kiến)»), with the
    item it runs on."""
    if v.item is None:
        return v
    if v.key and all((v.item, lg, v.year) in titles for lg in LANGS):
        texts = {lg: i18n.t("legal.item_dated", lg, title=titles[v.item, lg, v.year], item=v.item) for lg in LANGS}
        return replace(v, item_name=LocalText(**texts))
    line = scen.catalogue.lines[v.item]
    content = scen.catalogue.contents.get(line.content)
    name = content.name if content is not None else line.name
    return replace(v, item_name=LocalText(**{lg: f"{v.item} – {name.get(lg)}" for lg in LANGS}))


def ignored(scen, rule: str) -> bool:
    """Whether the scenario asks to ignore `rule` (a what-if run)."""
    rules = scen.ignored_rules
    return "all" in rules or rule in rules


def enforce(scen, split: np.ndarray | None = None) -> list[Violation]:
    """Raise every breach the scenario does not ask to ignore (each an input error naming the rule
    and its source); return the ignored ones."""
    found = check_allocation(scen, split)
    file = display_path(scen.file) if scen.file is not None else None
    raise_if_any([v.to_error(file) for v in found if not ignored(scen, v.rule)])
    return [v for v in found if ignored(scen, v.rule)]
