"""Faults a researcher hits first: interrupts at any instant, killed parents, corrupt caches, full disks.

Every fault is injected for real (a signal raised inside a step, a process killed, bytes truncated, an OSError
raised by the write) and the test checks what is left behind: nothing lost, nothing silently wrong.
"""
from __future__ import annotations

import errno
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import torch

import srrepro.train as T
from test_train import assert_same_state, images, load_ckpt, tiny


@pytest.fixture(autouse=True)
def _one_thread(monkeypatch):
    monkeypatch.setenv("OMP_NUM_THREADS", "1")


# ----------------------------------------------------------------------------------------------- resume exact
# The instants of one optimisation step at which an interrupt may land, in order. "d_update": between PCARN's
# discriminator update and the generator's (GAN loss only).
PHASES = ("lr", "forward", "d_update", "backward", "optimizer_step", "after_update", "after_counter", "after_log")
INTERRUPTED_ITERATION = 3  # the 3rd iteration; checkpoint_every=2 leaves a periodic checkpoint at 2 before it


def _interrupt_in(monkeypatch, phase: str, sig: int) -> None:
    """Raise ``sig`` at ``phase`` of iteration INTERRUPTED_ITERATION, as a Ctrl-C or a `kill` landing there would."""
    state = {"iteration": 0, "fired": False}

    def fire(*_):
        if state["iteration"] == INTERRUPTED_ITERATION and not state["fired"]:
            state["fired"] = True
            signal.raise_signal(sig)

    real_call, real_needs_losses, real_log, real_lr_at = T._Step.__call__, T._needs_losses, T._log, T.lr_at

    def call(self, *args, **kw):
        state["iteration"] += 1
        hooks = []
        if phase == "forward":
            hooks.append(self.model.register_forward_hook(fire))
        elif phase == "d_update":
            hooks.append(self.optimizer_d.register_step_post_hook(fire))
        elif phase == "backward":  # gradients computed (and clipped), no weight moved yet
            hooks.append(self.optimizer.register_step_pre_hook(fire))
        elif phase == "optimizer_step":  # Adam has stepped, the GradScaler not yet updated
            hooks.append(self.optimizer.register_step_post_hook(fire))
        try:
            out = real_call(self, *args, **kw)
        finally:
            for h in hooks:
                h.remove()
        if phase == "after_update":  # the weights moved, the step counter not yet
            fire()
        return out

    def lr_at(config, step):
        if phase == "lr" and step == INTERRUPTED_ITERATION - 1:
            state["iteration"] = INTERRUPTED_ITERATION
            fire()
            state["iteration"] = INTERRUPTED_ITERATION - 1
        return real_lr_at(config, step)

    def needs_losses(*args):  # runs right after the counter moved, before the running means take the step
        fire()
        return real_needs_losses(*args)

    def log(*args):
        real_log(*args)
        if phase == "after_log":
            fire()

    monkeypatch.setattr(T._Step, "__call__", call)
    monkeypatch.setattr(T, "lr_at", lr_at)
    if phase == "after_counter":
        monkeypatch.setattr(T, "_needs_losses", needs_losses)
    monkeypatch.setattr(T, "_log", log)


@pytest.fixture(autouse=True)
def ctrl_c_raises():
    """Each test here starts as a Python process in a terminal does: Ctrl-C raises KeyboardInterrupt. An earlier
    test in the same pytest worker may have left another SIGINT handler (the suite failed here in a full run on a
    fresh clone, never alone), and what is tested is training's handling, not the worker's history."""
    old = signal.signal(signal.SIGINT, signal.default_int_handler)
    yield
    signal.signal(signal.SIGINT, old)


def _gan(**kw) -> T.TrainConfig:
    return tiny(loss="1*l1+5e-3*gan", gan_scales=1, discriminator="_test_tiny_discriminator", scales=(4,),
                model_kwargs={"n_feats": 8, "multi_scale": True}, **kw)


@pytest.fixture(scope="module")
def straight_runs(tmp_path_factory):
    """The uninterrupted references: {loss: run dir}."""
    out = {}
    for name, cfg in (("l1", tiny()), ("gan", _gan())):
        d = tmp_path_factory.mktemp(f"straight_{name}")
        T.train(cfg, d, progress=False, images=images(), threads=1)
        out[name] = d
    return out


# SIGTERM takes the same path as SIGINT: two phases suffice
@pytest.mark.parametrize("phase, sig", [(ph, signal.SIGINT) for ph in PHASES]
                         + [(ph, signal.SIGTERM) for ph in ("backward", "after_update")])
