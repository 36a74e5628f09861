"""Training losses: L1, L2, OverNet's multi-scale L1, PCARN's VGG-19 feature loss and adversarial loss.

A loss is named by a spec string, a ``+``-sum of optionally weighted terms: ``"l1"``, ``"l2"``, ``"ms_l1"``,
``"1*vgg+5e-3*gan"`` (PCARN Eq. 7 with the official ``gamma_vgg = 1``, ``gamma_gan = 5e-3``).

* ``l1`` / ``l2``: mean absolute / squared error (EDSR, CARN, ASDN, s-LWSR: L1).
* ``ms_l1``: OverNet Eq. 9, ``Σ_s |Î_s − bicubic↓(HR, s)|`` over the loss scales s of ``ms_scales`` that are
  ≤ the batch scale r, plus r itself (whose target is the HR patch). Î_s is, for a model with ``forward_multi``
  (OverNet, Algorithm 1: every scale reconstructed from one overscaled map), the model's own output at s
  (:class:`MultiScaleOutputs`); for any other model, its output at r bicubic-downscaled by s/r. Targets are the
  HR patch downscaled the same way. The resizes are ``torch.nn.functional.interpolate(mode="bicubic",
  antialias=True)``: differentiable, close to but not bit-equal with MATLAB's imresize (borders).
* ``vgg``: PCARN Eq. 5, MSE between VGG-19 features of SR and HR. As in the official ``utils.VGGLoss``
  (``features[:35]``): the output of conv5_4 *before* its ReLU (the paper's text says "ReLU output, i = j = 5"),
  images fed in [0, 1] without ImageNet mean/std normalisation, mean over all elements. The ImageNet weights
  are torchvision's ``vgg19-dcbb9e9d.pth``, read from ``<data_root>/weights/``: without it the loss refuses to
  be built (:class:`MissingWeightsError`) — it never trains against a random VGG.
* ``vgg16``: a labelled **stand-in** for ``vgg`` where VGG-19 is not available: the same loss on ImageNet VGG-16
  (torchvision ``vgg16-397923af.pth``, or the data mirror's float16 copy of its conv layers,
  ``weights/imagenet/vgg16_features_fp16.npz``), at the same place — conv5_3 before its ReLU (``features[:29]``),
  VGG-16's last conv before the fifth pool, as conv5_4 is VGG-19's. It is not the paper's loss: rows trained
  with it say so (the loss string is part of every row).
* ``gan``: PCARN Eq. 4 (generator side: ``−log D(G(x))``, BCE against "real") summed over the discriminators of
  Eq. 6 (``pcarn_discriminator(n_scales=1 or 3)``). The discriminator's own loss is :func:`discriminator_loss`.
"""
from __future__ import annotations

from pathlib import Path

import torch
import torch.nn as nn
import torch.nn.functional as F

from .config import LOSS_TERMS, VGG_TERMS, parse_loss  # noqa: F401 (parse_loss: srrepro.losses' API)
from .weights import MissingWeightsError, _sha256  # one missing-weights class: the engine makes it a "not run" row

VGG19_FILE = "vgg19-dcbb9e9d.pth"
VGG19_URL = "https://download.pytorch.org/models/vgg19-dcbb9e9d.pth"
VGG19_SIZE = "548 MB"
VGG16_FILES = ("weights/imagenet/vgg16_features_fp16.npz", "weights/imagenet/vgg16-397923af.pth")
VGG16_URL = "https://download.pytorch.org/models/vgg16-397923af.pth"
VGG16_NPZ_SHA256 = "961b185e7f1c071d51a3dc41f13aa4614f6f9f40a172f2597a3e462d82479dd7"
TERMS = LOSS_TERMS


def bicubic_resize(x: torch.Tensor, size: tuple[int, int]) -> torch.Tensor:
    """Differentiable antialiased bicubic resize (the "bank of bicubic interpolators" of OverNet §3.3)."""
    return F.interpolate(x, size=size, mode="bicubic", align_corners=False, antialias=True)


def loss_scales(scale: float, ms_scales) -> list[float]:
    """The scales of Eq. 9 for a batch at ``scale``: those of ``ms_scales`` not above it, and ``scale`` itself."""
    return sorted({s for s in ms_scales if s < scale - 1e-9} | {scale})


