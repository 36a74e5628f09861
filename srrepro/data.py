"""Datasets: a registry, the local data root, image decoding, and a checksummed downloader.

Files are read from a *data root*: ``--data DIR``, else ``$SRREPRO_DATA``, else ``./data``. Its layout is the
mirror's (``benchmarks/<Set>/*.png``, ``train/T91/*.png``, ``weights/official/*.pth``, ``metrics/*.npz``).
``srrepro download NAME`` fills a data root from the public sources. Every file the study uses is listed in
``srrepro/manifest.tsv`` with its sha256 and a *pixel* sha256 (of the decoded image), so a file that upstream
ships re-encoded (T91 as BMP) or renamed (B100 as ``img_NNN_SRF_3_HR.png``) is accepted when its pixels match.
"""
from __future__ import annotations

import csv
import hashlib
import http.client
import io
import os
import shutil
import sys
import tempfile
import urllib.request
import zipfile
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np
from PIL import Image

from .errors import SrreproError
from .provenance import failure, readable_by_all

__all__ = [
    "DATASETS", "DataRootError", "DatasetMissingError", "UnknownDatasetError", "ImageReadError", "ChecksumError",
    "DownloadError",
    "data_root", "dataset_files", "load_images", "read_image", "modcrop", "fetch", "download", "dataset_checksum",
    "pixel_sha256", "manifest",
]

MANIFEST_PATH = Path(__file__).with_name("manifest.tsv")


class SrreproDataError(SrreproError):
    """Base class: every data problem is reported as one line saying what is wrong and what to do."""


class DataRootError(SrreproDataError):
    pass


class UnknownDatasetError(SrreproDataError):
    pass


class DatasetMissingError(SrreproDataError):
    pass


class ImageReadError(SrreproDataError):
    pass


class ChecksumError(SrreproDataError):
    pass


@dataclass(frozen=True)
class Dataset:
    name: str
    folder: str  # relative to the data root
    kind: str  # "benchmark" | "train"
    description: str
    # For sets that are not in the manifest: (url, sha256 or None, size in bytes or None, member prefix in zip).
    # DIV2K's digests are those TensorFlow Datasets records for the same https URLs and sizes.
    archives: tuple = field(default_factory=tuple)
    note: str = ""


DATASETS: dict[str, Dataset] = {
    d.name: d
    for d in [
        Dataset("Set5", "benchmarks/Set5", "benchmark", "5 images (Bevilacqua et al. 2012)"),
        Dataset("Set14", "benchmarks/Set14", "benchmark", "14 images (Zeyde et al. 2010); bridge.png is greyscale"),
        Dataset("B100", "benchmarks/B100", "benchmark", "100 BSDS300 test images (Martin et al. 2001)"),
        Dataset("Urban100", "benchmarks/Urban100", "benchmark", "100 urban scenes (Huang et al. 2015)"),
        Dataset(
            "Manga109", "benchmarks/Manga109", "benchmark", "109 manga covers (Matsui et al. 2017)",
            note="Manga109 is distributed on request only (http://www.manga109.org/en/download.html): place the "
            "109 PNG files in <data>/benchmarks/Manga109/ yourself",
        ),
        Dataset(
            "DIV2K_valid", "benchmarks/DIV2K_valid", "benchmark", "DIV2K validation images 801–900 (HR)",
            archives=(("https://data.vision.ee.ethz.ch/cvl/DIV2K/DIV2K_valid_HR.zip",
                       "20dd31fd84d777bc1cf5d6b7654a3f569c0aec74458ae094122ad1d0489900fc", 448_993_893,
                       "DIV2K_valid_HR/"),),
        ),
        Dataset(
            "DIV2K_train", "train/DIV2K", "train", "DIV2K training images 0001–0800 (HR), the papers' training set",
            archives=(("https://data.vision.ee.ethz.ch/cvl/DIV2K/DIV2K_train_HR.zip",
                       "9d0b9c463f6e35b6c62cc6a930ee2224f670b34c1df841a57670f9acf0f6c335", 3_530_603_713,
                       "DIV2K_train_HR/"),),
        ),
        Dataset("T91", "train/T91", "train", "91 training images (Yang et al. 2010)"),
    ]
}
# Non-image files the study needs, downloadable by these names as well.
EXTRA_GROUPS = {"weights": "weights/official", "niqe": "metrics", "matlab_lr": "reference/matlab_bicubic_lr"}


