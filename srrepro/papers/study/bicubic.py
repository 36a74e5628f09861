"""Table ``bicubic``: the bicubic baseline every paper prints, recomputed under the MATLAB protocol.

No training is involved, so the study's numbers must equal the papers' up to their rounding: this table is the
check that ``srrepro.degrade`` (LR generation) and ``srrepro.metrics`` (Y-PSNR/SSIM) are the papers' protocol.
A cell: LR = ``imresize(modcrop(HR, s), 1/s, 'bicubic')`` (BI) or the BD/DN degradation, SR =
``imresize(LR, s, 'bicubic')``, PSNR/SSIM on Y (``rgb2ycbcr(im2double)``), border = s, averaged over images.
"""
from __future__ import annotations

import math

import pandas as pd

from ... import data as _data
from ...evaluate import evaluate_bicubic
from ...verdicts import exact, half_unit
from ...tables import Claim, Layout, Plan, RunContext, TableSpec, Verdict, select

# ---------------------------------------------------------------------------------------------- paper values
# PAPER VALUES, transcribed from ../shared/seeds; each row says where it comes from.
_EDSR = "EDSR slides, 'Quantitative Results' table, Bicubic column"
_ASDN1 = "ASDN slides, Table 1 (fixed-scale), Bicubic rows"
_ASDN2 = "ASDN slides, Table 2 (any-scale, BSD100), Bicubic row"
_SLWSR = "s-LWSR, Table II, Bicubic row"
_OVERNET7 = "OverNet, Table 7, Bicubic column"


def _pv(reported_by, source, dataset, scale, degradation, psnr, ssim=math.nan):
    return dict(dataset=dataset, scale=float(scale), degradation=degradation, psnr=psnr, ssim=ssim,
                reported_by=reported_by, source=source)


PAPER_VALUES = [
    # EDSR slides: Set5/Set14/B100/Urban100/DIV2K-val at ×2/×3/×4 (4-digit SSIM)
    *[_pv("EDSR", _EDSR, d, s, "BI", p, q) for d, rows in {
        "Set5": [(2, 33.66, 0.9299), (3, 30.39, 0.8682), (4, 28.42, 0.8104)],
        "Set14": [(2, 30.24, 0.8688), (3, 27.55, 0.7742), (4, 26.00, 0.7027)],
        "B100": [(2, 29.56, 0.8431), (3, 27.21, 0.7385), (4, 25.96, 0.6675)],
        "Urban100": [(2, 26.88, 0.8403), (3, 24.46, 0.7349), (4, 23.14, 0.6577)],
        "DIV2K_valid": [(2, 31.01, 0.9393), (3, 28.22, 0.8906), (4, 26.66, 0.8521)],
    }.items() for s, p, q in rows],
    # ASDN slides Table 1 (3-digit SSIM). The slide's scale labels are shifted by one block; the values are
    # read in block order ×2, ×3, ×4, ×8. "BSD100 ×2 20.55" is printed as is (see the errata on the page).
    *[_pv("ASDN", _ASDN1, d, s, "BI", p, q) for s, rows in {
        2: [("Set5", 33.64, 0.929), ("Set14", 30.22, 0.868), ("B100", 20.55, 0.842), ("Urban100", 26.66, 0.841),
            ("Manga109", 30.84, 0.935)],
        3: [("Set5", 30.39, 0.867), ("Set14", 27.53, 0.774), ("B100", 27.20, 0.758), ("Urban100", 24.47, 0.737),
            ("Manga109", 26.99, 0.859)],
        4: [("Set5", 28.42, 0.810), ("Set14", 26.10, 0.704), ("B100", 25.96, 0.669), ("Urban100", 23.15, 0.660),
            ("Manga109", 24.92, 0.789)],
        8: [("Set5", 24.40, 0.658), ("Set14", 23.10, 0.566), ("B100", 23.97, 0.548), ("Urban100", 20.74, 0.516),
            ("Manga109", 21.47, 0.650)],
    }.items() for d, p, q in rows],
    # ASDN slides Table 2: B100 at non-integer scales (PSNR only)
    *[_pv("ASDN", _ASDN2, "B100", s, "BI", p) for s, p in [
        (1.1, 36.56), (1.2, 33.01), (1.3, 33.84), (1.4, 32.93), (1.5, 32.14), (1.6, 31.49), (1.7, 30.90),
        (1.8, 30.58), (1.9, 29.97), (2.0, 29.55), (2.8, 27.53), (4.0, 25.06), (5.7, 24.06), (8.0, 23.07),
        (11.3, 22.65), (16.0, 21.73), (22.6, 20.73), (32.0, 19.99)]],
    # s-LWSR Table II, ×4 (3-digit SSIM)
    *[_pv("s-LWSR", _SLWSR, d, 4, "BI", p, q) for d, p, q in [
        ("Set5", 28.42, 0.810), ("Set14", 26.10, 0.704), ("B100", 25.96, 0.669), ("Urban100", 23.15, 0.659)]],
    # OverNet Table 7, ×3, BD and DN
    *[_pv("OverNet", _OVERNET7, d, 3, g, p, q) for d, g, p, q in [
        ("Set5", "BD", 28.34, 0.8161), ("Set5", "DN", 24.14, 0.5445),
        ("Set14", "BD", 26.12, 0.7106), ("Set14", "DN", 23.14, 0.4828),
        ("B100", "BD", 26.02, 0.6733), ("B100", "DN", 22.94, 0.4461),
        ("Urban100", "BD", 23.20, 0.6661), ("Urban100", "DN", 21.63, 0.4701)]],
]

