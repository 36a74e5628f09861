"""Degradations: MATLAB-exact bicubic resizing (BI), blur-downscale (BD) and noise (DN).

Published SR numbers are computed on LR images made by MATLAB's ``imresize(HR, 1/s, 'bicubic')``: a cubic
kernel with a = -0.5, *antialiased* when shrinking (the kernel is stretched by 1/s), edge pixels replicated
at the borders, and — for uint8 input — every pass rounded back to uint8, height first. PIL, OpenCV and
``torch.nn.functional.interpolate`` all differ (no antialias, a = -0.75, other borders), by about 0.6 dB on Set14 ×4.

``imresize`` below mirrors MATLAB's ``imresize.m`` step by step (``contributions``, ``resizeAlongDim``), and is
tested pixel for pixel against MATLAB's own output (``tests/test_protocol.py``).
"""
from __future__ import annotations

import math

import numpy as np
from scipy import ndimage, sparse

__all__ = ["imresize", "degrade", "bicubic_upscale", "gaussian_kernel", "DEGRADATIONS"]

DEGRADATIONS = ("BI", "BD", "DN")


def _cubic(x: np.ndarray) -> np.ndarray:
    """Keys' cubic convolution kernel with a = -0.5 (MATLAB imresize.m ``cubic``)."""
    ax = np.abs(x)
    ax2, ax3 = ax**2, ax**3
    return (1.5 * ax3 - 2.5 * ax2 + 1) * (ax <= 1) + (-0.5 * ax3 + 2.5 * ax2 - 4 * ax + 2) * ((ax > 1) & (ax <= 2))


def _contributions(in_length: int, out_length: int, scale: float) -> sparse.csr_matrix:
    """Sparse ``out_length × in_length`` weight matrix of one 1-D MATLAB bicubic pass.

    Same arithmetic as imresize.m's ``contributions``: output pixel x (1-based) samples input coordinate
    u = x/scale + 0.5·(1 − 1/scale); when shrinking, the kernel is widened to 4/scale and scaled by ``scale``
    (antialiasing); weights are normalised to sum to 1 per output pixel.

    Indices outside the image are clamped to the edge pixel (replicate padding). The published imresize.m
    source and its Python ports (BasicSR, matlab_imresize) mirror them instead (``aux = [1:n, n:-1:1]``), but
    MATLAB's actual output — the LR files of the RCAN/s-LWSR test sets in the data mirror — matches clamping
    bit for bit on all 15 Set5 files, and mirroring differs on the first and last rows and columns (up to 7
    grey levels). See ``tests/test_protocol.py``.
    """
    kernel_width = 4.0
    antialias = scale < 1
    if antialias:
        kernel_width /= scale
    x = np.arange(1, out_length + 1, dtype=np.float64)
    u = x / scale + 0.5 * (1 - 1 / scale)
    left = np.floor(u - kernel_width / 2)
    taps = int(math.ceil(kernel_width)) + 2
    indices = left[:, None] + np.arange(taps)[None, :]  # 1-based, may fall outside [1, in_length]
    distance = u[:, None] - indices
    weights = scale * _cubic(scale * distance) if antialias else _cubic(distance)
    weights /= weights.sum(axis=1, keepdims=True)
    cols = np.clip(indices.astype(np.int64) - 1, 0, in_length - 1)  # replicate padding (see docstring)
    rows = np.repeat(np.arange(out_length), taps)
    # Duplicate (row, col) pairs (clamped indices) are summed by the COO→CSR conversion.
    return sparse.coo_matrix((weights.ravel(), (rows, cols.ravel())), shape=(out_length, in_length)).tocsr()


_MATRIX_CACHE: dict[tuple[int, int, float], sparse.csr_matrix] = {}


def _matrix(in_length: int, out_length: int, scale: float) -> sparse.csr_matrix:
    key = (in_length, out_length, scale)
    if key not in _MATRIX_CACHE:
        if len(_MATRIX_CACHE) > 512:
            _MATRIX_CACHE.clear()
        _MATRIX_CACHE[key] = _contributions(in_length, out_length, scale)
    return _MATRIX_CACHE[key]


def _to_uint8(x: np.ndarray) -> np.ndarray:
    # MATLAB's double→uint8 cast: round half away from zero, saturate.
    return np.clip(np.floor(x + 0.5), 0, 255).astype(np.uint8)


