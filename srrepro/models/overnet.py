"""OverNet: Lightweight Multi-Scale Super-Resolution with Overscaling Network (Behjati et al., WACV 2021).

The file follows Section 3 of the paper; equation numbers are the paper's.

* :class:`OverscalingModule` (Sec. 3.2, Eq. 7-8) is model-agnostic: other families import it for the paper's
  Table 3 (CARN-OSM, EDSR-OSM, RDN-OSM, RCAN-OSM) with the signature
  ``OverscalingModule(n_feats, max_scale=4, overscale=None, interpolation="bicubic", group=4, weight_norm=False)``
  and call ``osm(features, lr, scale)``.
* :class:`OverNet` (Sec. 3.1 feature extractor + OSM), registered as ``overnet``.
* :func:`multiscale_l1_loss` (Sec. 3.3, Eq. 9).

Paper versus released code (``pbehjatii/OverNet-PyTorch``, 2022). ``official=False`` (default) follows the paper
where the paper says something; ``official=True`` reproduces the released code exactly, including its
``state_dict`` key names (``entry_1``, ``GDG1.RB1.body.0.weight_g`` ...), so that the released checkpoints
``OverNet_test_x{2,3,4}.pth.tar`` load with ``strict=True`` (see :func:`load_official`).

1. Weight normalisation. Paper (Sec. 4, implementation details): "weight normalization in all convolutional
   layers". Code: every conv *except* the two squeeze-and-excitation convs of each RB and the 1×1 conv of the
   global-average-pool skip. Paper mode: all convs (the frozen mean-shift convs excepted); official: as the code.
   Weight norm adds one ``g`` per output channel, so paper mode has 676 more parameters than the code
   (9 RBs × (4 + 64) + 64).
2. Order of operations in Eq. 8. Paper: ``bicubic↓(conv3×3(H_OHR))``, i.e. the 3×3 conv to RGB runs at the
   overscaled resolution and only the 3-channel image is resized. Code: the 64-channel overscaled maps are
   resized first and the conv (``exit1``) runs at the target resolution. Both are linear maps but they do not
   commute. Paper mode: conv then resize; official: resize then conv.
3. Details that are in the code but not in the paper; both modes use them:
   a ReLU after every 1×1 fusion conv (LDG fusions, GDG fusions and the Eq. 5 conv); Eq. 7's conv is a
   *grouped* conv (``groups=4``) followed by a ReLU before the pixel shuffle; an overscale of 4 (or 8) is made of
   consecutive ×2 conv+shuffle stages (Sec. 4.1 confirms this for Table 4: "×4 and ×8 are composed of multiple
   consecutive ×2 operations"); wide activation = 1×1 expansion ×6, ReLU, 1×1 low-rank to ``int(0.8·64)=51``,
   3×3 back to 64 (WDSR-B); SE reduction 16; λ's initialised to 1; all bicubic resizes are
   ``F.interpolate(mode="bicubic", align_corners=False)`` (Keys a=-0.75, no antialias) and the ``lr`` skip is
   computed on the mean-subtracted input (identical to bicubic↑ of the raw input, since bicubic weights sum
   to 1). At a fractional scale s the resizes map pixels by s itself, not by the size ratio round(h·s)/h
   (``common.resize``): the LR test images are ``imresize(HR, 1/s)`` on that exact grid.
4. Eq. 6 / text: the text announces "a long-range skip connection" *and* a GAP path; Eq. 6 and the code have
   only the GAP path, ``h = λ0·f_D + λ1·σ(conv1×1(GAP(conv3×3(I_LR))))``: the skip is a per-channel constant
   broadcast over the image. Both modes follow Eq. 6.
5. Training regime. Paper: one multi-scale model (max scale N, overscale N+1) trained with Eq. 9. Code and
   checkpoints: one model per scale s with overscale s+1 (``--scale s --upscale s+1``), plain L1. Here
   ``overnet(scale=s)`` is that per-scale model (N = s); ``overnet(max_scale=4)`` is the multi-scale one.
6. The code's test script always runs 4 overlapping patches ("chop"); because of the GAP skip and the per-patch
   resize, a whole-image forward differs slightly. That belongs to evaluation, not to this module.
"""
from __future__ import annotations

