"""The optimiser on a scenario whose engine changes units within the run (`units_switch`, issue 19).

`crossing_2024_2027` runs its engine on the 10 districts in budget years 2024–2025 and on the 56
communes from 2026 (`simlib.unit_switch`). The optimiser allocates **the money of the years on the
communes** (2026–2027; at economy effort, the default of the multidimensional model, the last
year only): the decision variables are the commune scenario's (line, source and year, as for
`plan_2027`), the rules are the commune frame's (`units_switch.legal_frame`, its region III list
and the rules the scenario waives after the switch), and the targets are judged in the years the
allocation can move. The years before the switch keep the scenario's money: it was planned, split
and checked by district under the 2021–2025 frame, and by the end of 2026 it has been spent — a
planner chooses the years ahead. Asking for a year before the switch is an input error naming
the years that can be optimised.

Every evaluation runs through the switch as `simlib run` does: segment 1 on the districts with the
scenario's money, the state at the review before the switch moved to the communes by the same
`state_map`, segment 2 on the communes — the fixed part once, then each allocation continued from
the state at its first allocated year (`simlib.allocate.continued`). The optimal allocation is
written as the crossing itself with its money replaced (`units_switch` kept), so `simlib run` of
it certifies the optimiser's outcome; its legal check is the run's: the districts' frame, then the
communes' (`legal_check`).

With `robust`, each parameter draw is the same fixed part and continuation on that draw's models
of both segments (`draw_targets`), as the crossing's uncertainty runs a draw
(`simlib.uncertainty.switched`). With `by_district`, the money of the year allocated is split
across the communes; the written scenario carries the split as `units_switch.district_split` (the
split of the years on the new units), the budget's split staying the districts'.
"""

from __future__ import annotations

from dataclasses import dataclass

from simlib import i18n
from simlib.allocate.continued import Continued
from simlib.allocate.evaluate import told
from simlib.allocate.spec import OptimizeSpec, resolve_spec
from simlib.compliance import check_allocation, ignored, legal_status
from simlib.dataset import Dataset
from simlib.errors import InputError
from simlib.geography import remap_groups
from simlib.model import Model, compile_levers, compile_structure
from simlib.multidim import core_of
from simlib.options import RunOptions
from simlib.paths import display_path
from simlib.scenario import Scenario
from simlib.uncertainty.apply import DrawCompiler
from simlib.unit_switch import Switch, compile_run_model, simulate, state_map, unit_switch


@dataclass(frozen=True)
class Crossing:
    """What the optimiser needs of a crossing: the `switch`, the request resolved on the new
    units (`spec`, only years from the switch), segment 2's core `model` and the `target` its
    evaluations run (`Continued`)."""

    switch: Switch
    spec: OptimizeSpec
    model: Model
    target: Continued

    @property
    def scenario(self) -> Scenario:
        """The scenario on the new units (the one the optimiser allocates)."""
        return self.switch.scenario


def crossing_spec(scen: Scenario, spec: OptimizeSpec, sw: Switch | None = None) -> OptimizeSpec:
    """`spec` resolved on the new units of `scen` (their legal frame, counterpart, bounds) for the
    years from the switch: the years asked (`years`), or every year from the switch when all were
    asked (full effort). An `InputError` for a year before the switch. With `by_district` the
    money is split across the new units (the written scenario's `units_switch.district_split`)."""
    sw = sw or unit_switch(scen)
    shown = display_path(scen.file) if scen.file else spec.file
    new = tuple(y for y in scen.years if y >= sw.year)
    common = {"file": shown, "scenario": scen.name, "year": sw.year}
    early = sorted(y for y in spec.plan_years or () if y < sw.year)
    if early:
        raise InputError("units_switch_years", field="years", value=early, allowed=new, **common)
    raw = dict(spec.raw) | {"years": list(spec.plan_years or new)}
    return resolve_spec(sw.scenario, raw, spec.file)


def prepare_crossing(scen: Scenario, spec: OptimizeSpec, on_runs=None) -> Crossing:
    """The fixed part of every evaluation of `scen` (module docstring): segment 1 with the
    scenario's money, the state moved to the new units, segment 2 up to the first year allocated;
    `on_runs` told of its runs (one run of the whole crossing at most)."""
    sw = unit_switch(scen)
    spec = crossing_spec(scen, spec, sw)
    t1, (m2, t2) = compile_run_model(scen)[1], compile_run_model(sw.scenario)
    start = min(m2.years.index(y) for y in spec.plan_years)
    target = continued(sw, (t1, t2), start, scen.seed)
    told(on_runs, start / len(m2.years))
    return Crossing(sw, spec, m2, target)


