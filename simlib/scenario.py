"""Scenarios: a baseline dataset + a budget by year, source and line + parameter overrides.

Parsing is strict and reports every problem at once: unknown keys, wrong types, negative money,
shares that do not add up, unknown line codes or districts, years outside the projection,
funding sources a line cannot take, probabilities outside [0, 1] after overrides.
See `params/schema/scenario.schema.yaml` for the format and `params/scenarios/` for examples.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from simlib.catalogue import Catalogue, build_catalogue
from simlib.dataset import Dataset, load_dataset
from simlib.errors import InputError, InputErrors, raise_if_any
from simlib.i18n import LocalText
from simlib.parameters import PARAM_FILES, ParameterSet, load_parameters, parse_value, set_dotted, sha256_file
from simlib.paths import display_path
from simlib.schema import get_schema, load_yaml, validate

SOURCES = ("central_investment", "central_recurrent", "local", "policy_credit", "mobilised")
MONEY_UNITS = {"billion VND": 1e9, "million VND": 1e6, "VND": 1.0}
PARAM_ROOTS = tuple(PARAM_FILES) + ("standards",)  # top-level keys of parameter overrides
#: poverty models a scenario can run (`model:` field); the first is the default
POVERTY_MODELS = ("states", "multidim")
DEFAULT_HORIZON = 2  # projected years when a scenario does not say (the plan's 2024–2025 window)


@dataclass(frozen=True)
class Budget:
    """Planned money in VND by year, line and source.

    `years[0]` is the year before the projection starts: it funds lines whose effects come with a
    lag (infrastructure). Unless the scenario lists it, it repeats the first projected year.
    """

    years: tuple[int, ...]
    lines: tuple[str, ...]
    sources: tuple[str, ...]
    amounts: np.ndarray  # (len(years), len(lines), len(sources)) VND
    district_split: Mapping[str, Any]  # line code -> rule name or {unit_id: share}
    default_split: str = "eligible_households"

    def total(self, year: int | None = None) -> float:
        if year is None:
            return float(self.amounts[1:].sum())
        return float(self.amounts[self.years.index(year)].sum())

    def line_totals(self) -> np.ndarray:
        """(years, lines) VND."""
        return self.amounts.sum(axis=2)


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
        return out

    def input_paths(self) -> list[Path]:
        """Every file this scenario was read from: scenario, parameter files, dataset files (an
        output folder must never contain one of them, see `simlib.atomic`)."""
        paths = [self.file] if self.file is not None else []
        return paths + [Path(p) for p in self.params.files.values()] + list(self.dataset.files)

    def replace_budget(self, amounts: np.ndarray) -> Scenario:
        """The same scenario with other amounts (VND, same shape); used by sweeps and optimisers."""
        from dataclasses import replace

        b = replace(self.budget, amounts=np.asarray(amounts, float))
        return replace(self, budget=b)


def _route_overrides(items: list[tuple[str, Any]]) -> tuple[list, list]:
    to_params, to_scenario = [], []
    for key, value in items:
        (to_params if key.split(".", 1)[0] in PARAM_ROOTS else to_scenario).append((key, value))
    return to_params, to_scenario


def parse_set_args(items: list[str] | None, origin: str = "--set") -> list[tuple[str, Any]]:
    """`["a.b=1", ...]` -> `[("a.b", 1), ...]` with YAML-parsed values."""
    out, errors = [], []
    for item in items or []:
        key, sep, text = item.partition("=")
        if not sep or not key.strip():
            errors.append(InputError("set_syntax", file=origin, value=item, allowed="dotted.key=value"))
            continue
        out.append((key.strip(), parse_value(text)))
    raise_if_any(errors)
    return out


def _resolve_year(years_raw: dict, year: str) -> tuple[str | None, list[str]]:
    """The year whose amounts `year` uses (following same_as), and the chain followed; None if
    the chain ends at a year not listed or runs in a circle."""
    chain = [year]
    while "same_as" in years_raw[chain[-1]]:
        ref = str(years_raw[chain[-1]]["same_as"])
        if ref not in years_raw or ref in chain:
            return None, chain + [ref]
        chain.append(ref)
    return chain[-1], chain


def _same_as_errors(years_raw: dict, file: str) -> list[InputError]:
    """Every same_as that names a year not listed, and every circle of same_as, once."""
    errors, circles = [], set()
    with_amounts = sorted(y for y, e in years_raw.items() if "same_as" not in e)
    for year, entry in years_raw.items():
        if "same_as" not in entry:
            continue
        ref = str(entry["same_as"])
        field = f"budget.years.{year}.same_as"
        if ref not in years_raw:
            allowed = with_amounts or "—"
            errors.append(InputError("same_as", file=file, field=field, value=entry["same_as"], allowed=allowed))
            continue
        found, chain = _resolve_year(years_raw, year)
        if found is None and chain[-1] in chain[:-1]:
            loop = chain[chain.index(chain[-1]) :]
            key = frozenset(loop)
            if key not in circles:
                circles.add(key)
                errors.append(
                    InputError(
                        "same_as_cycle",
                        file=file,
                        field=field,
                        chain=" → ".join(loop),
                        allowed=with_amounts or None,
                    )
                )
    return errors


def _parse_year(
    entry: dict, base: str, catalogue: Catalogue, capital_of: dict, scale: float, file: str, errors: list[InputError]
) -> np.ndarray:
    """Amounts (lines, sources) in VND of one year's budget entry; problems go to `errors`."""
    codes = catalogue.codes
    allowed_codes = catalogue.all_codes()
    amounts = np.zeros((len(codes), len(SOURCES)))
    if "lines" in entry and ("envelope" in entry or "shares" in entry):
        errors.append(InputError("budget_lines_or_shares", file=file, field=base))
        return amounts
    if ("envelope" in entry) != ("shares" in entry):
        errors.append(InputError("budget_envelope_shares", file=file, field=base))
        return amounts
    if "lines" in entry:
        for code, by_src in entry["lines"].items():
            if code not in allowed_codes:
                errors.append(
                    InputError(
                        "unknown_line", file=file, field=f"{base}.lines.{code}", value=code, allowed=allowed_codes
                    )
                )
                continue
            for src, amount in by_src.items():
                for lc, w in catalogue.expand(code):
                    cap = capital_of[src]
                    if cap != "any" and cap not in catalogue.lines[lc].capital:
                        allowed_src = [
                            s for s in SOURCES if capital_of[s] == "any" or capital_of[s] in catalogue.lines[lc].capital
                        ]
                        errors.append(
                            InputError(
                                "capital",
                                file=file,
                                field=f"{base}.lines.{code}.{src}",
                                value=amount,
                                line=lc,
                                sources=", ".join(allowed_src),
                            )
                        )
                        continue
                    amounts[codes.index(lc), SOURCES.index(src)] += amount * w * scale
    elif "envelope" in entry:
        shares = entry["shares"]
        unknown = [c for c in shares if c not in allowed_codes]
        for c in unknown:
            errors.append(
                InputError("unknown_line", file=file, field=f"{base}.shares.{c}", value=c, allowed=allowed_codes)
            )
        total = sum(shares.values())
        if abs(total - 1.0) > 1e-6:
            errors.append(InputError("shares_sum", file=file, field=f"{base}.shares", total=round(total, 6)))
        if unknown or abs(total - 1.0) > 1e-6:
            return amounts
        env = np.array([float(entry["envelope"].get(src, 0.0)) * scale for src in SOURCES])
        totals = np.zeros(len(codes))
        for code, share in shares.items():
            for lc, w in catalogue.expand(code):
                totals[codes.index(lc)] += share * w * env.sum()
        mask = np.array(
            [[capital_of[s] == "any" or capital_of[s] in catalogue.lines[lc].capital for s in SOURCES] for lc in codes]
        )
        for si, src in enumerate(SOURCES):
            room = totals[mask[:, si]].sum()
            if env[si] > room * (1 + 1e-9) + 1e-6:
                takers = [lc for lc, ok in zip(codes, mask[:, si]) if ok]
                errors.append(
                    InputError(
                        "envelope_capital",
                        file=file,
                        field=f"{base}.envelope.{src}",
                        value=env[si] / scale,
                        room=round(room / scale, 3),
                        lines=", ".join(takers),
                    )
                )
        if errors:
            return amounts
        amounts = assign_sources(totals, env, mask)
    return amounts


