"""srrepro.bench (``make bench``): the parts that can fail, fast. Nothing here needs the official code, except the
two equality checks, which run when it is in ``$SRREPRO_OFFICIAL`` (or ./official) and are skipped otherwise."""
import math
import shutil
import sys
from pathlib import Path

import pandas as pd
import pytest
import torch

from srrepro import bench, book

REPO = Path(__file__).resolve().parents[1]
OFFICIAL = bench.official_dir()
TINY = bench.Sizes(repeats=1, fast_repeats=1, infer_lr=(8, 8), train_batch=1, train_patch=4, hr=(24, 32),
                   matmul=32, conv_hw=8, thread_steps=1)


def test_interleaved_warms_up_then_alternates_the_order():
    calls = []
    t = bench.interleaved({"a": lambda: calls.append("a"), "b": lambda: calls.append("b")}, repeats=3, warmup=1)
    assert calls == ["a", "b", "a", "b", "b", "a", "a", "b"]  # warm-up, then A B, B A, A B
    assert len(t.wall["a"]) == len(t.cpu["b"]) == 3 and all(x >= 0 for x in t.wall["b"])


def test_paired_ratio_is_the_median_of_per_round_ratios():
    med, q1, q3 = bench.paired_ratio([2.0, 4.0, 3.0], [1.0, 2.0, 3.0])  # per round: 2, 2, 1
    assert med == 2.0 and q1 <= med <= q3 and q3 == 2.0
    # a slow round (the machine busy) slows both sides of that round; the paired ratio does not move
    med, _, _ = bench.paired_ratio([1.0, 10.0, 1.0], [0.5, 5.0, 0.5])
    assert med == 2.0
    assert bench.paired_ratio([3.0], [2.0]) == (1.5, 1.5, 1.5)
    with pytest.raises(ValueError):
        bench.paired_ratio([1.0], [])


def test_max_abs_diff():
    a = torch.zeros(2, 3)
    assert bench.max_abs_diff(a, a.clone()) == 0.0
    b = a.clone()
    b[1, 2] = -0.25
    assert bench.max_abs_diff(a, b) == 0.25
    assert bench.max_abs_diff(a, torch.zeros(3, 2)) == float("inf")
    assert bench.max_abs_diff([a, a], [a, b]) == 0.25


def test_verdict_sentence_separates_slower_from_parity():
    row = dict(status="ok", device="cpu", what="X", ratio=1.1, ratio_lo=1.02, ratio_hi=1.2, ratio_q1=1.05,
               ratio_q3=1.15)
    assert "faster than the official code in every row (" in bench.verdict_sentence([row])
    noisy = {**row, "what": "Y", "ratio": 0.97, "ratio_lo": 0.9, "ratio_hi": 1.04}
    assert "at parity (the interval contains 1) in Y" in bench.verdict_sentence([row, noisy])
    slow = {**row, "ratio": 0.8, "ratio_lo": 0.75, "ratio_hi": 0.85, "ratio_q1": 0.77, "ratio_q3": 0.83}
    assert bench.verdict_sentence([row, slow]).startswith("On this machine srrepro is slower")
    old = {k: v for k, v in slow.items() if k not in ("ratio_lo", "ratio_hi")}  # a CSV from before the interval
    assert bench.verdict_sentence([old]).startswith("On this machine srrepro is slower")


def test_median_interval_is_the_binomial_order_statistics():
    r = [float(i) for i in range(1, 16)]  # 15 rounds: the 4th and 12th order statistics (96.5 % coverage)
    assert bench.median_interval(r[::-1]) == (4.0, 12.0)
    assert bench.median_interval([2.0, 1.0, 3.0]) == (1.0, 3.0)  # too few rounds for any j: the whole range
    from scipy.stats import binom
    assert binom.cdf(3, 15, 0.5) <= 0.025 < binom.cdf(4, 15, 0.5)


