"""How a model family is trained at each profile: the TrainConfig fields that are not the model or its scales.

* ``smoke``: 2 iterations on 4 T91 images (plumbing only).
* ``lite``: T91, LR patch 16, batch 16, ``LITE_ITERATIONS`` iterations, the family's lr halved once at 75 %.
* ``paper``: each family's own published recipe (``PAPER_RECIPES``, with its source).
``SIZES`` narrows every model of a family per profile (paper: the published size).
"""
from __future__ import annotations

from dataclasses import dataclass

LITE_ITERATIONS = 500


@dataclass(frozen=True)
class Recipe:
    train_dataset: str
    lr_patch: int
    batch_size: int
    iterations: int
    lr: float
    lr_milestones: tuple = ()
    lr_halve_every: int = 0
    grad_clip: float | None = None
    n_images: int | None = None  # train on the first N images only (smoke)
    source: str = ""


def lite_recipe(lr: float = 1e-3, iterations: int = LITE_ITERATIONS) -> Recipe:
    return Recipe("T91", 16, 16, iterations, lr, (int(0.75 * iterations),),
                  source="lite: T91, LR patch 16, batch 16, lr halved once at 75 %")


SMOKE_RECIPE = Recipe("T91", 8, 2, 2, 1e-3, n_images=4, source="smoke: 2 iterations on 4 T91 images")
PAPER_RECIPES = {
    "overnet": Recipe("DIV2K_train", 64, 64, 600_000, 1e-3, lr_halve_every=200_000, grad_clip=10.0,
                      source="OverNet §4: LR patch 64, batch 64, Adam lr 1e-3 halved every 2e5; released code: "
                             "600K iterations, grad clip 10"),
    "carn": Recipe("DIV2K_train", 64, 64, 600_000, 1e-4, lr_milestones=(400_000,), grad_clip=10.0,
                   source="CARN official README (survey §2): LR patch 64, batch 64, lr 1e-4 halved at 400K, 600K, "
                          "clip 10"),
    "pcarn": Recipe("DIV2K_train", 48, 64, 600_000, 1e-4, lr_milestones=(400_000,), grad_clip=10.0,
                    source="PCARN §3.5: LR patch 48, batch 64, Adam lr 1e-4 halved every 4×10⁵ of 6×10⁵ steps; "
                           "released code (survey §3): the same, grad clip 10"),
    "edsr": Recipe("DIV2K_train", 48, 16, 600_000, 1e-4, lr_halve_every=200_000,
                   source="EDSR slides: LR patch 48, batch 16, lr 1e-4 halved every 2e5, 6e5 iterations"),
    "rdn": Recipe("DIV2K_train", 32, 16, 1_000_000, 1e-4, lr_halve_every=200_000,
                  source="RDN paper (not among this study's sources): LR patch 32, batch 16, lr 1e-4 halved every "
                         "200 epochs of 1000 iterations, 1000 epochs"),
    "rcan": Recipe("DIV2K_train", 48, 16, 1_000_000, 1e-4, lr_halve_every=200_000,
                   source="RCAN paper (not among this study's sources): LR patch 48, batch 16, lr 1e-4 halved every "
                          "2e5; 1e6 iterations assumed"),
    "meta_rdn": Recipe("DIV2K_train", 50, 16, 1_000_000, 1e-4, lr_halve_every=200_000,
                       source="Meta-SR (not among this study's sources; scales 1.1–4.0 step 0.1 confirmed by the ASDN "
                              "slides): LR patch 50, batch 16, lr 1e-4 halved every 200 epochs, 1000 epochs"),
}
PAPER_RECIPES["rdn_osm"] = PAPER_RECIPES["meta_rdn"]
# PCARN's second stage: "fine-tune the pretrained network for 2×10⁵ steps with the same settings but using GAN
# loss" (§3.5). The released solver_gan.py defaults to batch 32; the paper's "same settings" is 64.
PAPER_RECIPES["pcarn_gan"] = Recipe("DIV2K_train", 48, 64, 200_000, 1e-4, grad_clip=10.0,
                                    source="PCARN §3.5: GAN fine-tuning of the L1 model for 2×10⁵ steps, the same "
                                           "settings (LR patch 48, batch 64, Adam lr 1e-4: its halving at 4×10⁵ is "
                                           "never reached), clip 10 as the released code")
