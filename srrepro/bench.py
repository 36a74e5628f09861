"""``make bench``: srrepro beside the official code, measured in one process on the machine at hand.

``python -m srrepro.bench [--official DIR] [--quick]`` writes two CSVs (atomically, with provenance columns):

* ``results/bench/compare.csv``: srrepro vs the official implementation on the same weights and inputs: CARN-M
  (``nmhkahn/CARN-pytorch``), OverNet (``pbehjatii/OverNet-PyTorch``) and s-LWSR32 (``Sudo-Biao/s-LWSR``, its released
  checkpoint) inference and one training step, MATLAB
  ``imresize`` and Y-PSNR/SSIM vs BasicSR's (``basicsr/utils/matlab_functions.py``, ``basicsr/metrics/psnr_ssim.py``).
  Each row: median seconds of both, ``ratio`` = official ÷ srrepro (the median of the per-round ratios; ≥ 1: srrepro
  is as fast or faster), its distribution-free 95 % interval (order statistics of the per-round ratios) and
  quartiles, and whether the outputs are equal (largest absolute difference). A row is *slower* only when the
  interval lies below 1: both sides run the same PyTorch operators with equal outputs, so parity is what to expect.
* ``results/bench/machine.csv``: what the machine itself does: matmul GFLOP/s (the ceiling), plain and grouped 3×3
  conv GFLOP/s, the achieved GFLOP/s of both models' inference against it, and one training step at 1 thread, at
  every core's thread, and with one single-thread unit per core side by side (how the study runs tables).

Method: both implementations run in this process, after a warm-up, in rounds that alternate the order (A, B then
B, A) so that neither profits from running second (warm caches, a background job's ebb); a ratio is the median of
the paired ratios of each round, so a slow round moves both of its timings. The load average at the start is kept
with every row: on a loaded machine the ratios are noisy (see the intervals) and ``make bench`` should be re-run.

The official code is never installed, vendored or committed: it is imported by file path from ``--official DIR``
(default ``$SRREPRO_OFFICIAL``, else ``./official``, which git ignores), one clone per repository
(``DIR/CARN-pytorch``, ``DIR/OverNet-PyTorch``, ``DIR/BasicSR``). BasicSR is not installed either: only its two files
above (and the three small modules they import) are loaded, under stand-in ``basicsr`` packages. BasicSR's metrics
import OpenCV; when ``cv2`` is not in the venv, ``DIR/_deps`` is searched (``pip install --no-deps --target
DIR/_deps opencv-python-headless``). When a piece is absent its rows say what is missing and the exact command that
gets it, and the rest is measured.

Weights: CARN-M loads the official ``carn_m.pth`` (from the data root) into both models; OverNet has no released
weights in the data root, so a seeded random srrepro model's ``state_dict`` (official key names) is loaded strictly
into the official network; s-LWSR loads its released one-epoch checkpoint (``slwsr32_x4_epoch1.pt``) into both (the
released code on [0, 255], its mean shifts frozen as srrepro's are). The training step has the same math on both sides (L1, Adam at the official learning
rate, gradient norm clipped at 10, as both official trainers), each as its code runs it: srrepro's loop updates and
clips in foreach form, the official trainers use ``torch.optim.Adam`` / ``clip_grad_norm_`` with PyTorch's
defaults (per tensor on CPU). Both give the same weights to the bit on CPU, so that part of the ratio is overhead
only (OverNet's trainer uses AdamP, which is not a dependency here: Adam stands in for it).

On a CUDA machine the model rows are measured on the GPU too (``device`` column): the page then gains absolute times.
"""
from __future__ import annotations

import argparse
import contextlib
import datetime as _dt
import gc
import importlib.util
import io
import json
import math
import os
import statistics
import subprocess
import sys
import tempfile
import time
import types
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np
import pandas as pd

from .provenance import REPO_ROOT, atomic_write_text, provenance

OUT = REPO_ROOT / "results" / "bench"
COMPARE_CSV, MACHINE_CSV = "compare.csv", "machine.csv"
# Fixed schemas (a row that was not measured keeps every column, empty, and says why in ``status``).
COMPARE_COLUMNS = ["key", "what", "device", "threads", "srrepro_s", "official_s", "ratio", "ratio_lo", "ratio_hi",
                   "ratio_q1", "ratio_q3",
                   "ratio_cpu", "srrepro_cpu_s", "official_cpu_s", "repeats", "max_abs_diff", "tolerance",
                   "outputs_equal", "compared", "gflop", "official_source", "official_commit", "weights", "status"]
MACHINE_COLUMNS = ["key", "what", "device", "threads", "workers", "seconds", "gflop", "gflops", "steps_per_s",
                   "relative", "status"]
RUN_COLUMNS = ["mode", "loadavg_start", "loadavg_end", "cores", "torch_version", "official_dir", "bench_seconds"]


# ------------------------------------------------------------------------------------------ the official code
@dataclass(frozen=True)
class Official:
    name: str  # folder under the official dir
    repo: str  # owner/name on GitHub
    commit: str  # the commit the bench was written against
    files: tuple[str, ...]  # what is imported (paths inside the clone)


OFFICIAL = {
    "carn": Official("CARN-pytorch", "nmhkahn/CARN-pytorch", "40d3514f81cccd680d846cd5ab07af35f2c8e0e2",
                     ("carn/model/carn_m.py", "carn/model/ops.py")),
    "overnet": Official("OverNet-PyTorch", "pbehjatii/OverNet-PyTorch", "5f8451533aec2062f27b2b5f01c94a6e1c29155c",
                        ("OverNet.py", "ops.py")),
    "slwsr": Official("s-LWSR", "Sudo-Biao/s-LWSR", "789ed425830873018c632fe56a8d6953a96edbc5",
                      ("Train/code/model/lwsr.py", "Train/code/model/common.py")),
    "basicsr": Official("BasicSR", "XPixelGroup/BasicSR", "8d56e3a045f9fb3e1d8872f92ee4a4f07f886b0a",
                        ("basicsr/utils/matlab_functions.py", "basicsr/metrics/psnr_ssim.py",
                         "basicsr/metrics/metric_util.py", "basicsr/utils/color_util.py", "basicsr/utils/registry.py")),
}
CV2_HINT = "pip install --no-deps --target {dir}/_deps opencv-python-headless"


class Absent(Exception):
    """A piece of the official code (or a dependency of it) is not here: one line, with the command that gets it."""


def official_dir(explicit: str | os.PathLike | None = None) -> Path:
    """``--official DIR``, else ``$SRREPRO_OFFICIAL``, else ``./official``."""
    return Path(explicit or os.environ.get("SRREPRO_OFFICIAL") or "official").expanduser()


