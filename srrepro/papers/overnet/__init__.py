"""OverNet (Behjati et al., WACV 2021): a lightweight multi-scale network with an overscaling module (OSM)."""
from .. import BENCHMARKS, same, trained

NAME = "OverNet"
TITLE = "OverNet (Behjati et al., WACV 2021)"
ORDER = 1
TABLES = ("overnet_loss", "overnet_t1", "overnet_t2", "overnet_t3", "overnet_t4", "overnet_t5", "overnet_t6",
          "overnet_t7", "overnet_f2", "overnet_f3", "overnet_f4", "overnet_t8")
NEEDS = {
    "overnet_loss": trained(["Set5"], BENCHMARKS),
    "overnet_t1": trained(["Urban100"], ["Urban100"]),
    "overnet_t2": trained(["B100"], ["B100"]),
    "overnet_t3": trained(["Set5"], ["Set5", "Set14", "Urban100"]),
    "overnet_t4": trained(["Set5"], ["Set5"]),
    "overnet_t5": trained(["Set5"], ["Set5", "B100", "Urban100"]),
    "overnet_t6": trained(["Set5"], BENCHMARKS),
    "overnet_t7": trained(["Set5"], BENCHMARKS),
    "overnet_t8": same(["Urban100"]),  # timing of randomly initialised models on Urban100 ×4 inputs
    "overnet_f2": trained(["Urban100"], ["Urban100"]),  # Figure 2's two Urban100 ×4 images (+ CARN-M, optional)
    "overnet_f3": trained(["Urban100", "B100"], ["Urban100", "B100"]),  # Figure 3: one image of each, BD and DN
    "overnet_f4": same(()),  # exact counts + overnet_t6's committed B100 ×4 PSNR
}
OPTIONAL = {
    "overnet_t6": same(["carn.pth", "carn_m.pth"]),
    "overnet_f2": same(["carn_m.pth"]),
}

# the model families this chapter trains: the Recipe fields at the paper profile (srrepro.recipes), with their source
# (RDN, RCAN and Meta-SR are OverNet's comparison networks, trained by its Tables 2 and 7)
RECIPES = {
    "overnet": dict(train_dataset="DIV2K_train", lr_patch=64, batch_size=64, iterations=600_000, lr=1e-3,
                    lr_halve_every=200_000, grad_clip=10.0,
                    source="OverNet §4: LR patch 64, batch 64, Adam lr 1e-3 halved every 2e5; released code: "
                           "600K iterations, grad clip 10"),
    "rdn": dict(train_dataset="DIV2K_train", lr_patch=32, batch_size=16, iterations=1_000_000, lr=1e-4,
                lr_halve_every=200_000,
                source="RDN paper (not among this study's sources): LR patch 32, batch 16, lr 1e-4 halved every "
                       "200 epochs of 1000 iterations, 1000 epochs"),
    "rcan": dict(train_dataset="DIV2K_train", lr_patch=48, batch_size=16, iterations=1_000_000, lr=1e-4,
                 lr_halve_every=200_000,
                 source="RCAN paper (not among this study's sources): LR patch 48, batch 16, lr 1e-4 halved every "
                        "2e5; 1e6 iterations assumed"),
    "meta_rdn": dict(train_dataset="DIV2K_train", lr_patch=50, batch_size=16, iterations=1_000_000, lr=1e-4,
                     lr_halve_every=200_000,
                     source="Meta-SR (not among this study's sources; scales 1.1–4.0 step 0.1 confirmed by the ASDN "
                            "slides): LR patch 50, batch 16, lr 1e-4 halved every 200 epochs, 1000 epochs"),
}
RECIPES["rdn_osm"] = RECIPES["meta_rdn"]
# keyword arguments added to every model of a family at a profile (None: not trained there; paper: the published size)
SIZES = {
    "overnet": {"smoke": dict(n_feats=8, n_ldgs=2, n_rbs=2, expand=2), "lite": dict(n_feats=32), "paper": {}},
    "rdn": {"smoke": dict(n_feats=8, growth=4, n_blocks=1, n_layers=2), "lite": None, "paper": {}},
    "rcan": {"smoke": dict(n_feats=8, n_resgroups=1, n_resblocks=1, reduction=4), "lite": None, "paper": {}},
    "meta_rdn": {"smoke": dict(n_feats=8, growth=4, n_blocks=1, n_layers=2, meta_hidden=8), "lite": None,
                 "paper": {}},
}
SIZES["rdn_osm"] = SIZES["rdn"]
