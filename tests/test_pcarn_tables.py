"""PCARN's specs: exact counts, the initialization figures' statistics, the released-checkpoint cells, and the
one-line refusals for the no-reference scores this study cannot compute."""
from __future__ import annotations

import math
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from srrepro import tables
from srrepro.papers.pcarn import spec as pcarn

PCARN_IDS = [t for t, m in tables.TABLES.items() if m == "srrepro.papers.pcarn.spec"]


def test_every_target_of_the_issue_is_a_table():
    assert sorted(PCARN_IDS) == sorted(["pcarn_t1", "pcarn_t2", "pcarn_t3", "pcarn_t4", "pcarn_t5", "pcarn_t6", "pcarn_f5", "pcarn_f6",
                                        "pcarn_f7", "pcarn_f8", "pcarn_f12", "pcarn_f9", "pcarn_f10",
                                        "pcarn_f11", "pcarn_f13"])


def test_table1_params_are_exact_and_truncate_to_the_printed_counts():
    ctx = tables.context(tables.get("pcarn_t1"), "paper")
    counts = {j.key["model"]: j.info["params"] for j in pcarn.t1_jobs(ctx)}
    assert counts == {"Baseline": 963_675, "+ Local": 1_074_843, "+ Global": 1_000_731, "+ L/G": 1_111_899,
                      "+ Residual": 1_111_899}
    v = pcarn._t1_params(pd.DataFrame([{"model": m, "params": p} for m, p in counts.items()]), "paper")
    assert v.status == "holds"
    wrong = pd.DataFrame([{"model": m, "params": p + (2000 if m == "Baseline" else 0)} for m, p in counts.items()])
    assert pcarn._t1_params(wrong, "paper").status == "contradicted"


def test_table1_and_table3_share_the_papers_pick():
    """'+ Residual' (Table 1) and 1.0 × U(±√(1/F)) (Table 3) are one model: one cached training at every profile."""
    from srrepro.jobs import model_hash

    for profile in ("lite", "paper"):
        ctx1 = tables.context(tables.get("pcarn_t1"), profile)
        ctx3 = tables.context(tables.get("pcarn_t3"), profile)
        a = next(j for j in pcarn.t1_jobs(ctx1) if j.key == {"model": "+ Residual", "seed": 0})
        b = next(j for j in pcarn.t3_jobs(ctx3) if j.key == {"init": "uniform1_x1", "seed": 0})
        assert model_hash(a.config, profile) == model_hash(b.config, profile)
        assert a.config.scales == (4,) and a.config.model_kwargs.get("scale") is None


def test_f8_counts_and_lite_widths():
    v = pcarn.f8_variants()
    assert len(v) == 15 and pcarn._f8_counts(v["G4R"])["params_ms"] == 414_811  # PCARN-M = G4R
    assert pcarn._f8_counts(v["PCARN"])["params_ms"] == 1_591_963
    ctx = tables.context(tables.get("pcarn_f8"), "lite")
    built = {j.key["model"]: j.config.model_kwargs.get("group") for j in pcarn.f8_jobs(ctx) if j.key["seed"] == 0}
    assert built["G64R"] == 32 and "G32R" not in built  # depthwise at the lite width; G32 would be the same net
    rows = pcarn.f8_count_rows(ctx)  # the models lite does not train still have their exact counts
    assert set(rows["model"]) == set(pcarn.F8_SKIP["lite"]) and rows["params"].notna().all()


def test_quarter_claim_is_an_erratum():
    """§5.1 'one-fourth of both parameters and operations' against the exact 1/3.84 and 1/2.80."""
    v = pcarn._quarter(pd.DataFrame(), "lite")
    assert v.status == "contradicted" and "1/3.84" in v.evidence and "1/2.80" in v.evidence
    assert pcarn._complexity_printed(pd.DataFrame(), "lite").status == "holds"


