"""The comparison networks of the ASDN slides' LFR study and any-scale tables: VDSR-, EDSR-, RDN-Conv and the
"-100" networks (EDSR-100, RDN-100, ASDN-100), read from ``asdn_slides.txt``.

Nobody released them; they are built here from the slides' description, reusing ASDN's pyramid
(:class:`srrepro.models.asdn.ASDN`: pre-upsampling, one image reconstruction branch (IRB) per level, the LFR
interpolation ``O_r = O_{r_i} + w_r·P_i`` and the recursive deployment above ×2) with another network's
convolutional trunk in place of ASDN's feature mapping branch (FMB).

What the slides give (slide titles in quotes)
----------------------------------------------
* "Study of Laplacian Frequency Representation" (Fig. 8): "ESDR-Conv, RDN-Conv, ADSN: networks trained as ASDN with
  11 IRBs"; "ESDR-100, RDN-100, ASDN-100: upsampling networks trained and tested on 100 scales between (1,2] on
  Set5" (ESDR / ADSN are the slides' typos for EDSR / ASDN).
* "Study of recursive deployment — Effectiveness" (Table 3): VDSR-Conv, EDSR-Conv, RDN-Conv and ASDN "trained on 11
  decimal scales in (1,2]" (recursive deployment) or "trained on images upsampled directly ×2, ×3, ×4" (direct).
* "Results — Any-scale" (Table 2, Fig. 4): "VDSR-Conv, EDSR-Conv, RDN-Conv are networks trained as ASDN".

Readings chosen where the slides are ambiguous or silent
---------------------------------------------------------
1. **"-Conv" = the backbone's convolutional trunk + ASDN's reconstruction.** "Trained as ASDN with 11 IRBs": the
   backbone's feature extractor replaces ASDN's FMB; its own up-sampler and last conv are dropped (the input is
   already bicubic-upsampled, as ASDN's) and ASDN's 11 IRBs (1×1 conv to 3 channels after spatial attention) and
   global skip reconstruct each level. The name is read as "the convolutional part of X"; the slides do not say
   whether the IRBs keep their spatial attention: they are ASDN's own (``spatial_attention=True``), so the trunk is
   the only difference from ASDN.
2. **Trunks.** VDSR: conv3×3 3→F + ReLU, then ``depth − 2`` conv3×3 + ReLU (VDSR's 20 layers without its last conv,
   which the IRBs replace; VDSR's global residual is ASDN's global skip). EDSR: head conv3×3, B residual blocks
   (``x + res_scale·conv(ReLU(conv(x)))``), conv3×3, long skip (no mean shift and no [0, 255] range: ASDN has
   neither). RDN: two shallow convs, D residual dense blocks of C convs with growth G, global feature fusion (1×1 +
   3×3) and global residual (RDN's ``features``, :class:`srrepro.models.rdn._RDNBody`).
3. **Sizes.** ``size="paper"``: VDSR 20 layers × 64; EDSR 32 blocks × 256, ``res_scale`` 0.1 (the EDSR paper's
   model); RDN D = 16, C = 8, G = 64 (the RDN paper's). ``size="project"`` (lite): every trunk at ASDN's course-project
   width, 32 features, with EDSR 8 blocks (the study's EDSR lite size) and RDN 8 × 4 (as ASDN's 8 DABs × 4 convs);
   VDSR keeps its 20 layers (its depth is what defines it). The slides give no size for any of them.
4. **"-100" = one level per tested scale.** "Trained and tested on 100 scales between (1,2]": a pyramid whose levels
   are the 100 scales 1.01, 1.02 … 2.00 (``levels=101``: ``r_0 = 1`` is kept, as ASDN's reading 2), so every tested
   scale has its own IRB and nothing is interpolated; training draws one of the levels per batch, as ASDN's. ASDN-100
   is ASDN with 101 levels; EDSR-100 and RDN-100 are the -Conv networks with 101 levels. The slides' "upsampling
   networks" is read as "networks with a reconstruction per scale", not as a post-upsampling module (a sub-pixel
   layer cannot upsample by 1.01).
5. **Direct deployment** (Table 3) of a -Conv network is the same construction with one level at R (``levels=2,
   r_max=R``), as for ASDN (``srrepro.papers.asdn.spec.direct_config``).
6. **Training patches of a -100 network.** The study's patch sampler snaps a scale ``r`` to the patch pair's own
   ratio ``round(p·r)/p`` and a batch trains the level nearest it (ASDN reading 12), so the 100 scales are distinct
   training scales only when ``p·r`` is an integer for each of them: an LR patch of 100. On the slides' 48 (and the
   study's lite 16) the 100 levels collapse onto 49 (17) ratios and the other levels never train. The study's
   tables train the -100 networks on LR patches of 100 at the paper profile and score them, at lite, only at the
   test scales whose level the lite patch reaches (``srrepro.papers.asdn.spec``).

Everything else (the LFR index and weight, the recursion, training one level per batch, output sizes) is ASDN's:
readings 1–4 and 10–13 of :mod:`srrepro.models.asdn` hold here unchanged.
"""
from __future__ import annotations

