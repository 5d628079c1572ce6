"""notebooks/uncertainty.ipynb runs end to end on the bundled data (nbval, lax mode), in both
languages' default (Vietnamese)."""
from __future__ import annotations

import subprocess
import sys

from conftest import ROOT


def test_uncertainty_notebook_runs():
    nb = ROOT / "notebooks" / "uncertainty.ipynb"
    r = subprocess.run([sys.executable, "-m", "pytest", "--nbval-lax", "-q", "-p", "no:cacheprovider", "-p", "no:xdist",
                        str(nb)], cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stdout[-4000:] + r.stderr[-2000:]