def test_an_interrupt_at_any_phase_of_a_step_resumes_bit_for_bit(tmp_path, monkeypatch, request, straight_runs,
                                                                  phase, sig):
    name = "gan" if phase == "d_update" else "l1"
    cfg = _gan() if name == "gan" else tiny()
    if sig == signal.SIGTERM:  # as `srrepro train` and `srrepro reproduce` install it: preemption saves like Ctrl-C
        old = signal.signal(signal.SIGTERM, signal.default_int_handler)
        request.addfinalizer(lambda: signal.signal(signal.SIGTERM, old))
    run = tmp_path / "run"
    with monkeypatch.context() as m:
        _interrupt_in(m, phase, sig)
        with pytest.raises(KeyboardInterrupt):
            T.train(cfg, run, progress=False, images=images(), threads=1)
    # the interrupted iteration is finished and saved: nothing lost, nothing counted twice
    assert torch.load(run / T.CHECKPOINT, weights_only=True)["step"] == INTERRUPTED_ITERATION
    resumed = T.train(cfg, run, resume=True, progress=False, images=images(), threads=1)
    assert resumed.iterations == 6
    straight = straight_runs[name]
    assert_same_state(torch.load(straight / T.FINAL, weights_only=True), resumed.model.state_dict(), "model")
    assert_same_state(load_ckpt(straight), load_ckpt(run), "checkpoint")



def test_a_second_interrupt_stops_at_once_and_saves_nothing_half_done(tmp_path, monkeypatch, straight_runs):
    real_call = T._Step.__call__
    calls = []

    def call(self, *args, **kw):
        out = real_call(self, *args, **kw)
        calls.append(1)
        if len(calls) == INTERRUPTED_ITERATION:  # the user presses Ctrl-C twice right after the update
            signal.raise_signal(signal.SIGINT)
            signal.raise_signal(signal.SIGINT)
            pytest.fail("the second Ctrl-C did not interrupt at once")
        return out

    with monkeypatch.context() as m:
        m.setattr(T._Step, "__call__", call)
        with pytest.raises(KeyboardInterrupt):
            T.train(tiny(), tmp_path, progress=False, images=images(), threads=1)
    assert torch.load(tmp_path / T.CHECKPOINT, weights_only=True)["step"] == 2  # the periodic one, untouched
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler  # handlers restored
    resumed = T.train(tiny(), tmp_path, resume=True, progress=False, images=images(), threads=1)
    assert_same_state(torch.load(straight_runs["l1"] / T.FINAL, weights_only=True), resumed.model.state_dict())


# ----------------------------------------------------------------------------------------------- workers die with parent
REPO = Path(__file__).resolve().parents[1]
_REPRODUCE_WITH_WORKERS = """
import functools, signal, sys
from srrepro import cli, tables

if __name__ == "__main__":  # (spawned workers import this file too)
    signal.signal(signal.SIGINT, signal.default_int_handler)  # as in a terminal, even if started in the background
    tables.reproduce = functools.partial(tables.reproduce, work_dir=sys.argv[1])  # runs/ in the test's folder
    sys.exit(cli.main(["reproduce", "overnet_t4", "--profile", "smoke", "--workers", "2", "--iterations", "5000",
                       "--results", sys.argv[2], "--only", "overscale=3,4"]))
"""


def _start(script: str, *args, tmp_path) -> subprocess.Popen:
    path = tmp_path / "main.py"
    path.write_text(script)
    env = {**os.environ, "PYTHONPATH": str(REPO), "OMP_NUM_THREADS": "1"}
    return subprocess.Popen([sys.executable, str(path), *map(str, args)], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, start_new_session=True)


