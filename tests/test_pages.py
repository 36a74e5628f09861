"""What a table page shows: no machine path, no raw markdown, human column names, no spread on a single value,
no text only on hover, no box scrolling inside the page (srrepro.report; synthetic results, no data needed), and
the same read off the built book when ``make book`` has run."""
import re
from pathlib import Path

import pandas as pd
import pytest

from srrepro import report
from srrepro.tables import Layout, TableResult, TableSpec
from srrepro.verdicts import Claim, Verdict

REPO = Path(__file__).resolve().parents[1]
BUILT = REPO / "book" / "_build" / "html" / "tables"
SNAKE = re.compile(r"^[a-z0-9]+(_[a-z0-9]+)+$")
MACHINE_PATH = re.compile(r"(^|[\s(,'\"=])/(work|root|home|tmp|mnt|scratch|Users)/[\w/.+-]+")
CODE_SPAN = re.compile(r"`[^`\n]+`")


# ---------------------------------------------------------------------------------------------- the sanitizer


def test_plain_text_rewrites_the_data_root_runs_and_the_checkout(monkeypatch, tmp_path):
    root = tmp_path / "shared" / "data"
    monkeypatch.setenv("SRREPRO_DATA", str(root))
    text = (f"weights 'edsr_x2' not found: looked for {root}/weights/official/edsr_x2.pt; run "
            f"`srrepro download DIV2K_valid --data {root}`; [Errno 2] No such file: "
            f"'/scratch/render/runs/asdn_lfr/36d8/config.json'; wrote {REPO}/results/lite/bicubic.csv")
    out = report.plain_text(text)
    assert str(tmp_path) not in out and "/scratch" not in out and str(REPO) not in out
    assert "looked for data root/weights/official/edsr_x2.pt" in out
    assert "--data <data root>;" in out  # the bare root, in a command
    assert "'runs/asdn_lfr/36d8/config.json'" in out and "wrote results/lite/bicubic.csv" in out
    assert "`" not in out and "run srrepro download DIV2K_valid" in out  # plain text: code spans lose their marks


def test_plain_text_keeps_urls_ratios_and_formulas():
    text = "fetch https://cv.snu.ac.kr/research/EDSR/models/mdsr.pt; PSNR/SSIM; √(2/F); ×2/×3; 1/2"
    assert report.plain_text(text) == text


def test_a_data_root_of_another_machine_is_recognised_by_its_folders():
    out = report.plain_text("no images in /home/someone/srdata/benchmarks/Manga109; /tmp/pytest-7/x/fig.png")
    assert out == "no images in data root/benchmarks/Manga109; …/x/fig.png"


def test_text_html_escapes_and_renders_code_spans():
    assert report.text_html("a <b> & `make lab`") == "a &lt;b&gt; &amp; <code>make lab</code>"


def test_column_labels_are_words():
    assert report.column_label("reported_by") == "reported by"
    assert report.column_label("params_mb") == "params (MB)"
    assert report.column_label("Δ mult_adds") == "Δ Mult-Adds"
    assert report.column_label("psnr (paper)") == "PSNR (paper)"
    assert report.column_label("a_new_column") == "a new column"  # the generic fallback
    assert report.bool_label("self_ensemble", True) == "self-ensemble"
    assert report.bool_label("anything", "False") == "no"


# ---------------------------------------------------------------------------------------------- the table


def _result(rows: pd.DataFrame, layout: Layout, **kw) -> TableResult:
    kw.setdefault("description", "A test table.")
    spec = TableSpec(id="synthetic", title="Synthetic table", paper="study", source="Table 0", keys=["method", "dataset", "scale", "self_ensemble", "seed"],
                     metrics=["psnr"], run=lambda ctx: pd.DataFrame(), plan=lambda ctx: None, layout=layout,
                     claims=[Claim("c1", "A beats B", "§1", lambda df, p: Verdict("holds", "x"), kind="direction")], **kw)
    rows = rows.assign(git_commit="abc123", computed_at="2026-01-01T00:00:00+00:00")
    return TableResult(spec, "lite", rows, None, {})


