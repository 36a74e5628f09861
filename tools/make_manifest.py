"""Regenerate srrepro/manifest.tsv (file + pixel checksums and public URLs) from a verified local mirror.

Usage: python tools/make_manifest.py ../shared/data
The pixel checksum (sha256 of the decoded uint8 pixels, shape and mode) lets the downloader accept a file that
was re-encoded or renamed upstream (T91 ships as BMP, B100 as img_NNN_SRF_3_HR.png) as long as its pixels match.
Width, height and mode of each image are what `srrepro reproduce` checks before a run (srrepro/preflight.py).
"""
import csv
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from srrepro.data import pixel_sha256  # noqa: E402

root = Path(sys.argv[1])
rows = list(csv.DictReader(open(root / "MANIFEST.tsv"), delimiter="\t"))
out = Path(__file__).resolve().parents[1] / "srrepro" / "manifest.tsv"
with open(out, "w", newline="") as f:
    w = csv.writer(f, delimiter="\t", lineterminator="\n")
    w.writerow(["path", "bytes", "sha256", "pixel_sha256", "width", "height", "mode", "source"])
    for r in rows:
        p = root / r["path"]
        pix = pixel_sha256(p) if p.suffix == ".png" else ""
        w.writerow([r["path"], r["bytes"], r["sha256"], pix, r["width"], r["height"], r["mode"], r["source"]])
print(f"wrote {out} ({len(rows)} files)")