@pytest.mark.slow  # three processes importing torch: 20-70 s on a shared 2-core machine
@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGKILL, signal.SIGINT], ids=["SIGTERM", "SIGKILL", "SIGINT"])
def test_workers_die_with_their_parent(tmp_path, data_root, sig):
    psutil = pytest.importorskip("psutil")
    runs = tmp_path / "runs"
    main = _start(_REPRODUCE_WITH_WORKERS, runs, tmp_path / "results", tmp_path=tmp_path)
    try:
        deadline = time.monotonic() + 120
        while len(list(runs.glob("*/*/checkpoint.pt"))) < 2:  # both workers are training
            assert main.poll() is None and time.monotonic() < deadline, main.communicate()
            time.sleep(0.1)
        family = psutil.Process(main.pid).children(recursive=True)
        assert len(family) >= 2
        main.send_signal(sig)
        main.wait(timeout=60)
        gone, alive = psutil.wait_procs(family, timeout=10)
        assert not alive, [p.cmdline() for p in alive]
        err = main.stderr.read()
        if sig != signal.SIGKILL:  # a stop: one line, status 130, and each unit saved where it was
            assert main.returncode == 130 and err.strip().splitlines()[-1] == "srrepro: interrupted", err
        for ckpt in runs.glob("*/*/checkpoint.pt"):
            assert torch.load(ckpt, weights_only=True)["step"] > 0
        assert not list((tmp_path / "results").rglob("*.csv"))  # an interrupted table writes nothing
    finally:
        if main.poll() is None:
            main.kill()
        for p in psutil.Process().children(recursive=True):  # (a failed run must not leave its own orphans)
            p.kill()


_LATE_INTERRUPT = """
import atexit, signal, sys, time
from srrepro import cli

signal.signal(signal.SIGINT, signal.default_int_handler)  # as in a terminal, even if started in the background

atexit.register(time.sleep, 30)  # a slow shutdown (pool threads joined, files flushed) for the Ctrl-C to land in
atexit.register(print, "shutting down", flush=True)
sys.argv = ["srrepro", "list", "--ids"]
sys.exit(cli.main())
"""


def test_a_ctrl_c_during_shutdown_is_not_a_success(tmp_path):
    proc = _start(_LATE_INTERRUPT, tmp_path=tmp_path)
    for line in proc.stdout:
        if line.strip() == "shutting down":
            break
    time.sleep(0.2)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=20)
    assert proc.returncode == 130 and err.strip() == "srrepro: interrupted", (proc.returncode, err)


# ----------------------------------------------------------------------------------------------- corrupt caches
from test_engine import toy  # noqa: E402,F401  (the toy paper module fixture)


def _truncate(path: Path) -> None:
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])


CORRUPTIONS = {  # what a crash, a full disk or a stray editor leaves behind, and which file is named
    "model.pt truncated": ("model.pt", _truncate),
    "model.pt garbage": ("model.pt", lambda p: p.write_bytes(b"\x00garbage" * 10)),
    "model.json garbage": ("model.json", lambda p: p.write_text("{not json")),
    "checkpoint.pt truncated (unfinished run)": ("checkpoint.pt", lambda p: (_truncate(p), (p.parent / "model.pt").unlink(),
                                                                             (p.parent / "model.json").unlink())),
    "score cache garbage": ("scores/*.csv", lambda p: p.write_bytes(b"\xff\xfe\x00,,\n\x00")),
    "score cache header only": ("scores/*.csv", lambda p: p.write_text("image,psnr,ssim\n")),
}


@pytest.mark.parametrize("case", list(CORRUPTIONS))
def test_a_corrupt_file_in_runs_is_named_moved_aside_and_recomputed(toy, tmp_path, data_root, capsys, case):
    from srrepro import tables

    kw = dict(results_dir=tmp_path, work_dir=tmp_path / "runs", progress=False, write=False, workers=1)
    first = tables.reproduce("toy_train", "smoke", **kw).rows
    pattern, corrupt = CORRUPTIONS[case]
    victim = sorted((tmp_path / "runs").glob(f"toy_train/*/{pattern}"))[0]
    corrupt(victim)
    capsys.readouterr()
    again = tables.reproduce("toy_train", "smoke", **kw).rows
    err = [line for line in capsys.readouterr().err.splitlines() if "corrupt" in line]
    assert len(err) == 1 and str(victim) in err[0], err  # named in one line
    assert len(list(victim.parent.glob(f"{victim.name}.corrupt-*"))) == 1  # kept aside, not read again
    assert again["psnr"].notna().all() and again["status"].str.startswith("ok").all()
    assert again["psnr"].tolist() == first["psnr"].tolist()  # recomputed: the same numbers, bit for bit


def test_runs_locks_being_a_file_is_one_line(toy, tmp_path, data_root):
    from srrepro import tables
    from srrepro.errors import SrreproError

    (tmp_path / "runs").mkdir()
    (tmp_path / "runs" / "locks").write_text("")
    with pytest.raises(SrreproError) as e:
        tables.reproduce("toy_train", "smoke", results_dir=tmp_path, work_dir=tmp_path / "runs", progress=False,
                         write=False, workers=1)
    assert "\n" not in str(e.value) and str(tmp_path / "runs" / "locks") in str(e.value)


