"""LPIPS (Zhang et al., CVPR 2018), the full-reference perceptual distance PCARN §4 reports: AlexNet trunk, linear
layers v0.1, computed by the reference implementation (the ``lpips`` package, 0.1.4) with no network at run time.

* **Network.** ``lpips.LPIPS(net="alex", version="0.1")``: its scaling layer, AlexNet ``features`` (the five ReLU
  outputs), unit-normalised channels, squared differences, the five 1×1 "lin" layers, spatial means, summed.
* **Weights** (read from the data root, never downloaded at run time): the trunk is torchvision's ImageNet AlexNet
  ``features`` — ``weights/imagenet/alexnet_features.npz`` (the data mirror: keys ``features.{0,3,6,8,10}.*``) or
  torchvision's own ``weights/imagenet/alexnet-owt-7be5be79.pth``; the lin layers are the ones the ``lpips``
  package ships (``lpips/weights/v0.1/alex.pth``; ``weights/lpips/alex_v0.1.npz`` is the same five tensors).
  Every tensor is loaded strictly: a missing, extra or misshaped key is one clear error, nothing is left at its
  random initialisation.
* **torchvision.** ``lpips`` builds its trunk with ``torchvision.models.alexnet(pretrained=False).features``. Where
  torchvision cannot be imported (as beside the CPU torch build of the project machines) that one constructor is
  supplied here with torchvision's layer list (``_AlexNetFeatures``); the weights are the same either way.
* **Input convention.** RGB uint8 ``H×W×3`` images → ``x/127.5 − 1`` in [-1, 1] (``lpips.im2tensor``), the whole
  image unless ``border`` pixels are shaved off each side. The PCARN repository leaves open whether its LPIPS
  cells crop ``scale`` pixels; measured with the official PCARN-M at ×4, cropping them gives Set5 0.0795 / Set14
  0.1503 (PCARN Table 4: 0.080 / 0.150), the whole image 0.0818 / 0.1524. Greyscale images are replicated to three
  channels (as ``PIL``'s ``convert("RGB")``). Lower is more similar; identical images score 0.
"""
from __future__ import annotations

import contextlib
import sys
import types
from functools import lru_cache
from pathlib import Path

import numpy as np

__all__ = ["LpipsUnavailableError", "lpips_distance", "lpips_model", "LPIPS_TRUNK_FILES", "LPIPS_LIN_FILE",
           "NO_REFERENCE", "NoReferenceUnavailableError", "no_reference_missing", "no_reference_score"]

LPIPS_TRUNK_FILES = ("weights/imagenet/alexnet_features.npz", "weights/imagenet/alexnet-owt-7be5be79.pth")
LPIPS_LIN_FILE = "weights/lpips/alex_v0.1.npz"  # the mirror's copy of the package's v0.1/alex.pth
_TRUNK_SOURCE = ("torchvision's ImageNet AlexNet, https://download.pytorch.org/models/alexnet-owt-7be5be79.pth "
                 "(about 233 MB, sha256 prefix 7be5be79)")
_TRUNK_CONVS = (0, 3, 6, 8, 10)  # conv indices in AlexNet.features → lpips's slices 1…5
_LPIPS_VERSION = "0.1.4"


class LpipsUnavailableError(FileNotFoundError):
    """One line: what LPIPS lacks here (the package or a weight file) and how to get it."""


class _AlexNetFeatures:
    """``torchvision.models.alexnet().features``, layer for layer (torchvision/models/alexnet.py)."""

    def __init__(self, pretrained: bool = False, **_):
        import torch.nn as nn

        if pretrained:
            raise LpipsUnavailableError("the torchvision stand-in has no weights: they load from the data root")
        self.features = nn.Sequential(
            nn.Conv2d(3, 64, kernel_size=11, stride=4, padding=2), nn.ReLU(inplace=True),
            nn.MaxPool2d(kernel_size=3, stride=2),
            nn.Conv2d(64, 192, kernel_size=5, padding=2), nn.ReLU(inplace=True),
            nn.MaxPool2d(kernel_size=3, stride=2),
            nn.Conv2d(192, 384, kernel_size=3, padding=1), nn.ReLU(inplace=True),
            nn.Conv2d(384, 256, kernel_size=3, padding=1), nn.ReLU(inplace=True),
            nn.Conv2d(256, 256, kernel_size=3, padding=1), nn.ReLU(inplace=True),
            nn.MaxPool2d(kernel_size=3, stride=2),
        )


