"""Table ids → specs → result CSVs.

A *table* is one target of the study: a table, figure or ablation of a paper (``overnet_t2``, ``pcarn_t3``), or
a study-wide check (``bicubic``, ``complexity``, ``official_weights``). Its spec (one module per paper, listed
in ``TABLES`` below — one hop from id to code) holds only the paper: its values with their sources, the grid per
profile, the jobs a profile runs (``jobs(ctx)``) and its claims with the rule that gives each its verdict. The
engine does the rest: :mod:`srrepro.jobs` runs the jobs side by side, :mod:`srrepro.plan` costs them,
:mod:`srrepro.verdicts` judges the claims.

``reproduce(id, profile)`` runs the spec, joins the paper values, adds provenance, and writes
``results/<profile>/<id>.csv`` with the per-image scores beside it (``<id>.scores.csv.gz``), atomically. A run
whose knobs differ from the profile's (seeds, iterations, a subset of cells) writes
``results/custom/<id>/<hash>.csv`` instead and never touches the profile's results. A run that computed nothing
(no data, say) writes nothing and raises :class:`NothingComputedError`.
"""
from __future__ import annotations

import hashlib
import importlib
import io
import json
import math
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import numpy as np
import pandas as pd

from ..errors import SrreproError
from ..plan import Plan
from ..provenance import REPO_ROOT, atomic_write_bytes, git_state, provenance
from ..verdicts import VERDICTS, Claim, Verdict
from ..verdicts import judge as judge_claims

__all__ = ["PROFILES", "VERDICTS", "TABLES", "Claim", "Verdict", "Plan", "Layout", "TableSpec", "RunContext",
           "TableResult", "list_tables", "get", "reproduce", "reproduce_or_load", "load", "result_path"]

PROFILES = ("smoke", "lite", "paper")
PROFILE_MEANING = {
    "smoke": "CI plumbing check: tiny data and sizes; the numbers are meaningless",
    "lite": "what a 2-core CPU affords (≤ ~90 min a table, units side by side): short training, so trends, not the "
            "paper's absolute numbers",
    "paper": "the paper's own settings (data, patch, batch, iterations, schedule); needs a GPU for training tables",
}
# table id → module of srrepro.tables that defines it
TABLES: dict[str, str] = {  # in each paper's reading order (the book's sections follow it)
    "bicubic": "bicubic",
    "complexity": "complexity",
    "official_weights": "official_weights",
    "training_check": "training_check",
    "overnet_t1": "overnet",
    "overnet_t2": "overnet",
    "overnet_t3": "overnet",
    "overnet_t4": "overnet",
    "overnet_t5": "overnet",
    "overnet_t6": "overnet",
    "overnet_t7": "overnet",
    "overnet_f2": "overnet",
    "overnet_t8": "overnet",
    "pcarn_f5": "pcarn",
    "pcarn_t1": "pcarn",
    "pcarn_t2": "pcarn",
    "pcarn_t3": "pcarn",
    "pcarn_f6": "pcarn",
    "pcarn_f7": "pcarn",
    "pcarn_f8": "pcarn",
    "pcarn_t4": "pcarn",
    "pcarn_t5": "pcarn",
    "pcarn_t6": "pcarn",
    "pcarn_f12": "pcarn",
    "pcarn_f13": "pcarn",
    "edsr_bn": "edsr",
    "edsr_width_depth": "edsr",
    "edsr_resscale": "edsr",
    "edsr_loss": "edsr",
    "edsr_ensemble": "edsr",
    "edsr_transfer": "edsr",
    "edsr_mdsr": "edsr",
    "edsr_benchmark": "edsr",
    "edsr_qualitative": "edsr",
    "slwsr_f1": "slwsr",
    "slwsr_t1": "slwsr",
    "slwsr_t2": "slwsr",
    "slwsr_f5": "slwsr",
    "slwsr_f6": "slwsr",
    "slwsr_t3": "slwsr",
    "slwsr_released": "slwsr",
    "asdn_lfr": "asdn",
    "asdn_t3": "asdn",
    "asdn_nr": "asdn",
    "asdn_readings": "asdn",
    "asdn_t1": "asdn",
    "asdn_t2": "asdn",
    "asdn_f4": "asdn",
    "asdn_visual": "asdn",
    "asdn_attention": "asdn",
    "asdn_f9": "asdn",
}


