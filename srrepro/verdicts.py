"""Claims and their verdicts: each claim has a kind and one primary test; paired gaps over images and seeds.

Kinds (:data:`KINDS`; every :class:`Claim` declares one):

* **exact** — a printed value reproduced within its printed precision (half a unit of the last printed digit), or
  within a stated tolerance with its reason (:func:`exact`). No training, no interval: ours is one number.
* **direction** — "A beats B": *holds* when the decisive interval excludes 0 in the claimed direction,
  *contradicted* when it excludes 0 against it (a non-inferiority claim, "better or comparable", tests against
  −margin instead of 0).
* **equivalence** — "no difference / saturates / comparable": two one-sided tests (TOST) against the metric's margin
  (:data:`MARGINS`, printed with the verdict): *holds* when the (1 − 2α) interval lies inside ±margin,
  *contradicted* when it lies wholly outside, *inconclusive* when it straddles a margin (:func:`equivalent`).
* **magnitude** — the paper's own effect (its gap A − B, from the printed values) against ours: *holds* when the
  paper's gap lies in our decisive interval, *contradicted* when outside (:func:`matches_paper`).

Every direction or equivalence verdict whose arms have printed paper values also gives a second answer,
``Verdict.effect``: our gap against the paper's ("reproduces the paper's effect" / "our gap is 10× the paper's").

* A claim's rule compares arms (models) that were scored on the same images, so every comparison is paired:
  ``d[seed, image] = metric(A) − metric(B)``.
* The interval (:func:`paired_interval`) is the wider of (a) a two-level paired bootstrap (seeds with replacement,
  then images with replacement, the same image draw for every seed; 2,000 draws, percentile interval) and (b)
  Student's t over the per-seed mean gaps (n − 1 degrees of freedom). (b) is what keeps 2–3 seeds honest: the
  bootstrap alone is too narrow for so few seeds. With one seed only (a) over images remains, and the verdict says
  that training noise is not in it.
* A claim over k cells (:func:`combine`) judges each cell at the 1 − 0.05/k level (Bonferroni). "At every cell":
  *holds* when every cell holds; *contradicted* when any cell is significantly against, or when the 95 % interval
  pooled over the cells is; otherwise *inconclusive*. The interval the verdict shows is the one that decided
  (``Verdict.decided_by``: the least certain cell at its family level, the contradicting cell, or the pooled gap);
  the pooled interval is kept beside it (``Verdict.pooled``). "Inconclusive" comes with the seeds that the measured
  spread says would settle it, at the same level.
* Each metric's direction (higher or lower is better) lives in :data:`HIGHER_IS_BETTER`; colours and words follow it.
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
KINDS = ("exact", "direction", "equivalence", "magnitude")
KIND_MEANING = {
    "exact": "a printed value reproduced within its printed precision (or a stated tolerance)",
    "direction": "A beats B: the decisive interval excludes 0 (or −margin) in the claimed direction",
    "equivalence": "no difference: the (1 − 2α) interval lies inside ±margin (two one-sided tests)",
    "magnitude": "the paper's own gap lies inside our decisive interval",
}
INTERVAL_METHOD = ("Intervals: the wider of a two-level paired bootstrap (seeds, then images; 2,000 draws) and "
                   "Student's t over the per-seed mean gaps; the interval shown is the one that decides — a claim "
                   "over k cells judges each cell at 1 − 0.05/k (Bonferroni) and shows its least certain cell, with "
                   "the pooled 95 % interval in the evidence; equivalence uses the (1 − 2α) interval against ±margin")
# each metric's direction: colours, signs and words follow it (a metric not listed is higher-is-better)
HIGHER_IS_BETTER = {"psnr": True, "ssim": True, "psnr_study": True, "ssim_study": True,
                    "lpips": False, "lpips_whole": False, "niqe": False, "niqe_border_scale": False}
# "no difference" margins per metric, in the metric's unit: the one place equivalence claims take them from
MARGINS = {"psnr": 0.05, "ssim": 0.001, "lpips": 0.005, "niqe": 0.05}


def higher_is_better(metric: str) -> bool:
    m = metric.lower()
    return HIGHER_IS_BETTER.get(m, not any(k in m for k in ("lpips", "niqe")))


def margin_of(metric: str) -> float:
    m = metric.lower()
    for k, v in MARGINS.items():
        if m == k or m.startswith(k + "_"):
            return v
    raise KeyError(f"no equivalence margin for metric {metric!r}; add it to verdicts.MARGINS")


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
    kind: str = ""  # the claim's kind (KINDS), set by judge()
    decided_by: str = ""  # which interval decided, at which level ("least certain cell Set5 ×4, 99.4 %")
    pooled: tuple = ()  # (gap, lo, hi) pooled over a multi-cell claim's cells at 95 %, beside the decisive one
    effect: str = ""  # the second answer: our gap against the paper's printed gap
    paper_gap: float = math.nan  # the paper's gap A − B (its printed values), where it prints both arms
    margin: float = math.nan  # the margin an equivalence / non-inferiority verdict was tested against
    readings: dict = field(default_factory=dict)  # reading name → Verdict, where the paper admits several readings
    # the comparisons it was decided from, as (label, Comparison) at their decision level (srrepro.power reads
    # their per-seed gaps to say what would settle the claim)
    comparisons: tuple = field(default=(), repr=False, compare=False)

    def __post_init__(self):
        if self.status not in VERDICTS:
            raise ValueError(f"verdict must be one of {VERDICTS}, not {self.status!r}")
        if self.kind and self.kind not in KINDS:
            raise ValueError(f"verdict kind must be one of {KINDS}, not {self.kind!r}")

    @property
    def interval(self) -> str:
        if math.isnan(self.gap):
            return ""
        if math.isnan(self.lo):  # a comparison that formed no interval (one seed on one image) says so
            return f"{self.gap:+.3f}" + (", no interval" if self.comparisons else "")
        return f"{self.gap:+.3f} [{self.lo:+.3f}, {self.hi:+.3f}]"


@dataclass
class Claim:
    id: str
    text: str  # the paper's claim, one line
    source: str  # where the paper makes it
    check: Callable[[pd.DataFrame, str], Verdict]  # (result rows, profile) → verdict
    trained: bool = False  # about trained models: meaningless at smoke, and judged along the training checkpoints
    kind: str = ""  # one of KINDS: which primary test decides it (see the module docstring)
    # where the paper's text admits several readings of a printed table: reading name → rows under that reading
    # (e.g. paper_reading(...)); the claim is judged under each and the page shows every one
    readings: dict = field(default_factory=dict)

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"claim {self.id}: kind must be one of {KINDS}, not {self.kind!r}")


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
    alpha: float = 0.05  # the level it was judged at (0.05 / k for one of k cells)
    test: str = "direction"  # "direction" (A − B > −margin) | "equivalence" (|A − B| < margin, TOST) |
    # "magnitude" (the paper's gap inside the interval)
    margin: float = 0.0  # direction: the non-inferiority margin (0: plain A > B); equivalence: the ± margin
    paper_gap: float = math.nan  # the paper's printed A − B for the same cells, where it prints both arms
    metric: str = ""  # the metric of the gaps, where known (cells of different metrics are never pooled)

    @property
    def level(self) -> str:
        """The interval's confidence level as printed ("95 %", "99.4 %"; TOST: 1 − 2α)."""
        a = 2 * self.alpha if self.test == "equivalence" else self.alpha
        return f"{100 * (1 - a):.3g} %"

    @property
    def units(self) -> str:
        plural = "s" * (self.n_images != 1)
        return f"{self.n_images} image{plural}" if self.per_image else f"{self.n_images} cell mean{plural}"

    @property
    def n(self) -> int:
        return self.n_seeds


