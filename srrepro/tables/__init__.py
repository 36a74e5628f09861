"""Table ids → specs → result CSVs.

A *table* is one target of the study: a table, figure or ablation of a paper (``overnet_t2``, ``pcarn_t3``), or
a study-wide check (``bicubic``, ``complexity``, ``official_weights``). Its spec (one module per paper, listed
in ``TABLES`` below — one hop from id to code) holds the paper's values with their sources, the run grid per
profile, how a cell is computed, and the paper's claims with the rule that gives each its verdict.

``reproduce(id, profile)`` runs the spec, joins the paper values, adds provenance, and writes
``results/<profile>/<id>.csv`` atomically. Rows are keyed by a hash of their configuration, so re-running part
of a table replaces only those rows.
"""
from __future__ import annotations

import hashlib
import importlib
import io
import json
import math
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import pandas as pd

from ..errors import SrreproError
from ..provenance import REPO_ROOT, atomic_write_bytes, git_state, provenance

PROFILES = ("smoke", "lite", "paper")
PROFILE_MEANING = {
    "smoke": "CI plumbing check: tiny data and sizes; the numbers are meaningless",
    "lite": "what a 2-core CPU affords (≤ ~20 min a training run): trends, not the paper's absolute numbers",
    "paper": "the paper's own settings (data, patch, batch, iterations, schedule); needs a GPU for training tables",
}
VERDICTS = ("holds", "contradicted", "inconclusive", "not run")

# table id → module of srrepro.tables that defines it
TABLES: dict[str, str] = {
    "bicubic": "bicubic",
    "complexity": "complexity",
    "official_weights": "official_weights",
    "training_check": "training_check",
    "overnet_t1": "overnet",
    "overnet_t2": "overnet",
    "overnet_t3": "overnet",
    "overnet_t4": "overnet",
    "overnet_t5": "overnet",
    "overnet_t6": "overnet",
    "overnet_t7": "overnet",
    "overnet_t8": "overnet",
}


class UnknownTableError(SrreproError, KeyError):
    def __str__(self) -> str:
        return self.args[0]


class ProfileError(SrreproError, ValueError):
    pass


@dataclass
class Verdict:
    status: str  # one of VERDICTS
    evidence: str  # one line: the numbers behind the verdict
    needed: str = ""  # for inconclusive / not run: what would settle it

    def __post_init__(self):
        if self.status not in VERDICTS:
            raise ValueError(f"verdict must be one of {VERDICTS}, not {self.status!r}")


@dataclass
class Claim:
    id: str
    text: str  # the paper's claim, one line
    source: str  # where the paper makes it
    check: Callable[[pd.DataFrame, str], Verdict]  # (result rows, profile) → verdict


def _duration(seconds: float) -> str:
    """Seconds in the unit a reader thinks in: "42.0 min", "5.3 h", "12.4 days", "3.1 years"."""
    for unit, size, limit in (("min", 60, 120 * 60), ("h", 3600, 72 * 3600), ("days", 86400, 730 * 86400)):
        if seconds < limit:
            return f"{seconds / size:.1f} {unit}"
    return f"{seconds / (365 * 86400):.1f} years"


@dataclass
class Plan:
    runs: list[dict]  # one dict per unit of work: what it computes, iterations, est. seconds
    notes: str = ""

    def total_seconds(self) -> float:
        return sum(r.get("est_seconds", 0.0) for r in self.runs)

    def __str__(self) -> str:
        df = pd.DataFrame(self.runs)
        cpu = _duration(self.total_seconds())
        gpu = sum(r.get("gpu_hours", 0.0) for r in self.runs)
        lines = [df.to_string(index=False) if len(df) else "(nothing to run)"]
        if gpu:  # paper profile: the GPU figure is the plan; the CPU one only says why not here
            lines.append(f"{len(self.runs)} runs, estimated {gpu:.1f} GPU-hours on one modern GPU "
                         f"(this machine: {cpu}, not feasible)")
        else:
            lines.append(f"{len(self.runs)} runs, estimated {cpu} on this machine")
        if self.notes:
            lines.append(self.notes)
        return "\n".join(lines)


@dataclass
class TableSpec:
    id: str
    title: str
    paper: str  # "OverNet", "PCARN", "EDSR", "ASDN", "s-LWSR", or "study"
    source: str  # where in the paper(s)
    description: str  # markdown: what is compared and how a cell is computed
    keys: list[str]  # columns that identify a row
    metrics: list[str]  # measured columns
    run: Callable[["RunContext"], pd.DataFrame]
    plan: Callable[["RunContext"], Plan]
    paper_values: list[dict] = field(default_factory=list)  # PAPER VALUES: keys + metrics + "source"
    claims: list[Claim] = field(default_factory=list)
    profiles: dict[str, str] = field(default_factory=dict)  # profile → what it runs (one line each)
    plot: Callable | None = None  # (result df, ax) → None, for the notebook's figure
    notes: str = ""  # markdown shown under the verdicts: errata in the paper, deviations, what was not run
    display_extra: tuple = ()  # further CSV columns the book's table shows (before "status")

    def paper_frame(self) -> pd.DataFrame:
        """The paper's values, one row per cell: keys, ``<metric>_paper`` columns, ``paper_source``."""
        if not self.paper_values:
            return pd.DataFrame(columns=self.keys + [f"{m}_paper" for m in self.metrics] + ["paper_source"])
        df = pd.DataFrame(self.paper_values)
        for m in self.metrics:  # a paper may print only some metrics (e.g. PSNR without SSIM)
            if m not in df:
                df[m] = math.nan
        df = df.rename(columns={m: f"{m}_paper" for m in self.metrics})
        return df.rename(columns={"source": "paper_source"})


