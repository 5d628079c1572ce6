"""Scenarios: a baseline dataset + a budget by year, source and line + parameter overrides.

Parsing is strict and reports every problem at once: unknown keys, wrong types, negative money,
shares that do not add up, unknown line codes or districts, years outside the projection,
funding sources a line cannot take, probabilities outside [0, 1] after overrides.
See `params/schema/scenario.schema.yaml` for the format and `params/scenarios/` for examples.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from simlib.budget import (
    MAX_VND,
    SOURCES,
    Budget,
    assign_sources,
    district_split_problems,
    former_district_errors,
    parse_budget,
    year_shape_errors,
)
from simlib.budget_bounds import MONEY_UNITS, bounds_for
from simlib.catalogue import Catalogue, catalogue_of
from simlib.dataset import Dataset, load_dataset
from simlib.dated_budget import YearRecord, switch_split_lines, translate_budget
from simlib.errors import InputError, InputErrors, raise_if_any, suggestions
from simlib.file_kinds import scenario_or_spec
from simlib.frame_fit import DATASET_ON, fit_problems, frame_suggestions, level_words
from simlib.geography import load_geography, switch_year
from simlib.i18n import LocalText
from simlib.legal import LegalFrame, find_frame, frame_files, load_frame
from simlib.money_notes import GroupedAmount, grouped_amounts
from simlib.other_programmes import OtherProgramme, parse_other_programmes
from simlib.parameters import ParameterSet, scenario_parameters, sha256_file
from simlib.paths import display_path, written_path
from simlib.programmes import old_line_ids
from simlib.scenario_files import cut_file_note, linked_file
from simlib.scenario_sets import (
    PARAM_ROOTS,
    apply_scenario_sets,
    default_causes,
    defaults_in_use,
    name_set_origin,
    parse_set_args,
    route_overrides,
    set_missing_parts,
    years_from_set,
)
from simlib.schema import load_yaml, validate
from simlib.standards import build_standards, check_review_years

#: budget names kept importable from here (they live in simlib.budget)
__all__ = [
    "MAX_VND",
    "MONEY_UNITS",
    "PARAM_ROOTS",
    "SOURCES",
    "Budget",
    "Scenario",
    "assign_sources",
    "load_scenario",
    "parse_budget",
    "parse_set_args",
]

#: poverty models a scenario can run (`model:` field); the first is the default
POVERTY_MODELS = ("states", "multidim")
DEFAULT_HORIZON = 2  # projected years when a scenario does not say (the plan's 2024–2025 window)


@dataclass(frozen=True)
class Scenario:
    """A validated, fully resolved scenario, ready to run."""

    name: str
    title: LocalText  # `scen.title(lang)`; the file's title_vi, title_en
    description: LocalText  # the file's description_vi, description_en (may be empty)
    file: Path | None
    raw: dict
    start_year: int
    horizon: int
    seed: int
    params: ParameterSet
    dataset: Dataset
    catalogue: Catalogue
    budget: Budget
    set_overrides: tuple[tuple[str, Any], ...] = field(default=())
    legal: LegalFrame | None = None  # the legal frame the allocation must respect (simlib.legal)
    other_programmes: tuple[OtherProgramme, ...] = ()  # other programmes declared (simlib.other_programmes)
    budget_periods: tuple[YearRecord, ...] = ()  # `periods: dated`: how each budget year was read
    #: amounts of the file and of `--set` likely written with a dot between thousands
    #: (`simlib.money_notes`): said in the run's manifest and on its report's first screen
    money_notes: tuple[GroupedAmount, ...] = ()

    @property
    def dated(self) -> bool:
        """Whether each year runs under the catalogue and targets in force in it (`periods: dated`)."""
        return self.raw.get("periods") == "dated"

    @property
    def units_switch(self) -> dict | None:
        """`units_switch` of the scenario (the engine moves to a commune dataset; simlib.unit_switch)."""
        return self.raw.get("units_switch")

    @property
    def ignored_rules(self) -> tuple[str, ...]:
        """Legal rules this what-if run asks to ignore (`ignore_legal_rules`; `all` = every rule)."""
        return tuple(self.raw.get("ignore_legal_rules") or ())

    @property
    def years(self) -> tuple[int, ...]:
        """Projected years (review years), e.g. (2024, 2025)."""
        return tuple(range(self.start_year, self.start_year + self.horizon))

    @property
    def baseline_year(self) -> int:
        return self.start_year - 1

    @property
    def poverty_model(self) -> str:
        """'states' (Markov transitions between states, the default) or 'multidim' (income and the
        12 deprivation flags drive the states through the poverty standard; simlib.multidim)."""
        return str(self.raw.get("model", POVERTY_MODELS[0]))

    def input_hashes(self) -> dict[str, str]:
        """sha256 of every input file: scenario, parameter files, dataset files."""
        out = {}
        if self.file is not None:
            out[display_path(self.file)] = sha256_file(self.file)
        for name, path in self.params.files.items():
            out[display_path(path)] = self.params.file_hashes[name]
        out.update(self.dataset.file_hashes)
        if self.legal is not None:
            for name, path in self.legal.files.items():
                out[display_path(path)] = self.legal.file_hashes[name]
        return out

    def input_paths(self) -> list[Path]:
        """Every file this scenario was read from: scenario, parameter files, dataset files (an
        output folder must never contain one of them, see `simlib.atomic`)."""
        paths = [self.file] if self.file is not None else []
        legal = list(self.legal.files.values()) if self.legal is not None else []
        return paths + [Path(p) for p in self.params.files.values()] + list(self.dataset.files) + legal

    def replace_budget(self, amounts: np.ndarray) -> Scenario:
        """The same scenario with other amounts (VND, same shape); used by sweeps and optimisers.
        The notes on the file's amounts go: these amounts are not the file's."""
        b = replace(self.budget, amounts=np.asarray(amounts, float))
        return replace(self, budget=b, money_notes=())


def scenario_from_dict(
    raw: dict,
    file: Path | None = None,
    set_overrides=(),
    params: ParameterSet | None = None,
    dataset: Dataset | None = None,
) -> Scenario:
    """Validate a scenario mapping (as read from YAML) and resolve everything it refers to.

    Every problem is reported at once, across stages, as far as the stages can go on without
    the part that failed: an unknown key does not stop the budget check, a missing dataset does
    not hide the budget's own problems (only the checks that need the dataset are left out)."""
    shown = display_path(file) if file else "<scenario>"
    raw = copy.deepcopy(raw)
    set_items = list(set_overrides)
    to_params, to_scen = route_overrides(set_items)
    made: list[str] = []  # budget entries the overrides made (their problems are the overrides')
    errors = apply_scenario_sets(raw, to_scen, made)
    absent = defaults_in_use(raw)  # fields left to their default: what their absence causes is said so
    schema_errors = set_missing_parts(validate(raw, "scenario", shown, quantities=False), to_scen)
    errors += schema_errors
    broken = _broken_fields(schema_errors)
    base_dir = file.parent if file else Path.cwd()
    params = _scenario_params(raw, base_dir, params, to_params, shown, broken, errors)
    if dataset is None and "dataset" not in broken:
        dataset = _collect(errors, load_dataset, raw["dataset"], relative_to=base_dir, file=shown)
    start, horizon = _projection_years(raw, dataset, broken, shown, errors)
    catalogue = frame = None
    if params is not None:
        catalogue = catalogue_of(params)
        years = range(start, start + horizon) if None not in (start, horizon) else ()
        frame = _legal_frame(raw, base_dir, params, dataset, broken, shown, errors, years)
    budget, budget_periods = _budget(raw, catalogue, params, dataset, (start, horizon), broken, shown, errors, to_scen)
    others = _other_programmes(raw, catalogue, params, start, horizon, broken, shown, errors)
    _check_review_years(raw, params, dataset, start, horizon, shown, errors)
    if raw.get("units_switch") and "units_switch" not in broken:
        errors.extend(units_switch_problems(raw, base_dir, params, dataset, start, horizon, shown))
    errors = name_set_origin(errors, to_scen + [(m, None) for m in made])
    raise_if_any(default_causes(errors, absent, {"horizon": DEFAULT_HORIZON, "model": POVERTY_MODELS[0]}))
    return Scenario(
        name=raw["name"],
        title=LocalText.from_fields(raw, "title"),
        description=LocalText.from_fields(raw, "description"),
        file=file,
        raw=raw,
        start_year=start,
        horizon=horizon,
        seed=int(raw.get("seed", 20240415)),
        params=params,
        dataset=dataset,
        catalogue=catalogue,
        budget=budget,
        set_overrides=tuple(set_items),
        legal=frame,
        other_programmes=others,
        budget_periods=tuple(budget_periods),
    )