NOT_RUN = Comparison("not run", math.nan, math.nan, math.nan, 0, 0, np.zeros((0, 0)))
ALPHA = 0.05
CHECKPOINTS = (0.25, 0.5, 0.75, 1.0)  # fractions of training whose weights are kept and scored
MIN_IMAGES_ONE_SEED = 5  # one seed: a verdict needs at least this many images
VAGUE = 5.0  # an interval whose half-width exceeds this many times the paper's gap cannot size that gap


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
    rows without them count as one image, their mean. ``attrs``: ``metric``, and ``paper`` — the mean of the
    rows' printed ``<metric>_paper`` (NaN where the paper prints none), so a comparison knows the paper's gap."""
    sel = _select(df, where)
    if metric not in sel:
        return _arm(pd.Series(dtype=float), metric, math.nan)
    pcol = f"{metric}_paper"
    paper = float(pd.to_numeric(sel[pcol], errors="coerce").mean()) if pcol in sel and len(sel) else math.nan
    images = df.attrs.get("images")
    ckpt = df.attrs.get("checkpoint", 1.0)
    seeds = sel["seed"] if "seed" in sel else pd.Series(0, index=sel.index)
    if images is not None and "config_hash" in sel and len(images) and metric in images:
        im = images[images["config_hash"].isin(sel["config_hash"]) & np.isclose(images["checkpoint"], ckpt)]
        if len(im):
            im = im.merge(pd.DataFrame({"config_hash": sel["config_hash"], "seed": seeds}), on="config_hash")
            return _arm(im.groupby(["seed", "image"])[metric].mean().dropna(), metric, paper)
    if ckpt != 1.0:  # no per-checkpoint scores: this arm has no value here
        return _arm(pd.Series(dtype=float), metric, paper)
    out = sel.assign(seed=seeds, image="mean").groupby(["seed", "image"])[metric].mean().dropna()
    return _arm(out, metric, paper)


def _arm(s: pd.Series, metric: str, paper: float) -> pd.Series:
    s.attrs = {"metric": metric, "paper": paper}  # never df's (its sidecar frame)
    return s


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
    a, b = a.copy(), b.copy()
    a.attrs, b.attrs = {}, {}
    both = pd.concat([a.rename("a"), b.rename("b")], axis=1).dropna()
    if both.empty:
        return np.zeros((0, 0)), True
    m = (both["a"] - both["b"]).unstack("image").dropna(axis=1)  # images scored for every seed
    return m.to_numpy(dtype=float), list(m.columns) != ["mean"]


def _status(test: str, lo: float, hi: float, margin: float, paper_gap: float = math.nan) -> str:
    if test == "magnitude":  # the paper's own gap inside our interval
        return "inconclusive" if math.isnan(paper_gap) else "holds" if lo <= paper_gap <= hi else "contradicted"
    if test == "equivalence":  # TOST: the (1 − 2α) interval inside ±margin; wholly outside it: a real difference
        return "holds" if -margin < lo and hi < margin else "contradicted" if lo > margin or hi < -margin \
            else "inconclusive"
    return "holds" if lo > -margin else "contradicted" if hi < -margin else "inconclusive"


def compare_gaps(d: np.ndarray, per_image: bool = True, alpha: float = ALPHA, test: str = "direction",
                 margin: float = 0.0, paper_gap: float = math.nan, metric: str = "") -> Comparison:
    """Is the mean of the paired gaps ``d`` (seeds × images; or seeds × 1 with ``per_image=False``, one gap per
    seed, e.g. a per-seed measure of a learning curve) above ``-margin`` (``test="direction"``), or inside
    ±``margin`` (``test="equivalence"``, two one-sided tests: the (1 − 2α) interval)? :func:`decide` builds ``d``
    from two score series; a rule whose gaps are not scores A − B builds it itself and calls this."""
    if d.size == 0:
        return NOT_RUN
    gap = float(d.mean())
    if d.size == 1:  # one seed, one number: no spread measured, so no interval
        return Comparison("inconclusive", gap, math.nan, math.nan, 1, 1, d, per_image, alpha, test, margin,
                          paper_gap, metric)
    lo, hi = paired_interval(d, alpha=2 * alpha if test == "equivalence" else alpha)
    status = _status(test, lo, hi, margin, paper_gap)
    if d.shape[0] == 1 and d.shape[1] < MIN_IMAGES_ONE_SEED:  # a bootstrap over 2–4 numbers cannot reach 95 %
        status = "inconclusive"
    return Comparison(status, gap, lo, hi, d.shape[0], d.shape[1], d, per_image, alpha, test, margin, paper_gap,
                      metric)


def rejudge(c: Comparison, alpha: float | None = None, test: str | None = None, margin: float | None = None
            ) -> Comparison:
    """``c`` judged again at another level, test or margin (same gaps)."""
    if c.status == "not run":
        return c
    return compare_gaps(c.d, c.per_image, c.alpha if alpha is None else alpha, test or c.test,
                        c.margin if margin is None else margin, c.paper_gap, c.metric)


def decide(a: pd.Series, b: pd.Series, profile: str = "") -> Comparison:
    """Is A > B? ``a``/``b`` from :func:`scores` (paired by seed and image). "holds" / "contradicted" only when
    the 95 % interval of the mean gap excludes zero. The paper's gap (its printed A − B) comes with it."""
    paper = a.attrs.get("paper", math.nan) - b.attrs.get("paper", math.nan)
    return compare_gaps(*_matrix(a, b), paper_gap=float(paper), metric=a.attrs.get("metric", ""))


