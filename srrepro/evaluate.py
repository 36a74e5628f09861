"""The one evaluation loop: (LR, HR) pairs under the MATLAB protocol → SR → uint8 → Y-PSNR/SSIM per image."""
from __future__ import annotations

import math
from functools import lru_cache

import numpy as np
import pandas as pd

from . import data as _data
from .degrade import degrade, imresize
from .metrics import score, to_uint8

__all__ = ["make_pair", "pairs", "super_resolve", "evaluate", "evaluate_bicubic", "hr_crop_shape"]


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


def forward_x8(model, x, scale):
    """EDSR's ``forward_x8``: 8 flips/transposes, inverse-transformed, mean of the float outputs."""
    import torch

    outs = []
    for t in range(8):
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


def super_resolve(model, lr: np.ndarray, scale: float, device="cpu", self_ensemble: bool = False,
                  out_shape: tuple[int, int] | None = None) -> np.ndarray:
    """Whole-image inference; returns the uint8 H×W×3 SR image a paper would have saved.

    ``self_ensemble``: EDSR's ×8 geometric ensemble (flips and transpose; mean of the float outputs, then
    quantized).
    """
    import torch

    x = _to_tensor(lr, device)
    with torch.inference_mode():
        y = forward_x8(model, x, scale) if self_ensemble else model(x, scale)
    sr = to_uint8(y[0])
    if out_shape is not None and sr.shape[:2] != tuple(out_shape):
        raise RuntimeError(f"model output {sr.shape[:2]} does not match HR {tuple(out_shape)} at ×{scale}")
    return sr


def evaluate(model, dataset: str, scale: float, degradation: str = "BI", device="cpu", root=None,
             self_ensemble: bool = False, y: str = "float", limit: int | None = None, seed: int = 0,
             progress: bool = False, **degrade_kw) -> pd.DataFrame:
    """Score ``model`` on ``dataset`` at ``scale``: one row per image (image, psnr, ssim).

    ``degrade_kw`` go to :func:`srrepro.degrade.degrade` (e.g. ``bd_order="bicubic_first"``).
    """
    from tqdm.auto import tqdm

    model.eval()
    rows = []
    items = pairs(dataset, scale, degradation, root=root, seed=seed, limit=limit, **degrade_kw)
    for name, lr, hr in tqdm(items, desc=f"{dataset} ×{scale:g}", disable=not progress, leave=False):
        sr = super_resolve(model, lr, scale, device, self_ensemble, out_shape=hr.shape[:2])
        rows.append({"image": name, **score(sr, hr, math.ceil(scale), y)})
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
