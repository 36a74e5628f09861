"""Table ``bicubic``: the bicubic baseline every paper prints, recomputed under the MATLAB protocol.

No training is involved, so the study's numbers must equal the papers' up to their rounding: this table is the
check that ``srrepro.degrade`` (LR generation) and ``srrepro.metrics`` (Y-PSNR/SSIM) are the papers' protocol.
A cell: LR = ``imresize(modcrop(HR, s), 1/s, 'bicubic')`` (BI) or the BD/DN degradation, SR =
``imresize(LR, s, 'bicubic')``, PSNR/SSIM on Y (``rgb2ycbcr(im2double)``), border = s, averaged over images.
"""
from __future__ import annotations

import functools
import math

import pandas as pd

from ... import data as _data
from .. import printed
from ...verdicts import exact, half_unit
from ...spec import Claim, Layout, Plan, RunContext, TableSpec, Verdict, select

# ---------------------------------------------------------------------------------------------- paper values
# The printed values are values/bicubic.csv (transcribed from ../shared/seeds), each row with its source; the claims
# select them by these source texts. ASDN Table 1's scale labels are shifted by one block on the slide (its values
# are read in block order ×2, ×3, ×4, ×8), and its "BSD100 ×2 20.55" is kept as printed (see the errata on the page).
_EDSR = "EDSR slides, 'Quantitative Results' table, Bicubic column"
_ASDN1 = "ASDN slides, Table 1 (fixed-scale), Bicubic rows"
_ASDN2 = "ASDN slides, Table 2 (any-scale, BSD100), Bicubic row"
_SLWSR = "s-LWSR, Table II, Bicubic row"
_OVERNET7 = "OverNet, Table 7, Bicubic column"


# ---------------------------------------------------------------------------------------------- grid
BENCHMARKS = ("Set5", "Set14", "B100", "Urban100", "DIV2K_valid", "Manga109")
BI_SCALES = (2, 3, 4, 8)
# ASDN Table 2's scales that are not BI_SCALES (from its printed row)
ANY_SCALES = tuple(sorted({float(r["scale"]) for r in printed("bicubic") if r["source"] == _ASDN2} - {2.0, 4.0, 8.0}))
DN_SEEDS = 5
BD_READINGS = {"blur_first": "RDN: 7×7 Gaussian σ=1.6 blur, then ×3 subsampling",
               "bicubic_first": "OverNet §4 text: bicubic ×1/3, then the same blur"}


# The spec's grid per profile; a key it leaves out takes the lite value (the module's constants above).
GRID = {"smoke": {"datasets": ("Set5",), "bi_scales": (2, 4), "dn_seeds": 1, "any_scales": ()}, "lite": {}, "paper": {}}


def _grid(grid: dict) -> list[dict]:
    """One entry per cell of a profile's grid: dataset, scale, degradation, variant, seeds."""
    cells = []
    for d in grid.get("datasets", BENCHMARKS):
        for s in grid.get("bi_scales", BI_SCALES):
            cells.append(dict(dataset=d, scale=float(s), degradation="BI", variant="-", seeds=1))
        if d in ("DIV2K_valid", "Manga109"):
            continue
        for reading in BD_READINGS:
            cells.append(dict(dataset=d, scale=3.0, degradation="BD", variant=reading, seeds=1))
        cells.append(dict(dataset=d, scale=3.0, degradation="DN", variant="σ=30", seeds=grid.get("dn_seeds", DN_SEEDS)))
    cells += [dict(dataset="B100", scale=s, degradation="BI", variant="-", seeds=1)
              for s in grid.get("any_scales", ANY_SCALES)]
    return cells


def _available(dataset: str, root) -> str | None:
    try:
        _data.dataset_files(dataset, root)
        return None
    except _data.DatasetMissingError as e:
        return f"data not available: {e}"


Y_VARIANTS = ("float", "uint8")  # rgb2ycbcr(im2double(img)) (EDSR/RCAN scripts) and rgb2ycbcr(uint8) (SelfExSR)


def compute_cell(cell: dict, data_root) -> list[dict]:
    from threadpoolctl import threadpool_limits

    # One BLAS thread per worker: the pool already uses every core, and oversubscribed BLAS threads spin.
    with threadpool_limits(1):
        return _compute_cell_rows(cell, data_root)


def _compute_cell_rows(cell: dict, data_root) -> list[dict]:
    from ...evaluate import evaluate_bicubic  # scipy: only when a cell is computed

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

    cells = select(_grid(ctx.grid), ctx.only)
    # Biggest cells first so that the pool's last minutes are not spent on one straggler.
    cells.sort(key=lambda c: -_cost(c))
    workers = min(os.cpu_count() or 1, len(cells))
    rows = []
    with ProcessPoolExecutor(workers) as pool:
        futures = [pool.submit(compute_cell, c, ctx.data_root) for c in cells]
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
            for c in _grid(ctx.grid)]
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


