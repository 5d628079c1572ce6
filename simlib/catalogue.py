"""The programme catalogue: 7 projects, 11 sub-projects, 13 budget lines and their contents.

A budget line (`params/program.yaml`) is split into *contents* (`params/legal/contents_*.yaml`,
the parameter document `legal_contents`) wherever the capital it may take, its norm or its
beneficiaries differ: P4.1 vocational-school facilities (development-investment capital) and
training courses (recurrent), P1 works (investment) and their maintenance (recurrent), P5 new
houses and repairs, …. Money is planned by content: the contents are the *items* of the budget
and of the engines' line axis.

- Each line of program.yaml models one of its contents (`content:`), and that item keeps the
  line's code (`P4.1` is the training courses of P4.1): its beneficiaries, unit cost, take-up and
  effects are the line's.
- Every other content of the line is an item of its own, coded by the content id
  (`P4.1.facilities`), that **buys no household benefit in the model** (`population: none`):
  facilities, information systems, maintenance, and repairs (no effect estimate of their own);
  its money is spent and shown as such — never counted as trainees or houses.

Each item carries its content's capital (the sources it may take), legal norm, territory and
legal sources. `Catalogue.route` says where money given per line (or project) goes: to the only
content of the line that takes that capital, else — several contents take it — to the line's
modelled content if it takes it (a documented default, flagged as an assumption in the budget's
routing notes), else nowhere (the scenario must name the content).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from simlib.i18n import LocalText
from simlib.legal import Citation
from simlib.schema import qv
from simlib.transitions import CHANNELS

#: population of an item whose money buys no household benefit in the model
MONEY_ONLY = "none"
#: an eligibility list of the legal frame as a population clause on the dataset's unit flags
#: (lists the dataset has no flag for — extremely disadvantaged communes, border communes — are
#: not known by unit and do not narrow the split; simlib.compliance reports them as unverified)
TERRITORY_CLAUSES = {
    "poor_districts": {"poor_districts_only": True},
    "exit_scheme_districts": {"unit_flag": "exit_scheme_district"},
}


@dataclass(frozen=True)
class Content:
    """One content of a budget line, as the law describes it."""

    code: str  # e.g. P4.1.facilities
    line: str  # the budget line it belongs to, e.g. P4.1
    item: str  # the item that carries its money: the line's code if the line models it, else `code`
    name: LocalText
    capital: tuple[str, ...]  # investment | recurrent
    capital_status: str  # status word of the capital rule
    norm: float | None  # VND per beneficiary (a legal ceiling of central support), None if not found
    territory: str | None  # an eligibility list of the legal frame, e.g. poor_districts
    sources: tuple[Citation, ...]  # legal sources of the content and its capital rule
    territory_source: Citation | None = None

    @property
    def modelled(self) -> bool:
        """Whether its money buys the line's beneficiaries (else it buys no household benefit)."""
        return self.item == self.line


@dataclass(frozen=True)
class Line:
    """One item of the budget: a budget line's modelled content (coded by the line, e.g. `P4.1`) or
    another content of a line (coded by the content, e.g. `P4.1.facilities`, `population` "none")."""

    code: str
    project: str
    name: LocalText  # `line.name(lang)`
    capital: tuple[str, ...]
    share_of_project: float
    eligible: tuple[dict, ...]
    population: str  # households | communes | officers | none
    unit: LocalText  # the beneficiary unit, e.g. "hộ" / "household"
    unit_cost: float  # VND per beneficiary unit
    households_per_unit: float
    max_share: float  # largest share of eligible households that take part
    lag: int  # years
    effects: dict  # channel -> value (0 where absent)
    deprivations: tuple[str, ...]
    outputs: tuple[str, ...]
    # multidimensional model only (program.yaml `multidim:`; see simlib.multidim)
    removal: float = 0.0  # probability a reached household loses each listed deprivation it has
    income_effect: float = 0.0  # VND per person per month added to a reached household's income
    targets_deprived: bool = False  # only households deprived in a listed indicator are eligible
    # how the line reaches households (program.yaml `reach`, `once_per_household`, `durable`)
    reach: str = "household"  # household: in priority order; area: in proportion to the area's households
    once_per_household: bool = False  # a household reached once is never eligible again (a house)
    life: float = 0.0  # years an asset built by the line lasts (0: the line builds none)
    cycle: int = 0  # whole years between two supports of one household (0 or 1: no memory)
    content: str = ""  # the content this item carries
    parent: str = ""  # the budget line it belongs to (its own code for a line's modelled content)

    @property
    def cost_per_household(self) -> float:
        """VND per household reached (household lines)."""
        return self.unit_cost / self.households_per_unit

    @property
    def is_enabling(self) -> bool:
        return self.population not in ("households", MONEY_ONLY)

    @property
    def money_only(self) -> bool:
        """Its money buys no household benefit in the model (shown as spent, reaching no one)."""
        return self.population == MONEY_ONLY