# ---------------------------------------------------------------------------------------------- grid
BENCHMARKS = ("Set5", "Set14", "B100", "Urban100", "DIV2K_valid", "Manga109")
BI_SCALES = (2, 3, 4, 8)
ANY_SCALES = tuple(sorted({r["scale"] for r in PAPER_VALUES if r["source"] == _ASDN2} - {2.0, 4.0, 8.0}))
DN_SEEDS = 5
BD_READINGS = {"blur_first": "RDN: 7×7 Gaussian σ=1.6 blur, then ×3 subsampling",
               "bicubic_first": "OverNet §4 text: bicubic ×1/3, then the same blur"}


def _grid(profile: str) -> list[dict]:
    """One entry per cell: dataset, scale, degradation, variant, seeds."""
    sets = ("Set5",) if profile == "smoke" else BENCHMARKS
    cells = []
    for d in sets:
        for s in ((2, 4) if profile == "smoke" else BI_SCALES):
            cells.append(dict(dataset=d, scale=float(s), degradation="BI", variant="-", seeds=1))
        if d in ("DIV2K_valid", "Manga109"):
            continue
        for reading in BD_READINGS:
            cells.append(dict(dataset=d, scale=3.0, degradation="BD", variant=reading, seeds=1))
        cells.append(dict(dataset=d, scale=3.0, degradation="DN", variant="σ=30",
                          seeds=1 if profile == "smoke" else DN_SEEDS))
    if profile != "smoke":
        cells += [dict(dataset="B100", scale=s, degradation="BI", variant="-", seeds=1) for s in ANY_SCALES]
    return cells


def _available(dataset: str, root) -> str | None:
    try:
        _data.dataset_files(dataset, root)
        return None
    except _data.DatasetMissingError as e:
        return f"data not available: {e}"


Y_VARIANTS = ("float", "uint8")  # rgb2ycbcr(im2double(img)) (EDSR/RCAN scripts) and rgb2ycbcr(uint8) (SelfExSR)


def _compute_cell(cell: dict, data_root) -> list[dict]:
    from threadpoolctl import threadpool_limits

    # One BLAS thread per worker: the pool already uses every core, and oversubscribed BLAS threads spin.
    with threadpool_limits(1):
        return _compute_cell_rows(cell, data_root)


