"""Table ids → specs → result CSVs.

A *table* is one target of the study: a table, figure or ablation of a paper (``overnet_t2``, ``pcarn_t3``), or
a study-wide check (``bicubic``, ``complexity``, ``official_weights``). Its spec lives in its paper's folder
(``srrepro/papers/<paper>/``, found by :mod:`srrepro.papers`; ``TABLES`` of :mod:`srrepro.spec` maps each id to
its module — one hop from id to code) and holds only the paper: its values with their sources, the grid per
profile, the jobs a profile runs (``jobs(ctx)``) and its claims with the rule that gives each its verdict. The
engine does the rest: :mod:`srrepro.jobs` runs the jobs side by side, :mod:`srrepro.plan` costs them,
:mod:`srrepro.verdicts` judges the claims.

``reproduce(id, profile)`` checks its parameters and inputs first (:mod:`srrepro.preflight`: the data root, the
exact image list of every dataset the table reads, its weights files), runs the spec, joins the paper values,
adds provenance, and writes ``results/<profile>/<id>.csv`` with the per-image scores beside it
(``<id>.scores.csv.gz``) as one generation (:func:`write_result`). A run whose knobs differ from the profile's
(seeds, iterations, a subset of cells) writes ``results/custom/<id>/<hash>.csv`` instead and never touches the
profile's results. A result is replaced only by a better-or-equal one: a run that computed nothing, or that leaves
a cell without values that the existing CSV has values for, writes nothing and raises :class:`NothingComputedError`.
"""
from __future__ import annotations

import hashlib
import io
import json
import math
import os
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ..errors import SrreproError
from ..provenance import REPO_ROOT, git_state, portable_paths, provenance, readable_by_all
from ..spec import (ABLATIONS, DEFAULT_SEEDS, IMAGE_METRICS, PROFILE_MEANING, PROFILES, SETTLE, TABLES, TEXT_COLUMNS,
                    VERDICTS, Claim, Layout, Plan, ProfileError, RunContext, TableSpec, UnknownTableError, Verdict,
                    _plain, check_profile, complete, config_hash, context, get, items_list, list_tables, result_path,
                    scores_path, select, with_training_note)
from ..verdicts import judge as judge_claims

# what a table is (the spec, its context, the registry) is srrepro.spec; this module runs tables and keeps their
# results, and hands the spec's names on, so ``tables.get`` / ``tables.TableSpec`` read as before
__all__ = ["PROFILES", "PROFILE_MEANING", "VERDICTS", "TABLES", "ABLATIONS", "SETTLE", "DEFAULT_SEEDS", "TEXT_COLUMNS",
           "IMAGE_METRICS", "Claim", "Verdict", "Plan", "Layout", "TableSpec", "RunContext", "UnknownTableError",
           "ProfileError", "TableResult", "NothingComputedError", "ResultFileError", "complete", "items_list",
           "with_training_note", "list_tables", "get", "check_profile", "config_hash", "result_path", "scores_path",
           "select", "context", "reproduce", "reproduce_or_load", "load", "compute", "plan", "judge",
           "training_budget", "write_result", "settle_knobs", "reproduce_settle", "check_overrides", "custom_path"]


class NothingComputedError(SrreproError, RuntimeError):
    pass


class ResultFileError(SrreproError, ValueError):
    """A result CSV and its per-image sidecar that are not one generation."""


@dataclass
class TableResult:
    spec: TableSpec
    profile: str
    rows: pd.DataFrame
    csv_path: Path | None
    verdicts: dict[str, Verdict]
    images: pd.DataFrame | None = None  # per-image scores: config_hash, checkpoint, image, psnr, ssim
    budget: str = ""  # the training budget as a fraction of the paper's
    custom: str = ""  # knobs that differ from the profile ("seeds=5"), when this is a tweaked run
    loaded_from: str = ""  # the committed CSV this result was read from (not computed by this call)


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


