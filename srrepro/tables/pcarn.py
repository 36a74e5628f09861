"""PCARN (Ahn, Kang, Sohn, arXiv 1903.02240): Tables 1, 3, 4, 5, 6 and Figures 6, 7 — specs ``pcarn_*``.

Source: ``shared/seeds/pcarn.txt`` (the paper's text); every paper value below names its table, row and column.
Architecture and released-code facts: :mod:`srrepro.models.carn` and ``shared/notes/official_code_survey.md`` §3.
This module holds only the paper: its values, the grid each profile runs, the jobs, the claims with their rules,
the plots and the notes. Training, caching, scoring and judging are the engine's (:mod:`srrepro.jobs`,
:mod:`srrepro.verdicts`); the official-checkpoint tables reuse ``official_weights``' inference and quantizers and
:mod:`srrepro.perceptual` / :mod:`srrepro.niqe` for LPIPS and NIQE.

Readings the paper leaves open (each table's notes say which one a run follows)
    * Tables 1 and 3 print parameter counts of **single-scale ×4** models (``pcarn(scale=4)``: 1,111,899 for
      "+ Residual" against 1,111K; the multi-scale model has 1,591,963), although §3.5 trains multi-scale. Their
      test set is not named; Set14 ×4 is the one consistent with Figure 8 ("Set14 with ×4") and with PCARN (L1)'s
      28.50 (CARN's Set14 ×4 is 28.60; its B100 ×4 27.58). Both tables are run as ×4 models scored on Set14 ×4.
    * Table 3's six schemes are ``srrepro.train.INIT_SCHEMES`` (official ``init.py``: weights drawn, biases zeroed);
      Table 1 uses the paper's pick (``uniform1_x1``), so its "+ Residual" row and Table 3's last row are one model.

Profiles
    * smoke: 8 features, 2 iterations on 4 T91 images, one test image.
    * lite: T91, LR patch 16, batch 16, 500 iterations (0.083 % of 6×10⁵), lr 1e-3 halved at 75 %, 32 features
      (B = U = 3 as the paper), 3 seeds, the full Set14 ×4.
    * paper: DIV2K, LR patch 48, batch 64, lr 1e-4 halved at 4×10⁵, 6×10⁵ steps, clip 10 (§3.5, released code).
"""
from __future__ import annotations

import math

import pandas as pd

from ..jobs import Job, size, train_config
from ..models import params_of
from ..models.carn import PCARN_TABLE1
from ..plots import gap_bars
from ..recipes import LITE_ITERATIONS, PAPER_RECIPES
from ..verdicts import Claim, Verdict, combine, decide, per_seed, scores, verdict_of
from . import Layout, RunContext, TableSpec

PAPER = "PCARN"
PAPER_ITERATIONS = PAPER_RECIPES["pcarn"].iterations

# ================================================================================================ paper values
# PAPER VALUES, transcribed from shared/seeds/pcarn.txt ("mean ± std over ten runs", §4).
T1 = "PCARN Table 1 (×4; test set not named: Set14, see module docstring)"
T3 = "PCARN Table 3 (×4, PCARN with L1; test set as Table 1)"

# Table 1: row → (#Params as printed, PSNR mean, PSNR std, SSIM mean, SSIM std)
T1_ROWS = {
    "Baseline": (963e3, 28.42, 0.02, 0.7773, 3e-4),
    "+ Local": (1074e3, 28.45, 0.01, 0.7780, 3e-4),
    "+ Global": (1000e3, 28.47, 0.02, 0.7787, 4e-4),
    "+ L/G": (1111e3, 28.49, 0.02, 0.7788, 3e-4),
    "+ Residual": (1111e3, 28.50, 0.01, 0.7792, 3e-4),
}
# Table 3: rows top to bottom → (srrepro.train.INIT_SCHEMES key, label, PSNR, PSNR std, SSIM, SSIM std)
T3_ROWS = [
    ("normal2_x0.1", "Norm. 0.1 × √(2/F)", 28.46, 0.01, 0.7781, 3e-4),
    ("uniform6_x0.1", "Unif. 0.1 × √(6/F)", 28.47, 0.01, 0.7782, 3e-4),
    ("uniform1_x0.1", "Unif. 0.1 × √(1/F)", 28.45, 0.02, 0.7775, 4e-4),
    ("normal2_x1", "Norm. 1.0 × √(2/F)", 28.45, 0.02, 0.7777, 3e-4),
    ("uniform6_x1", "Unif. 1.0 × √(6/F)", 28.44, 0.01, 0.7778, 2e-4),
    ("uniform1_x1", "Unif. 1.0 × √(1/F)", 28.50, 0.01, 0.7791, 3e-4),
]
PAPER_INIT = "uniform1_x1"  # §4.2: the paper's choice
INIT_LABEL = {k: label for k, label, *_ in T3_ROWS}

