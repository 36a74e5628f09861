"""Checks made before a table runs: every parameter, the data root, the datasets and weights the table reads.

A run that starts on bad input either fails half-way or, worse, computes numbers that look fine (a sixth image in
Set5, a palette PNG, a JPEG named ``.png``) and replaces a committed result with them. So ``srrepro reproduce``,
``tables.reproduce`` (and through it the notebooks) and ``make reproduce`` check, before anything is built or
written:

* each parameter, with one validator per parameter (:func:`check_params`): the table id, the profile, the device
  (and that it exists on this machine), seeds / iterations / workers / threads (whole numbers ≥ 1), the keys and
  values of ``only`` (they must select cells of the grid);
* the data root (:func:`check_data_root`): it exists, is a folder, and holds at least one of the study's folders;
* every dataset the table needs at the profile (``srrepro.doctor.NEEDS``), and every optional one that is present
  (``doctor.OPTIONAL``): a set of ``srrepro/manifest.tsv`` holds exactly its images by name (nothing extra,
  nothing missing), each opens as the format its extension says, with the manifest's mode and size; a set outside
  the manifest (DIV2K, Manga109) holds its number of images, each of which opens;
* every weights file the table reads that is present: it loads (a truncated or garbage file is named). A weights
  file that is absent is not an error here: the table's rows say "not run" with what is needed, and
  ``tables.reproduce`` never lets such rows replace rows that have values.

Each problem is one line naming the file (:class:`InputError`). Pixel hashes stay in ``srrepro doctor --verify``
(slow); the checks here read each image file once (headers and PNG chunk checksums, nothing decoded: about 2 s
for all the mirror's sets) and load the weights files present.
"""
from __future__ import annotations

import math
import os
import re
from functools import lru_cache
from pathlib import Path

from . import spec as specs
from .errors import SrreproError
from .jobs import row_key

DEVICES = "auto | cpu | cuda | cuda:N | mps"
# Folders of a data root (srrepro/data.py's layout): a root holding none of them is the wrong folder.
ROOT_FOLDERS = ("benchmarks", "train", "weights", "metrics", "reference")
_IMAGE_EXTS = (".png", ".bmp", ".jpg", ".jpeg", ".tif")
_FORMAT_OF_EXT = {".png": "PNG", ".bmp": "BMP", ".jpg": "JPEG", ".jpeg": "JPEG", ".tif": "TIFF"}


class InputError(SrreproError, ValueError):
    """A bad parameter, data root, dataset image or weights file, found before anything ran."""


class ParameterError(InputError):
    pass


# ------------------------------------------------------------------------------------------ parameters
def check_table(table_id) -> str:
    if not isinstance(table_id, str):
        raise ParameterError(f"table must be a table id (a string), not {table_id!r}; `srrepro list` shows them")
    specs.get(table_id)  # UnknownTableError lists the valid ids
    return table_id


def check_profile(profile) -> str:
    if not isinstance(profile, str):
        raise ParameterError(f"profile must be one of {', '.join(specs.PROFILES)}, not {profile!r}")
    return specs.check_profile(profile)


def check_device(device, available: bool = True) -> str:
    """``auto | cpu | mps | cuda | cuda:N``; with ``available``, one this machine has."""
    if not isinstance(device, str) or not re.fullmatch(r"auto|cpu|mps|cuda(:\d+)?", device):
        raise ParameterError(f"unknown device {device!r}; valid: {DEVICES}")
    if not available or device in ("auto", "cpu"):
        return device
    import torch

    if device == "mps":
        if not (getattr(torch.backends, "mps", None) and torch.backends.mps.is_available()):
            raise ParameterError("device mps is not available on this machine; use device auto or cpu")
        return device
    n = torch.cuda.device_count() if torch.cuda.is_available() else 0
    index = int(device.partition(":")[2] or 0)
    if index >= n:
        have = f"{n} CUDA device(s): cuda:0…cuda:{n - 1}" if n else "no CUDA device"
        raise ParameterError(f"device {device} is not available, this machine has {have}; use device auto or cpu")
    return device


