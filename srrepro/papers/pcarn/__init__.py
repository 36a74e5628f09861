"""PCARN (Ahn et al.): CARN-M trained with a perceptual and GAN loss, its initialization and recursion studies."""
from .. import BENCHMARKS, same, trained

NAME = "PCARN"
TITLE = "PCARN (Ahn et al.)"
ORDER = 2
TABLES = ("pcarn_f5", "pcarn_t1", "pcarn_t2", "pcarn_t3", "pcarn_f6", "pcarn_f7", "pcarn_f8", "pcarn_t4",
          "pcarn_t5", "pcarn_t6", "pcarn_f12", "pcarn_f9", "pcarn_f10", "pcarn_f11", "pcarn_f13")
# the VGG network of Eq. 7's perceptual loss (pcarn_t2's GAN stage) at each profile: the paper's VGG-19, a labelled
# VGG-16 stand-in below it (the data mirror has no VGG-19); pcarn_t2's grid and its needs read it
GAN_VGG = {"smoke": "vgg16", "lite": "vgg16", "paper": "vgg19"}
NEEDS = {
    "pcarn_t1": trained(["Set14"], ["Set14"]),
    "pcarn_t2": {p: needs | {"lpips", GAN_VGG[p]}
                 for p, needs in trained(["Set14"], ["Set14"]).items()},  # + the VGG loss of the GAN stage
    "pcarn_t3": trained(["Set14"], ["Set14"]),
    "pcarn_f8": trained(["Set14"], ["Set14"]),
    # the released PCARN-M checkpoints scored with LPIPS and NIQE (PCARN's own weights: optional, never released)
    "pcarn_t4": {"smoke": {"Set5", "pcarn_m.pth", "pcarn_m_l1.pth", "lpips", "niqe"},
                 "lite": {*BENCHMARKS, "pcarn_m.pth", "pcarn_m_l1.pth", "lpips", "niqe"},
                 "paper": {*BENCHMARKS, "pcarn_m.pth", "pcarn_m_l1.pth", "lpips", "niqe"}},
    "pcarn_t5": same(()),  # Ma / PI / NIMA cannot be computed: every row says why
    "pcarn_t6": {"smoke": {"Set5", "pcarn_m.pth", "lpips", "niqe"}, "lite": {*BENCHMARKS, "pcarn_m.pth", "lpips", "niqe"},
                 "paper": {*BENCHMARKS, "pcarn_m.pth", "lpips", "niqe"}},
    "pcarn_f5": same(["Set14", "B100", "pcarn_m.pth", "pcarn_m_l1.pth", "lpips"]),
    "pcarn_f6": same(["Set5"]),  # activations of initialized models on Set5 LR inputs
    "pcarn_f7": same(()),  # parameter draws, nothing read
    "pcarn_f12": same(["Set14", "pcarn_m.pth", "pcarn_m_l1.pth", "lpips", "niqe"]),
    # Figures 9–11: the released checkpoints on the figures' images (Figure 10's Manga109: optional, every row "not run")
    "pcarn_f9": same(["B100", "Urban100", "pcarn_m.pth", "pcarn_m_l1.pth", "lpips"]),
    "pcarn_f10": same(()),
    "pcarn_f11": same(["Urban100", "pcarn_m.pth", "pcarn_m_l1.pth", "lpips"]),
    "pcarn_f13": same(()),  # timing of models built in memory (+ the Set14 LPIPS cell when cached or computable)
}
OPTIONAL = {
    "pcarn_t4": same(["pcarn.pth", "pcarn_l1.pth"]),
    "pcarn_t6": same(["pcarn.pth"]),
    "pcarn_f10": same(["Manga109"]),
    "pcarn_f13": {"lite": {"Set14", "pcarn_m.pth", "lpips", "niqe"}, "paper": {"Set14", "pcarn_m.pth", "lpips", "niqe"}},
}

# the model families this chapter trains: the Recipe fields at the paper profile (srrepro.recipes), with their source
RECIPES = {
    "carn": dict(train_dataset="DIV2K_train", lr_patch=64, batch_size=64, iterations=600_000, lr=1e-4,
                 lr_milestones=(400_000,), grad_clip=10.0,
                 source="CARN official README (survey §2): LR patch 64, batch 64, lr 1e-4 halved at 400K, 600K, "
                        "clip 10"),
    "pcarn": dict(train_dataset="DIV2K_train", lr_patch=48, batch_size=64, iterations=600_000, lr=1e-4,
                  lr_milestones=(400_000,), grad_clip=10.0,
                  source="PCARN §3.5: LR patch 48, batch 64, Adam lr 1e-4 halved every 4×10⁵ of 6×10⁵ steps; "
                         "released code (survey §3): the same, grad clip 10"),
    # the second stage: "fine-tune the pretrained network for 2×10⁵ steps with the same settings but using GAN
    # loss" (§3.5). The released solver_gan.py defaults to batch 32; the paper's "same settings" is 64.
    "pcarn_gan": dict(train_dataset="DIV2K_train", lr_patch=48, batch_size=64, iterations=200_000, lr=1e-4,
                      grad_clip=10.0,
                      source="PCARN §3.5: GAN fine-tuning of the L1 model for 2×10⁵ steps, the same settings (LR "
                             "patch 48, batch 64, Adam lr 1e-4: its halving at 4×10⁵ is never reached), clip 10 as "
                             "the released code"),
}
SIZES = {
    "carn": {"smoke": dict(n_feats=8), "lite": dict(n_feats=32), "paper": {}},
    "pcarn": {"smoke": dict(n_feats=8), "lite": dict(n_feats=32), "paper": {}},
}
SIZES["pcarn_gan"] = SIZES["pcarn"]

# Table 1 (model design ablation, ×4 single-scale models): each row as switches of srrepro.models.carn.pcarn
# (its printed parameter counts are values/pcarn_t1.csv)
PCARN_TABLE1: dict[str, dict] = {
    "Baseline": dict(local_cascade=False, global_cascade=False, global_residual=False),
    "+ Local": dict(local_cascade=True, global_cascade=False, global_residual=False),
    "+ Global": dict(local_cascade=False, global_cascade=True, global_residual=False),
    "+ L/G": dict(local_cascade=True, global_cascade=True, global_residual=False),
    "+ Residual": dict(local_cascade=True, global_cascade=True, global_residual=True),
}
