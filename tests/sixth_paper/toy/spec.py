"""The toy paper's two tables: ToyNet's width ablation (trained) and its parameter count (exact)."""
from __future__ import annotations

import pandas as pd

from ...jobs import Job, size, train_config
from ...models import params_of
from ...tables import Claim, Layout, RunContext, TableSpec
from ...verdicts import beats_per_cell, exact

WIDTHS = {"ToyNet-4": 4, "ToyNet-8": 8}


def width_jobs(ctx: RunContext) -> list[Job]:
    evals = [{"dataset": d, "scale": 2.0} for d in ctx.grid["datasets"]]
    jobs = []
    for method, width in WIDTHS.items():
        kw = {**size("toynet", ctx.profile), "n_feats": width, "scale": 2}
        for seed in range(ctx.n_seeds):
            config = train_config(ctx, "toynet", "toynet", kw, seed, scales=(2,))
            jobs.append(Job.train({"method": method, "seed": seed}, evals, config, "toynet"))
    return jobs


def params_run(ctx: RunContext) -> pd.DataFrame:
    return pd.DataFrame([{"method": m, "params": params_of("toynet", n_feats=w, scale=2)} for m, w in WIDTHS.items()])


def _params_exact(df: pd.DataFrame, profile: str):
    return exact([(r.method, r.params, r.params_paper, 0) for r in df.itertuples()])


SPECS = {
    "toy_width": TableSpec(
        id="toy_width", title="Width ablation", paper="Toy", source="Toy Table 1",
        description="ToyNet at two widths, ×2 on Set5.", keys=["method", "dataset", "scale"], metrics=["psnr"],
        jobs=width_jobs, grid={"smoke": {"datasets": ("Set5",)}, "lite": {"datasets": ("Set5",)},
                               "paper": {"datasets": ("Set5",)}},
        claims=[Claim("width_helps", "The wider ToyNet is better.", "Toy §4",
                      beats_per_cell("method", "ToyNet-8", "ToyNet-4"), trained=True, kind="direction")],
        profiles={"smoke": "2 iterations", "lite": "500 iterations", "paper": "the paper's recipe"},
        layout=Layout(rows=("dataset", "scale"), cols=("method",)), family="toynet"),
    "toy_params": TableSpec(
        id="toy_params", title="Parameters", paper="Toy", source="Toy Table 2",
        description="ToyNet's parameter count, counted on the model built in memory.", keys=["method"],
        metrics=["params"], run=params_run,
        claims=[Claim("params_exact", "ToyNet has the printed parameters.", "Toy Table 2", _params_exact,
                      kind="exact")],
        profiles={"smoke": "counts", "lite": "counts", "paper": "counts"}),
}
