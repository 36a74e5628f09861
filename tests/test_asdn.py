"""ASDN (fast, CPU): LFR index/weight, recursive deployment, shapes, ablation switches, parameter counts."""
from __future__ import annotations

import math

import pytest
import torch
import torch.nn.functional as F

from srrepro.models import count_params, create_model, list_models
from srrepro.models.asdn import ASDN, SIZES, lfr_index_weight, lfr_scales, recursive_scales
from srrepro.models.common import resize

torch.set_num_threads(1)  # on the shared 2-core box, 2 OpenMP threads run ~10x slower (spin contention)

TINY = dict(n_dab=2, n_idb_convs=2, n_feats=8)  # forwards on bigger images use this (the tests must stay fast)
# Printed on the slides ("Project / Architecture" table, torchsummary of the UniBo code): FMB + one IRB.
SLIDES_PAPER_PARAMS = 22_405_168
SLIDES_PROJECT_BASE_PARAMS = 828_928


@pytest.fixture(autouse=True)
def _no_grad():
    with torch.no_grad():
        yield


def _tiny(**kw) -> ASDN:
    torch.manual_seed(0)
    return create_model("asdn", **{**TINY, **kw}).eval()


def _close(a: torch.Tensor, b: torch.Tensor) -> None:
    # (torch.testing.assert_close costs ~2 s of imports on first use; this is enough here)
    assert a.shape == b.shape and torch.allclose(a, b, rtol=1e-5, atol=1e-6), (a - b).abs().max()


def _meta(**kw) -> ASDN:
    """Build on the meta device: parameter shapes without the cost of initialising 22M weights."""
    with torch.device("meta"):
        return create_model("asdn", **kw)


def _one_irb(model: ASDN) -> int:
    """Parameters of FMB + one IRB (what torchsummary counts when a single level is run)."""
    return count_params(model) - (model.levels - 1) * count_params(model.irbs[0])


# ------------------------------------------------------------------------------------------------ LFR
def test_slides_example():
    # Slide "Example": r = 1.27, L = 11 -> i = ceil(10·0.27) = 3, w = 10·(1.3 - 1.27) = 0.3
    i, w = lfr_index_weight(1.27, 11)
    assert i == 3 and w == pytest.approx(0.3, abs=1e-12)


def test_level_scales():
    assert lfr_scales(11) == pytest.approx([1 + l / 10 for l in range(11)])
    assert lfr_scales(5) == pytest.approx([1, 1.25, 1.5, 1.75, 2])
    with pytest.raises(ValueError):
        lfr_scales(1)


@pytest.mark.parametrize("levels", [5, 9, 11, 17])
def test_index_weight_consistency(levels):
    rs = lfr_scales(levels)
    step = 1 / (levels - 1)
    # On a level: that level alone (w = 0), even where (r-1)(L-1) is not exact in floating point (e.g. 1.3).
    for l, r in enumerate(rs):
        assert lfr_index_weight(r, levels) == (l, 0.0)
    assert lfr_index_weight(1.3, 11) == (3, 0.0)
    # Between levels: r_{i-1} < r < r_i, w in (0, 1), and r = r_i - w/(L-1) (linear interpolation of the scale).
    for r in torch.linspace(1.0005, 1.9995, 97).tolist():
        i, w = lfr_index_weight(r, levels)
        assert 1 <= i <= levels - 1
        assert rs[i - 1] < r < rs[i] + 1e-12
        assert 0 <= w < 1
        assert rs[i] - w * step == pytest.approx(r, abs=1e-12)
    assert lfr_index_weight(2.0, levels) == (levels - 1, 0.0)
    for bad in (0.99, 2.01):
        with pytest.raises(ValueError):
            lfr_index_weight(bad, levels)


def test_index_weight_other_levels():
    assert lfr_index_weight(1.27, 5) == (2, pytest.approx(4 * (1.5 - 1.27)))  # ceil(1.08) = 2, w = 0.92
    assert lfr_index_weight(1.27, 17) == (5, pytest.approx(16 * (1.3125 - 1.27)))  # ceil(4.32) = 5, w = 0.68