def training_budget(rows: pd.DataFrame, family: str = "") -> str:
    """The rows' training budget as a fraction of the paper's ("500 of 6×10⁵ iterations (0.083 %)")."""
    from ..recipes import PAPER_RECIPES, budget

    if "iterations" not in rows or ("family" not in rows and not family):
        return ""
    if "family" not in rows:  # rows written before they recorded their family
        rows = rows.assign(family=family)
    trained = rows[rows["family"].isin(list(PAPER_RECIPES)) & (rows["iterations"].fillna(0) > 0)]
    if trained.empty:
        return ""
    return budget(float(trained["iterations"].median()), trained["family"].mode().iloc[0])


def judge(spec: TableSpec, rows: pd.DataFrame, profile: str, images: pd.DataFrame | None = None) -> dict[str, Verdict]:
    """Every claim of ``spec`` judged on result ``rows`` (+ their per-image scores)."""
    return judge_claims(spec.claims, rows, profile, images, training_budget(rows, spec.family))


SCORES_DIGEST = "scores_sha256"  # CSV column: the sidecar this CSV was written with (see write_result)


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:16]


def _read_scores(csv_path: Path, rows: pd.DataFrame | None = None) -> pd.DataFrame | None:
    """The per-image sidecar of ``csv_path``, checked against the digest its CSV ``rows`` recorded (CSVs written
    before the digest was recorded: the sidecar as found)."""
    p = scores_path(csv_path)
    want = None
    if rows is not None and SCORES_DIGEST in rows:
        recorded = rows[SCORES_DIGEST].dropna().astype(str)
        want = recorded.iloc[0] if len(recorded) and recorded.iloc[0] else ""
    if want == "":  # written without per-image scores: a sidecar beside it is a leftover of an older generation
        return None
    if not p.exists():
        if want:
            raise ResultFileError(f"{p} is missing but {csv_path} was written with it; re-run the table")
        return None
    data = p.read_bytes()
    if want and _digest(data) != want:
        raise ResultFileError(f"{p} is not the sidecar {csv_path} was written with (sha256 {_digest(data)}, recorded "
                              f"{want}: a write interrupted between the two files); re-run the table")
    return pd.read_csv(io.BytesIO(data), compression="gzip")


def load(table_id: str, profile: str, results_dir: str | Path = "results") -> TableResult:
    """Read a result CSV written earlier (what the book does: no computation)."""
    spec = get(table_id)
    path = result_path(table_id, profile if profile == SETTLE else check_profile(profile), results_dir)
    if not path.exists():
        raise FileNotFoundError(f"no results for {table_id} at profile {profile}: {path} is missing; "
                                f"run `make reproduce TABLE={table_id} PROFILE={profile}`")
    rows = pd.read_csv(path)
    return _result(spec, profile, rows, path, _read_scores(path, rows))


def _result(spec, profile, rows, path, images, custom: str = "") -> TableResult:
    judged_as = "lite" if profile == SETTLE else profile  # the settle budget is lite's recipe, longer
    return TableResult(spec, profile, rows, path, judge(spec, rows, judged_as, images), images,
                       training_budget(rows, spec.family), custom)


def plan(table_id: str, profile: str = "lite", gpu: str | None = None, **knobs) -> Plan:
    """The dry run of a table: its jobs costed (``gpu``: the GPU kind a paper plan is for, see srrepro.plan)."""
    from ..plan import plan_jobs

    spec = get(table_id)
    ctx = context(spec, profile, **knobs)
    if spec.plan is not None:
        return spec.plan(ctx)
    if spec.jobs is None:  # a table with its own run and no plan of its own: nothing for the engine to train
        return Plan([{"model": "no training (the table's own code: released weights, statistics or timing)",
                      "train": "-", "cached": "-", "training_iterations": 0}],
                    f"{spec.id} trains nothing: its cells come from its own run (not costed; minutes on a CPU).")
    p = plan_jobs(ctx, table_id, spec.jobs(ctx), spec.plan_notes, gpu=gpu)
    if spec.extra_rows is not None:
        p.runs.insert(0, {"model": "no model (exact cells)", "train": "-", "cached": "-", "training_iterations": 0,
                          "train_s": 0, "eval_s": 5, "est_seconds": 5.0})
    return p


