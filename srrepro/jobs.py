"""Units of work and how they run: a :class:`Job` is one model and the result rows it produces.

* ``Job.train``: TrainConfig → :func:`srrepro.train.train` (cached, locked, resumable) → scored at every kept
  checkpoint (25/50/75/100 % of training) by :func:`srrepro.evaluate.evaluate`, per image.
  A job with ``pretrained_from`` (a second training stage, e.g. PCARN's GAN fine-tuning of its L1 model) first
  trains or reuses that model, then starts from its weights; its hash covers the stage-1 model's hash.
* ``Job.official``: released weights → scored. ``Job.reported``: rows whose numbers only the paper has.

Trained models live in ``<work_dir>/<table>/<model_hash>/`` (``runs/`` by default). ``model_hash`` covers every
field that changes the weights, so two tables that need the same model share one run. A lock per model hash
(``<work_dir>/locks/<hash>.lock``, an OS file lock that dies with its process) makes a second process wait for
the first (as long as it takes, saying every 10 min who holds it) instead of training the model twice or reading it
half-written; a killed process's lock is simply
free, and the rerun resumes its ``checkpoint.pt``. Per-image scores are cached beside the model (``scores/``;
released weights: ``<work_dir>/official/<name>/scores/``), so an interrupted table resumes where it stopped.

:func:`run_jobs` runs a table's jobs side by side: a process pool of one worker per CPU core (one intra-op
thread each) or one per GPU; with ``launcher="slurm"`` each unit is a Slurm job instead (:mod:`srrepro.launch`).
The pool never outlives its table: its workers die with the main process (however it dies) and are stopped, each
saving its checkpoint, when the table stops early (:func:`worker_pool`).
A unit's numbers do not depend on what runs beside it: on CPU every unit runs
with ``threads`` intra-op threads (default 1), and CPU training is bit-identical at a fixed thread count.
"""
from __future__ import annotations

import hashlib
import json
import math
import os
from concurrent.futures import ProcessPoolExecutor, as_completed
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path

import pandas as pd

from . import lifeline, overrides
from .data import SrreproDataError
from .recipes import PAPER_RECIPES, SIZES, recipe
from .config import TrainConfig
from .errors import SrreproError, TrainingDivergedError, WeightsError
from .launch import submit_tasks
from .provenance import cpu_cores
from .verdicts import CHECKPOINTS

SCORE_VERSION = 2  # bump when the evaluation protocol changes: cached per-image scores are then recomputed
UNIT_THREADS = 1  # CPU intra-op threads per unit unless the caller says otherwise (bit-identity, see above)
LOCK_NOTE_S = 600  # waiting for another process's model (no time limit): one line on stderr this often
CHECKPOINT_EVERY = {"smoke": 10, "lite": 200, "paper": 10_000}  # iterations between resumable checkpoints


@dataclass
class Job:
    kind: str  # "train" | "official" | "reported"
    key: dict  # key columns shared by the job's rows
    evals: list[dict]  # per row: more key columns + dataset, scale (, degradation, self_ensemble)
    config: TrainConfig | None = None
    weights: str | None = None  # srrepro.weights name for "official"
    info: dict = field(default_factory=dict)  # extra columns on every row (follows, params, …)
    family: str = ""  # the recipe family (budget: this profile's iterations as a fraction of the paper's)
    pretrained_from: TrainConfig | None = None  # stage 1: trained (or reused) first, its model.pt is `pretrained`
    curve: bool = False  # rows carry the learning curve (CURVE_COLUMNS) and a diverged run gives rows, not an error

    @classmethod
    def train(cls, key: dict, evals: list[dict], config: TrainConfig, family: str, info: dict | None = None,
              pretrained_from: TrainConfig | None = None, curve: bool = False) -> "Job":
        if pretrained_from is not None and (config.pretrained or pretrained_from.pretrained):
            raise ValueError("pretrained_from replaces config.pretrained, and a stage 1 starts from scratch")
        return cls("train", key, evals, config=config, info=dict(info or {}), family=family,
                   pretrained_from=pretrained_from, curve=curve)

    def hash(self, profile: str) -> str:
        return model_hash(self.config, profile, self.pretrained_from)

    @classmethod
    def official(cls, key: dict, evals: list[dict], weights: str, info: dict | None = None) -> "Job":
        return cls("official", key, evals, weights=weights, info=dict(info or {}))

    @classmethod
    def reported(cls, key: dict, evals: list[dict], info: dict | None = None) -> "Job":
        return cls("reported", key, evals, info={"status": "reported only", **(info or {})})


