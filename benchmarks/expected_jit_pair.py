"""`python -m benchmarks.expected_jit_pair BEFORE_TREE [ROUNDS]`: issue 8's two expected-engine
figures of the code in BEFORE_TREE and of this tree, alternating in fresh processes (before,
after, after, before, ...): the compiled engine per plan_2024 scenario (µs, median of 15 × 50
calls) and the sweep of 1000 spending arrays without flows (scenarios/s, median of 7), CPU time
(`time.process_time`) and wall time, with the load average at the start and the end. A lighter
companion of `benchmarks.expected_pair` (which also times the aggregate and household engines,
with the same worker); prints one JSON object.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from benchmarks.expected_pair import EXPECTED_WORKER, paired

if __name__ == "__main__":
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    print(json.dumps(paired(Path(sys.argv[1]), rounds, EXPECTED_WORKER), indent=1))
