"""s-LWSR (Li, Liu, Wang, Qi, Shi, IEEE TIP 2020, arXiv 1909.10774): Figure 6, Table I and the released checkpoint —
specs ``slwsr_*``.

Source: ``shared/seeds/slwsr.txt`` (the paper's text); the model and every reading it needs are in
:mod:`srrepro.models.slwsr` (reading 1: which residual blocks keep their ReLU at each ratio). This module holds only
the paper: the grid each profile runs, the jobs, the claims with their rules, the plot and the notes. Training,
caching, scoring and judging are the engine's (:mod:`srrepro.jobs`, :mod:`srrepro.verdicts`).

Profiles
    * smoke: a 4-feature, 7-block s-LWSR, 2 iterations on 4 T91 images, one image per test set.
    * lite: T91, LR patch 16, batch 16, 500 iterations (0.05 % of 10⁶), lr 1e-3 halved at 75 %, the paper-size
      s-LWSR16 (and s-LWSR32 for the "larger models" claim), 3 seeds, Set5, Set14, the first 20 B100 and the first
      10 Urban100 images at ×4.
    * paper: DIV2K, LR patch 48, batch 16, lr 1e-4 halved every 2×10⁵ of 10⁶ iterations (§IV-A, released
      option.py), all four test sets whole.
"""
from __future__ import annotations

import pandas as pd

from ..jobs import Job, size, train_config
from ..models import create_model, params_of
from ..recipes import LITE_ITERATIONS, PAPER_RECIPES
from ..verdicts import Claim, Verdict, combine, decide, per_seed, pooled, scores, verdict_of
from . import Layout, RunContext, TableSpec, with_training_note

PAPER = "s-LWSR"
SCALE = 4  # "all methods are only performed for the 4× SR task" (§IV-C)
BENCHMARKS = ("Set5", "Set14", "B100", "Urban100")
WIDTHS = {"s-LWSR16": 16, "s-LWSR32": 32}

# ================================================================================================ f6
F6 = "s-LWSR Figure 6 and §IV-B 'Activation Removal' (s-LWSR16, ×4; the values are printed only as a chart)"
# Fig. 6's five settings, from fewest to most activations kept → (srrepro.models.slwsr activation_removal, label)
F6_SETTINGS = {
    "rare": ("first_last", "rare (first and last block)"),
    "1/3": ("1/3", "1/3 kept"),
    "1/2": ("1/2", "1/2 kept (the authors' marking)"),
    "2/3": ("2/3", "2/3 kept"),
    "all": ("none", "all kept"),
}
F6_EXTRA = {"1/2 even": ("1/2_even", "1/2 kept (evenly spaced)")}  # the second reading of "half" (s-LWSR16 only)
MIDDLE, EXTREMES = ("1/3", "1/2", "2/3"), ("rare", "all")
F6_ORDER = ["rare", "1/3", "1/2", "1/2 even", "2/3", "all"]
F6_LITE_LIMITS = {"B100": 20, "Urban100": 10}


def _kept(removal: str) -> int:
    """Residual blocks (of 26) that keep their ReLU at a setting."""
    import torch

    with torch.device("meta"):
        return create_model("slwsr", n_feats=16, activation_removal=removal).activation_count()


F6_LARGE: dict[str, tuple[str, ...]] = {}  # s-LWSR32 settings a profile trains, where not all five (none now)


def f6_arms(ctx: RunContext) -> list[tuple[str, str]]:
    """(model, setting) pairs a profile trains: every setting on s-LWSR16 (both readings of half), and the five
    settings on s-LWSR32 (the issue: the same ratios on a larger model)."""
    arms = [("s-LWSR16", s) for s in F6_ORDER]
    arms += [("s-LWSR32", s) for s in F6_LARGE.get(ctx.profile, tuple(F6_SETTINGS))]
    return arms


