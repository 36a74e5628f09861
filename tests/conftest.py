import atexit
import os
import shutil
import tempfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
# Tests read the project's data mirror; on the project machines it lies beside the checkout.
os.environ.setdefault("SRREPRO_DATA", str(REPO.parent / "shared" / "data"))
os.environ.setdefault("MPLBACKEND", "Agg")
# The decode-once training-image cache (srrepro.cache): one per test process, never the checkout's runs/cache.
if not os.environ.get("SRREPRO_CACHE"):
    os.environ["SRREPRO_CACHE"] = tempfile.mkdtemp(prefix="srrepro-test-cache-")
    atexit.register(shutil.rmtree, os.environ["SRREPRO_CACHE"], True)
DATA = Path(os.environ["SRREPRO_DATA"])


@pytest.fixture(scope="session")
def data_root() -> Path:
    if not (DATA / "benchmarks" / "Set5").is_dir():
        pytest.skip(f"data mirror not found at {DATA} (set SRREPRO_DATA)")
    return DATA