# keys of an eval that say how it is scored, not which cell it is; "whole_set": True scores the whole test set
# whatever the table's grid limits (a released checkpoint is inference only: its cells are never a subset)
EVAL_OPTIONS = ("degradation_kw", "metrics", "forward_kw", "whole_set")


def _cell(ev: dict) -> dict:
    return {k: v for k, v in ev.items() if k not in ("metrics", "forward_kw", "whole_set")}


def row_key(job: Job, ev: dict) -> dict:
    return {**job.key, **{k: v for k, v in ev.items() if k not in EVAL_OPTIONS}}


def selected(job: Job, only: dict | None) -> list[dict]:
    """The job's evals whose row keys match ``only`` ({column: values}); all when ``only`` is None."""
    if not only:
        return list(job.evals)
    return [ev for ev in job.evals if all(row_key(job, ev).get(k) in v for k, v in only.items())]


# The learning curve on a row (Job.curve): each column the curve.csv column of that name, ';'-joined per log row.
CURVE_COLUMNS = ("step", "loss", "loss_max", "grad_norm", "grad_norm_max")


def curve_columns(run_dir: Path) -> dict:
    """A run's learning curve as row columns ``curve_<name>`` (see CURVE_COLUMNS); {} when it has none."""
    path = Path(run_dir) / "curve.csv"
    if not path.exists():
        return {}
    df = pd.read_csv(path)
    return {f"curve_{c}": ";".join(f"{v:.6g}" for v in df[c]) for c in CURVE_COLUMNS if c in df}


def curve_of(row) -> pd.DataFrame:
    """The learning curve a row carries (the inverse of :func:`curve_columns`)."""
    cols = {c: row.get(f"curve_{c}") for c in CURVE_COLUMNS}
    cols = {c: [float(x) for x in v.split(";")] for c, v in cols.items() if isinstance(v, str) and v}
    return pd.DataFrame(cols)


# ------------------------------------------------------------------------------------------ configs and hashes
def train_config(ctx, family: str, model: str, model_kwargs: dict, seed: int, iterations: int | None = None,
                 **fields) -> TrainConfig:
    """The TrainConfig of a job: the profile's recipe (``iterations``, else ``ctx.iterations``, overrides its
    length) + model + scales/loss and any other TrainConfig field (``fields``, e.g. ``log_every``)."""
    r = recipe(ctx.profile, family, iterations or getattr(ctx, "iterations", None))
    cap = lambda value, name: min(value, getattr(ctx, name, None) or value)  # noqa: E731 (a capped run's knobs)
    return TrainConfig(**overrides.apply(ctx, family, {**dict(
        model=model, model_kwargs=dict(model_kwargs), train_dataset=r.train_dataset,
        lr_patch=cap(r.lr_patch, "lr_patch"), batch_size=cap(r.batch_size, "batch_size"), iterations=r.iterations,
        lr=r.lr, lr_milestones=r.lr_milestones, lr_halve_every=r.lr_halve_every, grad_clip=r.grad_clip, seed=seed,
        log_every=max(1, min(100, r.iterations)), validate_every=0,
        checkpoint_every=max(1, min(CHECKPOINT_EVERY[ctx.profile], r.iterations)),
        snapshots=CHECKPOINTS[:-1] if r.iterations >= len(CHECKPOINTS) else (),  # distinct steps
        data_root=ctx.data_root, device=ctx.device), **fields}))


