"""What a table will cost before it runs: one plan row per job (training + its evaluations), in seconds on this
machine and, at the paper profile, in GPU-hours; and what a set of tables costs together (:func:`book_plan`):
every model once, its units packed on N GPUs.

FLOPs are counted by ``torch.utils.flop_counter.FlopCounterMode`` on an 8×8 LR input (meta device), per LR
pixel; training seconds of lite runs come from timing one real step (:func:`srrepro.train.estimate_seconds`).
A paper plan's GPU time is the training FLOPs at a device's sustained rate (:data:`GPU_KINDS`, or a few timed steps
when the plan is made on a CUDA machine), plus scoring at every kept checkpoint and the data preparation a unit
does at its start (:func:`data_seconds`).
"""
from __future__ import annotations

import json
from dataclasses import dataclass, replace
from functools import lru_cache

import numpy as np
import pandas as pd

from .data import SrreproDataError
from .errors import SrreproError, WeightsError
from .jobs import Job, _finished, eval_limit, model_hash, selected
from .recipes import SIZES


@dataclass(frozen=True)
class GpuKind:
    """Sustained throughput assumed for a GPU this plan cannot time: on the FLOPs FlopCounterMode counts."""
    label: str
    train_tflops: float  # training step (mixed precision, TrainConfig.amp)
    eval_tflops: float  # scoring whole images (fp32 weights; TF32 where the card has it)
    basis: str


# Small SR networks (16–64-channel 3×3 convolutions on 48–64 px patches, batch 16–64) keep tensor cores far from
# their peak: 1/8 of the dense peak is assumed for training and for scoring alike, until `make gpu-check` times
# that card. A plan made on a CUDA machine times a few real steps instead (as the CPU plans do).
GPU_KINDS = {
    "h100": GpuKind("NVIDIA H100 SXM", 120.0, 60.0,
                    "1/8 of its dense peak: 989 TFLOP/s bf16 (training), 495 TF32 (scoring)"),
    "a100": GpuKind("NVIDIA A100", 40.0, 20.0, "1/8 of its dense peak: 312 TFLOP/s bf16 (training), 156 TF32 (scoring)"),
    "v100": GpuKind("NVIDIA V100", 16.0, 8.0,
                    "1/8 of 125 TFLOP/s fp16 tensor (training, amp=fp16); half of 15.7 fp32 (scoring, no TF32)"),
}
DEFAULT_GPU = "a100"  # the "one modern GPU" the book's pages quote GPU-hours for (e.g. overnet.PAPER_GPU_HOURS)
GPU_EFFECTIVE_TFLOPS = GPU_KINDS[DEFAULT_GPU].train_tflops  # kept for the tables that cost their own runs

# Data preparation a unit does before its first step: decode the training set, then build its MATLAB LR images
# for each integer training scale (fractional scales are resized per crop, while the GPU computes). Rates measured
# on this study's 2-core CPU: DIV2K_train (2.2 Gpx) decodes in about 60 s and each scale's LR images take 25–57 s.
DECODE_MPX_S = 37.0  # HR megapixels decoded per second
LR_BUILD_MPX_S = 55.0  # HR megapixels turned into MATLAB-bicubic LR images per second, per scale
NOMINAL_MPX = {"DIV2K_train": 2200.0, "DIV2K_valid": 280.0, "T91": 4.6}  # HR Mpx of a set absent from the root


class UnknownGpuError(SrreproError, ValueError):
    pass


def gpu_kind(name: str | None) -> GpuKind:
    if name is None:
        return GPU_KINDS[DEFAULT_GPU]
    if name not in GPU_KINDS:
        raise UnknownGpuError(f"unknown GPU kind {name!r}; valid: {', '.join(GPU_KINDS)}")
    return GPU_KINDS[name]


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
    gpu: str = "one modern GPU"  # what a paper plan's GPU-hours are on (the notes say what is assumed of it)

    def total_seconds(self) -> float:
        return sum(r.get("est_seconds", 0.0) for r in self.runs)

    def __str__(self) -> str:
        df = pd.DataFrame(self.runs)
        serial = self.total_seconds()
        gpu = sum(r.get("gpu_hours", 0.0) for r in self.runs)
        lines = [df.to_string(index=False) if len(df) else "(nothing to run)"]
        if gpu:  # paper profile: the GPU figure is the plan; the CPU one only says why not here
            lines.append(f"{len(self.runs)} runs, estimated {gpu:.1f} GPU-hours on {self.gpu} "
                         f"(this machine: {duration(serial)}, not feasible)")
        else:
            side = f", {duration(serial / self.workers)} with {self.workers} side by side" if self.workers > 1 else ""
            lines.append(f"{len(self.runs)} runs, estimated {duration(serial)} one after another{side}")
        if self.notes:
            lines.append(self.notes)
        return "\n".join(lines)


