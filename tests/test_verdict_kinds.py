"""The four claim kinds on synthetic gaps: each is decided by its one stated test, the interval shown is the one
that decided, and the paper's effect is compared, not just the sign."""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from srrepro.verdicts import (ALPHA, MARGINS, Claim, Verdict, combine, compare_gaps, decide, equivalent, exact,
                              higher_is_better, judge, margin_of, matches_paper, paper_reading, scores,
                              seeds_for_gap, verdict_of, within)

RNG = np.random.default_rng(1)


def _gaps(mean: float, sd: float = 0.02, seeds: int = 3, images: int = 20) -> np.ndarray:
    return mean + sd * RNG.standard_normal((seeds, images))


# ------------------------------------------------------------------------------------------ exact
def test_exact_holds_within_half_a_unit_of_the_printed_digit():
    v = exact([("Set5 ×2", 33.6649, 33.66, 2), ("Set14 NIQE", 3.7274, 3.727, 3)])
    assert v.status == "holds" and v.kind == "exact"


def test_exact_is_contradicted_by_one_unit_of_the_last_digit():
    # 3.72754 prints as 3.728: one unit from the paper's 3.727 is not "to the last printed digit"
    v = exact([("Set14 NIQE", 3.72754, 3.727, 3)])
    assert v.status == "contradicted" and "Set14 NIQE" in v.evidence and "0.54 units" in v.evidence


def test_exact_with_a_tolerance_states_its_reason():
    with pytest.raises(ValueError, match="reason"):
        exact([("a", 1.0, 1.1, 1)], tolerance=0.2)
    v = exact([("a", 1.0, 1.1, 1)], tolerance=0.2, reason="the paper's own rounding")
    assert v.status == "holds" and "the paper's own rounding" in v.evidence
    assert exact([("a", math.nan, 1.1, 1)]).status == "not run"


# ------------------------------------------------------------------------------------------ direction
def test_direction_one_cell():
    assert compare_gaps(_gaps(+0.3)).status == "holds"
    assert compare_gaps(_gaps(-0.3)).status == "contradicted"
    assert compare_gaps(_gaps(0.0, sd=0.3)).status == "inconclusive"


def test_direction_over_cells_one_cell_against_contradicts_and_is_the_interval_shown():
    parts = [(f"×{s}", compare_gaps(_gaps(+0.3))) for s in (2, 3)] + [("×4", compare_gaps(_gaps(-0.4)))]
    v = combine(parts, what="scales")
    assert v.status == "contradicted" and "×4" in v.decided_by
    assert v.hi < 0  # the shown interval is the contradicting cell's, at its family level
    assert v.pooled and v.pooled[0] != v.gap


def test_direction_over_cells_pooled_against_contradicts_when_no_cell_alone_is():
    # every cell slightly below zero, none significant at 1 − 0.05/30, the 30 cells together clearly are
    parts = [(f"×{s}", compare_gaps(-0.02 + 0.05 * RNG.standard_normal((3, 5)))) for s in range(30)]
    assert not any(c.status == "contradicted" for _, c in [(l, compare_gaps(c.d, alpha=ALPHA / 30))
                                                            for l, c in parts])
    v = combine(parts, what="scales")
    assert v.status == "contradicted" and v.decided_by.startswith("pooled")
    assert v.hi < 0 and (v.gap, v.lo, v.hi) == v.pooled


def test_direction_over_cells_holds_only_when_every_cell_holds_and_shows_the_least_certain():
    parts = [("a", compare_gaps(_gaps(+0.5))), ("b", compare_gaps(_gaps(+0.1, sd=0.05)))]
    v = combine(parts)
    assert v.status == "holds" and "b" in v.decided_by and v.lo > 0
    parts.append(("c", compare_gaps(_gaps(+0.01, sd=0.3))))
    v = combine(parts)
    assert v.status == "inconclusive" and "c" in v.decided_by and v.lo <= 0 <= v.hi
    assert "98.3 %" in v.decided_by  # 1 − 0.05/3, not 95 %


def test_non_inferiority_tests_against_minus_the_margin_and_keeps_the_gap():
    c = compare_gaps(_gaps(-0.02, sd=0.01))  # slightly worse, within 0.05 dB
    assert c.status == "contradicted"
    n = within(c, MARGINS["psnr"])
    assert n.status == "holds" and n.gap == pytest.approx(c.gap)  # the gap is A − B, not shifted
    v = verdict_of(n, "A − B")
    assert "non-inferiority margin 0.05 dB" in v.evidence and v.margin == 0.05


def test_seed_advice_uses_the_decision_level():
    c = compare_gaps(np.array([[0.05], [-0.01], [0.04]]), per_image=False)
    at_95 = seeds_for_gap(c, start=4)
    family = compare_gaps(c.d, per_image=False, alpha=ALPHA / 30)
    assert seeds_for_gap(family, start=4) > at_95


