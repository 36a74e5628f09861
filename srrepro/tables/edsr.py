"""EDSR / MDSR (Lim, Son, Kim, Nah, Lee, CVPRW 2017; the authors' slides): batch norm and memory — specs ``edsr_*``.

Source: ``shared/seeds/edsr_slides.txt`` (the slides' text); the models are :mod:`srrepro.models.edsr`. This module
holds only the paper: the grid each profile runs, the jobs, the claims with their rules, the plot and the notes.

Profiles
    * smoke: a 1-block, 8-feature EDSR, 2 iterations on 4 T91 images, one image per test set.
    * lite: T91, LR patch 16, batch 16, 500 iterations (0.083 % of 6×10⁵), lr 1e-3 halved at 75 %, the baseline
      narrowed to 8 blocks × 32 features, 3 seeds, Set5 and Set14 ×2.
    * paper: DIV2K, LR patch 48, batch 16, lr 1e-4 halved every 2×10⁵ of 6×10⁵ (the slides), the 16 × 64 baseline.
"""
from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd

from ..jobs import Job, size, train_config
from ..models import create_model, params_of
from ..recipes import LITE_ITERATIONS, PAPER_RECIPES
from ..verdicts import Claim, Verdict, beats_per_cell, combine, decide, per_seed, pooled, scores
from . import Layout, RunContext, TableSpec, with_training_note

PAPER = "EDSR"
SLIDES = "EDSR slides"

# ================================================================================================ edsr_bn
BN = f"{SLIDES}, 'Need Batch-Normalization?' (two slides) and the residual-block figure ((b) SRResNet, (c) Proposed)"
BN_SCALE = 2
BN_SETS = ("Set5", "Set14")
BN_ARMS = {"without BN (EDSR)": False, "with BN (SRResNet block)": True}
# Memory is counted, not trained: the residual networks of the slides at their ×2 training patch (48 × 48 LR)
MEMORY_MODELS = {"EDSR baseline (16 × 64)": "edsr_baseline", "EDSR (32 × 256, residual scaling 0.1)": "edsr"}
MEMORY_LR = (48, 48)  # the slides' training patch; the count is linear in the pixels (every conv is same-padded)
SMOKE_MEMORY_LR = (8, 8)


def bn_jobs(ctx: RunContext) -> list[Job]:
    evals = [{"dataset": d, "scale": float(BN_SCALE)} for d in BN_SETS]
    jobs = []
    for arm, bn in BN_ARMS.items():
        kw = {**size("edsr", ctx.profile), "batch_norm": bn}
        info = {"params": params_of("edsr_baseline", scale=BN_SCALE, batch_norm=bn)}
        for seed in range(ctx.n_seeds):
            jobs.append(Job.train({"model": arm, "seed": seed}, evals,
                                  train_config(ctx, "edsr", "edsr_baseline", kw, seed, scales=(BN_SCALE,)), "edsr",
                                  info))
    return jobs


def memory_rows(ctx: RunContext) -> pd.DataFrame:
    """Activation bytes autograd keeps per training sample (``srrepro.complexity.saved_activation_bytes``)."""
    from ..complexity import saved_activation_bytes

    lr = SMOKE_MEMORY_LR if ctx.profile == "smoke" else MEMORY_LR
    rows = []
    for label, name in MEMORY_MODELS.items():
        if ctx.profile == "smoke" and name == "edsr":
            continue  # 43M parameters: not a plumbing check
        saved = {bn: saved_activation_bytes(create_model(name, scale=BN_SCALE, batch_norm=bn), lr, BN_SCALE)
                 for bn in (True, False)}
        for arm, bn in BN_ARMS.items():
            rows.append({"model": arm, "network": label, "lr_patch": f"{lr[0]}×{lr[1]}",
                         "activation_mb": saved[bn] / 2**20,
                         "memory_saved": 1 - saved[False] / saved[True] if not bn else float("nan"),
                         "params": params_of(name, scale=BN_SCALE, batch_norm=bn), "status": "ok (exact count)"})
    return pd.DataFrame(rows)