import torch
import torch.nn as nn

from . import register_model
from .asdn import ASDN, R_MAX, ImageReconstructionBranch, lfr_scales
from .edsr import ResBlock
from .rdn import _RDNBody

__all__ = ["ConvLFR", "TRUNK_SIZES", "vdsr_conv", "edsr_conv", "rdn_conv", "edsr_100", "rdn_100", "asdn_100",
           "LEVELS_100"]

# Reading 4: levels r_0 = 1 and the 100 scales 1.01 … 2.00.
LEVELS_100 = 101
# Reading 3: the trunks' sizes; ``n_blocks``: VDSR's conv layers (its depth), EDSR's residual blocks, RDN's RDBs.
TRUNK_SIZES = {
    "vdsr": {"paper": dict(n_blocks=20, n_feats=64), "project": dict(n_blocks=20, n_feats=32)},
    "edsr": {"paper": dict(n_blocks=32, n_feats=256, res_scale=0.1), "project": dict(n_blocks=8, n_feats=32)},
    "rdn": {"paper": dict(n_blocks=16, n_feats=64, n_layers=8), "project": dict(n_blocks=8, n_feats=32, n_layers=4)},
}


class VDSRTrunk(nn.Module):
    """VDSR's layers but the last (reading 2): conv3×3 3→F, ReLU, then ``depth − 2`` × (conv3×3 F→F, ReLU)."""

    def __init__(self, n_blocks: int, n_feats: int):
        super().__init__()
        layers = [nn.Conv2d(3, n_feats, 3, padding=1), nn.ReLU(inplace=True)]
        for _ in range(n_blocks - 2):
            layers += [nn.Conv2d(n_feats, n_feats, 3, padding=1), nn.ReLU(inplace=True)]
        self.body = nn.Sequential(*layers)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.body(x)


class EDSRTrunk(nn.Module):
    """EDSR's head and body without mean shift, up-sampler and last conv (reading 2): head conv3×3, B residual
    blocks, conv3×3, + head (EDSR's long skip)."""

    def __init__(self, n_blocks: int, n_feats: int, res_scale: float = 1.0):
        super().__init__()
        self.head = nn.Conv2d(3, n_feats, 3, padding=1)
        self.body = nn.Sequential(*[ResBlock(n_feats, res_scale=res_scale) for _ in range(n_blocks)],
                                  nn.Conv2d(n_feats, n_feats, 3, padding=1))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = self.head(x)
        return h + self.body(h)


class RDNTrunk(_RDNBody):
    """RDN's feature part (reading 2): SFE1, SFE2, D RDBs of C convs with growth G, GFF (1×1, 3×3), + SFE1."""

    def __init__(self, n_blocks: int, n_feats: int, n_layers: int, growth: int | None = None):
        super().__init__(n_feats, growth or n_feats, n_blocks, n_layers)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.features(x)


_TRUNKS = {"vdsr": VDSRTrunk, "edsr": EDSRTrunk, "rdn": RDNTrunk}


