"""Provenance of every result row, and atomic writes (nothing half-written ever reaches results/ or a run dir)."""
from __future__ import annotations

import datetime as _dt
import os
import platform
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
        "machine": f"{platform.machine()} {os.cpu_count()} cpu",
        "python": platform.python_version(),
        "packages": package_versions(),
    }
    row.update(extra)
    return row


def atomic_write_bytes(path: str | os.PathLike, data: bytes) -> Path:
    """Write to a temporary file in the same folder, fsync, then rename over ``path``."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
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