def _shown(path: Path) -> str:
    """``path`` as the reader would type it: relative to the current folder when it is inside it."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def clone_command(which: str, root: Path) -> str:
    o = OFFICIAL[which]
    dest = _shown(root / o.name)
    return f"git clone https://github.com/{o.repo} {dest} && git -C {dest} checkout {o.commit[:12]}"


def check_official(which: str, root: Path) -> Path:
    """The clone of ``which`` under ``root``, or :class:`Absent` naming the first missing file and the clone."""
    o = OFFICIAL[which]
    base = root / o.name
    for f in o.files:
        if not (base / f).is_file():
            raise Absent(f"official code absent: no {_shown(base / f)}; get it with `{clone_command(which, root)}`")
    return base


def official_commit(base: Path) -> str:
    """HEAD of the clone (``not a git checkout`` for a copied folder)."""
    try:
        return subprocess.run(["git", "-C", str(base), "rev-parse", "HEAD"], capture_output=True, text=True,
                              check=True, timeout=10).stdout.strip()
    except Exception:
        return "not a git checkout"


def _load_file(name: str, path: Path) -> types.ModuleType:
    spec = importlib.util.spec_from_file_location(name, path)
    mod = importlib.util.module_from_spec(spec)
    sys.modules[name] = mod
    spec.loader.exec_module(mod)
    return mod


@contextlib.contextmanager
def _module_aliases(*prefixes: str):
    """The official files import their siblings by short names (``model.ops``, ``ops``, ``basicsr.…``): register
    them for the import only, then restore ``sys.modules`` as it was (nothing else sees those names)."""
    def ours(n: str) -> bool:
        return any(n == p or n.startswith(p + ".") for p in prefixes)

    saved = {n: m for n, m in sys.modules.items() if ours(n)}
    try:
        yield
    finally:
        for n in [n for n in sys.modules if ours(n)]:
            del sys.modules[n]
        sys.modules.update(saved)


def _package(name: str, path: Path) -> types.ModuleType:
    pkg = types.ModuleType(name)
    pkg.__path__ = [str(path)]
    sys.modules[name] = pkg
    return pkg


def official_carn_m(root: Path):
    """``carn/model/carn_m.py``'s ``Net`` (it does ``import model.ops as ops``)."""
    d = check_official("carn", root) / "carn" / "model"
    with _module_aliases("model"):
        pkg = _package("model", d)
        pkg.ops = _load_file("model.ops", d / "ops.py")
        mod = _load_file("_official_carn_m", d / "carn_m.py")
    return mod.Net


def official_overnet(root: Path):
    """``OverNet.py``'s ``Network`` (it does ``from ops import *``)."""
    d = check_official("overnet", root)
    with _module_aliases("ops"):
        _load_file("ops", d / "ops.py")
        mod = _load_file("_official_overnet", d / "OverNet.py")
    return mod.Network


def official_slwsr(root: Path):
    """``Train/code/model/lwsr.py``'s ``LWSR`` (it does ``from model import common``)."""
    d = check_official("slwsr", root) / "Train" / "code" / "model"
    with _module_aliases("model"):
        pkg = _package("model", d)
        pkg.common = _load_file("model.common", d / "common.py")
        mod = _load_file("_official_lwsr", d / "lwsr.py")
    return mod.LWSR


def official_basicsr(root: Path, metrics: bool = True) -> types.SimpleNamespace:
    """BasicSR's ``imresize`` and (``metrics``) ``calculate_psnr`` / ``calculate_ssim``, loaded under stand-in
    ``basicsr`` packages (the real ``basicsr/__init__.py`` imports the whole library)."""
    d = check_official("basicsr", root) / "basicsr"
    out = types.SimpleNamespace()
    with _module_aliases("basicsr"):
        _package("basicsr", d)
        utils = _package("basicsr.utils", d / "utils")
        _package("basicsr.metrics", d / "metrics")
        out.imresize = _load_file("basicsr.utils.matlab_functions", d / "utils" / "matlab_functions.py").imresize
        if metrics:
            try:
                import cv2  # noqa: F401
            except ImportError:
                deps = root / "_deps"
                if deps.is_dir() and str(deps) not in sys.path:
                    sys.path.append(str(deps))  # appended: nothing in the venv is shadowed
                try:
                    import cv2  # noqa: F401, F811
                except ImportError:
                    raise Absent(f"BasicSR's psnr_ssim.py imports OpenCV (cv2), not installed; get it with "
                                 f"`{CV2_HINT.format(dir=_shown(root))}` (or pip install it into the venv)") from None
            color = _load_file("basicsr.utils.color_util", d / "utils" / "color_util.py")
            utils.bgr2ycbcr, utils.rgb2ycbcr = color.bgr2ycbcr, color.rgb2ycbcr  # what metric_util imports
            _load_file("basicsr.utils.registry", d / "utils" / "registry.py")
            _load_file("basicsr.metrics.metric_util", d / "metrics" / "metric_util.py")
            m = _load_file("basicsr.metrics.psnr_ssim", d / "metrics" / "psnr_ssim.py")
            out.calculate_psnr, out.calculate_ssim = m.calculate_psnr, m.calculate_ssim
    return out


# ------------------------------------------------------------------------------------------ timing
def _sync(device) -> None:
    import torch

    if str(device).startswith("cuda"):
        torch.cuda.synchronize(device)


@dataclass
class Timings:
    """Seconds per call of each side: ``wall`` (perf_counter) and ``cpu`` (this process's CPU time, all threads)."""
    wall: dict[str, list[float]]
    cpu: dict[str, list[float]]

    def __getitem__(self, name: str) -> list[float]:
        return self.wall[name]


def interleaved(fns: dict[str, Callable[[], object]], repeats: int, warmup: int = 1,
                sync: Callable[[], None] = lambda: None) -> Timings:
    """Time every function ``repeats`` times: ``warmup`` untimed rounds, then rounds whose order alternates (A, B,
    then B, A, ...) so that neither side always runs first. CPU time is kept beside wall time: on a machine that
    other work shares, a descheduled process loses wall time but not CPU time."""
    names = list(fns)
    for _ in range(warmup):
        for n in names:
            fns[n]()
    sync()
    out = Timings({n: [] for n in names}, {n: [] for n in names})
    for r in range(repeats):
        gc.collect()
        for n in (names if r % 2 == 0 else names[::-1]):
            c, t = time.process_time(), time.perf_counter()
            fns[n]()
            sync()
            out.wall[n].append(time.perf_counter() - t)
            out.cpu[n].append(time.process_time() - c)
    return out


def paired_ratio(official: list[float], srrepro: list[float]) -> tuple[float, float, float]:
    """(median, lower quartile, upper quartile) of the per-round ratios official ÷ srrepro."""
    if len(official) != len(srrepro) or not official:
        raise ValueError("paired_ratio needs the same, non-zero number of timings on both sides")
    r = sorted(o / s for o, s in zip(official, srrepro))
    if len(r) == 1:
        return r[0], r[0], r[0]
    q1, _, q3 = statistics.quantiles(r, n=4, method="inclusive")
    return statistics.median(r), q1, q3


def median_interval(ratios: list[float], alpha: float = 0.05) -> tuple[float, float]:
    """Distribution-free (1 − alpha) interval of the median of ``ratios``: the order statistics r_(j) and r_(n−j+1)
    with P(Binomial(n, 1/2) < j) ≤ alpha/2 (15 rounds: the 4th and 12th of 15, 96.5 % coverage). Too few rounds for
    any such j: the whole range."""
    from scipy.stats import binom

    r, n = sorted(ratios), len(ratios)
    j = int(binom.ppf(alpha / 2, n, 0.5))
    while j >= 1 and binom.cdf(j - 1, n, 0.5) > alpha / 2:
        j -= 1
    return (r[0], r[-1]) if j < 1 else (r[j - 1], r[n - j])


