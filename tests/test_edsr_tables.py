"""EDSR's specs: the batch-norm memory claim is a count (four feature maps kept per residual block with batch norm,
two without), and the rules decide the right way."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import torch
import torch.nn as nn

from srrepro import tables
from srrepro.jobs import model_hash
from srrepro.papers.edsr import spec as edsr
from srrepro.complexity import saved_activation_bytes
from srrepro.models.edsr import ResBlock


class _Blocks(nn.Module):
    def __init__(self, bn: bool, n: int = 3, c: int = 8):
        super().__init__()
        self.head = nn.Conv2d(3, c, 3, padding=1)
        self.body = nn.Sequential(*[ResBlock(c, 3, bn) for _ in range(n)])

    def forward(self, x, scale=None):
        return self.body(self.head(x))


def test_saved_activations_are_four_maps_a_block_with_bn_and_two_without():
    h = w = 10
    fmap = 8 * h * w * 4  # one float32 feature map of 8 channels, per sample
    without, with_bn = (saved_activation_bytes(_Blocks(bn), (h, w), 1) for bn in (False, True))
    # head: its input (3 channels); without BN, per block: the block input and the ReLU output (= conv2's input)
    assert without == 3 * h * w * 4 + 3 * 2 * fmap
    # with BN, per block: + both conv outputs (the BN inputs) and each BN's mean and inverse std (8 channels)
    stats = 2 * 2 * 8 * 4
    assert with_bn - without == 3 * (2 * fmap + stats)
    # every map grows with the pixels, the statistics do not: twice the rows, twice everything but them
    assert saved_activation_bytes(_Blocks(True), (2 * h, w), 1) == 2 * with_bn - 3 * stats


def test_memory_claim_and_psnr_rule():
    spec = tables.get("edsr_bn")
    mem = pd.DataFrame([{"model": "without BN (EDSR)", "network": "n", "memory_saved": 0.46, "lr_patch": "8×8"}])
    assert tables.judge(spec, mem, "lite")["bn_memory"].status == "holds"
    assert tables.judge(spec, mem.assign(memory_saved=0.2), "lite")["bn_memory"].status == "contradicted"
    rows = pd.DataFrame([{"model": m, "dataset": d, "scale": 2.0, "seed": s, "psnr": 30 + (0.3 if not bn else 0) + s / 100}
                         for m, bn in (("without BN (EDSR)", False), ("with BN (SRResNet block)", True))
                         for d in ("Set5", "Set14") for s in range(3)])
    assert tables.judge(spec, rows, "lite")["bn_psnr"].status == "holds"


def test_at_least_as_good_is_non_inferiority_within_the_psnr_margin():
    """mdsr_multiscale: a multi-scale baseline 0.02 dB below the single-scale ones in every cell is "at least as
    good" within 0.05 dB (a plain A > B test would call it contradicted); 0.3 dB below is not."""
    spec = tables.get("edsr_mdsr")

    def rows(gap):
        rng = np.random.default_rng(0)
        return pd.DataFrame([{"model": m, "dataset": d, "scale": float(sc), "seed": s,
                              "psnr": 30 + (gap if m == "Baseline (multi-scale)" else 0) + rng.normal(0, 0.002)}
                             for m in ("Baseline (multi-scale)", "Baseline (single-scale)")
                             for d in ("Set5", "Set14") for sc in (2, 3, 4) for s in range(3)])
    v = tables.judge(spec, rows(-0.02), "lite")["mdsr_multiscale"]
    assert v.status == "holds" and v.margin == 0.05 and "non-inferiority margin 0.05 dB" in v.decided_by
    assert tables.judge(spec, rows(-0.3), "lite")["mdsr_multiscale"].status == "contradicted"


def _ensemble_rows(gain: dict, models=("CARN-M (official)",), images: int = 12, noise: float = 0.01):
    """Per-image scores: image i of every (model, set, scale) gains ``gain[n]`` dB with ×n transforms."""
    rng = np.random.default_rng(0)
    rows, images_df = [], []
    for m in models:
        for d in edsr.ENS_SETS:
            for s in (2.0, 3.0, 4.0):
                base = 30 + rng.normal(0, 1, images)
                for n in edsr.ENS_SIZES:
                    rows.append({"model": m, "dataset": d, "scale": s, "self_ensemble": n, "seed": 0,
                                 "psnr": 0.0, "config_hash": f"{m}{d}{s}{n}"})
                    for i, b in enumerate(base):
                        images_df.append({"config_hash": f"{m}{d}{s}{n}", "checkpoint": 1.0, "image": f"im{i}",
                                          "psnr": b + gain[n] + rng.normal(0, noise)})
    df = pd.DataFrame(rows)
    return df, pd.DataFrame(images_df)


