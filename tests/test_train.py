"""The training engine (srrepro.train, srrepro.patches, srrepro.losses): tiny models, tiny synthetic images.

Fast by default (CPU, a few seconds each); the CUDA tests skip cleanly without a GPU.
"""
from __future__ import annotations

import math
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import torch
import torch.nn as nn
from PIL import Image

import srrepro.train as T
from srrepro.losses import MissingWeightsError, VGGLoss, multiscale_l1, parse_loss
from srrepro.models import register_model
from srrepro.patches import PatchSampler

REPO = Path(__file__).resolve().parents[1]
requires_cuda = pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")


@pytest.fixture(autouse=True)
def _one_thread(monkeypatch):
    """Tiny models on a shared CPU: one intra-op thread is several times faster than many (train() honours it)."""
    monkeypatch.setenv("OMP_NUM_THREADS", "1")


class _NanAfter(nn.Module):
    """A 1-conv ×2 model whose output turns NaN on its ``nan_at``-th forward call."""

    scales = (2,)

    def __init__(self, nan_at: int = 3):
        super().__init__()
        self.conv, self.nan_at, self.calls = nn.Conv2d(3, 12, 3, padding=1), nan_at, 0

    def forward(self, x, scale):
        self.calls += 1
        y = nn.functional.pixel_shuffle(self.conv(x), 2)
        return y * float("nan") if self.calls >= self.nan_at else y


@register_model
def _test_nan_after(nan_at: int = 3) -> nn.Module:
    return _NanAfter(nan_at)


class _TinyDiscriminator(nn.Module):
    """Same contract as pcarn_discriminator (list of sigmoid patch maps, one per 2^i pooling, BatchNorm), tiny."""

    def __init__(self, n_scales: int = 1):
        super().__init__()
        self.nets = nn.ModuleList(
            nn.Sequential(nn.AvgPool2d(2**i), nn.Conv2d(3, 4, 3, 2, 1), nn.BatchNorm2d(4), nn.LeakyReLU(),
                          nn.Conv2d(4, 1, 3, 1, 1), nn.Sigmoid())
            for i in range(n_scales)
        )

    def forward(self, x, scale=None):
        return [d(x) for d in self.nets]


@register_model
def _test_tiny_discriminator(n_scales: int = 1) -> nn.Module:
    return _TinyDiscriminator(n_scales)


def images(n=3, h=40, w=48, seed=0):
    rng = np.random.default_rng(seed)
    return [(f"im{i}", rng.integers(0, 256, (h, w, 3), dtype=np.uint8)) for i in range(n)]


def tiny(**kw) -> T.TrainConfig:
    base = dict(model="carn_m", model_kwargs={"n_feats": 8}, scales=(2, 3), lr_patch=8, batch_size=4, iterations=6,
                log_every=2, validate_every=0, checkpoint_every=2, seed=1, lr=1e-3, lr_halve_every=4, grad_clip=1.0)
    base.update(kw)
    return T.TrainConfig(**base)


def assert_same_state(a: dict, b: dict, path="") -> None:
    """Every tensor equal bit for bit (recursively through dicts/lists)."""
    if isinstance(a, torch.Tensor):
        assert isinstance(b, torch.Tensor) and a.dtype == b.dtype and torch.equal(a, b), f"{path} differs"
    elif isinstance(a, dict):
        assert set(a) == set(b), f"{path}: keys differ"
        for k in a:
            assert_same_state(a[k], b[k], f"{path}.{k}")
    elif isinstance(a, (list, tuple)):
        assert len(a) == len(b), f"{path}: lengths differ"
        for i, (x, y) in enumerate(zip(a, b)):
            assert_same_state(x, y, f"{path}[{i}]")
    else:
        assert a == b or (isinstance(a, float) and math.isnan(a) and math.isnan(b)), f"{path}: {a!r} != {b!r}"


def load_ckpt(run_dir) -> dict:
    ck = torch.load(Path(run_dir) / T.CHECKPOINT, map_location="cpu", weights_only=True)
    ck.pop("wall_s")
    for row in ck["curve"]:
        row.pop("wall_s")
    return ck


