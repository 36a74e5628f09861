"""The CUDA paths of the study, exercised in one short run: `make gpu-check` (on a CUDA machine, a few minutes).

Usage: python tools/gpu_check.py [--device auto|cuda|cpu] [--out DIR] [--data DIR] [--iterations N]

Checks, each one CSV row (check, status, value, threshold, unit, seconds, note + machine provenance), printed and
written as it finishes (the CSV and the .md summary are rewritten atomically after every row, so a run cut short
keeps what it measured):

* ``train_fp32`` the reference run (the existing ``srrepro.train.train``, amp none, contiguous); then
  ``train_fp32_repeat``, ``train_bf16``, ``train_fp16``, ``train_channels_last``, ``train_bf16_channels_last`` (the
  CUDA default): the same seed and batches, the loss over the last half of training within a relative threshold of
  the reference (``loss_parity``). On CPU the repeat must give bit-identical weights and channels_last (opt-in on
  CPU, ``channels_last=True``) is compared like on CUDA; autocast rows are "skipped: no CUDA".
* ``ddp_2proc``: 2 processes under torchrun (nccl with one GPU each where there are two, gloo on one shared GPU,
  gloo on CPU), a few iterations, then every rank's state-dict hash; pass when all ranks hold identical weights.
* ``carn_m_cuda_vs_cpu`` (and ``…_no_tf32``): the official CARN-M weights on Set5 ×2/×3/×4 on CUDA and on CPU;
  the largest gap of a dataset-mean PSNR within 0.001 dB. On CPU: ``carn_m_cpu_vs_committed`` compares with
  ``results/lite/official_weights.csv`` (whole image, MATLAB float Y).
* ``tile_vs_whole``: tiled inference (``srrepro.evaluate.super_resolve(tile=…)``) against whole-image, within
  1e-4 dB.
* ``throughput/…``: training iterations/s (and peak GPU memory) of each run, inference megapixels/s.

Results: ``results/gpu_check/<UTC date>-<gpu name>.csv`` and ``.md`` on CUDA; a CPU run writes to a temporary
folder unless ``--out`` is given (CPU runs are tests, not measurements to commit).
"""
from __future__ import annotations

import argparse
import csv
import datetime as dt
import hashlib
import io
import json
import math
import os
import re
import subprocess
import sys
import tempfile
import time
import traceback
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import numpy as np  # noqa: E402
import torch  # noqa: E402

from srrepro.provenance import atomic_write_text, git_state, machine  # noqa: E402

FIELDS = ["check", "status", "value", "threshold", "unit", "seconds", "note", "device", "gpu", "cuda", "cudnn",
          "torch", "commit", "dirty", "machine", "utc"]
# relative loss gaps over the last half of training allowed against the fp32 reference
THRESHOLDS = {"repeat_cuda": 0.005, "channels_last": 0.005, "bf16": 0.02, "fp16": 0.02, "inference_db": 0.001,
              "tile_db": 1e-4}
PRESETS = {  # the small model and run length per device: < 4 min for everything on one H200, seconds on CPU
    "cuda": dict(model="edsr_baseline", model_kwargs={}, lr_patch=48, batch_size=16, iterations=400, ddp_iterations=40),
    "cpu": dict(model="edsr_baseline", model_kwargs={"n_feats": 16, "n_resblocks": 2}, lr_patch=16, batch_size=4,
                iterations=8, ddp_iterations=3),
}


