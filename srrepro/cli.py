"""Command line: ``srrepro list | show | reproduce | prepare | score | download | doctor | models | train``.

Every expected failure (unknown id, missing data, corrupt image, bad checkpoint, bad argument) ends as one line on
stderr, ``srrepro: error: …``, saying what is wrong and what to do, with exit status 2. Arguments are checked
before anything is computed or written: a bad value never leaves a half-written folder or a touched CSV behind.
"""
from __future__ import annotations

import argparse
import json
import math
import os
import signal
import sys
import threading
from pathlib import Path

from .errors import SrreproError, WriteError

# The study uses scales up to ×8 (ASDN: any scale in (1, 8]); ×16 leaves headroom without letting a typo such as
# 1e9 allocate tens of GiB. Below ×1 an "LR" image would be larger than its HR.
MAX_SCALE = 16.0
DEVICES = "auto | cpu | cuda | cuda:N | mps"
DOCTOR_EXIT_RULE = ("exit status 1 when a file is there but wrong (size; sha256 with --verify; an incomplete set; "
                    "images the manifest does not list) or a table cannot run at the smoke or lite profile; what only "
                    "the paper profile needs (DIV2K, unreleased weights) is listed, and counts only with --strict")


class UsageError(SrreproError):
    """A bad command-line value found after parsing (one that needs the registry or the data to judge)."""


class _ExitStatus(Exception):
    """A command's verdict that is not an error (``doctor`` found problems): exit with this status, nothing more."""

    def __init__(self, status: int):
        super().__init__(status)
        self.status = status


class _Parser(argparse.ArgumentParser):
    """argparse with the CLI's one-line errors: no usage block, the prefix ``srrepro: error:``, exit status 2."""

    def error(self, message: str):
        sys.stderr.write(f"srrepro: error: {message} (see `{self.prog} --help`)\n")
        sys.exit(2)


# ------------------------------------------------------------------------------------------ argument types
# argparse reports an ArgumentTypeError as "argument --flag: <message>", so each message names the bad value.
def _scale(text: str) -> float:
    try:
        s = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not math.isfinite(s) or not 1 < s <= MAX_SCALE:
        raise argparse.ArgumentTypeError(f"{text} is not a scale in (1, {MAX_SCALE:g}] (e.g. 2, 3, 4 or 1.5)")
    return s


def _int(text: str, minimum: int, what: str) -> int:
    try:
        n = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if n < minimum:
        raise argparse.ArgumentTypeError(f"{text} is not {what}")
    return n


def _seed(text: str) -> int:
    return _int(text, 0, "a seed (0, 1, 2, …)")


def _count_of(name: str):
    """The argparse type of ``--seeds`` / ``--iterations`` / ``--workers`` / ``--threads``: srrepro.preflight's
    validator of that parameter (the notebooks and tables.reproduce use the same one)."""
    def parse(text: str) -> int:
        from .preflight import ParameterError, check_count

        try:
            return check_count(name, text)
        except ParameterError as e:
            raise argparse.ArgumentTypeError(str(e)) from None

    parse.__name__ = name  # argparse names the type in some messages
    return parse


def _device(text: str) -> str:
    from .preflight import ParameterError, check_device

    try:
        return check_device(text, available=False)
    except ParameterError as e:
        raise argparse.ArgumentTypeError(str(e)) from None


def _slurm_option(text: str) -> tuple[str, object]:
    from .launch import parse_option

    try:
        return parse_option(text)
    except ValueError as e:
        raise argparse.ArgumentTypeError(str(e)) from None


def _only(text: str) -> tuple[str, list[str]]:
    key, eq, values = text.partition("=")
    vals = values.split(",")
    if not eq or not key.strip() or not all(v.strip() for v in vals):
        raise argparse.ArgumentTypeError(f"{text!r} is not KEY=V1,V2 (e.g. dataset=Set5 or scale=2,4)")
    return key.strip(), [v.strip() for v in vals]