# ----------------------------------------------------------------------------------------------- full or read-only disks
def _disk_full_under(monkeypatch, folder: Path, errno_: int = errno.ENOSPC) -> None:
    """Writes under ``folder`` fail as on a full disk (fsync reports ENOSPC) or a read-only one (mkstemp: EROFS)."""
    import tempfile

    real_fsync, real_mkstemp = os.fsync, tempfile.mkstemp
    folder = str(folder.resolve())

    def fsync(fd):
        if errno_ == errno.ENOSPC and os.readlink(f"/proc/self/fd/{fd}").startswith(folder):
            raise OSError(errno_, os.strerror(errno_))
        return real_fsync(fd)

    def mkstemp(*args, dir=None, **kw):
        if errno_ != errno.ENOSPC and str(Path(dir).resolve()).startswith(folder):
            raise OSError(errno_, os.strerror(errno_), str(dir))
        return real_mkstemp(*args, dir=dir, **kw)

    monkeypatch.setattr(os, "fsync", fsync)
    monkeypatch.setattr(tempfile, "mkstemp", mkstemp)


def _one_error_line(capsys) -> str:
    err = [line for line in capsys.readouterr().err.splitlines() if line.strip()]
    assert len(err) == 1 and err[0].startswith("srrepro: error: "), err
    return err[0]


def _leftovers(folder: Path) -> list:
    return [p for p in folder.rglob("*") if p.name.endswith((".tmp", ".partial"))]


@pytest.mark.parametrize("where", ["results", "runs"])
@pytest.mark.parametrize("errno_", [errno.ENOSPC, errno.EROFS], ids=["ENOSPC", "EROFS"])
def test_a_full_or_read_only_disk_in_reproduce_is_one_line_naming_the_path(toy, tmp_path, data_root, monkeypatch,
                                                                           capsys, where, errno_):
    import functools

    from srrepro import cli, tables

    monkeypatch.setattr(tables, "reproduce", functools.partial(tables.reproduce, work_dir=tmp_path / "runs"))
    (tmp_path / where).mkdir()
    _disk_full_under(monkeypatch, tmp_path / where, errno_)
    assert cli.main(["reproduce", "toy_train", "--profile", "smoke", "--results", str(tmp_path / "results")]) == 2
    line = _one_error_line(capsys)
    assert str(tmp_path / where) in line and os.strerror(errno_) in line, line
    assert not _leftovers(tmp_path)


def test_a_full_disk_in_score_and_prepare_is_one_line_naming_the_path(tmp_path, data_root, monkeypatch, capsys):
    from PIL import Image

    from srrepro import cli

    out = tmp_path / "out"
    out.mkdir()
    _disk_full_under(monkeypatch, out)
    hr = data_root / "benchmarks" / "Set5"
    assert cli.main(["score", "--sr", str(hr), "--hr", str(hr), "--scale", "2", "--csv", str(out / "s.csv")]) == 2
    assert str(out / "s.csv") in _one_error_line(capsys)

    def full(self, fp, *args, **kw):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(Image.Image, "save", full)
    assert cli.main(["prepare", "--dataset", "Set5", "--scale", "2", "--out", str(out / "lr")]) == 2
    line = _one_error_line(capsys)
    assert str(out / "lr") in line and "No space left on device" in line, line
    assert not _leftovers(tmp_path) and not (out / "lr").exists()


