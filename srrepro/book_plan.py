"""Many tables as one pool: each model trained once across the tables that need it, its units scheduled on
the GPUs (or CPU slots) of a machine — the plan of ``srrepro reproduce --all`` and of :mod:`srrepro.pool`.
Each unit is costed by :mod:`srrepro.plan`, the per-table plan."""
from __future__ import annotations

import heapq
import math
from dataclasses import dataclass, field

import pandas as pd

from . import tables
from .data import SrreproDataError
from .jobs import UNIT_THREADS, _eval_hash, _finished, model_hash, selected
from .plan import (DECODE_MPX_S, LR_BUILD_MPX_S, cpu_flops_rate, data_seconds, describe, duration, eval_data_seconds,
                   eval_flops, gpu_train_seconds, official_model, target)


@dataclass
class Unit:
    """One model of the pool (trained once, scored for every table that asks), or a table that runs its own code."""
    key: str  # the model hash; "official:<weights>"; "table:<id>"
    what: str
    tables: list[str] = field(default_factory=list)
    train_h: float = 0.0  # training + its data preparation
    eval_h: dict = field(default_factory=dict)  # scoring pass (by its cache key) → hours; a pass two tables share once
    after: str | None = None  # the unit that must finish first (a second stage's stage 1)
    cached: bool = False
    work: list = field(default_factory=list, repr=False)  # (ctx, table, job, evs) to run; ("stage1", ctx, table, cfg)

    @property
    def hours(self) -> float:
        return self.train_h + sum(self.eval_h.values())


def priority(units: list[Unit]) -> dict[str, float]:
    """A unit's hours plus those of the longest stage 2 waiting for it: a stage 1 that unblocks a long stage 2
    counts as long as the two together (the critical path goes first)."""
    longest_after: dict[str, float] = {}
    for u in units:
        if u.after:
            longest_after[u.after] = max(longest_after.get(u.after, 0.0), u.hours)
    return {u.key: u.hours + longest_after.get(u.key, 0.0) for u in units}


def schedule(units: list[Unit], slots: int) -> tuple[float, list[tuple[str, int, float, float]]]:
    """Longest-first list scheduling of ``units`` on ``slots`` GPUs: whenever a GPU is free it takes the longest
    unit (by :func:`priority`) whose ``after`` has finished (a stage 2 waits for its stage 1). Returns
    (makespan, [(key, unit's slot, start, end)])."""
    keys = {u.key for u in units}
    prio = priority(units)
    pending = sorted(units, key=lambda u: (-prio[u.key], u.key))
    free = [(0.0, i) for i in range(max(1, slots))]
    finish: dict[str, float] = {}
    out = []
    while pending:
        t, i = heapq.heappop(free)
        ready = [u for u in pending if u.after not in keys or finish.get(u.after, math.inf) <= t]
        if not ready:  # every unit left waits for one that is running: this GPU idles until the first ends
            heapq.heappush(free, (min(finish[u.after] for u in pending if u.after in finish), i))
            continue
        u = ready[0]
        pending.remove(u)
        finish[u.key] = t + u.hours
        out.append((u.key, i, t, finish[u.key]))
        heapq.heappush(free, (finish[u.key], i))
    return max(finish.values(), default=0.0), out