def size(family: str, profile: str) -> dict:
    s = SIZES[family][profile]
    if s is None:
        raise ValueError(f"{family} is not trained at the {profile} profile")
    return dict(s)


# Fields that do not change the trained weights (bookkeeping, hardware, where the data lives).
_NOT_HASHED = {"log_every", "validate_every", "checkpoint_every", "snapshots", "device", "amp", "channels_last",
               "compile", "num_workers", "data_root"}


def model_hash(config: TrainConfig, profile: str, pretrained_from: TrainConfig | None = None) -> str:
    """Hash of everything that changes the trained weights (equal configs share one model across tables); a
    second stage's covers its stage-1 model (by that model's hash, wherever its run lives)."""
    d = json.loads(json.dumps(asdict(config), default=str))
    if pretrained_from is not None:
        d["pretrained"] = "model " + model_hash(pretrained_from, profile)
    d = {k: v for k, v in d.items() if k not in _NOT_HASHED}
    if config.channels_last is True:  # channels_last on CPU too: other summation order, other weights (last bits)
        d["channels_last"] = True
    d["_images"] = "first 4" if profile == "smoke" else None  # smoke trains on 4 images
    return hashlib.sha256(json.dumps(d, sort_keys=True).encode()).hexdigest()[:12]


# ------------------------------------------------------------------------------------------ trained models
def _finished(work_dir: Path, h: str) -> Path | None:
    """A run dir (of any table) holding the finished model of hash ``h``."""
    for d in sorted(Path(work_dir).glob(f"*/{h}")):
        if (d / "model.pt").exists() and (d / "model.json").exists():
            return d
    return None


class WorkDirError(SrreproError):
    """The work folder (``runs/``) cannot hold runs or locks."""


def model_lock(work_dir: Path, h: str, table: str = ""):
    """``with model_lock(work_dir, h):`` hold model ``h``'s lock, waiting as long as another process holds it (a
    GAN stage may wait hours for its stage 1): never a timeout that would abort the table, but a line on stderr
    every LOCK_NOTE_S saying who holds it. The holder's pid, host and table are in ``<hash>.owner`` beside it."""
    from filelock import FileLock

    locks = Path(work_dir) / "locks"
    try:
        locks.mkdir(parents=True, exist_ok=True)
    except (FileExistsError, NotADirectoryError):
        raise WorkDirError(f"{locks} (or a folder above it) is a file, not a folder: move it away; it holds one "
                           f"lock per model being trained") from None
    return _held(FileLock(str(locks / f"{h}.lock")), locks / f"{h}.owner", h, table)


@contextmanager
def _held(lock, owner: Path, h: str, table: str):
    import socket
    import sys
    import time

    from filelock import Timeout

    from .provenance import atomic_write_text

    t0 = time.monotonic()
    while True:
        try:
            lock.acquire(timeout=LOCK_NOTE_S)
            break
        except Timeout:
            try:
                holder = owner.read_text().strip() or "another process"
            except OSError:
                holder = "another process"
            print(f"srrepro: waiting for model {h} held by {holder} ({(time.monotonic() - t0) / 60:.0f} min so "
                  f"far): it is trained once, then reused here", file=sys.stderr, flush=True)
    try:
        try:
            atomic_write_text(owner, f"pid {os.getpid()} on {socket.gethostname()}"
                                     + (f" (table {table})" if table else "") + "\n")
        except OSError:
            pass  # only the waiting message loses its detail
        yield
    finally:
        lock.release()


