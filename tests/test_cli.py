"""The CLI's argument checks: a bad value is one line ``srrepro: error: …`` naming it, exit 2, nothing written."""
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

REPO = Path(__file__).resolve().parents[1]


def cli(*args, cwd=None, env=None):
    e = dict(os.environ, **(env or {}))
    return subprocess.run([sys.executable, "-m", "srrepro", *args], capture_output=True, text=True, env=e,
                          cwd=cwd)


# (id, arguments, text the message must contain). In the arguments {t} is a scratch folder holding a file
# `afile` and an empty folder `empty`; every output path points into it, so "nothing written" is checkable.
P = ["prepare", "--dataset", "Set5", "--out", "{t}/lr"]
S = ["score", "--sr", "{t}/empty", "--hr", "{t}/empty"]
R = ["reproduce", "bicubic", "--profile", "smoke", "--results", "{t}/results"]
BAD = [
    ("scale-zero", P + ["--scale", "0"], "--scale"),
    ("scale-negative", P + ["--scale", "-2"], "--scale"),
    ("scale-one", P + ["--scale", "1"], "--scale"),
    ("scale-nan", P + ["--scale", "nan"], "--scale"),
    ("scale-inf", P + ["--scale", "inf"], "--scale"),
    ("scale-huge", P + ["--scale", "1e9"], "--scale"),
    ("scale-not-a-number", P + ["--scale", "two"], "--scale"),
    ("fractional-scale-BD", P + ["--scale", "1.5", "--degradation", "BD"], "--degradation"),
    ("seed-negative", P + ["--scale", "2", "--seed", "-1"], "--seed"),
    ("seed-not-int", P + ["--scale", "2", "--seed", "1.5"], "--seed"),
    ("out-is-a-file", ["prepare", "--dataset", "Set5", "--scale", "2", "--out", "{t}/afile"], "--out"),
    ("out-under-a-file", ["prepare", "--dataset", "Set5", "--scale", "2", "--out", "{t}/afile/lr"], "--out"),
    ("prepare-unknown-dataset", ["prepare", "--dataset", "Set6", "--scale", "2", "--out", "{t}/lr"], "Set6"),
    ("prepare-empty-data-root", P + ["--scale", "2", "--data", "{t}/empty"], "dataset Set5 not found"),
    ("prepare-absent-data-root", P + ["--scale", "2", "--data", "{t}/absent"], "absent"),
    ("score-scale-zero", S + ["--scale", "0"], "--scale"),
    ("score-scale-huge", S + ["--scale", "64"], "--scale"),
    ("csv-missing-folder", S + ["--scale", "2", "--csv", "{t}/nofolder/s.csv"], "--csv"),
    ("csv-is-a-folder", S + ["--scale", "2", "--csv", "{t}/empty"], "--csv"),
    ("csv-under-a-file", S + ["--scale", "2", "--csv", "{t}/afile/s.csv"], "--csv"),
    ("score-metric-unknown", S + ["--scale", "2", "--metrics", "psnr,fid"], "fid"),
    ("score-metrics-empty", S + ["--scale", "2", "--metrics", ","], "--metrics"),
    ("score-border-negative", S + ["--scale", "2", "--border", "-1"], "--border"),
    ("score-lpips-without-weights", S + ["--scale", "2", "--metrics", "lpips", "--data", "{t}/empty",
                                         "--csv", "{t}/s.csv"], "srrepro download lpips"),
    ("score-niqe-without-params", S + ["--scale", "2", "--metrics", "niqe", "--data", "{t}/empty"], "niqe"),
    ("seeds-zero", R + ["--seeds", "0"], "--seeds"),
    ("seeds-negative", R + ["--seeds", "-3"], "--seeds"),
    ("only-no-equals", R + ["--only", "dataset"], "--only"),
    ("only-no-key", R + ["--only", "=Set5"], "--only"),
    ("only-no-value", R + ["--only", "dataset="], "--only"),
    ("device-unknown", R + ["--device", "gpu"], "--device"),
    ("device-bad-index", R + ["--device", "cuda:x"], "--device"),
    ("results-under-a-file", R[:-1] + ["{t}/afile/results"], "--results"),
    ("launcher-unknown", R + ["--launcher", "pbs"], "--launcher"),
    ("slurm-option-no-equals", R + ["--launcher", "slurm", "--slurm", "partition"], "--slurm"),
    ("slurm-options-without-slurm", R + ["--slurm", "partition=gpu"], "--slurm"),
    ("slurm-without-sbatch", R + ["--launcher", "slurm"], "sbatch"),
    ("reproduce-absent-data-root", R + ["--data", "{t}/absent"], "absent"),
    ("download-unknown", ["download", "Set6", "--data", "{t}/root"], "Set6"),
    ("download-on-request-only", ["download", "Manga109", "--data", "{t}/root"], "Manga109"),
    ("download-data-is-a-file", ["download", "Set5", "--data", "{t}/afile"], "--data"),
    ("doctor-absent-data-root", ["doctor", "--data", "{t}/absent"], "absent"),
    ("no-command", [], "command"),
]


