"""The study's own checks, before any paper: bicubic baselines, parameter and operation counts, the released
weights, and a check that training works at all."""
from .. import BENCHMARKS, same

NAME = "study"
TITLE = "Protocol and exact checks"
ORDER = 0
TABLES = {"bicubic": "bicubic", "complexity": "complexity", "official_weights": "official_weights",
          "training_check": "training_check"}

_OFFICIAL = {"carn_m.pth", "pcarn_m_l1.pth", "pcarn_m.pth"}  # the grid of official_weights.py
# table id → profile → items (dataset names, weights file names, "niqe") without which it computes nothing real
NEEDS = {
    "bicubic": {"smoke": {"Set5"}, "lite": set(BENCHMARKS), "paper": set(BENCHMARKS)},
    "complexity": same(()),  # parameter counts and multiply-adds of models built in memory
    "official_weights": {"smoke": {"Set5", "carn_m.pth", "niqe"}, "lite": {*BENCHMARKS, *_OFFICIAL, "niqe"},
                         "paper": {*BENCHMARKS, *_OFFICIAL, "niqe"}},
    "training_check": {"smoke": {"T91", "Set5"}, "lite": {"T91", "Set5"}, "paper": {"DIV2K_train", "Set5"}},
}
# items a table uses when present; without them it still runs and those rows say "not available"
OPTIONAL = {
    "bicubic": {"lite": {"DIV2K_valid", "Manga109"}, "paper": {"DIV2K_valid", "Manga109"}},
}