class UnknownTableError(SrreproError, KeyError):
    def __str__(self) -> str:
        return self.args[0]


class ProfileError(SrreproError, ValueError):
    pass


@dataclass(frozen=True)
class Layout:
    """The paper's own table layout: result rows pivoted to ``rows`` × ``cols`` (key columns), one cell per
    metric, ours as mean ± std over seeds beside the paper's value."""
    rows: tuple  # key columns down the page (e.g. ("dataset", "scale"))
    cols: tuple = ()  # key columns across (e.g. ("method",)); () = one column per metric
    metrics: tuple = ("psnr",)
    order: dict = field(default_factory=dict)  # key column → its values in reading order (a paper without values)


@dataclass
class TableSpec:
    id: str
    title: str
    paper: str  # "OverNet", "PCARN", "EDSR", "ASDN", "s-LWSR", or "study"
    source: str  # where in the paper(s)
    description: str  # markdown: what is compared and how a cell is computed
    keys: list[str]  # columns that identify a row
    metrics: list[str]  # measured columns
    jobs: Callable[["RunContext"], list] | None = None  # the engine's jobs (srrepro.jobs.Job) of a profile
    extra_rows: Callable[["RunContext"], pd.DataFrame] | None = None  # rows computed without a job (exact cells)
    run: Callable[["RunContext"], pd.DataFrame] | None = None  # a table the engine does not run (timing, counts)
    plan: Callable[["RunContext"], Plan] | None = None
    plan_notes: str = ""  # one paragraph for the dry run: what the jobs train and score
    grid: dict = field(default_factory=dict)  # profile → knobs the jobs read (seeds, datasets, limits, …)
    paper_values: list[dict] = field(default_factory=list)  # PAPER VALUES: keys + metrics + "source"
    claims: list[Claim] = field(default_factory=list)
    profiles: dict[str, str] = field(default_factory=dict)  # profile → what it runs (one line each)
    plot: Callable | None = None  # (result df[, images=per-image scores]) → None, for the notebook's figure
    notes: str = ""  # markdown shown under the verdicts: errata in the paper, deviations, what was not run
    display_extra: tuple = ()  # further CSV columns the book's table shows (before "status")
    layout: Layout | None = None  # the paper's printed layout (report.paper_layout_html); None: keys × metrics
    family: str = ""  # the recipe family a training budget is measured against when rows do not record theirs

    def __post_init__(self):
        if (self.jobs is None) == (self.run is None):
            raise ValueError(f"{self.id}: a spec has either jobs (run by the engine) or its own run, not both")

    def paper_frame(self) -> pd.DataFrame:
        """The paper's values, one row per cell: keys, ``<metric>_paper`` columns, ``paper_source``."""
        if not self.paper_values:
            return pd.DataFrame(columns=self.keys + [f"{m}_paper" for m in self.metrics] + ["paper_source"])
        df = pd.DataFrame(self.paper_values)
        for m in self.metrics:  # a paper may print only some metrics (e.g. PSNR without SSIM)
            if m not in df:
                df[m] = math.nan
        df = df.rename(columns={m: f"{m}_paper" for m in self.metrics})
        return df.rename(columns={"source": "paper_source"})


DEFAULT_SEEDS = {"smoke": 1, "lite": 3, "paper": 1}
# per-image columns a result's sidecar keeps (each where the table measured it)
IMAGE_METRICS = ("psnr", "ssim", "lpips", "lpips_whole", "niqe", "niqe_border_scale", "psnr_study", "ssim_study")