def _intact(run_dir: Path, h: str, config: TrainConfig) -> bool:
    """Whether a finished run's files read back (model.json of hash ``h``, model.pt and the snapshots as weights).
    A corrupt file is moved aside (one line on stderr) and False returned: the caller then resumes the run's
    checkpoint (which rewrites model.pt and model.json) or, when a snapshot is lost, retrains it."""
    import torch

    from .provenance import failure, move_aside
    from .train import snapshot_name

    bad = None
    try:
        meta = json.loads((run_dir / "model.json").read_text())
        if not (isinstance(meta, dict) and meta.get("model_hash") == h):
            raise ValueError(f"not the model.json of model {h}")
    except (OSError, ValueError) as e:
        bad = run_dir / "model.json", failure(e)
    weights = [run_dir / "model.pt", *(run_dir / snapshot_name(step) for step in config.snapshot_steps())]
    for path in weights:
        if bad is not None:
            break
        try:
            state = torch.load(path, map_location="cpu", weights_only=True)
            if not (isinstance(state, dict) and state and all(isinstance(v, torch.Tensor) for v in state.values())):
                raise ValueError("not a state_dict of tensors")
        except Exception as e:  # truncated, garbage: torch raises several kinds
            bad = path, failure(e)
    if bad is None:
        return True
    move_aside(*bad)
    if bad[0].name not in ("model.json", "model.pt") and (run_dir / "checkpoint.pt").exists():
        move_aside(run_dir / "checkpoint.pt", f"its snapshot {bad[0].name} is lost: the run is retrained")
    if (run_dir / "model.json").exists():  # the run is not finished until model.pt is back
        os.remove(run_dir / "model.json")
    return False


def trained_model(ctx, table: str, config: TrainConfig, threads: int | None = None,
                  pretrained_from: TrainConfig | None = None) -> tuple[Path, dict]:
    """Train ``config`` (or reuse / resume its run, maybe another table's); returns (run dir, info columns).
    With ``pretrained_from``, that model is trained (or reused) first and ``config`` starts from its weights."""
    from dataclasses import replace

    from .train import train

    h = model_hash(config, ctx.profile, pretrained_from)
    config = replace(config, device=str(ctx.device))  # the unit's own GPU (a pool worker's), not the driver's
    stage1 = {}
    if pretrained_from is not None:
        stage1_dir, info1 = trained_model(ctx, table, pretrained_from, threads)
        config = replace(config, pretrained=str(stage1_dir / "model.pt"))
        stage1 = {"pretrained_hash": info1["model_hash"]}
    with model_lock(ctx.work_dir, h, table):  # another process training the same model: wait, then reuse it
        done = _finished(ctx.work_dir, h)
        if done is not None and not _intact(done, h, config):
            done = None
        if done is not None:
            meta = json.loads((done / "model.json").read_text())
            return done, {**meta, **stage1, "reused_from": str(done.relative_to(ctx.work_dir))}
        started = sorted(Path(ctx.work_dir).glob(f"*/{h}/checkpoint.pt"))  # an interrupted run, maybe another table's
        run_dir = started[0].parent if started else Path(ctx.work_dir) / table / h
        images = None
        if ctx.profile == "smoke":
            from .data import load_images
            from .recipes import SMOKE_RECIPE

            images = load_images(config.train_dataset, config.data_root, limit=SMOKE_RECIPE.n_images)
        result = train(config, run_dir, resume=(run_dir / "checkpoint.pt").exists(), progress=False, images=images,
                       threads=threads or UNIT_THREADS)
        curve = result.curve
        from .provenance import atomic_write_text, compute_device
        from .train import resolve_device

        trained_on = compute_device(resolve_device(config.device), config.amp)
        meta = {"model_hash": h, "iterations": result.iterations, "train_seconds": round(result.wall_seconds, 1),
                "final_loss": float(curve["loss"].iloc[-1]) if "loss" in curve and len(curve) else math.nan,
                **{f"train_{k}": v for k, v in trained_on.items()}}

        atomic_write_text(run_dir / "model.json", json.dumps(meta, indent=1) + "\n")
        return run_dir, {**meta, **stage1, "reused_from": ""}


def _run_dir(ctx, table: str, job: Job) -> Path:
    """Where a job's model is trained (its own table's dir unless another table started it first)."""
    h = job.hash(ctx.profile)
    started = sorted(Path(ctx.work_dir).glob(f"*/{h}/curve.csv"))
    return started[0].parent if started else Path(ctx.work_dir) / table / h


