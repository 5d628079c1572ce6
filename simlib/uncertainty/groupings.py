"""The ways the parameters of an uncertainty analysis can be grouped by name
(`simlib.uncertainty.space.ParameterSpace.groups`): a module of its own, light, so that the command
line checks `simlib sensitivity --groupings` without loading pandas (as `samplers` for
`--sampler`)."""

#: by the kind of parameter, by the project it acts through, or each parameter alone
GROUPINGS = ("kind", "project", "parameter")