def _override(text: str) -> tuple[str, object]:
    """``KEY=JSON`` (a bare word is a string): ``lr=5e-4``, ``model_kwargs={"n_feats":16}``, ``loss=l2``."""
    key, eq, value = text.partition("=")
    if not eq or not key.strip() or not value.strip():
        raise argparse.ArgumentTypeError(f"{text!r} is not KEY=VALUE (e.g. lr=5e-4 or model_kwargs='{{\"n_feats\": 16}}')")
    try:
        return key.strip(), json.loads(value)
    except json.JSONDecodeError:
        return key.strip(), value.strip()


def _first_existing(path: Path) -> Path:
    while not path.exists() and path != path.parent:
        path = path.parent
    return path


def _writable_folder(folder: Path, shown: Path) -> None:
    """``folder``, or the nearest existing folder above it (where it would be created), must be a writable folder."""
    anc = _first_existing(folder)
    if not anc.is_dir():
        raise argparse.ArgumentTypeError(f"{shown}: {anc} is a file, not a folder")
    if not os.access(anc, os.W_OK | os.X_OK):
        raise argparse.ArgumentTypeError(f"{shown}: cannot write in {anc} (permission denied)")


def _out_dir(text: str) -> Path:
    """A folder to write into: an existing folder, or a new one (its parents are created)."""
    p = Path(text).expanduser()
    if p.exists() and not p.is_dir():
        raise argparse.ArgumentTypeError(f"{p} is an existing file, not a folder")
    _writable_folder(p, p)
    return p


def _out_file(text: str) -> Path:
    """A file to (over)write, in a folder that already exists: a typo in the folder is an error, not a new tree."""
    p = Path(text).expanduser()
    if p.is_dir():
        raise argparse.ArgumentTypeError(f"{p} is a folder; give a file name, e.g. {p / 'scores.csv'}")
    if not p.parent.exists():
        raise argparse.ArgumentTypeError(f"folder {p.parent} does not exist")
    _writable_folder(p.parent, p)
    return p


def _results_dir(text: str) -> Path:
    from .provenance import REPO_ROOT

    p = Path(text).expanduser()
    return _out_dir(str(p if p.is_absolute() else REPO_ROOT / p))  # as tables.result_path resolves it


def _check_data(explicit) -> None:
    """An explicit ``--data`` must be an existing folder (the library's message says how to get one)."""
    if explicit is not None:
        from .data import data_root

        data_root(explicit)


def _check_device_available(device: str) -> None:
    from .preflight import ParameterError, check_device

    try:
        check_device(device)
    except ParameterError as e:
        raise UsageError(f"argument --device: {e}") from None


# ------------------------------------------------------------------------------------------ commands


def _cmd_list(args) -> None:
    from . import tables

    if args.ids:  # for scripts (Makefile, CI): bare ids, one per line, no header
        print("\n".join(tables.list_tables()))
        return
    print(f"{'id':<20} {'paper':<8} {'results':<18} title")
    for tid in tables.list_tables():
        spec = tables.get(tid)
        done = [p for p in tables.PROFILES if tables.result_path(tid, p).exists()]
        print(f"{tid:<20} {spec.paper:<8} {' '.join(done) or '-':<18} {spec.title}")


def _cmd_show(args) -> None:
    from . import tables

    spec = tables.get(args.table)
    print(f"{spec.id}: {spec.title}\n  paper: {spec.paper}; source: {spec.source}")
    print(f"  module: {tables.TABLES[spec.id].replace('.', '/')}.py; notebook: notebooks/{spec.id}.ipynb")
    for prof, what in spec.profiles.items():
        print(f"  {prof:<6} {what}")
    for c in spec.claims:
        print(f"  claim {c.id}: {c.text}")


def _cmd_models(args) -> None:
    from .models import list_models

    print("\n".join(list_models()))


