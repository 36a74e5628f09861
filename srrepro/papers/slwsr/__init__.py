"""s-LWSR (Li et al.): a lightweight SR network with symmetric skips, information pools and activation removal."""
from .. import BENCHMARKS, same, trained

NAME = "s-LWSR"
TITLE = "s-LWSR (Li et al.)"
ORDER = 5
TABLES = ("slwsr_f1", "slwsr_t1", "slwsr_t2", "slwsr_f5", "slwsr_f6", "slwsr_t3", "slwsr_f7", "slwsr_released")
NEEDS = {
    "slwsr_f6": trained(["Set5", "Set14", "B100", "Urban100"], BENCHMARKS),
    "slwsr_t1": trained(["Set5"], ["Set5"]),
    "slwsr_t2": {p: needs | {"carn_m.pth"} for p, needs in trained(BENCHMARKS, BENCHMARKS).items()},
    "slwsr_t3": trained(BENCHMARKS, BENCHMARKS),
    "slwsr_f5": trained(["Set14"], ["Set14"]),
    "slwsr_f1": {p: needs | {"carn_m.pth"} for p, needs in trained(["Urban100"], ["Urban100"]).items()},
    "slwsr_released": {p: needs | {"slwsr32_x4_epoch1.pt"} for p, needs in trained(BENCHMARKS, BENCHMARKS).items()},
    "slwsr_f7": same(["Urban100", "slwsr32_x4_epoch1.pt"]),  # inference only: the released checkpoint and bicubic
}
OPTIONAL = {
    "slwsr_f7": same(["carn.pth", "edsr_x4-4f62e9ef.pt"]),  # two of Figure 7's compared methods
}

# the model family this chapter trains: the Recipe fields at the paper profile (srrepro.recipes), with their source
RECIPES = {
    "slwsr": dict(train_dataset="DIV2K_train", lr_patch=48, batch_size=16, iterations=1_000_000, lr=1e-4,
                  lr_halve_every=200_000,
                  source="s-LWSR §IV-A: LR patch 48, Adam lr 1e-4 halved every 200 epochs; released option.py / "
                         "Train.sh: batch 16, 1000 epochs of 1000 iterations"),
}
SIZES = {"slwsr": {"smoke": dict(n_feats=4, n_stages=1, bottom_blocks=1), "lite": {}, "paper": {}}}  # lite: paper size

# Fig. 5's s-LWSR32C as keyword arguments of srrepro.models.slwsr.slwsr (the model's reading 4: every block
# MobileNetV2's t = 1 inverted residual, bias-free)
S_LWSR32C = dict(n_feats=32, compressed=True, expansion=1, compressed_bias=False)
