"""srrepro.complexity (PyTorch's flop counter, meta-device counting) and the ``complexity`` table (fast, CPU)."""
from __future__ import annotations

import pytest
import torch
import torch.nn as nn

from srrepro import complexity as cx


class _Net(nn.Module):
    """A module with the zoo's ``forward(x, scale)`` signature."""

    def __init__(self, *layers):
        super().__init__()
        self.body = nn.Sequential(*layers)

    def forward(self, x, scale=None):
        return self.body(x)


def test_single_conv_equals_hand_count():
    h, w = 10, 12
    assert cx.count_multadds(_Net(nn.Conv2d(3, 16, 3, padding=1)), (h, w), 1) == h * w * 16 * 3 * 9
    # grouped and strided convs: out pixels × k² × C_in/groups × C_out; bias adds not counted
    assert cx.count_multadds(_Net(nn.Conv2d(3, 8, 1), nn.Conv2d(8, 16, 3, padding=1, groups=4)), (h, w), 1) == \
        h * w * (8 * 3 + 16 * 2 * 9)
    assert cx.count_multadds(_Net(nn.Conv2d(3, 4, 5, stride=2, padding=2)), (h, w), 1) == 5 * 6 * 4 * 3 * 25


def _carn_m_per_lr_pixel(scale: int) -> int:
    """CARN-M (group 4, recursive, ×2 or ×4 up-sampler) multiply-adds per LR pixel, from the architecture."""
    f, g = 64, 4
    unit = 2 * (9 * f * f // g) + f * f  # EResidual: two grouped 3×3 convs + 1×1
    fusions = (2 + 3 + 4) * f * f  # 1×1 convs on 128, 192, 256 channels (local or global cascade)
    body = 3 * (3 * unit + fusions) + fusions
    mean_shift = 3 * 3
    entry = 9 * 3 * f
    up_conv = 9 * f * 4 * f // g  # 64 → 256, grouped, before each ×2 pixel shuffle
    up = up_conv * (1 if scale == 2 else 1 + 4)  # ×4: the second conv runs on 2× the pixels
    exit_ = 9 * f * 3 * scale**2
    return mean_shift + entry + body + up + exit_ + mean_shift * scale**2


@pytest.mark.parametrize("scale", [2, 4])
def test_small_carn_m_equals_hand_count(scale):
    model = cx.build("carn_m", device="meta", scale=scale)
    assert cx.count_multadds(model, (6, 8), scale) == 6 * 8 * _carn_m_per_lr_pixel(scale)


def test_meta_equals_real():
    torch.manual_seed(0)
    for expr, scale in [("carn_m(scale=3)", 3), ("pcarn(scale=2)", 2), ("slwsr(n_feats=8)", 4)]:
        name, kw = cx.parse_call(expr)
        real = cx.build(name, device="cpu", **kw)
        meta = cx.build(name, device="meta", **kw)
        assert cx.count_params(real) == cx.count_params(meta)
        n_real = cx.count_multadds(real, (7, 9), scale)
        assert n_real == cx.count_multadds(meta, (7, 9), scale) > 0, expr


def test_params():
    assert cx.count_params(cx.meta_model("carn")) == 1_591_963
    assert cx.count_params(cx.meta_model("pcarn_m")) == 414_811  # the aliased shared block counts once
    assert cx.count_weights(cx.meta_model("carn_m")) == 412_050  # the CARN paper's "412K"
    assert cx.count_weights(cx.meta_model("fsrcnn")) == 12_464  # FSRCNN paper's count
    assert cx.count_params(cx.meta_model("srcnn")) == 57_281
    assert cx.count_weights(cx.meta_model("vdsr")) == 664_704


def test_lr_shapes():
    assert cx.lr_shape_720p(2) == (360, 640)
    assert cx.lr_shape_720p(4) == (180, 320)
    assert cx.lr_shape_720p(8) == (90, 160)
    h, w = cx.lr_shape_720p(3)
    assert (h, w) == (256, 400) and h * w * 9 == 1280 * 720


def test_720p_multadds():
    """PCARN Table 4: PCARN 90.9G, PCARN-M 32.5G at ×4 (also the CARN paper's CARN / CARN-M values)."""
    for name, paper in [("pcarn", 90.9e9), ("pcarn_m", 32.5e9)]:
        n = cx.multadds_720p(cx.meta_model(name), 4).value
        assert abs(n / paper - 1) < 0.02, (name, n)
    # the ×3 size (1280·720/9 LR pixels) reproduces CARN's ×3 count to the printed digit (118.8G)
    assert round(cx.multadds_720p(cx.meta_model("carn"), 3).value / 1e9, 1) == 118.8
    # FSRCNN's 4.6G counts the deconvolution as a convolution over the 1280×720 output
    assert round(cx.multadds_720p("fsrcnn", 4, deconv_as_conv=True).value / 1e9, 1) == 4.6


def test_table_spec():
    from srrepro.papers.study import complexity as t

    from srrepro.papers import printed

    values = printed("complexity")  # the printed numbers are data (values/complexity.csv)
    keys = t.pd.DataFrame([t._key(c) for c in values])
    assert not keys.duplicated().any() and len(values) == len(t.PRINTED)
    assert len(values) > 100
    assert t.paper_value(next(p for p in t.PRINTED if p.printed == "22,405,168"))[0] == pytest.approx(22405.168)
    assert t.parse_printed("0.2T", "multadds") == (200.0, 50.0)
    assert t.parse_printed("1,592K", "params") == (1592.0, 0.5)
    assert t.parse_printed("22,405,168", "params") == pytest.approx((22405.168, 0.0005))


def test_smoke_run():
    from srrepro.tables import reproduce

    res = reproduce("complexity", "smoke", write=False, progress=False)
    rows = res.rows
    assert len(rows) >= 10 and (rows["profile"] == "smoke").all()
    assert rows["value"].notna().all() and rows["value_paper"].notna().all()
    # every row outside tolerance says why
    off = rows[~rows["match"].isin(["within tolerance", "printed precision"])]
    assert (off["note"].str.len() > 0).all(), off[["model", "quantity"]]
    srcnn = rows[(rows["model"] == "SRCNN") & (rows["quantity"] == "multadds")]
    assert (srcnn["match"] == "within tolerance").all()
    assert res.verdicts["pcarn_eresidual"].status == "holds"


@pytest.mark.slow
def test_lite_run_every_difference_explained():
    from srrepro.tables import reproduce

    rows = reproduce("complexity", "lite", write=False, progress=False).rows
    off = rows[rows["match"].isin(["explained", "outside"])]
    assert (off["note"].str.len() > 0).all(), off[["reported_by", "model", "quantity"]]
    assert set(rows["status"]) >= {"no model in the study"}


def test_own_counts_are_exact_at_the_printed_digit_and_pcarn_table_1_truncates():
    from types import SimpleNamespace as Row

    from srrepro.papers.study import complexity as cx

    r = Row(model="m", quantity="params", ref="Table 1", reported_by="PCARN", printed="1,111K", value=1111.899)
    assert cx._printed_cell(r)[1:] == (1111.0, 1111.0, 0)  # truncated, then equal
    rounded = Row(**{**r.__dict__, "reported_by": "OverNet"})
    assert cx._printed_cell(rounded)[1] == pytest.approx(1111.899)  # rounds to 1,112K: one unit off, not reproduced
    t = Row(model="m", quantity="multadds", ref="T6", reported_by="OverNet", printed="0.2T", value=212.39)
    assert cx._printed_cell(t)[1:] == (pytest.approx(0.21239), 0.2, 1)