def assign_sources(totals: np.ndarray, envelope: np.ndarray, mask: np.ndarray, iters: int = 50_000) -> np.ndarray:
    """Split each line's total (L,) over sources (S,) so that every source's envelope is used
    exactly and money only goes where `mask` (L, S) allows (investment capital to investment
    lines). Iterative proportional fitting from an even start: deterministic, and it keeps each
    line's source mix as close to the overall mix as the capital rules allow."""
    x = mask * totals[:, None] * envelope[None, :]
    for _ in range(iters):
        col = x.sum(axis=0)
        x *= np.divide(envelope, col, out=np.zeros_like(col), where=col > 0)[None, :]
        row = x.sum(axis=1)
        x *= np.divide(totals, row, out=np.zeros_like(row), where=row > 0)[:, None]
        if np.allclose(x.sum(axis=0), envelope, rtol=1e-12, atol=1.0):  # within 1 VND
            break
    return x


#: the largest amount of money accepted, in VND: 2^53, the largest whole number of dong a float
#: holds exactly (about 9 million billion VND — above any budget, far below an overflow)
MAX_VND = float(2**53)


def _money_errors(years_raw: dict, scale: float, unit: str, file: str) -> list[InputError]:
    """Amounts that exceed `MAX_VND` once converted to VND."""
    errors = []
    limit = MAX_VND / scale
    for y, entry in years_raw.items():
        items = [
            (f"lines.{code}.{src}", amt) for code, by in (entry.get("lines") or {}).items() for src, amt in by.items()
        ]
        items += [(f"envelope.{src}", amt) for src, amt in (entry.get("envelope") or {}).items()]
        for where, amt in items:
            if isinstance(amt, (int, float)) and abs(amt) > limit:
                errors.append(
                    InputError(
                        "money_too_large",
                        file=file,
                        field=f"budget.years.{y}.{where}",
                        value=amt,
                        allowed=f"≤ {int(limit)} {unit}",
                    )
                )
    return errors


