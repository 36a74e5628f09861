"""Parameters and multiply-adds, counted by PyTorch itself (the ``complexity`` table).

``count_params(model)``
    Distinct parameters (a module registered under several names — PCARN-M's shared block — counts once),
    trainable or not: the frozen MeanShift 1×1 convs of CARN/PCARN/OverNet/EDSR/s-LWSR (12 parameters each) are
    included, as ``sum(p.numel() for p in model.parameters())`` and the official training logs count them.
    ``count_weights(model)``: conv/linear kernel weights only (FSRCNN's convention, and the CARN paper's for CARN-M).
``count_multadds(model, lr_shape, scale)``
    Multiply-accumulates of one forward pass ``model(x, scale)`` on a ``1×C×h×w`` input, measured by
    ``torch.utils.flop_counter.FlopCounterMode`` and halved (the counter reports 2 FLOPs per multiply-add).
``multadds_720p(model, scale)`` / ``lr_shape_720p(scale)``
    The papers' convention (CARN/PCARN §4, OverNet §4.2.1): MultAdds for one 1280×720 *output* image.

What the counter counts
    Convolutions (grouped and depth-wise ones at their true cost ``out pixels × k² × C_in/groups × C_out``;
    transposed convolutions per *input* pixel), and matrix products (``mm``/``addmm``/``bmm``/``einsum``, so the
    linear layers and Meta-RDN's per-pixel weight products). It does **not** count bias additions, element-wise
    operations (ReLU, residual additions, the λ scalings, sigmoid gates, the multiplications of channel/spatial
    attention), pooling, interpolation (bicubic up/down-sampling of OverNet's OSM, ASDN's pre-upsampling and LFR
    blending) or pixel shuffle. That is the convention of the CARN paper, whose ×2/×3/×4 numbers for CARN
    (222.8G / 118.8G / 90.9G) and CARN-M (91.2G / 46.1G / 32.5G) this module reproduces to the printed digit.

How the papers' conventions differ (see the ``complexity`` table for the per-number evidence)
    * CARN, PCARN, OverNet: the conv count above, for a 1280×720 output, MeanShift convs included (negligible).
    * s-LWSR Table II: its own models and EDSR are printed as ``params × LR pixels`` (320×180 for ×4): every
      weight applied once per *LR* pixel, although the up-sampler's second conv and the output conv run at 4× and
      16× that resolution; the true count is 15–23 % higher. Its CARN/CARN-M values (65.4G/18.3G) match no
      convention we tried.
    * Pre-upsampling nets (SRCNN, VDSR, MemNet, DRCN...) are counted on the 1280×720 grid, where
      ``params × HR pixels`` equals the conv count unless weights are reused (recursion: DRCN, MemNet, DRRN).
    * FSRCNN's 4.6G (CARN's table, copied by s-LWSR) counts its 9×9 stride-4 deconvolution as a 9×9 convolution
      over the output grid (16× the true transposed-conv cost).

The ×3 input size
    1280 is not divisible by 3, so no LR image gives exactly a 1280×720 output at ×3 (426×240 → 1278×720,
    427×240 → 1281×720). Every counted operation costs a fixed amount per pixel of the grid it runs on, so the
    count depends only on the number of pixels, not on the aspect ratio: we use an LR image of exactly
    1280·720/9 = 102,400 pixels, 256×400 (→ 768×1200 = 921,600 output pixels, the pixel count of a 720p frame).
    This reproduces the CARN paper's ×3 values (118.8G, 46.1G); 426×240 gives 118.6G/46.1G and 427×240
    118.9G/46.2G. ×2, ×4 and ×8 use the exact 16:9 sizes 640×360, 320×180, 160×90.

Cost
    Models are built and run on PyTorch's ``meta`` device: shapes only, no memory, no arithmetic, so counting
    full-size EDSR (43M parameters, 2.9T multiply-adds at 720p) takes a fraction of a second. The meta count equals
    the count on real tensors (``tests/test_complexity.py``). A model whose forward needs real values (Meta-RDN
    uses ``torch.unique``) falls back to real tensors at a small LR size, scaled by the pixel ratio (exact for
    these fully convolutional networks; the result says ``exact=False``).

Reference architectures (``REFERENCE_MODELS``)
    SRCNN (9-5-5, 64/32 filters), FSRCNN (d=56, s=12, m=4) and VDSR (20 layers × 64) are not models of this study,
    but the seeds print their sizes; they are defined here for counting only (Y channel in, as in their papers;
    not in the model registry). So are PCARN's residual and EResidual blocks (for Eq. 10).
"""
from __future__ import annotations