def _cmd_reproduce(args) -> None:
    _check_data(args.data)
    from . import tables

    ids = tables.list_tables() if args.all else list(dict.fromkeys(args.table))
    if args.all and args.table:
        raise UsageError("argument --all: every table already; drop the table ids")
    if not ids:
        raise UsageError("give a table id (several, or --all, for one pool of their units); `srrepro list` names them")
    for t in ids:
        tables.get(t)
    if args.gpu_kind and not args.dry_run:
        raise UsageError("argument --gpu-kind: costs a plan (--dry-run); a run uses the GPUs it finds")
    if len(ids) > 1 or args.all or args.gpus or args.units_only:
        if args.set:
            raise UsageError("argument --set: overrides one table's run (give one table id)")
        return _reproduce_many(args, ids)
    args.table = ids[0]
    tables.check_profile(args.profile)
    if args.update and not args.only:
        raise UsageError("argument --update: refreshes the cells chosen by --only (give --only KEY=V1,V2)")
    if args.update and (args.seeds or args.iterations):
        raise UsageError("argument --update: refreshes cells at the profile's own settings (drop --seeds/--iterations)")
    if args.slurm and args.launcher != "slurm":
        raise UsageError("argument --slurm: Slurm options need --launcher slurm")
    if args.launcher == "slurm" and not args.dry_run:
        import shutil

        if shutil.which("sbatch") is None:
            raise UsageError("argument --launcher slurm: Slurm's sbatch is not on PATH (run on the cluster's login "
                             "node, or use --launcher local)")
    elif not args.dry_run:  # a plan may be made for a device this machine lacks (a Slurm job's node has its own)
        _check_device_available(args.device)
    overrides = None
    if args.set:
        overrides = {}
        for key, value in args.set:  # a family's fields given one by one merge
            if isinstance(value, dict) and isinstance(overrides.get(key), dict):
                value = {**overrides[key], **value}
            overrides[key] = value
    only = None
    if args.only:
        only = {}
        for key, vals in args.only:  # a key given twice selects the union of its values
            only.setdefault(key, []).extend(float(v) if v.replace(".", "", 1).isdigit() else v for v in vals)
    # Progress bars only on a terminal: piped or logged, stderr keeps to the one-line error convention.
    if args.dry_run and args.gpu_kind:  # the plan for a GPU kind this machine may not have
        out = tables.plan(args.table, args.profile, gpu=args.gpu_kind, data_root=args.data, device=args.device,
                          seeds=args.seeds, only=only, iterations=args.iterations, workers=args.workers,
                          threads=args.threads)
    else:
        out = tables.reproduce(args.table, profile=args.profile, data_root=args.data, device=args.device,
                               results_dir=args.results, seeds=args.seeds, dry_run=args.dry_run, only=only,
                               iterations=args.iterations, workers=args.workers, threads=args.threads,
                               update=args.update, progress=sys.stderr.isatty(), launcher=args.launcher,
                               slurm=dict(args.slurm or []) or None, overrides=overrides)
    if args.dry_run:
        print(f"plan for {args.table} at profile {args.profile}:")
        print(out)
        return
    print(f"wrote {out.csv_path} ({len(out.rows)} rows)")
    for cid, v in out.verdicts.items():
        print(f"  {v.status:<13} {cid}: {v.evidence}")


def _reproduce_many(args, ids: list[str]) -> None:
    """Several tables (or --all) as one pool of units: each model trained once, longest first, a stage 2 after its
    stage 1; then each table's CSV from the cached models and scores (unless --units-only)."""
    from . import tables

    tables.check_profile(args.profile)
    for flag, given in (("--only", args.only), ("--update", args.update), ("--seeds", args.seeds),
                        ("--iterations", args.iterations)):
        if given:
            raise UsageError(f"argument {flag}: applies to one table; give one table id")
    if args.launcher != "local":
        raise UsageError("argument --launcher: one pool for many tables runs on this machine (--launcher local); "
                         "with Slurm, give one table per call")
    if args.gpus and not args.dry_run:
        raise UsageError("argument --gpus: sizes the plan's schedule (--dry-run); a run uses the GPUs it finds "
                         "(--workers N for fewer)")
    if not args.dry_run:
        _check_device_available(args.device)
    knobs = dict(data_root=args.data, device=args.device, workers=args.workers, threads=args.threads,
                 progress=sys.stderr.isatty())
    if args.dry_run:
        from .book_plan import book_plan

        knobs.pop("progress")
        print(f"plan for {len(ids)} table(s) at profile {args.profile}, one pool:")
        print(book_plan(ids, args.profile, gpus=args.gpus or 1, gpu=args.gpu_kind, **knobs))
        return
    from .pool import run_pool

    run_pool(ids, args.profile, **knobs)
    if args.units_only:
        print(f"trained and scored the units of {len(ids)} table(s); write their CSVs with `srrepro reproduce <id>`")
        return
    for t in ids:
        out = tables.reproduce(t, profile=args.profile, results_dir=args.results, **knobs)
        print(f"wrote {out.csv_path} ({len(out.rows)} rows)")


