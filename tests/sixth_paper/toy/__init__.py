"""A toy sixth paper (tests/test_sixth_paper.py copies this folder into srrepro/papers/): two tables, one trained
and one exact, a claim each, its own model family and recipe."""
from .. import same, trained

NAME = "Toy"
TITLE = "Toy (a sixth paper, for the test)"
ORDER = 6
TABLES = ("toy_width", "toy_params")
NEEDS = {"toy_width": trained(["Set5"], ["Set5"]), "toy_params": same(())}
RECIPES = {"toynet": dict(train_dataset="DIV2K_train", lr_patch=48, batch_size=16, iterations=100_000, lr=1e-4,
                          source="Toy paper §4: LR patch 48, batch 16, lr 1e-4, 10⁵ iterations")}
SIZES = {"toynet": {"smoke": {}, "lite": {}, "paper": {}}}