def _rows(n_methods: int = 2, n_datasets: int = 2, status: str = "ok") -> pd.DataFrame:
    """One seed per cell (a deterministic evaluation), a yes/no key, a subset of B100, a machine path."""
    rows = []
    for i in range(n_methods):
        for d in ["Set5", "B100", *[f"D{k}" for k in range(n_datasets - 2)]][:n_datasets]:
            rows.append({"method": f"M{i}", "dataset": d, "scale": 4.0, "self_ensemble": False, "seed": 0,
                         "psnr": 30.0 + i, "psnr_std": 0.0, "psnr_paper": 30.5 + i, "n_images": 5,
                         "reported_by": "study",
                         "paper_source": f"OverNet Table 6 (BI), {d} ×4, column M{i}",
                         "status": status, "note": "weights read from /work/shared/data/weights/official/x.pt"})
    return pd.DataFrame(rows)


def _page(rows=None, layout=Layout(("dataset",), ("method",), ("psnr",))) -> str:
    r = _result(_rows() if rows is None else rows, layout)
    return report.CSS + report.paper_layout_html(r) + report.raw_rows_html(r)


def test_no_box_scrolls_inside_the_page():
    h = _page()
    assert "max-height" not in h  # the layout table and its footnotes flow in the page
    assert not re.search(r"overflow(-y)?:\s*(auto|scroll)", h)  # at most a sideways scroll (overflow-x)
    assert "<details class='srr-fnotes'" not in h


def test_nothing_is_readable_only_on_hover():
    h = report.paper_layout_html(_result(_rows(), Layout(("dataset",), ("method",), ("psnr",))))
    assert "title=" not in h
    # the paper's source is said once, visibly; the per-cell rest only names the cell
    assert "The paper's values — OverNet Table 6 (BI), at each cell&#x27;s row and column" in h


def test_paper_sources_say_their_shared_head_once_and_footnote_the_rest():
    df = pd.DataFrame({"psnr_paper": [1.0, 2.0, 3.0],
                       "paper_source": ["s-LWSR Table I (Table II's cells), column Depth",
                                        "s-LWSR Table I (Table II's cells), column Width",
                                        "s-LWSR Table I (Table II's cells), §IV-B text: 'reduces from 571K to 124K "
                                        "when all layers are replaced'"]})
    shown, notes = report.paper_sources(df, ["psnr"])
    assert shown == ["s-LWSR Table I (Table II's cells), at each cell's row and column"]
    assert [notes[t] for t in df["paper_source"]][:2] == ["", ""]  # only the cell's place: said by the layout
    assert notes[df["paper_source"][2]].startswith("paper: §IV-B text")  # more than a place: a footnote


def test_a_long_table_repeats_its_headers_instead_of_a_sticky_header_in_a_box():
    rows = _rows(n_methods=2, n_datasets=2 + 2 * report.ROWS_PER_HEADER)
    h = report.paper_layout_html(_result(rows, Layout(("dataset",), ("method",), ("psnr",))))
    assert h.count("<tr class='srr-rehead'>") >= 1
    assert "position:sticky" not in report.CSS


def test_a_deterministic_cell_shows_its_value_without_a_spread():
    h = report.paper_layout_html(_result(_rows(), Layout(("dataset",), ("method",), ("psnr",))))
    assert "30.00" in h and not re.search(r"±0\.0+(?![0-9])", h)
    zero_gap = report.gap_style(0.001, 30.0, "psnr")[0]
    assert zero_gap == "0.00"  # a gap that rounds to zero has no sign either


def test_yes_no_and_human_headers_in_the_layout_and_the_raw_rows():
    h = _page(layout=Layout(("dataset",), ("self_ensemble",), ("psnr",)))
    cells = re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", h)
    assert not [c for c in cells if re.sub("<[^>]+>", "", c) in ("True", "False")]
    assert "single pass" in h  # self_ensemble False, in the column's words
    heads = [re.sub("<[^>]+>", "", t) for t in re.findall(r"<th[^>]*>(.*?)</th>", h)]
    assert heads and not [t for t in heads if SNAKE.match(t)], heads
    assert "reported by" in heads and "PSNR (paper)" in heads


