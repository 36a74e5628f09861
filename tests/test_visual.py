"""srrepro.visual: the numbers on a comparison figure are the evaluation loop's, and bad input fails clearly."""
from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from srrepro import visual as V  # noqa: E402
from srrepro.data import load_images  # noqa: E402
from srrepro.evaluate import evaluate, evaluate_bicubic, pairs, super_resolve  # noqa: E402

LABEL = "CARN-M (official weights)"


@pytest.fixture(scope="module")
def carn_m(data_root):
    torch = pytest.importorskip("torch")
    from srrepro.weights import load_official

    if not (data_root / "weights" / "official" / "carn_m.pth").is_file():
        pytest.skip(f"official CARN-M weights not found under {data_root}")
    torch.set_num_threads(1)
    return load_official("carn_m", root=data_root)


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def test_scores_equal_the_evaluation_loop(data_root, carn_m):
    got = V.compare_scores("Set5", "butterfly", 4, {LABEL: carn_m}, root=data_root)
    assert list(got) == ["Bicubic", LABEL]
    bic = evaluate_bicubic("Set5", 4, root=data_root).set_index("image").loc["butterfly"]
    ours = evaluate(carn_m, "Set5", 4, root=data_root, limit=3).set_index("image").loc["butterfly"]
    assert got["Bicubic"] == pytest.approx((bic.psnr, bic.ssim), abs=1e-9)
    assert got[LABEL] == pytest.approx((ours.psnr, ours.ssim), abs=1e-9)
    assert got[LABEL][0] > got["Bicubic"][0] + 3  # CARN-M is far above bicubic on butterfly ×4


def test_figure_panels_titles_and_crops(data_root, carn_m):
    box = (100, 80, 48, 64)
    fig = V.compare("Set5", "butterfly", 4, {LABEL: carn_m}, box=box, root=data_root)
    axes = fig.get_axes()
    assert len(axes) == 1 + 2 + 1  # full HR, HR crop, Bicubic, CARN-M
    titles = [ax.get_title() for ax in axes]
    nums = V.compare_scores("Set5", "butterfly", 4, {LABEL: carn_m}, box=box, root=data_root)
    for (label, (p, s)), title in zip(nums.items(), titles[2:]):
        assert title == f"{label}\n{p:.2f} dB / {s:.4f}"
    assert titles[1].startswith("HR") and "butterfly" in titles[0]
    assert not any(ax.axison for ax in axes)
    assert [ax.get_images()[0].get_interpolation() for ax in axes[1:]] == ["nearest"] * 3  # crops: no smoothing
    assert all(ax.get_images()[0].get_array().shape[:2] == (48, 64) for ax in axes[1:])
    assert axes[0].get_images()[0].get_array().shape[:2] == (256, 256)
    (rect,) = axes[0].patches
    assert (rect.get_y() + 0.5, rect.get_x() + 0.5, rect.get_height(), rect.get_width()) == box


def test_precomputed_image_as_method(data_root, carn_m):
    (_, lr, hr), = [p for p in pairs("Set5", 4, root=data_root) if p[0] == "butterfly"]
    sr = super_resolve(carn_m, lr, 4, out_shape=hr.shape[:2])
    got = V.compare_scores("Set5", "butterfly", 4, {"model": carn_m, "saved": sr, "HR copy": hr.copy()}, root=data_root)
    assert got["saved"] == got["model"]
    assert got["HR copy"][0] == float("inf") and got["HR copy"][1] == pytest.approx(1.0)
    fig = V.compare("Set5", "butterfly", 4, {"saved": sr}, root=data_root)
    assert len(fig.get_axes()) == 4
    with pytest.raises(ValueError, match=r"uint8 of the HR size \(256, 256\)"):
        V.compare_scores("Set5", "butterfly", 4, {"bad": sr[:-4]}, root=data_root)


def test_bad_box_names_the_image_size(data_root):
    for box in [(240, 0, 32, 32), (0, -1, 16, 16), (0, 0, 0, 8)]:
        with pytest.raises(ValueError, match=r"outside 'butterfly', which is 256×256"):
            V.compare("Set5", "butterfly", 4, {}, box=box, root=data_root)
    with pytest.raises(ValueError, match="not both"):
        V.compare_scores("Set5", "butterfly", 4, {}, box=(0, 0, 8, 8), crop=8, root=data_root)


def test_unknown_image_lists_valid_names(data_root):
    with pytest.raises(ValueError, match="no image 'butterfly.png' in Set5; valid names: baby, bird, butterfly, head, "
                                         "woman"):
        V.compare_scores("Set5", "butterfly.png", 4, {}, root=data_root)


def test_auto_box_finds_the_textured_patch_deterministically(data_root):
    rng = np.random.default_rng(0)
    img = np.full((120, 100, 3), 128, np.uint8)
    img[:, 50:] = 20  # one strong edge: high window variance, little detail
    img[70:100, 10:40] = rng.integers(0, 256, (30, 30, 3), dtype=np.uint8)
    assert V.auto_box(img, 30, margin=4) == (70, 10, 30, 30)
    assert V.auto_box(img, 30, margin=4) == V.auto_box(img.copy(), 30, margin=4)
    hr = dict(load_images("Set5", data_root))["butterfly"]
    t, l, h, w = V.auto_box(hr, 64, margin=4)
    assert (h, w) == (64, 64) and 4 <= t <= 256 - 68 and 4 <= l <= 256 - 68
