"""Claims and their verdicts: paired gaps over images and seeds, with a 95 % interval.

* A claim's rule compares arms (models) that were scored on the same images, so every comparison is paired:
  ``d[seed, image] = metric(A) − metric(B)``.
* The interval (:func:`paired_interval`) is the wider of (a) a two-level paired bootstrap (seeds with replacement,
  then images with replacement, the same image draw for every seed; 2,000 draws, percentile interval) and (b)
  Student's t over the per-seed mean gaps (n − 1 degrees of freedom). (b) is what keeps 2–3 seeds honest: the
  bootstrap alone is too narrow for so few seeds. With one seed only (a) over images remains, and the verdict says
  that training noise is not in it.
* "holds" / "contradicted" only when the interval excludes zero; otherwise "inconclusive", with the seeds that the
  measured spread says would settle it. A claim "at every cell" over k cells judges each cell at the 1 − 0.05/k
  level (Bonferroni), so the claim as a whole is wrongly decided at most 5 % of the time; its headline gap is the
  95 % interval pooled over the cells' images.
* A rule that raises is a verdict of status "error" (shown on the page, failing the test suite), never folded into
  "inconclusive".
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Callable, NamedTuple

import numpy as np
import pandas as pd

VERDICTS = ("holds", "contradicted", "inconclusive", "not run", "error")
INTERVAL_METHOD = ("95 % interval: the wider of a two-level paired bootstrap (seeds, then images; 2,000 draws) and "
                   "Student's t over the per-seed mean gaps; a claim over k cells judges each cell at 1 − 0.05/k "
                   "(Bonferroni)")


@dataclass
class Verdict:
    status: str  # one of VERDICTS
    evidence: str  # one line: the numbers behind the verdict
    needed: str = ""  # for inconclusive / not run: what would settle it
    gap: float = math.nan  # the claim's headline paired gap (dB for PSNR), mean over seeds and images
    lo: float = math.nan  # its 95 % interval
    hi: float = math.nan
    n_seeds: int = 0
    n_images: int = 0
    budget: str = ""  # the profile's training budget as a fraction of the paper's ("500 of 6×10⁵ iterations")
    trend: str = ""  # how the gap's sign behaved over training (checkpoints at 25/50/75/100 %)
    curve: dict = field(default_factory=dict)  # checkpoint fraction → (gap, lo, hi), for the gap-vs-training plot

    def __post_init__(self):
        if self.status not in VERDICTS:
            raise ValueError(f"verdict must be one of {VERDICTS}, not {self.status!r}")

    @property
    def interval(self) -> str:
        if math.isnan(self.gap):
            return ""
        if math.isnan(self.lo):
            return f"{self.gap:+.3f}"
        return f"{self.gap:+.3f} [{self.lo:+.3f}, {self.hi:+.3f}]"


@dataclass
class Claim:
    id: str
    text: str  # the paper's claim, one line
    source: str  # where the paper makes it
    check: Callable[[pd.DataFrame, str], Verdict]  # (result rows, profile) → verdict
    trained: bool = False  # about trained models: meaningless at smoke, and judged along the training checkpoints


class Comparison(NamedTuple):
    """A > B? from paired per-(seed, image) differences ``d`` (seeds × images)."""
    status: str
    gap: float
    lo: float
    hi: float
    n_seeds: int
    n_images: int
    d: np.ndarray
    per_image: bool = True  # False: rows without per-image scores, one mean per cell

    @property
    def units(self) -> str:
        return f"{self.n_images} images" if self.per_image else f"{self.n_images} cell mean{'s' * (self.n_images != 1)}"

    @property
    def n(self) -> int:
        return self.n_seeds


NOT_RUN = Comparison("not run", math.nan, math.nan, math.nan, 0, 0, np.zeros((0, 0)))
CHECKPOINTS = (0.25, 0.5, 0.75, 1.0)  # fractions of training whose weights are kept and scored
MIN_IMAGES_ONE_SEED = 5  # one seed: a verdict needs at least this many images


# ------------------------------------------------------------------------------------------ scores of an arm
def _select(df: pd.DataFrame, where: dict) -> pd.DataFrame:
    sel = df
    for k, v in where.items():
        if k not in sel:
            return df.iloc[0:0]
        sel = sel[sel[k] == v]
    return sel


def scores(df: pd.DataFrame, where: dict, metric: str = "psnr") -> pd.Series:
    """``metric`` per (seed, image) for the rows matching ``where``, at the checkpoint ``df.attrs['checkpoint']``
    (default: the end of training). Per-image scores come from ``df.attrs['images']`` (the result's sidecar);
    rows without them count as one image, their mean."""
    sel = _select(df, where)
    if metric not in sel:
        return pd.Series(dtype=float)
    images = df.attrs.get("images")
    ckpt = df.attrs.get("checkpoint", 1.0)
    seeds = sel["seed"] if "seed" in sel else pd.Series(0, index=sel.index)
    if images is not None and "config_hash" in sel and len(images) and metric in images:
        im = images[images["config_hash"].isin(sel["config_hash"]) & np.isclose(images["checkpoint"], ckpt)]
        if len(im):
            im = im.merge(pd.DataFrame({"config_hash": sel["config_hash"], "seed": seeds}), on="config_hash")
            return im.groupby(["seed", "image"])[metric].mean().dropna()
    if ckpt != 1.0:  # no per-checkpoint scores: this arm has no value here
        return pd.Series(dtype=float)
    out = sel.assign(seed=seeds, image="mean").groupby(["seed", "image"])[metric].mean().dropna()
    out.attrs = {}  # not df's (its sidecar frame): pandas compares attrs when it concatenates the two arms
    return out


def per_seed(df: pd.DataFrame, where: dict, metric: str = "psnr") -> pd.Series:
    """``metric`` by seed (mean over images and any other key): for plots and single-arm checks."""
    s = scores(df, where, metric)
    return s.groupby(level="seed").mean() if len(s) else pd.Series(dtype=float)


# ------------------------------------------------------------------------------------------ the interval
def paired_interval(d: np.ndarray, draws: int = 2000, alpha: float = 0.05) -> tuple[float, float]:
    """(1 − alpha) interval of the mean of ``d`` (seeds × images): the wider of a two-level bootstrap and Student's
    t over seed means (see the module docstring). Deterministic (fixed generator)."""
    from scipy import stats

    s, i = d.shape
    rng = np.random.default_rng(0)
    si = rng.integers(0, s, (draws, s)) if s > 1 else np.zeros((draws, 1), int)
    ii = rng.integers(0, i, (draws, i)) if i > 1 else np.zeros((draws, 1), int)
    chunks = [d[si[k:k + 200, :, None], ii[k:k + 200, None, :]].mean(axis=(1, 2)) for k in range(0, draws, 200)]
    lo, hi = np.percentile(np.concatenate(chunks), [50 * alpha, 100 - 50 * alpha])
    if s >= 2:
        seed_means = d.mean(axis=1)
        half = stats.t.ppf(1 - alpha / 2, s - 1) * seed_means.std(ddof=1) / math.sqrt(s)
        lo, hi = min(lo, d.mean() - half), max(hi, d.mean() + half)
    return float(lo), float(hi)


def _matrix(a: pd.Series, b: pd.Series) -> tuple[np.ndarray, bool]:
    """Paired differences a − b as seeds × images (pairs present in both only), and whether they are per image."""
    both = pd.concat([a.rename("a"), b.rename("b")], axis=1).dropna()
    if both.empty:
        return np.zeros((0, 0)), True
    m = (both["a"] - both["b"]).unstack("image").dropna(axis=1)  # images scored for every seed
    return m.to_numpy(dtype=float), list(m.columns) != ["mean"]


def compare_gaps(d: np.ndarray, per_image: bool = True, alpha: float = 0.05) -> Comparison:
    """Is the mean of the paired gaps ``d`` (seeds × images; or seeds × 1 with ``per_image=False``, one gap per
    seed, e.g. a per-seed measure of a learning curve) above zero? :func:`decide` builds ``d`` from two score
    series; a rule whose gaps are not scores A − B builds it itself and calls this."""
    if d.size == 0:
        return NOT_RUN
    gap = float(d.mean())
    if d.size == 1:  # one seed, one number: no spread measured, so no interval
        return Comparison("inconclusive", gap, math.nan, math.nan, 1, 1, d, per_image)
    lo, hi = paired_interval(d, alpha=alpha)
    status = "holds" if lo > 0 else "contradicted" if hi < 0 else "inconclusive"
    if d.shape[0] == 1 and d.shape[1] < MIN_IMAGES_ONE_SEED:  # a bootstrap over 2–4 numbers cannot reach 95 %
        status = "inconclusive"
    return Comparison(status, gap, lo, hi, d.shape[0], d.shape[1], d, per_image)


def decide(a: pd.Series, b: pd.Series, profile: str = "") -> Comparison:
    """Is A > B? ``a``/``b`` from :func:`scores` (paired by seed and image). "holds" / "contradicted" only when
    the 95 % interval of the mean gap excludes zero."""
    return compare_gaps(*_matrix(a, b))


def within(c: Comparison, margin: float) -> Comparison:
    """"A is better than or within ``margin`` of B": the comparison of A + margin with B."""
    return c if c.status == "not run" else compare_gaps(c.d + margin, c.per_image)


def pooled(parts: list[tuple[str, Comparison]]) -> Comparison:
    """One comparison over several cells: their per-image gaps side by side (seeds that every cell has)."""
    run = [c for _, c in parts if c.status != "not run"]
    if not run:
        return NOT_RUN
    s = min(c.n_seeds for c in run)
    return compare_gaps(np.concatenate([c.d[:s] for c in run], axis=1), all(c.per_image for c in run))


def seed_spread(c: Comparison) -> float:
    """σ of the per-seed mean gaps (needs ≥ 2 seeds)."""
    return float(c.d.mean(axis=1).std(ddof=1))


def seeds_for_gap(c: Comparison, gap: float, start: int = 2, limit: int = 200) -> int | None:
    """The fewest seeds (≥ ``start``, ≤ ``limit``) whose 95 % half-width t·σ/√n, at the measured seed spread, falls
    below ``gap``; None beyond ``limit``."""
    from scipy import stats

    sd = seed_spread(c)
    return next((n for n in range(max(start, 2), limit + 1) if stats.t.ppf(0.975, n - 1) * sd / math.sqrt(n) < abs(gap)),
                None)


def seeds_to_settle(c: Comparison, limit: int = 200, unit: str = "dB") -> str:
    """From the measured seed spread: how many seeds would make the interval exclude zero at this gap (``unit``:
    the gap's, "" for a unitless one such as LPIPS or a count)."""
    if c.n_seeds < 2:
        return "at least 3 seeds, to measure the training noise"
    sd, n = seed_spread(c), seeds_for_gap(c, c.gap, c.n_seeds + 1, limit)
    u = f" {unit}" if unit else ""
    if n is not None:
        return f"about {n} seeds at these images (seed spread σ = {sd:.3f}{u}, gap {c.gap:+.3f}{u})"
    return f"more than {limit} seeds: the gap ({c.gap:+.3f}{u}) is within the seed spread (σ = {sd:.3f}{u})"


def panel_gap(a: str, b: str, what: str, needed: str = "", metric: str = "psnr"):
    """Rule for a figure table (rows = method × seed × image panels, scored at the end of training only): ``a`` −
    ``b`` per seed and image; ``b == "Bicubic"`` reads ``a``'s rows' ``bicubic_<metric>``, and an official checkpoint
    (one seed) faces every seed of ``a``."""
    def check(df: pd.DataFrame, profile: str) -> Verdict:
        if df.attrs.get("checkpoint", 1.0) != 1.0:
            return Verdict("not run", "figure panels are scored at the end of training only")
        d = df[df["status"] == "ok"] if "status" in df else df
        sa = d[d["method"] == a].set_index(["seed", "image"])[metric]
        if b == "Bicubic":
            sb = d[d["method"] == a].set_index(["seed", "image"])[f"bicubic_{metric}"]
        else:
            ref = d[d["method"] == b].set_index("image")[metric]
            sb = pd.Series(ref.reindex(sa.index.get_level_values("image")).to_numpy(), index=sa.index)
        if sa.empty or sb.dropna().empty:
            return Verdict("not run", f"no {a} / {b} panel computed", "the official weights / the lite profile")
        return verdict_of(decide(sa, sb), f"{a} − {b}, {what}", needed)
    return check


def _seeds(n: int) -> str:
    return f"{n} seed{'s' if n != 1 else ''}"


def verdict_of(c: Comparison, evidence: str, needed: str = "", unit: str = "dB") -> Verdict:
    """A verdict from one comparison (evidence: what was compared; ``unit``: the gap's, for the seed advice)."""
    if c.status == "not run":
        return Verdict("not run", evidence or "nothing computed at this profile", needed)
    ev = f"{evidence}: {c.gap:+.3f} [{c.lo:+.3f}, {c.hi:+.3f}] ({_seeds(c.n_seeds)} × {c.units})"
    if c.n_seeds == 1:
        ev += "; one seed: the interval holds no training noise"
        if c.n_images < MIN_IMAGES_ONE_SEED:
            ev += f", and under {MIN_IMAGES_ONE_SEED} images decide nothing"
    settle = "" if c.status != "inconclusive" else "; ".join(x for x in (seeds_to_settle(c, unit=unit), needed) if x)
    return Verdict(c.status, ev, settle, c.gap, c.lo, c.hi, c.n_seeds, c.n_images)


def combine(parts: list[tuple[str, Comparison]], needed: str = "", what: str = "comparisons",
            all_needed: bool = True) -> Verdict:
    """Fold per-cell comparisons into one verdict. A claim "at every cell" holds when every cell holds and is
    contradicted when any cell is; ``all_needed=False``: holds when any cell holds and none is contradicted.
    The headline gap and interval are pooled over the cells' images."""
    parts = [(label, c) for label, c in parts if c.status != "not run"]
    if not parts:
        return Verdict("not run", f"no {what} computed at this profile", needed)
    if len(parts) > 1:  # each cell at 1 − 0.05/k: the claim as a whole errs at most 5 % of the time
        parts = [(label, compare_gaps(c.d, c.per_image, 0.05 / len(parts))) for label, c in parts]
    counts = {s: sum(c.status == s for _, c in parts) for s in ("holds", "contradicted", "inconclusive")}
    worst_label, worst = min(parts, key=lambda p: p[1].gap)
    pool = pooled(parts)
    ev = (f"{counts['holds']}/{len(parts)} {what} hold, {counts['contradicted']} contradicted, "
          f"{counts['inconclusive']} inconclusive; pooled Δ {pool.gap:+.3f} [{pool.lo:+.3f}, {pool.hi:+.3f}] "
          f"({_seeds(pool.n_seeds)} × {pool.units}); smallest cell {worst.gap:+.3f} "
          f"[{worst.lo:+.3f}, {worst.hi:+.3f}] ({worst_label}"
          f"{f'; cells at the {100 - 5 / len(parts):.3g} % level' if len(parts) > 1 else ''})")
    if counts["contradicted"]:
        status = "contradicted"
    elif counts["holds"] == len(parts) or (not all_needed and counts["holds"]):
        status = "holds"
    else:
        status = "inconclusive"
    settle = ""
    if status == "inconclusive":
        undecided = [c for _, c in parts if c.status == "inconclusive"]
        settle = "; ".join(x for x in (f"the least certain cell needs {seeds_to_settle(max(undecided, key=lambda c: c.hi - c.lo))}"
                                       if undecided else "", needed) if x)
    return Verdict(status, ev, settle, pool.gap, pool.lo, pool.hi, pool.n_seeds, pool.n_images)


def unit_of(metric: str) -> str:
    """A metric's unit in verdict texts: dB for PSNR; SSIM, LPIPS, NIQE and counts have none."""
    return "dB" if metric.lower() == "psnr" else ""


def _gap_text(c: Comparison, unit: str) -> str:
    """"+0.123 [+0.045, +0.201] dB"; a unitless gap (SSIM, LPIPS) with four decimals."""
    p = 3 if unit else 4
    return f"{c.gap:+.{p}f} [{c.lo:+.{p}f}, {c.hi:+.{p}f}]" + (f" {unit}" if unit else "")


def combine_metrics(parts: list[tuple[str, Comparison]], what: str, needed: str = "",
                    all_needed: bool = True) -> Verdict:
    """One claim over several metrics of the same comparison (``parts``: metric name → comparison, PSNR first).
    The status is :func:`combine`'s (each metric at 1 − 0.05/k); the headline gap and interval are the first
    metric's, and the evidence and the seed advice give each metric in its own unit: a pool of dB and SSIM gaps
    would mean nothing."""
    v = combine(parts, needed, "metrics", all_needed)
    run = [(m, c) for m, c in parts if c.status != "not run"]
    if v.status == "not run":
        return v
    k = len(run)
    cells = [(m, compare_gaps(c.d, c.per_image, 0.05 / k) if k > 1 else c) for m, c in run]
    ev = "; ".join(f"{m.upper()} {_gap_text(c, unit_of(m))} ({c.status})" for m, c in cells)
    head = cells[0][1]
    settle = [f"{m.upper()} needs {seeds_to_settle(c, unit=unit_of(m))}" for m, c in cells if c.status == "inconclusive"]
    return Verdict(v.status, f"{what}, each metric at the {100 - 5 / k:.3g} % level: {ev} "
                             f"({_seeds(head.n_seeds)} × {head.units})",
                   "; ".join(settle + [needed] if needed else settle) if v.status == "inconclusive" else "",
                   head.gap, head.lo, head.hi, head.n_seeds, head.n_images)


def beats_per_cell(column: str, better: str, worse: str, needed: str = "", cells=("dataset", "scale")):
    """Verdict rule: ``better`` beats ``worse`` (rows selected by ``column``) in every cell (e.g. dataset × scale)."""
    def check(df: pd.DataFrame, profile: str) -> Verdict:
        parts = []
        for key, _ in df.groupby(list(cells)):
            key = key if isinstance(key, tuple) else (key,)
            where = dict(zip(cells, key))
            label = " ".join(f"×{v:g}" if c == "scale" else str(v) for c, v in where.items())
            parts.append((label, decide(scores(df, {column: better, **where}), scores(df, {column: worse, **where}))))
        return combine(parts, needed, " × ".join(cells) + " cells")
    return check


# ------------------------------------------------------------------------------------------ judging a table
SMOKE = Verdict("inconclusive", "smoke profile: models trained for 2 iterations, the numbers are meaningless",
                "run the lite or paper profile")


def judge(claims: list[Claim], rows: pd.DataFrame, profile: str, images: pd.DataFrame | None = None,
          budget: str = "") -> dict[str, Verdict]:
    """Every claim's verdict. A claim about trained models is not judged at smoke; otherwise it is judged at the
    end of training and again at each kept checkpoint (``trend``). A rule that raises gives status "error"."""
    rows = rows.copy()
    rows.attrs = {"images": images}
    out = {}
    for claim in claims:
        if claim.trained and profile == "smoke":
            out[claim.id] = Verdict(**{**SMOKE.__dict__, "budget": budget})
            continue
        try:
            v = claim.check(rows, profile)
            if claim.trained:
                v.budget = v.budget or budget
                v.trend = _trend(claim, rows, profile, v)
        except Exception as e:  # noqa: BLE001 — a rule that cannot run is shown as an error, never hidden
            v = Verdict("error", f"verdict rule failed: {type(e).__name__}: {e}")
        out[claim.id] = v
    return out


def _trend(claim: Claim, rows: pd.DataFrame, profile: str, final: Verdict) -> str:
    """The claim's gap at the kept checkpoints: did its sign hold over the last half of training?"""
    if math.isnan(final.gap):
        return ""
    for f in CHECKPOINTS[:-1]:
        at = rows.copy()
        at.attrs = {**rows.attrs, "checkpoint": f}
        v = claim.check(at, profile)
        if not math.isnan(v.gap):  # rows without checkpoint scores have no gap there
            final.curve[f] = (v.gap, v.lo, v.hi)
    final.curve[1.0] = (final.gap, final.lo, final.hi)
    gaps = {f: g for f, (g, _, _) in sorted(final.curve.items())}
    known = {f: g for f, g in gaps.items() if not math.isnan(g)}
    if len(known) < 2:
        return ""
    txt = ", ".join(f"{g:+.2f} at {f:.0%}" for f, g in known.items())
    half = [g for f, g in known.items() if f >= 0.5]
    same = all(np.sign(g) == np.sign(final.gap) for g in half)
    return f"sign {'held' if same else 'changed'} over the last half of training ({txt})"
