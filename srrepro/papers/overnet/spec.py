"""OverNet (Behjati et al., WACV 2021), Tables 1–8: specs ``overnet_t1`` … ``overnet_t8``.

Source: ``shared/seeds/overnet.txt`` (the paper's text). Its printed values are data, ``values/<table id>.csv``
beside this module (one printed number per row, naming its table, row and column); the chapter's opening is
``chapter.md``. Architecture and released-code facts: :mod:`srrepro.models.overnet` and
``shared/notes/official_code_survey.md`` §1. This module holds only the paper: the grid each profile runs
(``_grid``), the jobs (``tN_jobs``), the claims with their rules, the plots and the notes. How jobs are trained,
cached, scored and judged is the engine's (:mod:`srrepro.jobs`, :mod:`srrepro.plan`, :mod:`srrepro.verdicts`).

Paper versus released code (the one choice every row records in its ``follows`` column)
    The paper describes ONE multi-scale model (maximum scale N = 4, overscale N + 1 = 5, multi-scale loss Eq. 9);
    the released code trains one model per scale (``--scale s --upscale s+1``, plain L1). Rows say which they
    follow: ``"paper multi-scale model"`` or ``"released code: one model per scale"``. The paper's own tables mix
    the two: Table 6's OverNet row equals Table 5's OverNet-S (single-scale) in all nine shared cells ("we train
    our models individually for each scale factor"), Table 1's config 4 (Urban100 ×3) is that ×3 model, and
    Table 4's diagonal is OverNet-S too; Table 2's OSM-bicubic at ×2/×3/×4 equals Table 5's OverNet-M (multi-scale
    loss). The notes quote the printed numbers.

Profiles
    The recipes are :mod:`srrepro.recipes`' (lite: T91, narrowed models; paper: the paper's recipe and size, declared
    in this folder's ``__init__.py``); each spec's ``profiles`` says what a profile runs. Lite scores B100 and
    Urban100 on their first images (``LITE_LIMITS``), the same images for every model, so comparisons stay paired.
    Only a dry run of the paper profile is meaningful without a GPU.
"""
from __future__ import annotations

import json
import math
import time
from functools import lru_cache

import numpy as np
import pandas as pd

from ...data import SrreproDataError
from ...jobs import Job, size, torch_threads, train_config
from ...models import params_of
from ...plan import GPU_EFFECTIVE_TFLOPS, Plan, cpu_flops_rate, flops_per_px, lr_pixels
from ...plots import gap_bars
from ...recipes import LITE_ITERATIONS, PAPER_RECIPES, SIZES, recipe
from ...verdicts import (MARGINS, Claim, Verdict, beats_per_cell, combine, decide, exact, half_unit, panel_gap,
                        per_seed, scores, verdict_of, within)
from ...spec import DEFAULT_SEEDS, Layout, RunContext, TableSpec, result_path, select, with_training_note
from .. import printed
from ..study.bicubic import DN_SEEDS

PAPER = "OverNet"
FOLLOWS_PAPER = "paper multi-scale model"
FOLLOWS_CODE = "released code: one model per scale"

# ================================================================================================ paper values
# The paper's printed values are data: values/<table id>.csv (one printed number per row, with its table, row and
# column; "K"/"M" counts as printed), read by tables.get and, where a job or rule needs them, by printed(<id>).
# The tables' names, as each spec's source:
T1 = "OverNet Table 1 (Urban100 ×3)"
T2 = "OverNet Table 2 (B100)"
T3 = "OverNet Table 3"
T4 = "OverNet Table 4 (Set5)"
T5 = "OverNet Table 5"
T6 = "OverNet Table 6 (BI)"
T7 = "OverNet Table 7 (×3, BD/DN)"
T8 = "OverNet Table 8 (Urban100 ×4)"

# Table 1's design (its check marks, not printed numbers): config → (SCs in LDGs, SCs in GDG)
T1_SKIPS = {1: (False, False), 2: (True, False), 3: (False, True), 4: (True, True)}
# Table 2's columns ×1.1 … ×4.0 (Meta-SR's scale set, which the arbitrary-scale models train on)
T2_SCALES = tuple(round(1.0 + 0.1 * k, 1) for k in range(1, 31))
# not a printed value: the GPU's datasheet figure, against which t8_physical sets Table 8's printed time
GTX1080TI_PEAK_TFLOPS = 11.34  # NVIDIA GeForce GTX 1080 Ti, FP32 at boost clock (3584 cores × 1582 MHz × 2)


def printed_methods(table_id: str) -> list[str]:
    """The methods (columns or rows) of a printed table, in the paper's order."""
    return list(dict.fromkeys(c["method"] for c in printed(table_id)))


@lru_cache(maxsize=None)
def _printed_once(table_id: str) -> tuple[dict, ...]:
    return tuple(printed(table_id))


def pv(table_id: str, metric: str = "psnr", **where) -> float:
    """One printed number, for prose (notes, claim statements): ``metric`` of the one cell of ``table_id`` whose key
    columns match ``where`` (values/<id>.csv), so a printed number is typed once, in the data."""
    found = [c for c in _printed_once(table_id) if all(c.get(k) == v for k, v in where.items())]
    if len(found) != 1:
        raise KeyError(f"{table_id}: {len(found)} printed cells match {where}")
    return float(found[0][metric])


def db(v: float) -> str:  # a PSNR as printed (2 decimals)
    return f"{v:.2f}"


def _kilo(v: float) -> str:  # a count as the paper prints it
    return f"{v / 1e3:.0f}K"


def _mega(v: float) -> str:  # a count as the paper prints it
    return f"{v / 1e6:g}M"


# ================================================================================================ profiles
# The grid each profile runs (seeds: 3 at lite; paper: one run, as the paper). Lite scores B100 and Urban100 on
# their first images only, the same images for every model and checkpoint, so comparisons stay paired: one
# Urban100 ×2 image costs 6–10 s per checkpoint on one core, and every model is scored at 4 checkpoints.
LITE_LIMITS = {"B100": 10, "Urban100": 5}
PAPER_ITERATIONS = PAPER_RECIPES["overnet"].iterations


def _grid(smoke: dict | None = None, lite: dict | None = None, paper: dict | None = None) -> dict:
    return {"smoke": smoke or {}, "lite": {"limits": LITE_LIMITS, **(lite or {})}, "paper": paper or {}}


def _paper_needed(table: str) -> str:
    return (f"the paper profile (≈{PAPER_GPU_HOURS[table]} GPU-hours on one modern GPU; "
            f"`make dry-run TABLE={table} PROFILE=paper`)")


def _needed(table: str) -> str:
    gpu = PAPER_GPU_HOURS.get(table)
    return "or the paper profile" + (f" (≈{gpu} GPU-hours on one modern GPU)" if gpu else "")


# GPU-hours of each table at the paper profile, from `make dry-run TABLE=<id> PROFILE=paper` (FLOPs counted per
# training step × iterations / GPU_EFFECTIVE_TFLOPS); quoted by the verdicts that only the paper profile can settle.
PAPER_GPU_HOURS = {"overnet_t1": 30, "overnet_t2": 101, "overnet_t3": 566, "overnet_t4": 73, "overnet_t5": 32,
                   "overnet_t6": 44, "overnet_t7": 29}


# ================================================================================================ OverNet builders
_OVERNET_DEFAULTS = dict(ldg_skip=True, gdg_skip=True, interpolation="bicubic", osm=True)


def overnet_kwargs(profile: str, **arch) -> dict:
    """Profile size + architecture switches, without switches at their default (so equal models hash equal)."""
    arch = {k: v for k, v in arch.items() if not (k in _OVERNET_DEFAULTS and _OVERNET_DEFAULTS[k] == v)}
    return {**size("overnet", profile), **arch}


def overnet_config(ctx: RunContext, seed: int, scale: int | None = None, multi: bool = False, degradation: str = "BI",
                   loss: str = "l1", **arch):
    """The TrainConfig of an OverNet cell. ``multi=False``: the released code's per-scale model (``scale``,
    overscale scale+1 unless ``arch`` says otherwise, plain L1 unless ``loss`` names another). ``multi=True``: the
    paper's model (max scale 4, multi-scale loss Eq. 9 on {2, 3, 4}, one batch scale drawn from {2, 3, 4} per
    iteration)."""
    if multi:
        kw = overnet_kwargs(ctx.profile, max_scale=4, **arch)
        return train_config(ctx, "overnet", "overnet", kw, seed, scales=(2, 3, 4), loss="ms_l1", ms_scales=(2, 3, 4),
                            degradation=degradation)
    kw = overnet_kwargs(ctx.profile, **arch)
    return train_config(ctx, "overnet", "overnet", kw, seed, scales=(scale,), degradation=degradation, loss=loss)


params = params_of  # exact parameter counts, meta device

# profile → whether its models are trained by the paper's full recipe: only those can be set against the published
# numbers of fully trained methods (overnet_t6's and overnet_t7's comparisons with the other columns)
FULL_RECIPE = {"smoke": False, "lite": False, "paper": True}


@lru_cache(maxsize=None)
def overnet_params_fe(official: bool = True, **kwargs) -> int:
    """Parameters of OverNet without its overscaling module (feature extractor + mean shifts)."""
    import torch

    from ...models import create_model

    with torch.device("meta"):
        m = create_model("overnet", official=official, **kwargs)
    return int(sum(p.numel() for n, p in m.named_parameters() if not n.startswith("osm.")))


# ================================================================================================ §3: L1 vs L2
LOSS = "OverNet §3 (Eq. 1): 'We chose L to be the L1 distance, since we empirically obtained superior PSNR results " \
       "compared to L2'"
LOSS_LABELS = {"l1": "L1", "l2": "L2"}
# The paper names no scale or test set for this comparison; ×4 is Table 8's and Figure 4's scale, and its L1 model is
# overnet_t5/t6's ×4 OverNet (the same config, one training in the cache).
LOSS_SCALE = 4
LOSS_SETS = ("Set5", "Set14", "B100", "Urban100")


def loss_jobs(ctx: RunContext) -> list[Job]:
    evals = [{"dataset": d, "scale": float(LOSS_SCALE)} for d in ctx.grid.get("datasets", LOSS_SETS)]
    return [Job.train({"loss": label, "seed": seed}, evals, overnet_config(ctx, seed, LOSS_SCALE, loss=loss),
                      "overnet", {"follows": FOLLOWS_CODE + f" (×{LOSS_SCALE}, {label} loss)"})
            for loss, label in LOSS_LABELS.items() for seed in range(ctx.n_seeds)]


LOSS_CLAIMS = [
    Claim("loss_l1", "Training OverNet with L1 gives a higher PSNR than with L2, on every test set", LOSS,
          beats_per_cell("loss", "L1", "L2", _needed("overnet_loss"), cells=("dataset",)), trained=True,
          kind="direction"),
]


def _loss_plot(df, ax=None):
    import matplotlib.pyplot as plt

    ax = ax or plt.subplots(figsize=(6, 3.5))[1]
    empty = pd.Series(dtype=float)  # §3 prints no numbers: no paper bars
    rows = [(ds, per_seed(g, {"loss": "L1"}), per_seed(g, {"loss": "L2"}), empty, empty)
            for ds, g in df[df["psnr"].notna()].groupby("dataset")]
    gap_bars(ax, rows, rotation=0)
    ax.set(ylabel="L1 − L2 (dB)", title=f"§3: OverNet ×{LOSS_SCALE} trained with L1 against L2")
    ax.legend(fontsize=8)
    return ax


LOSS_NOTES = f"""
**Setup.** §3 states that L1 gave "superior PSNR results compared to L2" and prints no numbers, scale or test set
for it. Here the released code's per-scale OverNet at ×{LOSS_SCALE} (Table 8's and Figure 4's scale; §3 names
none) is trained alike with the mean absolute error and with the mean squared error (pixel values in [0, 1]; the
same Adam, learning rate, batches and seeds) and scored on the four benchmarks. The L1 model is `overnet_t5`'s
and `overnet_t6`'s ×{LOSS_SCALE} OverNet (one training, shared through the cache). The claim asks for L1 above
L2 on every test set; at lite it is {LITE_ITERATIONS} iterations of training, not the paper's converged models.
"""

# ================================================================================================ t1
def t1_jobs(ctx: RunContext) -> list[Job]:
    jobs = []
    for cfg, (ldg, gdg) in T1_SKIPS.items():
        arch = dict(ldg_skip=ldg, gdg_skip=gdg)
        counts = {"params": params("overnet", scale=3, **arch),
                  "params_code": params("overnet", scale=3, official=True, **arch),
                  "params_fe": overnet_params_fe(scale=3, **arch)}
        for seed in range(ctx.n_seeds):
            jobs.append(Job.train({"config": cfg, "ldg_skip": ldg, "gdg_skip": gdg, "seed": seed},
                                  [{"dataset": "Urban100", "scale": 3.0}], overnet_config(ctx, seed, 3, **arch),
                                  "overnet", {**counts, "follows": FOLLOWS_CODE}))
    return jobs


# What Table 1's #Params row counts is not said; each counting is a reading of the row (Claim.readings). The default
# is the released code's network without its overscaling module: the one counting under which configs 1-3 and both
# SC increments match (the notes); the full model (released code, or ours in paper mode) is judged beside it.
T1_COUNTING = ("released code without the OSM", "params_fe")
T1_OTHER_COUNTINGS = {"released code, full model": "params_code", "our model (paper mode), full": "params"}


def counting(name: str, column: str):
    """A reading of a printed #Params row: our counts from ``column`` (the rule reads ``counted``)."""
    def apply(rows: pd.DataFrame) -> pd.DataFrame:
        return rows.assign(counted=rows[column], counting=name) if column in rows else rows
    return apply


def _counts_exact(df: pd.DataFrame, key: str, label, default: tuple[str, str]) -> Verdict:
    """Exact kind: each row's parameter count under the reading applied to ``df`` (else ``default``: (name,
    column)) against the printed count, in K as printed (no decimals: reproduced within ±0.5K)."""
    if "counted" not in df:
        df = counting(*default)(df)
    d = df.drop_duplicates(key).set_index(key).sort_index()
    if d.empty or "counted" not in d:
        return Verdict("not run", "no parameter count computed", "run the table")
    name = d["counting"].iloc[0]
    cells = [(label(k), d.loc[k, "counted"] / 1e3, d.loc[k, "params_paper"] / 1e3, 0) for k in d.index]
    return exact(cells, f"#Params counted as '{name}' (in K, as printed)")


def _t1_params_check(df: pd.DataFrame, profile: str) -> Verdict:
    df = df if "counted" in df else counting(*T1_COUNTING)(df)
    v = _counts_exact(df, "config", lambda c: f"config {c}", T1_COUNTING)
    four = df.loc[df["config"] == 4, "counted"] if "counted" in df else ()
    if v.status != "not run" and len(four):
        v.evidence += f"; config 4 counts {four.iloc[0]:,.0f} under this reading"
    return v


def _cfg(df, c):
    return scores(df, {"config": c})


def _t1_vs(a: int, b: int):
    def check(df: pd.DataFrame, profile: str) -> Verdict:
        return verdict_of(decide(_cfg(df, a), _cfg(df, b)), f"config {a} − config {b}, Urban100 ×3 PSNR (dB)",
                          _needed("overnet_t1"))
    return check


def _t1_best(df: pd.DataFrame, profile: str) -> Verdict:
    parts = [(f"vs config {other}", decide(_cfg(df, 4), _cfg(df, other))) for other in (1, 2, 3)]
    return combine(parts, _needed("overnet_t1"), "pairwise comparisons")


T1_CLAIMS = [
    Claim("t1_both_best", "SCs in both LDGs and GDG (config 4) give the best Urban100 ×3 PSNR of the four configs",
          "Table 1; §4.1 'when OverNet uses SCs in both LDGs and GDG, it outperforms all three models'", _t1_best,
          trained=True, kind="direction"),
    Claim("t1_gdg_helps", "SCs in the GDG alone beat no SCs (config 3 > config 1)",
          "Table 1; §4.1 'the model which used SCs only in GDG attains better performance than the one without SCs'",
          _t1_vs(3, 1), trained=True, kind="direction"),
    Claim("t1_ldg_alone", "SCs in LDGs without GDG SCs do not help (config 1 above config 2)",
          f"Table 1 ({db(pv('overnet_t1', config=2))} < {db(pv('overnet_t1', config=1))}); §4.1 'natural to expect performance degradation when the global SCs are "
          "deactivated'", _t1_vs(1, 2), trained=True, kind="direction"),
    Claim("t1_params", "The #Params row is the parameter count of each config ("
          + ", ".join(_kilo(pv("overnet_t1", "params", config=c)) for c in T1_SKIPS) + ")",
          "Table 1, #Params row", _t1_params_check, kind="exact",
          readings={n: counting(n, c) for n, c in T1_OTHER_COUNTINGS.items()}),
]