def _compute_cell_rows(cell: dict, data_root) -> list[dict]:
    row = {k: cell[k] for k in ("dataset", "scale", "degradation", "variant")}
    # Both Y variants for BI (the papers differ there); BD/DN come from RDN's float-Y MATLAB script only.
    ys = Y_VARIANTS if cell["degradation"] == "BI" else ("float",)
    missing = _available(cell["dataset"], data_root)
    if missing:
        return [{**row, "y": y, "status": missing} for y in ys]
    kw = {"bd_order": cell["variant"]} if cell["degradation"] == "BD" else {}
    per_seed = pd.concat([evaluate_bicubic(cell["dataset"], cell["scale"], cell["degradation"], root=data_root,
                                           y=ys, seed=seed, **kw).assign(seed=seed)
                          for seed in range(cell["seeds"])])
    out = []
    for y, g in per_seed.groupby("y", sort=False):
        by_seed = g.groupby("seed")[["psnr", "ssim"]].mean()
        many = len(by_seed) > 1
        out.append({**row, "y": y, "psnr": by_seed["psnr"].mean(), "ssim": by_seed["ssim"].mean(),
                    "psnr_std": by_seed["psnr"].std(ddof=1) if many else math.nan,
                    "ssim_std": by_seed["ssim"].std(ddof=1) if many else math.nan,
                    "n_seeds": len(by_seed), "n_images": int(len(g) / len(by_seed)),
                    "data_sha256": _data.dataset_checksum(cell["dataset"], data_root), "status": "ok"})
    return out


def run(ctx: RunContext) -> pd.DataFrame:
    """Every cell of the grid, spread over the CPU cores (cells are independent and exact)."""
    import os
    from concurrent.futures import ProcessPoolExecutor

    from tqdm.auto import tqdm

    cells = select(_grid(ctx.profile), ctx.only)
    # Biggest cells first so that the pool's last minutes are not spent on one straggler.
    cells.sort(key=lambda c: -_cost(c))
    workers = min(os.cpu_count() or 1, len(cells))
    rows = []
    with ProcessPoolExecutor(workers) as pool:
        futures = [pool.submit(_compute_cell, c, ctx.data_root) for c in cells]
        for f in tqdm(futures, desc="bicubic cells", disable=not ctx.progress):
            rows += f.result()
    return pd.DataFrame(rows)


def _cost(c: dict) -> float:
    """Seconds of one core (measured on this machine's 2-core kind, idle): images × seeds × Y variants."""
    n = {"Set5": 5, "Set14": 14, "B100": 100, "Urban100": 100, "DIV2K_valid": 100, "Manga109": 109}[c["dataset"]]
    per_image = {"Set5": 0.04, "Set14": 0.06, "B100": 0.05, "Urban100": 0.2}.get(c["dataset"], 0.0)
    return n * per_image * c["seeds"] * (2 if c["degradation"] == "BI" else 1)


def plan(ctx: RunContext) -> Plan:
    import os

    runs = [{**c, "training_iterations": 0, "est_seconds": round(_cost(c) / (os.cpu_count() or 1), 1)}
            for c in _grid(ctx.profile)]
    return Plan(runs, "no training: every cell is exact (MATLAB-bicubic LR, bicubic SR, Y-PSNR/SSIM in both Y "
                      "variants); DIV2K_valid and Manga109 cells are skipped when their data is absent")


# ---------------------------------------------------------------------------------------------- claims
PSNR_DECIMALS = 2  # every bicubic PSNR these papers print has two decimals (EDSR and ASDN slides, s-LWSR, OverNet)