def load_model(config: TrainConfig, path: Path, device):
    import torch

    from .train import build_model

    model = build_model(config)
    model.load_state_dict(torch.load(path, map_location="cpu", weights_only=True))
    return model.to(device).eval()


def checkpoints(run_dir: Path, config: TrainConfig) -> dict[float, Path]:
    """Fraction of training → weights file, for the kept snapshots and the end (model.pt)."""
    from .train import snapshot_name

    out = {f: run_dir / snapshot_name(step) for step, f in config.snapshot_steps().items()}
    out = {f: p for f, p in out.items() if p.exists()}
    out[1.0] = run_dir / "model.pt"
    return dict(sorted(out.items()))


# ------------------------------------------------------------------------------------------ scoring
def eval_limit(ctx, dataset: str, whole_set: bool = False) -> int | None:
    """Images scored per dataset: all, unless the table's grid limits it (not for an eval marked ``whole_set``;
    smoke: 1) or the run caps it."""
    if ctx.profile == "smoke":
        return 1
    limit = None if whole_set else (ctx.grid.get("limits") or {}).get(dataset)
    cap = getattr(ctx, "eval_images", None)
    return min(limit or cap, cap) if cap else limit


def score(model, ev: dict, ctx, cache: Path | None = None) -> pd.DataFrame:
    """Per-image PSNR/SSIM of ``model`` on one (dataset, scale, degradation), cached in ``cache`` (a CSV)."""
    from .evaluate import evaluate
    from .train import resolve_device

    metrics = tuple(ev.get("metrics", ("psnr", "ssim")))
    if cache is not None and cache.exists():
        cached = _cached_scores(cache, metrics)
        if cached is not None:
            return cached
    df = evaluate(model, ev["dataset"], ev["scale"], ev.get("degradation", "BI"),
                  device=str(resolve_device(ctx.device)), root=ctx.data_root,
                  self_ensemble=ev.get("self_ensemble", False),
                  limit=eval_limit(ctx, ev["dataset"], ev.get("whole_set", False)),
                  metrics=metrics, forward_kw=ev.get("forward_kw"),
                  **ev.get("degradation_kw", {}))
    if cache is not None:
        from .provenance import atomic_write_text

        atomic_write_text(cache, df.to_csv(index=False))
    return df


def _cached_scores(cache: Path, metrics: tuple) -> pd.DataFrame | None:
    """A score cache's per-image rows, or None (and the file moved aside) when it is not a complete one: unreadable,
    without rows, without a requested metric's column, or with an empty score."""
    from .provenance import failure, move_aside

    try:
        df = pd.read_csv(cache)
        missing = [c for c in ("image", *metrics) if c not in df]
        if missing:
            raise ValueError(f"no column {missing[0]!r}")
        if df.empty:
            raise ValueError("no rows")
        if df[list(metrics)].isna().any().any():
            raise ValueError("empty scores")
        return df
    except (OSError, ValueError) as e:  # pandas' parser errors are ValueErrors
        move_aside(cache, failure(e))
        return None


def _eval_hash(ev: dict, ctx, ckpt: float) -> str:
    payload = {"ev": ev, "limit": eval_limit(ctx, ev["dataset"], ev.get("whole_set", False)), "checkpoint": ckpt,
               "v": SCORE_VERSION}
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()[:12]


def _rows_of(job: Job, evs: list[dict], minfo: dict, models: dict, ctx, cache_dir: Path | None):
    """Score every (eval, checkpoint): one row per eval (end-of-training means), per-image scores beside it."""
    rows, images = [], []
    base = {**job.key, **job.info}
    for i, ev in enumerate(evs):
        try:
            per_ckpt = {}
            for f, model in models.items():
                cache = cache_dir / f"{_eval_hash(ev, ctx, f)}.csv" if cache_dir is not None else None
                per_ckpt[f] = score(model(), ev, ctx, cache)
        except SrreproDataError as e:
            rows.append({**base, **_cell(ev), "status": f"data not available: {e}"})
            continue
        final = per_ckpt[1.0]
        limit = eval_limit(ctx, ev["dataset"], ev.get("whole_set", False))
        means = {m: float(final[m].mean()) for m in ("psnr", "ssim", "lpips", "niqe") if m in final}
        rows.append({**base, **minfo, **_cell(ev), **means,
                     "n_images": len(final), "status": "ok" if limit is None else f"ok (first {len(final)} images)"})
        for f, df in per_ckpt.items():
            images.append(df.assign(row=len(rows) - 1, checkpoint=f))
    return rows, images


