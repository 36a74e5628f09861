"""The data pipeline in ``make bench``: can the CPU feed the GPU, and how fast does a unit start?

Two measurements, written by :func:`srrepro.bench.run` to ``results/bench/pipeline.csv`` and read back by its page:

* **Patches per second**, per paper recipe (OverNet ×1.1–4, CARN-M ×4, PCARN ×4, EDSR-baseline ×2, s-LWSR ×4, each
  with its published LR patch and batch): the batches :class:`srrepro.patches.PatchSampler` makes in the main
  process (``workers = 0``) and through the training loop's DataLoader with 1 and 2 worker processes, after each
  worker's first batch (start-up excluded), in alternating windows (the median of ``REPEATS`` each). Set beside
  it, what one GPU would consume: the recipe's training FLOPs per patch (:func:`srrepro.plan.train_flops`:
  forward + backward, and the loss networks) at an *assumed* sustained throughput, ``GPU_TFLOPS`` (300–400 TFLOP/s bf16: 30–40 % of an H100's dense peak). ``workers_needed`` is how many
  workers at the measured 1-worker rate make 1.5× the upper end of that consumption (headroom for a busy host).
  A launch-bound model (a small network at batch 16) consumes fewer patches than its FLOPs say, so for it the
  estimate is an upper bound.
* **A unit's start** (rows ``cache_*``): a cold build of the decode-once cache (:mod:`srrepro.cache`) of T91 and
  its LR images, then a *second unit* in a fresh process opening it and drawing its first batch (the imports
  timed apart). DIV2K is extrapolated from those rates: its 800 images hold ≈ ``DIV2K_TRAIN_MPX`` megapixels.

The images: DIV2K_train when the data root has it, else Urban100 (1024-pixel-wide photographs, the closest to
DIV2K's 2K images that the mirror holds) as a stand-in: a patch costs the same to crop whatever image it comes from.
"""
from __future__ import annotations

import json
import math
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace

PIPELINE_CSV = "pipeline.csv"
PIPELINE_COLUMNS = ["key", "what", "images", "lr_patch", "batch", "workers", "patches_per_s", "per_worker",
                    "patches_per_cpu_s",
                    "speedup_2_over_1", "train_gflop_per_patch", "gpu_patches_per_s_lo", "gpu_patches_per_s_hi",
                    "workers_needed", "seconds", "megapixels", "mpx_per_s", "status"]
GPU_TFLOPS = (300.0, 400.0)  # assumed sustained bf16 training throughput of one H100 (30–40 % of dense peak)
HEADROOM = 1.5  # workers enough for 1.5× the GPU's estimated consumption
DIV2K_TRAIN_IMAGES = 800
REPEATS = 4  # alternating timed windows per worker count
DIV2K_TRAIN_MPX = 2_230.0  # ≈ 800 images of 2040 × ~1,370 px (DIV2K_train_HR)


@dataclass(frozen=True)
class PipelineRecipe:
    key: str
    what: str
    family: str  # srrepro.recipes family (the paper recipe's patch and batch)
    model: str
    kwargs: dict
    fields: dict  # scales / scale_range / loss


def recipes() -> list[PipelineRecipe]:
    from .papers.overnet.spec import overnet_kwargs

    return [
        PipelineRecipe("overnet", "OverNet ×1.1–4 (overnet_t2)", "overnet", "overnet",
                       overnet_kwargs("paper", max_scale=4),
                       dict(scale_range=(1.1, 4.0), scales=(), loss="ms_l1", ms_scales=(2, 3, 4))),
        PipelineRecipe("carn_m", "CARN-M ×4", "carn", "carn_m", {}, dict(scales=(4,))),
        PipelineRecipe("pcarn", "PCARN ×4", "pcarn", "pcarn", {}, dict(scales=(4,))),
        PipelineRecipe("edsr_baseline", "EDSR-baseline ×2", "edsr", "edsr_baseline", {}, dict(scales=(2,))),
        PipelineRecipe("slwsr", "s-LWSR ×4", "slwsr", "slwsr", {}, dict(scales=(4,))),
    ]


def paper_config(r: PipelineRecipe, data_root, quick: bool = False):
    """The recipe's TrainConfig at the paper profile (``quick``: LR patch 8, batch 2, to test the bench)."""
    from .jobs import train_config

    ctx = SimpleNamespace(profile="paper", data_root=str(data_root) if data_root else None, device="cpu",
                          lr_patch=8 if quick else None, batch_size=2 if quick else None)
    return train_config(ctx, r.family, r.model, r.kwargs, 0, num_workers=0, **r.fields)


def pipeline_images(data_root, quick: bool = False) -> str:
    from .data import DatasetMissingError, dataset_files

    if quick:  # tiny patches: T91 is enough
        return "T91"
    try:
        dataset_files("DIV2K_train", data_root)
        return "DIV2K_train"
    except DatasetMissingError:
        return "Urban100"