def test_ensemble_rules_follow_the_measured_gains():
    spec = tables.get("edsr_ensemble")
    like_slides = {1: 0.0, 2: 0.06, 4: 0.10, 8: 0.12}
    df, im = _ensemble_rows(like_slides)
    v = tables.judge(spec, df, "lite", im)
    assert v["ens_order"].status == "holds" and v["ens_size"].status == "holds", v["ens_size"].evidence
    df, im = _ensemble_rows({1: 0.0, 2: 0.02, 4: 0.03, 8: 0.035})  # ordered, but a third of the slides' size
    v = tables.judge(spec, df, "lite", im)
    assert v["ens_order"].status == "holds" and v["ens_size"].status == "contradicted"
    df, im = _ensemble_rows({1: 0.0, 2: -0.05, 4: -0.1, 8: -0.15})
    assert tables.judge(spec, df, "lite", im)["ens_order"].status == "contradicted"


def test_ensemble_grid_scores_every_size_of_every_checkpoint():
    ctx = tables.context(tables.get("edsr_ensemble"), "lite")
    jobs = edsr.ensemble_jobs(ctx)
    official = [j for j in jobs if j.kind == "official"]
    assert {j.weights for j in official} == {"carn_m", "pcarn_m_l1", "pcarn_m"}
    assert all(len(j.evals) == 4 * 3 * 4 for j in official)
    trained = [j for j in jobs if j.kind == "train"]
    assert len(trained) == 3 and all(j.config.snapshots == () for j in trained)
    bn = [j for j in edsr.bn_jobs(ctx) if j.key["model"] == "without BN (EDSR)"]
    assert {j.hash("lite") for j in trained} == {j.hash("lite") for j in bn}  # edsr_bn's model, trained once


def test_benchmark_bicubic_rule_accepts_either_y_reading_and_names_the_rest():
    rows = pd.DataFrame([
        {"method": "Bicubic", "dataset": "Set5", "scale": 2.0, "self_ensemble": False, "seed": 0, "psnr": 33.662,
         "psnr_uint8y": 33.64, "ssim": 0.93},
        {"method": "Bicubic", "dataset": "Set5", "scale": 3.0, "self_ensemble": False, "seed": 0, "psnr": 30.41,
         "psnr_uint8y": 30.388, "ssim": 0.87}])
    spec = tables.get("edsr_benchmark")
    v = tables.judge(spec, tables._merge_paper(spec, rows), "lite")["bench_bicubic"]
    assert v.status == "holds", v.evidence
    rows.loc[1, "psnr_uint8y"] = 30.37
    v = tables.judge(spec, tables._merge_paper(spec, rows), "lite")["bench_bicubic"]
    assert v.status == "contradicted" and "Set5 ×3" in v.evidence


def test_edsr_weights_are_known_and_checked_by_the_prefix_their_name_carries(tmp_path):
    from srrepro.weights import OFFICIAL_WEIGHTS, WeightsChecksumError, load_official

    w = OFFICIAL_WEIGHTS["edsr_x2"]
    assert w.file == "edsr_x2-0edfb8a3.pt" and w.sha256_prefix == "0edfb8a3" and not w.in_mirror
    assert {n for n in OFFICIAL_WEIGHTS if n.startswith(("edsr", "mdsr"))} == {
        "edsr_baseline_x2", "edsr_baseline_x3", "edsr_baseline_x4", "edsr_x2", "edsr_x3", "edsr_x4", "mdsr_baseline",
        "mdsr"}
    fake = tmp_path / "weights" / "official" / w.file
    fake.parent.mkdir(parents=True)
    torch.save({"head.0.weight": torch.zeros(1)}, fake)  # a file whose sha256 is not 0edfb8a3…
    with pytest.raises(WeightsChecksumError, match="0edfb8a3"):
        load_official("edsr_x2", root=tmp_path)


def test_width_depth_arms_respect_their_budgets():
    from srrepro.complexity import saved_activation_bytes
    from srrepro.models import create_model, params_of

    arms = edsr.width_depth_arms("lite")
    (deep_name, (_, deep)), (_, (_, by_p)), (_, (_, by_m)) = arms.items()
    assert deep["n_resblocks"] == 2 * by_p["n_resblocks"] == 2 * by_m["n_resblocks"]

    def p(kw):
        return params_of("edsr_baseline", scale=2, **kw)

    def m(kw):
        return saved_activation_bytes(create_model("edsr_baseline", scale=2, **kw), edsr.MEMORY_LR, 2)
    assert p(by_p) <= p(deep) < p({**by_p, "n_feats": by_p["n_feats"] + 1})  # the widest that fits
    assert m(by_m) <= m(deep) < m({**by_m, "n_feats": by_m["n_feats"] + 1})
    assert by_m["n_feats"] > by_p["n_feats"]  # memory grows linearly with width, parameters quadratically