def f6_jobs(ctx: RunContext) -> list[Job]:
    evals = [{"dataset": d, "scale": float(SCALE)} for d in BENCHMARKS]
    jobs = []
    for model, setting in f6_arms(ctx):
        removal, label = {**F6_SETTINGS, **F6_EXTRA}[setting]
        kw = {"n_feats": WIDTHS[model], "activation_removal": removal, **size("slwsr", ctx.profile)}
        info = {"params": params_of("slwsr", n_feats=WIDTHS[model]), "removal": removal, "kept_of_26": _kept(removal),
                "setting_label": label, "follows": "paper (reading 1)" if removal != "none" else
                "paper = released code (every ReLU runs)"}
        for seed in range(ctx.n_seeds):
            jobs.append(Job.train({"model": model, "activations": setting, "seed": seed}, evals,
                                  train_config(ctx, "slwsr", "slwsr", kw, seed, scales=(SCALE,)), "slwsr", info))
    return jobs


def _needed(table: str = "slwsr_f6") -> str:
    return f"more seeds, or the paper profile (`make dry-run TABLE={table} PROFILE=paper` for its cost)"


def _gap(df: pd.DataFrame, model: str, a: str, b: str, metric: str = "psnr"):
    """a − b over the four test sets, per image (each set's images side by side)."""
    parts = [(d, decide(scores(df, {"model": model, "activations": a, "dataset": d}, metric),
                        scores(df, {"model": model, "activations": b, "dataset": d}, metric))) for d in BENCHMARKS]
    return pooled(parts)


def _middle_beats_extremes(df: pd.DataFrame, profile: str) -> Verdict:
    parts = [(f"{m} − {e}", _gap(df, "s-LWSR16", m, e)) for m in MIDDLE for e in EXTREMES]
    return combine(parts, _needed(), "comparisons (s-LWSR16, PSNR pooled over the four test sets, dB)")


def _removal_helps_small_hurts_large(df: pd.DataFrame, profile: str) -> Verdict:
    parts = [("s-LWSR16: 1/2 − all", _gap(df, "s-LWSR16", "1/2", "all")),
             ("s-LWSR32: all − 1/2", _gap(df, "s-LWSR32", "all", "1/2"))]
    return combine(parts, _needed(), "comparisons (PSNR pooled over the four test sets, dB)")


def _half_best_balance(df: pd.DataFrame, profile: str) -> Verdict:
    """Half is "the best balance between PSNR and SSIM": against each other setting it is significantly better in
    at least one metric and not significantly worse in the other; an other setting that is that to half contradicts."""
    wins, losses, ev = [], [], []
    for other in [s for s in F6_SETTINGS if s != "1/2"]:
        c = {m: _gap(df, "s-LWSR16", "1/2", other, m) for m in ("psnr", "ssim")}
        if any(x.status == "not run" for x in c.values()):
            return Verdict("not run", f"s-LWSR16 '{other}' has no scores", _needed())
        st = {m: x.status for m, x in c.items()}
        wins.append("holds" in st.values() and "contradicted" not in st.values())
        losses.append("contradicted" in st.values() and "holds" not in st.values())
        ev.append(f"vs {other}: PSNR {c['psnr'].gap:+.3f} [{c['psnr'].lo:+.3f}, {c['psnr'].hi:+.3f}] dB, SSIM "
                  f"{c['ssim'].gap:+.4f} [{c['ssim'].lo:+.4f}, {c['ssim'].hi:+.4f}]")
    status = "holds" if all(wins) else "contradicted" if any(losses) else "inconclusive"
    return Verdict(status, "s-LWSR16, half − other, pooled over the four test sets: " + "; ".join(ev),
                   _needed() if status == "inconclusive" else "",
                   gap=_gap(df, "s-LWSR16", "1/2", "all").gap)


def _readings_of_half(df: pd.DataFrame, profile: str) -> Verdict:
    return verdict_of(_gap(df, "s-LWSR16", "1/2", "1/2 even"),
                      "s-LWSR16, the authors' 12 blocks − 13 evenly spaced, PSNR pooled (dB)", _needed())


