"""A sixth paper is one folder in srrepro/papers/ plus one model file in srrepro/models/, and nothing else.

The test copies the package, adds the toy paper of tests/sixth_paper/ (two tables: a trained width ablation and
an exact parameter count, a claim each, its own model family and recipe, its printed values as data) and its
model file, and runs both tables at smoke through the CLI: found, checked, trained, scored, merged with the
printed values, judged, written. No file of the copied package is edited."""
from __future__ import annotations

import filecmp
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd

from srrepro.verdicts import VERDICTS

ROOT = Path(__file__).resolve().parents[1]
TOY = Path(__file__).parent / "sixth_paper"


def _cli(project: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(project)}
    return subprocess.run([sys.executable, "-m", "srrepro", *args], cwd=project, env=env, capture_output=True,
                          text=True, timeout=600)


def _differing(a: Path, b: Path) -> list[str]:
    cmp = filecmp.dircmp(a, b, ignore=["__pycache__"])
    out = [str(Path(cmp.left, f)) for f in cmp.diff_files]
    for sub in cmp.subdirs.values():
        out += _differing(Path(sub.left), Path(sub.right))
    return out


def test_a_sixth_paper_is_one_folder_and_one_model_file(tmp_path, data_root):
    project = tmp_path / "project"
    shutil.copytree(ROOT / "srrepro", project / "srrepro", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(TOY / "toy", project / "srrepro" / "papers" / "toy")
    shutil.copy(TOY / "models" / "toynet.py", project / "srrepro" / "models" / "toynet.py")
    assert not _differing(ROOT / "srrepro", project / "srrepro")  # only added files

    listed = _cli(project, "list")
    assert listed.returncode == 0, listed.stderr
    assert {"toy_width", "toy_params"} <= set(listed.stdout.split())
    assert "toynet" in _cli(project, "models").stdout

    for tid in ("toy_params", "toy_width"):
        run = _cli(project, "reproduce", tid, "--profile", "smoke", "--data", str(data_root), "--workers", "1")
        assert run.returncode == 0, run.stdout + run.stderr
        rows = pd.read_csv(project / "results" / "smoke" / f"{tid}.csv")
        assert (rows["table"] == tid).all()
        if tid == "toy_params":  # exact: the printed counts (values/toy_params.csv) against the model's
            assert rows.set_index("method")["params"].to_dict() == {"ToyNet-4": 556, "ToyNet-8": 1100}
            assert rows.set_index("method")["params_paper"].to_dict() == {"ToyNet-4": 556, "ToyNet-8": 1100}
            assert rows["paper_source"].str.startswith("Toy Table 2").all()
        else:  # trained through the one training loop with the folder's recipe family, scored, merged
            assert rows["psnr"].notna().all() and len(rows) == 2
            assert rows.set_index("method")["psnr_paper"].to_dict() == {"ToyNet-4": 33.1, "ToyNet-8": 33.9}
            assert set(rows["family"]) == {"toynet"}

    # judged as any table: the exact claim holds, the trained one is judged (smoke: meaningless by design)
    out = subprocess.run([sys.executable, "-c", "from srrepro import tables; r = tables.load('toy_params', "
                              "'smoke'); print(r.verdicts['params_exact'].status); "
                              "print(tables.load('toy_width', 'smoke').verdicts['width_helps'].status)"],
                         cwd=project, env={**os.environ, "PYTHONPATH": str(project)}, capture_output=True, text=True,
                         timeout=300)
    assert out.returncode == 0, out.stderr
    exact_status, trained_status = out.stdout.strip().splitlines()
    assert exact_status == "holds"
    assert trained_status in VERDICTS  # a verdict, whatever smoke's two iterations give
    # the book knows the chapter: discovered with its title, in its order
    book = subprocess.run([sys.executable, "-c", "from srrepro import book; print(list(book.PARTS.values())[-1])"],
                          cwd=project, env={**os.environ, "PYTHONPATH": str(project)}, capture_output=True, text=True)
    assert "Toy (a sixth paper, for the test)" in book.stdout