def _t1_plot(df, ax=None):
    import matplotlib.pyplot as plt

    ax = ax or plt.subplots(figsize=(6, 3.5))[1]
    d = df[df["psnr"].notna()]
    for c, g in d.groupby("config"):
        ax.scatter([c] * len(g), g["psnr"], color="C0", alpha=0.6, label="ours (one dot per seed)" if c == 1 else None)
    ax.set_xlabel("config (1: no SCs, 2: LDG SCs, 3: GDG SCs, 4: both)")
    ax.set_ylabel("Urban100 ×3 PSNR, ours (dB)")
    ax2 = ax.twinx()
    p = df.drop_duplicates("config")
    ax2.plot(p["config"], p["psnr_paper"], "s--", color="C3", label="paper")
    ax2.set_ylabel("paper (dB)", color="C3")
    ax.set_xticks([1, 2, 3, 4])
    ax.legend(loc="upper left", fontsize=8)
    ax2.legend(loc="lower right", fontsize=8)
    ax.set_title("Table 1: skip connections (paper on the right axis)")
    return ax


# the notes quote printed numbers from the data (pv); our exact counts are the table's columns (params_fe,
# params_code, params) and the t1_params evidence, not typed here
_T1_PRINTED = {c: pv("overnet_t1", "params", config=c) for c in T1_SKIPS}
T1_TYPO_READING = "843K"  # not a printed value: what config 4's printed 943K most likely means
T1_NOTES = f"""
**Errata and readings.** The paper's #Params row cannot be one counting for all four configs. Our exact counts
(×3 model, overscale 4, 3 LDGs × 3 RBs × 64 features; columns `params_fe`, `params_code` and `params`) give the SC
increments the paper implies (+{_kilo(_T1_PRINTED[2] - _T1_PRINTED[1])} for the LDG SCs,
+{_kilo(_T1_PRINTED[3] - _T1_PRINTED[1])} for the GDG SCs, each to the thousand). Configs 1–3 equal, to the thousand, the **released
code's network without its overscaling module** (`params_fe` → {_kilo(_T1_PRINTED[1])} / {_kilo(_T1_PRINTED[2])} /
{_kilo(_T1_PRINTED[3])}). Config 4 is printed {_kilo(_T1_PRINTED[4])}, but the same counting gives a count one
digit away, and neither full ×3 model (released code, or our paper-mode model, which weight-normalises a few hundred
more parameters) matches it; the `t1_params` evidence gives config 4's count under each reading.
{_kilo(_T1_PRINTED[4])} is most likely a typo for {T1_TYPO_READING} (a reading, one digit). {_kilo(_T1_PRINTED[4])} is also
Table 4's value for overscale ×4, so it may have been copied from there. The `t1_params` verdict reads the row, by
default, as that counting (the released code without the OSM: the only one under which three configs and both
increments fit) and shows the two full-model countings as other readings; every reading is exact to half a printed
unit (±0.5K). Table 1's PSNR for config 4 ({db(pv("overnet_t1", config=4))}) equals Table 6's OverNet ×3 on Urban100
(and Table 5's OverNet-S), so these four models are the released code's per-scale ×3 models. Ours are the same kind
(`follows` = released code).
"""


# ================================================================================================ t2
T2_RDN_ROWS = ("Meta-RDN", "RDN-OSM")  # the grid's rdn_rows where they are trained (22M parameters each)
T2_VARIANTS = {  # experiment → OverNet kwargs (max scale 4)
    "Pixelshuffle": dict(overscale=4, interpolation="bicubic"),  # pixel shuffle to ×4, bicubic↓ to the target
    "OSM-bilinear": dict(interpolation="bilinear"),  # overscale 5, bilinear↓
    "OSM-bicubic": dict(interpolation="bicubic"),  # overscale 5, bicubic↓ (OverNet)
}


def t2_jobs(ctx: RunContext) -> list[Job]:
    evs = [{"dataset": "B100", "scale": s} for s in ctx.grid.get("scales", T2_SCALES)]
    jobs = []
    for exp, arch in T2_VARIANTS.items():
        kw = overnet_kwargs(ctx.profile, max_scale=4, **arch)
        for seed in range(ctx.n_seeds):
            cfg = train_config(ctx, "overnet", "overnet", kw, seed, scale_range=(1.1, 4.0), loss="ms_l1",
                               ms_scales=(2, 3, 4))
            jobs.append(Job.train({"experiment": exp, "seed": seed}, evs, cfg, "overnet", {"follows": FOLLOWS_PAPER}))
    for exp, model, kw in (("Meta-RDN", "meta_rdn", {}), ("RDN-OSM", "rdn", dict(scale=4, upsampler="osm"))):
        if exp in ctx.grid["rdn_rows"]:  # 22M-parameter models: the paper profile (and the smoke plumbing) only
            fam = "meta_rdn" if model == "meta_rdn" else "rdn_osm"
            for seed in range(ctx.n_seeds):
                cfg = train_config(ctx, fam, model, {**kw, **size(fam, ctx.profile)}, seed, scales=T2_SCALES)
                jobs.append(Job.train({"experiment": exp, "seed": seed}, evs, cfg, fam,
                                      {"follows": FOLLOWS_PAPER + " (Meta-SR training: scales 1.1–4.0, L1)"}))
    return jobs


def _scales(df: pd.DataFrame) -> list:
    return sorted(df["scale"].dropna().unique()) if "scale" in df else []


def _t2_pair(a: str, b: str):
    def check(df: pd.DataFrame, profile: str) -> Verdict:
        parts = [(f"×{s:g}", decide(scores(df, {"experiment": a, "scale": s}), scores(df, {"experiment": b, "scale": s})))
                 for s in _scales(df)]
        return combine(parts, _needed("overnet_t2"), "scales")
    return check


def _t2_rdn(df: pd.DataFrame, profile: str) -> Verdict:
    """"Better or comparable" is non-inferiority: RDN-OSM − Meta-RDN above −margin (the PSNR margin) at every scale."""
    parts = [(f"×{s:g}", within(decide(scores(df, {"experiment": "RDN-OSM", "scale": s}),
                                       scores(df, {"experiment": "Meta-RDN", "scale": s})), MARGINS["psnr"]))
             for s in _scales(df)]
    v = combine(parts, _paper_needed("overnet_t2"), "scales (RDN-OSM − Meta-RDN)")
    if v.status == "not run":
        v.evidence = "Meta-RDN and RDN-OSM are trained at the paper profile only (22M parameters each)"
    return v


def _t2_typo(scale_lo: float, scale_hi: float, experiments: tuple, what: str):
    """Erratum check, a direction claim on our curve: does PSNR rise from ``scale_lo`` to ``scale_hi``, as printed?
    (Paired: the same B100 images at both scales.) *Contradicted* means our PSNR falls there, which supports the typo
    reading; the printed rise (the paper's gap) is set against ours in the verdict's second answer."""
    def check(df: pd.DataFrame, profile: str) -> Verdict:
        parts = [(e, decide(scores(df, {"experiment": e, "scale": scale_hi}), scores(df, {"experiment": e, "scale": scale_lo})))
                 for e in experiments]
        v = combine(parts, "the paper profile" if "RDN" in experiments[0] else "", f"rows ({what})")
        if v.status == "not run":
            v.evidence = f"{what}: no cells at ×{scale_lo:g} and ×{scale_hi:g} for these rows"
        return v
    return check


def _t2(experiment: str, scale: float) -> str:
    return db(pv("overnet_t2", experiment=experiment, scale=scale))


def _t2_rise_37() -> str:
    """The printed ×3.6 → ×3.7 rise of the three OverNet rows, as a range (+a–b dB)."""
    rise = [pv("overnet_t2", experiment=e, scale=3.7) - pv("overnet_t2", experiment=e, scale=3.6) for e in T2_VARIANTS]
    return f"+{min(rise):.1f}–{max(rise):.1f} dB"


T2_CLAIMS = [
    Claim("t2_bicubic_over_ps", "OSM-bicubic beats pixelshuffle at every scale ×1.1…×4.0",
          "Table 2; §4.1 'superior results are achieved by a large margin when the proposed overscaling method is "
          "applied'", _t2_pair("OSM-bicubic", "Pixelshuffle"), trained=True, kind="direction"),
    Claim("t2_bilinear_over_ps", "OSM-bilinear beats pixelshuffle at every scale", "Table 2",
          _t2_pair("OSM-bilinear", "Pixelshuffle"), trained=True, kind="direction"),
    Claim("t2_bicubic_over_bilinear", "OSM-bicubic beats OSM-bilinear at every scale",
          "Table 2; §4.1 'Best results are achieved using OSM with bicubic interpolation, which in turn yields better "
          "results than bilinear'", _t2_pair("OSM-bicubic", "OSM-bilinear"), trained=True, kind="direction"),
    Claim("t2_rdn_osm", f"RDN-OSM is better than or comparable to Meta-RDN at every scale (within {MARGINS['psnr']:g} dB)",
          "§4.1 'RDN-OSM achieves better or comparable performance'", _t2_rdn, trained=True, kind="direction"),
    Claim("t2_erratum_ps19", f"Erratum check: Pixelshuffle rises from {_t2('Pixelshuffle', 1.8)} (×1.8) to "
                             f"{_t2('Pixelshuffle', 1.9)} (×1.9) as printed",
          "Table 2, Pixelshuffle row", _t2_typo(1.8, 1.9, ("Pixelshuffle",), "pixelshuffle ×1.8→×1.9"),
          trained=True, kind="direction"),
    Claim("t2_erratum_37", f"Erratum check: the three OverNet rows rise from ×3.6 to ×3.7 as printed ({_t2_rise_37()})",
          "Table 2, ×3.7 column", _t2_typo(3.6, 3.7, ("Pixelshuffle", "OSM-bilinear", "OSM-bicubic"),
                                           "×3.6→×3.7"), trained=True, kind="direction"),
    Claim("t2_erratum_rdn18", f"Erratum check: RDN-OSM rises from {_t2('RDN-OSM', 1.7)} (×1.7) to "
                              f"{_t2('RDN-OSM', 1.8)} (×1.8) as printed",
          "Table 2, OSM-RDN row", _t2_typo(1.7, 1.8, ("RDN-OSM",), "RDN-OSM ×1.7→×1.8"), trained=True,
          kind="direction"),
]


def _t2_plot(df, ax=None):
    import matplotlib.pyplot as plt

    colours = {"Pixelshuffle": "C0", "OSM-bilinear": "C1", "OSM-bicubic": "C2", "Meta-RDN": "C4", "RDN-OSM": "C5"}
    if ax is None:
        fig, (ax, ax2) = plt.subplots(1, 2, figsize=(12, 4))
    else:
        ax2 = ax.twinx()
    d = df[df["psnr"].notna()]
    stats = d.groupby(["experiment", "scale"])["psnr"].agg(["mean", "std", "count"]).reset_index()
    ref = stats[stats["experiment"] == "Pixelshuffle"].set_index("scale")["mean"]
    per_seed_ref = d[d["experiment"] == "Pixelshuffle"].set_index(["seed", "scale"])["psnr"]
    for e, g in stats.groupby("experiment"):
        c = colours.get(e, "k")
        ax.plot(g["scale"], g["mean"], "-", color=c, label=f"{e} (ours)")
        ax.fill_between(g["scale"], g["mean"] - g["std"].fillna(0), g["mean"] + g["std"].fillna(0), color=c,
                        alpha=0.2)
        p = df[(df["experiment"] == e)].drop_duplicates("scale").sort_values("scale")
        ax.plot(p["scale"], p["psnr_paper"], ":", color=c, lw=1)
        if e != "Pixelshuffle" and len(ref):
            de = d[d["experiment"] == e].set_index(["seed", "scale"])["psnr"]
            delta = (de - per_seed_ref).dropna().groupby(level="scale").agg(["mean", "std"])
            ax2.plot(delta.index, delta["mean"], "-", color=c, label=f"{e} − Pixelshuffle (ours, ± seed std)")
            ax2.fill_between(delta.index, delta["mean"] - delta["std"].fillna(0),
                             delta["mean"] + delta["std"].fillna(0), color=c, alpha=0.2)
            pp = p.set_index("scale")["psnr_paper"] - df[df["experiment"] == "Pixelshuffle"].drop_duplicates(
                "scale").set_index("scale")["psnr_paper"]
            ax2.plot(pp.index, pp.values, ":", color=c, lw=1)
    ax.set(xlabel="scale", ylabel="B100 PSNR (dB)", title="Table 2: PSNR (solid: ours ± seed std; dotted: paper)")
    ax2.axhline(0, color="k", lw=0.6)
    ax2.set(xlabel="scale", ylabel="Δ PSNR vs Pixelshuffle (dB)", title="Δ PSNR (solid: ours; dotted: paper)")
    ax.legend(fontsize=7)
    ax2.legend(fontsize=7)
    return ax


T2_NOTES = f"""
**Errata.** (1) Pixelshuffle ×1.9 = {_t2("Pixelshuffle", 1.9)} lies above its ×1.8 ({_t2("Pixelshuffle", 1.8)}) and
×1.7 ({_t2("Pixelshuffle", 1.7)} → {_t2("Pixelshuffle", 1.8)} → {_t2("Pixelshuffle", 1.9)} →
{_t2("Pixelshuffle", 2.0)}). Every other row falls monotonically there, so it is probably a typo for 32.65 (a reading).
(2) The OSM-RDN ×1.8 value, {_t2("RDN-OSM", 1.8)}, is above its ×1.7 ({_t2("RDN-OSM", 1.7)}) and ×1.6
({_t2("RDN-OSM", 1.6)}). It is probably 33.53 (a reading; Meta-RDN: {_t2("Meta-RDN", 1.8)}). (3) In the ×3.7 column the three
OverNet rows ({" / ".join(_t2(e, 3.7) for e in T2_VARIANTS)}) exceed their own ×3.6 values
({" / ".join(_t2(e, 3.6) for e in T2_VARIANTS)}) by
{_t2_rise_37().lstrip("+")}.
Meta-RDN ({_t2("Meta-RDN", 3.7)}) and RDN-OSM ({_t2("RDN-OSM", 3.7)}) fall normally, so the OverNet values are
likely 27.9x. The `t2_erratum_*` verdicts check these readings against our curves (direction claims: does our PSNR
rise there?): *contradicted* means our PSNR falls where the paper prints a rise, which supports the typo reading; the
printed rise is set against ours in the verdict's second answer. (4) The fifth row is labelled "OSM-RDN" in the first
block and "RDN-OSM" in the others. (5) Against the Meta-SR numbers that the ASDN slides quote for Meta-RDN on B100,
Table 2's Meta-RDN row differs at ×1.3 ({_t2("Meta-RDN", 1.3)} vs 38.16), ×1.6 ({_t2("Meta-RDN", 1.6)} vs 34.96),
×2.8 ({_t2("Meta-RDN", 2.8)} vs 29.07) and ×4.0 ({_t2("Meta-RDN", 4.0)} vs 27.79). (6) OSM-bicubic at ×2/×3/×4
({" / ".join(_t2("OSM-bicubic", x) for x in (2.0, 3.0, 4.0))}) equals Table 5's OverNet-M on B100, so these models
use the multi-scale loss. Ours do too: batch scales uniform in [1.1, 4.0], Eq. 9 on the batch scale and on the
scales of {{2, 3, 4}} below it. The paper does not give the training scale distribution.

**Variants.** *Pixelshuffle* is the same network with a ×4 pixel shuffle (two ×2 stages, no overscaling), then
bicubic↓ to the target. *OSM-bilinear* and *OSM-bicubic* overscale ×5 and resize with bilinear or bicubic
interpolation. Meta-RDN and RDN-OSM (22M parameters each) run at the paper profile only. The paper trains them "with
their original training settings", i.e. Meta-SR's scales 1.1–4.0 in steps of 0.1.

**Fractional-scale grid (a trap the paper does not mention).** The LR test image at ×s is `imresize(HR, 1/s)`, whose
pixels sit on s's exact grid, and the output has round(h·s) pixels, which is not h·s at most fractional scales.
`F.interpolate(size=...)`, used by the OSM's resizes and the bicubic skip, maps pixels by the size ratio instead. That
drifts by up to half a pixel across the image. Our first lite run did exactly that, and scoring the same trained
models on the exact grid (`srrepro.models.common.resize`) raised B100 PSNR by several dB at the scales closest to 1
and by hundredths of a dB near ×4. It changed nothing at ×1.5 or ×2.5, where h·s is an integer.
Training is unaffected, because training scales are snapped to the patch grid. Whether the authors' Table 2 code
resizes by size or by scale is not known; Meta-RDN's location projection ⌊i/r⌋ uses the scale.
"""


