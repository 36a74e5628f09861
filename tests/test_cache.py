"""The decode-once training-image cache (srrepro.cache) and the overlapped batch path (DataLoader workers, losses
kept on the device between curve rows): bit-identity with a fresh decode + MATLAB resize, atomic builds, one
builder at a time, and batches that do not depend on the worker count. A 6-image T91 subset keeps it fast."""
from __future__ import annotations

import multiprocessing
import os
import pickle
import time
from pathlib import Path

import numpy as np
import pytest
import torch

import srrepro.cache as C
import srrepro.train as T
from srrepro.data import read_image
from srrepro.cache import as_rgb, make_lr
from srrepro.patches import PatchSampler


@pytest.fixture(autouse=True)
def _one_thread(monkeypatch):
    monkeypatch.setenv("OMP_NUM_THREADS", "1")


@pytest.fixture
def t91_subset(data_root, tmp_path) -> Path:
    """A data root holding 6 T91 images (symlinks to the mirror's files)."""
    folder = tmp_path / "data" / "train" / "T91"
    folder.mkdir(parents=True)
    for p in sorted((data_root / "train" / "T91").glob("*.png"))[:6]:
        (folder / p.name).symlink_to(p)
    return tmp_path / "data"


def test_cached_arrays_equal_a_fresh_decode_and_matlab_resize_bit_for_bit(t91_subset, tmp_path):
    cache = C.TrainingCache("T91", t91_subset, tmp_path / "cache")
    hr = cache.hr()
    files = sorted((t91_subset / "train" / "T91").glob("*.png"))
    assert hr.names == [p.stem for p in files]
    for i, p in enumerate(files):
        fresh = read_image(p)
        assert hr[i].dtype == np.uint8 and np.array_equal(hr[i], fresh)
    for scale, kind in ((2, "BI"), (3, "BI"), (4, "BD"), (3, "DN")):
        lr = cache.lr(scale, kind)
        for i, p in enumerate(files):
            assert np.array_equal(lr[i], make_lr(as_rgb(read_image(p)), scale, kind, i)), (scale, kind, p.name)
    # the sampler reads the same LR images it would have made itself
    made = PatchSampler(hr.items(), (2, 3), lr_patch=8, batch_size=4, seed=3)
    mapped = PatchSampler(hr, (2, 3), lr_patch=8, batch_size=4, seed=3, lr_images={2: cache.lr(2), 3: cache.lr(3)})
    for step in range(6):
        a, b = made[step], mapped[step]
        assert torch.equal(a[0], b[0]) and torch.equal(a[1], b[1]) and a[2] == b[2]


def test_a_second_start_maps_the_cache_without_decoding(t91_subset, tmp_path, monkeypatch):
    C.TrainingCache("T91", t91_subset, tmp_path / "cache").lr(2)  # the first unit builds it

    def no_decoding(*a, **k):
        raise AssertionError("decoded again")

    monkeypatch.setattr("srrepro.data.read_image", no_decoding)
    monkeypatch.setattr("srrepro.cache.make_lr", no_decoding)
    t = time.perf_counter()
    cache = C.TrainingCache("T91", t91_subset, tmp_path / "cache")
    hr, lr = cache.hr(), cache.lr(2)
    assert time.perf_counter() - t < 1.0 and len(hr) == len(lr) == 6
    assert isinstance(hr.pixels, np.memmap) and not hr[0].flags.writeable


def test_the_key_follows_the_files(t91_subset, tmp_path):
    before = C.TrainingCache("T91", t91_subset, tmp_path / "cache").folder
    victim = sorted((t91_subset / "train" / "T91").iterdir())[0]
    target = victim.resolve()  # the same bytes, written anew: another modification time
    victim.unlink()
    victim.write_bytes(target.read_bytes())
    assert C.TrainingCache("T91", t91_subset, tmp_path / "cache").folder != before


def test_a_failed_build_leaves_nothing_readable_and_its_leftovers_are_removed(t91_subset, tmp_path, monkeypatch):
    cache = C.TrainingCache("T91", t91_subset, tmp_path / "cache")
    cache.hr()
    calls = {"n": 0}
    real = make_lr

    def dies_on_the_third(*a, **k):
        calls["n"] += 1
        if calls["n"] == 3:
            raise RuntimeError("killed")
        return real(*a, **k)

    monkeypatch.setattr("srrepro.cache.make_lr", dies_on_the_third)
    with pytest.raises(RuntimeError, match="killed"):
        cache.lr(2)
    assert not [p for p in cache.folder.iterdir() if p.name.startswith("lr-") and p.is_dir()]  # none half-built
    (cache.folder / f"lr-BI-x2-{C.code_key()}.tmp-999999").mkdir()  # a builder killed by SIGKILL
    monkeypatch.setattr("srrepro.cache.make_lr", real)
    assert len(cache.lr(2)) == 6
    assert not list(cache.folder.glob("*.tmp-*"))