def test_absent_official_code_says_what_is_missing_and_the_clone(tmp_path):
    rows = bench.measure_model("carn_m", tmp_path, TINY)
    assert [r["key"] for r in rows] == ["carn_m_infer", "carn_m_train"]
    clone = (f"`git clone https://github.com/nmhkahn/CARN-pytorch {tmp_path}/CARN-pytorch && "
             f"git -C {tmp_path}/CARN-pytorch checkout 40d3514f81cc`")
    for r in rows:
        assert r["status"] == (f"official code absent: no {tmp_path}/CARN-pytorch/carn/model/carn_m.py; "
                               f"get it with {clone}")
    assert "pbehjatii/OverNet-PyTorch" in bench.measure_model("overnet", tmp_path, TINY)[0]["status"]
    for r in (bench.measure_imresize(tmp_path, TINY), bench.measure_metrics(tmp_path, TINY)):
        assert r["status"].startswith("official code absent: no ") and "XPixelGroup/BasicSR" in r["status"]
        assert "\n" not in r["status"]


def test_missing_opencv_is_one_line_with_the_install(tmp_path, monkeypatch):
    base = tmp_path / "BasicSR"
    for f in bench.OFFICIAL["basicsr"].files:
        (base / f).parent.mkdir(parents=True, exist_ok=True)
        (base / f).write_text("def imresize(img, scale, antialiasing=True):\n    return img\n")
    monkeypatch.setitem(sys.modules, "cv2", None)  # import cv2 → ImportError
    assert bench.official_basicsr(tmp_path, metrics=False).imresize(3, 0.5) == 3  # imresize needs no OpenCV
    with pytest.raises(bench.Absent, match=r"imports OpenCV \(cv2\).*pip install --no-deps --target .*_deps "
                                           r"opencv-python-headless"):
        bench.official_basicsr(tmp_path, metrics=True)
    assert not any(n == "basicsr" or n.startswith("basicsr.") for n in sys.modules)  # the stand-ins are gone


@pytest.fixture(scope="module")
def ran(tmp_path_factory) -> Path:
    """One quick run without the official code (no side-by-side processes): its output folder."""
    tmp = tmp_path_factory.mktemp("bench")
    bench.run(official=tmp / "none", out=tmp / "out", quick=True, threads=1, device="cpu", side_by_side=False,
              log=lambda s: None)
    return tmp / "out"


def test_run_without_official_code_writes_both_csvs(ran):
    out = ran
    assert sorted(p.name for p in out.iterdir()) == ["compare.csv", "machine.csv"]  # atomic: no temp file left
    c, m = pd.read_csv(out / "compare.csv"), pd.read_csv(out / "machine.csv")
    prov = ["machine", "git_commit", "computed_at", "torch_threads", "packages", *bench.RUN_COLUMNS]
    assert list(c.columns[:len(bench.COMPARE_COLUMNS)]) == bench.COMPARE_COLUMNS and set(prov) <= set(c.columns)
    assert list(m.columns[:len(bench.MACHINE_COLUMNS)]) == bench.MACHINE_COLUMNS and set(prov) <= set(m.columns)
    assert list(c["key"]) == ["carn_m_infer", "carn_m_train", "overnet_infer", "overnet_train", "slwsr_infer",
                              "slwsr_train", "imresize", "psnr_ssim"]
    assert c["status"].str.startswith("official code absent").all() and c["ratio"].isna().all()
    assert (c["mode"] == "quick").all() and (c["threads"] == 1).all()
    assert list(m["key"])[-2:] == ["conv3x3_g1_t1", "conv3x3_g4_t1"] and (m["gflops"] > 0).all()
    assert m["key"].iloc[0] == "matmul_t1" and m["key"].str.startswith("matmul_t").sum() == len(m) - 2


