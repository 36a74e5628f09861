"""s-LWSR: the super lightweight super-resolution network.

Paper
    Li, Liu, Wang, Qi, Shi, "s-LWSR: Super Lightweight Super-Resolution Network", IEEE TIP 2020 (arXiv 1909.10774):
    Section III (III-A residual block, Eq. 1; III-B symmetric frame, Eq. 2; III-C information pool, Eq. 3;
    III-D compression, Eq. 4 and Fig. 4; III-E activation removal), Section IV-B (Table I, Fig. 5, Fig. 6),
    Table II (×4 comparison), Table III (information-pool ablation).

Official code: ``Sudo-Biao/s-LWSR``, ``Train/code/model/lwsr.py`` (class ``LWSR``, built on the EDSR/RCAN code
base). With the defaults (``n_stages=4, bottom_blocks=2``, no compression, ``information_pool="normal"``) the module
names equal the released ones (``sub_mean``, ``add_mean``, ``head.0``, ``feat2_1`` … ``feat6_2``, ``conv1``,
``feat7_1.conv`` … ``conv10``, ``tail.0.0``, ``tail.0.2``, ``tail.1``), in the same order, so the released state_dicts
load with ``strict=True``: 571,131 parameters for F=32 ×4 (the number printed by the official training log).

Network (Fig. 2; names of ``lwsr.py``; F = ``n_feats`` = β of Section III-B, 16/32/64 in the paper)::

    x·255 ─ sub_mean ─ head (3×3, 3→F) = x1
    information extractor (first half): bunches 2…5 of three residual blocks with local residual learning (Eq. 2)
        feat{b}_1 ← in,  feat{b}_2 ← feat{b}_1,  feat{b}_3 ← feat{b}_2,  next in = feat{b}_1 + feat{b}_3
        bottom bunch 6: feat6_1, feat6_2
    information pool (Eq. 3): conv1 = Conv1×1(6F→F, no bias)(Cat[x1, feat3_1, feat4_1, feat5_1, feat6_1, feat6_2])
    information fusion (second half), stage k = 7…10 with its symmetric extractor bunch m = 5…2:
        feat{k}_1 = Conv1×1(2F→F) then residual block,  on  Cat[prev, 0.5·feat{m}_3 + 0.5·conv1]   (III-B, "0.5")
        feat{k}_2, conv{k}: residual blocks                                   (prev = feat6_2, conv7, conv8, conv9)
    conv10 + x1 (global residual) ─ tail.0 sub-pixel up-sampler ─ tail.1 (3×3, F→3) ─ add_mean ─ /255

    residual block (Eq. 1, Fig. 3): R^i = α·Conv(act(Conv(R^{i-1}))) + R^{i-1}, α = 1 (EDSR ResBlock, no BN)

26 residual blocks in all = Table I "Basic blocks 26". ``n_stages`` (K) generalizes the U depth: K extractor bunches
of three blocks, a bottom bunch of ``bottom_blocks`` blocks, K fusion stages, 6K+``bottom_blocks`` blocks.

Options (``create_model("slwsr", ...)``; default = the paper's s-LWSR32 ×4):
    ``scale`` (the paper trains ×4 only; ×2/×3 use EDSR's up-sampler), ``n_feats`` 16 / 32 / 64 (s-LWSR16/32/64;
    Table I "Width" = 16), ``n_stages`` / ``bottom_blocks`` (Table I "Depth", see reading 3), ``compressed`` (every
    residual block → MobileNetV2 inverted residual block, s-LWSR32C of Fig. 5), ``expansion`` (t of the inverted
    residual), ``activation_removal`` (reading 1), ``information_pool`` ``"normal"`` / ``"none"`` / ``"former11"``
    (Table III rows), ``local_residual`` ``"code"`` / ``"eq2"`` (difference 2), ``fusion_weight`` (0.5),
    ``official=True`` (the released ``lwsr.py`` exactly; see difference 1).

Our readings of under-specified parts
    1. Activation removal (III-E, IV-B "Activation Removal", Fig. 6). Every residual block has one ReLU (between its
       two convs); head, pool, 1×1 reductions and the up-sampler have none, as in the code. The paper's settings are
       stated as the fraction of activations *kept*: "rare (only first and last convolutional layers) kept, 1/3
       kept, 1/2 kept, 2/3 kept and all", and the final model uses "half activation". Values of
       ``activation_removal`` and the residual blocks (of 26, forward order) that keep their ReLU:
         ``"none"``        nothing removed: all 26 keep it (the paper's "all"; what the released code really runs);
         ``"first_last"``  the paper's "rare": only the first (feat2_1) and the last (conv10) block keep it. We read
                           "first and last convolutional layers" as the first and last residual blocks: the head and
                           the output conv carry no activation in this architecture (a ReLU on the mean-subtracted
                           output would clip it);
         ``"1/2"``         the paper's final setting, and the default: the 12 blocks that ``lwsr.py`` builds with
                           ``act=nn.ReLU(True)`` (feat2_3, feat3_3, feat4_1, feat4_3, feat5_1, feat5_3, feat6_1,
                           feat6_2, feat7_1, feat8_1, feat9_1, feat10_1) keep it, the 14 built with
                           ``nn.ReLU(False)`` lose it. That flag is only ``inplace`` in PyTorch, so the released code
                           removes nothing (difference 1), but the True/False pattern is the authors' own marking of
                           the "half" setting (12 of 26). For other depths: ``round(N/2)`` blocks evenly spaced;
         ``"1/3"``, ``"2/3"`` ``round(N/3)`` = 9 / ``round(2N/3)`` = 17 blocks keep it, evenly spaced along the
                           forward order (block ``floor((i + 1/2)·N/k)`` for i < k; the paper gives no positions);
         ``"1/2_even"``    the other reading of "half": ``round(N/2)`` = 13 blocks evenly spaced, as 1/3 and 2/3
                           (``slwsr_f6`` runs both readings of half);
         ``"all"``         every activation removed (not a setting of the paper; the end point of the ablation).
       Aliases: ``"rare"`` = ``"first_last"``, ``"half"`` = ``"1/2"``. A compressed block keeps or loses both of its
       activations together.
    2. Information pool variants (Table III): ``"normal"`` is Eq. 3; ``"none"`` ("no-pool") drops ``conv1`` and feeds
       ``Cat[prev, feat{m}_3]`` to each fusion stage (skip connections only); ``"former11"`` ("pool-former 11
       layers", "all involved" of the front half) concatenates the first 11 feature maps in forward order — x1 and
       the outputs of the first 10 residual blocks (feat2_1 … feat5_1) — so ``conv1`` is 11F→F.
    3. Table I "Depth" (basic blocks 6, F=32, 308K parameters). Six residual blocks cannot make 308K at F=32: the
       up-sampler, head, tail and mean shifts alone are 75,771 and each block 18,496 (6 blocks ≈ 190K), so 308K
       needs 12 blocks plus ≈10K of 1×1 convs. We read "6" as blocks per half: ``n_stages=2, bottom_blocks=0``
       gives 6 + 6 blocks and 303,931 parameters (−1.3 %; pool of x1 and feat3_1); ``TABLE1["Depth"]``. (A 6-input
       pool would give 308,027, but no rule of Eq. 3 yields six inputs there.) The other reading, "6 basic blocks
       kept, 20 compressed", needs ≈5.3K parameters per compressed block, which contradicts the 124K of reading 4
       (≈1.3K per block); we do not use it.
    4. Compression (III-D, Fig. 4): the inverted residual with linear bottleneck of MobileNetV2 — 1×1 expansion to
       t·F, ReLU, depth-wise 3×3, ReLU, 1×1 projection (linear) + identity — without BN (the paper removes BN,
       III-A) and with ReLU instead of ReLU6 (features are on the 0–255 scale here, ReLU6 would saturate). As in
       MobileNetV2 (and torchvision's ``InvertedResidual``), t = 1 has no expansion conv. t = 6 by default
       (MobileNetV2's value; the paper gives none). ``compressed=True`` replaces all residual blocks ("when all
       layers are replaced", IV-B); in ``feat{k}_1`` the 1×1 reduction stays. The paper's "571K → 124K" is met by
       one reading only: MobileNetV2's t = 1 block with its convs bias-free, as MobileNetV2's are (its BN, which
       the paper drops, carried the shift): ``expansion=1, compressed_bias=False`` → 124,347 (``srrepro.papers.slwsr.S_LWSR32C``). With
       biases t = 1 gives 126,011, t = 6 465,467; printed by the tests.

Paper vs released code (``official=True`` reproduces the code)
    1. Activations: the code passes ``act=nn.ReLU(False)`` to the blocks meant to lose their activation, but
       ``False`` is the ``inplace`` flag: all 26 ReLUs run. ``official=True`` therefore means
       ``activation_removal="none"``; the default model (paper) removes 14 (reading 1). Both have the same keys.
    2. Local residual learning: Eq. 2 writes LB^i = R3(R1(LB^{i-1}) + R2(R1)) (the sum *inside* the bunch, before
       R3); the code computes R3(R2(R1)) and hands R1 + R3 to the next bunch. ``local_residual="code"`` (default, and
       what the weights were trained with) or ``"eq2"``.
    3. Eq. 1 has a scale factor α; the code uses ``res_scale=1`` everywhere (kept).
    4. Eq. 3 names the head output ``conv_1`` and the pool conv ``Conv*``; in the code the pool conv is ``conv1`` and
       has no bias.
    5. The released ``MeanShift`` sets ``self.requires_grad = False`` on the module, which does not freeze its
       weight and bias: they are trainable and counted in 571,131 (our MeanShift is frozen; loading the released
       values still works, strict).
    6. Section III-B says the middle part has "nine bunches" with "the first five" feeding the pool: matches the
       code (bunches 2–6 and 7–10) although Fig. 2 / Eq. 3 index them 1–5. III-C says the 1×1 conv reduces "five
       times concatenated layers", but Eq. 3 and the code concatenate six maps (6F→F).

Published numbers (×4) and this module (``tests/test_edsr_slwsr.py`` prints them)
    Parameters: Table I/II s-LWSR32 571K (571,131 here, = the official log), s-LWSR16 144K (143,755; IV-B's text
    says "140K"), s-LWSR64 2277K (2,276,827), Table I Depth 308K (303,931, reading 3), s-LWSR32C 124K (reading 4).
    Multi-Adds (Table II: 8.3 / 32.9 / 131.1 G for F = 16 / 32 / 64, EDSR 2482.0 G) equal parameters × 320 × 180,
    i.e. every conv counted at the LR size of a 1280×720 output; the real conv multiply-adds are 10.2 / 39.9 /
    157.9 G (EDSR 2894.5 G) because the up-sampler's second conv and the output conv run at 2× and 4× the LR size.
"""
from __future__ import annotations

