"""Registry of official pretrained weights, and a strict, checksummed loader.

``load_official("carn_m")`` reads ``<data root>/weights/official/carn_m.pth`` (data root: ``root`` argument, else
``$SRREPRO_DATA``, else ``./data``), checks its sha256, unpickles it with ``torch.load(weights_only=True)`` (the
released files are legacy, pre-zip torch pickles of a plain ``OrderedDict`` of tensors, which the restricted
unpickler reads; nothing else is ever unpickled), applies the entry's key mapping and loads it into the model built
from the entry's ``model`` and ``kwargs`` with ``strict=True``.

Key mapping: the official checkpoints are the generators' ``state_dict()`` (no ``module.`` prefix), and the
re-implementation in :mod:`srrepro.models.carn` uses the official key names, so the mapping is the identity. It
only unwraps ``{"state_dict"|"model_state_dict": ...}`` containers and strips a DataParallel ``module.`` prefix if a
user-supplied file has one. PCARN-M files hold each shared EResidual block three times (``b{i}.b1.*``, ``b{i}.b2.*``,
``b{i}.b3.*``, one storage): the model registers the shared module under those three names, so the duplicates are
*expected* keys (checked by strict loading), not dropped.

Every failure is a one-line exception (subclasses of :class:`WeightsError`) that says what is wrong and what to do.
"""
from __future__ import annotations

import hashlib
import os
import pickle
from dataclasses import dataclass, field
from pathlib import Path

import torch
import torch.nn as nn

from .errors import SrreproError, WeightsError

__all__ = [
    "OFFICIAL_WEIGHTS", "OfficialWeights", "WeightsError", "UnknownWeightsError", "MissingWeightsError",
    "WeightsChecksumError", "CheckpointMismatchError", "CheckpointFormatError", "list_weights", "weights_path",
    "load_official", "load_state_dict_strict", "read_state_dict", "download_weights",
]


class UnknownWeightsError(WeightsError, KeyError):
    def __str__(self) -> str:  # KeyError would quote the message
        return self.args[0]


class MissingWeightsError(WeightsError, FileNotFoundError):
    pass


class WeightsChecksumError(WeightsError):
    pass


class CheckpointFormatError(WeightsError):
    pass


class CheckpointMismatchError(WeightsError):
    pass


@dataclass(frozen=True)
class OfficialWeights:
    name: str  # registry name = local file stem
    model: str  # srrepro.models name
    kwargs: dict
    file: str  # file name under <data root>/weights/official/
    url: str  # public download URL
    source: str  # "owner/repo@commit path" (provenance, as in the data manifest)
    sha256: str | None
    size: int | None  # bytes
    description: str
    in_mirror: bool = False  # present in the project's local data mirror
    notes: str = field(default="")
    sha256_prefix: str | None = None  # where only a prefix is published (EDSR-PyTorch's file names carry one)


_CARN_REPO, _CARN_COMMIT = "nmhkahn/CARN-pytorch", "40d3514f"
_PCARN_REPO, _PCARN_COMMIT = "nmhkahn/PCARN-pytorch", "dde2b7c6"
_SLWSR_REPO, _SLWSR_COMMIT = "Sudo-Biao/s-LWSR", "789ed425"
# Abbreviated commits as recorded in the data manifest (the full SHAs could not be resolved offline); the index of
# public repositories holds carn_m.pth at 77badff6bbb7ce9f5473eec4bd133a2891fd1827 and PCARN-M.pth at
# 5d5bc7f1bbfba43db589c6355ab86eeb912f010f. github.com/<repo>/raw/<commit>/<path> resolves abbreviated commits.
# The sha256 check guards against any drift.


def _url(repo: str, commit: str, path: str) -> str:
    return f"https://github.com/{repo}/raw/{commit}/{path}"


# EDSR-PyTorch's released weights (src/model/edsr.py, mdsr.py): the file name ends in the first 8 hex digits of the
# file's sha256 (torch.hub's check_hash convention). Their host has been down since 2024 (EDSR-PyTorch #362, #363):
# not in the data mirror, so every row that needs them says "not run".
_EDSR_HOST = "https://cv.snu.ac.kr/research/EDSR/models"