@dataclass(frozen=True)
class Project:
    code: str
    name: LocalText  # `project.name(lang)`
    lines: tuple[str, ...]


@dataclass(frozen=True)
class Catalogue:
    projects: dict[str, Project]
    lines: dict[str, Line]  # items: the budget lines' modelled contents, then the other contents
    contents: dict[str, Content] = field(default_factory=dict)
    cost_rise: float = 0.0  # diminishing returns: marginal cost at the take-up ceiling is (1 + cost_rise) x unit cost

    @property
    def codes(self) -> tuple[str, ...]:
        """Item codes in catalogue order (the engines' line axis)."""
        return tuple(self.lines)

    @property
    def budget_lines(self) -> tuple[str, ...]:
        """The 13 budget lines of program.yaml (each also the code of its modelled item)."""
        return tuple(lc for p in self.projects.values() for lc in p.lines)

    def index(self, code: str) -> int:
        return self.codes.index(code)

    def all_codes(self) -> tuple[str, ...]:
        """Every code a scenario may use: items, projects and content ids."""
        return tuple(dict.fromkeys(list(self.lines) + list(self.projects) + list(self.contents)))

    def expand(self, code: str) -> list[tuple[str, float]]:
        """A line, content or project code as [(item or line code, weight)]: a project's money is
        split across its budget lines by their `share_of_project`; a content is its item."""
        if code in self.lines:
            return [(code, 1.0)]
        if code in self.contents:
            return [(self.contents[code].item, 1.0)]
        proj = self.projects[code]
        return [(lc, self.lines[lc].share_of_project) for lc in proj.lines]

    def contents_of(self, line: str) -> tuple[Content, ...]:
        """The contents of a budget line, its modelled content first."""
        found = [c for c in self.contents.values() if c.line == line]
        return tuple(sorted(found, key=lambda c: not c.modelled))

    def items_of(self, code: str) -> tuple[str, ...]:
        """Every item a project, budget line, content or item code covers."""
        if code in self.contents:
            return (self.contents[code].item,)
        if code in self.budget_lines:  # before projects: P2 and P5 are both
            return tuple(c.item for c in self.contents_of(code)) or (code,)
        if code in self.projects:
            return tuple(it for lc in self.projects[code].lines for it in self.items_of(lc))
        return (code,) if code in self.lines else ()

    def route(self, line: str, capital: str) -> tuple[str | None, bool]:
        """Where money of capital type `capital` (investment | recurrent | any) given to budget
        line `line` goes: (item, by_default). The only content of the line that takes that capital;
        else the line's modelled content if it takes it (`by_default` True: an assumption); else
        (None, False): the scenario must name a content."""
        contents = self.contents_of(line)
        if not contents:  # a catalogue without contents: the line is its own item
            ok = capital == "any" or capital in self.lines[line].capital
            return (line if ok else None), False
        takers = [c for c in contents if capital == "any" or capital in c.capital]
        if len(takers) == 1:
            return takers[0].item, False
        modelled = [c for c in takers if c.modelled]
        return (modelled[0].item, True) if modelled else (None, False)


def _line(code: str, d: dict, content: Content | None) -> Line:
    ben = d["beneficiary"]
    eff = {ch: qv(d["effects"][ch]) if ch in d["effects"] else 0.0 for ch in CHANNELS}
    md = d.get("multidim", {})
    return Line(
        code=code,
        project=d["project"],
        name=LocalText.from_fields(d, "name"),
        capital=content.capital if content is not None else tuple(d.get("capital", ())),
        share_of_project=qv(d["share_of_project"]),
        eligible=tuple(d["eligible"]),
        population=ben["population"],
        unit=LocalText.from_fields(ben, "unit"),
        unit_cost=qv(ben["unit_cost"]),
        households_per_unit=qv(ben["households_per_unit"]) if "households_per_unit" in ben else 1.0,
        max_share=qv(ben["max_share"]) if "max_share" in ben else 1.0,
        lag=int(round(qv(d["lag"]))),
        effects=eff,
        deprivations=tuple(d.get("deprivations", [])),
        outputs=tuple(d.get("outputs", [])),
        removal=qv(md["removal"]) if "removal" in md else 0.0,
        income_effect=qv(md["income"]) if "income" in md else 0.0,
        targets_deprived=bool(md.get("targets_deprived", False)),
        reach=str(d.get("reach", "household")),
        once_per_household=bool(d.get("once_per_household", False)),
        life=qv(d["durable"]["life"]) if "durable" in d else 0.0,
        cycle=int(round(qv(d["support_cycle"]))) if "support_cycle" in d else 0,
        content=content.code if content is not None else "",
        parent=code,
    )


