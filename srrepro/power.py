"""What would settle a trained claim: the seeds and training a claim's measured spread and trend call for.

A trained claim at lite is decided by the interval of its paired gaps ``d[seed, image]`` (``srrepro.verdicts``:
the wider of a two-level bootstrap and Student's t over the per-seed means). This module predicts how that
interval narrows with more seeds and how the gap moves with more training, from what a lite run kept (its
per-image scores and the four checkpoints), and turns it into a budget: the cheapest (seeds, iterations) whose
predicted interval would decide the claim at its own decision level, and what that costs on this machine.

The model of the gaps (a two-way random-effects model, fitted by the method of moments)::

    d[s, i] = μ + u_s + v_i + e_si     u: training noise (seed), v: the test image, e: their interaction

* ``σ_seed²`` — the variance of the per-seed mean gaps (``u`` plus ``e``'s share over the m images);
* ``σ_image²`` — the variance of the image effect ``v`` (the per-image gaps averaged over seeds, less ``e``'s
  share over the seeds);
* ``σ_within²`` — the interaction ``e`` (the residual mean square).

With n seeds on the same m images, the interval's half-width is predicted as the larger of its two parts, as
:func:`srrepro.verdicts.paired_interval` takes the wider one:

    t(1 − α/2, n − 1) · c4(n) · σ_seed / √n   (Student's t over the seed means; c4: the bias of a sample σ)
    z(1 − α/2) · √(σ_seed²/n + (σ_image² + σ_within²/n)/m)     (the bootstrap over seeds, then images)

The second part does not shrink below ``z·σ_image/√m`` however many seeds are added: the *image floor*. A claim
whose distance to decide lies under it needs more test images, not more seeds.

More training: the gap's trend over the last half of training (the kept checkpoints at 50, 75 and 100 %) is
fitted linearly in log₂(iterations) and extrapolated to 2× and 4× the lite iterations — an assumption, said on the
page, and the seed spread is taken as measured at lite. Past 4× the extrapolation is not trusted.

:func:`check_prediction` tests the width model against simulated gaps with known components (the tests call it).
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from .verdicts import ALPHA, Comparison, paired_interval

ITERATION_FACTORS = (1, 2, 4)  # lite iterations × these (beyond 4× the trend is not extrapolated)
MAX_SEEDS = 40  # beyond this many seeds a claim is left to the paper profile
CAP_CPU_HOURS = 6.0  # per table on this machine's cores


@dataclass(frozen=True)
class Components:
    """Variance components of paired gaps ``d`` (seeds × images), and the mean gap."""
    gap: float
    seed: float  # σ² of the per-seed mean gaps
    image: float  # σ² of the image effect
    within: float  # σ² of the seed × image interaction
    n_seeds: int
    n_images: int


def components(d: np.ndarray) -> Components:
    """Method-of-moments estimates of the model's components from ``d`` (≥ 2 seeds)."""
    s, m = d.shape
    if s < 2:
        raise ValueError("the seed spread needs at least 2 seeds")
    seed_means, image_means = d.mean(axis=1), d.mean(axis=0)
    if m > 1:
        resid = d - seed_means[:, None] - image_means[None, :] + d.mean()
        within = float((resid ** 2).sum() / ((s - 1) * (m - 1)))
        image = max(0.0, float(image_means.var(ddof=1)) - within / s)
    else:
        within = image = 0.0
    return Components(float(d.mean()), float(seed_means.var(ddof=1)), image, within, s, m)


def half_width(c: Components, n_seeds: int, alpha: float = ALPHA, n_images: int | None = None) -> float:
    """The predicted half-width of the (1 − alpha) interval with ``n_seeds`` seeds on ``n_images`` images."""
    from scipy import stats

    m = n_images or c.n_images
    # the expected width: a sample σ from n seeds is c4(n)·σ on average (c4(3) = 0.89)
    c4 = math.sqrt(2 / (n_seeds - 1)) * math.exp(math.lgamma(n_seeds / 2) - math.lgamma((n_seeds - 1) / 2)) \
        if n_seeds >= 2 else 1.0
    t_part = stats.t.ppf(1 - alpha / 2, n_seeds - 1) * c4 * math.sqrt(c.seed / n_seeds) if n_seeds >= 2 else math.inf
    boot = stats.norm.ppf(1 - alpha / 2) * math.sqrt(c.seed / n_seeds + (c.image + c.within / n_seeds) / m)
    return max(t_part, boot)


