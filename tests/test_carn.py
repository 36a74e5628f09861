"""CARN / CARN-M / PCARN / PCARN-M, the PCARN discriminators and the official-weights loader (fast, CPU)."""
from __future__ import annotations

import importlib.util
import os
from pathlib import Path

import numpy as np
import pytest
import torch

from srrepro import weights as W
from srrepro.models import count_params, create_model, list_models
from srrepro.models.carn import init_weights
from srrepro.papers.pcarn import PCARN_TABLE1

REPO = Path(__file__).resolve().parents[1]
DATA = Path(os.environ.get("SRREPRO_DATA") or REPO.parent / "shared" / "data")
OFFICIAL = DATA / "weights" / "official"
GENERATORS = ("carn", "carn_m", "pcarn", "pcarn_m")
MIRRORED = ("carn_m", "pcarn_m_l1", "pcarn_m")

needs_weights = pytest.mark.skipif(
    not all((OFFICIAL / f"{n}.pth").is_file() for n in MIRRORED),
    reason=f"official weights not found under {OFFICIAL} (set SRREPRO_DATA to the data mirror)",
)

torch.set_num_threads(min(2, torch.get_num_threads()))


@pytest.fixture(autouse=True)
def _no_grad():
    with torch.no_grad():
        yield


def _official_sd(name: str) -> dict:
    return torch.load(OFFICIAL / f"{name}.pth", map_location="cpu", weights_only=True)


# ------------------------------------------------------------------------------------------------ structure
def test_registered():
    assert set(GENERATORS) | {"pcarn_discriminator"} <= set(list_models())


@pytest.mark.parametrize("name", GENERATORS)
def test_shapes_multi_scale(name):
    model = create_model(name).eval()  # multi-scale by default, like the released checkpoints
    assert model.scales == (2, 3, 4)
    x = torch.rand(1, 3, 48, 48)
    for s in model.scales:
        assert model(x, s).shape == (1, 3, 48 * s, 48 * s)
    with pytest.raises(ValueError, match="scale 5"):
        model(x, 5)


@pytest.mark.parametrize("name", GENERATORS)
def test_shapes_single_scale(name):
    x = torch.rand(1, 3, 16, 16)  # small: the 48×48 shapes are covered by the multi-scale test
    for s in (2, 3, 4):
        model = create_model(name, scale=s).eval()
        assert model.scales == (s,)
        assert model(x, s).shape == (1, 3, 16 * s, 16 * s)
        assert all(k.startswith("upsample.up.") for k in model.state_dict() if k.startswith("upsample."))


@pytest.mark.skipif(importlib.util.find_spec("srrepro.models.overnet") is None, reason="overnet.py not written yet")
@pytest.mark.parametrize("name", GENERATORS)
def test_osm_arbitrary_scale(name):
    model = create_model(name, upsampler="osm").eval()
    assert model.scales is None
    assert not hasattr(model, "upsample") and not hasattr(model, "exit")
    assert model(torch.rand(1, 3, 48, 48), 2.5).shape == (1, 3, 120, 120)


def test_param_counts():
    # Survey / CARN issue #6: CARN 1,591,963 and CARN-M (g=4) 414,811 (multi-scale, MeanShift convs included).
    assert count_params(create_model("carn")) == 1_591_963
    assert count_params(create_model("carn_m")) == 414_811
    assert count_params(create_model("pcarn")) == 1_591_963
    assert count_params(create_model("pcarn_m")) == 414_811  # the aliased b2/b3 count once
    assert count_params(create_model("carn", scale=4)) == 1_111_899


def test_pcarn_table1_params():
    # PCARN Table 1 (×4 models): 963K, 1,074K, 1,000K, 1,111K, 1,111K (the paper truncates to 1K).
    paper = {"Baseline": 963, "+ Local": 1074, "+ Global": 1000, "+ L/G": 1111, "+ Residual": 1111}
    for row, kw in PCARN_TABLE1.items():
        assert count_params(create_model("pcarn", scale=4, **kw)) // 1000 == paper[row], row


def test_pcarn_m_aliasing_and_keys():
    m = create_model("pcarn_m")
    for blk in (m.b1, m.b2, m.b3):
        assert blk.b1 is blk.b2 is blk.b3
    sd = m.state_dict()
    assert "b1.b2.conv1.weight" in sd and "b3.b3.pw.bias" in sd and "b1.c1.weight" in sd and "c3.weight" in sd
    assert sd["b1.b1.conv1.weight"].data_ptr() == sd["b1.b3.conv1.weight"].data_ptr()
    # non-recursive: three distinct units under the same names (Figure 8 "G4" without R)
    m2 = create_model("pcarn_m", recursive=False)
    assert m2.b1.b1 is not m2.b1.b2 and set(m2.state_dict()) == set(sd)
    assert count_params(m2) > count_params(m)