# ----------------------------------------------------------------------------------------------- resume & determinism
@pytest.mark.parametrize("loss", ["l1", "1*l1+5e-3*gan"])
def test_interrupted_and_resumed_run_is_bit_identical(tmp_path, monkeypatch, loss):
    kw = dict(loss=loss)
    if "gan" in loss:  # PCARN's alternating D/G step with a 3-scale discriminator (BatchNorm, 2nd Adam)
        kw.update(gan_scales=3, discriminator="_test_tiny_discriminator", scales=(4,),
                  model_kwargs={"n_feats": 8, "multi_scale": True})
    cfg = tiny(**kw)
    straight = T.train(cfg, tmp_path / "straight", progress=False, images=images())

    real_lr_at = T.lr_at

    def interrupt_at_3(config, step):
        if step == 3:
            raise KeyboardInterrupt
        return real_lr_at(config, step)

    monkeypatch.setattr(T, "lr_at", interrupt_at_3)
    with pytest.raises(KeyboardInterrupt):
        T.train(cfg, tmp_path / "resumed", progress=False, images=images())
    assert torch.load(tmp_path / "resumed" / T.CHECKPOINT, weights_only=True)["step"] == 3
    monkeypatch.setattr(T, "lr_at", real_lr_at)
    resumed = T.train(cfg, tmp_path / "resumed", resume=True, progress=False, images=images())

    assert resumed.iterations == straight.iterations == 6
    assert_same_state(straight.model.state_dict(), resumed.model.state_dict(), "model")
    assert_same_state(load_ckpt(tmp_path / "straight"), load_ckpt(tmp_path / "resumed"), "checkpoint")
    cols = [c for c in straight.curve.columns if c != "wall_s"]
    assert straight.curve[cols].equals(resumed.curve[cols]) and list(straight.curve.step) == [2, 4, 6]


def test_same_config_twice_gives_identical_weights(tmp_path):
    cfg = tiny(iterations=3)
    a = T.train(cfg, tmp_path / "a", progress=False, images=images())
    b = T.train(cfg, tmp_path / "b", progress=False, images=images())
    assert_same_state(a.model.state_dict(), b.model.state_dict())
    c = T.train(tiny(iterations=3, seed=2), tmp_path / "c", progress=False, images=images())
    assert not torch.equal(a.model.state_dict()["entry.weight"], c.model.state_dict()["entry.weight"])


def test_files_written_and_finished_run_resumes_as_noop(tmp_path):
    cfg = tiny(iterations=2)
    T.train(cfg, tmp_path, progress=False, images=images())
    assert {T.CHECKPOINT, T.CURVE, T.CONFIG, T.FINAL} <= {p.name for p in tmp_path.iterdir()}
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]
    again = T.train(cfg, tmp_path, resume=True, progress=False, images=images())
    assert again.iterations == 2
    assert_same_state(again.model.state_dict(), torch.load(tmp_path / T.FINAL, weights_only=True))


def test_resume_refuses_other_config_and_fresh_start_refuses_existing_checkpoint(tmp_path):
    T.train(tiny(iterations=2), tmp_path, progress=False, images=images())
    with pytest.raises(T.CheckpointMismatchError) as e:
        T.train(tiny(iterations=4, lr=5e-4), tmp_path, resume=True, progress=False, images=images())
    assert "\n" not in str(e.value) and "lr: 0.001 there, 0.0005 here" in str(e.value)
    with pytest.raises(FileExistsError, match="resume=True"):
        T.train(tiny(iterations=2), tmp_path, progress=False, images=images())
    # more iterations is a legal change: the run continues
    assert T.train(tiny(iterations=4), tmp_path, resume=True, progress=False, images=images()).iterations == 4


def test_nan_loss_stops_naming_the_iteration(tmp_path):
    cfg = tiny(model="_test_nan_after", model_kwargs={"nan_at": 3}, scales=(2,), grad_clip=None)
    with pytest.raises(T.TrainingDivergedError, match=r"loss = nan at iteration 3 ") as e:
        T.train(cfg, tmp_path, progress=False, images=images())
    assert "\n" not in str(e.value) and e.value.step == 3
    assert torch.load(tmp_path / T.CHECKPOINT, weights_only=True)["step"] == 2  # last good one kept
    curve = pd.read_csv(tmp_path / T.CURVE)  # the curve up to the divergence, for the stability tables
    assert curve["step"].tolist() == [2, 3] and np.isnan(curve["loss"].iloc[-1])  # log_every 2, then the NaN row


