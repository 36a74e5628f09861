"""ASDN — Arbitrary-Scale Deep Network (Shen, Wang & Zhang, arXiv 2010.02414), read from ``asdn_slides.txt``.

There is no official code or weights (``official_code_survey.md`` §5). This file follows the slides; the
unofficial UniBo course code (``alessandrodicosola/SuperSampling``) was only used as a cross-check, and its
reading can be rebuilt here (``fusion=False, sa_on="image"``) because it is the one behind the slides' printed
parameter counts (see "Parameter counts" below).

What the slides give (slide titles in quotes)
----------------------------------------------
* "Laplacian Frequency Representation": ``L`` pyramid levels ``O_{r_0} … O_{r_{L-1}}`` in the scale range
  ``(1, 2]``, ``r_l = l/(L-1) + 1``; index ``i = ⌈(r-1)(L-1)⌉``; weight ``w_r = (L-1)(r_i - r)``; phase
  ``P_i = O_{r_{i-1}} - O_{r_i}``; output ``O_r = O_{r_i} + w_r·P_i``. Worked example ("Example"):
  ``r = 1.27, L = 11 → i = 3, w = 0.3`` (:func:`lfr_index_weight`).
* "Study of Laplacian Frequency Representation" (Fig. 8): ASDN-4/8/16 have 5/9/17 levels; 11 is the default
  (``levels`` kwarg).
* "Recursive deployment": ``N = ⌈log2 R⌉`` passes, ``r = 2`` for the first ``N-1``, then ``R/2^(N-1)``
  (:func:`recursive_scales`).
* "Architecture" (two slides): feature mapping branch (FMB) of Dense Attention Blocks (DAB = Intra Dense Block
  (IDB) + channel attention (CA, "from RCAN")) with bi-dense connections; one Image Reconstruction Branch (IRB)
  per pyramid level with spatial attention (SA, "from CSFM"); global skip connection from the input. All convs
  3×3, 64 filters, zero padding, stride 1, except the IRB conv (1×1, 3 filters), CA (1×1 reduce–expand) and SA
  (1×1 expand–reduce). 16 DABs, 8 convs per IDB.
* "Testing": the LR image is upsampled (bicubic, "Training") to the target size and forwarded with the two
  neighbouring levels enabled; scales > 2 are done recursively.
* "Project / Architecture": the course project's smaller size, 8 DABs, 4 IDB convs, 32 features (``size``).

Readings chosen where the slides are ambiguous or silent
---------------------------------------------------------
1. **Where the two levels come from.** One FMB pass on the LR image bicubic-upsampled to the *target* size
   ``round(h·r)``; the FMB is shared and the two IRBs ``i-1`` and ``i`` read the same features ("Two IRBs are
   activated … and the final image is reconstructed using the formula"; "Testing": "upsampled and forwarded
   into the ASDN with two enabled neighbouring Laplacian pyramid levels"). The UniBo code instead runs the
   whole network twice, on the LR upsampled by ``r_i`` and by ``r_{i-1}``, and returns an image of size
   ``h·r_i`` rather than ``h·r``; we do not follow that.
2. **Levels include ``r_0 = 1``.** ``r_l = l/(L-1) + 1`` for ``l = 0 … L-1`` (Fig. 2: ``O_{r_0} … O_{r_10}``,
   10 phases), so level 0 is the ×1 level although the "Training" slide says the 11 training ratios lie in
   ``(1, 2]``. ``r = 1`` gives ``i = 0, w = 0`` (no phase needed). Scales < 1 are rejected.
3. **Float edge of the ceiling.** ``(1.3-1)·10 = 3.0000000000000004`` in floating point; ``(r-1)(L-1)`` is
   snapped to the nearest integer when within 1e-9 so on-level scales use one level with ``w = 0``.
4. **Pre-upsampling kernel.** PyTorch bicubic (a = -0.75, ``align_corners=False``, no antialias — upsampling
   only); the slides only say "bicubic". MATLAB's kernel is a = -0.5. At a fractional ratio ``r`` the output
   pixel ``i`` maps to input coordinate ``(i + 0.5)/r − 0.5`` (``common.resize``): the LR test image is
   ``imresize(HR, 1/s)`` on ``s``'s exact grid, and mapping by the size ratio ``round(h·r)/h`` instead drifts by up
   to half a pixel across the image. Each pass of the recursive deployment maps by its own ratio, so the passes
   compose to the exact grid of ``R``. A training patch pair is on its own grid (``out_size``: the size ratio).
5. **Bi-dense connections** (DBDN style): the input of DAB ``k`` is the concatenation of the shallow features and
   the outputs of DABs ``1 … k-1``; the IDB's first 1×1 conv ("convolutions for compressing the input") brings it
   back to ``n_feats``. After the last DAB the full concatenation is fused by a 1×1 conv to ``n_feats``
   (``fusion=True``; the slides do not show this layer: "All convolutions have 64 filters" and DBDN's
   compression layer before reconstruction suggest it; the UniBo code has none, ``fusion=False``).
6. **Shallow features**: one 3×3 conv 3→``n_shallow`` (default ``n_feats``) at the start of the FMB (not on the
   slides' bullets; the UniBo report calls it "a shallow features extractor").
7. **IDB** ("Architecture" bullet 2): ``c = conv1×1(x)`` (input compression), ``K`` densely connected
   ``ReLU(conv3×3)`` layers with growth ``growth`` (default ``n_feats``; project table: "Features IDB 32"), output
   compression ``conv1×1([c, y_1…y_K]) → n_feats`` summed with ``c``. No BN.
8. **CA** as in RCAN: global *average* pooling, 1×1 reduce (``reduction`` 16), ReLU, 1×1 expand, sigmoid, scale.
   DAB = CA(IDB(x)) with no extra residual (the IDB already has one). (UniBo uses max pooling.)
9. **IRB order.** ``IRB_l(f, x↑) = conv1×1(SA(f)) + x↑``: SA on the ``n_feats`` feature maps (CSFM's SA works on
   feature maps: 1×1 expand by ``sa_expansion`` = 2, ReLU, 1×1 reduce, sigmoid, element-wise product), then the
   1×1, 3-filter conv. ``sa_on="image"`` gives the UniBo order (1×1 conv to 3 channels, then SA on those 3).
10. **Global skip** ("Global skip connection for including low frequency information from the input"): the
    bicubic-upsampled input ``x↑`` is added to every IRB output. ``global_skip=False`` drops it (ablation, so the
    IRBs must predict the whole image). No mean shift (the slides mention none).
11. **Recursion output size.** Intermediate passes produce ``round(h_k·r_k)``; the last pass is forced to the
    final target ``round(h·R)`` (or ``out_size``) so the result has exactly the requested size whatever the
    intermediate rounding. ``N = ⌈log2 R⌉`` is computed with a 1e-9 tolerance (R = 4 → 2 passes).
12. **Training.** "At each update each IRB is randomly selected" / "LR images randomly selected from one scale …
    among the total 11 scales": one level per batch, trained alone at its own scale ``r_l``
    (:meth:`ASDN.forward_level`; :meth:`ASDN.forward_levels` gives every level). The slides' patch sizes (48×48
    LR input, 96×96 target) do not fit pre-upsampling at ``r_l < 2``; ``forward_level(x, l, out_size=…)``
    takes any LR patch and returns the target patch size. In training mode ``forward(x, r)`` is
    ``forward_level`` of the nearest level when ``r`` is within half an LR pixel of it (the study's patch sampler
    snaps ``r_l`` to ``round(p·r_l)/p``: exact for 5, 9 and 17 levels at p = 16, within 0.025 for 11), so the
    loop's batches train one IRB each; the levels are trained as the scales ``lfr_scales(L)``, ``r_0 = 1``
    included (the slides' "11 ratios" with 11 levels). Farther off the levels ``forward(x, r)`` trains the
    two neighbouring IRBs through the interpolation.
13. **Output sizes** are ``(round(h·s), round(w·s))`` (Python rounding, as ``overnet.output_size``);
    ``forward(..., out_size=(H, W))`` forces an exact size (e.g. the HR size when the LR came from MATLAB
    ``imresize``, whose size is ``ceil(H/s)``).
14. FSDN (ASDN fine-tuned with a deconvolution before the IRB) is :mod:`srrepro.models.fsdn`; the slides' VDSR-, EDSR-
    and RDN-Conv and -100 networks (their trunks in place of the FMB) are :mod:`srrepro.models.asdn_conv`.

Parameter counts
----------------
The slides ("Project / Architecture", a torchsummary table from the UniBo code) print 22,405,168 for the
"Paper model" and 828,928 for the project "Base model". Both equal FMB + **one** IRB (torchsummary only counts
the modules run) in the UniBo reading: ``fusion=False, sa_on="image"``, CA reduction 16, and, for the project
model, 64 shallow features (``n_shallow=64``). ``tests/test_asdn.py`` rebuilds both numbers. The reading
used here (defaults) has 22,656,033 parameters at paper size (L = 11) and 875,281 at project size (all 11 IRBs counted).
"""
from __future__ import annotations