def _edsr(name: str, model: str, kwargs: dict, stem: str, what: str) -> "OfficialWeights":
    prefix = stem.rsplit("-", 1)[1]
    return OfficialWeights(name, model, kwargs, f"{stem}.pt", f"{_EDSR_HOST}/{stem}.pt",
                           f"sanghyun-son/EDSR-PyTorch src/model/{model.split('_')[0]}.py url", None, None, what,
                           sha256_prefix=prefix)


# All released CARN/PCARN checkpoints are multi-scale (×2/×3/×4 up-samplers in one file) and were produced by the
# official code, whose cascade concatenates the unfused unit outputs (``cascade="official"``, see models/carn.py).
_MS = dict(multi_scale=True, cascade="official")

OFFICIAL_WEIGHTS: dict[str, OfficialWeights] = {
    w.name: w
    for w in [
        OfficialWeights(
            "carn_m", "carn_m", {**_MS, "group": 4}, "carn_m.pth",
            _url(_CARN_REPO, _CARN_COMMIT, "checkpoint/carn_m.pth"),
            f"{_CARN_REPO}@{_CARN_COMMIT} checkpoint/carn_m.pth",
            "d48a759a84509351facb6b7c6d5bd6edec98b98519b8c464ee4ab44d2ba964ff", 1_670_695,
            "CARN-M (group 4, recursive), L1, DIV2K; ECCV 2018 paper model", in_mirror=True,
        ),
        OfficialWeights(
            "carn", "carn", dict(_MS), "carn.pth",
            _url(_CARN_REPO, _CARN_COMMIT, "checkpoint/carn.pth"),
            f"{_CARN_REPO}@{_CARN_COMMIT} checkpoint/carn.pth",
            None, None, "CARN, L1, DIV2K; ECCV 2018 paper model (about 6.4 MB)",
        ),
        OfficialWeights(
            "pcarn_m_l1", "pcarn_m", {**_MS, "group": 4}, "pcarn_m_l1.pth",
            _url(_PCARN_REPO, _PCARN_COMMIT, "checkpoints/PCARN-M-L1.pth"),
            f"{_PCARN_REPO}@{_PCARN_COMMIT} checkpoints/PCARN-M-L1.pth",
            "50a018566eb28fbf966e0e4d43b513fa90b7242932afd9dddbc0be69d9df6ec9", 1_674_475,
            "PCARN-M (G4R) trained with L1 only: the 'PCARN-M (L1)' model, use it for PSNR/SSIM", in_mirror=True,
        ),
        OfficialWeights(
            "pcarn_m", "pcarn_m", {**_MS, "group": 4}, "pcarn_m.pth",
            _url(_PCARN_REPO, _PCARN_COMMIT, "checkpoints/PCARN-M.pth"),
            f"{_PCARN_REPO}@{_PCARN_COMMIT} checkpoints/PCARN-M.pth",
            "a7e328d6c87991ec81540d6b0b15723714443d0c276bec0e864aae441ef16a24", 1_674_479,
            "PCARN-M after GAN + VGG fine-tuning (perceptual model of Tables 4–6)", in_mirror=True,
        ),
        OfficialWeights(
            "pcarn_l1", "pcarn", dict(_MS), "pcarn_l1.pth",
            _url(_PCARN_REPO, _PCARN_COMMIT, "checkpoints/PCARN-L1.pth"),
            f"{_PCARN_REPO}@{_PCARN_COMMIT} checkpoints/PCARN-L1.pth",
            None, None, "PCARN trained with L1 only (about 6.4 MB)",
        ),
        OfficialWeights(
            "pcarn", "pcarn", dict(_MS), "pcarn.pth",
            _url(_PCARN_REPO, _PCARN_COMMIT, "checkpoints/PCARN.pth"),
            f"{_PCARN_REPO}@{_PCARN_COMMIT} checkpoints/PCARN.pth",
            None, None, "PCARN after GAN + VGG fine-tuning (about 6.4 MB)",
        ),
        OfficialWeights(
            "slwsr32_x4_epoch1", "slwsr", dict(n_feats=32, scale=4, official=True), "slwsr32_x4_epoch1.pt",
            _url(_SLWSR_REPO, _SLWSR_COMMIT, "Train/experiment/s-LWSR_BIX4_P48/model/model_best.pt"),
            f"{_SLWSR_REPO}@{_SLWSR_COMMIT} Train/experiment/s-LWSR_BIX4_P48/model/model_best.pt",
            "bbee3a005429524322e4aa32885a9af8f99cdc92613e58872af455acd76d872c", 2_309_785,
            "s-LWSR32 ×4 after 1 epoch (1,000 iterations) of a debug run: the one checkpoint the s-LWSR repository "
            "ships, NOT the paper's model (its log: 31.179 dB on DIV2K 0801–0805)", in_mirror=True,
        ),
        _edsr("edsr_baseline_x2", "edsr_baseline", dict(scale=2), "edsr_baseline_x2-1bc95232",
              "EDSR baseline (16 × 64) ×2, L1, DIV2K (about 5.5 MB)"),
        _edsr("edsr_baseline_x3", "edsr_baseline", dict(scale=3), "edsr_baseline_x3-abf2a44e",
              "EDSR baseline (16 × 64) ×3"),
        _edsr("edsr_baseline_x4", "edsr_baseline", dict(scale=4), "edsr_baseline_x4-6b446fab",
              "EDSR baseline (16 × 64) ×4"),
        _edsr("edsr_x2", "edsr", dict(scale=2), "edsr_x2-0edfb8a3", "EDSR (32 × 256, residual scaling 0.1) ×2, "
              "the paper's model (about 163 MB)"),
        _edsr("edsr_x3", "edsr", dict(scale=3), "edsr_x3-ea3ef2c6", "EDSR ×3 (trained from the ×2 model)"),
        _edsr("edsr_x4", "edsr", dict(scale=4), "edsr_x4-4f62e9ef", "EDSR ×4 (trained from the ×2 model)"),
        _edsr("mdsr_baseline", "mdsr_baseline", {}, "mdsr_baseline-a00cab12", "MDSR baseline (×2/×3/×4 in one)"),
        _edsr("mdsr", "mdsr", {}, "mdsr-4a78bedf", "MDSR (80 blocks × 64, ×2/×3/×4 in one), the paper's model"),
    ]
}


