"""srrepro.power: the interval-width model behind each claim's budget, checked against simulated gaps."""
import math

import numpy as np
import pytest

from srrepro import power
from srrepro.verdicts import compare_gaps


@pytest.mark.parametrize("comp", [
    power.Components(0.05, seed=0.01, image=0.02, within=0.01, n_seeds=3, n_images=20),   # training noise dominates
    power.Components(0.05, seed=0.001, image=0.2, within=0.02, n_seeds=3, n_images=10),   # the test images dominate
    power.Components(-0.1, seed=0.04, image=0.0, within=0.05, n_seeds=3, n_images=5),     # few images, noisy seeds
])
@pytest.mark.parametrize("n", [3, 6, 12])
def test_predicted_width_matches_the_simulated_width_within_20_percent(comp, n):
    predicted, simulated = power.check_prediction(comp, n)
    assert abs(predicted / simulated - 1) < 0.20, (predicted, simulated)


def test_components_are_recovered_from_data():
    truth = power.Components(0.2, seed=0.02, image=0.3, within=0.05, n_seeds=30, n_images=100)
    d = power.simulate(truth, 30, np.random.default_rng(1))
    est = power.components(d)
    assert est.n_seeds == 30 and est.n_images == 100
    assert est.seed == pytest.approx(truth.seed, rel=0.5) and est.within == pytest.approx(truth.within, rel=0.1)
    assert est.image == pytest.approx(truth.image, rel=0.4)


def test_more_seeds_never_go_below_the_image_floor():
    comp = power.Components(0.01, seed=1e-4, image=0.5, within=1e-4, n_seeds=3, n_images=5)
    floor = power.image_floor(comp)
    assert power.half_width(comp, 1000) == pytest.approx(floor, rel=0.01)
    assert power.seeds_needed(comp, 0.01, 0.05) is None  # the gap lies under the floor: no seed count settles it


def test_seeds_needed_settles_a_simulated_claim():
    """The predicted seed count, run: the interval at that many seeds excludes 0 in most simulated runs."""
    comp = power.Components(0.06, seed=0.004, image=0.001, within=0.002, n_seeds=3, n_images=50)
    n = power.seeds_needed(comp, comp.gap, 0.05)
    assert n is not None and 3 < n < power.MAX_SEEDS
    rng = np.random.default_rng(3)
    decided = [compare_gaps(power.simulate(comp, n, rng)).status == "holds" for _ in range(30)]
    assert np.mean(decided) > 0.4  # sized for the mean gap: about half the runs or more clear it
    fewer = [compare_gaps(power.simulate(comp, 3, rng)).status == "holds" for _ in range(30)]
    assert np.mean(decided) > np.mean(fewer)


def test_distance_by_kind():
    assert power.distance(0.03, "direction", 0.0) == pytest.approx(0.03)
    assert power.distance(-0.03, "direction", 0.05) == pytest.approx(0.02)  # non-inferiority: clear −margin
    assert power.distance(0.01, "equivalence", 0.05) == pytest.approx(0.04)
    # a gap beyond the margin is decided too: contradicted once the interval clears the margin on its side
    assert power.distance(0.08, "equivalence", 0.05) == pytest.approx(0.03)
    assert power.distance(-0.08, "equivalence", 0.05) == pytest.approx(0.03)
    assert compare_gaps(np.full((3, 20), -0.08) + np.linspace(-0.01, 0.01, 20), test="equivalence",
                        margin=0.05).status == "contradicted"


def test_trend_slope_uses_the_last_half_of_training():
    curve = {0.25: (5.0, 0, 0), 0.5: (0.1, 0, 0), 0.75: (0.1 + 0.2 * math.log2(1.5), 0, 0), 1.0: (0.3, 0, 0)}
    assert power.trend_slope(curve) == pytest.approx(0.2)
    assert power.trend_slope({1.0: (0.3, 0, 0)}) is None


def test_committed_budgets_are_what_the_lite_results_give():
    """results/settle/budgets.csv is derived, never typed: recomputed from the committed lite results it is the same
    (every column but provenance)."""
    import pandas as pd

    from srrepro.provenance import REPO_ROOT
    from srrepro.tables import ABLATIONS

    path = REPO_ROOT / "results" / "settle" / "budgets.csv"
    if not path.exists():
        pytest.skip("no committed settle budgets")
    committed = pd.read_csv(path)[power.BUDGET_COLUMNS]
    again = power.study_budgets(ABLATIONS)
    pd.testing.assert_frame_equal(committed, pd.read_csv(__import__("io").StringIO(again.to_csv(index=False))),
                                  check_exact=False, rtol=1e-9)