def test_page_headline_machine_and_absent_rows(ran, tmp_path):
    out = tmp_path / "out"
    shutil.copytree(ran, out)
    text = bench.page(out, csv_prefix="")
    assert text.startswith(f"# {bench.PAGE_TITLE}\n") and "```{warning}" in text  # a quick run says so
    assert "| what | device | srrepro | official | ratio | CPU-time ratio | outputs |" in text
    assert "not measured: official code absent" in text and "git clone https://github.com/nmhkahn/CARN-pytorch" in text
    assert "## The machine" in text and "Nothing was compared on the CPU" in text
    assert '<a href="bench_compare.csv">compare.csv</a>' in text
    # a measured row: the headline shows both ratios and whether the outputs were bit for bit equal
    rows = pd.read_csv(out / "compare.csv").to_dict("records")
    rows[0].update(status="ok", srrepro_s=0.5, official_s=0.55, ratio=1.1, ratio_lo=0.98, ratio_hi=1.2, ratio_q1=1.0,
                   ratio_q3=1.2, ratio_cpu=1.05,
                   srrepro_cpu_s=0.9, official_cpu_s=0.95, repeats=7, max_abs_diff=0.0, tolerance=1e-5,
                   outputs_equal=True, compared="SR output", gflop=10.8, official_source="a@b f.py",
                   official_commit="x", weights="w")
    pd.DataFrame(rows).to_csv(out / "compare.csv", index=False)
    text = bench.page(out)
    assert "| 500.0 ms | 550.0 ms | **1.10×** | 1.05× | equal (bit for bit) |" in text
    assert "not slower than the official code in any row" in text and "bench_compare.csv" not in text
    assert "| 1.10 [0.98–1.20] | 1.00–1.20 |" in text  # the interval of the median beside the quartiles
    assert bench.page(tmp_path / "nothing") is None


def test_book_puts_the_speed_page_in_the_study_part(ran, tmp_path):
    res = tmp_path / "results"
    shutil.copytree(ran, res / "bench")
    out = tmp_path / "book"
    book.assemble(results=res, book=out)
    assert (out / "tables" / "bench.md").read_text().startswith(f"# {bench.PAGE_TITLE}")
    assert (out / book.CSV_DIR / "tables" / "bench_compare.csv").is_file()
    toc = (out / "_toc.yml").read_text()
    study = toc.split("- file: chapters/study\n")[1].split("- file: chapters/")[0]  # the study chapter's sections
    assert "- file: tables/bench\n" in study  # then the site's pages


# ------------------------------------------------------------------------- with the official code (else skipped)
@pytest.mark.skipif(not (OFFICIAL / "CARN-pytorch" / "carn" / "model" / "carn_m.py").is_file(),
                    reason=f"official CARN-pytorch not in {OFFICIAL} (see `make bench`)")
def test_carn_m_equals_the_official_code():
    infer, train = bench.measure_model("carn_m", OFFICIAL, TINY)
    assert infer["status"] == "ok" and infer["max_abs_diff"] == 0.0 and infer["outputs_equal"]
    assert train["status"] == "ok" and train["outputs_equal"], train["max_abs_diff"]


@pytest.mark.skipif(not (OFFICIAL / "OverNet-PyTorch" / "OverNet.py").is_file(),
                    reason=f"official OverNet-PyTorch not in {OFFICIAL} (see `make bench`)")
def test_overnet_equals_the_official_code():
    """official=True runs the released code's fused weight-norm kernel: the same output, loss and gradients to the
    bit."""
    infer, train = bench.measure_model("overnet", OFFICIAL, TINY)
    assert infer["status"] == "ok" and infer["max_abs_diff"] == 0.0 and infer["outputs_equal"]
    assert train["status"] == "ok" and train["max_abs_diff"] == 0.0 and train["outputs_equal"]


@pytest.mark.skipif(not (OFFICIAL / "s-LWSR" / "Train" / "code" / "model" / "lwsr.py").is_file(),
                    reason=f"official s-LWSR not in {OFFICIAL} (see `make bench`)")
def test_slwsr_equals_the_released_code(data_root):
    """The released checkpoint in srrepro's released layout and in the released LWSR: the same output, loss and
    gradients to the bit (issue: the released-layout s-LWSR is the released network)."""
    infer, train = bench.measure_model("slwsr", OFFICIAL, TINY, data_root=data_root)
    assert "released model_best.pt" in infer["weights"]
    assert infer["status"] == "ok" and infer["max_abs_diff"] == 0.0 and infer["outputs_equal"]
    assert train["status"] == "ok" and train["max_abs_diff"] == 0.0 and train["outputs_equal"]