def _budget(raw, catalogue, params, dataset, years, broken, shown, errors, to_scen) -> tuple:
    """(the scenario's budget or None, its dated periods): read from `raw`'s budget (translated
    first when its periods are dated) for the projected `years` (start, horizon); problems added
    to `errors`, a year missing only because of a `--set` of the years said so."""
    budget_raw, budget_periods = raw.get("budget"), []
    if "budget" not in broken:
        errors.extend(year_shape_errors(budget_raw["years"], raw.get("periods") == "dated", shown))
    if raw.get("periods") == "dated" and "budget" not in broken:
        budget_raw, budget_periods, derr = translate_budget(raw["budget"], old_line_ids())
        errors.extend(e.with_file(shown) for e in derr)
    if catalogue is None or "budget" in broken:
        return None, budget_periods
    unit_ids = dataset.unit_ids if dataset is not None else None
    budget, berr = parse_budget(budget_raw, catalogue, unit_ids, bounds_for(params["funding"], dataset), *years, shown)
    berr = former_district_errors(berr, dataset.units if dataset is not None else None)
    errors.extend(years_from_set(not_of_translation(berr, budget_periods, errors), to_scen))
    return budget, budget_periods


def not_of_translation(berr: list, budget_periods, errors: list) -> list:
    """The budget's problems without those of a year given by `contents:` that already has one:
    its translated `lines` (money on the 2021–2025 mechanism lines) are not what the planner wrote,
    and their problems repeat the contents' (a content's capital checked on its content first)."""
    said = {r.year for r in budget_periods if r.given == "contents"}
    said = {y for y in said if any(str(e.field or "").startswith(f"budget.years.{y}.") for e in errors)}
    return [e for e in berr if not any(str(e.field or "").startswith(f"budget.years.{y}.") for y in said)]