# ------------------------------------------------------------------------------------------ equivalence
@pytest.mark.parametrize("mean, sd, expected", [(0.004, 0.002, "holds"),     # inside ±0.05
                                                 (0.30, 0.02, "contradicted"),  # wholly outside
                                                 (0.05, 0.03, "inconclusive")])  # straddles the margin
def test_equivalence_two_one_sided_tests(mean, sd, expected):
    c = equivalent(compare_gaps(_gaps(mean, sd)), metric="psnr")
    assert c.status == expected and c.margin == 0.05 and c.level == "90 %"
    v = verdict_of(c, "A − B")
    assert "margin ±0.05 dB" in v.evidence and v.margin == 0.05


def test_a_tiny_significant_difference_is_no_difference():
    # slwsr_f6 'positions do not matter': +0.004 [+0.001, +0.006] dB is a difference of nothing
    c = compare_gaps(_gaps(0.004, sd=0.003))
    assert c.status == "holds"  # as a direction claim it would "hold"…
    assert equivalent(c).status == "holds"  # …as a no-difference claim it holds too: it is far inside ±0.05 dB


def test_margins_and_directions_live_in_one_place():
    assert margin_of("psnr") == 0.05 and margin_of("ssim") == 0.001 and margin_of("lpips") == 0.005
    assert higher_is_better("psnr") and higher_is_better("ssim_study")
    assert not higher_is_better("lpips") and not higher_is_better("niqe_border_scale")
    with pytest.raises(KeyError):
        margin_of("params")


# ------------------------------------------------------------------------------------------ magnitude
def _rows(ours_a: float, ours_b: float, paper_a: float, paper_b: float) -> pd.DataFrame:
    rows = []
    for seed in range(3):
        for arm, ours, paper in (("A", ours_a, paper_a), ("B", ours_b, paper_b)):
            rows.append({"arm": arm, "seed": seed, "psnr": ours + 0.01 * seed * (arm == "A"),
                         "psnr_paper": paper})
    return pd.DataFrame(rows)


def test_the_paper_gap_travels_with_a_comparison_and_the_effect_is_compared():
    df = _rows(31.0, 30.2, 30.08, 30.0)  # ours +0.8 dB, the paper's +0.08 dB
    c = decide(scores(df, {"arm": "A"}), scores(df, {"arm": "B"}))
    assert c.paper_gap == pytest.approx(0.08)
    v = verdict_of(c, "A − B")
    assert v.status == "holds" and "10× the paper's" in v.effect
    assert matches_paper(c).status == "contradicted"
    same = decide(scores(_rows(31.0, 30.2, 30.8, 30.0), {"arm": "A"}), scores(_rows(31.0, 30.2, 30.8, 30.0),
                                                                              {"arm": "B"}))
    assert matches_paper(same).status == "holds" and "reproduces the paper's effect" in verdict_of(same, "").effect


def test_a_rule_is_judged_under_each_reading_of_the_printed_table():
    df = _rows(31.0, 30.2, 30.08, 30.0)

    def rule(rows, profile):
        return verdict_of(matches_paper(decide(scores(rows, {"arm": "A"}), scores(rows, {"arm": "B"}))), "A − B")
    claim = Claim("c", "A beats B by what the paper prints", "§1", rule, kind="magnitude",
                  readings={"A printed 30.80": paper_reading([{"arm": "A", "psnr": 30.80}])})
    v = judge([claim], df, "lite")["c"]
    assert v.status == "contradicted" and v.kind == "magnitude"
    assert v.readings["A printed 30.80"].status == "holds"


def test_a_claim_declares_one_of_the_four_kinds():
    with pytest.raises(ValueError, match="kind"):
        Claim("c", "t", "s", lambda df, p: Verdict("holds", ""), kind="vibes")


# ------------------------------------------------------------------------------------------ every committed table
def _committed():
    from srrepro import tables

    out = []
    for profile in ("smoke", "lite"):
        for tid in tables.list_tables():
            try:
                out.append(tables.load(tid, profile))
            except FileNotFoundError:
                continue
    return out


@pytest.fixture(scope="module")
def committed():
    return _committed()


