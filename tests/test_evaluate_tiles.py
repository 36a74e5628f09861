"""Tiled inference (srrepro.evaluate.super_resolve(tile=…)) equals whole-image inference within 1e-4 dB.

Narrow seeded models of the study's families (EDSR, RDN, Meta-RDN at float scales) and the official CARN-M weights;
the receptive-field bound is checked against a one-pixel perturbation; models with a global operation refuse.
"""
from __future__ import annotations

import numpy as np
import pytest
import torch

from srrepro.evaluate import (TilingError, footprint, pairs, plan_tiles, super_resolve, tiled_forward)
from srrepro.metrics import psnr
from srrepro.models import create_model


@pytest.fixture(autouse=True)
def _one_thread():
    n = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(n)


def _model(name, **kw):
    torch.manual_seed(0)
    return create_model(name, **kw).eval()


def _image(h, w, seed=0):
    """A smooth-ish uint8 image (random noise would make every model's output look alike)."""
    rng = np.random.default_rng(seed)
    base = rng.integers(0, 256, (h // 4 + 2, w // 4 + 2, 3)).astype(np.float64)
    img = np.kron(base, np.ones((4, 4, 1)))[:h, :w] + rng.normal(0, 12, (h, w, 3))
    return np.clip(img, 0, 255).astype(np.uint8)


def _hr_like(sr, seed=1):
    noise = np.random.default_rng(seed).integers(-20, 21, sr.shape)
    return np.clip(sr.astype(int) + noise, 0, 255).astype(np.uint8)


MODELS = [  # (name, kwargs, scale): narrow versions, seeded random weights
    ("edsr_baseline", dict(n_feats=16, n_resblocks=3, scale=2), 2),
    ("rdn", dict(n_feats=8, growth=8, n_blocks=2, n_layers=3, scale=3), 3),
    ("carn_m", dict(n_feats=16, scale=4), 4),
    ("meta_rdn", dict(n_feats=8, growth=8, n_blocks=2, n_layers=2, meta_hidden=16), 2.5),
    ("meta_rdn", dict(n_feats=8, growth=8, n_blocks=2, n_layers=2, meta_hidden=16), 1.5),
]


@pytest.mark.parametrize("name,kw,scale", MODELS, ids=[f"{m[0]}-x{m[2]:g}" for m in MODELS])
def test_tiles_equal_whole_image(name, kw, scale):
    model = _model(name, **kw)
    lr = _image(61, 47)
    whole = super_resolve(model, lr, scale, tile=0)
    tiled = super_resolve(model, lr, scale, tile=16)  # several tiles each way, a ragged last one
    assert tiled.shape == whole.shape
    hr = _hr_like(whole)
    border = int(np.ceil(scale))
    assert abs(psnr(tiled, hr, border) - psnr(whole, hr, border)) <= 1e-4
    # and the float outputs agree to float rounding (the kept pixels saw exactly the whole image's inputs)
    x = torch.from_numpy(lr.transpose(2, 0, 1).copy()).float().div(255)[None]
    with torch.inference_mode():
        a = model(x, scale)
        b = tiled_forward(lambda t: model(t, scale), x, scale, 16, int(np.ceil(footprint(model, scale).radius)))
    assert a.shape == b.shape and (a - b).abs().max().item() < 1e-4


def test_too_little_overlap_differs():
    """The comparison is not vacuous: without context the tile borders are wrong."""
    model = _model("edsr_baseline", n_feats=16, n_resblocks=3, scale=2)
    lr = _image(48, 48)
    x = torch.from_numpy(lr.transpose(2, 0, 1).copy()).float().div(255)[None]
    with torch.inference_mode():
        a = model(x, 2)
        b = tiled_forward(lambda t: model(t, 2), x, 2, 16, 0)
    assert (a - b).abs().max().item() > 1e-3


@pytest.mark.parametrize("name,kw,scale", MODELS[:3], ids=[m[0] for m in MODELS[:3]])
def test_receptive_field_bound_holds(name, kw, scale):
    """Perturb one LR pixel: every changed output pixel lies within the traced radius (in LR pixels)."""
    model = _model(name, **kw)
    fp = footprint(model, scale)
    assert fp.global_op is None and fp.radius > 0
    h = w = 2 * int(np.ceil(fp.radius)) + 9
    x = torch.rand(1, 3, h, w, generator=torch.Generator().manual_seed(0))
    y = x.clone()
    y[..., h // 2, w // 2] += 0.5
    with torch.inference_mode():
        d = (model(x, scale) - model(y, scale)).abs().amax(1)[0]
    rows, cols = torch.nonzero(d > 1e-6, as_tuple=True)
    centre = (h // 2 + 0.5) * scale
    reach = max((rows.float() + 0.5 - centre).abs().max().item(), (cols.float() + 0.5 - centre).abs().max().item())
    assert 0 < reach / scale <= fp.radius + 0.5


@pytest.mark.parametrize("name,kw", [("overnet", dict(scale=2, n_feats=16)),
                                     ("rcan", dict(scale=2, n_feats=16, n_resgroups=1, n_resblocks=1))])
def test_global_operations_refuse_tiles(name, kw):
    model = _model(name, **kw)
    assert footprint(model, 2).global_op
    lr = _image(40, 40)
    with pytest.raises(TilingError, match="pools over the whole image"):
        super_resolve(model, lr, 2, tile=16)
    with pytest.warns(UserWarning, match="cannot be tiled exactly"):  # automatic: whole image, as before
        assert plan_tiles(model, lr.shape[:2], 2, tile=None, budget=1.0) is None


def test_unaligned_float_scale_refuses():
    model = _model("meta_rdn", n_feats=8, growth=8, n_blocks=1, n_layers=1, meta_hidden=8)
    with pytest.raises(TilingError, match="exact HR pixel"):
        super_resolve(model, _image(30, 30), float(np.pi), tile=8)


def test_automatic_tiling_only_over_budget():
    model = _model("edsr_baseline", n_feats=16, n_resblocks=3, scale=2)
    lr = _image(61, 47)
    assert plan_tiles(model, lr.shape[:2], 2) is None  # the default path: whole image
    fp = footprint(model, 2)
    budget = fp.estimate_bytes(40, 40)  # an image larger than 40×40 "does not fit"
    tile, overlap = plan_tiles(model, lr.shape[:2], 2, budget=budget)
    assert overlap == int(np.ceil(fp.radius)) and tile >= 16
    assert (tile + 2 * overlap) ** 2 * fp.bytes_per_px <= budget or tile == 16


def test_official_carn_m_tiles_equal_whole(data_root):
    from srrepro.weights import MissingWeightsError, load_official

    try:
        model = load_official("carn_m", data_root)
    except MissingWeightsError as e:
        pytest.skip(str(e))
    name, lr, hr = pairs("Set5", 4, root=data_root)[2]  # butterfly: 64×64 LR, several tiles of 24
    whole = super_resolve(model, lr, 4, out_shape=hr.shape[:2], tile=0)
    tiled = super_resolve(model, lr, 4, out_shape=hr.shape[:2], tile=24)
    assert abs(psnr(tiled, hr, 4) - psnr(whole, hr, 4)) <= 1e-4


def test_self_ensemble_sizes_are_the_slides_transforms():
    """×2 = identity + EDSR-PyTorch's 'v' (a flip of the width axis), ×4 adds the height flips, ×8 the transposes;
    an asymmetric model shows the difference, a bad size is refused."""
    from srrepro.evaluate import ensemble_size, forward_x8

    torch.manual_seed(0)
    conv = torch.nn.Conv2d(3, 3, 3, padding=1)

    def model(x, scale):
        return torch.nn.functional.interpolate(conv(x), scale_factor=scale, mode="nearest")

    x = torch.rand(1, 3, 6, 7)
    with torch.no_grad():
        one, two = forward_x8(model, x, 2, 1), forward_x8(model, x, 2, 2)
        assert torch.allclose(one, model(x, 2))
        assert torch.allclose(two, (model(x, 2) + model(x.flip(-1), 2).flip(-1)) / 2)
        four, eight = forward_x8(model, x, 2, 4), forward_x8(model, x, 2, 8)
        assert not torch.allclose(two, four) and not torch.allclose(four, eight)
        assert torch.allclose(forward_x8(model, x, 2), eight)
    assert [ensemble_size(v) for v in (False, True, 1, 2, 4, 8)] == [1, 8, 1, 2, 4, 8]
    with pytest.raises(ValueError, match="self_ensemble"):
        ensemble_size(3)
