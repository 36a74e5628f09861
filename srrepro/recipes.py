"""How a model family is trained at each profile: the TrainConfig fields that are not the model or its scales.

* ``smoke``: 2 iterations on 4 T91 images (plumbing only).
* ``lite``: T91, LR patch 16, batch 16, ``LITE_ITERATIONS`` iterations, the family's lr halved once at 75 %.
* ``paper``: each family's own published recipe (``PAPER_RECIPES``, with its source).
``SIZES`` narrows every model of a family per profile (paper: the published size). Both are declared, as data,
by the paper folder that trains the family (``RECIPES`` / ``SIZES`` in ``srrepro/papers/<paper>/__init__.py``).
"""
from __future__ import annotations

from dataclasses import dataclass

from . import papers

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
# model family → its recipe at the paper profile, with its source; declared by the paper folder that trains it
PAPER_RECIPES = {family: Recipe(**fields) for family, fields in papers.recipes().items()}
# model family → profile → keyword arguments added to every model of the family (None: the family is not trained
# at that profile; paper: the published size), from the paper folders likewise
SIZES = papers.sizes()


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


def power_of_ten(n: int, bare_one: bool = False) -> str:
    """A step count as the papers write it: 6×10⁵ for 600000; 10⁶ for 10⁶ with ``bare_one`` (else 1×10⁶)."""
    exp = len(str(int(n))) - 1
    sup = "".join("⁰¹²³⁴⁵⁶⁷⁸⁹"[int(c)] for c in str(exp))
    mantissa = n / 10 ** exp
    return f"10{sup}" if bare_one and mantissa == 1 else f"{mantissa:g}×10{sup}"


def paper_recipe_text(family: str, patch_and_batch: bool = True) -> str:
    """A family's paper recipe as prose names it: "DIV2K, LR patch 48, batch 16, 6×10⁵ iterations" (without the
    patch and batch: "DIV2K, 6×10⁵ iterations")."""
    r = PAPER_RECIPES[family]
    middle = f", LR patch {r.lr_patch}, batch {r.batch_size}" if patch_and_batch else ""
    return f"{r.train_dataset.split('_')[0]}{middle}, {power_of_ten(r.iterations, bare_one=True)} iterations"


def budget(iterations: float, family: str) -> str:
    """The training budget as a fraction of the paper's: "500 of 6×10⁵ iterations (0.08 %)"."""
    paper = PAPER_RECIPES[family].iterations
    exp = len(str(paper)) - 1
    mant = paper / 10 ** exp
    paper_txt = f"{mant:g}×10{''.join('⁰¹²³⁴⁵⁶⁷⁸⁹'[int(c)] for c in str(exp))}"
    return f"{iterations:,.0f} of {paper_txt} iterations ({100 * iterations / paper:.2g} %)"