def _memory_claim(df: pd.DataFrame, profile: str) -> Verdict:
    d = df[df["memory_saved"].notna()] if "memory_saved" in df else df.iloc[0:0]
    if d.empty:
        return Verdict("not run", "no memory count at this profile", "any profile: the count needs no data")
    ev = "; ".join(f"{r.network}: {r.memory_saved:.1%} of the activations saved for backward "
                   f"({r.lr_patch} LR patch, ×{BN_SCALE})" for r in d.itertuples())
    ok = (d["memory_saved"] >= 0.35).all()
    return Verdict("holds" if ok else "contradicted",
                   ev + (" — at least the slides' ~40 %" if ok else " — less than the slides' ~40 %") +
                   "; a count of tensors, the same on every device (on a GPU, weights, optimizer state and workspace "
                   "dilute it)", gap=float(d["memory_saved"].mean()))


BN_CLAIMS = [
    Claim("bn_memory", "Removing batch normalization saves ~40 % of memory", f"{SLIDES}: 'Also, can save ~40% of "
          "memory → Can enlarge the model size'", _memory_claim),
    Claim("bn_psnr", "Removing batch normalization improves the performance (PSNR, at every test set)",
          f"{SLIDES}: 'Empirical tests show that removing Batch-Normalization improves the performance!'",
          beats_per_cell("model", "without BN (EDSR)", "with BN (SRResNet block)",
                         "more seeds, or the paper profile (`make dry-run TABLE=edsr_bn PROFILE=paper`)"),
          trained=True),
]


def _bn_plot(df, ax=None):
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2, figsize=(10, 3.4))
    d = df[df["dataset"].notna()] if "dataset" in df else df.iloc[0:0]
    for i, arm in enumerate(BN_ARMS):
        vals = [per_seed(d, {"model": arm, "dataset": s}) for s in BN_SETS]
        axes[0].errorbar([j + 0.1 * i for j in range(len(BN_SETS))], [v.mean() if len(v) else float("nan")
                                                                      for v in vals],
                         yerr=[v.std() if len(v) > 1 else 0 for v in vals], fmt="o", capsize=3, label=arm)
    axes[0].set_xticks(range(len(BN_SETS)), [f"{s} ×{BN_SCALE}" for s in BN_SETS])
    axes[0].set_ylabel("PSNR (dB), mean ± seed std")
    axes[0].legend(fontsize=8)
    axes[0].set_title("Trained alike (lite: short training)")
    m = df[df["activation_mb"].notna()] if "activation_mb" in df else df.iloc[0:0]
    nets = list(dict.fromkeys(m["network"])) if len(m) else []
    for i, arm in enumerate(BN_ARMS):
        vals = [m[(m["network"] == n) & (m["model"] == arm)]["activation_mb"].sum() for n in nets]
        axes[1].bar([j + 0.4 * i for j in range(len(nets))], vals, 0.4, label=arm)
    axes[1].set_xticks([j + 0.2 for j in range(len(nets))], [n.split(" (")[0] for n in nets])
    axes[1].set_ylabel("MiB saved for backward per sample")
    axes[1].set_title("Activation memory (exact count)")
    axes[1].legend(fontsize=8)
    fig.tight_layout()
    return axes[0]


BN_NOTES = """
**Memory is a count.** For each network, with and without batch norm in its residual blocks, the bytes of every
tensor autograd keeps for the backward pass of one training forward, per sample, each buffer counted once (an
in-place ReLU's output and the next convolution's input are one buffer) and the weights left out
(`srrepro.complexity.saved_activation_bytes`). With batch norm each block keeps four feature maps (the block input, both
convolution outputs, the ReLU output); without it, two. The slides' "~40 %" is read as "at least about 40 %": the
counted share is the upper bound of what a GPU's peak memory shows, since weights, optimizer state and cuDNN workspace
do not shrink.

**PSNR.** The same EDSR baseline with and without batch norm in its residual blocks (the slides' (b) and (c) blocks:
conv–BN–ReLU–conv–BN against conv–ReLU–conv), trained alike at ×2; at lite narrowed to 8 blocks × 32 features, 500
iterations, so the verdict is about short training. Batch norm is evaluated with its running statistics.
"""

# ================================================================================================ edsr_ensemble
ENS = f"{SLIDES}, 'Geometric Self-Ensemble' (EDSR baseline, ×2, DIV2K 0791–0800)"
ENS_SIZES = (1, 2, 4, 8)  # X, vertical flip, flips, flips + rotations (srrepro.evaluate.forward_x8)
ENS_SLIDES = {1: 35.55, 2: 35.61, 4: 35.65, 8: 35.67}  # PSNR (dB) as printed
ENS_SETS = ("Set5", "Set14", "B100", "Urban100")
ENS_OFFICIAL = {"CARN-M (official)": "carn_m", "PCARN-M-L1 (official)": "pcarn_m_l1", "PCARN-M (official)": "pcarn_m"}
ENS_BASELINE = "EDSR baseline (ours)"
ENS_DIV2K = "DIV2K 0791–0800"
ENS_LITE_LIMITS = {"B100": 10, "Urban100": 5}  # 15 forwards an image per scale: the lite budget