def test_every_claim_declares_a_kind_and_every_committed_verdict_shows_the_interval_that_decided(committed):
    bad = []
    for res in committed:
        for claim in res.spec.claims:
            v = res.verdicts[claim.id]
            where = f"{res.profile}/{res.spec.id}/{claim.id}"
            if claim.kind not in ("exact", "direction", "equivalence", "magnitude"):
                bad.append(f"{where}: kind {claim.kind!r}")
            if v.status == "error":
                bad.append(f"{where}: error {v.evidence}")
            if claim.kind == "equivalence" and v.status in ("holds", "contradicted", "inconclusive") \
                    and not math.isnan(v.lo) and (math.isnan(v.margin) or "±" not in v.evidence + v.decided_by):
                bad.append(f"{where}: an equivalence verdict without its margin")
            if claim.kind != "direction" or math.isnan(v.lo) or (v.n_seeds == 1 and v.n_images < 5):
                continue
            edge = -(0.0 if math.isnan(v.margin) else v.margin)
            excludes = v.lo > edge or v.hi < edge
            if v.status in ("holds", "contradicted") and not excludes:
                bad.append(f"{where}: {v.status} but the shown {v.interval} includes {edge:g}")
            if v.status == "inconclusive" and excludes and "smoke profile" not in v.evidence:
                bad.append(f"{where}: inconclusive but the shown {v.interval} excludes {edge:g}")
    assert not bad, "\n".join(bad)


def test_no_page_that_trains_nothing_speaks_of_short_training(committed):
    from srrepro import report

    for res in committed:
        if not report.trains(res):
            assert "short training" not in report.banner(res) + report.verdicts_html(res), res.spec.id


def test_lower_is_better_metrics_are_coloured_so():
    from srrepro.report import gap_style

    assert "26,127,55" in gap_style(-0.3, 3.0, "niqe")[1]  # NIQE below the paper: better, green
    assert "207,34,46" in gap_style(+0.1, 0.2, "niqe")[1]  # LPIPS above the paper: worse, red
    assert "26,127,55" in gap_style(+0.3, 30.0, "psnr")[1]


def test_cells_of_different_metrics_are_never_pooled():
    psnr = compare_gaps(_gaps(+0.3), metric="psnr")
    lpips = compare_gaps(_gaps(-0.02, sd=0.002), metric="lpips")
    v = combine([("PSNR", psnr), ("LPIPS", lpips)])
    assert v.status == "contradicted" and "LPIPS" in v.decided_by
    assert v.pooled == () and "not pooled" in v.evidence


def test_magnitude_cells_fold_with_the_same_family_rule():
    inside = compare_gaps(_gaps(0.30), paper_gap=0.30)
    outside = compare_gaps(_gaps(0.30), paper_gap=0.05)
    assert combine([("a", matches_paper(inside)), ("b", matches_paper(inside))]).status == "holds"
    v = combine([("a", matches_paper(inside)), ("b", matches_paper(outside))])
    assert v.status == "contradicted" and "b" in v.decided_by


def test_an_interval_too_wide_to_size_the_paper_effect_says_so():
    wide = compare_gaps(_gaps(0.0, sd=3.0), paper_gap=0.03)
    assert wide.lo <= 0.03 <= wide.hi
    from srrepro.verdicts import effect_of

    assert effect_of(wide).startswith("too uncertain to size the paper's effect")
    tight = compare_gaps(_gaps(0.03, sd=0.01), paper_gap=0.03)
    assert effect_of(tight).startswith("reproduces the paper's effect")


def test_a_cell_with_no_interval_says_so_instead_of_printing_nan():
    """One seed on one image forms no interval: the evidence says "no interval" and what it rests on, never
    "[+nan, +nan]", and the verdict cannot be decided by that cell."""
    from srrepro.verdicts import gap_text, verdict_of
    lone = compare_gaps(np.array([[0.25]]))
    assert math.isnan(lone.lo) and lone.status == "inconclusive"
    assert gap_text(lone, "dB") == "+0.250 dB, no interval"
    v = verdict_of(lone, "A − B")
    assert "nan" not in v.evidence and "no interval" in v.evidence and "1 seed × 1 image)" in v.evidence
    parts = [("×2", compare_gaps(_gaps(+0.3))), ("×4", lone)]
    v = combine(parts)
    assert v.status == "inconclusive" and "nan" not in v.evidence
    assert "decided by ×4 +0.250, no interval (1 seed × 1 image)" in v.evidence
    assert v.interval == "+0.250, no interval"  # the page's "interval that decides" column
    # a trained claim decided by a one-seed cell says that its intervals hold no training noise
    from srrepro.verdicts import judge
    rows = pd.DataFrame({"x": [1]})
    trained = Claim("c", "A beats B", "here", lambda df, profile: combine(parts), trained=True, kind="direction")
    assert judge([trained], rows, "lite")["c"].evidence.endswith("one seed: the intervals hold no training noise")
    exact_rule = Claim("e", "A beats B", "here", lambda df, profile: combine(parts), kind="direction")
    assert "training noise" not in judge([exact_rule], rows, "lite")["e"].evidence