def compute(spec: TableSpec, ctx: RunContext) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(our rows, per-image scores keyed by ``config_hash``) of a table at ``ctx``."""
    from ..jobs import run_jobs
    from ..plan import job_flops

    images = pd.DataFrame()
    if spec.run is not None:  # a table the engine does not run; it may return its per-image scores too
        ours = spec.run(ctx)
        if isinstance(ours, tuple):
            ours, images = ours
    else:
        ours, images = run_jobs(ctx, spec.id, spec.jobs(ctx), cost=job_flops)
        if spec.extra_rows is not None:
            extra = spec.extra_rows(ctx)
            if len(images):
                images["row"] += len(extra)
            ours = pd.concat([extra, ours], ignore_index=True)
    status = ours["status"].dropna().astype(str) if "status" in ours else pd.Series(dtype=str)
    if not _computed(spec, ours) and (ours.empty or status.str.startswith("data not available").any()):
        # a data root without the table's datasets is bad input, not a result (missing *weights* are: those rows
        # say "not run" with what is needed)
        first = status.iloc[0] if len(status) else "no rows"
        raise NothingComputedError(f"{spec.id} at profile {ctx.profile} computed nothing ({first}); nothing "
                                   f"written — `srrepro doctor` lists what the data root holds")
    ours["config_hash"] = [config_hash(r, spec.keys, ctx.profile) for r in ours.to_dict("records")]
    if len(images):
        images["config_hash"] = ours["config_hash"].to_numpy()[images["row"].to_numpy()]
        images = images[["config_hash", "checkpoint", "image"] + [m for m in IMAGE_METRICS if m in images]]
    return ours, images


def _computed(spec: TableSpec, rows: pd.DataFrame) -> bool:
    return any(m in rows and rows[m].notna().any() for m in spec.metrics)


def _knobs(profile: str, seeds, iterations, only, batch_size=None, lr_patch=None, eval_images=None,
           overrides=None) -> str:
    """The knobs of a run that differ from its profile's ('' when none do)."""
    from ..overrides import text as overrides_text

    parts = [f"seeds={seeds}" if seeds else "", f"iterations={iterations}" if iterations else "",
             f"only={json.dumps(only, sort_keys=True)}" if only else "",
             f"batch_size={batch_size}" if batch_size else "", f"lr_patch={lr_patch}" if lr_patch else "",
             f"eval_images={eval_images}" if eval_images else "",
             f"overrides={overrides_text(overrides)}" if overrides else ""]
    return ", ".join(p for p in parts if p)


def custom_path(table_id: str, profile: str, knobs: str, results_dir: str | Path = "results") -> Path:
    h = hashlib.sha256(f"{profile} {knobs}".encode()).hexdigest()[:10]
    return result_path(table_id, "custom", results_dir).parent / table_id / f"{profile}-{h}.csv"