def test_curve_logs_mean_and_peak_loss_and_gradient_norm(tmp_path):
    cfg = tiny(iterations=4, log_every=2, grad_clip=None)
    curve = T.train(cfg, tmp_path, progress=False, images=images()).curve
    assert curve["step"].tolist() == [2, 4]
    assert (curve["loss_max"] >= curve["loss"]).all() and (curve["grad_norm_max"] >= curve["grad_norm"]).all()
    assert (curve["grad_norm"] > 0).all()


def test_lr_schedule_halves_at_milestones_and_every_n():
    cfg = tiny(lr=1.0, lr_milestones=(3,), lr_halve_every=10)
    assert [T.lr_at(cfg, t) for t in (0, 2, 3, 9, 10, 20)] == [1.0, 1.0, 0.5, 0.5, 0.25, 0.125]


# ----------------------------------------------------------------------------------------------- data
def test_patch_batches_are_a_function_of_seed_and_step_and_shard_exactly():
    imgs = images()
    full = PatchSampler(imgs, (2, 3), lr_patch=8, batch_size=4, seed=5)
    lr, hr, scale = full[7]
    assert lr.dtype == torch.uint8 and lr.shape == (4, 3, 8, 8) and hr.shape == (4, 3, 8 * scale, 8 * scale)
    again = PatchSampler(imgs, (2, 3), lr_patch=8, batch_size=4, seed=5)[7]
    assert torch.equal(again[0], lr) and torch.equal(again[1], hr)
    shards = [PatchSampler(imgs, (2, 3), lr_patch=8, batch_size=4, seed=5, rank=r, world_size=2)[7] for r in (0, 1)]
    assert torch.equal(torch.cat([s[0] for s in shards]), lr) and torch.equal(torch.cat([s[1] for s in shards]), hr)
    assert {full[t][2] for t in range(20)} == {2, 3}  # one scale per batch, both drawn


def test_integer_scale_patches_are_aligned_crops_of_the_cached_lr_image():
    imgs = images(n=1)
    s = PatchSampler(imgs, (2,), lr_patch=8, batch_size=1, seed=0)
    from srrepro.degrade import degrade

    whole = degrade(imgs[0][1], 2)
    assert np.array_equal(s.lr[0, 2], whole)
    scale, idx, uy, ux, augs = s.draw(0)
    lr, hr = s._crop(0, 2, uy[0], ux[0])
    # locate the LR patch in the LR image and check the HR patch sits at twice the offset
    hits = [(yy, xx) for yy in range(whole.shape[0] - 7) for xx in range(whole.shape[1] - 7)
            if np.array_equal(whole[yy:yy + 8, xx:xx + 8], lr)]
    assert hits and any(np.array_equal(imgs[0][1][2 * yy:2 * yy + 16, 2 * xx:2 * xx + 16], hr) for yy, xx in hits)


def test_float_scales_snap_to_the_patch_grid():
    s = PatchSampler(images(), (), lr_patch=10, batch_size=2, seed=0, scale_range=(1.0, 2.0))
    for t in range(5):
        lr, hr, scale = s[t]
        assert lr.shape[-1] == 10 and hr.shape[-1] == round(10 * scale) and abs(scale * 10 - round(scale * 10)) < 1e-9
    d = PatchSampler(images(), (1.1, 1.5), lr_patch=10, batch_size=2, seed=0)
    assert {round(d[t][2], 6) for t in range(10)} <= {1.1, 1.5}
    with pytest.raises(ValueError, match="BI"):
        PatchSampler(images(), (1.5,), lr_patch=10, batch_size=2, degradation="DN")


# ----------------------------------------------------------------------------------------------- losses & init
def test_loss_specs_and_multiscale_l1():
    assert parse_loss("1*vgg+5e-3*gan") == {"vgg": 1.0, "gan": 5e-3} and parse_loss("l1") == {"l1": 1.0}
    with pytest.raises(ValueError, match="terms are"):
        parse_loss("l3")
    sr = torch.rand(2, 3, 24, 24, requires_grad=True)
    hr = torch.rand(2, 3, 24, 24)
    assert torch.allclose(multiscale_l1(sr, hr, 4, (4,)), (sr - hr).abs().mean())
    total = multiscale_l1(sr, hr, 4, (2, 3, 4, 8))  # x8 > x4 is skipped; x2, x3 resize to 12 and 18 px
    total.backward()
    assert total > (sr - hr).abs().mean() and sr.grad is not None and sr.grad.abs().sum() > 0