def test_recursive_third_is_judged_on_counted_parameters(monkeypatch):
    """§3.3 'one-third': the shared EResidual units are exactly a third (22,720 of 68,160 at G4, 64 features), the
    whole block is not (its 1×1 fusions are not shared); a count that stops sharing the unit is caught."""
    rec, std = pcarn.block_params(True), pcarn.block_params(False)
    assert (std["units"], rec["units"], rec["fusions"]) == (68_160, 22_720, 37_056)
    v = pcarn._f8_recursive_third(pd.DataFrame(), "smoke")
    assert v.kind == "exact" and v.status == "contradicted" and "1/2" in v.evidence and "whole ECascading" in v.evidence
    monkeypatch.setattr(pcarn, "block_params", lambda recursive: std)  # recursion shares nothing: both cells miss
    assert "0/2" in pcarn._f8_recursive_third(pd.DataFrame(), "smoke").evidence
    assert "f8_recursive_third" in {c.id for c in tables.get("pcarn_f8").claims}


def test_released_checkpoints_are_scored_on_every_image_at_lite():
    """Scoring a released checkpoint is inference only: no lite cell is a subset; smoke scores one image."""
    for table in ("pcarn_t4", "pcarn_t6", "pcarn_f12", "pcarn_f13"):
        grid = tables.get(table).grid
        assert grid["lite"]["images"] is None and grid["paper"]["images"] is None and grid["smoke"]["images"] == 1
    assert not pcarn._subset_cells("lite") and pcarn._subset_cells("smoke")


def _visual_rows(crop_lpips: dict, crop_psnr: dict) -> pd.DataFrame:
    return pd.DataFrame([{"method": m, "image": i, "status": "ok", "crop_lpips": crop_lpips[m][k],
                          "crop_psnr": crop_psnr[m][k]} for m in crop_lpips for k, i in enumerate(("a", "b"))])


def test_visual_rules_read_the_sign_of_each_crop():
    """f9_textures: the GAN crop LPIPS below the L1 twin's on every crop; f11_failure: above it (the failure)."""
    psnr = {"PCARN-M": [20.0, 21.0], "PCARN-M (L1)": [21.0, 22.0]}
    usual = _visual_rows({"PCARN-M": [0.1, 0.2], "PCARN-M (L1)": [0.3, 0.4]}, psnr)
    assert pcarn._f9_textures(usual, "lite").status == "holds"
    assert pcarn._f11_failure(usual, "lite").status == "contradicted"
    one_reversed = _visual_rows({"PCARN-M": [0.1, 0.5], "PCARN-M (L1)": [0.3, 0.4]}, psnr)
    assert pcarn._f9_textures(one_reversed, "lite").status == "contradicted"
    failure = _visual_rows({"PCARN-M": [0.4, 0.5], "PCARN-M (L1)": [0.3, 0.4]}, psnr)
    assert pcarn._f11_failure(failure, "lite").status == "holds" and "b +0.100" in pcarn._f11_failure(failure, "lite").evidence
    missing = pd.DataFrame([{"method": "PCARN-M", "image": "a", "status": "not run: x"}])
    assert pcarn._f9_textures(missing, "lite").status == pcarn._f11_failure(missing, "lite").status == "not run"


def test_manga109_figure_says_what_is_missing(data_root):
    """Figure 10's rows are 'not run' with the dataset and where it comes from (Manga109 is not in the mirror)."""
    rows = pcarn.visual_run("pcarn_f10")(tables.context(tables.get("pcarn_f10"), "lite", data_root=str(data_root)))
    assert len(rows) == 3 and rows["status"].str.startswith("not run: Manga109 is not in the data root (").all()
    assert rows["status"].str.contains("manga109.org").all()
    v = pcarn._f10_text(rows, "lite")
    assert v.status == "not run" and "manga109.org" in v.needed