def image_floor(c: Components, alpha: float = ALPHA) -> float:
    """The half-width no number of seeds goes below on these images."""
    from scipy import stats

    return stats.norm.ppf(1 - alpha / 2) * math.sqrt(c.image / c.n_images)


def distance(gap: float, test: str, margin: float) -> float:
    """How far the interval must clear: from 0 (direction, or −margin for non-inferiority) or from ±margin
    (equivalence: a gap inside the margin holds once the interval fits inside ±margin; a gap beyond it is
    contradicted once the interval lies wholly outside, as :func:`srrepro.verdicts.compare_gaps` decides)."""
    if test == "equivalence":
        return abs(margin - abs(gap))
    return abs(gap + margin)


def level_alpha(c: Comparison) -> float:
    """The α of ``c``'s interval (an equivalence decides on its 1 − 2α interval)."""
    return 2 * c.alpha if c.test == "equivalence" else c.alpha


def seeds_needed(comp: Components, gap: float, alpha: float, test: str = "direction", margin: float = 0.0,
                 limit: int = MAX_SEEDS) -> int | None:
    """The fewest seeds (≥ 2) whose predicted half-width falls below the distance to decide at ``gap``."""
    dist = distance(gap, test, margin)
    return next((n for n in range(2, limit + 1) if half_width(comp, n, alpha) < dist), None)


def trend_slope(curve: dict) -> float | None:
    """d gap / d log₂(iterations) over the last half of training (checkpoints ≥ 50 %), None with < 2 points."""
    pts = [(f, g) for f, (g, *_rest) in sorted(curve.items()) if f >= 0.5 and not math.isnan(g)]
    if len(pts) < 2:
        return None
    x = np.log2([f for f, _ in pts])
    y = np.array([g for _, g in pts])
    return float(np.polyfit(x, y, 1)[0])


@dataclass
class Option:
    seeds: int | None  # None: more than MAX_SEEDS
    factor: int  # × the lite iterations
    gap: float  # the gap expected at that training
    cpu_hours: float  # what the table costs at (seeds, factor) on this machine
    half_width: float  # predicted, at those seeds


@dataclass
class Budget:
    """What one claim needs to resolve, from its lite run."""
    table: str
    claim: str
    status: str  # its verdict at lite
    test: str
    level: str
    lite: tuple  # (gap, lo, hi) of the decisive interval at lite
    comp: Components | None
    distance: float
    floor: float
    slope: float | None
    options: list[Option] = field(default_factory=list)
    choice: Option | None = None  # the cheapest option that resolves within the cap
    why: str = ""  # why none does (or that it is settled already)


def cost_per_model(rows) -> tuple[float, float]:
    """(training CPU-seconds, scoring CPU-seconds) of one model at lite, from a lite CSV's rows: training time as
    recorded per model, scoring what is left of the table's time on its cores."""
    import os

    models = rows.drop_duplicates("model_hash") if "model_hash" in rows else rows
    trained = models[models["train_seconds"].notna()] if "train_seconds" in models else models.iloc[:0]
    n = max(1, len(trained))
    train = float(trained["train_seconds"].sum()) / n if len(trained) else 0.0
    cores = os.cpu_count() or 1
    table = float(rows["table_seconds"].max()) if "table_seconds" in rows else 0.0
    scoring = max(0.0, (table * min(cores, 2) - train * n) / n)
    return train, scoring