def test_pcarn_discriminator_fits_the_gan_loss():
    from srrepro.losses import DiscriminatorLoss, generator_gan_loss
    from srrepro.models import create_model

    d = create_model("pcarn_discriminator", n_scales=3)
    sr, hr = torch.rand(2, 3, 32, 32, requires_grad=True), torch.rand(2, 3, 32, 32)
    d_loss = DiscriminatorLoss(d)(hr, sr.detach())
    g_loss = generator_gan_loss(d(sr))
    g_loss.backward()
    assert d_loss.ndim == g_loss.ndim == 0 and math.isfinite(d_loss.item()) and sr.grad.abs().sum() > 0


def test_vgg_loss_without_weights_is_one_clear_error(tmp_path):
    with pytest.raises(MissingWeightsError) as e:
        VGGLoss(data_root=tmp_path)
    msg = str(e.value)
    assert "\n" not in msg and str(tmp_path / "weights" / "vgg19-dcbb9e9d.pth") in msg
    assert "https://download.pytorch.org/models/vgg19-dcbb9e9d.pth" in msg
    with pytest.raises(MissingWeightsError):  # train() refuses before the first step
        T.train(tiny(loss="1*vgg+5e-3*gan", data_root=str(tmp_path)), tmp_path / "run", progress=False,
                images=images())
    assert not (tmp_path / "run" / T.CHECKPOINT).exists()


def test_vgg_loss_loads_torchvision_layout(tmp_path):
    from srrepro.losses import vgg19_features

    torch.manual_seed(0)
    full = vgg19_features(36)  # the whole torchvision `features`, plus a classifier key that must be ignored
    state = {f"features.{k}": v for k, v in full.state_dict().items()} | {"classifier.0.bias": torch.zeros(4)}
    (tmp_path / "weights").mkdir()
    torch.save(state, tmp_path / "weights" / "vgg19-dcbb9e9d.pth")
    with pytest.raises(MissingWeightsError, match="sha256"):  # a file that is not torchvision's
        VGGLoss(data_root=tmp_path)
    loss = VGGLoss(data_root=tmp_path, check_hash=False)
    assert torch.equal(loss.features[34].weight, full[34].weight) and len(loss.features) == 35
    x = torch.rand(1, 3, 32, 32, requires_grad=True)
    value = loss(x, torch.rand(1, 3, 32, 32))
    value.backward()
    assert value > 0 and x.grad.abs().sum() > 0 and loss.features[0].weight.grad is None


def test_pretrained_loading_strict_and_partial(tmp_path):
    T.train(tiny(iterations=1, scales=(2,)), tmp_path / "x2", progress=False, images=images())
    x2 = torch.load(tmp_path / "x2" / T.FINAL, weights_only=True)
    cfg3 = tiny(iterations=1, scales=(3,), pretrained=str(tmp_path / "x2" / T.CHECKPOINT))
    with pytest.raises(T.CheckpointMismatchError, match="pretrained_strict=False") as e:
        T.train(cfg3, tmp_path / "x3", progress=False, images=images())
    assert "\n" not in str(e.value)
    model = T.build_model(cfg3)
    skipped = T.load_pretrained(model, tmp_path / "x2" / T.FINAL, strict=False)
    assert skipped and all(k.startswith("upsample.") for k in skipped)
    assert torch.equal(model.state_dict()["entry.weight"], x2["entry.weight"])