def run_job(ctx, table: str, job: Job, evs: list[dict], threads: int | None = None) -> tuple[list, pd.DataFrame]:
    """One job, start to end: (rows, per-image scores with a ``row`` index into rows and a ``checkpoint``)."""
    import torch

    from .train import resolve_device

    device = resolve_device(ctx.device)
    if device.type == "cpu":
        torch.set_num_threads(threads or UNIT_THREADS)
    base = {**job.key, **job.info}
    if job.kind == "reported":
        return [{**base, **_cell(ev)} for ev in evs], pd.DataFrame()
    try:
        if job.kind == "train":
            try:
                run_dir, minfo = trained_model(ctx, table, job.config, threads, job.pretrained_from)
            except TrainingDivergedError as e:
                if not job.curve:
                    raise
                # a diverged run is a result of the tables that study stability: its curve, no scores
                run_dir = _run_dir(ctx, table, job)
                return [{**base, **_cell(ev), "model_hash": job.hash(ctx.profile), **curve_columns(run_dir),
                         "diverged_at": e.step, "status": f"diverged at iteration {e.step}"} for ev in evs], pd.DataFrame()
            if job.curve:
                minfo = {**minfo, **curve_columns(run_dir)}
            paper = PAPER_RECIPES.get(job.family)
            minfo = {**minfo, "model_kwargs": json.dumps(job.config.model_kwargs, sort_keys=True),
                     "family": job.family, "paper_iterations": paper.iterations if paper else math.nan}
            cache_dir = run_dir / "scores"
            models = {f: (lambda p=p: load_model(job.config, p, device)) for f, p in checkpoints(run_dir, job.config).items()}
        else:
            from .weights import load_official

            model = load_official(job.weights, root=ctx.data_root, device=device)  # sha256-checked
            minfo = {"iterations": 0, "train_seconds": 0.0, "model_kwargs": job.weights}
            # released weights are scored once per eval, whichever table asks: an interrupted table resumes
            cache_dir = Path(ctx.work_dir) / "official" / job.weights / "scores"
            models = {1.0: lambda: model}
    except (SrreproDataError, WeightsError) as e:  # missing data/weights: one row per cell saying so
        return [{**base, **_cell(ev), "status": f"not run: {e}"} for ev in evs], pd.DataFrame()
    if cache_dir is not None:
        cache_dir.mkdir(parents=True, exist_ok=True)
    loaded = {}

    def lazily(f, make):  # load each checkpoint once, only if some eval is not cached yet
        def get():
            if f not in loaded:
                loaded[f] = make()
            return loaded[f]
        return get

    models = {f: lazily(f, make) for f, make in models.items()}
    from .provenance import compute_device

    scored_on = compute_device(device)  # scoring runs float32 (no autocast); its GPU or CPU per row
    rows, images = _rows_of(job, evs, {**minfo, "torch_threads": torch.get_num_threads(), **scored_on}, models, ctx,
                            cache_dir)
    return rows, (pd.concat(images, ignore_index=True) if images else pd.DataFrame())


# ------------------------------------------------------------------------------------------ side by side
def _worker_init(devices, lock, parent_pid: int) -> None:
    """Tie each pool worker's life to its parent's; give it its own GPU (one unit per GPU), CPU workers need none."""
    lifeline.die_with_parent(parent_pid)
    if devices:
        with lock:
            os.environ["SRREPRO_WORKER_DEVICE"] = devices.pop(0)