F6_CLAIMS = [
    Claim("f6_middle", "Every middle setting (1/3, 1/2, 2/3 kept) beats both rare and all activations kept "
          "(s-LWSR16)", "§IV-B 'better performance is achieved in all middle setting(like 1/3, 2/1, or 2/3) compared "
          "with rare and all activation layers kept'; Fig. 6", _middle_beats_extremes, trained=True),
    Claim("f6_small_vs_large", "Removing activations helps the small model and hurts larger ones (s-LWSR16: half > "
          "all kept; s-LWSR32: all kept > half)", "§IV-B 'the removal of the moderate number of activate layers "
          "brings the beneficial effect on the small SR model … with the increasing of parameters, on the contrary, "
          "the removing operation results in a worse performance'", _removal_helps_small_hurts_large, trained=True),
    Claim("f6_half", "Half the activations is the best balance between PSNR and SSIM (s-LWSR16)",
          "§IV-B 'Our final s-LWSR model imply half activation setting to obtain a better balance between PSNR and "
          "SSIM'", _half_best_balance, trained=True),
    Claim("f6_reading", "Which blocks keep their ReLU does not matter at 'half' (a reading check, not the paper's "
          "claim: the authors' 12 blocks against 13 evenly spaced)", "srrepro.models.slwsr reading 1",
          lambda df, p: _positions_do_not_matter(_readings_of_half(df, p)), trained=True),
]


def _positions_do_not_matter(v: Verdict) -> Verdict:
    """A reading check "holds" when the two readings cannot be told apart: an interval excluding zero contradicts
    "does not matter"; one including zero is as much as lite can say (reported as inconclusive)."""
    if v.status in ("holds", "contradicted"):
        return Verdict("contradicted", v.evidence + " — the positions matter", v.needed, v.gap, v.lo, v.hi)
    return v


def _f6_plot(df, ax=None):
    """Fig. 6's form: PSNR (top) and SSIM (bottom) per test set against the setting; mean ± seed std per model."""
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(2, len(BENCHMARKS), figsize=(13, 5.2), sharex=True)
    for j, d in enumerate(BENCHMARKS):
        for i, metric in enumerate(("psnr", "ssim")):
            a = axes[i, j]
            for k, (model, style) in enumerate((("s-LWSR16", "o-"), ("s-LWSR32", "s--"))):
                order = F6_ORDER if model == "s-LWSR16" else list(F6_SETTINGS)
                pts = [(x, per_seed(df, {"model": model, "activations": s, "dataset": d}, metric))
                       for x, s in enumerate(F6_ORDER) if s in order]
                pts = [(x, v) for x, v in pts if len(v)]
                if not pts:
                    continue
                xs = [x for x, _ in pts]
                a.errorbar(xs, [v.mean() for _, v in pts], yerr=[v.std() if len(v) > 1 else 0 for _, v in pts],
                           fmt=style, color=f"C{k}", capsize=2, label=model if (i, j) == (0, 0) else None)
            a.set_title(f"{d} ×{SCALE}" if i == 0 else "", fontsize=9)
            a.set_ylabel(metric.upper() if j == 0 else "")
            a.set_xticks(range(len(F6_ORDER)), F6_ORDER, rotation=45, fontsize=7)
    axes[0, 0].legend(fontsize=7)
    fig.suptitle("Figure 6's form: activations kept (ours, mean ± seed std; the paper prints no numbers)", fontsize=10)
    fig.tight_layout()
    return axes[0, 0]


F6_NOTES = """
**Readings** (`srrepro/models/slwsr.py`, reading 1). Every residual block of s-LWSR has one ReLU; the paper gives the
fraction *kept* but no positions. "Rare" keeps it in the first and last residual blocks (the head and output convs
have none in this architecture), 1/3 and 2/3 keep 9 / 17 of 26 evenly spaced, and "1/2" keeps the 12 blocks that the
released `lwsr.py` builds with `nn.ReLU(True)` — the authors' own marking of the half setting. A second reading of
half, 13 blocks evenly spaced, runs beside it (`1/2 even`, claim `f6_reading`).

**Paper or released code.** The released code removes nothing: `nn.ReLU(False)` is only PyTorch's `inplace` flag, so
every ReLU runs. Every row here follows the **paper** (activations really removed); "all kept" is also what the
released network computes.

**What Figure 6 prints.** Only a chart, no numbers, so there is no paper column: the claims are the text's. The
"larger models" claim is tested on s-LWSR32 (the paper does not say which larger model it tried), at all five
settings; the claim's verdict compares half with all kept, the plot shows the whole curve.

**Lite.** 500 iterations are 0.05 % of the released recipe's 10⁶; B100 and Urban100 are scored on their first 20 and
10 images. The verdicts are about short training.
"""