def list_weights() -> list[str]:
    return sorted(OFFICIAL_WEIGHTS)


def _entry(name: str) -> OfficialWeights:
    if name not in OFFICIAL_WEIGHTS:
        raise UnknownWeightsError(f"unknown official weights {name!r}; valid names: {', '.join(list_weights())}")
    return OFFICIAL_WEIGHTS[name]


def _root(root) -> Path:
    """The data root without requiring it to exist (a missing root is reported as a missing weights file)."""
    try:
        from .data import data_root
    except ImportError:  # pragma: no cover - data.py is written alongside this module
        if root is not None:
            return Path(root).expanduser()
        return Path(os.environ.get("SRREPRO_DATA") or "data").expanduser()
    return data_root(root, must_exist=False)


def weights_path(name: str, root: str | os.PathLike | None = None) -> Path:
    """Where ``name`` is expected: ``<data root>/weights/official/<file>``."""
    return _root(root) / "weights" / "official" / _entry(name).file


def _size(n: int | None) -> str:
    return f"{n:,} bytes" if n else "size unknown"


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def read_state_dict(path: str | os.PathLike) -> dict[str, torch.Tensor]:
    """Unpickle a checkpoint safely (``weights_only=True``) and return a flat ``{key: tensor}`` dict."""
    path = Path(path)
    try:
        obj = torch.load(path, map_location="cpu", weights_only=True)
    except (pickle.UnpicklingError, RuntimeError, EOFError, ValueError) as e:
        first = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        raise CheckpointFormatError(
            f"{path} is not a readable tensor checkpoint ({type(e).__name__}: {first}); only plain state_dicts are "
            f"loaded (weights_only=True), re-download the file"
        ) from None
    for wrapper in ("state_dict", "model_state_dict", "model"):
        if isinstance(obj, dict) and wrapper in obj and isinstance(obj[wrapper], dict):
            obj = obj[wrapper]
            break
    if not isinstance(obj, dict) or not all(isinstance(v, torch.Tensor) for v in obj.values()):
        raise CheckpointFormatError(f"{path} does not hold a state_dict of tensors (got {type(obj).__name__})")
    return dict(obj)


