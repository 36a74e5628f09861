"""FSDN — Fixed-Scale Deep Network, the fixed-scale version of ASDN (Table 1's "FSDN (ours)"), read from
``asdn_slides.txt``, slide "FSDN - Fixed-Scale Deep Network".

What the slides give
--------------------
* "Fine-tune ASDN for a specific scale." / "Same structure of ASDN."
* "A deconvolutional layer is inserted before IRB."
* "Training: LR images downscaled by 2x,3x,4x,8x based on the specific scale and trained on the specific scale."
* "Testing: LR images downscaled and forwarded into the network for returning the corresponding output."
* "Results — Fixed-scale": "FSDN performs better than ASDN due to the transposed convolution" (the ASDN networks of
  the other rows "are trained on specific scales with specific upsampled modules (transposed convolution)").

Readings chosen where the slides are ambiguous or silent
---------------------------------------------------------
1. **Post-upsampling.** "LR images downscaled and forwarded into the network": FSDN's feature mapping branch (FMB)
   works on the LR image itself, not on its bicubic upsampling (ASDN's pre-upsampling); the deconvolution brings the
   features to the HR size, so one network per scale (×2, ×3, ×4, ×8) and ``scales = (s,)``.
2. **The deconvolution.** One ``ConvTranspose2d(F, F)`` with stride ``s`` between the FMB and the IRB, kernel
   ``s + 2·⌈s/2⌉`` and padding ``⌈s/2⌉`` (output exactly ``s·h``: 4/1 at ×2, 7/2 at ×3, 8/2 at ×4, 16/4 at ×8), no
   activation after it. The slides give neither kernel nor padding, nor whether ×8 is one layer or three; one layer
   at the network's scale is the smallest reading of "a deconvolutional layer".
3. **One IRB.** ASDN's pyramid is not needed at a fixed scale: FSDN keeps one image reconstruction branch (ASDN's
   IRB: spatial attention, 1×1 conv to 3 channels) and ASDN's global skip, here the bicubic upsampling of the LR
   input by ``s`` (the same grid as ASDN's, :func:`srrepro.models.common.resize`).
4. **Fine-tuning.** "Fine-tune ASDN": FSDN starts from a trained ASDN. Its module names are ASDN's — ``fmb.*`` and
   ``irbs.<L-1>.*``, the top pyramid level (×2, the level nearest the fixed scales) — so an ASDN checkpoint loads by
   name (``pretrained_strict=False``): the FMB and the ×2 level's IRB come from ASDN, the deconvolution starts from
   PyTorch's default initialisation. The slides give no fine-tuning schedule; the study's training of ASDN's family
   is used (``srrepro.recipes``), at the fixed scale only.
5. **Sizes and options** are ASDN's (``size="paper"``: 16 DABs × 8 convs × 64; ``"project"``: 8 × 4 × 32; the other
   keywords as :class:`srrepro.models.asdn.ASDN`'s FMB and IRB).
"""
from __future__ import annotations

import math

import torch
import torch.nn as nn

from . import register_model
from .asdn import SIZES, FeatureMappingBranch, ImageReconstructionBranch
from .common import check_scale, resize

__all__ = ["FSDN", "fsdn", "FSDN_SCALES", "deconv_geometry"]

FSDN_SCALES = (2, 3, 4, 8)  # Table 1


def deconv_geometry(scale: int) -> tuple[int, int]:
    """(kernel, padding) of the ×``scale`` deconvolution (reading 2): output ``(h−1)·s − 2p + k = s·h``."""
    pad = math.ceil(scale / 2)
    return scale + 2 * pad, pad


class FSDN(nn.Module):
    """FSDN at one scale: LR → FMB → deconvolution (×s) → IRB, + bicubic(LR, ×s) (readings 1–3).

    Args:
        scale: the fixed scale (2, 3, 4 or 8, Table 1; any integer ≥ 2 builds).
        n_dab, n_idb_convs, n_feats, growth, n_shallow, channel_attention, spatial_attention, global_skip,
        reduction, sa_expansion, fusion, sa_on: as :class:`srrepro.models.asdn.ASDN`.
        levels: the pyramid size of the ASDN it is fine-tuned from (names its IRB ``irbs.<levels-1>``, reading 4).
    """

    def __init__(self, scale: int = 2, n_dab: int = 16, n_idb_convs: int = 8, n_feats: int = 64, *,
                 growth: int | None = None, n_shallow: int | None = None, channel_attention: bool = True,
                 spatial_attention: bool = True, global_skip: bool = True, reduction: int = 16,
                 sa_expansion: int = 2, fusion: bool = True, sa_on: str = "features", levels: int = 11):
        super().__init__()
        if int(scale) != scale or scale < 2:
            raise ValueError(f"FSDN is built for one integer scale >= 2, not {scale!r}")
        self.scale = int(scale)
        self.scales = (self.scale,)
        self.global_skip = global_skip
        self.fmb = FeatureMappingBranch(n_dab, n_idb_convs, n_feats, growth or n_feats, n_shallow or n_feats,
                                        channel_attention, reduction, fusion)
        k, p = deconv_geometry(self.scale)
        ch = self.fmb.out_channels
        self.deconv = nn.ConvTranspose2d(ch, ch, k, stride=self.scale, padding=p)  # "inserted before IRB"
        # reading 4: the name of ASDN's top level, so ASDN's checkpoint fills it
        self.irbs = nn.ModuleDict({str(levels - 1): ImageReconstructionBranch(ch, spatial_attention, sa_on,
                                                                              sa_expansion)})

    @property
    def irb(self) -> ImageReconstructionBranch:
        return next(iter(self.irbs.values()))

    def forward(self, x: torch.Tensor, scale=None) -> torch.Tensor:
        s = check_scale(self.scale if scale is None else scale, self.scales)
        out = self.irb(self.deconv(self.fmb(x)))
        if self.global_skip:
            out = out + resize(x, (x.shape[-2] * s, x.shape[-1] * s), float(s))
        return out


@register_model
def fsdn(size: str = "paper", scale: int = 2, **kwargs) -> FSDN:
    """FSDN at ``scale`` (2/3/4/8). ``size="paper"`` (16 DABs, 8 IDB convs, 64 features) or ``"project"`` (8/4/32),
    as :func:`srrepro.models.asdn.asdn`; other kwargs: see :class:`FSDN`."""
    if size not in SIZES:
        raise ValueError(f"size must be one of {sorted(SIZES)}, not {size!r}")
    return FSDN(scale, **{**SIZES[size], **kwargs})
