"""CARN / CARN-M and PCARN / PCARN-M generators, and the PCARN discriminators.

Papers
    * CARN: Ahn, Kang, Sohn, "Fast, Accurate, and Lightweight Super-Resolution with Cascading Residual Network",
      ECCV 2018 (recapped as the generator of the paper below, Section 3.1).
    * PCARN: Ahn, Kang, Sohn, "Efficient Deep Neural Network for Photo-realistic Image Super-resolution"
      (arXiv 1903.02240), Sections 3.1–3.5, Figures 1–4, Equations 1–10, Tables 1–3, Figure 8.

Official code: ``nmhkahn/CARN-pytorch`` (``carn/model/{carn,carn_m,ops}.py``) and ``nmhkahn/PCARN-pytorch``
(``pcarn/model/pcarn.py``, ex ``ecarn.py``). Parameter and state_dict key names equal the official ones, so the
released checkpoints load with ``load_state_dict(sd, strict=True)`` (see :mod:`srrepro.weights`).

Model (Figure 1 top; Eq. 1–3)::

    X ─ sub_mean ─ entry (3×3, f in Eq. 3) ─ H^0
    H^0 ─ [cascading block b1 ─ 1×1 c1] ─ [b2 ─ c2] ─ [b3 ─ c3] ─ H^B      (global cascade, Eq. 3)
    PCARN: O = H^B + H^0                                                   (global residual, Section 3.1 (1))
    O ─ upsample (3×3 conv → ReLU → pixel shuffle, per ×2 / ×3) ─ exit (3×3) ─ add_mean

    cascading block (Figure 2b, Eq. 1–2): B^0 ─ R^1 ─ 1×1 ─ R^2 ─ 1×1 ─ R^3 ─ 1×1 ─ B^U
    mobile (Figure 4): R^u = EResidual block (3×3 group conv, ReLU, 3×3 group conv, ReLU, 1×1, + skip, ReLU),
    recursive: R^1 = R^2 = R^3 (one set of weights per cascading block, Figure 4b).

CARN vs PCARN (Section 3.1, "On top of our preliminary work ..."):
    * PCARN adds the global residual ``O = H^B + H^0`` (``upsample(o3 + x)`` in the code); CARN has none.
    * PCARN drops the ReLU after every 1×1 fusion conv; CARN has ``Conv1×1 → ReLU``.
    * Both put the ReLU of a residual block *after* the addition: ``relu(body(x) + x)``.
    * Key names differ: CARN ``b1.b1.body.{0,2}`` / ``b1.c1.body.0`` / ``c1.body.0``; PCARN ``b1.b1.conv1`` /
      ``b1.b1.pw`` / ``b1.c1`` / ``c1``. CARN-M stores its shared EResidual block once (``b{i}.b1.*``, called three
      times); PCARN-M registers it under three names (``self.b2 = self.b3 = self.b1``), so its state_dict holds
      ``b{i}.b1.*``, ``b{i}.b2.*`` and ``b{i}.b3.*`` copies of the same tensors (``key_style`` below reproduces
      both; ``count_params`` counts the shared block once: 414,811 for both mobile models).

Paper vs official code (the paper is followed by default; the official behaviour is an option):
    1. Cascade inputs (Eq. 2 and 3). The paper concatenates the *fused* outputs of the earlier steps,
       ``B^{i,u} = g([B^{i,0}, …, B^{i,u-1}, R^u(B^{i,u-1})])`` with ``B^{i,u}`` the output of the 1×1 conv ``g``.
       Both official repos concatenate the *unfused* unit outputs instead: ``c2 = cat(c0, b1, b2)`` where ``b1`` is
       the residual block's output, not ``o1 = c1(cat(c0, b1))``. Same shapes and parameter count, different
       function. ``cascade="paper"`` (default) follows Eq. 2–3; ``cascade="official"`` follows the code and is
       **required for the released checkpoints** (``srrepro.weights.load_official`` sets it; loading an official
       state_dict into a ``cascade="paper"`` model succeeds, strict, but produces a wrong image).
    2. Upsampler non-linearity. PCARN Section 3.1 says it "add[s] nonlinearities in the upsampling unit" as a change
       from CARN, but the official CARN code (and checkpoint) already has ``Conv → ReLU → PixelShuffle``. The CARN
       paper is not in this study's sources, so ``upsample_relu=True`` (code, and PCARN paper) is the default for
       every model here; ``upsample_relu=False`` gives the upsampler that PCARN's sentence implies for CARN.
    3. Initialization (Section 4.2, Table 3): the paper's chosen ``1.0 × U(±sqrt(1/F))`` is exactly PyTorch's default
       conv initialization (kaiming_uniform with a = sqrt(5)), which the official code keeps; :func:`init_weights`
       gives the other rows of Table 3 (as in the official ``init.py``: biases zeroed, frozen MeanShift untouched).
    4. Multi-scale discriminator (Eq. 6): the paper does not give the pyramid factors; the official ``solver_gan.py``
       uses three separately-weighted discriminators on ``AvgPool2d(1)``, ``AvgPool2d(2)``, ``AvgPool2d(4)`` of the
       image, which is what :class:`MultiScaleDiscriminator` does.

PCARN Table 1 variants (ablation, ×4 single scale, parameter counts in the paper are truncated to 1K):
``srrepro.papers.pcarn.PCARN_TABLE1`` maps Table 1's row names to keyword arguments of :func:`pcarn`.

Other-family hook: ``upsampler="osm"`` replaces ``upsample`` + ``exit`` by OverNet's overscaling module
(OverNet Table 3 "CARN-OSM"); the model then accepts any float scale (``scales = None``).
"""
from __future__ import annotations