def _cmd_prepare(args) -> None:
    import shutil
    import tempfile

    if args.degradation != "BI" and not args.scale.is_integer():
        raise UsageError(f"argument --degradation: {args.degradation} is defined for integer scales only "
                         f"(got --scale {args.scale:g}); use BI for fractional scales")
    from . import data

    files = data.dataset_files(args.dataset, args.data)  # unknown dataset, missing data: before anything is written
    from PIL import Image

    from .evaluate import make_pair

    out = args.out
    # Write into a hidden folder beside the target and move it into place at the end, so that a failure half-way
    # (a corrupt image, Ctrl-C) leaves no half-written folder behind.
    try:
        tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".partial", dir=_first_existing(out)))
    except OSError as e:
        raise WriteError(f"cannot write LR images to {out}: {e.strerror or e}") from e
    try:
        for path in files:
            lr, _ = make_pair(data.read_image(path), args.scale, args.degradation, seed=args.seed)
            try:
                Image.fromarray(lr).save(tmp / f"{path.stem}.png")
            except OSError as e:  # a full disk: name the folder asked for, not the hidden one
                raise WriteError(f"cannot write LR images to {out}: {e.strerror or e}") from e
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o777 & ~umask)  # mkdtemp makes it 0700; give it the mode a plain mkdir would
        try:
            if out.is_dir():  # an existing folder: its files of the same names are replaced, others kept
                for f in tmp.iterdir():
                    os.replace(f, out / f.name)
            else:
                out.parent.mkdir(parents=True, exist_ok=True)
                os.replace(tmp, out)
        except OSError as e:
            raise WriteError(f"cannot write LR images to {out}: {e.strerror or e}") from e
    finally:
        if tmp.exists():
            shutil.rmtree(tmp)
    print(f"wrote {len(files)} LR images ({args.dataset} ×{args.scale:g} {args.degradation}) to {out}")


def _match_hr(sr_path: Path, hr_files: dict[str, Path]) -> Path | None:
    stem = sr_path.stem
    if stem in hr_files:
        return hr_files[stem]
    # SR files are often suffixed: baby_x4.png, baby_SR.png, img_001_x4_SR.png
    candidates = [h for h in hr_files if stem.startswith(h + "_")]
    return hr_files[max(candidates, key=len)] if candidates else None


_METRIC_LABELS = {"psnr": "PSNR", "ssim": "SSIM", "lpips": "LPIPS", "niqe": "NIQE"}
_UNAVAILABLE = ("ma", "pi", "nima")  # named so that asking for them gets the reason, not "unknown metric"


def _metrics(text: str) -> list[str]:
    names = [m.strip().lower() for m in text.split(",") if m.strip()]
    bad = [m for m in names if m not in _METRIC_LABELS and m not in _UNAVAILABLE]
    if bad or not names:
        raise argparse.ArgumentTypeError(f"unknown metric {bad[0] if bad else text!r}; choose from "
                                         f"{','.join(_METRIC_LABELS)}")
    return list(dict.fromkeys(names))


def _border(text: str) -> int:
    try:
        n = int(text)
    except ValueError:
        n = -1
    if n < 0:
        raise argparse.ArgumentTypeError(f"--border is a whole number of pixels >= 0, not {text!r}")
    return n