def reproduce(table_id: str, profile: str = "lite", data_root: str | None = None, device: str = "auto",
              results_dir: str | Path = "results", seeds: int | None = None, dry_run: bool = False,
              progress: bool = True, write: bool = True, only: dict | None = None, iterations: int | None = None,
              workers: int | None = None, threads: int | None = None, update: bool = False,
              work_dir: str | Path | None = None, launcher: str = "local", slurm: dict | None = None,
              batch_size: int | None = None, lr_patch: int | None = None, eval_images: int | None = None,
              check_data: bool = True, overrides: dict | None = None) -> TableResult | Plan:
    """Compute table ``table_id`` at ``profile`` and write ``results/<profile>/<id>.csv`` (+ its per-image scores).

    Knobs that differ from the profile (``seeds``, ``iterations``, ``only``, caps: ``batch_size``, ``lr_patch``,
    ``eval_images``) write
    ``results/custom/<id>/…`` instead. ``launcher="slurm"`` runs each unit as a Slurm job (:mod:`srrepro.launch`).
    ``update=True`` with ``only`` alone refreshes those cells' rows in the profile's own CSV (same settings, a
    partial re-run): rows are replaced by cell (the table's key columns, seed), the others kept.

    Every parameter, the data root and the table's datasets and weights files are checked first
    (:mod:`srrepro.preflight`); ``check_data=False`` skips the data checks (tests on generated data roots only).
    ``overrides`` change the table's grid or its models' training config (:mod:`srrepro.overrides`): a tweak.
    """
    from ..preflight import check_inputs, check_params

    checked = check_params(table_id, profile, device, seeds, iterations, workers, threads, only,
                           device_available=not dry_run and launcher != "slurm", results_dir=results_dir)
    seeds, iterations, workers, threads, only = (checked[k] for k in ("seeds", "iterations", "workers", "threads",
                                                                      "only"))
    spec = get(table_id)
    overrides = check_overrides(spec, profile, overrides)
    knobs = dict(data_root=data_root, device=device, seeds=seeds, progress=progress, only=only,
                 iterations=iterations, workers=workers, threads=threads,
                 work_dir=Path(work_dir) if work_dir else None, launcher=launcher, slurm=slurm,
                 batch_size=batch_size, lr_patch=lr_patch, eval_images=eval_images, overrides=overrides or None)
    if dry_run:
        return plan(table_id, profile, **knobs)
    tweak = _knobs(profile, seeds, iterations, None if update else only, batch_size, lr_patch, eval_images,
                   overrides)
    if update and (seeds or iterations or batch_size or lr_patch or eval_images or overrides):
        raise ValueError("update=True refreshes cells at the profile's own settings: drop seeds/iterations")
    if update and not only:
        raise ValueError("update=True refreshes the cells chosen by only: give only={key: [values]}")
    if check_data:
        check_inputs(table_id, profile, data_root, only)
    ctx = context(spec, profile, **knobs)
    path = None
    if write:
        path = custom_path(table_id, profile, tweak, results_dir) if tweak else result_path(table_id, profile,
                                                                                             results_dir)
        if update and path.exists():  # the rows kept must be readable with their scores before hours go into a run
            _read_scores(path, pd.read_csv(path))
    git_state()  # pin the commit now: a run takes minutes to hours, and the tree may move on meanwhile
    t0 = time.time()
    ours, images = compute(spec, ctx)
    rows = _merge_paper(spec, ours)
    for col in TEXT_COLUMNS:  # a row records paths relative to the data root or the project, never this machine's
        if col in rows:
            rows[col] = rows[col].map(lambda t: portable_paths(t) if isinstance(t, str) else t)
    rows = rows.sort_values([k for k in spec.keys if k in rows], kind="stable", ignore_index=True)
    rows.insert(0, "table", table_id)
    prov = provenance(profile, table_seconds=round(time.time() - t0, 1))
    for k, v in prov.items():
        if k not in rows or k != "torch_threads":  # a job's own thread count wins (it ran in a worker)
            rows[k] = v
        else:
            rows[k] = rows[k].fillna(v)
    if tweak:
        rows["custom"] = tweak
    if write:
        old = pd.read_csv(path) if path.exists() else None
        if update and old is not None:  # keep the rows of other cells (a partial re-run replaces its own)
            rows, images = _update_rows(spec, old, _read_scores(path, old), rows, images)
        if old is not None:
            _refuse_worse(spec, profile, path, old, rows)
        rows = write_result(path, rows, images)
    return _result(spec, profile, rows, path, images if len(images) else None, tweak)


def cell_columns(spec: TableSpec, rows: pd.DataFrame) -> list[str]:
    """The columns that name a cell of ``rows``: the table's keys, the seed, the paper reporting it."""
    return [k for k in spec.keys if k in rows] + [c for c in ("seed", "reported_by") if c in rows and c not in spec.keys]


def _cell_ids(rows: pd.DataFrame, cols: list[str]) -> pd.Series:
    """One string per row naming its cell, alike for a row in memory and one read back from a CSV (4 = 4.0,
    NaN = None = "")."""
    def plain(v):
        v = _plain(v)
        if isinstance(v, float) and v.is_integer():
            v = int(v)
        return "" if v is None else str(v)

    return pd.Series(["\x1f".join(plain(r[c]) for c in cols) for _, r in rows[cols].iterrows()], index=rows.index,
                     dtype=object)