def _reproduced(reported_by: str, degradation: str = "BI", source: str | None = None):
    """Exact: each printed bicubic PSNR reproduced within half a unit of its last printed digit (0.005 dB), under
    the Y variant (float / uint8) that fits the paper's cells best (the papers do not say which they use) and, for
    BD, the closer of the two readings per cell. DN adds the noise: the paper's value is one noise draw, ours the
    mean of several, so the tolerance widens by two standard deviations of our per-draw means (stated in the
    verdict)."""
    def check(df: pd.DataFrame, profile: str) -> Verdict:
        sel = df[(df["reported_by"] == reported_by) & (df["degradation"] == degradation) & df["psnr"].notna()
                 & df["psnr_paper"].notna()]
        if source is not None:
            sel = sel[sel["paper_source"] == source]
        # The Y variant (float / uint8) under which the paper's cells fit best.
        y_best = sel.assign(a=sel["psnr_delta"].abs()).groupby("y")["a"].median().idxmin() if len(sel) else None
        sel = sel[sel["y"] == y_best]
        if degradation == "BD":  # closest reading per cell
            sel = sel.loc[sel.assign(a=sel["psnr_delta"].abs()).groupby(["dataset", "scale"])["a"].idxmin()]
        if sel.empty:
            return Verdict("not run", "no cell of this paper computed at this profile",
                           "run `make reproduce TABLE=bicubic PROFILE=lite`")
        cells = [(f"{r.dataset} ×{r.scale:g}" + (f" {r.variant}" if degradation == "BD" else ""), float(r.psnr),
                  float(r.psnr_paper), PSNR_DECIMALS) for r in sel.itertuples()]
        what, needed = f"PSNR cells (Y {y_best})", "see the per-cell deltas and the notes on the page"
        if degradation != "DN":
            return exact(cells, what, needed=needed)
        if sel["n_seeds"].min() < 2:  # one draw of ours against one of the paper's: the noise is not measured
            v = exact(cells, what, needed=needed)
            return Verdict("inconclusive", v.evidence + "; one noise draw at this profile: the draw-to-draw spread "
                           "is not measured", "the lite profile (5 noise draws)", kind="exact")
        sigma = float(sel["psnr_std"].max())  # the widest cell's: one tolerance for the claim
        reason = (f"the paper's value is one noise draw: half a unit plus 2σ of our {int(sel['n_seeds'].min())} "
                  f"draws' means, σ ≤ {sigma:.3f} dB")
        return exact(cells, what, half_unit(PSNR_DECIMALS) + 2 * sigma, reason, needed)
    return check


CLAIMS = [
    Claim("bicubic_edsr", "The EDSR slides' bicubic PSNRs are MATLAB-bicubic + Y-PSNR with border = scale",
          _EDSR, _reproduced("EDSR"), kind="exact"),
    Claim("bicubic_asdn_t1", "ASDN's fixed-scale bicubic rows (Table 1) follow the same protocol", _ASDN1,
          _reproduced("ASDN", source=_ASDN1), kind="exact"),
    Claim("bicubic_asdn_t2", "ASDN's any-scale bicubic row (Table 2, B100 ×1.1–×32) follows the same protocol",
          _ASDN2, _reproduced("ASDN", source=_ASDN2), kind="exact"),
    Claim("bicubic_slwsr", "s-LWSR's bicubic ×4 row follows the same protocol", _SLWSR, _reproduced("s-LWSR"),
          kind="exact"),
    Claim("bicubic_overnet_bd", "OverNet Table 7's BD bicubic column uses RDN's BD degradation", _OVERNET7,
          _reproduced("OverNet", "BD"), kind="exact"),
    Claim("bicubic_overnet_dn", "OverNet Table 7's DN bicubic column uses RDN's DN degradation (σ = 30)",
          _OVERNET7, _reproduced("OverNet", "DN"), kind="exact"),
]


def plot(df: pd.DataFrame, ax=None):
    """Δ PSNR (ours − paper) per cell, coloured by the paper that reports it."""
    import matplotlib.pyplot as plt
    import seaborn as sns

    d = df[df["psnr_delta"].notna()].copy()
    d["cell"] = d["dataset"] + " ×" + d["scale"].map("{:g}".format) + " " + d["degradation"]
    ax = ax or plt.subplots(figsize=(10, 4))[1]
    sns.stripplot(data=d, x="cell", y="psnr_delta", hue="reported_by", ax=ax, size=6, jitter=False)
    ax.set_yscale("symlog", linthresh=0.05)  # ±0.005 dB matches and a 5 dB misreading on one axis
    ax.axhline(0, color="k", lw=0.8)
    for t in (-half_unit(PSNR_DECIMALS), half_unit(PSNR_DECIMALS)):  # the printed precision
        ax.axhline(t, color="grey", lw=0.5, ls="--")
    ax.set(ylabel="ours − paper (dB)", xlabel="", title="Bicubic baseline: Δ PSNR against each paper")
    ax.tick_params(axis="x", rotation=90, labelsize=7)
    return ax