def test_f13_times_the_cpu_and_says_what_the_gpu_panel_needs(monkeypatch):
    """Tiny stand-ins of the four models: the CPU panel is timed, the GPU panel (no CUDA here) is one 'not run' row
    per model naming the command; the SRResNet claim reads the per-round ratios."""
    import torch

    tiny = {"PCARN": ("pcarn", {"n_feats": 8}), "PCARN-M": ("pcarn_m", {"n_feats": 8}),
            "CARN-M": ("carn_m", {"n_feats": 8}), "SRResNet / SRGAN": ("srresnet", {"scale": 4, "n_feats": 8,
                                                                                  "n_resblocks": 2})}
    monkeypatch.setattr(pcarn, "F13_MODELS", tiny)
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    rows = pcarn.f13_run(tables.context(tables.get("pcarn_f13"), "smoke", device="auto"))
    cpu, gpu = rows[rows["panel"] == "CPU"], rows[rows["panel"] == "GPU"]
    assert len(cpu) == len(gpu) == 4 and (cpu["seconds"] > 0).all() and (cpu["device"] == "cpu").all()
    assert gpu["status"].eq("not run: needs a CUDA GPU (make reproduce TABLE=pcarn_f13 PROFILE=smoke DEVICE=cuda)").all()
    assert pcarn._f13_gpu(rows, "lite").status == "not run"
    srres = rows.index[(rows["method"] == "SRResNet / SRGAN") & (rows["panel"] == "CPU")]
    faster = rows.copy()
    faster.loc[srres, ["speedup_min", "speedup_max"]] = [0.5, 0.9]  # PCARN faster in every round
    assert pcarn._f13_pcarn_beats_srresnet(faster, "lite").status == "holds"
    faster.loc[srres, ["speedup_min", "speedup_max"]] = [1.1, 1.3]  # slower in every round
    assert pcarn._f13_pcarn_beats_srresnet(faster, "lite").status == "contradicted"
    gpu_rows = pd.concat([rows[rows["panel"] == "CPU"], rows[rows["panel"] == "CPU"].assign(panel="GPU",
                                                                                          device="cuda:0")])
    gpu_rows.loc[gpu_rows["panel"] == "GPU", "speedup_vs_pcarn"] *= 0.5  # the gap shrinks on the GPU
    assert pcarn._f13_gpu(gpu_rows, "lite").status == "holds"


def test_resnet50_reference_has_resnet50s_conv_weights():
    shapes = pcarn.resnet50_conv_shapes()
    assert len(shapes) == 53 and sum(o * i * k * k for o, i, k in shapes) == 23_454_912  # 25.56M − fc − BN


def test_f6_activations_at_initialization(data_root):
    """At initialization 0.1× schemes shrink the final block's signal by orders of magnitude, MSRA inflates it;
    the paper's pick keeps it in range (the figure's claim, as numbers)."""
    ctx = tables.context(tables.get("pcarn_f6"), "smoke", data_root=str(data_root))
    df = pcarn.f6_run(ctx)
    final = df[df["site"] == "final block"].set_index("init")
    assert final.loc["uniform1_x0.1", "std"] < 1e-3 < final.loc["uniform1_x1", "std"] < 1 < final.loc["normal2_x1",
                                                                                                       "std"]
    assert final["saturated"].idxmin() == "uniform1_x1"
    hist = np.array(__import__("json").loads(final.loc["uniform1_x1", "hist"]))
    assert hist.shape == (50,) and math.isclose(hist.sum(), 1.0, rel_tol=1e-3)
    one_seed = pcarn._f6_extremes(df, "smoke")  # one initialization seed: no spread measured, nothing decided
    assert one_seed.status == "inconclusive" and "seeds" in one_seed.needed
    # three seeds (each a copy with its spread jittered by 1 %): the every-cell rule on log10 std decides
    rng = np.random.default_rng(0)
    seeds = pd.concat([df.assign(seed=s, std=df["std"] * (1 + 0.01 * rng.standard_normal(len(df)))) for s in range(3)])
    v = pcarn._f6_extremes(seeds, "lite")
    assert v.status == "holds" and v.lo > 0 and "4/4" in v.evidence
    tame = seeds.assign(std=np.where(seeds["init"] == "normal2_x1", seeds["std"] * 1e-4, seeds["std"]))
    assert pcarn._f6_extremes(tame, "lite").status == "contradicted"  # MSRA no longer above the paper's pick