def _image_scores(sr, hr, border: int, args) -> dict[str, float]:
    """The requested metrics of one image, ``border`` pixels shaved off each side for all of them."""
    from .metrics import score

    out: dict[str, float] = {}
    if {"psnr", "ssim"} & set(args.metrics):
        out.update({k: v for k, v in score(sr, hr, border, args.y).items() if k in args.metrics})
    if "lpips" in args.metrics:
        from .perceptual import lpips_distance

        out["lpips"] = lpips_distance(sr, hr, border, root=args.data)
    if "niqe" in args.metrics:
        from .niqe import niqe

        out["niqe"] = niqe(sr, border, root=args.data)
    return {m: out[m] for m in args.metrics}


def _some(names: list[str], what: str = "SR file") -> str:
    """``3 SR files (a.png, b.png, c.png)`` — the first five named."""
    shown = ", ".join(names[:5]) + (", …" if len(names) > 5 else "")
    return f"{len(names)} {what}{'s' if len(names) > 1 else ''} ({shown})"


def _header(path: Path) -> tuple[str, tuple[int, int]]:
    """(PIL mode, (width, height)) from the file's header; a file PIL cannot open is left to read_image's error."""
    from PIL import Image

    try:
        with Image.open(path) as im:
            return im.mode, im.size
    except Exception:
        from . import data

        data.read_image(path)  # raises its one-line ImageReadError
        raise


