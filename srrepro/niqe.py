"""NIQE (Mittal, Soundararajan & Bovik, "Making a 'completely blind' image quality analyzer", 2013).

The same computation as MATLAB's ``niqe`` release (``computequality.m``) and BasicSR's ``calculate_niqe``, which
the PIRM-2018 toolbox and the perceptual-SR papers (PCARN Tables 4 and 6 among them) use:

1. the image is reduced to the Y channel of MATLAB ``rgb2ycbcr`` on the uint8 image (BasicSR: float Y, then
   ``round()`` "for being consistent with MATLAB"), ``border`` pixels are shaved off each side (PIRM: 4 at ×4;
   here ``border = scale``);
2. the image is cropped to whole 96×96 blocks (top-left);
3. at two scales (full, then MATLAB ``imresize(im, 0.5)`` — bicubic, antialiased, on the *float* image, no
   rounding): MSCN coefficients ``(I − μ) / (σ + 1)`` with μ, σ from the 7×7 Gaussian window (σ = 7/6) of the
   pristine model, replicated borders; per block (96×96, then 48×48) 18 features — the GGD fit of the MSCN
   coefficients (shape, scale) and, for the four neighbour products (horizontal, vertical and both diagonals,
   circular shifts inside the block), an AGGD fit (shape, mean, left and right scale) by the moment-matching grid
   search over shape ∈ [0.2, 10] in steps of 0.001;
4. a multivariate Gaussian is fitted to the 36-dimensional block features (NaN-aware mean, covariance of the
   blocks without NaN) and NIQE = sqrt((μ_p − μ)ᵀ · pinv((Σ_p + Σ)/2) · (μ_p − μ)) against the pristine model
   (``mu_pris_param``, ``cov_pris_param`` of ``niqe_pris_params.npz``, BasicSR's copy of MATLAB's
   ``modelparameters.mat``).

Lower is better; natural photographs score about 2–6. The one difference from BasicSR is step 3's downscale:
BasicSR's ``imresize`` mirrors the border samples, :func:`srrepro.degrade.imresize` clamps them as MATLAB's
own output does (see that module); the effect is confined to the outermost pixels of the half-size image.
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import numpy as np
from scipy import ndimage
from scipy.special import gamma

from .degrade import imresize

__all__ = ["NiqeParamsMissingError", "niqe", "niqe_y", "niqe_params", "NIQE_PARAMS_FILE"]

NIQE_PARAMS_FILE = "metrics/niqe_pris_params.npz"  # under the data root
BLOCK = 96


class NiqeParamsMissingError(FileNotFoundError):
    """One line: where the pristine model was looked for and how to get it."""


@lru_cache(maxsize=4)
def _load_params(path: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    with np.load(path) as d:
        return (np.asarray(d["mu_pris_param"], np.float64).reshape(-1),
                np.asarray(d["cov_pris_param"], np.float64),
                np.asarray(d["gaussian_window"], np.float64))


def niqe_params(root=None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(mu_pris (36,), cov_pris (36, 36), gaussian_window (7, 7))`` of ``<data root>/metrics/niqe_pris_params.npz``.
    """
    from .data import data_root

    path = data_root(root, must_exist=False) / NIQE_PARAMS_FILE
    if not path.is_file():
        raise NiqeParamsMissingError(
            f"NIQE pristine model not found: {Path(path).resolve()} is missing; fetch it with `srrepro download niqe` "
            f"(BasicSR v1.4.2 basicsr/metrics/niqe_pris_params.npz, 11,850 bytes)")
    try:
        return _load_params(str(path))
    except (KeyError, ValueError, OSError) as e:
        raise NiqeParamsMissingError(f"{path} is not a NIQE parameter file ({type(e).__name__}: {e}); "
                                     f"re-fetch it with `srrepro download niqe`") from None


# Moment-matching table of the (A)GGD shape, as in MATLAB's estimateaggdparam.m / BasicSR.
_GAM = np.arange(0.2, 10.001, 0.001)
_R_GAM = gamma(2 / _GAM) ** 2 / (gamma(1 / _GAM) * gamma(3 / _GAM))