def _map_keys(state_dict: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    """The documented key mapping: identity, except a DataParallel ``module.`` prefix is stripped."""
    if state_dict and all(k.startswith("module.") for k in state_dict):
        return {k[len("module."):]: v for k, v in state_dict.items()}
    return state_dict


def load_state_dict_strict(model: nn.Module, state_dict: dict[str, torch.Tensor], what: str = "checkpoint") -> None:
    """``model.load_state_dict(state_dict, strict=True)`` with a one-line error naming the first bad key."""
    expected = model.state_dict()
    missing = [k for k in expected if k not in state_dict]
    unexpected = [k for k in state_dict if k not in expected]
    shape_bad = [k for k in expected if k in state_dict and tuple(state_dict[k].shape) != tuple(expected[k].shape)]
    if missing or unexpected or shape_bad:
        parts = []
        if shape_bad:
            k = shape_bad[0]
            parts.append(f"key {k!r} has shape {tuple(state_dict[k].shape)} in the file but "
                         f"{tuple(expected[k].shape)} in the model ({len(shape_bad)} shape mismatch(es))")
        if missing:
            parts.append(f"first missing key {missing[0]!r} (model expects shape {tuple(expected[missing[0]].shape)}; "
                         f"{len(missing)} missing)")
        if unexpected:
            parts.append(f"first unexpected key {unexpected[0]!r} (shape {tuple(state_dict[unexpected[0]].shape)}; "
                         f"{len(unexpected)} unexpected)")
        raise CheckpointMismatchError(f"{what} does not fit {type(model).__name__}: " + "; ".join(parts))
    model.load_state_dict(state_dict, strict=True)


def load_official(name: str, root: str | os.PathLike | None = None, device: str | torch.device = "cpu",
                  verify: bool = True) -> nn.Module:
    """Build the model of official checkpoint ``name``, load the weights strictly, return it in eval mode."""
    from .models import create_model

    w = _entry(name)
    path = weights_path(name, root)
    if not path.is_file():
        how = ("`srrepro download weights` (data root from --data / $SRREPRO_DATA)" if w.in_mirror
               else f"`srrepro.weights.download_weights([{name!r}])`")
        raise MissingWeightsError(
            f"official weights {name!r} not found: looked for {path.resolve()}; fetch {w.url} ({_size(w.size)}) "
            f"with {how} or place the file there yourself"
        )
    if verify and w.sha256 is None and w.sha256_prefix is not None:
        got = _sha256(path)
        if not got.startswith(w.sha256_prefix):
            raise WeightsChecksumError(f"{path} has sha256 {got[:16]}…, which does not start with {w.sha256_prefix} "
                                       f"(the prefix its name carries): re-download it from {w.url}")
    if verify and w.sha256 is not None:
        got = _sha256(path)
        if got != w.sha256:
            raise WeightsChecksumError(
                f"{path} has sha256 {got[:16]}… ({path.stat().st_size:,} bytes), expected {w.sha256[:16]}… "
                f"({_size(w.size)}): the file is corrupt or a different release; re-download it from {w.url}"
            )
    state_dict = _map_keys(read_state_dict(path))
    model = create_model(w.model, **w.kwargs)
    load_state_dict_strict(model, state_dict, what=str(path))
    return model.to(device).eval()


def download_weights(names=None, root: str | os.PathLike | None = None, progress: bool = True) -> list[Path]:
    """Fetch official weights into ``<data root>/weights/official`` (all registry entries by default)."""
    from .data import fetch

    out = []
    for name in names or list_weights():
        w = _entry(name)
        dest = weights_path(name, root)
        if dest.is_file() and (_sha256(dest) == w.sha256 if w.sha256 else
                               _sha256(dest).startswith(w.sha256_prefix or "")):
            out.append(dest)
            continue
        out.append(fetch(w.url, dest, sha256=w.sha256, size=w.size, progress=progress, sha256_prefix=w.sha256_prefix))
    return out
