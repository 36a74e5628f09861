"""The training engine every table uses: ``train(TrainConfig(...), run_dir)``.

One loop, readable top to bottom (:func:`train`): build the model, the losses and Adam; draw iteration t's
batch from :class:`srrepro.patches.PatchSampler` (a pure function of ``(seed, t)``); forward, loss, backward,
clip, step; every so often log the loss, validate on Set5 and write a checkpoint.

Guarantees
    * Never lose work: ``run_dir/checkpoint.pt`` is written atomically every ``checkpoint_every`` iterations, at
      the end, and on Ctrl-C (KeyboardInterrupt; the CLI maps SIGTERM to it too). ``resume=True`` restores the
      model, Adam, GradScaler, discriminator, RNG, learning curve and the position in the data stream, so on
      CPU an interrupted-and-resumed run ends with bit-identical weights to an uninterrupted one. An iteration
      is indivisible (:func:`deferred_interrupts`): a Ctrl-C or SIGTERM landing anywhere inside it (between
      backward, the optimizer step and the step counter) takes effect at its end, so the saved step and the
      saved weights/optimizer state always agree.
    * A checkpoint written by a different config is refused with one line naming the differing fields (only
      ``iterations`` and the bookkeeping/hardware fields in ``RESUMABLE_CHANGES`` may change on resume).
    * A NaN/inf loss stops the run with :class:`TrainingDivergedError` naming the iteration; ``curve.csv`` then
      holds the curve up to and including that iteration.
    * The learning rate is a pure function of the iteration (:func:`lr_at`): Adam's lr halves at each step in
      ``lr_milestones`` and every ``lr_halve_every`` steps (EDSR, PCARN, OverNet, ASDN schedules).

Files in ``run_dir``: ``config.json``, ``checkpoint.pt`` (everything needed to resume), ``curve.csv`` (the
learning curve: step, lr, mean and peak training loss and gradient norm (before clipping) since the last row,
validation PSNR/SSIM per scale, wall time)
and, at the end, ``model.pt`` (the generator's state_dict).

Speed: autocast (bf16 or fp16 + GradScaler) on CUDA only; channels_last on CUDA by default (``"auto"``) and on CPU
too with ``channels_last=True`` (opt-in: on CPU it changes the float summation order, so CPU results are
bit-identical per memory format and thread count, not across them); optional ``torch.compile``; all CPU
cores (or $OMP_NUM_THREADS) for intra-op threads on CPU. The batches are made ahead by DataLoader workers
(:func:`loader_workers`: several on CUDA, none on CPU) from the decode-once image cache (:mod:`srrepro.cache`), and
the losses stay on the device between curve rows and checkpoints (no host sync per step).

DDP: ``torchrun --nproc-per-node N -m srrepro.train ...``. With WORLD_SIZE > 1 every process joins a process group
(nccl on CUDA, gloo on CPU; a group the caller already initialised is used as is, even of size 1), wraps the model
in DistributedDataParallel and takes its own slice of every global batch (``batch_size`` is the global batch, so
N processes see exactly the batches one process would); rank 0 alone validates and writes files.
"""
from __future__ import annotations

import argparse
import functools
import json
import math
import os
import signal
import sys
import threading
import time
from contextlib import contextmanager, nullcontext
from dataclasses import MISSING, asdict, dataclass, field, fields
from pathlib import Path

import pandas as pd
import torch
import torch.distributed as dist
import torch.nn as nn
import torch.nn.functional as F

from .config import INIT_SCHEMES, RESUMABLE_CHANGES, TrainConfig
from .errors import SrreproError, TrainingDivergedError
from .models.common import init_convs
from .losses import (VGG_TERMS, DiscriminatorLoss, MultiScaleOutputs, VGGLoss, generator_gan_loss, multiscale_l1,
                     parse_loss)
from .patches import PatchSampler
from .provenance import atomic_torch_save, atomic_write_text, cpu_cores, failure, move_aside

__all__ = [
    "TrainConfig", "TrainResult", "TrainingDivergedError", "CheckpointMismatchError", "INIT_SCHEMES", "train",
    "build_model", "deferred_interrupts", "model_kwargs", "cpu_threads", "init_weights", "lr_at", "resolve_device", "load_pretrained", "estimate_seconds", "main",
    "loader_workers", "training_images",
]

CHECKPOINT, CURVE, CONFIG, FINAL = "checkpoint.pt", "curve.csv", "config.json", "model.pt"
AMP_DTYPES = {"bf16": torch.bfloat16, "fp16": torch.float16, "none": None}  # config.AMP, as torch dtypes
# Curve values that also get their peak since the last row ("loss_max", "grad_norm_max"): spikes, not just means.
PEAKED = ("loss", "grad_norm")
@dataclass
class TrainResult:
    model: nn.Module  # the trained generator (on the training device, eval mode)
    curve: pd.DataFrame  # the learning curve (also run_dir/curve.csv)
    wall_seconds: float  # training wall time, summed over resumed sessions
    iterations: int  # iterations done
    run_dir: Path


class CheckpointMismatchError(SrreproError, ValueError):
    pass


# ----------------------------------------------------------------------------------------------- pieces
def resolve_device(name: str = "auto", local_rank: int = 0) -> torch.device:
    if name == "auto":
        if torch.cuda.is_available():
            return torch.device("cuda", local_rank)
        if getattr(torch.backends, "mps", None) and torch.backends.mps.is_available():
            return torch.device("mps")
        return torch.device("cpu")
    device = torch.device(name)
    if device.type == "cuda" and device.index is None:
        device = torch.device("cuda", local_rank)
    return device