# ------------------------------------------------------------------------------------------------ recursion
@pytest.mark.parametrize("R, expected", [
    (3, [2, 1.5]), (4, [2, 2]), (8, [2, 2, 2]), (2.5, [2, 1.25]),
    (1.5, [1.5]), (2, [2]), (1, [1]), (2.8, [2, 1.4]), (32, [2, 2, 2, 2, 2]), (5.7, [2, 2, 1.425]),
])
def test_recursive_scales(R, expected):
    got = recursive_scales(R)
    assert got == pytest.approx(expected)
    assert len(got) == max(1, math.ceil(math.log2(R) - 1e-9))  # N = ceil(log2 R)
    assert math.prod(got) == pytest.approx(R)
    assert all(1 <= r <= 2 for r in got)


def test_recursive_scales_rejects_below_one():
    with pytest.raises(ValueError):
        recursive_scales(0.5)


# ------------------------------------------------------------------------------------------------ shapes
def test_registered():
    assert "asdn" in list_models()
    m = create_model("asdn", size="project", scale=4)  # scale accepted and ignored
    assert m.scales is None and (m.n_dab, m.n_idb_convs, m.n_feats) == (8, 4, 32) and m.levels == 11
    m = _meta()
    assert (m.n_dab, m.n_idb_convs, m.n_feats) == (16, 8, 64)
    assert create_model("asdn", size="project", n_dab=3).n_dab == 3
    with pytest.raises(ValueError):
        create_model("asdn", size="huge")


@pytest.mark.parametrize("scale", [1.5, 2, 3, 4])
def test_shapes(scale):
    model = _tiny()
    x = torch.rand(1, 3, 48, 48)
    out = model(x, scale)
    assert out.shape == (1, 3, round(48 * scale), round(48 * scale))
    assert torch.isfinite(out).all()


def test_shapes_x8():
    assert _tiny()(torch.rand(1, 3, 16, 16), 8).shape == (1, 3, 128, 128)


def test_shapes_odd_and_forced():
    model = _tiny()
    x = torch.rand(2, 3, 17, 23)
    assert model(x, 1.27).shape == (2, 3, round(17 * 1.27), round(23 * 1.27))
    assert model(x, 2.5).shape == (2, 3, round(17 * 2.5), round(23 * 2.5))
    assert model(x, 1).shape == (2, 3, 17, 23)
    assert model(x, 3, out_size=(50, 70)).shape == (2, 3, 50, 70)  # e.g. HR size when LR = ceil(H/s)
    with pytest.raises(ValueError):
        model(x, 0.5)


def test_project_size_forward():
    model = create_model("asdn", size="project").eval()
    assert model(torch.rand(1, 3, 16, 16), 1.5).shape == (1, 3, 24, 24)


# ------------------------------------------------------------------------------------------------ semantics
def test_interpolation_between_levels():
    """O_r = O_{r_i} + w·(O_{r_{i-1}} - O_{r_i}) with both levels on the same FMB features at the target size."""
    model = _tiny()
    x = torch.rand(1, 3, 20, 20)
    out = model(x, 1.27)
    x_up = resize(x, (25, 25), 1.27)  # 20·1.27 = 25.4: on ×1.27's grid, not the size ratio 25/20
    feats = model.fmb(x_up)
    o3, o2 = model.level_output(feats, x_up, 3), model.level_output(feats, x_up, 2)
    _close(out, 0.7 * o3 + 0.3 * o2)


def test_on_level_equals_forward_level():
    model = _tiny()
    x = torch.rand(1, 3, 20, 20)
    for l in (0, 4, 10):
        r = model.level_scales[l]
        _close(model(x, r), model.forward_level(x, l))
    outs = model.forward_levels(x)
    assert len(outs) == 11
    assert [o.shape[-1] for o in outs] == [round(20 * r) for r in model.level_scales]
    assert model.forward_level(x, 1, out_size=(23, 21)).shape == (1, 3, 23, 21)
    with pytest.raises(ValueError):
        model.forward_level(x, 11)


