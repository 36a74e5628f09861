"""One pool for many tables (``srrepro reproduce A B C …``, ``--all``, ``make reproduce-all``).

The units of every table go into one process pool, as :func:`srrepro.book_plan.book_plan` lists them: each model once
across tables (with every scoring pass any table asks of it), the longest ready unit first onto the next free
worker (one per GPU, or per core), a second stage only once its stage 1 has finished. Units leave their models and
per-image scores in the engine's caches (``runs/``); each table's CSV is then written by ``tables.reproduce``, which
finds them there. Tables that run their own code are not pool units: ``tables.reproduce`` runs them.
"""
from __future__ import annotations

from concurrent.futures import FIRST_COMPLETED, wait


def _run_unit(work: list, threads: int | None) -> None:
    import os
    from dataclasses import replace

    from . import lifeline
    from .jobs import _worker_run, trained_model

    with lifeline.busy():  # as run_jobs' workers: a stop lets the unit save its checkpoint first
        for item in work:
            if item[0] == "stage1":  # a stage 1 no table scores: trained (or reused) only
                _, ctx, table, cfg = item
                device = os.environ.get("SRREPRO_WORKER_DEVICE")
                trained_model(replace(ctx, device=device) if device else ctx, table, cfg, threads)
            else:
                ctx, table, job, evs = item
                _worker_run(ctx, table, job, evs, threads)


def ready_order(units: list, done: set[str]) -> list:
    """Units whose stage 1 (if any) is done, longest first (a stage 1 with its stage 2): the order :func:`srrepro.book_plan.schedule` assumes."""
    from .book_plan import priority

    keys, prio = {u.key for u in units}, priority(units)
    return sorted((u for u in units if u.after not in keys or u.after in done), key=lambda u: (-prio[u.key], u.key))


def run_pool(ids: list[str], profile: str, workers: int | None = None, threads: int | None = None,
             progress: bool = True, **knobs) -> None:
    """Train and score every unit of tables ``ids`` at ``profile`` (see the module docstring)."""
    from tqdm.auto import tqdm

    from . import tables
    from .jobs import UNIT_THREADS, can_spawn, default_workers, unit_devices, worker_pool
    from .book_plan import book_plan

    plan = book_plan(ids, profile, workers=workers, threads=threads, **knobs)
    todo = [u for u in plan.units if u.work and not u.key.startswith("table:")]
    ctx = tables.context(tables.get(ids[0]), profile, workers=workers, threads=threads, **knobs)
    n = workers or default_workers(ctx, len(todo))[0]
    devices = unit_devices(ctx, n)  # an explicit --workers N spreads over the GPUs too (as run_jobs)
    threads = threads or UNIT_THREADS
    bar = tqdm(total=len(todo), desc="units", unit="unit", disable=not progress, dynamic_ncols=True)
    done: set[str] = set()
    if n <= 1 or not can_spawn():
        while todo:
            u = ready_order(todo, done)[0]
            _run_unit(u.work, threads)
            todo.remove(u)
            done.add(u.key)
            bar.update(1)
        bar.close()
        return
    try:  # the engine's one pool: workers die with this process and stop (saving) on an error or a signal
        with worker_pool(n, devices) as pool:
            running = {}
            while todo or running:
                # at most one unit per worker in flight, so the longest ready unit is the next one to start
                for u in ready_order(todo, done)[:max(0, n - len(running))]:
                    running[pool.submit(_run_unit, u.work, threads)] = u
                    todo.remove(u)
                finished, _ = wait(running, return_when=FIRST_COMPLETED)
                for fut in finished:
                    fut.result()  # a unit's error ends the pool (the finished units stay cached)
                    done.add(running.pop(fut).key)
                    bar.update(1)
    finally:
        bar.close()
