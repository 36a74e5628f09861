"""What a table is: its spec (:class:`TableSpec`: the paper's values, the grid per profile, the jobs, the claims),
the context a profile runs it in (:class:`RunContext`), and the registry from table id to spec.

Specs live in the paper folders (``srrepro/papers/<paper>/``) and import what they need from here; this module is
plain data and torch-free, so reading every spec is quick (``srrepro list``, ``show``, ``doctor``). Running a
table, writing and loading its results is :mod:`srrepro.tables`.
"""
from __future__ import annotations

import hashlib
import importlib
import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import numpy as np
import pandas as pd

from .errors import SrreproError
from .papers import printed, table_modules
from .plan import Plan
from .provenance import REPO_ROOT
from .verdicts import VERDICTS, Claim, Verdict

__all__ = ["PROFILES", "PROFILE_MEANING", "VERDICTS", "TABLES", "ABLATIONS", "SETTLE", "Claim", "Verdict", "Plan",
           "Layout", "TableSpec", "RunContext", "UnknownTableError", "ProfileError", "DEFAULT_SEEDS", "TEXT_COLUMNS",
           "IMAGE_METRICS", "complete", "items_list", "with_training_note", "list_tables", "get", "check_profile",
           "config_hash", "result_path", "scores_path", "select", "context"]


PROFILES = ("smoke", "lite", "paper")


PROFILE_MEANING = {
    "smoke": "CI plumbing check: tiny data and sizes; the numbers are meaningless",
    "lite": "what a 2-core CPU affords (≤ ~90 min a table, units side by side): short training, so trends, not the "
            "paper's absolute numbers",
    "paper": "the paper's own settings (data, patch, batch, iterations, schedule); needs a GPU for training tables",
}


# table id → the module that defines it, found in the paper folders (srrepro/papers/<paper>/__init__.py: TABLES)
# in book order: each paper's tables in its reading order
TABLES: dict[str, str] = table_modules()


# the design card's four ablations (OSM interpolation, LFR levels, initialization, activation-removal ratios): the
# tables whose undecided trained claims the "settle" budget (srrepro.power) sizes and runs
ABLATIONS = ("overnet_t2", "overnet_t6", "asdn_lfr", "pcarn_t3", "slwsr_f6")


SETTLE = "settle"  # lite's recipe at the seeds and iterations of results/settle/budgets.csv (srrepro.power)


class UnknownTableError(SrreproError, KeyError):
    def __str__(self) -> str:
        return self.args[0]


class ProfileError(SrreproError, ValueError):
    pass


@dataclass(frozen=True)
class Layout:
    """The paper's own table layout: result rows pivoted to ``rows`` × ``cols`` (key columns), one cell per
    metric, ours as mean ± std over seeds beside the paper's value."""
    rows: tuple  # key columns down the page (e.g. ("dataset", "scale"))
    cols: tuple = ()  # key columns across (e.g. ("method",)); () = one column per metric
    metrics: tuple = ("psnr",)
    order: dict = field(default_factory=dict)  # key column → its values in reading order (a paper without values)