def _year_errors(years_raw: dict, years: tuple[int, ...], file: str) -> list[InputError]:
    errors = []
    start, last = years[1], years[-1]
    for y in years_raw:
        if int(y) not in years:
            errors.append(
                InputError("year_outside", file=file, field=f"budget.years.{y}", value=y, first=start, last=last)
            )
    for y in years[1:]:
        if str(y) not in years_raw:
            errors.append(InputError("year_missing", file=file, field="budget.years", year=y))
    return errors


def parse_budget(
    raw: dict,
    catalogue: Catalogue,
    unit_ids: tuple[str, ...] | None,
    funding: dict,
    start: int | None,
    horizon: int | None,
    file: str,
) -> tuple[Budget | None, list[InputError]]:
    """Budget amounts (VND) from the scenario's `budget` mapping, with every problem listed.

    With `start` or `horizon` None (not known: the dataset or those fields have problems of
    their own) the years are not checked; with `unit_ids` None the district names are not."""
    scale = MONEY_UNITS[raw["unit"]]
    years_raw: dict = raw["years"]
    errors = _money_errors(years_raw, scale, raw["unit"], file)
    errors += _same_as_errors(years_raw, file)
    known = start is not None and horizon is not None
    years = tuple(range(start - 1, start + horizon)) if known else ()
    if known:
        errors += _year_errors(years_raw, years, file)
    codes = catalogue.codes
    capital_of = {s: funding["sources"][s]["capital"] for s in SOURCES}
    parsed: dict[str, np.ndarray] = {}
    for key, entry in years_raw.items():
        if "same_as" not in entry:
            parsed[key] = _parse_year(entry, f"budget.years.{key}", catalogue, capital_of, scale, file, errors)
    split, default = _district_split(raw.get("district_split") or {}, catalogue, unit_ids, file, errors)
    if errors or not known:
        return None, errors
    amounts = np.zeros((len(years), len(codes), len(SOURCES)))
    for yi, y in enumerate(years):
        if str(y) in years_raw:
            found, _ = _resolve_year(years_raw, str(y))
            amounts[yi] = parsed[found]
    if str(years[0]) not in years_raw:
        amounts[0] = amounts[1]
    return Budget(
        years=years, lines=codes, sources=SOURCES, amounts=amounts, district_split=split, default_split=default
    ), []