def _rate(batches, n_batches: int, batch: int) -> tuple[float, float]:
    """Patches per second of wall time and of this process's CPU time over ``n_batches`` batches of the iterator,
    after its first (start-up, worker spawn)."""
    it = iter(batches)
    next(it)
    t, c = time.perf_counter(), time.process_time()
    for _ in range(n_batches):
        next(it)
    return n_batches * batch / (time.perf_counter() - t), n_batches * batch / (time.process_time() - c)


def measure_recipe(r: PipelineRecipe, data_root, seconds: float = 2.0, quick: bool = False) -> list[dict]:
    """Rows ``<key>_w0``, ``_w1``, ``_w2``: patches/s made in the main process and by 1 and 2 DataLoader workers."""
    import torch

    from .patches import PatchSampler
    from .plan import train_flops
    from .train import training_images

    dataset = pipeline_images(data_root, quick)
    config = paper_config(r, data_root, quick)
    config.train_dataset = dataset
    hr, lr = training_images(config)
    sampler = PatchSampler(hr, config.scales, config.lr_patch, config.batch_size, config.degradation, 0,
                           config.scale_range, lr_images=lr)
    gflop = train_flops(config) / config.batch_size / 1e9
    gpu = [t * 1e3 / gflop for t in GPU_TFLOPS]  # patches/s
    base = dict(what=r.what, images=dataset, lr_patch=config.lr_patch, batch=config.batch_size,
                train_gflop_per_patch=round(gflop, 4), gpu_patches_per_s_lo=round(gpu[0]),
                gpu_patches_per_s_hi=round(gpu[1]), status="ok")
    t = time.perf_counter()  # size the runs: about `seconds` of batches in the main process
    serial_batches = 1
    sampler[0]
    while time.perf_counter() - t < seconds / 4 and serial_batches < 10_000:
        sampler[serial_batches]
        serial_batches += 1
    n = max(2 if quick else 8, round(serial_batches * 4 / 2))
    wall, cpu = _rate((sampler[i] for i in range(n + 1)), n, config.batch_size)
    rows = [{**base, "key": f"{r.key}_w0", "workers": 0, "per_worker": None, "patches_per_s": wall,
             "patches_per_cpu_s": round(cpu)}]
    # the training loop's DataLoader (srrepro.train._batches) over the same sampler, with 1 and with 2 workers;
    # both kept alive and timed in alternating windows, REPEATS each, so a burst of other work (or the host of
    # a virtual machine) moves both alike; each rate is the median of its windows
    loaders = {w: torch.utils.data.DataLoader(sampler, batch_size=None, sampler=range(0, 2**40), num_workers=w,
                                              prefetch_factor=4, persistent_workers=True) for w in (1, 2)}
    its = {w: iter(dl) for w, dl in loaders.items()}
    for w, it in its.items():  # every worker's first batch is its start-up
        for _ in range(w):
            next(it)
    windows = {1: [], 2: []}
    for _ in range(REPEATS):
        for w, it in its.items():
            windows[w].append(_rate(it, w * n, config.batch_size)[0])
    del its, loaders
    for workers in (1, 2):
        rate = statistics.median(windows[workers])
        rows.append({**base, "key": f"{r.key}_w{workers}", "workers": workers, "patches_per_s": rate,
                     "per_worker": rate / workers})
    one, two = rows[1]["patches_per_s"], rows[2]["patches_per_s"]
    for row in rows:
        row["patches_per_s"] = round(row["patches_per_s"])
        row["per_worker"] = round(row["per_worker"]) if row["per_worker"] is not None else None
    rows[2]["speedup_2_over_1"] = round(two / one, 3)
    # a worker's capacity: one core's patches per CPU-second (robust to other work on the machine); the
    # DataLoader's hand-over costs the main process, not the workers
    for row in rows:
        row["workers_needed"] = math.ceil(HEADROOM * gpu[1] / cpu)
    return rows


_WARM_START = r"""
import json, sys, time
t0 = time.perf_counter()
import torch
from srrepro.train import TrainConfig, _batches
t1 = time.perf_counter()
cfg = TrainConfig(**json.loads(sys.argv[1]))
loader = _batches(cfg, None, 0, 0, 1, torch.device("cpu"), False)
lr, hr, scale = next(iter(loader))
t2 = time.perf_counter()
print(json.dumps({"imports_s": t1 - t0, "start_s": t2 - t1}))
"""


