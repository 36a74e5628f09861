"""LPIPS through the reference package: weights from the data root loaded strictly, the input convention, and one
clear line when something is missing."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

from srrepro import perceptual as P
from srrepro.data import read_image


@pytest.fixture(scope="module")
def images(data_root):
    hr = read_image(data_root / "benchmarks" / "Set5" / "butterfly.png")[:96, :128]
    noise = np.random.default_rng(0).integers(-24, 25, hr.shape)
    return hr, np.clip(hr.astype(int) + noise, 0, 255).astype(np.uint8)


def test_lpips_of_an_image_with_itself_is_zero_and_noise_is_far(images, data_root):
    hr, noisy = images
    assert P.lpips_distance(hr, hr, root=data_root) == 0.0
    d = P.lpips_distance(noisy, hr, root=data_root)
    assert 0.01 < d < 1.0
    assert P.lpips_distance(noisy, hr, border=4, root=data_root) != d  # the border is shaved
    grey = P.lpips_distance(noisy[..., 1], hr[..., 1], root=data_root)  # replicated to RGB
    assert grey > 0
    with pytest.raises(ValueError, match="one size"):
        P.lpips_distance(hr[:64], hr, root=data_root)
    with pytest.raises(TypeError, match="uint8"):
        P.lpips_distance(hr / 255.0, hr / 255.0, root=data_root)


def test_every_weight_is_loaded_and_the_lin_layers_are_the_mirror_copy(data_root):
    """Nothing at its random initialisation: the trunk equals the mirror's AlexNet, the lin layers the package's
    v0.1 file, which is the mirror's ``alex_v0.1.npz`` tensor for tensor."""
    model = P.lpips_model(data_root)
    sd = model.state_dict()
    with np.load(data_root / P.LPIPS_TRUNK_FILES[0]) as d:
        for k in d.files:
            conv = int(k.split(".")[1])
            slice_no = P._TRUNK_CONVS.index(conv) + 1
            assert torch.equal(sd[f"net.slice{slice_no}.{conv}.{k.split('.')[2]}"], torch.from_numpy(d[k]))
    with np.load(data_root / P.LPIPS_LIN_FILE) as d:
        assert sorted(d.files) == [f"lin{i}.model.1.weight" for i in range(5)]
        for k in d.files:
            assert torch.equal(sd[k], torch.from_numpy(d[k])) and torch.equal(sd["lins." + k[3:]], sd[k])
    assert not any(p.requires_grad for p in model.parameters())


def test_torchvision_layout_pth_gives_the_same_distance(images, data_root, tmp_path):
    """The trunk as torchvision publishes it (alexnet-owt-*.pth: features.* and classifier.*) loads into the same
    network: the same LPIPS to the bit."""
    hr, noisy = images
    with np.load(data_root / P.LPIPS_TRUNK_FILES[0]) as d:
        sd = {k: torch.from_numpy(d[k]) for k in d.files}
    sd["classifier.1.weight"] = torch.zeros(4, 9216)  # the classifier is in the file and not used
    (tmp_path / "weights" / "imagenet").mkdir(parents=True)
    torch.save(sd, tmp_path / P.LPIPS_TRUNK_FILES[1])
    assert P.lpips_distance(noisy, hr, root=tmp_path) == P.lpips_distance(noisy, hr, root=data_root)


def test_missing_or_wrong_trunk_is_one_clear_line(tmp_path):
    with pytest.raises(P.LpipsUnavailableError, match="srrepro download lpips") as e:
        P.lpips_model(tmp_path)
    assert "\n" not in str(e.value)
    (tmp_path / "weights" / "imagenet").mkdir(parents=True)
    np.savez(tmp_path / P.LPIPS_TRUNK_FILES[0], **{"features.0.weight": np.zeros((64, 3, 11, 11), np.float32)})
    with pytest.raises(P.LpipsUnavailableError, match="features.0.bias"):
        P.lpips_model(tmp_path)


def test_without_the_package_it_says_how_to_install_it():
    code = ("import sys; sys.modules['lpips'] = None\n"
            "from srrepro import perceptual as P\n"
            "try:\n    P._import_lpips()\nexcept P.LpipsUnavailableError as e:\n    print(e)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert "pip install --no-deps lpips==0.1.4" in out


def test_score_cli_lpips_and_border(images, data_root, tmp_path):
    hr, noisy = images
    for d, img in (("sr", noisy), ("hr", hr)):
        (tmp_path / d).mkdir()
        Image.fromarray(img).save(tmp_path / d / "butterfly.png")
    out = tmp_path / "s.csv"
    r = subprocess.run([sys.executable, "-m", "srrepro", "score", "--sr", str(tmp_path / "sr"), "--hr",
                        str(tmp_path / "hr"), "--scale", "4", "--metrics", "psnr,lpips", "--border", "0",
                        "--data", str(data_root), "--csv", str(out)], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    import pandas as pd

    df = pd.read_csv(out)
    assert list(df.columns) == ["image", "psnr", "lpips"]
    assert df.lpips[0] == pytest.approx(P.lpips_distance(noisy, hr, 0, data_root), abs=1e-9)
    assert "border 0" in r.stdout and "LPIPS" in r.stdout


def test_lpips_on_too_small_an_image_is_one_clear_error():
    import numpy as np

    from srrepro.perceptual import LPIPS_MIN_SIDE, lpips_distance

    img = np.zeros((24, 40, 3), np.uint8)
    with pytest.raises(ValueError, match=f"at least {LPIPS_MIN_SIDE} pixels a side after the 4-pixel border crop; "
                                         "this image has 16"):
        lpips_distance(img, img, border=4)