# ================================================================================================ t1
T1 = "s-LWSR Table I (×4; PSNR(+) is Set5 with self-ensemble: Table II's s-LWSR+16 / s-LWSR+32 cells)"
# Table I columns → (srrepro.models.slwsr keyword arguments, printed parameters, printed PSNR(+))
T1_COLUMNS = {
    "s-LWSR (base line)": (dict(n_feats=32), 571e3, 32.15),
    "Depth": (dict(n_feats=32, n_stages=2, bottom_blocks=0), 308e3, 31.93),
    "Width": (dict(n_feats=16), 144e3, 31.78),
}


def t1_jobs(ctx: RunContext) -> list[Job]:
    """The three columns at the paper's final activation setting (half), so that base line and Width are
    `slwsr_f6`'s s-LWSR32 and s-LWSR16 "1/2" models (one cached training each)."""
    evals = [{"dataset": "Set5", "scale": float(SCALE), "self_ensemble": e} for e in (False, True)]
    jobs = []
    for column, (arch, _, _) in T1_COLUMNS.items():
        kw = {**arch, "activation_removal": "1/2", **size("slwsr", ctx.profile)}
        info = {"params": params_of("slwsr", **arch), "blocks": len(create_model("slwsr", **arch).block_names)}
        for seed in range(ctx.n_seeds):
            jobs.append(Job.train({"model": column, "seed": seed}, evals,
                                  train_config(ctx, "slwsr", "slwsr", kw, seed, scales=(SCALE,)), "slwsr", info))
    return jobs


def _t1_params(columns: list[str]):
    def check(df: pd.DataFrame, profile: str) -> Verdict:
        d = df.drop_duplicates("model").set_index("model")
        ev, ok = [], True
        for c in columns:
            ours, printed = float(d["params"][c]), T1_COLUMNS[c][1]
            ok &= round(ours / 1e3) == round(printed / 1e3)
            ev.append(f"{c} {ours:,.0f} (printed {printed / 1e3:.0f}K, {100 * (ours / printed - 1):+.1f} %)")
        extra = "" if ok else (" — no reading of 'Basic blocks 6' gives 308K: 6 blocks are ≈190K, 6 + 6 blocks with "
                               "a two-input pool 303,931 (this row), a six-input pool 308,027 with no rule of Eq. 3 "
                               "behind it (srrepro/models/slwsr.py, reading 3)")
        return Verdict("holds" if ok else "contradicted", "exact counts: " + "; ".join(ev) + extra)
    return check


def _t1_order(df: pd.DataFrame, profile: str) -> Verdict:
    plus = {"dataset": "Set5", "self_ensemble": True}
    parts = [(f"{a} − {b}", decide(scores(df, {"model": a, **plus}), scores(df, {"model": b, **plus})))
             for a, b in (("s-LWSR (base line)", "Depth"), ("Depth", "Width"))]
    return combine(parts, _needed("slwsr_t1"), "comparisons (Set5 ×4 PSNR with self-ensemble, dB)")


T1_CLAIMS = [
    Claim("t1_params", "Parameters: 571K (base line) and 144K (Width)", "Table I, Parameters row",
          _t1_params(["s-LWSR (base line)", "Width"])),
    Claim("t1_params_depth", "Parameters: 308K for the Depth column ('Basic blocks 6', F = 32)",
          "Table I, Parameters row", _t1_params(["Depth"])),
    Claim("t1_order", "Width and depth both matter: base line > Depth > Width in PSNR(+) (32.15 > 31.93 > 31.78)",
          "Table I; §IV-B 'the PSNR value can be significantly improved with additional parameters'", _t1_order,
          trained=True),
]