@pytest.mark.parametrize("scheme", list(T.INIT_SCHEMES))
def test_init_schemes_apply(scheme):
    torch.manual_seed(0)
    plain = nn.Sequential(nn.Conv2d(16, 32, 3), nn.Conv2d(32, 64, 1))
    wn = nn.utils.parametrizations.weight_norm(nn.Conv2d(32, 64, 3))
    frozen = nn.Conv2d(3, 3, 1)
    frozen.requires_grad_(False)
    model = nn.Sequential(plain, wn, frozen)
    before = {k: v.clone() for k, v in model.state_dict().items()}
    T.init_weights(model, scheme)
    for k in ("2.weight", "2.bias"):
        assert torch.equal(model.state_dict()[k], before[k])  # frozen convs untouched
    if scheme == "default":
        assert_same_state(model.state_dict(), before)
        return
    dist_name, k, factor = T.INIT_SCHEMES[scheme]
    for conv in (plain[0], plain[1], wn):
        w = conv.weight.detach()
        bound = factor * math.sqrt(k / w[0].numel())
        assert torch.all(conv.bias == 0)
        if dist_name == "uniform":
            assert w.abs().max() <= bound and w.abs().max() > 0.9 * bound
        else:
            assert abs(w.std().item() / bound - 1) < 0.1
    with pytest.raises(ValueError, match="valid"):
        T.init_weights(model, "xavier")


# ----------------------------------------------------------------------------------------------- CLI, cost model
def _write_pngs(folder: Path, n=3, size=(40, 48)):
    folder.mkdir(parents=True, exist_ok=True)
    for name, img in images(n, *size):
        Image.fromarray(img).save(folder / f"{name}.png")


def test_cli_trains_from_a_data_root(tmp_path, capsys):
    _write_pngs(tmp_path / "data" / "train" / "T91")
    argv = ["--model", "carn_m", "--model-kwargs", '{"n_feats": 8}', "--scale", "2", "--iterations", "2",
            "--lr-patch", "8", "--batch-size", "2", "--validate-every", "0", "--log-every", "1", "--no-progress",
            "--data", str(tmp_path / "data"), "--run-dir", str(tmp_path / "run")]
    assert T.main(argv) == 0
    assert "done: 2 iterations" in capsys.readouterr().out
    assert len((tmp_path / "run" / T.CURVE).read_text().splitlines()) == 3
    assert T.main(argv) == 1 and "--resume" in capsys.readouterr().err  # existing checkpoint, no --resume


def test_validation_on_set5_fills_the_learning_curve(tmp_path):
    _write_pngs(tmp_path / "data" / "benchmarks" / "Set5", n=2, size=(24, 36))
    cfg = tiny(iterations=4, validate_every=2, log_every=1, data_root=str(tmp_path / "data"), val_scales=(2, 3))
    result = T.train(cfg, tmp_path / "run", progress=False, images=images())
    curve = result.curve
    assert list(curve.step) == [1, 2, 3, 4] and {"psnr_x2", "ssim_x2", "psnr_x3", "ssim_x3"} <= set(curve.columns)
    assert curve.psnr_x2.notna().tolist() == [False, True, False, True] and (curve.psnr_x2.dropna() > 5).all()
    on_disk = __import__("pandas").read_csv(tmp_path / "run" / T.CURVE)
    assert on_disk.psnr_x3.dropna().tolist() == pytest.approx(curve.psnr_x3.dropna().tolist())


