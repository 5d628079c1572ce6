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
    title_vi: str
    title_en: str
    description_vi: str
    description_en: str
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

    def title(self, lang: str = "vi") -> str:
        return self.title_vi if lang == "vi" else self.title_en

    @property
    def poverty_model(self) -> str:
        """'states' (Markov transitions between states, the default) or 'multidim' (income and the
        12 deprivation flags drive the states through the poverty standard; simlib.multidim)."""
        return str(self.raw.get("model", POVERTY_MODELS[0]))

    def description(self, lang: str = "vi") -> str:
        return self.description_vi if lang == "vi" else self.description_en

    def input_hashes(self) -> dict[str, str]:
        """sha256 of every input file: scenario, parameter files, dataset files."""
        out = {}
        if self.file is not None:
            out[display_path(self.file)] = sha256_file(self.file)
        for name, path in self.params.files.items():
            out[display_path(path)] = self.params.file_hashes[name]
        out.update(self.dataset.file_hashes)
        return out

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


def _resolve_year(years_raw: dict, year: str, file: str, errors: list, seen=()) -> dict | None:
    entry = years_raw[year]
    if "same_as" in entry:
        ref = str(entry["same_as"])
        if ref not in years_raw or ref in seen or ref == year:
            errors.append(
                InputError(
                    "same_as",
                    file=file,
                    field=f"budget.years.{year}.same_as",
                    value=entry["same_as"],
                    allowed=sorted(set(years_raw) - {year}),
                )
            )
            return None
        return _resolve_year(years_raw, ref, file, errors, seen + (year,))
    return entry


def _parse_year(
    entry: dict, base: str, catalogue: Catalogue, capital_of: dict, scale: float, file: str, errors: list[InputError]
) -> np.ndarray:
    """Amounts (lines, sources) in VND of one year's budget entry; problems go to `errors`."""
    codes = catalogue.codes
    allowed_codes = catalogue.all_codes()
    amounts = np.zeros((len(codes), len(SOURCES)))
    if "lines" in entry and ("envelope" in entry or "shares" in entry):
        errors.append(
            InputError("schema", file=file, field=base, detail="give either 'lines' or 'envelope' + 'shares', not both")
        )
        return amounts
    if ("envelope" in entry) != ("shares" in entry):
        errors.append(InputError("schema", file=file, field=base, detail="'envelope' and 'shares' go together"))
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


def parse_budget(
    raw: dict, catalogue: Catalogue, unit_ids: tuple[str, ...], funding: dict, start: int, horizon: int, file: str
) -> tuple[Budget | None, list[InputError]]:
    """Budget amounts (VND) from the scenario's `budget` mapping, with every problem listed."""
    errors: list[InputError] = []
    scale = MONEY_UNITS[raw["unit"]]
    years_raw: dict = raw["years"]
    years = tuple(range(start - 1, start + horizon))
    codes = catalogue.codes
    allowed_codes = catalogue.all_codes()
    for y in years_raw:
        if int(y) not in years:
            errors.append(
                InputError(
                    "year_outside", file=file, field=f"budget.years.{y}", value=y, first=start, last=start + horizon - 1
                )
            )
    for y in years[1:]:
        if str(y) not in years_raw:
            errors.append(InputError("year_missing", file=file, field="budget.years", year=y))
    amounts = np.zeros((len(years), len(codes), len(SOURCES)))
    capital_of = {s: funding["sources"][s]["capital"] for s in SOURCES}
    parsed: dict[str, np.ndarray] = {}
    for key, entry in years_raw.items():
        if "same_as" in entry:
            continue
        parsed[key] = _parse_year(entry, f"budget.years.{key}", catalogue, capital_of, scale, file, errors)
    for yi, y in enumerate(years):
        key = str(y)
        if key not in years_raw:
            continue
        entry = _resolve_year(years_raw, key, file, errors)
        if entry is None:
            continue
        ref = next(k for k, v in years_raw.items() if v is entry)
        amounts[yi] = parsed.get(ref, 0.0)
    if str(years[0]) not in years_raw:
        amounts[0] = amounts[1]
    split_raw = raw.get("district_split", {}) or {}
    from simlib.district import RULES

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
            bad = [u for u in spec if u not in unit_ids]
            for u in bad:
                errors.append(InputError("unknown_unit", file=file, field=f"{f}.{u}", value=u, allowed=unit_ids))
            total = sum(spec.values())
            if abs(total - 1.0) > 1e-6:
                errors.append(InputError("shares_sum", file=file, field=f, total=round(total, 6)))
            if bad or abs(total - 1.0) > 1e-6:
                continue
        for lc, _ in catalogue.expand(code):
            split[lc] = spec
    if errors:
        return None, errors
    return Budget(
        years=years, lines=codes, sources=SOURCES, amounts=amounts, district_split=split, default_split=default
    ), []


