"""FSDN and the VDSR-/EDSR-/RDN-Conv and -100 networks of the ASDN slides (fast, CPU): shapes, strict loading,
the LFR they share with ASDN, and FSDN starting from an ASDN checkpoint."""
from __future__ import annotations

import pytest
import torch

from srrepro.models import create_model, list_models, params_of
from srrepro.models.asdn import lfr_index_weight
from srrepro.models.asdn_conv import LEVELS_100, TRUNK_SIZES
from srrepro.models.fsdn import FSDN_SCALES, deconv_geometry
from srrepro.train import load_pretrained

torch.set_num_threads(1)

TINY_ASDN = dict(size="project", n_dab=1, n_idb_convs=1, n_feats=8)
TINY_TRUNK = dict(size="project", n_blocks=2, n_feats=8)
CONV_NETS = ("vdsr_conv", "edsr_conv", "rdn_conv", "edsr_100", "rdn_100")


@pytest.fixture(autouse=True)
def _no_grad():
    with torch.no_grad():
        yield


def _build(name: str, **kw):
    torch.manual_seed(0)
    base = TINY_ASDN if name in ("asdn", "asdn_100", "fsdn") else TINY_TRUNK
    return create_model(name, **{**base, **kw}).eval()


def test_registered():
    assert {*CONV_NETS, "asdn_100", "fsdn"} <= set(list_models())


@pytest.mark.parametrize("name", [*CONV_NETS, "asdn_100"])
@pytest.mark.parametrize("scale", [1.0, 1.27, 2.0, 3.0])
def test_conv_shapes(name, scale):
    x = torch.rand(1, 3, 9, 11)
    out = _build(name)(x, scale)
    assert out.shape == (1, 3, round(9 * scale), round(11 * scale))


@pytest.mark.parametrize("name", [*CONV_NETS, "asdn_100"])
def test_strict_load_round_trip(name):
    a, b = _build(name), _build(name)
    torch.nn.init.constant_(b.irbs[0].conv.bias, 0.5)  # b differs from a before the load
    b.load_state_dict(a.state_dict(), strict=True)
    x = torch.rand(1, 3, 8, 8)
    assert torch.equal(a(x, 1.5), b(x, 1.5))


def test_levels_and_trunks():
    assert len(_build("edsr_conv").irbs) == 11 and len(_build("rdn_100").irbs) == LEVELS_100
    assert len(_build("asdn_100").irbs) == LEVELS_100
    assert type(_build("vdsr_conv").fmb).__name__ == "VDSRTrunk"
    assert type(_build("rdn_conv").fmb).__name__ == "RDNTrunk"
    # -100: every scale 1.01 … 2.00 is a level (no interpolation): 1.27 is level 27 with weight 0
    assert lfr_index_weight(1.27, LEVELS_100) == (27, 0.0)
    with pytest.raises(ValueError, match="trunk"):
        from srrepro.models.asdn_conv import ConvLFR
        ConvLFR("srcnn")


def test_conv_on_level_is_its_irb():
    """Between two levels the output interpolates them (ASDN's LFR); on a level it is that level's IRB alone."""
    m = _build("edsr_conv")
    x = torch.rand(1, 3, 10, 10)
    x_up = m.upsample(x, (13, 13), 1.27)
    feats = m.fmb(x_up)  # the trunk's features, shared by both levels
    lo, hi = m.level_output(feats, x_up, 2), m.level_output(feats, x_up, 3)
    out = m(x, 1.27)  # i = 3, w = 0.3
    assert torch.allclose(out, hi + 0.3 * (lo - hi), atol=1e-6)


def test_paper_sizes_follow_the_backbones():
    # VDSR 20 layers: 19 convs here (its last conv is the IRBs'): 3·64·9+64 + 18·(64·64·9+64)
    trunk = 3 * 64 * 9 + 64 + 18 * (64 * 64 * 9 + 64)
    assert params_of("vdsr_conv") - params_of("vdsr_conv", levels=2) == 9 * (params_of("vdsr_conv") - trunk) // 11
    assert TRUNK_SIZES["edsr"]["paper"] == dict(n_blocks=32, n_feats=256, res_scale=0.1)


@pytest.mark.parametrize("scale", FSDN_SCALES)
def test_fsdn_shape(scale):
    x = torch.rand(1, 3, 5, 7)
    assert _build("fsdn", scale=scale)(x, scale).shape == (1, 3, 5 * scale, 7 * scale)
    k, p = deconv_geometry(scale)
    assert (5 - 1) * scale - 2 * p + k == 5 * scale


def test_fsdn_fixed_scale():
    with pytest.raises(ValueError, match="scale 3"):
        _build("fsdn", scale=2)(torch.rand(1, 3, 4, 4), 3)
    with pytest.raises(ValueError, match="integer scale"):
        create_model("fsdn", scale=1.5)


def test_fsdn_strict_load_round_trip():
    a, b = _build("fsdn", scale=4), _build("fsdn", scale=4)
    torch.nn.init.constant_(b.deconv.bias, 0.5)
    b.load_state_dict(a.state_dict(), strict=True)
    x = torch.rand(1, 3, 6, 6)
    assert torch.equal(a(x, 4), b(x, 4))


def test_fsdn_fine_tunes_from_asdn(tmp_path):
    """'Fine-tune ASDN': an ASDN checkpoint fills FSDN's FMB and the top level's IRB; only the deconvolution is
    left at init, and a strict load refuses the mismatch."""
    asdn = _build("asdn")
    path = tmp_path / "asdn.pt"
    torch.save(asdn.state_dict(), path)
    fsdn = _build("fsdn", scale=3)
    skipped = load_pretrained(fsdn, path, strict=False)
    assert skipped and all(k.startswith("deconv.") for k in skipped)
    for k, v in fsdn.state_dict().items():
        if not k.startswith("deconv."):
            assert torch.equal(v, asdn.state_dict()[k]), k
    assert torch.equal(fsdn.irb.conv.weight, asdn.irbs[10].conv.weight)  # the ×2 level's IRB
    with pytest.raises(Exception, match="does not fit"):
        load_pretrained(_build("fsdn", scale=3), path, strict=True)
