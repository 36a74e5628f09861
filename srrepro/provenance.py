"""Provenance of every result row, and atomic writes (nothing half-written ever reaches results/ or a run dir)."""
from __future__ import annotations

import datetime as _dt
import os
import platform
import re
import subprocess
import tempfile
from functools import lru_cache
from importlib import metadata
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
_PACKAGES = ("torch", "numpy", "scipy", "pillow", "pandas")


@lru_cache(maxsize=1)
def git_state() -> tuple[str, bool]:
    """(commit, dirty) of the checkout the library runs from; ("unknown", True) outside git."""
    try:
        commit = subprocess.run(["git", "rev-parse", "--short=12", "HEAD"], cwd=REPO_ROOT, capture_output=True,
                                text=True, check=True).stdout.strip()
        status = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no", "--", "srrepro"],
                                cwd=REPO_ROOT, capture_output=True, text=True, check=True).stdout.strip()
        return commit, bool(status)
    except Exception:
        return "unknown", True


@lru_cache(maxsize=1)
def package_versions() -> str:
    out = []
    for name in _PACKAGES:
        try:
            out.append(f"{name}={metadata.version(name)}")
        except metadata.PackageNotFoundError:
            pass
    return " ".join(out)


@lru_cache(maxsize=1)
def cpu_model() -> str:
    """The CPU's model name (``/proc/cpuinfo``), else what ``platform`` knows."""
    model = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return model


@lru_cache(maxsize=1)
def machine() -> str:
    """CPU model and the SIMD level torch dispatches to, e.g. ``x86_64 2 cpu (AMD EPYC, torch AVX512)``."""
    try:
        import torch

        isa = f", torch {torch.backends.cpu.get_cpu_capability()}"
    except Exception:
        isa = ""
    return f"{platform.machine()} {os.cpu_count()} cpu ({cpu_model()}{isa})"


def compute_device(device, amp: str = "none") -> dict:
    """Where and in what arithmetic a model was trained or scored, for its rows and its ``model.json``:
    ``device`` (``cuda:1``, ``cpu``), ``device_name`` (the GPU's name, else the CPU model) and ``precision``:
    ``fp32``, ``fp32 (TF32 matmul/conv)`` where an Ampere-or-later GPU rounds float32 products to TF32, or
    ``bf16 autocast`` / ``fp16 autocast + GradScaler`` (``amp``, applied on CUDA only, as training does)."""
    import torch

    device = torch.device(device)
    if device.type != "cuda":
        return {"device": str(device), "device_name": cpu_model() if device.type == "cpu" else device.type,
                "precision": "fp32"}
    index = device.index if device.index is not None else torch.cuda.current_device()
    if amp in ("bf16", "fp16"):
        precision = "bf16 autocast" if amp == "bf16" else "fp16 autocast + GradScaler"
    else:
        tf32 = [name for name, on in (("matmul", torch.backends.cuda.matmul.allow_tf32),
                                      ("conv", torch.backends.cudnn.allow_tf32)) if on]
        ampere = torch.cuda.get_device_capability(index)[0] >= 8
        precision = f"fp32 (TF32 {'/'.join(tf32)})" if tf32 and ampere else "fp32"
    return {"device": f"cuda:{index}", "device_name": torch.cuda.get_device_name(index), "precision": precision}


def _torch_threads() -> int | None:
    """Intra-op threads. CPU training is bit-identical run to run at a fixed thread count (and AVX2 = AVX512), but 1
    and 2 threads sum in different orders: lite CARN ×4, seed 0, 500 steps ends at L1 0.039996 vs 0.039759."""
    try:
        import torch

        return torch.get_num_threads()
    except Exception:
        return None


def readable_by_all(path: str | os.PathLike) -> None:
    """``mkstemp`` creates files 0600; give a finished file the mode a plain ``open`` would (umask applied)."""
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(path, 0o666 & ~umask)


def provenance(profile: str, **extra) -> dict:
    """Columns added to every result row: where, when and with what it was computed.

    ``dirty`` means the library's own code (``srrepro/``) had uncommitted changes when the row was computed.
    """
    commit, dirty = git_state()
    row = {
        "profile": profile,
        "git_commit": commit,
        "git_dirty": dirty,
        "computed_at": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
        "machine": machine(),
        "torch_threads": _torch_threads(),
        "python": platform.python_version(),
        "packages": package_versions(),
    }
    row.update(extra)
    return row


