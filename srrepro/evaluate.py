"""The one evaluation loop: (LR, HR) pairs under the MATLAB protocol → SR → uint8 → Y-PSNR/SSIM per image."""
from __future__ import annotations

import math
import os
import warnings
import weakref
from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache

import numpy as np
import pandas as pd

from . import data as _data
from .degrade import degrade, imresize
from .metrics import score, to_uint8

__all__ = ["make_pair", "pairs", "super_resolve", "evaluate", "evaluate_bicubic", "hr_crop_shape", "tiled_forward",
           "plan_tiles", "footprint", "Footprint", "memory_budget", "TilingError"]


def hr_crop_shape(shape: tuple[int, ...], scale: float) -> tuple[tuple[int, int], tuple[int, int]]:
    """(HR crop, LR size) for ``scale``: integer scales mod-crop; a float scale r keeps LR = floor(H/r) and
    crops HR to round(LR·r), the size an arbitrary-scale model outputs for that LR."""
    h, w = shape[:2]
    if float(scale).is_integer():
        s = int(scale)
        return (h - h % s, w - w % s), (h // s, w // s)
    lr = (int(h // scale), int(w // scale))
    return (round(lr[0] * scale), round(lr[1] * scale)), lr


def make_pair(hr: np.ndarray, scale: float, degradation: str = "BI", seed: int = 0, **kw) -> tuple[np.ndarray, np.ndarray]:
    """(LR, cropped HR) of one uint8 HR image."""
    (hh, hw), lr_shape = hr_crop_shape(hr.shape, scale)
    hr = hr[:hh, :hw]
    if float(scale).is_integer():
        return degrade(hr, int(scale), degradation, seed=seed, **kw), hr
    if degradation != "BI":
        raise ValueError(f"degradation {degradation} is defined for integer scales only (got ×{scale})")
    return imresize(hr, scale=1 / scale, output_shape=lr_shape), hr


@lru_cache(maxsize=64)
def _pairs_cached(dataset: str, root: str, scale: float, degradation: str, seed: int, limit, kw: tuple):
    out = []
    for name, hr in _data.load_images(dataset, root, limit=limit):
        lr, hr_c = make_pair(hr, scale, degradation, seed=seed, **dict(kw))
        lr.setflags(write=False)
        out.append((name, lr, hr_c))
    return tuple(out)


def pairs(dataset: str, scale: float, degradation: str = "BI", root=None, seed: int = 0, limit: int | None = None,
          **kw) -> list[tuple[str, np.ndarray, np.ndarray]]:
    """``[(name, LR uint8, HR uint8)]``, degraded once per process and cached."""
    root = str(_data.data_root(root).resolve())
    return list(_pairs_cached(dataset, root, float(scale), degradation, seed, limit, tuple(sorted(kw.items()))))


def _to_tensor(img: np.ndarray, device):
    import torch

    if img.ndim == 2:  # greyscale: the models are RGB, so feed R = G = B
        img = np.repeat(img[..., None], 3, axis=2)
    return torch.from_numpy(np.ascontiguousarray(img.transpose(2, 0, 1))).float().div_(255).unsqueeze(0).to(device)


ENSEMBLE_SIZES = (1, 2, 4, 8)


def ensemble_size(self_ensemble) -> int:
    """``self_ensemble`` as a number of transforms: False → 1, True → 8 (EDSR+), or 1 / 2 / 4 / 8."""
    n = 8 if self_ensemble is True else 1 if self_ensemble is False else int(self_ensemble)
    if n not in ENSEMBLE_SIZES or (not isinstance(self_ensemble, bool) and n != self_ensemble):
        raise ValueError(f"self_ensemble must be False, True or one of {ENSEMBLE_SIZES}; got {self_ensemble!r}")
    return n


def forward_x8(model, x, scale, n: int = 8):
    """EDSR's ``forward_x8``: flips/transposes, inverse-transformed, mean of the float outputs. ``n`` = 2 / 4 / 8
    takes the first n transforms in EDSR-PyTorch's order — its 'v' (a flip of the width axis), then 'h' (the
    height axis), then 't' (transpose) — the slides' ×2 "vertical flip", ×4 "flip" and ×8 "flip + rotation"."""
    import torch

    outs = []
    for t in range(n):
        xt = x
        if t & 1:
            xt = xt.flip(-1)
        if t & 2:
            xt = xt.flip(-2)
        if t & 4:
            xt = xt.transpose(-1, -2)
        yt = model(xt.contiguous(), scale)
        if t & 4:
            yt = yt.transpose(-1, -2)
        if t & 2:
            yt = yt.flip(-2)
        if t & 1:
            yt = yt.flip(-1)
        outs.append(yt)
    return torch.stack(outs).mean(0)


# ----------------------------------------------------------------------------------------------- tiled inference
class TilingError(ValueError):
    """Tiled inference would not give the whole-image result (a global operation, or an unaligned float scale)."""


_GLOBAL_REDUCTIONS = {"mean", "sum", "amax", "amin", "std", "var", "norm", "logsumexp", "max", "min", "median"}


@dataclass
class Footprint:
    """What one forward of a model costs and sees, per LR pixel, traced on a small probe input.

    ``radius``: an upper bound on the receptive-field radius in LR pixels (the sum over every call of every
    spatial operation — conv, unfold, pooling, resize — of its radius, each in LR pixels: a 3×3 conv at ×2 HR
    counts ½); the longest path through the network is one subset of those calls, so the true radius is at most
    this. ``global_op``: the first operation that pools over the whole image (squeeze-and-excitation, channel
    attention, a global skip), or None. ``bytes_per_px``: the largest single operation's tensors (inputs +
    output, parameters excluded) per LR pixel, doubled for what else is alive: an activation-memory estimate.
    """
    radius: float
    global_op: str | None
    bytes_per_px: float

    def estimate_bytes(self, h: int, w: int) -> float:
        return self.bytes_per_px * h * w


def _probe_mode(lr_h: int):
    import torch
    from torch.overrides import TorchFunctionMode

    class Probe(TorchFunctionMode):
        def __init__(self):
            super().__init__()
            self.radius, self.global_op, self.peak = 0.0, None, 0

        @staticmethod
        def _spatial(t) -> bool:  # an image-sized activation, not a weight or a position table
            return (isinstance(t, torch.Tensor) and not isinstance(t, torch.nn.Parameter) and t.ndim >= 3
                    and t.shape[-2] >= lr_h // 4 and t.shape[-1] >= lr_h // 4)

        def __torch_function__(self, func, types, args=(), kwargs=None):
            kwargs = kwargs or {}
            out = func(*args, **kwargs)
            name = getattr(func, "__name__", "")
            x = args[0] if args else kwargs.get("input")
            if not self._spatial(x):
                return out
            per_lr = lr_h / x.shape[-2]  # LR pixels per pixel of this tensor
            if name in ("conv1d", "conv2d", "conv3d", "conv_transpose2d"):
                weight = args[1] if len(args) > 1 else kwargs["weight"]
                dil = kwargs.get("dilation", args[5] if len(args) > 5 and name != "conv_transpose2d" else 1)
                dil = max(dil) if isinstance(dil, (tuple, list)) else dil
                self.radius += max(weight.shape[-2:]) // 2 * dil * per_lr
            elif name == "unfold":
                k = args[1] if len(args) > 1 else kwargs["kernel_size"]
                self.radius += (max(k) if isinstance(k, (tuple, list)) else k) // 2 * per_lr
            elif name in ("interpolate", "upsample", "upsample_bilinear", "upsample_nearest"):
                shrink = max(1.0, x.shape[-2] / out.shape[-2]) if isinstance(out, torch.Tensor) else 1.0
                self.radius += 2 * shrink * per_lr  # bicubic: 4 taps (a wider kernel when antialiased down)
            elif name in ("avg_pool2d", "max_pool2d", "lp_pool2d"):
                k = args[1] if len(args) > 1 else kwargs["kernel_size"]
                self.radius += (max(k) if isinstance(k, (tuple, list)) else k) * per_lr
            elif name.startswith("adaptive_") or name in ("grid_sample", "fft_fft2", "fft_rfft2"):
                if isinstance(out, torch.Tensor) and (out.shape[-2] < x.shape[-2] or name in ("grid_sample",)):
                    self.global_op = self.global_op or name
            elif name in _GLOBAL_REDUCTIONS and not (len(args) > 1 and isinstance(args[1], torch.Tensor)) \
                    and "other" not in kwargs:  # max(a, b) / min(a, b) are elementwise
                dim = kwargs.get("dim", args[1] if len(args) > 1 else None)
                dims = range(x.ndim) if dim is None else (dim if isinstance(dim, (tuple, list)) else (dim,))
                if any(isinstance(d, int) and d % x.ndim >= x.ndim - 2 for d in dims):
                    self.global_op = self.global_op or f"{name} over the image"
            outs = out if isinstance(out, (tuple, list)) else (out,)
            elems = sum(t.numel() * t.element_size() for t in (*args, *outs) if self._spatial(t))
            self.peak = max(self.peak, elems)
            return out

    return Probe()


_FOOTPRINTS: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()
PROBE_SIDE = 24  # LR side of the probe input: small (one cheap forward), large enough that 3×3 weights are not images


def footprint(model, scale: float, device="cpu") -> Footprint:
    """The model's :class:`Footprint` at ``scale`` (one forward on a PROBE_SIDE² LR input; cached per model)."""
    import torch

    key = (float(scale), str(device))
    cache = _FOOTPRINTS.setdefault(model, {})
    if key not in cache:
        side = PROBE_SIDE
        probe = _probe_mode(side)
        x = torch.rand(1, 3, side, side, generator=torch.Generator().manual_seed(0)).to(device)
        with torch.inference_mode(), probe:
            model(x, scale)
        cache[key] = Footprint(probe.radius, probe.global_op, 2.0 * probe.peak / side**2)
    return cache[key]


def _grid_unit(scale: float) -> tuple[int, int]:
    """(q, p): LR tile boundaries are multiples of q so that they fall on HR pixel q·s = p exactly (s = p/q)."""
    frac = Fraction(float(scale)).limit_denominator(64)
    if abs(float(frac) - float(scale)) > 1e-9 * max(1.0, float(scale)):
        raise TilingError(f"×{scale:g} is not p/q with q ≤ 64: no LR tile boundary falls on an exact HR pixel, so "
                          f"tiles cannot reproduce the whole image; use tile=0 (whole image)")
    return frac.denominator, frac.numerator


def _spans(n: int, core: int, overlap: int, q: int) -> list[tuple[int, int, int, int]]:
    """[(core start, core end, tile start, tile end)] along one axis of ``n`` LR pixels; starts are multiples of q."""
    core = max(q, core - core % q)
    overlap = -(-overlap // q) * q
    out = []
    for c0 in range(0, n, core):
        c1 = min(n, c0 + core)
        out.append((c0, c1, max(0, c0 - overlap), min(n, c1 + overlap)))
    return out


def tiled_forward(fn, x, scale: float, tile: int, overlap: int):
    """``fn(x)`` (N×C×h×w → N×C×H×W) computed tile by tile: cores of ``tile`` LR pixels, each run with ``overlap``
    LR pixels of context on every side (clipped at the image border) and only the core's HR pixels kept.

    With ``overlap`` ≥ the model's receptive-field radius every kept pixel sees exactly the inputs it sees in the
    whole image, so the output equals the whole-image output up to float summation order (tested: within 1e-4 dB
    PSNR). Float scales: tile boundaries sit on multiples of q for ``scale = p/q`` (q ≤ 64), where LR pixel b maps to
    the HR pixel b·p/q exactly; other scales raise :class:`TilingError`. The last core of a row or column ends where
    the model's output ends (``round(h·s)`` for the arbitrary-scale models).
    """
    import torch

    q, p = _grid_unit(scale)
    _, _, h, w = x.shape
    rows = []
    for r0, r1, t0, t1 in _spans(h, tile, overlap, q):
        row = []
        for c0, c1, u0, u1 in _spans(w, tile, overlap, q):
            y = fn(x[..., t0:t1, u0:u1])
            ys, xs = (r0 - t0) * p // q, (c0 - u0) * p // q
            ye = y.shape[-2] if r1 == h else (r1 - t0) * p // q
            xe = y.shape[-1] if c1 == w else (c1 - u0) * p // q
            if ye > y.shape[-2] or xe > y.shape[-1]:
                raise TilingError(f"a {t1 - t0}×{u1 - u0} tile gave {tuple(y.shape[-2:])} at ×{scale:g}, smaller "
                                  f"than the HR pixels it covers")
            row.append(y[..., ys:ye, xs:xe])
        rows.append(torch.cat(row, dim=-1))
    return torch.cat(rows, dim=-2)


def memory_budget(device="cpu") -> float:
    """Bytes of activations one forward may use before :func:`super_resolve` tiles: $SRREPRO_TILE_BUDGET_GB, else
    70 % of the free CUDA memory, else half the available RAM (MemAvailable), else 8 GB."""
    import torch

    if os.environ.get("SRREPRO_TILE_BUDGET_GB"):
        return float(os.environ["SRREPRO_TILE_BUDGET_GB"]) * 2**30
    device = torch.device(device)
    if device.type == "cuda":
        return 0.7 * torch.cuda.mem_get_info(device)[0]
    try:
        for line in open("/proc/meminfo"):
            if line.startswith("MemAvailable:"):
                return 0.5 * int(line.split()[1]) * 1024
    except OSError:
        pass
    return 8.0 * 2**30


def _width_bound(model, scale: float) -> float:
    """A cheap upper bound on activation bytes per LR pixel from the model's widest conv (every conv taken at HR)."""
    import torch

    widest = max((m.in_channels + m.out_channels for m in model.modules() if isinstance(m, torch.nn.Conv2d)),
                 default=64)
    return 2.0 * 4 * widest * math.ceil(scale) ** 2


def plan_tiles(model, lr_shape: tuple[int, int], scale: float, device="cpu", tile: int | None = None,
               tile_overlap: int | None = None, budget: float | None = None) -> tuple[int, int] | None:
    """(tile, overlap) in LR pixels for :func:`super_resolve`, or None for whole-image inference.

    ``tile=None``: automatic — whole image unless the estimated activation memory (:class:`Footprint`) exceeds
    ``budget`` (:func:`memory_budget`), and never for a model with a global operation (whole image then, with a
    warning). ``tile=0``: whole image. ``tile=N``: cores of N LR pixels (a model with a global operation raises
    :class:`TilingError`). ``tile_overlap`` default: the receptive-field bound, rounded up.
    """
    h, w = lr_shape
    if tile == 0:
        return None
    if tile is None:
        budget = memory_budget(device) if budget is None else budget
        if _width_bound(model, scale) * h * w <= budget:
            return None  # the usual case: no probe, the whole-image path as before
        try:
            fp = footprint(model, scale, device)
        except Exception as e:  # a model the probe cannot run: whole image, as before
            warnings.warn(f"cannot trace {type(model).__name__} for tiling ({type(e).__name__}: {e}); whole image")
            return None
        if fp.estimate_bytes(h, w) <= budget:
            return None
        if fp.global_op:
            warnings.warn(f"{type(model).__name__} needs about {fp.estimate_bytes(h, w) / 2**30:.1f} GiB for a "
                          f"{h}×{w} image (budget {budget / 2**30:.1f}) but cannot be tiled exactly ({fp.global_op} "
                          f"pools over the whole image): whole image")
            return None
        overlap = math.ceil(fp.radius) if tile_overlap is None else tile_overlap
        side = math.isqrt(int(budget / fp.bytes_per_px))  # largest tile (core + 2·overlap) within the budget
        return max(16, side - 2 * overlap), overlap
    fp = footprint(model, scale, device)
    if fp.global_op:
        raise TilingError(f"{type(model).__name__} cannot be tiled exactly: {fp.global_op} pools over the whole "
                          f"image, so tiles would change every output pixel; use tile=0 (whole image)")
    return int(tile), math.ceil(fp.radius) if tile_overlap is None else int(tile_overlap)


def super_resolve(model, lr: np.ndarray, scale: float, device="cpu", self_ensemble: bool | int = False,
                  out_shape: tuple[int, int] | None = None, tile: int | None = None,
                  tile_overlap: int | None = None, forward_kw: dict | None = None) -> np.ndarray:
    """Whole-image inference (tiled only when the image would not fit); returns the uint8 H×W×3 SR image a paper
    would have saved.

    ``self_ensemble``: EDSR's ×8 geometric ensemble (flips and transpose; mean of the float outputs, then
    quantized); 2 or 4 for the slides' smaller ensembles (:func:`forward_x8`).
    ``tile``: None (default) = whole image unless its estimated activation memory exceeds :func:`memory_budget`
    (then tiles with an overlap of the receptive-field bound, equal to whole-image within 1e-4 dB); 0 = always the
    whole image; N = tiles of N LR pixels. Models with a global operation (OverNet's and ASDN's squeeze-excitation,
    RCAN's channel attention) are never tiled automatically and raise :class:`TilingError` when asked. Float scales
    tile only when ``scale = p/q`` with q ≤ 64 (boundaries on multiples of q), see :func:`tiled_forward`.
    ``tile_overlap``: LR pixels of context per side (default: the receptive-field bound of :class:`Footprint`).
    ``forward_kw``: further keyword arguments of the model's forward (ASDN's ``ratios`` of a recursive deployment).
    """
    import torch

    x = _to_tensor(lr, device)
    plan = plan_tiles(model, lr.shape[:2], scale, device, tile, tile_overlap)
    n = ensemble_size(self_ensemble)
    kw = dict(forward_kw or {})
    fn = (lambda t: forward_x8(model, t, scale, n)) if n > 1 else (lambda t: model(t, scale, **kw))
    with torch.inference_mode():
        y = fn(x) if plan is None else tiled_forward(fn, x, scale, *plan)
    sr = to_uint8(y[0])
    if out_shape is not None and sr.shape[:2] != tuple(out_shape):
        raise RuntimeError(f"model output {sr.shape[:2]} does not match HR {tuple(out_shape)} at ×{scale}")
    return sr


def evaluate(model, dataset: str, scale: float, degradation: str = "BI", device="cpu", root=None,
             self_ensemble: bool | int = False, y: str = "float", limit: int | None = None, seed: int = 0,
             progress: bool = False, tile: int | None = None, tile_overlap: int | None = None,
             metrics: tuple = ("psnr", "ssim"), forward_kw: dict | None = None, **degrade_kw) -> pd.DataFrame:
    """Score ``model`` on ``dataset`` at ``scale``: one row per image (image, psnr, ssim, + ``metrics``' others).

    ``metrics`` may add ``"lpips"`` (AlexNet v0.1, :mod:`srrepro.perceptual`) and ``"niqe"`` (:mod:`srrepro.niqe`),
    both with the PSNR border (``ceil(scale)`` pixels shaved), on the uint8 SR image.
    ``tile``, ``tile_overlap``: see :func:`super_resolve` (default: whole image unless it would not fit).
    ``degrade_kw`` go to :func:`srrepro.degrade.degrade` (e.g. ``bd_order="bicubic_first"``); ``forward_kw`` to the
    model's forward (:func:`super_resolve`).
    """
    from tqdm.auto import tqdm

    unknown = set(metrics) - {"psnr", "ssim", "lpips", "niqe"}
    if unknown:
        raise ValueError(f"unknown metric(s) {sorted(unknown)}; valid: psnr, ssim, lpips, niqe")
    model.eval()
    rows = []
    border = math.ceil(scale)
    items = pairs(dataset, scale, degradation, root=root, seed=seed, limit=limit, **degrade_kw)
    for name, lr, hr in tqdm(items, desc=f"{dataset} ×{scale:g}", disable=not progress, leave=False):
        sr = super_resolve(model, lr, scale, device, self_ensemble, out_shape=hr.shape[:2], tile=tile,
                           tile_overlap=tile_overlap, forward_kw=forward_kw)
        row = {"image": name, **score(sr, hr, border, y)}
        if "lpips" in metrics:
            from .perceptual import lpips_distance

            row["lpips"] = lpips_distance(sr, hr, border, root=root)
        if "niqe" in metrics:
            from .niqe import niqe

            row["niqe"] = niqe(sr, border, root=root)
        rows.append(row)
    return pd.DataFrame(rows)


def evaluate_bicubic(dataset: str, scale: float, degradation: str = "BI", root=None,
                     y: str | tuple[str, ...] = "float", limit: int | None = None, seed: int = 0,
                     **kw) -> pd.DataFrame:
    """The bicubic baseline: MATLAB ``imresize(LR, s, 'bicubic')`` to the HR size, scored like any model.

    ``y`` may name several Y variants: the SR image is made once and scored with each (column ``y``).
    """
    rows = []
    for name, lr, hr in pairs(dataset, scale, degradation, root=root, seed=seed, limit=limit, **kw):
        sr = imresize(lr, scale=scale, output_shape=hr.shape[:2])
        for variant in (y,) if isinstance(y, str) else y:
            rows.append({"image": name, "y": variant, **score(sr, hr, math.ceil(scale), variant)})
    return pd.DataFrame(rows)
