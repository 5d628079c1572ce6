"""The programme catalogue: 7 projects, 11 sub-projects, 13 budget lines (`params/program.yaml`)."""

from __future__ import annotations

from dataclasses import dataclass

from simlib.schema import qv
from simlib.transitions import CHANNELS


@dataclass(frozen=True)
class Line:
    """One budget line (a sub-project, or a project without sub-projects)."""

    code: str
    project: str
    name_vi: str
    name_en: str
    capital: tuple[str, ...]
    share_of_project: float
    eligible: tuple[dict, ...]
    population: str  # households | communes | officers
    unit_vi: str
    unit_en: str
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

    def name(self, lang: str = "vi") -> str:
        return self.name_vi if lang == "vi" else self.name_en

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
    name_vi: str
    name_en: str
    lines: tuple[str, ...]

    def name(self, lang: str = "vi") -> str:
        return self.name_vi if lang == "vi" else self.name_en


@dataclass(frozen=True)
class Catalogue:
    projects: dict[str, Project]
    lines: dict[str, Line]

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
            name_vi=d["name_vi"],
            name_en=d["name_en"],
            capital=tuple(d["capital"]),
            share_of_project=qv(d["share_of_project"]),
            eligible=tuple(d["eligible"]),
            population=ben["population"],
            unit_vi=ben["unit_vi"],
            unit_en=ben["unit_en"],
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
        )
    projects = {
        code: Project(code, p["name_vi"], p["name_en"], tuple(p["lines"])) for code, p in program["projects"].items()
    }
    return Catalogue(projects=projects, lines=lines)