@dataclass
class TableSpec:
    id: str
    title: str
    paper: str  # "OverNet", "PCARN", "EDSR", "ASDN", "s-LWSR", or "study"
    source: str  # where in the paper(s)
    description: str  # markdown: what is compared and how a cell is computed
    keys: list[str]  # columns that identify a row
    metrics: list[str]  # measured columns
    jobs: Callable[["RunContext"], list] | None = None  # the engine's jobs (srrepro.jobs.Job) of a profile
    extra_rows: Callable[["RunContext"], pd.DataFrame] | None = None  # rows computed without a job (exact cells)
    run: Callable[["RunContext"], pd.DataFrame] | None = None  # a table the engine does not run (timing, counts)
    plan: Callable[["RunContext"], Plan] | None = None
    plan_notes: str = ""  # one paragraph for the dry run: what the jobs train and score
    grid: dict = field(default_factory=dict)  # profile → knobs the jobs read (seeds, datasets, limits, …)
    # PAPER VALUES: keys + metrics + "source" per cell; None (the default): the paper folder's values/<id>.csv
    # (srrepro.papers.printed), filled in by get()
    paper_values: list[dict] | None = None
    claims: list[Claim] = field(default_factory=list)
    profiles: dict[str, str] = field(default_factory=dict)  # profile → what it runs (one line each)
    plot: Callable | None = None  # (result df[, images=per-image scores]) → None, for the notebook's figure
    notes: str = ""  # markdown shown under the verdicts: errata in the paper, deviations, what was not run
    display_extra: tuple = ()  # further CSV columns the book's table shows (before "status")
    layout: Layout | None = None  # the paper's printed layout (report.paper_layout_html); None: keys × metrics
    family: str = ""  # the recipe family a training budget is measured against when rows do not record theirs

    def __post_init__(self):
        if (self.jobs is None) == (self.run is None):
            raise ValueError(f"{self.id}: a spec has either jobs (run by the engine) or its own run, not both")

    def paper_frame(self) -> pd.DataFrame:
        """The paper's values, one row per cell: keys, ``<metric>_paper`` columns, ``paper_source``."""
        if not self.paper_values:
            return pd.DataFrame(columns=self.keys + [f"{m}_paper" for m in self.metrics] + ["paper_source"])
        df = pd.DataFrame(self.paper_values)
        for m in self.metrics:  # a paper may print only some metrics (e.g. PSNR without SSIM)
            if m not in df:
                df[m] = math.nan
        # one column order whatever the cells' order of entries: keys, metrics, source
        keys = [c for c in df.columns if c not in self.metrics and c != "source"]
        df = df[keys + list(self.metrics) + (["source"] if "source" in df else [])]
        df = df.rename(columns={m: f"{m}_paper" for m in self.metrics})
        return df.rename(columns={"source": "paper_source"})


DEFAULT_SEEDS = {"smoke": 1, "lite": 3, "paper": 1}


TEXT_COLUMNS = ("status", "note", "follows")  # free texts of a result row (they may name files)


# per-image columns a result's sidecar keeps (each where the table measured it)
IMAGE_METRICS = ("psnr", "ssim", "lpips", "lpips_whole", "niqe", "niqe_border_scale", "psnr_study", "ssim_study")


@dataclass
class RunContext:
    profile: str
    data_root: str | None = None
    device: str = "auto"
    seeds: int | None = None  # None: the grid's (or DEFAULT_SEEDS)
    progress: bool = True
    only: dict | None = None  # {key column: [values]}: restrict the grid (a subset of cells)
    work_dir: Path = field(default_factory=lambda: REPO_ROOT / "runs")
    grid: dict = field(default_factory=dict)  # the spec's grid at this profile
    iterations: int | None = None  # None: the profile's recipe
    workers: int | None = None  # jobs side by side (None: one per core / GPU)
    threads: int | None = None  # CPU intra-op threads per job (None: 1)
    launcher: str = "local"  # "local" (process pool) | "slurm" (one Slurm job per unit; srrepro.launch)
    slurm: dict | None = None  # submitit parameters for the slurm launcher (timeout_min, slurm_partition, …)
    batch_size: int | None = None  # cap every recipe's batch (a capped run: memory, CI); None: the recipe's
    lr_patch: int | None = None  # cap every recipe's LR patch side (a capped run); None: the recipe's
    eval_images: int | None = None  # score at most this many images per dataset (a capped run); None: the grid's
    overrides: dict | None = None  # checked overrides (srrepro.overrides.check): grid keys, training fields
    overrides_applied: set = field(default_factory=set)  # which training overrides a model received

    @property
    def n_seeds(self) -> int:
        return int(self.seeds or self.grid.get("seeds") or DEFAULT_SEEDS[self.profile])


