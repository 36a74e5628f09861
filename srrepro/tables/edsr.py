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

import pandas as pd

from ..jobs import Job, size, train_config
from ..models import create_model, params_of
from ..recipes import LITE_ITERATIONS, PAPER_RECIPES
from ..verdicts import Claim, Verdict, beats_per_cell, per_seed
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
