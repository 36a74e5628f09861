"""Qualitative comparisons: the same crop of HR, bicubic and each method side by side, with its PSNR/SSIM.

``compare(dataset, image, scale, methods)`` returns a matplotlib figure: the full HR image with the zoom box drawn
on it, then the HR crop, the bicubic crop and one crop per method. Each method's panel carries its per-image
Y-PSNR / SSIM on the *whole* image under the study's protocol (:func:`srrepro.metrics.score`, border
``ceil(scale)``), so a panel's numbers are the ones :func:`srrepro.evaluate.evaluate` reports for that image.

* ``methods``: label → a torch model (run as ``model(x, scale)`` by :func:`srrepro.evaluate.super_resolve`) or →
  an already super-resolved uint8 HR-sized image. Put the provenance in the label: ``"CARN-M (official
  weights)"``, ``"OverNet (ours, lite)"``.
* The LR input is the protocol's (:func:`srrepro.evaluate.make_pair`: MATLAB-exact degradation of the mod-cropped
  HR); bicubic = MATLAB ``imresize`` of that LR, as :func:`srrepro.evaluate.evaluate_bicubic`.
* ``box = (top, left, height, width)`` in HR pixels (of the mod-cropped HR); default: the ``crop``-sized window
  (default a quarter of the short side) with the most detail (:func:`auto_box`: mean local std of the HR Y
  channel), the first maximum in row-major order (deterministic), away from the shaved border.
* Crops are shown nearest-neighbour. :func:`compare_scores` returns the numbers only (label → (psnr, ssim)).
"""
from __future__ import annotations

import math
import textwrap

import numpy as np

from . import data as _data
from .degrade import imresize
from .errors import SrreproError
from .evaluate import make_pair, super_resolve
from .metrics import rgb2y, score

__all__ = ["compare", "compare_scores", "auto_box", "panel_models", "draw_panels", "VisualError"]


class VisualError(SrreproError, ValueError):
    """A bad image name, box or method image: the message says what is valid."""


def auto_box(hr: np.ndarray, size: int | tuple[int, int], margin: int = 0, k: int = 7) -> tuple[int, int, int, int]:
    """``(top, left, h, w)`` of the ``size`` window with the most detail: the highest mean local (k×k) standard
    deviation of the HR Y channel (texture, not one strong edge as the window's own variance would favour); first
    maximum in row-major order; at least ``margin`` pixels from the border where the image allows it."""
    bh, bw = (int(size), int(size)) if np.isscalar(size) else (int(size[0]), int(size[1]))
    y = rgb2y(hr) if hr.ndim == 3 else hr.astype(np.float64)
    H, W = y.shape
    if not (k <= bh <= H and k <= bw <= W):
        raise VisualError(f"crop {bh}×{bw} must be between {k}×{k} and the image size ({H}×{W} HR pixels)")
    m = margin if bh + 2 * margin <= H and bw + 2 * margin <= W else 0
    y = y[m:H - m, m:W - m]

    def mean(a, h, w):  # mean of every h×w window (integral image)
        s = np.pad(a.cumsum(0).cumsum(1), ((1, 0), (1, 0)))
        return (s[h:, w:] - s[:-h, w:] - s[h:, :-w] + s[:-h, :-w]) / (h * w)

    local_std = np.sqrt(np.maximum(mean(y * y, k, k) - mean(y, k, k) ** 2, 0))
    detail = mean(local_std, bh - k + 1, bw - k + 1)
    top, left = np.unravel_index(int(np.argmax(detail)), detail.shape)
    return int(top) + m, int(left) + m, bh, bw


def _check_box(box, name: str, shape, scale) -> tuple[int, int, int, int]:
    H, W = shape[:2]
    try:
        top, left, h, w = (int(v) for v in box)
    except (TypeError, ValueError):
        raise VisualError(f"box must be (top, left, height, width) in HR pixels, got {box!r}") from None
    if h <= 0 or w <= 0 or top < 0 or left < 0 or top + h > H or left + w > W:
        raise VisualError(f"box (top, left, height, width) = {tuple(box)} falls outside {name!r}, which is {H}×{W} "
                          f"(height × width) HR pixels after the ×{scale:g} mod-crop")
    return top, left, h, w