def max_abs_diff(a, b) -> float:
    """Largest absolute difference of two arrays / tensors / sequences of them (inf when the shapes differ)."""
    import torch

    if isinstance(a, (list, tuple)):
        return max((max_abs_diff(x, y) for x, y in zip(a, b)), default=0.0) if len(a) == len(b) else math.inf
    a = a.detach().double().cpu() if isinstance(a, torch.Tensor) else torch.as_tensor(np.asarray(a, np.float64))
    b = b.detach().double().cpu() if isinstance(b, torch.Tensor) else torch.as_tensor(np.asarray(b, np.float64))
    if a.shape != b.shape:
        return math.inf
    return float((a - b).abs().max()) if a.numel() else 0.0


# ------------------------------------------------------------------------------------------ sizes
@dataclass(frozen=True)
class Sizes:
    repeats: int = 15  # timed rounds per comparison (models); a shared 2-core VM drifts ±5–10 % round to round
    fast_repeats: int = 21  # for the sub-second protocol functions
    infer_lr: tuple[int, int] = (80, 120)  # a B100 ×4 LR image
    train_batch: int = 16  # lite's batch: 16 LR patches of 16×16
    train_patch: int = 16
    hr: tuple[int, int] = (320, 480)  # imresize / PSNR input: a B100-sized HR image
    matmul: int = 1024
    conv_hw: int = 96
    thread_steps: int = 2  # training steps per timing in the threads rows


FULL = Sizes()
QUICK = Sizes(repeats=2, fast_repeats=2, infer_lr=(12, 16), train_batch=2, train_patch=8, hr=(48, 64), matmul=128,
              conv_hw=16, thread_steps=1)
SCALE = 4


# ------------------------------------------------------------------------------------------ the models
def _carn_m_pair(root: Path, data_root, device):
    """srrepro's CARN-M and the official one with the same weights: the official carn_m.pth when the data root has
    it (else a seeded random srrepro model's, mapped strictly)."""
    import torch

    from . import weights as W
    from .models import create_model

    Net = official_carn_m(root)
    path = W.weights_path("carn_m", data_root)
    if path.is_file():
        sd, how = W.read_state_dict(path), "official carn_m.pth"
    else:
        torch.manual_seed(0)
        sd = create_model("carn_m", **W.OFFICIAL_WEIGHTS["carn_m"].kwargs).state_dict()
        how = f"seeded random (no {path})"

    def ours():
        m = create_model("carn_m", **W.OFFICIAL_WEIGHTS["carn_m"].kwargs)
        W.load_state_dict_strict(m, sd, "carn_m weights")
        return m.to(device)

    def theirs():
        m = Net(multi_scale=True, group=4)
        W.load_state_dict_strict(m, sd, "carn_m weights")
        return m.to(device)

    return ours, theirs, (lambda m, x: m(x, SCALE)), (lambda m, x: m(x, SCALE)), how, 1e-4


def _overnet_pair(root: Path, data_root, device):
    """srrepro's OverNet (``official=True``: the released code's layout) and the official ×4 network (overscale 5)
    with one seeded random state_dict."""
    import torch

    from .models import create_model
    from .weights import load_state_dict_strict

    Network = official_overnet(root)
    torch.manual_seed(0)
    sd = create_model("overnet", scale=SCALE, official=True).state_dict()  # official key names

    def ours():
        m = create_model("overnet", scale=SCALE, official=True)
        load_state_dict_strict(m, sd, "OverNet state_dict")
        return m.to(device)

    def theirs():
        with warnings.catch_warnings():  # the released code's torch.nn.utils.weight_norm is deprecated
            warnings.simplefilter("ignore", FutureWarning)
            m = Network(scale=SCALE, upscale=SCALE + 1, group=4)
        load_state_dict_strict(m, sd, "OverNet state_dict")
        return m.to(device)

    return ours, theirs, (lambda m, x: m(x, SCALE)), (lambda m, x: m(x, SCALE, SCALE + 1)), \
        "seeded random srrepro state_dict (torch.manual_seed(0)), loaded strictly into both", 1e-3


def _slwsr_pair(root: Path, data_root, device):
    """srrepro's released-layout s-LWSR32 ×4 and the released ``LWSR`` with the released checkpoint (else a seeded
    random srrepro state_dict). The released code works on [0, 255] (its call scales in and out); its ``MeanShift``
    sets ``self.requires_grad = False``, which freezes nothing, so the harness freezes its mean shifts as srrepro's
    are (the same trainable tensors on both sides); and its ``load_state_dict`` skips unknown keys silently, so the
    weights go in through ``nn.Module.load_state_dict(strict=True)``."""
    import torch
    import torch.nn as nn

    from . import weights as W
    from .models import create_model
    from .weights import load_state_dict_strict

    LWSR = official_slwsr(root)
    kw = dict(n_feats=32, scale=SCALE, official=True)
    path = W.weights_path("slwsr32_x4_epoch1", data_root)
    if path.is_file():
        sd, how = W.read_state_dict(path), "the released model_best.pt (1 epoch), loaded strictly into both"
    else:
        torch.manual_seed(0)
        sd, how = create_model("slwsr", **kw).state_dict(), "seeded random srrepro state_dict, loaded strictly"

    def ours():
        m = create_model("slwsr", **kw)
        load_state_dict_strict(m, sd, "s-LWSR state_dict")
        return m.to(device)

    def theirs():
        args = types.SimpleNamespace(n_feats=32, reduction=16, scale=[SCALE], rgb_range=255, n_colors=3)
        m = LWSR(args)
        nn.Module.load_state_dict(m, sd, strict=True)
        m.sub_mean.requires_grad_(False)
        m.add_mean.requires_grad_(False)
        return m.to(device)

    return ours, theirs, (lambda m, x: m(x, SCALE)), (lambda m, x: m(x * 255) / 255), how, 1e-4


MODELS = {  # key → (label, pair builder, official entry, flops model name, flops kwargs)
    "carn_m": ("CARN-M ×4", _carn_m_pair, "carn", "carn_m", {"multi_scale": True, "group": 4, "cascade": "official"}),
    "overnet": ("OverNet ×4", _overnet_pair, "overnet", "overnet", {"scale": SCALE, "official": True}),
    "slwsr": ("s-LWSR32 ×4", _slwsr_pair, "slwsr", "slwsr", {"n_feats": 32, "scale": SCALE, "official": True}),
}


def _flops(model: str, kwargs: dict, pixels: int, train: bool) -> float:
    from .plan import flops_per_px

    return flops_per_px(model, json.dumps(kwargs, sort_keys=True), float(SCALE), train) * pixels


def _train_step(model, call, opt, lr, hr, srrepro: bool) -> "torch.Tensor":
    """One L1 step with clipping at 10, as each side's trainer runs it: srrepro's loop clips in foreach form, the
    official trainers call ``clip_grad_norm_`` with PyTorch's defaults (per tensor on CPU)."""
    import torch.nn as nn
    import torch.nn.functional as F

    from .train import clip_grad_norm

    opt.zero_grad(set_to_none=True)
    loss = F.l1_loss(call(model, lr), hr)
    loss.backward()
    if srrepro:
        clip_grad_norm(model.parameters(), 10.0)
    else:
        nn.utils.clip_grad_norm_(model.parameters(), 10.0)
    opt.step()
    return loss.detach()


def _adam(model, lr: float, srrepro: bool):
    """srrepro's loop's Adam (foreach), or ``torch.optim.Adam`` with PyTorch's defaults as the official trainers
    construct it (per tensor on CPU; OverNet's AdamP is replaced by Adam, not a dependency here). Both update the
    weights to the same bits on CPU (tests/test_train.py), so the difference is overhead only."""
    import torch

    from .train import adam

    params = [p for p in model.parameters() if p.requires_grad]
    return adam(params, lr) if srrepro else torch.optim.Adam(params, lr=lr)