def test_carn_m_keys():
    sd = create_model("carn_m").state_dict()
    assert "b1.b1.body.4.weight" in sd and "b1.c1.body.0.weight" in sd and "c1.body.0.weight" in sd
    assert not any(k.startswith("b1.b2.") for k in sd)  # CARN-M calls its one unit three times
    assert "upsample.up4.body.3.weight" in sd and sd["upsample.up3.body.0.weight"].shape == (576, 16, 3, 3)


def test_cascade_variants_differ():
    torch.manual_seed(0)
    a = create_model("pcarn_m", cascade="paper").eval()
    b = create_model("pcarn_m", cascade="official").eval()
    b.load_state_dict(a.state_dict(), strict=True)
    x = torch.rand(1, 3, 12, 12)
    assert not torch.allclose(a(x, 2), b(x, 2))


def test_init_weights_table3():
    m = init_weights(create_model("pcarn", scale=2), "uniform", 1.0, 0.1)
    w = m.b1.b1.conv1.weight
    assert w.abs().max() <= 0.1 * (1 / (64 * 9)) ** 0.5 + 1e-7 and m.b1.b1.conv1.bias.abs().sum() == 0
    assert torch.equal(m.sub_mean.shifter.weight.view(3, 3), torch.eye(3))  # frozen MeanShift untouched


