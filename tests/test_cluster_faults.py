"""Faults of the GPU / cluster path, each injected: GPUs handed to workers, lock waits, preemption, provenance of
the device, and the checksummed, resumable download of DIV2K."""
from __future__ import annotations

import os
import threading
import time
from concurrent.futures import Future

import pandas as pd
import pytest
import torch

from srrepro import jobs, tables


# ------------------------------------------------------------------------------------------ GPUs for the workers
@pytest.fixture
def four_gpus(monkeypatch):
    """This process sees four CUDA devices (nothing here runs a kernel on them)."""
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "device_count", lambda: 4)


class _InlinePool:
    """``jobs.worker_pool`` run in this process: ``workers`` workers, each set up by the real ``_worker_init`` (its
    GPU taken from the shared list), units dealt to them in turn and run at once."""

    def __init__(self, workers: int, devices: list[str]):
        shared, lock = list(devices), threading.Lock()
        self.worker_device = []
        for _ in range(workers):
            os.environ.pop("SRREPRO_WORKER_DEVICE", None)
            jobs._worker_init(shared, lock, os.getpid())
            self.worker_device.append(os.environ.pop("SRREPRO_WORKER_DEVICE", None))
        self.n = 0

    def submit(self, fn, *args):
        device = self.worker_device[self.n % len(self.worker_device)]
        self.n += 1
        if device:
            os.environ["SRREPRO_WORKER_DEVICE"] = device
        try:
            fut = Future()
            fut.set_result(fn(*args))
            return fut
        finally:
            os.environ.pop("SRREPRO_WORKER_DEVICE", None)


def _devices_units_ran_on(monkeypatch, tmp_path, device: str, workers: int | None, units: int = 6) -> list[str]:
    from contextlib import contextmanager

    ran_on = []

    @contextmanager
    def inline_pool(n, devices):
        yield _InlinePool(n, devices)

    def fake_run_job(ctx, table, job, evs, threads=None):
        ran_on.append(str(ctx.device))
        return [], pd.DataFrame()

    monkeypatch.setattr(jobs.lifeline, "die_with_parent", lambda pid: None)
    monkeypatch.setattr(jobs, "worker_pool", inline_pool)
    monkeypatch.setattr(jobs, "run_job", fake_run_job)
    ctx = tables.context(tables.get("overnet_t2"), "paper", device=device, workers=workers, work_dir=tmp_path,
                         progress=False)
    units_ = [jobs.Job.official({"unit": i}, [{"dataset": "Set5", "scale": 2}], weights="w") for i in range(units)]
    jobs.run_jobs(ctx, "t", units_)
    assert len(ran_on) == units
    return ran_on


@pytest.mark.parametrize("workers", [4, 3, 6])
def test_explicit_workers_spread_units_over_the_visible_gpus(four_gpus, monkeypatch, tmp_path, workers):
    """Before: ``--workers N`` left the device list empty and every worker took cuda:0."""
    ran_on = _devices_units_ran_on(monkeypatch, tmp_path, "auto", workers)
    assert set(ran_on) == {f"cuda:{i}" for i in range(min(workers, 4))}, ran_on
    assert jobs.unit_devices(tables.context(tables.get("overnet_t2"), "paper", device="cuda"), 6) == \
        ["cuda:0", "cuda:1", "cuda:2", "cuda:3", "cuda:0", "cuda:1"]  # more workers than GPUs: dealt in turn


def test_the_default_is_one_worker_per_gpu(four_gpus, monkeypatch, tmp_path):
    assert sorted(_devices_units_ran_on(monkeypatch, tmp_path, "cuda", None, units=4)) == \
        ["cuda:0", "cuda:1", "cuda:2", "cuda:3"]


@pytest.mark.parametrize("workers", [None, 3])
def test_a_named_gpu_pins_every_unit_to_it(four_gpus, monkeypatch, tmp_path, workers):
    """Before: ``--device cuda:3`` still spread the units over all four GPUs."""
    assert set(_devices_units_ran_on(monkeypatch, tmp_path, "cuda:3", workers)) == {"cuda:3"}
    ctx = tables.context(tables.get("overnet_t2"), "paper", device="cuda:3")
    assert jobs.default_workers(ctx, 6) == (1, ["cuda:3"])


def test_cpu_units_get_no_gpu(monkeypatch, tmp_path):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    assert set(_devices_units_ran_on(monkeypatch, tmp_path, "cpu", 2)) == {"cpu"}


# ------------------------------------------------------------------------------------------ lock waits
def test_a_lock_held_past_the_wait_does_not_abort_the_table(tmp_path, monkeypatch, capfd):
    """Another process trains the model for longer than the waiter's notice interval (before: a wait of
    LOCK_WAIT_S raised filelock.Timeout and aborted the table): the waiter says who holds the lock, waits, then
    reuses the finished model."""
    import json

    from srrepro.train import TrainConfig

    monkeypatch.setattr(jobs, "LOCK_NOTE_S", 0.2)
    ctx = tables.context(tables.get("overnet_t2"), "smoke", work_dir=tmp_path, progress=False)
    config = TrainConfig(model="carn_m", iterations=10)
    h = jobs.model_hash(config, "smoke")
    holding = threading.Event()

    def other_process_trains():  # a second lock object on the same file: the OS lock conflicts as across processes
        with jobs.model_lock(tmp_path, h, "other_table"):
            holding.set()
            time.sleep(1.5)
            run = tmp_path / "other_table" / h
            run.mkdir(parents=True)
            torch.save({"w": torch.zeros(1)}, run / "model.pt")
            (run / "model.json").write_text(json.dumps({"model_hash": h, "iterations": 10}))

    holder = threading.Thread(target=other_process_trains)
    holder.start()
    holding.wait(10)
    run_dir, info = jobs.trained_model(ctx, "this_table", config)
    holder.join()
    assert run_dir == tmp_path / "other_table" / h and info["reused_from"] == f"other_table/{h}"
    waits = [ln for ln in capfd.readouterr().err.splitlines() if ln.startswith(f"srrepro: waiting for model {h}")]
    assert len(waits) >= 3, waits
    assert f"held by pid {os.getpid()} on " in waits[0] and "(table other_table)" in waits[0]
