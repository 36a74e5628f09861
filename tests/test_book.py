"""The book's table pages and ledgers (srrepro.report, srrepro.book): fast, synthetic results, no data needed."""
import html
import re
import shutil
from pathlib import Path

import pandas as pd
import pytest

from srrepro import book, report
from srrepro.tables import Layout, TableResult, TableSpec
from srrepro.verdicts import Claim, Verdict

REPO = Path(__file__).resolve().parents[1]
FOLLOWS = "released code: one model per scale (per-scale models, as the released code)"


def _spec(**kw) -> TableSpec:
    base = dict(id="synthetic", title="Synthetic", paper="study", source="Table 0", description="A test table.",
                keys=["method", "dataset", "seed"], metrics=["psnr", "ssim"], run=lambda ctx: pd.DataFrame(),
                plan=lambda ctx: None, layout=Layout(("dataset",), ("method",), ("psnr", "ssim")),
                paper_values=[{"method": m, "dataset": d, "psnr": p + (d == "Set14") * -2.0, "ssim": q,
                               "source": f"T0 {m} {d}"}
                              for d in ("Set5", "Set14") for m, p, q in (("A", 31.0, 0.88), ("B", 30.0, 0.87),
                                                                         ("C", 29.0, 0.86))],
                claims=[Claim("c1", "A beats B", "§1", lambda df, p: Verdict("holds", "x"), trained=True,
                             kind="direction")])
    base.update(kw)
    return TableSpec(**base)


def _result(verdicts=None, **kw) -> TableResult:
    spec = _spec(**kw)
    rows = []
    for dataset, shift in (("Set5", 0.0), ("Set14", -2.0)):
        # method A: two seeds, 30.40 / 30.60 → mean 30.50 ± 0.14, 0.50 dB below the paper's 31.00 (on Set5)
        rows += [{"method": "A", "dataset": dataset, "seed": s, "psnr": p + shift, "ssim": q, "follows": FOLLOWS}
                 for s, p, q in ((0, 30.40, 0.8700), (1, 30.60, 0.8720))]
        # method B: above the paper
        rows += [{"method": "B", "dataset": dataset, "seed": s, "psnr": 30.80 + shift, "ssim": 0.8750,
                  "follows": FOLLOWS} for s in (0, 1)]
        # method C: the paper's number only
        rows.append({"method": "C", "dataset": dataset, "seed": float("nan"), "psnr": float("nan"),
                     "ssim": float("nan"), "status": "reported only: no model in this study"})
    rows = pd.DataFrame(rows)
    paper = {"psnr": {"A": 31.00, "B": 30.00, "C": 29.00}, "ssim": {"A": 0.88, "B": 0.87, "C": 0.86}}
    for m, values in paper.items():
        rows[f"{m}_paper"] = rows["method"].map(values) + (rows["dataset"] == "Set14") * (-2.0 if m == "psnr" else 0)
    rows["paper_source"] = "T0 " + rows["method"] + " " + rows["dataset"]
    rows["status"] = rows["status"].fillna("ok")
    rows["git_commit"], rows["computed_at"] = "abc123", "2026-01-01T00:00:00+00:00"
    verdicts = verdicts or {"c1": Verdict("holds", "A is ahead", gap=0.12, lo=0.05, hi=0.2, n_seeds=2, n_images=5,
                                          budget="500 of 600,000 iterations (0.08 %)", trend="+ + + +")}
    return TableResult(spec, "lite", rows, None, verdicts)


def _cells(html_text: str) -> list[str]:
    return re.findall(r"<td>(.*?)</td>", html_text)


def test_paper_layout_pivots_mean_std_paper_and_gap_colour():
    h = report.paper_layout_html(_result())
    assert h.count("<table class='srr-layout'>") == 1
    heads = re.findall(r"<th colspan='2'>([^<]*)", h)
    assert heads == ["A", "B", "C"]  # methods across, in the paper's order, one sub-cell per metric
    assert re.findall(r"<th class='srr-rh'>(Set\d+)", h) == ["Set5", "Set14"]  # the paper's row order
    cells = _cells(h)
    assert len(cells) == 12  # two rows × three methods × (psnr, ssim)
    a_psnr, a_ssim, b_psnr = cells[0], cells[1], cells[2]
    assert "30.50" in a_psnr and "±0.14" in a_psnr and "31.00" in a_psnr  # mean ± std over seeds, paper
    assert "−0.50" in a_psnr and "rgba(207,34,46" in a_psnr  # below the paper: red
    assert "0.8710" in a_ssim and "−0.0090" in a_ssim
    assert "30.80" in b_psnr and "+0.80" in b_psnr and "rgba(26,127,55" in b_psnr  # above the paper: green
    assert "±" not in b_psnr.split("<br>")[0]  # equal seeds: no ± 0
    assert "reported" in cells[4] and "29.00" in cells[4] and "srr-na" in cells[4]  # paper value only, grey


