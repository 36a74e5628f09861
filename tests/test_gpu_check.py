"""tools/gpu_check.py on CPU: the comparisons decide, the CPU run writes every check, DDP compares rank weights.

CUDA itself is not exercised here (those rows say "skipped: no CUDA"); `make gpu-check` on a CUDA machine is.
"""
from __future__ import annotations

import csv
import importlib.util
import json
from pathlib import Path

import pytest
import torch

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def gc():
    spec = importlib.util.spec_from_file_location("gpu_check", REPO / "tools" / "gpu_check.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.fixture(autouse=True)
def _one_thread(monkeypatch):
    monkeypatch.setenv("OMP_NUM_THREADS", "1")


def _rows(path: Path) -> dict[str, dict]:
    with open(path) as f:
        return {r["check"]: r for r in csv.DictReader(f)}


def test_loss_parity_fails_beyond_its_threshold(gc):
    ref = [0.30, 0.20, 0.10, 0.10]
    assert gc.loss_parity(ref, list(ref), 0.0) == (0.0, True)
    close = [0.31, 0.21, 0.101, 0.1005]  # last half: 0.10075 vs 0.1 → 0.75 %
    gap, ok = gc.loss_parity(ref, close, 0.02)
    assert ok and gap == pytest.approx(0.0075)
    far = [0.30, 0.20, 0.105, 0.105]  # 5 % apart: a bf16 run that drifted
    assert gc.loss_parity(ref, far, 0.02) == (pytest.approx(0.05), False)
    assert gc.loss_parity(ref, [0.3, 0.2, float("nan"), 0.1], 0.02)[1] is False
    assert gc.loss_parity(ref, close[:1] + ref[1:], 0.0)[1] is True  # only the last half counts
    with pytest.raises(ValueError, match="length"):
        gc.loss_parity(ref, ref[:3], 0.02)


def test_ranks_agree_needs_every_rank_and_one_hash(gc):
    assert gc.ranks_agree({0: "a", 1: "a"}, 2) == (1, True)
    assert gc.ranks_agree({0: "a", 1: "b"}, 2) == (2, False)
    assert gc.ranks_agree({0: "a"}, 2) == (1, False)  # a rank that never reported


def test_psnr_gap_and_state_hash(gc):
    assert gc.psnr_gap({("Set5", 2.0): 37.5}, {("Set5", 2.0): 37.5004}, 0.001)[1] is True
    assert gc.psnr_gap({("Set5", 2.0): 37.5}, {("Set5", 2.0): 37.502}, 0.001)[1] is False
    sd = {"w": torch.ones(3, 3), "b": torch.zeros(3), "s": torch.tensor(1.0)}
    other = {k: v.clone() for k, v in sd.items()}
    assert gc.state_hash(sd) == gc.state_hash(other)
    other["w"][1, 1] = torch.nextafter(torch.tensor(1.0), torch.tensor(2.0))  # one ulp
    assert gc.state_hash(sd) != gc.state_hash(other)


def test_cpu_training_checks_write_rows_as_they_finish(gc, tmp_path, data_root):
    assert gc.main(["--device", "cpu", "--out", str(tmp_path), "--data", str(data_root), "--only", "train"]) == 0
    (csv_path,) = tmp_path.glob("*-cpu.csv")
    rows = _rows(csv_path)
    for name in ("train_fp32", "train_fp32_repeat", "train_channels_last"):
        assert rows[name]["status"] == "pass", rows[name]
        assert rows[f"throughput/{name}"]["unit"] == "it/s" and float(rows[f"throughput/{name}"]["value"]) > 0
    assert float(rows["train_fp32_repeat"]["value"]) == 0 and "bit-identical" in rows["train_fp32_repeat"]["note"]
    for name in ("train_bf16", "train_fp16", "train_bf16_channels_last"):
        assert rows[name]["status"] == "skipped: no CUDA"
    row = rows["train_fp32"]
    assert row["gpu"] == "none" and row["torch"] == torch.__version__ and row["commit"] and row["utc"]
    md = csv_path.with_suffix(".md").read_text()
    assert "| train_fp32 | pass |" in md and "Throughput" in md


@pytest.mark.slow  # two torchrun processes: 20 s on an idle 2-core machine, a minute on a busy one
def test_ddp_check_compares_the_weights_of_both_ranks(gc, tmp_path):
    report = gc.Report(tmp_path, torch.device("cpu"), stem="ddp")
    gc.ddp_check(report, torch.device("cpu"), gc.PRESETS["cpu"], None, tmp_path)
    row = _rows(report.csv)["ddp_2proc"]
    assert row["status"] == "pass", row
    hashes = {json.loads(f.read_text())["rank"]: json.loads(f.read_text())["hash"]
              for f in (tmp_path / "ddp").glob("rank*.json")}
    assert sorted(hashes) == [0, 1] and len(set(hashes.values())) == 1
    assert "2/2 ranks reported, 1 distinct" in row["note"]


def test_cpu_inference_checks(gc, tmp_path, data_root):
    """CARN-M on CPU against the committed number, tiles against the whole image (seconds)."""
    gc.main(["--device", "cpu", "--out", str(tmp_path), "--data", str(data_root), "--only", "inference"])
    (csv_path,) = tmp_path.glob("*-cpu.csv")
    rows = _rows(csv_path)
    assert rows["tile_vs_whole"]["status"] == "pass", rows["tile_vs_whole"]
    assert rows["carn_m_cpu_vs_committed"]["status"] in ("pass", "skipped: no committed reference")
    assert rows["throughput/edsr_x2_1080p"]["status"] == "skipped: no CUDA"


GPU_PATH_ROWS = ("resume_cuda", "gan_vgg_step", "fractional_scale_step", "pipeline_throughput")
PEAK_MEMORY_ROWS = ("peak_memory/edsr", "peak_memory/rdn", "peak_memory/rcan")


def test_cpu_gpu_path_checks(gc, tmp_path, data_root):
    """Resume after a SIGINT, a GAN + VGG step, fractional-scale steps through a DataLoader worker, the pipeline's
    patches/s per worker (seconds on CPU); the peak-memory rows need CUDA."""
    assert gc.main(["--device", "cpu", "--out", str(tmp_path), "--data", str(data_root),
                    "--only", "resume,gan,fractional,pipeline,memory"]) == 0
    (csv_path,) = tmp_path.glob("*-cpu.csv")
    rows = _rows(csv_path)
    assert list(rows) == [*GPU_PATH_ROWS, *PEAK_MEMORY_ROWS]
    for name in GPU_PATH_ROWS:
        assert rows[name]["status"] == "pass", rows[name]
    assert float(rows["resume_cuda"]["value"]) == 0 and "bit for bit vs uninterrupted" in rows["resume_cuda"]["note"]
    assert "SIGINT inside iteration 5, saved at 5" in rows["resume_cuda"]["note"]
    assert "losses finite" in rows["gan_vgg_step"]["note"] and "vgg16+5e-3*gan" in rows["gan_vgg_step"]["note"]
    assert "1 DataLoader worker" in rows["fractional_scale_step"]["note"]
    assert "data wait" in rows["fractional_scale_step"]["note"]
    assert rows["pipeline_throughput"]["unit"] == "patches/s/worker"
    for name in ("gan_vgg_step", "fractional_scale_step", "pipeline_throughput"):
        assert float(rows[name]["value"]) > 0
    for name in PEAK_MEMORY_ROWS:
        assert rows[name]["status"] == "skipped: no CUDA"


@pytest.mark.slow  # two spawned pool workers, each importing torch: 10 s on an idle 2-core machine
def test_cpu_pool_trains_each_unit_in_a_worker_and_records_its_device(gc, tmp_path, data_root):
    from srrepro.provenance import cpu_model

    assert gc.main(["--device", "cpu", "--out", str(tmp_path), "--data", str(data_root), "--only", "pool"]) == 0
    row = _rows(next(tmp_path.glob("*-cpu.csv")))["pool_unit_per_gpu"]
    assert row["status"] == "pass", row
    assert "2 spawned workers" in row["note"] and f"unit 1 → cpu ({cpu_model()})" in row["note"]


def test_a_check_that_raises_is_an_error_row_and_the_run_goes_on(gc, tmp_path, data_root, monkeypatch):
    import srrepro.pipeline

    def broken(*args, **kwargs):
        raise OSError("disk gone\nsecond line")

    monkeypatch.setattr(srrepro.pipeline, "measure_recipe", broken)
    monkeypatch.setattr(gc, "peak_memory_checks", lambda *a: 1 / 0)  # a whole group failing outside its rows
    assert gc.main(["--device", "cpu", "--out", str(tmp_path), "--data", str(data_root),
                    "--only", "pipeline,memory"]) == 1
    rows = _rows(next(tmp_path.glob("*-cpu.csv")))
    assert rows["pipeline_throughput"]["status"] == "error"
    assert rows["pipeline_throughput"]["note"] == "OSError: disk gone"
    assert rows["group/memory"]["status"] == "error" and "ZeroDivisionError" in rows["group/memory"]["note"]
    assert "2 error" in next(tmp_path.glob("*-cpu.md")).read_text()


def test_an_unknown_group_is_refused(gc, tmp_path):
    with pytest.raises(SystemExit):
        gc.main(["--device", "cpu", "--out", str(tmp_path), "--only", "pool,nonsense"])
