"""The study engine (srrepro.jobs / plan / verdicts): a toy paper module in a few dozen lines, units side by side
with the same numbers as one after another, one model trained once for two tables at once, a killed unit's lock
taken over and its training resumed, intervals that mean what they say, and a rule that raises shown as an error."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
import types

import numpy as np
import pandas as pd
import pytest

from srrepro import jobs, tables
from srrepro.verdicts import Claim, decide, judge, paired_interval, scores

# ------------------------------------------------------------------------------------------ a toy paper module
TOY = '''
from srrepro.jobs import Job, size, train_config
from srrepro.tables import Layout, TableSpec
from srrepro.verdicts import Claim, Verdict, beats_per_cell

GRID = {"smoke": {"datasets": ("Set5",)}, "lite": {"datasets": ("Set5", "Set14")}, "paper": {}}


def wide_vs_narrow_jobs(ctx):
    out = []
    for width in (8, 12):
        for seed in range(ctx.n_seeds):
            cfg = train_config(ctx, "carn", "carn_m", {**size("carn", ctx.profile), "n_feats": width}, seed,
                               scales=(2,))
            out.append(Job.train({"width": width, "seed": seed}, [{"dataset": d, "scale": 2.0}
                                 for d in ctx.grid["datasets"]], cfg, "carn"))
    return out


def count_rows(ctx):
    import pandas as pd
    from srrepro.models import params_of
    return pd.DataFrame([{"width": w, "params": params_of("carn_m", scale=2, n_feats=w)} for w in (8, 12)])


SPECS = {
    "toy_train": TableSpec(
        id="toy_train", title="Toy: wider beats narrower", paper="study", source="toy", description="toy",
        keys=["width", "dataset", "scale", "seed"], metrics=["psnr", "ssim"], jobs=wide_vs_narrow_jobs, grid=GRID,
        layout=Layout(("dataset",), ("width",)),
        claims=[Claim("wider", "12 features beat 8", "toy", beats_per_cell("width", 12, 8), trained=True,
                      kind="direction")]),
    "toy_exact": TableSpec(
        id="toy_exact", title="Toy: parameter counts", paper="study", source="toy", description="toy",
        keys=["width"], metrics=["params"], run=count_rows,
        claims=[Claim("grows", "more features, more parameters", "toy", kind="direction", check=
                      lambda df, p: Verdict("holds" if df.params.is_monotonic_increasing else "contradicted",
                                            f"{list(df.params)}"))]),
}
'''


@pytest.fixture
def toy(monkeypatch):
    module = types.ModuleType("srrepro.tables.toy")
    exec(TOY, module.__dict__)
    monkeypatch.setitem(sys.modules, "srrepro.tables.toy", module)
    for tid in module.SPECS:
        monkeypatch.setitem(tables.TABLES, tid, "srrepro.tables.toy")
    return module


def test_a_toy_paper_module_runs_at_smoke(toy, tmp_path, data_root):
    res = tables.reproduce("toy_train", "smoke", results_dir=tmp_path, work_dir=tmp_path / "runs", progress=False)
    assert len(res.rows) == 2 and res.rows["psnr"].notna().all() and res.verdicts["wider"].status == "inconclusive"
    assert (tmp_path / "smoke" / "toy_train.csv").exists() and (tmp_path / "smoke" / "toy_train.scores.csv.gz").exists()
    assert set(res.images["config_hash"]) == set(res.rows["config_hash"])  # every row has its per-image scores
    assert set(res.images["checkpoint"]) == {1.0}  # 2 iterations: no distinct 25/50/75 % steps to keep
    longer = tables.reproduce("toy_train", "smoke", iterations=8, results_dir=tmp_path, work_dir=tmp_path / "runs",
                              progress=False)
    assert sorted(set(longer.images["checkpoint"])) == [0.25, 0.5, 0.75, 1.0]  # every kept snapshot is scored
    exact = tables.reproduce("toy_exact", "smoke", results_dir=tmp_path, progress=False)
    assert exact.verdicts["grows"].status == "holds"
    assert "runs, estimated" in str(tables.plan("toy_train", "smoke"))
    loaded = tables.load("toy_train", "smoke", tmp_path)  # the book's path: CSV + sidecar, no computation
    assert loaded.images is not None and len(loaded.images) == len(res.images)


def test_units_side_by_side_give_the_numbers_of_one_after_another(toy, tmp_path, data_root):
    kw = dict(results_dir=tmp_path, progress=False, write=False, seeds=2)
    serial = tables.reproduce("toy_train", "smoke", workers=1, work_dir=tmp_path / "a", **kw).rows
    side = tables.reproduce("toy_train", "smoke", workers=2, work_dir=tmp_path / "b", **kw).rows
    cols = ["width", "seed", "psnr", "ssim", "final_loss"]
    pd.testing.assert_frame_equal(serial[cols], side[cols])  # bit-identical: one thread per unit either way
    assert set(side["torch_threads"]) == {1}


def _python(code: str, **env) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", textwrap.dedent(code)], env={**os.environ, **env},
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


SHARED = """
    import sys, types
    from srrepro import tables
    module = types.ModuleType("srrepro.tables.toy"); exec({toy!r}, module.__dict__)
    sys.modules["srrepro.tables.toy"] = module
    for tid in module.SPECS: tables.TABLES[tid] = "srrepro.tables.toy"
    import dataclasses
    spec = module.SPECS["toy_train"]
    tables.TABLES["{tid}"] = "srrepro.tables.toy"; module.SPECS["{tid}"] = dataclasses.replace(spec, id="{tid}")
    tables.reproduce("{tid}", "smoke", iterations=60, seeds=1, only={{"width": [8]}}, results_dir=r"{res}",
                     work_dir=r"{runs}", progress=False, workers=1)