def better(a: pd.Series, b: pd.Series, metric: str = "psnr") -> Comparison:
    """Is A better than B in ``metric``, whichever its direction? (A − B for PSNR, B − A for LPIPS / NIQE.)"""
    return decide(a, b) if higher_is_better(metric) else decide(b, a)._replace(metric=f"{metric} (B − A)")


def within(c: Comparison, margin: float) -> Comparison:
    """"A is better than or within ``margin`` of B" (non-inferiority): holds when the interval lies above −margin.
    The gap shown stays A − B; the margin is printed with the verdict."""
    return rejudge(c, test="direction", margin=margin)


def equivalent(c: Comparison, margin: float | None = None, metric: str = "psnr") -> Comparison:
    """"A and B do not differ" (TOST against ±``margin``; default: the metric's :data:`MARGINS`)."""
    return rejudge(c, test="equivalence", margin=margin_of(metric) if margin is None else margin)


def matches_paper(c: Comparison) -> Comparison:
    """Magnitude: does the paper's gap (``c.paper_gap``) lie inside our interval? "holds" when it does,
    "contradicted" when it lies outside, "not run" without a printed gap."""
    if c.status == "not run" or math.isnan(c.paper_gap):
        return NOT_RUN
    return rejudge(c, test="magnitude")


def pooled(parts: list[tuple[str, Comparison]]) -> Comparison:
    """One comparison over several cells at 95 %: their per-image gaps side by side (seeds that every cell has),
    the same test and margin as the cells; the paper's gap is the mean of the cells' printed gaps."""
    run = [c for _, c in parts if c.status != "not run"]
    if not run or len({c.metric for c in run if c.metric}) > 1:  # no pool of dB with LPIPS
        return NOT_RUN
    s = min(c.n_seeds for c in run)
    papers = [c.paper_gap for c in run if not math.isnan(c.paper_gap)]
    return compare_gaps(np.concatenate([c.d[:s] for c in run], axis=1), all(c.per_image for c in run), ALPHA,
                        run[0].test, run[0].margin, float(np.mean(papers)) if len(papers) == len(run) else math.nan,
                        run[0].metric)


