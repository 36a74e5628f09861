"""What a table will cost before it runs: one plan row per job (training + its evaluations), in seconds on this
machine and, at the paper profile, in GPU-hours.

FLOPs are counted by ``torch.utils.flop_counter.FlopCounterMode`` on an 8×8 LR input (meta device), per LR
pixel; training seconds of lite runs come from timing one real step (:func:`srrepro.train.estimate_seconds`).
"""
from __future__ import annotations

import json
from dataclasses import dataclass, replace
from functools import lru_cache

import numpy as np
import pandas as pd

from .data import SrreproDataError
from .evaluate import ensemble_size
from .jobs import Job, _finished, eval_limit, model_hash, selected
from .recipes import SIZES
from .weights import WeightsError

GPU_EFFECTIVE_TFLOPS = 40.0  # assumed sustained training throughput on one modern GPU (bf16 autocast), for plans


def duration(seconds: float) -> str:
    """Seconds in the unit a reader thinks in: "42.0 min", "5.3 h", "12.4 days", "3.1 years"."""
    for unit, size, limit in (("min", 60, 120 * 60), ("h", 3600, 72 * 3600), ("days", 86400, 730 * 86400)):
        if seconds < limit:
            return f"{seconds / size:.1f} {unit}"
    return f"{seconds / (365 * 86400):.1f} years"


@dataclass
class Plan:
    runs: list[dict]  # one dict per job: what it computes, iterations, est. seconds
    notes: str = ""
    workers: int = 1  # jobs side by side

    def total_seconds(self) -> float:
        return sum(r.get("est_seconds", 0.0) for r in self.runs)

    def __str__(self) -> str:
        df = pd.DataFrame(self.runs)
        serial = self.total_seconds()
        gpu = sum(r.get("gpu_hours", 0.0) for r in self.runs)
        lines = [df.to_string(index=False) if len(df) else "(nothing to run)"]
        if gpu:  # paper profile: the GPU figure is the plan; the CPU one only says why not here
            lines.append(f"{len(self.runs)} runs, estimated {gpu:.1f} GPU-hours on one modern GPU "
                         f"(this machine: {duration(serial)}, not feasible)")
        else:
            side = f", {duration(serial / self.workers)} with {self.workers} side by side" if self.workers > 1 else ""
            lines.append(f"{len(self.runs)} runs, estimated {duration(serial)} one after another{side}")
        if self.notes:
            lines.append(self.notes)
        return "\n".join(lines)


# ------------------------------------------------------------------------------------------ FLOPs
@lru_cache(maxsize=None)
def flops_per_px(model: str, kwargs_json: str, scale: float, train: bool) -> float:
    """FLOPs per LR pixel of one forward (``train``: forward + backward) on an 8×8 LR input, on the meta device
    (CPU when an op has no meta kernel). Convolutions dominate and scale with the pixel count."""
    import torch
    from torch.utils.flop_counter import FlopCounterMode

    from .models import create_model

    kwargs = json.loads(kwargs_json)
    p = 8
    for dev in ("meta", "cpu"):
        try:
            with torch.device(dev):
                m = create_model(model, **kwargs)
                x = torch.rand(1, 3, p, p)
            if not train:
                m.eval()
            fc = FlopCounterMode(display=False)
            with fc:
                if train:
                    m(x, scale).float().abs().mean().backward()
                else:
                    with torch.no_grad():
                        m(x, scale)
            return fc.get_total_flops() / (p * p)
        except (NotImplementedError, RuntimeError):
            if dev == "cpu":
                raise
    raise AssertionError