@pytest.mark.slow  # ~10 s: worker processes, a cache build and a fresh interpreter for the warm start
def test_pipeline_rows_and_their_page_section(data_root, tmp_path, monkeypatch):
    """make bench's data-pipeline rows (quick: tiny patches, one recipe): patches/s for 0, 1 and 2 workers, the
    GPU's estimated consumption and the workers it needs, the cache's cold build and a second unit's warm start."""
    monkeypatch.setenv("OMP_NUM_THREADS", "1")
    from srrepro import pipeline

    monkeypatch.setattr(pipeline, "recipes", lambda real=pipeline.recipes: [r for r in real() if r.key == "overnet"])
    path = bench.run_pipeline(tmp_path, quick=True, data_root=data_root, log=lambda s: None)
    df = pd.read_csv(path)
    assert list(df.columns[:len(pipeline.PIPELINE_COLUMNS)]) == pipeline.PIPELINE_COLUMNS
    w = df.set_index("key")
    assert [k for k in w.index if k.startswith("overnet")] == ["overnet_w0", "overnet_w1", "overnet_w2"]
    assert (w.loc[["overnet_w0", "overnet_w1", "overnet_w2"], "patches_per_s"] > 0).all()
    r0 = w.loc["overnet_w0"]
    assert r0["gpu_patches_per_s_hi"] / r0["gpu_patches_per_s_lo"] == pytest.approx(400 / 300, rel=1e-3)
    assert r0["workers_needed"] == math.ceil(1.5 * r0["gpu_patches_per_s_hi"] / r0["patches_per_cpu_s"])
    assert w.loc["overnet_w2", "speedup_2_over_1"] > 0
    assert {"cache_build_hr", "cache_build_lr_x2", "cache_warm_start", "cache_warm_start_div2k",
            "cache_build_div2k"} <= set(w.index) and (w.loc["cache_warm_start", "seconds"] > 0)
    assert (df["status"] == "ok").all()
    section = "\n".join(pipeline.page_section(df))
    assert "## The data pipeline: can the CPU feed a GPU?" in section and "**assumed** 300–400 TFLOP/s" in section
    assert f"| **{int(r0['workers_needed'])}** |" in section and "DIV2K_train (extrapolated)" in section


def test_pipeline_section_says_how_many_workers_each_recipe_needs():
    from srrepro import pipeline

    base = dict(what="R", images="Urban100", lr_patch=64, batch=64, status="ok", train_gflop_per_patch=30.0,
                gpu_patches_per_s_lo=10_000, gpu_patches_per_s_hi=13_333, workers_needed=19, loadavg_start=6.0, cores=2)
    df = pd.DataFrame([{**base, "key": "r_w0", "workers": 0, "patches_per_s": 1000, "patches_per_cpu_s": 1100},
                       {**base, "key": "r_w1", "workers": 1, "patches_per_s": 900, "per_worker": 900},
                       {**base, "key": "r_w2", "workers": 2, "patches_per_s": 1700, "per_worker": 850,
                        "speedup_2_over_1": 1.89},
                       {"key": "cache_warm_start", "what": "W", "images": "T91", "megapixels": 5.4, "seconds": 0.3,
                        "mpx_per_s": 18.0, "status": "ok", "loadavg_start": 6.0, "cores": 2}])
    text = "\n".join(pipeline.page_section(df))
    assert "| R | 64, 64 | 1,000/s | 900/s | 1,700/s | 1.89× | 1,100 | 30.00 | 10,000–13,333/s | **19** |" in text
    assert "| W | T91 | 5.4 | 0.30 | 18.0 |" in text and "load average of 6.0 on 2 cores" in text
    assert pipeline.page_section(None) == []


def test_a_pipeline_run_that_measured_nothing_keeps_the_measured_csv(tmp_path):
    from srrepro.errors import SrreproError
    from srrepro.pipeline import PIPELINE_CSV

    src = Path(__file__).resolve().parents[1] / "results" / "bench" / PIPELINE_CSV
    if not src.exists():
        pytest.skip("no committed pipeline measurements")
    shutil.copy(src, tmp_path / PIPELINE_CSV)
    before = (tmp_path / PIPELINE_CSV).read_bytes()
    with pytest.raises(SrreproError, match="measured nothing"):
        bench.run_pipeline(tmp_path, quick=True, data_root=tmp_path / "no-such-root", log=lambda s: None)
    assert (tmp_path / PIPELINE_CSV).read_bytes() == before