def seed_spread(c: Comparison) -> float:
    """σ of the per-seed mean gaps (needs ≥ 2 seeds)."""
    return float(c.d.mean(axis=1).std(ddof=1))


def _distance(c: Comparison) -> float:
    """How far the gap is from the boundary its interval must clear to decide (0 for direction, ±margin for
    equivalence): the half-width that would settle the claim."""
    if c.test == "equivalence":
        return abs(c.margin - abs(c.gap))
    return abs(c.gap + c.margin)


def seeds_for_gap(c: Comparison, gap: float | None = None, start: int = 2, limit: int = 200) -> int | None:
    """The fewest seeds (≥ ``start``, ≤ ``limit``) whose half-width t·σ/√n at ``c``'s own decision level (1 − α/2;
    1 − α for the one-sided tests of an equivalence), at the measured seed spread, falls below the distance to
    decide (``gap``, default: from ``c``); None beyond ``limit``."""
    from scipy import stats

    sd = seed_spread(c)
    dist = _distance(c) if gap is None else abs(gap)
    q = 1 - c.alpha if c.test == "equivalence" else 1 - c.alpha / 2
    return next((n for n in range(max(start, 2), limit + 1) if stats.t.ppf(q, n - 1) * sd / math.sqrt(n) < dist),
                None)


def seeds_to_settle(c: Comparison, limit: int = 200, unit: str = "dB") -> str:
    """From the measured seed spread: how many seeds would settle the claim at this gap and at ``c``'s decision
    level (``unit``: the gap's, "" for a unitless one such as LPIPS or a count)."""
    if c.n_seeds < 2:
        return "at least 3 seeds, to measure the training noise"
    sd, n = seed_spread(c), seeds_for_gap(c, None, c.n_seeds + 1, limit)
    u = f" {unit}" if unit else ""
    at = f" at the {c.level} level" if c.alpha != ALPHA or c.test == "equivalence" else ""
    if n is not None:
        return f"about {n} seeds at these images{at} (seed spread σ = {sd:.3f}{u}, gap {c.gap:+.3f}{u})"
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


def _gap_interval_text(c: Comparison, why: bool = False) -> str:
    """:func:`gap_text` with three decimals and no unit; where no interval could be formed, with (``why``) what
    the gap rests on."""
    no_interval = math.isnan(c.lo) or math.isnan(c.hi)
    return gap_text(c, "", digits=3) + (f" ({_seeds(c.n_seeds)} × {c.units})" if why and no_interval else "")


