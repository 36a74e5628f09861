"""The evaluation protocol: MATLAB-exact bicubic, Y-PSNR/SSIM, data handling and their error messages."""
import subprocess
import sys

import numpy as np
import pytest
from PIL import Image

from srrepro import data
from srrepro.degrade import degrade, imresize
from srrepro.evaluate import evaluate_bicubic, hr_crop_shape, make_pair
from srrepro.metrics import psnr, rgb2y, ssim

SET5 = ["baby", "bird", "butterfly", "head", "woman"]


# ------------------------------------------------------------------------------------------- MATLAB imresize
@pytest.mark.parametrize("scale", [2, 3, 4])
@pytest.mark.parametrize("name", SET5)
def test_bicubic_lr_bit_exact_against_matlab(data_root, name, scale):
    hr = data.modcrop(data.read_image(data_root / f"benchmarks/Set5/{name}.png"), scale)
    matlab = data.read_image(data_root / f"reference/matlab_bicubic_lr/Set5/x{scale}/{name}.png")
    ours = imresize(hr, 1 / scale)
    assert ours.dtype == np.uint8 and ours.shape == matlab.shape
    assert np.array_equal(ours, matlab), f"{int((ours != matlab).sum())} pixels differ from MATLAB"


def test_cli_prepare_reproduces_matlab_files(data_root, tmp_path):
    out = tmp_path / "lr"
    r = subprocess.run([sys.executable, "-m", "srrepro", "prepare", "--dataset", "Set5", "--scale", "3",
                        "--out", str(out), "--data", str(data_root)], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    for name in SET5:
        ours = data.read_image(out / f"{name}.png")
        matlab = data.read_image(data_root / f"reference/matlab_bicubic_lr/Set5/x3/{name}.png")
        assert np.array_equal(ours, matlab)


def test_imresize_sizes_and_types():
    rng = np.random.default_rng(0)
    img = rng.integers(0, 256, (37, 50, 3), dtype=np.uint8)
    assert imresize(img, 0.5).shape == (19, 25, 3)  # ceil, as MATLAB
    assert imresize(img, 2).shape == (74, 100, 3)
    assert imresize(img, output_shape=(10, 11)).shape == (10, 11, 3)
    assert imresize(img[..., 0], 1 / 3).shape == (13, 17)
    f = imresize(img.astype(np.float64) / 255, 0.5)
    assert f.dtype == np.float64
    # uint8 output is the rounded float result up to MATLAB's per-pass rounding (≤ 1 grey level)
    assert np.abs(imresize(img, 0.5).astype(float) - f * 255).max() <= 1.0 + 1e-9
    # a constant image stays constant (weights sum to 1, borders replicated)
    const = np.full((20, 20), 77, np.uint8)
    assert np.all(imresize(const, 1 / 3) == 77) and np.all(imresize(const, 2.5) == 77)


def test_imresize_bad_input():
    with pytest.raises(TypeError, match="uint8 or float"):
        imresize(np.zeros((4, 4), np.int32), 0.5)
    with pytest.raises(ValueError, match="H×W"):
        imresize(np.zeros(4, np.uint8), 0.5)


def test_non_integer_scale_pairs():
    hr = np.random.default_rng(1).integers(0, 256, (100, 81, 3), dtype=np.uint8)
    for r in (1.1, 1.5, 2.7, 3.9):
        lr, hr_c = make_pair(hr, r)
        (hh, hw), (lh, lw) = hr_crop_shape(hr.shape, r)
        assert lr.shape[:2] == (lh, lw) == (int(100 // r), int(81 // r))
        assert hr_c.shape[:2] == (hh, hw) == (round(lh * r), round(lw * r))


# ------------------------------------------------------------------------------------------- degradations
def test_bd_and_dn(data_root):
    hr = data.modcrop(data.read_image(data_root / "benchmarks/Set5/baby.png"), 3)
    bd = degrade(hr, 3, "BD")
    assert bd.shape == (170, 170, 3) and bd.dtype == np.uint8
    assert degrade(hr, 3, "BD", bd_order="bicubic_first").shape == (170, 170, 3)
    dn0, dn0b, dn1 = degrade(hr, 3, "DN", seed=0), degrade(hr, 3, "DN", seed=0), degrade(hr, 3, "DN", seed=1)
    assert np.array_equal(dn0, dn0b) and not np.array_equal(dn0, dn1)
    noise = dn0.astype(float) - imresize(hr, 1 / 3).astype(float)
    assert 25 < noise.std() < 31  # σ = 30, slightly reduced by clipping at 0 and 255
    with pytest.raises(ValueError, match="unknown degradation"):
        degrade(hr, 3, "XX")


# ------------------------------------------------------------------------------------------- metrics
def test_y_channel_matches_matlab_rgb2ycbcr():
    px = np.array([[[0, 0, 0], [255, 255, 255], [255, 0, 0], [10, 200, 30]]], np.uint8)
    # MATLAB: rgb2ycbcr(uint8) → 16, 235, 81, 122; the im2double variant gives the unrounded luma
    assert rgb2y(px, "uint8").ravel().tolist() == [16, 235, 81, 122]
    np.testing.assert_allclose(rgb2y(px, "float").ravel(), [16, 235, 81.481, 122.3309], atol=1e-3)


def test_psnr_ssim_against_skimage():
    from skimage.metrics import peak_signal_noise_ratio, structural_similarity

    rng = np.random.default_rng(0)
    hr = rng.integers(0, 256, (60, 70, 3), dtype=np.uint8)
    sr = np.clip(hr.astype(int) + rng.integers(-20, 21, hr.shape), 0, 255).astype(np.uint8)
    a, b = rgb2y(sr)[3:-3, 3:-3], rgb2y(hr)[3:-3, 3:-3]
    assert psnr(sr, hr, 3) == pytest.approx(peak_signal_noise_ratio(b, a, data_range=255), abs=1e-10)
    # skimage with Gaussian weights (11×11, σ 1.5), population covariance and its crop = Wang's ssim_index
    ref = structural_similarity(b, a, data_range=255, gaussian_weights=True, sigma=1.5,
                                use_sample_covariance=False)
    assert ssim(sr, hr, 3) == pytest.approx(ref, abs=1e-7)
    assert psnr(hr, hr, 2) == float("inf") and ssim(hr, hr, 2) == pytest.approx(1.0)


def test_greyscale_is_scored_on_grey_values():
    rng = np.random.default_rng(0)
    hr = rng.integers(0, 256, (40, 40), dtype=np.uint8)
    sr = np.clip(hr.astype(int) + rng.integers(-5, 6, hr.shape), 0, 255).astype(np.uint8)
    direct = psnr(sr, hr, 2)
    # An RGB answer to a grey image (R = G = B) scores as the same grey image, not as its Y (≈1.3 dB apart)
    assert psnr(np.repeat(sr[..., None], 3, 2), hr, 2) == pytest.approx(direct, abs=0.02)
    assert psnr(sr, hr, 2) != pytest.approx(psnr(np.repeat(sr[..., None], 3, 2), np.repeat(hr[..., None], 3, 2), 2),
                                           abs=0.5)


def test_metrics_reject_float_and_size_mismatch():
    with pytest.raises(TypeError, match="uint8"):
        psnr(np.zeros((8, 8, 3)), np.zeros((8, 8, 3), np.uint8), 2)
    with pytest.raises(ValueError, match="differ in size"):
        psnr(np.zeros((8, 8, 3), np.uint8), np.zeros((9, 8, 3), np.uint8), 2)


def test_set5_bicubic_matches_edsr_slides(data_root):
    # EDSR slides: 33.66 / 30.39 / 28.42 dB (float Y, the EDSR/RCAN MATLAB script). ±0.02 dB: see the book page
    for scale, paper in ((2, 33.66), (3, 30.39), (4, 28.42)):
        ours = evaluate_bicubic("Set5", scale).psnr.mean()
        assert abs(ours - paper) <= 0.02, (scale, ours)


# ------------------------------------------------------------------------------------------- data + errors
def test_data_root_missing_says_where_and_how(tmp_path, monkeypatch):
    monkeypatch.setenv("SRREPRO_DATA", str(tmp_path / "nowhere"))
    with pytest.raises(data.DataRootError, match="nowhere.*SRREPRO_DATA.*srrepro download"):
        data.data_root()


def test_unknown_and_missing_dataset(tmp_path):
    with pytest.raises(data.UnknownDatasetError, match="valid datasets: Set5"):
        data.dataset_files("Set6", tmp_path)
    with pytest.raises(data.DatasetMissingError, match="srrepro download Urban100"):
        data.dataset_files("Urban100", tmp_path)
    with pytest.raises(data.DatasetMissingError, match="manga109.org"):
        data.dataset_files("Manga109", tmp_path)


def test_corrupt_image_names_the_file(tmp_path):
    bad = tmp_path / "broken.png"
    Image.fromarray(np.zeros((16, 16, 3), np.uint8)).save(bad)
    bad.write_bytes(bad.read_bytes()[:40])
    with pytest.raises(data.ImageReadError, match="broken.png"):
        data.read_image(bad)


def test_greyscale_hr_kept_grey(data_root):
    bridge = data.read_image(data_root / "benchmarks/Set14/bridge.png")
    assert bridge.ndim == 2


def test_fetch_checks_sha256_and_writes_atomically(tmp_path):
    src = tmp_path / "src.bin"
    src.write_bytes(b"hello srrepro")
    import hashlib

    good = hashlib.sha256(b"hello srrepro").hexdigest()
    out = data.fetch(src.as_uri(), tmp_path / "out" / "f.bin", sha256=good, progress=False)
    assert out.read_bytes() == b"hello srrepro"
    with pytest.raises(data.ChecksumError, match="does not match"):
        data.fetch(src.as_uri(), tmp_path / "out" / "g.bin", sha256="0" * 64, progress=False)
    assert not (tmp_path / "out" / "g.bin").exists()
    assert [p.name for p in (tmp_path / "out").iterdir()] == ["f.bin"]  # no .part left behind


def test_download_matches_renamed_and_reencoded_files_by_pixels(data_root, tmp_path, monkeypatch):
    # A fake "upstream" holding Set5 as BMP files under other names, reached through file:// URLs.
    upstream = tmp_path / "upstream"
    upstream.mkdir()
    urls = []
    for i, name in enumerate(SET5):
        img = data.read_image(data_root / f"benchmarks/Set5/{name}.png")
        p = upstream / f"img_{i:03d}.bmp"
        Image.fromarray(img).save(p)
        urls.append(p.as_uri())
    monkeypatch.setattr(data, "source_candidates", lambda rel, source: list(reversed(urls)))
    root = tmp_path / "data"
    assert data.download("Set5", root, progress=False) == 5
    for name in SET5:
        got = data.read_image(root / f"benchmarks/Set5/{name}.png")
        assert np.array_equal(got, data.read_image(data_root / f"benchmarks/Set5/{name}.png"))


def test_manifest_lists_every_mirror_file_with_a_source():
    rows = data.manifest()
    assert len([r for r in rows if r.startswith("benchmarks/B100/")]) == 100
    for rel, row in rows.items():
        assert len(row["sha256"]) == 64 and data.source_candidates(rel, row["source"]), rel