def _money_only(c: Content, parent: Line) -> Line:
    """The item of a content the model gives no household benefit: money spent, nobody reached."""
    territory = TERRITORY_CLAUSES.get(c.territory or "", {})
    return Line(
        code=c.code,
        project=parent.project,
        name=c.name,
        capital=c.capital,
        share_of_project=0.0,
        eligible=({"states": ["poor", "near_poor", "escaped", "non_poor"], **territory},),
        population=MONEY_ONLY,
        unit=LocalText(vi="—", en="—"),
        unit_cost=1.0,
        households_per_unit=1.0,
        max_share=0.0,
        lag=0,
        effects={ch: 0.0 for ch in CHANNELS},
        deprivations=(),
        outputs=(),
        content=c.code,
        parent=c.line,
    )


def _content(code: str, d: dict, item: str) -> Content:
    ben = d.get("beneficiaries") if isinstance(d.get("beneficiaries"), dict) else {}
    norm = d["norm"]
    name_vi = d.get("label_vi") or d["name_vi"]
    return Content(
        code=code,
        line=d["line"],
        item=item,
        name=LocalText(vi=name_vi, en=d["name_en"]),
        capital=tuple(d["capital"]),
        capital_status=str(d["capital_status"]).split(" ", 1)[0],
        norm=float(norm["value"]) if "value" in norm else None,
        territory=ben.get("territory"),
        sources=tuple(Citation.of(s) for s in d["legal_source"]),
        territory_source=Citation.of(ben["territory_source"]) if "territory_source" in ben else None,
    )


def build_catalogue(program: dict, legal_contents: dict | None = None) -> Catalogue:
    """Typed catalogue from the validated `program` and `legal_contents` documents (without the
    contents, each budget line is one item with program.yaml's own `capital`)."""
    raw_contents = (legal_contents or {}).get("contents", {})
    modelled = {d["content"]: code for code, d in program["lines"].items() if "content" in d}
    contents = {cc: _content(cc, d, modelled.get(cc, cc)) for cc, d in raw_contents.items()}
    lines = {code: _line(code, d, contents.get(d.get("content", ""))) for code, d in program["lines"].items()}
    for c in contents.values():
        if not c.modelled and c.line in lines:
            lines[c.code] = _money_only(c, lines[c.line])
    projects = {
        code: Project(code, LocalText.from_fields(p, "name"), tuple(p["lines"]))
        for code, p in program["projects"].items()
    }
    rise = (program.get("reach") or {}).get("cost_rise")
    return Catalogue(projects=projects, lines=lines, contents=contents, cost_rise=qv(rise) if rise is not None else 0.0)


def catalogue_of(params) -> Catalogue:
    """The catalogue of a parameter set (`simlib.parameters.ParameterSet`)."""
    return build_catalogue(params["program"], params.docs.get("legal_contents"))


def with_lines(cat: Catalogue, program: dict, codes) -> Catalogue:
    """`cat` (built from an earlier `program` with the same contents) with the budget lines
    `codes` — and the unmodelled contents they carry — rebuilt from `program`, and its cost rise
    read again: equal to `build_catalogue(program, legal_contents)` when only those lines' and
    `reach` values changed (parameter draws; tested against the whole build)."""
    codes = set(codes)
    lines = dict(cat.lines)
    for code in codes:
        d = program["lines"][code]
        lines[code] = _line(code, d, cat.contents.get(d.get("content", "")))
    for c in cat.contents.values():
        if not c.modelled and c.line in codes and c.code in lines:
            lines[c.code] = _money_only(c, lines[c.line])
    rise = (program.get("reach") or {}).get("cost_rise")
    return Catalogue(cat.projects, lines, cat.contents, qv(rise) if rise is not None else 0.0)