# ------------------------------------------------------------------------------------------ FLOPs
def _flops_cache_file():
    import os
    from pathlib import Path

    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "srrepro" / "flops_per_px.json"


@lru_cache(maxsize=1)
def _code_version() -> str:
    """torch's version and a hash of the model and loss code: a FLOP count cached on disk is valid while they hold."""
    import hashlib
    from pathlib import Path

    import torch

    here = Path(__file__).parent
    h = hashlib.sha256(torch.__version__.encode())
    for f in sorted([*here.glob("models/*.py"), here / "models.py", here / "losses.py"]):
        if f.is_file():
            h.update(f.read_bytes())
    return h.hexdigest()[:16]


_FLOPS_DISK: dict | None = None


def _disk_cached(key: str, count):
    """``count()``, cached in memory and in $XDG_CACHE_HOME/srrepro/flops_per_px.json (counting a large model on
    the meta device takes seconds, and a book plan counts hundreds)."""
    global _FLOPS_DISK
    from .provenance import atomic_write_text

    key = f"{_code_version()} {key}"
    if _FLOPS_DISK is None:
        try:
            _FLOPS_DISK = json.loads(_flops_cache_file().read_text())
        except (OSError, ValueError):
            _FLOPS_DISK = {}
    if key not in _FLOPS_DISK:
        _FLOPS_DISK[key] = float(count())
        try:
            path = _flops_cache_file()
            path.parent.mkdir(parents=True, exist_ok=True)
            try:  # another process may have added counts meanwhile: keep them
                _FLOPS_DISK = {**json.loads(path.read_text()), **_FLOPS_DISK}
            except (OSError, ValueError):
                pass
            atomic_write_text(path, json.dumps(_FLOPS_DISK, indent=0, sort_keys=True))
        except OSError:
            pass  # a read-only home only loses the disk cache
    return _FLOPS_DISK[key]


@lru_cache(maxsize=None)
def flops_per_px(model: str, kwargs_json: str, scale: float, train: bool) -> float:
    """FLOPs per LR pixel of one forward (``train``: forward + backward) on an 8×8 LR input, on the meta device
    (CPU when an op has no meta kernel). Convolutions dominate and scale with the pixel count."""
    return _disk_cached(json.dumps(["px", model, kwargs_json, float(scale), train]),
                        lambda: _count_flops_per_px(model, kwargs_json, scale, train))


def _count_flops_per_px(model: str, kwargs_json: str, scale: float, train: bool) -> float:
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
    return _disk_cached(json.dumps(["loss", term, n_discriminators]), lambda: _count_loss_flops(term, n_discriminators))


def _count_loss_flops(term: str, n_discriminators: int) -> float:
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
    from .evaluate import ensemble_size  # the scoring engine (scipy, torch) only when a plan is costed

    try:
        px = lr_pixels(ev["dataset"], float(ev["scale"]), eval_limit(ctx, ev["dataset"], ev.get("whole_set", False)),
                       ctx.data_root)
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


# ------------------------------------------------------------------------------------------ target device, data
@dataclass(frozen=True)
class Target:
    """The device a paper plan's GPU time is for: a GPU kind from the table (assumed) or a CUDA device here (timed)."""
    kind: GpuKind
    device: str | None = None  # a CUDA device to time training steps on
    name: str = ""  # its name, when timed

    @property
    def label(self) -> str:
        if self.device:
            return f"{self.name} ({self.device}): training timed over a few steps; scoring at {self.kind.eval_tflops:g} " \
                   f"TFLOP/s ({self.kind.label} row)"
        return f"{self.kind.label}, assumed {self.kind.train_tflops:g} TFLOP/s training and {self.kind.eval_tflops:g} " \
               f"TFLOP/s scoring sustained ({self.kind.basis})"