def measure_model(key: str, root: Path, sizes: Sizes, device: str = "cpu", data_root=None) -> list[dict]:
    """Inference and one training step of srrepro's and the official model (two rows)."""
    import torch

    label, builder, which, fmodel, fkw = MODELS[key]
    h, w = sizes.infer_lr
    b, p = sizes.train_batch, sizes.train_patch
    what = {"infer": f"{label} inference, 1×3×{h}×{w} → ×{SCALE}",
            "train": f"{label} training step, {b}×3×{p}×{p} → ×{SCALE} (L1, Adam, clip 10; each side's optimizer "
                      "code)"}
    base = dict(device=_device_name(device), threads=torch.get_num_threads())
    try:
        ours_fn, theirs_fn, call_ours, call_theirs, how, adam_lr = builder(root, data_root, device)
    except Absent as e:
        return [{"key": f"{key}_{k}", "what": what[k], **base, "status": str(e)} for k in ("infer", "train")]
    src = OFFICIAL[which]
    official = dict(official_source=f"{src.repo}@{src.commit[:12]} {' '.join(src.files)}",
                    official_commit=official_commit(root / src.name), weights=how)
    sync = lambda: _sync(device)  # noqa: E731
    rows = []

    # inference: same input, no_grad, eval
    gen = torch.Generator().manual_seed(1)
    x = torch.rand(1, 3, h, w, generator=gen).to(device)
    a, o = ours_fn().eval(), theirs_fn().eval()
    with torch.no_grad():
        ya, yo = call_ours(a, x), call_theirs(o, x)
        diff = max_abs_diff(ya, yo)
        t = interleaved({"srrepro": lambda: call_ours(a, x), "official": lambda: call_theirs(o, x)},
                        sizes.repeats, warmup=1, sync=sync)
    rows.append(_compare_row(f"{key}_infer", what["infer"], base, t, sizes.repeats, diff,
                             "SR output (max |Δ| on the [0, 1] scale; equal: below 1e-5, far from half a grey "
                             "level)", official, tolerance=1e-5, gflop=_flops(fmodel, fkw, h * w, False) / 1e9,
                             cpu=not str(device).startswith("cuda")))
    del a, o, ya, yo

    # one training step: one step from the same weights on the same batch must give the same loss and weights
    lr = torch.rand(b, 3, p, p, generator=gen).to(device)
    hr = torch.rand(b, 3, p * SCALE, p * SCALE, generator=gen).to(device)
    a, o = ours_fn().train(), theirs_fn().train()
    opt_a, opt_o = _adam(a, adam_lr, srrepro=True), _adam(o, adam_lr, srrepro=False)
    la, lo = _train_step(a, call_ours, opt_a, lr, hr, True), _train_step(o, call_theirs, opt_o, lr, hr, False)
    diff = max(_rel_diff(la, lo), _rel_diff(_grads(a), _grads(o)))
    t = interleaved({"srrepro": lambda: _train_step(a, call_ours, opt_a, lr, hr, True),
                     "official": lambda: _train_step(o, call_theirs, opt_o, lr, hr, False)}, sizes.repeats,
                    warmup=1, sync=sync)
    rows.append(_compare_row(f"{key}_train", what["train"], base, t, sizes.repeats, diff,
                             "loss and every gradient of one step from the same weights and batch (max |Δ| relative "
                             "to the tensor's largest value; equal: below 1e-5, the float32 rounding of sums taken "
                             "in another order)", official, tolerance=1e-5,
                             gflop=_flops(fmodel, fkw, b * p * p, True) / 1e9, cpu=not str(device).startswith("cuda")))
    return rows


def _grads(model) -> dict:
    """Gradients by ``state_dict`` key (srrepro's OverNet names its modules as the paper does and renames the keys
    to the released code's only in its ``state_dict``)."""
    import torch

    return {k: p.grad for k, p in model.state_dict(keep_vars=True).items()
            if isinstance(p, torch.nn.Parameter) and p.grad is not None}


def _rel_diff(a, b) -> float:
    """Largest |a − b| relative to the largest |a| (tensor by tensor for dicts of tensors; inf when keys differ)."""
    if isinstance(a, dict):
        if a.keys() != b.keys():
            return math.inf
        return max((_rel_diff(a[k], b[k]) for k in a), default=0.0)
    d = max_abs_diff(a, b)
    top = float(a.detach().abs().max()) if a.numel() else 0.0
    return d / top if top > 0 else d


def _compare_row(key, what, base, t: Timings, repeats, diff, compared, official, tolerance=0.0,
                 gflop=math.nan, cpu: bool = True) -> dict:
    ratio, lo, hi = paired_ratio(t.wall["official"], t.wall["srrepro"])
    ci = median_interval([o / s for o, s in zip(t.wall["official"], t.wall["srrepro"])])
    cpu_ratio = paired_ratio(t.cpu["official"], t.cpu["srrepro"])[0] if cpu and min(t.cpu["srrepro"]) > 0 \
        else math.nan  # CUDA: the CPU only waits
    return {"key": key, "what": what, **base, "srrepro_s": statistics.median(t.wall["srrepro"]),
            "official_s": statistics.median(t.wall["official"]), "ratio": ratio, "ratio_lo": ci[0], "ratio_hi": ci[1],
            "ratio_q1": lo, "ratio_q3": hi,
            "ratio_cpu": cpu_ratio, "srrepro_cpu_s": statistics.median(t.cpu["srrepro"]),
            "official_cpu_s": statistics.median(t.cpu["official"]), "repeats": repeats, "max_abs_diff": diff,
            "tolerance": tolerance, "outputs_equal": bool(diff <= tolerance),
            "compared": compared, "gflop": gflop, **official, "status": "ok"}