def test_edsr_tables_share_one_x2_baseline_and_count_the_options_table():
    ctx = tables.context(tables.get("edsr_loss"), "lite")
    bn = {j.key["seed"]: j.hash("lite") for j in edsr.bn_jobs(ctx) if j.key["model"] == "without BN (EDSR)"}
    l1 = {j.key["seed"]: j.hash("lite") for j in edsr.loss_jobs(ctx) if j.kind == "train" and j.key["loss"] == "L1 (MAE)"}
    assert l1 == bn
    tr = [j for j in edsr.transfer_jobs(ctx) if j.pretrained_from is not None]
    assert {j.key["seed"]: model_hash(j.pretrained_from, "lite") for j in tr} == bn  # stage 1 = edsr_bn's model
    assert all(not j.config.pretrained_strict for j in tr)
    v = tables.judge(tables.get("edsr_mdsr"), pd.DataFrame({"model": ["EDSR"]}), "lite")["mdsr_params"]
    assert v.status == "holds" and "7,954,011" in v.evidence and "0.185" in v.evidence


def test_mdsr_stability_compares_the_widened_mdsr_with_edsr_seed_by_seed_and_is_paper_profile_only():
    lite = edsr.mdsr_jobs(tables.context(tables.get("edsr_mdsr"), "lite"))
    assert not {j.key["model"] for j in lite} & set(edsr.MDSR_STABILITY_ARMS)
    paper = [j for j in edsr.mdsr_jobs(tables.context(tables.get("edsr_mdsr"), "paper"))
             if j.key["model"] in edsr.MDSR_STABILITY_ARMS]
    assert paper and all(j.curve for j in paper)
    assert {j.config.model_kwargs.get("n_feats") for j in paper if j.key["model"] == edsr.MDSR_WIDE} == {256}
    calm = {"curve_step": "10;20;30;40", "curve_loss": "1;0.1;0.1;0.1", "curve_loss_max": "1;0.1;0.1;0.1",
            "curve_grad_norm": "1;1;1;1", "curve_grad_norm_max": "1;1;1;1"}

    def rows(spiky_arm):
        return pd.DataFrame([{"model": arm, "seed": s, "dataset": "Set5", "scale": 2.0, "psnr": 30.0,
                              **({**calm, "curve_loss_max": f"1;0.1;{0.5 + s};0.1"} if arm == spiky_arm else calm)}
                             for arm in edsr.MDSR_STABILITY_ARMS for s in range(3)])
    assert edsr._mdsr_stability(rows(edsr.MDSR_WIDE), "paper").status == "holds"
    assert edsr._mdsr_stability(rows(edsr.EDSR_WIDE), "paper").status == "contradicted"
    v = edsr._mdsr_stability(pd.DataFrame({"model": ["Baseline (multi-scale)"]}), "lite")
    assert v.status == "not run" and "paper profile" in v.evidence


def test_extreme_cascade_is_x4_passes_then_one_x2_and_judges_per_scale():
    assert [edsr.cascade_passes(s) for s in edsr.EXTREME_SCALES] == [(4, 2), (4, 4), (4, 4, 2), (4, 4, 4)]
    with pytest.raises(ValueError):
        edsr.cascade_passes(12)
    rng = np.random.default_rng(0)
    rows = []
    for sc in edsr.EXTREME_SCALES:
        for im in edsr.EXTREME_IMAGES:
            base = 20 - sc / 16 + rng.normal(0, 0.5)
            rows += [{"method": "Bicubic", "seed": 0, "image": im, "scale": float(sc), "status": "ok", "psnr": base},
                     {"method": edsr.NN, "seed": 0, "image": im, "scale": float(sc), "status": "ok",
                      "psnr": base - 0.3 + rng.normal(0, 0.01)}]
            rows += [{"method": edsr.CASCADE, "seed": s, "image": im, "scale": float(sc), "status": "ok",
                      "psnr": base + 0.5 + rng.normal(0, 0.02)} for s in range(3)]
    v = tables.judge(tables.get("edsr_extreme"), pd.DataFrame(rows), "lite")
    assert v["extreme_edsr_vs_bicubic"].status == "holds" and v["extreme_bicubic_vs_nn"].status == "holds"
    assert v["extreme_official_vs_bicubic"].status == "not run"
    worse = pd.DataFrame(rows).assign(psnr=lambda d: np.where(d["method"] == edsr.CASCADE, d["psnr"] - 1.0, d["psnr"]))
    assert tables.judge(tables.get("edsr_extreme"), worse, "lite")["extreme_edsr_vs_bicubic"].status == "contradicted"