def _num_text(x: float, unit: str) -> str:
    p = 3 if unit else 4
    return f"{x:+.{p}f}".replace("-", "−")


def _margin_text(c: Comparison, unit: str) -> str:
    if c.test == "equivalence":
        return f"margin ±{c.margin:g}{f' {unit}' if unit else ''}"
    if c.margin:
        return f"non-inferiority margin {c.margin:g}{f' {unit}' if unit else ''}"
    return ""


def effect_of(c: Comparison, unit: str = "dB") -> str:
    """The second answer: our gap against the paper's printed gap ('' where the paper prints no gap)."""
    p = c.paper_gap
    if c.status == "not run" or math.isnan(p) or math.isnan(c.gap):
        return ""
    u = f" {unit}" if unit else ""
    ours, theirs = _num_text(c.gap, unit), _num_text(p, unit)
    if not math.isnan(c.lo) and c.lo <= p <= c.hi:
        half = (c.hi - c.lo) / 2
        if half > VAGUE * abs(p):  # inside an interval this wide, "reproduces" would say nothing about its size
            return (f"too uncertain to size the paper's effect (paper {theirs}{u} inside our interval of "
                    f"±{half:.3g}{u}, {half / max(abs(p), 1e-12):.0f}× the paper's gap)")
        return f"reproduces the paper's effect (paper {theirs}{u} inside our interval)"
    if p == 0 or abs(p) < 1e-12:
        return f"the paper prints no difference; ours {ours}{u}"
    ratio = c.gap / p
    if ratio < 0:
        return f"opposite to the paper's effect (ours {ours}{u}, paper {theirs}{u})"
    times = f"{ratio:.2g}" if ratio < 10 else f"{ratio:.0f}"
    return f"our gap is {times}× the paper's (ours {ours}{u}, paper {theirs}{u})"


def verdict_of(c: Comparison, evidence: str, needed: str = "", unit: str = "dB") -> Verdict:
    """A verdict from one comparison (evidence: what was compared; ``unit``: the gap's, for the seed advice)."""
    if c.status == "not run":
        return Verdict("not run", evidence or "nothing computed at this profile", needed)
    lvl = "" if c.alpha == ALPHA and c.test == "direction" else f" at {c.level}"
    mt = _margin_text(c, unit)
    ev = (f"{evidence}: {_gap_interval_text(c)}{lvl}{f', {mt}' if mt else ''} "
          f"({_seeds(c.n_seeds)} × {c.units})")
    if c.n_seeds == 1:
        ev += "; one seed: the interval holds no training noise"
        if c.n_images < MIN_IMAGES_ONE_SEED:
            ev += f", and under {MIN_IMAGES_ONE_SEED} images decide nothing"
    settle = "" if c.status != "inconclusive" else "; ".join(x for x in (seeds_to_settle(c, unit=unit), needed) if x)
    return Verdict(c.status, ev, settle, c.gap, c.lo, c.hi, c.n_seeds, c.n_images,
                   decided_by=f"{c.level} interval" + (f", {mt}" if mt else ""), effect=effect_of(c, unit),
                   paper_gap=c.paper_gap, margin=c.margin if (c.margin or c.test == "equivalence") else math.nan,
                   comparisons=((evidence, c),))


def _decisive(parts: list[tuple[str, Comparison]], status: str, every: bool) -> tuple[str, Comparison]:
    """The cell whose interval decided a multi-cell verdict: the contradicting cell farthest against; for "holds"
    the least certain cell (every) or the surest (any); for "inconclusive" the least certain undecided cell."""
    def certainty(c: Comparison) -> float:  # how far the interval clears the boundary it must clear
        if c.test == "magnitude":  # how far inside the interval the paper's gap lies (negative: outside)
            return min(c.paper_gap - c.lo, c.hi - c.paper_gap) if not math.isnan(c.lo) else -math.inf
        if c.test == "equivalence":
            return min(c.margin - c.hi, c.lo + c.margin) if not math.isnan(c.lo) else -math.inf
        return c.lo + c.margin if not math.isnan(c.lo) else -math.inf
    if status == "contradicted":
        bad = [p for p in parts if p[1].status == "contradicted"]
        return max(bad, key=lambda p: abs(p[1].gap) if p[1].test == "equivalence" else -certainty(p[1]))
    pool = [p for p in parts if p[1].status == status] or parts
    return (min if (status != "holds" or every) else max)(pool, key=lambda p: certainty(p[1]))