def imresize(img: np.ndarray, scale: float | None = None, output_shape: tuple[int, int] | None = None) -> np.ndarray:
    """MATLAB ``imresize(img, scale, 'bicubic')`` (or ``imresize(img, output_shape, ...)``).

    * ``img``: H×W or H×W×C, ``uint8`` (result is ``uint8``, each pass rounded as MATLAB's mex does) or float
      (result float64, no rounding).
    * ``scale``: one factor for both axes; the output size is ``ceil(scale·size)`` as in MATLAB.
    * ``output_shape``: (rows, cols); if given together with ``scale``, ``scale`` sets the kernel and
      ``output_shape`` the size (MATLAB's ``'Scale'`` + ``'OutputSize'``); alone, the scale of each axis is
      ``out/in``.
    The axis with the smaller scale is resized first, as in MATLAB.
    """
    img = np.asarray(img)
    if img.ndim not in (2, 3):
        raise ValueError(f"imresize expects an H×W or H×W×C image, got shape {img.shape}")
    is_uint8 = img.dtype == np.uint8
    if not is_uint8 and not np.issubdtype(img.dtype, np.floating):
        raise TypeError(f"imresize expects uint8 or float input, got {img.dtype}")
    in_shape = img.shape[:2]
    if scale is None and output_shape is None:
        raise ValueError("imresize needs scale or output_shape")
    if output_shape is None:
        # ceil(in·scale), guarding against 1/3·288 = 95.99999999999999 style rounding noise.
        output_shape = tuple(int(math.ceil(round(n * scale, 9))) for n in in_shape)
    scales = (float(scale), float(scale)) if scale is not None else tuple(o / i for o, i in zip(output_shape, in_shape))
    order = (0, 1) if scales[0] <= scales[1] else (1, 0)

    out = img.astype(np.float64)
    for axis in order:
        if output_shape[axis] == in_shape[axis] and scales[axis] == 1:
            continue
        matrix = _matrix(in_shape[axis], output_shape[axis], scales[axis])
        moved = np.moveaxis(out, axis, 0)  # resized axis first, the rest flattened into columns
        out = np.moveaxis((matrix @ moved.reshape(moved.shape[0], -1)).reshape((-1,) + moved.shape[1:]), 0, axis)
        if is_uint8:  # MATLAB's imresizemex returns the input class after every pass
            out = _to_uint8(out).astype(np.float64)
    return _to_uint8(out) if is_uint8 else out


def bicubic_upscale(lr: np.ndarray, scale: float, output_shape: tuple[int, int] | None = None) -> np.ndarray:
    """The bicubic baseline: MATLAB ``imresize(LR, scale, 'bicubic')``, optionally to an exact HR size."""
    return imresize(lr, scale=scale, output_shape=output_shape)


def gaussian_kernel(size: int = 7, sigma: float = 1.6) -> np.ndarray:
    """MATLAB ``fspecial('gaussian', size, sigma)``."""
    r = (size - 1) / 2
    y, x = np.mgrid[-r : r + 1, -r : r + 1]
    k = np.exp(-(x * x + y * y) / (2 * sigma * sigma))
    k[k < np.finfo(np.float64).eps * k.max()] = 0
    return k / k.sum()


def _blur(img: np.ndarray, size: int = 7, sigma: float = 1.6) -> np.ndarray:
    """MATLAB ``imfilter(img, fspecial('gaussian', 7, 1.6), 'replicate')`` on uint8: rounds back to uint8."""
    k = gaussian_kernel(size, sigma)
    x = img.astype(np.float64)
    if x.ndim == 2:
        out = ndimage.correlate(x, k, mode="nearest")
    else:
        out = np.stack([ndimage.correlate(x[..., c], k, mode="nearest") for c in range(x.shape[2])], axis=-1)
    return _to_uint8(out) if img.dtype == np.uint8 else out


def degrade(hr: np.ndarray, scale: int, kind: str = "BI", seed: int = 0, bd_order: str = "blur_first") -> np.ndarray:
    """Make the LR image for degradation ``kind`` from a (mod-cropped) uint8 HR image.

    * ``BI``: ``imresize(HR, 1/s, 'bicubic')``.
    * ``BD`` (RDN's ``Prepare_TestData_HR_LR.m``): 7×7 Gaussian blur with σ = 1.6 and replicated borders, then
      keep every s-th pixel starting at the 2nd (MATLAB ``(2:s:end)`` for s = 3; ``bd_order="blur_first"``).
      OverNet §4 words it as "bicubic downsampling, then blur"; ``bd_order="bicubic_first"`` gives that
      reading (imresize ×1/s, then the same blur) so both can be compared with the published bicubic columns.
    * ``DN``: ``imresize(HR, 1/s, 'bicubic')`` plus Gaussian noise of σ = 30 (on the 0–255 scale), rounded and
      clipped to uint8; the noise is drawn from ``numpy.random.default_rng(seed)``.
    """
    if hr.dtype != np.uint8:
        raise TypeError(f"degrade expects a uint8 HR image, got {hr.dtype}")
    if kind == "BI":
        return imresize(hr, 1 / scale)
    if kind == "BD":
        if bd_order == "blur_first":
            offset = (scale - 1) // 2  # MATLAB 2:3:end for ×3 (1-based) → index 1
            return _blur(hr)[offset::scale, offset::scale]
        if bd_order == "bicubic_first":
            return _blur(imresize(hr, 1 / scale))
        raise ValueError(f"bd_order must be 'blur_first' or 'bicubic_first', not {bd_order!r}")
    if kind == "DN":
        lr = imresize(hr, 1 / scale).astype(np.float64)
        noise = np.random.default_rng(seed).normal(0.0, 30.0, size=lr.shape)
        return _to_uint8(lr + noise)
    raise ValueError(f"unknown degradation {kind!r}; valid: {', '.join(DEGRADATIONS)}")