# ================================================================================================ t3
T3_ARCHS = {  # arch → (zoo model, family of SIZES / PAPER_RECIPES)
    "CARN": ("carn", "carn"),
    "EDSR": ("edsr", "edsr"),
    "RDN": ("rdn", "rdn"),
    "RCAN": ("rcan", "rcan"),
}


def _osm_kwargs(model: str, scale: int, lr_skip: bool = True) -> dict:
    if model in ("rdn", "rcan"):
        return dict(upsampler="osm")  # max_scale defaults to the model's scale
    return dict(upsampler="osm", osm_kwargs={"max_scale": scale, **({} if lr_skip else {"lr_skip": False})})


NO_SKIP = "-OSM (no bicubic skip)"  # method suffix of the diagnostic variant


def t3_variants(arch: str, no_skip_archs: tuple) -> list[tuple[str, bool, bool]]:
    """(method, osm, lr_skip) per architecture. Eq. 8's OSM adds bicubic↑(I_LR) to its output; CARN and EDSR
    have no such global skip, so "X-OSM vs X" changes two things. For the architectures of ``no_skip_archs`` (the
    grid's: CARN and EDSR below the paper profile) a third model, the OSM without that skip, tells the
    overscaling's share of the gain from the skip's (a skip speeds up short training a lot). At the paper profile
    it would add 50 % to a 566 GPU-hour table, so the grid names none there."""
    out = [(arch, False, False), (f"{arch}-OSM", True, True)]
    if arch in no_skip_archs:
        out.append((f"{arch}{NO_SKIP}", True, False))
    return out


def t3_jobs(ctx: RunContext) -> list[Job]:
    jobs = []
    for arch in ctx.grid["archs"]:
        model, fam = T3_ARCHS[arch]
        for s in ctx.grid["scales"]:
            for method, osm, lr_skip in t3_variants(arch, ctx.grid["no_skip_archs"]):
                kw = {**size(fam, ctx.profile), **(_osm_kwargs(model, s, lr_skip) if osm else {})}
                ens = (False, True) if arch in ctx.grid["self_ensemble_archs"] else (False,)
                evs = [{"dataset": d, "scale": float(s), "self_ensemble": e} for d in ctx.grid["datasets"] for e in ens]
                for seed in range(ctx.n_seeds):
                    cfg = train_config(ctx, fam, model, kw, seed, scales=(s,))
                    jobs.append(Job.train({"method": method, "arch": arch, "osm": osm, "seed": seed}, evs, cfg, fam,
                                          {"follows": FOLLOWS_CODE + " (per-scale models, as the released code)"}))
    if ctx.grid["meta_rdn"]:  # Meta-RDN (Set14 column): Table 2's arbitrary-scale Meta-RDN, shared cache
        for seed in range(ctx.n_seeds):
            cfg = train_config(ctx, "meta_rdn", "meta_rdn", {}, seed, scales=T2_SCALES)
            jobs.append(Job.train({"method": "Meta-RDN", "arch": "RDN", "osm": False, "seed": seed},
                                  [{"dataset": "Set14", "scale": float(s), "self_ensemble": False} for s in (2, 3, 4)],
                                  cfg, "meta_rdn", {"follows": FOLLOWS_PAPER + " (Meta-SR, shared with overnet_t2)"}))
    return jobs


def _t3_arch(arch: str):
    def check(df: pd.DataFrame, profile: str) -> Verdict:
        d = df[(df.get("arch") == arch)] if "arch" in df else df.iloc[0:0]
        if "self_ensemble" in d:
            d = d[~d["self_ensemble"].astype(bool)]
        parts, no_skip = [], []
        for (ds, s), _ in d.groupby(["dataset", "scale"]):
            base = scores(d, {"method": arch, "dataset": ds, "scale": s})
            parts.append((f"{ds} ×{s:g}", decide(scores(d, {"method": f"{arch}-OSM", "dataset": ds, "scale": s}), base)))
            no_skip.append((f"{ds} ×{s:g}", decide(scores(d, {"method": f"{arch}{NO_SKIP}", "dataset": ds,
                                                              "scale": s}), base)))
        v = combine(parts, _needed("overnet_t3"), "dataset×scale cells")
        if v.status == "not run":
            v.evidence = f"{arch} is not trained at the {profile} profile"
            v.needed = _paper_needed("overnet_t3")
        elif any(c.status != "not run" for _, c in no_skip):  # the diagnostic: how much of the gain is the skip's
            w = combine(no_skip, "", "cells")
            v.evidence += f". Without Eq. 8's bicubic skip, OSM − {arch}: {w.evidence}"
        return v
    return check


T3_CLAIMS = [Claim(f"t3_{a.lower()}_osm", f"{a}-OSM beats {a} on Set5, Set14 and Urban100 at every scale",
                   "Table 3; §4.1 'all the methods with OSM have higher PSNR than the corresponding baselines at all "
                   "scale factors'", _t3_arch(a), trained=True, kind="direction")
             for a in ("CARN", "EDSR", "RDN", "RCAN")]


def _t3_plot(df, ax=None):
    import matplotlib.pyplot as plt

    ax = ax or plt.subplots(figsize=(8, 3.5))[1]
    d = df[df["psnr"].notna()]
    if "self_ensemble" in d:
        d = d[~d["self_ensemble"].astype(bool)]
    rows = []
    for (arch, ds, s), g in d.groupby(["arch", "dataset", "scale"]):
        pa = df[(df["method"] == f"{arch}-OSM") & (df["dataset"] == ds) & (df["scale"] == s)]["psnr_paper"]
        pb = df[(df["method"] == arch) & (df["dataset"] == ds) & (df["scale"] == s)]["psnr_paper"]
        base, no_skip = per_seed(g, {"method": arch}), per_seed(g, {"method": f"{arch}{NO_SKIP}"})
        rows.append((f"{arch} {ds} ×{s:g}", per_seed(g, {"method": f"{arch}-OSM"}), base, pa, pb))
        if not no_skip.empty:  # no paper value: the paper has no such row
            rows.append((f"{arch} {ds} ×{s:g}\nOSM w/o skip", no_skip, base, pd.Series(dtype=float),
                         pd.Series(dtype=float)))
    gap_bars(ax, rows, rotation=60)
    ax.set(ylabel="Δ PSNR, OSM − baseline (dB)", title="Table 3: gain from the OSM per architecture")
    ax.legend(fontsize=8)
    return ax


def _t3(method: str, dataset: str, scale: float) -> str:
    return db(pv("overnet_t3", method=method, dataset=dataset, scale=scale))


T3_NOTES = f"""
**Errata and readings.** (1) The "EDSR" column is EDSR+ (self-ensemble). All nine cells equal the EDSR slides'
EDSR+ column (Set5 ×2 {_t3("EDSR", "Set5", 2.0)}, Urban100 ×4 {_t3("EDSR", "Urban100", 4.0)}), not plain EDSR
(38.11, 26.64). Table 8 quotes plain EDSR ({db(pv("overnet_t8", method="EDSR"))}). Whether EDSR-OSM was
self-ensembled is not said. At the paper profile we score EDSR and EDSR-OSM both ways (`self_ensemble`), and the
paper value appears on both rows. (2) RDN Set5 ×4 ({_t3("RDN", "Set5", 4.0)}) is not below RDN's own value: the ASDN
slides quote RDN at 32.47 too, so this study's sources show no erratum there. The one RDN cell that differs between
our sources is Urban100 ×2 ({_t3("RDN", "Urban100", 2.0)} here, 32.96 in the ASDN slides; this table's RDN-OSM value
is {_t3("RDN-OSM", "Urban100", 2.0)}). (3) Meta-RDN is given for Set14 only; at the paper profile we reuse Table 2's
arbitrary-scale Meta-RDN. (4) The paper says the OSM models were "trained on DIV2K for all scale factors while
applying their original training settings", but not whether one model covers all scales. We train one model per
scale for both the baseline and the OSM variant (the released OverNet code's regime), so only the up-sampler differs.

**What "X-OSM" changes.** Eq. 8's OSM adds bicubic↑(I_LR) to its output. CARN and EDSR have no such global skip, so
X-OSM differs from X in two ways: the overscaling and a bicubic skip. Below the paper profile a third model, *X-OSM (no
bicubic skip)*, separates the two. The verdicts report both. At the paper profile the third model is not run,
because it would add half again to a {PAPER_GPU_HOURS["overnet_t3"]} GPU-hour table. The paper does not say whether
its X-OSM models kept the skip.
"""


# ================================================================================================ t4
T4_OVERSCALES = {3: 2, 4: 3, 5: 4, 8: 4}  # overscale → maximum scale N (Table 4 rows)


def t4_jobs(ctx: RunContext) -> list[Job]:
    jobs = []
    for os_, n in T4_OVERSCALES.items():
        arch = {} if os_ == n + 1 else {"overscale": os_}
        counts = {"max_scale": n, "params": params("overnet", scale=n, **arch),
                  "params_code": params("overnet", scale=n, official=True, **arch)}
        evs = [{"dataset": "Set5", "scale": float(s)} for s in range(2, n + 1)]
        for regime in ctx.grid.get("regimes", ("single-scale",)):
            for seed in range(ctx.n_seeds):
                if regime == "single-scale":
                    cfg = overnet_config(ctx, seed, n, **arch)
                    follows = FOLLOWS_CODE + f" (trained at ×{n} only, L1; scored at ×2…×{n} through the OSM)"
                elif n == 2:  # Eq. 9 on {2} alone is plain L1 at ×2: the same model as the single-scale one
                    cfg = overnet_config(ctx, seed, n, **arch)
                    follows = FOLLOWS_PAPER + " (max scale 2: the multi-scale loss reduces to L1 at ×2)"
                else:
                    kw = overnet_kwargs(ctx.profile, max_scale=n, **arch)
                    scales = tuple(range(2, n + 1))
                    cfg = train_config(ctx, "overnet", "overnet", kw, seed, scales=scales, loss="ms_l1",
                                       ms_scales=scales)
                    follows = FOLLOWS_PAPER + f" (max scale {n}, multi-scale loss on ×2…×{n})"
                jobs.append(Job.train({"overscale": os_, "regime": regime, "seed": seed}, evs, cfg, "overnet",
                                      {**counts, "follows": follows}))
    return jobs


# Table 4's Parameters column, read as the full released-code model (×5 matches it) or as ours in paper mode
T4_COUNTING = ("released code, full model", "params_code")


def _t4_params(df: pd.DataFrame, profile: str) -> Verdict:
    return _counts_exact(df, "overscale", lambda o: f"overscale ×{o}", T4_COUNTING)


def _t4_larger(regime: str):
    def check(df: pd.DataFrame, profile: str) -> Verdict:
        d = df[df["regime"] == regime] if "regime" in df else df.iloc[0:0]
        parts = []
        for s, pairs_ in ((2.0, ((4, 3), (5, 4), (5, 3))), (3.0, ((5, 4),))):
            for hi, lo in pairs_:
                parts.append((f"×{s:g}: N={T4_OVERSCALES[hi]} vs N={T4_OVERSCALES[lo]}",
                              decide(scores(d, {"overscale": hi, "scale": s}), scores(d, {"overscale": lo, "scale": s}))))
        v = combine(parts, _needed("overnet_t4"), "comparisons")
        if v.status == "not run":
            v.evidence = f"the {regime} regime is not trained at the {profile} profile"
            v.needed = _paper_needed("overnet_t4")
        return v
    return check


def _t4_x8(df: pd.DataFrame, profile: str) -> Verdict:
    d = df[df["regime"] == "single-scale"]
    parts = [(f"×{s:g}", decide(scores(d, {"overscale": 8, "scale": s}), scores(d, {"overscale": 5, "scale": s})))
             for s in (2.0, 3.0, 4.0)]
    return combine(parts, _needed("overnet_t4"), "scales")


T4_CLAIMS = [
    Claim("t4_larger_n", "Training for a larger maximum scale N helps the smaller scales (Set5 ×2, ×3); models "
                         "trained at ×N only (the reading Table 4's diagonal supports)",
          "Table 4; §4.1 'training a larger scale seems to be always beneficial for lower scales'",
          _t4_larger("single-scale"), trained=True, kind="direction"),
    Claim("t4_larger_n_ms", "Training for a larger maximum scale N helps the smaller scales (Set5 ×2, ×3); models "
                            "trained with the multi-scale loss on ×2…×N",
          "Table 4; §4.1 'training a larger scale seems to be always beneficial for lower scales'",
          _t4_larger("multi-scale"), trained=True, kind="direction"),
    Claim("t4_x8", "Overscaling ×8 slightly improves PSNR over ×5 at ×2, ×3 and ×4",
          "Table 4; §4.1 'Overscaling to higher scales slightly improves the PSNR'", _t4_x8,
          trained=True, kind="direction"),
    Claim("t4_params", "#Params: " + ", ".join(f"{_kilo(pv('overnet_t4', 'params', overscale=o, scale=2.0))} (×{o})"
                                               for o in T4_OVERSCALES), "Table 4, Parameters column",
          _t4_params, kind="exact", readings={"our model (paper mode), full": counting("our model (paper mode), full",
                                                                                      "params")}),
]


def _t4_plot(df, ax=None):
    import matplotlib.pyplot as plt

    ax = ax or plt.subplots(figsize=(6, 3.5))[1]
    d = df[df["psnr"].notna()]
    for (os_, regime), g in d.groupby(["overscale", "regime"]):
        st = g.groupby("scale")["psnr"].agg(["mean", "std"])
        ax.errorbar(st.index + 0.03 * os_, st["mean"], yerr=st["std"].fillna(0), marker="o", capsize=3,
                    ls="-" if regime == "single-scale" else "--", label=f"overscale ×{os_} ({regime})")
    ax.set(xlabel="test scale", ylabel="Set5 PSNR, ours (dB)", title="Table 4: generalisation across scales")
    ax.set_xticks([2, 3, 4])
    ax.legend(fontsize=7)
    return ax


_T4_PRINTED = {o: pv("overnet_t4", "params", overscale=o, scale=2.0) for o in T4_OVERSCALES}
T4_NOTES = f"""
**Errata and readings.** (1) ×8 is printed with fewer parameters ({_kilo(_T4_PRINTED[8])}) than ×5
({_kilo(_T4_PRINTED[5])}). That is arithmetic, not a typo: ×8 is three grouped ×2 pixel-shuffle stages, ×5 one ×5
stage whose conv has 25·64 outputs (§4.1: "×4 and ×8 are composed of multiple consecutive ×2 operations"). Our exact
counts (`params_code`, released code) order them the same way. (2) The counts do not follow one counting. ×5 matches
the full released-code model (`params_code`, to the thousand). ×3 ({_kilo(_T4_PRINTED[3])}) and ×8
({_kilo(_T4_PRINTED[8])}) lie a little below the full counts, by about the size of the exit conv plus the mean
shifts. ×4 ({_kilo(_T4_PRINTED[4])}) matches no counting, and {_kilo(_T4_PRINTED[4])} is Table 1's config 4. (3) The
diagonal (×3 row at ×2: {db(pv("overnet_t4", overscale=3, scale=2.0))}, ×4 row at ×3:
{db(pv("overnet_t4", overscale=4, scale=3.0))}, ×5 row at ×4: {db(pv("overnet_t4", overscale=5, scale=4.0))}) equals
Table 5's OverNet-S, the single-scale models. So Table 4's models look like the released code's models trained at ×N,
scored at lower scales through the OSM. The paper says only that models "target a maximum scale N". Lite trains that
reading (`regime` single-scale, shared with overnet_t1/t5/t6). The paper profile adds the multi-scale-loss reading.
(4) The `t4_params` verdict reads the Parameters column, by default, as the full released-code model (the counting ×5
matches) and shows our paper-mode model as the other reading; its evidence gives each count that is off.
"""