def combine(parts: list[tuple[str, Comparison]], needed: str = "", what: str = "comparisons",
            all_needed: bool = True, unit: str = "dB") -> Verdict:
    """Fold per-cell comparisons into one verdict, each cell at 1 − 0.05/k (the claim as a whole errs at most 5 %
    of the time). "At every cell" (``all_needed``): holds when every cell holds; contradicted when any cell is, or
    when the pooled 95 % interval is (a direction claim refuted on average). ``all_needed=False``: holds when any
    cell holds and none is contradicted. The verdict's interval is the decisive cell's (``decided_by`` names it);
    the pooled one is kept in ``pooled`` and the evidence."""
    parts = [(label, c) for label, c in parts if c.status != "not run"]
    if not parts:
        return Verdict("not run", f"no {what} computed at this profile", needed)
    k = len(parts)
    if k == 1:
        label, c = parts[0]
        v = verdict_of(c, f"{label}" if what == "comparisons" else f"{label} ({what})", needed, unit)
        return v
    parts = [(label, rejudge(c, alpha=ALPHA / k)) for label, c in parts]
    counts = {s: sum(c.status == s for _, c in parts) for s in ("holds", "contradicted", "inconclusive")}
    pool = pooled(parts)
    pool_against = pool.test == "direction" and all_needed and pool.status == "contradicted"
    if counts["contradicted"] or pool_against:
        status = "contradicted"
    elif counts["holds"] == k or (not all_needed and counts["holds"]):
        status = "holds"
    else:
        status = "inconclusive"
    if status == "contradicted" and not counts["contradicted"]:
        dlabel, dc = "pooled over the cells", pool
        decided = f"pooled gap, {pool.level} (no single cell is against at {100 * (1 - ALPHA / k):.3g} %)"
    else:
        dlabel, dc = _decisive(parts, status, all_needed)
        role = {"contradicted": "the cell against", "holds": "least certain cell" if all_needed else "the cell that holds",
                "inconclusive": "least certain cell"}[status]
        decided = f"{role}: {dlabel}, {dc.level}"
    mt = _margin_text(parts[0][1], unit)
    if mt:
        decided += f", {mt}"
    pool_text = (f"pooled {pool.gap:+.3f} [{pool.lo:+.3f}, {pool.hi:+.3f}] at 95 % ({_seeds(pool.n_seeds)} × "
                 f"{pool.units})" if pool.status != "not run" else "cells of different metrics, not pooled")
    ev = (f"{counts['holds']}/{k} {what} hold, {counts['contradicted']} against, "
          f"{counts['inconclusive']} undecided at the {100 * (1 - ALPHA / k):.3g} % level each; decided by "
          f"{dlabel} {_gap_interval_text(dc, why=True)}; {pool_text}")
    settle = ""
    if status == "inconclusive":
        undecided = [c for _, c in parts if c.status == "inconclusive"]
        settle = "; ".join(x for x in (f"the least certain cell needs {seeds_to_settle(dc, unit=unit)}"
                                       if undecided else "", needed) if x)
    # the second answer: the paper's gap per cell against ours
    with_paper = [(lab, c) for lab, c in parts if not math.isnan(c.paper_gap)]
    effect = ""
    if with_paper:
        inside = sum(c.lo <= c.paper_gap <= c.hi for _, c in with_paper if not math.isnan(c.lo))
        effect = (f"paper's gap inside our interval in {inside}/{len(with_paper)} cells; "
                  + (effect_of(pool, unit) if not math.isnan(pool.paper_gap) else ""))
        effect = effect.rstrip("; ")
    return Verdict(status, ev, settle, dc.gap, dc.lo, dc.hi, dc.n_seeds, dc.n_images, decided_by=decided,
                   pooled=(pool.gap, pool.lo, pool.hi) if pool.status != "not run" else (), effect=effect,
                   paper_gap=pool.paper_gap, margin=dc.margin if (dc.margin or dc.test == "equivalence") else math.nan,
                   comparisons=tuple(parts))


def unit_of(metric: str) -> str:
    """A metric's unit in verdict texts: dB for PSNR; SSIM, LPIPS, NIQE and counts have none."""
    return "dB" if metric.lower().startswith("psnr") else ""


def gap_text(c: Comparison, unit: str, digits: int | None = None) -> str:
    """"+0.123 [+0.045, +0.201] dB"; a unitless gap (SSIM, LPIPS) with four decimals unless ``digits``; "+0.123 dB,
    no interval" where none could be formed (one seed on one image)."""
    p = digits or (3 if unit else 4)
    u = f" {unit}" if unit else ""
    if math.isnan(c.lo) or math.isnan(c.hi):
        return f"{c.gap:+.{p}f}{u}, no interval"
    return f"{c.gap:+.{p}f} [{c.lo:+.{p}f}, {c.hi:+.{p}f}]{u}"