def _unknown_dataset(name: str) -> UnknownDatasetError:
    return UnknownDatasetError(f"unknown dataset {name!r}; valid datasets: {', '.join(DATASETS)}")


def get_dataset(name: str) -> Dataset:
    if name not in DATASETS:
        raise _unknown_dataset(name)
    return DATASETS[name]


# --------------------------------------------------------------------------------------------- data root
def data_root(explicit: str | os.PathLike | None = None, must_exist: bool = True) -> Path:
    """The data root: ``explicit`` (``--data``), else ``$SRREPRO_DATA``, else ``./data``."""
    if explicit is not None:
        root, how = Path(explicit), "--data"
    elif os.environ.get("SRREPRO_DATA"):
        root, how = Path(os.environ["SRREPRO_DATA"]), "$SRREPRO_DATA"
    else:
        root, how = Path("data"), "the default ./data (no --data and no $SRREPRO_DATA)"
    root = root.expanduser()
    if must_exist and root.exists() and not root.is_dir():
        raise DataRootError(f"data root {root.resolve()} (from {how}) is a file, not a folder: point SRREPRO_DATA or "
                            f"--data at the data folder")
    if must_exist and not root.is_dir():
        raise DataRootError(
            f"data root {root.resolve()} (from {how}) does not exist: point SRREPRO_DATA or --data at a data "
            f"folder (on the project machines: SRREPRO_DATA=../shared/data), or fetch one with "
            f"`srrepro download Set5 Set14 B100 Urban100 T91 --data {root}`"
        )
    return root


# --------------------------------------------------------------------------------------------- images
GREY_MODES = ("L", "I;16", "I")  # PIL modes read_image decodes to H×W; every other mode becomes RGB


def read_image(path: str | os.PathLike) -> np.ndarray:
    """Decode an image to uint8: H×W for greyscale, H×W×3 for colour (alpha dropped, palettes expanded)."""
    path = Path(path)
    try:
        with Image.open(path) as im:
            im.load()
            if im.mode in GREY_MODES:
                arr = np.asarray(im.convert("L") if im.mode != "L" else im)
            else:
                arr = np.asarray(im.convert("RGB"))
    except FileNotFoundError:
        raise ImageReadError(f"image file {path} does not exist") from None
    except Exception as e:  # PIL raises a zoo of types for truncated/corrupt files
        raise ImageReadError(f"cannot decode image {path}: {type(e).__name__}: {e} (re-download or replace it)") from None
    return np.ascontiguousarray(arr, dtype=np.uint8)


def modcrop(img: np.ndarray, scale: float) -> np.ndarray:
    """Crop H and W down to multiples of an integer ``scale`` (MATLAB ``modcrop``), top-left anchored."""
    s = int(scale)
    if s != scale:
        raise ValueError(f"modcrop needs an integer scale, got {scale}")
    h, w = img.shape[:2]
    return img[: h - h % s, : w - w % s]


def _images_in(folder: Path) -> list[Path]:
    return sorted(p for p in folder.glob("*") if p.suffix.lower() in (".png", ".bmp", ".jpg", ".jpeg", ".tif"))


def dataset_files(name: str, root: str | os.PathLike | None = None) -> list[Path]:
    ds = get_dataset(name)
    folder = data_root(root) / ds.folder
    files = _images_in(folder)
    for _, _, _, member_prefix in ds.archives if not files else ():  # the archive unzipped as it is (DIV2K_train_HR/)
        files = _images_in(folder / member_prefix)
        if files:
            break
    if not files:
        how = ds.note or f"run `srrepro download {name} --data {data_root(root)}`"
        raise DatasetMissingError(f"dataset {name} not found: no images in {folder}; {how}")
    return files


@lru_cache(maxsize=16)
def _load_images_cached(name: str, root: str) -> tuple[tuple[str, np.ndarray], ...]:
    images = []
    for p in dataset_files(name, root):
        img = read_image(p)
        img.setflags(write=False)  # shared by every caller in the process
        images.append((p.stem, img))
    return tuple(images)


