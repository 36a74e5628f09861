"""``srrepro doctor``: what a data root holds, what is missing (with its public source and size), and which
tables can run at which profile.

Only file sizes are checked by default: hashing every image and checkpoint takes a while on a small CPU.
``--verify`` adds the sha256 of every file and, where the sha256 differs, the pixel hash of the manifest (an
image that ``srrepro download`` re-encoded losslessly is accepted when its pixels match).

What a table needs is declared by its paper folder (``NEEDS`` / ``OPTIONAL`` in ``srrepro/papers/<paper>/__init__.py``),
read without building a spec: that is plain data and torch-free, so ``doctor`` answers at once and a broken spec
does not break a newcomer's first check. tests/test_doctor.py checks every table id has an entry and that a
smoke run reads nothing else.
"""
from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path

from . import data as _data
from . import papers
from .papers import PROFILES, table_modules

# ------------------------------------------------------------------------------------------ what tables need
# table id → profile → items (dataset names, weights file names, "niqe") without which it computes nothing real,
# and items a table uses when present (without them it still runs and those rows say "not available"):
# declared by each paper folder (srrepro/papers/<paper>/__init__.py), read without building a spec
NEEDS: dict[str, dict[str, set[str]]] = papers.needs()
OPTIONAL: dict[str, dict[str, set[str]]] = papers.optional()


def _needs_entry(table_id: str, profile: str) -> None:
    if table_id not in NEEDS:
        raise KeyError(f"no requirements recorded for table {table_id!r} by its paper folder (srrepro/papers/<paper>/__init__.py: NEEDS)")
    if profile not in PROFILES:
        raise ValueError(f"unknown profile {profile!r}; valid profiles: {', '.join(PROFILES)}")


def requirements(table_id: str, profile: str) -> set[str]:
    """The items table ``table_id`` needs at ``profile``: dataset names, weights file names, ``"niqe"``."""
    _needs_entry(table_id, profile)
    return set(NEEDS[table_id][profile])


def optional(table_id: str, profile: str) -> set[str]:
    """Items the table uses when present (their rows say "not available" otherwise)."""
    _needs_entry(table_id, profile)
    return set(OPTIONAL.get(table_id, {}).get(profile, ()))


# ------------------------------------------------------------------------------------------ what the root holds
# Sets that are not in the manifest (downloaded as archives or on request): only their image count is checked.
EXPECTED_IMAGES = {"DIV2K_train": 800, "DIV2K_valid": 100, "Manga109": 109}
_IMAGE_EXTS = (".png", ".bmp", ".jpg", ".jpeg", ".tif")
OK, MISSING, INCOMPLETE, SIZE_WRONG, CHECKSUM_WRONG = "present", "missing", "incomplete", "size wrong", "checksum wrong"


@dataclass
class Item:
    name: str  # what requirements() and the matrix call it
    kind: str  # dataset | weights | metric | reference
    where: str  # path under the data root
    status: str = OK  # present | missing | incomplete | size wrong | checksum wrong
    files: int = 0  # files present and good
    expected_files: int = 0
    bytes: int | None = None  # expected size in bytes (None: not recorded)
    approx: str = ""  # a rough size where no exact one is recorded ("6.4 MB")
    source: str = ""  # public source (URL)
    fetch: str = ""  # how to get it
    problems: list[str] = field(default_factory=list)  # first few bad files, one line each
    extra_files: int = 0  # images in the folder that the manifest does not list (used by the tables too)