def complete(values: list[dict], metrics: list[str]) -> list[dict]:
    """Every paper row carries every metric (NaN where the paper prints none), as the merge with ours expects."""
    return [{**{m: math.nan for m in metrics}, **v} for v in values]


def items_list(items: list[tuple[str, str, tuple[str, ...]]]) -> str:
    """A chapter's list of the paper's items in the paper's own order: ``(item, table id, claim ids)`` → one numbered
    line each, the table id in backticks (the chapter page links it) and the claims that judge the item."""
    lines = []
    for k, (item, table, claims) in enumerate(items, 1):
        judged = f" — claims {', '.join(f'`{c}`' for c in claims)}" if claims else ""
        lines.append(f"{k}. {item}: `{table}`{judged}")
    return "\n".join(lines)


def with_training_note(text: str, checkpoints: bool = True) -> str:
    """A training table's description, with the one paragraph on how its jobs are trained, scored and cached
    (``checkpoints=False``: its models keep no snapshots and are scored at the end of training only)."""
    when = "at 25/50/75/100 % of training" if checkpoints else "at the end of training"
    return text.strip() + "\n\n" + (f"A training job is `TrainConfig → srrepro.train.train → srrepro.evaluate.evaluate` "
                                    f"{when} (engine: `srrepro/jobs.py`); trained models are "
                                    "cached in `runs/<table>/<model hash>/` and shared between tables.")


def list_tables() -> list[str]:
    return list(TABLES)


def get(table_id: str) -> TableSpec:
    if table_id not in TABLES:
        raise UnknownTableError(f"unknown table {table_id!r}; valid ids: {', '.join(TABLES)}")
    spec = importlib.import_module(TABLES[table_id]).SPECS[table_id]
    if spec.paper_values is None:  # the paper's printed values, read from its folder once
        spec.paper_values = complete(printed(table_id), spec.metrics)
    return spec


def check_profile(profile: str) -> str:
    if profile not in PROFILES:
        raise ProfileError(f"unknown profile {profile!r}; valid profiles: {', '.join(PROFILES)}")
    return profile


def config_hash(row: dict, keys: list[str], profile: str) -> str:
    keys = keys + [k for k in ("reported_by",) if k in row]  # one row per paper that reports a cell
    payload = json.dumps({"profile": profile, **{k: _plain(row.get(k)) for k in keys}}, sort_keys=True, default=str)
    return hashlib.sha256(payload.encode()).hexdigest()[:12]


def _plain(v):  # numpy scalars and CSV round trips hash alike (3 vs 3.0 stay distinct only by type of key)
    if isinstance(v, (np.generic,)):
        v = v.item()
    if isinstance(v, float) and math.isnan(v):
        return None
    return v


def result_path(table_id: str, profile: str, results_dir: str | Path = "results") -> Path:
    results_dir = Path(results_dir)
    if not results_dir.is_absolute():
        results_dir = REPO_ROOT / results_dir
    return results_dir / profile / f"{table_id}.csv"


def scores_path(csv_path: Path) -> Path:
    """The per-image sidecar of a result CSV."""
    return csv_path.with_name(csv_path.stem + ".scores.csv.gz")


def select(cells: list[dict], only: dict | None) -> list[dict]:
    """The cells of a grid that match ``only`` ({column: values}); all of them when ``only`` is None."""
    if not only:
        return cells
    return [c for c in cells if all(c.get(k) in v for k, v in only.items())]


def context(spec: TableSpec, profile: str, **knobs) -> RunContext:
    """The run's context: the spec's grid at ``profile`` with the grid overrides applied, and the knobs."""
    grid = {**spec.grid.get(profile, {}), **((knobs.get("overrides") or {}).get("grid", {}))}
    return RunContext(check_profile(profile), grid=grid, **{k: v for k, v in knobs.items() if v is not None})
