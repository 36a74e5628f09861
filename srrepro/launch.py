"""Units as cluster jobs: ``--launcher slurm`` submits each unit of a table as one Slurm job through submitit.

``local`` (the default) is :func:`srrepro.jobs.run_jobs`' own process pool: one unit per GPU or CPU core.
``slurm`` submits every unit (one model: train, then score) as one task of a Slurm job array; all of them share the
``runs/`` cache on a shared filesystem, so the model locks, reuse across tables and resumption work exactly as on
one machine. A unit that is preempted or runs out of time (SIGTERM or USR2) saves ``checkpoint.pt`` at the end of
the iteration in progress and is requeued by submitit (up to ``max_num_timeout`` times after a time limit), then
resumes there (:class:`Unit`); scores already computed are cached. The driver
(the ``srrepro reproduce`` process) waits and writes the table's CSV when the last unit finishes. If the driver
dies, run the same command again: finished units are then cache hits and cost seconds.

``submitit-local`` takes the same path with submitit's local executor (every unit its own process, all at once,
no Slurm): what CI runs to test this module.
"""
from __future__ import annotations

import signal
import sys
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
    """One unit inside its job, following submitit's checkpointing protocol (this class's ``checkpoint`` method).

    Preempted (SIGTERM), or warned of its time limit or of preemption (USR2, ``--signal=USR2@90``), a unit stops
    at the end of the training iteration in progress, saves ``checkpoint.pt`` there (:mod:`srrepro.train`'s
    Ctrl-C path), and only then hands over to submitit, which calls ``checkpoint`` and requeues the returned call:
    the same one, which resumes that checkpoint and loses nothing but the interrupted iteration. Outside training
    (waiting for a lock, scoring: each score is cached when done) the unit stops at once.

    ``run_group(ctx, table, group, threads)`` runs the unit's jobs (the engine's ``srrepro.jobs.run_group``, passed
    in: this module knows how to launch a unit, not what a unit does)."""

    def __init__(self, run_group):
        self.run_group = run_group

    def __call__(self, ctx, table, group, threads):
        requeue = signal.getsignal(_USR2)  # submitit's: calls self.checkpoint, saves the call, requeues the job
        stopped: list[int] = []

        def stop(signum, frame):  # a KeyboardInterrupt, as Ctrl-C; train.deferred_interrupts holds it to the step's end
            if not stopped:
                stopped.append(signum)
                raise KeyboardInterrupt

        old = {sig: signal.signal(sig, stop) for sig in (signal.SIGTERM, _USR2)}
        try:
            return self.run_group(ctx, table, group, threads)
        except KeyboardInterrupt:
            if not (stopped and _is_submitit_handler(requeue)):
                raise
        finally:
            for sig, handler in old.items():
                signal.signal(sig, handler)
        print(f"srrepro: {signal.Signals(stopped[0]).name}: checkpoint saved, requeueing the unit", file=sys.stderr,
              flush=True)
        requeue(stopped[0], None)  # submitit: exits this process; the requeued call resumes the checkpoint
        raise KeyboardInterrupt  # (only if submitit did not exit)

    def checkpoint(self, *args, **kwargs):
        from submitit.helpers import DelayedSubmission

        return DelayedSubmission(self, *args, **kwargs)


_USR2 = getattr(signal, "SIGUSR2", signal.SIGTERM)


def _is_submitit_handler(handler) -> bool:
    """Whether ``handler`` is the preemption handler submitit installs in its jobs (elsewhere a Ctrl-C stays one)."""
    try:
        from submitit.core.job_environment import SignalHandler
    except ImportError:
        return False
    return isinstance(getattr(handler, "__self__", None), SignalHandler)


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


def submit_tasks(ctx, table: str, tasks: dict, threads: int, run_group, bar=None) -> dict:
    """Run ``tasks`` ({key: [(job, evals)]}) as one submitit job each, each through ``run_group`` (see
    :class:`Unit`); returns {key: the unit's results}."""
    if ctx.launcher not in LAUNCHERS[1:]:
        raise LaunchError(f"unknown launcher {ctx.launcher!r}; valid: {', '.join(LAUNCHERS)}")
    from submitit.core.utils import FailedJobError, UncompletedJobError

    ex = executor(ctx, table)
    unit = Unit(run_group)
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