def ensemble_jobs(ctx: RunContext) -> list[Job]:
    """The three official checkpoints (multi-scale: ×2/×3/×4) and the trained EDSR baseline (×2, edsr_bn's
    'without BN' model), each scored with ×1/×2/×4/×8 self-ensembles; the slides' DIV2K images where present."""
    sets = ctx.grid.get("datasets", ENS_SETS)
    jobs = []
    for label, w in ENS_OFFICIAL.items():
        evs = [{"dataset": d, "scale": float(s), "self_ensemble": n} for d in sets for s in (2, 3, 4) for n in ENS_SIZES]
        jobs.append(Job.official({"model": label, "seed": 0}, evs, w,
                                 {"follows": "official weights (exact: no training noise)"}))
    kw = {**size("edsr", ctx.profile), "batch_norm": False}  # = edsr_bn's 'without BN (EDSR)' model
    evs = [{"dataset": d, "scale": 2.0, "self_ensemble": n} for d in sets for n in ENS_SIZES]
    for seed in range(ctx.n_seeds):  # scored at the end of training only: ×15 forwards at four checkpoints is more
        cfg = replace(train_config(ctx, "edsr", "edsr_baseline", kw, seed, scales=(2,)), snapshots=())  # than training
        jobs.append(Job.train({"model": ENS_BASELINE, "seed": seed}, evs, cfg, "edsr",
                              {"params": params_of("edsr_baseline", scale=2, **size("edsr", ctx.profile)),
                               "follows": "EDSR-PyTorch's baseline (edsr_bn's model without BN)"}))
    jobs.append(Job.reported({"model": "EDSR baseline (slides)", "seed": 0},
                             [{"dataset": ENS_DIV2K, "scale": 2.0, "self_ensemble": n} for n in ENS_SIZES],
                             {"status": "not run: DIV2K 0791–0800 are training images (DIV2K_train, 3.5 GB, not in the "
                                        "data mirror; `srrepro download DIV2K_train`), and the slides' 16 × 64 model "
                                        "is a paper-profile training"}))
    return jobs


def _ens_step(df: pd.DataFrame, model: str, a: int, b: int, scales=(2, 3, 4)):
    parts = [(f"{d} ×{s}", decide(scores(df, {"model": model, "dataset": d, "scale": float(s), "self_ensemble": a}),
                                  scores(df, {"model": model, "dataset": d, "scale": float(s), "self_ensemble": b})))
             for d in ENS_SETS for s in scales]
    return pooled(parts)


def _ens_models(df: pd.DataFrame, profile: str = "") -> list[str]:
    """The networks scored; at smoke only the official ones (a 2-iteration model's numbers mean nothing)."""
    models = [*ENS_OFFICIAL] + ([ENS_BASELINE] if profile != "smoke" else [])
    return [m for m in models if "psnr" in df and df[df["model"] == m]["psnr"].notna().any()]


def _ens_order(df: pd.DataFrame, profile: str) -> Verdict:
    """×8 > ×4 > ×2 > ×1 for every network: each step's gain, per image (and seed), pooled over sets and scales."""
    parts = [(f"{m}: ×{b} − ×{a}", _ens_step(df, m, b, a)) for m in _ens_models(df, profile) for a, b in zip(ENS_SIZES, ENS_SIZES[1:])]
    return combine(parts, "the paper profile's whole test sets", "steps (PSNR pooled over sets and scales, dB)")