@dataclass
class RunContext:
    profile: str
    data_root: str | None = None
    device: str = "auto"
    seeds: int | None = None  # None: the grid's (or DEFAULT_SEEDS)
    progress: bool = True
    only: dict | None = None  # {key column: [values]}: restrict the grid (a subset of cells)
    work_dir: Path = field(default_factory=lambda: REPO_ROOT / "runs")
    grid: dict = field(default_factory=dict)  # the spec's grid at this profile
    iterations: int | None = None  # None: the profile's recipe
    workers: int | None = None  # jobs side by side (None: one per core / GPU)
    threads: int | None = None  # CPU intra-op threads per job (None: 1)
    launcher: str = "local"  # "local" (process pool) | "slurm" (one Slurm job per unit; srrepro.launch)
    slurm: dict | None = None  # submitit parameters for the slurm launcher (timeout_min, slurm_partition, …)
    batch_size: int | None = None  # cap every recipe's batch (a capped run: memory, CI); None: the recipe's
    lr_patch: int | None = None  # cap every recipe's LR patch side (a capped run); None: the recipe's
    eval_images: int | None = None  # score at most this many images per dataset (a capped run); None: the grid's

    @property
    def n_seeds(self) -> int:
        return int(self.seeds or self.grid.get("seeds") or DEFAULT_SEEDS[self.profile])


class NothingComputedError(SrreproError, RuntimeError):
    pass


@dataclass
class TableResult:
    spec: TableSpec
    profile: str
    rows: pd.DataFrame
    csv_path: Path | None
    verdicts: dict[str, Verdict]
    images: pd.DataFrame | None = None  # per-image scores: config_hash, checkpoint, image, psnr, ssim
    budget: str = ""  # the training budget as a fraction of the paper's
    custom: str = ""  # knobs that differ from the profile ("seeds=5"), when this is a tweaked run
    loaded_from: str = ""  # the committed CSV this result was read from (not computed by this call)


def complete(values: list[dict], metrics: list[str]) -> list[dict]:
    """Every paper row carries every metric (NaN where the paper prints none), as the merge with ours expects."""
    return [{**{m: math.nan for m in metrics}, **v} for v in values]


def with_training_note(text: str, checkpoints: bool = True) -> str:
    """A training table's description, with the one paragraph on how its jobs are trained, scored and cached
    (``checkpoints=False``: its models keep no snapshots and are scored at the end of training only)."""
    when = "at 25/50/75/100 % of training" if checkpoints else "at the end of training"
    return text.strip() + "\n\n" + (f"A training job is `TrainConfig → srrepro.train.train → srrepro.evaluate.evaluate` "
                                    f"{when} (engine: `srrepro/jobs.py`); trained models are "
                                    "cached in `runs/<table>/<model hash>/` and shared between tables.")


def list_tables() -> list[str]:
    return list(TABLES)


def get(table_id: str) -> TableSpec:
    if table_id not in TABLES:
        raise UnknownTableError(f"unknown table {table_id!r}; valid ids: {', '.join(TABLES)}")
    module = importlib.import_module(f"{__name__}.{TABLES[table_id]}")
    return module.SPECS[table_id]


def check_profile(profile: str) -> str:
    if profile not in PROFILES:
        raise ProfileError(f"unknown profile {profile!r}; valid profiles: {', '.join(PROFILES)}")
    return profile


def config_hash(row: dict, keys: list[str], profile: str) -> str:
    keys = keys + [k for k in ("reported_by",) if k in row]  # one row per paper that reports a cell
    payload = json.dumps({"profile": profile, **{k: _plain(row.get(k)) for k in keys}}, sort_keys=True, default=str)
    return hashlib.sha256(payload.encode()).hexdigest()[:12]


def _plain(v):  # numpy scalars and CSV round trips hash alike (3 vs 3.0 stay distinct only by type of key)
    if isinstance(v, (np.generic,)):
        v = v.item()
    if isinstance(v, float) and math.isnan(v):
        return None
    return v


def result_path(table_id: str, profile: str, results_dir: str | Path = "results") -> Path:
    results_dir = Path(results_dir)
    if not results_dir.is_absolute():
        results_dir = REPO_ROOT / results_dir
    return results_dir / profile / f"{table_id}.csv"


def scores_path(csv_path: Path) -> Path:
    """The per-image sidecar of a result CSV."""
    return csv_path.with_name(csv_path.stem + ".scores.csv.gz")