# ----------------------------------------------------------------------------------------------- score and doctor
def _bicubic_sr(hr_dir: Path, out: Path, mode: str = "RGB", names=None) -> Path:
    """Bicubic ×2 'SR' images of ``hr_dir`` (mod-cropped), saved in ``mode``."""
    from PIL import Image

    out.mkdir(parents=True, exist_ok=True)
    for p in sorted(hr_dir.glob("*.png")):
        if names is not None and p.stem not in names:
            continue
        with Image.open(p) as im:
            w, h = im.size[0] // 2 * 2, im.size[1] // 2 * 2
            hr = im.convert("RGB").crop((0, 0, w, h))
        sr = hr.resize((w // 2, h // 2), Image.BICUBIC).resize((w, h), Image.BICUBIC)
        sr.convert(mode).save(out / p.name)
    return out


def _mean_psnr(out: str) -> float:
    line = next(line for line in out.splitlines() if line.startswith("mean over"))
    return float(line.split("PSNR ")[1].split(" dB")[0])


def test_score_refuses_grey_sr_against_colour_hr_unless_asked(tmp_path, data_root, capsys):
    from srrepro import cli

    hr = data_root / "benchmarks" / "Set5"
    colour, grey = _bicubic_sr(hr, tmp_path / "rgb"), _bicubic_sr(hr, tmp_path / "grey", mode="L")
    assert cli.main(["score", "--sr", str(colour), "--hr", str(hr), "--scale", "2"]) == 0
    want = _mean_psnr(capsys.readouterr().out)
    assert cli.main(["score", "--sr", str(grey), "--hr", str(hr), "--scale", "2"]) == 2
    line = _one_error_line(capsys)
    assert "5 SR files (baby.png, bird.png, butterfly.png, head.png, woman.png) greyscale" in line and "--grey-sr" in line
    assert cli.main(["score", "--sr", str(grey), "--hr", str(hr), "--scale", "2", "--grey-sr"]) == 0
    assert _mean_psnr(capsys.readouterr().out) == pytest.approx(want, abs=0.05)  # the luma's rounding only


def test_score_lists_unmatched_files_and_says_what_it_did_not_score(tmp_path, data_root, capsys):
    import shutil

    from srrepro import cli

    hr = data_root / "benchmarks" / "Set5"
    sr = _bicubic_sr(hr, tmp_path / "sr", names={"baby", "bird", "head", "woman"})
    assert cli.main(["score", "--sr", str(sr), "--hr", str(hr), "--scale", "2"]) == 0
    captured = capsys.readouterr()
    assert "mean over 4 images" in captured.out
    assert captured.err.strip() == (f"srrepro: note: 1 HR image (butterfly) in {hr} without an SR image: the means "
                                    f"are over the 4 scored")
    for name in ("zebra.png", "lena_x2.png"):
        shutil.copy(sr / "baby.png", sr / name)
    assert cli.main(["score", "--sr", str(sr), "--hr", str(hr), "--scale", "2"]) == 2
    assert "2 SR files (lena_x2.png, zebra.png)" in _one_error_line(capsys)


def test_score_explains_a_border_larger_than_the_image(tmp_path, data_root, capsys):
    from srrepro import cli

    hr = data_root / "benchmarks" / "Set5"
    sr = _bicubic_sr(hr, tmp_path / "sr", names={"baby", "bird"})  # bird: 288×288
    assert cli.main(["score", "--sr", str(sr), "--hr", str(hr), "--scale", "2", "--border", "200"]) == 2
    line = _one_error_line(capsys)
    assert "--border: 200" in line and "bird.png (short side 288 px" in line and "at most 138" in line, line
    assert cli.main(["score", "--sr", str(sr), "--hr", str(hr), "--scale", "2", "--border", "138"]) == 0


def _mirror_copy(data_root: Path, tmp_path: Path) -> Path:
    """The mirror, linked, with a real copy of Set5 to spoil."""
    import shutil

    root = tmp_path / "data"
    root.mkdir()
    for entry in data_root.iterdir():
        if entry.name != "benchmarks":
            (root / entry.name).symlink_to(entry)
    (root / "benchmarks").mkdir()
    for entry in (data_root / "benchmarks").iterdir():
        if entry.name != "Set5":
            (root / "benchmarks" / entry.name).symlink_to(entry)
    shutil.copytree(data_root / "benchmarks" / "Set5", root / "benchmarks" / "Set5")
    return root


@pytest.mark.parametrize("fault", ["none", "wrong size", "extra image", "missing image", "strict"])
def test_doctor_exits_1_when_something_is_wrong_or_missing(tmp_path, data_root, capsys, fault):
    import shutil

    from srrepro import cli

    root = _mirror_copy(data_root, tmp_path)
    set5 = root / "benchmarks" / "Set5"
    if fault == "wrong size":
        (set5 / "bird.png").write_bytes(b"not the bird")
    elif fault == "extra image":
        shutil.copy(set5 / "bird.png", set5 / "bird2.png")
    elif fault == "missing image":
        (set5 / "woman.png").unlink()
    status = cli.main(["doctor", "--data", str(root), *(["--strict"] if fault == "strict" else [])])
    err = capsys.readouterr().err
    if fault == "none":  # the mirror lacks only what the paper profile needs
        assert status == 0 and not err
        return
    assert status == 1 and len(err.splitlines()) == 1 and err.startswith("srrepro: doctor: "), err
    assert {"wrong size": "Set5 size wrong", "extra image": "Set5 has 1 image(s)", "missing image": "Set5 incomplete",
            "strict": "cannot run at paper (missing DIV2K_train"}[fault] in err