def test_estimate_seconds_times_steps_and_caches(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.setattr(T, "_STEP_SECONDS", {})
    cfg = tiny(iterations=1000)
    est = T.estimate_seconds(cfg, "cpu", steps=1)
    assert est > 0 and (tmp_path / "srrepro" / "train_step_seconds.json").exists()
    monkeypatch.setattr(T, "_measure_step_seconds", lambda *a: pytest.fail("not cached"))
    assert T.estimate_seconds(tiny(iterations=2000), "cpu") == pytest.approx(2 * est)
    monkeypatch.setattr(T, "_STEP_SECONDS", {})  # a new process: read back from disk
    assert T.estimate_seconds(cfg, "cpu") == pytest.approx(est)


# ----------------------------------------------------------------------------------------------- DDP
_DDP_SCRIPT = """
import sys, numpy as np, torch
sys.path.insert(0, {repo!r})
import srrepro.train as T
rng = np.random.default_rng(0)
imgs = [(f"im{{i}}", rng.integers(0, 256, (40, 48, 3), dtype=np.uint8)) for i in range(3)]
cfg = T.TrainConfig(**{cfg!r})
if {own_group!r}:  # the caller's process group: train() then uses DDP even with one process
    torch.distributed.init_process_group("nccl" if cfg.device == "cuda" else "gloo")
result = T.train(cfg, {run_dir!r}, progress=False, images=imgs)
torch.save(result.model.state_dict(), {out!r} + "/rank" + __import__("os").environ["RANK"] + ".pt")
if {own_group!r}:
    torch.distributed.destroy_process_group()
"""


def _ddp_config(**kw) -> dict:
    cfg = dict(model="carn_m", model_kwargs={"n_feats": 8}, scales=[2, 3], lr_patch=8, batch_size=4, iterations=3,
               log_every=1, validate_every=0, checkpoint_every=0, seed=1, lr=1e-3, grad_clip=1.0)
    cfg.update(kw)
    return cfg


def _run_script(tmp_path, cfg, nproc, own_group=False, timeout=120):
    script = tmp_path / "ddp_train.py"
    script.write_text(_DDP_SCRIPT.format(repo=str(REPO), cfg=cfg, run_dir=str(tmp_path / "run"), out=str(tmp_path),
                                         own_group=own_group))
    cmd = [sys.executable, "-m", "torch.distributed.run", "--standalone", f"--nproc-per-node={nproc}", str(script)]
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=env)
    assert proc.returncode == 0, proc.stderr[-3000:]


@pytest.mark.slow
def test_ddp_two_gloo_processes_agree_with_each_other_and_with_one_process(tmp_path):
    cfg = _ddp_config()
    _run_script(tmp_path, cfg, nproc=2)
    r0, r1 = (torch.load(tmp_path / f"rank{r}.pt", weights_only=True) for r in (0, 1))
    assert_same_state(r0, r1)
    curve = (tmp_path / "run" / T.CURVE).read_text().splitlines()
    assert len(curve) == 4  # rank 0 wrote a row per iteration
    # The 2 shards make up the single-process global batch, so the result matches up to float rounding.
    single = T.train(T.TrainConfig(**cfg), tmp_path / "single", progress=False, images=images())
    for k, v in single.model.state_dict().items():
        assert torch.allclose(v, r0[k], atol=1e-5, rtol=1e-4), k


# ----------------------------------------------------------------------------------------------- CUDA
@pytest.mark.cuda
@requires_cuda
@pytest.mark.parametrize("amp", ["bf16", "fp16", "none"])
def test_cuda_autocast_and_channels_last(tmp_path, amp):
    cfg = tiny(device="cuda", amp=amp, channels_last=True, iterations=4)
    result = T.train(cfg, tmp_path, progress=False, images=images())
    assert next(result.model.parameters()).is_cuda
    assert result.model.entry.weight.is_contiguous(memory_format=torch.channels_last)
    assert np.isfinite(result.curve["loss"]).all()
    ck = torch.load(tmp_path / T.CHECKPOINT, map_location="cpu", weights_only=True)
    assert ck["scaler"] == {} or ck["scaler"]["scale"] > 0  # fp16 keeps its GradScaler state


@pytest.mark.cuda
@requires_cuda
def test_cuda_one_gpu_ddp(tmp_path):
    _run_script(tmp_path, _ddp_config(device="cuda"), nproc=1, own_group=True)
    assert (tmp_path / "rank0.pt").exists() and (tmp_path / "run" / T.FINAL).exists()


def test_foreach_adam_and_clipping_equal_the_per_tensor_loop_bit_for_bit():
    """The loop's foreach Adam + clipping must not move a single bit against PyTorch's per-tensor CPU defaults (the
    committed lite results were trained with those): three real steps of a weight-normalised OverNet."""
    from srrepro.models import create_model

    torch.manual_seed(0)
    model = create_model("overnet", scale=2, n_feats=8, n_ldgs=1, n_rbs=1)
    lr, hr = torch.rand(2, 3, 8, 8), torch.rand(2, 3, 16, 16)
    cfg = T.TrainConfig(model="overnet", lr=5e-3)
    final = []
    for foreach in (False, True):
        m = create_model("overnet", scale=2, n_feats=8, n_ldgs=1, n_rbs=1)
        m.load_state_dict(model.state_dict())
        params = [p for p in m.parameters() if p.requires_grad]
        if foreach:
            opt = T.adam(params, cfg.lr, cfg.betas, cfg.eps)
        else:
            opt = torch.optim.Adam(params, lr=cfg.lr, betas=cfg.betas, eps=cfg.eps, foreach=False)
        for _ in range(3):
            opt.zero_grad(set_to_none=True)
            nn.functional.l1_loss(m(lr, 2), hr).backward()
            if foreach:  # a small norm: clipping is active on every step
                T.clip_grad_norm(params, 1e-3)
            else:
                nn.utils.clip_grad_norm_(params, 1e-3, foreach=False)
            opt.step()
        final.append(m.state_dict())
    assert all(torch.equal(final[0][k], final[1][k]) for k in final[0])
    assert not torch.equal(final[0]["head.weight_v"], model.state_dict()["head.weight_v"])  # it did train