# ================================================================================================ shared builders
ABLATION_SCALE = 4
ABLATION_SET = "Set14"


def _needed(table: str) -> str:
    return f"more seeds, or the paper profile (`make dry-run TABLE={table} PROFILE=paper` for its cost)"


def ablation_config(ctx: RunContext, seed: int, row: str = "+ Residual", init: str = PAPER_INIT):
    """A Table 1 / Table 3 model: single-scale ×4 PCARN with Table 1's switches and Table 3's initialization."""
    kw = {**size("pcarn", ctx.profile), **PCARN_TABLE1[row]}
    return train_config(ctx, "pcarn", "pcarn", kw, seed, scales=(ABLATION_SCALE,), init=init)


def _ablation_evals() -> list[dict]:
    return [{"dataset": ABLATION_SET, "scale": float(ABLATION_SCALE)}]


def _vs(column: str, a, b, table: str, metric: str = "psnr"):
    def check(df: pd.DataFrame, profile: str) -> Verdict:
        return verdict_of(decide(scores(df, {column: a}, metric), scores(df, {column: b}, metric)),
                          f"{a} − {b}, {ABLATION_SET} ×{ABLATION_SCALE} {metric.upper()}"
                          f"{' (dB)' if metric == 'psnr' else ''}", _needed(table))
    return check


def _above_all(column: str, best, others, table: str):
    def check(df: pd.DataFrame, profile: str) -> Verdict:
        parts = [(f"vs {o}", decide(scores(df, {column: best}), scores(df, {column: o}))) for o in others]
        return combine(parts, _needed(table), "pairwise comparisons")
    return check


def _ablation_plot(df: pd.DataFrame, column: str, order: list, labels: dict, title: str, ax=None):
    """Each row's PSNR: ours one dot per seed (left axis), the paper's mean ± std (right axis)."""
    import matplotlib.pyplot as plt

    ax = ax or plt.subplots(figsize=(7, 3.6))[1]
    d = df[df["psnr"].notna()]
    x = range(len(order))
    for i, r in enumerate(order):
        g = d[d[column] == r]
        ax.scatter([i] * len(g), g["psnr"], color="C0", alpha=0.7, label="ours (one dot per seed)" if i == 0 else None)
    ax.set_ylabel(f"{ABLATION_SET} ×{ABLATION_SCALE} PSNR, ours (dB)")
    ax2 = ax.twinx()
    p = df.drop_duplicates(column).set_index(column).reindex(order)
    std = p["psnr_paper_std"] if "psnr_paper_std" in p else None
    ax2.errorbar(list(x), p["psnr_paper"], yerr=std, fmt="s--", color="C3", capsize=3, label="paper (± std, 10 runs)")
    ax2.set_ylabel("paper (dB)", color="C3")
    ax.set_xticks(list(x), [labels.get(r, r) for r in order], rotation=20, fontsize=8)
    ax.legend(loc="upper left", fontsize=8)
    ax2.legend(loc="lower right", fontsize=8)
    ax.set_title(title)
    return ax


# ================================================================================================ t1
def t1_jobs(ctx: RunContext) -> list[Job]:
    jobs = []
    for row in T1_ROWS:
        info = {"params": params_of("pcarn", scale=ABLATION_SCALE, **PCARN_TABLE1[row]), "init": PAPER_INIT}
        for seed in range(ctx.n_seeds):
            jobs.append(Job.train({"model": row, "seed": seed}, _ablation_evals(), ablation_config(ctx, seed, row),
                                  "pcarn", info))
    return jobs


def _t1_params(df: pd.DataFrame, profile: str) -> Verdict:
    d = df.drop_duplicates("model").set_index("model")
    paper = pd.Series({r: v[0] for r, v in T1_ROWS.items()})
    delta = (d["params"] - paper).reindex(paper.index)
    ok = (delta >= 0) & (delta < 1000)  # the printed counts are truncated to the thousand
    ev = "exact counts (×4 single-scale, 64 features): " + ", ".join(
        f"{r} {d['params'][r]:,.0f}" for r in paper.index)
    if ok.all():
        return Verdict("holds", ev + " — each truncates to the printed value")
    return Verdict("contradicted", ev + f" — {', '.join(r for r in paper.index if not ok[r])} do not truncate to "
                                        f"the printed value")


