"""The samplers of parameter draws by name (`simlib.uncertainty.sampling.design` draws them): a
module of its own, light, so that the command line checks `--sampler` without loading SciPy."""

#: Latin hypercube, scrambled Sobol' points, independent uniforms
METHODS = ("lhs", "sobol", "random")
