"""EDSR / MDSR (Lim et al., CVPRW 2017), read from the authors' slides."""
from .. import BENCHMARKS, same, trained

NAME = "EDSR"
TITLE = "EDSR / MDSR (Lim et al., CVPRW 2017)"
ORDER = 3
TABLES = ("edsr_bn", "edsr_width_depth", "edsr_resscale", "edsr_loss", "edsr_ensemble", "edsr_transfer",
          "edsr_mdsr", "edsr_benchmark", "edsr_qualitative", "edsr_extreme")
NEEDS = {
    "edsr_bn": trained(["Set5", "Set14"], ["Set5", "Set14"]),  # + memory counted without data
    "edsr_ensemble": {p: needs | {"carn_m.pth", "pcarn_m.pth", "pcarn_m_l1.pth"}
                      for p, needs in trained(BENCHMARKS, BENCHMARKS).items()},
    "edsr_benchmark": {"smoke": {"Set5"}, "lite": set(BENCHMARKS), "paper": set(BENCHMARKS)},
    "edsr_qualitative": same(["Urban100"]),
    "edsr_loss": trained(BENCHMARKS, BENCHMARKS),
    "edsr_width_depth": trained(BENCHMARKS, BENCHMARKS),
    "edsr_mdsr": trained(["Set5", "Set14"], ["Set5", "Set14"]),
    "edsr_transfer": trained(["Set5", "Set14"], ["Set5", "Set14"]),
    "edsr_resscale": trained(["Set5"], ["Set5"]),
    "edsr_extreme": trained(["Urban100"], ["Urban100"]),  # the ×2 / ×4 baselines, cascaded on Urban100
}
OPTIONAL = {
    "edsr_benchmark": {"lite": {"DIV2K_valid", "edsr_x2-0edfb8a3.pt", "mdsr-4a78bedf.pt"},
                       "paper": {"DIV2K_valid", "edsr_x2-0edfb8a3.pt", "mdsr-4a78bedf.pt"}},
    "edsr_qualitative": same(["DIV2K_valid"]),
    "edsr_extreme": same(["edsr_x2-0edfb8a3.pt", "edsr_x4-4f62e9ef.pt"]),  # the released EDSR's cascade
}

# the model family this chapter trains: the Recipe fields at the paper profile (srrepro.recipes), with their source
RECIPES = {
    "edsr": dict(train_dataset="DIV2K_train", lr_patch=48, batch_size=16, iterations=600_000, lr=1e-4,
                 lr_halve_every=200_000,
                 source="EDSR slides: LR patch 48, batch 16, lr 1e-4 halved every 2e5, 6e5 iterations"),
}
SIZES = {
    "edsr": {"smoke": dict(n_resblocks=1, n_feats=8, res_scale=1.0),
             "lite": dict(n_resblocks=8, n_feats=32, res_scale=1.0), "paper": {}},
}