# ================================================================================================ t5
def t5_jobs(ctx: RunContext) -> list[Job]:
    jobs, dsets = [], ctx.grid.get("datasets", ("Set5", "B100", "Urban100"))
    for seed in range(ctx.n_seeds):
        for s in (2, 3, 4):
            jobs.append(Job.train({"model": "OverNet-S", "seed": seed}, [{"dataset": d, "scale": float(s)} for d in dsets],
                                  overnet_config(ctx, seed, s), "overnet",
                                  {"follows": FOLLOWS_CODE + " (L1 at one scale)"}))
        jobs.append(Job.train({"model": "OverNet-M", "seed": seed},
                              [{"dataset": d, "scale": float(s)} for d in dsets for s in (2, 3, 4)],
                              overnet_config(ctx, seed, multi=True), "overnet",
                              {"follows": FOLLOWS_PAPER + " (max scale 4, Eq. 9 on {2,3,4})"}))
    return jobs


_t5_check = beats_per_cell("model", "OverNet-M", "OverNet-S", "or the paper profile")


T5_CLAIMS = [Claim("t5_multiscale_loss", "A multi-scale loss (one model) beats single-scale training on every "
                                         "dataset and scale", "Table 5; §4.1 'the model trained with multi-scale loss "
                                                              "achieves better performance with a large margin'",
                   _t5_check, trained=True, kind="direction")]


def _t5_plot(df, ax=None):
    import matplotlib.pyplot as plt

    ax = ax or plt.subplots(figsize=(7, 3.5))[1]
    rows = []
    for (ds, s), g in df[df["psnr"].notna()].groupby(["dataset", "scale"]):
        rows.append((f"{ds} ×{s:g}", per_seed(g, {"model": "OverNet-M"}), per_seed(g, {"model": "OverNet-S"}),
                     g[g["model"] == "OverNet-M"]["psnr_paper"], g[g["model"] == "OverNet-S"]["psnr_paper"]))
    gap_bars(ax, rows, rotation=45)
    ax.set(ylabel="OverNet-M − OverNet-S (dB)", title="Table 5: multi-scale vs single-scale loss")
    ax.legend(fontsize=8)
    return ax


T5_NOTES = """
**Readings.** OverNet-S equals Table 6's OverNet in all nine cells and Table 4's diagonal. These are the released
code's per-scale models (here: the models shared with overnet_t1/t4/t6). OverNet-M is the paper's single model. Its
B100 values equal Table 2's OSM-bicubic at ×2/×3/×4. The comparison therefore mixes two changes: the loss, and
one model versus three. The paper does not separate them, and neither do we (the lite budget holds one control at
most). Where Eq. 9's lower-scale targets come from is left open ("a bank of bicubic interpolators"). We use torch's
antialiased bicubic on the HR patch (srrepro.losses).
"""


# ================================================================================================ t6
def _mult_adds(model: str, **kwargs) -> float:
    """Multiply-adds for a 1280×720 SR output (Table 6's convention): FLOPs/2 per LR pixel × 1280·720/s²."""
    s = float(kwargs.get("scale") or kwargs.get("max_scale") or 4)
    return flops_per_px(model, json.dumps(kwargs, sort_keys=True), s, False) / 2 * 1280 * 720 / s ** 2


ALL_SETS = ("Set5", "Set14", "B100", "Urban100")


def t6_jobs(ctx: RunContext) -> list[Job]:
    jobs = []
    dsets = ctx.grid.get("datasets", ALL_SETS)
    for seed in range(ctx.n_seeds):
        for s in (2, 3, 4):
            evs = [{"dataset": d, "scale": float(s)} for d in dsets]
            for method, arch in (("OverNet", {}), ("OverNet w/o OSM", {"osm": False})):
                full = {"scale": s, **arch}
                jobs.append(Job.train({"method": method, "seed": seed}, evs, overnet_config(ctx, seed, s, **arch),
                                      "overnet",
                                      {"follows": FOLLOWS_CODE + " ('we train our models individually for each "
                                                                 "scale factor')",
                                       "params": params("overnet", **full),
                                       "mult_adds": _mult_adds("overnet", **full), "measured": "trained here"}))
    evs = [{"dataset": d, "scale": float(s)} for d in dsets for s in (2, 3, 4)]
    jobs.append(Job.official({"method": "CARN", "seed": 0}, evs, "carn",
                             {"follows": "official weights (multi-scale CARN)", "measured": "official weights",
                              "params": params("carn", multi_scale=True)}))
    jobs.append(Job.official({"method": "CARN-M (not in Table 6)", "seed": 0}, evs, "carn_m",
                             {"follows": "official weights (multi-scale CARN-M)", "measured": "official weights",
                              "params": params("carn_m", multi_scale=True)}))
    for name in printed_methods("overnet_t6"):
        if name not in ("CARN", "OverNet", "OverNet w/o OSM"):
            jobs.append(Job.reported({"method": name, "seed": 0}, evs,
                                     {"status": "reported only: no model/weights in this study", "measured": "no"}))
    return jobs


_t6_osm = beats_per_cell("method", "OverNet", "OverNet w/o OSM", "or the paper profile")


def _vs_reported(df: pd.DataFrame, cells: tuple, others: pd.Series, what: str, needed: str) -> Verdict:
    """Direction: OverNet (ours, per seed and image) beats the best printed value of the ``others`` rows in each
    cell (a constant arm); the paper's gap is OverNet's printed value − that best one."""
    rep = df[others & df["psnr_paper"].notna()]
    parts = []
    for key, g in rep.groupby(list(cells)):
        where = dict(zip(cells, key))
        best = g.loc[g["psnr_paper"].idxmax()]
        a = scores(df, {"method": "OverNet", **where})
        b = pd.Series(float(best["psnr_paper"]), index=a.index)
        b.attrs = {"metric": "psnr", "paper": float(best["psnr_paper"])}
        label = " ".join(f"×{v:g}" if c == "scale" else str(v) for c, v in where.items())
        parts.append((f"{label} (vs {best['method']})", decide(a, b)))
    v = combine(parts, needed, what)
    if v.status == "not run":
        v.evidence = "no OverNet cell computed"
    return v


def _t6_sota(df: pd.DataFrame, profile: str) -> Verdict:
    if not FULL_RECIPE[profile]:
        return Verdict("inconclusive", "only paper-profile OverNets (DIV2K, 6e5 iterations) can be set against the "
                                       "published numbers of fully trained methods",
                       _paper_needed("overnet_t6"))
    return _vs_reported(df, ("dataset", "scale"), ~df["method"].isin(["OverNet", "OverNet w/o OSM"]),
                        "dataset × scale cells (OverNet − best reported other method)", _paper_needed("overnet_t6"))


def _t6_size(df: pd.DataFrame, profile: str) -> Verdict:
    """Exact: the header's parameters (M) and multiply-adds (T) (one decimal as printed) at every scale."""
    d = df[df["method"] == "OverNet"].drop_duplicates("scale").set_index("scale").sort_index()
    if d.empty:
        return Verdict("not run", "no OverNet row", _needed("overnet_t6"))
    head = next(c for c in printed("overnet_t6") if c["method"] == "OverNet")  # the header: the same in every cell
    p, ma = head["params"] / 1e6, head["mult_adds"] / 1e12
    cells = [c for s in d.index for c in ((f"×{s:g} parameters (M)", d.loc[s, "params"] / 1e6, p, 1),
                                          (f"×{s:g} multiply-adds (T)", d.loc[s, "mult_adds"] / 1e12, ma, 1))]
    return exact(cells, f"header values ({p:g}M parameters, {ma:g}T multiply-adds at every scale)")


T6_CLAIMS = [
    Claim("t6_osm", "OverNet beats OverNet w/o OSM on every dataset and scale",
          "Table 6; §4.2.1 'combining the proposed feature extractor and OSM together further increases performance'",
          _t6_osm, trained=True, kind="direction"),
    Claim("t6_sota", "OverNet beats every listed lightweight method on every dataset and scale",
          "Table 6; §4.2.1 'OverNet exceeds all the previous methods on numerous benchmark dataset'", _t6_sota,
          trained=True, kind="direction"),
    Claim("t6_size", f"OverNet has {_mega(pv('overnet_t6', 'params', method='OverNet', dataset='Set5', scale=2.0))} "
                     f"parameters and {pv('overnet_t6', 'mult_adds', method='OverNet', dataset='Set5', scale=2.0) / 1e12:g}T "
                     "multiply-adds (1280×720 output) at ×2, ×3 and ×4",
          "Table 6 header", _t6_size, kind="exact"),
]


def _t6_plot(df, ax=None):
    import matplotlib.pyplot as plt

    ax = ax or plt.subplots(figsize=(8, 3.5))[1]
    d = df[df["psnr"].notna()]
    for i, (m, g) in enumerate(d.groupby("method")):
        st = g.groupby(["dataset", "scale"])["psnr"].agg(["mean", "std"]).reset_index()
        labels = st["dataset"] + " ×" + st["scale"].map("{:g}".format)
        ax.errorbar(np.arange(len(st)) + 0.1 * i, st["mean"], yerr=st["std"].fillna(0), fmt="o", label=f"{m} (ours)")
        ax.set_xticks(np.arange(len(st)), labels, rotation=60, fontsize=7)
    p = df[df["method"] == "OverNet"].drop_duplicates(["dataset", "scale"])
    ax.plot(np.arange(len(p)), p.sort_values(["dataset", "scale"])["psnr_paper"].to_numpy(), "k_", ms=14,
            label="OverNet (paper)")
    ax.set(ylabel="PSNR (dB)", title="Table 6 (BI): measured rows")
    ax.legend(fontsize=7)
    return ax


def _t6(method: str, dataset: str, scale: float, metric: str = "psnr") -> float:
    return pv("overnet_t6", metric, method=method, dataset=dataset, scale=scale)


T6_NOTES = f"""
**Errata.** (1) MemNet Set5 ×2 is printed {db(_t6("MemNet", "Set5", 2.0))}, barely above bicubic (33.66) and ~4 dB
under its neighbours. The ASDN slides quote MemNet at 37.78, so it is a typo. (2) SRFBN_S Set5 ×2 SSIM
{_t6("SRFBN_S", "Set5", 2.0, "ssim"):.4f} is far too low for {db(_t6("SRFBN_S", "Set5", 2.0))} dB; it equals
SRFBN_S's own Set14 ×2 SSIM ({_t6("SRFBN_S", "Set14", 2.0, "ssim"):.4f}), so a copied cell. (3) SRFBN_S Urban100 ×3
({db(_t6("SRFBN_S", "Urban100", 3.0))}/{_t6("SRFBN_S", "Urban100", 3.0, "ssim"):.4f}) and ×4
({db(_t6("SRFBN_S", "Urban100", 4.0))}/{_t6("SRFBN_S", "Urban100", 4.0, "ssim"):.4f}) fall below VDSR, and ×4
contradicts Table 8's SRFBN_S Urban100 ×4 PSNR ({db(pv("overnet_t8", method="SRFBN_S"))}). (4) LapSRN Set14 ×4 SSIM
{_t6("LapSRN", "Set14", 4.0, "ssim"):.4f} is ~0.03 above every other method; the ASDN slides quote 0.772. (5) Table 6
lists MemNet at {_mega(_t6("MemNet", "Set5", 2.0, "params"))} and SRFBN_S at
{_mega(_t6("SRFBN_S", "Set5", 2.0, "params"))} parameters, Table 8 at {_mega(pv("overnet_t8", "params", method="MemNet"))}
and {_mega(pv("overnet_t8", "params", method="SRFBN_S"))}. MemNet Urban100 ×4 is {db(_t6("MemNet", "Urban100", 4.0))}
here and {db(pv("overnet_t8", method="MemNet"))} in Table 8. (6) "DRNN" is DRRN. (7) OverNet is labelled
{_mega(_t6("OverNet", "Set5", 2.0, "params"))} / {_t6("OverNet", "Set5", 2.0, "mult_adds") / 1e12:g}T for all scales.
Our exact counts (columns `params` and `mult_adds`, 1280×720 output) round to that at ×2 (the parameters also at
×3): the ×4 model is larger (its ×5 overscaling conv alone has 25·64 output channels), and the multiply-adds fall
with the scale, so "{_t6("OverNet", "Set5", 2.0, "mult_adds") / 1e12:g}T" is the ×2 figure (the `t6_size` verdict
lists the cells that are off). The `params` column gives OverNet w/o OSM's counts too.

**Rows.** OverNet and OverNet w/o OSM are trained here, one model per scale as the paper says for this table. CARN
is measured with its official weights when `weights/official/carn.pth` is present (it is not in the data mirror).
CARN-M (official weights, in the mirror) is an extra reference row that is not in the paper. It is scored on the same
images as our models, which puts the lite models' distance to a fully trained lightweight network in view. Every other
column is shown as reported.
"""


# ================================================================================================ t7
T7_DATASETS = ("Set5", "Set14", "B100", "Urban100")
T7_SMOKE_NOISE_SEEDS = 1  # the grid's dn_noise_seeds at smoke (lite and paper: table bicubic's DN_SEEDS)


def t7_jobs(ctx: RunContext) -> list[Job]:
    jobs, dsets = [], ctx.grid.get("datasets", T7_DATASETS)
    for seed in range(ctx.n_seeds):
        for deg, variant in (("BD", "blur_first"), ("DN", "σ=30")):
            evs = [{"dataset": d, "degradation": deg, "variant": variant, "scale": 3.0} for d in dsets]
            for method, arch in (("OverNet", {}), ("OverNet w/o OSM", {"osm": False})):
                jobs.append(Job.train({"method": method, "seed": seed}, evs,
                                      overnet_config(ctx, seed, 3, degradation=deg, **arch), "overnet",
                                      {"follows": FOLLOWS_CODE + f" (×3, trained on {deg} LR)"}))
    evs = [{"dataset": d, "degradation": g, "variant": "-", "scale": 3.0} for d in dsets for g in ("BD", "DN")]
    for name in printed_methods("overnet_t7"):
        if name not in ("Bicubic", "OverNet", "OverNet w/o OSM"):
            jobs.append(Job.reported({"method": name, "seed": 0}, evs,
                                     {"status": "reported only: no model/weights in this study"}))
    return jobs


def t7_bicubic_rows(ctx: RunContext) -> pd.DataFrame:
    """The Bicubic column, computed by table ``bicubic``'s own cell function (so the numbers are identical)."""
    from ..study.bicubic import BD_READINGS, compute_cell

    rows = []
    for d in ctx.grid.get("datasets", T7_DATASETS):
        cells = [dict(dataset=d, scale=3.0, degradation="BD", variant=r, seeds=1) for r in BD_READINGS]
        cells.append(dict(dataset=d, scale=3.0, degradation="DN", variant="σ=30", seeds=ctx.grid["dn_noise_seeds"]))
        for c in cells:
            keys = {"method": "Bicubic", "seed": 0, "dataset": d, "degradation": c["degradation"],
                    "variant": c["variant"], "scale": 3.0}
            if not select([keys], ctx.only):
                continue
            for r in compute_cell(c, ctx.data_root):
                if r["y"] == "float":
                    rows.append({**keys, **{k: v for k, v in r.items() if k not in keys and k != "y"},
                                 "follows": "no model (exact)", "iterations": 0, "train_seconds": 0.0})
    return pd.DataFrame(rows)


# The order of BD's blur and subsampling is a reading of the paper (§4's text: bicubic↓ then blur; RDN, whose protocol
# Table 7 follows: blur then subsample). The default is RDN's, the one our models are trained and scored on.
T7_BD_READING = "blur_first"


def _bd_reading(variant: str):
    """The reading under which the BD Bicubic column is ``variant`` (the other variant's rows are dropped)."""
    def apply(rows: pd.DataFrame) -> pd.DataFrame:
        other = (rows["method"] == "Bicubic") & (rows["degradation"] == "BD") & (rows["variant"] != variant)
        return rows[~other]
    return apply