def _tree(root: Path) -> dict:
    return {str(p.relative_to(root)): p.stat().st_size for p in sorted(root.rglob("*"))}


@pytest.mark.parametrize("args,names", [pytest.param(a, n, id=i) for i, a, n in BAD])
def test_bad_input_is_one_line_exit_2_and_writes_nothing(tmp_path, args, names):
    (tmp_path / "afile").write_text("x")
    (tmp_path / "empty").mkdir()
    before = _tree(tmp_path)
    r = cli(*[a.format(t=tmp_path) for a in args], cwd=tmp_path)
    assert r.returncode == 2, (r.stdout, r.stderr)
    assert r.stderr.startswith("srrepro: error: ") and r.stderr.count("\n") == 1, r.stderr
    assert names in r.stderr and "Traceback" not in r.stderr
    assert r.stdout == ""
    assert _tree(tmp_path) == before  # no folder, no partial file, no CSV


def test_fractional_scale_still_prepares(data_root, tmp_path):
    r = cli("prepare", "--dataset", "Set5", "--scale", "1.5", "--out", str(tmp_path / "a" / "lr"))
    assert r.returncode == 0, r.stderr
    files = sorted(p.name for p in (tmp_path / "a" / "lr").iterdir())
    assert files == ["baby.png", "bird.png", "butterfly.png", "head.png", "woman.png"]
    with Image.open(tmp_path / "a" / "lr" / "baby.png") as im:
        assert im.size == (341, 341)  # floor(512 / 1.5)
    assert not [p for p in tmp_path.rglob("*.partial")]


def test_prepare_failing_half_way_leaves_no_folder(tmp_path):
    root = tmp_path / "data"
    (root / "benchmarks" / "Set5").mkdir(parents=True)
    Image.fromarray(np.zeros((12, 12, 3), np.uint8)).save(root / "benchmarks" / "Set5" / "a.png")
    (root / "benchmarks" / "Set5" / "b.png").write_bytes(b"\x89PNG\r\n\x1a\ntruncated")
    r = cli("prepare", "--dataset", "Set5", "--scale", "2", "--out", str(tmp_path / "lr"), "--data", str(root))
    assert r.returncode == 2 and "b.png" in r.stderr and r.stderr.count("\n") == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data"]  # neither lr/ nor a hidden partial folder


def test_reproduce_on_empty_data_root_keeps_the_csv(tmp_path):
    results = tmp_path / "results"
    (results / "smoke").mkdir(parents=True)
    shutil.copy(REPO / "results" / "smoke" / "bicubic.csv", results / "smoke" / "bicubic.csv")
    before = (results / "smoke" / "bicubic.csv").read_bytes()
    (tmp_path / "empty").mkdir()
    r = cli("reproduce", "bicubic", "--profile", "smoke", "--data", str(tmp_path / "empty"), "--results", str(results))
    assert r.returncode != 0
    assert r.stderr.startswith("srrepro: error: ") and r.stderr.count("\n") == 1 and "Traceback" not in r.stderr
    assert (results / "smoke" / "bicubic.csv").read_bytes() == before
    assert sorted(p.name for p in (results / "smoke").iterdir()) == ["bicubic.csv"]


def test_device_that_is_not_there_is_refused(monkeypatch):
    import torch

    from srrepro import cli as srcli

    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "device_count", lambda: 1)
    srcli._check_device_available("cuda")
    srcli._check_device_available("cuda:0")
    with pytest.raises(srcli.UsageError, match=r"cuda:1 is not available, this machine has 1 CUDA device"):
        srcli._check_device_available("cuda:1")
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    with pytest.raises(srcli.UsageError, match="no CUDA device"):
        srcli._check_device_available("cuda")