"""


def test_two_tables_that_share_a_model_train_it_once(toy, tmp_path, data_root):
    runs = tmp_path / "runs"
    procs = [_python(SHARED.format(toy=TOY, tid=tid, res=tmp_path, runs=runs)) for tid in ("toy_a", "toy_b")]
    for p in procs:
        out, _ = p.communicate(timeout=300)
        assert p.returncode == 0, out
    model_dirs = list(runs.glob("*/*/model.pt"))
    assert len(model_dirs) == 1, model_dirs  # one run dir, under whichever table got the lock first
    reused = [pd.read_csv(f, keep_default_na=False)["reused_from"].iloc[0] for f in tmp_path.glob("custom/toy_*/*.csv")]
    assert sorted(bool(r) for r in reused) == [False, True], reused  # one trained it, the other waited and reused


KILLABLE = """
    from srrepro import jobs, tables
    from srrepro.papers.overnet import spec as ov
    c = tables.context(tables.get("overnet_t4"), "smoke", iterations=60, work_dir=r"{runs}", data_root=r"{data}")
    jobs.trained_model(c, "overnet_t4", ov.overnet_config(c, 0, 2))
"""


def test_a_killed_unit_leaves_its_lock_to_the_rerun_which_resumes(tmp_path, data_root):
    import torch
    from filelock import FileLock

    from srrepro.papers.overnet import spec as ov

    runs = tmp_path / "runs"
    c = tables.context(tables.get("overnet_t4"), "smoke", iterations=60, work_dir=runs, data_root=str(data_root))
    cfg = ov.overnet_config(c, 0, 2)
    h = jobs.model_hash(cfg, "smoke")
    p = _python(KILLABLE.format(runs=runs, data=data_root))
    ckpt = runs / "overnet_t4" / h / "checkpoint.pt"
    deadline = time.time() + 120
    while not ckpt.exists() and time.time() < deadline and p.poll() is None:
        time.sleep(0.05)
    p.send_signal(signal.SIGKILL)  # no Ctrl-C handler runs: the lock and a half-done run stay behind
    p.wait()
    assert ckpt.exists() and not (runs / "overnet_t4" / h / "model.pt").exists()
    assert (runs / "locks" / f"{h}.lock").exists()
    step = torch.load(ckpt, weights_only=True)["step"]
    assert 0 < step < 60
    with FileLock(runs / "locks" / f"{h}.lock", timeout=20):  # a dead process holds no lock (else a Timeout here)
        pass
    run_dir, info = jobs.trained_model(c, "overnet_t4", cfg)
    assert info["iterations"] == 60 and run_dir == runs / "overnet_t4" / h
    resumed = torch.load(run_dir / "model.pt", weights_only=True)
    c2 = tables.context(tables.get("overnet_t4"), "smoke", iterations=60, work_dir=tmp_path / "clean",
                        data_root=str(data_root))
    clean_dir, _ = jobs.trained_model(c2, "overnet_t4", cfg)
    clean = torch.load(clean_dir / "model.pt", weights_only=True)
    assert all(torch.equal(resumed[k], clean[k]) for k in clean)  # resume == uninterrupted, bit for bit


# ------------------------------------------------------------------------------------------ statistics
def _arm(values: np.ndarray) -> pd.Series:
    s, i = values.shape
    idx = pd.MultiIndex.from_product([range(s), [f"im{k}" for k in range(i)]], names=["seed", "image"])
    return pd.Series(values.ravel(), index=idx)


def test_the_interval_covers_the_true_gap_about_95_percent_of_the_time():
    rng = np.random.default_rng(7)
    hits, trials = 0, 200
    for _ in range(trials):  # 3 seeds × 20 images: seed effect σ 0.05 dB, image noise σ 0.1 dB, true gap 0.03
        d = 0.03 + rng.normal(0, 0.05, (3, 1)) + rng.normal(0, 0.1, (3, 20))
        lo, hi = paired_interval(d, draws=400)
        hits += lo <= 0.03 <= hi
    assert hits / trials >= 0.9, hits / trials


def test_two_seeds_need_students_t_not_two_standard_errors():
    a, b = _arm(np.array([[30.3], [30.1]])), _arm(np.array([[30.0], [30.0]]))
    c = decide(a, b)  # both seeds agree (+0.3, +0.1) and the gap is 2 SE: the old rule said "holds"
    assert c.status == "inconclusive" and c.lo < 0 < c.hi


def test_images_pair_across_arms_and_seeds():
    rng = np.random.default_rng(0)
    base = rng.normal(30, 2, (3, 10))  # image difficulty dominates, but it cancels in the paired gap
    c = decide(_arm(base + 0.1 + rng.normal(0, 0.01, (3, 10))), _arm(base))
    assert c.status == "holds" and c.n_seeds == 3 and c.n_images == 10 and 0.08 < c.lo < c.gap < c.hi < 0.12


def test_scores_read_the_sidecar_at_each_checkpoint():
    rows = pd.DataFrame({"arm": ["a", "b"], "seed": [0, 0], "psnr": [31.0, 30.0], "config_hash": ["h1", "h2"]})
    images = pd.DataFrame({"config_hash": ["h1", "h1", "h2", "h2"] * 2, "checkpoint": [0.5] * 4 + [1.0] * 4,
                           "image": ["x", "y"] * 4, "psnr": [29, 29, 30, 30, 31, 31, 30, 30], "ssim": 0.9})
    rows.attrs = {"images": images}
    assert list(scores(rows, {"arm": "a"})) == [31, 31]
    rows.attrs["checkpoint"] = 0.5
    assert list(scores(rows, {"arm": "a"})) == [29, 29]


def test_an_arm_without_rows_is_not_run_beside_a_sidecar():
    """One arm trained (per-image scores in the sidecar), the other absent at this profile: "not run", no error."""
    rows = pd.DataFrame({"arm": ["a"], "seed": [0], "psnr": [31.0], "config_hash": ["h1"]})
    rows.attrs = {"images": pd.DataFrame({"config_hash": "h1", "checkpoint": 1.0, "image": ["x", "y"],
                                          "psnr": [31.0, 31.0], "ssim": 0.9})}
    assert decide(scores(rows, {"arm": "a"}), scores(rows, {"arm": "b"})).status == "not run"
    assert decide(scores(rows, {"arm": "b"}), scores(rows, {"arm": "a"})).status == "not run"


def test_a_rule_that_raises_is_an_error_not_inconclusive():
    def broken(df, profile):
        raise KeyError("psnr_x9")

    v = judge([Claim("c", "text", "src", broken, kind="direction")], pd.DataFrame({"psnr": [1.0]}), "lite")["c"]
    assert v.status == "error" and "KeyError" in v.evidence


def test_verdict_carries_budget_and_trend(toy):
    rows = pd.DataFrame({"width": [12, 8] * 3, "seed": [0, 0, 1, 1, 2, 2], "dataset": "Set5", "scale": 2.0,
                         "psnr": [30.2, 30.0, 30.25, 30.0, 30.22, 30.0], "config_hash": [f"h{i}" for i in range(6)],
                         "iterations": 500, "family": "carn"})
    images = pd.concat([pd.DataFrame({"config_hash": h, "checkpoint": f, "image": ["x", "y"],
                                      "psnr": p + (0.1 * (f - 1) if i % 2 == 0 else 0), "ssim": 0.9})
                        for i, (h, p) in enumerate(zip(rows.config_hash, rows.psnr)) for f in (0.25, 0.5, 0.75, 1.0)])
    v = tables.judge(toy.SPECS["toy_train"], rows, "lite", images)["wider"]
    assert v.status == "holds" and v.budget == "500 of 6×10⁵ iterations (0.083 %)"
    assert "held over the last half" in v.trend and set(v.curve) == {0.25, 0.5, 0.75, 1.0}


def test_one_seed_and_a_handful_of_images_decide_nothing():
    two = decide(_arm(np.array([[30.4, 30.5]])), _arm(np.array([[30.0, 30.0]])))
    assert two.status == "inconclusive"  # a bootstrap over two numbers cannot make a 95 % interval
    many = decide(_arm(np.array([[30.4, 30.5, 30.45, 30.42, 30.48, 30.5]])), _arm(np.full((1, 6), 30.0)))
    assert many.status == "holds"


def test_seed_advice_speaks_the_gaps_unit():
    from srrepro.verdicts import compare_gaps, verdict_of

    d = np.array([[0.05], [-0.01], [0.04]])  # three seeds, one gap each: inconclusive
    psnr = verdict_of(compare_gaps(d, per_image=False), "A − B")
    lpips = verdict_of(compare_gaps(d, per_image=False), "A − B LPIPS", unit="")
    assert psnr.status == lpips.status == "inconclusive"
    assert "σ = 0.032 dB" in psnr.needed
    assert "dB" not in lpips.needed and "σ = 0.032, gap +0.027)" in lpips.needed


def test_a_claim_over_psnr_and_ssim_shows_the_deciding_metric_and_never_pools_the_units():
    from srrepro.verdicts import combine_metrics, compare_gaps

    rng = np.random.default_rng(0)
    psnr = compare_gaps(0.30 + 0.05 * rng.standard_normal((3, 20)))  # dB, clearly above zero
    ssim = compare_gaps(0.0005 + 0.01 * rng.standard_normal((3, 20)))  # unitless, undecided
    v = combine_metrics([("psnr", psnr), ("ssim", ssim)], "A − B")
    assert v.status == "inconclusive"  # both must hold
    # the interval shown is the one that decided (SSIM's, undecided), never a pool of dB with SSIM
    assert abs(v.gap - ssim.gap) < 1e-12 and v.lo < 0 < v.hi and v.decided_by.startswith("SSIM")
    assert "PSNR +0.3" in v.evidence and " dB (holds)" in v.evidence and "SSIM +0.00" in v.evidence
    assert v.needed.startswith("SSIM needs") and "dB" not in v.needed
    assert combine_metrics([("psnr", psnr), ("ssim", ssim)], "A − B", all_needed=False).status == "holds"


# ------------------------------------------------------------------------------------------ cluster launcher
def test_the_slurm_path_runs_each_unit_as_its_own_job_and_assembles_the_same_csv(toy, tmp_path, data_root):
    """--launcher slurm through submitit's local executor: each unit a separate job (its own process, its own
    submitit job folder), the table's CSV assembled from their results equal to a local run's."""
    kw = dict(progress=False, seeds=2)
    local = tables.reproduce("toy_train", "smoke", workers=1, work_dir=tmp_path / "a", results_dir=tmp_path / "ra",
                             **kw)
    jobs_dir = tmp_path / "b" / "submitit" / "toy_train"
    sub = tables.reproduce("toy_train", "smoke", launcher="submitit-local", work_dir=tmp_path / "b",
                           results_dir=tmp_path / "rb", **kw)
    results = sorted(jobs_dir.glob("*_result.pkl"))
    assert len({p.name.split("_")[0] for p in results}) == 4, results  # 2 widths × 2 seeds: four jobs, four ids
    cols = ["width", "seed", "dataset", "psnr", "ssim", "final_loss", "config_hash"]
    pd.testing.assert_frame_equal(local.rows[cols], sub.rows[cols])
    a, b = pd.read_csv(local.csv_path), pd.read_csv(sub.csv_path)
    pd.testing.assert_frame_equal(a[cols], b[cols])
    pd.testing.assert_frame_equal(local.images.reset_index(drop=True), sub.images.reset_index(drop=True))


def test_a_failed_cluster_unit_names_itself_and_its_log(toy, tmp_path, data_root):
    from srrepro import launch

    bad = tables.context(tables.get("toy_train"), "smoke", launcher="submitit-local", work_dir=tmp_path,
                         data_root=str(data_root), progress=False)
    job = toy.wide_vs_narrow_jobs(bad)[0]
    job.config.model = "no_such_model"  # build_model raises inside the job
    with pytest.raises(launch.LaunchError, match=r"unit k \(job \d+\) failed: .*UnknownModelError: unknown model "
                                                 r"'no_such_model'.*; its log: .*_log\.err$"):
        launch.submit_tasks(bad, "toy_train", {"k": [(job, job.evals)]}, threads=1, run_group=jobs.run_group_in_worker)


def test_slurm_options_reach_the_sbatch_script(tmp_path, monkeypatch):
    from srrepro import launch

    fake = tmp_path / "bin"
    fake.mkdir()
    (fake / "srun").write_text("#!/bin/sh\nexit 0\n")
    (fake / "srun").chmod(0o755)
    monkeypatch.setenv("PATH", f"{fake}:{os.environ['PATH']}")  # submitit checks for srun before it writes a script
    opts = dict(launch.parse_option(o) for o in ("partition=gpu", "timeout_min=2880", "array_parallelism=8"))
    assert opts == {"slurm_partition": "gpu", "timeout_min": 2880, "slurm_array_parallelism": 8}
    c = tables.context(tables.get("overnet_t2"), "paper", launcher="slurm", slurm=opts, work_dir=tmp_path)
    script = launch.executor(c, "overnet_t2")._executor._make_submission_file_text("python -m unit", "uid")
    for line in ("--partition=gpu", "--time=2880", "--gpus-per-node=1", "--signal=USR2@90",
                 "--job-name=srrepro-overnet_t2"):
        assert f"#SBATCH {line}" in script, line  # USR2 before the time limit: submitit checkpoints and requeues
    with pytest.raises(ValueError, match="KEY=VALUE"):
        launch.parse_option("partition")


# ------------------------------------------------------------------------------------------ two-stage training
def test_a_second_stage_starts_from_its_first_and_its_hash_covers_it(tmp_path, data_root):
    """PCARN's GAN stage: stage 1 is trained (or reused) first, stage 2 starts from its weights; with lr 0 the
    stage-2 model is stage 1's, bit for bit (from a fresh initialization it could not be)."""
    import dataclasses

    import torch

    from srrepro.papers.pcarn import spec as pcarn

    c = tables.context(tables.get("pcarn_t2"), "smoke", work_dir=tmp_path / "runs", data_root=str(data_root))
    stage1 = pcarn.ablation_config(c, 0)
    frozen = dataclasses.replace(pcarn.gan_config(c, 0, 1), lr=0.0)
    run2, info2 = jobs.trained_model(c, "pcarn_t2", frozen, pretrained_from=stage1)
    run1, info1 = jobs.trained_model(c, "pcarn_t2", stage1)
    assert info1["reused_from"] and info2["pretrained_hash"] == jobs.model_hash(stage1, "smoke")  # trained once
    w1, w2 = (torch.load(r / "model.pt", weights_only=True) for r in (run1, run2))
    assert w1.keys() == w2.keys() and all(torch.equal(w1[k], w2[k]) for k in w1)
    other_seed = pcarn.ablation_config(c, 1)
    assert len({jobs.model_hash(frozen, "smoke"), jobs.model_hash(frozen, "smoke", stage1),
                jobs.model_hash(frozen, "smoke", other_seed)}) == 3
    with pytest.raises(ValueError, match="pretrained_from"):
        jobs.Job.train({}, [], dataclasses.replace(frozen, pretrained="x.pt"), "pcarn_gan", pretrained_from=stage1)


