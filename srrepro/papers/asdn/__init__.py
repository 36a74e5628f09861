"""ASDN (Shen, Wang & Zhang), read from the course slides: any-scale SR with a Laplacian frequency representation."""
from .. import BENCHMARKS, same, trained

NAME = "ASDN"
TITLE = "ASDN (Shen et al.)"
ORDER = 4
TABLES = ("asdn_lfr", "asdn_t3", "asdn_nr", "asdn_readings", "asdn_t1", "asdn_t2", "asdn_f4", "asdn_visual",
          "asdn_attention", "asdn_f9")
NEEDS = {
    "asdn_lfr": trained(["Set5"], ["Set5"]),
    "asdn_t3": trained(["Set5"], ["Set5"]),
    "asdn_nr": trained(["Set5"], ["Set5"]),
    "asdn_t1": trained(["Set5", "B100"], BENCHMARKS),
    "asdn_t2": trained(["B100"], ["B100"]),
    "asdn_f4": trained(["Set5"], ["Set5"]),
    "asdn_attention": trained(["Set5"], ["Set5"]),
    "asdn_f9": trained(["Set14"], ["Set14"]),
    "asdn_visual": trained(["Urban100"], ["Urban100"]),
    "asdn_readings": trained(["Set5"], ["Set5"]),
}
OPTIONAL = {
    "asdn_t1": same(["Manga109"]),
}

# the model families this chapter trains: the Recipe fields at the paper profile (srrepro.recipes), with their source
RECIPES = {
    "asdn": dict(train_dataset="DIV2K_train", lr_patch=48, batch_size=16, iterations=1_000_000, lr=1e-3,
                 lr_halve_every=200_000,
                 source="ASDN slides, 'Training': batch 16, 48×48 LR patches, Adam 'default parameters' (lr 1e-3), "
                        "halved every 2×10⁵ of 10⁶ updates, L1; DIV2K (+ Flickr2K, not in the mirror)"),
}
SIZES = {
    # lite: the slides' own course-project size (8 DABs, 4 IDB convs, 32 features), which the slides trained
    "asdn": {"smoke": dict(size="project", n_dab=1, n_idb_convs=1, n_feats=8), "lite": dict(size="project"),
             "paper": dict(size="paper")},
    # the comparison networks (VDSR-/EDSR-/RDN-Conv, -100; srrepro/models/asdn_conv.py, reading 3): lite at ASDN's
    # project width (32 features); FSDN takes SIZES["asdn"] (it is ASDN's structure)
    "asdn_conv": {"smoke": dict(size="project", n_blocks=2, n_feats=8), "lite": dict(size="project"),
                  "paper": dict(size="paper")},
}
