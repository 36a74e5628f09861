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


# ------------------------------------------------------------------------------------------ preemption
def test_a_clusters_sigterm_then_usr2_both_wait_for_the_end_of_the_iteration():
    """Slurm preempts with SIGTERM and submitit expects USR2 too: two different signals are not a user's second
    Ctrl-C, so neither cuts the iteration short (else nothing would be saved)."""
    import signal

    from srrepro.train import deferred_interrupts

    got = []
    old = {sig: signal.signal(sig, lambda signum, frame: got.append(signum)) for sig in (signal.SIGTERM, signal.SIGUSR2)}
    try:
        with deferred_interrupts():
            signal.raise_signal(signal.SIGTERM)
            signal.raise_signal(signal.SIGUSR2)
            assert got == []  # the iteration goes on
        assert got == [signal.SIGTERM, signal.SIGUSR2]  # then both are delivered, in order
    finally:
        for sig, handler in old.items():
            signal.signal(sig, handler)


PREEMPT_ITERATIONS, PREEMPT_LOG_EVERY = 200, 20


@pytest.mark.slow  # 13-25 s each: two trainings and a submitit job
@pytest.mark.parametrize("sig", ["SIGUSR2", "SIGTERM"])
def test_a_preempted_cluster_unit_saves_requeues_and_ends_bit_for_bit(tmp_path, data_root, sig):
    """A unit under submitit-local gets Slurm's preemption / time-limit signal (USR2) or a SIGTERM mid-training,
    with no periodic checkpoint before the end (before: USR2 requeued it without saving, so it restarted from
    iteration 0; SIGTERM was ignored). It saves at the end of the iteration in progress, is requeued, resumes
    there, and ends with the weights of an uninterrupted run, bit for bit."""
    import re
    import signal
    from dataclasses import replace

    import psutil

    from srrepro import launch
    from srrepro.papers.overnet import spec as ov

    c = tables.context(tables.get("overnet_t4"), "smoke", iterations=PREEMPT_ITERATIONS, launcher="submitit-local",
                       work_dir=tmp_path / "runs", data_root=str(data_root), progress=False)
    cfg = replace(ov.overnet_config(c, 0, 2), log_every=PREEMPT_LOG_EVERY, checkpoint_every=PREEMPT_ITERATIONS,
                  snapshots=(0.25,))
    job = jobs.Job.train({"unit": 0}, [{"dataset": "Set5", "scale": 2}], cfg, "overnet")
    reached = PREEMPT_ITERATIONS // 4  # model_50.pt: at least this many iterations are done when it appears
    snapshot = tmp_path / "runs" / "t" / job.hash("smoke") / f"model_{reached}.pt"

    unit = launch.executor(c, "t").submit(launch.Unit(jobs.run_group_in_worker), c, "t", [(job, job.evals)], 1)
    deadline = time.time() + 120
    while not snapshot.exists() and not unit.done() and time.time() < deadline:
        time.sleep(0.01)
    assert snapshot.exists() and not unit.done(), "the unit never reached a quarter of its training"
    (worker,) = psutil.Process(unit._process.pid).children()  # submitit's controller runs the unit in a child
    worker.send_signal(getattr(signal, sig))
    rows, _ = unit.result()[0]
    log = unit.paths.stderr.read_text()

    saved = [int(n) for n in re.findall(r"interrupted after iteration (\d+): saved", log)]
    assert len(saved) == 1 and f"srrepro: {sig}: checkpoint saved, requeueing the unit" in log, log[-2000:]
    # it stopped in the iteration the signal reached (at least `reached` done), and resumed there: the work lost is
    # that iteration's rest, less than one logging interval (before: every iteration up to the signal)
    print(f"{sig}: snapshot at {reached}, saved at {saved[0]}")
    assert reached <= saved[0] < reached + PREEMPT_LOG_EVERY, saved
    assert rows[0]["status"].startswith("ok") and rows[0]["iterations"] == PREEMPT_ITERATIONS
    preempted = torch.load(snapshot.parent / "model.pt", weights_only=True)
    straight_ctx = replace(c, launcher="local", work_dir=tmp_path / "straight")
    straight_dir, _ = jobs.trained_model(straight_ctx, "t", cfg, threads=1)
    straight = torch.load(straight_dir / "model.pt", weights_only=True)
    assert all(torch.equal(preempted[k], straight[k]) for k in straight)