@dataclass
class BookPlan:
    profile: str
    units: list[Unit]
    per_table: dict[str, float]  # hours of each table's own plan: its models counted again in every table
    gpus: int = 1
    unit: str = "GPU-hours"  # what the hours are: GPU-hours (paper) or hours on this CPU
    missing: dict[str, list[str]] = field(default_factory=dict)  # item (with how to get it) → tables that need it
    notes: list[str] = field(default_factory=list)

    def total(self) -> float:
        return sum(u.hours for u in self.units)

    def makespan(self, slots: int | None = None) -> float:
        return schedule(self.units, slots or self.gpus)[0]

    def lower_bound(self, slots: int | None = None) -> float:
        """No schedule ends sooner: the longest stage-1 → stage-2 chain, or the work spread evenly."""
        by = {u.key: u for u in self.units}
        chain = max((u.hours + (by[u.after].hours if u.after in by else 0.0) for u in self.units), default=0.0)
        return max(chain, self.total() / (slots or self.gpus))

    def use(self, slots: int | None = None) -> float:
        span = self.makespan(slots)
        return self.total() / ((slots or self.gpus) * span) if span else 1.0

    def __str__(self) -> str:
        rows = [{"unit": u.key[:20], "what": u.what[:70], "tables": ",".join(u.tables)[:60],
                 "after": (u.after or "")[:12], "hours": round(u.hours, 2)}
                for u in sorted(self.units, key=lambda u: -u.hours)]
        lines = [pd.DataFrame(rows).to_string(index=False) if rows else "(nothing to run)"]
        models = sum(not u.key.startswith(("official:", "table:")) for u in self.units)
        lines.append(f"{len(self.per_table)} tables, {len(self.units)} units ({models} trained models, each once): "
                     f"{self.total():.1f} {self.unit} (summed per table, shared models counted in every table: "
                     f"{sum(self.per_table.values()):.1f})")
        for n in sorted({1, self.gpus}):
            span, bound = self.makespan(n), self.lower_bound(n)
            lines.append(f"on {n} GPU{'s' if n > 1 else ''}: makespan {duration(span * 3600)} "
                         f"(perfect packing {duration(bound * 3600)}, +{100 * (span / bound - 1) if bound else 0:.1f} %), "
                         f"GPU use {100 * self.use(n):.0f} %")
        if self.missing:
            lines.append("Missing from the data root (`srrepro doctor` says more):")
            lines += [f"  {item}: needed by {len(ts)} table(s) ({', '.join(ts[:6])}{', …' if len(ts) > 6 else ''})"
                      for item, ts in self.missing.items()]
        lines += self.notes
        return "\n".join(lines)


def _missing_inputs(ids: list[str], profile: str, root) -> tuple[dict[str, list[str]], str]:
    """Item (with its fetch command) → the tables that cannot compute without it, as ``srrepro doctor`` finds them."""
    from . import doctor
    from .data import data_root

    try:
        r = data_root(root)
    except SrreproDataError as e:
        return {f"the data root itself ({str(e).splitlines()[0]})": list(ids)}, ""
    items = doctor.inventory(r)
    fetch = {i.name: i.fetch for i in items}
    out: dict[str, list[str]] = {}
    for t, by_profile in doctor.table_matrix(items, [t for t in ids if t in doctor.NEEDS]).items():
        needed = [(n, "") for n in by_profile[profile]["missing"]]
        for name, how in needed + [(n, " (optional: its rows say not available)") for n in by_profile[profile]["without"]]:
            bare = name.split(" (")[0]
            out.setdefault(f"{name}{how}" + (f" — `{fetch[bare]}`" if fetch.get(bare) else ""), []).append(t)
    return out, str(r)


