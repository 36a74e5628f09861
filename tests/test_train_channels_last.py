"""TrainConfig.channels_last: "auto" (default) = CUDA only, as before; True = also on CPU (opt-in).

On CPU channels_last changes the float summation order of the convolutions, so its weights are not promised to be
bit-identical to contiguous training (measured: they differ by ~1e-7 after a few steps); each memory format is
bit-identical to itself at a fixed thread count.
"""
from __future__ import annotations

import numpy as np
import pytest
import torch

import srrepro.train as T


@pytest.fixture(autouse=True)
def _one_thread(monkeypatch):
    monkeypatch.setenv("OMP_NUM_THREADS", "1")


def _images():
    rng = np.random.default_rng(0)
    return [(f"im{i}", rng.integers(0, 256, (40, 48, 3), dtype=np.uint8)) for i in range(3)]


def _cfg(**kw):
    base = dict(model="edsr_baseline", model_kwargs={"n_feats": 16, "n_resblocks": 2}, scales=(2,), lr_patch=12,
                batch_size=4, iterations=4, log_every=1, validate_every=0, checkpoint_every=0, seed=1, lr=1e-3)
    base.update(kw)
    return T.TrainConfig(**base)


def _train(tmp_path, name, **kw):
    r = T.train(_cfg(**kw), tmp_path / name, progress=False, images=_images(), threads=1)
    conv = r.model.body[0].body[0].weight  # a 3×3 conv with 16 input channels: the format is visible
    return r.model.state_dict(), conv.is_contiguous(memory_format=torch.channels_last) and not conv.is_contiguous()


def test_semantics_and_validation():
    assert T.TrainConfig().channels_last == "auto"
    assert T.TrainConfig().uses_channels_last("cuda") and not T.TrainConfig().uses_channels_last("cpu")
    assert T.TrainConfig(channels_last=True).uses_channels_last("cpu")
    assert not T.TrainConfig(channels_last=False).uses_channels_last("cuda")
    with pytest.raises(ValueError, match="channels_last"):
        T.TrainConfig(channels_last="yes please")
    parse = lambda *a: T.config_from_args(T.build_parser().parse_args(["--run-dir", "x", *a])).channels_last  # noqa: E731
    assert parse() == "auto" and parse("--channels-last", "true") is True
    assert parse("--channels-last", "false") is False and parse("--channels-last", "auto") == "auto"


def test_cpu_default_is_contiguous_and_channels_last_is_opt_in(tmp_path):
    default, cl_default = _train(tmp_path, "auto")
    contiguous, _ = _train(tmp_path, "off", channels_last=False)
    opt_in, cl_opt_in = _train(tmp_path, "on", channels_last=True)
    again, _ = _train(tmp_path, "on2", channels_last=True)
    assert not cl_default and cl_opt_in
    # the default on CPU is today's behaviour, bit for bit (committed lite results do not move)
    assert all(torch.equal(default[k], contiguous[k]) for k in default)
    # each memory format is bit-identical to itself ...
    assert all(torch.equal(opt_in[k], again[k]) for k in opt_in)
    # ... and the two formats agree to float rounding, not necessarily bit for bit
    assert all(torch.allclose(opt_in[k], contiguous[k], rtol=1e-4, atol=1e-5) for k in opt_in)