def _as_read_back(rows: pd.DataFrame) -> pd.DataFrame:
    buf = io.StringIO()
    rows.to_csv(buf, index=False)
    buf.seek(0)
    return pd.read_csv(buf)


def _update_rows(spec, old: pd.DataFrame, old_images, rows: pd.DataFrame, images: pd.DataFrame):
    """``--update``: the old CSV with the rows of the re-run cells replaced (by cell, never by config hash, which
    older rows may carry differently), in the table's row order; the sidecar likewise."""
    new = _as_read_back(rows)
    cols = cell_columns(spec, new)
    keep = ~_cell_ids(old, cols).isin(set(_cell_ids(new, cols)))
    if old_images is not None and "config_hash" in old:
        kept_hashes = set(old.loc[keep, "config_hash"]) - set(new.get("config_hash", ()))
        old_images = old_images[old_images["config_hash"].isin(kept_hashes)]
        images = pd.concat([old_images, images], ignore_index=True) if len(images) else old_images
    merged = pd.concat([old[keep], new], ignore_index=True)
    merged = merged.sort_values([k for k in spec.keys if k in merged], kind="stable", ignore_index=True)
    return merged, images


def _refuse_worse(spec: TableSpec, profile: str, path: Path, old: pd.DataFrame, rows: pd.DataFrame) -> None:
    """A result is replaced only by a better-or-equal one: no cell that ``old`` has values for may lose them (a run
    that computed nothing, missing weights, a crash mid-way: whatever the reason). A complete run (every row
    computed) may drop cells, e.g. after the grid changed."""
    new = _as_read_back(rows)
    metrics = [m for m in spec.metrics if m in new]
    new_computed = new[metrics].notna().any(axis=1) if metrics else pd.Series(False, index=new.index)
    old_metrics = [m for m in spec.metrics if m in old]
    if not old_metrics:
        return
    cols = cell_columns(spec, new)
    cols = [c for c in cols if c in old]
    old_ids, new_ids = _cell_ids(old, cols), _cell_ids(new, cols)
    had = set(old_ids[old[old_metrics].notna().any(axis=1)])
    has = set(new_ids[new_computed])
    lost = had - has
    if not lost or (new_computed.all() and not (lost & set(new_ids))):
        return
    example = sorted(lost)[0]
    cell = ", ".join(f"{c}={v}" for c, v in zip(cols, example.split("\x1f")) if v)
    mine = new[new_ids == example]
    why = str(mine["status"].iloc[0]) if len(mine) and "status" in mine else "not in this run"
    raise NothingComputedError(f"{spec.id} at profile {profile}: this run leaves {len(lost)} cell(s) without the values "
                               f"{path} has (e.g. {cell}: {why}); nothing written — fix that first (`srrepro doctor` "
                               f"lists the data root), or delete {path.name} to replace it anyway")


def write_result(path: Path, rows: pd.DataFrame, images: pd.DataFrame) -> pd.DataFrame:
    """Write a result CSV and its per-image sidecar as one generation; returns the rows as written.

    Both are written in full to temporary files beside their targets (``.<name>.*.tmp``, git-ignored, removed on
    any failure) and fsynced; then the sidecar is renamed over its target and the CSV over its own. The CSV
    records the sidecar's digest (column ``scores_sha256``; empty: no sidecar), and :func:`load` checks it, so a
    process killed between the two renames leaves a pair that is refused in one line, never read as one result.
    """
    side = scores_path(path)
    side_bytes = b""
    if len(images):
        buf = io.BytesIO()
        images.to_csv(buf, index=False, compression={"method": "gzip", "mtime": 0}, float_format="%.6f")
        side_bytes = buf.getvalue()
    rows = rows.assign(**{SCORES_DIGEST: _digest(side_bytes) if side_bytes else ""})
    csv_bytes = rows.to_csv(index=False).encode()
    path.parent.mkdir(parents=True, exist_ok=True)
    temps = []
    try:
        for target, data in ((side, side_bytes), (path, csv_bytes)):
            if target is side and not side_bytes:
                temps.append(None)
                continue
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{target.name}.", suffix=".tmp")
            temps.append(tmp)
            with os.fdopen(fd, "wb") as f:
                f.write(data)
                f.flush()
                os.fsync(f.fileno())
            readable_by_all(tmp)
        if temps[0]:
            os.replace(temps[0], side)
        os.replace(temps[1], path)
        if not side_bytes and side.exists():  # the CSV says "no sidecar": an older one goes
            side.unlink()
    except OSError as e:  # a full or read-only disk: one line naming the file, nothing half-written left
        from ..errors import WriteError

        error = WriteError(f"cannot write {path}: {e.strerror or e}")
        error.errno, error.filename = e.errno, str(path)
        raise error from e
    finally:
        for tmp in temps:
            if tmp and os.path.exists(tmp):
                os.unlink(tmp)
    return rows