def budget(table: str, claim_id: str, verdict, rows, models_per_seed: int, seeds_now: int) -> Budget:
    """The cheapest (seeds, iterations) that would decide ``claim_id`` at its decision level, within
    :data:`CAP_CPU_HOURS` for the table (every arm of the table trained ``seeds`` times)."""
    cells = [c for _, c in getattr(verdict, "comparisons", ()) if c.status != "not run" and c.d.shape[0] >= 2]
    b = Budget(table, claim_id, verdict.status, "", "", (verdict.gap, verdict.lo, verdict.hi), None, math.nan,
               math.nan, trend_slope(verdict.curve or {}))
    if not cells:
        b.why = ("not run at lite" if verdict.status == "not run" else
                 "its verdict is not a paired comparison over seeds: nothing to size")
        return b
    undecided = [c for c in cells if c.status == "inconclusive"] or cells
    train_s, score_s = cost_per_model(rows)

    def hours(seeds: int, factor: int) -> float:
        return seeds * models_per_seed * (train_s * factor + score_s) / 3600

    worst = None
    for factor in ITERATION_FACTORS:
        shift = (b.slope or 0.0) * math.log2(factor)
        if factor > 1 and b.slope is None:
            continue
        need, hw = 0, 0.0
        for c in undecided:  # every undecided cell must resolve (each at its own family level)
            comp = components(c.d)
            n = seeds_needed(comp, c.gap + shift, level_alpha(c), c.test, c.margin)
            if n is None:
                need = None
                break
            n = max(n, seeds_now)
            if n > need:
                need, hw = n, half_width(comp, n, level_alpha(c))
        opt = Option(need, factor, (verdict.gap + shift) if not math.isnan(verdict.gap) else math.nan,
                     hours(need, factor) if need else math.inf, hw)
        b.options.append(opt)
    c0 = min(undecided, key=lambda c: distance(c.gap, c.test, c.margin))
    b.comp = components(c0.d)
    b.test, b.level = c0.test, c0.level
    b.distance, b.floor = distance(c0.gap, c0.test, c0.margin), image_floor(b.comp, level_alpha(c0))
    if verdict.status in ("holds", "contradicted"):
        b.why = f"settled at lite ({verdict.status})"
        return b
    ok = [o for o in b.options if o.seeds and o.cpu_hours <= CAP_CPU_HOURS]
    if ok:
        b.choice = min(ok, key=lambda o: o.cpu_hours)
        return b
    floor = (f"at lite's training its gap ({b.distance:.3f} from deciding) lies under the image floor "
             f"({b.floor:.3f}), which no seed count goes below" if b.distance <= b.floor else "")
    best = min((o for o in b.options if o.seeds), key=lambda o: o.cpu_hours, default=None)
    if best:
        b.why = (f"needs {best.seeds} seeds at {best.factor}× the iterations, {best.cpu_hours:.0f} CPU-hours: over "
                 f"the {CAP_CPU_HOURS:g} h cap" + (f"; {floor}" if floor else ""))
    else:
        b.why = floor or f"more than {MAX_SEEDS} seeds at up to {ITERATION_FACTORS[-1]}× the training"
    return b


# ------------------------------------------------------------------------------------------ the model, tested
def simulate(comp: Components, n_seeds: int, rng: np.random.Generator) -> np.ndarray:
    """Gaps drawn from the model with these components (for tests)."""
    u = rng.normal(0, math.sqrt(max(0.0, comp.seed - comp.within / comp.n_images)), (n_seeds, 1))
    v = rng.normal(0, math.sqrt(comp.image), (1, comp.n_images))
    e = rng.normal(0, math.sqrt(comp.within), (n_seeds, comp.n_images))
    return comp.gap + u + v + e


def check_prediction(comp: Components, n_seeds: int, reps: int = 100, alpha: float = ALPHA, seed: int = 0
                     ) -> tuple[float, float]:
    """(predicted half-width, mean simulated half-width of paired_interval) at ``n_seeds`` seeds."""
    rng = np.random.default_rng(seed)
    widths = []
    for _ in range(reps):
        lo, hi = paired_interval(simulate(comp, n_seeds, rng), draws=400, alpha=alpha)
        widths.append((hi - lo) / 2)
    return half_width(comp, n_seeds, alpha), float(np.mean(widths))


# ------------------------------------------------------------------------------------------ a table's budget
def table_budget(budgets: list[Budget], models_per_seed: int, rows, seeds_now: int) -> dict:
    """One (seeds, iterations factor) for the whole table: among the factors, the one that resolves the most of its
    undecided claims within the cap, then the cheapest; its seeds the most any of those claims needs."""
    train_s, score_s = cost_per_model(rows)
    best = None
    for factor in ITERATION_FACTORS:
        needs = [o.seeds for b in budgets if b.status == "inconclusive" for o in b.options
                 if o.factor == factor and o.seeds]
        fits = sorted(n for n in needs if n * models_per_seed * (train_s * factor + score_s) / 3600 <= CAP_CPU_HOURS)
        if not fits:
            continue
        seeds = max(fits)
        hours = seeds * models_per_seed * (train_s * factor + score_s) / 3600
        key = (-len(fits), hours)
        if best is None or key < best[0]:
            best = (key, dict(seeds=max(seeds, seeds_now), factor=factor, claims=len(fits), cpu_hours=hours))
    return best[1] if best else dict(seeds=seeds_now, factor=1, claims=0, cpu_hours=0.0)