def _other_programmes(raw, catalogue, params, start, horizon, broken, shown, errors) -> tuple:
    """Other programmes' money the scenario declares (`simlib.other_programmes`), () when the
    parts it needs failed; problems go to `errors`."""
    known = start is not None and horizon is not None
    if catalogue is None or not known or {"other_programmes", "budget"} & broken:
        return ()
    entries, unit = raw.get("other_programmes"), raw["budget"]["unit"]
    others, oerr = parse_other_programmes(entries, catalogue, params["evidence"], start, horizon, unit, shown)
    errors.extend(oerr)
    return others


def _check_review_years(raw, params, dataset, start, horizon, shown, errors) -> None:
    """A multidimensional scenario's review years must each have a poverty standard in force."""
    if raw.get("model") != "multidim" or params is None or dataset is None or None in (start, horizon):
        return  # a horizon that failed its own check (0, -1, "4") has its message already
    years = range(start - 1, start + horizon)
    meta_file = display_path(dataset.path / "dataset.yaml")
    standards = build_standards(params["standards"])
    errors.extend(check_review_years(standards, years, dataset.meta.get("standard"), shown, meta_file))


def switched_raw(raw: dict) -> dict:
    """The scenario mapping of the run on the new units of `units_switch`: its dataset, legal frame,
    ignored rules and split of the money across the new units (`district_split`, in place of the
    budget's), without `units_switch`."""
    raw = copy.deepcopy(raw)
    sw = raw.pop("units_switch")
    raw["dataset"] = sw["dataset"]
    if "district_split" in sw:
        raw["budget"]["district_split"] = sw["district_split"]
    raw.pop("legal_frame", None)
    raw.pop("ignore_legal_rules", None)
    for key in ("legal_frame", "ignore_legal_rules"):
        if key in sw:
            raw[key] = sw[key]
    return raw


def switched_scenario(scen: Scenario) -> Scenario:
    """The scenario on the dataset of its `units_switch` (legal frame and ignored rules from it;
    the parameter overrides of `--set` kept)."""
    sets = [(k, v) for k, v in scen.set_overrides if k.split(".", 1)[0] in PARAM_ROOTS]
    return scenario_from_dict(switched_raw(scen.raw), file=scen.file, set_overrides=sets)


def refield(error: InputError, field_: str) -> InputError:
    """`error` attributed to another field of the scenario."""
    error.field = field_
    error.args = (error.message("en"),)
    return error