def combine_metrics(parts: list[tuple[str, Comparison]], what: str, needed: str = "",
                    all_needed: bool = True) -> Verdict:
    """One claim over several metrics of the same comparison (``parts``: metric name → comparison, PSNR first).
    The status is :func:`combine`'s rule over the metrics (each at 1 − 0.05/k; no pooling across units: a pool of
    dB and SSIM gaps would mean nothing); the shown interval is the decisive metric's, and the evidence and the
    seed advice give each metric in its own unit."""
    run = [(m, c) for m, c in parts if c.status != "not run"]
    if not run:
        return Verdict("not run", f"{what}: nothing computed at this profile", needed)
    k = len(run)
    cells = [(m, rejudge(c, alpha=ALPHA / k)) for m, c in run]
    counts = {s: sum(c.status == s for _, c in cells) for s in ("holds", "contradicted", "inconclusive")}
    status = ("contradicted" if counts["contradicted"] else
              "holds" if counts["holds"] == k or (not all_needed and counts["holds"]) else "inconclusive")
    dm, dc = _decisive(cells, status, all_needed) if k > 1 else cells[0]
    ev = "; ".join(f"{m.upper()} {gap_text(c, unit_of(m))} ({c.status})" for m, c in cells)
    settle = [f"{m.upper()} needs {seeds_to_settle(c, unit=unit_of(m))}" for m, c in cells if c.status == "inconclusive"]
    effects = [f"{m.upper()}: {e}" for m, c in cells if (e := effect_of(c, unit_of(m)))]
    return Verdict(status, f"{what}, each metric at the {dc.level} level: {ev} "
                           f"({_seeds(dc.n_seeds)} × {dc.units})",
                   "; ".join(settle + [needed] if needed else settle) if status == "inconclusive" else "",
                   dc.gap, dc.lo, dc.hi, dc.n_seeds, dc.n_images,
                   decided_by=f"{dm.upper()}, {dc.level}" + (f", {_margin_text(dc, unit_of(dm))}"
                                                              if _margin_text(dc, unit_of(dm)) else ""),
                   effect="; ".join(effects), paper_gap=dc.paper_gap,
                   margin=dc.margin if (dc.margin or dc.test == "equivalence") else math.nan)


def beats_per_cell(column: str, better: str, worse: str, needed: str = "", cells=("dataset", "scale"),
                   margin: float = 0.0):
    """Verdict rule: ``better`` beats ``worse`` (rows selected by ``column``) in every cell (e.g. dataset × scale);
    with ``margin`` > 0, "is at least as good as" (non-inferiority, :func:`within`; the margin is printed)."""
    def check(df: pd.DataFrame, profile: str) -> Verdict:
        parts = []
        for key, _ in df.groupby(list(cells)):
            key = key if isinstance(key, tuple) else (key,)
            where = dict(zip(cells, key))
            label = " ".join(f"×{v:g}" if c == "scale" else str(v) for c, v in where.items())
            c = decide(scores(df, {column: better, **where}), scores(df, {column: worse, **where}))
            parts.append((label, within(c, margin) if margin else c))
        return combine(parts, needed, " × ".join(cells) + " cells")
    return check


# ------------------------------------------------------------------------------------------ exact checks
def half_unit(decimals: int) -> float:
    """Half a unit of the last printed digit: a value printed with ``decimals`` decimals is reproduced when ours
    rounds to it, i.e. lies within this of it."""
    return 0.5 * 10.0 ** (-decimals)


