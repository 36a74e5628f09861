"""Building blocks shared by several families (kept tiny on purpose: each family file reads on its own)."""
from __future__ import annotations

import math

import torch
import torch.nn as nn
import torch.nn.functional as F

# DIV2K RGB mean, subtracted by every official implementation (CARN, PCARN, OverNet, EDSR, s-LWSR).
DIV2K_MEAN = (0.4488, 0.4371, 0.4040)


class MeanShift(nn.Module):
    """Frozen 1×1 conv that adds ``sign·rgb_range·mean`` per channel.

    The official repos store this conv's weight and bias in their state_dicts, so it is a real (frozen)
    ``nn.Conv2d`` here too: strict loading then checks those keys as well. ``key_style="shifter"`` gives
    CARN/OverNet keys (``sub_mean.shifter.weight``), ``"plain"`` gives EDSR keys (``sub_mean.weight``).
    """

    def __init__(self, sign: int, rgb_range: float = 1.0, mean=DIV2K_MEAN, key_style: str = "shifter"):
        super().__init__()
        conv = nn.Conv2d(3, 3, 1)
        with torch.no_grad():
            conv.weight.copy_(torch.eye(3, device="cpu").view(3, 3, 1, 1))
            conv.bias.copy_(sign * rgb_range * torch.tensor(mean, device="cpu"))
        for p in conv.parameters():
            p.requires_grad = False
        self.key_style = key_style
        if key_style == "shifter":
            self.shifter = conv
        elif key_style == "plain":
            self.weight, self.bias = conv.weight, conv.bias
        else:
            raise ValueError(f"key_style must be 'shifter' or 'plain', not {key_style!r}")

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.key_style == "shifter":
            return self.shifter(x)
        return nn.functional.conv2d(x, self.weight, self.bias)


class PixelShuffle(nn.PixelShuffle):
    """``nn.PixelShuffle`` (Shi et al. 2016) as a view, a permute and one copy: the same values and gradients to the
    bit (it only moves data; tests/test_carn.py), and on CPU 1.3–1.7× faster than ATen's kernel at the study's
    shapes (measured, 2 threads: 16×256×32² ×2 8.5 → 5.6 ms forward, 20 → 12 ms backward; 1×256×160×240 ×2
    41 → 23 ms forward). One exception measured: a single 1×1600×80×120 ×5 backward, 62 → 100 ms."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        r = self.upscale_factor
        n, c, h, w = x.shape
        return x.view(n, c // (r * r), r, r, h, w).permute(0, 1, 4, 2, 5, 3).reshape(n, c // (r * r), h * r, w * r)


def check_scale(scale, supported) -> int:
    """Validate ``scale`` for a model built for the integer scales in ``supported``."""
    if supported is not None and scale not in supported:
        raise ValueError(f"scale {scale} not supported by this model (built for {tuple(supported)})")
    return int(scale)


def init_convs(model: nn.Module, dist: str, numerator: float, factor: float) -> nn.Module:
    """PCARN Table 3 initialization of every trainable conv: ``factor × N(0, sqrt(numerator/F))`` or
    ``factor × U(±sqrt(numerator/F))``, F = fan-in; biases zeroed (official ``init.py``); frozen convs untouched.

    Weight-normalised convs (OverNet) are handled: the drawn weight goes into ``weight_v``/``weight_g`` (legacy
    ``torch.nn.utils.weight_norm``) or through the parametrization's right-inverse (new API).
    """
    if dist not in ("uniform", "normal"):
        raise ValueError(f"dist must be 'uniform' or 'normal', not {dist!r}")
    for m in model.modules():
        if not isinstance(m, nn.modules.conv._ConvNd):
            continue
        legacy_wn = hasattr(m, "weight_v")  # weight = g·v/‖v‖ with parameters weight_g, weight_v
        param = m.weight_v if legacy_wn else m.weight
        if not param.requires_grad:
            continue
        w = param.detach()
        bound = factor * math.sqrt(numerator / w[0].numel())  # w[0].numel() = fan-in (in/groups × kernel area)
        new = torch.empty_like(w)
        new.uniform_(-bound, bound) if dist == "uniform" else new.normal_(0.0, bound)
        with torch.no_grad():
            if legacy_wn:
                m.weight_v.copy_(new)
                m.weight_g.copy_(new.flatten(1).norm(dim=1).view_as(m.weight_g))
            elif nn.utils.parametrize.is_parametrized(m, "weight"):
                m.weight = new
            else:
                m.weight.copy_(new)
            if m.bias is not None and m.bias.requires_grad:
                m.bias.zero_()
    return model


def resize(x: torch.Tensor, size: tuple[int, int], scale: float | None = None, mode: str = "bicubic",
           antialias: bool = False) -> torch.Tensor:
    """Resize ``x`` (N×C×h×w) to ``size`` with ``F.interpolate(align_corners=False)``, mapping output pixel ``i``
    to input coordinate ``(i + 0.5)/scale − 0.5``.

    Why ``scale`` and not the size ratio: at a fractional scale the LR image is MATLAB ``imresize(HR, 1/s)``, whose
    pixel grid follows ``s`` exactly, while the output size ``round(h·s)`` is not ``h·s``; mapping by
    ``size/h`` then drifts by up to half a pixel across the image (measured: −4.0 dB at B100 ×1.1 on a lite
    OverNet, −1.8 dB at ×1.4). When ``size`` is exactly ``h·scale`` (every integer scale, and every training patch,
    whose scale is snapped to the patch grid) this is ``F.interpolate(size=...)`` itself, bit for bit.
    """
    size = (int(size[0]), int(size[1]))
    h, w = x.shape[-2:]
    if scale is None or (abs(h * scale - size[0]) < 1e-6 and abs(w * scale - size[1]) < 1e-6):
        return x if (h, w) == size else F.interpolate(x, size=size, mode=mode, align_corners=False,
                                                      antialias=antialias)
    # torch sizes a scale_factor output as floor(h·scale); pad bottom/right by replication until it covers
    # ``size``, then crop. Torch's (non-antialiased) kernels clamp out-of-range taps to the edge, so the padding
    # changes no output pixel.
    pad = math.ceil(1 / scale) + 1
    y = F.interpolate(F.pad(x, (0, pad, 0, pad), mode="replicate"), scale_factor=(scale, scale), mode=mode,
                      align_corners=False, recompute_scale_factor=False, antialias=antialias)
    return y[..., :size[0], :size[1]]
