"""Faults a researcher hits first: interrupts at any instant, killed parents, corrupt caches, full disks.

Every fault is injected for real (a signal raised inside a step, a process killed, bytes truncated, an OSError
raised by the write) and the test checks what is left behind: nothing lost, nothing silently wrong.
"""
from __future__ import annotations

import signal

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

    real_call, real_mean_losses, real_log, real_lr_at = T._Step.__call__, T._mean_losses, T._log, T.lr_at

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

    def mean_losses(*args):  # runs right after the counter moved, before the running means take the step
        fire()
        return real_mean_losses(*args)

    def log(*args):
        real_log(*args)
        if phase == "after_log":
            fire()

    monkeypatch.setattr(T._Step, "__call__", call)
    monkeypatch.setattr(T, "lr_at", lr_at)
    if phase == "after_counter":
        monkeypatch.setattr(T, "_mean_losses", mean_losses)
    monkeypatch.setattr(T, "_log", log)


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
