"""Model zoo: a registry in the style of timm.

Every model family lives in its own module and registers constructors with ``@register_model``.
``create_model("carn_m", scale=4)`` builds one; ``list_models()`` names them all.

Conventions shared by every model (so the training and evaluation loops need no special cases):

* input: float tensor ``N×3×h×w``, RGB in ``[0, 1]``; output: ``N×3×H×W`` in (roughly) ``[0, 1]``.
  Families whose official code works in ``[0, 255]`` (EDSR, MDSR, s-LWSR) rescale inside ``forward``.
* ``forward(x, scale)``: every model takes the scale. Single-scale models check it against the one they were
  built for; multi-scale models (CARN, PCARN, MDSR) pick their up-sampler; arbitrary-scale models
  (OverNet, Meta-RDN, ASDN) accept any float scale >= 1.
* attribute ``scales``: tuple of supported integer scales, or ``None`` for arbitrary (float) scales.
"""
from __future__ import annotations

import importlib
import pkgutil
from typing import TYPE_CHECKING, Callable

if TYPE_CHECKING:  # the registry is read without torch; a model module imports it
    import torch.nn as nn

from ..errors import SrreproError

_REGISTRY: dict[str, Callable[..., nn.Module]] = {}


def _families() -> list[str]:
    """Every module of this package: one file per family, found (not listed), imported lazily by create_model /
    list_models. A new family is one new file."""
    return [m.name for m in pkgutil.iter_modules(__path__) if not m.ispkg]


class UnknownModelError(SrreproError, KeyError):
    def __str__(self) -> str:  # KeyError quotes its message; we want one plain line
        return self.args[0]


def register_model(fn: Callable[..., nn.Module]) -> Callable[..., nn.Module]:
    """Decorator: register ``fn`` under its function name."""
    name = fn.__name__
    if name in _REGISTRY and _REGISTRY[name] is not fn:
        raise ValueError(f"model {name!r} registered twice")
    _REGISTRY[name] = fn
    return fn


def _import_families() -> None:
    for family in _families():
        importlib.import_module(f"{__name__}.{family}")


def list_models() -> list[str]:
    _import_families()
    return sorted(_REGISTRY)


def create_model(name: str, **options) -> nn.Module:
    """Build model ``name`` with family-specific ``options`` (e.g. ``scale=4``, ``n_feats=32``)."""
    _import_families()
    if name not in _REGISTRY:
        raise UnknownModelError(f"unknown model {name!r}; valid models: {', '.join(sorted(_REGISTRY))}")
    return _REGISTRY[name](**options)


def count_params(model: nn.Module) -> int:
    """Distinct trainable-or-not parameters (a module shared under several names counts once)."""
    return sum(p.numel() for p in model.parameters())


def params_of(name: str, **options) -> int:
    """Exact parameter count of ``create_model(name, **options)``, built on the meta device (no memory, no init)."""
    import torch

    with torch.device("meta"):
        return count_params(create_model(name, **options))