def _printed(source: str, dataset: str, scale: float, degradation: str = "BI") -> float:
    """One printed bicubic PSNR (values/bicubic.csv), for the notes."""
    cells = [c for c in printed("bicubic") if c["source"] == source and c["dataset"] == dataset
             and float(c["scale"]) == scale and c["degradation"] == degradation]
    assert len(cells) == 1, (source, dataset, scale, degradation)
    return cells[0]["psnr"]


_E, _A1, _A2, _O = (functools.partial(_printed, src) for src in (_EDSR, _ASDN1, _ASDN2, _OVERNET7))

# Every number below is as printed (read from values/bicubic.csv); ours are in the rows and their deltas.
NOTES = f"""
**Reading the deltas** (lite profile; ours are the rows, the papers' values as printed):

* *EDSR slides* — closest under the float Y of `rgb2ycbcr(im2double)`, but not every cell to the printed digit (the
  verdict lists the cells off by more than half a unit; the largest are on Set5). On Set5 the slides' values lie
  between our float-Y and uint8-Y rows (e.g. ×2, slides {_E("Set5", 2):.2f}); no other Y/rounding/cropping variant
  tried (float SR without quantization, float LR, mod-12 crop) comes closer. We read it as a small difference in
  EDSR's own Set5 files and leave it unexplained beyond that.
* *ASDN Table 1* uses the rounded uint8 Y (its Set5 ×2 {_A1("Set5", 2):.2f} is the uint8-Y row's, not the float-Y
  one's). Its errata: B100 ×2 **{_A1("B100", 2):.2f}** is a typo for {_A2("B100", 2):.2f} (its own Table 2 prints
  that, and the B100 ×2 row reproduces it); B100 ×8 **{_A1("B100", 8):.2f}**: its Table 2 prints
  {_A2("B100", 8):.2f} at ×8, and the B100 ×8 row, rounded to the printed digits, is the value both are a one-digit
  typo of; Set14 ×4 and Urban100 ×2 ({_A1("Set14", 4):.2f} and {_A1("Urban100", 2):.2f}) are off the protocol
  where the EDSR slides print {_E("Set14", 4):.2f} and {_E("Urban100", 2):.2f} and agree with us, so ASDN copied
  those two from another source.
* *ASDN Table 2* (B100 at non-integer scales): the ×4.0 entry **{_A2("B100", 4):.2f}** is a typo for
  {_A1("B100", 4):.2f} (its Table 1 prints that, and our B100 ×4 row agrees); ×8.0 see above; ×1.2
  **{_A2("B100", 1.2):.2f}** sits below ×1.3 ({_A2("B100", 1.3):.2f}), impossible for a monotone baseline: our
  uint8-Y row has its last digits under a first digit one higher, so a misprinted first digit is the likely reading.
  ×1.3–×1.7 and ×1.9 agree to a few hundredths of a dB (uint8 Y); the remaining gaps (×1.8, ×5.7, ×32: see the
  deltas) are not typos we can identify and may come from a different cropping rule for fractional scales, which
  the slides do not give (ours: LR = ⌊H/r⌋, HR cropped to round(LR·r)).
* *s-LWSR Table II* matches on Set5, B100 and Urban100 (uint8 Y); its Set14 {_printed(_SLWSR, "Set14", 4):.2f} is
  ASDN's (see above).
* *OverNet Table 7, BD*: neither reading matches. RDN's definition (blur, then ×3 subsampling; the `blur_first`
  rows) is above OverNet's Set5 {_O("Set5", 3, "BD"):.2f} and above on the other sets; OverNet's own wording
  (bicubic, then blur; the `bicubic_first` rows) is several dB below. The closest reading is RDN's; OverNet's BD
  bicubic column was not produced by either.
* *OverNet Table 7, DN*: Set5, B100 and Urban100 agree within the {DN_SEEDS}-seed noise spread (e.g. Urban100, printed
  {_O("Urban100", 3, "DN"):.2f}). Set14 is below the printed {_O("Set14", 3, "DN"):.2f}: Set14 holds the greyscale
  `bridge`. Adding independent noise to each channel of the grey image replicated to RGB and then taking Y averages
  the noise down on that image, and on the Set14 mean by about the size of the gap. We keep the protocol (grey images
  scored on their grey values) and report the gap.
"""

SPECS = {
    "bicubic": TableSpec(
        id="bicubic", title="Bicubic baselines under the MATLAB protocol", paper="study",
        source="EDSR slides (results table), ASDN slides Tables 1–2, s-LWSR Table II, OverNet Table 7",
        description=__doc__.split("\n\n", 1)[1],
        keys=["dataset", "scale", "degradation", "variant", "y"], metrics=["psnr", "ssim"],
        run=run, plan=plan, claims=CLAIMS, plot=plot, notes=NOTES, grid=GRID,
        layout=Layout(("reported_by", "degradation", "scale"), ("dataset", "y"), ("psnr",)),
        profiles={"smoke": "Set5 ×2/×4 BI, ×3 BD (both readings) and DN (1 seed)",
                  "lite": "all benchmarks present, BI ×2/×3/×4/×8, B100 at ASDN's 15 other scales, BD/DN ×3 "
                          "(DN over 5 noise seeds)",
                  "paper": "same as lite (no training: the cells are exact)"},
    )
}