def _panels(dataset, image, scale, methods, box, crop, root, device, degradation, y, seed):
    """(HR, box, [(label, SR image, {"psnr", "ssim"} or None)]) with HR and Bicubic first."""
    images = dict(_data.load_images(dataset, root))
    if image not in images:
        raise VisualError(f"no image {image!r} in {dataset}; valid names: {', '.join(images)}")
    lr, hr = make_pair(images[image], scale, degradation, seed=seed)
    border = math.ceil(scale)
    if box is not None and crop is not None:
        raise VisualError("give either box=(top, left, height, width) or crop=size for the automatic box, not both")
    if box is None:
        box = auto_box(hr, crop or max(16, min(hr.shape[:2]) // 4), margin=border)
    box = _check_box(box, image, hr.shape, scale)
    out = [("HR", hr, None), ("Bicubic", imresize(lr, scale=scale, output_shape=hr.shape[:2]), None)]
    for label, m in methods.items():
        if label in ("HR", "Bicubic"):
            raise VisualError(f"method label {label!r} is reserved (HR and Bicubic panels are always added)")
        if isinstance(m, np.ndarray):
            if m.dtype != np.uint8 or m.shape[:2] != hr.shape[:2]:
                raise VisualError(f"image for {label!r} must be uint8 of the HR size {hr.shape[:2]}, "
                                  f"got {m.dtype} {m.shape}")
            sr = m
        else:
            getattr(m, "eval", lambda: None)()
            sr = super_resolve(m, lr, scale, device, out_shape=hr.shape[:2])
        out.append((label, sr, None))
    return hr, box, [(lab, sr, None if lab == "HR" else score(sr, hr, border, y)) for lab, sr, _ in out]


def compare_scores(dataset: str, image: str, scale: int | float, methods: dict[str, object], *, box=None, crop=None,
                   root=None, device="cpu", degradation="BI", y="float", seed: int = 0) -> dict[str, tuple[float, float]]:
    """The numbers :func:`compare` prints: label → (PSNR, SSIM) on the whole image, Bicubic first."""
    _, _, panels = _panels(dataset, image, scale, methods, box, crop, root, device, degradation, y, seed)
    return {lab: (s["psnr"], s["ssim"]) for lab, _, s in panels if s is not None}


def compare(dataset: str, image: str, scale: int | float, methods: dict[str, object], *, box=None, crop=None,
            root=None, device="cpu", degradation="BI", ax_width=2.6, y="float", seed: int = 0, max_cols: int = 5):
    """Figure: full HR with the zoom box, then HR / Bicubic / each method on that crop, with PSNR/SSIM titles
    (the best PSNR in bold); at most ``max_cols`` crops a row, ``ax_width`` inches each, 100 dpi."""
    import matplotlib.pyplot as plt
    from matplotlib.patches import Rectangle
    from matplotlib.patheffects import withStroke

    hr, (top, left, bh, bw), panels = _panels(dataset, image, scale, methods, box, crop, root, device,
                                              degradation, y, seed)
    nrows = math.ceil(len(panels) / max_cols)
    ncols = math.ceil(len(panels) / nrows)
    # Axes placed in inches, each exactly the aspect of its image, so nothing is letterboxed or clipped.
    pad, gap, title = 0.06, 0.08, 0.42
    pw, ph = ax_width, ax_width * bh / bw
    row = title + ph + gap
    H, W = hr.shape[:2]
    fh = min(nrows * row - title - gap, 2.5 * ax_width * H / W)
    fw = fh * W / H
    cw = max(fw, 0.7 * ax_width)  # the first column, wide enough for its title
    fig_w, fig_h = 2 * pad + cw + gap + ncols * (pw + gap) - gap, 2 * pad + nrows * row - gap
    fig = plt.figure(figsize=(fig_w, fig_h), dpi=100)
    show = dict(interpolation="nearest", cmap="gray", vmin=0, vmax=255)

    def axes(x, top, w, h):  # x and top (of the image) in inches from the figure's left and top edges
        ax = fig.add_axes((x / fig_w, 1 - (top + h) / fig_h, w / fig_w, h / fig_h))
        ax.set_axis_off()
        return ax

    ax = axes(pad + (cw - fw) / 2, pad + title + (nrows * row - title - gap - fh) / 2, fw, fh)
    ax.imshow(hr, **{**show, "interpolation": "antialiased"})  # the overview is shown reduced: no aliasing
    ax.add_patch(Rectangle((left - 0.5, top - 0.5), bw, bh, fill=False, edgecolor="red", linewidth=2,
                           path_effects=[withStroke(linewidth=4, foreground="white")]))
    ax.set_title(f"{dataset} '{image}' ×{scale:g}\n{H}×{W} HR", fontsize=9.5, pad=3)

    best = max((s["psnr"] for _, _, s in panels if s is not None), default=None)
    for i, (label, img, s) in enumerate(panels):
        ax = axes(pad + cw + gap + (i % ncols) * (pw + gap), pad + (i // ncols) * row + title, pw, ph)
        ax.imshow(img[top:top + bh, left:left + bw], **show)
        name = textwrap.shorten(label, 42, placeholder="…") if len(label) > 42 else label
        size = 10 * min(1.0, 32 * ax_width / 2.6 / max(len(name), 1))  # a long label shrinks to its panel's width
        nums = "PSNR / SSIM" if s is None else f"{s['psnr']:.2f} dB / {s['ssim']:.4f}"
        bold = s is not None and s["psnr"] == best and len(panels) > 2
        ax.set_title(f"{name}\n{nums}", fontsize=size, fontweight="bold" if bold else "normal", pad=3)
    return fig


def panel_models(rows, data_root=None, device: str = "cpu") -> dict:
    """label → model for a figure, from the result rows that scored its panels (seed 0 of each ``method``): a row
    with ``what == "official weights"`` names its ``weights``, one of ours its ``run_dir`` (under ``runs/``), so a
    plot reloads exactly what the run scored. Raises FileNotFoundError when a run dir is not on this machine."""
    import json

    import torch

    from .jobs import load_model
    from .provenance import REPO_ROOT
    from .train import TrainConfig
    from .weights import load_official

    models = {}
    seed0 = rows[rows["seed"] == 0] if "seed" in rows else rows
    for r in seed0.drop_duplicates("method").to_dict("records"):
        name = r["method"].removesuffix(" (ours)")  # a method named "X (ours)" is not labelled "X (ours) (ours, …)"
        label = f"{name} ({r['what']}{', ' + r['profile'] if r['what'] == 'ours' else ''})"
        if r["what"] == "official weights":
            models[label] = load_official(r["weights"], root=data_root)
        else:
            run_dir = REPO_ROOT / "runs" / r["run_dir"]
            cfg = TrainConfig(**{k: tuple(v) if isinstance(v, list) else v
                                 for k, v in json.loads((run_dir / "config.json").read_text()).items()})
            models[label] = load_model(cfg, run_dir / "model.pt", torch.device(device))
    return models


def draw_panels(rows, dataset: str, images, scale, table: str, crop: int = 96) -> None:
    """A figure table's plot: :func:`compare` for each image, with the seed-0 models the ``rows`` scored (status
    "ok"); when their run dirs are not on this machine, one line says so and nothing is drawn."""
    from .data import SrreproDataError

    d = rows[rows["status"] == "ok"] if "status" in rows else rows.iloc[0:0]
    try:
        models = panel_models(d)
    except (FileNotFoundError, SrreproDataError) as e:
        print(f"Figure not drawn: {e} (run `make reproduce TABLE={table}` to retrain the seed-0 models)")
        return
    for im in images:
        compare(dataset, im, scale, models, crop=crop)