def load_images(name: str, root: str | os.PathLike | None = None, limit: int | None = None) -> list[tuple[str, np.ndarray]]:
    """``[(image name, uint8 image)]`` of a dataset, decoded once per process and kept in memory (read-only)."""
    images = _load_images_cached(name, str(data_root(root).resolve()))
    return list(images[:limit] if limit else images)


# --------------------------------------------------------------------------------------------- checksums
def file_sha256(path: str | os.PathLike) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def pixel_sha256(path_or_array) -> str:
    """sha256 of the decoded pixels (shape + uint8 bytes): independent of PNG/BMP encoding and file name."""
    arr = read_image(path_or_array) if not isinstance(path_or_array, np.ndarray) else path_or_array
    h = hashlib.sha256(repr(arr.shape).encode())
    h.update(np.ascontiguousarray(arr).tobytes())
    return h.hexdigest()


@lru_cache(maxsize=1)
def manifest() -> dict[str, dict]:
    with open(MANIFEST_PATH, newline="") as f:
        return {r["path"]: r for r in csv.DictReader(f, delimiter="\t")}


@lru_cache(maxsize=32)
def _dataset_checksum(name: str, root: str) -> str:
    h = hashlib.sha256()
    for p in dataset_files(name, root):
        h.update(f"{p.name}:{file_sha256(p)}\n".encode())
    return h.hexdigest()


def dataset_checksum(name: str, root: str | os.PathLike | None = None) -> str:
    """One sha256 over the dataset's file names and contents (for result provenance); 16 hex digits."""
    return _dataset_checksum(name, str(data_root(root).resolve()))[:16]


def verify_dataset(name: str, root: str | os.PathLike | None = None) -> list[str]:
    """Names of files whose sha256 differs from the manifest (empty list = all good)."""
    ds = get_dataset(name)
    bad = []
    for rel, row in manifest().items():
        if rel.startswith(ds.folder + "/"):
            p = data_root(root) / rel
            if not p.exists() or file_sha256(p) != row["sha256"]:
                bad.append(rel)
    return bad


# --------------------------------------------------------------------------------------------- download
FETCH_TRIES = 6  # a dropped connection is retried (resuming, HTTP Range) this many times in all ...
FETCH_BACKOFF_S = 2.0  # ... after 2, 4, 8, 16, 32 s


class DownloadError(SrreproDataError):
    pass


