"""Units as cluster jobs: ``--launcher slurm`` submits each unit of a table as one Slurm job through submitit.

``local`` (the default) is :func:`srrepro.jobs.run_jobs`' own process pool: one unit per GPU or CPU core.
``slurm`` submits every unit (one model: train, then score) as one task of a Slurm job array; all of them share the
``runs/`` cache on a shared filesystem, so the model locks, reuse across tables and resumption work exactly as on
one machine. A unit that is preempted or runs out of time is requeued by submitit (up to ``max_num_timeout``
times) and resumes its training from its last ``checkpoint.pt``; scores already computed are cached. The driver
(the ``srrepro reproduce`` process) waits and writes the table's CSV when the last unit finishes. If the driver
dies, run the same command again: finished units are then cache hits and cost seconds.

``submitit-local`` takes the same path with submitit's local executor (every unit its own process, all at once,
no Slurm): what CI runs to test this module.
"""
from __future__ import annotations

import time
from pathlib import Path

from .errors import SrreproError

LAUNCHERS = ("local", "slurm", "submitit-local")
# submitit's shared parameter names (any other key is a Slurm one: "partition" → slurm_partition)
GENERIC = {"name", "timeout_min", "mem_gb", "nodes", "cpus_per_task", "gpus_per_node", "tasks_per_node"}
SLURM_DEFAULTS = {"timeout_min": 72 * 60, "gpus_per_node": 1, "tasks_per_node": 1, "cpus_per_task": 8,
                  "mem_gb": 48, "slurm_array_parallelism": 64}
POLL_S = 5.0


class LaunchError(SrreproError, RuntimeError):
    pass


def parse_option(text: str) -> tuple[str, object]:
    """``"partition=gpu"`` → ``("slurm_partition", "gpu")``; numbers become int / float (submitit checks types)."""
    key, sep, value = text.partition("=")
    if not sep or not key:
        raise ValueError(f"a Slurm option is KEY=VALUE (e.g. partition=gpu, timeout_min=2880), not {text!r}")
    for kind in (int, float):
        try:
            value = kind(value)
            break
        except ValueError:
            pass
    if key not in GENERIC and not key.startswith("slurm_"):
        key = f"slurm_{key}"
    return key, value


class Unit:
    """One unit inside its job. Preempted or timed out, submitit calls ``checkpoint`` (its protocol is this method's
    presence) and requeues the returned call, the same one: nothing needs saving here, because training checkpoints
    itself (``checkpoint.pt``) and resumes from it."""

    def __call__(self, ctx, table, group, threads):
        from .jobs import _run_group_in_worker

        return _run_group_in_worker(ctx, table, group, threads)

    def checkpoint(self, *args, **kwargs):
        from submitit.helpers import DelayedSubmission

        return DelayedSubmission(self, *args, **kwargs)


def _last_error(text: str) -> str:
    """The exception line of a submitit failure (its message is a traceback between dashed rules, then paths)."""
    parts = [p for p in text.split("-" * 22) if "Traceback" in p]
    lines = [ln for ln in (parts[-1] if parts else text).strip().splitlines() if ln.strip()]
    return lines[-1].strip() if lines else "no error message"


def executor(ctx, table: str):
    import submitit  # imported here: only the cluster launchers need it

    folder = Path(ctx.work_dir) / "submitit" / table
    cluster = "local" if ctx.launcher == "submitit-local" else "slurm"
    ex = submitit.AutoExecutor(folder=folder, cluster=cluster)
    params = {"name": f"srrepro-{table}", "timeout_min": 60}
    if cluster == "slurm":
        params.update(SLURM_DEFAULTS)
    params.update(dict(ctx.slurm or {}))
    ex.update_parameters(**params)
    return ex


def submit_tasks(ctx, table: str, tasks: dict, threads: int, bar=None) -> dict:
    """Run ``tasks`` ({key: [(job, evals)]}) as one submitit job each; returns {key: the unit's results}."""
    if ctx.launcher not in LAUNCHERS[1:]:
        raise LaunchError(f"unknown launcher {ctx.launcher!r}; valid: {', '.join(LAUNCHERS)}")
    from submitit.core.utils import FailedJobError, UncompletedJobError

    ex = executor(ctx, table)
    unit = Unit()
    keys = list(tasks)
    with ex.batch():  # one Slurm job array for the table
        submitted = [ex.submit(unit, ctx, table, tasks[k], threads) for k in keys]
    pending = dict(zip(keys, submitted))
    results = {}
    while pending:
        for k, job in list(pending.items()):
            if job.done():
                try:
                    results[k] = job.result()
                except (FailedJobError, UncompletedJobError) as e:  # say which unit failed and where its log is
                    raise LaunchError(f"{table}: unit {k} (job {job.job_id}) failed: {_last_error(str(e))}; its "
                                      f"log: {job.paths.stderr}") from e
                del pending[k]
                if bar is not None:
                    bar.update(1)
        if pending:
            time.sleep(POLL_S if ctx.launcher == "slurm" else 0.5)
    return results