def _train_scales(config) -> list[float]:
    if config.scale_range:
        lo, hi = config.scale_range
        return [lo, (lo + hi) / 2, hi]
    scales = sorted(float(s) for s in config.scales)
    return scales if len(scales) <= 3 else [scales[0], scales[len(scales) // 2], scales[-1]]


@lru_cache(maxsize=None)
def loss_flops_per_hr_px(term: str, n_discriminators: int = 1) -> float:
    """FLOPs per HR pixel of a perceptual term's networks in one training step, measured like
    :func:`flops_per_px` on two 64×64 inputs (batch norm needs two): a VGG loss runs its network forward on HR and forward + backward on SR;
    the GAN term runs the discriminator(s) forward + backward on HR and SR (D step) and on SR again (G step)."""
    import torch
    from torch.utils.flop_counter import FlopCounterMode

    from .losses import VGGLoss
    from .models import create_model

    p, n = 64, 2
    with torch.device("meta"):
        net = (VGGLoss(random_init=True, term=term) if term != "gan"
               else create_model("pcarn_discriminator", n_scales=n_discriminators))
        x = torch.rand(n, 3, p, p, requires_grad=True)
    fc = FlopCounterMode(display=False)
    with fc:
        if term == "gan":
            sum(o.float().mean() for o in net(x)).backward()
        else:
            net(x, x.detach()).backward()
    once = fc.get_total_flops() / (n * p * p)  # VGG: fwd(SR) + bwd(SR) + fwd(HR); GAN: one fwd + bwd
    return float(3 * once if term == "gan" else once)


def train_flops(config) -> float:
    """FLOPs of one training step (mean over the training scales): the model's forward + backward, plus the networks
    of a perceptual loss (VGG, discriminators), which can cost several times the generator; pixel losses are
    negligible."""
    from .losses import VGG_TERMS, parse_loss
    from .train import model_kwargs

    kw = json.dumps(model_kwargs(config), sort_keys=True)
    scales = _train_scales(config)
    per_px = np.mean([flops_per_px(config.model, kw, s, True) for s in scales])
    total = per_px * config.batch_size * config.lr_patch ** 2
    hr_px = config.batch_size * np.mean([(config.lr_patch * s) ** 2 for s in scales])
    for term in parse_loss(config.loss):
        if term in VGG_TERMS:
            total += loss_flops_per_hr_px(term) * hr_px
        elif term == "gan":
            total += loss_flops_per_hr_px("gan", config.gan_scales) * hr_px
    return float(total)


@lru_cache(maxsize=None)
def lr_pixels(dataset: str, scale: float, limit: int | None, root) -> float:
    """Total LR pixels of a benchmark at ``scale`` (image sizes from the PNG headers, nothing decoded)."""
    from PIL import Image

    from . import data
    from .evaluate import hr_crop_shape

    files = data.dataset_files(dataset, root)[:limit] if limit else data.dataset_files(dataset, root)
    total = 0
    for f in files:
        with Image.open(f) as im:
            w, h = im.size
        (_, _), (lh, lw) = hr_crop_shape((h, w), scale)
        total += lh * lw
    return float(total)


def eval_flops(model: str, kwargs: dict, ev: dict, ctx) -> float:
    try:
        px = lr_pixels(ev["dataset"], float(ev["scale"]), eval_limit(ctx, ev["dataset"]), ctx.data_root)
    except SrreproDataError:  # a missing dataset costs nothing
        return 0.0
    return flops_per_px(model, json.dumps(kwargs, sort_keys=True), float(ev["scale"]), False) * px * \
        ensemble_size(ev.get("self_ensemble", False))


def job_flops(ctx, job: Job, evs: list[dict]) -> float:
    """FLOPs a job will spend (training + scoring every kept checkpoint): the order to hand jobs to workers in,
    longest first, so the last minutes of a table are not one straggler."""
    from .train import model_kwargs

    if job.kind != "train":
        return 0.0
    cfg = job.config
    evals = sum(eval_flops(cfg.model, model_kwargs(cfg), ev, ctx) for ev in evs)
    return train_flops(cfg) * cfg.iterations + evals * (len(cfg.snapshot_steps()) + 1)


@lru_cache(maxsize=None)
def cpu_flops_rate(device: str = "auto", threads: int = 1) -> float:
    """Effective training FLOP/s of this machine, from one timed lite OverNet step (cached on disk); turns FLOP
    counts into seconds where nothing else is timed (evaluation, paper plans)."""
    from .jobs import train_config
    from .train import estimate_seconds

    ctx = _Ctx("lite", device)
    cfg = replace(train_config(ctx, "overnet", "overnet", SIZES["overnet"]["lite"], 0, scales=(3,)), iterations=1)
    return train_flops(cfg) / estimate_seconds(cfg, device=device, steps=1, threads=threads)


@dataclass
class _Ctx:  # the few RunContext fields train_config reads
    profile: str
    device: str
    data_root: str | None = None
    iterations: int | None = None


def plan_jobs(ctx, table: str, jobs: list[Job], notes: str = "") -> Plan:
    """One plan row per job: what it trains, iterations, estimated seconds (training + its evaluations, at every
    kept checkpoint); at the paper profile also GPU-hours (FLOPs / GPU_EFFECTIVE_TFLOPS)."""
    from .jobs import UNIT_THREADS, default_workers
    from .train import estimate_seconds, model_kwargs

    threads = ctx.threads or UNIT_THREADS
    rate = cpu_flops_rate(ctx.device, threads) if ctx.profile != "smoke" else None
    runs, seen = [], set()
    for j in jobs:
        evs = selected(j, ctx.only)
        if not evs:
            continue
        row = {**j.key, "rows": len(evs)}
        train_s, gpu_h, it, n_ckpt = 0.0, 0.0, 0, 1
        model, kwargs = None, {}
        if j.kind == "train":
            cfg = j.config
            model, kwargs, it = cfg.model, model_kwargs(cfg), cfg.iterations
            n_ckpt = len(cfg.snapshot_steps()) + 1
            h = j.hash(ctx.profile)
            cached, shared = _finished(ctx.work_dir, h) is not None, h in seen
            seen.add(h)
            stage1_s = stage1_gpu_h = 0.0
            if j.pretrained_from is not None and not cached:  # a stage 1 not trained yet is this job's cost too
                c1, h1 = j.pretrained_from, model_hash(j.pretrained_from, ctx.profile)
                if _finished(ctx.work_dir, h1) is None and h1 not in seen:
                    if ctx.profile == "paper":
                        stage1_s = train_flops(c1) * c1.iterations / rate
                        stage1_gpu_h = train_flops(c1) * c1.iterations / (GPU_EFFECTIVE_TFLOPS * 1e12) / 3600
                    else:
                        stage1_s = estimate_seconds(c1, device=ctx.device, steps=1, threads=threads)
                    it += c1.iterations
                seen.add(h1)
            row["model"] = f"{cfg.model} {json.dumps(cfg.model_kwargs, sort_keys=True)}"
            if cfg.scale_range:
                sc = f"r{cfg.scale_range}"
            elif len(cfg.scales) > 4:
                sc = f"x{min(cfg.scales):g}…{max(cfg.scales):g} ({len(cfg.scales)} scales)"
            else:
                sc = "x" + ",".join(f"{s:g}" for s in cfg.scales)
            row["train"] = f"{cfg.train_dataset} p{cfg.lr_patch} b{cfg.batch_size} {sc} {cfg.loss}"
            if not cached and not shared:
                if ctx.profile == "paper":
                    flops = train_flops(cfg) * cfg.iterations
                    train_s, gpu_h = flops / rate, flops / (GPU_EFFECTIVE_TFLOPS * 1e12) / 3600
                else:
                    train_s = estimate_seconds(cfg, device=ctx.device, steps=1, threads=threads)
            train_s, gpu_h = train_s + stage1_s, gpu_h + stage1_gpu_h
            row["cached"] = "yes" if cached else ("same model as above" if shared else "no")
        elif j.kind == "official":
            from .weights import OFFICIAL_WEIGHTS, weights_path

            w = OFFICIAL_WEIGHTS[j.weights]
            try:
                present = weights_path(j.weights, ctx.data_root).is_file()
            except (SrreproDataError, WeightsError):
                present = False
            model, kwargs = (w.model, dict(w.kwargs)) if present else (None, {})
            row["model"] = f"official weights {j.weights}" + ("" if present else " (file absent: rows say so)")
            row["train"], row["cached"] = "-", "-"
        else:
            row["model"], row["train"], row["cached"] = j.info.get("status", "reported only"), "-", "-"
        eval_s = 0.0
        if model is not None and rate:
            eval_s = n_ckpt * sum(eval_flops(model, kwargs, ev, ctx) for ev in evs) / rate
        elif model is not None:
            eval_s = 0.5 * len(evs)
        row.update({"training_iterations": it, "train_s": round(train_s), "eval_s": round(eval_s),
                    "est_seconds": round(train_s + eval_s, 1)})
        if ctx.profile == "paper":
            row["gpu_hours"] = round(gpu_h, 2)
        runs.append(row)
    shared_note = ("Cached models (any table's runs/<table>/<hash>/ with model.pt) and repeats of a model above cost "
                   "no training.")
    extra = ""
    if ctx.profile == "paper":
        extra = (f" GPU-hours assume {GPU_EFFECTIVE_TFLOPS:g} TFLOP/s sustained (bf16 autocast on one modern GPU); "
                 "FLOPs are counted per training step by torch's FlopCounterMode. est_seconds is the same work at "
                 "this machine's measured rate: not feasible here.")
    missing = sorted({ev["dataset"] for j in jobs for ev in selected(j, ctx.only)
                      if not _present(ev["dataset"], ctx.data_root)})
    if missing:
        extra += (f" Not in the data root, so their scoring is not costed (and those rows will say so): "
                  f"{', '.join(missing)}.")
    workers = ctx.workers or default_workers(ctx, sum(r["model"] != "-" for r in runs))[0]
    return Plan(runs, " ".join(s for s in (notes, shared_note + extra) if s), workers=workers)


@lru_cache(maxsize=None)
def _present(dataset: str, root) -> bool:
    from . import data

    try:
        return bool(data.dataset_files(dataset, root))
    except SrreproDataError:
        return False