def move_aside(path: str | os.PathLike, why: str) -> Path:
    """Rename a corrupt cache file to ``<name>.corrupt-<time>`` (kept for whoever wants to look, never read again)
    and say so in one line on stderr; the caller then recomputes it."""
    import sys
    import time

    path = Path(path)
    stamp = time.strftime("%Y%m%dT%H%M%S")
    dest = path.with_name(f"{path.name}.corrupt-{stamp}")
    n = 1
    while dest.exists():
        n += 1
        dest = path.with_name(f"{path.name}.corrupt-{stamp}-{n}")
    try:
        os.replace(path, dest)
    except FileNotFoundError:  # another process moved it first
        return dest
    print(f"srrepro: warning: {path} is corrupt ({why}); moved to {dest.name}, recomputing it", file=sys.stderr)
    return dest


def failure(e: BaseException) -> str:
    """An exception as a short one-line reason (the first line of its message, its type when it has none)."""
    first = next((line.strip() for line in str(e).splitlines() if line.strip()), "")
    return f"{type(e).__name__}: {first[:160]}" if first else type(e).__name__


def atomic_write_bytes(path: str | os.PathLike, data: bytes) -> Path:
    """Write to a temporary file in the same folder, fsync, then rename over ``path``.

    A failed write (full disk, read-only or forbidden folder, …) leaves ``path`` as it was, removes the temporary
    file and raises :class:`srrepro.errors.WriteError`, one line naming ``path``.
    """
    from .errors import WriteError

    path = Path(path)
    tmp = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        readable_by_all(tmp)
        os.replace(tmp, path)
    except OSError as e:
        error = WriteError(f"cannot write {path}: {e.strerror or e}")
        error.errno, error.filename = e.errno, str(path)
        raise error from e
    finally:
        if tmp is not None and os.path.exists(tmp):
            os.unlink(tmp)
    return path


def atomic_write_text(path: str | os.PathLike, text: str) -> Path:
    return atomic_write_bytes(path, text.encode())


def atomic_torch_save(obj, path: str | os.PathLike) -> Path:
    import io

    import torch

    buf = io.BytesIO()
    torch.save(obj, buf)
    return atomic_write_bytes(path, buf.getvalue())


# ---------------------------------------------------------------------------------------------------------------
# paths a result may record: never the machine's

_DATA_FOLDERS = ("benchmarks", "weights", "train", "metrics", "reference")  # a data root's top-level folders
_REPO_FOLDERS = ("results", "notebooks", "srrepro", "tools", "tests", "book")  # anchors of a path in a checkout
# An absolute POSIX path: not the path part of a URL (after ``host`` or ``//``), not "PSNR/SSIM" or "2/F".
_ABS_PATH = re.compile(r"(?<![\w.~/:<>-])/(?:[\w.+~-]+/)*[\w.+~-]+/?")


def _data_roots() -> list[str]:
    """The data roots a text may name: this machine's (``$SRREPRO_DATA``, else ./data), resolved and as given."""
    roots = []
    for r in (os.environ.get("SRREPRO_DATA"), str(REPO_ROOT / "data")):
        if r:
            roots += [str(Path(r).expanduser()), str(Path(r).expanduser().resolve())]
    return sorted({r.rstrip("/") for r in roots if r.startswith("/") and r != "/"}, key=len, reverse=True)


def _relative_path(path: str) -> str:
    """One absolute path as a reader may see it: under the data root → "data root/…" (the root itself: "<data
    root>"); a training run's folder
    → "runs/…"; in a checkout of this repository → relative to it; anything else → its last folder and name."""
    for root in _data_roots():
        if path == root:
            return "<data root>"
        if path.startswith(root + "/"):
            return "data root" + path[len(root):]
    parts = path.strip("/").split("/")
    if "runs" in parts[:-1]:
        return "/".join(parts[parts.index("runs"):])
    try:
        return str(Path(path).relative_to(REPO_ROOT))
    except ValueError:
        pass
    for i, part in enumerate(parts[1:], 1):  # a data root computed on another machine: <root>/benchmarks/…
        if part in _DATA_FOLDERS:
            return "data root/" + "/".join(parts[i:])
    for i, part in enumerate(parts):  # another checkout: <checkout>/results/…
        if part in _REPO_FOLDERS and i + 1 < len(parts):
            return "/".join(parts[i:])
    if parts[-1] == "data":  # a bare data root
        return "<data root>"
    return path if len(parts) < 2 else "…/" + "/".join(parts[-2:])


def portable_paths(text: str) -> str:
    """``text`` with every absolute path of this machine rewritten: under the data root → "data root/…", a run
    folder → "runs/…", in the checkout → relative to it (what a result row, a page or a notebook may record)."""
    return _ABS_PATH.sub(lambda m: _relative_path(m.group(0)), text)


def cpu_cores() -> int:
    """The cores this process may run on (its affinity, not the machine's count)."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
