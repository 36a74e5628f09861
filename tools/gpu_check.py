"""The CUDA paths of the study, exercised in one short run: `make gpu-check` (on a CUDA machine, a few minutes).

Usage: python tools/gpu_check.py [--device auto|cuda|cpu] [--out DIR] [--data DIR] [--iterations N]
                                 [--only GROUP,...] [--skip GROUP,...]

On a CUDA machine, from the checkout (the venv of ``make setup``, the data root in $SRREPRO_DATA)::

    make gpu-check DEVICE=cuda      # = .venv/bin/python tools/gpu_check.py --device cuda --data "$SRREPRO_DATA"

then commit ``results/gpu_check/<date>-<gpu>.csv`` and ``.md``. Groups, in run order (``--only`` / ``--skip``):
train, ddp, inference, pool, resume, gan, fractional, pipeline, memory. Rows that need CUDA, "skipped: no CUDA" on
CPU: ``train_bf16``, ``train_fp16``, ``train_bf16_channels_last``, ``carn_m_cuda_vs_cpu(_no_tf32)``,
``throughput/edsr_x2_1080p`` and ``peak_memory/*``; every other row runs on CPU too (smaller sizes, seconds), which
is how tests/test_gpu_check.py exercises it. The GPU path's rows are CUDA checks in substance: on CPU they prove
the code path, not the device.

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

The GPU path (cached data, overlapped batches, one pool, survived faults):

* ``pool_unit_per_gpu``: two tiny units through the unit pool (two spawned workers, devices dealt by
  ``srrepro.jobs.unit_devices``); each unit's ``model.json`` must name a dealt device and its GPU name
  (``train_device``, ``train_device_name``); with two or more GPUs the units must train on two of them.
* ``resume_cuda``: a training stopped by a SIGINT landing inside an iteration (deferred to its end, checkpoint
  saved), resumed on the device, against the same training uninterrupted: bit for bit on CPU; on CUDA with
  deterministic algorithms, bit for bit passes, else the loss within ``repeat_cuda`` (the note says which).
* ``gan_vgg_step``: PCARN's stage 2 (VGG-16 stand-in + 5e-3 × GAN, three discriminators) for a few steps: every
  logged loss finite; iterations/s and peak memory.
* ``fractional_scale_step``: OverNet at a random scale in ×1.1–×4 per batch, batches from the DataLoader workers
  over the decode-once cache: iterations/s and the share of the step time spent waiting for data.
* ``pipeline_throughput``: OverNet's patches/s per DataLoader worker, measured by ``make bench``'s code
  (``srrepro.pipeline.measure_recipe``); on CUDA it passes when this host's "auto" workers make the low end of the
  GPU's estimated consumption.
* ``peak_memory/edsr``, ``/rdn``, ``/rcan`` (CUDA only): peak memory of one ×2 training step of the paper recipe
  and of whole-image inference on the largest Urban100 image (the value: the larger; an out-of-memory fails).

A check that raises is an "error" row with its one-line message (the traceback's tail on stderr); the run goes on
and exits non-zero when any row failed or erred.

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
        errors = sum(r["status"] == "error" for r in checks)
        lines = [f"# GPU check {p['utc']}", "",
                 f"{p['gpu']} · CUDA {p['cuda']} · cuDNN {p['cudnn']} · torch {p['torch']} · commit {p['commit']}"
                 f"{' (dirty)' if p['dirty'] else ''} · {p['machine']}", "",
                 f"{len(checks)} checks: {sum(r['status'] == 'pass' for r in checks)} pass, {failed} fail, "
                 f"{errors} error, {sum(r['status'].startswith('skipped') for r in checks)} skipped.", "",
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


def _one_line(e: BaseException) -> str:
    """An exception as one line for a CSV cell: its type and the first line of its message."""
    text = str(e).strip().splitlines()
    return f"{type(e).__name__}: {text[0] if text else ''}"[:300]


def _run_check(report: Report, name: str, fn) -> None:
    """Run one check; an exception is that check's "error" row (with its one-line message), never the end of the
    run (the traceback's tail goes to stderr)."""
    t0 = time.perf_counter()
    try:
        fn(t0)
    except Exception as e:  # noqa: BLE001 - one broken check must not hide the others
        tb = traceback.format_exc().strip().splitlines()
        report.add(name, "error", seconds=time.perf_counter() - t0, note=_one_line(e))
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


# ----------------------------------------------------------------------------------------------- the GPU path
# Sizes of the GPU-path checks per device: about 2–3 min on one H100 (estimated: not yet timed on a GPU), 17 s on
# the 2-core CPU here.
PATH_PRESETS = {
    # fractional_steps: several times the batches the DataLoader holds ahead (workers × prefetch 4), so that the
    # last half's data wait is the steady state, not a drained buffer
    "cuda": dict(pool_iterations=100, resume_iterations=100, gan_steps=20, gan_batch=64, fractional_steps=200,
                 warmup_steps=10, pipeline_seconds=2.0),
    "cpu": dict(pool_iterations=4, resume_iterations=8, gan_steps=3, gan_batch=2, fractional_steps=6,
                warmup_steps=2, pipeline_seconds=0.2),
}
PEAK_MEMORY_MODELS = (("edsr", "edsr"), ("rdn", "rdn"), ("rcan", "rcan"))  # (model, recipe family), all at ×2


def _sync(device) -> None:
    if torch.device(device).type == "cuda":
        torch.cuda.synchronize(device)


def _peak_gib(device) -> float | None:
    return torch.cuda.max_memory_allocated(device) / 2**30 if torch.device(device).type == "cuda" else None


def _reset_peak(device) -> None:
    if torch.device(device).type == "cuda":
        torch.cuda.empty_cache()
        torch.cuda.reset_peak_memory_stats(device)


def pool_check(report: Report, device: torch.device, root, work: Path, sizes: dict) -> None:
    """``pool_unit_per_gpu``: two tiny units through the unit pool (:func:`srrepro.jobs.run_jobs`, two spawned
    workers, each handed its device by ``_worker_init`` as :func:`srrepro.jobs.unit_devices` deals them). Each
    unit's ``model.json`` must record a device of that list (``train_device``) and that device's name
    (``train_device_name``); with two or more visible GPUs the two units must have trained on two of them."""
    def run(t0):
        from srrepro import jobs, tables
        from srrepro.provenance import compute_device
        from srrepro.recipes import SIZES

        on_cuda = device.type == "cuda"
        ctx = tables.context(tables.get("overnet_t4"), "smoke", device="cuda" if on_cuda else "cpu", workers=2,
                             iterations=sizes["pool_iterations"], work_dir=work / "pool",
                             data_root=None if root is None else str(root), progress=False)
        units = [jobs.Job.train({"unit": seed}, [{"dataset": "Set5", "scale": 2}],
                                jobs.train_config(ctx, "edsr", "edsr_baseline", SIZES["edsr"]["smoke"], seed,
                                                  snapshots=()), "edsr")
                 for seed in (0, 1)]
        dealt = jobs.unit_devices(ctx, 2) or ["cpu"]
        spawned = jobs.can_spawn()
        jobs.run_jobs(ctx, "gpu_check", units)
        trained = []
        for unit in units:
            meta = json.loads((work / "pool" / "gpu_check" / unit.hash("smoke") / "model.json").read_text())
            trained.append((meta["train_device"], meta["train_device_name"]))
        named = all(dev in dealt and name == compute_device(dev)["device_name"] for dev, name in trained)
        distinct = len({dev for dev, _ in trained})
        spread = distinct == min(2, len(set(dealt)))
        ok = named and spread and spawned
        where = "; ".join(f"unit {i} → {dev} ({name})" for i, (dev, name) in enumerate(trained))
        report.add("pool_unit_per_gpu", "pass" if ok else "fail", distinct, min(2, len(set(dealt))), "devices",
                   time.perf_counter() - t0,
                   f"{'2 spawned workers' if spawned else 'NO worker processes (cannot spawn from this __main__)'}, "
                   f"devices dealt {dealt}; {where} (model.json train_device / train_device_name)"
                   f"{'' if named else '; a recorded device or name is not the one dealt'}")

    _run_check(report, "pool_unit_per_gpu", run)


def resume_check(report: Report, device: torch.device, preset: dict, images, source: str, work: Path,
                 sizes: dict) -> None:
    """``resume_cuda``: a training interrupted by SIGINT in the middle of an iteration (the loop defers it to that
    iteration's end, saves its checkpoint, raises KeyboardInterrupt), resumed on the same device, against the same
    training uninterrupted. On CPU the weights must be bit for bit equal; on CUDA both runs use deterministic
    algorithms (cuDNN deterministic, ``torch.use_deterministic_algorithms``) and bit for bit is what passes, else
    the loss over the last half within the fp32 repeat threshold (the note says which)."""
    import signal

    import srrepro.train as engine

    def run(t0):
        on_cuda = device.type == "cuda"
        n = sizes["resume_iterations"]
        cut = n // 2  # the SIGINT arrives inside iteration cut + 1
        cfg = _config(preset, str(device), iterations=n, log_every=max(1, n // 10), checkpoint_every=0)
        lr_at = engine.lr_at

        def interrupting_lr_at(config, step):  # called at the start of every iteration, inside its deferred block
            if step == cut:
                signal.raise_signal(signal.SIGINT)
            return lr_at(config, step)

        saved = (torch.backends.cudnn.deterministic, torch.backends.cudnn.benchmark,
                 torch.are_deterministic_algorithms_enabled(), signal.getsignal(signal.SIGINT))
        try:
            signal.signal(signal.SIGINT, signal.default_int_handler)  # KeyboardInterrupt, whatever the caller set
            if on_cuda:
                torch.backends.cudnn.deterministic, torch.backends.cudnn.benchmark = True, False
                torch.use_deterministic_algorithms(True, warn_only=True)
            straight = engine.train(cfg, work / "resume_straight", progress=False, images=images)
            cut_dir = work / "resume_cut"
            engine.lr_at = interrupting_lr_at
            try:
                engine.train(cfg, cut_dir, progress=False, images=images)
                interrupted = False
            except KeyboardInterrupt:
                interrupted = True
            finally:
                engine.lr_at = lr_at
            if not interrupted:
                raise RuntimeError(f"the SIGINT in iteration {cut + 1} did not stop the training")
            stopped = int(torch.load(cut_dir / "checkpoint.pt", map_location="cpu", weights_only=True)["step"])
            resumed = engine.train(cfg, cut_dir, resume=True, progress=False, images=images)
        finally:
            engine.lr_at = lr_at
            signal.signal(signal.SIGINT, saved[3])
            if on_cuda:
                torch.backends.cudnn.deterministic, torch.backends.cudnn.benchmark = saved[:2]
                torch.use_deterministic_algorithms(saved[2])
        a, b = straight.model.state_dict(), resumed.model.state_dict()
        max_diff = max(float((a[k].float() - b[k].float()).abs().max()) for k in a if a[k].numel())
        same = state_hash(a) == state_hash(b)
        gap, close = loss_parity([float(v) for v in straight.curve["loss"]],
                                 [float(v) for v in resumed.curve["loss"]], THRESHOLDS["repeat_cuda"])
        exact = stopped == cut + 1 and resumed.iterations == n
        if not on_cuda:
            ok, how = same and exact, "bit for bit" if same else f"NOT bit for bit (loss gap {gap:.3g})"
        elif same:
            ok, how = exact, "bit for bit (deterministic algorithms)"
        else:
            ok, how = exact and close, (f"not bit for bit under deterministic algorithms; loss over the last half "
                                        f"{gap:.3g} apart (fp tolerance {THRESHOLDS['repeat_cuda']})")
        report.add("resume_cuda", "pass" if ok else "fail", max_diff, 0.0 if not on_cuda else None, "max |Δw|",
                   time.perf_counter() - t0,
                   f"{preset['model']} on {source}, {n} it; SIGINT inside iteration {cut + 1}, saved at {stopped} "
                   f"(expected {cut + 1}), resumed to {resumed.iterations}: {how} vs uninterrupted")

    _run_check(report, "resume_cuda", run)


def gan_vgg_check(report: Report, device: torch.device, root, work: Path, sizes: dict) -> None:
    """``gan_vgg_step``: PCARN's stage 2 (Eq. 7: VGG + 5e-3 × GAN, three discriminators as "+ MSD") shrunk to a few
    steps from a fresh model, with the data mirror's VGG-16 stand-in: every logged loss finite, iterations/s, peak
    memory. CUDA: the paper's model, LR patch 48 and batch 64 on Urban100 (DIV2K_train when there); CPU: the smoke
    size on T91."""
    def run(t0):
        from dataclasses import replace

        from srrepro import tables
        from srrepro.pipeline import pipeline_images
        from srrepro.papers.pcarn.spec import gan_config
        from srrepro.train import TrainingDivergedError, train
        from srrepro.weights import MissingWeightsError

        on_cuda = device.type == "cuda"
        ctx = tables.context(tables.get("pcarn_t2"), "paper" if on_cuda else "smoke", device=str(device),
                             iterations=sizes["gan_steps"], batch_size=sizes["gan_batch"],
                             data_root=None if root is None else str(root))
        cfg = replace(gan_config(ctx, 0, 3), loss="vgg16+5e-3*gan", iterations=sizes["gan_steps"], log_every=1,
                      validate_every=0, checkpoint_every=0, snapshots=(), num_workers="auto" if on_cuda else 0,
                      train_dataset=pipeline_images(root) if on_cuda else "T91")
        _reset_peak(device)
        try:
            result = train(cfg, work / "gan_vgg", progress=False)
        except MissingWeightsError as e:
            report.add("gan_vgg_step", "skipped: no VGG-16 weights", seconds=time.perf_counter() - t0,
                       note=_one_line(e))
            return
        except TrainingDivergedError as e:
            report.add("gan_vgg_step", "fail", seconds=time.perf_counter() - t0, note=_one_line(e))
            return
        losses = [c for c in result.curve.columns if "loss" in c and not c.endswith("_max")]
        finite = bool(np.isfinite(result.curve[losses].to_numpy(dtype=float)).all())
        last = ", ".join(f"{c} {result.curve[c].iloc[-1]:.4g}" for c in losses)
        peak = _peak_gib(device)
        report.add("gan_vgg_step", "pass" if finite and losses else "fail", result.iterations / result.wall_seconds,
                   None, "it/s", time.perf_counter() - t0,
                   f"pcarn {cfg.model_kwargs or 'paper size'} ×{cfg.scales[0]}, {cfg.loss}, 3 discriminators, "
                   f"{_batch_text(cfg)}, {result.iterations} it; losses {'finite' if finite else 'NOT finite'} "
                   f"(last: {last}){_peak_text(peak)}")

    _run_check(report, "gan_vgg_step", run)


def _batch_text(cfg) -> str:
    return f"batch {cfg.batch_size} × {cfg.lr_patch}² LR on {cfg.train_dataset}"


def _peak_text(peak) -> str:
    return f"; peak {peak:.2f} GiB" if peak else ""


def fractional_check(report: Report, device: torch.device, root, sizes: dict) -> None:
    """``fractional_scale_step``: OverNet at a random scale in ×1.1–×4 per batch (overnet_t2's recipe), the batches
    made by the training loop's DataLoader workers from the decode-once cache, the steps by the training loop's own
    step; timed after warm-up steps, with a device sync per step so that the time blocked waiting for the next batch
    (the data wait share) is the GPU's idle time. CUDA: the paper recipe (LR 64, batch 64, workers "auto"); CPU: the
    smoke size at the bench's quick patch and batch with one worker process."""
    def run(t0):
        from dataclasses import replace

        from srrepro.pipeline import paper_config, recipes
        from srrepro.papers.overnet.spec import overnet_kwargs
        from srrepro.train import _batches, _build, _to_device, loader_workers, lr_at

        on_cuda = device.type == "cuda"
        recipe = next(r for r in recipes() if r.key == "overnet")
        warm, steps = sizes["warmup_steps"], sizes["fractional_steps"]
        cfg = paper_config(recipe, root, quick=not on_cuda)
        cfg = replace(cfg, iterations=warm + steps, device=str(device), num_workers="auto" if on_cuda else 1,
                      model_kwargs=cfg.model_kwargs if on_cuda else overnet_kwargs("smoke", max_scale=4))
        if not on_cuda:
            cfg.train_dataset = "T91"
        else:
            from srrepro.pipeline import pipeline_images

            cfg.train_dataset = pipeline_images(root)
        step_fn = _build(cfg, device, 0, 1, fresh=True)
        step_fn.model.train()
        channels_last = cfg.uses_channels_last(device)
        loader = _batches(cfg, None, 0, 0, 1, device, False)
        batches = iter(loader)
        waits, times, scales, out = [], [], [], {}
        for step in range(cfg.iterations):
            t = time.perf_counter()
            lr_u8, hr_u8, scale = next(batches)
            t_data = time.perf_counter()
            out = step_fn(_to_device(lr_u8, device, channels_last), _to_device(hr_u8, device, channels_last), scale,
                          lr_at(cfg, step))
            _sync(device)
            if step >= warm:
                waits.append(t_data - t)
                times.append(time.perf_counter() - t)
                scales.append(float(scale))
        del batches, loader
        loss = float(out["loss"])
        ok = math.isfinite(loss) and min(scales) >= 1.1 - 1e-9 and max(scales) <= 4.0 + 1e-9
        peak = _peak_gib(device)
        half = len(times) // 2
        share, steady = sum(waits) / sum(times), sum(waits[half:]) / sum(times[half:])
        report.add("fractional_scale_step", "pass" if ok else "fail", steps / sum(times), None, "it/s",
                   time.perf_counter() - t0,
                   f"overnet {'paper' if on_cuda else 'smoke'} size, {_batch_text(cfg)}, "
                   f"{loader_workers(cfg, device)} DataLoader worker(s); {steps} timed steps after {warm}: data wait "
                   f"{100 * share:.1f} % of the step time ({100 * steady:.1f} % over the last half); scales "
                   f"{min(scales):.2f}–{max(scales):.2f}; loss {loss:.4g}{_peak_text(peak)}")

    _run_check(report, "fractional_scale_step", run)


def pipeline_check(report: Report, device: torch.device, root, sizes: dict) -> None:
    """``pipeline_throughput``: patches/s per DataLoader worker of the heaviest recipe, OverNet ×1.1–×4 (a MATLAB
    resize per crop: the fewest patches per CPU-second in ``make bench``), measured by ``make bench``'s own code
    (:func:`srrepro.pipeline.measure_recipe`). On CUDA it passes when this host's "auto" workers at that rate make
    the low end of the GPU's estimated consumption (the recipe's FLOPs at ``GPU_TFLOPS``); on CPU it is measured only
    (the bench's quick patch and batch)."""
    def run(t0):
        from dataclasses import replace

        from srrepro.pipeline import HEADROOM, measure_recipe, paper_config, recipes
        from srrepro.train import loader_workers

        on_cuda = device.type == "cuda"
        recipe = next(r for r in recipes() if r.key == "overnet")
        rows = {r["workers"]: r for r in measure_recipe(recipe, root, seconds=sizes["pipeline_seconds"],
                                                         quick=not on_cuda)}
        one, two = rows[1], rows[2]
        # the training loop's worker count on this host ("auto"; the bench's config pins 0 for its own runs)
        workers = loader_workers(replace(paper_config(recipe, root), num_workers="auto"), device) if on_cuda else 0
        need = one["gpu_patches_per_s_lo"] / workers if workers else None
        ok = need is None or one["per_worker"] >= need
        feeds = (f"; {one['workers_needed']} workers for {HEADROOM:g}× the GPU's estimated "
                 f"{one['gpu_patches_per_s_lo']:,}–{one['gpu_patches_per_s_hi']:,}; this host's {workers} auto "
                 f"workers make ≈ {workers * one['per_worker']:,}" if on_cuda else
                 f" (CPU: the bench's quick patch {one['lr_patch']} and batch {one['batch']}; no GPU to feed)")
        report.add("pipeline_throughput", "pass" if ok else "fail", one["per_worker"], need, "patches/s/worker",
                   time.perf_counter() - t0,
                   f"{recipe.what} on {one['images']}: main process {rows[0]['patches_per_s']:,}, 1 worker "
                   f"{one['patches_per_s']:,}, 2 workers {two['patches_per_s']:,} patches/s "
                   f"({two['speedup_2_over_1']}× one){feeds}")

    _run_check(report, "pipeline_throughput", run)


def peak_memory_checks(report: Report, device: torch.device, root) -> None:
    """``peak_memory/<model>``: the largest models at ×2 (EDSR 256 × 32, RDN, RCAN), on CUDA only: the peak GPU memory
    of one training step of the paper recipe (its LR patch and batch, bf16 autocast and channels_last as training
    runs; the second step, with Adam's state allocated) and of whole-image inference (fp32) on the largest Urban100
    image. Passes when both fit; the value is the larger of the two."""
    if device.type != "cuda":
        for model, _ in PEAK_MEMORY_MODELS:
            report.add(f"peak_memory/{model}", "skipped: no CUDA")
        return
    for model_name, family in PEAK_MEMORY_MODELS:
        def run(t0, model_name=model_name, family=family):
            from types import SimpleNamespace

            from srrepro.evaluate import pairs, super_resolve
            from srrepro.jobs import train_config
            from srrepro.train import _build, _to_device, build_model

            ctx = SimpleNamespace(profile="paper", data_root=None if root is None else str(root), device=str(device))
            cfg = train_config(ctx, family, model_name, {}, 0, iterations=2, scales=(2,))
            total = torch.cuda.get_device_properties(device).total_memory / 2**30
            torch.manual_seed(0)
            gen = torch.Generator().manual_seed(0)
            lr = torch.randint(0, 256, (cfg.batch_size, 3, cfg.lr_patch, cfg.lr_patch), generator=gen,
                               dtype=torch.uint8)
            hr = torch.randint(0, 256, (cfg.batch_size, 3, 2 * cfg.lr_patch, 2 * cfg.lr_patch), generator=gen,
                               dtype=torch.uint8)
            try:
                _reset_peak(device)
                step_fn = _build(cfg, device, 0, 1, fresh=True)
                channels_last = cfg.uses_channels_last(device)
                for _ in range(2):
                    out = step_fn(_to_device(lr, device, channels_last), _to_device(hr, device, channels_last), 2,
                                  cfg.lr)
                _sync(device)
                train_peak, loss = _peak_gib(device), float(out["loss"])
                del step_fn, out
                images = pairs("Urban100", 2, root=root)
                name, lr_img, _ = max(images, key=lambda p: p[1].shape[0] * p[1].shape[1])
                model = build_model(cfg).to(device).eval()
                _reset_peak(device)
                t = time.perf_counter()
                super_resolve(model, lr_img, 2, device, tile=0)
                _sync(device)
                infer_s, infer_peak = time.perf_counter() - t, _peak_gib(device)
                del model
            except torch.cuda.OutOfMemoryError as e:
                report.add(f"peak_memory/{model_name}", "fail", None, total, "GiB", time.perf_counter() - t0,
                           f"out of memory: {_one_line(e)}")
                return
            finally:
                torch.cuda.empty_cache()
            report.add(f"peak_memory/{model_name}", "pass" if math.isfinite(loss) else "fail",
                       max(train_peak, infer_peak), total, "GiB", time.perf_counter() - t0,
                       f"×2 training step (batch {cfg.batch_size} × {cfg.lr_patch}² LR, amp {cfg.amp}, loss "
                       f"{loss:.4g}) {train_peak:.2f} GiB; whole-image inference on Urban100 {name} ({lr_img.shape[1]}×"
                       f"{lr_img.shape[0]} LR) {infer_peak:.2f} GiB in {infer_s:.2f} s")

        _run_check(report, f"peak_memory/{model_name}", run)


# ----------------------------------------------------------------------------------------------- main
# In run order; --skip / --only take these names. CUDA-only rows (skipped on CPU): train_bf16, train_fp16,
# train_bf16_channels_last, carn_m_cuda_vs_cpu(_no_tf32), throughput/edsr_x2_1080p, peak_memory/*.
GROUPS = ("train", "ddp", "inference", "pool", "resume", "gan", "fractional", "pipeline", "memory")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--device", default="auto", help="auto (CUDA if present), cuda, cuda:N or cpu")
    ap.add_argument("--out", default=None, help="output folder (default results/gpu_check on CUDA, a temp dir on CPU)")
    ap.add_argument("--data", default=None, help="data root (default $SRREPRO_DATA or ./data)")
    ap.add_argument("--iterations", type=int, default=None, help="training iterations per run (default per device)")
    ap.add_argument("--skip", default="", help=f"comma-separated groups to leave out: {', '.join(GROUPS)}")
    ap.add_argument("--only", default="", help="comma-separated groups to run (default: all)")
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
    sizes = PATH_PRESETS["cuda" if on_cuda else "cpu"]
    only, skip = ({s.strip() for s in arg.split(",") if s.strip()} for arg in (args.only, args.skip))
    unknown = (only | skip) - set(GROUPS)
    if unknown:
        ap.error(f"unknown group(s) {', '.join(sorted(unknown))}: the groups are {', '.join(GROUPS)}")
    out = Path(args.out) if args.out else (REPO / "results" / "gpu_check" if on_cuda else
                                          Path(tempfile.mkdtemp(prefix="srrepro_gpu_check_")))
    out.mkdir(parents=True, exist_ok=True)
    run = (only or set(GROUPS)) - skip
    report = Report(out, device)
    print(f"{report.prov['gpu']} · CUDA {report.prov['cuda']} · torch {report.prov['torch']} · commit "
          f"{report.prov['commit']} → {report.csv}", flush=True)
    t_all = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="gpu_check_runs_") as work:
        work = Path(work)
        images = {}

        def train_images():
            if not images:
                images["list"], images["source"] = training_images(args.data)
            return images["list"], images["source"]

        groups = {
            "train": lambda: training_checks(report, device, preset, *train_images(), work),
            "ddp": lambda: ddp_check(report, device, preset, args.data, work),
            "inference": lambda: (inference_checks(report, device, args.data, [("Set5", 2), ("Set5", 3), ("Set5", 4)]
                                                   if on_cuda else [("Set5", 4)]),
                                  large_model_speed(report, device)),
            "pool": lambda: pool_check(report, device, args.data, work, sizes),
            "resume": lambda: resume_check(report, device, preset, *train_images(), work, sizes),
            "gan": lambda: gan_vgg_check(report, device, args.data, work, sizes),
            "fractional": lambda: fractional_check(report, device, args.data, sizes),
            "pipeline": lambda: pipeline_check(report, device, args.data, sizes),
            "memory": lambda: peak_memory_checks(report, device, args.data),
        }
        for name in GROUPS:
            if name in run:
                _run_check(report, f"group/{name}", lambda t0, name=name: groups[name]())
    failed = [r["check"] for r in report.rows if r["status"] in ("fail", "error")]
    print(f"done in {time.perf_counter() - t_all:.0f} s: {len(failed)} failed{': ' + ', '.join(failed) if failed else ''}"
          f" → {report.csv}, {report.md}", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