def test_vgg16_stand_in_loads_the_mirror_strictly(data_root, tmp_path):
    """The VGG-16 stand-in: every conv of features[:29] (conv5_3, before its ReLU) from the mirror's float16 npz,
    loaded as float32, values equal; a file with other bytes is refused by its sha256."""
    import numpy as np

    loss = VGGLoss(data_root=data_root, term="vgg16")
    convs = [m for m in loss.features if isinstance(m, nn.Conv2d)]
    assert len(loss.features) == 29 and len(convs) == 13 and isinstance(loss.features[28], nn.Conv2d)
    with np.load(data_root / "weights/imagenet/vgg16_features_fp16.npz") as z:
        assert torch.equal(loss.features[28].weight, torch.from_numpy(z["features.28.weight"].astype(np.float32)))
    fake = tmp_path / "weights/imagenet/vgg16_features_fp16.npz"
    fake.parent.mkdir(parents=True)
    np.savez(fake, **{"features.0.weight": np.zeros((64, 3, 3, 3), np.float16)})
    with pytest.raises(MissingWeightsError, match="sha256"):
        VGGLoss(data_root=tmp_path, term="vgg16")
    with pytest.raises(MissingWeightsError, match="vgg16-397923af.pth"):
        VGGLoss(data_root=tmp_path / "empty", term="vgg16")
    x = torch.rand(1, 3, 32, 32, requires_grad=True)
    loss(x, torch.rand(1, 3, 32, 32)).backward()
    assert x.grad.abs().sum() > 0 and loss.features[0].weight.grad is None


def test_vgg_downloads_land_where_the_loss_looks(tmp_path, monkeypatch):
    """`srrepro download vgg19|vgg16` writes the file the loss reads, and refuses bytes whose sha256 is not the
    file's (torchvision publishes the first 8 hex digits)."""
    from srrepro import data, losses

    url19, _, rel19 = data.TORCHVISION_FILES["vgg19"]
    url16, _, rel16 = data.TORCHVISION_FILES["vgg16"]
    assert (url19, rel19) == (losses.VGG19_URL, f"weights/{losses.VGG19_FILE}")
    assert (url16, rel16) == (losses.VGG16_URL, losses.VGG16_FILES[1])

    def fake_fetch(url, dest, **kw):
        dest.write_bytes(b"not torchvision's file")
        return dest

    monkeypatch.setattr(data, "fetch", fake_fetch)
    with pytest.raises(data.ChecksumError, match="dcbb9e9d"):
        data.download("vgg19", tmp_path, progress=False)
    assert not (tmp_path / rel19).exists()  # nothing written


def test_gan_bce_is_pytorchs_bceloss_and_stays_finite_where_the_probability_underflows():
    from srrepro.losses import bce

    for real in (True, False):
        p = torch.tensor([0.3, 1e-40, 1 - 1e-7, 1e-20], requires_grad=True)  # 1e-40: a float32 subnormal
        q = p.detach().clone().requires_grad_(True)
        ours = bce(p, real)
        ref = nn.BCELoss()(q, torch.full_like(q, float(real)))
        ours.backward()
        ref.backward()
        assert torch.equal(ours, ref) and torch.equal(p.grad, q.grad) and torch.isfinite(p.grad).all()
    with torch.autocast("cpu", dtype=torch.bfloat16):  # safe under autocast
        assert torch.isfinite(bce(torch.tensor([0.5, 1e-30]), True))