@pytest.mark.parametrize("n_scales", [1, 3])
def test_discriminator(n_scales):
    d = create_model("pcarn_discriminator", n_scales=n_scales).eval()
    assert sum(isinstance(m, torch.nn.Conv2d) for m in d.nets[0].modules()) == 9
    outs = d(torch.rand(1, 3, 96, 96))
    assert [tuple(o.shape) for o in outs] == [(1, 1, 12 // 2**i, 12 // 2**i) for i in range(n_scales)]
    assert all(((o >= 0) & (o <= 1)).all() for o in outs)
    if n_scales == 3:
        assert d.nets[0].body[0].weight is not d.nets[1].body[0].weight  # separate D_i (Eq. 6)


# ------------------------------------------------------------------------------------------------ official weights
@needs_weights
@pytest.mark.parametrize("name", MIRRORED)
def test_official_strict_load(name):
    model = W.load_official(name, root=DATA)
    assert not model.training and model.scales == (2, 3, 4)
    sd = _official_sd(name)
    assert set(sd) == set(model.state_dict())
    if name.startswith("pcarn"):  # the file itself stores the shared block three times, one storage
        assert sd["b2.b1.pw.weight"].data_ptr() == sd["b2.b3.pw.weight"].data_ptr()
        assert len(sd) == 94
    else:
        assert len(sd) == 58


def test_unknown_and_missing(tmp_path):
    with pytest.raises(W.UnknownWeightsError, match="valid names"):
        W.load_official("carn_x")
    with pytest.raises(W.MissingWeightsError) as e:
        W.load_official("carn_m", root=tmp_path)
    msg = str(e.value)
    assert "\n" not in msg and "carn_m.pth" in msg and str(tmp_path) in msg
    assert "https://github.com/nmhkahn/CARN-pytorch/raw/" in msg and "1,670,695 bytes" in msg
    assert "srrepro download weights" in msg
    with pytest.raises(W.MissingWeightsError, match="PCARN-L1.pth"):
        W.load_official("pcarn_l1", root=tmp_path)


@needs_weights
def test_bad_checkpoints(tmp_path):
    d = tmp_path / "weights" / "official"
    d.mkdir(parents=True)
    raw = (OFFICIAL / "carn_m.pth").read_bytes()
    (d / "carn_m.pth").write_bytes(raw[: len(raw) // 2])  # truncated file
    with pytest.raises(W.WeightsChecksumError, match="sha256"):
        W.load_official("carn_m", root=tmp_path)
    with pytest.raises(W.CheckpointFormatError):
        W.load_official("carn_m", root=tmp_path, verify=False)

    sd = _official_sd("pcarn_m_l1")
    sd["b2.c9.weight"] = sd.pop("b2.c3.weight")  # renamed key
    torch.save(sd, d / "pcarn_m_l1.pth")
    with pytest.raises(W.CheckpointMismatchError) as e:
        W.load_official("pcarn_m_l1", root=tmp_path, verify=False)
    assert "\n" not in str(e.value) and "'b2.c3.weight'" in str(e.value) and "'b2.c9.weight'" in str(e.value)

    sd = _official_sd("carn_m")
    sd = dict(list(sd.items())[:20])  # truncated state_dict
    torch.save(sd, d / "carn_m.pth")
    with pytest.raises(W.CheckpointMismatchError, match=r"first missing key 'b2\.b1\.body\.2\.weight'"):
        W.load_official("carn_m", root=tmp_path, verify=False)

    sd = _official_sd("carn_m")
    sd["exit.weight"] = sd["exit.weight"][:, :32]  # wrong shape
    with pytest.raises(W.CheckpointMismatchError, match=r"'exit\.weight' has shape \(3, 32, 3, 3\).*\(3, 64, 3, 3\)"):
        W.load_state_dict_strict(create_model("carn_m"), sd)

    with pytest.raises(W.CheckpointMismatchError, match="first unexpected key 'b1.b1.conv1.weight'"):
        W.load_state_dict_strict(create_model("carn_m"), _official_sd("pcarn_m"))  # PCARN keys into CARN-M


# ------------------------------------------------------------------------------------------------ sanity PSNR
def _y_psnr(sr: np.ndarray, hr: np.ndarray, scale: int) -> float:
    try:
        from srrepro.metrics import psnr
    except ImportError:  # minimal MATLAB-style Y-PSNR (BT.601, border = scale)
        def y(im):
            return 16.0 + im.astype(np.float64) @ np.array([65.481, 128.553, 24.966]) / 255.0

        a, b = y(sr)[scale:-scale, scale:-scale], y(hr)[scale:-scale, scale:-scale]
        return float(10 * np.log10(255.0**2 / np.mean((a - b) ** 2)))
    return psnr(sr, hr, scale)


def _read(path: Path) -> np.ndarray:
    from PIL import Image

    return np.asarray(Image.open(path).convert("RGB"))


@needs_weights
def test_butterfly_x4_beats_bicubic():
    hr_path = DATA / "benchmarks" / "Set5" / "butterfly.png"
    lr_path = DATA / "reference" / "matlab_bicubic_lr" / "Set5" / "x4" / "butterfly.png"
    if not (hr_path.is_file() and lr_path.is_file()):
        pytest.skip(f"Set5 butterfly HR/LR not found under {DATA}")
    hr, lr = _read(hr_path), _read(lr_path)
    from PIL import Image

    bicubic = _y_psnr(np.asarray(Image.fromarray(lr).resize(hr.shape[1::-1], Image.BICUBIC)), hr, 4)
    x = torch.from_numpy(lr.copy()).permute(2, 0, 1)[None].float() / 255.0
    measured = {}
    for name in ("carn_m", "pcarn_m_l1"):
        sr = W.load_official(name, root=DATA)(x, 4)[0].clamp(0, 1)
        sr8 = (sr * 255.0).round().byte().permute(1, 2, 0).numpy()
        measured[name] = _y_psnr(sr8, hr, 4)
    # measured on this setup: bicubic 22.10 dB, CARN-M 27.99 dB, PCARN-M (L1) 28.09 dB
    assert measured["carn_m"] > bicubic + 4.0, (measured, bicubic)
    assert measured["pcarn_m_l1"] > bicubic + 4.0, (measured, bicubic)
    assert measured["carn_m"] == pytest.approx(27.99, abs=0.1)
    assert measured["pcarn_m_l1"] == pytest.approx(28.09, abs=0.1)


@pytest.mark.parametrize("r,shape", [(2, (2, 12, 5, 7)), (3, (1, 18, 4, 3)), (5, (2, 50, 3, 4))])
def test_pixel_shuffle_equals_atens_to_the_bit(r, shape):
    """The models' PixelShuffle only moves data: ATen's values and gradients, bit for bit."""
    import torch.nn as nn

    from srrepro.models.common import PixelShuffle

    x = torch.randn(shape, requires_grad=True)
    g = torch.randn(shape[0], shape[1] // (r * r), shape[2] * r, shape[3] * r)
    with torch.enable_grad():
        ya, yb = PixelShuffle(r)(x), nn.PixelShuffle(r)(x)
        ga, = torch.autograd.grad(ya, x, g)
        gb, = torch.autograd.grad(yb, x, g)
    assert torch.equal(ya, yb) and ya.is_contiguous() and torch.equal(ga, gb)


def test_carn_m_training_step_is_unchanged_by_the_pixel_shuffle():
    """A whole CARN-M step (loss, every gradient) with ATen's nn.PixelShuffle swapped back in: identical bits, so
    the committed results do not depend on which of the two ran."""
    import torch.nn as nn
    import torch.nn.functional as F

    from srrepro.models.common import PixelShuffle

    torch.manual_seed(0)
    ours = create_model("carn_m", multi_scale=True, group=4)
    aten = create_model("carn_m", multi_scale=True, group=4)
    aten.load_state_dict(ours.state_dict())
    swapped = 0
    for m in list(aten.modules()):
        for name, child in m.named_children():
            if isinstance(child, PixelShuffle):
                setattr(m, name, nn.PixelShuffle(child.upscale_factor))
                swapped += 1
    assert swapped >= 2
    lr, hr = torch.rand(2, 3, 8, 8), torch.rand(2, 3, 32, 32)
    grads = []
    with torch.enable_grad():
        for model in (ours, aten):
            loss = F.l1_loss(model(lr, 4), hr)
            params = [p for p in model.parameters() if p.requires_grad]
            grads.append([loss, *(g for g in torch.autograd.grad(loss, params, allow_unused=True) if g is not None)])
    assert len(grads[0]) == len(grads[1]) > 10
    assert all(torch.equal(a, b) for a, b in zip(*grads))