# ----------------------------------------------------------------------------------------------- comparisons
def loss_parity(reference: list[float], other: list[float], rel_tol: float) -> tuple[float, bool]:
    """(relative gap, ok): |mean(other) − mean(reference)| / mean(reference) over the last half of the logged
    losses (both runs log the same steps); ok when the gap is at most ``rel_tol`` (0: exactly equal)."""
    if len(reference) != len(other) or not reference:
        raise ValueError(f"loss curves differ in length ({len(reference)} vs {len(other)})")
    tail = slice(len(reference) // 2, None)
    a, b = float(np.mean(reference[tail])), float(np.mean(other[tail]))
    if not (math.isfinite(a) and math.isfinite(b)):
        return float("inf"), False
    gap = abs(b - a) / abs(a) if a else abs(b - a)
    return gap, gap <= rel_tol


def ranks_agree(hashes: dict[int, str], world: int) -> tuple[int, bool]:
    """(distinct weight hashes, ok): ok when every one of the ``world`` ranks reported and all hashes are equal."""
    distinct = len(set(hashes.values()))
    return distinct, sorted(hashes) == list(range(world)) and distinct == 1


def psnr_gap(a: dict, b: dict, tol: float) -> tuple[float, bool]:
    """(largest |Δ| of dataset-mean PSNR over the common keys, ok): ``a``, ``b`` map (dataset, scale) → mean dB."""
    keys = sorted(set(a) & set(b))
    if not keys:
        raise ValueError("no (dataset, scale) in common")
    gap = max(abs(a[k] - b[k]) for k in keys)
    return gap, gap <= tol


def state_hash(state_dict: dict) -> str:
    """sha256 over every tensor's name, dtype, shape and bytes, in key order."""
    h = hashlib.sha256()
    for k in sorted(state_dict):
        t = state_dict[k].detach().cpu().contiguous()
        h.update(f"{k}|{t.dtype}|{tuple(t.shape)}|".encode())
        h.update(t.reshape(-1).view(torch.uint8).numpy().tobytes() if t.numel() else b"")
    return h.hexdigest()


# ----------------------------------------------------------------------------------------------- the report
class Report:
    """Rows in memory; after every row the CSV and the Markdown summary are rewritten atomically."""

    def __init__(self, out_dir: Path, device: torch.device, stem: str | None = None):
        self.rows: list[dict] = []
        on_cuda = device.type == "cuda"
        gpu = torch.cuda.get_device_name(device) if on_cuda else "none"
        commit, dirty = git_state()
        now = dt.datetime.now(dt.timezone.utc)
        self.prov = {"device": str(device), "gpu": gpu, "cuda": torch.version.cuda or "none",
                     "cudnn": str(torch.backends.cudnn.version()) if on_cuda else "none", "torch": torch.__version__,
                     "commit": commit, "dirty": dirty, "machine": machine(), "utc": now.strftime("%Y-%m-%dT%H:%M:%SZ")}
        slug = re.sub(r"[^A-Za-z0-9]+", "-", gpu if on_cuda else "cpu").strip("-").lower()
        stem = stem or f"{now:%Y-%m-%d}-{slug}"
        self.csv, self.md = out_dir / f"{stem}.csv", out_dir / f"{stem}.md"

    def add(self, check: str, status: str, value=None, threshold=None, unit: str = "", seconds: float = 0.0,
            note: str = "") -> dict:
        row = {"check": check, "status": status, "value": _fmt(value), "threshold": _fmt(threshold), "unit": unit,
               "seconds": f"{seconds:.1f}", "note": note, **self.prov}
        self.rows.append(row)
        print(f"{check:28s} {status:28s} {row['value']:>12s} {unit:8s} (threshold {row['threshold'] or '-'}) "
              f"{row['seconds']} s  {note}", flush=True)
        self.write()
        return row

    def write(self) -> None:
        buf = io.StringIO()
        w = csv.DictWriter(buf, FIELDS, lineterminator="\n")
        w.writeheader()
        w.writerows(self.rows)
        atomic_write_text(self.csv, buf.getvalue())
        atomic_write_text(self.md, self.markdown())

    def markdown(self) -> str:
        p = self.prov
        checks = [r for r in self.rows if not r["check"].startswith("throughput/")]
        speed = [r for r in self.rows if r["check"].startswith("throughput/")]
        failed = sum(r["status"] == "fail" for r in checks)
        lines = [f"# GPU check {p['utc']}", "",
                 f"{p['gpu']} · CUDA {p['cuda']} · cuDNN {p['cudnn']} · torch {p['torch']} · commit {p['commit']}"
                 f"{' (dirty)' if p['dirty'] else ''} · {p['machine']}", "",
                 f"{len(checks)} checks: {sum(r['status'] == 'pass' for r in checks)} pass, {failed} fail, "
                 f"{sum(r['status'].startswith('skipped') for r in checks)} skipped.", "",
                 "| check | status | value | threshold | unit | s | note |", "|---|---|---|---|---|---|---|"]
        lines += [f"| {r['check']} | {r['status']} | {r['value']} | {r['threshold']} | {r['unit']} | {r['seconds']} "
                  f"| {r['note']} |" for r in checks]
        if speed:
            lines += ["", "Throughput", "", "| what | value | unit | note |", "|---|---|---|---|"]
            lines += [f"| {r['check'][11:]} | {r['value']} | {r['unit']} | {r['note']} |" for r in speed]
        return "\n".join(lines) + "\n"


def _fmt(v) -> str:
    if v is None or v == "":
        return ""
    if isinstance(v, float):
        return f"{v:.6g}"
    return str(v)


def _run_check(report: Report, name: str, fn) -> None:
    """Run one check; an exception is that check's failure (with its last line), never the end of the run."""
    t0 = time.perf_counter()
    try:
        fn(t0)
    except Exception as e:  # noqa: BLE001 - one broken check must not hide the others
        tb = traceback.format_exc().strip().splitlines()
        report.add(name, "fail", seconds=time.perf_counter() - t0, note=f"{type(e).__name__}: {e}"[:300])
        print("\n".join(tb[-6:]), file=sys.stderr)


# ----------------------------------------------------------------------------------------------- training runs
def training_images(root, n: int = 24, side: int = 96) -> tuple[list, str]:
    """T91 from the data root if there, else seeded synthetic images (sums of oriented sinusoids: learnable)."""
    try:
        from srrepro.data import load_images

        imgs = load_images("T91", root)
        if imgs:
            return imgs, "T91"
    except Exception:  # noqa: BLE001 - no data root: synthetic images serve the comparisons as well
        pass
    rng = np.random.default_rng(0)
    yy, xx = np.mgrid[0:side, 0:side] / side
    out = []
    for i in range(n):
        img = np.zeros((side, side, 3))
        for _ in range(6):
            f, th, ph = rng.uniform(2, 24), rng.uniform(0, np.pi), rng.uniform(0, 2 * np.pi)
            img += rng.uniform(0.2, 1.0, 3) * np.sin(2 * np.pi * f * (xx * np.cos(th) + yy * np.sin(th)) + ph)[..., None]
        img = (img - img.min()) / (np.ptp(img) + 1e-9)
        out.append((f"synthetic{i}", (img * 255).round().astype(np.uint8)))
    return out, "synthetic"


def _config(preset: dict, device: str, **kw):
    from srrepro.train import TrainConfig

    base = dict(model=preset["model"], model_kwargs=preset["model_kwargs"], scales=(2,), lr_patch=preset["lr_patch"],
                batch_size=preset["batch_size"], iterations=preset["iterations"], lr=2e-4, seed=0,
                log_every=max(1, preset["iterations"] // 20), validate_every=0, checkpoint_every=0, device=device)
    base.update(kw)
    return TrainConfig(**base)


def _train(cfg, images, work: Path, name: str) -> dict:
    from srrepro.train import train

    dev = torch.device(cfg.device)
    if dev.type == "cuda":
        torch.cuda.reset_peak_memory_stats(dev)
    result = train(cfg, work / name, progress=False, images=images)
    return {"losses": [float(v) for v in result.curve["loss"]], "hash": state_hash(result.model.state_dict()),
            "it_per_s": result.iterations / max(result.wall_seconds, 1e-9),
            "peak_gib": torch.cuda.max_memory_allocated(dev) / 2**30 if dev.type == "cuda" else None}


def training_checks(report: Report, device: torch.device, preset: dict, images, source: str, work: Path) -> None:
    on_cuda = device.type == "cuda"
    dev = str(device)
    runs = {}

    def throughput(name, run, t0):
        extra = f", peak {run['peak_gib']:.2f} GiB" if run["peak_gib"] is not None else ""
        report.add(f"throughput/train_{name}", "pass", run["it_per_s"], None, "it/s", time.perf_counter() - t0,
                   f"{preset['model']} batch {preset['batch_size']} × {preset['lr_patch']}² LR at ×2{extra}")

    def reference(t0):
        runs["fp32"] = _train(_config(preset, dev, amp="none", channels_last=False), images, work, "fp32")
        losses = runs["fp32"]["losses"]
        ok = all(math.isfinite(v) for v in losses) and (losses[-1] < losses[0] or not on_cuda)
        report.add("train_fp32", "pass" if ok else "fail", losses[-1], None, "L1", time.perf_counter() - t0,
                   f"{preset['iterations']} it on {source}; loss {losses[0]:.4g} → {losses[-1]:.4g} "
                   f"({'must fall' if on_cuda else 'finite'})")
        throughput("fp32", runs["fp32"], t0)

    if on_cuda:  # CUDA context, cuDNN and allocator warm-up, so that the first run's throughput is comparable
        try:
            _train(_config(preset, dev, iterations=10, log_every=5), images, work, "warmup")
        except Exception:  # noqa: BLE001 - the reference run below reports what is wrong
            pass
    _run_check(report, "train_fp32", reference)
    variants = [  # (name, config changes, threshold, CUDA only)
        ("fp32_repeat", dict(amp="none", channels_last=False), THRESHOLDS["repeat_cuda"] if on_cuda else 0.0, False),
        ("channels_last", dict(amp="none", channels_last=True), THRESHOLDS["channels_last"], False),
        ("bf16", dict(amp="bf16", channels_last=False), THRESHOLDS["bf16"], True),
        ("fp16", dict(amp="fp16", channels_last=False), THRESHOLDS["fp16"], True),
        ("bf16_channels_last", dict(amp="bf16", channels_last="auto"), THRESHOLDS["bf16"], True),
    ]
    for name, changes, tol, cuda_only in variants:
        def one(t0, name=name, changes=changes, tol=tol):
            if "fp32" not in runs:
                report.add(f"train_{name}", "skipped: no fp32 reference", seconds=0.0)
                return
            run = runs[name] = _train(_config(preset, dev, **changes), images, work, name)
            gap, ok = loss_parity(runs["fp32"]["losses"], run["losses"], tol)
            note = f"vs fp32 over the last half; {', '.join(f'{k}={v}' for k, v in changes.items())}"
            if not on_cuda and name == "fp32_repeat":  # the CPU promise: bit-identical weights
                ok = ok and run["hash"] == runs["fp32"]["hash"]
                note += f"; weights {'bit-identical' if run['hash'] == runs['fp32']['hash'] else 'DIFFER'}"
            if not on_cuda and name == "channels_last":
                same = run["hash"] == runs["fp32"]["hash"]
                note += f"; weights {'bit-identical' if same else 'not bit-identical'} to contiguous (expected: not)"
            report.add(f"train_{name}", "pass" if ok else "fail", gap, tol, "rel. loss", time.perf_counter() - t0, note)
            throughput(name, run, t0)

        if cuda_only and not on_cuda:
            report.add(f"train_{name}", "skipped: no CUDA")
        else:
            _run_check(report, f"train_{name}", one)


# ----------------------------------------------------------------------------------------------- DDP
def ddp_check(report: Report, device: torch.device, preset: dict, root, work: Path, timeout: int = 300) -> None:
    def run(t0):
        on_cuda = device.type == "cuda"
        gpus = torch.cuda.device_count() if on_cuda else 0
        world = 2
        if on_cuda and gpus >= world:
            dev, backend, where = "cuda", "", f"nccl, {world} GPUs"
        elif on_cuda:
            dev, backend, where = f"cuda:{device.index or 0}", "gloo", "gloo, 2 processes on one GPU"
        else:
            dev, backend, where = "cpu", "", "gloo on CPU"
        cfg = dict(model=preset["model"], model_kwargs=preset["model_kwargs"], scales=[2], lr_patch=preset["lr_patch"],
                   batch_size=preset["batch_size"], iterations=preset["ddp_iterations"], lr=2e-4, seed=0,
                   log_every=1, validate_every=0, checkpoint_every=0, device=dev)
        out = work / "ddp"
        out.mkdir(parents=True, exist_ok=True)
        job = {"config": cfg, "out": str(out), "backend": backend, "root": None if root is None else str(root)}
        cmd = [sys.executable, "-m", "torch.distributed.run", "--standalone", f"--nproc-per-node={world}",
               str(Path(__file__).resolve()), "--ddp-worker", json.dumps(job)]
        env = {**os.environ, "OMP_NUM_THREADS": "1"}
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=env)
        hashes = {}
        for f in out.glob("rank*.json"):
            r = json.loads(f.read_text())
            hashes[int(r["rank"])] = r["hash"]
        distinct, ok = ranks_agree(hashes, world)
        ok = ok and proc.returncode == 0
        note = f"{where}; {len(hashes)}/{world} ranks reported, {distinct} distinct weight hash(es)"
        if proc.returncode != 0:
            note += f"; torchrun exit {proc.returncode}: {proc.stderr.strip().splitlines()[-1][:200] if proc.stderr.strip() else ''}"
            print(proc.stderr[-3000:], file=sys.stderr)
        report.add("ddp_2proc", "pass" if ok else "fail", distinct, 1, "hashes", time.perf_counter() - t0, note)

    _run_check(report, "ddp_2proc", run)


def ddp_worker(job_json: str) -> int:
    """One torchrun process: (own gloo group for 2 ranks on one GPU), train, write this rank's weight hash."""
    import torch.distributed as dist

    from srrepro.train import TrainConfig, train

    job = json.loads(job_json)
    rank = int(os.environ["RANK"])
    if job["backend"]:  # NCCL refuses two ranks on one GPU: gloo over CUDA tensors, a group train() uses as is
        dist.init_process_group(job["backend"])
    images, _ = training_images(job["root"])
    result = train(TrainConfig(**job["config"]), Path(job["out"]) / "run", progress=False, images=images)
    Path(job["out"], f"rank{rank}.json").write_text(json.dumps({"rank": rank, "hash": state_hash(
        result.model.state_dict()), "device": str(next(result.model.parameters()).device)}))
    if job["backend"]:
        dist.destroy_process_group()
    return 0


# ----------------------------------------------------------------------------------------------- inference
def _carn_means(model, device, root, cells, limit=None) -> dict:
    from srrepro.evaluate import evaluate

    return {(d, s): float(evaluate(model, d, s, device=str(device), root=root, limit=limit, tile=0).psnr.mean())
            for d, s in cells}


def committed_reference(cells) -> dict:
    """(dataset, scale) → PSNR of the official CARN-M weights in results/lite/official_weights.csv (whole, float Y)."""
    import pandas as pd

    path = REPO / "results" / "lite" / "official_weights.csv"
    if not path.exists():
        return {}
    df = pd.read_csv(path)
    df = df[(df.weights == "carn_m") & (df.variant == "whole") & (df.protocol == "matlab_float_y")
            & (~df.self_ensemble.astype(bool))]
    return {(r.dataset, float(r.scale)): float(r.psnr) for r in df.itertuples() if (r.dataset, float(r.scale)) in cells}


def inference_checks(report: Report, device: torch.device, root, cells) -> None:
    from srrepro.weights import load_official

    on_cuda = device.type == "cuda"
    cells = [(d, float(s)) for d, s in cells]
    try:
        cpu_model = load_official("carn_m", root)
    except Exception as e:  # noqa: BLE001
        why = f"skipped: no CARN-M weights ({type(e).__name__})"
        names = ("carn_m_cuda_vs_cpu", "carn_m_cuda_vs_cpu_no_tf32") if on_cuda else ("carn_m_cpu_vs_committed",)
        for name in (*names, "tile_vs_whole", "throughput/carn_m"):
            report.add(name, why, note=str(e)[:200])
        return
    cpu = {}

    def cpu_scores():
        if not cpu:
            cpu.update(_carn_means(cpu_model, "cpu", root, cells))
        return cpu

    if on_cuda:
        gpu_model = load_official("carn_m", root, device=device)
        for name, tf32 in (("carn_m_cuda_vs_cpu", None), ("carn_m_cuda_vs_cpu_no_tf32", False)):
            def one(t0, tf32=tf32, name=name):
                saved = torch.backends.cudnn.allow_tf32
                try:
                    if tf32 is not None:
                        torch.backends.cudnn.allow_tf32 = tf32
                    gpu = _carn_means(gpu_model, device, root, cells)
                finally:
                    torch.backends.cudnn.allow_tf32 = saved
                gap, ok = psnr_gap(cpu_scores(), gpu, THRESHOLDS["inference_db"])
                note = "; ".join(f"{d} ×{s:g} {gpu[(d, s)]:.4f}" for d, s in cells)
                mode = "cuDNN TF32 off" if tf32 is False else f"defaults (cuDNN TF32 {'on' if saved else 'off'})"
                report.add(name, "pass" if ok else "fail", gap, THRESHOLDS["inference_db"], "dB",
                           time.perf_counter() - t0, f"{mode}: {note}")
            _run_check(report, name, one)
    else:
        def vs_committed(t0):
            ref = committed_reference(set(cells))
            if not ref:
                report.add("carn_m_cpu_vs_committed", "skipped: no committed reference", seconds=0.0)
                return
            got = cpu_scores()
            gap, ok = psnr_gap(ref, got, THRESHOLDS["inference_db"])
            report.add("carn_m_cpu_vs_committed", "pass" if ok else "fail", gap, THRESHOLDS["inference_db"], "dB",
                       time.perf_counter() - t0, "; ".join(f"{d} ×{s:g} {got[(d, s)]:.4f}" for d, s in sorted(ref)))
        _run_check(report, "carn_m_cpu_vs_committed", vs_committed)

    def tiles(t0):
        from srrepro.evaluate import footprint, pairs, super_resolve
        from srrepro.metrics import score

        model = cpu_model if not on_cuda else load_official("carn_m", root, device=device)
        # CUDA: a real Urban100 image at ×2; CPU: a Set5 image at ×4 (a smaller LR image, seconds)
        dataset, scale, tile = ("Urban100", 2, 128) if on_cuda else ("Set5", 4, 48)
        try:
            name, lr, hr = pairs(dataset, scale, root=root, limit=1)[0]
        except Exception:  # noqa: BLE001
            dataset = "Set5"
            name, lr, hr = pairs(dataset, scale, root=root, limit=1)[0]
        t1 = time.perf_counter()
        whole = score(super_resolve(model, lr, scale, device, tile=0), hr, scale)
        t_whole = time.perf_counter() - t1
        t1 = time.perf_counter()
        tiled = score(super_resolve(model, lr, scale, device, tile=tile), hr, scale)
        t_tiled = time.perf_counter() - t1
        gap = abs(whole["psnr"] - tiled["psnr"])
        ok = gap <= THRESHOLDS["tile_db"]
        report.add("tile_vs_whole", "pass" if ok else "fail", gap, THRESHOLDS["tile_db"], "dB", time.perf_counter() - t0,
                   f"CARN-M {dataset} {name} ×{scale} ({lr.shape[0]}×{lr.shape[1]} LR), tiles of {tile} + "
                   f"{math.ceil(footprint(model, scale, device).radius)} overlap: {tiled['psnr']:.6f} vs whole "
                   f"{whole['psnr']:.6f} dB; {t_tiled:.2f} s vs {t_whole:.2f} s")

    _run_check(report, "tile_vs_whole", tiles)
    _run_check(report, "throughput/carn_m", lambda t0: _infer_speed(report, "carn_m", cpu_model if not on_cuda else
                                                                  load_official("carn_m", root, device=device),
                                                                  device, 4, t0))


def _infer_speed(report: Report, label: str, model, device, scale: int, t0: float, side=(270, 480), reps: int = 5):
    """Inference megapixels (HR output) per second on a random LR image (after one warm-up forward)."""
    on_cuda = torch.device(device).type == "cuda"
    if not on_cuda:
        side, reps = (48, 64), 2
    x = torch.rand(1, 3, *side, generator=torch.Generator().manual_seed(0)).to(device)
    if on_cuda:
        torch.cuda.reset_peak_memory_stats(device)
    with torch.inference_mode():
        model(x, scale)
        if on_cuda:
            torch.cuda.synchronize(device)
        t = time.perf_counter()
        for _ in range(reps):
            model(x, scale)
        if on_cuda:
            torch.cuda.synchronize(device)
    per = (time.perf_counter() - t) / reps
    mpx = side[0] * side[1] * scale * scale / 1e6
    extra = f", peak {torch.cuda.max_memory_allocated(device) / 2**30:.2f} GiB" if on_cuda else ""
    report.add(f"throughput/{label}", "pass", mpx / per, None, "Mpx/s", time.perf_counter() - t0,
               f"×{scale}, {side[0]}×{side[1]} LR → {mpx:.2f} Mpx, {per * 1e3:.1f} ms/image{extra}")


def large_model_speed(report: Report, device: torch.device) -> None:
    """EDSR (43M, random weights) ×2 to 1080p on CUDA: time and peak memory of whole-image inference."""
    if device.type != "cuda":
        report.add("throughput/edsr_x2_1080p", "skipped: no CUDA")
        return

    def run(t0):
        from srrepro.models import create_model

        torch.manual_seed(0)
        model = create_model("edsr", scale=2).to(device).eval()
        _infer_speed(report, "edsr_x2_1080p", model, device, 2, t0, side=(540, 960), reps=3)

    _run_check(report, "throughput/edsr_x2_1080p", run)


# ----------------------------------------------------------------------------------------------- main
def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--device", default="auto", help="auto (CUDA if present), cuda, cuda:N or cpu")
    ap.add_argument("--out", default=None, help="output folder (default results/gpu_check on CUDA, a temp dir on CPU)")
    ap.add_argument("--data", default=None, help="data root (default $SRREPRO_DATA or ./data)")
    ap.add_argument("--iterations", type=int, default=None, help="training iterations per run (default per device)")
    ap.add_argument("--skip", default="", help="comma-separated groups to leave out: train, ddp, inference")
    ap.add_argument("--ddp-worker", default=None, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.ddp_worker:
        return ddp_worker(args.ddp_worker)
    from srrepro.train import resolve_device

    device = resolve_device(args.device)
    if device.type not in ("cuda", "cpu"):
        device = torch.device("cpu")
    on_cuda = device.type == "cuda"
    if on_cuda:
        torch.cuda.set_device(device)
    preset = dict(PRESETS["cuda" if on_cuda else "cpu"])
    if args.iterations:
        preset["iterations"] = args.iterations
    out = Path(args.out) if args.out else (REPO / "results" / "gpu_check" if on_cuda else
                                          Path(tempfile.mkdtemp(prefix="srrepro_gpu_check_")))
    out.mkdir(parents=True, exist_ok=True)
    report = Report(out, device)
    skip = {s.strip() for s in args.skip.split(",") if s.strip()}
    print(f"{report.prov['gpu']} · CUDA {report.prov['cuda']} · torch {report.prov['torch']} · commit "
          f"{report.prov['commit']} → {report.csv}", flush=True)
    t_all = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="gpu_check_runs_") as work:
        work = Path(work)
        if "train" not in skip:
            images, source = training_images(args.data)
            training_checks(report, device, preset, images, source, work)
        if "ddp" not in skip:
            ddp_check(report, device, preset, args.data, work)
        if "inference" not in skip:
            cells = [("Set5", 2), ("Set5", 3), ("Set5", 4)] if on_cuda else [("Set5", 4)]
            inference_checks(report, device, args.data, cells)
            large_model_speed(report, device)
    failed = [r["check"] for r in report.rows if r["status"] == "fail"]
    print(f"done in {time.perf_counter() - t_all:.0f} s: {len(failed)} failed{': ' + ', '.join(failed) if failed else ''}"
          f" → {report.csv}, {report.md}", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