def test_recursive_forward_composes():
    model = _tiny()
    x = torch.rand(1, 3, 12, 12)
    _close(model(x, 3), model.forward_single(model.forward_single(x, 2.0), 1.5))
    # explicit ratios (slide "Optimal N and r"): ×3 as 1.5 then 2.0
    _close(model(x, 3, ratios=[1.5, 2.0]),
                               model.forward_single(model.forward_single(x, 1.5), 2.0))


def test_global_skip():
    """With the IRB convs zeroed the output is the bicubic-upsampled input (skip on) or zero (skip off)."""
    for skip in (True, False):
        model = _tiny(global_skip=skip)
        for irb in model.irbs:
            torch.nn.init.zeros_(irb.conv.weight)
            torch.nn.init.zeros_(irb.conv.bias)
        x = torch.rand(1, 3, 10, 10)
        expected = F.interpolate(x, size=(17, 17), mode="bicubic", align_corners=False) if skip else 0 * x[..., :1, :1]
        _close(model(x, 1.7), expected.expand(1, 3, 17, 17))


@pytest.mark.parametrize("scale", [1.1, 1.4, 2.7, 3.7])
def test_fractional_scale_follows_matlab_grid(scale):
    """The pre-upsampling maps pixels on the scale's exact grid, as the OSM (tests/test_overnet.py): with the IRBs
    zeroed ASDN returns its upsampled input, whose mean offset against a horizontal ramp (one grey level per HR
    pixel) over the image's right half is ~0; by the size ratio it drifts by up to half a pixel. ×2.7 and ×3.7 run
    the recursive deployment (2 then 1.35 / 1.85): each pass on its own grid composes to R's grid."""
    import numpy as np

    from srrepro.degrade import imresize
    from srrepro.models.asdn import _target_size

    model = _tiny()
    for irb in model.irbs:
        torch.nn.init.zeros_(irb.conv.weight)
        torch.nn.init.zeros_(irb.conv.bias)
    hr = np.tile(np.arange(321, dtype=np.float64), (40, 1))
    lr = imresize(hr, scale=1 / scale, output_shape=(int(40 // scale), int(321 // scale)))
    size = _target_size(*lr.shape, scale)
    assert size[1] != lr.shape[1] * scale  # the output size is rounded (else the test proves nothing)
    x = torch.from_numpy(lr).float()[None, None].expand(1, 3, -1, -1).contiguous()
    target = torch.from_numpy(hr[:size[0], :size[1]])
    right = (slice(5, -5), slice(size[1] // 2, -5))
    ours = (model(x, scale)[0, 0].double() - target)[right].mean()
    by_size = (F.interpolate(x, size=size, mode="bicubic", align_corners=False)[0, 0].double() - target)[right].mean()
    assert abs(ours) < 0.01 and abs(by_size) > 0.05, (float(ours), float(by_size))
    assert len(recursive_scales(scale)) == (1 if scale <= 2 else 2)


def test_trainable():
    model = _tiny().train()
    x, hr = torch.rand(2, 3, 16, 16), torch.rand(2, 3, 32, 32)
    with torch.enable_grad():
        loss = F.l1_loss(model.forward_level(x, 10), hr)
        loss.backward()
    assert model.irbs[10].conv.weight.grad is not None and model.irbs[3].conv.weight.grad is None
    assert model.fmb.shallow.weight.grad.abs().sum() > 0


def test_a_training_batch_trains_the_one_level_it_was_drawn_for():
    """The loop passes the patch pair's own ratio (1.1 snapped to 18/16 = 1.125 at p = 16): one IRB trains, and the
    output is the HR patch's size; in eval mode the same call interpolates two levels."""
    model = _tiny().train()
    x = torch.rand(2, 3, 16, 16)
    assert model.training_level(x, 18 / 16) == 1 and model.training_level(x, 1.15) is None
    with torch.enable_grad():
        out = model(x, 18 / 16)
        out.mean().backward()
    assert out.shape[-2:] == (18, 18)
    assert model.irbs[1].conv.weight.grad is not None
    assert all(model.irbs[k].conv.weight.grad is None for k in range(11) if k != 1)
    assert torch.equal(model.eval()(x, 1.5), model.forward_level(x, 5))


# ------------------------------------------------------------------------------------------------ params
def test_ablation_param_counts():
    kw = dict(size="project")
    full = _meta(**kw)
    n = count_params(full)
    ca = count_params(full.fmb.dabs[0].ca)
    sa = count_params(full.irbs[0].sa)
    assert ca == 2 * (32 * 2) + 2 + 32 and sa == 2 * (32 * 64) + 64 + 32  # CA 32→2→32, SA 32→64→32
    assert count_params(_meta(channel_attention=False, **kw)) == n - 8 * ca
    assert count_params(_meta(spatial_attention=False, **kw)) == n - 11 * sa
    assert count_params(_meta(global_skip=False, **kw)) == n  # a skip has no parameters
    assert count_params(_meta(channel_attention=False, spatial_attention=False, global_skip=False,
                                      **kw)) == n - 8 * ca - 11 * sa


@pytest.mark.parametrize("levels", [5, 9, 11, 17])
def test_lfr_levels_build(levels):
    model = _tiny(levels=levels)
    assert len(model.irbs) == levels and len(model.level_scales) == levels
    irb = count_params(model.irbs[0])
    assert count_params(model) == count_params(model.fmb) + levels * irb
    x = torch.rand(1, 3, 8, 8)
    assert model(x, 1.27).shape == (1, 3, 10, 10)
    assert model(x, 2).shape == (1, 3, 16, 16)


def test_param_counts(capsys):
    rows = {}
    for size in SIZES:
        m = _meta(size=size)
        rows[size] = (count_params(m), _one_irb(m))
    # The UniBo reading (IRB = 1×1 conv on the raw bi-dense concatenation, SA on its 3 channels; project model
    # with 64 shallow features) reproduces the two numbers printed on the slides exactly.
    unibo = dict(fusion=False, sa_on="image")
    paper_unibo = _one_irb(_meta(size="paper", **unibo))
    project_unibo = _one_irb(_meta(size="project", n_shallow=64, **unibo))
    with capsys.disabled():
        print()
        for size, (total, one) in rows.items():
            print(f"ASDN {size:8s} params: {total:>11,d} (FMB + one IRB: {one:,d})")
        print(f"UniBo reading, FMB + one IRB: paper {paper_unibo:,d} (slides {SLIDES_PAPER_PARAMS:,d}), "
              f"project/64 shallow {project_unibo:,d} (slides {SLIDES_PROJECT_BASE_PARAMS:,d})")
    assert rows["paper"][0] == 22_656_033
    assert rows["project"][0] == 875_281
    assert paper_unibo == SLIDES_PAPER_PARAMS
    assert project_unibo == SLIDES_PROJECT_BASE_PARAMS


def test_listed_ratios_compose_to_the_scale_or_are_refused():
    """Slide "Optimal N and r": 1.587³ ≈ 4 runs, its last pass taking 4 / 1.587²; 1.442³ = 3.0 is not ×4."""
    steps = ASDN.listed_ratios(4.0, [1.587, 1.587, 1.587])
    assert steps[:2] == [1.587, 1.587] and abs(math.prod(steps) - 4.0) < 1e-12
    with pytest.raises(ValueError, match="multiply to 2.998, not ×4"):
        ASDN.listed_ratios(4.0, [1.442, 1.442, 1.442])
    with pytest.raises(ValueError, match="at least one pass"):
        ASDN.listed_ratios(4.0, [])
    model = _tiny()
    x = torch.rand(1, 3, 10, 10)
    assert model(x, 3.0, ratios=[2.0, 1.5]).shape[-2:] == (30, 30)


def test_a_direct_deployment_network_is_one_level_at_its_scale():
    """levels=2, r_max=R: level 1 is ×R, one pass (Table 3's 'direct deployment')."""
    assert lfr_scales(2, 3.0) == (1.0, 3.0) and lfr_index_weight(3.0, 2, 3.0) == (1, 0.0)
    assert recursive_scales(9.0, 3.0) == [3.0, 3.0] and recursive_scales(3.0, 3.0) == [3.0]
    model = _tiny(levels=2, r_max=3.0)
    x = torch.rand(1, 3, 10, 10)
    assert torch.equal(model(x, 3.0), model.forward_level(x, 1))