def test_no_reference_scores_say_what_is_missing_in_one_line(tmp_path):
    from srrepro.perceptual import NoReferenceUnavailableError, no_reference_score

    for metric in ("ma", "pi", "nima"):
        with pytest.raises(NoReferenceUnavailableError) as e:
            no_reference_score(metric, np.zeros((8, 8, 3), np.uint8))
        assert "\n" not in str(e.value) and str(e.value).startswith(f"{metric} not available: ")
    (tmp_path / "sr").mkdir()
    (tmp_path / "hr").mkdir()
    out = tmp_path / "scores.csv"
    r = subprocess.run([sys.executable, "-m", "srrepro", "score", "--sr", str(tmp_path / "sr"), "--hr",
                        str(tmp_path / "hr"), "--scale", "4", "--metrics", "psnr,nima", "--csv", str(out)],
                       capture_output=True, text=True)
    assert r.returncode == 2 and r.stderr.count("\n") == 1 and "nima not available" in r.stderr
    assert not out.exists()


def test_t5_rows_are_not_run_with_the_reason(data_root):
    ctx = tables.context(tables.get("pcarn_t5"), "smoke", data_root=str(data_root))
    rows = pcarn.t5_run(ctx)
    ours = rows[rows["method"].isin(["PCARN", "PCARN-M"])]
    assert ours["status"].str.startswith("not run: ma not available").all()
    assert pcarn._not_run_nr(rows, "smoke").status == "not run"


def test_released_checkpoint_cells_smoke(data_root, tmp_path):
    """One Set5 image of the released PCARN-M at ×4: every score present, LPIPS with and without the crop, the
    authors' truncated PNG scored on RGB; the missing PCARN checkpoint says so instead of failing."""
    res = tables.reproduce("pcarn_t6", "smoke", data_root=str(data_root), results_dir=tmp_path,
                           work_dir=tmp_path / "runs", progress=False)
    m = res.rows.set_index("method")
    assert m.loc["PCARN-M", "status"].startswith("ok") and m.loc["PCARN-M", "subset"]
    assert m.loc["PCARN-M", "images_timed"] == 1 and m.loc["PCARN-M", "cell_seconds"] > 0
    assert m.loc["PCARN", "status"].startswith("not run: official weights")
    for col in ("lpips", "lpips_whole", "niqe", "niqe_border_scale", "psnr", "psnr_study"):
        assert np.isfinite(m.loc["PCARN-M", col]), col
    assert 0 < m.loc["PCARN-M", "lpips"] < 0.3 and m.loc["PCARN-M", "lpips"] != m.loc["PCARN-M", "lpips_whole"]
    side = pd.read_csv(tables.scores_path(res.csv_path))
    assert {"lpips", "lpips_whole", "niqe"} <= set(side.columns) and len(side) == 1
    again = tables.reproduce("pcarn_t6", "smoke", data_root=str(data_root), results_dir=tmp_path,
                             work_dir=tmp_path / "runs", progress=False)  # from the per-image cache
    assert again.rows.loc[again.rows["method"] == "PCARN-M", "lpips"].item() == m.loc["PCARN-M", "lpips"]


def _t2_rows(lpips: dict, psnr: dict, spread: dict, seeds: int = 3) -> pd.DataFrame:
    rng = np.random.default_rng(1)
    return pd.DataFrame([{"model": m, "seed": s, "dataset": "Set14", "scale": 4.0,
                          "lpips": lpips[m] + rng.normal(0, spread[m] / 100), "psnr": psnr[m] + rng.normal(0, spread[m]),
                          "ssim": psnr[m] / 40 + rng.normal(0, spread[m] / 40)}
                         for m in lpips for s in range(seeds)])