def _ens_size(df: pd.DataFrame, profile: str) -> Verdict:
    """The slides' gains (+0.06 / +0.10 / +0.12 dB over ×1): each network's 95 % interval of the gain (×2, the
    slides' scale, pooled over the four sets). Excludes the slides' value → contradicted; excludes zero and contains
    it, for every size and network → holds; otherwise (no interval, or one that cannot tell) inconclusive."""
    import math

    ev, verdicts = [], []
    for m in _ens_models(df, profile):
        for n in ENS_SIZES[1:]:
            c = _ens_step(df, m, n, 1, scales=(2,))
            if c.status == "not run":
                continue
            want = round(ENS_SLIDES[n] - ENS_SLIDES[1], 2)
            verdicts.append("?" if math.isnan(c.lo) else "out" if not c.lo <= want <= c.hi else
                            "in" if c.lo > 0 else "?")
            ev.append(f"{m} ×{n}: {c.gap:+.3f} [{c.lo:+.3f}, {c.hi:+.3f}] vs {want:+.2f}")
    if not ev:
        return Verdict("not run", "no ensemble gain computed", "the official weights or a trained baseline")
    status = "contradicted" if "out" in verdicts else "holds" if set(verdicts) == {"in"} else "inconclusive"
    return Verdict(status, f"gain over ×1 at ×2 (dB, pooled over the sets): {'; '.join(ev)}; "
                           f"{verdicts.count('in')} contain the slides' value, {verdicts.count('out')} exclude it "
                           "(the slides measured EDSR's baseline on DIV2K)",
                   "" if status != "inconclusive" else "more images (the paper profile scores whole test sets)")


ENS_CLAIMS = [
    Claim("ens_order", "More transforms, more PSNR: ×8 > ×4 > ×2 > ×1 (for every network)",
          f"{ENS}: 35.55 < 35.61 < 35.65 < 35.67 dB", _ens_order),
    Claim("ens_size", "The gains are +0.06 (×2), +0.10 (×4) and +0.12 dB (×8)", f"{ENS}", _ens_size),
]


def _ens_plot(df, ax=None):
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 3, figsize=(13, 3.4), sharey=True)
    for a, s in zip(axes, (2, 3, 4)):
        for k, m in enumerate(_ens_models(df, "lite")):
            gains = []
            for n in ENS_SIZES:
                c = _ens_step(df, m, n, 1, scales=(s,))
                gains.append((c.gap, c.lo, c.hi) if c.status != "not run" else (float("nan"),) * 3)
            g = np.array(gains)
            if np.isnan(g[:, 0]).all():
                continue
            a.errorbar(np.arange(len(ENS_SIZES)) + 0.06 * k, g[:, 0], yerr=[g[:, 0] - g[:, 1], g[:, 2] - g[:, 0]],
                       fmt="o-", capsize=2, label=m, color=f"C{k}")
        if s == 2:
            a.plot(range(len(ENS_SIZES)), [ENS_SLIDES[n] - ENS_SLIDES[1] for n in ENS_SIZES], "k_", ms=16,
                   label="slides (EDSR baseline, DIV2K)")
        a.set_xticks(range(len(ENS_SIZES)), [f"×{n}" for n in ENS_SIZES])
        a.set_title(f"×{s} (pooled over the four sets)", fontsize=9)
        a.axhline(0, color="0.7", lw=0.8)
    axes[0].set_ylabel("PSNR gain over ×1 (dB), 95 % interval")
    axes[0].legend(fontsize=7)
    fig.tight_layout()
    return axes[0]


ENS_NOTES = """
**Transforms.** ×2 adds EDSR-PyTorch's 'v' (a mirror of the width axis, which the slides call "vertical flip"),
×4 the mirrors of the height axis, ×8 the transposes: the first 2, 4 or 8 of EDSR's `forward_x8` transforms
(`srrepro.evaluate.forward_x8`); the outputs are averaged in float, then quantized.

**Does the claim carry over to other networks?** The slides measured the EDSR baseline at ×2 on DIV2K 0791–0800
(training images, not in the data mirror: that row says "not run"). Here the three released checkpoints of the study
(CARN-M, PCARN-M-L1, PCARN-M; multi-scale, so ×2, ×3 and ×4) are scored exactly on the four benchmarks, and the lite
EDSR baseline (edsr_bn's model without BN) at ×2. An official checkpoint has no training noise: its interval is over
images only. PCARN-M was fine-tuned with a GAN loss, so PSNR is not what it optimizes.

**Lite.** B100 and Urban100 are scored on their first 10 and 5 images (whole at the paper profile): each image is
super-resolved 15 times per scale.
"""

# ================================================================================================ the chapter
CHAPTER = """
EDSR / MDSR (Lim et al., CVPRW 2017, NTIRE 2017 winner) is read here from the authors' slides. Its released code is
`sanghyun-son/EDSR-PyTorch` (`edsr.py`, `mdsr.py`, `common.py`); the models are `srrepro/models/edsr.py`, which loads
the released state_dicts strictly. The official EDSR/MDSR weights are not in the data mirror.

**Here so far:** the batch-norm slide (`edsr_bn`): the memory claim as an exact count, and the PSNR claim at lite.
**Not here yet** (issue #13): width vs depth, residual scaling, L1 vs L2, self-ensemble, multi-scale transfer, the
EDSR-vs-MDSR table, the benchmark table and the per-image results.
"""