# what each count is, for its message ("seeds must be …", "workers must be …")
COUNTS = {"seeds": "the number of seeds per training run",
          "iterations": "the number of training iterations",
          "workers": "the number of units run side by side",
          "threads": "the number of CPU threads per unit",
          "gpus": "the number of GPUs a multi-table plan is scheduled on"}


def check_count(name: str, value) -> int | None:
    """``None`` (the profile's own) or a whole number ≥ 1; ``name`` is one of :data:`COUNTS`."""
    if value is None:
        return None
    what = COUNTS[name]
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise ParameterError(f"{name} must be a whole number ≥ 1 ({what}), not {value!r}")
    try:
        n = int(value) if not isinstance(value, float) else (int(value) if value.is_integer() else math.nan)
    except ValueError:
        n = math.nan
    if not isinstance(n, int) or n < 1:
        raise ParameterError(f"{name} must be a whole number ≥ 1 ({what}), not {value!r}")
    return n


def _same_value(a, b) -> bool:
    try:
        return a == b or float(a) == float(b)
    except (TypeError, ValueError):
        return False


def check_only(spec, profile: str, only, results_dir="results") -> dict | None:
    """``only`` = ``{key column: [values]}``: every key a key of the table's cells, every value one of its cells
    has, so that the selection is never empty. The cells are the jobs' rows at ``profile`` (a table the engine
    runs), else the table's keys and the values of its result CSV at ``profile`` (a table with its own ``run``; no
    CSV: the keys only). Values are returned as the cells spell them (``4`` and ``"4"`` select scale 4.0)."""
    if only is None:
        return None
    if not isinstance(only, dict) or not only:
        raise ParameterError(f"only must be a dict {{key: [values]}}, e.g. {{\"dataset\": [\"Set5\"]}}, not {only!r}")
    cells = _cells(spec, profile, results_dir)
    keys = list(dict.fromkeys([*spec.keys, *(k for c in cells for k in c)]))
    out = {}
    for key, values in only.items():
        if key not in keys:
            raise ParameterError(f"only: {spec.id} has no key {key!r}; its keys: {', '.join(map(str, keys))}")
        if isinstance(values, (str, int, float)):
            values = [values]
        if not isinstance(values, (list, tuple, set)) or not values:
            raise ParameterError(f"only: {key} needs a list of values, not {values!r}")
        known = list(dict.fromkeys(c[key] for c in cells if key in c))
        if not known and key == "dataset":
            from .data import DATASETS

            known = list(DATASETS)
        chosen = []
        for v in values:
            match = [g for g in known if _same_value(g, v)] if known else [v]
            if not match:
                raise ParameterError(f"only: {key}={v!r} is not a cell of {spec.id} at {profile}; its values: "
                                     f"{', '.join(map(str, known))}")
            chosen += match
        out[key] = list(dict.fromkeys(chosen))
    return out


def _cells(spec, profile: str, results_dir) -> list[dict]:
    if spec.jobs is not None:
        return [row_key(j, ev) for j in spec.jobs(specs.context(spec, profile)) for ev in j.evals]
    path = specs.result_path(spec.id, profile, results_dir)
    if not path.exists():  # the checkout's own result of the profile has the same cells
        path = specs.result_path(spec.id, profile)
    if not path.exists():
        return []
    import pandas as pd

    rows = pd.read_csv(path, usecols=lambda c: c in spec.keys)
    return [{k: v for k, v in r.items() if not (isinstance(v, float) and math.isnan(v))}
            for r in rows.to_dict("records")]


def check_params(table_id, profile, device="auto", seeds=None, iterations=None, workers=None, threads=None,
                 only=None, device_available: bool = True, results_dir="results") -> dict:
    """Every parameter of a run, each by its own validator; returns them normalised (``only`` as the grid spells
    its values). The CLI, ``make`` (``python -m srrepro.preflight``) and the notebooks' ``reproduce_or_load`` all
    come here."""
    check_table(table_id)
    check_profile(profile)
    out = dict(table_id=table_id, profile=profile, device=check_device(device, device_available))
    for name, v in (("seeds", seeds), ("iterations", iterations), ("workers", workers), ("threads", threads)):
        out[name] = check_count(name, v)
    out["only"] = check_only(specs.get(table_id), profile, only, results_dir)
    return out