def test_no_machine_path_in_footnotes_or_raw_rows():
    h = _page()
    assert "/work/" not in h and "data root/weights/official/x.pt" in h


def test_a_row_scored_on_a_subset_says_so():
    h = report.paper_layout_html(_result(_rows(), Layout(("dataset",), ("method",), ("psnr",))))
    assert "scored on the first 5 of B100&#x27;s 100 images" in h  # Set5's 5 of 5 is the whole set: no note
    assert "of Set5" not in h
    # a status that only says "first 5 images" is replaced by the note that names the set
    h = report.paper_layout_html(_result(_rows(status="ok (first 5 images)"),
                                         Layout(("dataset",), ("method",), ("psnr",))))
    assert "ok (first 5 images)" not in h and "first 5 of B100" in h


def test_figures_have_alt_text_that_says_what_they_show(monkeypatch):
    import matplotlib

    matplotlib.use("Agg")
    import IPython.display as d
    import matplotlib.pyplot as plt

    def plot(df):
        fig, ax = plt.subplots()
        ax.plot([1, 2], [3, 4])
        ax.set_title("PSNR against scale")
        print("Figure not drawn for one panel: /work/render/runs/x/y/config.json missing")

    shown = []
    monkeypatch.setattr(d, "display", lambda x: shown.append(x))
    r = _result(_rows(), Layout(("dataset",), ("method",), ("psnr",)), plot=plot)
    report.show(r)
    html_out = "".join(getattr(x, "data", "") or "" for x in shown)
    assert "alt='Figure: Synthetic table — PSNR against scale'" in html_out
    assert "runs/x/y/config.json" in html_out and "/work/render" not in html_out


# ---------------------------------------------------------------------------------------------- the built book


def _pages():
    return sorted(BUILT.glob("*.html")) if BUILT.is_dir() else []


@pytest.mark.skipif(not _pages(), reason="no built book (make book)")
def test_built_pages_show_nothing_internal():
    bs4 = pytest.importorskip("bs4")
    problems = []
    for page in _pages():
        soup = bs4.BeautifulSoup(page.read_text(errors="ignore"), "html.parser")
        art = soup.select_one("article") or soup.body
        for t in art(["script", "style"]):
            t.decompose()
        text = art.get_text(" ")
        found = {
            "raw backticks": CODE_SPAN.findall(text),
            "machine paths": [m.group(0).strip() for m in MACHINE_PATH.finditer(text)],
            "True/False cells": [td.get_text().strip() for td in art.find_all("td")
                                 if td.get_text().strip() in ("True", "False")],
            "snake_case headers": [th.get_text().strip() for th in art.find_all("th")
                                   if SNAKE.match(th.get_text().strip())],
            "hover-only texts": [e["title"] for e in art.find_all(attrs={"title": True}) if len(e["title"]) > 60],
            "±0 spreads": re.findall(r"±0\.0+(?![0-9])(?! ?%)", text),
            "image alt a file name": [i.get("alt", "") for i in art.find_all("img")
                                      if not i.get("alt") or re.search(r"\.(png|jpe?g|svg)$", i.get("alt", ""))],
        }
        problems += [f"{page.stem}: {k} {v[:2]}" for k, v in found.items() if v]
    assert not problems, "\n".join(problems)


def test_the_lead_is_short_but_never_empty():
    long_sentence = "A first sentence that runs on " + "and on " * 50 + "until it ends."
    r = _result(_rows(), Layout(("dataset",), ("method",), ("psnr",)),
                description=long_sentence + " A second sentence. " + "More words here. " * 30)
    lead, rest = report._description_parts(r)
    assert lead == long_sentence and rest.startswith("A second sentence.")