def _district_split(split_raw: dict, catalogue: Catalogue, unit_ids, file: str, errors: list) -> tuple[dict, str]:
    """The budget's district split: {line code: rule or {unit: share}} and the default rule."""
    from simlib.district import RULES

    allowed_codes = catalogue.all_codes()
    default = split_raw.get("default", "eligible_households")
    if default not in RULES:
        errors.append(
            InputError("enum", file=file, field="budget.district_split.default", value=default, allowed=sorted(RULES))
        )
    split = {}
    for code, spec in (split_raw.get("lines") or {}).items():
        f = f"budget.district_split.lines.{code}"
        if code not in allowed_codes:
            errors.append(InputError("unknown_line", file=file, field=f, value=code, allowed=allowed_codes))
            continue
        if isinstance(spec, str):
            if spec not in RULES:
                errors.append(InputError("enum", file=file, field=f, value=spec, allowed=sorted(RULES)))
                continue
        else:
            bad = [u for u in spec if unit_ids is not None and u not in unit_ids]
            for u in bad:
                errors.append(InputError("unknown_unit", file=file, field=f"{f}.{u}", value=u, allowed=unit_ids))
            total = sum(spec.values())
            if abs(total - 1.0) > 1e-6:
                errors.append(InputError("shares_sum", file=file, field=f, total=round(total, 6)))
            if bad or abs(total - 1.0) > 1e-6:
                continue
        for lc, _ in catalogue.expand(code):
            split[lc] = spec
    return split, default


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
    to_params, to_scen = _route_overrides(set_items)
    errors = _apply_scenario_sets(raw, to_scen)
    schema_errors = validate(raw, "scenario", shown, quantities=False)
    errors += schema_errors
    broken = _broken_fields(schema_errors)
    base_dir = file.parent if file else Path.cwd()
    params = _scenario_params(raw, base_dir, params, to_params, shown, broken, errors)
    if dataset is None and "dataset" not in broken:
        dataset = _collect(errors, load_dataset, raw["dataset"], relative_to=base_dir, file=shown)
    start, horizon = _projection_years(raw, dataset, broken, shown, errors)
    catalogue = budget = None
    if params is not None:
        catalogue = build_catalogue(params["program"])
    if catalogue is not None and "budget" not in broken:
        unit_ids = dataset.unit_ids if dataset is not None else None
        budget, berr = parse_budget(raw["budget"], catalogue, unit_ids, params["funding"], start, horizon, shown)
        errors.extend(berr)
    if raw.get("model") == "multidim" and params is not None and dataset is not None and start is not None:
        from simlib.standards import build_standards, check_review_years

        years = range(start - 1, start + horizon)
        meta_file = display_path(dataset.path / "dataset.yaml")
        errors.extend(
            check_review_years(
                build_standards(params["standards"]), years, dataset.meta.get("standard"), shown, meta_file
            )
        )
    raise_if_any(errors)
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
    )


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


def _apply_scenario_sets(raw: dict, items: list[tuple[str, Any]]) -> list[InputError]:
    """Apply `--set` items that address scenario fields; unknown keys are errors."""
    errors = []
    top_allowed = tuple(get_schema("scenario")["properties"])
    for key, value in items:
        try:
            set_dotted(raw, key, value, allow_new_top=top_allowed, allow_new_leaf=True)
        except (KeyError, TypeError, IndexError):
            errors.append(
                InputError("set_unknown", file="--set", field=key, allowed=list(PARAM_ROOTS) + list(top_allowed))
            )
    return errors


#: schema problems with a value that still has the right type: the budget can be read on, so
#: that its other problems (unknown lines, capital rules, shares) are reported with them
VALUE_PROBLEMS = ("negative_money", "minimum", "maximum", "exclusive_minimum", "not_finite")


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
        pdir = (base_dir / raw["params"]).resolve() if "params" in raw else None
        params = _collect(errors, load_parameters, pdir)
    if params is None:
        return None
    if "transitions" in raw and "transitions" not in broken:  # a calibrated transitions file (simlib calibrate)
        params = _collect(errors, params.with_file, "transitions", (base_dir / raw["transitions"]).resolve())
        if params is None:
            return None
    scen_over = [] if "overrides" in broken else list((raw.get("overrides") or {}).items())
    for k, _ in scen_over:
        if k.split(".", 1)[0] not in PARAM_ROOTS:
            errors.append(
                InputError("set_unknown", file=shown, field=f"overrides.{k}", allowed=[r + ".…" for r in PARAM_ROOTS])
            )
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
    if items and isinstance(items[0], str):
        items = parse_set_args(items)  # type: ignore[arg-type]
    raw = load_yaml(path)
    try:
        return scenario_from_dict(raw, file=path.resolve(), set_overrides=items)
    except InputError as exc:
        raise exc.with_file(display_path(path)) from None