def _merge_paper(spec: TableSpec, ours: pd.DataFrame) -> pd.DataFrame:
    paper = spec.paper_frame()
    if paper.empty:
        df = ours.copy()
        for m in spec.metrics:
            df[f"{m}_paper"] = math.nan
        df["paper_source"] = ""
    else:  # paper cells may be coarser than ours (e.g. one paper value for two readings of a degradation)
        df = ours.merge(paper, on=[k for k in spec.keys if k in paper.columns], how="left")
    for m in spec.metrics:
        if m in df:
            df[f"{m}_delta"] = df[m] - df[f"{m}_paper"]
    return df


def training_budget(rows: pd.DataFrame, family: str = "") -> str:
    """The rows' training budget as a fraction of the paper's ("500 of 6×10⁵ iterations (0.083 %)")."""
    from ..recipes import PAPER_RECIPES, budget

    if "iterations" not in rows or ("family" not in rows and not family):
        return ""
    if "family" not in rows:  # rows written before they recorded their family
        rows = rows.assign(family=family)
    trained = rows[rows["family"].isin(list(PAPER_RECIPES)) & (rows["iterations"].fillna(0) > 0)]
    if trained.empty:
        return ""
    return budget(float(trained["iterations"].median()), trained["family"].mode().iloc[0])


def judge(spec: TableSpec, rows: pd.DataFrame, profile: str, images: pd.DataFrame | None = None) -> dict[str, Verdict]:
    """Every claim of ``spec`` judged on result ``rows`` (+ their per-image scores)."""
    return judge_claims(spec.claims, rows, profile, images, training_budget(rows, spec.family))


def _read_scores(csv_path: Path) -> pd.DataFrame | None:
    p = scores_path(csv_path)
    return pd.read_csv(p) if p.exists() else None


def load(table_id: str, profile: str, results_dir: str | Path = "results") -> TableResult:
    """Read a result CSV written earlier (what the book does: no computation)."""
    spec = get(table_id)
    path = result_path(table_id, check_profile(profile), results_dir)
    if not path.exists():
        raise FileNotFoundError(f"no results for {table_id} at profile {profile}: {path} is missing; "
                                f"run `make reproduce TABLE={table_id} PROFILE={profile}`")
    return _result(spec, profile, pd.read_csv(path), path, _read_scores(path))


def _result(spec, profile, rows, path, images, custom: str = "") -> TableResult:
    return TableResult(spec, profile, rows, path, judge(spec, rows, profile, images), images,
                       training_budget(rows, spec.family), custom)


def select(cells: list[dict], only: dict | None) -> list[dict]:
    """The cells of a grid that match ``only`` ({column: values}); all of them when ``only`` is None."""
    if not only:
        return cells
    return [c for c in cells if all(c.get(k) in v for k, v in only.items())]


def context(spec: TableSpec, profile: str, **knobs) -> RunContext:
    return RunContext(check_profile(profile), grid=dict(spec.grid.get(profile, {})),
                      **{k: v for k, v in knobs.items() if v is not None})


def plan(table_id: str, profile: str = "lite", gpu: str | None = None, **knobs) -> Plan:
    """The dry run of a table: its jobs costed (``gpu``: the GPU kind a paper plan is for, see srrepro.plan)."""
    from ..plan import plan_jobs

    spec = get(table_id)
    ctx = context(spec, profile, **knobs)
    if spec.plan is not None:
        return spec.plan(ctx)
    if spec.jobs is None:  # a table with its own run and no plan of its own: nothing for the engine to train
        return Plan([{"model": "no training (the table's own code: released weights, statistics or timing)",
                      "train": "-", "cached": "-", "training_iterations": 0}],
                    f"{spec.id} trains nothing: its cells come from its own run (not costed; minutes on a CPU).")
    p = plan_jobs(ctx, table_id, spec.jobs(ctx), spec.plan_notes, gpu=gpu)
    if spec.extra_rows is not None:
        p.runs.insert(0, {"model": "no model (exact cells)", "train": "-", "cached": "-", "training_iterations": 0,
                          "train_s": 0, "eval_s": 5, "est_seconds": 5.0})
    return p