def target(ctx, gpu: str | None = None) -> Target:
    """The GPU a paper plan is for: ``gpu`` (a GPU_KINDS name); otherwise the CUDA device this plan runs on, timed;
    otherwise the default kind."""
    if gpu is not None:
        return Target(gpu_kind(gpu))
    import torch

    from .train import resolve_device

    if ctx.device != "cpu" and torch.cuda.is_available():
        dev = resolve_device(ctx.device)
        if dev.type == "cuda":
            name = torch.cuda.get_device_name(dev)
            kind = next((k for n, k in GPU_KINDS.items() if n in name.lower()), GPU_KINDS[DEFAULT_GPU])
            return Target(kind, str(dev), name)
    return Target(gpu_kind(None))


def gpu_train_seconds(cfg, tgt: Target) -> float:
    if tgt.device:
        from .train import estimate_seconds

        return estimate_seconds(replace(cfg, device=tgt.device), device=tgt.device, steps=3)
    return train_flops(cfg) * cfg.iterations / (tgt.kind.train_tflops * 1e12)


@lru_cache(maxsize=None)
def hr_megapixels(dataset: str, root) -> float:
    """HR megapixels of a set (PNG headers only); a set absent from the root counts at its nominal size."""
    from PIL import Image

    from . import data

    try:
        files = data.dataset_files(dataset, root)
    except SrreproDataError:
        return NOMINAL_MPX.get(dataset, 0.0)
    total = 0
    for f in files:
        with Image.open(f) as im:
            total += im.size[0] * im.size[1]
    return total / 1e6


def data_seconds(cfg) -> float:
    """Seconds a unit prepares its training data before its first step (decode, then LR images per integer scale)."""
    mpx = hr_megapixels(cfg.train_dataset, cfg.data_root)
    integer_scales = 0 if cfg.scale_range else sum(float(s).is_integer() for s in cfg.scales)
    return mpx / DECODE_MPX_S + integer_scales * mpx / LR_BUILD_MPX_S


def eval_data_seconds(ev: dict, ctx) -> float:
    """Reading a benchmark and making its LR images for one scoring pass (HR pixels ≈ LR pixels × scale²)."""
    try:
        px = lr_pixels(ev["dataset"], float(ev["scale"]), eval_limit(ctx, ev["dataset"], ev.get("whole_set", False)),
                       ctx.data_root)
    except SrreproDataError:
        return 0.0
    mpx = px * float(ev["scale"]) ** 2 / 1e6
    return mpx / DECODE_MPX_S + mpx / LR_BUILD_MPX_S


# ------------------------------------------------------------------------------------------ one table
def describe(cfg) -> tuple[str, str]:
    """(model, training) columns of a plan row."""
    if cfg.scale_range:
        sc = f"r{cfg.scale_range}"
    elif len(cfg.scales) > 4:
        sc = f"x{min(cfg.scales):g}…{max(cfg.scales):g} ({len(cfg.scales)} scales)"
    else:
        sc = "x" + ",".join(f"{s:g}" for s in cfg.scales)
    return (f"{cfg.model} {json.dumps(cfg.model_kwargs, sort_keys=True)}",
            f"{cfg.train_dataset} p{cfg.lr_patch} b{cfg.batch_size} {sc} {cfg.loss}")


def official_model(j: Job, ctx) -> tuple[str | None, dict, bool]:
    """(model, kwargs, present) of a released-weights job; (None, {}, False) when the file is absent."""
    from .weights import OFFICIAL_WEIGHTS, weights_path

    w = OFFICIAL_WEIGHTS[j.weights]
    try:
        present = weights_path(j.weights, ctx.data_root).is_file()
    except (SrreproDataError, WeightsError):
        present = False
    return (w.model, dict(w.kwargs), True) if present else (None, {}, False)