PAPER_RECIPES["slwsr"] = Recipe("DIV2K_train", 48, 16, 1_000_000, 1e-4, lr_halve_every=200_000,
                                source="s-LWSR §IV-A: LR patch 48, Adam lr 1e-4 halved every 200 epochs; released "
                                       "option.py / Train.sh: batch 16, 1000 epochs of 1000 iterations")
PAPER_RECIPES["asdn"] = Recipe("DIV2K_train", 48, 16, 1_000_000, 1e-3, lr_halve_every=200_000,
                               source="ASDN slides, 'Training': batch 16, 48×48 LR patches, Adam 'default parameters' "
                                      "(lr 1e-3), halved every 2×10⁵ of 10⁶ updates, L1; DIV2K (+ Flickr2K, not in "
                                      "the mirror)")
GAN_STAGE_FRACTION = 200_000 / 600_000  # PCARN: GAN steps per L1 step (§3.5); lite and smoke keep the ratio

# Keyword arguments added to every model of a family at a profile (None: the family is not trained there).
SIZES = {
    "overnet": {"smoke": dict(n_feats=8, n_ldgs=2, n_rbs=2, expand=2), "lite": dict(n_feats=32), "paper": {}},
    "carn": {"smoke": dict(n_feats=8), "lite": dict(n_feats=32), "paper": {}},
    "pcarn": {"smoke": dict(n_feats=8), "lite": dict(n_feats=32), "paper": {}},
    "edsr": {"smoke": dict(n_resblocks=1, n_feats=8, res_scale=1.0),
             "lite": dict(n_resblocks=8, n_feats=32, res_scale=1.0), "paper": {}},
    "rdn": {"smoke": dict(n_feats=8, growth=4, n_blocks=1, n_layers=2), "lite": None, "paper": {}},
    "rcan": {"smoke": dict(n_feats=8, n_resgroups=1, n_resblocks=1, reduction=4), "lite": None, "paper": {}},
    "meta_rdn": {"smoke": dict(n_feats=8, growth=4, n_blocks=1, n_layers=2, meta_hidden=8), "lite": None,
                 "paper": {}},
}
SIZES["rdn_osm"] = SIZES["rdn"]
SIZES["pcarn_gan"] = SIZES["pcarn"]
# ASDN lite: the slides' own course-project size (8 DABs, 4 IDB convs, 32 features), which the slides trained
SIZES["asdn"] = {"smoke": dict(size="project", n_dab=1, n_idb_convs=1, n_feats=8), "lite": dict(size="project"),
                 "paper": dict(size="paper")}
# The ASDN slides' comparison networks (VDSR-/EDSR-/RDN-Conv, -100; srrepro/models/asdn_conv.py, reading 3): lite at
# ASDN's project width (32 features); FSDN takes SIZES["asdn"] (it is ASDN's structure)
SIZES["asdn_conv"] = {"smoke": dict(size="project", n_blocks=2, n_feats=8), "lite": dict(size="project"),
                      "paper": dict(size="paper")}
SIZES["slwsr"] = {"smoke": dict(n_feats=4, n_stages=1, bottom_blocks=1), "lite": {}, "paper": {}}  # lite: paper size


def recipe(profile: str, family: str, iterations: int | None = None) -> Recipe:
    """The recipe of ``family`` at ``profile``; ``iterations`` overrides the count (a researcher's tweak)."""
    if profile == "smoke":
        r = SMOKE_RECIPE
    elif profile == "lite":
        return lite_recipe(iterations=iterations or LITE_ITERATIONS)
    else:
        r = PAPER_RECIPES[family]
    if iterations:
        from dataclasses import replace

        r = replace(r, iterations=iterations)
    return r


def budget(iterations: float, family: str) -> str:
    """The training budget as a fraction of the paper's: "500 of 6×10⁵ iterations (0.08 %)"."""
    paper = PAPER_RECIPES[family].iterations
    exp = len(str(paper)) - 1
    mant = paper / 10 ** exp
    paper_txt = f"{mant:g}×10{''.join('⁰¹²³⁴⁵⁶⁷⁸⁹'[int(c)] for c in str(exp))}"
    return f"{iterations:,.0f} of {paper_txt} iterations ({100 * iterations / paper:.2g} %)"