def test_footnotes_replace_repeated_long_text():
    h = report.paper_layout_html(_result())
    assert h.count(FOLLOWS) == 1  # said once, not per row
    assert "All measured cells — follows: " + html.escape(FOLLOWS) in h
    assert h.count("reported only: no model in this study") == 1  # the footnote only: no tooltip
    # the reported-only method's column header carries the marker that points to the footnote
    assert re.search(r"<th colspan='2'>C<sup class='srr-fn'><a href='#fn-synthetic-1'", h)
    assert "<li id='fn-synthetic-1' value='1'>status: reported only: no model in this study</li>" in h


def test_default_layout_is_keys_without_seed_by_metrics():
    r = _result(layout=None)
    h = report.paper_layout_html(r)
    rows = re.findall(r"<tr>(.*?)</tr>", h)
    assert ">seed<" not in h and ">method<" in h  # keys without seed down the page
    assert ">PSNR</th>" in h and ">SSIM</th>" in h  # one column per metric, named as a reader names it
    assert sum("30.50" in x for x in rows) == 1 and sum("28.50" in x for x in rows) == 1  # seeds → one cell


def test_error_verdict_renders_as_error_not_inconclusive():
    r = _result(verdicts={"c1": Verdict("error", "KeyError: 'psnr'")})
    h = report.verdicts_html(r)
    assert "⚠ error" in h and "srr-error" in h and report._VERDICT_COLOUR["error"] in h
    assert "inconclusive" not in h and "the verdict rule raised" in h
    assert "(1 error)" in h


def test_verdicts_table_has_interval_budget_trend_and_method():
    h = report.verdicts_html(_result())
    assert "+0.120 [+0.050, +0.200]" in h and "2 × 5" in h and "500 of 600,000 iterations" in h and "+ + + +" in h
    from srrepro.verdicts import INTERVAL_METHOD

    assert INTERVAL_METHOD and html.escape(INTERVAL_METHOD) in h
    assert "short training" in report.banner(_result()) and "Training budget: 500 of 600,000 iterations (0.08 %)" in report.banner(_result())


def test_raw_rows_are_collapsed_with_a_link_to_the_csv():
    h = report.raw_rows_html(_result())
    assert h.startswith("<details class='srr-raw'><summary>")
    assert "<details" in h and "open" not in h.split(">", 1)[0]  # closed by default
    inside = h[h.index("<details"):h.index("</details>")]
    assert "<table class='srrepro'>" in inside and "30.4" in inside
    assert "href='synthetic.csv'" in h and "results/lite/synthetic.csv" in h


def test_show_orders_the_page(monkeypatch):
    shown = []
    import IPython.display as d

    monkeypatch.setattr(d, "display", lambda x: shown.append(x))
    report.show(_result())
    kinds = [type(x).__name__ for x in shown]
    assert kinds[:2] == ["Markdown", "HTML"] and kinds[-2:] == ["Markdown", "HTML"]
    assert shown[0].data.strip() == "A test table."  # only the lead paragraph above the verdicts
    main = shown[1].data
    assert main.index("srr-banner") < main.index("srr-verdicts") < main.index("srr-layout")
    assert "#### About this table" in shown[-2].data and "table id `synthetic`" in shown[-2].data
    assert "<details class='srr-raw'>" in shown[-1].data


def test_only_the_lead_paragraph_comes_before_the_verdicts():
    r = _result(description="First paragraph.\n\nSecond paragraph on the setup.")
    assert report.lead_markdown(r).strip() == "First paragraph."
    about = report.about_markdown(r)
    assert "Second paragraph on the setup." in about and "First paragraph." not in about
    assert "renders the committed" not in about
    first = "A first sentence that says what is compared, long enough to stand as the lead on its own."
    long_first = first + " " + "More words here. " * 60
    assert report.lead_markdown(_result(description=long_first)).strip() == first
    assert "More words" in report.about_markdown(_result(description=long_first))
    r.loaded_from = "results/lite/synthetic.csv"
    assert "renders the committed `results/lite/synthetic.csv`" in report.about_markdown(r)


