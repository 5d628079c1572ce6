"""The programme catalogue: 7 projects, 11 sub-projects, 13 budget lines (`params/program.yaml`)."""

from __future__ import annotations

from dataclasses import dataclass

from simlib.i18n import LocalText
from simlib.schema import qv
from simlib.transitions import CHANNELS


@dataclass(frozen=True)
class Line:
    """One budget line (a sub-project, or a project without sub-projects)."""

    code: str
    project: str
    name: LocalText  # `line.name(lang)`
    capital: tuple[str, ...]
    share_of_project: float
    eligible: tuple[dict, ...]
    population: str  # households | communes | officers
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

    @property
    def cost_per_household(self) -> float:
        """VND per household reached (household lines)."""
        return self.unit_cost / self.households_per_unit

    @property
    def is_enabling(self) -> bool:
        return self.population != "households"


@dataclass(frozen=True)
class Project:
    code: str
    name: LocalText  # `project.name(lang)`
    lines: tuple[str, ...]


@dataclass(frozen=True)
class Catalogue:
    projects: dict[str, Project]
    lines: dict[str, Line]
    cost_rise: float = 0.0  # diminishing returns: marginal cost at the take-up ceiling is (1 + cost_rise) x unit cost

    @property
    def codes(self) -> tuple[str, ...]:
        """Budget-line codes in catalogue order."""
        return tuple(self.lines)

    def index(self, code: str) -> int:
        return self.codes.index(code)

    def all_codes(self) -> tuple[str, ...]:
        """Every code a scenario may use: budget lines and projects."""
        return tuple(dict.fromkeys(list(self.lines) + list(self.projects)))

    def expand(self, code: str) -> list[tuple[str, float]]:
        """A line or project code as [(line code, weight)]: a project's money is split across
        its lines by their `share_of_project`."""
        if code in self.lines:
            return [(code, 1.0)]
        proj = self.projects[code]
        return [(lc, self.lines[lc].share_of_project) for lc in proj.lines]


def build_catalogue(program: dict) -> Catalogue:
    """Typed catalogue from the validated `program` document."""
    lines = {}
    for code, d in program["lines"].items():
        ben = d["beneficiary"]
        eff = {ch: qv(d["effects"][ch]) if ch in d["effects"] else 0.0 for ch in CHANNELS}
        lines[code] = Line(
            code=code,
            project=d["project"],
            name=LocalText.from_fields(d, "name"),
            capital=tuple(d["capital"]),
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
            removal=qv(d["multidim"]["removal"]) if "removal" in d.get("multidim", {}) else 0.0,
            income_effect=qv(d["multidim"]["income"]) if "income" in d.get("multidim", {}) else 0.0,
            targets_deprived=bool(d.get("multidim", {}).get("targets_deprived", False)),
            reach=str(d.get("reach", "household")),
            once_per_household=bool(d.get("once_per_household", False)),
            life=qv(d["durable"]["life"]) if "durable" in d else 0.0,
        )
    projects = {
        code: Project(code, LocalText.from_fields(p, "name"), tuple(p["lines"]))
        for code, p in program["projects"].items()
    }
    rise = (program.get("reach") or {}).get("cost_rise")
    return Catalogue(projects=projects, lines=lines, cost_rise=qv(rise) if rise is not None else 0.0)
