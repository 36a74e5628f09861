"""EDSR / MDSR (and the SRResNet they are compared with), as presented in the EDSR slides.

Paper
    Lim, Son, Kim, Nah, Lee, "Enhanced Deep Residual Networks for Single Image Super-Resolution", CVPRW 2017
    (NTIRE 2017 winner). This project's source is the authors' slide deck (``seeds/edsr_slides.txt``); slide names are
    quoted below ("Need Batch-Normalization?", "Increasing Model Size", "Designing MDSR", the "Options" table of
    "EDSR vs. MDSR").

Official code: ``sanghyun-son/EDSR-PyTorch`` (= ``thstkdgus35/EDSR-PyTorch``), ``src/model/{edsr,mdsr,common}.py``.
Module and parameter names equal the official ones (``sub_mean.weight``, ``head.0``, ``body.N.body.{0,2}``,
``body.{N_blocks}``, ``tail.0.0`` / ``tail.0.2``, ``tail.1``; MDSR ``pre_process.i.{0,1}.body.{0,2}``,
``upsample.i.{0,2}``, ``tail.0``), in the same registration order, so an official ``.pt`` state_dict loads with
``load_state_dict(sd, strict=True)`` (the official loader uses ``strict=False`` and hides mismatches).

EDSR (slides "EDSR Summary", "Need Batch-Normalization? (c) Proposed", "Residual Scaling Layer")::

    x·255 ─ sub_mean ─ head (3×3, 3→F) ─┬─ B × ResBlock ─ 3×3 ─(+)─ tail.0 Upsampler ─ tail.1 (3×3, F→3)
                                        └──────── global skip ──┘                     ─ add_mean ─ /255
    ResBlock(x) = x + res_scale · Conv(ReLU(Conv(x)))        (no BN, no ReLU after the addition)
    Upsampler   = [Conv F→4F, PixelShuffle(2)] × log2(s)  or  Conv F→9F, PixelShuffle(3)   (no activation)

MDSR (slides "Designing MDSR", "Train and Test Method"): a scale-specific pre-processing module (2 ResBlocks with
5×5 kernels) per scale in front of a *shared* main branch (B ResBlocks + 3×3 conv, global skip), then a
scale-specific up-sampler and a shared last conv; ``forward(x, scale)`` selects the path (①–③ on the slide).

SRResNet (Ledig et al., CVPR 2017; slide "Need Batch-Normalization? (b) SRResNet" and the "Options" table,
"SRResNet (reproduced)": 16 blocks, 64 features, 1.5M parameters, BN, L2 loss)::

    head 9×9 + PReLU ─┬─ 16 × [Conv-BN-PReLU-Conv-BN, + x] ─ Conv-BN ─(+)─ [Conv F→4F, PixelShuffle(2), PReLU] × 2
                      └───────────────────────────── global skip ──────┘                           ─ 9×9 F→3

Options shared by all constructors (``create_model(name, **kw)``):
    ``scale`` (2/3/4; MDSR: which of its ``scales`` is used by default — any of them may be passed to ``forward``),
    ``n_resblocks``, ``n_feats``, ``res_scale`` (constant scaling after each residual branch, slide "Residual Scaling
    Layer"), ``batch_norm`` (BN after each conv of every ResBlock, the slide's BN ablation; official ``--bn``
    layout: keys ``body.i.body.{0,1,3,4}``, the ReLU moves to index 2), ``upsampler`` (``"pixelshuffle"`` or ``"osm"``:
    OverNet Table 3's EDSR-OSM — OverNet's overscaling module replaces ``tail`` (up-sampler + last conv), the model
    accepts any float scale and ``scales`` is ``None``; not available for MDSR, whose per-scale branches need integer
    scales), ``osm_kwargs`` (passed to ``OverscalingModule``), ``rgb_range`` (255, as the official code).

Published parameter counts (this module reproduces all of them; see ``tests/test_edsr_slwsr.py``):
    EDSR-baseline 1.37M / 1.55M / 1.52M (×2/×3/×4), EDSR 40.7M / 43.7M / 43.1M, MDSR-baseline 3.23M, MDSR 7.95M
    (official README); slides "Options" table: SRResNet 1.5M, baseline 1.5M / 3.2M (single / multi), EDSR 43M,
    MDSR 8.0M. Counts include the two frozen 1×1 MeanShift convs (24 parameters), as ``torch`` counts them.

Paper (slides) vs official code vs this module:
    1. The slides' "SRResNet (reproduced)" is the authors' Torch7 re-implementation; only its options table is given.
       We follow SRGAN's generator (9×9 head/tail, PReLU, BN, conv-BN after the body) but keep the EDSR conventions
       around it (MeanShift, [0, 255] range, PixelShuffle(3) for ×3; SRGAN itself is ×4 only). PReLU has one
       shared slope (Torch7's ``nn.PReLU()`` default, the slides' framework): 1,549,486 parameters, "1.5M" on the
       slide; per-channel slopes (EDSR-PyTorch's ``common.py``) would give 1,550,683, i.e. 1.6M after rounding.
       Its keys are ours: no official SRResNet weights exist.
    2. MDSR's ``res_scale`` is 1 in the code (the slides: "Residual scaling –"; "We failed to increase #features even
       with residual scaling"). MDSR's branch order equals ``--scale 2+3+4``.
    3. The official ``Upsampler`` has no activation (``act=False``) although SRResNet's has a PReLU — kept as in the
       code.
    4. The official README notes that MDSR is "temporarily disabled" on the PyTorch ≥ 1.2 master; the architecture
       here is the one of ``src/model/mdsr.py`` (identical key names in the 2018 ``code/model/mdsr.py``).
"""
from __future__ import annotations

