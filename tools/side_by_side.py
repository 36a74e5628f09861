"""Units side by side vs one after another: the same table, back to back, on this machine.

Usage: python tools/side_by_side.py overnet_t4 --profile lite --iterations 100 --seeds 1

Runs the table twice from empty model caches (temporary folders, nothing in results/ is touched): once with one
worker (units one after another, one thread each), once with one worker per core (one thread each). Prints both
wall times, their ratio, and whether every unit's numbers are identical (they must be: one thread per unit either
way, and CPU training is bit-identical at a fixed thread count).
"""
import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from srrepro import tables  # noqa: E402
from srrepro.train import cpu_cores  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("table")
    ap.add_argument("--profile", default="lite")
    ap.add_argument("--iterations", type=int)
    ap.add_argument("--seeds", type=int)
    ap.add_argument("--data", default=None)
    args = ap.parse_args()
    walls, rows = {}, {}
    for label, workers in (("one after another", 1), (f"{cpu_cores()} side by side", cpu_cores())):
        with tempfile.TemporaryDirectory() as tmp:
            t0 = time.perf_counter()
            res = tables.reproduce(args.table, args.profile, data_root=args.data, seeds=args.seeds,
                                   iterations=args.iterations, workers=workers, threads=1, write=False,
                                   work_dir=Path(tmp), progress=False)
            walls[label] = time.perf_counter() - t0
            rows[label] = res.rows
        print(f"{label:>20}: {walls[label]:7.1f} s wall ({len(res.rows)} rows)")
    (a, ra), (b, rb) = rows.items()
    cols = [c for c in ("psnr", "ssim", "final_loss") if c in ra]
    same = ra[cols].equals(rb[cols])
    print(f"ratio: {walls[a] / walls[b]:.2f}× faster side by side; per-unit numbers identical: {same}")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
