"""RDN (Zhang et al., CVPR 2018) and Meta-RDN (Hu et al., "Meta-SR", CVPR 2019).

Both are reference models of OverNet's Tables 2, 3 and 8 (RDN, RDN-OSM, Meta-RDN).

* ``rdn``: Residual Dense Network, configuration "B" of the paper (D = 16 residual dense blocks, C = 8 conv
  layers per block, growth G = 64, G0 = 64 features). Module names follow the EDSR-PyTorch ``rdn.py``
  (``SFENet1``, ``RDBs.i.convs.c.conv.0``, ``LFF``, ``GFF``, ``UPNet``) so that its checkpoints would load; like
  that code there is no mean shift and the network works on [0, 255] (the input in [0, 1] is rescaled inside).
  ``upsampler="osm"`` replaces ``UPNet`` with OverNet's :class:`OverscalingModule` (RDN-OSM), which makes the
  model arbitrary-scale; ``osm_kwargs`` go to the module (``max_scale`` defaults to ``scale``).
* ``meta_rdn``: the same feature extractor with the Meta-Upscale module instead of ``UPNet``. For output pixel
  ``(i, j)`` at scale ``r``: location projection ``(i', j') = (⌊i/r⌋, ⌊j/r⌋)``; weight prediction
  ``W(i, j) = φ(v_ij)`` with ``v_ij = (1/r, i/r − ⌊i/r⌋, j/r − ⌊j/r⌋)`` (the official code's order) and
  ``φ`` = FC(3→256), ReLU, FC(256→3·3·G0·3); feature mapping ``SR(i, j) = Σ F_LR(3×3 patch at (i', j'))·W(i, j)``
  (no bias). Names as in ``XuecaiHu/Meta-SR-Pytorch`` (``sub_mean``/``add_mean`` EDSR-style mean shift on
  [0, 255], ``P2W.meta_block.{0,2}``). The official code computes the ⌈r⌉×⌈r⌉ grid and masks it; computing the
  needed pixels directly gives the same values. Output size is ``round(h·r)`` (the project convention; the
  official code uses ``int(h·r)``).

Lite variants: ``n_feats`` (G0), ``growth`` (G), ``n_blocks`` (D), ``n_layers`` (C), ``meta_hidden``.
"""
from __future__ import annotations

import torch
import torch.nn as nn
import torch.nn.functional as F

from . import register_model
from .common import MeanShift, PixelShuffle, check_scale
from .overnet import OverscalingModule, output_size

__all__ = ["RDN", "MetaRDN", "MetaUpscale", "meta_upscale", "rdn", "meta_rdn"]


class RDBConv(nn.Module):
    """One densely connected layer: ``[x, ReLU(conv3×3(x))]``."""

    def __init__(self, in_ch: int, growth: int):
        super().__init__()
        self.conv = nn.Sequential(nn.Conv2d(in_ch, growth, 3, padding=1), nn.ReLU())

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.cat([x, self.conv(x)], dim=1)