# ------------------------------------------------------------------------------------------ provenance of the device
def test_rows_and_model_json_record_the_device_and_precision(tmp_path, data_root):
    """Before: neither a row nor model.json said which GPU (or CPU) computed it, nor in what precision."""
    import json

    from srrepro.provenance import cpu_model
    from srrepro.papers.overnet import spec as ov

    c = tables.context(tables.get("overnet_t4"), "smoke", iterations=4, device="cpu", work_dir=tmp_path,
                       data_root=str(data_root), progress=False)
    job = jobs.Job.train({"unit": 0}, [{"dataset": "Set5", "scale": 2}], ov.overnet_config(c, 0, 2), "overnet")
    rows, _ = jobs.run_job(c, "t", job, job.evals, threads=1)
    cpu = {"device": "cpu", "device_name": cpu_model(), "precision": "fp32"}
    assert {k: rows[0][k] for k in cpu} == cpu  # where it was scored
    assert {k: rows[0][f"train_{k}"] for k in cpu} == cpu  # where it was trained (from model.json)
    meta = json.loads((tmp_path / "t" / job.hash("smoke") / "model.json").read_text())
    assert {k: meta[f"train_{k}"] for k in cpu} == cpu


def test_a_gpu_is_recorded_by_name_and_precision(monkeypatch):
    from srrepro.provenance import compute_device

    monkeypatch.setattr(torch.cuda, "get_device_name", lambda i: f"NVIDIA H100 80GB HBM3 #{i}")
    monkeypatch.setattr(torch.cuda, "get_device_capability", lambda i: (9, 0))
    monkeypatch.setattr(torch.cuda, "current_device", lambda: 2)
    old_tf32 = torch.backends.cuda.matmul.allow_tf32, torch.backends.cudnn.allow_tf32
    torch.backends.cuda.matmul.allow_tf32, torch.backends.cudnn.allow_tf32 = False, True  # torch's defaults
    try:
        h100 = {"device": "cuda:1", "device_name": "NVIDIA H100 80GB HBM3 #1"}
        assert compute_device("cuda:1", "bf16") == {**h100, "precision": "bf16 autocast"}
        assert compute_device("cuda:1", "fp16") == {**h100, "precision": "fp16 autocast + GradScaler"}
        assert compute_device("cuda:1") == {**h100, "precision": "fp32 (TF32 conv)"}  # scoring: TF32 convolutions
        assert compute_device("cuda", "none")["device"] == "cuda:2"  # the current one
        monkeypatch.setattr(torch.cuda, "get_device_capability", lambda i: (7, 0))  # V100: no TF32
        assert compute_device("cuda:1")["precision"] == "fp32"
    finally:
        torch.backends.cuda.matmul.allow_tf32, torch.backends.cudnn.allow_tf32 = old_tf32


def test_a_worker_trains_on_its_own_gpu_not_the_drivers(four_gpus, tmp_path, monkeypatch):
    import srrepro.train

    """The job's TrainConfig was made in the driver (device auto = cuda:0); a pool worker's unit trains on the GPU
    it was given (before: scored on it, but trained on cuda:0 with every other worker)."""
    from srrepro.papers.overnet import spec as ov

    class Stop(Exception):
        pass

    seen = []

    def fake_train(config, run_dir, **kw):
        seen.append(config.device)
        raise Stop

    c = tables.context(tables.get("overnet_t4"), "smoke", iterations=4, work_dir=tmp_path, progress=False)
    cfg = ov.overnet_config(c, 0, 2)
    assert cfg.device == "auto"
    monkeypatch.setattr(srrepro.train, "train", fake_train)
    worker_ctx = tables.context(tables.get("overnet_t4"), "smoke", device="cuda:2", work_dir=tmp_path)  # _worker_run's
    with pytest.raises(Stop):
        jobs.trained_model(worker_ctx, "t", cfg)
    assert seen == ["cuda:2"]