import inspect
import math

import torch
import torch.nn as nn

from . import register_model
from .common import MeanShift, check_scale
from .edsr import Upsampler, default_conv

__all__ = ["SBlock", "SLWSR", "slwsr", "ACTIVATION_REMOVAL", "INFORMATION_POOLS", "TABLE1", "OFFICIAL_HALF_KEPT"]

ACTIVATION_REMOVAL = ("none", "first_last", "1/3", "1/2", "1/2_even", "2/3", "all")
_ALIASES = {"rare": "first_last", "half": "1/2"}
INFORMATION_POOLS = ("normal", "none", "former11")
LOCAL_RESIDUALS = ("code", "eq2")
# Blocks built with act=nn.ReLU(True) in lwsr.py: the authors' "half activation" marking (reading 1).
OFFICIAL_HALF_KEPT = frozenset({
    "feat2_3", "feat3_3", "feat4_1", "feat4_3", "feat5_1", "feat5_3", "feat6_1", "feat6_2",
    "feat7_1", "feat8_1", "feat9_1", "feat10_1",
})
# Table I columns as keyword arguments (reading 3 for "Depth").
TABLE1 = {
    "s-LWSR (base line)": dict(n_feats=32),
    "Depth": dict(n_feats=32, n_stages=2, bottom_blocks=0),
    "Width": dict(n_feats=16),
}


