"""Reading what the study is — every table's spec, the paper folders' metadata, the data each table needs — loads
neither torch nor scipy, so `srrepro list`, `show` and `doctor` answer at once and a broken training engine does
not hide the specs."""
from __future__ import annotations

import json
import subprocess
import sys

READ_EVERY_SPEC = """
import json, sys, time
t = time.perf_counter()
from srrepro import doctor, spec
specs = [spec.get(t) for t in spec.TABLES]
seconds = time.perf_counter() - t
print(json.dumps({"seconds": seconds, "specs": len(specs), "needs": len(doctor.NEEDS),
                  "heavy": sorted(m for m in ("torch", "scipy", "matplotlib") if m in sys.modules)}))
"""


def test_every_spec_is_read_without_torch_or_scipy():
    out = subprocess.run([sys.executable, "-c", READ_EVERY_SPEC], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    got = json.loads(out.stdout.strip().splitlines()[-1])
    assert got["heavy"] == []
    assert got["specs"] == got["needs"] >= 59
    # the measured time goes in the notes; here only a bound no loaded machine misses (torch alone takes ~2 s)
    assert got["seconds"] < 3.0, got