def test_settle_refuses_a_table_without_a_budget_in_one_line(tmp_path):
    from srrepro import tables

    with pytest.raises(tables.SettleError, match="no settle budgets"):
        tables.settle_knobs("pcarn_t3", tmp_path)
    (tmp_path / "settle").mkdir()
    pd = pytest.importorskip("pandas")
    pd.DataFrame([dict(table="overnet_t6", table_cpu_h=0.0, table_seeds=3, table_factor=1, lite_iterations=500)]
                 ).to_csv(tmp_path / "settle" / "budgets.csv", index=False)
    with pytest.raises(tables.SettleError, match="has no settle budget"):
        tables.settle_knobs("pcarn_t3", tmp_path)
    with pytest.raises(tables.SettleError, match="resolves within the settle cap"):
        tables.settle_knobs("overnet_t6", tmp_path)


def test_reproduce_settle_runs_lite_at_the_budget_and_writes_the_settle_profile(tmp_path, monkeypatch):
    """The settle run is lite's recipe at the budget's seeds and iterations, written to results/settle/<id>.csv as
    one generation (not results/custom/), and read back judged as lite."""
    import pandas as pd

    from srrepro import tables
    from srrepro.provenance import REPO_ROOT

    (tmp_path / "settle").mkdir()
    pd.DataFrame([dict(table="pcarn_t3", table_cpu_h=2.0, table_seeds=5, table_factor=2, lite_iterations=500)]
                 ).to_csv(tmp_path / "settle" / "budgets.csv", index=False)
    lite = tables.load("pcarn_t3", "lite", REPO_ROOT / "results")
    asked = {}

    def fake_reproduce(table_id, profile, **kw):
        asked.update(kw, table_id=table_id, profile=profile)
        return lite
    monkeypatch.setattr(tables, "reproduce", fake_reproduce)
    result = tables.reproduce_settle("pcarn_t3", tmp_path)
    assert (asked["table_id"], asked["profile"], asked["seeds"], asked["iterations"], asked["write"]) == (
        "pcarn_t3", "lite", 5, 1000, False)
    written = pd.read_csv(tmp_path / "settle" / "pcarn_t3.csv")
    assert set(written["profile"]) == {"settle"} and set(written["settle_budget"]) == {"5 seeds × 2× lite's iterations"}
    again = tables.load("pcarn_t3", "settle", tmp_path)
    assert {k: v.status for k, v in again.verdicts.items()} == {k: v.status for k, v in lite.verdicts.items()}
    assert result.csv_path == tmp_path / "settle" / "pcarn_t3.csv"


def test_an_ablation_page_shows_its_budget_and_its_settle_verdicts_beside_lite():
    """pcarn_t3's lite page: the budget (seeds × iterations, CPU-hours) and, once computed, each claim's verdict at
    it beside lite's; a table outside the ablations shows nothing."""
    from srrepro import report, tables
    from srrepro.provenance import REPO_ROOT

    if not (REPO_ROOT / "results" / "settle" / "budgets.csv").exists():
        pytest.skip("no committed settle budgets")
    page = report.settle_html(tables.load("pcarn_t3", "lite"))
    assert "What would settle the trained claims" in page and "seeds × 1× lite's" in page
    assert "href='#claim-t3_best'" in page
    if (REPO_ROOT / "results" / "settle" / "pcarn_t3.csv").exists():
        assert "results/settle/pcarn_t3.csv" in page and page.count("srr-v-holds") >= 4  # lite + settle verdicts
    assert report.settle_html(tables.load("pcarn_t1", "lite")) == ""


@pytest.mark.parametrize("argv, says", [(["--run", "overnet_t2"], "resolves within the settle cap"),
                                        (["--run", "no_such_table"], "no_such_table")])
def test_make_settle_refuses_bad_input_in_one_line(argv, says):
    import subprocess
    import sys

    from srrepro.provenance import REPO_ROOT

    out = subprocess.run([sys.executable, "-m", "srrepro.power", *argv], cwd=REPO_ROOT, capture_output=True,
                         text=True)
    assert out.returncode == 2 and "Traceback" not in out.stderr, out.stderr
    assert out.stderr.strip().count("\n") == 0 and says in out.stderr