T1_CLAIMS = [
    Claim("t1_local", "Local cascading improves the baseline (+ Local > Baseline)",
          "Table 1; §4.1 'Model with local cascading improves the baseline SR performance'",
          _vs("model", "+ Local", "Baseline", "pcarn_t1"), trained=True),
    Claim("t1_global_over_local", "Global cascading gains more than local cascading (+ Global > + Local)",
          "Table 1; §4.1 'We observed higher performance gain with the global cascading scheme'",
          _vs("model", "+ Global", "+ Local", "pcarn_t1"), trained=True),
    Claim("t1_lg", "Both cascades together beat either alone (+ L/G > + Global and > + Local)",
          "Table 1 (28.49 against 28.47 and 28.45)", _above_all("model", "+ L/G", ["+ Global", "+ Local"], "pcarn_t1"),
          trained=True),
    Claim("t1_residual", "The global residual still improves on + L/G (+ Residual > + L/G)",
          "Table 1; §4.1 'we choose to embed the global residual learning ... since it does improve performance'",
          _vs("model", "+ Residual", "+ L/G", "pcarn_t1"), trained=True),
    Claim("t1_params", "The Params column is each ablation model's parameter count (963K … 1,111K)",
          "Table 1, Params column", _t1_params),
]


def _t1_plot(df, ax=None):
    return _ablation_plot(df, "model", list(T1_ROWS), {}, "Table 1: cascading design (paper on the right axis)", ax)


T1_NOTES = f"""
**Readings.** The Params column fixes the models: single-scale ×4 PCARNs (exact: 963,675 / 1,074,843 / 1,000,731 /
1,111,899 / 1,111,899, each printed truncated to the thousand), not the multi-scale 1.59M model §3.5 trains. The test
set is not named; we score Set14 ×4 (see the module docstring). The paper reports the mean ± std of ten runs; lite
runs 3 seeds, and the page sets our seed mean ± std beside the paper's. "+ Residual" is the PCARN generator and the
same model as `pcarn_t3`'s `{PAPER_INIT}` row (one cached training). The paper's Baseline is "SRResNet" with the same
topology: here, the nine residual blocks chained without any 1×1 fusion and without the global residual.
"""


# ================================================================================================ t3
def t3_jobs(ctx: RunContext) -> list[Job]:
    jobs = []
    params = params_of("pcarn", scale=ABLATION_SCALE)
    for init, label, *_ in T3_ROWS:
        for seed in range(ctx.n_seeds):
            jobs.append(Job.train({"init": init, "seed": seed}, _ablation_evals(),
                                  ablation_config(ctx, seed, init=init), "pcarn",
                                  {"scheme": label, "params": params}))
    return jobs


T3_CLAIMS = [
    Claim("t3_best", "1.0 × U(±√(1/F)) gives the best PSNR of the six schemes",
          "Table 3 (28.50 against 28.44–28.47); §4.2",
          _above_all("init", PAPER_INIT, [k for k, *_ in T3_ROWS if k != PAPER_INIT], "pcarn_t3"), trained=True),
    Claim("t3_msra", "MSRA initialization (1.0 × N(0, √(2/F))) is inferior to the paper's pick",
          "§4.2 'the MSRA initialization [13] (4th row) and the high-range uniform (5th row) were inferior'",
          _vs("init", PAPER_INIT, "normal2_x1", "pcarn_t3"), trained=True),
    Claim("t3_scaled_down", "Multiplying the initial values by 0.1 degrades the performance (each 0.1× row below "
          "1.0 × U(±√(1/F)))", "§4.2 'Multiplying the initial random values by 0.1 (1st ∼ 3rd rows) degrades the "
          "performance'", _above_all("init", PAPER_INIT, ["normal2_x0.1", "uniform6_x0.1", "uniform1_x0.1"],
                                     "pcarn_t3"), trained=True),
]


def _t3_plot(df, ax=None):
    return _ablation_plot(df, "init", [k for k, *_ in T3_ROWS], {k: l.replace(" × ", "×\n") for k, l in
                                                                INIT_LABEL.items()},
                          "Table 3: initialization (paper on the right axis)", ax)


