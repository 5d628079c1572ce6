"""Parameter draws of a scenario whose engine changes units within the run (`units_switch`).

The central run of such a scenario (`simlib.runner.run`, `simlib.unit_switch`) runs its engine on
the districts up to the switch year and on the communes from it: segment 1 on the scenario's own
model, the household state at the review before the switch moved to the communes by the
transition's population weights (`simlib.unit_switch.state_map`), segment 2 on the model of the
same scenario on the new dataset. Each draw here is run the same way — both segments compiled with
the draw's parameter values, the state moved by the same `CellMap` — so a draw with the central
values reproduces the central run exactly, and the draws' tables cover what the central run's
tables cover: the districts' cells up to the year before the switch, the communes' from it
(`SwitchDraws.geos`, the union of both segments' geographies; a cell a segment does not have is
NaN, left out of every summary).

A change of standard in the reviews (the crossing's end-2027 review) is re-based as the central
run re-bases it (`simlib.runner.dated_changes`): the twin keeping the previous standard is switched
the same way (`simlib.unit_switch.twin_states`), its segment 1 being the draw's own when the change
comes at or after the switch year.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from simlib.multidim import MultidimModel, core_of
from simlib.multidim.tables import multidim_indicators
from simlib.options import RunOptions
from simlib.period_changes import rebase_points
from simlib.results import indicator_arrays, programme_effect_indicators, states_table
from simlib.runner import compile_run_model, poor_unit_ids
from simlib.scenario import Scenario
from simlib.tabulate import geographies
from simlib.unit_switch import Switch, run_pieces, state_map, unit_switch


@dataclass(frozen=True)
class SwitchDraws:
    """What every draw of a switching scenario shares: the switch, the union of both segments'
    geographies (`geos`, segment 1's first) with the columns of each segment's own geographies in
    it (`cols`), and the poor units of both (districts, then communes), as the central run judges
    its targets by them."""

    switch: Switch
    geos: tuple[tuple[str, str], ...]
    cols: tuple[np.ndarray, np.ndarray]
    poor_units: tuple[str, ...]

    @classmethod
    def of(cls, scen: Scenario) -> SwitchDraws | None:
        """None for a scenario without `units_switch`."""
        sw = unit_switch(scen)
        if sw is None:
            return None
        m1, m2 = compile_run_model(scen)[0], compile_run_model(sw.scenario)[0]
        g1, g2 = geographies(m1)[0], geographies(m2)[0]
        geos = tuple(g1) + tuple(g for g in g2 if g not in g1)
        cols = tuple(np.array([geos.index(g) for g in gs], int) for gs in (g1, g2))
        return cls(sw, geos, cols, tuple(poor_unit_ids(m1) + poor_unit_ids(m2)))

    def mapping(self, targets: tuple):
        """The `CellMap` moving the state of segment 1's model to segment 2's (as the central run's)."""
        return state_map(core_of(targets[0]), core_of(targets[1]), self.switch.geography)


def segment_arrays(target, spend: np.ndarray, out, without=None) -> dict[str, np.ndarray]:
    """Indicator arrays (R, Y+1, Ngeo) of one segment on its own model's geographies, as
    `simlib.unit_switch.run_tables` computes that segment's table."""
    base = core_of(target)
    _, ind = indicator_arrays(out, base, spend)
    if without is not None:
        ind.update(programme_effect_indicators(base, spend, out, without))
    if isinstance(target, MultidimModel):
        ind.update(multidim_indicators(out, target))
    return ind


def joined_arrays(sd: SwitchDraws, years: Sequence[int], parts: tuple[dict, dict]) -> dict[str, np.ndarray]:
    """The two segments' arrays on the union of their geographies, joined by year as
    `simlib.unit_switch.join_tables` joins the tables: years before the switch year from segment
    1, the others from segment 2 (NaN where a segment has no such geography)."""
    late = np.asarray(years) >= sd.switch.year
    names = list(parts[0]) + [n for n in parts[1] if n not in parts[0]]
    out = {}
    for name in names:
        first = next(p[name] for p in parts if name in p)
        arr = np.full(first.shape[:2] + (len(sd.geos),), np.nan)
        for part, cols, rows in zip(parts, sd.cols, (np.flatnonzero(~late), np.flatnonzero(late))):
            if name in part:
                arr[:, rows[:, None], cols[None, :]] = part[name][:, rows, :]
        out[name] = arr
    return out


def switched_states(sd: SwitchDraws, targets: tuple, outs: tuple, year0: int) -> pd.DataFrame:
    """The states table of a switched run, joined by year (as `simlib.unit_switch.twin_states`)."""
    a, b = (states_table(o, core_of(t), year0) for o, t in zip(outs, targets))
    return pd.concat([a[a["year"] < sd.switch.year], b[b["year"] >= sd.switch.year]], ignore_index=True)


def switched_rebase(sd: SwitchDraws, twin: tuple, targets: tuple, outs: tuple, spends: tuple, options, mapping):
    """`rebase_points` of one draw of a switching scenario: its run and the same draw keeping the
    previous standard (`twin` = (`Rebasing`, (segment 1's, segment 2's model keeping it))),
    switched the same way; segment 1's model is None when the change of standard comes at or
    after the switch year: the twin's segment 1 is then the run's own (the same model arrays and
    money up to there)."""
    rb, old = twin
    first = outs[0] if old[0] is None else None
    old = (targets[0] if old[0] is None else old[0], old[1])
    old_outs = run_pieces(old, spends, options, sd.switch, mapping, first=first)
    year0 = rb.old.baseline_year
    states = switched_states(sd, targets, outs, year0)
    old_states = switched_states(sd, old, old_outs, year0)
    return rebase_points(states, rb.level, rb.geo, old_states, (rb.year,), sd.poor_units)


def switched_run(
    sd: SwitchDraws,
    targets: tuple,
    options: RunOptions,
    counterfactual: bool,
    years: Sequence[int],
    twin: tuple | None = None,
    outs: tuple | None = None,
) -> dict[str, np.ndarray]:
    """Indicator arrays (R, Y+1, len(sd.geos)) of one draw of a switching scenario: `targets` =
    (segment 1's model, segment 2's model) of the draw, run in two segments with their own money
    (or `outs`, the engine outputs already computed, e.g. the central run's), with the programme's
    effect against the same two segments with no money when `counterfactual`; with `twin`, the key
    `"rebase"` holds the draw's re-basing table (`switched_rebase`)."""
    spends = tuple(core_of(t).spend for t in targets)
    mapping = sd.mapping(targets)
    if outs is None:
        outs = run_pieces(targets, spends, options, sd.switch, mapping)
    without = (None, None)
    if counterfactual:
        without = run_pieces(targets, tuple(np.zeros_like(s) for s in spends), options, sd.switch, mapping)
    parts = tuple(segment_arrays(t, s, o, w) for t, s, o, w in zip(targets, spends, outs, without))
    ind = joined_arrays(sd, years, parts)
    if twin is not None:
        ind["rebase"] = switched_rebase(sd, twin, targets, outs, spends, options, mapping)
    return ind


def second_scenario(sd: SwitchDraws, old: Scenario | None = None) -> Scenario:
    """The scenario of segment 2 (on the new units), keeping `old`'s parameters when given (the
    twin keeping the previous standard, as `simlib.unit_switch.twin_states` builds it)."""
    return sd.switch.scenario if old is None else replace(sd.switch.scenario, params=old.params)


def central_outputs(central, scen: Scenario):
    """Both segments' engine outputs of a run `central` of the switching scenario `scen` with the
    expected engine (deterministic), or None when it is not one."""
    if central is None or central.scenario is not scen or len(central.segment_outputs) != 2:
        return None
    manifest = central.manifest or {}
    if manifest.get("engine") != "expected" or int(manifest.get("draws", 1)) != 1:
        return None
    return tuple(central.segment_outputs)