class SBlock(nn.Module):
    """Residual block of s-LWSR (Eq. 1 with α = 1), optionally behind a 1×1 reduction (``ResBlock2`` of the code).

    Plain: ``body = Conv3×3, act, Conv3×3`` (keys ``body.0``, ``body.2``), output ``x + body(x)``.
    Compressed (Fig. 4): ``body = Conv1×1 F→tF, act, DWConv3×3, act, Conv1×1 tF→F`` (linear bottleneck).
    ``reduce_from``: input channels of the leading 1×1 conv (key ``conv``), 2F in the fusion stages.
    """

    def __init__(self, n_feats: int, activation: bool = True, compressed: bool = False, expansion: float = 6,
                 reduce_from: int | None = None, compressed_bias: bool = True):
        super().__init__()
        if reduce_from is not None:
            self.conv = default_conv(reduce_from, n_feats, 1)
        self.has_activation = activation

        def act() -> nn.Module:
            return nn.ReLU(inplace=True) if activation else nn.Identity()

        if compressed:
            hidden = int(round(n_feats * expansion))
            expand = [] if expansion == 1 else [default_conv(n_feats, hidden, 1, bias=compressed_bias), act()]
            self.body = nn.Sequential(  # Fig. 4; MobileNetV2: t = 1 has no expansion conv
                *expand,
                nn.Conv2d(hidden, hidden, 3, padding=1, groups=hidden, bias=compressed_bias), act(),  # depth-wise
                default_conv(hidden, n_feats, 1, bias=compressed_bias),  # linear bottleneck
            )
        else:
            self.body = nn.Sequential(default_conv(n_feats, n_feats, 3), act(), default_conv(n_feats, n_feats, 3))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if hasattr(self, "conv"):
            x = self.conv(x)
        return x + self.body(x)