def _t1_plot(df, ax=None):
    import matplotlib.pyplot as plt

    ax = ax or plt.subplots(figsize=(6.5, 3.4))[1]
    cols = list(T1_COLUMNS)
    for k, ens in enumerate((False, True)):
        vals = [per_seed(df, {"model": c, "dataset": "Set5", "self_ensemble": ens}) for c in cols]
        ax.errorbar([i + 0.1 * k for i in range(len(cols))], [v.mean() if len(v) else float("nan") for v in vals],
                    yerr=[v.std() if len(v) > 1 else 0 for v in vals], fmt="o", capsize=3,
                    label=f"ours{' (+ self-ensemble)' if ens else ''}, mean ± seed std")
    ax.set_ylabel("Set5 ×4 PSNR, ours (dB)")
    ax2 = ax.twinx()
    ax2.plot(range(len(cols)), [T1_COLUMNS[c][2] for c in cols], "s--", color="C3", label="paper PSNR(+)")
    ax2.set_ylabel("paper (dB)", color="C3")
    ax.set_xticks(range(len(cols)), [f"{c}\n{T1_COLUMNS[c][1] / 1e3:.0f}K" for c in cols], fontsize=8)
    ax.legend(loc="upper right", fontsize=7)
    ax2.legend(loc="lower left", fontsize=7)
    ax.set_title("Table I: base line, Depth, Width (paper on the right axis)")
    return ax


T1_NOTES = """
**Readings.** Table I's PSNR(+) are Table II's Set5 self-ensemble cells (32.15 = s-LWSR+32, 31.78 = s-LWSR+16), so the
table is scored on Set5 ×4, with and without the geometric self-ensemble. Every column keeps half the activations
(the paper's final setting): the base line and Width are `slwsr_f6`'s s-LWSR32 and s-LWSR16 "1/2" models, one cached
training each. "Depth" with 'Basic blocks 6' is read as six blocks per half (`n_stages=2, bottom_blocks=0`: 12
blocks, 303,931 parameters, its half setting 6 evenly spaced ReLUs); no reading found gives the printed 308K.
"""


# ================================================================================================ released checkpoint
RELEASED = "s-LWSR repository, Train/experiment/s-LWSR_BIX4_P48 (the one released checkpoint: 1 epoch of a debug run)"
RELEASED_ITERATIONS = 1000  # its log: epoch 1 of 1,000 iterations


def released_jobs(ctx: RunContext) -> list[Job]:
    """The released checkpoint, and s-LWSR32 with every ReLU (the released network) trained for as many
    iterations by this profile's recipe (paper: the authors' own, so the two should agree within seeds)."""
    evals = [{"dataset": d, "scale": float(SCALE)} for d in BENCHMARKS]
    jobs = [Job.official({"model": "released checkpoint (1 epoch)", "seed": 0}, evals, "slwsr32_x4_epoch1",
                         {"params": params_of("slwsr", n_feats=32, official=True), "iterations_trained": 1000,
                          "follows": "released code (every ReLU runs)"})]
    kw = {"n_feats": 32, "activation_removal": "none", **size("slwsr", ctx.profile)}
    # as many iterations as the checkpoint had; a capped run's (ctx.iterations) and smoke's own 2 win
    steps = None if ctx.profile == "smoke" else (ctx.iterations or RELEASED_ITERATIONS)
    for seed in range(ctx.n_seeds):
        jobs.append(Job.train({"model": f"s-LWSR32, all ReLUs, {ctx.profile} recipe", "seed": seed}, evals,
                              train_config(ctx, "slwsr", "slwsr", kw, seed, iterations=steps, scales=(SCALE,)),
                              "slwsr", {"params": params_of("slwsr", n_feats=32), "iterations_trained": steps,
                                        "follows": "released code (every ReLU runs; mean shift frozen)"}))
    return jobs