def model_kwargs(config: TrainConfig) -> dict:
    """The keyword arguments :func:`build_model` passes to ``create_model``: ``config.model_kwargs``, plus
    ``scale=s`` when one integer scale s is trained, neither ``scale`` nor ``multi_scale`` is given and the
    constructor accepts ``scale`` (the single-scale variants: EDSR ×2, CARN ×4, OverNet's per-scale models)."""
    kwargs = dict(config.model_kwargs)
    if len(config.scales) == 1 and isinstance(config.scales[0], int) and not config.scale_range \
            and not {"scale", "multi_scale"} & set(kwargs) and _accepts_scale(config.model, json.dumps(kwargs, sort_keys=True)):
        kwargs["scale"] = config.scales[0]
    return kwargs


@functools.lru_cache(maxsize=None)
def _accepts_scale(model: str, kwargs_json: str) -> bool:
    from .models import create_model

    for device in ("meta", "cpu"):  # meta: no memory, no init; CPU when a constructor needs real tensors
        try:
            with torch.device(device):
                create_model(model, scale=2, **json.loads(kwargs_json))
            return True
        except TypeError:  # the constructor takes no scale
            return False
        except (RuntimeError, NotImplementedError):
            if device == "cpu":
                raise
    return False


def build_model(config: TrainConfig) -> nn.Module:
    """``create_model(config.model, **model_kwargs(config))``; checks that the model supports the training scales."""
    from .models import create_model

    model = create_model(config.model, **model_kwargs(config))
    supported = getattr(model, "scales", None)
    wanted = config.scale_range or config.scales
    if supported is not None:
        bad = [s for s in wanted if s not in supported] if not config.scale_range else list(wanted)
        if bad:
            raise ValueError(f"model {config.model} supports scales {tuple(supported)}, cannot train at "
                             f"{', '.join(f'x{s:g}' for s in bad)}")
    return model


def init_weights(model: nn.Module, scheme: str) -> nn.Module:
    """Apply a PCARN Table 3 initialization (a key of INIT_SCHEMES) to every trainable conv of ``model``."""
    if scheme not in INIT_SCHEMES:
        raise ValueError(f"unknown init {scheme!r}; valid: {', '.join(INIT_SCHEMES)}")
    if INIT_SCHEMES[scheme] is None:
        return model
    dist_name, k, factor = INIT_SCHEMES[scheme]
    return init_convs(model, dist_name, k, factor)


def load_pretrained(model: nn.Module, path, strict: bool = True) -> list[str]:
    """Load a state_dict (or the ``model`` of a srrepro checkpoint) into ``model``; returns the skipped keys.

    ``strict=False`` skips keys the model lacks or whose shapes differ (e.g. the up-sampler when an EDSR ×3 model
    starts from the ×2 one); ``strict=True`` raises one line naming the mismatch.
    """
    state = torch.load(path, map_location="cpu", weights_only=True)
    for key in ("model", "state_dict"):
        if isinstance(state, dict) and isinstance(state.get(key), dict):
            state = state[key]
    own = model.state_dict()
    missing = [k for k in own if k not in state]
    unexpected = [k for k in state if k not in own]
    shape = [k for k in own if k in state and state[k].shape != own[k].shape]
    if strict and (missing or unexpected or shape):
        first = (missing or unexpected or shape)[0]
        raise CheckpointMismatchError(
            f"{path} does not fit model: {len(missing)} missing, {len(unexpected)} unexpected, {len(shape)} "
            f"shape-mismatched keys (first: {first!r}); pass pretrained_strict=False to load the rest")
    keep = {k: v for k, v in state.items() if k in own and k not in shape}
    model.load_state_dict(keep, strict=False)
    return sorted(set(missing) | set(shape))


def lr_at(config: TrainConfig, step: int) -> float:
    """The learning rate of iteration ``step`` (0-based): halved at each milestone passed and every N steps."""
    halvings = sum(step >= m for m in config.lr_milestones)
    if config.lr_halve_every:
        halvings += step // config.lr_halve_every
    return config.lr * 0.5**halvings


def _distributed() -> tuple[int, int, int]:
    """(rank, world size, local rank): of the caller's process group if one exists, else torchrun's environment."""
    local_rank = int(os.environ.get("LOCAL_RANK", 0))
    if dist.is_available() and dist.is_initialized():
        return dist.get_rank(), dist.get_world_size(), local_rank
    return int(os.environ.get("RANK", 0)), int(os.environ.get("WORLD_SIZE", 1)), local_rank