def continued(sw: Switch, targets: tuple, start: int, seed: int | None) -> Continued:
    """The crossing's fixed part on the pair of engine models `targets` (districts, communes: the
    central ones, or one parameter draw's): segment 1 with its model's money up to the switch, the
    state at the review before it moved to the new units by `state_map` of the pair (as
    `simlib run` and the draws of `simlib.uncertainty.switched` move it), segment 2 with its
    model's money up to review `start`; each allocation continues from there (`Continued`)."""
    m1, m2 = core_of(targets[0]), core_of(targets[1])
    mapping = state_map(m1, m2, sw.geography)
    options = RunOptions(engine="expected", seed=seed)
    first = simulate(targets[0], m1.spend, options, stop=sw.at)
    state = first.state.remapped(mapping)
    early = remap_groups(first.states[:, : sw.at], mapping.groups, axis=2)
    prefix = None
    if start > sw.at:
        prefix = simulate(targets[1], m2.spend, options, start=sw.at, stop=start, state=state)
        state, prefix.state = prefix.state, None
    return Continued(targets[1], sw.at, start, state, prefix, early)


def draw_targets(scen: Scenario, target: Continued):
    """For a robust optimum of the crossing `scen`: (keys, values (N, k)) -> the models of the
    parameter draws, each a `Continued` through the switch as the crossing's uncertainty runs a
    draw (`simlib.uncertainty.evaluate.draw_models`: both segments compiled with the draw's values
    by `DrawCompiler`, segment 1 on the scenario's district money), continued from the review
    `target.start` the central one continues from. Each holds its own state of the communes
    (about a gigabyte for the multidimensional model): keep the draws few."""
    sw = unit_switch(scen)

    def targets(keys, values):
        first, second = DrawCompiler(scen, keys), DrawCompiler(sw.scenario, keys)
        for v in values:
            yield continued(sw, (first.target(v), second.target(v)), target.start, scen.seed)

    return targets


def allocated_dataset(scen: Scenario) -> Dataset:
    """The dataset of the units the optimiser allocates `scen`'s money on: its own, or for a
    crossing the new units' (the communes: the units of a per-unit split and of its marginals)."""
    sw = unit_switch(scen)
    return scen.dataset if sw is None else sw.scenario.dataset


def crossing_note(scen: Scenario, spec: OptimizeSpec, lang: str) -> str:
    """'' — or, for a crossing, which years keep the scenario's money on the districts and which
    the optimiser allocated on the communes, through the switch (and, per unit, that the money is
    split across the communes)."""
    sw = unit_switch(scen)
    if sw is None:
        return ""
    done = spec.plan_years or tuple(y for y in scen.years if y >= sw.year)
    kept = [y for y in scen.years if y not in done]
    per_unit = ""
    if spec.by_district:
        per_unit = " " + i18n.t("alloc.crossing_by_unit", lang, years=", ".join(map(str, done)), first=sw.year)
    return (
        i18n.t(
            "alloc.crossing_note",
            lang,
            fixed=", ".join(map(str, kept)),
            last_fixed=max(kept),
            years=", ".join(map(str, done)),
            districts=len(scen.dataset.unit_ids),
            communes=len(sw.scenario.dataset.unit_ids),
            last_district_year=sw.year - 1,
            first_commune_year=sw.year,
        )
        + per_unit
    )


def legal_check(optimal: Scenario) -> tuple[dict, list]:
    """`optimal` under its legal frame, as `simlib run` checks it (`simlib.compliance`): what a
    run records (`legal_status`; for a crossing also `legal_after_switch`, the new units' frame
    on their split) and the breaches not asked to be ignored, of both frames."""
    legal, breaches = _checked(optimal)
    sw = unit_switch(optimal)
    if sw is not None:
        legal["legal_after_switch"], more = _checked(sw.scenario)
        breaches = breaches + more
    return legal, breaches


def _checked(scen: Scenario) -> tuple[dict, list]:
    split = compile_levers(scen, compile_structure(scen)).split
    found = check_allocation(scen, split)
    let_through = [v for v in found if ignored(scen, v.rule)]
    return legal_status(scen, split, let_through), [v for v in found if not ignored(scen, v.rule)]