# ------------------------------------------------------------------------------------------ the protocol
def _test_image(shape: tuple[int, int], seed: int) -> np.ndarray:
    """A seeded photo-like uint8 RGB image: smooth structure (upsampled noise) plus fine noise."""
    rng = np.random.default_rng(seed)
    h, w = shape
    coarse = rng.random((h // 8 + 2, w // 8 + 2, 3))
    yy, xx = np.linspace(0, coarse.shape[0] - 1.001, h), np.linspace(0, coarse.shape[1] - 1.001, w)
    y0, x0 = yy.astype(int), xx.astype(int)
    fy, fx = (yy - y0)[:, None, None], (xx - x0)[None, :, None]
    c = coarse
    smooth = ((1 - fy) * (1 - fx) * c[y0][:, x0] + (1 - fy) * fx * c[y0][:, x0 + 1]
              + fy * (1 - fx) * c[y0 + 1][:, x0] + fy * fx * c[y0 + 1][:, x0 + 1])
    return np.clip(np.floor(smooth * 220 + rng.normal(0, 12, (h, w, 3)) + 18), 0, 255).astype(np.uint8)


def _protocol_base() -> dict:
    import torch

    return dict(device="cpu", threads=torch.get_num_threads())


def measure_imresize(root: Path, sizes: Sizes) -> dict:
    """MATLAB bicubic ×1/4 of one HR image: srrepro's ``degrade.imresize`` vs BasicSR's, same float input."""
    from .degrade import imresize

    h, w = sizes.hr
    what = f"MATLAB imresize ×1/{SCALE}, {h}×{w}×3 float"
    try:
        bsr = official_basicsr(root, metrics=False)
    except Absent as e:
        return {"key": "imresize", "what": what, **_protocol_base(), "status": str(e)}
    img = _test_image((h, w), 2).astype(np.float32) / 255.0  # BasicSR's input: [0, 1], H×W×C
    ours, theirs = imresize(img, 1 / SCALE), bsr.imresize(img, 1 / SCALE)
    c = 4  # MATLAB clamps the taps at the borders, BasicSR (and imresize.m's source) mirrors: see degrade.py
    diff = max_abs_diff(ours[c:-c, c:-c] * 255, theirs[c:-c, c:-c] * 255) if ours.shape == theirs.shape else math.inf
    border = max_abs_diff(ours * 255, theirs * 255)
    t = interleaved({"srrepro": lambda: imresize(img, 1 / SCALE), "official": lambda: bsr.imresize(img, 1 / SCALE)},
                    sizes.fast_repeats, warmup=2)
    src = OFFICIAL["basicsr"]
    return _compare_row("imresize", what, _protocol_base(), t, sizes.fast_repeats, diff,
                        f"LR pixels in grey levels, {c} border pixels left out (max |Δ| with them: {border:.3g}; "
                        f"MATLAB's output clamps at the borders, BasicSR mirrors)",
                        dict(official_source=f"{src.repo}@{src.commit[:12]} basicsr/utils/matlab_functions.py",
                             official_commit=official_commit(root / src.name), weights=""), tolerance=1e-3)


def measure_metrics(root: Path, sizes: Sizes) -> dict:
    """Y-PSNR + SSIM of one SR/HR pair (×4 border): srrepro's ``metrics.score`` vs BasicSR's ``calculate_psnr`` +
    ``calculate_ssim`` (``test_y_channel=True``; BasicSR reads BGR, so it gets the channels reversed)."""
    from .metrics import score

    h, w = sizes.hr
    what = f"Y-PSNR + SSIM, {h}×{w}×3 uint8, border {SCALE}"
    try:
        bsr = official_basicsr(root, metrics=True)
    except Absent as e:
        return {"key": "psnr_ssim", "what": what, **_protocol_base(), "status": str(e)}
    hr = _test_image((h, w), 3)
    noise = np.random.default_rng(4).normal(0, 6, hr.shape)
    sr = np.clip(np.floor(hr + noise + 0.5), 0, 255).astype(np.uint8)
    sr_bgr, hr_bgr = np.ascontiguousarray(sr[..., ::-1]), np.ascontiguousarray(hr[..., ::-1])

    def theirs():
        return (bsr.calculate_psnr(sr_bgr, hr_bgr, SCALE, test_y_channel=True),
                bsr.calculate_ssim(sr_bgr, hr_bgr, SCALE, test_y_channel=True))

    s = score(sr, hr, SCALE)
    p_theirs, s_theirs = theirs()
    diff = max(abs(s["psnr"] - p_theirs), abs(s["ssim"] - s_theirs))
    t = interleaved({"srrepro": lambda: score(sr, hr, SCALE), "official": theirs}, sizes.fast_repeats, warmup=2)
    src = OFFICIAL["basicsr"]
    return _compare_row("psnr_ssim", what, _protocol_base(), t, sizes.fast_repeats, diff,
                        f"PSNR (dB) and SSIM, max |Δ| (srrepro {s['psnr']:.4f} dB / {s['ssim']:.5f}; BasicSR's "
                        f"Y is float32)", dict(official_source=f"{src.repo}@{src.commit[:12]} "
                                                               f"basicsr/metrics/psnr_ssim.py",
                                               official_commit=official_commit(root / src.name), weights=""),
                        tolerance=1e-4)


# ------------------------------------------------------------------------------------------ the machine
def _device_name(device) -> str:
    import torch

    if str(device).startswith("cuda"):
        return f"{device} ({torch.cuda.get_device_name(torch.device(device))})"
    return "cpu"


def _median_time(fn: Callable[[], object], repeats: int, sync=lambda: None, warmup: int = 1) -> float:
    return statistics.median(interleaved({"x": fn}, repeats, warmup=warmup, sync=sync).wall["x"])


def measure_matmul(sizes: Sizes, threads: int) -> dict:
    import torch

    n = sizes.matmul
    a, b = torch.rand(n, n), torch.rand(n, n)
    with _threads(threads):
        s = _median_time(lambda: torch.mm(a, b), max(5, sizes.fast_repeats // 2), warmup=2)
    g = 2 * n**3 / 1e9
    return {"key": f"matmul_t{threads}", "what": f"matmul {n}×{n} float32 (the ceiling)", "device": "cpu",
            "threads": threads, "workers": 1, "seconds": s, "gflop": g, "gflops": g / s, "status": "ok"}


def measure_conv(sizes: Sizes, threads: int, groups: int) -> dict:
    import torch
    import torch.nn.functional as F

    n = sizes.conv_hw
    x, wt = torch.rand(1, 64, n, n), torch.rand(64, 64 // groups, 3, 3)
    with _threads(threads), torch.no_grad():
        s = _median_time(lambda: F.conv2d(x, wt, padding=1, groups=groups), max(5, sizes.fast_repeats // 2), warmup=2)
    g = 2 * 64 * (64 // groups) * 9 * n * n / 1e9
    return {"key": f"conv3x3_g{groups}_t{threads}", "what": f"3×3 conv 64→64, groups {groups}, 1×64×{n}×{n}",
            "device": "cpu", "threads": threads, "workers": 1, "seconds": s, "gflop": g, "gflops": g / s,
            "status": "ok"}


@contextlib.contextmanager
def _threads(n: int):
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(n)
    try:
        yield
    finally:
        torch.set_num_threads(before)


def _thread_workload(sizes: Sizes):
    """srrepro CARN-M (seeded weights), one training step at the bench's training size: what the threads rows
    time."""
    import torch

    from .models import create_model

    torch.manual_seed(0)
    m = create_model("carn_m", multi_scale=True, group=4, cascade="official").train()
    gen = torch.Generator().manual_seed(1)
    b, p = sizes.train_batch, sizes.train_patch
    lr, hr = torch.rand(b, 3, p, p, generator=gen), torch.rand(b, 3, p * SCALE, p * SCALE, generator=gen)
    opt = _adam(m, 1e-4, srrepro=True)
    call = lambda mm, x: mm(x, SCALE)  # noqa: E731
    return lambda: _train_step(m, call, opt, lr, hr, True)


def _side_by_side_worker(sizes: Sizes, steps: int, barrier, queue) -> None:
    import torch

    torch.set_num_threads(1)
    step = _thread_workload(sizes)
    step()  # warm-up
    barrier.wait()
    t = time.perf_counter()
    for _ in range(steps):
        step()
    queue.put(time.perf_counter() - t)


def measure_threads(sizes: Sizes, cores: int) -> list[dict]:
    """One CARN-M training step: 1 thread, ``cores`` threads (one process), ``cores`` one-thread units side by side
    (separate processes started together; the units' aggregate steps per second)."""
    import multiprocessing as mp

    import torch

    what = f"srrepro CARN-M training step, {sizes.train_batch}×3×{sizes.train_patch}²"
    step = _thread_workload(sizes)
    k = sizes.thread_steps
    rounds: dict[int, list[float]] = {1: [], cores: []}
    step()
    reps = max(1, sizes.repeats // 2)
    for r in range(reps):  # alternate the thread counts, as the comparisons alternate the implementations
        for n in ((1, cores) if r % 2 == 0 else (cores, 1)):
            with _threads(n):
                step()  # one untimed step after a thread-count change
                t = time.perf_counter()
                for _ in range(k):
                    step()
                rounds[n].append((time.perf_counter() - t) / k)
    one = statistics.median(rounds[1])
    rows = [{"key": "threads_1", "what": what, "device": "cpu", "threads": 1, "workers": 1, "seconds": one,
             "steps_per_s": 1 / one, "relative": 1.0, "status": "ok"}]
    if cores > 1:
        many = statistics.median(rounds[cores])
        rows.append({"key": f"threads_{cores}", "what": what, "device": "cpu", "threads": cores, "workers": 1,
                     "seconds": many, "steps_per_s": 1 / many, "relative": one / many, "status": "ok"})
    ctx = mp.get_context("spawn")
    barrier, queue = ctx.Barrier(cores), ctx.Queue()
    procs = [ctx.Process(target=_side_by_side_worker, args=(sizes, k * reps, barrier, queue)) for _ in range(cores)]
    try:
        for pr in procs:
            pr.start()
        walls = [queue.get(timeout=600) for _ in procs]
        for pr in procs:
            pr.join(timeout=60)
        per_step = max(walls) / (k * reps)  # every unit ran k·reps steps; the slowest sets the wall time
        rows.append({"key": f"side_by_side_{cores}", "what": what, "device": "cpu", "threads": 1, "workers": cores,
                     "seconds": per_step, "steps_per_s": cores / per_step, "relative": cores * one / per_step,
                     "status": "ok"})
    except Exception as e:  # noqa: BLE001 - a failed spawn is a row, not a crash
        rows.append({"key": f"side_by_side_{cores}", "what": what, "device": "cpu", "threads": 1, "workers": cores,
                     "status": f"side by side failed: {type(e).__name__}: {e}"})
    finally:
        for pr in procs:
            if pr.is_alive():
                pr.terminate()
    return rows


def achieved_rows(compare: list[dict], matmul: dict[int, float]) -> list[dict]:
    """Achieved GFLOP/s of each implementation's model rows (CPU), and its share of matmul at the same threads."""
    rows = []
    for r in compare:
        if r.get("status") != "ok" or not r["key"].endswith("_infer") or r["device"] != "cpu":
            continue
        for side in ("srrepro", "official"):
            s = r[f"{side}_s"]
            g = r["gflop"]
            ceiling = matmul.get(r["threads"], math.nan)
            rows.append({"key": f"{r['key']}_{side}", "what": f"{r['what']} ({side})", "device": "cpu",
                         "threads": r["threads"], "workers": 1, "seconds": s, "gflop": g, "gflops": g / s,
                         "relative": g / s / ceiling, "status": "ok"})
    return rows


# ------------------------------------------------------------------------------------------ the run
def loadavg() -> float:
    try:
        return round(os.getloadavg()[0], 2)
    except OSError:
        return math.nan


def run(official: str | os.PathLike | None = None, out: str | os.PathLike = OUT, quick: bool = False,
        threads: int | None = None, device: str = "auto", data_root=None, side_by_side: bool = True,
        log: Callable[[str], None] = print, pipeline: bool = False) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Measure everything, write ``out/compare.csv`` and ``out/machine.csv`` (``pipeline``: also
    ``out/pipeline.csv``, :mod:`srrepro.pipeline`), return the first two frames."""
    import torch

    from .train import cpu_cores, cpu_threads

    root = official_dir(official)
    sizes = QUICK if quick else FULL
    cores = cpu_cores()
    n = threads or cpu_threads()
    torch.set_num_threads(n)
    extra = dict(mode="quick" if quick else "full", loadavg_start=loadavg(), cores=cores,
                 torch_version=torch.__version__, official_dir=_shown(root))
    t0 = time.perf_counter()
    compare: list[dict] = []
    devices = ["cpu"]
    if device in ("auto", "cuda") and torch.cuda.is_available():
        devices.append("cuda:0")
    elif device.startswith("cuda"):
        devices = ["cpu", device]
    for dev in devices:
        for key in MODELS:
            log(f"bench: {MODELS[key][0]} on {dev} ...")
            compare += measure_model(key, root, sizes, dev, data_root)
    log("bench: imresize, PSNR/SSIM ...")
    compare += [measure_imresize(root, sizes), measure_metrics(root, sizes)]
    log("bench: matmul, conv, threads ...")
    machine = [measure_matmul(sizes, t) for t in sorted({1, n, cores})]
    for g in (1, 4):
        machine.append(measure_conv(sizes, n, g))
    machine += achieved_rows(compare, {r["threads"]: r["gflops"] for r in machine if r["key"].startswith("matmul")})
    if side_by_side:
        machine += measure_threads(sizes, cores)
    extra["bench_seconds"] = round(time.perf_counter() - t0, 1)
    extra["loadavg_end"] = loadavg()
    prov = provenance("bench", **extra)
    frames = []
    for name, rows, cols in ((COMPARE_CSV, compare, COMPARE_COLUMNS), (MACHINE_CSV, machine, MACHINE_COLUMNS)):
        df = pd.DataFrame(rows).reindex(columns=cols)
        for k, v in prov.items():
            df[k] = v
        df["torch_threads"] = df["threads"]
        buf = io.StringIO()
        df.to_csv(buf, index=False)
        atomic_write_text(Path(out) / name, buf.getvalue())
        frames.append(df)
    if pipeline:
        run_pipeline(out, quick, data_root, log)
    return frames[0], frames[1]


def run_pipeline(out: str | os.PathLike = OUT, quick: bool = False, data_root=None,
                 log: Callable[[str], None] = print) -> Path:
    """Measure the data pipeline alone (:mod:`srrepro.pipeline`) and write ``out/pipeline.csv`` with provenance."""
    import torch

    from .pipeline import PIPELINE_COLUMNS, PIPELINE_CSV, measure
    from .train import cpu_cores

    torch.set_num_threads(1)
    extra = dict(mode="quick" if quick else "full", loadavg_start=loadavg(), cores=cpu_cores(),
                 torch_version=torch.__version__)
    t0 = time.perf_counter()
    rows = measure(data_root, quick, log)
    extra.update(bench_seconds=round(time.perf_counter() - t0, 1), loadavg_end=loadavg())
    df = pd.DataFrame(rows).reindex(columns=PIPELINE_COLUMNS)
    path = Path(out) / PIPELINE_CSV
    measured = ["patches_per_s", "mpx_per_s"]
    if not df[measured].notna().any().any() and path.exists() \
            and pd.read_csv(path).reindex(columns=measured).notna().any().any():
        from .errors import SrreproError  # nothing measured never replaces what was

        first = df["status"].dropna().iloc[0] if df["status"].notna().any() else "no rows"
        raise SrreproError(f"the data pipeline measured nothing ({first}); {path} keeps its measurements")
    for k, v in provenance("bench", **extra).items():
        df[k] = v
    buf = io.StringIO()
    df.to_csv(buf, index=False)
    return atomic_write_text(path, buf.getvalue())


def summary(compare: pd.DataFrame) -> str:
    lines = []
    for r in compare.to_dict("records"):
        if r.get("status") != "ok":
            lines.append(f"{r['what']:<58} {r['device']:<8} {r['status']}")
            continue
        eq = "equal" if r["outputs_equal"] else f"DIFFER (max |Δ| {r['max_abs_diff']:.3g})"
        lines.append(f"{r['what']:<58} {r['device']:<8} srrepro {_secs(r['srrepro_s'])}  official "
                     f"{_secs(r['official_s'])}  ratio {r['ratio']:.2f}× [{r['ratio_q1']:.2f}–{r['ratio_q3']:.2f}]  "
                     f"CPU time {r['ratio_cpu']:.2f}×  {eq}")
    return "\n".join(lines)


def _secs(s: float) -> str:
    if not isinstance(s, (int, float)) or math.isnan(s):
        return "–"
    return f"{s * 1e3:.1f} ms" if s < 1 else f"{s:.2f} s"


# ------------------------------------------------------------------------------------------ the book page
PAGE_TITLE = "Speed: srrepro beside the official code"


def _read(path: Path) -> pd.DataFrame | None:
    return pd.read_csv(path) if path.is_file() else None


def _md(text) -> str:
    import html

    return html.escape(str(text), quote=False).replace("|", "\\|")


def _nan(v) -> bool:
    return not isinstance(v, (int, float)) or math.isnan(v)


def _ok(r: dict) -> bool:
    return r.get("status") == "ok"


def _interval(r: dict) -> tuple[float, float]:
    """The row's 95 % interval of the median ratio (CSVs written before it existed: the quartiles)."""
    if not _nan(r.get("ratio_lo")) and not _nan(r.get("ratio_hi")):
        return r["ratio_lo"], r["ratio_hi"]
    return r["ratio_q1"], r["ratio_q3"]


def verdict_sentence(rows: list[dict]) -> str:
    """One sentence on the CPU ratios, judged by each row's 95 % interval of the median ratio: *slower* only when
    the interval lies below 1, *at parity* when it contains 1. Where both sides run the same PyTorch operators (and
    the outputs are equal to the bit) parity is the expected result: a median just below 1 is noise, not a finding."""
    ok = [r for r in rows if _ok(r) and r["device"] == "cpu"]
    if not ok:
        return "Nothing was compared on the CPU (the official code is absent: see the rows above)."
    slower = [r for r in ok if _interval(r)[1] < 1.0]
    parity = [r for r in ok if _interval(r)[0] <= 1.0 <= _interval(r)[1]]
    span = f"ratios {min(r['ratio'] for r in ok):.2f}–{max(r['ratio'] for r in ok):.2f}×"
    if slower:
        return (f"On this machine srrepro is slower than the official code in: "
                f"{'; '.join(_md(r['what']) for r in slower)} ({span}; the 95 % interval of the median ratio lies "
                f"below 1).")
    if parity:
        return (f"On this machine srrepro is not slower than the official code in any row: faster where the 95 % "
                f"interval of the median ratio lies above 1, at parity (the interval contains 1) in "
                f"{'; '.join(_md(r['what']) for r in parity)} ({span}).")
    return f"On this machine srrepro is faster than the official code in every row ({span}; every interval above 1)."


def page(bench_dir: str | os.PathLike = OUT, csv_prefix: str | None = None) -> str | None:
    """The book page (MyST markdown) from ``bench_dir/*.csv``; None when there is no ``compare.csv``.
    ``csv_prefix``: the link prefix of the raw CSVs beside the page (None: no links)."""
    bench_dir = Path(bench_dir)
    cmp_df, mach_df = _read(bench_dir / COMPARE_CSV), _read(bench_dir / MACHINE_CSV)
    if cmp_df is None or cmp_df.empty:
        return None
    rows = cmp_df.to_dict("records")
    first = rows[0]
    L = [f"# {PAGE_TITLE}", ""]
    if first.get("mode") == "quick":
        L += ["```{warning}", "These numbers come from `--quick` (tiny inputs, two rounds): they test the bench, "
              "not the speed. Run `make bench`.", "```", ""]
    L += ["srrepro's models and protocol functions beside the official implementations, run in one process on the "
          "same weights and inputs by `make bench`. **ratio** = official time ÷ srrepro time (≥ 1: srrepro is as "
          "fast or faster), the median of the per-round ratios, the rounds alternating which side runs first; "
          "*CPU-time ratio*: the same from the process's CPU time, which a busy machine disturbs less. *outputs* "
          "compares what both return.", "",
          "| what | device | srrepro | official | ratio | CPU-time ratio | outputs |",
          "|---|---|---|---|---|---|---|"]
    for r in rows:
        if _ok(r):
            eq = "equal" if bool(r["outputs_equal"]) else "**differ**"
            eq += " (bit for bit)" if bool(r["outputs_equal"]) and float(r["max_abs_diff"]) == 0 else \
                f" (max \\|Δ\\| {float(r['max_abs_diff']):.2g})"
            cr = f"{r['ratio_cpu']:.2f}×" if not _nan(r.get("ratio_cpu")) else "–"
            L.append(f"| {_md(r['what'])} | {_md(r['device'])} | {_secs(r['srrepro_s'])} | "
                     f"{_secs(r['official_s'])} | **{r['ratio']:.2f}×** | {cr} | {eq} |")
        else:
            L.append(f"| {_md(r['what'])} | {_md(r['device'])} | – | – | – | – | "
                     f"not measured: {_md(r['status'])} |")
    L += ["", verdict_sentence(rows), "",
          "A *training step* has the same math on both sides (L1 loss, Adam at the official learning rate, gradient "
          "norm clipped at 10) and runs each side's optimizer code: srrepro's loop updates and clips all tensors in "
          "foreach form, the official trainers call `torch.optim.Adam` and `clip_grad_norm_` with PyTorch's defaults "
          "(one tensor at a time on CPU). Both give the same weights to the bit on CPU, so that part of a ratio is "
          "overhead only. OverNet's trainer uses AdamP, which is not a dependency here: Adam stands in for it.", "",
          "Where the work differs, with equal results: srrepro's `PixelShuffle` is a view, a permute and one copy "
          "(ATen's values and gradients to the bit, 1.3–1.7× faster than ATen's CPU kernel at these shapes); its "
          "OverNet computes each weight-normalised weight once per change of the weights at inference (the released "
          "code recomputes it on every call), with the released code's fused kernel when `official=True`. "
          "Everything else runs the same PyTorch operators on both sides."]
    L += ["", "## The machine", "",
          f"- **{_md(first['machine'])}**, {int(first['cores'])} cores; torch {_md(first['torch_version'])}, "
          f"{int(first['threads'])} intra-op thread{'s' if int(first['threads']) != 1 else ''} for the comparisons",
          f"- measured {_md(first['computed_at'])} at commit `{_md(first['git_commit'])}`"
          f"{' (uncommitted changes)' if str(first.get('git_dirty')) == 'True' else ''}, in "
          f"{float(first['bench_seconds']):.0f} s; 1-minute load average {first['loadavg_start']} at the start, "
          f"{first['loadavg_end']} at the end (above the core count, other work shared the machine and the ratios "
          f"are noisy: see the intervals below)",
          f"- {_md(first['packages'])}, Python {_md(first['python'])}"]
    files: dict[tuple[str, str], list[str]] = {}
    for r in rows:
        if _ok(r):
            repo, *fs = str(r["official_source"]).split()
            files.setdefault((repo.split("@")[0], str(r["official_commit"])), [])
            files[(repo.split("@")[0], str(r["official_commit"]))] += [f for f in fs if f not in files[
                (repo.split("@")[0], str(r["official_commit"]))]]
    for (repo, commit), fs in sorted(files.items()):
        L.append(f"- official code: {_md(repo)} at `{_md(commit[:12])}` ({', '.join(f'`{_md(f)}`' for f in fs)})")
    L += ["", "## Details", "",
          "| what | device | threads | rounds | ratio, 95 % interval | ratio quartiles | CPU time srrepro / official | "
          "GFLOP per call |",
          "|---|---|---|---|---|---|---|---|"]
    notes = []
    for r in rows:
        if not _ok(r):
            continue
        g = f"{r['gflop']:.2f}" if not _nan(r.get("gflop")) else "–"
        lo, hi = _interval(r)
        L.append(f"| {_md(r['what'])} | {_md(r['device'])} | {int(r['threads'])} | {int(r['repeats'])} | "
                 f"{r['ratio']:.2f} [{lo:.2f}–{hi:.2f}] | {r['ratio_q1']:.2f}–{r['ratio_q3']:.2f} | {_secs(r['srrepro_cpu_s'])} / "
                 f"{_secs(r['official_cpu_s'])} | {g} |")
        w = r.get("weights")
        note = f"- {_md(r['what'])}: {_md(r['compared'])}"
        note += f"; weights: {_md(w)}" if isinstance(w, str) and w else ""
        if note not in notes:
            notes.append(note)
    if notes:
        L += ["", "What *outputs* compares, row by row:", "", *notes]
    gpu = [r for r in rows if _ok(r) and str(r["device"]).startswith("cuda")]
    if not gpu:
        L += ["", "No GPU on this machine: on a CUDA machine `make bench` adds the same model rows on the GPU, with "
              "absolute times."]
    if mach_df is not None and not mach_df.empty:
        m = mach_df.to_dict("records")
        flops = [r for r in m if _ok(r) and not str(r["key"]).startswith(("threads_", "side_by_side_"))]
        if flops:
            ceilings = {int(r["threads"]): r["gflops"] for r in flops if str(r["key"]).startswith("matmul")}
            L += ["", "## Arithmetic throughput", "",
                  "Convolutions against the machine's matmul throughput (the ceiling for float32 arithmetic here): "
                  "*share* is the achieved GFLOP/s over matmul's at the same thread count. Grouped 3×3 convolutions "
                  "(CARN-M's blocks and up-samplers, OverNet's up-sampler) do fewer FLOPs per byte than plain ones "
                  "and reach a smaller share.", "",
                  "| what | threads | time | GFLOP/s | share of matmul |", "|---|---|---|---|---|"]
            for r in flops:
                share = r["gflops"] / ceilings.get(int(r["threads"]), math.nan)
                L.append(f"| {_md(r['what'])} | {int(r['threads'])} | {_secs(r['seconds'])} | {r['gflops']:.1f} | "
                         + (f"{share:.0%} |" if not math.isnan(share) else "– |"))
        thr = [r for r in m if str(r["key"]).startswith(("threads_", "side_by_side_"))]
        if thr:
            L += ["", "## Threads and units side by side", "",
                  f"{_md(thr[0]['what'])}: one process at 1 thread and at one thread per core, and one single-thread "
                  "process per core started together (how the study runs a table's units). *speed-up* is steps per "
                  "second over the 1-thread process.", "",
                  "| how | processes × threads | time per step | steps/s | speed-up |", "|---|---|---|---|---|"]
            for r in thr:
                how = ("units side by side" if str(r["key"]).startswith("side_by_side")
                       else f"one process, {int(r['threads'])} thread{'s' if int(r['threads']) > 1 else ''}")
                if _ok(r):
                    L.append(f"| {how} | {int(r['workers'])} × {int(r['threads'])} | {_secs(r['seconds'])} | "
                             f"{r['steps_per_s']:.2f} | {r['relative']:.2f}× |")
                else:
                    L.append(f"| {how} | – | – | – | {_md(r['status'])} |")
    from .pipeline import PIPELINE_CSV, page_section

    L += page_section(_read(bench_dir / PIPELINE_CSV))
    L += ["", "## How to re-run", "",
          "```bash",
          *(clone_command(k, Path("official")) for k in OFFICIAL),
          CV2_HINT.format(dir="official").replace("pip", ".venv/bin/pip", 1) + "   # BasicSR's metrics import OpenCV",
          "make bench   # → results/bench/compare.csv, machine.csv, pipeline.csv (BENCH_ARGS=--quick: a smoke test)",
          "```", "",
          "The official code is imported by file path for the measurement only (never installed or committed; "
          "`official/` is git-ignored, `--official DIR` or `$SRREPRO_OFFICIAL` points elsewhere). A missing piece "
          "turns its rows into a one-line note with the command that gets it, and the rest is measured."]
    if csv_prefix is not None:
        links = [f'<a href="{csv_prefix}bench_{name}">{name}</a>' for name in (COMPARE_CSV, MACHINE_CSV, PIPELINE_CSV)
                 if (bench_dir / name).is_file()]
        L += ["", f"Raw rows: {', '.join(links)} (results/bench/)."]
    return "\n".join(L) + "\n"


# ------------------------------------------------------------------------------------------ CLI
def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m srrepro.bench", description=__doc__.splitlines()[0])
    ap.add_argument("--official", default=None, help="folder of the official clones (default $SRREPRO_OFFICIAL, "
                                                     "else ./official)")
    ap.add_argument("--out", default=None, help="where the CSVs go (default results/bench; with --quick a temporary "
                                                "folder, so a smoke test never replaces a measurement)")
    ap.add_argument("--quick", action="store_true", help="tiny inputs, two rounds: tests the bench, not the speed")
    ap.add_argument("--threads", type=int, default=None, help="intra-op threads for the comparisons (default: the "
                                                              "study's policy, one per core)")
    ap.add_argument("--device", default="auto", help="auto (adds cuda:0 when there is one), cpu, cuda, cuda:N")
    ap.add_argument("--data", default=None, help="data root for carn_m.pth (default $SRREPRO_DATA, else ./data)")
    ap.add_argument("--no-side-by-side", action="store_true", help="skip the units-side-by-side row")
    ap.add_argument("--no-pipeline", action="store_true", help="skip the data-pipeline rows (pipeline.csv)")
    ap.add_argument("--pipeline-only", action="store_true", help="measure the data pipeline alone: write "
                    "pipeline.csv, keep compare.csv and machine.csv")
    args = ap.parse_args(argv)
    if args.out is None:
        args.out = tempfile.mkdtemp(prefix="srrepro-bench-") if args.quick else str(OUT)
    log = lambda s: print(s, file=sys.stderr, flush=True)  # noqa: E731
    if args.pipeline_only:
        path = run_pipeline(args.out, args.quick, args.data, log)
        print(f"wrote {path}")
        return 0
    compare, machine = run(args.official, args.out, args.quick, args.threads, args.device, args.data,
                           not args.no_side_by_side, log=log, pipeline=not args.no_pipeline)
    print(summary(compare))
    print(f"wrote {Path(args.out) / COMPARE_CSV} and {Path(args.out) / MACHINE_CSV} "
          f"({_dt.datetime.now().strftime('%H:%M:%S')})")
    return 0


if __name__ == "__main__":
    from .errors import SrreproError

    try:
        sys.exit(main())
    except SrreproError as e:  # bad input or nothing measured: one line, results kept
        print(f"bench: error: {e}", file=sys.stderr)
        sys.exit(2)