def _human(n: int | None, approx: str = "") -> str:
    if n is None:
        return f"~{approx}" if approx else "?"
    for unit, size in (("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if n >= size:
            return f"{n / size:.1f} {unit}"
    return f"{n} B"


def _github_url(source: str) -> str:
    """``owner/repo@commit path (note)`` (the manifest's source column) → a browsable URL."""
    repo, _, rest = source.partition(" ")
    if "/" not in repo:
        return source
    repo, _, commit = repo.partition("@")
    path = "/".join(p for p in rest.split(" (")[0].split("/") if p and "*" not in p)
    return f"https://github.com/{repo}/tree/{commit or 'master'}/{path}".rstrip("/")


def _check_files(root: Path, rows: list[dict], verify: bool) -> tuple[int, list[tuple[str, str]]]:
    """(good files, [(status, line)] for the bad ones) of manifest ``rows``."""
    good, bad = 0, []
    for r in rows:
        p, want = root / r["path"], int(r["bytes"])
        if not p.is_file():
            bad.append((MISSING, f"{r['path']} missing"))
            continue
        size = p.stat().st_size
        if verify:
            if _data.file_sha256(p) == r["sha256"]:
                good += 1
            elif r.get("pixel_sha256") and _pixels_match(p, r["pixel_sha256"]):
                good += 1  # a lossless re-encode (what `srrepro download` writes for re-encoded upstream files)
            else:
                bad.append((CHECKSUM_WRONG, f"{r['path']}: sha256 differs from the manifest ({size:,} bytes)"))
        elif size != want:
            hint = " (a lossless re-encode would differ too: --verify compares pixels)" if r.get("pixel_sha256") else ""
            bad.append((SIZE_WRONG, f"{r['path']}: {size:,} bytes, expected {want:,}{hint}"))
        else:
            good += 1
    return good, bad


def _pixels_match(path: Path, pixel_sha: str) -> bool:
    try:
        return _data.pixel_sha256(path) == pixel_sha
    except _data.ImageReadError:
        return False


def _status(good: int, bad: list[tuple[str, str]]) -> str:
    kinds = {k for k, _ in bad}
    if not good and kinds <= {MISSING}:
        return MISSING if bad else OK
    for k in (CHECKSUM_WRONG, SIZE_WRONG):
        if k in kinds:
            return k
    return INCOMPLETE if bad else OK


def _manifest_item(root: Path, name: str, kind: str, prefix: str, verify: bool, fetch: str) -> Item:
    """A dataset or file group listed in srrepro/manifest.tsv (``prefix``: a folder, or one file's path)."""
    rows = [r for rel, r in _data.manifest().items() if rel == prefix or rel.startswith(prefix + "/")]
    good, bad = _check_files(root, rows, verify)
    one = len(rows) == 1 and rows[0]["path"] == prefix
    source = (_data.source_candidates(prefix, rows[0]["source"]) or [""])[0] if one else _github_url(rows[0]["source"])
    item = Item(name, kind, prefix, _status(good, bad), files=good, expected_files=len(rows),
                bytes=sum(int(r["bytes"]) for r in rows), source=source, fetch=fetch)
    if item.status != MISSING:  # a wholly missing set is one line in "to fetch"; otherwise name the bad files
        item.problems = [line for _, line in bad][:3]
    folder = root / prefix
    if not one and folder.is_dir():
        listed = {Path(r["path"]).name for r in rows}
        item.extra_files = sum(1 for p in folder.iterdir() if p.suffix.lower() in _IMAGE_EXTS and p.name not in listed)
    return item


def _archive_item(root: Path, ds: _data.Dataset) -> Item:
    """DIV2K / Manga109: not in the manifest, so only the number of images is checked."""
    folder = root / ds.folder
    n = sum(1 for p in folder.iterdir() if p.suffix.lower() in _IMAGE_EXTS) if folder.is_dir() else 0
    want = EXPECTED_IMAGES.get(ds.name, 0)
    status = MISSING if n == 0 else INCOMPLETE if n < want else OK
    if ds.archives:
        url, _, size, _ = ds.archives[0]
        return Item(ds.name, "dataset", ds.folder, status, files=n, expected_files=want, bytes=size, source=url,
                    fetch=f"srrepro download {ds.name}")
    m = re.search(r"https?://\S+?(?=\)|\s|$)", ds.note)
    return Item(ds.name, "dataset", ds.folder, status, files=n, expected_files=want,
                source=f"on request only: {m.group(0) if m else ''}",
                fetch=f"place the {want} images in {root / ds.folder}/ yourself")


def _weights_items(root: Path, verify: bool) -> list[Item]:
    from .weights import OFFICIAL_WEIGHTS  # imports torch (a few seconds): the registry lives there

    items = []
    for w in OFFICIAL_WEIGHTS.values():
        rel = f"weights/official/{w.file}"
        p = root / rel
        item = Item(w.file, "weights", rel, OK, expected_files=1, bytes=w.size, source=w.url,
                    fetch="srrepro download weights" if w.in_mirror
                    else f"srrepro.weights.download_weights([{w.name!r}])")
        m = re.search(r"about ([\d.]+ [kMG]B)", w.description)  # unreleased sizes are only in the description
        item.approx = m.group(1) if m else ""
        if not p.is_file():
            item.status = MISSING
        elif w.size is not None and p.stat().st_size != w.size:
            item.status = SIZE_WRONG
            item.problems = [f"{rel}: {p.stat().st_size:,} bytes, expected {w.size:,}"]
        elif verify and w.sha256 is not None and _data.file_sha256(p) != w.sha256:
            item.status = CHECKSUM_WRONG
            item.problems = [f"{rel}: sha256 differs from the registry (srrepro/weights.py)"]
        else:
            item.files = 1
        items.append(item)
    return items


def _lpips_item(root: Path, verify: bool) -> Item:
    """LPIPS's AlexNet trunk: the mirror's npz or torchvision's own file (the lin layers ship with the package)."""
    from .perceptual import LPIPS_TRUNK_FILES

    item = Item("lpips", "metric", " or ".join(LPIPS_TRUNK_FILES), MISSING, expected_files=1, approx="233 MB",
                source=_data.LPIPS_TRUNK_URL, fetch="srrepro download lpips")
    for rel in LPIPS_TRUNK_FILES:
        p = root / rel
        if p.is_file():
            item.where, item.status, item.files, item.bytes = rel, OK, 1, p.stat().st_size
            prefix = _data.LPIPS_TRUNK_SHA256_PREFIX  # torchvision publishes no full digest
            if verify and p.suffix == ".pth" and not _data.file_sha256(p).startswith(prefix):
                item.status, item.files = CHECKSUM_WRONG, 0
                item.problems = [f"{rel}: sha256 does not start with {prefix}"]
            break
    return item


def _vgg_items(root: Path, verify: bool) -> list[Item]:
    """The VGG perceptual loss's ImageNet weights: VGG-19 (PCARN's, at the paper profile) and the VGG-16 stand-in."""
    from . import losses as L

    vgg19 = Item("vgg19", "weights", f"weights/{L.VGG19_FILE}", MISSING, expected_files=1, approx=L.VGG19_SIZE,
                 source=L.VGG19_URL, fetch="srrepro download vgg19")
    vgg16 = Item("vgg16", "weights", " or ".join(L.VGG16_FILES), MISSING, expected_files=1, approx="528 MB",
                 source=L.VGG16_URL, fetch="srrepro download vgg16")
    for item, candidates, check in ((vgg19, [f"weights/{L.VGG19_FILE}"], lambda d: d.startswith("dcbb9e9d")),
                                    (vgg16, L.VGG16_FILES, lambda d: d == L.VGG16_NPZ_SHA256 or
                                     d.startswith("397923af"))):
        for rel in candidates:
            p = root / rel
            if p.is_file():
                item.where, item.status, item.files, item.bytes = rel, OK, 1, p.stat().st_size
                if verify and not check(_data.file_sha256(p)):
                    item.status, item.files = CHECKSUM_WRONG, 0
                    item.problems = [f"{rel}: sha256 is not torchvision's (or the mirror's)"]
                break
    return [vgg19, vgg16]


def inventory(root: Path, verify: bool = False) -> list[Item]:
    """Every dataset, weights file and parameter file the study knows, as found under ``root``."""
    items = []
    for ds in _data.DATASETS.values():
        if ds.archives or ds.note:
            items.append(_archive_item(root, ds))
        else:
            items.append(_manifest_item(root, ds.name, "dataset", ds.folder, verify, f"srrepro download {ds.name}"))
    items.append(_manifest_item(root, "niqe", "metric", "metrics/niqe_pris_params.npz", verify,
                                "srrepro download niqe"))
    items.append(_lpips_item(root, verify))
    items.append(_manifest_item(root, "matlab_lr", "reference", _data.EXTRA_GROUPS["matlab_lr"], verify,
                                "srrepro download matlab_lr"))
    return items + _weights_items(root, verify) + _vgg_items(root, verify)


def table_matrix(items: list[Item], table_ids: list[str]) -> dict[str, dict[str, dict]]:
    """table → profile → {"ok", "missing": [names, or "name (status)"], "without": optional items absent}."""
    status = {i.name: i.status for i in items}
    order = {i.name: k for k, i in enumerate(items)}  # list items as the inventory does: Set5 first, weights last
    out = {}
    for tid in table_ids:
        out[tid] = {}
        for prof in PROFILES:
            if tid not in NEEDS:
                out[tid][prof] = {"ok": False, "missing": ["? (no entry in srrepro/doctor.py)"], "without": []}
                continue
            missing = [n if status.get(n, MISSING) == MISSING else f"{n} ({status[n]})"
                       for n in sorted(requirements(tid, prof), key=order.get) if status.get(n, MISSING) != OK]
            without = sorted((n for n in optional(tid, prof) if status.get(n, MISSING) != OK), key=order.get)
            out[tid][prof] = {"ok": not missing, "missing": missing, "without": without}
    return out


def diagnose(root=None, verify: bool = False) -> dict:
    """Everything ``srrepro doctor`` prints, as plain data (``--json``). The data root must exist."""
    root = _data.data_root(root)
    items = inventory(root, verify)
    return {"data_root": str(root.resolve()), "verify": verify, "items": [asdict(i) for i in items],
            "tables": table_matrix(items, list(table_modules()))}


# ------------------------------------------------------------------------------------------ text
def _columns(rows: list[list[str]]) -> list[str]:
    widths = [max(len(r[c]) for r in rows) for c in range(len(rows[0]))]
    return ["  ".join(cell.ljust(w) for cell, w in zip(r, widths)).rstrip() for r in rows]


def _cell(c: dict) -> str:
    if not c["ok"]:
        return "missing: " + ", ".join(c["missing"])
    return "ok" + (f" (without {', '.join(c['without'])})" if c["without"] else "")


def format_text(d: dict) -> str:
    items = [Item(**i) for i in d["items"]]
    lines = [f"data root: {d['data_root']}",
             "checked: sizes and sha256 / pixel hashes" if d["verify"] else
             "checked: file sizes only (sha256 and pixel hashes are slow: add --verify to check them)", ""]
    rows = [["item", "kind", "status", "files", "size", "where"]]
    for i in items:
        files = f"{i.files}/{i.expected_files}" + (f" +{i.extra_files}" if i.extra_files else "")
        rows.append([i.name, i.kind, i.status, files, _human(i.bytes, i.approx), i.where])
    lines += _columns(rows)
    bad = [line for i in items for line in i.problems]
    if bad:
        lines += ["", "bad files (first few per item):"] + [f"  {b}" for b in bad]
    if any(i.extra_files for i in items):
        lines.append("(+N: images in the folder that srrepro/manifest.tsv does not list; the tables read them too)")
    absent = [i for i in items if i.status != OK]
    if absent:
        lines += ["", f"to fetch (public source, size, how; `srrepro download` also needs --data {d['data_root']}):"]
        lines += _columns([[f"  {i.name}", _human(i.bytes, i.approx), i.source, i.fetch] for i in absent])
    lines += ["", "tables: what runs at each profile (ok = everything it needs is here)"]
    rows = [["table", *PROFILES]]
    for tid, m in d["tables"].items():
        cells = [_cell(m[p]) for p in PROFILES]
        # a cell repeating one to its left says so ("as smoke"): keeps the matrix narrow enough to read
        rows.append([tid] + [c if c == "ok" or c not in cells[:k] else f"as {PROFILES[cells.index(c)]}"
                             for k, c in enumerate(cells)])
    lines += _columns(rows)
    return "\n".join(lines)


# ------------------------------------------------------------------------------------------ the exit status
def problems(d: dict, strict: bool = False) -> list[str]:
    """What makes ``srrepro doctor`` exit 1, one short phrase each: a file that is there but wrong (size, sha256
    with --verify, an incomplete set, images the manifest does not list), a table that cannot run at the smoke or
    lite profile, and with ``strict`` at the paper profile too (DIV2K, unreleased weights: listed, else not counted).
    """
    out = []
    for i in d["items"]:
        if i["status"] not in (OK, MISSING):
            out.append(f"{i['name']} {i['status']}")
        elif i["extra_files"]:
            out.append(f"{i['name']} has {i['extra_files']} image(s) srrepro/manifest.tsv does not list")
    for tid, by_profile in d["tables"].items():
        for prof in PROFILES if strict else ("smoke", "lite"):
            if not by_profile[prof]["ok"]:
                out.append(f"{tid} cannot run at {prof} (missing {', '.join(by_profile[prof]['missing'])})")
    return out


def main(root=None, verify: bool = False, as_json: bool = False, strict: bool = False) -> tuple[str, list[str]]:
    """(the report, the problems that make the exit status 1)."""
    d = diagnose(root, verify)
    found = problems(d, strict)
    if as_json:
        return json.dumps({**d, "problems": found}, indent=2), found
    return format_text(d), found