def _worker_run(ctx, table, job, evs, threads):
    device = os.environ.get("SRREPRO_WORKER_DEVICE")
    if device:
        from dataclasses import replace

        ctx = replace(ctx, device=device)
    return run_job(ctx, table, job, evs, threads)


def can_spawn() -> bool:
    """Spawned workers re-import ``__main__``: impossible when it is a script read from stdin."""
    import sys

    f = getattr(sys.modules.get("__main__"), "__file__", None)
    return f is None or os.path.exists(f)


def visible_gpus() -> list[str]:
    """The CUDA devices this process may use (after CUDA_VISIBLE_DEVICES), as ``cuda:<i>``; [] without CUDA."""
    import torch

    return [f"cuda:{i}" for i in range(torch.cuda.device_count())] if torch.cuda.is_available() else []


def pinned_device(ctx) -> str | None:
    """The GPU ``--device cuda:N`` names (every unit runs there), or None: ``auto``/``cuda`` spread units over all."""
    return ctx.device if str(ctx.device).startswith("cuda:") else None


def unit_devices(ctx, workers: int) -> list[str]:
    """The device of each pool worker, one entry per worker: [] when units do not run on CUDA (each takes
    ``ctx.device``); with ``--device cuda:N`` that GPU for every worker; otherwise the visible GPUs dealt out in
    turn, so N workers (``--workers N`` or one per GPU) spread over them instead of all taking cuda:0."""
    from .train import resolve_device

    if resolve_device(ctx.device).type != "cuda":
        return []
    pinned = pinned_device(ctx)
    gpus = [pinned] if pinned else visible_gpus() or ["cuda:0"]
    return [gpus[i % len(gpus)] for i in range(max(1, workers))]


def default_workers(ctx, n_tasks: int) -> tuple[int, list[str]]:
    """(workers, their devices): one per GPU on CUDA (one in all with ``--device cuda:N``), one per core on CPU
    (smoke: one), never more than tasks."""
    from .train import resolve_device

    if resolve_device(ctx.device).type == "cuda":
        gpus = 1 if pinned_device(ctx) else len(visible_gpus())
        workers = max(1, min(gpus, n_tasks))
        return workers, unit_devices(ctx, workers)
    if ctx.profile == "smoke":  # seconds of work: starting worker processes would cost more than it saves
        return 1, []
    return max(1, min(cpu_cores(), n_tasks)), []