def cpu_threads(workers: int = 1) -> int:
    """The one CPU thread policy: intra-op threads for each of ``workers`` processes sharing this machine.

    $OMP_NUM_THREADS if set (torchrun sets 1), else the cores split between the workers (torchrun's local ranks
    or the study's side-by-side units). Measured on 2 cores: one job runs 1.4–1.75× faster on 2 threads than on 1,
    two 1-thread jobs side by side 2×, two 2-thread jobs oversubscribe and crawl.
    """
    if os.environ.get("OMP_NUM_THREADS", "").isdigit():
        return max(1, int(os.environ["OMP_NUM_THREADS"]))
    return max(1, cpu_cores() // max(1, int(os.environ.get("LOCAL_WORLD_SIZE", workers))))


def _config_dict(config: TrainConfig) -> dict:
    return json.loads(json.dumps(asdict(config)))  # tuples -> lists: what a checkpoint stores


def _check_resumable(saved: dict, config: TrainConfig, path: Path) -> None:
    now = _config_dict(config)
    diff = [f"{k}: {saved.get(k)!r} there, {v!r} here" for k, v in now.items()
            if k not in RESUMABLE_CHANGES and saved.get(k) != v]
    if diff:
        raise CheckpointMismatchError(f"cannot resume {path}: it was written by another config ({'; '.join(diff)})"
                                      f" — use a new run_dir or the checkpoint's config")


# ----------------------------------------------------------------------------------------------- one step
class _Step:
    """One optimisation step (PCARN's alternating D/G step when the loss has a ``gan`` term)."""

    def __init__(self, config, model, train_model, optimizer, scaler, device, vgg=None, disc=None,
                 train_disc=None, optimizer_d=None):
        self.config, self.terms, self.device = config, parse_loss(config.loss), device
        self.model, self.train_model, self.optimizer, self.scaler = model, train_model, optimizer, scaler
        self.vgg, self.disc, self.train_disc, self.optimizer_d = vgg, disc, train_disc, optimizer_d
        self.disc_logits = not config.discriminator_kwargs.get("sigmoid", True)
        amp = AMP_DTYPES[config.amp] if device.type == "cuda" else None
        self.autocast = torch.autocast("cuda", dtype=amp) if amp else nullcontext()

    def generator_loss(self, out, hr, scale) -> dict[str, torch.Tensor]:
        sr = out[scale] if isinstance(out, dict) else out  # dict: MultiScaleOutputs (OverNet + ms_l1)
        parts = {}
        if "l1" in self.terms:
            parts["l1"] = F.l1_loss(sr.float(), hr.float())
        if "l2" in self.terms:
            parts["l2"] = F.mse_loss(sr.float(), hr.float())
        if "ms_l1" in self.terms:
            parts["ms_l1"] = multiscale_l1(out, hr, scale, self.config.ms_scales)
        if self.vgg is not None:  # "vgg" (VGG-19, the paper's) or "vgg16" (the stand-in)
            parts[self.vgg.term] = self.vgg(sr, hr)
        if "gan" in self.terms:
            parts["gan"] = generator_gan_loss(self.disc(sr), self.disc_logits)
        return parts

    def __call__(self, lr_img, hr_img, scale, lr_value: float) -> dict[str, torch.Tensor]:
        for opt in (self.optimizer, self.optimizer_d):
            if opt is not None:
                for group in opt.param_groups:
                    group["lr"] = lr_value
        with self.autocast:
            sr = self.train_model(lr_img, scale)
        out = {}
        if self.disc is not None:  # D step first, on HR vs the detached SR (official solver_gan.py order)
            fake = sr[scale] if isinstance(sr, dict) else sr
            with self.autocast:
                d_loss = self.train_disc(hr_img, fake.detach())
            self.optimizer_d.zero_grad(set_to_none=True)
            self.scaler.scale(d_loss).backward()
            self.scaler.step(self.optimizer_d)
            out["d_loss"] = d_loss.detach()
        with self.autocast:
            parts = self.generator_loss(sr, hr_img, scale)
        loss = sum(self.terms[k] * v for k, v in parts.items())
        self.optimizer.zero_grad(set_to_none=True)
        self.scaler.scale(loss).backward()
        self.scaler.unscale_(self.optimizer)  # true gradients (a no-op without fp16); step() then skips unscaling
        # the global gradient norm before clipping, for the learning curve (EDSR's residual-scaling instability)
        grad_norm = clip_grad_norm(self.model.parameters(), self.config.grad_clip or math.inf)
        self.scaler.step(self.optimizer)
        self.scaler.update()
        out["loss"] = loss.detach()
        if len(parts) > 1:
            out.update({f"loss_{k}": v.detach() for k, v in parts.items()})
        out["grad_norm"] = grad_norm.detach()
        return out


def _curve_frame(rows: list[dict]) -> pd.DataFrame:
    """The learning curve: step, lr, training losses, validation scores, wall_s (in that column order)."""
    df = pd.DataFrame(rows)
    if df.empty:
        return pd.DataFrame(columns=["step", "lr", "loss", "wall_s"])
    first = [c for c in ("step", "lr") if c in df]
    losses = [c for c in df if "loss" in c]
    rest = [c for c in df if c not in first + losses + ["wall_s"]]
    return df[first + losses + rest + (["wall_s"] if "wall_s" in df else [])]


def adam(params, lr: float, betas=(0.9, 0.999), eps: float = 1e-8) -> torch.optim.Adam:
    """The loop's Adam: all tensors updated in a few foreach calls instead of ~6 calls per tensor. On CPU the
    foreach kernels loop the same per-tensor ops, so the weights are bit-identical to PyTorch's per-tensor default
    there (tests/test_train.py); on CUDA foreach is PyTorch's default anyway."""
    return torch.optim.Adam(params, lr=lr, betas=betas, eps=eps, foreach=True)


def clip_grad_norm(params, max_norm: float) -> torch.Tensor:
    """``clip_grad_norm_`` in foreach form (bit-identical on CPU, as :func:`adam`)."""
    return nn.utils.clip_grad_norm_(params, max_norm, foreach=True)


def _trained_module(model: nn.Module, config: TrainConfig) -> nn.Module:
    """What the loop calls: the model, or for ``ms_l1`` with a ``forward_multi`` model its multi-scale outputs."""
    if "ms_l1" in parse_loss(config.loss) and hasattr(model, "forward_multi"):
        return MultiScaleOutputs(model, config.ms_scales)
    return model


def _to_device(x_u8: torch.Tensor, device, channels_last: bool) -> torch.Tensor:
    # the sampler's batches are channels-last views: the layout is made on the device (a GPU's copy is cheap)
    x = x_u8.to(device, non_blocking=True)
    x = x.contiguous(memory_format=torch.channels_last if channels_last else torch.contiguous_format)
    return x.float().div_(255)


def _validate(model, config: TrainConfig, device) -> dict[str, float]:
    from .evaluate import evaluate

    model.eval()
    row = {}
    for s in config.validation_scales():
        df = evaluate(model, config.val_dataset, s, degradation=config.degradation, device=str(device),
                      root=config.data_root)
        row[f"psnr_x{s:g}"], row[f"ssim_x{s:g}"] = float(df["psnr"].mean()), float(df["ssim"].mean())
    model.train()
    return row


def snapshot_name(step: int) -> str:
    return f"model_{step}.pt"


# ----------------------------------------------------------------------------------------------- the loop's stages
@contextmanager
def _process_group(config: TrainConfig, threads: int | None):
    """(device, rank, world): joins a DDP process group when torchrun started several processes, leaves it after."""
    rank, world, local_rank = _distributed()
    own_group = world > 1 and not dist.is_initialized()
    device = resolve_device(config.device, local_rank)
    if own_group:
        dist.init_process_group("nccl" if device.type == "cuda" else "gloo")
    if device.type == "cuda":
        torch.cuda.set_device(device)
    if device.type == "cpu":
        torch.set_num_threads(threads or cpu_threads(world))
    try:
        yield device, rank, world
        if own_group:
            dist.barrier()  # rank 0 may still be validating / writing
    finally:
        if own_group:
            dist.destroy_process_group()


def _saved_state(run_dir: Path, config: TrainConfig, resume: bool) -> dict | None:
    """The checkpoint to continue (None: a fresh start); refused when it belongs to another config."""
    path = run_dir / CHECKPOINT
    if not path.exists():
        return None
    if not resume:
        raise FileExistsError(f"{run_dir} already holds a checkpoint: pass resume=True (--resume) to continue it, "
                              f"or use another run_dir")
    try:
        state = torch.load(path, map_location="cpu", weights_only=True)
        if not (isinstance(state, dict) and state.get("format") == "srrepro.train/1"):
            raise ValueError("not a srrepro.train/1 checkpoint")
    except Exception as e:  # truncated, garbage, another format: keep the bytes aside and start afresh
        move_aside(path, failure(e))
        return None
    _check_resumable(state["config"], config, path)
    return state


def _build(config: TrainConfig, device, rank: int, world: int, fresh: bool) -> _Step:
    """Model (initialised, or left for the checkpoint), losses, optimizers, DDP/compile wrappers → one step."""
    on_cuda = device.type == "cuda"
    torch.manual_seed(config.seed)
    model = build_model(config)
    if fresh:
        init_weights(model, config.init)
        if config.pretrained:
            skipped = load_pretrained(model, config.pretrained, config.pretrained_strict)
            if skipped and rank == 0:
                # the run folder and file only: an absolute path would put this machine into executed notebooks
                where = "/".join(Path(config.pretrained).parts[-2:])
                print(f"pretrained {where}: {len(skipped)} keys left at init, e.g. {skipped[0]}")
    model.to(device)
    if config.uses_channels_last(device):
        model.to(memory_format=torch.channels_last)
    terms = parse_loss(config.loss)
    vgg = next((VGGLoss(data_root=config.data_root, term=t).to(device) for t in VGG_TERMS if t in terms), None)
    disc = optimizer_d = train_disc = None
    if "gan" in terms:
        from .models import create_model

        disc = create_model(config.discriminator, n_scales=config.gan_scales, **config.discriminator_kwargs)
        disc.to(device)
        optimizer_d = adam(disc.parameters(), config.lr, config.betas, config.eps)
        train_disc = DiscriminatorLoss(disc, logits=not config.discriminator_kwargs.get("sigmoid", True))
    params = [p for p in model.parameters() if p.requires_grad]
    optimizer = adam(params, config.lr, config.betas, config.eps)
    scaler = torch.amp.GradScaler("cuda", enabled=on_cuda and config.amp == "fp16")
    train_model = _trained_module(model, config)
    if world > 1 or dist.is_initialized():  # a caller's 1-process group also gets DDP (tests the path)
        from torch.nn.parallel import DistributedDataParallel as DDP

        ids = [device.index] if on_cuda else None
        multi = getattr(model, "scales", None) is None or len(getattr(model, "scales", ())) > 1
        train_model = DDP(train_model, device_ids=ids, find_unused_parameters=multi)
        if train_disc is not None:
            train_disc = DDP(train_disc, device_ids=ids)
    if config.compile:
        train_model = torch.compile(train_model)
    return _Step(config, model, train_model, optimizer, scaler, device, vgg, disc, train_disc, optimizer_d)


@dataclass
class _Progress:
    """Where the run is: the step, the learning curve, the running loss means since the last curve row, wall time."""
    step: int = 0
    curve: list = field(default_factory=list)
    wall_before: float = 0.0  # seconds of earlier sessions
    running: dict = field(default_factory=lambda: {"n": 0, "sums": {}})
    t0: float = field(default_factory=time.perf_counter)
    # the losses of the steps since the last flush, still on the device (one stacked tensor per step)
    pending: list = field(default_factory=list)
    pending_keys: tuple = ()

    def wall(self) -> float:
        return self.wall_before + time.perf_counter() - self.t0

    def add(self, values: dict[str, float]) -> None:
        self.running["n"] += 1
        for k, v in values.items():
            if k == "grad_norm" and not math.isfinite(v):  # an fp16 overflow: GradScaler skips that step
                self.running["overflows"] = self.running.get("overflows", 0) + 1
                continue
            self.running["sums"][k] = self.running["sums"].get(k, 0.0) + v
            if k in PEAKED:
                peaks = self.running.setdefault("peaks", {})
                peaks[k] = max(peaks.get(k, -math.inf), v)

    def means(self) -> dict[str, float]:
        """The running means (and the peaks of ``PEAKED``), and a fresh start for the next curve row."""
        n, overflows = self.running["n"], self.running.get("overflows", 0)
        out = {k: s / (n - overflows if k == "grad_norm" else n) for k, s in self.running["sums"].items()}
        out.update({f"{k}_max": v for k, v in self.running.get("peaks", {}).items()})
        if overflows:
            out["overflow_steps"] = overflows
        self.running = {"n": 0, "sums": {}}
        return out


def _checkpoint(config: TrainConfig, step_fn: _Step, progress: _Progress) -> dict:
    """Everything a resumed run needs to continue bit for bit (format srrepro.train/1)."""
    on_cuda = step_fn.device.type == "cuda"
    disc = step_fn.disc
    return {
        "format": "srrepro.train/1", "config": _config_dict(config), "step": progress.step,
        "model": step_fn.model.state_dict(), "optimizer": step_fn.optimizer.state_dict(),
        "scaler": step_fn.scaler.state_dict(), "discriminator": disc.state_dict() if disc is not None else None,
        "optimizer_d": step_fn.optimizer_d.state_dict() if disc is not None else None,
        "curve": progress.curve, "running": progress.running, "wall_s": progress.wall(),
        "rng": {"torch": torch.get_rng_state(), "cuda": torch.cuda.get_rng_state(step_fn.device) if on_cuda else None},
    }


def _restore(state: dict, step_fn: _Step) -> _Progress:
    step_fn.model.load_state_dict(state["model"])
    step_fn.optimizer.load_state_dict(state["optimizer"])
    step_fn.scaler.load_state_dict(state["scaler"])
    if step_fn.disc is not None:
        step_fn.disc.load_state_dict(state["discriminator"])
        step_fn.optimizer_d.load_state_dict(state["optimizer_d"])
    torch.set_rng_state(state["rng"]["torch"])
    if step_fn.device.type == "cuda" and state["rng"].get("cuda") is not None:
        torch.cuda.set_rng_state(state["rng"]["cuda"], step_fn.device)
    return _Progress(state["step"], state["curve"], state["wall_s"], state["running"])


def loader_workers(config: TrainConfig, device) -> int:
    """DataLoader workers for ``config`` on ``device``: ``num_workers`` if an int; "auto": on CUDA one per core of
    this process's share of the machine (cores ÷ visible GPUs), less one for the main process, at most 16 (``make
    bench`` measured 3 (EDSR-baseline) to 10 (OverNet) and 14 (s-LWSR, an upper bound) for 1.5× an H100's
    appetite; the workers share the cache's pages, so each costs little RAM); 0 elsewhere, where the cores run the model itself and a CPU
    run must stay bit-identical per thread count (workers change nothing in the batches, but compete for cores)."""
    if config.num_workers != "auto":
        return int(config.num_workers)
    if torch.device(device).type != "cuda":
        return 0
    per_gpu = cpu_cores() // max(1, torch.cuda.device_count())
    return max(1, min(16, per_gpu - 1))


def training_images(config: TrainConfig, progress: bool = False):
    """(HR images, {integer scale: LR images}) of ``config.train_dataset`` from the decode-once cache
    (:class:`srrepro.cache.TrainingCache`: memory-mapped, built on first use by whichever unit gets there first)."""
    from .cache import TrainingCache
    from .patches import is_integer_scale

    cache = TrainingCache(config.train_dataset, config.data_root)
    hr = cache.hr(progress)
    scales = [] if config.scale_range else sorted({int(s) for s in config.scales if is_integer_scale(s)})
    return hr, {s: cache.lr(s, config.degradation, progress) for s in scales}


def _batches(config: TrainConfig, images, start: int, rank: int, world: int, device, progress: bool):
    """Iteration t's batch is PatchSampler[t], whoever computes it: (LR uint8, HR uint8, scale) from ``start`` on.

    The batches are made by :func:`loader_workers` worker processes ahead of the loop (``prefetch_factor`` each,
    in pinned memory on CUDA), so cropping, augmentation and a fractional scale's per-crop MATLAB resize overlap
    the model's step; every batch is a pure function of (seed, step), so the worker count never changes them."""
    lr_images = None
    if images is None:
        images, lr_images = training_images(config, progress and rank == 0)
    sampler = PatchSampler(images, config.scales, config.lr_patch, config.batch_size, config.degradation,
                           config.seed, config.scale_range, rank, world, progress=progress and rank == 0,
                           lr_images=lr_images)
    workers = loader_workers(config, device)
    ahead = dict(prefetch_factor=4, persistent_workers=True) if workers else {}
    return torch.utils.data.DataLoader(sampler, batch_size=None, sampler=range(start, config.iterations),
                                       num_workers=workers, pin_memory=device.type == "cuda",
                                       generator=torch.Generator().manual_seed(config.seed),  # spares the global RNG
                                       **ahead)


def _needs_losses(config: TrainConfig, step: int) -> bool:
    """Whether step ``step`` reads the losses on the host: a curve row or a checkpoint (also any end of the loop)."""
    return (step % config.log_every == 0 or step == config.iterations
            or bool(config.checkpoint_every and step % config.checkpoint_every == 0))


def _flush_losses(p: _Progress, world: int, config: TrainConfig, run_dir: Path, rank: int) -> None:
    """Bring the steps' losses held on the device since the last flush to the host in one transfer (the loop's
    only host sync besides validation), averaged over ranks, into the running means; a non-finite loss stops the
    run naming its iteration, with the curve up to it. The per-step values and their order are what a per-step
    ``.tolist()`` gave, so the curve and the checkpoint do not depend on when the flush happens."""
    if not p.pending:
        return
    first, keys = p.step - len(p.pending) + 1, p.pending_keys
    values = torch.stack(p.pending)
    p.pending = []
    if world > 1:
        dist.all_reduce(values)  # every rank flushes at the same steps, so every rank stops together on NaN
        values /= world
    for step, row in enumerate(values.tolist(), start=first):
        row = dict(zip(keys, row))
        if not all(math.isfinite(v) for k, v in row.items() if "loss" in k):
            bad = ", ".join(f"{k} = {v}" for k, v in row.items() if "loss" in k)
            lr_value = lr_at(config, step - 1)
            if rank == 0:  # the curve up to the divergence, for whoever studies it (the checkpoint stays)
                p.curve.append({"step": step, "lr": lr_value, **row, "wall_s": round(p.wall(), 3)})
                atomic_write_text(run_dir / CURVE, _curve_frame(p.curve).to_csv(index=False))
            raise TrainingDivergedError(f"{bad} at iteration {step} (lr {lr_value:g}): stopping; the last "
                                        f"checkpoint in {run_dir} (if any) predates it", step=step)
        p.add(row)


def _log(config: TrainConfig, step_fn: _Step, p: _Progress, lr_value: float, rank: int, bar) -> None:
    """Every log_every steps a curve row of mean losses; every validate_every steps Set5 scores (rank 0)."""
    row = p.means() if (p.step % config.log_every == 0 or p.step == config.iterations) else {}
    if config.validate_every and (p.step % config.validate_every == 0 or p.step == config.iterations) and rank == 0:
        row.update(_validate(step_fn.model, config, step_fn.device))
    if row:
        p.curve.append({"step": p.step, "lr": lr_value, **row, "wall_s": round(p.wall(), 3)})
        if bar is not None:
            bar.set_postfix({k: f"{v:.4g}" for k, v in row.items() if k in ("loss", "psnr_x2", "psnr_x4")})


# ----------------------------------------------------------------------------------------------- the loop
# SIGUSR2: a cluster's "stop soon" (Slurm's --signal=USR2@90 before the time limit, submitit's preemption signal)
INTERRUPTS = (signal.SIGINT, signal.SIGTERM) + ((signal.SIGUSR2,) if hasattr(signal, "SIGUSR2") else ())


@contextmanager
def deferred_interrupts():
    """Hold SIGINT, SIGTERM and SIGUSR2 while the block runs, then deliver them to the handlers that were in place.

    A signal is only noted; it is raised again (through the original handler: KeyboardInterrupt for Ctrl-C,
    whatever SIGTERM did before) when the block ends. The same signal a second time inside the block is delivered
    at once, for a user who really wants out; different ones (a cluster's SIGTERM, then its USR2) all wait.
    Signals can only be handled in the main thread: elsewhere a no-op.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    pending: list[int] = []
    old = {sig: signal.getsignal(sig) for sig in INTERRUPTS}
    held = [sig for sig, handler in old.items() if handler not in (signal.SIG_IGN, None)]

    def restore() -> None:
        for sig in held:
            signal.signal(sig, old[sig])

    def note(signum, frame):
        if signum in pending:  # the second one: now
            pending.clear()
            restore()
            signal.raise_signal(signum)
        else:
            pending.append(signum)

    for sig in held:
        signal.signal(sig, note)
    try:
        yield
    finally:
        restore()
        noted, pending[:] = list(pending), []
        for sig in noted:  # in the order they came; a handler that raises ends the delivery
            signal.raise_signal(sig)


def train(config: TrainConfig, run_dir, resume: bool = False, progress: bool = True, images=None,
          threads: int | None = None) -> TrainResult:
    """Train ``config`` in ``run_dir``; ``resume=True`` continues its checkpoint (a fresh start if none).

    ``images``: ``[(name, uint8 HR image)]`` to train on instead of ``config.train_dataset`` (tests, notebooks).
    ``threads``: CPU intra-op threads (default :func:`cpu_threads`).
    """
    run_dir = Path(run_dir)
    with _process_group(config, threads) as (device, rank, world):
        # setup and restore
        state = _saved_state(run_dir, config, resume)
        step_fn = _build(config, device, rank, world, fresh=state is None)
        p = _restore(state, step_fn) if state is not None else _Progress()
        loader = _batches(config, images, p.step, rank, world, device, progress)
        channels_last = config.uses_channels_last(device)
        snapshots = config.snapshot_steps()

        def save() -> None:
            _flush_losses(p, world, config, run_dir, rank)  # the running means travel in the checkpoint
            atomic_torch_save(_checkpoint(config, step_fn, p), run_dir / CHECKPOINT)
            if p.curve:
                atomic_write_text(run_dir / CURVE, _curve_frame(p.curve).to_csv(index=False))

        if rank == 0:
            run_dir.mkdir(parents=True, exist_ok=True)
            atomic_write_text(run_dir / CONFIG, json.dumps(_config_dict(config), indent=2) + "\n")
        bar = _bar(config, p.step) if progress and rank == 0 else None
        p.t0 = time.perf_counter()  # wall time counts the loop, not the setup
        step_fn.model.train()
        # the loop: one optimisation step per batch, then log, validate, checkpoint, snapshot
        mid_iteration = False
        try:
            for lr_u8, hr_u8, scale in loader:
                # One iteration is indivisible: the update, the step counter, the running means, the curve row and
                # the checkpoint move together, so a saved step never counts an update twice or misses one. A
                # Ctrl-C / SIGTERM landing inside waits for the iteration's end; a second one stops it at once,
                # and then nothing is saved (mid_iteration).
                with deferred_interrupts():
                    lr_value = lr_at(config, p.step)
                    mid_iteration = True  # from the first change of state on
                    out = step_fn(_to_device(lr_u8, device, channels_last),
                                  _to_device(hr_u8, device, channels_last), scale, lr_value)
                    p.step += 1
                    # the losses stay on the device (no host sync per step) until a curve row or checkpoint needs them
                    p.pending_keys = tuple(out)
                    p.pending.append(torch.stack([v.float() for v in out.values()]))
                    if _needs_losses(config, p.step):
                        _flush_losses(p, world, config, run_dir, rank)
                    _log(config, step_fn, p, lr_value, rank, bar)
                    if bar is not None:
                        bar.update(1)
                    if rank == 0 and ((config.checkpoint_every and p.step % config.checkpoint_every == 0)
                                      or p.step == config.iterations):
                        save()
                    if rank == 0 and p.step in snapshots and p.step < config.iterations:
                        atomic_torch_save(step_fn.model.state_dict(), run_dir / snapshot_name(p.step))
                    mid_iteration = False
        except KeyboardInterrupt:
            if rank == 0:
                _save_on_interrupt(mid_iteration, p, run_dir, save)
            raise
        finally:
            if bar is not None:
                bar.close()
        # finish
        if rank == 0:
            if not (run_dir / CHECKPOINT).exists():  # iterations == 0
                save()
            atomic_torch_save(step_fn.model.state_dict(), run_dir / FINAL)
        wall = p.wall()
    step_fn.model.eval()
    return TrainResult(step_fn.model, _curve_frame(p.curve), wall, p.step, run_dir)


def _bar(config: TrainConfig, start: int):
    from tqdm.auto import tqdm

    return tqdm(total=config.iterations, initial=start, unit="it", desc=f"train {config.model}", dynamic_ncols=True)


def _save_on_interrupt(mid_iteration: bool, p: _Progress, run_dir: Path, save) -> None:
    """Ctrl-C (or SIGTERM via the CLI): save, unless the interrupt stopped an iteration half-way (a second Ctrl-C,
    or a KeyboardInterrupt raised by code inside it): its update, counter and curve may then disagree."""
    ckpt = run_dir / CHECKPOINT
    if mid_iteration:
        print(f"\ninterrupted inside iteration {p.step + 1}: not saved; {ckpt} keeps the last periodic checkpoint",
              file=sys.stderr)
    else:
        save()
        print(f"\ninterrupted after iteration {p.step}: saved {ckpt}; resume with resume=True (--resume)",
              file=sys.stderr)


# ----------------------------------------------------------------------------------------------- cost model
_STEP_SECONDS: dict[str, float] = {}
_COST_FIELDS = ("model", "model_kwargs", "scales", "scale_range", "lr_patch", "batch_size", "loss", "ms_scales",
                "gan_scales", "discriminator", "discriminator_kwargs", "amp", "channels_last", "compile")


def _cost_cache_file() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "srrepro" / "train_step_seconds.json"


def _measure_step_seconds(config: TrainConfig, device: torch.device, steps: int) -> float:
    torch.manual_seed(0)
    model = build_model(config).to(device)
    on_cuda = device.type == "cuda"
    channels_last = config.uses_channels_last(device)
    if channels_last:
        model.to(memory_format=torch.channels_last)
    terms = parse_loss(config.loss)
    vgg = next((VGGLoss(random_init=True, term=t).to(device) for t in VGG_TERMS if t in terms), None)  # same cost
    disc = opt_d = train_disc = None
    if "gan" in terms:
        from .models import create_model

        disc = create_model(config.discriminator, n_scales=config.gan_scales, **config.discriminator_kwargs).to(device)
        opt_d = adam(disc.parameters(), config.lr, config.betas, config.eps)
        train_disc = DiscriminatorLoss(disc, not config.discriminator_kwargs.get("sigmoid", True))
    optimizer = adam([p for p in model.parameters() if p.requires_grad], config.lr, config.betas, config.eps)
    scaler = torch.amp.GradScaler("cuda", enabled=on_cuda and config.amp == "fp16")
    train_model = _trained_module(model, config)
    train_model = torch.compile(train_model) if config.compile else train_model
    step_fn = _Step(config, model, train_model, optimizer, scaler, device, vgg, disc, train_disc, opt_d)
    if config.scale_range:
        lo, hi = config.scale_range
        scales = sorted({round(config.lr_patch * s) / config.lr_patch for s in (lo, (lo + hi) / 2, hi)})
    else:
        scales = list(config.scales)
    per_scale = []
    for s in scales:
        p, big = config.lr_patch, round(config.lr_patch * s)
        lr_u8 = torch.randint(0, 256, (config.batch_size, 3, p, p), dtype=torch.uint8)
        hr_u8 = torch.randint(0, 256, (config.batch_size, 3, big, big), dtype=torch.uint8)
        lr_img, hr_img = _to_device(lr_u8, device, channels_last), _to_device(hr_u8, device, channels_last)
        for _ in range(2):  # warm-up (allocator, cuDNN autotune, compile)
            step_fn(lr_img, hr_img, s, config.lr)
        if on_cuda:
            torch.cuda.synchronize(device)
        t = time.perf_counter()
        for _ in range(steps):
            step_fn(lr_img, hr_img, s, config.lr)
        if on_cuda:
            torch.cuda.synchronize(device)
        per_scale.append((time.perf_counter() - t) / steps)
    return sum(per_scale) / len(per_scale)


def estimate_seconds(config: TrainConfig, device=None, steps: int = 3, cache: bool = True,
                     threads: int | None = None) -> float:
    """Predicted training time of ``config`` on ``device`` (default: ``config.device``), in seconds.

    Times ``steps`` real optimisation steps (after 2 warm-up steps) on random patches at each training scale and
    multiplies the mean by ``config.iterations``. Validation and LR-image preparation are not included. The
    per-step time is cached in memory and in ``$XDG_CACHE_HOME/srrepro/train_step_seconds.json``, keyed by the
    fields that set the cost, the device, the torch version and the thread count.
    """
    device = resolve_device(device if device is not None else config.device)
    if device.type == "cpu":
        torch.set_num_threads(threads or cpu_threads())
    name = torch.cuda.get_device_name(device) if device.type == "cuda" else device.type
    cfg = _config_dict(config)
    key = json.dumps({**{k: cfg[k] for k in _COST_FIELDS}, "device": name, "torch": torch.__version__,
                      "threads": torch.get_num_threads()}, sort_keys=True)
    if cache and key not in _STEP_SECONDS:
        try:
            _STEP_SECONDS.update(json.loads(_cost_cache_file().read_text()))
        except (OSError, ValueError):
            pass
    if not cache or key not in _STEP_SECONDS:
        _STEP_SECONDS[key] = _measure_step_seconds(config, device, steps)
        if cache:
            try:
                path = _cost_cache_file()
                path.parent.mkdir(parents=True, exist_ok=True)
                atomic_write_text(path, json.dumps(_STEP_SECONDS, indent=1))
            except OSError:
                pass  # a read-only home only loses the disk cache
    return _STEP_SECONDS[key] * config.iterations


# ----------------------------------------------------------------------------------------------- CLI
def _parse_value(text: str, annotation: str):
    if text.lower() == "none" and "None" in annotation:
        return None
    if annotation.startswith("bool | str"):  # channels_last: true / false / auto
        return {"true": True, "1": True, "yes": True, "false": False, "0": False, "no": False}.get(text.lower(), text)
    if annotation.startswith("dict"):
        return json.loads(text)
    if annotation.startswith("tuple"):
        items = [t for t in text.replace(" ", "").split(",") if t]
        return tuple(float(t) if any(c in t for c in ".eE") else int(t) for t in items)
    if annotation.startswith("int | str") and text == "auto":  # num_workers
        return text
    if annotation.startswith("int"):
        return int(float(text))
    if annotation.startswith("float"):
        return float(text)
    return text


def build_parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="python -m srrepro.train", description="Train a super-resolution model "
                                 "(srrepro.train.TrainConfig; lists are comma-separated, dicts are JSON).")
    ap.add_argument("--run-dir", required=True, help="folder for checkpoint.pt, curve.csv, config.json, model.pt")
    ap.add_argument("--resume", action="store_true", help="continue the checkpoint in --run-dir")
    ap.add_argument("--no-progress", action="store_true")
    ap.add_argument("--estimate", action="store_true", help="print the estimated training seconds and exit")
    ap.add_argument("--data", dest="data_root", default=None, help="data root (default $SRREPRO_DATA or ./data)")
    for f in fields(TrainConfig):
        if f.name == "data_root":
            continue
        flag = "--" + f.name.replace("_", "-")
        names = [flag, "--scale"] if f.name == "scales" else [flag]
        ann = str(f.type)
        default = f.default_factory() if f.default_factory is not MISSING else f.default
        if ann == "bool":
            ap.add_argument(*names, dest=f.name, action=argparse.BooleanOptionalAction, default=None,
                            help=f"(default {default})")
        else:
            ap.add_argument(*names, dest=f.name, default=None, metavar=f.name.upper(), help=f"(default {default!r})",
                            type=lambda t, a=ann: _parse_value(t, a))
    return ap


def config_from_args(args: argparse.Namespace) -> TrainConfig:
    given = {f.name: getattr(args, f.name) for f in fields(TrainConfig) if getattr(args, f.name, None) is not None}
    return TrainConfig(**given)


def main(argv=None) -> int:
    from .data import SrreproDataError

    args = build_parser().parse_args(argv)
    try:
        config = config_from_args(args)
        if args.estimate:
            print(f"{estimate_seconds(config):.0f}")
            return 0
        signal.signal(signal.SIGTERM, signal.default_int_handler)  # preemption: save like Ctrl-C
        result = train(config, args.run_dir, resume=args.resume, progress=not args.no_progress)
    except KeyboardInterrupt:
        return 130
    except (ValueError, KeyError, FileExistsError, FileNotFoundError, FloatingPointError, SrreproDataError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    if int(os.environ.get("RANK", 0)) == 0:
        last = result.curve.iloc[-1].to_dict() if len(result.curve) else {}
        summary = ", ".join(f"{k} {v:.4g}" for k, v in last.items() if k != "step")
        print(f"done: {result.iterations} iterations in {result.wall_seconds:.0f} s -> {result.run_dir}"
              + (f" ({summary})" if summary else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