def test_number_formats():
    assert report.fmt_count(843_494) == "843.5K" and report.fmt_count(1_079_504) == "1.08M"
    assert report.fmt_count(22.4e6) == "22.4M" and report.fmt_count(212e9) == "212G"
    assert report.fmt_value(31.456, "psnr") == "31.46" and report.fmt_value(0.87654, "ssim") == "0.8765"
    text, style = report.gap_style(-0.2, 10.0, "count")  # counts: relative gap
    assert text == "−2.0 %" and "207,34,46" in style


def test_ledger_shows_budget_interval_and_error_count():
    ok, err = _result(), _result(verdicts={"c1": Verdict("error", "boom")})
    err.spec = _spec(id="synthetic2")
    text = book.ledger([ok, err], {"synthetic": "lite", "synthetic2": "lite"}, link_prefix="", by_paper=False)
    assert ("| table | claim | kind | profile | verdict | gap [interval that decides] | vs the paper's effect | "
            "budget | evidence |") in text
    assert "**Trained claims at 500 of 600,000 iterations (0.08 %)** (2 claims): **1** holds, **1** error" in text
    assert "**Checks without training**" not in text  # no such claim here: the totals never mix the two
    assert "+0.120\u00a0[+0.050,\u00a0+0.200]" in text
    assert "a *lite* verdict is about short training" in text
    assert "| lite |" in text and "⚠ error" in text


def test_assemble_copies_each_csv_beside_its_page(tmp_path):
    res = tmp_path / "results"
    (res / "smoke").mkdir(parents=True)
    src = REPO / "results" / "smoke" / "bicubic.csv"
    if not src.exists():
        pytest.skip("no committed smoke result to assemble")
    shutil.copy(src, res / "smoke" / "bicubic.csv")
    (res / "smoke" / "bicubic.ipynb").write_text('{"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}')
    out = tmp_path / "book"
    book.assemble(results=res, book=out)
    assert (out / book.CSV_DIR / "tables" / "bicubic.csv").read_bytes() == src.read_bytes()
    config = (REPO / "book" / "_config.yml").read_text()
    assert f"html_extra_path: [{book.CSV_DIR}]" in config  # → _build/html/tables/bicubic.csv, the page's link


def test_gap_over_training_plots_each_claim_with_checkpoint_scores():
    import matplotlib

    matplotlib.use("Agg")
    curve = {0.25: (-0.1, -0.3, 0.1), 0.5: (0.05, -0.1, 0.2), 0.75: (0.1, 0.02, 0.2), 1.0: (0.12, 0.05, 0.2)}
    res = _result({"c1": Verdict("holds", "A is ahead", gap=0.12, lo=0.05, hi=0.2, n_seeds=3, n_images=5,
                                 curve=curve)})
    res.rows["iterations"] = 500
    fig = report.gap_over_training(res)
    line = fig.axes[0].lines[-1]
    assert list(line.get_xdata()) == [125, 250, 375, 500] and list(line.get_ydata()) == [-0.1, 0.05, 0.1, 0.12]
    assert report.gap_over_training(_result()) is None  # no checkpoint scores: no figure


def test_prose_gets_its_measured_numbers_from_the_results_and_a_misspelt_claim_is_one_clear_error():
    from srrepro import report, tables

    result = tables.load("pcarn_t2", "lite")
    v = result.verdicts["t2_gan_lpips"]
    text = report.with_measured("gap {{ours:pcarn_t2:t2_gan_lpips}}; bare {{ours:t2_gan_lpips}}", [result])
    assert text == f"gap {v.gap:+.3f} [{v.lo:+.3f}, {v.hi:+.3f}] (lite); bare {v.gap:+.3f} [{v.lo:+.3f}, {v.hi:+.3f}] (lite)"
    assert report.with_measured("{{ours:pcarn_t2:t2_gan_lpips}}", []) == "(not computed at this profile)"
    with pytest.raises(report.UnknownClaimError, match="names no claim"):
        report.with_measured("{{ours:pcarn_t2:t2_gan_lpipz}}", [result])