def run_jobs(ctx, table: str, jobs: list[Job], cost=None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Run a table's jobs side by side (``ctx.workers``: default :func:`default_workers`); returns (rows, per-image
    scores keyed by the row's position in rows). Jobs that need the same model run as one task; with several
    workers, the tasks go out longest first by ``cost(ctx, job, evals)`` (:func:`srrepro.plan.job_flops`; None:
    in the jobs' order)."""
    from tqdm.auto import tqdm

    tasks: dict[str, list[tuple[Job, list[dict]]]] = {}
    for i, job in enumerate(jobs):
        evs = selected(job, ctx.only)
        if evs:
            k = job.hash(ctx.profile) if job.kind == "train" else f"{job.kind}-{i}"
            tasks.setdefault(k, []).append((job, evs))
    workers = ctx.workers
    if workers is None:
        workers, _ = default_workers(ctx, sum(j.kind != "reported" for group in tasks.values() for j, _ in group))
    if not can_spawn():
        workers = 1
    devices = unit_devices(ctx, workers)  # an explicit --workers N spreads over the GPUs too
    threads = ctx.threads or UNIT_THREADS
    results: dict[str, list] = {}
    bar = tqdm(total=len(tasks), desc=table, unit="unit", disable=not ctx.progress, dynamic_ncols=True)

    def run_group(group):
        return [run_job(ctx, table, job, evs, threads) for job, evs in group]

    if getattr(ctx, "launcher", "local") != "local":  # each unit a cluster job (srrepro.launch)
        reported = {k: g for k, g in tasks.items() if all(job.kind == "reported" for job, _ in g)}
        results.update({k: run_group(g) for k, g in reported.items()})
        bar.update(len(reported))
        results.update(submit_tasks(ctx, table, {k: g for k, g in tasks.items() if k not in reported}, threads,
                                    run_group_in_worker, bar))
    elif workers <= 1:
        for k, group in tasks.items():
            results[k] = run_group(group)
            bar.update(1)
    else:
        cost = {k: sum(cost(ctx, job, evs) for job, evs in group) if cost else 0.0 for k, group in tasks.items()}
        with worker_pool(workers, devices) as pool:
            futures = {}
            stage2 = {k for k, g in tasks.items() if any(j.pretrained_from is not None for j, _ in g)}
            # stage-1 models before the stages that start from them (a second stage handed out early would wait on
            # its stage 1's lock), then longest first
            for k, group in sorted(tasks.items(), key=lambda kv: (kv[0] in stage2, -cost[kv[0]])):
                if all(job.kind == "reported" for job, _ in group):
                    results[k] = run_group(group)
                    bar.update(1)
                    continue
                futures[pool.submit(run_group_in_worker, ctx, table, group, threads)] = k
            for fut in as_completed(futures):
                results[futures[fut]] = fut.result()
                bar.update(1)
    bar.close()
    rows, images = [], []
    for k in tasks:  # in the jobs' order, whatever order they finished in
        for job_rows, job_images in results[k]:
            if len(job_images):
                images.append(job_images.assign(row=job_images["row"] + len(rows)))
            rows.extend(job_rows)
    return pd.DataFrame(rows), (pd.concat(images, ignore_index=True) if images else pd.DataFrame())


def run_group_in_worker(ctx, table, group, threads):
    with lifeline.busy():
        return [_worker_run(ctx, table, job, evs, threads) for job, evs in group]


@contextmanager
def worker_pool(workers: int, devices: list[str]):
    """A spawn process pool that never outlives its table: its workers (and the process handing out GPUs) die with
    this process, and an exception here (Ctrl-C, SIGTERM via the CLI, a failed unit) stops them instead of
    waiting for the units still running: each saves its checkpoint, then exits (killed after STOP_GRACE_S, see
    :mod:`srrepro.lifeline`)."""
    import multiprocessing as mp
    from multiprocessing.managers import SyncManager

    spawn = mp.get_context("spawn")  # fork after torch has started threads can deadlock
    manager = SyncManager(ctx=spawn)
    manager.start(lifeline.die_with_parent, (os.getpid(),))
    pool = None
    try:
        pool = ProcessPoolExecutor(workers, mp_context=spawn, initializer=_worker_init,
                                   initargs=(manager.list(devices), manager.Lock(), os.getpid()))
        yield pool
        pool.shutdown(wait=True)
    except BaseException:
        if pool is not None:
            _stop_workers(pool)
        raise
    finally:
        manager.shutdown()


def _stop_workers(pool: ProcessPoolExecutor) -> None:
    """Cancel the queued units and stop the running ones: SIGTERM (a worker saves its checkpoint), then SIGKILL."""
    import time

    # the executor's own process table: the only handle on its workers before Python 3.14's terminate_workers()
    processes = list((getattr(pool, "_processes", None) or {}).values())
    pool.shutdown(wait=False, cancel_futures=True)
    for proc in processes:
        if proc.is_alive():
            proc.terminate()
    deadline = time.monotonic() + lifeline.STOP_GRACE_S
    for proc in processes:
        proc.join(max(0.0, deadline - time.monotonic()))
        if proc.is_alive():
            proc.kill()
            proc.join()


class torch_threads:
    """``with torch_threads(n):`` run a block with ``n`` CPU intra-op threads, then restore the count."""

    def __init__(self, n: int | None):
        self.n = n or UNIT_THREADS

    def __enter__(self):
        import torch

        self.old = torch.get_num_threads()
        torch.set_num_threads(self.n)

    def __exit__(self, *exc):
        import torch

        torch.set_num_threads(self.old)
