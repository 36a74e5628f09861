"""Overrides: change any knob of a table's run from its notebook — its grid, or the training config of its models.

``overrides`` (a notebook parameter, ``reproduce(..., overrides=...)``, ``srrepro reproduce --set KEY=JSON``) is a
dict whose keys are, each:

* a key of the table's **grid** at the profile (``scales``, ``limits``, ``datasets``, ``seeds``, … whatever the spec
  declares there): the value replaces the grid's, and must have its type (a list for a tuple, a dict for a dict,
  a number for a number);
* a **TrainConfig field** not named in the grid (``loss``, ``lr``, ``lr_milestones``, ``iterations``, ``train_dataset``, ``lr_patch``,
  ``batch_size``, ``scale_range``, ``init``, ``grad_clip``, …): set on every model the table trains;
  ``model_kwargs`` is merged into each model's keyword arguments (a model size: ``{"n_feats": 16}``);
* a **recipe family** (``pcarn_gan``, ``overnet``, …; :data:`srrepro.recipes` names them) mapping to such fields:
  set on that family's models only — PCARN's stage-2 GAN loss without touching its stage-1 L1 model:
  ``{"pcarn_gan": {"loss": "1*vgg+1e-2*gan"}}``; also the way to a training field whose name the grid uses
  (``scales``: the grid's test scales, ``{"overnet": {"scales": [2, 3]}}``: OverNet's training scales).

Bookkeeping fields (device, logging, checkpoints, the seed, the data root) are not overrides: they change no
result or have their own knob. A key that is none of these, a value of the wrong type, a model keyword the model
does not take, or an override that no model of the table receives, is refused in one line before anything runs.
An overridden run is a tweaked run: it writes ``results/custom/<id>/<profile>-<hash>.csv`` (the hash covers the
overrides) and never the profile's CSV; its models are cached by their config's hash like any other.
"""
from __future__ import annotations

import dataclasses
import json

from .errors import SrreproError

NOT_OVERRIDABLE = {"seed", "log_every", "validate_every", "checkpoint_every", "snapshots", "data_root", "device",
                   "amp", "channels_last", "compile", "num_workers", "pretrained", "pretrained_strict"}


class OverrideError(SrreproError, ValueError):
    pass


def train_fields() -> dict:
    """TrainConfig's overridable fields → their defaults."""
    from .train import TrainConfig

    return {f.name: (f.default if f.default is not dataclasses.MISSING else f.default_factory())
            for f in dataclasses.fields(TrainConfig) if f.name not in NOT_OVERRIDABLE}


def families() -> set[str]:
    from .recipes import PAPER_RECIPES, SIZES

    return set(PAPER_RECIPES) | set(SIZES)


def _same_type(value, like) -> bool:
    if isinstance(like, bool):
        return isinstance(value, bool)
    if isinstance(like, (int, float)) and not isinstance(like, bool):
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if isinstance(like, (tuple, list)):
        return isinstance(value, (tuple, list))
    if isinstance(like, dict):
        return isinstance(value, dict)
    if isinstance(like, str):
        return isinstance(value, str)
    return True  # None-valued defaults (grad_clip, scale_range): checked by TrainConfig itself


def _plain(value):
    return tuple(_plain(v) for v in value) if isinstance(value, list) else value


def _check_train(fields: dict, where: str) -> dict:
    known = train_fields()
    out = {}
    for key, value in fields.items():
        if key not in known:
            raise OverrideError(f"overrides: {key!r}{where} is not a training field; fields: {', '.join(sorted(known))}")
        if not _same_type(value, known[key]):
            raise OverrideError(f"overrides: {key}{where} must be like {known[key]!r} "
                                f"({type(known[key]).__name__}), not {value!r}")
        out[key] = {k: _plain(v) for k, v in value.items()} if key == "model_kwargs" else _plain(value)
    try:  # TrainConfig's own checks (a loss it cannot parse, a negative lr, …), on the fields alone
        from .train import TrainConfig

        TrainConfig(**{k: v for k, v in out.items() if k != "model_kwargs"})
    except (TypeError, ValueError) as e:
        raise OverrideError(f"overrides{where}: {e}") from None
    return out


def check(spec, profile: str, overrides) -> dict:
    """``overrides`` validated and split: ``{"grid": {...}, "train": {...}, "family": {family: {...}}}``; ``{}``
    for none. Raises :class:`OverrideError` (one line) on anything it cannot apply."""
    if overrides is None or overrides == {}:
        return {}
    if not isinstance(overrides, dict):
        raise OverrideError(f"overrides must be a dict, e.g. {{\"lr\": 5e-4}}, not {overrides!r}")
    grid = dict(spec.grid.get(profile, {}))
    out = {"grid": {}, "train": {}, "family": {}}
    fams, fields = families(), train_fields()
    for key, value in overrides.items():
        if key in grid:  # the table's own knob wins; a training field of that name is reached through a family
            if not _same_type(value, grid[key]):
                raise OverrideError(f"overrides: {spec.id}'s grid key {key} at {profile} is like {grid[key]!r}, "
                                    f"not {value!r}")
            out["grid"][key] = _plain(value)
        elif key in fields:
            out["train"].update(_check_train({key: value}, ""))
        elif key in fams:
            if not isinstance(value, dict):
                raise OverrideError(f"overrides: {key} (a recipe family) takes a dict of training fields, not {value!r}")
            out["family"][key] = _check_train(value, f" (family {key})")
        else:
            raise OverrideError(
                f"overrides: {key!r} is not a key of {spec.id}'s grid at {profile} "
                f"({', '.join(sorted(grid)) or 'it has none'}), a training field (e.g. loss, lr, model_kwargs, "
                f"iterations) or a recipe family ({', '.join(sorted(fams))})")
    return {k: v for k, v in out.items() if v}


def text(overrides: dict) -> str:
    """A canonical one-line form (for the tweak's name and hash)."""
    return json.dumps(overrides, sort_keys=True, default=list, separators=(",", ":"))


def apply(ctx, family: str, fields: dict) -> dict:
    """``fields`` of a TrainConfig being made for ``family`` with the run's overrides applied (and noted on
    ``ctx.overrides_applied``, so a table none of whose models takes an override is refused)."""
    ov = getattr(ctx, "overrides", None) or {}
    if not ov:
        return fields
    out = dict(fields)
    for scope, changes in (("*", ov.get("train", {})), (family, ov.get("family", {}).get(family, {}))):
        for key, value in changes.items():
            out[key] = {**out.get("model_kwargs", {}), **value} if key == "model_kwargs" else value
            ctx.overrides_applied.add(key if scope == "*" else f"{family}.{key}")
    return out


def unapplied(ctx) -> list[str]:
    """The training overrides that no model of the table received."""
    ov = getattr(ctx, "overrides", None) or {}
    wanted = set(ov.get("train", {})) | {f"{fam}.{k}" for fam, ch in ov.get("family", {}).items() for k in ch}
    return sorted(wanted - ctx.overrides_applied)