def compute(spec: TableSpec, ctx: RunContext) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(our rows, per-image scores keyed by ``config_hash``) of a table at ``ctx``."""
    from ..jobs import run_jobs

    images = pd.DataFrame()
    if spec.run is not None:  # a table the engine does not run; it may return its per-image scores too
        ours = spec.run(ctx)
        if isinstance(ours, tuple):
            ours, images = ours
    else:
        ours, images = run_jobs(ctx, spec.id, spec.jobs(ctx))
        if spec.extra_rows is not None:
            extra = spec.extra_rows(ctx)
            if len(images):
                images["row"] += len(extra)
            ours = pd.concat([extra, ours], ignore_index=True)
    status = ours["status"].dropna().astype(str) if "status" in ours else pd.Series(dtype=str)
    if not _computed(spec, ours) and (ours.empty or status.str.startswith("data not available").any()):
        # a data root without the table's datasets is bad input, not a result (missing *weights* are: those rows
        # say "not run" with what is needed)
        first = status.iloc[0] if len(status) else "no rows"
        raise NothingComputedError(f"{spec.id} at profile {ctx.profile} computed nothing ({first}); nothing "
                                   f"written — `srrepro doctor` lists what the data root holds")
    ours["config_hash"] = [config_hash(r, spec.keys, ctx.profile) for r in ours.to_dict("records")]
    if len(images):
        images["config_hash"] = ours["config_hash"].to_numpy()[images["row"].to_numpy()]
        images = images[["config_hash", "checkpoint", "image"] + [m for m in IMAGE_METRICS if m in images]]
    return ours, images


def _computed(spec: TableSpec, rows: pd.DataFrame) -> bool:
    return any(m in rows and rows[m].notna().any() for m in spec.metrics)


def _knobs(profile: str, seeds, iterations, only, batch_size=None, lr_patch=None, eval_images=None) -> str:
    """The knobs of a run that differ from its profile's ('' when none do)."""
    parts = [f"seeds={seeds}" if seeds else "", f"iterations={iterations}" if iterations else "",
             f"only={json.dumps(only, sort_keys=True)}" if only else "",
             f"batch_size={batch_size}" if batch_size else "", f"lr_patch={lr_patch}" if lr_patch else "",
             f"eval_images={eval_images}" if eval_images else ""]
    return ", ".join(p for p in parts if p)


def custom_path(table_id: str, profile: str, knobs: str, results_dir: str | Path = "results") -> Path:
    h = hashlib.sha256(f"{profile} {knobs}".encode()).hexdigest()[:10]
    return result_path(table_id, "custom", results_dir).parent / table_id / f"{profile}-{h}.csv"