def fetch(url: str, dest: str | os.PathLike, sha256: str | None = None, size: int | None = None,
          progress: bool = True, sha256_prefix: str | None = None) -> Path:
    """Download ``url`` to ``dest``, with a progress bar; verify ``sha256`` (or the ``sha256_prefix`` a file name
    carries) when known.

    The bytes go to ``<dest>.partial`` and become ``dest`` only once complete and verified. A dropped connection or
    a server error (5xx, 429) is retried with exponential backoff, resuming where the partial file ends (an HTTP
    Range request; from the start if the server ignores it); a partial file left by an earlier run is resumed the
    same way. A wrong checksum removes the partial file and raises :class:`ChecksumError` (one line); giving up
    keeps it, for the next run to resume.
    """
    import time
    import urllib.error

    dest = Path(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    partial = dest.with_name(dest.name + ".partial")
    for attempt in range(1, FETCH_TRIES + 1):
        try:
            _fetch_into(url, partial, size, progress)
            break
        except urllib.error.HTTPError as e:
            if e.code == 416:  # the partial file already holds every byte: the checksum decides
                break
            if e.code < 500 and e.code != 429:
                raise DownloadError(f"cannot download {url}: HTTP {e.code} {e.reason}") from None
            error = f"HTTP {e.code} {e.reason}"
        except (OSError, ConnectionError, TimeoutError, http.client.HTTPException) as e:  # URLError is an OSError
            error = failure(e)
        if attempt == FETCH_TRIES:
            raise DownloadError(f"cannot download {url} after {FETCH_TRIES} tries ({error}); {partial} keeps "
                                f"{_size(partial):,} bytes, run again to resume")
        wait = FETCH_BACKOFF_S * 2 ** (attempt - 1)
        print(f"srrepro: {url}: {error}; resuming at byte {_size(partial):,} in {wait:g} s "
              f"(try {attempt + 1} of {FETCH_TRIES})", file=sys.stderr, flush=True)
        time.sleep(wait)
    digest = file_sha256(partial)
    wrong = (f"does not match the expected {sha256}" if sha256 and digest != sha256 else
             f"does not start with {sha256_prefix}" if sha256_prefix and not digest.startswith(sha256_prefix) else "")
    if wrong:
        partial.unlink()
        raise ChecksumError(f"{url}: sha256 {digest} {wrong}; not saved (partial download removed)")
    readable_by_all(partial)
    os.replace(partial, dest)
    return dest


def _size(path: Path) -> int:
    return path.stat().st_size if path.exists() else 0


def _fetch_into(url: str, partial: Path, size: int | None, progress: bool) -> None:
    """Append the rest of ``url`` to ``partial`` (all of it when the server ignores the Range request); raises when
    the connection ends before the length the server announced."""
    from tqdm.auto import tqdm

    have = _size(partial)
    request = urllib.request.Request(url, headers={"Range": f"bytes={have}-"} if have else {})
    with urllib.request.urlopen(request, timeout=60) as resp:
        if have and getattr(resp, "status", None) != 206:  # the whole file again: start over
            have = 0
        length = resp.headers.get("Content-Length")
        total = have + int(length) if length else size
        with open(partial, "ab" if have else "wb") as out, \
                tqdm(total=total, initial=have, unit="B", unit_scale=True, desc=partial.name[:-len(".partial")],
                     disable=not progress) as bar:
            for chunk in iter(lambda: resp.read(1 << 20), b""):
                out.write(chunk)
                bar.update(len(chunk))
    if total and _size(partial) < total:
        raise ConnectionError(f"connection closed at byte {_size(partial):,} of {total:,}")


def _github_raw(repo_at_commit: str, path: str) -> str:
    repo, commit = repo_at_commit.split("@")
    return f"https://github.com/{repo}/raw/{commit}/{path}"


def source_candidates(rel: str, source: str) -> list[str]:
    """Public URLs that hold the file ``rel`` of the manifest, from its ``source`` column."""
    name = Path(rel).name
    stem = Path(rel).stem
    repo, _, rest = source.partition(" ")
    rest = rest.split(" (")[0]
    if repo.startswith("majedelhelou/"):
        return [_github_raw(repo, rest + name)]
    if repo.startswith("jbhuang0604/"):  # BSD100 upstream names are img_NNN_SRF_3_HR.png: match by pixels
        return [_github_raw(repo, f"data/BSD100/image_SRF_3/img_{i:03d}_SRF_3_HR.png") for i in range(1, 101)]
    if repo.startswith("jiny2001/"):
        return [_github_raw(repo, f"data/yang91/{stem}.bmp")]
    if repo.startswith("nmhkahn/"):
        return [_github_raw(repo, rest)]
    if repo.startswith("Sudo-Biao/"):
        scale = Path(rel).parent.name  # x2
        return [f"https://github.com/Sudo-Biao/s-LWSR/raw/master/Test/LR/LRBI/Set5/{scale}/{stem}_LRBI_{scale}.png"]
    if repo == "basicsr":
        return ["https://github.com/XPixelGroup/BasicSR/raw/v1.4.2/basicsr/metrics/niqe_pris_params.npz"]
    return []


def _download_manifest_group(prefix: str, root: Path, progress: bool) -> int:
    rows = [r for rel, r in manifest().items() if rel.startswith(prefix + "/")]
    by_pixels = {r["pixel_sha256"]: r for r in rows if r["pixel_sha256"]}
    done = 0
    tried: set[str] = set()
    for row in rows:
        dest = root / row["path"]
        if dest.exists() and file_sha256(dest) == row["sha256"]:
            done += 1
            continue
        for url in source_candidates(row["path"], row["source"]):
            if url in tried:
                continue
            tried.add(url)
            with tempfile.TemporaryDirectory() as tmp:
                raw = fetch(url, Path(tmp) / Path(url).name, progress=progress)
                if not row["pixel_sha256"]:  # weights, npz: the bytes must match
                    if file_sha256(raw) != row["sha256"]:
                        raise ChecksumError(f"{url}: sha256 differs from the manifest entry for {row['path']}")
                    dest.parent.mkdir(parents=True, exist_ok=True)
                    shutil.move(str(raw), dest)
                    done += 1
                    break
                pixels = read_image(raw)
                target = by_pixels.get(pixel_sha256(pixels))
                if target is None:
                    raise ChecksumError(f"{url}: its pixels match no file of the manifest under {prefix}")
                out = root / target["path"]
                out.parent.mkdir(parents=True, exist_ok=True)
                buf = io.BytesIO()
                Image.fromarray(pixels).save(buf, format="PNG")
                out.write_bytes(buf.getvalue())
                done += 1
                if target is row:
                    break
    missing = [r["path"] for r in rows if not (root / r["path"]).exists()]
    if missing:
        raise ChecksumError(f"{len(missing)} files of {prefix} could not be fetched, e.g. {missing[0]}")
    return done


def _download_archive(ds: Dataset, root: Path, progress: bool) -> int:
    n = 0
    for url, sha, size, member_prefix in ds.archives:
        # under the data root, not a temporary folder: an interrupted download resumes on the next run
        z = fetch(url, root / "downloads" / Path(url).name, sha256=sha, size=size, progress=progress)
        if sha is None:
            print(f"note: no published sha256 for {url}; got {file_sha256(z)} — record it in srrepro/data.py")
        with zipfile.ZipFile(z) as zf:
            for m in zf.namelist():
                if m.startswith(member_prefix) and not m.endswith("/"):
                    out = root / ds.folder / Path(m).name
                    out.parent.mkdir(parents=True, exist_ok=True)
                    with zf.open(m) as src, open(out, "wb") as dst:
                        shutil.copyfileobj(src, dst)
                    n += 1
        z.unlink()  # extracted: the archive is not needed any more
    return n


# LPIPS's AlexNet trunk as torchvision publishes it; torchvision names its files by their sha256's first 8 hex
# digits and checks those (torch.hub's check_hash), which is the check here too: no full digest is published.
LPIPS_TRUNK_URL = "https://download.pytorch.org/models/alexnet-owt-7be5be79.pth"
LPIPS_TRUNK_SHA256_PREFIX = "7be5be79"


# torchvision's ImageNet files the study reads: download name → (URL, sha256 prefix, path under the data root).
# LPIPS's trunk; the VGG-19 of PCARN's VGG loss (paper profile) and the VGG-16 stand-in (srrepro.losses).
TORCHVISION_FILES = {
    "lpips": (LPIPS_TRUNK_URL, LPIPS_TRUNK_SHA256_PREFIX, "weights/imagenet/alexnet-owt-7be5be79.pth"),
    "vgg19": ("https://download.pytorch.org/models/vgg19-dcbb9e9d.pth", "dcbb9e9d", "weights/vgg19-dcbb9e9d.pth"),
    "vgg16": ("https://download.pytorch.org/models/vgg16-397923af.pth", "397923af",
              "weights/imagenet/vgg16-397923af.pth"),
}


def _download_torchvision(name: str, root: Path, progress: bool) -> int:
    url, prefix, rel = TORCHVISION_FILES[name]
    dest = root / rel
    if dest.is_file() and file_sha256(dest).startswith(prefix):
        return 1
    with tempfile.TemporaryDirectory(dir=root) as tmp:
        raw = fetch(url, Path(tmp) / dest.name, progress=progress)
        if not file_sha256(raw).startswith(prefix):
            raise ChecksumError(f"{url}: sha256 does not start with {prefix}")
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(str(raw), dest)
    return 1


def download(name: str, root: str | os.PathLike | None = None, progress: bool = True) -> int:
    """Fetch dataset (or file group ``weights``/``niqe``/``matlab_lr``, or torchvision file ``lpips``/``vgg19``/
    ``vgg16``) ``name`` into the data root."""
    root = data_root(root, must_exist=False)
    root.mkdir(parents=True, exist_ok=True)
    if name in TORCHVISION_FILES:  # lpips: the AlexNet trunk (the lin layers ship with the lpips package)
        return _download_torchvision(name, root, progress)
    if name in EXTRA_GROUPS:
        return _download_manifest_group(EXTRA_GROUPS[name], root, progress)
    ds = get_dataset(name)
    if ds.archives:
        return _download_archive(ds, root, progress)
    if ds.note:
        raise DatasetMissingError(ds.note)
    return _download_manifest_group(ds.folder, root, progress)
