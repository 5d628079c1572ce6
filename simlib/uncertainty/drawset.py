"""Parameter draws compiled once, run for any budget of the same scenario.

An explorer asks "how likely is each target met?" for one allocation after another of the same
scenario. The draws (`sample`) depend on the parameters and the seed only, and a draw's model
depends on the money only through the levers' amounts: the structure, the parameters and each
line's split across units are the same whatever the amounts. `DrawSet` compiles every draw's
model once (`simlib.uncertainty.apply.DrawCompiler`), keeps it (with what the engine derives from
its structure and parameters) and, for a budget, gives each the money those amounts spend — so a
run is the engine, the indicators and the scorecard only. `DrawSet(scen, n,
seed=…).run(other)` gives the same tables as `run_uncertainty(other, n, seed=…)` with the same
draws (tested to floating tolerance; in fact the same floating-point operations).

Only the core (states) model: a multidimensional model is built from the amounts too.
"""

from __future__ import annotations

from dataclasses import fields, replace

from simlib.model import Model
from simlib.options import RunOptions
from simlib.scenario import Scenario
from simlib.uncertainty.apply import DrawCompiler
from simlib.uncertainty.evaluate import evaluate_models
from simlib.uncertainty.run import UncertaintyResult, summarise
from simlib.uncertainty.sampling import sample
from simlib.uncertainty.space import scenario_space

#: Scenario fields a budget change leaves alone (`Scenario.replace_budget`); `raw` may differ
#: (the explorer's what-if flag for the legal frame, which no model reads)
_FREE = ("budget", "raw")


class DrawSet:
    """`n` parameter draws of `scen` (`method` lhs | sobol | random; run options as in
    `run_uncertainty`, e.g. `seed`, `engine`), each compiled once."""

    def __init__(self, scen: Scenario, n: int, options: RunOptions | None = None, *, method: str = "lhs", **kw):
        if scen.poverty_model != "states":
            raise ValueError("DrawSet takes the core (states) model only")
        self.scen = scen
        self.options = RunOptions.of(options, **kw).for_scenario(scen)
        self.space = scenario_space(scen)
        self.draws = sample(self.space, scen.params, n, method, self.options.seed)
        compiler = DrawCompiler(scen, self.draws.keys)
        self.models: list[Model] = [compiler.model(v) for v in self.draws.values]

    def accepts(self, scen: Scenario) -> bool:
        """Whether `scen` differs from the draw set's scenario by its budget's amounts only."""
        base = self.scen
        same = all(getattr(scen, f.name) is getattr(base, f.name) for f in fields(base) if f.name not in _FREE)
        a, b = scen.budget, base.budget
        return same and all(
            getattr(a, f.name) is getattr(b, f.name) or getattr(a, f.name) == getattr(b, f.name)
            for f in fields(b)
            if f.name != "amounts"
        )

    def run(
        self, scen: Scenario | None = None, *, counterfactual: bool = True, rules: bool = True
    ) -> UncertaintyResult:
        """The uncertainty run of `scen` (default the draw set's own scenario) on these draws,
        in this process; `counterfactual` and `rules` as in `run_uncertainty`."""
        scen = self.scen if scen is None else scen
        if not self.accepts(scen):
            raise ValueError("the scenario differs from the draw set's by more than its budget's amounts")
        amounts = scen.budget.amounts
        # the models are kept (with what the engine derived from their structure and parameters)
        # and given the money this budget spends: its amounts through each draw's disbursement and split
        spends = (replace(m.levers, amounts=amounts).spend(m.params.disbursement) for m in self.models)
        draws, task = self.draws, self.options.in_worker()

        def evaluate(layout, consume) -> None:
            consume(evaluate_models(scen, self.models, range(draws.n), layout, task, counterfactual, spends))

        return summarise(scen, draws, self.space, self.options, evaluate, counterfactual=counterfactual, rules=rules)
