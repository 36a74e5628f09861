"""PSNR and SSIM exactly as the papers' MATLAB scripts compute them.

* Y channel of MATLAB ``rgb2ycbcr`` (BT.601, Y in [16, 235]); greyscale images are scored on their grey values
  as they are (never replicated to RGB and converted, which would shift PSNR by ≈1.3 dB on those images).
* ``border = scale`` pixels shaved on every side before scoring.
* Two Y variants are used by the papers: ``y="float"`` = ``rgb2ycbcr(im2double(img))·255`` (EDSR, RCAN,
  s-LWSR, ASDN scripts) and ``y="uint8"`` = ``rgb2ycbcr(uint8 img)``, rounded to integers (the SelfExSR
  ``compute_difference.m`` used for CARN/PCARN).
* SSIM = Wang et al.'s ``ssim_index``: 11×11 Gaussian window (σ = 1.5), K = (0.01, 0.03), L = 255,
  ``filter2(..., 'valid')``, no down-sampling, mean of the SSIM map.
* SR images are scored as the uint8 images a paper would have saved.
"""
from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

__all__ = ["rgb2y", "psnr", "ssim", "score", "to_uint8", "Y_VARIANTS"]

Y_VARIANTS = ("float", "uint8")
# MATLAB rgb2ycbcr, Y row of the BT.601 matrix for inputs in [0, 1], output in [0, 255].
_Y_COEFFS = np.array([65.481, 128.553, 24.966])


def to_uint8(img) -> np.ndarray:
    """Quantize a float image in [0, 1] (array or torch tensor, C×H×W or H×W×C) to uint8 H×W(×C)."""
    if hasattr(img, "detach"):
        img = img.detach().float().cpu().numpy()
        if img.ndim == 3 and img.shape[0] in (1, 3):
            img = img.transpose(1, 2, 0)
    img = np.asarray(img, dtype=np.float64)
    return np.clip(np.floor(img * 255.0 + 0.5), 0, 255).astype(np.uint8)


def rgb2y(img: np.ndarray, y: str = "float") -> np.ndarray:
    """Y channel in [0, 255] (float64) of a uint8 RGB image; a greyscale image is returned as it is."""
    if img.dtype != np.uint8:
        raise TypeError(f"metrics expect uint8 images (quantize SR output first), got {img.dtype}")
    if img.ndim == 2 or (img.ndim == 3 and img.shape[2] == 1):
        return img.reshape(img.shape[:2]).astype(np.float64)
    if img.ndim != 3 or img.shape[2] != 3:
        raise ValueError(f"expected H×W or H×W×3 image, got shape {img.shape}")
    c = img.astype(np.float64)
    luma = 16.0 + (_Y_COEFFS[0] * c[..., 0] + _Y_COEFFS[1] * c[..., 1] + _Y_COEFFS[2] * c[..., 2]) / 255.0
    if y == "float":
        return luma
    if y == "uint8":  # rgb2ycbcr on uint8 input returns uint8: round half away from zero
        return np.floor(luma + 0.5)
    raise ValueError(f"y must be one of {Y_VARIANTS}, not {y!r}")


def _prepare(sr: np.ndarray, hr: np.ndarray, border: int, y: str) -> tuple[np.ndarray, np.ndarray]:
    if sr.shape[:2] != hr.shape[:2]:
        raise ValueError(f"SR {sr.shape[:2]} and HR {hr.shape[:2]} differ in size")
    grey_hr = hr.ndim == 2 or hr.shape[-1] == 1
    if grey_hr and sr.ndim == 3 and sr.shape[2] == 3:
        # A model fed with a grey image replicated to RGB answers in RGB: bring it back to grey values
        # (inverse of Y = 16 + 219/255·g for R = G = B = g) so that both sides are on the grey scale.
        sr_y = (rgb2y(sr, "float") - 16.0) * 255.0 / 219.0
        sr_y = np.floor(np.clip(sr_y, 0, 255) + 0.5) if y == "uint8" else sr_y
    else:
        sr_y = rgb2y(sr, y)
    hr_y = rgb2y(hr, y)
    if border:
        sr_y, hr_y = sr_y[border:-border, border:-border], hr_y[border:-border, border:-border]
    return sr_y, hr_y


def psnr(sr: np.ndarray, hr: np.ndarray, scale: int, y: str = "float") -> float:
    """Y-channel PSNR in dB with ``scale`` border pixels shaved (MATLAB protocol)."""
    return _psnr_y(*_prepare(sr, hr, int(np.ceil(scale)), y))


def _psnr_y(a: np.ndarray, b: np.ndarray) -> float:
    mse = np.mean((a - b) ** 2)
    return float("inf") if mse == 0 else float(10 * np.log10(255.0**2 / mse))


def _gaussian_1d(size: int = 11, sigma: float = 1.5) -> np.ndarray:
    x = np.arange(size) - (size - 1) / 2
    g = np.exp(-(x**2) / (2 * sigma**2))
    return g / g.sum()  # fspecial('gaussian', 11, 1.5) is the outer product of this with itself


def _filter_valid(img: np.ndarray, g: np.ndarray) -> np.ndarray:
    """MATLAB ``filter2(g ⊗ g, img, 'valid')`` via two separable 1-D correlations (windows × taps products)."""
    out = sliding_window_view(img, len(g), axis=-2) @ g
    return sliding_window_view(out, len(g), axis=-1) @ g


def ssim(sr: np.ndarray, hr: np.ndarray, scale: int, y: str = "float") -> float:
    """Wang et al.'s ``ssim_index`` on the Y channel with ``scale`` border pixels shaved."""
    return _ssim_y(*_prepare(sr, hr, int(np.ceil(scale)), y))


def _ssim_y(a: np.ndarray, b: np.ndarray) -> float:
    g = _gaussian_1d()
    c1, c2 = (0.01 * 255) ** 2, (0.03 * 255) ** 2
    # the five local moments filtered in one batched call
    mu_a, mu_b, e_aa, e_bb, e_ab = _filter_valid(np.stack([a, b, a * a, b * b, a * b]), g)
    var_a = e_aa - mu_a**2
    var_b = e_bb - mu_b**2
    cov = e_ab - mu_a * mu_b
    ssim_map = ((2 * mu_a * mu_b + c1) * (2 * cov + c2)) / ((mu_a**2 + mu_b**2 + c1) * (var_a + var_b + c2))
    return float(ssim_map.mean())


def score(sr: np.ndarray, hr: np.ndarray, scale: int, y: str = "float") -> dict[str, float]:
    """PSNR and SSIM of one image (the Y conversion and border crop done once for both)."""
    a, b = _prepare(sr, hr, int(np.ceil(scale)), y)
    return {"psnr": _psnr_y(a, b), "ssim": _ssim_y(a, b)}
