"""RCAN: Residual Channel Attention Network (Zhang et al., ECCV 2018), a reference model of OverNet's Table 3.

Residual-in-residual: ``n_resgroups`` residual groups (RG) of ``n_resblocks`` residual channel-attention blocks
(RCAB = conv3×3, ReLU, conv3×3, channel attention, + identity) followed by a conv and a short skip; a conv after
the groups and a long skip from the head; EDSR's up-sampler (conv + pixel shuffle per ×2, or one ×3 stage; no
activation) and a conv to RGB. Paper size: 10 RGs × 20 RCABs, 64 features, reduction 16.

Module names follow the official EDSR-PyTorch ``rcan.py`` (``head.0``, ``body.g.body.b.body.{0,2}``,
``body.g.body.b.body.3.conv_du.{0,2}``, ``tail.0.*``, ``tail.1``; EDSR-style ``sub_mean``/``add_mean``), and the
network works on [0, 255] like that code (the [0, 1] input is rescaled inside), so its checkpoints would load.
``upsampler="osm"`` replaces ``tail`` with OverNet's :class:`OverscalingModule` (RCAN-OSM, arbitrary scale;
``osm_kwargs`` go to the module, ``max_scale`` defaults to ``scale``).
"""
from __future__ import annotations

import torch
import torch.nn as nn

from . import register_model
from .common import MeanShift, PixelShuffle, check_scale
from .overnet import OverscalingModule

__all__ = ["RCAN", "rcan"]


def _conv(in_ch: int, out_ch: int, k: int = 3) -> nn.Conv2d:
    return nn.Conv2d(in_ch, out_ch, k, padding=k // 2)


class CALayer(nn.Module):
    """Channel attention: ``x · sigmoid(conv1×1(ReLU(conv1×1(GAP(x)))))``."""

    def __init__(self, channels: int, reduction: int = 16):
        super().__init__()
        self.avg_pool = nn.AdaptiveAvgPool2d(1)
        self.conv_du = nn.Sequential(
            _conv(channels, channels // reduction, 1), nn.ReLU(inplace=True),
            _conv(channels // reduction, channels, 1), nn.Sigmoid(),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x * self.conv_du(self.avg_pool(x))


class RCAB(nn.Module):
    def __init__(self, n_feats: int, reduction: int):
        super().__init__()
        self.body = nn.Sequential(_conv(n_feats, n_feats), nn.ReLU(inplace=True), _conv(n_feats, n_feats),
                                  CALayer(n_feats, reduction))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.body(x) + x


class ResidualGroup(nn.Module):
    def __init__(self, n_feats: int, reduction: int, n_resblocks: int):
        super().__init__()
        self.body = nn.Sequential(*[RCAB(n_feats, reduction) for _ in range(n_resblocks)], _conv(n_feats, n_feats))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.body(x) + x


def _upsampler(scale: int, n_feats: int) -> nn.Sequential:
    """EDSR/RCAN ``common.Upsampler`` with ``act=False``."""
    layers: list[nn.Module] = []
    if scale in (2, 4, 8):
        for _ in range({2: 1, 4: 2, 8: 3}[scale]):
            layers += [_conv(n_feats, 4 * n_feats), PixelShuffle(2)]
    elif scale == 3:
        layers += [_conv(n_feats, 9 * n_feats), PixelShuffle(3)]
    else:
        raise ValueError(f"RCAN's pixel-shuffle up-sampler exists for x2, x3, x4, x8, not x{scale}")
    return nn.Sequential(*layers)


class RCAN(nn.Module):
    def __init__(self, scale: int = 4, upsampler: str = "pixelshuffle", n_resgroups: int = 10,
                 n_resblocks: int = 20, n_feats: int = 64, reduction: int = 16, rgb_range: float = 255.0,
                 osm_kwargs: dict | None = None):
        super().__init__()
        self.rgb_range, self.upsampler = rgb_range, upsampler
        self.sub_mean = MeanShift(-1, rgb_range, key_style="plain")
        self.add_mean = MeanShift(+1, rgb_range, key_style="plain")
        self.head = nn.Sequential(_conv(3, n_feats))
        self.body = nn.Sequential(*[ResidualGroup(n_feats, reduction, n_resblocks) for _ in range(n_resgroups)],
                                  _conv(n_feats, n_feats))
        if upsampler == "pixelshuffle":
            self.tail = nn.Sequential(_upsampler(scale, n_feats), _conv(n_feats, 3))
            self.scales = (scale,)
        elif upsampler == "osm":  # RCAN-OSM (OverNet, Table 3)
            self.osm = OverscalingModule(n_feats, **{"max_scale": scale, **(osm_kwargs or {})})
            self.scales = self.osm.scales
        else:
            raise ValueError(f"upsampler must be 'pixelshuffle' or 'osm', not {upsampler!r}")

    def forward(self, x: torch.Tensor, scale: float) -> torch.Tensor:
        x = self.sub_mean(x * self.rgb_range)
        h = self.head(x)
        h = self.body(h) + h
        if self.upsampler == "pixelshuffle":
            check_scale(scale, self.scales)
            out = self.tail(h)
        else:
            out = self.osm(h, x, scale)
        return self.add_mean(out) / self.rgb_range


@register_model
def rcan(scale: int = 4, upsampler: str = "pixelshuffle", **kwargs) -> RCAN:
    """RCAN (10 RGs × 20 RCABs, 64 features, reduction 16). ``upsampler="osm"`` gives RCAN-OSM (``osm_kwargs``:
    ``max_scale`` (default ``scale``), ``overscale``, ``interpolation``, ``group``). Lite: ``n_resgroups``,
    ``n_resblocks``, ``n_feats``, ``reduction``."""
    return RCAN(scale=scale, upsampler=upsampler, **kwargs)