def reproduce(table_id: str, profile: str = "lite", data_root: str | None = None, device: str = "auto",
              results_dir: str | Path = "results", seeds: int | None = None, dry_run: bool = False,
              progress: bool = True, write: bool = True, only: dict | None = None, iterations: int | None = None,
              workers: int | None = None, threads: int | None = None, update: bool = False,
              work_dir: str | Path | None = None, launcher: str = "local", slurm: dict | None = None,
              batch_size: int | None = None, lr_patch: int | None = None, eval_images: int | None = None
              ) -> TableResult | Plan:
    """Compute table ``table_id`` at ``profile`` and write ``results/<profile>/<id>.csv`` (+ its per-image scores).

    Knobs that differ from the profile (``seeds``, ``iterations``, ``only``, caps: ``batch_size``, ``lr_patch``,
    ``eval_images``) write
    ``results/custom/<id>/…`` instead. ``launcher="slurm"`` runs each unit as a Slurm job (:mod:`srrepro.launch`).
    ``update=True`` with ``only`` alone refreshes those cells' rows in the profile's own CSV (same settings, a
    partial re-run) and keeps the others.
    """
    spec = get(table_id)
    knobs = dict(data_root=data_root, device=device, seeds=seeds, progress=progress, only=only,
                 iterations=iterations, workers=workers, threads=threads,
                 work_dir=Path(work_dir) if work_dir else None, launcher=launcher, slurm=slurm,
                 batch_size=batch_size, lr_patch=lr_patch, eval_images=eval_images)
    if dry_run:
        return plan(table_id, profile, **knobs)
    ctx = context(spec, profile, **knobs)
    tweak = _knobs(profile, seeds, iterations, None if update else only, batch_size, lr_patch, eval_images)
    if update and (seeds or iterations or batch_size or lr_patch or eval_images):
        raise ValueError("update=True refreshes cells at the profile's own settings: drop seeds/iterations")
    git_state()  # pin the commit now: a run takes minutes to hours, and the tree may move on meanwhile
    t0 = time.time()
    ours, images = compute(spec, ctx)
    rows = _merge_paper(spec, ours)
    rows = rows.sort_values([k for k in spec.keys if k in rows], kind="stable", ignore_index=True)
    rows.insert(0, "table", table_id)
    prov = provenance(profile, table_seconds=round(time.time() - t0, 1))
    for k, v in prov.items():
        if k not in rows or k != "torch_threads":  # a job's own thread count wins (it ran in a worker)
            rows[k] = v
        else:
            rows[k] = rows[k].fillna(v)
    if tweak:
        rows["custom"] = tweak
    path = None
    if write:
        path = custom_path(table_id, profile, tweak, results_dir) if tweak else result_path(table_id, profile,
                                                                                             results_dir)
        if path.exists() and not _computed(spec, ours) and _computed(spec, pd.read_csv(path)):
            raise NothingComputedError(f"{table_id} at profile {profile} computed nothing this time "
                                       f"({rows['status'].dropna().iloc[0] if 'status' in rows else 'no values'}); "
                                       f"{path} keeps its results")
        if only and not tweak and path.exists():  # keep rows of other cells (a partial re-run replaces its own)
            old = pd.read_csv(path)
            old_images = _read_scores(path)
            if "config_hash" in old:
                keep = ~old["config_hash"].isin(rows["config_hash"])
                if old_images is not None and len(images):
                    images = pd.concat([old_images[old_images["config_hash"].isin(old.loc[keep, "config_hash"])],
                                        images], ignore_index=True)
                old = old[keep]
                rows = pd.concat([old, rows], ignore_index=True) if len(old) else rows
        _write(path, rows, images)
    return _result(spec, profile, rows, path, images if len(images) else None, tweak)


def _write(path: Path, rows: pd.DataFrame, images: pd.DataFrame) -> None:
    """The CSV and its per-image sidecar, each atomically (the sidecar first: a CSV never points at stale scores)."""
    side = scores_path(path)
    if len(images):
        buf = io.BytesIO()
        images.to_csv(buf, index=False, compression={"method": "gzip", "mtime": 0}, float_format="%.6f")
        atomic_write_bytes(side, buf.getvalue())
    elif side.exists():
        side.unlink()
    buf = io.StringIO()
    rows.to_csv(buf, index=False)
    atomic_write_bytes(path, buf.getvalue().encode())


def reproduce_or_load(table_id: str, profile: str = "lite", recompute: bool = False, seeds: int | None = None,
                      iterations: int | None = None, only: dict | None = None, **kw) -> TableResult:
    """The notebooks' one call: with the profile's own knobs and ``recompute=False``, render the committed CSV when
    it exists (no retraining; ``loaded_from`` names it, and the page says so); otherwise compute — tweaked knobs
    into ``results/custom/``."""
    tweak = _knobs(profile, seeds, iterations, only)
    path = result_path(table_id, check_profile(profile), kw.get("results_dir", "results"))
    if not recompute and not tweak and path.exists():
        result = load(table_id, profile, kw.get("results_dir", "results"))
        # said by the page (report.about_markdown), not printed here: a book page opens with the verdicts
        result.loaded_from = str(path.relative_to(REPO_ROOT) if path.is_relative_to(REPO_ROOT) else path)
        return result
    if not recompute and tweak:
        p = custom_path(table_id, profile, tweak, kw.get("results_dir", "results"))
        if p.exists():
            print(f"Rendering the earlier tweaked run {p.name} ({tweak}) without retraining.")
            spec = get(table_id)
            return _result(spec, profile, pd.read_csv(p), p, _read_scores(p), tweak)
    return reproduce(table_id, profile, seeds=seeds, iterations=iterations, only=only, **kw)