def test_released_weights_are_scored_once_and_read_back(tmp_path, data_root, monkeypatch):
    """An official job caches its per-image scores under <work_dir>/official/<name>/: a rerun (or another table
    asking for the same eval) reads them instead of super-resolving again."""
    ctx = tables.RunContext(profile="smoke", data_root=str(data_root), work_dir=tmp_path, progress=False)
    job = jobs.Job.official({"model": "CARN-M", "seed": 0}, [{"dataset": "Set5", "scale": 4.0}], "carn_m")
    rows, images = jobs.run_job(ctx, "toy", job, job.evals)
    assert rows[0]["status"] == "ok (first 1 images)" and len(list((tmp_path / "official" / "carn_m").rglob("*.csv"))) == 1

    def no_inference(*a, **k):
        raise AssertionError("scored again")
    monkeypatch.setattr("srrepro.evaluate.evaluate", no_inference)
    again, _ = jobs.run_job(ctx, "other_table", job, job.evals)
    assert again[0]["psnr"] == rows[0]["psnr"]


class _NanOnSecondCall(__import__("torch").nn.Module):
    def __init__(self):
        super().__init__()
        import torch.nn as nn

        self.conv, self.calls = nn.Conv2d(3, 3, 3, padding=1), 0

    def forward(self, x, scale=2):
        import torch.nn.functional as F

        self.calls += 1
        y = F.interpolate(self.conv(x), scale_factor=2)
        return y * float("nan") if self.calls >= 2 else y