def exact(cells: list[tuple], what: str = "printed values", tolerance: float | None = None, reason: str = "",
          needed: str = "") -> Verdict:
    """Exact kind: each ``(label, ours, printed, decimals)`` reproduced within half a unit of its printed last digit
    (plus 1e-9 for binary floating point), or within ``tolerance`` (then ``reason`` says why). NaN ours: not run.
    The evidence gives each miss, and otherwise the largest difference, in units of the last printed digit; the
    verdict has no interval (ours is one computed number, not a sample)."""
    if tolerance is not None and not reason:
        raise ValueError("an exact check with a tolerance states its reason")
    got = [(lab, o, p, d) for lab, o, p, d in cells if not (o is None or math.isnan(float(o)))]
    if not got:
        return Verdict("not run", f"no {what} computed at this profile", needed, kind="exact")
    bad, worst = [], 0.0
    for lab, o, p, d in got:
        allowed = (tolerance if tolerance is not None else half_unit(d)) + 1e-9
        units = abs(o - p) * 10 ** d
        worst = max(worst, units)
        if abs(o - p) > allowed:
            bad.append(f"{lab}: ours {o:.{d + 2}f}, printed {p:.{d}f} ({units:.2f} units of the last digit)")
    rule = (f"within {tolerance:g} ({reason})" if tolerance is not None
            else "within half a unit of the printed last digit")
    ev = f"{len(got) - len(bad)}/{len(got)} {what} {rule}"
    if bad:
        ev += "; off: " + "; ".join(bad[:8]) + (f"; and {len(bad) - 8} more" if len(bad) > 8 else "")
    else:
        ev += f"; largest difference {worst:.2f} units of the last digit"
    if len(got) < len(cells):
        ev += f"; {len(cells) - len(got)} not computed at this profile"
    return Verdict("contradicted" if bad else "holds", ev, "" if not bad else needed, kind="exact",
                   decided_by="printed precision" if tolerance is None else f"tolerance {tolerance:g}")


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
            out[claim.id] = Verdict(**{**SMOKE.__dict__, "budget": budget, "kind": claim.kind})
            continue
        try:
            v = claim.check(rows, profile)
            if claim.trained:
                v.budget = v.budget or budget
                if v.n_seeds == 1 and v.comparisons and "one seed" not in v.evidence:  # as verdict_of says it
                    v.evidence += "; one seed: the intervals hold no training noise"
                v.trend = _trend(claim, rows, profile, v)
            for name, reading in claim.readings.items():  # the same rule under each reading of the printed table
                at = reading(rows.copy())
                at.attrs = rows.attrs
                r = claim.check(at, profile)
                r.kind = claim.kind
                v.readings[name] = r
        except Exception as e:  # noqa: BLE001 — a rule that cannot run is shown as an error, never hidden
            v = Verdict("error", f"verdict rule failed: {type(e).__name__}: {e}")
        v.kind = claim.kind
        out[claim.id] = v
    return out


def paper_reading(cells: list[dict], metric: str = "psnr") -> Callable[[pd.DataFrame], pd.DataFrame]:
    """A reading of the printed table: ``cells`` (key columns + ``metric``) replace the rows' ``<metric>_paper``
    where their keys match (for :attr:`Claim.readings`)."""
    def apply(rows: pd.DataFrame) -> pd.DataFrame:
        col = f"{metric}_paper"
        for cell in cells:
            keys = {k: v for k, v in cell.items() if k != metric}
            mask = pd.Series(True, index=rows.index)
            for k, v in keys.items():
                mask &= rows[k] == v if k in rows else False
            rows.loc[mask, col] = cell[metric]
            if f"{metric}_delta" in rows and metric in rows:
                rows.loc[mask, f"{metric}_delta"] = rows.loc[mask, metric] - cell[metric]
        return rows
    return apply


def _trend(claim: Claim, rows: pd.DataFrame, profile: str, final: Verdict) -> str:
    """The claim's gap at the kept checkpoints: did its sign hold over the last half of training?"""
    if math.isnan(final.gap):
        return ""

    def point(v: Verdict) -> tuple:  # a multi-cell claim follows its pooled gap: the decisive cell may change
        return tuple(v.pooled) if v.pooled else (v.gap, v.lo, v.hi)
    for f in CHECKPOINTS[:-1]:
        at = rows.copy()
        at.attrs = {**rows.attrs, "checkpoint": f}
        v = claim.check(at, profile)
        if not math.isnan(point(v)[0]):  # rows without checkpoint scores have no gap there
            final.curve[f] = point(v)
    final.curve[1.0] = point(final)
    final_gap = final.curve[1.0][0]
    gaps = {f: g for f, (g, _, _) in sorted(final.curve.items())}
    known = {f: g for f, g in gaps.items() if not math.isnan(g)}
    if len(known) < 2:
        return ""
    txt = ", ".join(f"{g:+.2f} at {f:.0%}" for f, g in known.items())
    half = [g for f, g in known.items() if f >= 0.5]
    same = all(np.sign(g) == np.sign(final_gap) for g in half)
    what = "pooled gap's sign" if final.pooled else "sign"
    return f"{what} {'held' if same else 'changed'} over the last half of training ({txt})"