# ------------------------------------------------------------------------------------------ download
class _FlakyServer:
    """An HTTP server on 127.0.0.1 serving one file, honouring Range requests; its first response announces the
    whole file but the connection drops after ``cut`` bytes."""

    def __init__(self, payload: bytes, cut: int):
        import http.server

        self.payload, self.cut, self.requests = payload, cut, []
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                rng = self.headers.get("Range")
                server.requests.append(rng)
                start = int(rng.split("=")[1].split("-")[0]) if rng else 0
                body = server.payload[start:]
                self.send_response(206 if rng else 200)
                self.send_header("Content-Length", str(len(body)))
                if rng:
                    self.send_header("Content-Range", f"bytes {start}-{len(server.payload) - 1}/{len(server.payload)}")
                self.end_headers()
                if len(server.requests) == 1:  # the first transfer dies half-way
                    self.wfile.write(body[:server.cut])
                    self.wfile.flush()
                    self.close_connection = True
                    return
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/DIV2K_valid_HR.zip"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def flaky(monkeypatch):
    import hashlib

    from srrepro import data

    monkeypatch.setattr(data, "FETCH_BACKOFF_S", 0.01)
    payload = os.urandom(3 << 20)
    server = _FlakyServer(payload, cut=1 << 20)
    yield server, hashlib.sha256(payload).hexdigest()
    server.close()


def test_a_dropped_download_is_retried_and_resumed_with_range(flaky, tmp_path, capfd):
    """Before: one urlopen, no retry, no resume: a connection dropped after 1 MiB of 3 MiB failed the download."""
    from srrepro import data

    server, sha = flaky
    out = data.fetch(server.url, tmp_path / "DIV2K_valid_HR.zip", sha256=sha, progress=False)
    assert data.file_sha256(out) == sha and out.read_bytes() == server.payload
    assert server.requests == [None, f"bytes={1 << 20}-"]  # the second request asked for the rest only
    assert "resuming at byte 1,048,576" in capfd.readouterr().err
    assert [p.name for p in tmp_path.iterdir()] == ["DIV2K_valid_HR.zip"]  # no .partial left


def test_a_wrong_checksum_is_refused_in_one_line_and_the_partial_removed(flaky, tmp_path):
    from srrepro import data
    from srrepro.errors import SrreproError

    server, sha = flaky
    with pytest.raises(SrreproError) as e:
        data.fetch(server.url, tmp_path / "DIV2K_valid_HR.zip", sha256="0" * 64, progress=False)
    assert isinstance(e.value, data.ChecksumError) and "\n" not in str(e.value)
    assert f"sha256 {sha} does not match the expected {'0' * 64}" in str(e.value)
    assert list(tmp_path.iterdir()) == []  # neither the file nor its partial download


def test_a_partial_download_left_by_an_earlier_run_is_resumed(flaky, tmp_path):
    from srrepro import data

    server, sha = flaky
    server.requests.append("(an earlier run)")  # no more drops
    (tmp_path / "DIV2K_valid_HR.zip.partial").write_bytes(server.payload[:12345])
    out = data.fetch(server.url, tmp_path / "DIV2K_valid_HR.zip", sha256=sha, progress=False)
    assert data.file_sha256(out) == sha and server.requests[1:] == ["bytes=12345-"]


def test_div2k_is_fetched_over_https_with_a_pinned_checksum():
    from srrepro import data

    for name in ("DIV2K_train", "DIV2K_valid"):
        for url, sha, size, _ in data.DATASETS[name].archives:
            assert url.startswith("https://data.vision.ee.ethz.ch/cvl/DIV2K/"), url
            assert len(sha or "") == 64 and size > 0