import inspect
import math

import torch
import torch.nn as nn

from . import register_model
from .common import MeanShift, PixelShuffle, check_scale

__all__ = ["ResBlock", "Upsampler", "EDSR", "MDSR", "SRResNet", "edsr", "edsr_baseline", "mdsr", "mdsr_baseline",
           "srresnet"]

UPSAMPLERS = ("pixelshuffle", "osm")


def default_conv(in_channels: int, out_channels: int, kernel_size: int, bias: bool = True) -> nn.Conv2d:
    """``common.default_conv``: 'same' padding, bias on."""
    return nn.Conv2d(in_channels, out_channels, kernel_size, padding=kernel_size // 2, bias=bias)


class ResBlock(nn.Module):
    """``common.ResBlock``: ``x + res_scale · body(x)``, body = Conv [BN] act Conv [BN] (slide "(c) Proposed").

    ``act`` defaults to ``ReLU``; pass ``nn.Identity()`` to drop it (s-LWSR's activation removal) without moving
    the conv indices (keys stay ``body.0`` / ``body.2``).
    """

    def __init__(self, n_feats: int, kernel_size: int = 3, batch_norm: bool = False, act: nn.Module | None = None,
                 res_scale: float = 1.0):
        super().__init__()
        m: list[nn.Module] = []
        for i in range(2):
            m.append(default_conv(n_feats, n_feats, kernel_size))
            if batch_norm:
                m.append(nn.BatchNorm2d(n_feats))
            if i == 0:
                m.append(nn.ReLU(inplace=True) if act is None else act)
        self.body = nn.Sequential(*m)
        self.res_scale = res_scale

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        res = self.body(x)
        if self.res_scale != 1:  # the "Residual Scaling Layer" (constant, not learned)
            res = res * self.res_scale
        return res + x


class Upsampler(nn.Sequential):
    """``common.Upsampler``: sub-pixel convolution(s); keys ``{0,2}`` (×4: two ×2 stages) or ``0`` (×2, ×3).

    ``act`` is ``None`` (EDSR/MDSR: no activation) or ``"prelu"`` (SRResNet).
    """

    def __init__(self, scale: int, n_feats: int, batch_norm: bool = False, act: str | None = None):
        m: list[nn.Module] = []
        if scale & (scale - 1) == 0:  # 2^n
            stages = [(2, 4)] * int(math.log2(scale))
        elif scale == 3:
            stages = [(3, 9)]
        else:
            raise ValueError(f"sub-pixel up-sampler supports scales 2^n and 3, not {scale}")
        for r, mult in stages:
            m.append(default_conv(n_feats, mult * n_feats, 3))
            m.append(PixelShuffle(r))
            if batch_norm:
                m.append(nn.BatchNorm2d(n_feats))
            if act == "prelu":
                m.append(nn.PReLU())
            elif act is not None:
                raise ValueError(f"act must be None or 'prelu', not {act!r}")
        super().__init__(*m)


def _check_choice(name: str, value, choices) -> None:
    if value not in choices:
        raise ValueError(f"{name} must be one of {', '.join(map(repr, choices))}; got {value!r}")


def _osm(n_feats: int, osm_kwargs: dict | None) -> nn.Module:
    from .overnet import OverscalingModule  # lazy: OverNet's family file is written separately

    return OverscalingModule(n_feats, **(osm_kwargs or {}))


class _RGB255(nn.Module):
    """Shared plumbing: [0, 1] in/out, [0, rgb_range] with the DIV2K mean removed inside (as the official code)."""

    def _setup(self, rgb_range: float) -> None:
        self.rgb_range = rgb_range
        self.sub_mean = MeanShift(-1, rgb_range, key_style="plain")
        self.add_mean = MeanShift(+1, rgb_range, key_style="plain")


class _SingleScale(_RGB255):
    """head ─ body ─(+ global skip)─ tail, the layout shared by EDSR and SRResNet."""

    def forward(self, x: torch.Tensor, scale=None) -> torch.Tensor:
        if self.scales is not None:
            check_scale(self.scales[0] if scale is None else scale, self.scales)
        elif scale is None:
            raise ValueError("a model with upsampler='osm' needs the scale")
        lr = self.sub_mean(x * self.rgb_range)
        feat = self.head(lr)
        res = self.body(feat) + feat  # global skip
        if self.upsampler == "osm":
            out = self.osm(res, lr, scale)  # includes the bicubic-up skip of the (mean-subtracted) input
        else:
            out = self.tail(res)
        return self.add_mean(out) / self.rgb_range


class EDSR(_SingleScale):
    """EDSR (slides "EDSR Summary"); ``n_resblocks=32, n_feats=256, res_scale=0.1`` is the paper model,
    ``16, 64, 1`` the baseline."""

    def __init__(self, scale: int = 4, n_resblocks: int = 32, n_feats: int = 256, res_scale: float = 0.1,
                 batch_norm: bool = False, upsampler: str = "pixelshuffle", osm_kwargs: dict | None = None,
                 rgb_range: float = 255.0):
        super().__init__()
        _check_choice("upsampler", upsampler, UPSAMPLERS)
        self.config = dict(scale=scale, n_resblocks=n_resblocks, n_feats=n_feats, res_scale=res_scale,
                           batch_norm=batch_norm, upsampler=upsampler, osm_kwargs=osm_kwargs, rgb_range=rgb_range)
        self.upsampler = upsampler
        self.scales = None if upsampler == "osm" else (int(scale),)
        self._setup(rgb_range)  # sub_mean, add_mean (registered first, as in edsr.py)
        self.head = nn.Sequential(default_conv(3, n_feats, 3))
        body: list[nn.Module] = [ResBlock(n_feats, 3, batch_norm, res_scale=res_scale) for _ in range(n_resblocks)]
        body.append(default_conv(n_feats, n_feats, 3))
        self.body = nn.Sequential(*body)
        if upsampler == "osm":  # OverNet Table 3 "EDSR-OSM": OSM replaces up-sampler + last conv
            self.osm = _osm(n_feats, osm_kwargs)
        else:
            self.tail = nn.Sequential(Upsampler(scale, n_feats), default_conv(n_feats, 3, 3))


class MDSR(_RGB255):
    """MDSR (slides "Designing MDSR"): one model for ×2, ×3, ×4. ``forward(x, scale)`` picks the branch."""

    def __init__(self, scale: int | None = None, n_resblocks: int = 80, n_feats: int = 64, res_scale: float = 1.0,
                 batch_norm: bool = False, upsampler: str = "pixelshuffle", osm_kwargs: dict | None = None,
                 scales=(2, 3, 4), rgb_range: float = 255.0):
        super().__init__()
        if upsampler != "pixelshuffle":
            raise ValueError("MDSR has per-scale branches and supports only upsampler='pixelshuffle'")
        scales = tuple(int(s) for s in scales)
        if scale is not None:
            check_scale(scale, scales)
        self.config = dict(scale=scale, n_resblocks=n_resblocks, n_feats=n_feats, res_scale=res_scale,
                           batch_norm=batch_norm, scales=scales, rgb_range=rgb_range)
        self.scales = scales
        self.default_scale = scale
        # registration order of mdsr.py: sub_mean, pre_process, upsample, add_mean, head, body, tail
        self.rgb_range = rgb_range
        self.sub_mean = MeanShift(-1, rgb_range, key_style="plain")
        # scale-specific pre-processing: two 5×5 ResBlocks per scale ("Reduce the variance between the scales")
        self.pre_process = nn.ModuleList([
            nn.Sequential(*(ResBlock(n_feats, 5, batch_norm, res_scale=res_scale) for _ in range(2)))
            for _ in scales
        ])
        # scale-specific up-samplers ("For efficiency: Post-upscaling")
        self.upsample = nn.ModuleList([Upsampler(s, n_feats) for s in scales])
        self.add_mean = MeanShift(+1, rgb_range, key_style="plain")
        self.head = nn.Sequential(default_conv(3, n_feats, 3))
        # shared main branch ("Most parameters are shared across scales")
        body: list[nn.Module] = [ResBlock(n_feats, 3, batch_norm, res_scale=res_scale) for _ in range(n_resblocks)]
        body.append(default_conv(n_feats, n_feats, 3))
        self.body = nn.Sequential(*body)
        self.tail = nn.Sequential(default_conv(n_feats, 3, 3))

    def forward(self, x: torch.Tensor, scale=None) -> torch.Tensor:
        scale = check_scale(self.default_scale if scale is None else scale, self.scales)
        i = self.scales.index(scale)  # the official set_scale(idx)
        feat = self.pre_process[i](self.head(self.sub_mean(x * self.rgb_range)))
        res = self.body(feat) + feat
        return self.add_mean(self.tail(self.upsample[i](res))) / self.rgb_range


class SRResNet(_SingleScale):
    """SRGAN's SRResNet generator (Ledig et al. 2017, Fig. 4), the slides' "SRResNet (reproduced)"."""

    def __init__(self, scale: int = 4, n_resblocks: int = 16, n_feats: int = 64, res_scale: float = 1.0,
                 batch_norm: bool = True, upsampler: str = "pixelshuffle", osm_kwargs: dict | None = None,
                 rgb_range: float = 255.0):
        super().__init__()
        _check_choice("upsampler", upsampler, UPSAMPLERS)
        self.config = dict(scale=scale, n_resblocks=n_resblocks, n_feats=n_feats, res_scale=res_scale,
                           batch_norm=batch_norm, upsampler=upsampler, osm_kwargs=osm_kwargs, rgb_range=rgb_range)
        self.upsampler = upsampler
        self.scales = None if upsampler == "osm" else (int(scale),)
        self._setup(rgb_range)
        self.head = nn.Sequential(default_conv(3, n_feats, 9), nn.PReLU())
        body: list[nn.Module] = [
            ResBlock(n_feats, 3, batch_norm, act=nn.PReLU(), res_scale=res_scale) for _ in range(n_resblocks)
        ]
        body.append(default_conv(n_feats, n_feats, 3))
        if batch_norm:
            body.append(nn.BatchNorm2d(n_feats))
        self.body = nn.Sequential(*body)
        if upsampler == "osm":
            self.osm = _osm(n_feats, osm_kwargs)
        else:
            self.tail = nn.Sequential(Upsampler(scale, n_feats, act="prelu"), default_conv(n_feats, 3, 9))


def _build(cls, defaults: dict, options: dict):
    unknown = set(options) - set(inspect.signature(cls.__init__).parameters)
    if unknown:
        raise TypeError(f"unknown option(s) {sorted(unknown)} for {cls.__name__}")
    return cls(**{**defaults, **options})


@register_model
def edsr(**options) -> EDSR:
    """EDSR (slides): 32 ResBlocks × 256 features, residual scaling 0.1. 40.7M / 43.7M / 43.1M params (×2/×3/×4)."""
    return _build(EDSR, dict(scale=4, n_resblocks=32, n_feats=256, res_scale=0.1), options)


@register_model
def edsr_baseline(**options) -> EDSR:
    """EDSR baseline ("Our baseline (Single-scale)"): 16 × 64, no residual scaling. 1.37M / 1.55M / 1.52M params."""
    return _build(EDSR, dict(scale=4, n_resblocks=16, n_feats=64, res_scale=1.0), options)


@register_model
def mdsr(**options) -> MDSR:
    """MDSR (slides): 80 ResBlocks × 64, per-scale 5×5 pre-processing and up-samplers for ×2/×3/×4. 7.95M
    params."""
    return _build(MDSR, dict(n_resblocks=80, n_feats=64, res_scale=1.0), options)


@register_model
def mdsr_baseline(**options) -> MDSR:
    """MDSR baseline ("Our baseline (Multi-scale)"): 16 ResBlocks × 64. 3.23M params."""
    return _build(MDSR, dict(n_resblocks=16, n_feats=64, res_scale=1.0), options)


@register_model
def srresnet(**options) -> SRResNet:
    """SRResNet with batch norm (SRGAN; the slides' comparison, "1.5M"): 16 blocks × 64, PReLU."""
    return _build(SRResNet, dict(scale=4, n_resblocks=16, n_feats=64, batch_norm=True), options)