T3_NOTES = f"""
**Readings.** The six schemes follow the released `init.py`: every convolution weight drawn from the row's
distribution with F = fan-in (input channels × kernel area), biases zeroed, the frozen mean shifts untouched
(`srrepro.train.INIT_SCHEMES`). 1.0 × U(±√(1/F)) is PyTorch's default weight range but with zero biases, so the
paper's pick is not quite "no initialization". At lite the 1×1 fusion convolutions are narrower (32 features: F =
64, 96, 128 instead of 128, 192, 256), which changes every F-scaled row alike. Model and test set as `pcarn_t1`; the
`{PAPER_INIT}` row is the same cached model as its "+ Residual". Figures 6 and 7 (`pcarn_f6`, `pcarn_f7`) measure the
paper's explanation, saturation at initialization, without training.
"""


# ================================================================================================ specs
def _t1_pv():
    return [dict(model=r, params=p, psnr=ps, ssim=ss, psnr_paper_std=psd, ssim_paper_std=ssd,
                 source=f"{T1}, row {r}") for r, (p, ps, psd, ss, ssd) in T1_ROWS.items()]


def _t3_pv():
    return [dict(init=k, psnr=ps, ssim=ss, psnr_paper_std=psd, ssim_paper_std=ssd, source=f"{T3}, row {label}")
            for k, label, ps, psd, ss, ssd in T3_ROWS]


def _complete(values: list[dict], metrics: list[str]) -> list[dict]:
    return [{**{m: math.nan for m in metrics}, **v} for v in values]


def _spec(**kw) -> TableSpec:
    kw["paper_values"] = _complete(kw.get("paper_values", []), kw["metrics"])
    return TableSpec(family="pcarn", **kw)


def _desc(text: str) -> str:
    return text.strip() + "\n\n" + ("A training job is `TrainConfig → srrepro.train.train → srrepro.evaluate.evaluate` "
                                    "at 25/50/75/100 % of training (engine: `srrepro/jobs.py`); trained models are "
                                    "cached in `runs/<table>/<model hash>/` and shared between tables.")


_LITE = (f"T91, LR patch 16, batch 16, {LITE_ITERATIONS} iterations ({LITE_ITERATIONS / PAPER_ITERATIONS:.3%} of the "
         f"paper's), lr 1e-3 halved at 75 %, PCARN 32 features (B = U = 3), 3 seeds, full Set14 ×4")
_SHOW = ("iterations", "train_seconds")
_PAPER_RUN = "DIV2K, LR patch 48, batch 64, 6×10⁵ steps, lr 1e-4 halved at 4×10⁵, clip 10; full Set14"
SPECS = {
    "pcarn_t1": _spec(
        id="pcarn_t1", title="PCARN Table 1: local and global cascading, global residual", paper=PAPER, source=T1,
        description=_desc("Five single-scale ×4 PCARNs that switch the local cascade (Eq. 2), the global cascade "
                          "(Eq. 3) and the global residual on and off, trained alike; PSNR/SSIM on Set14 ×4. `params` "
                          "is the exact count at paper size."),
        keys=["model", "seed"], metrics=["params", "psnr", "ssim"], jobs=t1_jobs,
        plan_notes="Five ×4 PCARN variants (Table 1 rows), the paper's initialization, scored on Set14 ×4; parameter "
                   "counts exact at paper size whatever the profile.",
        layout=Layout(("model",), (), ("params", "psnr", "ssim")), display_extra=_SHOW, paper_values=_t1_pv(),
        claims=T1_CLAIMS, plot=_t1_plot, notes=T1_NOTES,
        profiles={"smoke": "5 tiny variants, 2 iterations, 1 Set14 image",
                  "lite": f"5 variants × 3 seeds, {_LITE}", "paper": f"5 variants, {_PAPER_RUN}"}),
    "pcarn_t3": _spec(
        id="pcarn_t3", title="PCARN Table 3: initialization", paper=PAPER, source=T3,
        description=_desc("The ×4 PCARN (L1) trained from each of Table 3's six initializations, otherwise alike; "
                          "PSNR/SSIM on Set14 ×4."),
        keys=["init", "seed"], metrics=["psnr", "ssim"], jobs=t3_jobs,
        plan_notes="Six ×4 PCARNs differing only in initialization (Table 3 rows), scored on Set14 ×4; the paper's "
                   "pick is shared with pcarn_t1's '+ Residual'.",
        layout=Layout(("init",), (), ("psnr", "ssim")), display_extra=("scheme",) + _SHOW, paper_values=_t3_pv(),
        claims=T3_CLAIMS, plot=_t3_plot, notes=T3_NOTES,
        profiles={"smoke": "6 tiny models, 2 iterations, 1 Set14 image",
                  "lite": f"6 schemes × 3 seeds, {_LITE}", "paper": f"6 schemes, {_PAPER_RUN}"}),
}