# ================================================================================================ specs
_LITE = (f"T91, LR patch 16, batch 16, {LITE_ITERATIONS} iterations "
         f"({LITE_ITERATIONS / PAPER_RECIPES['edsr'].iterations:.3%} of the paper's), lr 1e-3 halved at 75 %, "
         "EDSR baseline narrowed to 8 × 32, 3 seeds")
SPECS = {
    "edsr_bn": TableSpec(
        id="edsr_bn", title="EDSR: batch normalization — memory and performance", paper=PAPER, source=BN,
        description=with_training_note(
            "The EDSR baseline with and without batch norm in its residual blocks: activation memory per training "
            "sample counted exactly (the baseline and the 256-feature EDSR), and PSNR/SSIM after training alike at "
            f"×{BN_SCALE} on Set5 and Set14."),
        keys=["model", "network", "dataset", "scale", "seed"],
        metrics=["activation_mb", "memory_saved", "params", "psnr", "ssim"], jobs=bn_jobs, extra_rows=memory_rows,
        plan_notes="Two EDSR baselines (with / without batch norm) × seeds, scored on Set5 and Set14 ×2; the memory "
                   "rows are counted in memory, without data.",
        layout=Layout(("model",), ("dataset",), ("psnr", "ssim"), order={"dataset": BN_SETS}),
        display_extra=("activation_mb", "memory_saved", "lr_patch", "iterations"), claims=BN_CLAIMS, plot=_bn_plot,
        notes=BN_NOTES, family="edsr",
        profiles={"smoke": "1 × 8 EDSR, 2 iterations, 1 image per set; memory of the baseline at an 8×8 patch",
                  "lite": f"2 arms × 3 seeds, {_LITE}; memory of both networks at the 48×48 patch",
                  "paper": "2 arms, DIV2K, LR patch 48, batch 16, 6×10⁵ iterations, the 16 × 64 baseline; "
                           "memory as lite"}),
}

SPECS["edsr_ensemble"] = TableSpec(
    id="edsr_ensemble", title="EDSR: geometric self-ensemble ×1 / ×2 / ×4 / ×8", paper=PAPER, source=ENS,
    description=with_training_note(
        "The slides' self-ensemble sizes applied to the three released checkpoints of the study (CARN-M, PCARN-M-L1, "
        "PCARN-M) at ×2/×3/×4 on Set5, Set14, B100 and Urban100, exactly, and to the lite EDSR baseline at ×2."),
    keys=["model", "dataset", "scale", "self_ensemble", "seed"], metrics=["psnr", "ssim"], jobs=ensemble_jobs,
    plan_notes="Official CARN-M / PCARN-M-L1 / PCARN-M (no training) and the EDSR baseline (edsr_bn's, cached), "
               "each image super-resolved 1 + 2 + 4 + 8 times.",
    grid={"smoke": {"datasets": ("Set5",)}, "lite": {"limits": ENS_LITE_LIMITS}},
    paper_values=[dict(model="EDSR baseline (slides)", dataset=ENS_DIV2K, scale=2.0, self_ensemble=n, psnr=v,
                       ssim=float("nan"), source=f"{ENS}, ×{n} column") for n, v in ENS_SLIDES.items()],
    layout=Layout(("model", "dataset", "scale"), ("self_ensemble",), ("psnr",),
                  order={"model": [*ENS_OFFICIAL, ENS_BASELINE, "EDSR baseline (slides)"],
                         "dataset": [*ENS_SETS, ENS_DIV2K]}),
    display_extra=("iterations",), claims=ENS_CLAIMS, plot=_ens_plot, notes=ENS_NOTES, family="edsr",
    profiles={"smoke": "the three checkpoints and a 1 × 8 EDSR (2 iterations), the first Set5 image",
              "lite": f"the three checkpoints ×2/×3/×4 and the baseline ×2 ({_LITE}); B100 first 10, Urban100 first "
                      "5 images",
              "paper": "the three checkpoints and the slides' 16 × 64 baseline (DIV2K, 6×10⁵ iterations); whole test "
                       "sets and DIV2K 0791–0800"})