@dataclass
class RunContext:
    profile: str
    data_root: str | None = None
    device: str = "auto"
    seeds: int | None = None
    progress: bool = True
    only: dict | None = None  # {key column: [values]}: restrict the grid (a partial re-run)
    work_dir: Path = field(default_factory=lambda: REPO_ROOT / "runs")


@dataclass
class TableResult:
    spec: TableSpec
    profile: str
    rows: pd.DataFrame
    csv_path: Path | None
    verdicts: dict[str, Verdict]

    def _repr_html_(self) -> str:  # a notebook shows the table when the result is the last expression
        from ..report import table_html

        return table_html(self)


def list_tables() -> list[str]:
    return list(TABLES)


def get(table_id: str) -> TableSpec:
    if table_id not in TABLES:
        raise UnknownTableError(f"unknown table {table_id!r}; valid ids: {', '.join(TABLES)}")
    module = importlib.import_module(f"{__name__}.{TABLES[table_id]}")
    return module.SPECS[table_id]


def check_profile(profile: str) -> str:
    if profile not in PROFILES:
        raise ProfileError(f"unknown profile {profile!r}; valid profiles: {', '.join(PROFILES)}")
    return profile


def config_hash(row: dict, keys: list[str], profile: str) -> str:
    keys = keys + [k for k in ("reported_by",) if k in row]  # one row per paper that reports a cell
    payload = json.dumps({"profile": profile, **{k: row.get(k) for k in keys}}, sort_keys=True, default=str)
    return hashlib.sha256(payload.encode()).hexdigest()[:12]


def result_path(table_id: str, profile: str, results_dir: str | Path = "results") -> Path:
    results_dir = Path(results_dir)
    if not results_dir.is_absolute():
        results_dir = REPO_ROOT / results_dir
    return results_dir / profile / f"{table_id}.csv"


def _merge_paper(spec: TableSpec, ours: pd.DataFrame) -> pd.DataFrame:
    paper = spec.paper_frame()
    if paper.empty:
        df = ours.copy()
        for m in spec.metrics:
            df[f"{m}_paper"] = math.nan
        df["paper_source"] = ""
    else:  # paper cells may be coarser than ours (e.g. one paper value for two readings of a degradation)
        df = ours.merge(paper, on=[k for k in spec.keys if k in paper.columns], how="left")
    for m in spec.metrics:
        if m in df:
            df[f"{m}_delta"] = df[m] - df[f"{m}_paper"]
    return df


def judge(spec: TableSpec, rows: pd.DataFrame, profile: str) -> dict[str, Verdict]:
    out = {}
    for claim in spec.claims:
        try:
            out[claim.id] = claim.check(rows, profile)
        except Exception as e:  # a verdict rule that cannot run is reported, never hidden
            out[claim.id] = Verdict("inconclusive", f"verdict rule failed: {type(e).__name__}: {e}")
    return out


def load(table_id: str, profile: str, results_dir: str | Path = "results") -> TableResult:
    """Read a result CSV written earlier (what the book does: no computation)."""
    spec = get(table_id)
    path = result_path(table_id, check_profile(profile), results_dir)
    if not path.exists():
        raise FileNotFoundError(f"no results for {table_id} at profile {profile}: {path} is missing; "
                                f"run `make reproduce TABLE={table_id} PROFILE={profile}`")
    rows = pd.read_csv(path)
    return TableResult(spec, profile, rows, path, judge(spec, rows, profile))


def select(cells: list[dict], only: dict | None) -> list[dict]:
    """The cells of a grid that match ``only`` ({column: values}); all of them when ``only`` is None."""
    if not only:
        return cells
    return [c for c in cells if all(c.get(k) in v for k, v in only.items())]


def reproduce(table_id: str, profile: str = "lite", data_root: str | None = None, device: str = "auto",
              results_dir: str | Path = "results", seeds: int | None = None, dry_run: bool = False,
              progress: bool = True, write: bool = True, only: dict | None = None) -> TableResult | Plan:
    """Compute table ``table_id`` at ``profile`` and write ``results/<profile>/<id>.csv``.

    ``only`` restricts the run to some cells (e.g. ``{"dataset": ["Set5"]}``); their rows then replace the rows
    with the same configuration hash in the existing CSV and the others are kept. A full run rewrites the CSV.
    """
    spec = get(table_id)
    ctx = RunContext(check_profile(profile), data_root, device, seeds, progress, only)
    if dry_run:
        return spec.plan(ctx)
    git_state()  # pin the commit now: a run takes minutes to hours, and the tree may move on meanwhile
    t0 = time.time()
    ours = spec.run(ctx)
    rows = _merge_paper(spec, ours)
    rows = rows.sort_values([k for k in spec.keys if k in rows], kind="stable", ignore_index=True)
    rows.insert(0, "table", table_id)
    rows["config_hash"] = [config_hash(r, spec.keys, profile) for r in rows.to_dict("records")]
    prov = provenance(profile, table_seconds=round(time.time() - t0, 1))
    for k, v in prov.items():
        rows[k] = v
    path = None
    if write:
        path = result_path(table_id, profile, results_dir)
        if only and path.exists():  # keep rows of other configurations (a partial re-run replaces only its own)
            old = pd.read_csv(path)
            if "config_hash" in old:
                old = old[~old["config_hash"].isin(rows["config_hash"])]
                rows = pd.concat([old, rows], ignore_index=True) if len(old) else rows
        buf = io.StringIO()
        rows.to_csv(buf, index=False)
        atomic_write_bytes(path, buf.getvalue().encode())
    return TableResult(spec, profile, rows, path, judge(spec, rows, profile))