def units_switch_problems(raw, base_dir, params, dataset, start, horizon, shown) -> list[InputError]:
    """What stops `units_switch`: a new dataset that does not load or is not at commune level, a
    scenario dataset not at district level, a poverty model whose engine cannot hand over (the
    multidimensional model only), no projected year on or after the first budget year of the new
    units, an unknown legal frame for the new units, a split naming units that are not new ones."""
    errors: list[InputError] = []
    sw, field_ = raw["units_switch"], "units_switch.dataset"
    new = _collect(errors, load_dataset, sw["dataset"], relative_to=base_dir, file=shown)
    for e in errors:
        refield(e, field_)
    if new is not None and new.level != "commune":
        errors.append(
            InputError(
                "units_switch_level",
                file=shown,
                field=field_,
                value=sw["dataset"],
                allowed=level_words("commune", DATASET_ON),
            )
        )
    if dataset is not None and dataset.level != "district":
        errors.append(
            InputError(
                "units_switch_from",
                file=shown,
                field="dataset",
                value=dataset.name,
                allowed=level_words("district", DATASET_ON),
            )
        )
    if raw.get("model") != "multidim":
        errors.append(
            InputError(
                "units_switch_model", file=shown, field="model", value=raw.get("model", "states"), allowed="multidim"
            )
        )
    if start is not None and horizon is not None:
        year = switch_year(load_geography())
        if not start < year < start + horizon:
            years = f"{start}–{start + horizon - 1}"
            errors.append(InputError("units_switch_year", file=shown, field="units_switch", value=years, year=year))
    if params is not None and new is not None:
        frame_errors: list[InputError] = []
        years = range(start, start + horizon) if None not in (start, horizon) else ()
        _legal_frame(switched_raw(raw), base_dir, params, new, set(), shown, frame_errors, years)
        for e in frame_errors:
            if e.file in (None, shown):  # not a problem of the frame's own files
                refield(e, "units_switch." + (e.field or "legal_frame"))
        # the new units' level is already refused above: the frame's level would say it again
        errors += [e for e in frame_errors if new.level == "commune" or e.code != "legal_frame_level"]
    if params is not None and new is not None and "district_split" in sw:
        field_ = "units_switch.district_split"
        split_errors: list[InputError] = []
        split_raw = switch_split_lines(sw["district_split"], old_line_ids(), split_errors)
        split_errors = [e.with_file(shown) for e in split_errors]
        split_errors += district_split_problems(split_raw, catalogue_of(params), new.unit_ids, shown, field_)
        errors += former_district_errors(split_errors, new.units)
    return errors


#: `legal_frame: none` runs a scenario without a legal frame (its reports say so)
NO_FRAME = "none"


def _legal_frame(raw, base_dir, params, dataset, broken, shown, errors, years=()) -> LegalFrame | None:
    """The legal frame a scenario names (`legal_frame`: a frame name in the parameter folder's
    `legal/`, a path relative to the scenario, or `none`), by default the frame of the dataset's
    province (none if there is no such file). A frame written for other units than the dataset's
    is refused (`simlib.frame_fit`); a mistyped name suggests first a frame that fits the dataset
    and covers one of the budget `years`."""
    folder = params.folder / "legal"
    ref = raw.get("legal_frame")
    if "legal_frame" in broken or ref == NO_FRAME:
        return None
    if ref is None:
        if dataset is None:
            return None
        path = find_frame(folder, dataset.name) if folder.is_dir() else None
    elif "/" in ref or ref.endswith(".yaml"):
        path = written_path(base_dir, ref)
    else:
        names = frame_files(folder) if folder.is_dir() else {}
        if ref not in names:
            near = frame_suggestions(ref, folder, dataset, years)
            allowed = sorted(names) + [NO_FRAME]
            errors.append(InputError("enum", file=shown, field="legal_frame", value=ref, allowed=allowed, suggest=near))
            return None
        path = names[ref]
    frame = None if path is None else _collect(errors, load_frame, path)
    if frame is not None and dataset is not None:
        errors.extend(fit_problems(frame, dataset, folder, years, shown))
    return frame


def _collect(errors: list[InputError], fn, *args, file: str | None = None, **kw):
    """`fn(*args, **kw)`, or None with its input errors added to `errors` (attributed to `file`
    when they name none)."""
    try:
        return fn(*args, **kw)
    except InputErrors as exc:
        errors.extend(e.with_file(file) if file else e for e in exc.errors)
    except InputError as exc:
        errors.append(exc.with_file(file) if file else exc)
    return None