# ------------------------------------------------------------------------------------------ data root
def check_data_root(explicit=None) -> Path:
    """The data root (``--data``, else ``$SRREPRO_DATA``, else ``./data``): an existing folder that holds at least
    one of the study's folders (an empty or unrelated folder is the wrong root, not a root without data)."""
    from .data import data_root

    root = data_root(explicit)  # DataRootError: absent, or a file
    if not any((root / f).is_dir() for f in ROOT_FOLDERS):
        raise InputError(f"data root {root.resolve()} holds none of the study's folders ({', '.join(ROOT_FOLDERS)}): "
                         f"point SRREPRO_DATA or --data at a data folder, or fill it with `srrepro download Set5 "
                         f"--data {root}`")
    return root


# ------------------------------------------------------------------------------------------ datasets
def _manifest_rows(folder: str) -> dict[str, dict]:
    from .data import manifest

    return {Path(rel).name: r for rel, r in manifest().items() if rel.startswith(folder + "/")}


def _open_image(path: Path, shown: str):
    """(format, mode, (width, height)) of an image whose file is whole (PNG: every chunk's CRC; nothing decoded)."""
    st = path.stat()
    return _image_header(str(path), st.st_mtime_ns, st.st_size, shown)


@lru_cache(maxsize=4096)  # a file is read once per process while it is unchanged (a sweep checks sets repeatedly)
def _image_header(path: str, mtime_ns: int, size: int, shown: str):
    from PIL import Image

    try:
        with Image.open(path) as im:
            header = im.format, im.mode, im.size
            im.verify()
        return header
    except Exception as e:  # PIL raises a zoo of types for truncated / corrupt files
        raise InputError(f"{path}: not a readable image ({type(e).__name__}: {e}); replace it "
                         f"(`srrepro download {shown}`)") from None


def check_dataset(name: str, root: Path, required: bool = True) -> None:
    """Dataset ``name`` under ``root`` holds exactly its images, each as the manifest says (see the module)."""
    from .data import DATASETS
    from .doctor import EXPECTED_IMAGES

    ds = DATASETS[name]
    folder = root / ds.folder
    present = sorted(p for p in folder.iterdir() if p.suffix.lower() in _IMAGE_EXTS) if folder.is_dir() else []
    for _, _, _, member_prefix in ds.archives if not present else ():  # the archive unzipped as it is
        if (folder / member_prefix).is_dir():
            present = sorted(p for p in (folder / member_prefix).iterdir() if p.suffix.lower() in _IMAGE_EXTS)
    how = ds.note or f"`srrepro download {name} --data {root}`"
    if not present:
        if required:
            raise InputError(f"dataset {name} is missing: no images in {folder}; {how}")
        return  # an optional set that is absent: its rows say "not available"
    rows = _manifest_rows(ds.folder)
    if not rows:  # DIV2K, Manga109: not in the manifest; their count is known
        want = EXPECTED_IMAGES.get(name)
        if want is not None and len(present) != want:
            raise InputError(f"dataset {name} in {present[0].parent} holds {len(present)} images, not its {want}; "
                             f"{how}")
        for p in present:
            _open_image(p, name)
        return
    names = {p.name for p in present}
    for p in present:
        if p.name not in rows:
            raise InputError(f"{p}: not an image of {name} (srrepro/manifest.tsv lists {len(rows)}); move it out "
                             f"of {folder}")
    for missing in sorted(set(rows) - names):
        raise InputError(f"{folder / missing} is missing ({name} has {len(rows)} images in srrepro/manifest.tsv); "
                         f"{how}")
    for p in present:
        r = rows[p.name]
        fmt, mode, size = _open_image(p, name)
        if fmt != _FORMAT_OF_EXT[p.suffix.lower()]:
            raise InputError(f"{p}: a {fmt} file named {p.suffix}; replace it (`srrepro download {name}`)")
        want_size = (int(r["width"]), int(r["height"])) if r.get("width") else size
        if r.get("mode") and mode != r["mode"]:
            raise InputError(f"{p}: mode {mode}, expected {r['mode']} (srrepro/manifest.tsv); replace it "
                             f"(`srrepro download {name}`)")
        if size != want_size:
            raise InputError(f"{p}: {size[0]}×{size[1]} pixels, expected {want_size[0]}×{want_size[1]} "
                             f"(srrepro/manifest.tsv); replace it (`srrepro download {name}`)")