NOTES = """
**Reading the deltas** (lite profile, all numbers computed here; paper values as printed):

* *EDSR slides* — closest under the float Y of `rgb2ycbcr(im2double)`, but not every cell to the printed digit (the
  verdict lists the cells off by more than half a unit; the largest are on Set5). On Set5 the slides' values lie
  between our float-Y and uint8-Y results (e.g. ×2: 33.674 vs 33.640, slides 33.66); no other Y/rounding/cropping
  variant tried (float SR without quantization, float LR, mod-12 crop) comes closer. We read it as a small
  difference in EDSR's own Set5 files and leave it unexplained beyond that.
* *ASDN Table 1* uses the rounded uint8 Y (Set5 ×2 33.640 vs 33.64, where float Y gives 33.674). Its errata:
  B100 ×2 **20.55** is a typo for 29.55 (ours 29.548; its own Table 2 prints 29.55); B100 ×8 **23.97** vs ours
  23.665 — its Table 2 prints 23.07 at ×8, and 23.67 would be the value both are a one-digit typo of; Set14 ×4
  and Urban100 ×2 differ by 0.10 and 0.21 dB (26.10 and 26.66; the EDSR slides print 26.00 and 26.88 and agree
  with us), so ASDN copied those two from another source.
* *ASDN Table 2* (B100 at non-integer scales): the ×4.0 entry **25.06** is a typo for 25.96 (its Table 1 and
  ours: 25.957); ×8.0 see above; ×1.2 **33.01** sits below ×1.3 (33.84), impossible for a monotone baseline:
  ours is 35.047 (uint8 Y), so 35.01 misprinted is the likely reading. ×1.3–×1.7 and ×1.9 agree within
  0.05 dB (uint8 Y); the remaining gaps (×1.8 −0.16, ×5.7 +0.64, ×32 −0.17 dB) are not typos we can
  identify and may come from a different cropping rule for fractional scales, which the slides do not give
  (ours: LR = ⌊H/r⌋, HR cropped to round(LR·r)).
* *s-LWSR Table II* matches on Set5, B100 and Urban100 (uint8 Y); its Set14 26.10 is ASDN's (see above).
* *OverNet Table 7, BD*: neither reading matches. RDN's definition (blur, then ×3 subsampling) gives Set5
  28.79 dB, 0.45 dB above OverNet's 28.34 (and 0.3 dB above on the other sets); OverNet's own wording (bicubic,
  then blur) gives 23.47 dB, 4.9 dB below. The closest reading is RDN's; OverNet's BD bicubic column was not
  produced by either.
* *OverNet Table 7, DN*: Set5, B100 and Urban100 agree within the 5-seed noise spread (e.g. Urban100 21.630 ±
  0.007 vs 21.63). Set14 is 0.22 dB below (22.917 vs 23.14): Set14 holds the greyscale `bridge`. Adding
  independent noise to each channel of the grey image replicated to RGB and then taking Y averages the noise
  down by ≈3.5 dB on that image, ≈0.25 dB on the Set14 mean — the size of the gap. We keep the protocol
  (grey images scored on their grey values) and report the gap.
"""

SPECS = {
    "bicubic": TableSpec(
        id="bicubic", title="Bicubic baselines under the MATLAB protocol", paper="study",
        source="EDSR slides (results table), ASDN slides Tables 1–2, s-LWSR Table II, OverNet Table 7",
        description=__doc__.split("\n\n", 1)[1],
        keys=["dataset", "scale", "degradation", "variant", "y"], metrics=["psnr", "ssim"],
        run=run, plan=plan, paper_values=PAPER_VALUES, claims=CLAIMS, plot=plot, notes=NOTES,
        layout=Layout(("reported_by", "degradation", "scale"), ("dataset", "y"), ("psnr",)),
        profiles={"smoke": "Set5 ×2/×4 BI, ×3 BD (both readings) and DN (1 seed)",
                  "lite": "all benchmarks present, BI ×2/×3/×4/×8, B100 at ASDN's 15 other scales, BD/DN ×3 "
                          "(DN over 5 noise seeds)",
                  "paper": "same as lite (no training: the cells are exact)"},
    )
}