import math
import re
from typing import Iterable, Sequence

import torch
import torch.nn as nn
import torch.nn.functional as F

from . import register_model
from .common import MeanShift, PixelShuffle, resize

__all__ = [
    "WNConv2d",
    "OverscalingModule",
    "ResidualBlock",
    "LocalDenseGroup",
    "OverNet",
    "overnet",
    "multiscale_l1_loss",
    "load_official",
    "output_size",
]


# ---------------------------------------------------------------------------------------------------------------
# small pieces
# ---------------------------------------------------------------------------------------------------------------
class WNConv2d(nn.Conv2d):
    """Conv2d with weight normalisation ``w = g·v/‖v‖`` (norm per output channel, Salimans & Kingma 2016).

    Parameters are named ``weight_g`` (shape ``out×1×1×1``), ``weight_v`` and ``bias`` exactly like the legacy
    ``torch.nn.utils.weight_norm`` that the released OverNet code uses, so its checkpoints load directly; ``g``
    starts at ``‖v‖`` so the initial weight equals PyTorch's default conv initialisation.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        v = self.weight.detach().clone()
        del self.weight
        self.weight_g = nn.Parameter(v.flatten(1).norm(dim=1).view(-1, 1, 1, 1))
        self.weight_v = nn.Parameter(v)

    # True: the fused kernel behind torch.nn.utils.weight_norm (``torch._weight_norm``), as the released code; set
    # by ``OverNet(official=True)``, so that model is the released one to the bit. False: the explicit form below,
    # which paper mode keeps because every committed OverNet training ran with it (the two differ by the float32
    # rounding of the norm, ~1e-7 in the outputs, enough to move every trained weight).
    fused = False
    _cache: tuple | None = None

    def normalized_weight(self) -> torch.Tensor:
        v, g = self.weight_v, self.weight_g
        if self.fused:
            return torch._weight_norm(v, g, 0)
        return v * (g / v.flatten(1).norm(dim=1).view(-1, 1, 1, 1))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        v, g = self.weight_v, self.weight_g
        if torch.is_grad_enabled() and (v.requires_grad or g.requires_grad):
            w = self.normalized_weight()
        else:  # inference: w changes only when v or g do (in place: version counter; moved or cast: pointer)
            key = (v._version, g._version, v.data_ptr(), g.data_ptr(), self.fused)
            if self._cache is None or self._cache[0] != key:
                self._cache = (key, self.normalized_weight())
            w = self._cache[1]
        return self._conv_forward(x, w, self.bias)


def conv(in_ch: int, out_ch: int, k: int, *, groups: int = 1, wn: bool = False) -> nn.Conv2d:
    """k×k conv, stride 1, 'same' padding, with bias; weight-normalised if ``wn``."""
    cls = WNConv2d if wn else nn.Conv2d
    return cls(in_ch, out_ch, k, padding=k // 2, groups=groups)


class ConvReLU(nn.Module):
    """1×1 fusion conv followed by ReLU (the code's ``BasicConv2d``; attribute name ``conv`` kept)."""

    def __init__(self, in_ch: int, out_ch: int, *, wn: bool, act: bool = True):
        super().__init__()
        self.conv = conv(in_ch, out_ch, 1, wn=wn)
        self.act = act

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.conv(x)
        return F.relu(x) if self.act else x


class SqueezeExcitation(nn.Module):
    """SE (Hu et al. 2018): ``x · sigmoid(conv(ReLU(conv(GAP(x)))))``, reduction 16."""

    def __init__(self, channels: int, reduction: int = 16, *, wn: bool = False):
        super().__init__()
        hidden = max(1, channels // reduction)
        self.conv = nn.Sequential(
            conv(channels, hidden, 1, wn=wn), nn.ReLU(inplace=True), conv(hidden, channels, 1, wn=wn), nn.Sigmoid()
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x * self.conv(F.adaptive_avg_pool2d(x, 1))


def output_size(h: int, w: int, scale: float) -> tuple[int, int]:
    """Target size ``(round(h·s), round(w·s))`` for an LR image of ``h×w`` at scale ``s``."""
    return int(round(h * scale)), int(round(w * scale))


def _factor_overscale(r: int) -> list[int]:
    """Pixel-shuffle stages for an overscale ``r``: ×2 stages for the powers of two (as the code does for 4 and 8),
    then one stage per remaining prime factor (3 → [3], 5 → [5], 6 → [2, 3])."""
    if r < 1 or int(r) != r:
        raise ValueError(f"overscale must be a positive integer, not {r!r}")
    stages, n = [], int(r)
    for p in range(2, n + 1):
        while n % p == 0:
            stages.append(p)
            n //= p
    return stages


# ---------------------------------------------------------------------------------------------------------------
# 3.2 Overscaling module
# ---------------------------------------------------------------------------------------------------------------
class OverscalingModule(nn.Module):
    """Overscaling module (Sec. 3.2), usable on top of any feature extractor.

    Eq. 7: ``H_OHR = pixelshuffle(conv3×3(h))`` with an overscale factor ``r`` (default ``max_scale + 1``);
    the conv is grouped (``group``) and followed by a ReLU as in the released code, and ``r`` = 4 or 8 is built
    from ×2 stages. Eq. 8: ``Î_HR = bicubic↓(conv3×3(H_OHR)) + bicubic↑(I_LR)`` at the target size
    ``round(h·scale) × round(w·scale)``, so one module serves every scale ``0 < scale <= r``.

    Options:

    * ``interpolation``: ``"bicubic"`` (the OSM), ``"bilinear"`` (Table 2 "OSM-bilinear"), or ``"none"``: no
      overscaling ("w/o OSM", Table 6): a plain pixel shuffle at the integer scale ``max_scale``, conv3×3 to RGB,
      plus the bicubic skip; only ``scale == max_scale`` is accepted then.
    * ``overscale=max_scale`` with ``interpolation="bicubic"`` is Table 2's "Pixelshuffle" row (pixel shuffle to
      the maximum scale, no overscaling, then bicubic↓ to arbitrary scales). ``overscale=8`` is Table 4's ×8.
    * ``conv_first``: ``True`` (paper Eq. 8, conv then resize) or ``False`` (released code: resize the
      ``n_feats``-channel maps, then conv).
    * ``lr_skip``: add ``bicubic↑(lr)`` (Eq. 8, default ``True``).
    * ``antialias``: antialias the downscaling resize (``False`` = the code).

    ``forward(features, lr, scale)``: ``features`` N×n_feats×h×w, ``lr`` N×3×h×w (in whatever range/offset the
    caller works in; the skip is added in that same space), returns N×3×round(h·scale)×round(w·scale).
    """

    def __init__(
        self,
        n_feats: int,
        max_scale: int = 4,
        overscale: int | None = None,
        interpolation: str = "bicubic",
        group: int = 4,
        weight_norm: bool = False,
        *,
        conv_first: bool = True,
        lr_skip: bool = True,
        antialias: bool = False,
        out_channels: int = 3,
    ):
        super().__init__()
        if interpolation not in ("bicubic", "bilinear", "none"):
            raise ValueError(f"interpolation must be 'bicubic', 'bilinear' or 'none', not {interpolation!r}")
        if interpolation == "none":
            if int(max_scale) != max_scale:
                raise ValueError(f"without overscaling the scale must be an integer, not {max_scale!r}")
            if overscale is not None and overscale != max_scale:
                raise ValueError("interpolation='none' (w/o OSM) upsamples by exactly max_scale; drop overscale")
            overscale = int(max_scale)
        elif overscale is None:
            overscale = int(math.ceil(max_scale)) + 1  # "an overscale factor (N+1) times larger" (Sec. 3.2)
        if overscale < max_scale:
            raise ValueError(f"overscale {overscale} is smaller than max_scale {max_scale}")
        if n_feats % group:
            raise ValueError(f"n_feats {n_feats} is not divisible by group {group}")
        self.n_feats, self.max_scale, self.overscale = n_feats, max_scale, int(overscale)
        self.interpolation, self.conv_first, self.lr_skip, self.antialias = interpolation, conv_first, lr_skip, antialias
        self.scales = (int(max_scale),) if interpolation == "none" else None  # registry convention

        # Eq. 7: conv3×3 (grouped) + ReLU + pixelshuffle, one stage per factor of the overscale.
        layers: list[nn.Module] = []
        for p in _factor_overscale(self.overscale):
            layers += [conv(n_feats, p * p * n_feats, 3, groups=group, wn=weight_norm), nn.ReLU(inplace=True),
                       PixelShuffle(p)]
        self.upsample = nn.Sequential(*layers)
        # Eq. 8: conv3×3 to RGB.
        self.exit = conv(n_feats, out_channels, 3, wn=weight_norm)

    def _resize(self, x: torch.Tensor, size: tuple[int, int], scale: float) -> torch.Tensor:
        """``x`` to ``size``, ``scale`` = output/input pixel pitch (exact, not the size ratio: common.resize)."""
        mode = "bicubic" if self.interpolation == "none" else self.interpolation
        down = size[0] < x.shape[-2]
        return resize(x, size, scale, mode, antialias=self.antialias and down)

    def _check(self, features: torch.Tensor, lr: torch.Tensor, scale: float) -> tuple[int, int]:
        h, w = lr.shape[-2:]
        if tuple(features.shape[-2:]) != (h, w):
            raise ValueError(f"features {tuple(features.shape[-2:])} and lr {(h, w)} differ in size")
        if not scale > 0:
            raise ValueError(f"scale must be positive, not {scale!r}")
        size = output_size(h, w, scale)
        if self.interpolation == "none":
            if size != (h * self.overscale, w * self.overscale):
                raise ValueError(f"this module has no overscaling and only upsamples ×{self.overscale}, not ×{scale}")
        elif scale > self.overscale:
            raise ValueError(f"scale {scale} exceeds the overscale factor {self.overscale}")
        return size

    def reconstruct(self, h_ohr: torch.Tensor, lr: torch.Tensor, size: tuple[int, int], scale: float) -> torch.Tensor:
        """Eq. 8 at one ``scale`` (output ``size``), given the overscaled maps ``H_OHR`` of Eq. 7."""
        down = scale / self.overscale  # H_OHR is the LR grid × overscale
        if self.conv_first:  # paper: bicubic↓(conv3×3(H_OHR))
            out = self._resize(self.exit(h_ohr), size, down)
        else:  # released code: conv3×3(bicubic↓(H_OHR))
            out = self.exit(self._resize(h_ohr, size, down))
        if self.lr_skip:  # + bicubic↑(I_LR)
            out = out + resize(lr, size, scale, "bicubic")
        return out

    def forward(self, features: torch.Tensor, lr: torch.Tensor, scale: float) -> torch.Tensor:
        size = self._check(features, lr, scale)
        h_ohr = self.upsample(features)  # Eq. 7
        return self.reconstruct(h_ohr, lr, size, scale)  # Eq. 8

    def forward_multi(self, features: torch.Tensor, lr: torch.Tensor, scales: Iterable[float]) -> list[torch.Tensor]:
        """Algorithm 1: one overscaled map, one output per scale (what the multi-scale loss, Eq. 9, needs)."""
        scales = list(scales)
        sizes = [self._check(features, lr, s) for s in scales]
        h_ohr = self.upsample(features)
        return [self.reconstruct(h_ohr, lr, size, s) for size, s in zip(sizes, scales)]


# ---------------------------------------------------------------------------------------------------------------
# 3.1 Feature extractor
# ---------------------------------------------------------------------------------------------------------------
class ResidualBlock(nn.Module):
    """Residual block, Eq. 4: ``x_o = λ_o·SE(WA(x_i)) + λ_i·x_i``.

    WA = wide activation of WDSR-B: 1×1 conv widening ×``expand``, ReLU, 1×1 low-rank conv to
    ``int(linear·n_feats)``, 3×3 conv back to ``n_feats``; SE = squeeze-and-excitation; λ's are learned scalars.
    """

    def __init__(self, n_feats: int = 64, *, expand: int = 6, linear: float = 0.8, se_reduction: int = 16,
                 wn: bool = True, wn_se: bool = True):
        super().__init__()
        low = int(n_feats * linear)
        self.wa = nn.Sequential(
            conv(n_feats, n_feats * expand, 1, wn=wn),
            nn.ReLU(inplace=True),
            conv(n_feats * expand, low, 1, wn=wn),
            conv(low, n_feats, 3, wn=wn),
        )
        self.se = SqueezeExcitation(n_feats, se_reduction, wn=wn and wn_se)
        self.lambda_o = nn.Parameter(torch.ones(1))
        self.lambda_i = nn.Parameter(torch.ones(1))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.lambda_o * self.se(self.wa(x)) + self.lambda_i * x


class LocalDenseGroup(nn.Module):
    """Local dense group (LDG): ``n_rbs`` residual blocks with skip connections (SCs).

    With SCs (Table 1 "SCs in LDGs" ✓): "the input of a RB is concatenated with the output of all the previous
    RBs in the group and merged with a 1×1 convolution": ``c_k = [c_{k-1}, RB_k(o_{k-1})]``, ``o_k = fuse_k(c_k)``
    with ``c_0 = o_0 = x`` (channels 2·F, 3·F, 4·F → F). Without SCs: RBs in sequence.
    """

    def __init__(self, n_feats: int = 64, n_rbs: int = 3, *, skip: bool = True, wn: bool = True,
                 fuse_act: bool = True, **rb_kwargs):
        super().__init__()
        self.n_rbs, self.skip = n_rbs, skip
        for k in range(1, n_rbs + 1):
            setattr(self, f"rb{k}", ResidualBlock(n_feats, wn=wn, **rb_kwargs))
            if skip:
                setattr(self, f"fuse{k}", ConvReLU((k + 1) * n_feats, n_feats, wn=wn, act=fuse_act))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        concat = out = x
        for k in range(1, self.n_rbs + 1):
            y = getattr(self, f"rb{k}")(out)
            if self.skip:
                concat = torch.cat([concat, y], dim=1)
                out = getattr(self, f"fuse{k}")(concat)
            else:
                out = y
        return out


# Paper-style module names ↔ released-code names, used by ``official=True`` (state_dict keys only).
# "{i}" / "{j}" stand for integers; a rule ending in "." renames a prefix, otherwise the whole key.
_OFFICIAL_NAMES = [
    ("head.", "entry_1."),
    ("ldg{i}.rb{j}.wa.", "GDG{i}.RB{j}.body."),
    ("ldg{i}.rb{j}.se.", "GDG{i}.RB{j}.SE."),
    ("ldg{i}.rb{j}.lambda_o", "GDG{i}.RB{j}.res_scale.scale"),
    ("ldg{i}.rb{j}.lambda_i", "GDG{i}.RB{j}.x_scale.scale"),
    ("ldg{i}.fuse{j}.", "GDG{i}.reduction{j}."),
    ("gdg_fuse{i}.", "reduction{i}."),
    ("fuse.", "reduction."),
    ("gap_skip.", "Global_skip."),
    ("lambda_0", "res_scale.scale"),
    ("lambda_1", "x_scale.scale"),
    ("osm.upsample.", "upsample.up.body."),
    ("osm.exit.", "exit1."),
]


def _compile(template: str) -> re.Pattern:
    pattern = re.escape(template).replace(r"\{i\}", r"(?P<i>\d+)").replace(r"\{j\}", r"(?P<j>\d+)")
    return re.compile("^" + pattern + ("" if template.endswith(".") else "$"))


_TO_OFFICIAL = [(_compile(a), b) for a, b in _OFFICIAL_NAMES]
_FROM_OFFICIAL = [(_compile(b), a) for a, b in _OFFICIAL_NAMES]


def _rename(key: str, rules) -> str:
    for pattern, template in rules:
        m = pattern.match(key)
        if m:
            return template.format(**m.groupdict()) + key[m.end():]
    return key


def _rename_in_place(state_dict: dict, prefix: str, rules) -> None:
    items = list(state_dict.items())
    for k, _ in items:
        del state_dict[k]
    for k, v in items:
        state_dict[prefix + _rename(k[len(prefix):], rules) if k.startswith(prefix) else k] = v


class OverNet(nn.Module):
    """OverNet (Sec. 3, Fig. 1, Algorithm 1). Input RGB in [0, 1]; ``forward(x, scale)`` for any
    ``0 < scale <= overscale`` (or only ``max_scale`` when ``osm=False``).

    Feature extractor (Sec. 3.1): ``f = conv3×3(I_LR)``; ``n_ldgs`` LDGs in a global dense group (GDG) whose
    skip connections mirror the LDG ones (``c_d = [c_{d-1}, LDG_d(o_{d-1})]``, ``o_d = gdg_fuse_d(c_d)``);
    Eq. 5 ``f_D = conv1×1([o_1, ..., o_D])``; Eq. 6 ``h = λ0·f_D + λ1·σ(conv1×1(GAP(f)))``; then the OSM.

    Table 1 switches: ``ldg_skip`` (SCs in LDGs) and ``gdg_skip`` (SCs in the GDG). Without GDG SCs the LDGs run
    in sequence and Eq. 5 fuses their raw outputs. Table 6 "OverNet w/o OSM": ``osm=False``.
    """

    def __init__(
        self,
        max_scale: int = 4,
        overscale: int | None = None,
        interpolation: str = "bicubic",
        osm: bool = True,
        weight_norm: bool = True,
        ldg_skip: bool = True,
        gdg_skip: bool = True,
        n_feats: int = 64,
        n_ldgs: int = 3,
        n_rbs: int = 3,
        expand: int = 6,
        linear: float = 0.8,
        se_reduction: int = 16,
        group: int = 4,
        fuse_act: bool = True,
        official: bool = False,
    ):
        super().__init__()
        if not osm:
            interpolation = "none"
        if official and not weight_norm:
            raise ValueError("the released code weight-normalises its convs; official=True needs weight_norm=True")
        wn, wn_extra = weight_norm, weight_norm and not official  # code: no wn on SE / GAP-skip convs
        self.official, self.n_ldgs, self.gdg_skip = official, n_ldgs, gdg_skip

        self.sub_mean = MeanShift(-1)  # input in [0, 1] minus the DIV2K mean, as the code
        self.add_mean = MeanShift(+1)
        self.head = conv(3, n_feats, 3, wn=wn)  # conv3×3(I_LR)
        rb_kwargs = dict(expand=expand, linear=linear, se_reduction=se_reduction, wn_se=wn_extra)
        for d in range(1, n_ldgs + 1):
            setattr(self, f"ldg{d}", LocalDenseGroup(n_feats, n_rbs, skip=ldg_skip, wn=wn, fuse_act=fuse_act,
                                                     **rb_kwargs))
            if gdg_skip:
                setattr(self, f"gdg_fuse{d}", ConvReLU((d + 1) * n_feats, n_feats, wn=wn, act=fuse_act))
        self.fuse = ConvReLU(n_ldgs * n_feats, n_feats, wn=wn, act=fuse_act)  # Eq. 5
        self.gap_skip = nn.Sequential(  # Eq. 6: σ(conv1×1(GAP(·)))
            nn.AdaptiveAvgPool2d(1), conv(n_feats, n_feats, 1, wn=wn_extra), nn.ReLU(inplace=True)
        )
        self.lambda_0 = nn.Parameter(torch.ones(1))
        self.lambda_1 = nn.Parameter(torch.ones(1))
        self.osm = OverscalingModule(n_feats, max_scale, overscale, interpolation, group, weight_norm=wn,
                                     conv_first=not official)
        self.max_scale, self.overscale = max_scale, self.osm.overscale
        self.scales = self.osm.scales

        if official:  # the released code's weight-norm kernel and its state_dict keys
            for m in self.modules():
                if isinstance(m, WNConv2d):
                    m.fused = True
            self.register_state_dict_post_hook(_official_state_dict_hook)
            self.register_load_state_dict_pre_hook(_official_load_hook)

    def features(self, x: torch.Tensor) -> torch.Tensor:
        """Feature extractor H (Eq. 2) on a mean-subtracted input: Eq. 5-6."""
        f = self.head(x)
        concat = out = f
        outs = []
        for d in range(1, self.n_ldgs + 1):
            y = getattr(self, f"ldg{d}")(out)
            if self.gdg_skip:
                concat = torch.cat([concat, y], dim=1)
                out = getattr(self, f"gdg_fuse{d}")(concat)
            else:
                out = y
            outs.append(out)
        f_d = self.fuse(torch.cat(outs, dim=1))  # Eq. 5
        return self.lambda_0 * f_d + self.lambda_1 * self.gap_skip(f)  # Eq. 6

    def forward(self, x: torch.Tensor, scale: float) -> torch.Tensor:
        x = self.sub_mean(x)
        out = self.osm(self.features(x), x, scale)  # Eq. 7-8 (the bicubic skip uses the mean-free input)
        return self.add_mean(out)

    def forward_multi(self, x: torch.Tensor, scales: Sequence[float]) -> list[torch.Tensor]:
        """Algorithm 1: outputs at several scales from one pass of the network."""
        x = self.sub_mean(x)
        return [self.add_mean(o) for o in self.osm.forward_multi(self.features(x), x, scales)]


def _official_state_dict_hook(module, state_dict, prefix, local_metadata) -> None:
    _rename_in_place(state_dict, prefix, _TO_OFFICIAL)


def _official_load_hook(module, state_dict, prefix, local_metadata, strict, missing, unexpected, errors) -> None:
    _rename_in_place(state_dict, prefix, _FROM_OFFICIAL)


@register_model
def overnet(scale: int | None = None, max_scale: int | None = None, **kwargs) -> OverNet:
    """OverNet. ``scale=s`` builds the per-scale model of the released code / Table 6 (N = s, overscale s+1);
    ``max_scale=N`` the multi-scale model of the paper (default N = 4). Other keyword arguments: see
    :class:`OverNet` (``overscale``, ``interpolation``, ``osm``, ``weight_norm``, ``ldg_skip``, ``gdg_skip``,
    ``n_feats``, ``n_ldgs``, ``n_rbs``, ``group``, ``official`` ...)."""
    if scale is not None and max_scale is not None and scale != max_scale:
        raise ValueError(f"give scale ({scale}) or max_scale ({max_scale}), not both")
    n = max_scale if max_scale is not None else (scale if scale is not None else 4)
    return OverNet(max_scale=n, **kwargs)


def load_official(path, scale: int, map_location="cpu") -> OverNet:
    """Build the released x``scale`` model and load ``OverNet_test_x{scale}.pth.tar`` strictly."""
    ckpt = torch.load(path, map_location=map_location, weights_only=True)
    state = ckpt.get("model_state_dict", ckpt) if isinstance(ckpt, dict) else ckpt
    state = {k.removeprefix("module."): v for k, v in state.items()}
    model = overnet(scale=scale, official=True)
    model.load_state_dict(state, strict=True)
    return model.eval()


# ---------------------------------------------------------------------------------------------------------------
# 3.3 Multi-scale loss
# ---------------------------------------------------------------------------------------------------------------
def multiscale_l1_loss(model: OverNet, lr: torch.Tensor, hr: torch.Tensor, scales: Sequence[float]) -> torch.Tensor:
    """Eq. 9: ``Σ_s |Î_s − bicubic↓(I_HR, s)|`` (mean absolute error per scale, summed over scales).

    ``hr`` is the HR patch at the model's maximum scale; the targets for lower scales are its (antialiased) bicubic
    reductions to ``round(h·s)``. The paper does not say which bicubic it used for the targets.
    """
    h, w = lr.shape[-2:]
    outs = model.forward_multi(lr, scales)
    loss = lr.new_zeros(())
    for s, out in zip(scales, outs):
        size = output_size(h, w, s)
        target = hr if tuple(hr.shape[-2:]) == size else F.interpolate(
            hr, size=size, mode="bicubic", align_corners=False, antialias=True)
        loss = loss + F.l1_loss(out, target)
    return loss