def _warm_start(dataset: str, data_root, cache: str) -> dict:
    """A second unit in a fresh process: open the cache (HR and ×2, ×3, ×4), build the sampler, draw a batch."""
    config = dict(model="carn_m", scales=[2, 3, 4], lr_patch=48, batch_size=16, train_dataset=dataset,
                  data_root=str(data_root) if data_root else None, num_workers=0)
    env = {**os.environ, "SRREPRO_CACHE": str(cache), "OMP_NUM_THREADS": "1",
           "PYTHONPATH": os.pathsep.join([str(Path(__file__).resolve().parents[1]), os.environ.get("PYTHONPATH", "")])}
    out = subprocess.run([sys.executable, "-c", _WARM_START, json.dumps(config)], env=env, capture_output=True,
                         text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def measure_cache(data_root, cache_dir: str | os.PathLike | None = None, dataset: str | None = None) -> list[dict]:
    """Rows ``cache_build_hr``, ``cache_build_lr_x{2,3,4}`` (a cold build of T91's cache in a fresh folder) and
    ``cache_warm_start`` (a second unit: a fresh process opens it and draws its first batch), DIV2K extrapolated."""
    from .cache import TrainingCache

    rows = []
    with tempfile.TemporaryDirectory(prefix="srrepro-cache-bench-", dir=cache_dir) as tmp:
        cache = TrainingCache("T91", data_root, tmp)
        t = time.perf_counter()
        hr = cache.hr()
        dt = time.perf_counter() - t
        rows.append(dict(key="cache_build_hr", what="decode T91 into the cache (cold)", seconds=dt))
        for s in (2, 3, 4):
            t = time.perf_counter()
            cache.lr(s)
            rows.append(dict(key=f"cache_build_lr_x{s}", what=f"MATLAB BI ×{s} LR images of T91 into the cache",
                             seconds=time.perf_counter() - t))
        for row in rows:
            row.update(images="T91", megapixels=round(hr.megapixels, 2),
                       mpx_per_s=round(hr.megapixels / row["seconds"], 1))
        build = sum(r["seconds"] for r in rows)
        warm = _warm_start("T91", data_root, tmp)
        rows.append(dict(key="cache_warm_start", images="T91", megapixels=round(hr.megapixels, 2),
                         what=f"a second unit's data start: open the cache (HR, ×2, ×3, ×4), sampler, first batch "
                              f"(a fresh process; its imports, {warm['imports_s']:.1f} s, apart)",
                         seconds=warm["start_s"], mpx_per_s=round(hr.megapixels / warm["start_s"], 1)))
    big = None
    if dataset and dataset != "T91":  # DIV2K-sized images, in the shared cache (built by the recipes' rows)
        from .train import TrainConfig, training_images

        stack = training_images(TrainConfig(scales=(2, 3, 4), train_dataset=dataset, data_root=data_root))[0]
        warm = _warm_start(dataset, data_root, str(stack.folder.parents[1]))
        big = dict(key="cache_warm_start_large", images=dataset, megapixels=round(stack.megapixels, 2),
                   what=f"the same on {dataset} ({len(stack)} images)", seconds=warm["start_s"],
                   mpx_per_s=round(stack.megapixels / warm["start_s"], 1))
        rows.append(big)
    # DIV2K: the start's work goes by image count (stat for the key, index, views), not by pixels (nothing is
    # read but the first batch's pages); scaled by pixels at the larger set's rate it is an upper bound
    ref = big or rows[-1]
    rows.append(dict(key="cache_warm_start_div2k", images="DIV2K_train (extrapolated)", megapixels=DIV2K_TRAIN_MPX,
                     what=f"the same for DIV2K_train, scaled by pixels from {ref['images']} (an upper bound; by "
                          f"image count {ref['seconds'] / (len(stack) if big else len(hr)) * DIV2K_TRAIN_IMAGES:.2f} s)",
                     seconds=DIV2K_TRAIN_MPX / ref["mpx_per_s"], mpx_per_s=ref["mpx_per_s"]))
    rows.append(dict(key="cache_build_div2k", images="DIV2K_train (extrapolated)", megapixels=DIV2K_TRAIN_MPX,
                     what="a cold build of DIV2K_train's cache (HR, ×2, ×3, ×4) at the T91 rate: once per data root",
                     seconds=DIV2K_TRAIN_MPX / (hr.megapixels / build), mpx_per_s=round(hr.megapixels / build, 1)))
    for row in rows:
        row["seconds"] = round(row["seconds"], 3)
        row["status"] = "ok"
    return rows


def measure(data_root=None, quick: bool = False, log=print, only: tuple[str, ...] = ()) -> list[dict]:
    """Every pipeline row: the recipes' patches/s (``only``: these recipe keys), then the cache's build and warm
    start."""
    rows = []
    for r in recipes():
        if only and r.key not in only:
            continue
        log(f"bench: data pipeline, {r.what} ...")
        try:
            rows += measure_recipe(r, data_root, seconds=0.2 if quick else 2.0, quick=quick)
        except Exception as e:  # a missing dataset: the row says so, the rest is measured
            from .errors import SrreproError

            if not isinstance(e, SrreproError):
                raise
            rows.append(dict(key=f"{r.key}_w0", what=r.what, status=f"not measured: {e}"))
    log("bench: the decode-once cache: a cold build, a warm start ...")
    try:
        rows += measure_cache(data_root, dataset=None if quick else pipeline_images(data_root))
    except Exception as e:
        from .errors import SrreproError

        if not isinstance(e, SrreproError):
            raise
        rows.append(dict(key="cache_warm_start", what="the decode-once cache", status=f"not measured: {e}"))
    return rows


# ------------------------------------------------------------------------------------------ the book page
def page_section(df) -> list[str]:
    """The speed page's section on the data pipeline, from ``pipeline.csv``'s rows (markdown lines)."""
    if df is None or df.empty:
        return []
    rows = df.to_dict("records")
    recipes_ = [r for r in rows if not str(r["key"]).startswith("cache_")]
    L = ["", "## The data pipeline: can the CPU feed a GPU?", "",
         f"Training patches per second that `PatchSampler` makes for each paper recipe (its LR patch and batch), in "
         f"the main process and through the training loop's DataLoader with 1 and 2 worker processes, on "
         f"{_esc(recipes_[0]['images']) if recipes_ else 'the training images'}; beside it what one H100 would "
         f"consume, from the recipe's training FLOPs per patch at an **assumed** {GPU_TFLOPS[0]:.0f}–"
         f"{GPU_TFLOPS[1]:.0f} TFLOP/s sustained (bf16, 30–40 % of dense peak). *workers needed*: worker processes "
         f"for {HEADROOM:g}× the upper end, each at one core's rate (patches per CPU-second in the main process, "
         f"which other work on the machine does not slow). A launch-bound model (small, batch 16) consumes fewer "
         f"patches than its FLOPs say: there the need is an upper bound.", "",
         "| recipe | patch, batch | 0 workers | 1 worker | 2 workers | 2 ÷ 1 | per CPU-second | GFLOP/patch | "
         "H100 consumes | workers needed |", "|---|---|---|---|---|---|---|---|---|---|"]
    by = {}
    for r in recipes_:
        by.setdefault(str(r["key"]).rsplit("_w", 1)[0], {})[str(r["key"]).rsplit("_w", 1)[1]] = r
    for key, w in by.items():
        r0 = w.get("0", {})
        if r0.get("status") != "ok":
            L.append(f"| {_esc(r0.get('what', key))} | – | – | – | – | – | – | – | – | {_esc(r0.get('status'))} |")
            continue
        L.append(f"| {_esc(r0['what'])} | {int(r0['lr_patch'])}, {int(r0['batch'])} | {r0['patches_per_s']:,.0f}/s | "
                 f"{w['1']['patches_per_s']:,.0f}/s | {w['2']['patches_per_s']:,.0f}/s | "
                 f"{w['2']['speedup_2_over_1']:.2f}× | {r0['patches_per_cpu_s']:,.0f} | "
                 f"{r0['train_gflop_per_patch']:.2f} | {r0['gpu_patches_per_s_lo']:,.0f}–"
                 f"{r0['gpu_patches_per_s_hi']:,.0f}/s | **{int(r0['workers_needed'])}** |")
    cache = [r for r in rows if str(r["key"]).startswith("cache_")]
    if cache:
        L += ["", "A unit's start on the decode-once cache (`srrepro.cache`: decoded images and MATLAB LR images, "
              "memory-mapped, built once per data root): a cold build, then a second unit in a fresh process "
              "opening it and drawing its first batch. DIV2K_train (not in the mirror) is extrapolated.", "",
              "| what | images | megapixels | seconds | Mpx/s |", "|---|---|---|---|---|"]
        for r in cache:
            if r.get("status") != "ok":
                L.append(f"| {_esc(r['what'])} | – | – | – | {_esc(r['status'])} |")
                continue
            rate = f"{r['mpx_per_s']:,.1f}" if isinstance(r.get("mpx_per_s"), (int, float)) \
                and not math.isnan(r["mpx_per_s"]) else "–"
            L.append(f"| {_esc(r['what'])} | {_esc(r['images'])} | {r['megapixels']:,.1f} | {r['seconds']:.2f} | "
                     f"{rate} |")
    load = rows[0].get("loadavg_start")
    if isinstance(load, (int, float)) and not math.isnan(load):
        L += ["", f"Measured with a 1-minute load average of {load} on {int(rows[0].get('cores', 0))} cores: above "
              f"the core count, other work shared the machine and the workers' wall-clock rates (and 2 ÷ 1) are "
              f"low; the per-CPU-second rate is not."]
    return L


def _esc(text) -> str:
    import html

    return html.escape(str(text), quote=False).replace("|", "\\|")
