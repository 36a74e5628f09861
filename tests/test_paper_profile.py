"""The paper profile, end to end and capped: every training table at its paper settings (DIV2K in the layout its
archive unzips to, the papers' schedules, losses, optimiser settings and full-size models, multi-scale batches,
checkpoints, official weights) for 2 iterations, batch 1, LR patches of 12 and one image per test set, on a small
generated data root. Nothing in a paper-profile code path is then reached for the first time on the user's GPU."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import torch
from PIL import Image

from srrepro import tables
from srrepro.jobs import selected
from srrepro.losses import VGG19_FILE, VGG19_URL, parse_loss
from srrepro.recipes import PAPER_RECIPES
from srrepro.train import train

ITERATIONS, BATCH, PATCH = 2, 1, 12  # caps: the code paths of the paper's recipes, not its hours
TRAIN_HR = 272  # ≥ the largest HR patch a paper recipe draws (LR 64 × 4, Meta-SR 50 × 4)
TEST_HR = 24  # divisible by 2, 3, 4 and 8; small, because the 22M-parameter models score it at 30 scales
LPIPS_HR = 48  # LPIPS's AlexNet needs 31 pixels a side after the border crop


def _image(rng, size: int) -> np.ndarray:
    """A smooth random RGB image (noise upsampled), so patches and bicubic LR look like images, not noise."""
    small = rng.integers(0, 256, (size // 16 + 1, size // 16 + 1, 3), dtype=np.uint8)
    return np.asarray(Image.fromarray(small).resize((size, size), Image.BICUBIC))


@pytest.fixture(scope="module")
def div2k_root(tmp_path_factory, data_root):
    """A data root with DIV2K as unzipped from its archives (train/DIV2K/DIV2K_train_HR/0001.png …,
    benchmarks/DIV2K_valid/DIV2K_valid_HR/0801.png), small test sets, and the mirror's official weights."""
    root = tmp_path_factory.mktemp("paper_data")
    rng = np.random.default_rng(0)
    files = {f"train/DIV2K/DIV2K_train_HR/{i:04d}.png": TRAIN_HR for i in (1, 2, 3)}
    files["benchmarks/DIV2K_valid/DIV2K_valid_HR/0801.png"] = TEST_HR
    for name in ("Set5", "Set14", "B100", "Urban100"):
        files[f"benchmarks/{name}/img_001.png"] = TEST_HR
    files["benchmarks/Set14/img_001.png"] = LPIPS_HR  # PCARN Table 2 scores LPIPS on Set14 ×4
    for rel, size in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        Image.fromarray(_image(rng, size)).save(root / rel)
    (root / "weights").symlink_to(data_root / "weights")
    (root / "metrics").symlink_to(data_root / "metrics")
    return root


def _training_tables() -> list[str]:
    out = []
    for tid in tables.list_tables():
        spec = tables.get(tid)
        if spec.jobs is not None and any(j.kind == "train" for j in spec.jobs(tables.context(spec, "paper"))):
            out.append(tid)
    return out


# ASDN's grids reach ×8 (Table 1, Fig. 4) and ×32 (Table 2): the protocol shaves ceil(scale) pixels, so those cells
# need test images over 2·32 + 11 pixels, minutes per scale at 22M parameters. Here the code path of every job runs on
# the scales below; the large scales run at smoke and lite.
ONLY = {"asdn_t1": {"scale": [2.0, 3.0]}, "asdn_t2": {"scale": [1.5, 2.8]}, "asdn_f4": {"scale": [2.5, 3.0]}}


@pytest.mark.parametrize("tid", _training_tables())
def test_every_training_table_runs_its_paper_profile_capped(tid, div2k_root, tmp_path):
    spec = tables.get(tid)
    caps = dict(iterations=ITERATIONS, batch_size=BATCH, lr_patch=PATCH, eval_images=1)
    train_jobs = [j for j in spec.jobs(tables.context(spec, "paper", data_root=str(div2k_root), **caps))
                  if j.kind == "train" and selected(j, ONLY.get(tid))]  # the run's own selection
    # a generated data root (tiny images, not the manifest's): the data checks before a run are skipped
    res = tables.reproduce(tid, "paper", data_root=str(div2k_root), work_dir=tmp_path / "runs",
                           results_dir=tmp_path, progress=False, only=ONLY.get(tid), check_data=False, **caps)
    rows = res.rows
    trained = rows[rows["iterations"].fillna(0) > 0]
    assert len(trained) and trained["psnr"].notna().all() and (trained["iterations"] == ITERATIONS).all()
    assert trained["status"].str.startswith("ok").all(), trained["status"].unique()
    assert (trained["n_images"] == 1).all()
    assert res.csv_path.parent.name == tid and res.custom  # a capped run is a tweak: results/custom/, never paper/
    vgg19 = (div2k_root / "weights" / VGG19_FILE).is_file()
    for job in train_jobs:  # the paper's own recipe ran: DIV2K, its patch and schedule, the full-size model
        r = PAPER_RECIPES[job.family]
        c = job.config
        assert (c.train_dataset, c.lr, c.batch_size) == (r.train_dataset, r.lr, BATCH)
        if "hr_patch" in job.info:  # a pre-upsampling network for ×R trained on the ×2 network's HR patch (ASDN)
            assert c.lr_patch == max(2, round(job.info["hr_patch"] / c.scales[0])), job.info
            assert job.info["hr_patch"] == 2 * min(PATCH, r.lr_patch)
        else:
            assert c.lr_patch == min(PATCH, r.lr_patch)
        assert (c.lr_milestones, c.lr_halve_every, c.grad_clip) == (tuple(r.lr_milestones), r.lr_halve_every,
                                                                    r.grad_clip)
        if "vgg" in parse_loss(c.loss) and not vgg19:  # the paper's VGG-19 is not in the mirror: one clear line
            mine = rows.merge(pd.DataFrame([job.key]))
            assert len(mine) and mine["status"].str.contains(f"not run: .*{VGG19_URL}").all(), mine["status"]
            continue
        run = next((tmp_path / "runs").glob(f"*/{job.hash('paper')}"))
        assert (run / "model.pt").exists() and (run / "checkpoint.pt").exists()
    if spec.claims:  # every claim's rule runs on paper-profile rows without raising
        assert all(v.status != "error" for v in res.verdicts.values()), {k: v.evidence for k, v in
                                                                         res.verdicts.items()}


def test_a_paper_profile_run_resumes_bit_exactly(div2k_root, tmp_path):
    """An OverNet paper config (multi-scale loss, arbitrary scales, DIV2K patches of 64): 1 iteration, stop,
    resume to 2 == 2 uninterrupted."""
    spec = tables.get("overnet_t2")
    ctx = tables.context(spec, "paper", iterations=ITERATIONS, batch_size=2, data_root=str(div2k_root))
    config = next(j.config for j in spec.jobs(ctx) if j.kind == "train" and j.family == "overnet")
    assert config.train_dataset == "DIV2K_train" and config.lr_patch == 64 and config.scale_range  # the paper's 64
    from dataclasses import replace

    train(config, tmp_path / "whole", progress=False, threads=1)
    train(replace(config, iterations=1), tmp_path / "split", progress=False, threads=1)
    train(config, tmp_path / "split", resume=True, progress=False, threads=1)
    a = torch.load(tmp_path / "whole" / "model.pt", weights_only=True)
    b = torch.load(tmp_path / "split" / "model.pt", weights_only=True)
    assert all(torch.equal(a[k], b[k]) for k in a)