def _build_in_child(root, cache_dir, log):
    real = C.TrainingCache._build_hr

    def counted(self, tmp, progress):
        with open(log, "a") as f:
            f.write(f"{os.getpid()}\n")
        time.sleep(0.3)  # both processes are waiting at the lock by now
        real(self, tmp, progress)

    C.TrainingCache._build_hr = counted
    assert len(C.TrainingCache("T91", root, cache_dir).hr()) == 6


def test_concurrent_builders_build_once(t91_subset, tmp_path):
    ctx = multiprocessing.get_context("fork")
    log = tmp_path / "builds.txt"
    procs = [ctx.Process(target=_build_in_child, args=(t91_subset, tmp_path / "cache", log)) for _ in range(2)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(60)
    assert [p.exitcode for p in procs] == [0, 0]
    assert len(log.read_text().split()) == 1


def test_a_pickled_sampler_carries_the_cache_folders_not_the_pixels(t91_subset, tmp_path):
    cache = C.TrainingCache("T91", t91_subset, tmp_path / "cache")
    sampler = PatchSampler(cache.hr(), (2,), lr_patch=8, batch_size=4, seed=1, lr_images={2: cache.lr(2)})
    blob = pickle.dumps(sampler)
    assert len(blob) < 20_000 < cache.hr().pixels.nbytes
    again = pickle.loads(blob)
    for step in range(4):
        assert all(torch.equal(a, b) for a, b in zip(sampler[step][:2], again[step][:2]))


# ----------------------------------------------------------------------------------------------- the batch path
def _images(n=3, h=40, w=48):
    rng = np.random.default_rng(0)
    return [(f"im{i}", rng.integers(0, 256, (h, w, 3), dtype=np.uint8)) for i in range(n)]


def _tiny(**kw) -> T.TrainConfig:
    base = dict(model="carn_m", model_kwargs={"n_feats": 8}, scales=(2, 3), lr_patch=8, batch_size=4, iterations=6,
                log_every=3, validate_every=0, checkpoint_every=6, seed=1, lr=1e-3, num_workers=0)
    base.update(kw)
    return T.TrainConfig(**base)


@pytest.mark.parametrize("scale_kw", [dict(scales=(2, 3)), dict(scales=(), scale_range=(1.1, 2.0))])
def test_two_workers_give_the_batches_of_none_from_any_start(scale_kw):
    cpu = torch.device("cpu")
    serial = list(T._batches(_tiny(**scale_kw), _images(), 0, 0, 1, cpu, False))
    resumed = list(T._batches(_tiny(num_workers=2, **scale_kw), _images(), 2, 0, 1, cpu, False))
    assert len(serial) == 6 and len(resumed) == 4
    for (a_lr, a_hr, a_s), (b_lr, b_hr, b_s) in zip(serial[2:], resumed):
        assert torch.equal(a_lr, b_lr) and torch.equal(a_hr, b_hr) and a_s == b_s


def test_training_with_workers_is_bit_identical_to_without(tmp_path):
    a = T.train(_tiny(), tmp_path / "a", progress=False, images=_images())
    b = T.train(_tiny(num_workers=2), tmp_path / "b", progress=False, images=_images())
    for k, v in a.model.state_dict().items():
        assert torch.equal(v, b.model.state_dict()[k]), k
    cols = [c for c in a.curve.columns if c != "wall_s"]
    assert a.curve[cols].equals(b.curve[cols])


def test_losses_reach_the_host_once_per_curve_row_not_per_step(tmp_path, monkeypatch):
    flushed = []
    real = T._flush_losses

    def spy(p, *a, **k):
        if p.pending:
            flushed.append((p.step, len(p.pending)))
        return real(p, *a, **k)

    monkeypatch.setattr(T, "_flush_losses", spy)
    T.train(_tiny(), tmp_path, progress=False, images=_images())
    assert flushed == [(3, 3), (6, 3)]  # log_every 3, checkpoint at 6


def test_auto_workers_on_cuda_only(monkeypatch):
    cfg = _tiny(num_workers="auto")
    assert T.loader_workers(cfg, "cpu") == 0
    monkeypatch.setattr(T, "cpu_cores", lambda: 128)
    monkeypatch.setattr(torch.cuda, "device_count", lambda: 4)
    assert T.loader_workers(cfg, "cuda:1") == 16  # 32 cores per GPU: capped at 16
    monkeypatch.setattr(T, "cpu_cores", lambda: 16)
    assert T.loader_workers(cfg, "cuda:1") == 3  # 4 per GPU, one left to the main process
    assert T.loader_workers(_tiny(num_workers=2), "cuda") == 2
    with pytest.raises(ValueError, match="num_workers"):
        _tiny(num_workers=-1)
    assert T.config_from_args(T.build_parser().parse_args(["--run-dir", "x", "--num-workers", "auto"])).num_workers \
        == "auto"