class RDB(nn.Module):
    """Residual dense block: C dense layers, local feature fusion (1×1), local residual learning."""

    def __init__(self, n_feats: int, growth: int, n_layers: int):
        super().__init__()
        self.convs = nn.Sequential(*[RDBConv(n_feats + c * growth, growth) for c in range(n_layers)])
        self.LFF = nn.Conv2d(n_feats + n_layers * growth, n_feats, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.LFF(self.convs(x)) + x


class _RDNBody(nn.Module):
    """Shallow feature extraction, D RDBs, global feature fusion and global residual learning (dense features)."""

    def __init__(self, n_feats: int, growth: int, n_blocks: int, n_layers: int):
        super().__init__()
        self.SFENet1 = nn.Conv2d(3, n_feats, 3, padding=1)
        self.SFENet2 = nn.Conv2d(n_feats, n_feats, 3, padding=1)
        self.RDBs = nn.ModuleList([RDB(n_feats, growth, n_layers) for _ in range(n_blocks)])
        self.GFF = nn.Sequential(nn.Conv2d(n_blocks * n_feats, n_feats, 1), nn.Conv2d(n_feats, n_feats, 3, padding=1))

    def features(self, x: torch.Tensor) -> torch.Tensor:
        f_1 = self.SFENet1(x)
        h = self.SFENet2(f_1)
        outs = []
        for rdb in self.RDBs:
            h = rdb(h)
            outs.append(h)
        return self.GFF(torch.cat(outs, dim=1)) + f_1


class RDN(_RDNBody):
    def __init__(self, scale: int = 4, upsampler: str = "pixelshuffle", n_feats: int = 64, growth: int = 64,
                 n_blocks: int = 16, n_layers: int = 8, rgb_range: float = 255.0, osm_kwargs: dict | None = None):
        super().__init__(n_feats, growth, n_blocks, n_layers)
        self.rgb_range = rgb_range
        if upsampler == "pixelshuffle":
            if scale in (2, 3):
                up = [nn.Conv2d(n_feats, growth * scale * scale, 3, padding=1), PixelShuffle(scale)]
            elif scale == 4:
                up = [nn.Conv2d(n_feats, growth * 4, 3, padding=1), PixelShuffle(2),
                      nn.Conv2d(growth, growth * 4, 3, padding=1), PixelShuffle(2)]
            else:
                raise ValueError(f"RDN's pixel-shuffle up-sampler exists for x2, x3, x4, not x{scale}")
            self.UPNet = nn.Sequential(*up, nn.Conv2d(growth, 3, 3, padding=1))
            self.scales = (scale,)
        elif upsampler == "osm":  # RDN-OSM (OverNet, Tables 2-3)
            self.osm = OverscalingModule(n_feats, **{"max_scale": scale, **(osm_kwargs or {})})
            self.scales = self.osm.scales
        else:
            raise ValueError(f"upsampler must be 'pixelshuffle' or 'osm', not {upsampler!r}")
        self.upsampler = upsampler

    def forward(self, x: torch.Tensor, scale: float) -> torch.Tensor:
        x = x * self.rgb_range
        h = self.features(x)
        if self.upsampler == "pixelshuffle":
            check_scale(scale, self.scales)
            out = self.UPNet(h)
        else:
            out = self.osm(h, x, scale)
        return out / self.rgb_range


class Pos2Weight(nn.Module):
    """Weight prediction network φ of Meta-Upscale: FC(3→hidden), ReLU, FC(hidden→k·k·in·out)."""

    def __init__(self, in_ch: int, kernel_size: int = 3, out_ch: int = 3, hidden: int = 256):
        super().__init__()
        self.meta_block = nn.Sequential(
            nn.Linear(3, hidden), nn.ReLU(inplace=True), nn.Linear(hidden, kernel_size * kernel_size * in_ch * out_ch)
        )

    def forward(self, v: torch.Tensor) -> torch.Tensor:
        return self.meta_block(v)


def meta_upscale(feats: torch.Tensor, scale: float, p2w: nn.Module, kernel_size: int = 3, out_ch: int = 3,
                 max_elems: int = 2 ** 23) -> torch.Tensor:
    """Meta-Upscale (Hu et al. 2019, Sec. 3.2-3.3): location projection, weight prediction by ``p2w``, feature
    mapping.

    ``v_ij`` depends on ``i`` and ``j`` only through the row offset and the column offset, so φ is evaluated once
    per distinct (row offset, column offset) pair (``r²`` pairs at an integer scale ``r``) and gathered; this gives
    the same values as evaluating it at every pixel, as the official code does. Output rows are processed in chunks
    so that the gathered per-pixel weights stay below about ``max_elems`` floats at a time.
    """
    n, c, h, w = feats.shape
    H, W = output_size(h, w, scale)
    dev, dt = feats.device, feats.dtype
    # location projection (i', j') = (floor(i/r), floor(j/r)) and offsets, as the official code: float32 i·(1/r)
    ph = torch.arange(H, device=dev, dtype=torch.float32).mul(1.0 / scale)
    pw = torch.arange(W, device=dev, dtype=torch.float32).mul(1.0 / scale)
    ih, iw = ph.floor(), pw.floor()
    (uh, inv_h), (uw, inv_w) = torch.unique(ph - ih, return_inverse=True), torch.unique(pw - iw, return_inverse=True)
    ih, iw = ih.long().clamp_(max=h - 1), iw.long().clamp_(max=w - 1)
    # weight prediction W = φ(v), v = (1/r, row offset, column offset): the official pos_mat order
    v = torch.stack(torch.broadcast_tensors(uh.new_tensor(1.0 / scale), uh[:, None], uw[None, :]), dim=-1).to(dt)
    kk = c * kernel_size * kernel_size
    wgrid = p2w(v.view(-1, 3)).view(len(uh), len(uw), kk, out_ch)
    # feature mapping: SR(i, j) = <3×3 patch of F_LR at (i', j'), W(i, j)>
    cols = F.unfold(feats, kernel_size, padding=kernel_size // 2).view(n, kk, h, w)  # index c·k² + ky·k + kx
    cols = cols[:, :, :, iw]  # N×K×h×W
    rows = max(1, max_elems // (W * kk * (out_ch + n)))
    out = feats.new_empty(n, out_ch, H, W)
    for i0 in range(0, H, rows):
        i1 = min(H, i0 + rows)
        wts = wgrid[inv_h[i0:i1]][:, inv_w]  # rows×W×K×out_ch
        out[:, :, i0:i1] = torch.einsum("nkij,ijko->noij", cols[:, :, ih[i0:i1], :], wts)
    return out


class MetaUpscale(nn.Module):
    """Meta-Upscale module on its own (``forward(features, scale)``), for use on other backbones."""

    def __init__(self, n_feats: int, out_ch: int = 3, kernel_size: int = 3, hidden: int = 256):
        super().__init__()
        self.out_ch, self.k = out_ch, kernel_size
        self.P2W = Pos2Weight(n_feats, kernel_size, out_ch, hidden)

    def forward(self, feats: torch.Tensor, scale: float) -> torch.Tensor:
        return meta_upscale(feats, scale, self.P2W, self.k, self.out_ch)


class MetaRDN(_RDNBody):
    scales = None

    def __init__(self, n_feats: int = 64, growth: int = 64, n_blocks: int = 16, n_layers: int = 8,
                 rgb_range: float = 255.0, meta_hidden: int = 256):
        super().__init__(n_feats, growth, n_blocks, n_layers)
        self.rgb_range = rgb_range
        self.sub_mean = MeanShift(-1, rgb_range, key_style="plain")
        self.add_mean = MeanShift(+1, rgb_range, key_style="plain")
        self.P2W = Pos2Weight(n_feats, 3, 3, meta_hidden)  # top-level name as in the official code

    def forward(self, x: torch.Tensor, scale: float) -> torch.Tensor:
        if not scale > 0:
            raise ValueError(f"scale must be positive, not {scale!r}")
        x = self.sub_mean(x * self.rgb_range)
        out = self.add_mean(meta_upscale(self.features(x), scale, self.P2W))
        return out / self.rgb_range


@register_model
def rdn(scale: int = 4, upsampler: str = "pixelshuffle", **kwargs) -> RDN:
    """RDN (config B: D=16, C=8, G=64, G0=64). ``upsampler="osm"`` gives RDN-OSM (arbitrary scale up to the
    overscale; ``osm_kwargs`` such as ``max_scale`` (default ``scale``), ``overscale``, ``interpolation``, ``group``).
    Lite: ``n_feats``, ``growth``, ``n_blocks``, ``n_layers``."""
    return RDN(scale=scale, upsampler=upsampler, **kwargs)


@register_model
def meta_rdn(scale: float | None = None, **kwargs) -> MetaRDN:
    """Meta-RDN (arbitrary scale; ``scale`` is accepted and ignored). Lite: ``n_feats``, ``growth``,
    ``n_blocks``, ``n_layers``, ``meta_hidden``."""
    return MetaRDN(**kwargs)
