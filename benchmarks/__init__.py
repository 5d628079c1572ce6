"""Speed and memory figures for this machine: `python -m benchmarks` (or `make bench`).

Not part of `make test`: numbers, not assertions. Prints every figure with its target and writes
benchmarks/results.json (gitignored). See benchmarks/__main__.py.
"""
