"""Command line: ``srrepro list | reproduce | prepare | score | download | models | train``.

Every expected failure (unknown id, missing data, corrupt image, bad checkpoint) ends as one line on stderr,
``srrepro: error: …``, saying what is wrong and what to do, with exit status 2.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path


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
    print(f"  module: srrepro/tables/{tables.TABLES[spec.id]}.py; notebook: notebooks/{spec.id}.ipynb")
    for prof, what in spec.profiles.items():
        print(f"  {prof:<6} {what}")
    for c in spec.claims:
        print(f"  claim {c.id}: {c.text}")


def _cmd_models(args) -> None:
    from .models import list_models

    print("\n".join(list_models()))


def _cmd_reproduce(args) -> None:
    from . import tables

    only = None
    if args.only:
        only = {}
        for item in args.only:
            key, _, values = item.partition("=")
            vals = values.split(",")
            only[key] = [float(v) if v.replace(".", "", 1).isdigit() else v for v in vals]
    out = tables.reproduce(args.table, profile=args.profile, data_root=args.data, device=args.device,
                           results_dir=args.results, seeds=args.seeds, dry_run=args.dry_run, only=only)
    if args.dry_run:
        print(f"plan for {args.table} at profile {args.profile}:")
        print(out)
        return
    print(f"wrote {out.csv_path} ({len(out.rows)} rows)")
    for cid, v in out.verdicts.items():
        print(f"  {v.status:<13} {cid}: {v.evidence}")


def _cmd_prepare(args) -> None:
    from PIL import Image

    from . import data
    from .evaluate import make_pair

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    n = 0
    for path in data.dataset_files(args.dataset, args.data):
        hr = data.read_image(path)
        lr, _ = make_pair(hr, args.scale, args.degradation, seed=args.seed)
        Image.fromarray(lr).save(out / f"{path.stem}.png")
        n += 1
    print(f"wrote {n} LR images ({args.dataset} ×{args.scale:g} {args.degradation}) to {out}")


def _match_hr(sr_path: Path, hr_files: dict[str, Path]) -> Path | None:
    stem = sr_path.stem
    if stem in hr_files:
        return hr_files[stem]
    # SR files are often suffixed: baby_x4.png, baby_SR.png, img_001_x4_SR.png
    candidates = [h for h in hr_files if stem.startswith(h + "_")]
    return hr_files[max(candidates, key=len)] if candidates else None


def _cmd_score(args) -> None:
    import pandas as pd

    from . import data
    from .evaluate import hr_crop_shape
    from .metrics import score

    sr_dir, hr_dir = Path(args.sr), Path(args.hr)
    for d, what in ((sr_dir, "--sr"), (hr_dir, "--hr")):
        if not d.is_dir():
            raise data.DatasetMissingError(f"{what} folder {d} does not exist")
    exts = (".png", ".bmp", ".jpg", ".jpeg", ".tif")
    hr_files = {p.stem: p for p in sorted(hr_dir.iterdir()) if p.suffix.lower() in exts}
    rows = []
    for sr_path in sorted(p for p in sr_dir.iterdir() if p.suffix.lower() in exts):
        hr_path = _match_hr(sr_path, hr_files)
        if hr_path is None:
            raise data.DatasetMissingError(f"no HR image in {hr_dir} matches SR file {sr_path.name}")
        sr, hr = data.read_image(sr_path), data.read_image(hr_path)
        (h, w), _ = hr_crop_shape(hr.shape, args.scale)
        hr = hr[:h, :w]
        if sr.shape[:2] != hr.shape[:2]:
            raise ValueError(f"{sr_path.name}: SR is {sr.shape[1]}×{sr.shape[0]} but the mod-cropped HR "
                             f"{hr_path.name} is {hr.shape[1]}×{hr.shape[0]} at ×{args.scale:g}")
        rows.append({"image": hr_path.stem, **score(sr, hr, int(-(-args.scale // 1)), args.y)})
    if not rows:
        raise data.DatasetMissingError(f"no images in {sr_dir}")
    df = pd.DataFrame(rows)
    print(df.to_string(index=False, float_format=lambda v: f"{v:.4f}"))
    print(f"mean over {len(df)} images: PSNR {df.psnr.mean():.3f} dB, SSIM {df.ssim.mean():.4f} "
          f"(Y {args.y}, border {args.scale:g})")
    if args.csv:
        from .provenance import atomic_write_text

        atomic_write_text(args.csv, df.to_csv(index=False))


def _cmd_download(args) -> None:
    from . import data

    for name in args.names:
        n = data.download(name, args.data)
        print(f"{name}: {n} files in place under {data.data_root(args.data, must_exist=False)}")


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="srrepro", description="Reproducibility study of five SR papers.")
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
    s.add_argument("table")
    s.add_argument("--profile", default="lite", help="smoke | lite | paper (default lite)")
    s.add_argument("--data", help="data root (default $SRREPRO_DATA or ./data)")
    s.add_argument("--device", default="auto", help="auto | cpu | cuda | cuda:N | mps")
    s.add_argument("--results", default="results", help="results folder (default results/)")
    s.add_argument("--seeds", type=int, help="repeat each training run with this many seeds")
    s.add_argument("--only", nargs="*", metavar="KEY=V1,V2", help="restrict to some cells, e.g. dataset=Set5")
    s.add_argument("--dry-run", action="store_true", help="print the plan (runs, iterations, time) only")
    s.set_defaults(func=_cmd_reproduce)

    s = sub.add_parser("prepare", help="write LR images of a dataset (MATLAB-exact degradation)")
    s.add_argument("--dataset", required=True)
    s.add_argument("--scale", type=float, required=True)
    s.add_argument("--degradation", default="BI", choices=["BI", "BD", "DN"])
    s.add_argument("--seed", type=int, default=0, help="noise seed for DN")
    s.add_argument("--out", required=True)
    s.add_argument("--data")
    s.set_defaults(func=_cmd_prepare)

    s = sub.add_parser("score", help="score a folder of SR images against HR with the MATLAB protocol")
    s.add_argument("--sr", required=True)
    s.add_argument("--hr", required=True)
    s.add_argument("--scale", type=float, required=True)
    s.add_argument("--y", default="float", choices=["float", "uint8"],
                   help="Y of rgb2ycbcr(im2double) (EDSR/RCAN scripts) or of uint8 (SelfExSR/CARN)")
    s.add_argument("--csv", help="also write per-image scores here")
    s.set_defaults(func=_cmd_score)

    s = sub.add_parser("download", help="fetch datasets / weights from their public sources, with checksums")
    s.add_argument("names", nargs="+", help="Set5 Set14 B100 Urban100 T91 DIV2K_train DIV2K_valid weights niqe")
    s.add_argument("--data", help="data root to fill (default $SRREPRO_DATA or ./data)")
    s.set_defaults(func=_cmd_download)
    return p


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] == "train":  # the training engine has its own parser (also used by torchrun)
        from .train import main as train_main

        return train_main(argv[1:]) or 0
    args = build_parser().parse_args(argv)
    from .errors import SrreproError

    # Expected failures: ours, plus bad values and missing files reported by the libraries we call.
    expected = (SrreproError, ValueError, FileNotFoundError)
    try:
        args.func(args)
    except expected as e:
        print(f"srrepro: error: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("srrepro: interrupted", file=sys.stderr)
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