import math
from typing import Iterable, Sequence

import torch
import torch.nn as nn
import torch.nn.functional as F

from . import register_model
from .common import resize
from .lfr import _EPS, R_MAX, R_MIN, lfr_index_weight, lfr_scales, recursive_scales  # noqa: F401 (the family's API)

__all__ = ["ASDN", "asdn", "lfr_index_weight", "lfr_scales", "recursive_scales", "SIZES", "R_MAX"]

# "Architecture" (paper) and "Project / Architecture" (course project) sizes.
SIZES = {
    "paper": dict(n_dab=16, n_idb_convs=8, n_feats=64),
    "project": dict(n_dab=8, n_idb_convs=4, n_feats=32),
}


def _target_size(h: int, w: int, scale: float) -> tuple[int, int]:
    return int(round(h * scale)), int(round(w * scale))


# ---------------------------------------------------------------------------------------------------------------
# Slide "Architecture": building blocks
# ---------------------------------------------------------------------------------------------------------------
class IntraDenseBlock(nn.Module):
    """IDB (reading 7): input compression 1×1 → ``n_convs`` dense ReLU(conv3×3) → output compression 1×1, + input
    compression ("convolutions for compressing the input and the output (which is summed with the compressed
    input)"). No batch norm ("without BN in order to maintain image details")."""

    def __init__(self, in_ch: int, n_feats: int, growth: int, n_convs: int):
        super().__init__()
        self.compress_in = nn.Conv2d(in_ch, n_feats, 1)
        self.convs = nn.ModuleList(
            nn.Conv2d(n_feats + k * growth, growth, 3, padding=1) for k in range(n_convs)
        )
        self.compress_out = nn.Conv2d(n_feats + n_convs * growth, n_feats, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        c = self.compress_in(x)
        feats = [c]
        for conv in self.convs:  # densely connected: each conv sees all previous outputs
            feats.append(F.relu(conv(torch.cat(feats, 1))))
        return c + self.compress_out(torch.cat(feats, 1))


class ChannelAttention(nn.Module):
    """CA "from RCAN" (reading 8): global average pool, 1×1 reduce, ReLU, 1×1 expand, sigmoid, rescale."""

    def __init__(self, channels: int, reduction: int = 16):
        super().__init__()
        hidden = max(1, channels // reduction)
        self.body = nn.Sequential(
            nn.Conv2d(channels, hidden, 1), nn.ReLU(inplace=True), nn.Conv2d(hidden, channels, 1), nn.Sigmoid()
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x * self.body(F.adaptive_avg_pool2d(x, 1))


class SpatialAttention(nn.Module):
    """SA "from CSFM" (reading 9): 1×1 expand, ReLU, 1×1 reduce, sigmoid → per-pixel, per-channel mask."""

    def __init__(self, channels: int, expansion: int = 2):
        super().__init__()
        self.body = nn.Sequential(
            nn.Conv2d(channels, expansion * channels, 1), nn.ReLU(inplace=True),
            nn.Conv2d(expansion * channels, channels, 1), nn.Sigmoid(),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x * self.body(x)


class DenseAttentionBlock(nn.Module):
    """DAB = IDB followed by channel attention (``channel_attention=False``: the IDB alone)."""

    def __init__(self, in_ch: int, n_feats: int, growth: int, n_convs: int, channel_attention: bool = True,
                 reduction: int = 16):
        super().__init__()
        self.idb = IntraDenseBlock(in_ch, n_feats, growth, n_convs)
        self.ca = ChannelAttention(n_feats, reduction) if channel_attention else nn.Identity()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.ca(self.idb(x))


class FeatureMappingBranch(nn.Module):
    """FMB: shallow conv3×3, ``n_dab`` DABs with bi-dense (inter-block dense) connections, 1×1 fusion (reading 5)."""

    def __init__(self, n_dab: int, n_idb_convs: int, n_feats: int, growth: int, n_shallow: int,
                 channel_attention: bool = True, reduction: int = 16, fusion: bool = True):
        super().__init__()
        self.shallow = nn.Conv2d(3, n_shallow, 3, padding=1)
        self.dabs = nn.ModuleList(
            DenseAttentionBlock(n_shallow + k * n_feats, n_feats, growth, n_idb_convs, channel_attention, reduction)
            for k in range(n_dab)
        )
        concat = n_shallow + n_dab * n_feats
        self.fusion = nn.Conv2d(concat, n_feats, 1) if fusion else None
        self.out_channels = n_feats if fusion else concat

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        feats = [self.shallow(x)]
        for dab in self.dabs:  # bi-dense: every DAB sees the concatenation of everything before it
            feats.append(dab(torch.cat(feats, 1)))
        out = torch.cat(feats, 1)
        return self.fusion(out) if self.fusion is not None else out


class ImageReconstructionBranch(nn.Module):
    """IRB of one pyramid level (reading 9): ``conv1×1(SA(f))`` (3 filters), + bicubic input if ``global_skip``.

    ``sa_on="image"``: ``SA(conv1×1(f))`` (UniBo order). ``spatial_attention=False``: no SA.
    """

    def __init__(self, in_ch: int, spatial_attention: bool = True, sa_on: str = "features", sa_expansion: int = 2):
        super().__init__()
        self.sa_on = sa_on
        self.conv = nn.Conv2d(in_ch, 3, 1)
        sa_ch = in_ch if sa_on == "features" else 3
        self.sa = SpatialAttention(sa_ch, sa_expansion) if spatial_attention else nn.Identity()

    def forward(self, feats: torch.Tensor) -> torch.Tensor:
        if self.sa_on == "features":
            return self.conv(self.sa(feats))
        return self.sa(self.conv(feats))


# ---------------------------------------------------------------------------------------------------------------
# The network
# ---------------------------------------------------------------------------------------------------------------
class ASDN(nn.Module):
    """ASDN: bicubic pre-upsampling → FMB → two neighbouring IRBs → LFR interpolation, recursive above ×2.

    Args:
        n_dab, n_idb_convs, n_feats: DABs, convs per IDB, features (paper 16/8/64, project 8/4/32).
        growth: output channels of each IDB conv (default ``n_feats``: "Features IDB" = "Features DAB").
        n_shallow: channels of the shallow conv (default ``n_feats``).
        levels: pyramid levels ``L`` of the LFR (11; 5/9/17 for ASDN-4/8/16 of Fig. 8).
        r_max: the top of the scale range (2; ``levels=2, r_max=R``: a direct-deployment network for ×R).
        channel_attention, spatial_attention, global_skip: the ablation switches (table "Model analysis" (a)).
        reduction: CA reduction (16, RCAN). sa_expansion: SA expansion (2).
        fusion: 1×1 fusion of the bi-dense concatenation before the IRBs (reading 5).
        sa_on: ``"features"`` (default) or ``"image"`` (UniBo order), reading 9.

    ``forward(x, scale, out_size=None, ratios=None)``: LR ``N×3×h×w`` in [0, 1], any float ``scale >= 1``;
    returns ``N×3×round(h·scale)×round(w·scale)`` (or ``out_size``). ``ratios`` overrides the per-pass ratios of
    the recursive deployment (slide "Study of recursive deployment — Optimal N and r"); the last pass is still
    resized to the target.
    """

    scales = None  # arbitrary float scales

    def __init__(self, n_dab: int = 16, n_idb_convs: int = 8, n_feats: int = 64, *, growth: int | None = None,
                 n_shallow: int | None = None, levels: int = 11, channel_attention: bool = True,
                 spatial_attention: bool = True, global_skip: bool = True, reduction: int = 16,
                 sa_expansion: int = 2, fusion: bool = True, sa_on: str = "features", r_max: float = R_MAX):
        super().__init__()
        if sa_on not in ("features", "image"):
            raise ValueError(f"sa_on must be 'features' or 'image', not {sa_on!r}")
        self.r_max = float(r_max)
        self.level_scales = lfr_scales(levels, self.r_max)
        self.levels = int(levels)
        self.n_dab, self.n_idb_convs, self.n_feats = n_dab, n_idb_convs, n_feats
        self.channel_attention, self.spatial_attention, self.global_skip = (
            channel_attention, spatial_attention, global_skip)
        self.fmb = FeatureMappingBranch(n_dab, n_idb_convs, n_feats, growth or n_feats, n_shallow or n_feats,
                                        channel_attention, reduction, fusion)
        self.irbs = nn.ModuleList(
            ImageReconstructionBranch(self.fmb.out_channels, spatial_attention, sa_on, sa_expansion)
            for _ in range(self.levels)
        )

    # -- pieces --------------------------------------------------------------------------------------------------
    @staticmethod
    def upsample(x: torch.Tensor, size: tuple[int, int], ratio: float | None = None) -> torch.Tensor:
        """Bicubic pre-upsampling of the LR input to ``size`` on ``ratio``'s exact grid (None: the size ratio),
        reading 4."""
        return resize(x, tuple(size), ratio)

    def level_output(self, feats: torch.Tensor, x_up: torch.Tensor, level: int) -> torch.Tensor:
        """``O_{r_level}`` from shared FMB features and the upsampled input (global skip, reading 10)."""
        out = self.irbs[level](feats)
        return out + x_up if self.global_skip else out

    def forward_single(self, x: torch.Tensor, r: float, out_size: Sequence[int] | None = None) -> torch.Tensor:
        """One deployment at ``r`` in [1, 2]: ``O_r = O_{r_i} + w_r·P_i``, ``P_i = O_{r_{i-1}} - O_{r_i}``."""
        i, w = lfr_index_weight(r, self.levels, self.r_max)
        size = tuple(out_size) if out_size is not None else _target_size(*x.shape[-2:], r)
        x_up = self.upsample(x, size, r)
        feats = self.fmb(x_up)  # one FMB pass shared by both levels (reading 1)
        o_i = self.level_output(feats, x_up, i)
        if w == 0.0:  # on a level (incl. r = 1, i = 0): no phase needed
            return o_i
        phase = self.level_output(feats, x_up, i - 1) - o_i  # P_i
        return o_i + w * phase

    def training_level(self, x: torch.Tensor, scale: float) -> int | None:
        """The level a training batch at ``scale`` trains alone (reading 12), or None (off the levels: both
        neighbours train through the interpolation). The training loop passes the patch pair's own ratio ``P/p``
        (``srrepro.patches``: ``round(p·r_l)/p``, within half an LR pixel of ``r_l``), so the nearest level within
        that half pixel is the one the batch was drawn for."""
        h, w = x.shape[-2:]
        l = min(range(self.levels), key=lambda k: abs(self.level_scales[k] - scale))
        return l if abs(self.level_scales[l] - scale) * min(h, w) <= 0.5 + _EPS else None

    def forward(self, x: torch.Tensor, scale: float, out_size: Sequence[int] | None = None,
                ratios: Iterable[float] | None = None) -> torch.Tensor:
        scale = float(scale)
        if scale < R_MIN - _EPS:
            raise ValueError(f"ASDN upsamples by scales >= 1, not {scale!r}")
        if self.training and out_size is None and ratios is None and scale <= self.r_max + _EPS:
            level = self.training_level(x, scale)  # "at each update each IRB is randomly selected": one level
            if level is not None:
                return self.forward_level(x, level, out_size=_target_size(*x.shape[-2:], scale))
        final = tuple(out_size) if out_size is not None else _target_size(*x.shape[-2:], scale)
        steps = recursive_scales(scale, self.r_max) if ratios is None else self.listed_ratios(scale, ratios)
        out = x
        for k, r in enumerate(steps):
            last = k == len(steps) - 1
            out = self.forward_single(out, r, final if last else None)
        return out

    @staticmethod
    def listed_ratios(scale: float, ratios: Iterable[float], tolerance: float = 0.02) -> list[float]:
        """Per-pass ratios as a table lists them (3 decimals, e.g. 1.587 × 3 for ×4): the last pass takes what
        remains, ``scale / ∏ r_k``, so the passes compose to ``scale``'s exact grid; a list whose product is more
        than ``tolerance`` (relative) off ``scale`` is refused (slide "Optimal N and r": 1.442³ = 3.0 under ×4)."""
        steps = [float(r) for r in ratios]
        if not steps:
            raise ValueError(f"ratios must list at least one pass for ×{scale:g}")
        last = scale / math.prod(steps[:-1])
        if abs(last / steps[-1] - 1) > tolerance:
            raise ValueError(f"ratios {steps} multiply to {math.prod(steps):.3f}, not ×{scale:g}")
        return steps[:-1] + [last]

    # -- training helpers ("Training": one IRB, one scale per batch) ---------------------------------------------
    def forward_level(self, x: torch.Tensor, level: int, out_size: Sequence[int] | None = None) -> torch.Tensor:
        """``O_{r_level}`` alone: LR ``x`` bicubic-upsampled by ``r_level`` (or to ``out_size``), FMB, IRB
        ``level``. This is what the slides train: each batch draws one of the ``L`` scales and optimises that
        level's IRB (and the shared FMB) with L1 against the HR patch. Use ``out_size=hr.shape[-2:]`` when the
        patch sizes are not exactly ``r_level`` apart."""
        if not 0 <= level < self.levels:
            raise ValueError(f"level must be in [0, {self.levels - 1}], not {level!r}")
        if out_size is not None:  # a training pair: the patches' own grid, the size ratio
            size, ratio = tuple(out_size), None
        else:
            size, ratio = _target_size(*x.shape[-2:], self.level_scales[level]), self.level_scales[level]
        x_up = self.upsample(x, size, ratio)
        return self.level_output(self.fmb(x_up), x_up, level)

    def forward_levels(self, x: torch.Tensor, levels: Iterable[int] | None = None) -> list[torch.Tensor]:
        """Every pyramid level's output, each at its own scale ``r_l`` (one FMB pass per level, since the inputs
        differ in size): element ``k`` is ``forward_level(x, levels[k])``, ``N×3×round(h·r_l)×round(w·r_l)``.
        ``levels`` defaults to all ``0 … L-1``."""
        levels = range(self.levels) if levels is None else levels
        return [self.forward_level(x, int(l)) for l in levels]


@register_model
def asdn(size: str = "paper", scale: float | None = None, **kwargs) -> ASDN:
    """ASDN. ``size="paper"`` (16 DABs, 8 IDB convs, 64 features) or ``"project"`` (8/4/32); ``n_dab``,
    ``n_idb_convs``, ``n_feats`` override the size. Other kwargs: see :class:`ASDN` (``levels``,
    ``channel_attention``, ``spatial_attention``, ``global_skip``, ...). ``scale`` is accepted and ignored
    (arbitrary scale)."""
    if size not in SIZES:
        raise ValueError(f"size must be one of {sorted(SIZES)}, not {size!r}")
    return ASDN(**{**SIZES[size], **kwargs})