def _released_loads(df: pd.DataFrame, profile: str) -> Verdict:
    d = df[df["model"] == "released checkpoint (1 epoch)"]
    if d.empty or not d["status"].astype(str).str.startswith("ok").any():
        why = d["status"].iloc[0] if len(d) else "no row"
        return Verdict("not run", str(why), "weights/official/slwsr32_x4_epoch1.pt (srrepro download weights)")
    return Verdict("holds", f"strict load into srrepro's released layout (slwsr(official=True)): every one of its "
                            f"125 tensors, {int(d['params'].iloc[0]):,} parameters, = the training log's 571,131; "
                            f"×4 PSNR " + ", ".join(f"{r.dataset} {r.psnr:.2f}" for r in d.itertuples()))


RELEASED_CLAIMS = [
    Claim("released_layout", "The released checkpoint is s-LWSR32 ×4 as the released code builds it (571,131 "
          "parameters, the count its training log prints)", "s-LWSR repository, model_best.pt and its log",
          _released_loads),
]

RELEASED_NOTES = """
**What this is.** The s-LWSR repository ships one checkpoint, `model_best.pt` of a debug run: s-LWSR32 ×4 after one
epoch (1,000 iterations, batch 16, LR patch 48, DIV2K; its log reads 31.179 dB on five DIV2K validation images). It
is **not** the paper's model, but it proves that srrepro's released-layout s-LWSR is the released network: all 125
tensors load with `strict=True` and every ReLU runs, as in the released code (`activation_removal="none"`). Beside it,
s-LWSR32 with every ReLU trained for as many iterations by this profile's recipe: at lite that is T91 with LR patches
of 16 (4 × fewer pixels per batch than the authors' 48), so the gap is the recipe's, not the network's; at the paper
profile the recipe is the authors'. B100 and Urban100 are scored on their first 20 and 10 images at lite.
"""


CHAPTER = """
s-LWSR (Li et al., IEEE TIP 2020) is the study's smallest network (144K–2,277K parameters): a U-shaped stack of 26
residual blocks with an "information pool" (a 1×1 convolution over six earlier feature maps), an optional MobileNetV2
compression, and the removal of some ReLUs. Its released code is `Sudo-Biao/s-LWSR` (`lwsr.py`); the only released
weights are a one-epoch debug checkpoint (1,000 iterations), not the paper's model.

**Released code against the paper, and which one each run follows.**
* Activation removal: the code passes `act=nn.ReLU(False)` to the blocks meant to lose their activation, but `False`
  is the `inplace` flag — every ReLU runs. Runs here follow the **paper** (activations removed, reading 1 of
  `srrepro/models/slwsr.py`); "all kept" equals the released network.
* Local residual learning: Eq. 2 sums inside the bunch, the code hands R1 + R3 to the next one; runs follow the code
  (what the weights were trained with).

**Errata and readings** (the model's docstring has all of them): Table I's "Depth" 308K matches no reading of six
blocks (303,931 with six blocks per half); Fig. 5's 124K for the compressed s-LWSR32C needs an expansion below 1
(t = 6 gives 465,467); Multi-Adds are parameters × 320 × 180, not the convolutions' real multiply-adds.

**Here:** Figure 6 (the activation-removal ablation the study's card names) and Table I at lite; the released
checkpoint loaded strictly (`slwsr_released`, smoke so far), and its forward, loss and gradients equal to the
released `lwsr.py`'s to the bit (`make bench`, the speed page). **Not here yet** (issue #15): Tables II and III,
Figures 1 and 5, the released checkpoint's lite scores, and Figure 6's other three s-LWSR32 ratios.
"""


# ================================================================================================ specs
_LITE = (f"T91, LR patch 16, batch 16, {LITE_ITERATIONS} iterations "
         f"({LITE_ITERATIONS / PAPER_RECIPES['slwsr'].iterations:.2%} of the paper's), lr 1e-3 halved at 75 %, 3 seeds")