def test_table2_rules_follow_the_rows():
    spec = tables.get("pcarn_t2")
    paper = _t2_rows({"PCARN (L1)": 0.29, "+ GAN": 0.16, "+ MSD": 0.15}, {"PCARN (L1)": 28.5, "+ GAN": 26.4,
                     "+ MSD": 26.1}, {"PCARN (L1)": 0.005, "+ GAN": 0.01, "+ MSD": 0.01}, seeds=6)
    v = tables.judge(spec, paper, "lite")
    assert [v[c].status for c in ("t2_gan_lpips", "t2_gan_pixel", "t2_msd_lpips")] == ["holds"] * 3, v
    # LPIPS is lower-is-better: the gain of the named row is positive, and the evidence says which way it points
    assert v["t2_gan_lpips"].gap > 0 and "lower is better" in v["t2_gan_lpips"].evidence
    lite = tables.load("pcarn_t2", "lite").verdicts["t2_gan_lpips"]  # the committed rows carry the printed values
    assert lite.gap > 0 and math.isclose(lite.paper_gap, 0.289 - 0.162)  # ours and the paper's, the same way round
    assert v["t2_unstable"].status in ("holds", "inconclusive")
    flipped = _t2_rows({"PCARN (L1)": 0.16, "+ GAN": 0.29, "+ MSD": 0.30}, {"PCARN (L1)": 26.0, "+ GAN": 28.5,
                       "+ MSD": 28.5}, {"PCARN (L1)": 0.3, "+ GAN": 0.001, "+ MSD": 0.001}, seeds=6)
    v = tables.judge(spec, flipped, "lite")
    assert [v[c].status for c in v] == ["contradicted"] * 4, {c: x.evidence for c, x in v.items()}


def test_table2_stage2_is_a_third_of_stage1_from_the_table1_model():
    from srrepro.jobs import model_hash

    for profile, steps in (("lite", 167), ("paper", 200_000)):
        ctx = tables.context(tables.get("pcarn_t2"), profile)
        jobs = pcarn.t2_jobs(ctx)
        gan = [j for j in jobs if j.pretrained_from is not None]
        assert len(gan) == 2 * ctx.n_seeds and {j.config.iterations for j in gan} == {steps}
        assert {j.config.gan_scales for j in gan} == {1, 3}
        assert {j.config.loss for j in gan} == {{"lite": "vgg16", "paper": "vgg"}[profile] + "+5e-3*gan"}
        t1 = {model_hash(j.config, profile) for j in pcarn.t1_jobs(tables.context(tables.get("pcarn_t1"), profile))}
        assert {model_hash(j.pretrained_from, profile) for j in gan} <= t1  # stage 1 is Table 1's '+ Residual'


def test_the_gan_stage_plan_counts_the_vgg_and_the_discriminators():
    """A GAN step runs VGG (forward on HR, forward + backward on SR) and the discriminators three times: at the paper
    profile that is several times the generator's own cost, and the plan must say so."""
    import dataclasses

    from srrepro.plan import loss_flops_per_hr_px, train_flops

    ctx = tables.context(tables.get("pcarn_t2"), "paper")
    msd = pcarn.gan_config(ctx, 0, 3)
    generator_only = train_flops(dataclasses.replace(msd, loss="l1"))
    assert train_flops(msd) > 3 * generator_only
    assert train_flops(msd) > train_flops(pcarn.gan_config(ctx, 0, 1))  # three discriminators cost more than one
    assert loss_flops_per_hr_px("vgg16") < loss_flops_per_hr_px("vgg")  # conv5_3 of VGG-16 < conv5_4 of VGG-19


def test_table1_params_under_both_readings():
    """Truncated to the thousand (the default reading) every count is the printed one; rounded, every row is off by
    under one printed unit, and the exact rule says so rather than admitting the unit."""
    counts = {"Baseline": 963_675, "+ Local": 1_074_843, "+ Global": 1_000_731, "+ L/G": 1_111_899,
              "+ Residual": 1_111_899}
    rows = pd.DataFrame([{"model": m, "params": p} for m, p in counts.items()])
    assert pcarn._t1_params(rows, "lite").status == "holds"
    rounded = pcarn._t1_params(pcarn._params_rounded(rows), "lite")
    assert rounded.status == "contradicted" and "0/5" in rounded.evidence
    claim = next(c for c in pcarn.T1_CLAIMS if c.id == "t1_params")
    assert claim.kind == "exact" and set(claim.readings) == {"rounded to the thousand"}


def _released_cells(niqe: float) -> pd.DataFrame:
    return pd.DataFrame([{"method": "PCARN-M", "dataset": "Set14", "scale": 4.0, "subset": False, "psnr": 26.312,
                          "psnr_paper": 26.31, "ssim": 0.7091, "ssim_paper": 0.709, "lpips": 0.1502,
                          "lpips_paper": 0.150, "niqe": niqe, "niqe_paper": 3.727}])