# ------------------------------------------------------------------------------------------ weights
def weights_candidates(name: str) -> list[str]:
    """Paths under the data root where item ``name`` of ``doctor.NEEDS`` is read from, in the order read."""
    from . import losses
    from .data import EXTRA_GROUPS
    from .perceptual import LPIPS_TRUNK_FILES
    from .weights import OFFICIAL_WEIGHTS

    if name == "lpips":
        return list(LPIPS_TRUNK_FILES)
    if name == "vgg16":
        return list(losses.VGG16_FILES)
    if name == "vgg19":
        return [f"weights/{losses.VGG19_FILE}"]
    if name == "niqe":
        return [f"{EXTRA_GROUPS['niqe']}/niqe_pris_params.npz"]
    files = {w.file for w in OFFICIAL_WEIGHTS.values()}
    if name in files:
        return [f"weights/official/{name}"]
    raise KeyError(f"no weights file known for item {name!r} (srrepro/doctor.py NEEDS / OPTIONAL)")


def check_weights_file(path: Path) -> None:
    """``path`` loads: a ``.npz`` with every array readable, a torch checkpoint unpickled with weights_only."""
    if path.suffix == ".npz":
        import zipfile

        import numpy as np

        try:
            with np.load(path) as z:
                for k in z.files:
                    z[k]
        except (OSError, ValueError, EOFError, zipfile.BadZipFile, KeyError) as e:
            raise InputError(f"{path}: cannot be loaded ({type(e).__name__}: {e}); re-download it") from None
        return
    from .weights import CheckpointFormatError, read_state_dict

    try:
        read_state_dict(path)
    except CheckpointFormatError as e:
        raise InputError(str(e)) from None
    except Exception as e:  # torch raises a zoo of types on a truncated zip or pickle
        raise InputError(f"{path}: cannot be loaded ({type(e).__name__}: {str(e).splitlines()[0] if str(e) else ''})"
                         f"; re-download it") from None


# ------------------------------------------------------------------------------------------ a table's inputs
def check_inputs(table_id: str, profile: str, data_root=None, only: dict | None = None) -> Path:
    """The data root and what table ``table_id`` reads from it at ``profile`` (see the module); returns the root.

    With ``only`` selecting datasets, only those benchmark sets (and the training set) are checked."""
    from .data import DATASETS
    from .doctor import optional, requirements

    from .doctor import NEEDS

    root = check_data_root(data_root)
    if table_id not in NEEDS:  # a table registered at run time (tests' toy tables); every shipped one has an entry
        return root
    needed, maybe = requirements(table_id, profile), optional(table_id, profile)
    chosen = (only or {}).get("dataset")
    for name in sorted(needed | maybe):
        if name in DATASETS:
            if chosen is not None and DATASETS[name].kind == "benchmark" and name not in chosen:
                continue
            check_dataset(name, root, required=name in needed)
            continue
        path = next((root / rel for rel in weights_candidates(name) if (root / rel).is_file()), None)
        if path is not None:  # absent: the table's rows say "not run" with what is needed
            check_weights_file(path)
    return root


def main(argv=None) -> int:
    """``python -m srrepro.preflight``: check ``$TABLE``, ``$PROFILE``, ``$DEVICE`` (as ``make`` passes them, never
    through a shell) and print nothing; a bad value is one line on stderr and exit status 2."""
    import sys

    env = os.environ
    try:
        check_table(env.get("TABLE", ""))
        check_profile(env.get("PROFILE", ""))
        if "DEVICE" in env:
            check_device(env["DEVICE"], available=False)
    except SrreproError as e:
        print(f"srrepro: error: {e}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