def book_plan(ids: list[str], profile: str, gpus: int = 1, gpu: str | None = None, **knobs) -> BookPlan:
    """The tables ``ids`` as one pool: each model once across tables (with every scoring pass any table asks of it,
    each once), its stage 1 a unit of its own that the stage 2 waits for; tables that run their own code are one
    unit each. Hours are GPU-hours at the paper profile (see :func:`target`), hours on this CPU below it."""
    from .train import estimate_seconds, model_kwargs

    paper = profile == "paper"
    units: dict[str, Unit] = {}
    per_table: dict[str, float] = {}
    tgt = None
    for t in ids:
        spec = tables.get(t)
        ctx = tables.context(spec, profile, **knobs)
        if spec.jobs is None or spec.plan is not None:  # the table's own code: one unit, costed by its own plan
            p = tables.plan(t, profile, gpu=gpu, **knobs)
            h = sum(r.get("gpu_hours", 0.0) if paper and "gpu_hours" in r else r.get("est_seconds", 0.0) / 3600
                    for r in p.runs)
            units[f"table:{t}"] = Unit(f"table:{t}", f"{t}'s own run", [t], train_h=h)
            per_table[t] = h
            continue
        threads = ctx.threads or UNIT_THREADS
        rate = cpu_flops_rate(ctx.device, threads) if profile != "smoke" else None
        if paper and tgt is None:
            tgt = target(ctx, gpu)

        def train_hours(cfg) -> float:
            if paper:
                return (gpu_train_seconds(cfg, tgt) + data_seconds(cfg)) / 3600
            return estimate_seconds(cfg, device=ctx.device, steps=1, threads=threads) / 3600

        def eval_hours(model, kwargs, ev) -> float:
            if rate is None:
                return 0.5 / 3600
            fl = eval_flops(model, kwargs, ev, ctx)
            return (fl / (tgt.kind.eval_tflops * 1e12) + eval_data_seconds(ev, ctx) if paper else fl / rate) / 3600

        mine: dict[str, float] = {}  # this table's own bill: every model it needs, as if no other table shared it
        for j in spec.jobs(ctx):
            evs = selected(j, ctx.only)
            if not evs or j.kind == "reported":
                continue
            if j.kind == "train":
                cfg = j.config
                key = j.hash(profile)
                if key not in units:
                    units[key] = Unit(key, " ".join(describe(cfg)), cached=_finished(ctx.work_dir, key) is not None)
                    units[key].train_h = 0.0 if units[key].cached else train_hours(cfg)
                u = units[key]
                mine[key] = u.train_h
                if j.pretrained_from is not None:
                    k1 = model_hash(j.pretrained_from, profile)
                    if k1 not in units:
                        c1 = j.pretrained_from
                        units[k1] = Unit(k1, " ".join(describe(c1)) + " (stage 1)",
                                         cached=_finished(ctx.work_dir, k1) is not None)
                        units[k1].train_h = 0.0 if units[k1].cached else train_hours(c1)
                        units[k1].work.append(("stage1", ctx, t, c1))
                    u.after = k1
                    mine[k1] = units[k1].train_h
                model, kwargs, n_ckpt = cfg.model, model_kwargs(cfg), len(cfg.snapshot_steps()) + 1
            else:
                model, kwargs, present = official_model(j, ctx)
                key = f"official:{j.weights}"
                u = units.setdefault(key, Unit(key, f"score released weights {j.weights}"
                                                    + ("" if present else " (file absent)")))
                n_ckpt = 1
            if t not in u.tables:
                u.tables.append(t)
            u.work.append((ctx, t, j, evs))
            for ev in evs:
                if model is None:
                    continue
                e = eval_hours(model, kwargs, ev) * n_ckpt
                u.eval_h[_eval_hash(ev, ctx, 1.0)] = e
                mine[f"{key} {_eval_hash(ev, ctx, 1.0)}"] = e
        per_table[t] = sum(mine.values())
    for u in units.values():  # a stage 1 no table scores is listed under the tables of its stage 2
        if not u.tables:
            u.tables = sorted({t for v in units.values() if v.after == u.key for t in v.tables})
    missing, root = _missing_inputs(ids, profile, knobs.get("data_root"))
    notes = []
    if paper:
        notes.append(f"GPU-hours on {(tgt or target(tables.context(tables.get(ids[0]), profile, **knobs), gpu)).label}. "
                     f"Each unit includes its scoring at every kept checkpoint and its data preparation (the training "
                     f"set decoded at {DECODE_MPX_S:g} Mpx/s and its LR images per integer scale at "
                     f"{LR_BUILD_MPX_S:g} Mpx/s, measured on a 2-core CPU); batches are assumed made while the GPU "
                     f"computes (DataLoader workers). Tables that run their own code count their own plan's hours.")
    else:
        notes.append("Hours on this machine (training timed over a step, scoring at its measured FLOP rate), one "
                     "unit per worker; '--gpus N' is then N workers side by side.")
    notes.append("Makespan: longest unit first onto the first free GPU, a stage 2 only after its stage 1 has "
                 "finished; perfect packing is max(longest stage-1 → stage-2 chain, total / GPUs).")
    if root:
        notes.append(f"Data root: {root}.")
    return BookPlan(profile, list(units.values()), per_table, gpus, "GPU-hours" if paper else "hours", missing, notes)