@contextlib.contextmanager
def _torchvision_or_stand_in():
    """Import context for ``lpips``: the real torchvision when it imports, else a module with ``models.alexnet``
    only, removed from ``sys.modules`` afterwards (lpips keeps its own reference)."""
    try:
        import torchvision  # noqa: F401
    except (ImportError, RuntimeError, AttributeError, OSError):  # absent, or built for another torch
        # (PyPI's torchvision beside the CPU torch file: RuntimeError "operator torchvision::nms does not exist")
        for name in [m for m in sys.modules if m == "torchvision" or m.startswith("torchvision.")]:
            del sys.modules[name]
    else:  # the real one (outside the try, so an error of the body is not taken for torchvision's)
        yield
        return
    tv, models = types.ModuleType("torchvision"), types.ModuleType("torchvision.models")
    models.alexnet = _AlexNetFeatures
    tv.models = models
    sys.modules["torchvision"], sys.modules["torchvision.models"] = tv, models
    try:
        yield
    finally:
        for name in ("torchvision", "torchvision.models"):
            if sys.modules.get(name) in (tv, models):
                del sys.modules[name]


def _import_lpips():
    try:
        with _torchvision_or_stand_in():
            import lpips
    except ImportError as e:
        raise LpipsUnavailableError(f"LPIPS needs the reference package: `pip install --no-deps lpips=="
                                    f"{_LPIPS_VERSION}` (make setup installs it; {e})") from None
    return lpips


def _read_tensors(path: Path) -> dict:
    import torch

    from .weights import read_state_dict

    if path.suffix == ".npz":
        with np.load(path) as d:
            return {k: torch.from_numpy(np.array(d[k], dtype=np.float32)) for k in d.files}
    return read_state_dict(path)


def _trunk_file(root) -> Path:
    from .data import data_root

    base = data_root(root, must_exist=False)
    for rel in LPIPS_TRUNK_FILES:
        if (base / rel).is_file():
            return base / rel
    looked = " or ".join(str(base / r) for r in LPIPS_TRUNK_FILES)
    raise LpipsUnavailableError(f"LPIPS needs the AlexNet trunk: no {looked}; fetch it with `srrepro download "
                                f"lpips` ({_TRUNK_SOURCE})")


@lru_cache(maxsize=2)
def _model(trunk: str):
    import torch

    from .weights import load_state_dict_strict

    lpips = _import_lpips()
    model = lpips.LPIPS(pretrained=False, net="alex", version="0.1", pnet_rand=True, verbose=False)
    lin_file = Path(lpips.__file__).parent / "weights" / "v0.1" / "alex.pth"
    state = {k: v for k, v in model.state_dict().items() if k.startswith("scaling_layer.")}  # constants
    lin = torch.load(lin_file, map_location="cpu", weights_only=True)  # lin{i}.model.1.weight
    state.update(lin)
    state.update({"lins." + k[3:]: v for k, v in lin.items() if k.startswith("lin")})  # the same modules, listed
    tensors = _read_tensors(Path(trunk))
    for slice_no, conv in enumerate(_TRUNK_CONVS, 1):
        for p in ("weight", "bias"):
            key = f"features.{conv}.{p}"
            if key not in tensors:
                raise LpipsUnavailableError(f"{trunk} has no {key}: not torchvision's AlexNet (re-fetch it with "
                                            f"`srrepro download lpips`)")
            state[f"net.slice{slice_no}.{conv}.{p}"] = tensors[key]
    load_state_dict_strict(model, state, f"LPIPS (trunk {trunk}, lin {lin_file})")
    return model.eval().requires_grad_(False)


