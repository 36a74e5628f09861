"""Decode once: a training set's decoded images and its MATLAB LR images, cached on disk and memory-mapped.

Every training unit used to decode its whole training set and rebuild the LR image of every (image, scale) at
start: about a minute of PNG decoding for DIV2K plus 25–57 s of MATLAB bicubic per integer scale, again at every
requeue, and 7–10 GB of private RAM per process. :class:`TrainingCache` does that work once per data root and
writes it where every unit, table and requeue finds it; a unit then opens it in milliseconds and its "copy" of
the images is the operating system's page cache, shared by all processes on the machine.

Layout (``$SRREPRO_CACHE``, else ``runs/cache/`` of the checkout)::

    <dataset>-<source key>/
        hr/                      the decoded images, exactly as srrepro.data.read_image returns them
            pixels.npy           every image's uint8 bytes, one after another (one flat array)
            index.json           names, shapes and offsets into pixels.npy
        lr-BI-x2-<code key>/     make_lr of every image at ×2 (the same two files)
        *.lock                   one filelock per artifact, held while it is built

* **Content-addressed.** The *source key* hashes the dataset's file names, sizes and modification times (a
  re-downloaded or edited file makes a new cache; hashing 3.5 GB of DIV2K at every start would cost more than it
  saves). An LR artifact's *code key* hashes ``srrepro/degrade.py`` and ``srrepro/patches.py`` (where the LR
  images are made), so a change to the MATLAB resize can never be served stale pixels.
* **Atomic.** An artifact is written into ``<name>.tmp-<pid>/`` and renamed into place when complete: a reader
  sees a whole artifact or none. Builders take the artifact's filelock, so concurrent units build it once and
  the others wait for it; a builder killed half-way leaves only a ``.tmp-*`` folder, removed by the next builder.
* **Why one flat ``.npy`` per artifact rather than LMDB** (BasicSR's choice): the sampler crops at random
  positions of whole images, which on a memory map is a slice (no decoding, no copy, no per-read transaction);
  numpy reads it with no new dependency, and one file per artifact keeps the atomic rename trivial.

Pickling an :class:`ImageStack` (a DataLoader worker started by *spawn*/*forkserver*, a DDP rank) sends only its
folder: the receiver maps the same file instead of copying gigabytes through a pipe.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
from collections.abc import Sequence
from pathlib import Path

import numpy as np

__all__ = ["CACHE_FORMAT", "cache_root", "source_key", "code_key", "ImageStack", "TrainingCache"]

CACHE_FORMAT = 1  # bump when the layout changes: old caches are then ignored
PIXELS, INDEX = "pixels.npy", "index.json"


def as_rgb(img: np.ndarray) -> np.ndarray:
    """A grey image as three equal channels; an RGB one as it is."""
    return np.repeat(img[..., None], 3, axis=2) if img.ndim == 2 else img


def make_lr(hr: np.ndarray, scale: int, degradation: str, index: int) -> np.ndarray:
    """The LR image of training image number ``index`` (RGB uint8) at integer ``scale``: the mod-cropped image
    degraded MATLAB-exactly (DN's noise seeded by ``index``, so every run and the cache see the same noise)."""
    from .data import modcrop
    from .degrade import degrade

    cropped = modcrop(hr, scale)
    lr = degrade(cropped, scale, degradation, seed=index)
    if lr.shape[:2] != (cropped.shape[0] // scale, cropped.shape[1] // scale):
        raise ValueError(f"degrade({degradation}, x{scale}) gave {lr.shape[:2]} for HR {cropped.shape[:2]}")
    return lr


def cache_root(explicit: str | os.PathLike | None = None) -> Path:
    """``explicit``, else ``$SRREPRO_CACHE``, else ``runs/cache`` of the checkout (git-ignored, beside the runs)."""
    if explicit is not None:
        return Path(explicit).expanduser()
    if os.environ.get("SRREPRO_CACHE"):
        return Path(os.environ["SRREPRO_CACHE"]).expanduser()
    from .provenance import REPO_ROOT

    return REPO_ROOT / "runs" / "cache"


def source_key(files: list[Path]) -> str:
    """16 hex digits over the files' names, sizes and modification times (ns), in order."""
    h = hashlib.sha256(f"srrepro cache format {CACHE_FORMAT}\n".encode())
    for p in files:
        st = p.stat()
        h.update(f"{p.name}\t{st.st_size}\t{st.st_mtime_ns}\n".encode())
    return h.hexdigest()[:16]


def code_key() -> str:
    """16 hex digits over the source of the code that makes LR images (degrade.py, patches.py)."""
    h = hashlib.sha256()
    for name in ("degrade.py", "patches.py"):
        h.update(Path(__file__).with_name(name).read_bytes())
    return h.hexdigest()[:16]


class ImageStack(Sequence):
    """A read-only sequence of uint8 images backed by one memory-mapped ``pixels.npy`` (``stack[i]`` is a view)."""

    def __init__(self, folder: str | os.PathLike):
        self.folder = Path(folder)
        index = json.loads((self.folder / INDEX).read_text())
        self.names: list[str] = index["names"]
        self.shapes = [tuple(s) for s in index["shapes"]]
        self.offsets: list[int] = index["offsets"]
        self.pixels = np.load(self.folder / PIXELS, mmap_mode="r")

    def __len__(self) -> int:
        return len(self.names)

    def __getitem__(self, i):
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        shape = self.shapes[i]
        return self.pixels[self.offsets[i]:self.offsets[i] + int(np.prod(shape))].reshape(shape)

    def items(self) -> list[tuple[str, np.ndarray]]:
        """``[(name, image)]``, the form :func:`srrepro.data.load_images` returns."""
        return [(n, self[i]) for i, n in enumerate(self.names)]

    @property
    def megapixels(self) -> float:
        return sum(s[0] * s[1] for s in self.shapes) / 1e6

    def __reduce__(self):  # the folder travels, not the pixels
        return ImageStack, (str(self.folder),)


def _write_stack(folder: Path, names: list[str], shapes: list[tuple], make, progress: bool, desc: str) -> None:
    """Write ``make(i)`` (uint8, shape ``shapes[i]``) for every i into ``folder`` (which must not exist yet)."""
    from tqdm.auto import tqdm

    folder.mkdir(parents=True)
    sizes = [int(np.prod(s)) for s in shapes]
    offsets = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
    flat = np.lib.format.open_memmap(folder / PIXELS, mode="w+", dtype=np.uint8, shape=(int(offsets[-1]),))
    for i in tqdm(range(len(names)), desc=desc, disable=not progress, leave=False):
        img = make(i)
        if img.dtype != np.uint8 or tuple(img.shape) != tuple(shapes[i]):
            raise ValueError(f"{names[i]}: got {img.dtype} {img.shape}, expected uint8 {tuple(shapes[i])}")
        flat[offsets[i]:offsets[i + 1]] = np.ascontiguousarray(img).reshape(-1)
    flat.flush()
    del flat
    (folder / INDEX).write_text(json.dumps({"format": CACHE_FORMAT, "names": names, "shapes": [list(s) for s in shapes],
                                            "offsets": offsets[:-1].tolist()}))


class TrainingCache:
    """The cache of one dataset of one data root: ``hr()`` and ``lr(scale, degradation)`` build on first use.

    ``TrainingCache("T91").lr(2, "BI")[i]`` equals ``make_lr(as_rgb(read_image(file_i)), 2, "BI", i)`` bit for bit
    (tests/test_cache.py).
    """

    def __init__(self, dataset: str, root: str | os.PathLike | None = None, cache_dir: str | os.PathLike | None = None):
        from .data import dataset_files

        self.dataset = dataset
        self.files = dataset_files(dataset, root)
        self.folder = cache_root(cache_dir) / f"{dataset}-{source_key(self.files)}"

    def _artifact(self, name: str, build, progress: bool) -> ImageStack:
        final = self.folder / name
        if not (final / INDEX).is_file():
            from filelock import FileLock

            self.folder.mkdir(parents=True, exist_ok=True)
            with FileLock(str(self.folder / f"{name}.lock")):
                if not (final / INDEX).is_file():  # another process may have built it while we waited
                    for stale in self.folder.glob(f"{name}.tmp-*"):  # a killed builder's leftovers
                        shutil.rmtree(stale, ignore_errors=True)
                    tmp = self.folder / f"{name}.tmp-{os.getpid()}"
                    try:
                        build(tmp, progress)
                        os.rename(tmp, final)
                    finally:
                        shutil.rmtree(tmp, ignore_errors=True)
        return ImageStack(final)

    def hr(self, progress: bool = False) -> ImageStack:
        """The decoded images (H×W for greyscale, H×W×3), named by file stem."""
        return self._artifact("hr", self._build_hr, progress)

    def lr(self, scale: int, degradation: str = "BI", progress: bool = False) -> ImageStack:
        """The LR image of every (mod-cropped, RGB) image at integer ``scale``: ``make_lr``."""
        if int(scale) != scale:
            raise ValueError(f"the cache holds integer-scale LR images only, not x{scale}")
        scale = int(scale)
        return self._artifact(f"lr-{degradation}-x{scale}-{code_key()}",
                              lambda tmp, prog: self._build_lr(tmp, scale, degradation, prog), progress)

    def _build_hr(self, tmp: Path, progress: bool) -> None:
        from PIL import Image

        from .data import GREY_MODES, read_image

        shapes = []
        for p in self.files:  # the header alone: the sizes lay out pixels.npy before anything is decoded
            with Image.open(p) as im:
                shapes.append((im.height, im.width) if im.mode in GREY_MODES else (im.height, im.width, 3))
        _write_stack(tmp, [p.stem for p in self.files], shapes, lambda i: read_image(self.files[i]), progress,
                     f"decoding {self.dataset}")

    def _build_lr(self, tmp: Path, scale: int, degradation: str, progress: bool) -> None:
        hr = self.hr(progress)
        shapes = [(h // scale, w // scale, 3) for h, w, *_ in hr.shapes]
        _write_stack(tmp, hr.names, shapes, lambda i: make_lr(as_rgb(hr[i]), scale, degradation, i), progress,
                     f"making {degradation} x{scale} LR images of {self.dataset}")