import ast
import math
from dataclasses import dataclass
from functools import lru_cache

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.flop_counter import FlopCounterMode

__all__ = [
    "HR_720P", "count_params", "count_weights", "count_multadds", "lr_shape_720p", "multadds_720p", "build",
    "parse_call", "meta_model", "Count", "REFERENCE_MODELS", "SRCNN", "FSRCNN", "VDSR",
]

HR_720P = (720, 1280)  # (height, width) of the output image the papers count MultAdds for


# ---------------------------------------------------------------------------------------------------------------
# counting
# ---------------------------------------------------------------------------------------------------------------
from .models import count_params  # noqa: E402 — the study's one parameter counter (shared modules once)


def count_weights(model: nn.Module) -> int:
    """Kernel weights of the conv / transposed-conv / linear layers only: no biases, no PReLU slopes, no weight-norm
    gains, no attention scalars (the "weights" counts of the FSRCNN and, for CARN-M, the CARN papers)."""
    seen, total = set(), 0
    for m in model.modules():
        if isinstance(m, (nn.Conv2d, nn.ConvTranspose2d, nn.Linear)):
            w = m._parameters.get("weight", m._parameters.get("weight_v"))  # weight-normed convs keep weight_v
            if w is not None and id(w) not in seen:
                seen.add(id(w))
                total += w.numel()
    return total


def _device_of(model: nn.Module) -> torch.device:
    for t in model.parameters():
        return t.device
    for t in model.buffers():
        return t.device
    return torch.device("cpu")