class SettleError(SrreproError, ValueError):
    pass


def settle_knobs(table_id: str, results_dir: str | Path = "results") -> dict:
    """The settle budget of ``table_id`` from ``results/settle/budgets.csv`` (``python -m srrepro.power --write``):
    its seeds, its iterations (lite's × the chosen factor) and what it is expected to resolve."""
    path = result_path("budgets", SETTLE, results_dir)
    if not path.exists():
        raise SettleError(f"no settle budgets: {path} is missing; run `python -m srrepro.power --write` first")
    b = pd.read_csv(path)
    b = b[b["table"] == table_id]
    if b.empty:
        raise SettleError(f"{table_id} has no settle budget (tables with one: "
                          f"{', '.join(sorted(set(pd.read_csv(path)['table'])))})")
    first = b.iloc[0]
    if not float(first["table_cpu_h"]) > 0:
        raise SettleError(f"{table_id}: none of its undecided claims resolves within the settle cap on this "
                          f"machine (see {path.name}: each claim's seeds and the reason)")
    factor, lite_iterations = int(first["table_factor"]), int(first["lite_iterations"])
    return dict(seeds=int(first["table_seeds"]), iterations=lite_iterations * factor, factor=factor,
                cpu_hours=float(first["table_cpu_h"]))


def reproduce_settle(table_id: str, results_dir: str | Path = "results", **kw) -> TableResult:
    """Compute ``table_id`` at its settle budget (lite's recipe, more seeds and/or iterations) and write
    ``results/settle/<id>.csv`` (+ scores) as one generation. Models the lite run trained (same seed, same
    iterations) are cache hits; at more iterations the learning-rate schedule (a fraction of the run) differs, so
    those models train from the start rather than resume from lite's."""
    k = settle_knobs(table_id, results_dir)
    iterations = k["iterations"] if k["factor"] != 1 else None
    result = reproduce(table_id, "lite", results_dir=results_dir, seeds=k["seeds"], iterations=iterations,
                       write=False, **kw)
    rows = result.rows.drop(columns=["custom"], errors="ignore")
    rows["profile"] = SETTLE
    rows["settle_budget"] = f"{k['seeds']} seeds × {k['factor']}× lite's iterations"
    path = result_path(table_id, SETTLE, results_dir)
    if path.exists():
        _refuse_worse(result.spec, SETTLE, path, pd.read_csv(path), rows)
    images = result.images if result.images is not None else pd.DataFrame()
    rows = write_result(path, rows, images)
    return _result(result.spec, SETTLE, rows, path, images if len(images) else None)


def check_overrides(spec: TableSpec, profile: str, overrides) -> dict:
    """``overrides`` checked (:func:`srrepro.overrides.check`), and refused in one line when no model of the table
    would receive a training override (a table that runs its own code, or none of whose models has that family)."""
    from ..overrides import OverrideError, check, unapplied

    checked = check(spec, profile, overrides)
    if checked.get("train") or checked.get("family"):
        if spec.run is not None:
            raise OverrideError(f"overrides: {spec.id} runs its own code, not the training engine: training "
                                f"overrides do not reach it (grid keys do: {', '.join(spec.grid.get(profile, {})) or 'none'})")
        ctx = context(spec, profile, overrides=checked)
        jobs = spec.jobs(ctx)  # builds the configs only
        missed = unapplied(ctx)
        if missed:
            raise OverrideError(f"overrides: no model of {spec.id} at {profile} receives {', '.join(missed)}")
        _check_models(spec, [j.config for j in jobs if getattr(j, "config", None) is not None])
    return checked