BUDGET_COLUMNS = ["table", "claim", "kind", "status_lite", "decided_at", "gap", "lo", "hi", "distance",
                  "image_floor", "seed_sigma", "slope_per_doubling", "seeds_1x", "cpu_h_1x", "seeds_2x", "cpu_h_2x",
                  "seeds_4x", "cpu_h_4x", "choice", "why", "table_seeds", "table_factor", "table_cpu_h",
                  "lite_seeds", "lite_iterations"]


def study_budgets(tables_: tuple[str, ...], results_dir="results") -> "pd.DataFrame":
    """Every trained claim of ``tables_`` with what would settle it, from the committed lite results."""
    import pandas as pd

    from . import tables as T

    out = []
    for tid in tables_:
        r = T.load(tid, "lite", results_dir)
        rows = r.rows
        seeds_now = int(rows["seed"].nunique())
        models_per_seed = max(1, rows.drop_duplicates("model_hash").shape[0] // seeds_now)
        claims = {c.id: c for c in r.spec.claims if c.trained}
        budgets = [budget(tid, cid, r.verdicts[cid], rows, models_per_seed, seeds_now) for cid in claims]
        tb = table_budget(budgets, models_per_seed, rows, seeds_now)
        paper_gpu_h = sum(r.get("gpu_hours", 0.0) for r in T.plan(tid, "paper").runs)
        for b in budgets:
            opt = {o.factor: o for o in b.options}
            rec = dict(table=tid, claim=b.claim, kind=claims[b.claim].kind, status_lite=b.status, decided_at=b.level,
                       gap=b.lite[0], lo=b.lite[1], hi=b.lite[2], distance=b.distance, image_floor=b.floor,
                       seed_sigma=math.sqrt(b.comp.seed) if b.comp else math.nan,
                       slope_per_doubling=b.slope if b.slope is not None else math.nan,
                       choice=(f"{b.choice.seeds} seeds × {b.choice.factor}× iterations" if b.choice else ""),
                       why=b.why + (f"; the paper profile: {paper_gpu_h:.0f} GPU-hours for the table" if b.why and
                                    b.status == "inconclusive" else ""), table_seeds=tb["seeds"], table_factor=tb["factor"], table_cpu_h=tb["cpu_hours"],
                       lite_seeds=seeds_now, lite_iterations=int(rows["iterations"].max()))
            for f in ITERATION_FACTORS:
                o = opt.get(f)
                rec[f"seeds_{f}x"] = o.seeds if o and o.seeds else math.nan
                rec[f"cpu_h_{f}x"] = o.cpu_hours if o and o.seeds else math.nan
            out.append(rec)
    return pd.DataFrame(out, columns=BUDGET_COLUMNS)


def main(argv=None) -> int:
    import argparse

    from .provenance import atomic_write_text, provenance
    from .tables import ABLATIONS, SETTLE, reproduce_settle, result_path

    ap = argparse.ArgumentParser(prog="python -m srrepro.power", description=__doc__.splitlines()[0])
    ap.add_argument("tables", nargs="*", default=list(ABLATIONS), help="table ids (default: the card's ablations)")
    ap.add_argument("--results", default="results", help="results folder (reads <results>/lite)")
    ap.add_argument("--write", action="store_true", help="write <results>/settle/budgets.csv")
    ap.add_argument("--run", action="store_true", help="compute each table at its settle budget "
                    "(results/settle/<id>.csv; resumable: trained models are cached in runs/)")
    args = ap.parse_args(argv)
    if args.run:
        for tid in args.tables:
            reproduce_settle(tid, args.results)
            print(f"wrote {result_path(tid, SETTLE, args.results)}")
        return 0
    df = study_budgets(tuple(args.tables), args.results)
    with __import__("pandas").option_context("display.width", 200, "display.max_columns", 30):
        print(df[["table", "claim", "status_lite", "distance", "image_floor", "seeds_1x", "seeds_2x", "seeds_4x",
                  "choice", "table_seeds", "table_factor", "table_cpu_h"]].round(3).to_string(index=False))
    if args.write:
        for k, v in provenance(SETTLE).items():
            df[k] = v
        path = result_path("budgets", SETTLE, args.results)
        atomic_write_text(path, df.to_csv(index=False))
        print(f"wrote {path}")
    return 0


def _cli(argv=None) -> int:
    """``main`` with the project's convention for bad input: one line on stderr, exit status 2, no traceback."""
    import sys

    from .errors import SrreproError

    try:
        return main(argv)
    except SrreproError as e:
        print(f"srrepro: error: {e}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    raise SystemExit(_cli())