def _cmd_score(args) -> None:
    import numpy as np
    import pandas as pd

    from . import data
    from .evaluate import hr_crop_shape

    sr_dir, hr_dir = Path(args.sr), Path(args.hr)
    border = int(-(-args.scale // 1)) if args.border is None else args.border
    for m in args.metrics:  # Ma / PI / NIMA: one line saying what is missing, before any image is read
        if m in _UNAVAILABLE:
            from .perceptual import no_reference_score

            no_reference_score(m, None, args.data)
    if "lpips" in args.metrics:  # a missing package or weight file: one line before any image is read
        from .perceptual import lpips_model

        lpips_model(args.data)
    if "niqe" in args.metrics:
        from .niqe import niqe_params

        niqe_params(args.data)
    for d, what in ((sr_dir, "--sr"), (hr_dir, "--hr")):
        if not d.is_dir():
            raise data.DatasetMissingError(f"{what} folder {d} does not exist")
    exts = (".png", ".bmp", ".jpg", ".jpeg", ".tif")
    hr_files = {p.stem: p for p in sorted(hr_dir.iterdir()) if p.suffix.lower() in exts}
    pairs = [(p, _match_hr(p, hr_files)) for p in sorted(p for p in sr_dir.iterdir() if p.suffix.lower() in exts)]
    if not pairs:
        raise data.DatasetMissingError(f"no images in {sr_dir}")
    # Everything that would make the mean wrong or fail half-way, found before any image is scored.
    unmatched = [p.name for p, h in pairs if h is None]
    if unmatched:
        raise data.DatasetMissingError(
            f"{_some(unmatched)} in {sr_dir} without an HR image in {hr_dir} (an SR file matches the HR file of its "
            f"name, or of its name's start up to a '_': baby_x4.png → baby.png)")
    modes = {p: _header(p) for pair in pairs for p in pair}
    grey = [sr.name for sr, hr in pairs if modes[sr][0] in data.GREY_MODES and modes[hr][0] not in data.GREY_MODES]
    if grey and not args.grey_sr:
        raise UsageError(f"{_some(grey)} greyscale against colour HR images: their grey values are not the HR's "
                         f"Y (PSNR several dB off); save the SR images in colour, or pass --grey-sr if the grey "
                         f"values are the images' luma (as a colour image saved in grey is)")
    need = 11 if "ssim" in args.metrics else 1  # SSIM's Gaussian window is 11×11
    side = {hr: min(hr_crop_shape(modes[hr][1][::-1], args.scale)[0]) for _, hr in pairs}  # mod-cropped short side
    small = sorted({hr for _, hr in pairs if side[hr] - 2 * border < need}, key=side.get)
    if small:
        hr, more = small[0], f" and {len(small) - 1} more" if len(small) > 1 else ""
        raise UsageError(f"argument --border: {border} pixels off each side leave less than {need}×{need} of "
                         f"{hr.name} (short side {side[hr]} px after the ×{args.scale:g} mod-crop){more}; give a "
                         f"border of at most {max(0, (side[hr] - need) // 2)}")
    rows = []
    for sr_path, hr_path in pairs:
        sr, hr = data.read_image(sr_path), data.read_image(hr_path)
        (h, w), _ = hr_crop_shape(hr.shape, args.scale)
        hr = hr[:h, :w]
        if sr.shape[:2] != hr.shape[:2]:
            raise ValueError(f"{sr_path.name}: SR is {sr.shape[1]}×{sr.shape[0]} but the mod-cropped HR "
                             f"{hr_path.name} is {hr.shape[1]}×{hr.shape[0]} at ×{args.scale:g}")
        if sr.ndim == 2 and hr.ndim == 3:  # --grey-sr: luma g stands for R = G = B = g, whose Y is 16 + 219 g / 255
            sr = np.repeat(sr[..., None], 3, axis=2)
        rows.append({"image": hr_path.stem, **_image_scores(sr, hr, border, args)})
    unscored = sorted(set(hr_files) - {hr.stem for _, hr in pairs})
    if unscored:
        print(f"srrepro: note: {_some(unscored, 'HR image')} in {hr_dir} without an SR image: the means are over "
              f"the {len(rows)} scored", file=sys.stderr)
    df = pd.DataFrame(rows)
    print(df.to_string(index=False, float_format=lambda v: f"{v:.4f}"))
    means = ", ".join(f"{_METRIC_LABELS[m]} {df[m].mean():.{3 if m == 'psnr' else 4}f}{' dB' if m == 'psnr' else ''}"
                      for m in args.metrics)
    print(f"mean over {len(df)} images: {means} (Y {args.y}, border {border})")
    if args.csv:
        from .provenance import atomic_write_text

        atomic_write_text(args.csv, df.to_csv(index=False))


def _cmd_download(args) -> None:
    from . import data

    for name in args.names:  # every name is checked before the data root is created or anything fetched
        if name in data.EXTRA_GROUPS or name in data.TORCHVISION_FILES:
            continue
        if name not in data.DATASETS:
            raise data.UnknownDatasetError(f"unknown download {name!r}; valid: "
                                           f"{', '.join([*data.DATASETS, *data.EXTRA_GROUPS, *data.TORCHVISION_FILES])}")
        ds = data.DATASETS[name]
        if ds.note and not ds.archives:
            raise data.DatasetMissingError(ds.note)
    for name in args.names:
        n = data.download(name, args.data)
        print(f"{name}: {n} files in place under {data.data_root(args.data, must_exist=False)}")


def _cmd_doctor(args) -> None:
    from .data import data_root

    data_root(args.data)  # a missing root is the one error (before the slower imports of the registries)
    from . import doctor

    report, found = doctor.main(args.data, verify=args.verify, as_json=args.json, strict=args.strict)
    print(report)
    if found:
        more = f" (and {len(found) - 3} more)" if len(found) > 3 else ""
        print(f"srrepro: doctor: {len(found)} problem(s): {'; '.join(found[:3])}{more}", file=sys.stderr)
        raise _ExitStatus(1)


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(prog="srrepro", description="Reproducibility study of five SR papers.")
    sub = p.add_subparsers(dest="command", required=True)

    s = sub.add_parser("list", help="every table id")
    s.add_argument("--ids", action="store_true", help="bare ids, one per line (for scripts)")
    s.set_defaults(func=_cmd_list)
    s = sub.add_parser("show", help="what a table is: source, profiles, claims")
    s.add_argument("table")
    s.set_defaults(func=_cmd_show)
    s = sub.add_parser("models", help="every registered model")
    s.set_defaults(func=_cmd_models)

    s = sub.add_parser("reproduce", help="compute a table and write results/<profile>/<id>.csv")
    s.add_argument("table", nargs="*", help="table id(s); several (or --all) run as one pool of their units")
    s.add_argument("--all", action="store_true", help="every table, as one pool (each model once)")
    s.add_argument("--gpus", type=_count_of("gpus"), help="with --dry-run: the makespan and GPU use on this many GPUs")
    s.add_argument("--gpu-kind", choices=("h100", "a100", "v100"),
                   help="with --dry-run at the paper profile: the GPU the hours are for (default: this machine's "
                        "CUDA device, timed; else a100); its assumed throughput is in the plan's notes")
    s.add_argument("--units-only", action="store_true",
                   help="train and score the tables' units in one pool, write no CSV (make reproduce-all)")
    s.add_argument("--profile", default="lite", help="smoke | lite | paper (default lite)")
    s.add_argument("--data", help="data root (default $SRREPRO_DATA or ./data)")
    s.add_argument("--device", default="auto", type=_device, help=DEVICES)
    s.add_argument("--results", default="results", type=_results_dir,
                   help="results folder (default results/; a relative path is taken from the checkout's root)")
    s.add_argument("--seeds", type=_count_of("seeds"), help="repeat each training run with this many seeds")
    s.add_argument("--only", nargs="*", type=_only, metavar="KEY=V1,V2",
                   help="restrict to some cells, e.g. dataset=Set5")
    s.add_argument("--iterations", type=_count_of("iterations"), help="train every model this many iterations (a tweak: the rows go "
                                                    "to results/custom/)")
    s.add_argument("--set", nargs="*", type=_override, metavar="KEY=JSON",
                   help="override a grid key or a training field (a tweak, srrepro.overrides), e.g. lr=5e-4 "
                        "'model_kwargs={\"n_feats\": 16}' 'pcarn_gan={\"loss\": \"1*vgg+1e-2*gan\"}'")
    s.add_argument("--workers", type=_count_of("workers"), help="units side by side (default: one per CPU core or GPU)")
    s.add_argument("--threads", type=_count_of("threads"), help="CPU threads per unit (default 1: bit-identical to the committed "
                                                 "results whatever runs beside it)")
    s.add_argument("--update", action="store_true", help="with --only: refresh those cells in the profile's own "
                                                         "CSV instead of writing results/custom/")
    s.add_argument("--launcher", default="local", choices=("local", "slurm", "submitit-local"),
                   help="local: units side by side on this machine (default); slurm: one Slurm job per unit "
                        "(submitit, sharing runs/); submitit-local: the slurm path without Slurm (for tests)")
    s.add_argument("--slurm", nargs="*", type=_slurm_option, metavar="KEY=VALUE",
                   help="Slurm job options, e.g. partition=gpu timeout_min=2880 gpus_per_node=1 cpus_per_task=8")
    s.add_argument("--dry-run", action="store_true", help="print the plan (runs, iterations, time) only")
    s.set_defaults(func=_cmd_reproduce)

    s = sub.add_parser("prepare", help="write LR images of a dataset (MATLAB-exact degradation)")
    s.add_argument("--dataset", required=True)
    s.add_argument("--scale", type=_scale, required=True, help=f"in (1, {MAX_SCALE:g}]; BD and DN: integers only")
    s.add_argument("--degradation", default="BI", choices=["BI", "BD", "DN"])
    s.add_argument("--seed", type=_seed, default=0, help="noise seed for DN")
    s.add_argument("--out", type=_out_dir, required=True, help="folder for the LR images (created if absent)")
    s.add_argument("--data", help="data root (default $SRREPRO_DATA or ./data)")
    s.set_defaults(func=_cmd_prepare)

    s = sub.add_parser("score", help="score a folder of SR images against HR with the MATLAB protocol")
    s.add_argument("--sr", required=True)
    s.add_argument("--hr", required=True)
    s.add_argument("--scale", type=_scale, required=True, help=f"in (1, {MAX_SCALE:g}]")
    s.add_argument("--y", default="float", choices=["float", "uint8"],
                   help="Y of rgb2ycbcr(im2double) (EDSR/RCAN scripts) or of uint8 (SelfExSR/CARN)")
    s.add_argument("--metrics", type=_metrics, default=["psnr", "ssim"],
                   help="comma-separated, from psnr,ssim,lpips,niqe (default psnr,ssim); lpips: AlexNet v0.1 on RGB, "
                        "niqe: no-reference, of the SR image (ma, pi, nima: not available, says why)")
    s.add_argument("--border", type=_border, default=None,
                   help="pixels shaved off each side before every metric (default ⌈scale⌉; 0: the whole image)")
    s.add_argument("--data", help="data root for the LPIPS / NIQE weights (default $SRREPRO_DATA or ./data)")
    s.add_argument("--csv", type=_out_file, help="also write per-image scores here (its folder must exist)")
    s.add_argument("--grey-sr", action="store_true",
                   help="score greyscale SR images against colour HR ones, taking each grey value as the image's luma "
                        "(R = G = B); without it such a pair is refused")
    s.set_defaults(func=_cmd_score)

    s = sub.add_parser("download", help="fetch datasets / weights from their public sources, with checksums")
    s.add_argument("names", nargs="+", help="Set5 Set14 B100 Urban100 T91 DIV2K_train DIV2K_valid weights niqe lpips "
                                                  "vgg19 vgg16")
    s.add_argument("--data", type=_out_dir, help="data root to fill (default $SRREPRO_DATA or ./data)")
    s.set_defaults(func=_cmd_download)

    s = sub.add_parser("doctor", help="what the data root holds, what is missing and where from, what can run",
                       description=f"What the data root holds, what is missing and where from, what can run; "
                                   f"{DOCTOR_EXIT_RULE}.")
    s.add_argument("--data", help="data root (default $SRREPRO_DATA or ./data)")
    s.add_argument("--verify", action="store_true", help="also check sha256 / pixel hashes (slow)")
    s.add_argument("--strict", action="store_true", help="exit 1 also when a table cannot run at the paper profile")
    s.add_argument("--json", action="store_true", help="machine-readable output (with the exit status's \"problems\")")
    s.set_defaults(func=_cmd_doctor)
    return p


def main(argv: list[str] | None = None) -> int:
    try:
        return _main(argv)
    finally:
        if argv is None:  # run as `srrepro …` / `python -m srrepro …`, not called by a test or a script
            _exit_at_once_on_interrupt()


def _main(argv: list[str] | None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] == "train":  # the training engine has its own parser (also used by torchrun)
        from .train import main as train_main

        return train_main(argv[1:]) or 0
    args = build_parser().parse_args(argv)
    # Expected failures: ours, plus bad values and missing files reported by the libraries we call.
    expected = (SrreproError, ValueError, FileNotFoundError)
    # A stop (kill, a scheduler's preemption) ends like Ctrl-C: training saves its checkpoint at the end of its
    # iteration, worker pools are stopped, nothing is half-written.
    sigterm = _set_signal(signal.SIGTERM, signal.default_int_handler)
    try:
        args.func(args)
    except _ExitStatus as e:
        return e.status
    except expected as e:
        print(f"srrepro: error: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("srrepro: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # `srrepro doctor | head`: the reader left; say nothing more
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    except OSError as e:  # a full disk, a read-only or forbidden folder where some library wrote: one line too
        where = f"{e.filename}: " if e.filename else ""
        print(f"srrepro: error: {where}{e.strerror or e}", file=sys.stderr)
        return 2
    finally:
        _set_signal(signal.SIGTERM, sigterm)
    return 0


def _set_signal(sig: int, handler):
    """``signal.signal`` where Python can set it (the main thread, a Python-level handler); returns the previous one."""
    if handler is None or threading.current_thread() is not threading.main_thread():
        return None
    return signal.signal(sig, handler)


def _exit_at_once_on_interrupt() -> None:
    """After the command: a Ctrl-C or SIGTERM during the interpreter's shutdown (threads joined, atexit handlers)
    would end in a traceback from an atexit callback and exit status 0; exit 130 with one line instead."""
    def now(signum, frame):
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except (OSError, ValueError):
                pass
        os.write(2, b"srrepro: interrupted\n")
        os._exit(130)

    for sig in (signal.SIGINT, signal.SIGTERM):
        _set_signal(sig, now)


if __name__ == "__main__":
    sys.exit(main())
