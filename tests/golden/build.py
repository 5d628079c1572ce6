"""Write the golden outputs of every bundled scenario (tests/test_golden.py compares against them).

The golden files pin the numbers while the code is reorganised: regenerate them only when a model
change is intended, and say in CHANGELOG.md how the numbers moved and why.

    python tests/golden/build.py            # all cases
    python tests/golden/build.py plan_2024  # cases whose name starts with this
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from cases import CASES, case_tables  # noqa: E402


def main(argv: list[str]) -> int:
    for case in CASES:
        if argv and not any(case.name.startswith(a) for a in argv):
            continue
        folder = HERE / case.name
        folder.mkdir(exist_ok=True)
        for old in folder.glob("*.csv.gz"):
            old.unlink()
        for name, table in case_tables(case).items():
            table.to_csv(folder / f"{name}.csv.gz", index=False, compression={"method": "gzip", "mtime": 0})
        print(f"{case.name}: {', '.join(sorted(case_tables.last))}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