def multiscale_l1(sr, hr: torch.Tensor, scale: float, ms_scales) -> torch.Tensor:
    """OverNet Eq. 9 for a batch super-resolved by ``scale``. ``sr``: the output at ``scale`` (downscaled here
    for the lower loss scales), or a dict ``{s: output at s}`` from :class:`MultiScaleOutputs`."""
    h, w = hr.shape[-2:]
    total = hr.new_zeros((), dtype=torch.float32)
    for s in loss_scales(scale, ms_scales):
        if isinstance(sr, dict):
            out = sr[s].float()
        elif s == scale:
            out = sr.float()
        else:
            out = bicubic_resize(sr.float(), (max(1, round(h * s / scale)), max(1, round(w * s / scale))))
        target = hr.float() if s == scale else bicubic_resize(hr.float(), tuple(out.shape[-2:]))
        total = total + F.l1_loss(out, target)
    return total


class MultiScaleOutputs(nn.Module):
    """``forward(x, scale) -> {s: model output at s}`` for the loss scales of a batch at ``scale``, from the model's
    ``forward_multi`` (OverNet Algorithm 1): one feature pass, one reconstruction per scale. A module of its own
    so DistributedDataParallel / torch.compile wrap the call that is actually trained."""

    def __init__(self, model: nn.Module, ms_scales):
        super().__init__()
        self.model, self.ms_scales = model, tuple(ms_scales)

    def forward(self, x: torch.Tensor, scale: float) -> dict:
        scales = loss_scales(scale, self.ms_scales)
        return dict(zip(scales, self.model.forward_multi(x, scales)))


# VGG "features" (torchvision layout, so the official state_dict keys features.<i>.* load unchanged).
_VGG_CFG = {
    "vgg19": [64, 64, "M", 128, 128, "M", 256, 256, 256, 256, "M", 512, 512, 512, 512, "M", 512, 512, 512, 512, "M"],
    "vgg16": [64, 64, "M", 128, 128, "M", 256, 256, 256, "M", 512, 512, 512, "M", 512, 512, 512, "M"],
}


def vgg19_features(last: int = 34) -> nn.Sequential:
    return vgg_features("vgg19", last)


def vgg_features(net: str, last: int) -> nn.Sequential:
    layers: list[nn.Module] = []
    cin = 3
    for v in _VGG_CFG[net]:
        if v == "M":
            layers.append(nn.MaxPool2d(2, 2))
        else:
            layers += [nn.Conv2d(cin, v, 3, padding=1), nn.ReLU(inplace=True)]
            cin = v
    return nn.Sequential(*layers[: last + 1])


def vgg19_weights_path(data_root=None) -> Path:
    from .data import DataRootError, data_root as _root

    try:
        root = _root(data_root)
    except DataRootError:
        root = Path(data_root) if data_root else Path("<data_root>")
    return root / "weights" / VGG19_FILE


def _check_prefix(path: Path, prefix: str, url: str) -> None:
    """torchvision names its files by the first 8 hex digits of their sha256 (torch.hub's check)."""
    digest = _sha256(path)
    if not digest.startswith(prefix):
        raise MissingWeightsError(f"{path} is not torchvision's {Path(url).name} (sha256 {digest[:8]}…); "
                                  f"re-download it from {url}")


def _features_of(state: dict) -> dict:
    return {k[len("features."):]: v for k, v in state.items() if k.startswith("features.")}


def _vgg19_state(weights, data_root, check_hash: bool) -> dict:
    path = Path(weights) if weights else vgg19_weights_path(data_root)
    if not path.is_file():
        raise MissingWeightsError(
            f"the VGG loss needs the ImageNet VGG-19 weights {VGG19_FILE} ({VGG19_SIZE}, torchvision's "
            f"VGG19_Weights.IMAGENET1K_V1) at {path}: `srrepro download vgg19` fetches {VGG19_URL}")
    if check_hash:
        _check_prefix(path, "dcbb9e9d", VGG19_URL)
    return _features_of(torch.load(path, map_location="cpu", weights_only=True))