def _test_engine_nan():
    return _NanOnSecondCall()


def test_a_diverged_run_is_a_row_with_its_curve_where_the_table_studies_stability(tmp_path, data_root):
    """edsr_resscale's jobs (curve=True): a run whose loss turns NaN gives rows saying where, with the learning curve
    up to it and no scores; elsewhere the divergence still stops the table."""
    from srrepro.jobs import Job, train_config
    from srrepro.models import register_model

    register_model(_test_engine_nan)
    ctx = tables.RunContext(profile="smoke", data_root=str(data_root), work_dir=tmp_path, progress=False)
    config = train_config(ctx, "edsr", "_test_engine_nan", {}, 0, iterations=3, scales=(2,), log_every=1)
    ev = [{"dataset": "Set5", "scale": 2.0}]
    rows, images = jobs.run_job(ctx, "toy", Job.train({"model": "nan", "seed": 0}, ev, config, "edsr", curve=True), ev)
    assert rows[0]["status"] == "diverged at iteration 2" and rows[0]["diverged_at"] == 2 and images.empty
    assert "psnr" not in rows[0] and rows[0]["curve_step"] == "1;2"
    assert jobs.curve_of(rows[0])["step"].tolist() == [1.0, 2.0]
    with pytest.raises(Exception, match="at iteration 2"):
        jobs.run_job(ctx, "toy", Job.train({"model": "nan", "seed": 0}, ev, config, "edsr"), ev)