def _kept_positions(n: int, setting: str, names: list[str], official_layout: bool) -> set[int]:
    """Indices (forward order) of the residual blocks that keep their activation (reading 1)."""
    if setting == "none":
        return set(range(n))
    if setting == "all":
        return set()
    if setting == "first_last":
        return {0, n - 1}
    if setting == "1/2" and official_layout:
        return {i for i, name in enumerate(names) if name in OFFICIAL_HALF_KEPT}
    num, den = map(int, setting.removesuffix("_even").split("/"))
    k = round(n * num / den)
    return {math.floor((i + 0.5) * n / k) for i in range(k)}


class SLWSR(nn.Module):
    """s-LWSR (Fig. 2). See the module docstring for the options and the readings of the paper."""

    def __init__(self, scale: int = 4, n_feats: int = 32, n_stages: int = 4, bottom_blocks: int = 2,
                 activation_removal: str | None = None, information_pool: str = "normal", compressed: bool = False,
                 expansion: float = 6, local_residual: str = "code", fusion_weight: float = 0.5,
                 official: bool = False, rgb_range: float = 255.0, compressed_bias: bool = True):
        super().__init__()
        if activation_removal is None:
            activation_removal = "none" if official else "1/2"
        activation_removal = _ALIASES.get(activation_removal, activation_removal)
        for name, value, choices in (("activation_removal", activation_removal, ACTIVATION_REMOVAL),
                                     ("information_pool", information_pool, INFORMATION_POOLS),
                                     ("local_residual", local_residual, LOCAL_RESIDUALS)):
            if value not in choices:
                raise ValueError(f"{name} must be one of {', '.join(map(repr, choices))}; got {value!r}")
        if n_stages < 1 or bottom_blocks < 0:
            raise ValueError("n_stages must be >= 1 and bottom_blocks >= 0")
        official_layout = (n_stages, bottom_blocks) == (4, 2)
        if official:
            wanted = dict(n_stages=4, bottom_blocks=2, activation_removal="none", information_pool="normal",
                          compressed=False, local_residual="code", fusion_weight=0.5)
            given = dict(n_stages=n_stages, bottom_blocks=bottom_blocks, activation_removal=activation_removal,
                         information_pool=information_pool, compressed=compressed, local_residual=local_residual,
                         fusion_weight=fusion_weight)
            bad = {k: v for k, v in given.items() if v != wanted[k]}
            if bad:
                raise ValueError(f"official=True is the released lwsr.py ({wanted}); incompatible options: {bad}")
        self.config = dict(scale=scale, n_feats=n_feats, n_stages=n_stages, bottom_blocks=bottom_blocks,
                           activation_removal=activation_removal, information_pool=information_pool,
                           compressed=compressed, expansion=expansion, local_residual=local_residual,
                           fusion_weight=fusion_weight, official=official, rgb_range=rgb_range,
                           compressed_bias=compressed_bias)
        self.scales = (int(scale),)
        self.rgb_range = rgb_range
        self.n_stages, self.bottom_blocks = n_stages, bottom_blocks
        self.information_pool, self.local_residual = information_pool, local_residual
        self.fusion_weight = fusion_weight
        K = n_stages

        # --- block names in forward order (lwsr.py names for K = 4, bottom 2) ---
        self.extractor_names = [[f"feat{b}_{i}" for i in (1, 2, 3)] for b in range(2, K + 2)]
        self.bottom_names = [f"feat{K + 2}_{i}" for i in range(1, bottom_blocks + 1)]
        self.fusion_names = [[f"feat{k}_1", f"feat{k}_2", f"conv{k}"] for k in range(K + 3, 2 * K + 3)]
        names = [n for bunch in self.extractor_names for n in bunch] + self.bottom_names
        names += [n for stage in self.fusion_names for n in stage]
        self.block_names = names
        kept = _kept_positions(len(names), activation_removal, names, official_layout)

        # --- modules, registered in the order of lwsr.py ---
        self.sub_mean = MeanShift(-1, rgb_range, key_style="plain")
        self.add_mean = MeanShift(+1, rgb_range, key_style="plain")
        self.head = nn.Sequential(default_conv(3, n_feats, 3))  # x1: "conv(3, n-feats)" of IV-B
        fusion_heads = {stage[0] for stage in self.fusion_names}
        pool_inputs = self._pool_inputs()
        for i, name in enumerate(names):
            if name == self.fusion_names[0][0] and information_pool != "none":
                # Eq. 3: the information pool's 1×1 conv, registered just before the first fusion stage
                self.conv1 = nn.Conv2d(len(pool_inputs) * n_feats, n_feats, 1, bias=False)
            setattr(self, name, SBlock(n_feats, activation=i in kept, compressed=compressed, expansion=expansion,
                                       reduce_from=2 * n_feats if name in fusion_heads else None,
                                       compressed_bias=compressed_bias))
        self.tail = nn.Sequential(Upsampler(scale, n_feats), default_conv(n_feats, 3, 3))

    def _pool_inputs(self) -> list[str]:
        """Names of the feature maps concatenated by the information pool (Eq. 3 / Table III)."""
        if self.information_pool == "none":
            return []
        if self.information_pool == "former11":
            first_half = [n for bunch in self.extractor_names for n in bunch] + self.bottom_names
            if len(first_half) < 10:
                raise ValueError("information_pool='former11' needs at least 10 blocks before the pool")
            return ["x1"] + first_half[:10]
        # Eq. 3: Cat[conv_1, R^1_2, R^1_3, R^1_4, R^1_5, R^2_5] = [x1, feat3_1, feat4_1, feat5_1, feat6_1, feat6_2]
        return ["x1"] + [bunch[0] for bunch in self.extractor_names[1:]] + self.bottom_names

    def activation_count(self) -> int:
        """Number of residual blocks that keep their activation."""
        return sum(getattr(self, n).has_activation for n in self.block_names)

    def forward(self, x: torch.Tensor, scale=None) -> torch.Tensor:
        check_scale(self.scales[0] if scale is None else scale, self.scales)
        x1 = self.head(self.sub_mean(x * self.rgb_range))
        f: dict[str, torch.Tensor] = {"x1": x1}
        h = x1
        skips = []
        for n1, n2, n3 in self.extractor_names:  # first half: local blocks with local residual learning (Eq. 2)
            f[n1] = r1 = getattr(self, n1)(h)
            f[n2] = r2 = getattr(self, n2)(r1)
            if self.local_residual == "code":  # lwsr.py: next input = R1 + R3(R2(R1))
                f[n3] = r3 = getattr(self, n3)(r2)
                h = r1 + r3
            else:  # Eq. 2 as printed: LB_out = R3(R1 + R2(R1))
                f[n3] = r3 = getattr(self, n3)(r1 + r2)
                h = r3
            skips.append(r3)
        for name in self.bottom_names:  # bottom bunch (feat6_1, feat6_2)
            f[name] = h = getattr(self, name)(h)
        pool = None
        if self.information_pool != "none":  # Eq. 3
            pool = self.conv1(torch.cat([f[n] for n in self._pool_inputs()], 1))
        w = self.fusion_weight
        for (n1, n2, n3), skip in zip(self.fusion_names, reversed(skips)):  # second half (III-B, weights 0.5/0.5)
            mixed = skip if pool is None else w * skip + (1 - w) * pool
            h = getattr(self, n1)(torch.cat([h, mixed], 1))
            h = getattr(self, n3)(getattr(self, n2)(h))
        h = h + x1  # global residual (conv10 += x1)
        return self.add_mean(self.tail(h)) / self.rgb_range


@register_model
def slwsr(**options) -> SLWSR:
    """s-LWSR (TIP 2020); default = the paper's s-LWSR32 ×4 ("half activation"). 571,131 parameters
    (n_feats=16: 143,755; 64: 2,276,827). ``official=True``: the released ``lwsr.py`` (all ReLUs kept)."""
    unknown = set(options) - set(inspect.signature(SLWSR.__init__).parameters)
    if unknown:
        raise TypeError(f"unknown option(s) {sorted(unknown)} for s-LWSR")
    return SLWSR(**options)