import inspect
import math

import torch
import torch.nn as nn
import torch.nn.functional as F

from . import register_model
from .common import MeanShift, PixelShuffle, check_scale, init_convs

__all__ = [
    "ResidualBlock", "EResidualBlock", "CascadingBlock", "UpsampleBlock", "CascadingResidualNetwork",
    "PCARNDiscriminator", "MultiScaleDiscriminator", "init_weights",
    "carn", "carn_m", "pcarn", "pcarn_m", "pcarn_discriminator",
]

KEY_STYLES = ("carn", "pcarn")
CASCADES = ("paper", "official")
MULTI_SCALES = (2, 3, 4)  # the up-samplers of the released multi-scale checkpoints
SINGLE_SCALES = (2, 3, 4, 8)  # what the official _UpsampleBlock can build


def _check_choice(name: str, value, choices) -> None:
    if value not in choices:
        raise ValueError(f"{name} must be one of {choices}, not {value!r}")


# ----------------------------------------------------------------------------------------------- building blocks
class _Body(nn.Module):
    """``self.body = Sequential(*layers)``: gives CARN's ``<name>.body.<i>.weight`` keys."""

    def __init__(self, *layers: nn.Module):
        super().__init__()
        self.body = nn.Sequential(*layers)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.body(x)


def _fusion_conv(in_ch: int, out_ch: int, key_style: str) -> nn.Module:
    """The 1×1 conv ``g`` of Eq. 2–3 (its ReLU, CARN only, is applied by the caller).

    CARN keys ``c1.body.0.*`` (``ops.BasicBlock``), PCARN keys ``c1.*`` (plain ``nn.Conv2d``).
    """
    conv = nn.Conv2d(in_ch, out_ch, 1, 1, 0)
    return _Body(conv) if key_style == "carn" else conv