def _t7_bicubic(df: pd.DataFrame, profile: str) -> Verdict:
    """Exact: the Bicubic column reproduced to its printed last digit (2 decimals). BD is deterministic; DN adds
    noise, and the paper's draw is one sample of the spread over our noise seeds, so a DN cell with a measured
    spread is allowed 2σ of it (exact() takes one tolerance per call: one call per DN cell, folded here)."""
    d = df[(df["method"] == "Bicubic") & df["psnr"].notna() & df["psnr_paper"].notna()]
    bd = d[d["degradation"] == "BD"]
    if bd["variant"].nunique() > 1:  # both orders computed: the default reading
        bd = _bd_reading(T7_BD_READING)(bd)
    parts = []
    if len(bd):
        parts.append(exact([(f"{r.dataset} BD", r.psnr, r.psnr_paper, 2) for r in bd.itertuples()],
                           f"BD cells ({bd['variant'].iloc[0]})"))
    dn, off = d[d["degradation"] == "DN"], []
    for r in dn.itertuples():
        two_sigma = 2 * r.psnr_std if not math.isnan(r.psnr_std) else 0.0
        cell = [(f"{r.dataset} DN", r.psnr, r.psnr_paper, 2)]
        v = (exact(cell, "DN cell", two_sigma, "2σ of our noise seeds") if two_sigma > half_unit(2)
             else exact(cell, "DN cell"))
        parts.append(v)
        if v.status == "contradicted":
            off.append(f"{r.dataset} DN: ours {r.psnr:.4f}, printed {r.psnr_paper:.2f} "
                       + (f"(2σ = {two_sigma:.3f})" if two_sigma else "(one noise seed: no spread)"))
    if not parts:
        return Verdict("not run", "no bicubic cell computed", "run the table")
    ev = [parts[0].evidence] if len(bd) else []
    if len(dn):
        ev.append(f"{len(dn) - len(off)}/{len(dn)} DN cells within 2σ of our noise seeds (half a unit of the last "
                  f"digit where that is wider)" + (f"; off: {'; '.join(off)}" if off else ""))
    bad = any(v.status == "contradicted" for v in parts)
    return Verdict("contradicted" if bad else "holds", "; ".join(ev), kind="exact",
                   decided_by="printed precision (2 decimals); DN: 2σ of our noise seeds where wider")


_t7_osm = beats_per_cell("method", "OverNet", "OverNet w/o OSM", "or the paper profile", cells=("dataset", "degradation"))


def _t7_best(df: pd.DataFrame, profile: str) -> Verdict:
    if not FULL_RECIPE[profile]:
        return Verdict("inconclusive", "lite models cannot be set against published fully trained methods",
                       _paper_needed("overnet_t7"))
    return _vs_reported(df, ("dataset", "degradation"),
                        ~df["method"].isin(["OverNet", "OverNet w/o OSM", "Bicubic", "RDN"]),
                        "dataset × degradation cells (OverNet − best reported similar-capacity method)",
                        _paper_needed("overnet_t7"))


# the printed gap must carry the statement's sign by at least one unit of the printed last digit (PSNR 2, SSIM 4)
PRINTED_UNIT = {"psnr": 0.01, "ssim": 0.0001}


def printed_gaps(printed: pd.DataFrame, a: str, b: str, where: dict, metrics=("psnr", "ssim")) -> dict:
    """``(dataset, metric) → printed(a) − printed(b)`` over the cells of ``where`` that print both methods
    (``printed``: the spec's paper values, one row per cell, metrics as columns)."""
    d = printed[(printed[list(where)] == pd.Series(where)).all(axis=1)]
    out = {}
    for m in metrics:
        p = d.dropna(subset=[m]).pivot(index="dataset", columns="method", values=m)
        if a in p and b in p:
            out.update({(ds, m): g for ds, g in (p[a] - p[b]).dropna().items()})
    return out


_t7_rdn_ours = beats_per_cell("method", "OverNet", "RDN", "or the paper profile", cells=("dataset",))


def _t7_rdn_dn(df: pd.DataFrame, profile: str) -> Verdict:
    """Exact kind, on the paper's own numbers (all of Table 7's printed cells, at every profile): the statement holds
    when every DN cell prints OverNet above RDN in PSNR and SSIM by at least one unit of the printed last digit, and
    some BD cell prints RDN above ("RDN performs slightly better in some BD datasets"). Our side needs a ×3 RDN trained
    on DN (22M parameters), which no profile trains here: it says "not run" until the rows measure RDN."""
    cells = pd.DataFrame(printed("overnet_t7"))  # every printed cell, whatever datasets this profile scores
    dn = printed_gaps(cells, "OverNet", "RDN", {"degradation": "DN"})
    bd = printed_gaps(cells, "OverNet", "RDN", {"degradation": "BD"}, metrics=("psnr",))
    short = [f"{ds} {m.upper()} {g:+.4g}" for (ds, m), g in dn.items() if g < PRINTED_UNIT[m] - 1e-9]
    rdn_bd = [ds for (ds, _), g in bd.items() if g < 0]
    psnr = ", ".join(f"{ds} {g:+.2f}" for (ds, m), g in dn.items() if m == "psnr")
    ev = (f"printed OverNet − RDN under DN (PSNR, dB): {psnr}; SSIM gaps "
          f"{min(g for (_, m), g in dn.items() if m == 'ssim'):+.4f} to "
          f"{max(g for (_, m), g in dn.items() if m == 'ssim'):+.4f}; "
          f"{len(dn) - len(short)}/{len(dn)} DN cells favour OverNet by at least one printed unit"
          + (f" (not: {'; '.join(short)})" if short else "")
          + f"; BD: RDN printed above OverNet on {', '.join(rdn_bd) or 'no dataset'} (PSNR)")
    dn_rows = df[df["degradation"] == "DN"]
    if dn_rows.loc[dn_rows["method"] == "RDN", "psnr"].notna().any():  # both models measured: ours beside the print
        ours = _t7_rdn_ours(dn_rows, profile)
        ev += f"; ours ({ours.status}): {ours.evidence}"
    else:
        ev += ("; ours: not run: no ×3 RDN trained on DN LR images in this study (22M parameters; Table 7's RDN "
               "column is shown as reported)")
    ok = not short and bool(rdn_bd)
    return Verdict("holds" if ok else "contradicted", ev, kind="exact",
                   decided_by="the paper's own printed values: every DN gap at least one unit of the last printed "
                              "digit (0.01 dB, 0.0001 SSIM) in OverNet's favour, and RDN above on some BD set")


T7_CLAIMS = [
    Claim("t7_bicubic", "The Bicubic column is MATLAB bicubic under RDN's BD and DN degradations (×3)",
          "Table 7, Bicubic column; §4 'Degradation models'", _t7_bicubic, kind="exact",
          readings={"§4's text: bicubic↓, then blur": _bd_reading("bicubic_first")}),
    Claim("t7_osm", "OverNet beats OverNet w/o OSM under BD and DN on every dataset", "Table 7", _t7_osm,
          trained=True, kind="direction"),
    Claim("t7_best", "OverNet beats every similar-capacity method (SPMSR … SRMD(NF)) under BD and DN",
          "Table 7; §4.2.2 'Our models achieve the best PSNR and SSIM scores over other SR methods with similar "
          "capacity'", _t7_best, trained=True, kind="direction"),
    Claim("t7_rdn_dn", "OverNet beats RDN under DN on every dataset, while RDN is slightly better on some BD sets",
          "Table 7, OverNet and RDN columns; §4.2.2 'RDN performs slightly better in some BD datasets but not in DN "
          "datasets. Thanks to OSM, OverNet is able to reduce the DN degradation to obtain better results when "
          "compared to RDN'", _t7_rdn_dn, kind="exact"),
]


def _t7_plot(df, ax=None):
    import matplotlib.pyplot as plt

    ax = ax or plt.subplots(figsize=(8, 3.5))[1]
    d = df[df["psnr"].notna() & df["method"].isin(["OverNet", "OverNet w/o OSM", "Bicubic"])]
    if "variant" in d:
        d = d[d["variant"] != "bicubic_first"]
    cells = sorted({(r.dataset, r.degradation) for r in d.itertuples()})
    x = {c: i for i, c in enumerate(cells)}
    for j, (m, g) in enumerate(d.groupby("method")):
        st = g.groupby(["dataset", "degradation"])["psnr"].agg(["mean", "std"])
        ax.errorbar([x[c] + 0.1 * j for c in st.index], st["mean"], yerr=st["std"].fillna(0), fmt="o", label=m)
        p = df[(df["method"] == m)].drop_duplicates(["dataset", "degradation"]).set_index(["dataset", "degradation"])
        ax.plot([x[c] + 0.1 * j for c in st.index if c in p.index], [p.loc[c, "psnr_paper"] for c in st.index
                                                                       if c in p.index], "_", ms=12, color="k")
    ax.set_xticks(range(len(cells)), [f"{a} {b}" for a, b in cells], rotation=45, fontsize=8)
    ax.set(ylabel="PSNR ×3 (dB)", title="Table 7: ours (dots ± seed std) and paper (black ticks)")
    ax.legend(fontsize=7)
    return ax


def _t7(method: str, dataset: str, degradation: str) -> str:
    return db(pv("overnet_t7", method=method, dataset=dataset, degradation=degradation))


T7_NOTES = f"""
**Errata and readings.** (1) The §4 text defines "DB" as bicubic downsampling *then* blur; RDN (whose protocol
Table 7 follows, "Following [41]") blurs first and then subsamples. The Bicubic column is computed under both
readings (`variant`). The `t7_bicubic` verdict is judged under both; its default reading is RDN's blur-first
order, the protocol Table 7 says it follows (the same cells as table `bicubic`'s OverNet rows). Our models are
trained and scored on RDN's blur-first BD: `srrepro.evaluate.evaluate` has no BD-order argument, and the training
sampler uses the default order too. (2) The table's header says "DB", the text says
both "DB" and **BD**. (3) In the paper's own numbers OverNet beats RDN on Set5 BD ({_t7("OverNet", "Set5", "BD")} vs
{_t7("RDN", "Set5", "BD")}), although the text
says RDN "performs slightly better in some BD datasets". That holds for Set14, B100 and Urban100; the DN half
("but not in DN datasets") is the claim `t7_rdn_dn`, judged on the printed columns (OverNet above RDN in every DN
cell, by one to two units of the last digit). (4) FSRCNN's BD
PSNRs lie below bicubic on every dataset (e.g. Set5 {_t7("FSRCNN", "Set5", "BD")} vs {_t7("Bicubic", "Set5", "BD")}). (5) Table 7's BD bicubic values match neither
reading: blur-first lands tenths of a dB above the printed values, bicubic-first several dB below (the `t7_bicubic`
evidence gives each cell under both readings; see also table `bicubic`'s OverNet rows). The DN column is allowed 2σ
of our noise seeds, since the paper's noise draw is one sample of that spread; Set14 differs by more (table
`bicubic` traces it to Set14's greyscale image).
"""


# ================================================================================================ t8
T8_MODELS = {  # measured here: name → (zoo model, kwargs); the ×4 models of Table 8
    "OverNet": ("overnet", dict(scale=4)),
    "EDSR": ("edsr", dict(scale=4)),
    "RDN": ("rdn", dict(scale=4)),
    "Meta-RDN": ("meta_rdn", {}),
}
# the grid: timed_images (the first N Urban100 ×4 LR images; None: all 100), lr_crop (central crop side; None: whole
# images), assumed_flops_rate (the plan's FLOP/s; None: this machine's, measured), plan_gpu_hours (the plan also
# gives GPU-hours)
T8_GRID = {"smoke": dict(timed_images=1, lr_crop=8, assumed_flops_rate=2e10, plan_gpu_hours=False),
           "lite": dict(timed_images=4, lr_crop=64, assumed_flops_rate=None, plan_gpu_hours=False),
           "paper": dict(timed_images=None, lr_crop=None, assumed_flops_rate=None, plan_gpu_hours=True)}