def count_multadds(model: nn.Module, lr_shape: tuple[int, int], scale, by_module: bool = False,
                   depth: int = 2) -> int | tuple[int, dict[str, int]]:
    """Multiply-adds of ``model(x, scale)`` for one ``1×C×h×w`` input ``x`` (``lr_shape = (h, w)``).

    ``C`` is ``model.in_channels`` when the model has that attribute (the Y-channel reference nets), else 3. The
    input lives on the model's device: ``meta`` for a model built under ``torch.device("meta")`` (no arithmetic),
    otherwise real zeros under ``torch.no_grad``. ``by_module``: also return ``{module path: multiply-adds}`` down
    to ``depth`` levels (``FlopCounterMode``'s own breakdown).
    """
    h, w = lr_shape
    x = torch.zeros(1, getattr(model, "in_channels", 3), h, w, device=_device_of(model))
    was_training = model.training
    model.eval()
    try:
        with torch.no_grad(), FlopCounterMode(display=False, depth=depth) as counter:
            model(x, scale)
    finally:
        model.train(was_training)
    total = counter.get_total_flops()
    assert total % 2 == 0, "conv/matmul FLOPs are 2 per multiply-add"
    if not by_module:
        return total // 2
    per = {name: sum(ops.values()) // 2 for name, ops in counter.get_flop_counts().items() if name != "Global"}
    return total // 2, per


def saved_activation_bytes(model: nn.Module, lr_shape: tuple[int, int], scale, batch: int = 2) -> int:
    """Bytes of activations autograd keeps for the backward pass of one training forward (``model.train()``) on a
    ``batch×3×h×w`` input, per sample: every tensor saved for backward, each storage counted once (an in-place
    ReLU's output and the next conv's input are one buffer), the model's own parameters left out. A count, not a
    reading of an allocator: the same on every device and every run. (Batch norm needs batch ≥ 2 to train.)"""
    params = {p.untyped_storage().data_ptr() for p in model.parameters()}
    seen: dict[int, int] = {}

    def pack(t: torch.Tensor):
        st = t.untyped_storage()
        if st.data_ptr() not in params:
            seen[st.data_ptr()] = max(seen.get(st.data_ptr(), 0), st.nbytes())
        return t

    h, w = lr_shape
    x = torch.rand(batch, 3, h, w, device=_device_of(model), generator=torch.Generator().manual_seed(0))
    was_training = model.training
    model.train()
    try:
        with torch.autograd.graph.saved_tensors_hooks(pack, lambda t: t):
            model(x, scale).sum()
    finally:
        model.train(was_training)
    return sum(seen.values()) // batch


def lr_shape_720p(scale: float) -> tuple[int, int]:
    """LR ``(h, w)`` whose ×``scale`` output has the pixels of a 1280×720 frame (see the module docstring).

    Exact 16:9 size when ``scale`` divides 720 and 1280 (×2: 360×640, ×4: 180×320, ×8: 90×160); otherwise, if
    ``1280·720/scale²`` is an integer, the ``h × w`` of exactly that area with ``h`` closest to ``720/scale``
    (×3: 256×400); else the rounded size ``round(720/scale) × round(1280/scale)`` (approximate).
    """
    H, W = HR_720P
    if float(scale).is_integer() and H % int(scale) == 0 and W % int(scale) == 0:
        return H // int(scale), W // int(scale)
    area = H * W / scale**2
    if float(area).is_integer():
        area = int(area)
        target = H / scale
        best = min((h for h in range(1, int(math.isqrt(area) * 2) + 1) if area % h == 0),
                   key=lambda h: (abs(h - target), h))
        return best, area // best
    return round(H / scale), round(W / scale)


@dataclass(frozen=True)
class Count:
    value: int  # multiply-adds for one 1280×720-pixel output
    lr_shape: tuple[int, int]  # the LR size the count was taken at
    exact: bool  # False: taken at a smaller size on real tensors and scaled by the pixel ratio


def multadds_720p(model_or_name, scale, /, **options) -> Count:
    """MultAdds for a 1280×720 output at ``scale``: ``model_or_name`` is a module (counted on its own device) or a
    name for :func:`build` (built on ``meta``; falls back to real tensors when the forward needs values)."""
    lr = lr_shape_720p(scale)
    if isinstance(model_or_name, nn.Module):
        return Count(count_multadds(model_or_name, lr, scale), lr, True)
    try:
        return Count(count_multadds(build(model_or_name, device="meta", **options), lr, scale), lr, True)
    except NotImplementedError:  # a data-dependent op without a meta kernel (e.g. torch.unique)
        small = (max(1, lr[0] // 10), max(1, lr[1] // 10))
        model = build(model_or_name, device="cpu", **options)
        n = count_multadds(model, small, scale)
        return Count(round(n * lr[0] * lr[1] / (small[0] * small[1])), lr, False)


# ---------------------------------------------------------------------------------------------------------------
# building models from a call string ("pcarn(scale=4, local_cascade=False)")
# ---------------------------------------------------------------------------------------------------------------
def parse_call(expr: str) -> tuple[str, dict]:
    """``"name(k=v, ...)"`` (literal values only) → ``("name", {k: v})``; a bare ``"name"`` → ``("name", {})``."""
    node = ast.parse(expr.strip(), mode="eval").body
    if isinstance(node, ast.Name):
        return node.id, {}
    if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Name) or node.args:
        raise ValueError(f"expected name(key=literal, ...), got {expr!r}")
    return node.func.id, {kw.arg: ast.literal_eval(kw.value) for kw in node.keywords}


def build(name: str, device: str = "meta", **options) -> nn.Module:
    """A model of the registry (:func:`srrepro.models.create_model`) or of ``REFERENCE_MODELS``, built on
    ``device`` (``"meta"``: parameter shapes only, no memory, no initialisation cost)."""
    from .models import UnknownModelError, create_model

    with torch.device(device):
        if name in REFERENCE_MODELS:
            return REFERENCE_MODELS[name](**options)
        try:
            return create_model(name, **options)
        except UnknownModelError as e:
            raise UnknownModelError(f"{e.args[0]}; reference (counting-only) models: "
                                    f"{', '.join(REFERENCE_MODELS)}") from None


@lru_cache(maxsize=None)
def _cached_meta(expr: str) -> nn.Module:
    name, options = parse_call(expr)
    return build(name, device="meta", **options)


def meta_model(expr: str) -> nn.Module:
    """:func:`build` of a call string on ``meta``, cached (meta models hold no memory)."""
    return _cached_meta(expr)


# ---------------------------------------------------------------------------------------------------------------
# reference architectures (counting only; their papers' standard configurations)
# ---------------------------------------------------------------------------------------------------------------
class _YNet(nn.Module):
    """Y-channel network on a bicubic-upsampled input (interpolation is not counted)."""

    in_channels = 1
    scales = None

    def upsample(self, x: torch.Tensor, scale) -> torch.Tensor:
        return F.interpolate(x, scale_factor=scale, mode="bicubic", align_corners=False)


class SRCNN(_YNet):
    """SRCNN 9-5-5 (Dong et al., TPAMI 2016): 64 and 32 filters, ReLU, Y channel, pre-upsampled. 57,281 params."""

    def __init__(self, n1: int = 64, n2: int = 32, f1: int = 9, f2: int = 5, f3: int = 5):
        super().__init__()
        self.body = nn.Sequential(nn.Conv2d(1, n1, f1, padding=f1 // 2), nn.ReLU(),
                                  nn.Conv2d(n1, n2, f2, padding=f2 // 2), nn.ReLU(),
                                  nn.Conv2d(n2, 1, f3, padding=f3 // 2))

    def forward(self, x, scale):
        return self.body(self.upsample(x, scale))


class VDSR(_YNet):
    """VDSR (Kim et al., CVPR 2016): 20 3×3 conv layers, 64 features, ReLU, global residual, Y channel,
    pre-upsampled. 665,921 params (664,704 weights)."""

    def __init__(self, depth: int = 20, n_feats: int = 64):
        super().__init__()
        layers = [nn.Conv2d(1, n_feats, 3, padding=1), nn.ReLU()]
        for _ in range(depth - 2):
            layers += [nn.Conv2d(n_feats, n_feats, 3, padding=1), nn.ReLU()]
        layers.append(nn.Conv2d(n_feats, 1, 3, padding=1))
        self.body = nn.Sequential(*layers)

    def forward(self, x, scale):
        up = self.upsample(x, scale)
        return up + self.body(up)


class FSRCNN(nn.Module):
    """FSRCNN(d=56, s=12, m=4) (Dong et al., ECCV 2016): 5×5 feature extraction, 1×1 shrinking, m 3×3 mapping
    layers, 1×1 expanding (PReLU after each), 9×9 deconvolution with stride ``scale``; Y channel, LR input.
    12,464 conv weights (the FSRCNN paper's count), 12,809 parameters with biases and PReLU slopes.

    ``deconv_as_conv=True`` replaces the deconvolution by nearest upsampling + a 9×9 convolution over the output
    grid — same parameters, 16× (at ×4) the multiply-adds: the count behind the 4.6G printed for FSRCNN ×4.
    """

    in_channels = 1

    def __init__(self, scale: int = 4, d: int = 56, s: int = 12, m: int = 4, deconv_as_conv: bool = False):
        super().__init__()
        self.scales = (scale,)
        layers = [nn.Conv2d(1, d, 5, padding=2), nn.PReLU(d), nn.Conv2d(d, s, 1), nn.PReLU(s)]
        for _ in range(m):
            layers += [nn.Conv2d(s, s, 3, padding=1), nn.PReLU(s)]
        layers += [nn.Conv2d(s, d, 1), nn.PReLU(d)]
        self.body = nn.Sequential(*layers)
        if deconv_as_conv:
            self.tail = nn.Sequential(nn.Upsample(scale_factor=scale), nn.Conv2d(d, 1, 9, padding=4))
        else:
            self.tail = nn.ConvTranspose2d(d, 1, 9, stride=scale, padding=4, output_padding=scale - 1)

    def forward(self, x, scale):
        return self.tail(self.body(x))


class _Block(nn.Module):
    """A PCARN residual / EResidual block with the zoo's ``forward(x, scale)`` signature (scale unused)."""

    scales = None

    def __init__(self, block: nn.Module, n_feats: int):
        super().__init__()
        self.block, self.in_channels = block, n_feats

    def forward(self, x, scale=None):
        return self.block(x)


def _residual_block(n_feats: int = 64) -> nn.Module:
    from .models.carn import ResidualBlock

    return _Block(ResidualBlock(n_feats), n_feats)


def _eresidual_block(n_feats: int = 64, groups: int = 4) -> nn.Module:
    from .models.carn import EResidualBlock

    return _Block(EResidualBlock(n_feats, groups), n_feats)


REFERENCE_MODELS = {
    "srcnn": SRCNN,
    "fsrcnn": FSRCNN,
    "vdsr": VDSR,
    "residual_block": _residual_block,  # PCARN Figure 2a (64 → 64, two 3×3 convs)
    "eresidual_block": _eresidual_block,  # PCARN Figure 4a (two grouped 3×3 convs + 1×1)
}