def test_released_cells_are_exact_to_half_a_printed_unit():
    """Set14 NIQE 3.72754 prints as 3.728, not the paper's 3.727: contradicted (the old rule admitted a whole unit)."""
    rule = pcarn._reproduces("PCARN-M", ("psnr", "ssim", "lpips", "niqe"), "test")
    assert rule(_released_cells(3.7274), "lite").status == "holds"
    v = rule(_released_cells(3.72754), "lite")
    assert v.status == "contradicted" and "3/4 PCARN-M cells" in v.evidence and "off: Set14 ×4 NIQE" in v.evidence


def test_metric_cells_rule_is_the_engines_every_cell_rule():
    """Dataset × metric cells in different units: one cell against contradicts; all for it holds with the shown
    interval clearing 0; the pooled interval is per metric, never across units."""
    from srrepro.verdicts import compare_gaps

    rng = np.random.default_rng(0)

    def cell(mean, sd):
        return compare_gaps((mean + sd * rng.standard_normal((1, 40))))

    good = [(f"{d} {m}", m, cell(mu, sd)) for d in ("Set5", "Set14") for m, mu, sd in
            (("lpips", 0.1, 0.02), ("niqe", 2.0, 0.5), ("psnr", 2.0, 0.3))]
    v = pcarn._combine_metric_cells(good, "cells")
    assert v.status == "holds" and v.lo > 0 and "PSNR" in v.evidence and "NIQE" in v.evidence and not v.pooled
    bad = good[:-1] + [("Set14 psnr", "psnr", cell(-2.0, 0.3))]
    v = pcarn._combine_metric_cells(bad, "cells")
    assert v.status == "contradicted" and v.hi < 0 and "Set14 psnr" in v.decided_by


def test_gan_spread_interval_matches_its_test():
    """t2_unstable: the shown log10 variance-ratio interval clears 0 exactly when the F-tests decide."""
    spec = tables.get("pcarn_t2")
    rows = _t2_rows({"PCARN (L1)": 0.29, "+ GAN": 0.16, "+ MSD": 0.15}, {"PCARN (L1)": 28.5, "+ GAN": 26.4,
                    "+ MSD": 26.1}, {"PCARN (L1)": 0.001, "+ GAN": 0.5, "+ MSD": 0.5}, seeds=8)
    v = tables.judge(spec, rows, "lite")["t2_unstable"]
    assert v.status == "holds" and v.lo > 0, v.evidence
    same = _t2_rows({"PCARN (L1)": 0.29, "+ GAN": 0.16, "+ MSD": 0.15}, {"PCARN (L1)": 28.5, "+ GAN": 26.4,
                    "+ MSD": 26.1}, {"PCARN (L1)": 0.1, "+ GAN": 0.1, "+ MSD": 0.1}, seeds=3)
    v = tables.judge(spec, same, "lite")["t2_unstable"]
    assert v.status == "inconclusive" and v.lo < 0 < v.hi


def test_chapter_is_the_folders_file_and_names_real_claims():
    """The chapter's opening text is chapter.md; the measured numbers it shows are insertions of real claims."""
    from srrepro import papers
    from srrepro.report import MEASURED

    text = next(p for p in papers.papers() if p.slug == "pcarn").chapter()
    assert text.startswith("PCARN (Ahn, Kang, Sohn") and not hasattr(pcarn, "CHAPTER")
    claims = {(t, c.id) for t in PCARN_IDS for c in tables.get(t).claims}
    inserted = MEASURED.findall(text)
    assert inserted and all((t, c) in claims for t, c in inserted), inserted


def test_the_gan_stage_vgg_is_one_choice_for_the_grid_and_the_needs():
    from srrepro import papers

    spec = tables.get("pcarn_t2")
    for profile in ("smoke", "lite", "paper"):
        vgg = spec.grid[profile]["vgg"]
        assert vgg in papers.needs()["pcarn_t2"][profile]
        ctx = tables.context(spec, profile)
        assert pcarn.gan_config(ctx, 0, 3).loss == pcarn.gan_loss(vgg)