def _aggd(x: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """AGGD fit of every row of ``x`` (n_blocks × n_samples): (alpha, beta_left, beta_right)."""
    neg, pos = x < 0, x > 0
    with np.errstate(invalid="ignore", divide="ignore"):
        left_std = np.sqrt((np.where(neg, x, 0.0) ** 2).sum(1) / neg.sum(1))
        right_std = np.sqrt((np.where(pos, x, 0.0) ** 2).sum(1) / pos.sum(1))
        gammahat = left_std / right_std
        rhat = np.mean(np.abs(x), 1) ** 2 / np.mean(x * x, 1)
        rhatnorm = rhat * (gammahat**3 + 1) * (gammahat + 1) / (gammahat**2 + 1) ** 2
    # np.argmin returns the first minimum, and 0 for an all-NaN row — what BasicSR's per-block argmin gives.
    alpha = _GAM[np.argmin((_R_GAM[None, :] - rhatnorm[:, None]) ** 2, axis=1)]
    ratio = np.sqrt(gamma(1 / alpha) / gamma(3 / alpha))
    return alpha, left_std * ratio, right_std * ratio


def _block_features(blocks: np.ndarray) -> np.ndarray:
    """The 18 NIQE features of each block (n × h × w) → (n, 18)."""
    n = len(blocks)
    flat = blocks.reshape(n, -1)
    alpha, bl, br = _aggd(flat)
    feats = [alpha, (bl + br) / 2]
    for shift in ((0, 1), (1, 0), (1, 1), (1, -1)):
        shifted = np.roll(blocks, shift, axis=(1, 2))  # circular shift inside each block (MATLAB circshift)
        alpha, bl, br = _aggd((blocks * shifted).reshape(n, -1))
        mean = (br - bl) * (gamma(2 / alpha) / gamma(1 / alpha))
        feats += [alpha, mean, bl, br]
    return np.stack(feats, axis=1)


def _mscn(img: np.ndarray, window: np.ndarray) -> np.ndarray:
    """Mean-subtracted contrast-normalised coefficients (``imfilter(..., 'replicate')``; output dtype of ``img``)."""
    mu = ndimage.convolve(img, window, mode="nearest")
    sigma = np.sqrt(np.abs(ndimage.convolve(np.square(img), window, mode="nearest") - np.square(mu)))
    return (img - mu) / (sigma + 1)


def _blocks(img: np.ndarray, nh: int, nw: int, bh: int, bw: int) -> np.ndarray:
    """Non-overlapping bh×bw blocks, column-major like MATLAB's blkproc (order does not change the result)."""
    img = img[: nh * bh, : nw * bw]
    return img.reshape(nh, bh, nw, bw).transpose(2, 0, 1, 3).reshape(nh * nw, bh, bw)


def _half(img: np.ndarray) -> np.ndarray:
    """MATLAB ``imresize(img, 0.5)`` of a float image whose sides are even, with *mirrored* border samples.

    :func:`srrepro.degrade.imresize` clamps out-of-image taps to the edge pixel (what MATLAB's LR files show);
    MATLAB's ``niqe`` output is only reproduced with the mirrored samples of imresize.m's ``aux = [1:n, n:-1:1]``
    (Set14 ``baboon``: 5.72957 with mirroring = MATLAB R2021a's 5.72957338 quoted by BasicSR, 5.71951 with
    clamping). Padding by 6 symmetric samples and dropping the 3 outer output samples on each side gives exactly
    that: the antialiased ×½ kernel reaches 5 samples beyond the edge, and output j of the padded image samples
    the same input positions as output j − 3 of the unpadded one.
    """
    padded = np.pad(img, 6, mode="symmetric")
    return imresize(padded, scale=0.5)[3:-3, 3:-3]


def niqe_y(y: np.ndarray, mu_pris: np.ndarray, cov_pris: np.ndarray, window: np.ndarray,
           block: int = BLOCK) -> float:
    """NIQE of a Y (or grey) image given as float in [0, 255] (BasicSR's ``niqe``).

    The image path runs in float32 as BasicSR's does (MATLAB's reference value is matched to 1e-6 that way;
    float64 moves NIQE by ~4e-4), the model fit in float64.
    """
    img = np.asarray(y, dtype=np.float32)
    if img.ndim != 2:
        raise ValueError(f"niqe_y expects an H×W luminance image, got shape {img.shape}")
    nh, nw = img.shape[0] // block, img.shape[1] // block
    if nh == 0 or nw == 0:
        raise ValueError(f"NIQE needs at least one {block}×{block} block; the image is {img.shape[1]}×{img.shape[0]} "
                         f"after the border crop")
    img = img[: nh * block, : nw * block]
    window = np.asarray(window, dtype=np.float64)
    feats = []
    for scale in (1, 2):
        b = block // scale
        feats.append(_block_features(_blocks(_mscn(img, window), nh, nw, b, b)))
        if scale == 1:  # MATLAB imresize(im, 0.5): bicubic, antialiased, float (no rounding)
            img = (_half(img.astype(np.float64) / 255.0) * 255.0).astype(np.float32)
    dist = np.concatenate(feats, axis=1).astype(np.float64)
    mu = np.nanmean(dist, axis=0)
    clean = dist[~np.isnan(dist).any(axis=1)]
    if len(clean) < 2:  # MATLAB's nancov would return NaN here
        raise ValueError(f"NIQE needs at least two {block}×{block} blocks without NaN features to fit its model; "
                         f"the image ({img.shape[1]}×{img.shape[0]} after the crop) has {len(clean)}")
    cov = np.cov(clean, rowvar=False)
    d = np.asarray(mu_pris, np.float64).reshape(-1) - mu
    q = d @ np.linalg.pinv((np.asarray(cov_pris, np.float64) + cov) / 2) @ d
    return float(np.sqrt(q))


def _y_rounded(img: np.ndarray) -> np.ndarray:
    """Y of MATLAB ``rgb2ycbcr`` rounded to integers (as BasicSR's NIQE); grey images as they are."""
    from .metrics import rgb2y

    return rgb2y(np.asarray(img), "uint8")


def niqe(img: np.ndarray, border: int = 0, root=None) -> float:
    """NIQE of a uint8 RGB (or grey) image, ``border`` pixels shaved off each side first (use ``border = scale``)."""
    mu, cov, window = niqe_params(root)
    y = _y_rounded(img)
    if border:
        y = y[border:-border, border:-border]
    return niqe_y(y, mu, cov, window)