def t8_inputs(ctx: RunContext) -> list[np.ndarray]:
    from ...evaluate import pairs

    lrs = [lr for _, lr, _ in pairs("Urban100", 4, root=ctx.data_root, limit=ctx.grid["timed_images"])]
    if ctx.grid["lr_crop"]:
        c = ctx.grid["lr_crop"]
        lrs = [lr[(lr.shape[0] - c) // 2:(lr.shape[0] - c) // 2 + c, (lr.shape[1] - c) // 2:(lr.shape[1] - c) // 2 + c]
               for lr in lrs]
    return lrs


def t8_run(ctx: RunContext) -> pd.DataFrame:
    """Time each model on the same LR inputs, round-robin per input (so load changes hit every model alike); the
    ratio to OverNet is the median over inputs of time(model)/time(OverNet)."""
    import torch

    from ...data import SrreproDataError
    from ...evaluate import super_resolve
    from ...models import count_params, create_model
    from ...train import resolve_device

    device = resolve_device(ctx.device)
    rows = []
    names = [n for n in T8_MODELS if select([{"method": n}], ctx.only)]
    try:
        lrs = t8_inputs(ctx)
        full_px = lr_pixels("Urban100", 4.0, None, ctx.data_root) / 100
    except SrreproDataError as e:
        return pd.DataFrame([{"method": n, "status": f"data not available: {e}"} for n in printed_methods("overnet_t8")])
    with torch_threads(ctx.threads):
        models = {}
        for n in names:
            torch.manual_seed(0)
            m, kw = T8_MODELS[n]
            models[n] = create_model(m, **kw).to(device).eval()
        times = {n: [] for n in names}
        for n, m in models.items():  # warm-up (allocator, oneDNN/cuDNN kernels for this shape)
            super_resolve(m, lrs[0], 4.0, device)
        for i, lr in enumerate(lrs):
            order = names[i % len(names):] + names[:i % len(names)]
            for n in order:
                t0 = time.perf_counter()
                super_resolve(models[n], lr, 4.0, device)  # returns a uint8 numpy image: synchronises CUDA
                times[n].append(time.perf_counter() - t0)
    px = float(np.mean([lr.shape[0] * lr.shape[1] for lr in lrs]))
    for n in printed_methods("overnet_t8"):
        if n not in names:
            if n not in T8_MODELS:
                rows.append({"method": n, "status": "reported only: no model in this study"})
            continue
        m, kw = T8_MODELS[n]
        fpp = flops_per_px(m, json.dumps(kw, sort_keys=True), 4.0, False)
        ratio = (float(np.median(np.array(times[n]) / np.array(times["OverNet"]))) if "OverNet" in times else math.nan)
        rows.append({"method": n, "params": count_params(models[n]), "seconds": float(np.median(times[n])),
                     "ratio": ratio, "gflops": fpp * px / 1e9, "gflops_urban100": fpp * full_px / 1e9,
                     "input": f"{len(lrs)} Urban100 ×4 LR {'crops ' + str(ctx.grid['lr_crop']) + '²' if ctx.grid['lr_crop'] else 'images'}",
                     "device": str(device) if device.type != "cuda" else torch.cuda.get_device_name(device),
                     "threads": torch.get_num_threads(), "follows": "timing only (random weights)",
                     "status": "ok (timing; PSNR not measured: random weights)"})
    return pd.DataFrame(rows)


def t8_plan(ctx: RunContext) -> Plan:
    t = ctx.grid
    runs = []
    with torch_threads(ctx.threads):
        rate = t["assumed_flops_rate"] or cpu_flops_rate(ctx.device)
        for n, (m, kw) in T8_MODELS.items():
            fpp = flops_per_px(m, json.dumps(kw, sort_keys=True), 4.0, False)
            try:
                n_img = t["timed_images"] or 100
                px = (t["lr_crop"] ** 2) if t["lr_crop"] else lr_pixels("Urban100", 4.0, None, ctx.data_root) / 100
            except SrreproDataError:  # no Urban100: nothing to time
                n_img, px = 0, 0
            runs.append({"method": n, "model": f"{m} {json.dumps(kw)}", "training_iterations": 0,
                         "forward_passes": n_img + 1, "gflops_per_pass": round(fpp * px / 1e9, 1),
                         "est_seconds": round(fpp * px * (n_img + 1) / rate, 1)})
            if t["plan_gpu_hours"]:
                runs[-1]["gpu_hours"] = round(fpp * px * (n_img + 1) / (GPU_EFFECTIVE_TFLOPS * 1e12) / 3600, 3)
    return Plan(runs, "No training: paper-size ×4 models with random weights, each timed on the same Urban100 ×4 LR "
                      "inputs in one process (round-robin), after one warm-up pass; ratios to OverNet are the result.")


def _t8_fastest(df: pd.DataFrame, profile: str) -> Verdict:
    """Direction on point estimates: each ratio is a median over the timed inputs, and the per-input times are not
    kept, so there is no interval; the verdict says so."""
    d = df[df["ratio"].notna()] if "ratio" in df else df.iloc[0:0]
    if d.empty:
        return Verdict("not run", "no timing computed", "run the table")
    others = d[d["method"] != "OverNet"]
    ev = ", ".join(f"{r.method} {r.ratio:.1f}×" for r in others.itertuples()) + " the time of OverNet"
    return Verdict("holds" if (others["ratio"] > 1).all() else "contradicted",
                   ev + " (measured models only; medians over the timed inputs, no interval)",
                   decided_by="point estimates (medians over the timed inputs)")


def _t8_magnitude(df: pd.DataFrame, profile: str) -> Verdict:
    """Magnitude, an explicit test of the stated size: each time ratio within a factor 3 of the paper's (≈300×:
    at least 100×, two orders of magnitude); no interval (medians over the timed inputs)."""
    d = df[df["ratio"].notna() & df["method"].isin(["EDSR", "RDN", "Meta-RDN"])] if "ratio" in df else df.iloc[0:0]
    if d.empty:
        return Verdict("not run", "no timing computed", "run the table")
    ev = "; ".join(f"{r.method}: ours {r.ratio:.0f}×, paper {r.ratio_paper:.0f}× (FLOP ratio "
                   f"{r.gflops / float(df.loc[df['method'] == 'OverNet', 'gflops'].iloc[0]):.0f}×)"
                   for r in d.itertuples())
    if (d["ratio"] >= d["ratio_paper"] / 3).all():
        return Verdict("holds", ev)
    if (d["ratio"] < d["ratio_paper"] / 3).all():
        return Verdict("contradicted", ev + f" on {df['device'].dropna().iloc[0] if 'device' in df else '?'}")
    return Verdict("inconclusive", ev, "time on the paper's hardware class (a GPU)")


def _t8_physical(df: pd.DataFrame, profile: str) -> Verdict:
    """Magnitude, an arithmetic check on a printed value: the throughput OverNet's printed time implies (its exact
    FLOPs on a mean Urban100 ×4 image / its printed time) against the GTX 1080 Ti's peak FP32; above the peak is
    impossible."""
    d = df[df["gflops_urban100"].notna() & df["seconds_paper"].notna()] if "gflops_urban100" in df else df.iloc[0:0]
    if d.empty:
        return Verdict("not run", "no FLOP count computed", "run the table")
    need = d.assign(tflops=d["gflops_urban100"] / 1e3 / d["seconds_paper"]).set_index("method")["tflops"]
    ev = ", ".join(f"{m} needs {v:.1f} TFLOP/s" for m, v in need.items()) + \
        f" to run a mean Urban100 ×4 image in the printed time; GTX 1080 Ti peak FP32 {GTX1080TI_PEAK_TFLOPS} TFLOP/s"
    bad = need[need > GTX1080TI_PEAK_TFLOPS]
    if "OverNet" in bad.index:
        return Verdict("contradicted", ev)
    return Verdict("holds", ev)


T8_CLAIMS = [
    Claim("t8_fastest", "OverNet is the fastest of the compared models", "Table 8; §4.2.3 'OverNet is the fastest'",
          _t8_fastest, kind="direction"),
    Claim("t8_magnitude", "OverNet runs two orders of magnitude faster than EDSR, RDN and Meta-RDN (Table 8: "
                          + ", ".join(f"{pv('overnet_t8', 'ratio', method=m):.0f}×" for m in ("EDSR", "RDN", "Meta-RDN"))
                          + "); verdict holds within a factor 3 of those ratios", "Table 8", _t8_magnitude,
          kind="magnitude"),
    Claim("t8_physical", f"OverNet super-resolves an Urban100 ×4 image in "
                         f"{pv('overnet_t8', 'seconds', method='OverNet'):.3f} s on a GTX 1080 Ti",
          "Table 8; §4.2.3 'evaluated using its official code, on the same machine with a NVIDIA 1080 Ti GPU'",
          _t8_physical, kind="magnitude"),
]


def _t8_plot(df, ax=None):
    import matplotlib.pyplot as plt

    ax = ax or plt.subplots(figsize=(6, 3.5))[1]
    d = df[df["ratio_paper"].notna()].copy()
    x = np.arange(len(d))
    ax.bar(x - 0.2, d["ratio_paper"], 0.4, label="paper (s / OverNet's s)")
    ax.bar(x + 0.2, d["ratio"].fillna(0), 0.4, label="ours, same process")
    ax.set_yscale("log")
    ax.set_xticks(x, d["method"], rotation=30)
    ax.set(ylabel="running time relative to OverNet", title="Table 8: running time ratios (Urban100 ×4)")
    ax.legend(fontsize=8)
    return ax


def _t8(method: str, metric: str) -> float:
    return pv("overnet_t8", metric, method=method)


T8_NOTES = f"""
**Errata and readings.** (1) Table 8 prints {_t8("OverNet", "seconds"):.3f} s for OverNet,
{_t8("SRFBN_S", "seconds"):.3f} s for SRFBN_S and {_t8("D-DBPN", "seconds"):.3f} s for D-DBPN on a GTX 1080 Ti. At
the FLOPs our counter gives for OverNet ×4 on a mean Urban100 image, {_t8("OverNet", "seconds"):.3f} s would need more
than the card's peak FP32 throughput (`t8_physical` gives the throughput it implies). The times were probably taken
without synchronising CUDA, i.e. they measure kernel launches, and the ratios to EDSR/RDN
({_t8("EDSR", "ratio"):.0f}× and {_t8("RDN", "ratio"):.0f}×) inherit that. (2) Table 8's parameter counts disagree
with Table 6 (MemNet {_mega(_t8("MemNet", "params"))} vs {_mega(_t6("MemNet", "Set5", 2.0, "params"))}; SRFBN_S
{_mega(_t8("SRFBN_S", "params"))} vs {_mega(_t6("SRFBN_S", "Set5", 2.0, "params"))}), and so do its PSNRs (MemNet
{db(_t8("MemNet", "psnr"))} vs {db(_t6("MemNet", "Urban100", 4.0))}; SRFBN_S {db(_t8("SRFBN_S", "psnr"))} vs
{db(_t6("SRFBN_S", "Urban100", 4.0))}). "Ours {_mega(_t8("OverNet", "params"))}" is the ×2/×3 size; the ×4 model is larger (`params`). (3) Our timings are on this study's machine (see `device`,
`threads`), with random weights: running time does not depend on the weights. Lite times central
{T8_GRID["lite"]["lr_crop"]}×{T8_GRID["lite"]["lr_crop"]} LR crops of the first {T8_GRID["lite"]["timed_images"]}
Urban100 images to keep EDSR affordable on a CPU. The paper profile times whole images. MemNet, SRFBN_S and D-DBPN
are not in this study's model zoo.
"""


# ================================================================================================ Figure 2
F2_IMAGES = ("img_073", "img_076")  # Figure 2: Urban100 ×4, BI ("Img_073": the blue building's lines; "Img_076": bricks)
F2_SCALE = 4


def f2_models(ctx: RunContext) -> list[tuple[str, int, str, object]]:
    """(method, seed, what it is, how to get it): ours through the engine's cache (overnet_t5's OverNet-S ×4, every
    seed: the verdicts need the training noise; the figure shows seed 0), CARN-M from its official weights."""
    return [*[("OverNet", seed, "ours", overnet_config(ctx, seed, F2_SCALE)) for seed in range(ctx.n_seeds)],
            ("CARN-M", 0, "official weights", "carn_m")]


def f2_run(ctx: RunContext) -> pd.DataFrame:
    from ...data import SrreproDataError
    from ...jobs import trained_model
    from ...visual import compare_scores
    from ...weights import WeightsError, load_official

    rows, models = [], {}
    with torch_threads(ctx.threads):
        for method, seed, what, how in f2_models(ctx):
            if not select([{"method": method, "seed": seed}], ctx.only):
                continue
            try:
                if what == "ours":
                    run_dir, info = trained_model(ctx, "overnet_f2", how, ctx.threads)
                    from ...jobs import load_model
                    from ...train import resolve_device

                    models[method, seed] = load_model(how, run_dir / "model.pt", resolve_device(ctx.device))
                    extra = {"run_dir": str(run_dir.relative_to(ctx.work_dir)), "iterations": info["iterations"],
                             "family": "overnet", "model_hash": info["model_hash"]}
                else:
                    models[method, seed] = load_official(how, root=ctx.data_root)
                    extra = {"weights": how, "iterations": 0}
            except (SrreproDataError, WeightsError) as e:
                rows += [{"method": method, "seed": seed, "what": what, "image": im, "status": f"not run: {e}"}
                         for im in F2_IMAGES]
                continue
            for im in F2_IMAGES:
                rows.append({"method": method, "seed": seed, "what": what, "image": im, "dataset": "Urban100",
                             "scale": 4.0, "profile": ctx.profile, "status": "ok", **extra})
    bicubic = {}  # per image, once: the same for every row
    for r in rows:  # the per-image numbers a panel prints
        if r["status"] == "ok":
            sc = compare_scores("Urban100", r["image"], F2_SCALE, {r["method"]: models[r["method"], r["seed"]]},
                                root=ctx.data_root)
            r["psnr"], r["ssim"] = sc[r["method"]]
            r["bicubic_psnr"], r["bicubic_ssim"] = bicubic.setdefault(r["image"], sc["Bicubic"])
    return pd.DataFrame(rows)


def f2_plan(ctx: RunContext) -> Plan:
    return Plan([{"method": m, "seed": seed, "model": what, "images": len(F2_IMAGES), "est_seconds": 10.0}
                 for m, seed, what, _ in f2_models(ctx)],
                "Seed-0 models from the engine's cache (trained here if absent: OverNet ×4 as in overnet_t5/t6), "
                "CARN-M from its official weights; per-image PSNR/SSIM on Figure 2's two Urban100 ×4 images.")


def _f2_vs(a: str, b: str):
    return panel_gap(a, b, "PSNR on Figure 2's images (dB)")


F2_CLAIMS = [
    Claim("f2_vs_bicubic", "OverNet recovers Figure 2's structures better than bicubic (per-image PSNR, ×4)",
          "Figure 2; §4.2.1 'Our proposal produces high-quality image structures'", _f2_vs("OverNet", "Bicubic"),
          trained=True, kind="direction"),
    Claim("f2_vs_carn_m", "OverNet beats a compared lightweight method (CARN-M, official weights) on Figure 2's "
                          "images", "Figure 2; §4.2.1 'most of the compared methods fail to recover the definition "
                                    "and orientation of the lines'", _f2_vs("OverNet", "CARN-M"), trained=True,
          kind="direction"),
]


def _f2_plot(df, ax=None):
    """The visual comparison: one figure per image (full HR with the zoom box, then the crops)."""
    from ...visual import draw_panels

    draw_panels(df, "Urban100", F2_IMAGES, F2_SCALE, "overnet_f2")


F2_NOTES = f"""
**What is shown.** Figure 2's two Urban100 ×4 images (*Img_073*, the blue building's lines; *Img_076*, the brick
pattern), each as the full HR image with the zoom box, then HR, bicubic and each model on the same crop, with its
per-image Y-PSNR/SSIM under the study's protocol (whole image, border 4). *Ours* are the seed-0 models of the
profile named on the panel (lite: {LITE_ITERATIONS} iterations on T91, {SIZES["overnet"]["lite"]["n_feats"]} features — a
short-training model, not the paper's);
CARN-M is the official checkpoint. The paper's figure compares other methods (its own crops, no numbers), so the
verdicts only ask whether OverNet's per-image PSNR beats bicubic and CARN-M on these two images, over every seed
of our models (the figure shows seed 0); two images are a tiny sample, so read the verdicts as about these images.
"""


# ================================================================================================ f3: BD / DN visual
F3 = "OverNet Figure 3 (visual results, BD and DN, ×3)"
F3_SCALE = 3
F3_DEGRADATIONS = ("BD", "DN")
# The paper shows "two sets of visual results with the BD and DN degradation models from the standard benchmark
# datasets" and names no image. This study's picks, one per set, each shown under both degradations: Urban100
# img_092 (straight edges, where BD's blur shows) and B100 253027 (the zebra's stripes, where DN's noise and lost
# detail show).
F3_IMAGES = (("Urban100", "img_092"), ("B100", "253027"))
# Lite trains seed 0 only: a figure's models train one after another in its run, a ×3 lite OverNet takes 2–7 min on
# one core (overnet_t7's train_seconds; more when the cores are shared), and the table must stay within ~20 min; the
# verdicts then carry no training noise (they say so). `seeds=3` adds seeds 1–2, from the cache where overnet_t7 has trained them.
F3_LITE_SEEDS = 1
# The verdicts also score Set5's five images: with one seed a paired gap over the figure's two images alone decides
# nothing (verdicts.MIN_IMAGES_ONE_SEED); Set5 costs a second of inference per model.
F3_VERDICT_IMAGES = (("Set5", "baby"), ("Set5", "bird"), ("Set5", "butterfly"), ("Set5", "head"), ("Set5", "woman"))


def f3_models(ctx: RunContext) -> list[tuple[str, str, int, object]]:
    """(method, degradation, seed, config): overnet_t7's ×3 OverNet trained on that degradation's LR images (the
    same TrainConfig, so the engine's cache holds one model for both tables)."""
    return [("OverNet", deg, seed, overnet_config(ctx, seed, F3_SCALE, degradation=deg))
            for deg in F3_DEGRADATIONS for seed in range(ctx.n_seeds)]


def f3_run(ctx: RunContext) -> pd.DataFrame:
    from ...jobs import load_model, trained_model
    from ...train import resolve_device
    from ...visual import compare_scores

    rows = []
    with torch_threads(ctx.threads):
        for method, deg, seed, cfg in f3_models(ctx):
            if not select([{"method": method, "degradation": deg, "seed": seed}], ctx.only):
                continue
            try:
                run_dir, info = trained_model(ctx, "overnet_f3", cfg, ctx.threads)
            except SrreproDataError as e:
                rows += [{"method": method, "degradation": deg, "seed": seed, "what": "ours", "dataset": ds,
                          "image": im, "status": f"not run: {e}"} for ds, im in F3_IMAGES + F3_VERDICT_IMAGES]
                continue
            model = load_model(cfg, run_dir / "model.pt", resolve_device(ctx.device))
            for ds, im in F3_IMAGES + F3_VERDICT_IMAGES:
                sc = compare_scores(ds, im, F3_SCALE, {method: model}, root=ctx.data_root, degradation=deg)
                (psnr, ssim), (bpsnr, bssim) = sc[method], sc["Bicubic"]
                rows.append({"method": method, "degradation": deg, "seed": seed, "what": "ours", "dataset": ds,
                             "image": im, "scale": float(F3_SCALE), "profile": ctx.profile, "status": "ok",
                             "shown": (ds, im) in F3_IMAGES,
                             "psnr": psnr, "ssim": ssim, "bicubic_psnr": bpsnr, "bicubic_ssim": bssim,
                             "run_dir": str(run_dir.relative_to(ctx.work_dir)), "iterations": info["iterations"],
                             "family": "overnet", "model_hash": info["model_hash"],
                             "follows": FOLLOWS_CODE + f" (×3, trained on {deg} LR, as overnet_t7)"})
    return pd.DataFrame(rows)


def f3_plan(ctx: RunContext) -> Plan:
    return Plan([{"method": m, "degradation": deg, "seed": seed, "images": len(F3_IMAGES + F3_VERDICT_IMAGES),
                  "est_seconds": 10.0}
                 for m, deg, seed, _ in f3_models(ctx)],
                "overnet_t7's ×3 OverNets (BD, DN) from the engine's cache, trained here if absent; per-image "
                "PSNR/SSIM of each on Figure 3's images (and Set5's, for the verdicts) under its own degradation, "
                "beside bicubic.")


def _f3_vs_bicubic(deg: str):
    rule = panel_gap("OverNet", "Bicubic", f"PSNR on the figure's two images and Set5 under {deg} (dB)")

    def check(df: pd.DataFrame, profile: str) -> Verdict:
        return rule(df[df["degradation"] == deg] if "degradation" in df else df, profile)
    return check


F3_CLAIMS = [
    Claim("f3_bd", "Under BD, OverNet removes the blur that bicubic up-sampling keeps (per-image PSNR above "
                   "bicubic on Figure 3's images and Set5, ×3)",
          "Figure 3; §4.2.2 'For BD degradation, other methods were unable to remove blurring artifacts. In "
          "contrast, OverNet could alleviate distortions'", _f3_vs_bicubic("BD"), trained=True, kind="direction"),
    Claim("f3_dn", "Under DN, OverNet removes noise and recovers detail (per-image PSNR above bicubic on Figure 3's "
                   "images and Set5, ×3)",
          "Figure 3; §4.2.2 'our method can deliver good results by removing more noise and enhancing details'",
          _f3_vs_bicubic("DN"), trained=True, kind="direction"),
]


def _f3_plot(df, ax=None):
    """One figure per degradation and image: the full HR with the zoom box, then HR, bicubic and OverNet (seed 0,
    trained on that degradation) on the same crop, each with its per-image numbers."""
    from ...visual import compare, panel_models

    d = df[df["status"] == "ok"] if "status" in df else df.iloc[0:0]
    for deg in F3_DEGRADATIONS:
        rows = d[d["degradation"] == deg]
        try:
            models = {f"{label} [{deg}]": m for label, m in panel_models(rows).items()}
        except (FileNotFoundError, SrreproDataError) as e:
            print(f"{deg} figure not drawn: {e} (run `make reproduce TABLE=overnet_f3` to retrain the seed-0 models)")
            continue
        for ds, im in F3_IMAGES:
            compare(ds, im, F3_SCALE, models, crop=96, degradation=deg)


F3_NOTES = """
**What is shown.** The paper names neither the images nor the crops of Figure 3 ("two sets of visual results with
the BD and DN degradation models from the standard benchmark datasets"). This study picks Urban100 *img_092*
(straight edges, where BD's blur shows) and B100 *253027* (the zebra's stripes, where DN's noise and lost detail
show), and shows each under both degradations. The crop is the 96×96 HR window with the most detail
(`srrepro.visual.auto_box`). Each figure shows the full HR image with the zoom box, then HR, bicubic (MATLAB bicubic
of the degraded LR) and our OverNet trained on that degradation, with per-image Y-PSNR/SSIM under the study's
protocol (whole image, border 3; DN's noise drawn with seed 0). *Ours* are `overnet_t7`'s ×3 OverNets (the same
training configurations, so one model serves both tables); the figure shows seed 0. The paper's figure compares
other methods (SRCNN, VDSR, IRCNN, SRMD…), none of which this study has, so the verdicts ask only whether OverNet's
per-image PSNR beats bicubic under each degradation, over every seed the profile trains, on the figure's two images
and Set5's five (rows with `shown` false; with the one seed lite trains, two images alone decide nothing). Lite
trains seed 0 only, to keep the table within its time: the verdicts' intervals then hold no training noise.
"""

# ================================================================================================ f4: capacity chart
F4 = "OverNet Figure 4 (parameters against B100 ×4 PSNR)"
# Figure 4 prints no numbers. Its points are read from §4.2.3's text (lightweight networks, networks with many
# parameters, and RDN / EDSR / RCAN with and without the OSM); each value is taken from the table that prints it
# for B100 ×4, and a point no table prints is a row without a paper value that says so (values/overnet_f4.csv).
# our exact count of each point's network at paper size: the complexity audit's model call (srrepro.complexity)
F4_MODELS = {
    "VDSR": "vdsr", "CARN": "carn", "OverNet w/o OSM": "overnet(scale=4, osm=False)", "OverNet": "overnet(scale=4)",
    "Meta-RDN": "meta_rdn", "RDN-OSM": "rdn(scale=4, upsampler='osm')", "RDN": "rdn(scale=4)",
    "EDSR": "edsr(scale=4)", "EDSR-OSM": "edsr(scale=4, upsampler='osm', osm_kwargs={'max_scale': 4})",
    "RCAN": "rcan(scale=4)", "RCAN-OSM": "rcan(scale=4, upsampler='osm')",
}
F4_OURS_FROM = "overnet_t6"  # our B100 ×4 PSNR: that table's per-scale ×4 models (no training here)
F4_UNSCORED = {  # why a network we count has no B100 ×4 PSNR here
    "VDSR": "VDSR is built for counting only (no weights, not trained)",
    "CARN": "CARN's official weights (weights/official/carn.pth) are not in the data mirror",
    "Meta-RDN": "overnet_t2 trains it at the paper profile only",
    "RDN-OSM": "overnet_t2 trains it (B100 ×4.0) at the paper profile only",
    **{m: "overnet_t3 trains it at the paper profile only and scores no B100" for m in ("RDN", "RCAN", "RCAN-OSM")},
    **{m: "overnet_t3 scores Set5, Set14 and Urban100 (no B100)" for m in ("EDSR", "EDSR-OSM")},
}


def _f4_pv() -> list[dict]:
    """Figure 4's points as printed (values/overnet_f4.csv), each with its group: Table 6's columns are the
    lightweight networks, the other points the large ones."""
    light = set(printed_methods("overnet_t6"))
    return [{**c, "group": "lightweight (Table 6)" if c["method"] in light else "large"}
            for c in printed("overnet_f4")]


def _f4_psnr(ctx: RunContext) -> tuple[dict, str]:
    """method → our mean B100 ×4 PSNR over seeds from the committed overnet_t6 result of this profile, and the
    reason when there is none."""
    path = result_path(F4_OURS_FROM, ctx.profile)
    if not path.exists():
        return {}, (f"not run: results/{ctx.profile}/{F4_OURS_FROM}.csv is missing "
                    f"(`make reproduce TABLE={F4_OURS_FROM} PROFILE={ctx.profile}`)")
    d = pd.read_csv(path)
    d = d[(d["dataset"] == "B100") & (d["scale"] == 4.0) & d["psnr"].notna()]
    if d.empty:
        return {}, f"not run: {F4_OURS_FROM} at {ctx.profile} scores no B100 ×4 cell"
    g = d.groupby("method")
    return {m: (float(v), int(g.get_group(m)["seed"].nunique()),
                str(g.get_group(m)["status"].iloc[0]).removeprefix("ok").strip(" ()"))
            for m, v in g["psnr"].mean().items()}, ""


def f4_run(ctx: RunContext) -> pd.DataFrame:
    from ..study.complexity import NotImplementedYet, R, params_exact

    ours, missing = _f4_psnr(ctx)
    rows = []
    for pv in _f4_pv():
        m = pv["method"]
        if not select([{"method": m}], ctx.only):
            continue
        row = {"method": m, "group": pv["group"], "counted_as": F4_MODELS.get(m, ""), "psnr": math.nan}
        try:
            row["params"] = params_exact(R(F4_MODELS[m])) if m in F4_MODELS else math.nan
        except NotImplementedYet:
            row["params"] = math.nan
        if m in ours:
            psnr, n_seeds, status = ours[m]
            row.update(psnr=psnr, n_seeds=n_seeds, status=f"ok: PSNR from {F4_OURS_FROM} at {ctx.profile}, "
                                                          f"{status + ', ' if status else ''}mean of {n_seeds} seeds")
        elif m in F4_MODELS:
            row["status"] = f"params counted; PSNR {missing or 'not run: ' + F4_UNSCORED[m]}"
        else:
            row["status"] = "not run: no model of it in the study (neither counted nor scored)"
        rows.append(row)
    return pd.DataFrame(rows)


def f4_plan(ctx: RunContext) -> Plan:
    return Plan([{"method": pv["method"], "counted_as": F4_MODELS.get(pv["method"], "—"), "training_iterations": 0,
                  "est_seconds": 0.1} for pv in _f4_pv()],
                f"No training: exact parameter counts on the meta device; our PSNR is read from "
                f"results/{ctx.profile}/{F4_OURS_FROM}.csv (its ×4 OverNets on B100).")


def _f4_light_best(df: pd.DataFrame, profile: str) -> Verdict:
    """Exact kind, on the paper's printed values (Table 6's B100 ×4 row, the figure's lightweight points): OverNet
    above every other lightweight method by at least one unit of the printed last digit."""
    p = pd.DataFrame(_f4_pv()).set_index("method")
    light = p[p["group"].str.startswith("lightweight")]["psnr"]
    others = light.drop("OverNet")
    gap = light["OverNet"] - others.max()
    ev = (f"printed B100 ×4: OverNet {light['OverNet']:.2f} dB, best other lightweight {others.idxmax()} "
          f"{others.max():.2f} dB (gap {gap:+.2f}); {int((light['OverNet'] - others >= PRINTED_UNIT['psnr'] - 1e-9).sum())}"
          f"/{len(others)} lightweight methods below by at least one printed unit")
    return Verdict("holds" if gap >= PRINTED_UNIT["psnr"] - 1e-9 else "contradicted", ev, kind="exact",
                   decided_by="the paper's own printed values (Table 6, B100 ×4): gap at least 0.01 dB")


F4_OSM_PAIRS = (("OverNet", "OverNet w/o OSM"), ("RDN-OSM", "Meta-RDN"), ("RDN-OSM", "RDN"), ("EDSR-OSM", "EDSR"),
                ("RCAN-OSM", "RCAN"))


def _f4_osm(df: pd.DataFrame, profile: str) -> Verdict:
    """Exact kind, on the printed values: every pair with and without the OSM that the paper prints at B100 ×4 has
    the OSM above by at least one printed unit; the pairs it does not print are listed (not judged)."""
    p = pd.DataFrame(_f4_pv()).set_index("method")["psnr"]
    judged, unprinted = [], []
    for a, b in F4_OSM_PAIRS:
        if math.isnan(p[a]) or math.isnan(p[b]):
            unprinted.append(f"{a} vs {b}")
        else:
            judged.append((f"{a} − {b}", p[a] - p[b]))
    bad = [lab for lab, g in judged if g < PRINTED_UNIT["psnr"] - 1e-9]
    ev = (f"printed B100 ×4 gaps: {', '.join(f'{lab} {g:+.2f}' for lab, g in judged)}; "
          f"{len(judged) - len(bad)}/{len(judged)} printed pairs favour the OSM; not printed at B100 ×4: "
          f"{', '.join(unprinted)}")
    return Verdict("contradicted" if bad else "holds", ev, kind="exact",
                   decided_by="the paper's own printed values (Tables 2 and 6, B100 ×4): each gap at least 0.01 dB")


F4_CLAIMS = [
    Claim("f4_light_best", "OverNet has the best B100 ×4 PSNR of the lightweight networks in Figure 4",
          "Figure 4; §4.2.3 'OverNet achieves the best SR results among all the lightweight SR networks with fewer "
          "parameters'", _f4_light_best, kind="exact"),
    Claim("f4_osm", "Every method with the OSM has a higher B100 ×4 PSNR than its baseline", "Figure 4; §4.2.3 'all "
          "the methods with OSM have higher PSNR than the corresponding baselines'", _f4_osm, kind="exact"),
]


def _f4_plot(df, ax=None):
    import matplotlib.pyplot as plt

    ax = ax or plt.subplots(figsize=(7.5, 4.5))[1]
    d = df.drop_duplicates("method")
    printed = d[d["psnr_paper"].notna() & d["params_paper"].notna()]
    own = printed["method"].str.startswith("OverNet")
    ax.scatter(printed.loc[~own, "params_paper"], printed.loc[~own, "psnr_paper"], color="C0", label="paper (printed)")
    ax.scatter(printed.loc[own, "params_paper"], printed.loc[own, "psnr_paper"], color="red", marker="*", s=160,
               label="paper: OverNet (red stars, as the figure)")
    for r in printed.itertuples():
        ax.annotate(r.method, (r.params_paper, r.psnr_paper), fontsize=7, xytext=(3, 3), textcoords="offset points")
    ours = d[d["psnr"].notna() & d["params"].notna()] if "psnr" in d else d.iloc[0:0]
    ax.scatter(ours["params"], ours["psnr"], facecolors="none", edgecolors="k", marker="o", s=60,
               label="ours (exact count; PSNR at this profile)")
    for r in ours.itertuples():
        ax.annotate(f"{r.method} (ours)", (r.params, r.psnr), fontsize=7, xytext=(3, -9), textcoords="offset points")
    counted = d[d["params"].notna() & (d["psnr"].isna() if "psnr" in d else True)]
    for r in counted.itertuples():  # a network we count but do not score: a grey line at our count
        ax.axvline(r.params, color="0.8", lw=0.6, zorder=0)
    ax.set_xscale("log")
    ax.set(xlabel="parameters", ylabel="PSNR B100 ×4 (dB)",
           title="Figure 4: capacity and performance (grey lines: our counts of networks not scored here)")
    ax.legend(fontsize=7, loc="lower right")
    return ax


F4_NOTES = f"""
**Where the numbers come from.** Figure 4 plots parameters against B100 ×4 PSNR and prints no numbers. The methods
are read from §4.2.3 (the lightweight networks, the networks with many parameters, and RDN, EDSR and RCAN with and
without the OSM). Each paper value names the table it comes from: the lightweight points are Table 6's columns
(parameters from its header, PSNR from its B100 ×4 row; "{_mega(pv("overnet_f4", "params", method="OverNet"))}" for
OverNet is the ×2 model, see `overnet_t6`);
Meta-RDN and RDN-OSM take Table 2's ×4.0 column (B100) and Table 8's parameters (RDN-OSM's are not printed); RDN's
and EDSR's parameters are Table 8's. No table prints RDN, EDSR, RCAN or their OSM versions at B100 ×4, nor RCAN's
parameters: those rows say so and are not judged.

**Ours.** `params` is the exact count of the network the study builds, at paper size, as the `complexity` audit
counts it (the ×4 model; CARN the released multi-scale one; methods the study does not build have none). Our PSNR
is the mean over seeds of `{F4_OURS_FROM}`'s ×4 OverNet and OverNet w/o OSM on B100 at the same profile (lite: its
first {LITE_LIMITS['B100']} images, short training), read from that table's committed CSV: nothing is trained here.
Every other point is "not run" with the reason in its row. The claims are about the paper's own printed values;
the one about our models is `overnet_t6`'s `t6_osm`.
"""

# ================================================================================================ specs
def _spec(**kw) -> TableSpec:
    return TableSpec(family="overnet", **kw)  # every OverNet-table recipe (OverNet, CARN, EDSR) trains 6×10⁵ steps


# the profiles' recipes, as prose, read from srrepro.recipes (never restated by hand)
_L, _P = recipe("lite", "overnet"), PAPER_RECIPES["overnet"]
_SEEDS = DEFAULT_SEEDS["lite"]
_SMOKE_ITERATIONS = recipe("smoke", "overnet").iterations
_LITE_RECIPE = (f"{_L.train_dataset}, LR patch {_L.lr_patch}, batch {_L.batch_size}, {_L.iterations} iterations "
                f"({_L.iterations / PAPER_ITERATIONS:.3%} of the paper's), lr {_L.lr:g} halved at iteration "
                f"{', '.join(map(str, _L.lr_milestones))}, OverNet {SIZES['overnet']['lite']['n_feats']} features "
                f"(3 LDGs × 3 RBs)")
_LITE = f"{_LITE_RECIPE}, {_SEEDS} seeds"
_PAPER = (f"{_P.train_dataset}, LR patch {_P.lr_patch}, batch {_P.batch_size}, {_P.iterations:,} iterations "
          f"(lr {_P.lr:g} halved every {_P.lr_halve_every:,})")
_SHOW = ("follows", "iterations", "train_seconds")
T1_LITE_LIMITS = {"Urban100": 10}  # t1's only test set
T2_LITE_LIMITS = {"B100": 5}  # 30 scales a model
_FIRST = f"B100/Urban100 on their first {LITE_LIMITS['B100']}/{LITE_LIMITS['Urban100']} images"
SPECS = {
    "overnet_loss": _spec(
        id="overnet_loss", title="OverNet §3: L1 against L2 loss", paper=PAPER, source=LOSS,
        description=with_training_note(f"The ×{LOSS_SCALE} OverNet (released code: one model per scale) trained "
                                       "with L1 and with L2, otherwise alike; PSNR on Set5, Set14, B100 and "
                                       "Urban100. The paper prints no numbers for this comparison."),
        keys=["loss", "dataset", "scale", "seed"], metrics=["psnr", "ssim"],
        jobs=loss_jobs, grid=_grid(smoke={"datasets": ("Set5",)}),
        plan_notes=f"Two ×{LOSS_SCALE} OverNets per seed, L1 (overnet_t5/t6's model) and L2, same recipe.",
        layout=Layout(("loss",), ("dataset",)), display_extra=_SHOW, claims=LOSS_CLAIMS,
        plot=_loss_plot, notes=LOSS_NOTES,
        profiles={"smoke": f"tiny OverNets, {_SMOKE_ITERATIONS} iterations, Set5 (1 image)",
                  "lite": f"L1 / L2 × {_SEEDS} seeds at ×{LOSS_SCALE}, {_LITE}; {_FIRST}",
                  "paper": f"{_PAPER}; full test sets"}),
    "overnet_t1": _spec(
        id="overnet_t1", title="OverNet Table 1: skip connections in LDGs and GDG", paper=PAPER, source=T1,
        description=with_training_note("Four ×3 OverNets that switch the skip connections (concatenation + 1×1 conv) inside "
                          "the local dense groups and inside the global dense group on and off; PSNR on "
                          "Urban100 ×3. `params` (our model), `params_code` (released-code layout) and `params_fe` "
                          "(released code without the overscaling module) are exact parameter counts at paper size."),
        keys=["config", "ldg_skip", "gdg_skip", "seed"], metrics=["params", "params_code", "params_fe", "psnr", "ssim"],
        jobs=t1_jobs, grid=_grid(lite={"limits": T1_LITE_LIMITS}),
        plan_notes="Four ×3 OverNets (SCs in LDGs × SCs in GDG), scored on Urban100 ×3; parameter counts are exact "
                   "at paper size whatever the profile.",
        layout=Layout(("config",), (), ("params_fe", "psnr")), display_extra=_SHOW, claims=T1_CLAIMS, plot=_t1_plot, notes=T1_NOTES,
        profiles={"smoke": f"4 tiny configs, {_SMOKE_ITERATIONS} iterations, 1 Urban100 image",
                  "lite": f"4 configs × {_SEEDS} seeds, {_LITE}; Urban100 ×3 on its first {T1_LITE_LIMITS['Urban100']} images",
                  "paper": f"4 configs, {_PAPER}; full Urban100"}),
    "overnet_t2": _spec(
        id="overnet_t2", title="OverNet Table 2: OSM interpolation across 30 scales (B100)", paper=PAPER, source=T2,
        description=with_training_note("Pixelshuffle (no overscaling, bicubic↓), OSM-bilinear and OSM-bicubic, each one "
                          "arbitrary-scale model (max scale 4) trained on scales in [1.1, 4.0] with the multi-scale "
                          "loss, scored on B100 at ×1.1 … ×4.0. The figure shows PSNR and ΔPSNR against "
                          "Pixelshuffle with the seed spread. Meta-RDN and RDN-OSM at the paper profile."),
        keys=["experiment", "scale", "seed"], metrics=["psnr", "ssim"],
        jobs=t2_jobs,
        grid=_grid(smoke={"scales": (1.5, 2.0, 3.7), "rdn_rows": T2_RDN_ROWS},
                   lite={"limits": T2_LITE_LIMITS, "rdn_rows": ()},
                   paper={"rdn_rows": T2_RDN_ROWS}),
        plan_notes="Arbitrary-scale OverNets (max scale 4) trained on scales drawn uniformly in [1.1, 4.0] with the "
                   "multi-scale loss, scored on B100 at the 30 scales ×1.1…×4.0. Meta-RDN / RDN-OSM (22M parameters) "
                   "at the paper profile only.",
        layout=Layout(("experiment",), ("scale",)), display_extra=_SHOW,
        claims=T2_CLAIMS, plot=_t2_plot, notes=T2_NOTES,
        profiles={"smoke": "3 tiny variants + tiny Meta-RDN/RDN-OSM, 3 scales, 1 B100 image",
                  "lite": f"3 OverNet variants × {_SEEDS} seeds ({_LITE}), 30 scales on the first {T2_LITE_LIMITS['B100']} B100 images",
                  "paper": "3 OverNet variants + Meta-RDN + RDN-OSM (Meta-SR recipe), DIV2K, full B100"}),
    "overnet_t3": _spec(
        id="overnet_t3", title="OverNet Table 3: the OSM on other architectures", paper=PAPER, source=T3,
        description=with_training_note("CARN, EDSR, RDN and RCAN each trained with their own up-sampler and with OverNet's "
                          "overscaling module instead (same recipe, one model per scale); PSNR on Set5, Set14 and "
                          "Urban100."),
        keys=["method", "arch", "osm", "dataset", "scale", "self_ensemble", "seed"], metrics=["psnr", "ssim"],
        jobs=t3_jobs,
        grid=_grid(smoke={"archs": ("CARN", "EDSR", "RDN", "RCAN"), "scales": (4,), "datasets": ("Set5",),
                          "no_skip_archs": ("CARN", "EDSR"), "self_ensemble_archs": (), "meta_rdn": False},
                   lite={"archs": ("CARN", "EDSR"), "scales": (4,), "datasets": ("Set5", "Set14", "Urban100"),
                         "no_skip_archs": ("CARN", "EDSR"), "self_ensemble_archs": (), "meta_rdn": False},
                   paper={"archs": ("CARN", "EDSR", "RDN", "RCAN"), "scales": (2, 3, 4),
                          "datasets": ("Set5", "Set14", "Urban100"), "no_skip_archs": (),
                          "self_ensemble_archs": ("EDSR",), "meta_rdn": True}),
        plan_notes="Each architecture trained per scale with its own up-sampler and with the OSM (overscale s+1, "
                   "bicubic↓), same recipe; below paper also the OSM without its bicubic skip. Lite: CARN and EDSR, "
                   "narrowed, ×4 only; RDN (22M) and RCAN (16M) at the paper profile.",
        layout=Layout(("dataset", "scale"), ("method",)), display_extra=_SHOW, claims=T3_CLAIMS, plot=_t3_plot, notes=T3_NOTES,
        profiles={"smoke": f"tiny CARN/EDSR/RDN/RCAN ± OSM at ×4, {_SMOKE_ITERATIONS} iterations, Set5 (1 image)",
                  "lite": f"CARN ({SIZES['carn']['lite']['n_feats']} features) and EDSR ({SIZES['edsr']['lite']['n_resblocks']} "
                          f"blocks × {SIZES['edsr']['lite']['n_feats']}) ± OSM at ×4, {_SEEDS} seeds, {_LITE}; "
                          f"Urban100 on its first {LITE_LIMITS['Urban100']} images",
                  "paper": "all four ± OSM at ×2/×3/×4 with their own recipes; EDSR also with self-ensemble; "
                           "Meta-RDN from overnet_t2"}),
    "overnet_t4": _spec(
        id="overnet_t4", title="OverNet Table 4: overscaling factor and generalisation across scales",
        paper=PAPER, source=T4,
        description=with_training_note("Models for maximum scale N = 2, 3, 4 (overscale N+1) and N = 4 with overscale ×8; Set5 "
                          "PSNR at every scale ≤ N; exact parameter counts."),
        keys=["overscale", "regime", "scale", "seed"], metrics=["params", "params_code", "psnr", "ssim"],
        jobs=t4_jobs, grid=_grid(paper={"regimes": ("single-scale", "multi-scale")}),
        plan_notes="Models for maximum scale N = 2, 3, 4 (overscale N+1) and N = 4 with overscale ×8, scored on Set5 "
                   "at every scale ≤ N. Lite: the released code's regime only (trained at ×N); paper: also the "
                   "multi-scale loss.",
        layout=Layout(("overscale",), ("scale",)), display_extra=_SHOW, claims=T4_CLAIMS,
        plot=_t4_plot, notes=T4_NOTES,
        profiles={"smoke": f"4 tiny models, {_SMOKE_ITERATIONS} iterations, Set5 (1 image)",
                  "lite": f"4 models × {_SEEDS} seeds trained at ×N (released code; shared with t1/t5/t6), {_LITE}",
                  "paper": "4 models × 2 regimes (trained at ×N; multi-scale loss on ×2…×N), DIV2K"}),
    "overnet_t5": _spec(
        id="overnet_t5", title="OverNet Table 5: multi-scale loss vs single-scale loss", paper=PAPER, source=T5,
        description=with_training_note("OverNet-S: one model per scale with L1 (the released code). OverNet-M: one model (max "
                          "scale 4) with the multi-scale loss of Eq. 9. PSNR on Set5, B100 and Urban100 at ×2/×3/×4."),
        keys=["model", "dataset", "scale", "seed"], metrics=["psnr", "ssim"],
        jobs=t5_jobs, grid=_grid(smoke={"datasets": ("Set5",)}),
        plan_notes="OverNet-S: three per-scale models with L1 (the released code). OverNet-M: one model, max scale 4, "
                   "batch scale drawn from {2,3,4}, Eq. 9 on that scale and the ones below it.",
        layout=Layout(("model",), ("dataset", "scale")), display_extra=_SHOW,
        claims=T5_CLAIMS, plot=_t5_plot, notes=T5_NOTES,
        profiles={"smoke": f"tiny models, {_SMOKE_ITERATIONS} iterations, Set5 (1 image)",
                  "lite": f"3 OverNet-S + 1 OverNet-M × {_SEEDS} seeds, {_LITE}; {_FIRST}",
                  "paper": f"{_PAPER}; full test sets"}),
    "overnet_t6": _spec(
        id="overnet_t6", title="OverNet Table 6: comparison with lightweight methods (BI)", paper=PAPER, source=T6,
        description=with_training_note("OverNet and OverNet w/o OSM are measured (one model per scale), CARN/CARN-M with their "
                          "official weights where present; the other methods as reported. Parameters and "
                          "multiply-adds (1280×720 output) are exact counts."),
        keys=["method", "dataset", "scale", "seed"], metrics=["psnr", "ssim", "params", "mult_adds"],
        jobs=t6_jobs, grid=_grid(smoke={"datasets": ("Set5",)}),
        plan_notes="OverNet and OverNet w/o OSM: per-scale models (×2/×3/×4). CARN (needs carn.pth, not in the data "
                   "mirror) and CARN-M: official weights, no training. The other columns are shown as reported.",
        layout=Layout(("dataset", "scale"), ("method",), ("psnr", "ssim")), display_extra=_SHOW,
        claims=T6_CLAIMS, plot=_t6_plot, notes=T6_NOTES,
        profiles={"smoke": f"tiny OverNets, {_SMOKE_ITERATIONS} iterations, Set5 (1 image); CARN-M official weights",
                  "lite": f"OverNet / OverNet w/o OSM ×2/×3/×4 × {_SEEDS} seeds, {_LITE}; {_FIRST}; CARN-M official",
                  "paper": f"{_PAPER}; full test sets"}),
    "overnet_t7": _spec(
        id="overnet_t7", title="OverNet Table 7: BD and DN degradations (×3)", paper=PAPER, source=T7,
        description=with_training_note("The Bicubic column is exact (table `bicubic`'s code). OverNet and OverNet w/o OSM are "
                          "trained and scored on BD (RDN's blur-then-subsample) and DN (σ = 30) LR images at ×3. "
                          "Other methods are shown as reported."),
        keys=["method", "dataset", "degradation", "variant", "scale", "seed"], metrics=["psnr", "ssim"],
        jobs=t7_jobs, extra_rows=t7_bicubic_rows,
        grid=_grid(smoke={"datasets": ("Set5",), "dn_noise_seeds": T7_SMOKE_NOISE_SEEDS}, lite={"dn_noise_seeds": DN_SEEDS},
                   paper={"dn_noise_seeds": DN_SEEDS}),
        plan_notes="×3 OverNet / OverNet w/o OSM trained on BD (RDN's blur-then-subsample, the reading the training "
                   "sampler uses) and on DN (σ = 30) LR images; the Bicubic column is exact (table `bicubic`'s code: "
                   f"both BD readings, DN mean over {DN_SEEDS} noise seeds).",
        layout=Layout(("dataset", "degradation"), ("method",), ("psnr", "ssim")), display_extra=_SHOW,
        claims=T7_CLAIMS, plot=_t7_plot, notes=T7_NOTES,
        profiles={"smoke": f"bicubic Set5 ({T7_SMOKE_NOISE_SEEDS} noise seed) + tiny OverNets, {_SMOKE_ITERATIONS} iterations, 1 image",
                  "lite": f"bicubic exact on all 4 sets; OverNet / w/o OSM × BD/DN × {_SEEDS} seeds, {_LITE}; {_FIRST}",
                  "paper": "DIV2K BD/DN training, full test sets"}),
    "overnet_f2": _spec(
        id="overnet_f2", title="OverNet Figure 2: visual results (BI, ×4)", paper=PAPER, source="OverNet Figure 2",
        description=("The same crop of HR, bicubic, OverNet (ours, seed 0: the released code's per-scale ×4 model of "
                     "overnet_t5) and CARN-M (official weights) on Figure 2's Urban100 ×4 images, with each panel's "
                     "per-image PSNR/SSIM."),
        keys=["method", "seed", "image"], metrics=["psnr", "ssim"], run=f2_run, plan=f2_plan,
        layout=Layout(("method",), ("image",), ("psnr", "ssim")), display_extra=("what", "iterations"),
        claims=F2_CLAIMS, plot=_f2_plot, notes=F2_NOTES,
        profiles={"smoke": f"tiny seed-0 OverNets ({_SMOKE_ITERATIONS} iterations), CARN-M official", "lite": f"seed-0 models: {_LITE}",
                  "paper": "seed-0 paper-profile models"}),
    "overnet_f3": _spec(
        id="overnet_f3", title="OverNet Figure 3: visual results (BD and DN, ×3)", paper=PAPER, source=F3,
        description=("The same crop of HR, bicubic and OverNet (ours: overnet_t7's ×3 model trained on that "
                     "degradation, seed 0) on two benchmark images under BD and under DN, with each panel's "
                     "per-image PSNR/SSIM. The paper names no image: the notes say which are used."),
        keys=["method", "degradation", "seed", "dataset", "image"], metrics=["psnr", "ssim"], run=f3_run,
        plan=f3_plan, grid=_grid(lite={"seeds": F3_LITE_SEEDS}),
        layout=Layout(("degradation", "method"), ("image",), ("psnr", "ssim")),
        display_extra=("what", "shown", "iterations"),
        claims=F3_CLAIMS, plot=_f3_plot, notes=F3_NOTES,
        profiles={"smoke": f"tiny ×3 OverNets ({_SMOKE_ITERATIONS} iterations) on BD and DN",
                  "lite": f"{F3_LITE_SEEDS} seed(s) of overnet_t7's BD and DN models: {_LITE_RECIPE}",
                  "paper": "overnet_t7's paper-profile models"}),
    "overnet_f4": _spec(
        id="overnet_f4", title="OverNet Figure 4: parameters against PSNR (B100 ×4)", paper=PAPER, source=F4,
        description=("Figure 4's points: each method's parameters against its B100 ×4 PSNR, the paper's values "
                     "from the tables that print them (the figure prints none) beside ours: the exact parameter "
                     "count of the network this study builds, and our PSNR where a table of this profile scored "
                     f"the model on B100 ×4 (`{F4_OURS_FROM}`'s OverNets). Nothing is trained."),
        keys=["method"], metrics=["params", "psnr"], run=f4_run, plan=f4_plan,
        layout=Layout(("method",), (), ("params", "psnr"), order={"method": [pv["method"] for pv in _f4_pv()]}),
        display_extra=("group", "counted_as"),
        claims=F4_CLAIMS, plot=_f4_plot, notes=F4_NOTES,
        profiles={"smoke": f"exact counts; PSNR from {F4_OURS_FROM} at smoke (it scores no B100: not run)",
                  "lite": f"exact counts; PSNR from {F4_OURS_FROM} at lite ({_LITE}; B100 first "
                          f"{LITE_LIMITS['B100']} images)",
                  "paper": f"exact counts; PSNR from {F4_OURS_FROM} at the paper profile"}),
    "overnet_t8": _spec(
        id="overnet_t8", title="OverNet Table 8: running time (Urban100 ×4)", paper=PAPER, source=T8,
        description=("Paper-size ×4 OverNet, EDSR, RDN and Meta-RDN (random weights: nothing is trained) timed in one "
                     "process on the same Urban100 ×4 LR inputs; reported as ratios to OverNet next to the paper's "
                     "seconds. `gflops` is per timed input, `gflops_urban100` per mean full Urban100 ×4 image."),
        keys=["method"], metrics=["params", "seconds", "ratio", "psnr"], run=t8_run, plan=t8_plan, grid=T8_GRID,
        layout=Layout(("method",), (), ("params", "seconds", "ratio")),
        display_extra=("gflops", "gflops_urban100", "device", "threads"),
        claims=T8_CLAIMS, plot=_t8_plot, notes=T8_NOTES,
        profiles={"smoke": "one 8×8 LR crop", "lite": "central 64×64 LR crops of 4 Urban100 images",
                  "paper": "all 100 Urban100 ×4 images, whole (on the GPU the paper used: any)"}),
}