class ResidualBlock(nn.Module):
    """Standard residual block ``R`` (PCARN Figure 2a): ``relu(conv(relu(conv(x))) + x)``.

    The ReLU sits after the addition in both official repos (CARN ``ops.ResidualBlock``, PCARN ditto).
    """

    def __init__(self, n_feats: int = 64, key_style: str = "pcarn"):
        super().__init__()
        self.key_style = key_style
        if key_style == "carn":
            self.body = nn.Sequential(
                nn.Conv2d(n_feats, n_feats, 3, 1, 1), nn.ReLU(inplace=True), nn.Conv2d(n_feats, n_feats, 3, 1, 1)
            )
        else:
            self.conv1 = nn.Conv2d(n_feats, n_feats, 3, 1, 1)
            self.conv2 = nn.Conv2d(n_feats, n_feats, 3, 1, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.key_style == "carn":
            out = self.body(x)
        else:
            out = self.conv2(F.relu(self.conv1(x)))
        return F.relu(out + x)


class EResidualBlock(nn.Module):
    """Efficient residual block (PCARN Section 3.3, Figure 4a; cost Eq. 9).

    Two 3×3 group convolutions (``groups`` = G) and one point-wise 1×1 conv:
    ``relu(pw(relu(conv2(relu(conv1(x))))) + x)``. Cost ratio to :class:`ResidualBlock`: ``1/G + 1/(2K²)`` (Eq. 10).
    """

    def __init__(self, n_feats: int = 64, groups: int = 4, key_style: str = "pcarn"):
        super().__init__()
        if n_feats % groups:
            raise ValueError(f"n_feats={n_feats} is not divisible by group={groups}")
        self.key_style = key_style
        conv1 = nn.Conv2d(n_feats, n_feats, 3, 1, 1, groups=groups)
        conv2 = nn.Conv2d(n_feats, n_feats, 3, 1, 1, groups=groups)
        pw = nn.Conv2d(n_feats, n_feats, 1, 1, 0)
        if key_style == "carn":  # ops.EResidualBlock: body.0 / body.2 / body.4
            self.body = nn.Sequential(conv1, nn.ReLU(inplace=True), conv2, nn.ReLU(inplace=True), pw)
        else:  # PCARN ops.EResidualBlock: conv1 / conv2 / pw
            self.conv1, self.conv2, self.pw = conv1, conv2, pw

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.key_style == "carn":
            out = self.body(x)
        else:
            out = self.pw(F.relu(self.conv2(F.relu(self.conv1(x)))))
        return F.relu(out + x)


def _cascade(x: torch.Tensor, units, fusions, fuse_relu: bool, cascade: str) -> torch.Tensor:
    """The cascading mechanism, shared by the local (Eq. 2) and the global (Eq. 3) level.

    ``units`` are the residual blocks R^u (local) or cascading blocks B^b (global); ``fusions`` the 1×1 convs g
    (``None``: no cascade, the units are simply chained, as in Table 1's "Baseline").
    """
    if fusions is None:
        for unit in units:
            x = unit(x)
        return x
    feats = [x]  # B^{i,0} = H^{i-1}  (Eq. 2);  H^0 (Eq. 3)
    out = x
    for unit, fuse in zip(units, fusions):
        b = unit(out)  # R^u(B^{i,u-1})
        out = fuse(torch.cat(feats + [b], dim=1))  # B^{i,u} = g([B^{i,0}, …, B^{i,u-1}, R^u(B^{i,u-1})])
        if fuse_relu:  # CARN only
            out = F.relu(out)
        # paper (Eq. 2–3): later steps see the fused B^{i,u}; official code: they see the unit output b
        feats.append(out if cascade == "paper" else b)
    return out


class CascadingBlock(nn.Module):
    """Local cascading block B_local (PCARN Eq. 1–2, Figure 2b) or ECascading block (Figure 4b).

    ``mobile``: EResidual units with ``groups``; ``recursive``: one unit shared by the three positions (Figure 4b,
    hatched boxes). ``local_cascade=False`` chains the three units without 1×1 convs (Table 1 "Baseline"/"+ Global").
    """

    def __init__(
        self, n_feats: int = 64, mobile: bool = False, groups: int = 1, recursive: bool = False,
        local_cascade: bool = True, fuse_relu: bool = False, cascade: str = "paper", key_style: str = "pcarn",
        n_units: int = 3,
    ):
        super().__init__()
        self.fuse_relu, self.cascade, self.n_units = fuse_relu, cascade, n_units

        def unit() -> nn.Module:
            if mobile:
                return EResidualBlock(n_feats, groups, key_style)
            return ResidualBlock(n_feats, key_style)

        if recursive:
            shared = unit()
            self.b1 = shared
            if key_style == "pcarn":  # PCARN-M: ``self.b2 = self.b3 = self.b1`` -> keys b1.*, b2.*, b3.*
                for u in range(2, n_units + 1):
                    setattr(self, f"b{u}", shared)
            self._units = [shared] * n_units  # CARN-M: ``self.b1`` called three times -> keys b1.* only
        else:
            for u in range(1, n_units + 1):
                setattr(self, f"b{u}", unit())
            self._units = None
        if local_cascade:
            for u in range(1, n_units + 1):
                setattr(self, f"c{u}", _fusion_conv(n_feats * (u + 1), n_feats, key_style))
        self.local_cascade = local_cascade

    def units(self) -> list[nn.Module]:
        if self._units is not None:
            return list(self._units)
        return [getattr(self, f"b{u}") for u in range(1, self.n_units + 1)]

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        fusions = [getattr(self, f"c{u}") for u in range(1, self.n_units + 1)] if self.local_cascade else None
        return _cascade(x, self.units(), fusions, self.fuse_relu, self.cascade)


class _UpsampleBlock(nn.Module):
    """One up-sampler: [3×3 conv (n → r²·n, groups), ReLU, PixelShuffle(r)] once for ×3, log2(s) times for ×2/4/8.

    Keys ``body.0.*`` (and ``body.3.*`` for ×4); ReLU and PixelShuffle have no parameters, so ``upsample_relu=False``
    keeps the indices by putting an ``Identity`` in the ReLU's place.
    """

    def __init__(self, n_feats: int, scale: int, groups: int = 1, relu: bool = True):
        super().__init__()
        if scale in (2, 4, 8):
            steps, r = int(math.log2(scale)), 2
        elif scale == 3:
            steps, r = 1, 3
        else:
            raise ValueError(f"pixel-shuffle up-sampler supports scales {SINGLE_SCALES}, not {scale}")
        layers: list[nn.Module] = []
        for _ in range(steps):
            layers += [
                nn.Conv2d(n_feats, r * r * n_feats, 3, 1, 1, groups=groups),
                nn.ReLU(inplace=True) if relu else nn.Identity(),
                PixelShuffle(r),
            ]
        self.body = nn.Sequential(*layers)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.body(x)


class UpsampleBlock(nn.Module):
    """``upsample.up2/up3/up4`` (multi-scale, Section 3.1 last paragraph) or ``upsample.up`` (single scale)."""

    def __init__(self, n_feats: int, scale: int | None, multi_scale: bool, groups: int = 1, relu: bool = True):
        super().__init__()
        self.multi_scale = multi_scale
        if multi_scale:
            for s in MULTI_SCALES:
                setattr(self, f"up{s}", _UpsampleBlock(n_feats, s, groups, relu))
        else:
            self.up = _UpsampleBlock(n_feats, scale, groups, relu)

    def forward(self, x: torch.Tensor, scale: int) -> torch.Tensor:
        return getattr(self, f"up{scale}")(x) if self.multi_scale else self.up(x)


# ----------------------------------------------------------------------------------------------- generator
class CascadingResidualNetwork(nn.Module):
    """CARN / PCARN generator (PCARN Figure 1 top, Eq. 1–3). Use the registered constructors below.

    Args:
        scale: build one up-sampler for this integer scale (2, 3, 4 or 8; keys ``upsample.up.*``).
        multi_scale: build the ×2, ×3, ×4 up-samplers (keys ``upsample.up{2,3,4}.*``); default when ``scale`` is
            not given, and the layout of every released checkpoint.
        n_feats: channels (64 in both papers, Section 3.5).
        mobile: EResidual blocks (Section 3.3) instead of standard residual blocks.
        group: groups G of the EResidual 3×3 convs *and* of the up-sampler convs (official ``--group``).
        recursive: share the residual unit inside each cascading block (Figure 4b; "R" in Figure 8).
        local_cascade / global_cascade / global_residual: PCARN Table 1 switches (Eq. 2 / Eq. 3 / ``O = H^B + H^0``).
        fuse_relu: ReLU after every 1×1 fusion conv (CARN: yes; PCARN removed it).
        upsample_relu: ReLU after each up-sampling conv (see module docstring, difference 2).
        cascade: ``"paper"`` (Eq. 2–3) or ``"official"`` (the repos; needed by the released weights).
        key_style: ``"carn"`` or ``"pcarn"`` state_dict layout.
        upsampler: ``"pixelshuffle"`` or ``"osm"`` (OverNet's overscaling module; arbitrary float scales).
        osm_kwargs: extra arguments for ``OverscalingModule`` (e.g. ``max_scale``, ``overscale``, ``group``).
    """

    def __init__(
        self, scale: int | None = None, multi_scale: bool | None = None, n_feats: int = 64, mobile: bool = False,
        group: int = 1, recursive: bool = False, local_cascade: bool = True, global_cascade: bool = True,
        global_residual: bool = True, fuse_relu: bool = False, upsample_relu: bool = True, cascade: str = "paper",
        key_style: str = "pcarn", upsampler: str = "pixelshuffle", osm_kwargs: dict | None = None,
    ):
        super().__init__()
        _check_choice("cascade", cascade, CASCADES)
        _check_choice("key_style", key_style, KEY_STYLES)
        _check_choice("upsampler", upsampler, ("pixelshuffle", "osm"))
        self.upsampler = upsampler
        if upsampler == "osm":  # arbitrary scales: scale / multi_scale are not needed (a given scale is ignored)
            multi_scale = False
            self.scales = None
        else:
            if multi_scale is None:
                multi_scale = scale is None
            if multi_scale and scale is not None:
                raise ValueError(f"pass either scale={scale} (one up-sampler) or multi_scale=True (×2/×3/×4), not both")
            if not multi_scale:
                if scale is None:
                    raise ValueError("multi_scale=False needs scale=2, 3, 4 or 8")
                _check_choice("scale", scale, SINGLE_SCALES)
            self.scales = MULTI_SCALES if multi_scale else (int(scale),)
        self.multi_scale = multi_scale
        self.config = dict(
            scale=scale, multi_scale=multi_scale, n_feats=n_feats, mobile=mobile, group=group, recursive=recursive,
            local_cascade=local_cascade, global_cascade=global_cascade, global_residual=global_residual,
            fuse_relu=fuse_relu, upsample_relu=upsample_relu, cascade=cascade, key_style=key_style,
            upsampler=upsampler, osm_kwargs=osm_kwargs,
        )
        self.global_cascade, self.global_residual = global_cascade, global_residual
        self.fuse_relu, self.cascade = fuse_relu, cascade

        self.sub_mean = MeanShift(-1, 1.0, key_style="shifter")
        self.add_mean = MeanShift(+1, 1.0, key_style="shifter")
        self.entry = nn.Conv2d(3, n_feats, 3, 1, 1)  # f(X; W_c), Eq. 3
        block_groups = group if mobile else 1
        for b in (1, 2, 3):  # B = 3 cascading blocks, U = 3 units each (Section 3.5)
            setattr(self, f"b{b}", CascadingBlock(
                n_feats, mobile, block_groups, recursive, local_cascade, fuse_relu, cascade, key_style
            ))
        if global_cascade:
            for b in (1, 2, 3):
                setattr(self, f"c{b}", _fusion_conv(n_feats * (b + 1), n_feats, key_style))
        if upsampler == "osm":
            from .overnet import OverscalingModule  # lazy: written by another family

            self.osm = OverscalingModule(n_feats, **(osm_kwargs or {}))
        else:
            self.upsample = UpsampleBlock(n_feats, scale, multi_scale, group, upsample_relu)
            self.exit = nn.Conv2d(n_feats, 3, 3, 1, 1)

    def forward(self, x: torch.Tensor, scale) -> torch.Tensor:
        if self.scales is not None:
            scale = check_scale(scale, self.scales)
        lr = self.sub_mean(x)
        h0 = self.entry(lr)  # H^0
        blocks = [self.b1, self.b2, self.b3]
        fusions = [self.c1, self.c2, self.c3] if self.global_cascade else None
        out = _cascade(h0, blocks, fusions, self.fuse_relu, self.cascade)  # H^B, Eq. 3
        if self.global_residual:  # PCARN: O = H^B + H^0 (Section 3.1, modification 1)
            out = out + h0
        if self.upsampler == "osm":
            # OverNet's OSM: overscale, bicubic down to the target, exit conv, + bicubic-up skip of the
            # (mean-subtracted) input; add_mean afterwards, as in OverNet's own network.
            out = self.osm(out, lr, scale)
        else:
            out = self.exit(self.upsample(out, scale))
        return self.add_mean(out)


def _build(defaults: dict, scale, multi_scale, options: dict) -> CascadingResidualNetwork:
    unknown = set(options) - set(inspect.signature(CascadingResidualNetwork.__init__).parameters)
    if unknown:
        raise TypeError(f"unknown option(s) {sorted(unknown)} for CARN/PCARN")
    return CascadingResidualNetwork(scale, multi_scale, **{**defaults, **options})


_CARN = dict(mobile=False, group=1, recursive=False, fuse_relu=True, global_residual=False, key_style="carn")
_PCARN = dict(mobile=False, group=1, recursive=False, fuse_relu=False, global_residual=True, key_style="pcarn")


@register_model
def carn(scale: int | None = None, multi_scale: bool | None = None, **options) -> CascadingResidualNetwork:
    """CARN (ECCV 2018; PCARN Section 3.1 recap): residual blocks, local + global cascades, ReLU after 1×1, no global
    residual. 1,591,963 parameters multi-scale."""
    return _build(_CARN, scale, multi_scale, options)


@register_model
def carn_m(scale: int | None = None, multi_scale: bool | None = None, **options) -> CascadingResidualNetwork:
    """CARN-M: EResidual blocks, group 4, recursive (one unit per cascading block). 414,811 parameters
    multi-scale."""
    return _build({**_CARN, "mobile": True, "group": 4, "recursive": True}, scale, multi_scale, options)


@register_model
def pcarn(scale: int | None = None, multi_scale: bool | None = None, **options) -> CascadingResidualNetwork:
    """PCARN generator (Section 3.1): CARN + global residual, no ReLU after the 1×1 convs. Same parameter count as
    CARN. Table 1 rows: ``pcarn(scale=4, **srrepro.papers.pcarn.PCARN_TABLE1[row])``."""
    return _build(_PCARN, scale, multi_scale, options)


@register_model
def pcarn_m(scale: int | None = None, multi_scale: bool | None = None, **options) -> CascadingResidualNetwork:
    """PCARN-M (Section 3.3, "G4R" of Figure 8): EResidual blocks, group 4, recursive, the shared unit aliased as
    ``b1``/``b2``/``b3``. Figure 8 sweeps ``group`` in 1…64 with ``recursive`` True/False."""
    return _build({**_PCARN, "mobile": True, "group": 4, "recursive": True}, scale, multi_scale, options)


def init_weights(model: nn.Module, dist: str = "uniform", numerator: float = 1.0, factor: float = 1.0) -> nn.Module:
    """PCARN Table 3 initializations: ``factor × N(0, sqrt(numerator/F))`` or ``factor × U(±sqrt(numerator/F))``.

    Rows of Table 3: (normal, 2, 0.1), (uniform, 6, 0.1), (uniform, 1, 0.1), (normal, 2, 1.0), (uniform, 6, 1.0),
    (uniform, 1, 1.0) — the last, the paper's choice, equals PyTorch's default conv weight range. The training
    engine names the same rows in ``srrepro.train.INIT_SCHEMES``; both use :func:`common.init_convs`.
    """
    return init_convs(model, dist, numerator, factor)


# ----------------------------------------------------------------------------------------------- discriminators
class PCARNDiscriminator(nn.Module):
    """The 9-convolution discriminator of PCARN Figure 1 (bottom), as in the official ``Discriminator``.

    conv3×3 64 s1, LReLU; [conv k, n, s → BN → LReLU] for (4,64,2) (3,128,1) (4,128,2) (3,256,1) (4,256,2)
    (3,512,1) (3,512,1); conv3×3 1 s1; sigmoid. Fully convolutional: the output is a patch map of size H/8 × W/8.
    ``downsample`` > 1 average-pools the input first (one member of the multi-scale discriminator, Eq. 6).
    ``negative_slope`` 0.01 is PyTorch's (and the official code's) LeakyReLU default; ``sigmoid=False`` returns
    logits (for ``BCEWithLogitsLoss``).
    """

    def __init__(self, downsample: int = 1, negative_slope: float = 0.01, sigmoid: bool = True):
        super().__init__()

        def conv_bn_lrelu(cin: int, cout: int, k: int, s: int) -> nn.Sequential:
            return nn.Sequential(nn.Conv2d(cin, cout, k, s, 1), nn.BatchNorm2d(cout), nn.LeakyReLU(negative_slope))

        layers: list[nn.Module] = [nn.Conv2d(3, 64, 3, 1, 1), nn.LeakyReLU(negative_slope)]
        for cin, cout, k, s in [(64, 64, 4, 2), (64, 128, 3, 1), (128, 128, 4, 2), (128, 256, 3, 1),
                                (256, 256, 4, 2), (256, 512, 3, 1), (512, 512, 3, 1)]:
            layers.append(conv_bn_lrelu(cin, cout, k, s))
        layers.append(nn.Conv2d(512, 1, 3, 1, 1))
        layers.append(nn.Sigmoid() if sigmoid else nn.Identity())
        self.body = nn.Sequential(*layers)
        self.downsample = downsample
        if downsample > 1:
            self.avg_pool = nn.AvgPool2d(downsample)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.downsample > 1:
            x = self.avg_pool(x)
        return self.body(x)


class MultiScaleDiscriminator(nn.Module):
    """PCARN multi-scale discriminator (Section 3.2, Figure 3, Eq. 6): S discriminators D_i, each on the image
    average-pooled by 2^i (official: S = 3, pools 1, 2, 4, separate weights).

    ``forward(x)`` returns the list ``[D_0(F_0(x)), …, D_{S-1}(F_{S-1}(x))]``; the GAN loss is summed over it
    (Eq. 6). ``n_scales=1`` is the single discriminator of Figure 1 (a one-element list).
    """

    scales = ()  # not a super-resolution model: no SR scale
    is_discriminator = True

    def __init__(self, n_scales: int = 3, negative_slope: float = 0.01, sigmoid: bool = True):
        super().__init__()
        if n_scales < 1:
            raise ValueError(f"n_scales must be >= 1, not {n_scales}")
        self.nets = nn.ModuleList(PCARNDiscriminator(2**i, negative_slope, sigmoid) for i in range(n_scales))

    def forward(self, x: torch.Tensor, scale=None) -> list[torch.Tensor]:  # scale: accepted for the zoo convention
        return [d(x) for d in self.nets]


@register_model
def pcarn_discriminator(n_scales: int = 1, negative_slope: float = 0.01, sigmoid: bool = True) -> MultiScaleDiscriminator:
    """PCARN discriminator: ``n_scales=1`` (Figure 1) or ``3`` (multi-scale, Eq. 6). Returns a list of patch maps."""
    return MultiScaleDiscriminator(n_scales, negative_slope, sigmoid)