class ConvLFR(ASDN):
    """A backbone's trunk in place of ASDN's FMB, ASDN's IRBs and LFR (reading 1): X-Conv with 11 levels, X-100 with
    101 (reading 4). Forward, training and recursion are :class:`ASDN`'s.

    Args:
        trunk: ``"vdsr"``, ``"edsr"`` or ``"rdn"``.
        size: ``"paper"`` or ``"project"`` (reading 3); ``n_blocks``, ``n_feats``, ``res_scale``, ``n_layers``,
            ``growth`` override it.
        levels, r_max: the pyramid (11 levels in (1, 2]; ``levels=2, r_max=R``: direct deployment at ×R).
        spatial_attention, sa_expansion, global_skip: ASDN's IRB options (reading 1: ASDN's defaults).
    """

    def __init__(self, trunk: str, size: str = "paper", *, levels: int = 11, r_max: float = R_MAX,
                 spatial_attention: bool = True, sa_expansion: int = 2, global_skip: bool = True, **trunk_kw):
        nn.Module.__init__(self)  # ASDN's attributes are set here; its FMB is replaced by the trunk
        if trunk not in _TRUNKS:
            raise ValueError(f"trunk must be one of {sorted(_TRUNKS)}, not {trunk!r}")
        if size not in TRUNK_SIZES[trunk]:
            raise ValueError(f"size must be one of {sorted(TRUNK_SIZES[trunk])}, not {size!r}")
        self.trunk = trunk
        self.r_max = float(r_max)
        self.level_scales = lfr_scales(levels, self.r_max)
        self.levels = int(levels)
        self.spatial_attention, self.global_skip = spatial_attention, global_skip
        kw = {**TRUNK_SIZES[trunk][size], **trunk_kw}
        self.n_feats = kw["n_feats"]
        self.fmb = _TRUNKS[trunk](**kw)
        self.irbs = nn.ModuleList(
            ImageReconstructionBranch(self.n_feats, spatial_attention, "features", sa_expansion)
            for _ in range(self.levels)
        )


def _conv_lfr(trunk: str, levels: int, size: str, scale, kwargs: dict) -> ConvLFR:
    # ``scale`` is accepted and ignored (arbitrary scale), as asdn()'s
    return ConvLFR(trunk, size, **{"levels": levels, **kwargs})


@register_model
def vdsr_conv(size: str = "paper", scale: float | None = None, **kwargs) -> ConvLFR:
    """VDSR-Conv (Tables 2–3): VDSR's trunk, ASDN's 11 IRBs (readings 1–3)."""
    return _conv_lfr("vdsr", 11, size, scale, kwargs)


@register_model
def edsr_conv(size: str = "paper", scale: float | None = None, **kwargs) -> ConvLFR:
    """EDSR-Conv (Fig. 8, Tables 2–3): EDSR's trunk, ASDN's 11 IRBs (readings 1–3)."""
    return _conv_lfr("edsr", 11, size, scale, kwargs)


@register_model
def rdn_conv(size: str = "paper", scale: float | None = None, **kwargs) -> ConvLFR:
    """RDN-Conv (Fig. 8, Tables 2–3): RDN's trunk, ASDN's 11 IRBs (readings 1–3)."""
    return _conv_lfr("rdn", 11, size, scale, kwargs)


@register_model
def edsr_100(size: str = "paper", scale: float | None = None, **kwargs) -> ConvLFR:
    """EDSR-100 (Fig. 8): EDSR's trunk with one IRB per scale 1.01 … 2.00 (reading 4)."""
    return _conv_lfr("edsr", LEVELS_100, size, scale, kwargs)


@register_model
def rdn_100(size: str = "paper", scale: float | None = None, **kwargs) -> ConvLFR:
    """RDN-100 (Fig. 8): RDN's trunk with one IRB per scale 1.01 … 2.00 (reading 4)."""
    return _conv_lfr("rdn", LEVELS_100, size, scale, kwargs)


@register_model
def asdn_100(size: str = "paper", scale: float | None = None, **kwargs) -> ASDN:
    """ASDN-100 (Fig. 8): ASDN with one IRB per scale 1.01 … 2.00 (reading 4)."""
    from .asdn import asdn

    return asdn(size=size, **{"levels": LEVELS_100, **kwargs})