def _check_models(spec: TableSpec, configs: list) -> None:
    """Every distinct model the overridden configs describe can be built (on the meta device: no memory, no time),
    so a model keyword a model does not take is one line before anything runs, not an error in a worker."""
    import torch

    from ..overrides import OverrideError
    from ..train import build_model

    seen = set()
    for cfg in configs:
        key = (cfg.model, json.dumps(cfg.model_kwargs, sort_keys=True, default=str), cfg.scales, cfg.scale_range)
        if key in seen:
            continue
        seen.add(key)
        try:
            with torch.device("meta"):
                build_model(cfg)
        except (TypeError, ValueError) as e:
            raise OverrideError(f"overrides: {spec.id}'s model {cfg.model} cannot be built with "
                                f"{json.dumps(cfg.model_kwargs, default=str)}: {e}") from None


def reproduce_or_load(table_id: str, profile: str = "lite", recompute: bool = False, seeds: int | None = None,
                      iterations: int | None = None, only: dict | None = None, overrides: dict | None = None,
                      **kw) -> TableResult:
    """The notebooks' one call: with the profile's own knobs and ``recompute=False``, render the committed CSV when
    it exists (no retraining; ``loaded_from`` names it, and the page says so); otherwise compute — tweaked knobs
    into ``results/custom/``. Every parameter is checked first (:func:`srrepro.preflight.check_params`)."""
    from ..preflight import check_params

    checked = check_params(table_id, profile, kw.get("device", "auto"), seeds, iterations, kw.get("workers"),
                           kw.get("threads"), only, device_available=False,
                           results_dir=kw.get("results_dir", "results"))
    seeds, iterations, only = checked["seeds"], checked["iterations"], checked["only"]
    checked_overrides = check_overrides(get(table_id), check_profile(profile), overrides)
    tweak = _knobs(profile, seeds, iterations, only, overrides=checked_overrides)
    path = result_path(table_id, check_profile(profile), kw.get("results_dir", "results"))
    if not recompute and not tweak and path.exists():
        result = load(table_id, profile, kw.get("results_dir", "results"))
        # said by the page (report.about_markdown), not printed here: a book page opens with the verdicts
        result.loaded_from = str(path.relative_to(REPO_ROOT) if path.is_relative_to(REPO_ROOT) else path)
        return result
    if not recompute and tweak:
        p = custom_path(table_id, profile, tweak, kw.get("results_dir", "results"))
        if p.exists():
            print(f"Rendering the earlier tweaked run {p.name} ({tweak}) without retraining.")
            spec = get(table_id)
            rows = pd.read_csv(p)
            return _result(spec, profile, rows, p, _read_scores(p, rows), tweak)
    if tweak:  # before hours go into it: what will run (wrapped: a notebook's output box does not scroll)
        import textwrap

        spec = get(table_id)
        grid = context(spec, profile, overrides=checked_overrides).grid
        p = plan(table_id, profile, seeds=seeds, iterations=iterations, only=only, overrides=checked_overrides or None,
                 **{k: v for k, v in kw.items() if k in ("data_root", "device", "workers", "threads")})
        lines = [f"A tweaked run of {table_id} at {profile} ({tweak}).", f"Its grid: {json.dumps(grid, default=list)}",
                 f"Its plan ({len(p.runs)} runs):"]
        lines += [f"- {r.get('experiment') or ''} seed {r.get('seed', '')}: {r.get('model', '')}; trains "
                  f"{r.get('train', '-')}, {r.get('training_iterations', 0)} iterations (cached: {r.get('cached', '-')})"
                  for r in p.runs]
        print("\n".join(textwrap.fill(line, 110, subsequent_indent="    ") for line in lines))
    return reproduce(table_id, profile, seeds=seeds, iterations=iterations, only=only, overrides=overrides, **kw)