def plan_jobs(ctx, table: str, jobs: list[Job], notes: str = "", gpu: str | None = None) -> Plan:
    """One plan row per job: what it trains, iterations, estimated seconds (training + its evaluations, at every
    kept checkpoint); at the paper profile also GPU-hours on ``gpu`` (a GPU_KINDS name; default: this machine's
    CUDA device, timed, else DEFAULT_GPU): training, scoring and the unit's data preparation."""
    from .jobs import UNIT_THREADS, default_workers
    from .train import estimate_seconds, model_kwargs

    threads = ctx.threads or UNIT_THREADS
    rate = cpu_flops_rate(ctx.device, threads) if ctx.profile != "smoke" else None
    paper = ctx.profile == "paper"
    tgt = target(ctx, gpu) if paper else None
    runs, seen = [], set()
    for j in jobs:
        evs = selected(j, ctx.only)
        if not evs:
            continue
        row = {**j.key, "rows": len(evs)}
        train_s, gpu_s, it, n_ckpt = 0.0, 0.0, 0, 1
        model, kwargs = None, {}
        if j.kind == "train":
            cfg = j.config
            model, kwargs, it = cfg.model, model_kwargs(cfg), cfg.iterations
            n_ckpt = len(cfg.snapshot_steps()) + 1
            h = j.hash(ctx.profile)
            cached, shared = _finished(ctx.work_dir, h) is not None, h in seen
            seen.add(h)
            todo = [cfg] if not cached and not shared else []
            if j.pretrained_from is not None and not cached:  # a stage 1 not trained yet is this job's cost too
                c1, h1 = j.pretrained_from, model_hash(j.pretrained_from, ctx.profile)
                if _finished(ctx.work_dir, h1) is None and h1 not in seen:
                    todo.insert(0, c1)
                    it += c1.iterations
                seen.add(h1)
            for c in todo:
                if paper:
                    train_s += train_flops(c) * c.iterations / rate
                    gpu_s += gpu_train_seconds(c, tgt) + data_seconds(c)
                else:
                    train_s += estimate_seconds(c, device=ctx.device, steps=1, threads=threads)
            row["model"], row["train"] = describe(cfg)
            row["cached"] = "yes" if cached else ("same model as above" if shared else "no")
        elif j.kind == "official":
            model, kwargs, present = official_model(j, ctx)
            row["model"] = f"official weights {j.weights}" + ("" if present else " (file absent: rows say so)")
            row["train"], row["cached"] = "-", "-"
        else:
            row["model"], row["train"], row["cached"] = j.info.get("status", "reported only"), "-", "-"
        eval_s = 0.0
        if model is not None and rate:
            fl = n_ckpt * sum(eval_flops(model, kwargs, ev, ctx) for ev in evs)
            eval_s = fl / rate
            if paper:
                gpu_s += fl / (tgt.kind.eval_tflops * 1e12) + n_ckpt * sum(eval_data_seconds(ev, ctx) for ev in evs)
        elif model is not None:
            eval_s = 0.5 * len(evs)
        row.update({"training_iterations": it, "train_s": round(train_s), "eval_s": round(eval_s),
                    "est_seconds": round(train_s + eval_s, 1)})
        if paper:
            row["gpu_hours"] = round(gpu_s / 3600, 2)
        runs.append(row)
    shared_note = ("Cached models (any table's runs/<table>/<hash>/ with model.pt) and repeats of a model above cost "
                   "no training.")
    extra = ""
    if paper:
        extra = (f" GPU-hours: {tgt.label}; FLOPs counted per training step by torch's FlopCounterMode; they "
                 f"include scoring at every kept checkpoint and each unit's data preparation (decoding the training "
                 f"set at {DECODE_MPX_S:g} Mpx/s and its LR images per integer scale at {LR_BUILD_MPX_S:g} Mpx/s, "
                 f"as measured on a 2-core CPU), and assume batches are made while the GPU computes. "
                 f"est_seconds is the same work at this machine's measured rate: not feasible here.")
    missing = sorted({ev["dataset"] for j in jobs for ev in selected(j, ctx.only)
                      if not _present(ev["dataset"], ctx.data_root)})
    if missing:
        extra += (f" Not in the data root, so their scoring is not costed (and those rows will say so): "
                  f"{', '.join(missing)}.")
    workers = ctx.workers or default_workers(ctx, sum(r["model"] != "-" for r in runs))[0]
    return Plan(runs, " ".join(s for s in (notes, shared_note + extra) if s), workers=workers,
                gpu=f"one {tgt.name or tgt.kind.label}" if paper else Plan.gpu)


@lru_cache(maxsize=None)
def _present(dataset: str, root) -> bool:
    from . import data

    try:
        return bool(data.dataset_files(dataset, root))
    except SrreproDataError:
        return False


# ------------------------------------------------------------------------------------------ many tables, one pool