def _vgg16_state(weights, data_root, check_hash: bool) -> dict:
    """VGG-16 conv layers: torchvision's ``vgg16-397923af.pth`` or the mirror's float16 npz (exact sha256)."""
    import numpy as np

    root = vgg19_weights_path(data_root).parent.parent
    candidates = [Path(weights)] if weights else [root / f for f in VGG16_FILES]
    path = next((p for p in candidates if p.is_file()), None)
    if path is None:
        raise MissingWeightsError(
            f"the VGG-16 stand-in loss needs ImageNet VGG-16 weights at {candidates[-1]} (torchvision's "
            f"vgg16-397923af.pth, 528 MB: download {VGG16_URL}) or the data mirror's {VGG16_FILES[0]}")
    if path.suffix == ".npz":
        if check_hash and _sha256(path) != VGG16_NPZ_SHA256:
            raise MissingWeightsError(f"{path} is not the mirror's {Path(VGG16_FILES[0]).name} (sha256 differs)")
        with np.load(path) as z:  # float16 on disk: the loss runs in float32
            return _features_of({k: torch.from_numpy(z[k].astype(np.float32)) for k in z.files})
    if check_hash:
        _check_prefix(path, "397923af", VGG16_URL)
    return _features_of(torch.load(path, map_location="cpu", weights_only=True))


class VGGLoss(nn.Module):
    """PCARN Eq. 5 (official ``VGGLoss(feature=34)``): MSE of VGG-19 ``features[:35]`` of SR and HR; with
    ``term="vgg16"`` the VGG-16 stand-in (``features[:29]``, see the module doc).

    ``weights``: path of the weights file; default ``<data_root>/weights/vgg19-dcbb9e9d.pth`` (VGG-19) or the
    first of ``VGG16_FILES`` present (VGG-16). ``random_init=True`` skips the weights (only for timing, e.g.
    :func:`srrepro.train.estimate_seconds`); ``check_hash=False`` skips the sha256 check of the file (tests).
    """

    def __init__(self, weights=None, data_root=None, random_init: bool = False, check_hash: bool = True,
                 term: str = "vgg"):
        super().__init__()
        net, last = VGG_TERMS[term]
        self.term = term
        self.features = vgg_features(net, last)
        if not random_init:
            feats = _vgg19_state(weights, data_root, check_hash) if net == "vgg19" else \
                _vgg16_state(weights, data_root, check_hash)
            self.features.load_state_dict({k: v for k, v in feats.items() if int(k.split(".")[0]) <= last})
        for p in self.features.parameters():
            p.requires_grad = False
        self.features.eval()

    def train(self, mode: bool = True):  # the feature net stays in eval mode
        return self

    def forward(self, sr: torch.Tensor, hr: torch.Tensor) -> torch.Tensor:
        return F.mse_loss(self.features(sr).float(), self.features(hr).float())


def bce(prob_or_logit: torch.Tensor, real: bool, logits: bool = False) -> torch.Tensor:
    """``nn.BCELoss`` (the official code's) against an all-real or all-fake target, in float32 with autocast off
    (``F.binary_cross_entropy`` refuses autocast). PyTorch's own kernel, not its formula written out: its backward
    bounds the gradient (``(x − y) / max(x(1 − x), 1e-12)``) where the written-out ``−1/x`` overflows float32 once the
    discriminator's probability underflows (a PCARN GAN run diverged so at its second step)."""
    x = prob_or_logit.float()
    target = torch.ones_like(x) if real else torch.zeros_like(x)
    if logits:
        return F.binary_cross_entropy_with_logits(x, target)
    with torch.autocast(device_type=x.device.type, enabled=False):
        return F.binary_cross_entropy(x, target)


def generator_gan_loss(d_outputs, logits: bool = False) -> torch.Tensor:
    """Eq. 4/6, generator side: ``Σ_i BCE(D_i(F_i(SR)), real)`` (official ``loss_gan(D_fake, is_real=True)``)."""
    return sum(bce(o, True, logits) for o in d_outputs)


class DiscriminatorLoss(nn.Module):
    """Wraps the discriminator so one ``forward(hr, sr)`` returns its whole loss (real and fake passes, as the
    official ``solver_gan.py``: separate batches, so BatchNorm sees each alone). One forward per backward keeps
    DistributedDataParallel happy."""

    def __init__(self, discriminator: nn.Module, logits: bool = False):
        super().__init__()
        self.discriminator, self.logits = discriminator, logits

    def forward(self, hr: torch.Tensor, sr: torch.Tensor) -> torch.Tensor:
        real = sum(bce(o, True, self.logits) for o in self.discriminator(hr))
        fake = sum(bce(o, False, self.logits) for o in self.discriminator(sr))
        return real + fake