def scenario_from_dict(
    raw: dict,
    file: Path | None = None,
    set_overrides=(),
    params: ParameterSet | None = None,
    dataset: Dataset | None = None,
) -> Scenario:
    """Validate a scenario mapping (as read from YAML) and resolve everything it refers to."""
    shown = display_path(file) if file else "<scenario>"
    raw = copy.deepcopy(raw)
    set_items = list(set_overrides)
    to_params, to_scen = _route_overrides(set_items)
    errors: list[InputError] = []
    top_allowed = tuple(get_schema("scenario")["properties"])
    for key, value in to_scen:
        try:
            set_dotted(raw, key, value, allow_new_top=top_allowed, allow_new_leaf=True)
        except (KeyError, TypeError):
            errors.append(
                InputError("set_unknown", file="--set", field=key, allowed=list(PARAM_ROOTS) + list(top_allowed))
            )
    raise_if_any(errors)
    errors = validate(raw, "scenario", shown, quantities=False)
    raise_if_any(errors)
    base_dir = file.parent if file else Path.cwd()
    if params is None:
        pdir = (base_dir / raw["params"]).resolve() if "params" in raw else None
        params = load_parameters(pdir)
    if "transitions" in raw:  # a calibrated transitions file (simlib calibrate) instead of params'
        params = params.with_file("transitions", (base_dir / raw["transitions"]).resolve())
    scen_over = [(k, v) for k, v in (raw.get("overrides") or {}).items()]
    bad = [k for k, _ in scen_over if k.split(".", 1)[0] not in PARAM_ROOTS]
    for k in bad:
        errors.append(
            InputError("set_unknown", file=shown, field=f"overrides.{k}", allowed=[r + ".…" for r in PARAM_ROOTS])
        )
    raise_if_any(errors)
    try:
        params = params.with_overrides(scen_over, origin=f"{shown} (overrides)")
        params = params.with_overrides(to_params, origin="--set")
    except (InputError, InputErrors):
        raise
    if dataset is None:
        dataset = load_dataset(raw["dataset"], relative_to=base_dir)
    raw.setdefault("start_year", dataset.baseline_year + 1)  # the projection starts after the baseline review
    raw.setdefault("horizon", DEFAULT_HORIZON)
    if raw["start_year"] != dataset.baseline_year + 1:
        errors.append(
            InputError(
                "schema",
                file=shown,
                field="start_year",
                detail=f"the dataset '{dataset.name}' describes the end of {dataset.baseline_year}, so the projection starts in {dataset.baseline_year + 1}",
                value=raw["start_year"],
                allowed=[dataset.baseline_year + 1],
            )
        )
    catalogue = build_catalogue(params["program"])
    budget, berr = parse_budget(
        raw["budget"], catalogue, dataset.unit_ids, params["funding"], raw["start_year"], raw["horizon"], shown
    )
    errors.extend(berr)
    if raw.get("model") == "multidim":
        from simlib.standards import build_standards, check_review_years

        years = range(raw["start_year"] - 1, raw["start_year"] + raw["horizon"])
        errors.extend(
            check_review_years(
                build_standards(params["standards"]),
                years,
                dataset.meta.get("standard"),
                shown,
                display_path(dataset.path / "dataset.yaml"),
            )
        )
    raise_if_any(errors)
    return Scenario(
        name=raw["name"],
        title_vi=raw["title_vi"],
        title_en=raw["title_en"],
        description_vi=raw.get("description_vi", ""),
        description_en=raw.get("description_en", ""),
        file=file,
        raw=raw,
        start_year=raw["start_year"],
        horizon=raw["horizon"],
        seed=int(raw.get("seed", 20240415)),
        params=params,
        dataset=dataset,
        catalogue=catalogue,
        budget=budget,
        set_overrides=tuple(set_items),
    )


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