SPECS = {
    "slwsr_f6": TableSpec(
        id="slwsr_f6", title="s-LWSR Figure 6: how many activations to keep", paper=PAPER, source=F6,
        description=with_training_note(
            "s-LWSR16 (143,755 parameters) trained with 2, 9, 12 (or 13), 17 and 26 of its 26 residual-block ReLUs "
            "kept, and s-LWSR32 with the five settings; PSNR/SSIM on Set5, Set14, B100 and Urban100 at ×4."),
        keys=["model", "activations", "dataset", "scale", "seed"], metrics=["psnr", "ssim"], jobs=f6_jobs,
        plan_notes="s-LWSR16 at six settings (five of Fig. 6 + the second reading of half) and s-LWSR32 at five, "
                   "scored on the four benchmarks at ×4.",
        grid={"lite": {"limits": F6_LITE_LIMITS}},
        layout=Layout(("model", "dataset"), ("activations",), ("psnr", "ssim"),
                      order={"activations": F6_ORDER, "dataset": BENCHMARKS}),
        display_extra=("kept_of_26", "iterations", "train_seconds"), claims=F6_CLAIMS, plot=_f6_plot, notes=F6_NOTES,
        family="slwsr",
        profiles={"smoke": "11 tiny arms, 2 iterations, one image per test set",
                  "lite": f"11 arms × 3 seeds, {_LITE}; B100 first 20, Urban100 "
                          "first 10 images",
                  "paper": "11 arms, DIV2K, LR patch 48, batch 16, 10⁶ iterations, lr 1e-4 halved every 2×10⁵; "
                           "whole test sets"}),
}

SPECS["slwsr_t1"] = TableSpec(
    id="slwsr_t1", title="s-LWSR Table I: base line, deeper-and-thinner (Width), shallower (Depth)", paper=PAPER,
    source=T1, description=with_training_note(
        "s-LWSR32 (26 blocks), the 'Depth' variant (6 + 6 blocks, F = 32) and s-LWSR16 ('Width'), each keeping half "
        "its activations; Set5 ×4 PSNR/SSIM with and without self-ensemble; `params` exact."),
    keys=["model", "dataset", "scale", "self_ensemble", "seed"], metrics=["params", "psnr", "ssim"], jobs=t1_jobs,
    plan_notes="Three s-LWSR sizes (base line and Width shared with slwsr_f6's '1/2' models), Set5 ×4 ± self-ensemble.",
    paper_values=[dict(model=c, dataset="Set5", scale=4.0, self_ensemble=True, params=p, psnr=v, ssim=float("nan"),
                       source=f"{T1}, column {c}") for c, (_, p, v) in T1_COLUMNS.items()],
    layout=Layout(("model",), ("self_ensemble",), ("params", "psnr")), display_extra=("blocks", "iterations"),
    claims=T1_CLAIMS, plot=_t1_plot, notes=T1_NOTES, family="slwsr",
    profiles={"smoke": "3 tiny models, 2 iterations, 1 Set5 image", "lite": f"3 models × 3 seeds, {_LITE}",
              "paper": "3 models, the released recipe (DIV2K, LR patch 48, batch 16, 10⁶ iterations)"})

SPECS["slwsr_released"] = TableSpec(
    id="slwsr_released", title="s-LWSR's released checkpoint (1 epoch, not the paper's model)", paper=PAPER,
    source=RELEASED, description=with_training_note(
        "The one released s-LWSR checkpoint loaded strictly into the released layout and scored at ×4 on the four "
        "benchmarks, beside s-LWSR32 with every ReLU trained for as many iterations (1,000) by this profile's recipe."),
    keys=["model", "dataset", "scale", "seed"], metrics=["params", "psnr", "ssim"], jobs=released_jobs,
    plan_notes="The released 1-epoch checkpoint (no training) and s-LWSR32 (all ReLUs) trained 1,000 iterations.",
    grid={"lite": {"limits": F6_LITE_LIMITS}},
    layout=Layout(("dataset",), ("model",), ("psnr", "ssim"), order={"dataset": BENCHMARKS}),
    display_extra=("iterations_trained", "follows"),
    claims=RELEASED_CLAIMS, notes=RELEASED_NOTES, family="slwsr",
    profiles={"smoke": "the checkpoint and a tiny model, 1 image per set",
              "lite": "the checkpoint; s-LWSR32 × 3 seeds, 1,000 lite iterations; B100 first 20, Urban100 first 10",
              "paper": "the checkpoint; s-LWSR32, 1,000 iterations of the authors' recipe; whole test sets"})
