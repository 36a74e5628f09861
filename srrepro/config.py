"""What a training run is: :class:`TrainConfig`, plain data (no torch), so that specs, plans and hashes are built
without loading the training engine (:mod:`srrepro.train` runs one)."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

AMP = ("bf16", "fp16", "none")  # autocast dtypes on CUDA (srrepro.train.AMP_DTYPES maps them to torch's)
LOSS_TERMS = ("l1", "l2", "ms_l1", "vgg", "vgg16", "gan")  # srrepro.losses implements each
VGG_TERMS = {"vgg": ("vgg19", 34), "vgg16": ("vgg16", 28)}  # loss term → (network, last features index)


def parse_loss(spec: str) -> dict[str, float]:
    """``"1*vgg+5e-3*gan"`` → ``{"vgg": 1.0, "gan": 0.005}``; a bare term has weight 1."""
    terms: dict[str, float] = {}
    for part in spec.replace(" ", "").split("+"):
        m = re.fullmatch(r"(?:([0-9.eE+-]+)\*)?([a-z_0-9]+)", part)
        if not m or m.group(2) not in LOSS_TERMS:
            raise ValueError(f"bad loss spec {spec!r}: terms are {', '.join(LOSS_TERMS)}, optionally weighted as 0.1*l1")
        terms[m.group(2)] = float(m.group(1)) if m.group(1) else 1.0
    return terms

# PCARN Table 3 rows, top to bottom: (distribution, k, factor): factor × N(0, sqrt(k/F)) or factor × U(±sqrt(k/F)),
# F = fan-in; biases zeroed as in the official init.py. "uniform1_x1" is the paper's pick (= PyTorch's default
# weight range, but zero biases); "normal2_x1" is MSRA/He. "default" leaves the framework's initialization alone.
INIT_SCHEMES = {
    "default": None,
    "normal2_x0.1": ("normal", 2, 0.1),
    "uniform6_x0.1": ("uniform", 6, 0.1),
    "uniform1_x0.1": ("uniform", 1, 0.1),
    "normal2_x1": ("normal", 2, 1.0),
    "uniform6_x1": ("uniform", 6, 1.0),
    "uniform1_x1": ("uniform", 1, 1.0),
}
# Fields that may differ between a checkpoint and the config resuming it (they do not change the trajectory).
RESUMABLE_CHANGES = {"iterations", "log_every", "validate_every", "checkpoint_every", "snapshots", "device", "amp",
                     "channels_last", "compile", "num_workers", "data_root"}


@dataclass
class TrainConfig:
    model: str = "carn_m"
    model_kwargs: dict = field(default_factory=dict)  # passed to create_model (see build_model for `scale`)
    scales: tuple = (2,)  # training scales, one drawn per batch: ints, or floats for arbitrary-scale models
    scale_range: tuple | None = None  # (lo, hi): draw a float scale uniformly per batch instead (OverNet, ASDN)
    train_dataset: str = "T91"  # "T91" (lite runs) or "DIV2K_train" (the papers)
    degradation: str = "BI"  # BI, BD or DN (srrepro.degrade.degrade)
    lr_patch: int = 48  # LR patch side; the HR patch is lr_patch × scale
    batch_size: int = 16  # global batch, split over DDP processes
    iterations: int = 1000
    lr: float = 1e-4
    betas: tuple = (0.9, 0.999)
    eps: float = 1e-8
    lr_milestones: tuple = ()  # the lr halves at each of these iterations ...
    lr_halve_every: int = 0  # ... and every this many iterations (0: never)
    grad_clip: float | None = None  # max global grad norm (PCARN official: 10)
    loss: str = "l1"  # see srrepro.losses: "l1", "l2", "ms_l1", "1*vgg+5e-3*gan", ...
    ms_scales: tuple = (2, 3, 4)  # loss scales of "ms_l1" (OverNet Eq. 9)
    gan_scales: int = 1  # discriminators for "gan": 1 (single) or 3 (PCARN multi-scale, Eq. 6)
    discriminator: str = "pcarn_discriminator"  # registry name; called with n_scales=gan_scales
    discriminator_kwargs: dict = field(default_factory=dict)
    init: str = "default"  # a key of INIT_SCHEMES
    pretrained: str | None = None  # start from these weights (state_dict or a checkpoint.pt), e.g. PCARN stage 2
    pretrained_strict: bool = True  # False: skip missing / shape-mismatched keys (EDSR x3/x4 from x2)
    seed: int = 0
    log_every: int = 100  # one learning-curve row of mean training loss every this many iterations
    validate_every: int = 1000  # 0: never validate
    val_dataset: str = "Set5"
    val_scales: tuple = ()  # default: the training scales (integers 2-4 inside scale_range)
    checkpoint_every: int = 1000
    snapshots: tuple = ()  # fractions of `iterations` whose weights are also kept, as model_<step>.pt
    data_root: str | None = None
    device: str = "auto"  # auto: CUDA, then MPS, then CPU
    amp: str = "bf16"  # autocast dtype on CUDA: bf16, fp16 or none (CPU/MPS always run fp32)
    # memory format: "auto" = channels_last on CUDA only (the default); True = also on CPU (opt-in: 1 thread, 64
    # features: OverNet 1.1x faster, EDSR-baseline 0.94-1.0x); False = never. CPU results are bit-identical per
    # memory format and thread count only (channels_last vs contiguous: ~1e-7 apart after a few steps).
    channels_last: bool | str = "auto"
    compile: bool = False
    # DataLoader worker processes making the batches while the model computes: "auto" = loader_workers() (on CUDA
    # min(16, cores per GPU - 1); 0 on CPU/MPS, where the cores are the model's); an int: exactly that many.
    num_workers: int | str = "auto"

    def __post_init__(self):
        for name in ("scales", "scale_range", "betas", "lr_milestones", "ms_scales", "val_scales", "snapshots"):
            value = getattr(self, name)
            if value is not None and not isinstance(value, tuple):
                setattr(self, name, tuple(value) if isinstance(value, (list, tuple)) else (value,))
        self.scales = tuple(int(s) if float(s) == int(s) else float(s) for s in self.scales)
        if not isinstance(self.channels_last, str) and self.channels_last in (0, 1):
            self.channels_last = bool(self.channels_last)
        from .degrade import DEGRADATIONS

        checks = [
            (self.degradation in DEGRADATIONS, f"degradation must be one of {DEGRADATIONS}, not {self.degradation!r}"),
            (self.amp in AMP, f"amp must be one of {AMP}, not {self.amp!r}"),
            (self.channels_last in (True, False, "auto"), f"channels_last must be True, False or 'auto', not "
                                                             f"{self.channels_last!r}"),
            (self.init in INIT_SCHEMES, f"init must be one of {tuple(INIT_SCHEMES)}, not {self.init!r}"),
            (self.scale_range is None or len(self.scale_range) == 2, "scale_range must be (lo, hi)"),
            (self.gan_scales >= 1, "gan_scales must be >= 1"),
            (self.num_workers == "auto" or (isinstance(self.num_workers, int) and self.num_workers >= 0),
             f"num_workers must be 'auto' or an int >= 0, not {self.num_workers!r}"),
            (self.iterations >= 0 and self.batch_size >= 1 and self.lr_patch >= 1, "bad iterations/batch/patch"),
        ]
        for ok, msg in checks:
            if not ok:
                raise ValueError(msg)
        parse_loss(self.loss)  # raises on a bad spec

    def uses_channels_last(self, device) -> bool:
        """Whether training on ``device`` runs channels_last: "auto" on CUDA only, True everywhere."""
        kind = device if isinstance(device, str) else getattr(device, "type", str(device))
        return self.channels_last is True or (self.channels_last == "auto" and kind.split(":")[0] == "cuda")

    def snapshot_steps(self) -> dict[int, float]:
        """Iteration → fraction, for the kept snapshots (the end of training is model.pt)."""
        return {max(1, round(f * self.iterations)): f for f in self.snapshots if 0 < f < 1}

    def validation_scales(self) -> tuple:
        if self.val_scales:
            return self.val_scales
        if self.scale_range:
            lo, hi = self.scale_range
            return tuple(s for s in (2, 3, 4) if lo <= s <= hi) or (hi,)
        return self.scales