def lpips_model(root=None):
    """The LPIPS(alex, v0.1) module with its weights from the data root (cached); ``LpipsUnavailableError`` in one
    line when the package or a weight file is missing."""
    return _model(str(_trunk_file(root)))


def _tensor(img: np.ndarray, border: int):
    import torch

    a = np.asarray(img)
    if a.dtype != np.uint8:
        raise TypeError(f"LPIPS scores uint8 images (as saved), not {a.dtype}")
    if a.ndim == 2:
        a = np.repeat(a[..., None], 3, axis=2)
    if border:
        a = a[border:-border, border:-border]
    return torch.from_numpy(np.ascontiguousarray(a.transpose(2, 0, 1))).float()[None] / 127.5 - 1


LPIPS_MIN_SIDE = 31  # conv1 (k11 s4 p2) → 7, pool (k3 s2) → 3, conv2 → 3, pool → 1


def lpips_distance(sr: np.ndarray, hr: np.ndarray, border: int = 0, root=None) -> float:
    """LPIPS between two uint8 ``H×W×3`` (or ``H×W``) images of one size, ``border`` pixels shaved off each side. A
    greyscale image is replicated to RGB, also beside an RGB one (a model's RGB answer to a grey Set14 image)."""
    import torch

    if np.shape(sr)[:2] != np.shape(hr)[:2]:
        raise ValueError(f"LPIPS compares images of one size, not {np.shape(sr)} and {np.shape(hr)}")
    side = min(np.shape(sr)[:2]) - 2 * border
    if side < LPIPS_MIN_SIDE:  # AlexNet's second max-pool would have nothing to pool
        raise ValueError(f"LPIPS (AlexNet) needs at least {LPIPS_MIN_SIDE} pixels a side after the {border}-pixel "
                         f"border crop; this image has {side}")
    model = lpips_model(root)
    with torch.inference_mode():
        return float(model(_tensor(sr, border), _tensor(hr, border)).item())


# ---------------------------------------------------------------------------------------------- Ma, PI, NIMA
# PCARN Tables 5 and 6 also report three no-reference scores. None can be computed here: their models are not in the
# data root and srrepro has no port of them tested against the reference code (so a weight file alone would not
# do). Each says so in one line instead of returning a number.
NO_REFERENCE = {
    "ma": "Ma et al. (CVIU 2017) needs its three regression forests and linear model (MATLAB .mat files from "
          "github.com/chaoma99/sr-metric); they are not in the data root and srrepro has no port of them",
    "pi": "PI = ((10 − Ma) + NIQE) / 2 (PIRM 2018) needs Ma, which is not available (NIQE is: --metrics niqe)",
    "nima": "NIMA (Talebi & Milanfar 2018) has no weights released by its authors, and PCARN names neither the "
            "implementation nor the MobileNet weights it used; srrepro has none to load",
}


class NoReferenceUnavailableError(LpipsUnavailableError):
    """A no-reference score whose model this study cannot run (one line: what is missing)."""


def no_reference_missing(metric: str, root=None) -> str | None:
    """Why ``metric`` (ma, pi, nima) cannot be computed, in one line; None if it could (never, today)."""
    if metric not in NO_REFERENCE:
        raise ValueError(f"unknown no-reference metric {metric!r}; known: {', '.join(NO_REFERENCE)}")
    return f"{metric} not available: {NO_REFERENCE[metric]}"


def no_reference_score(metric: str, img: np.ndarray, root=None) -> float:
    """Ma / PI / NIMA of ``img``: raises :class:`NoReferenceUnavailableError` with the missing piece."""
    missing = no_reference_missing(metric, root)
    if missing:
        raise NoReferenceUnavailableError(missing)
    raise AssertionError("unreachable: no no-reference model is available")  # pragma: no cover