#: schema problems with a value that still has the right type: the budget can be read on, so
#: that its other problems (unknown lines, capital rules, shares) are reported with them
VALUE_PROBLEMS = (
    "negative_money",
    "share_range",
    "minimum",
    "maximum",
    "horizon_year",
    "exclusive_minimum",
    "not_finite",
)


def _broken_fields(errors: list[InputError]) -> set[str]:
    """Top-level scenario fields whose content cannot be used (an unknown top-level key breaks
    nothing: it is simply not used; a budget amount out of range does not stop the budget from
    being read)."""
    broken = set()
    for e in errors:
        if e.field is None:
            broken.add(str(e.fields.get("name", "")))
            continue
        top = e.field.split(".", 1)[0]
        if e.code == "unknown_key" and "." not in e.field:
            continue
        if top == "budget" and e.code in VALUE_PROBLEMS:
            continue
        broken.add(top)
    return broken


def _scenario_params(raw, base_dir, params, to_params, shown, broken, errors) -> ParameterSet | None:
    """The parameter set a scenario runs with (its folder, transitions file and overrides), or
    None if it cannot be built (the problems go to `errors`)."""
    if params is None and "params" not in broken:
        params = _collect(errors, scenario_parameters, raw.get("params"), base_dir, shown)
    if params is None:
        return None
    if "transitions" in raw and "transitions" not in broken:  # a calibrated transitions file (simlib calibrate)
        path = _collect(errors, linked_file, raw["transitions"], base_dir, shown, "transitions")
        params = _collect(errors, params.with_file, "transitions", path) if path is not None else None
        if params is None:
            return None
    scen_over = [] if "overrides" in broken else list((raw.get("overrides") or {}).items())
    for k, _ in scen_over:
        if k.split(".", 1)[0] not in PARAM_ROOTS:
            near = suggestions(k.split(".", 1)[0], PARAM_ROOTS)
            allowed = [r + ".…" for r in PARAM_ROOTS]
            errors.append(InputError("set_unknown", file=shown, field=f"overrides.{k}", allowed=allowed, suggest=near))
    scen_over = [(k, v) for k, v in scen_over if k.split(".", 1)[0] in PARAM_ROOTS]
    over = _collect(errors, params.with_overrides, scen_over, origin=f"{shown} (overrides)")
    if over is not None:
        over = _collect(errors, over.with_overrides, to_params, origin="--set")
    return over


def _projection_years(raw, dataset, broken, shown, errors) -> tuple[int | None, int | None]:
    """First projected year and horizon: by default the year after the dataset's baseline review
    and two years; a start year given must be that year. (None, horizon) when unknown."""
    horizon = raw.setdefault("horizon", DEFAULT_HORIZON) if "horizon" not in broken else None
    if "start_year" in broken:
        return None, horizon
    if dataset is None:
        return raw.get("start_year"), horizon
    first = dataset.baseline_year + 1
    raw.setdefault("start_year", first)  # the projection starts after the baseline review
    if raw["start_year"] != first:
        errors.append(
            InputError(
                "start_year_dataset",
                file=shown,
                field="start_year",
                value=raw["start_year"],
                allowed=[first],
                dataset=dataset.name,
                baseline=dataset.baseline_year,
                start=first,
            )
        )
        return None, horizon
    return first, horizon


def load_scenario(path: str | Path, set_overrides: list[tuple[str, Any]] | list[str] | None = None) -> Scenario:
    """Read, validate and resolve a scenario file. `set_overrides` are `--set` items, either
    `"dotted.key=value"` strings or `(key, value)` pairs."""
    path = Path(path)
    items = set_overrides or []
    typed = [i for i in items if isinstance(i, str)]  # as typed: `12.500` is still text there
    if items and isinstance(items[0], str):
        items = parse_set_args(items)  # type: ignore[arg-type]
    raw = scenario_or_spec(load_yaml(path), display_path(path))
    try:
        scen = scenario_from_dict(raw, file=path.resolve(), set_overrides=items)
    except (InputError, InputErrors) as exc:
        raise cut_file_note(exc, path, display_path(path)) from None
    return replace(scen, money_notes=grouped_amounts(path, display_path(path), typed))
