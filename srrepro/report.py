"""What a notebook (and so the book) shows of a table result, in reading order.

``show(result)`` renders, top to bottom:

1. the description's lead paragraph (what is compared), then a one-line profile banner (what the profile means,
   commit, when; for training tables the training budget a verdict is about);
2. the table's claims with their verdicts: a coloured badge, the claim's paired gap with its 95 % interval, seeds ×
   images, budget, trend over training, evidence and what would settle it (``verdicts_html``);
3. the paper's own table layout (``paper_layout_html``): each cell is ours (mean ± std over seeds) beside the paper's
   value and the gap, coloured; per-row texts (``follows``, ``note``, ``status``), the images a row is scored on
   where they are a subset and where the paper prints its values become numbered footnotes;
4. the table's figure(s) (``spec.plot``);
5. the spec's notes;
6. "About this table": the source line, how to reproduce it, the rest of the description (setup, training,
   caching) and whether the page renders a committed CSV (``about_markdown``);
7. the raw per-seed rows, collapsed, with the path of the CSV (``raw_rows_html``).

Nothing internal shows: every text of a result passes :func:`plain_text` / :func:`text_html` (no absolute path of
the machine that computed it, no raw markdown), columns are named in words (:func:`column_label`), yes/no values
too; nothing is readable only on hover, and no box scrolls inside the page.
"""
from __future__ import annotations

import html
import math
import os
import re

import numpy as np
import pandas as pd

from .data import DATASETS
from .errors import SrreproError
from .tables import PROFILE_MEANING, TableResult, TABLES

from .provenance import portable_paths
from .verdicts import INTERVAL_METHOD

VERDICT_ORDER = ("holds", "contradicted", "inconclusive", "not run", "error")
_VERDICT_COLOUR = {"holds": "#1a7f37", "contradicted": "#cf222e", "inconclusive": "#9a6700", "not run": "#6e7781",
                   "error": "#82071e"}
TEXT_COLUMNS = ("follows", "status", "note")  # long per-row texts: footnotes of the paper-layout table
MAX_CELLS_ACROSS = 12  # metric cells side by side before the layout table continues in a second block
MANY_FOOTNOTES = 12  # a longer footnote list sets in two columns (every note stays visible: nothing on hover)
ROWS_PER_HEADER = 25  # a longer layout table repeats its column headers (no inner scroll box, no sticky header)
_SOURCE_TAIL = 45  # a paper source's text after the table's common part, up to this long, is only the cell's place
_GREEN, _RED = (26, 127, 55), (207, 34, 46)

# Layout of the page's own elements. Colours that carry meaning (badges, gaps) are inline styles, so a notebook
# opened in Jupyter reads the same as the book; this block only sizes and aligns.
CSS = """<style>
.srr-h{font-size:1.12em;font-weight:600;margin:.7em 0 .2em}
.srr-banner{margin:.2em 0 .6em;padding:.35em .7em;background:#f6f8fa;border-left:4px solid #8c959f;font-size:.86em}
.srr-banner.srr-lite{border-left-color:#bf8700}.srr-banner.srr-smoke{border-left-color:#cf222e}
.srr-banner.srr-paper{border-left-color:#1a7f37}
table.srr-verdicts{border-collapse:collapse;font-size:.8em;width:100%;margin:.2em 0;line-height:1.3}
table.srr-verdicts th{background:#f6f8fa;text-align:left;padding:3px 6px;border-bottom:1px solid #d0d7de;
 white-space:nowrap}
table.srr-verdicts td{padding:3px 6px;border-bottom:1px solid #eaeef2;vertical-align:top;text-align:left}
table.srr-verdicts td.srr-num{white-space:nowrap;font-variant-numeric:tabular-nums}
table.srr-verdicts td.srr-claim{width:52%;min-width:14em}
table.srr-verdicts td.srr-ev{width:32%;min-width:14em}table.srr-verdicts td.srr-settle{width:16%}
table.srr-verdicts tr.srr-error td{background:#ffebe9}
.srr-kind{display:block;font-size:.78em;color:#57606a;margin-top:2px}
.srr-reading{font-size:.85em;color:#424a53;margin-left:.3em}
details.srr-why{font-size:.85em;color:#424a53;margin-top:2px}
details.srr-why summary{cursor:pointer;color:#0969da}
.srr-banner.srr-exact{border-left-color:#0969da}
.srr-badge{display:inline-block;padding:1px 7px;border-radius:10px;color:#fff;font-weight:600;font-size:.92em;
 white-space:nowrap}
.srr-small{font-size:.88em;color:#57606a}
p.srr-method{font-size:.75em;color:#57606a;margin:.15em 0 .9em}
.srr-layout-wrap{overflow-x:auto;margin:0 0 .3em}
table.srr-layout{border-collapse:collapse;font-size:.72em;line-height:1.25;margin:0 0 .4em;
 font-variant-numeric:tabular-nums}
table.srr-layout th{background:#f6f8fa;padding:2px 6px;border:1px solid #d8dee4;font-weight:600;text-align:center}
table.srr-layout th.srr-rh{text-align:left;background:#fbfcfd;font-weight:500;max-width:22em;padding:2px 3px}
table.srr-layout td{padding:2px 3px;border:1px solid #eaeef2;text-align:right;white-space:nowrap;
 vertical-align:top}
table.srr-layout .srr-e+.srr-e{border-top:1px dotted #d0d7de;margin-top:1px;padding-top:1px}
.srr-o{font-weight:600}.srr-sd{color:#6e7781;font-size:.85em;margin-left:1px}
.srr-p{color:#57606a}.srr-lab{color:#6e7781;font-size:.85em;margin-right:3px;float:left}
.srr-g{display:inline-block;min-width:2.9em;padding:0 2px;border-radius:3px;margin-left:2px;text-align:right}
.srr-na{color:#8c959f;font-style:italic;font-size:.88em}
sup.srr-fn{font-size:.75em;margin-left:1px}sup.srr-fn a{text-decoration:none}
.srr-caption{font-size:.78em;color:#57606a;margin:.2em 0}
ol.srr-footnotes{font-size:.75em;color:#424a53;margin:.2em 0 .8em;padding-left:2.2em}
ol.srr-footnotes.srr-many{columns:2 26em;column-gap:3em;padding-left:2.8em}
ol.srr-footnotes li{margin:0;break-inside:avoid}
ol.srr-footnotes li:target{background:#fff8c5}
table.srr-layout tr.srr-rehead th{border-top:2px solid #d0d7de}
details.srr-more{display:inline}details.srr-more summary{display:inline;cursor:pointer;color:#0969da}
details.srr-more[open] summary{display:none}
details.srr-raw{margin:.8em 0}details.srr-raw summary{cursor:pointer;font-weight:600}
table.srrepro{font-size:.75em;border-collapse:collapse}
table.srrepro th,table.srrepro td{padding:2px 6px;border-bottom:1px solid #ddd;text-align:right}
table.srrepro th{background:#f6f8fa;text-align:left}
</style>"""


# ---------------------------------------------------------------------------------------------------------------
# 0. what a page may show: no path of the machine that computed it, no raw markdown, human column names

_CODE_SPAN = re.compile(r"`([^`\n]+)`")


def plain_text(text) -> str:
    """A text of a result (a status, a note, evidence) as a page may show it: absolute paths of the machine
    that computed it rewritten (the data root → "data root/…", a run folder → "runs/…", the checkout →
    relative), and markdown code spans without their backticks. Plain text: escape it for HTML, or use
    :func:`text_html`."""
    return _CODE_SPAN.sub(r"\1", portable_paths(str(text)))


def text_html(text) -> str:
    """:func:`plain_text` as HTML: escaped, with markdown code spans as ``<code>``."""
    out, last = [], 0
    t = portable_paths(str(text))
    for m in _CODE_SPAN.finditer(t):
        out.append(html.escape(t[last:m.start()]) + f"<code>{html.escape(m.group(1))}</code>")
        last = m.end()
    return "".join(out) + html.escape(t[last:])


def markdown_text(text, results=()) -> str:
    """Markdown (a spec's notes, its description, a chapter's text) with the machine's absolute paths rewritten and
    its measured numbers inserted from ``results`` (:func:`with_measured`); code spans stay code spans (the book
    renders them)."""
    return with_measured(portable_paths(str(text)), results)


# Prose never types a measured number: it names the claim whose verdict holds it, ``{{ours:<claim id>}}`` (or
# ``{{ours:<table id>:<claim id>}}``), and the page inserts that verdict's gap and interval from the result it shows.
MEASURED = re.compile(r"\{\{ours:(?:(\w+):)?(\w+)\}\}")


class UnknownClaimError(SrreproError, ValueError):
    pass


def _is_claim(table_id: str | None, claim_id: str) -> bool:
    """Whether ``claim_id`` is a claim of ``table_id`` (None: of any table)."""
    from . import spec

    ids = [table_id] if table_id else list(spec.TABLES)
    return any(claim_id in {c.id for c in spec.get(t).claims} for t in ids if t in spec.TABLES)


def with_measured(text: str, results=()) -> str:
    """``text`` with every ``{{ours:[table:]claim}}`` replaced by that claim's gap and interval in ``results``
    (TableResults), "+0.061 [+0.048, +0.074] (lite)", or by "(not computed at this profile)"."""
    verdicts = {}
    for r in results:
        for cid, v in r.verdicts.items():
            verdicts[(r.spec.id, cid)] = verdicts[(None, cid)] = (v, r.profile)

    def insert(m) -> str:
        v, profile = verdicts.get((m.group(1), m.group(2)), (None, ""))
        if v is None and not _is_claim(m.group(1), m.group(2)):  # a misspelt name is an error, not "not computed"
            raise UnknownClaimError(f"{m.group(0)} names no claim of {m.group(1) or 'any table'}; "
                                    "`srrepro show <table>` lists a table's claims")
        if v is None or not math.isfinite(v.gap):
            return "(not computed at this profile)"
        interval = f" [{v.lo:+.3f}, {v.hi:+.3f}]" if math.isfinite(v.lo) and math.isfinite(v.hi) else ""
        return f"{v.gap:+.3f}{interval} ({profile})"

    return MEASURED.sub(insert, text)


# Column names as a reader reads them; any other snake_case name has its words split (see ``column_label``).
COLUMN_LABELS = {
    "reported_by": "reported by", "self_ensemble": "self-ensemble", "n_images": "images", "n_seeds": "seeds",
    "n_params": "params", "n_printed": "printed", "mult_adds": "Mult-Adds", "multadds": "Mult-Adds",
    "multadds_paper": "Mult-Adds (paper's)", "params_mb": "params (MB)", "activation_mb": "activations (MB)",
    "train_seconds": "training time (s)", "seconds": "time (s)", "iterations_trained": "iterations trained",
    "res_scale": "residual scale", "lr_patch": "LR patch", "kept_of_26": "kept (of 26)", "abs_p99": "|w| 99th pct",
    "beyond_0.1": "share |w| > 0.1", "speedup_vs_pcarn": "speed-up vs PCARN", "speedup_min": "speed-up (min)",
    "speedup_max": "speed-up (max)", "gflops": "GFLOPs", "gflops_urban100": "GFLOPs (Urban100)",
    "psnr_uint8y": "PSNR (uint8 Y)", "ssim_uint8y": "SSIM (uint8 Y)", "psnr_border0": "PSNR (no border crop)",
    "ssim_border0": "SSIM (no border crop)", "psnr_border10": "PSNR (10 px border)", "params_fe": "params (FE)",
    "params_ms": "params (multi-scale)", "params_code": "params (code)", "params_printed": "params (printed)",
    "lpips_set14": "LPIPS (Set14)", "lpips_whole": "LPIPS (whole image)", "niqe_border_scale": "NIQE (scale border)",
    "bicubic_psnr": "bicubic PSNR", "final_loss": "final loss", "ldg_skip": "LDG skip", "gdg_skip": "GDG skip",
    "near_zero": "near zero", "memory_saved": "memory saved", "paper_source": "paper's source",
    "psnr_study": "PSNR (study)", "ssim_study": "SSIM (study)", "params_unibo_one_irb": "params (one IRB)",
}
_WORDS = {"psnr": "PSNR", "ssim": "SSIM", "niqe": "NIQE", "lpips": "LPIPS", "nima": "NIMA", "pi": "PI", "ma": "Ma",
          "mb": "(MB)", "lr": "LR", "hr": "HR", "fe": "FE", "gflops": "GFLOPs", "osm": "OSM", "y": "Y"}
# Yes/no columns: (the label when true, when false) where the column's meaning reads better than "yes" / "no".
BOOL_LABELS = {"self_ensemble": ("self-ensemble", "single pass"), "osm": ("with OSM", "without OSM"),
               "ldg_skip": ("LDG skip", "no LDG skip"), "gdg_skip": ("GDG skip", "no GDG skip"),
               "recursive": ("recursive", "direct"), "subset": ("subset", "whole set"), "own": ("own", "the paper's")}


# Identifiers that are a key's values (weights, protocols) as a header shows them; others have their words split.
VALUE_LABELS = {"carn_m": "CARN-M", "pcarn_m": "PCARN-M", "pcarn_m_l1": "PCARN-M (L1)"}
_VALUE_WORDS = {"matlab": "MATLAB", "carn": "CARN", "pcarn": "PCARN", "edsr": "EDSR", "mdsr": "MDSR", "rgb": "RGB",
                "yuv": "YUV", "l1": "L1", "l2": "L2"}
_SNAKE = re.compile(r"^[a-z0-9]+(_[a-z0-9.]+)+$")


def value_label(value: str) -> str:
    """A snake_case identifier among a key's values in words ("pcarn_code_skimage_yuv" → "PCARN code skimage
    YUV"); any other value as it is."""
    if value in VALUE_LABELS:
        return VALUE_LABELS[value]
    if value in COLUMN_LABELS:  # a quantity named as its column would be (complexity's params_mb)
        return COLUMN_LABELS[value]
    if not _SNAKE.match(value):
        return value
    return " ".join(_VALUE_WORDS.get(w, _WORDS.get(w, w)) for w in value.split("_"))


def column_label(name: str) -> str:
    """A column's name for a header: ``COLUMN_LABELS``, else its words (metric names in capitals)."""
    name = str(name)
    if name in COLUMN_LABELS:
        return COLUMN_LABELS[name]
    if name.startswith("Δ "):
        return "Δ " + column_label(name[2:])
    for suffix in (" (paper)", " ± std"):
        if name.endswith(suffix):
            return column_label(name[:-len(suffix)]) + suffix
    if "_" not in name:
        return _WORDS.get(name, name)
    return " ".join(_WORDS.get(w, w) for w in name.split("_") if w)


def _is_bool(v) -> bool:
    return isinstance(v, (bool, np.bool_)) or (isinstance(v, str) and v in ("True", "False"))


def bool_label(column: str, v) -> str:
    """A yes/no value in words: the column's meaning (``BOOL_LABELS``) or yes / no."""
    true = v if isinstance(v, (bool, np.bool_)) else v == "True"
    if column in BOOL_LABELS:
        return BOOL_LABELS[column][0 if true else 1]
    return "yes" if true else "no"


def set_size(dataset) -> int | None:
    """How many images a benchmark set has (from its description: "5 images", "… images 801–900"), else None."""
    d = DATASETS.get(str(dataset))
    if d is None:
        return None
    if m := re.match(r"(\d+) ", d.description):
        return int(m.group(1))
    if m := re.search(r"(\d+)–(\d+)", d.description):
        return int(m.group(2)) - int(m.group(1)) + 1
    return None


# ---------------------------------------------------------------------------------------------------------------
# 1. lead paragraph, profile banner, "About this table"


def _first(r: pd.DataFrame, col: str, default="?"):
    if col in r and len(r) and r[col].notna().any():
        return r[col].dropna().iloc[0]
    return default


def budgets(result: TableResult) -> list[str]:
    """The distinct training budgets of the table's verdicts (``Verdict.budget``), in claim order."""
    out = []
    for claim in result.spec.claims:
        b = getattr(result.verdicts.get(claim.id), "budget", "") or ""
        if b and b not in out:
            out.append(b)
    return out


def trains(result: TableResult) -> bool:
    """Does this table train anything? (a claim about trained models, or rows with training iterations)"""
    if any(c.trained for c in result.spec.claims):
        return True
    r = result.rows
    return "iterations" in r and bool((pd.to_numeric(r["iterations"], errors="coerce").fillna(0) > 0).any())


NO_TRAINING = ("this table trains nothing: its numbers come from fixed computations (bicubic, released weights, "
               "counts), so every profile but smoke gives the same exact checks")


def banner(result: TableResult) -> str:
    """One line: the profile and what it means, the training budget a verdict is about, commit and time. A table
    that trains nothing says so instead of the profile's training caveat."""
    r = result.rows
    commit = _first(r, "git_commit")
    dirty = " (uncommitted changes)" if "git_dirty" in r and len(r) and bool(r["git_dirty"].iloc[0]) else ""
    when = str(r["computed_at"].dropna().max()) if "computed_at" in r and r["computed_at"].notna().any() else "?"
    when = when.replace("T", " ")[:16] + (" UTC" if when.endswith("+00:00") else "")
    trained = trains(result)
    meaning = PROFILE_MEANING.get(result.profile, "") if trained or result.profile == "smoke" else NO_TRAINING
    b = [getattr(result, "budget", "")] if getattr(result, "budget", "") else budgets(result)
    if result.profile == "smoke":
        budget = "No smoke verdict says anything about the paper."
    elif not trained:
        budget = ""
    elif result.profile == "lite" and b:
        budget = ("Training budget: " + html.escape(b[0]) + "." if len(b) == 1 else
                  "Training budgets differ per claim (below).")
    elif b:
        budget = "Training budget: " + html.escape("; ".join(b)) + "."
    else:
        budget = ""
    custom = getattr(result, "custom", "")
    if custom:  # a tweaked run: not the profile's own numbers
        budget += f" <b>Tweaked run</b> ({html.escape(custom)}): not the committed profile's settings."
    cls = result.profile if trained or result.profile == "smoke" else "exact"
    return (f"<div class='srr-banner srr-{html.escape(cls)}'><b>Profile {html.escape(result.profile)}</b>"
            f" — {html.escape(meaning)}. {budget} Computed {html.escape(when)} at commit <code>"
            f"{html.escape(str(commit))}</code>{dirty}. Numbers labelled <i>paper</i> are the paper's; every "
            f"other number was computed by this study's code.</div>")


def _split_sentence(text: str, limit: int) -> tuple[str, str]:
    """(first sentences up to about ``limit`` characters, the rest), cut after a full stop outside ``code``."""
    for m in re.finditer(r"(?<=[.!?])\s+(?=[A-Z*(`\"])", text):
        if m.start() >= 80 and text[:m.start()].count("`") % 2 == 0:
            return (text[:m.start()], text[m.end():]) if m.start() <= limit else ("", text)
    return ("", text)


def _description_parts(result: TableResult, first_max: int = 320) -> tuple[str, str]:
    """(the lead: the description's first paragraph, or its first sentences up to about ``first_max`` characters
    when that paragraph is long — up to twice that where the first sentence is longer, the whole paragraph where
    it is longer still, never nothing; the rest). A short lead leaves the claims and the paper's table on the
    first screen."""
    desc = (result.spec.description or "").strip()
    first, rest = desc.split("\n\n", 1) if "\n\n" in desc else (desc, "")
    for limit in (first_max, 2 * first_max):
        if len(first) <= limit:
            break
        head, tail = _split_sentence(first, limit)
        if head:
            first, rest = head, tail + ("\n\n" + rest if rest else "")
            break
    return first, rest


def lead_markdown(result: TableResult) -> str:
    """What the table compares, in a paragraph: the only text above the verdicts."""
    return markdown_text(_description_parts(result)[0], [result]) + "\n"


def reproduce_markdown(table_id: str) -> str:
    """How to compute the page again or tweak it (under "About this table": the top of the page is for results)."""
    return (f"Reproduce: `make reproduce TABLE={table_id} PROFILE=lite` (or `smoke`, `paper`); tweak: `make lab`, "
            "edit the parameters cell, run all.")


def about_markdown(result: TableResult) -> str:
    """Below the figures: the source line, the rest of the description (setup, training, caching) and how the page
    was made."""
    spec = result.spec
    module = TABLES.get(spec.id, "?").replace(".", "/")
    lines = ["#### About this table", "",
             f"**{spec.paper}** · {spec.source} · table id `{spec.id}` (spec: `{module}.py`)", "",
             reproduce_markdown(spec.id), ""]
    rest = _description_parts(result)[1]
    if rest:
        lines += [markdown_text(rest, [result]), ""]
    if result.loaded_from:
        lines.append(f"This page renders the committed `{result.loaded_from}`; `recompute = True` in the parameters "
                     "cell computes it again.")
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------------------------------------------------------
# 2. claims and verdicts


def _num(v, attr: str, default=math.nan):
    x = getattr(v, attr, default)
    try:
        return float(x)
    except (TypeError, ValueError):
        return default


def interval_text(v) -> str:
    """The decisive gap and interval ("+0.123 [+0.010, +0.240]"), computed from gap/lo/hi where the property is
    absent."""
    s = getattr(v, "interval", None)
    if isinstance(s, str):
        return s
    gap, lo, hi = _num(v, "gap"), _num(v, "lo"), _num(v, "hi")
    if math.isnan(gap):
        return ""
    return f"{gap:+.3f}" if math.isnan(lo) else f"{gap:+.3f} [{lo:+.3f}, {hi:+.3f}]"


def seeds_images(v) -> str:
    s, i = int(_num(v, "n_seeds", 0) or 0), int(_num(v, "n_images", 0) or 0)
    if not s and not i:
        return ""
    return f"{s or '?'} × {i or '?'}"


def badge(status: str) -> str:
    colour = _VERDICT_COLOUR.get(status, "#6e7781")
    label = "⚠ error" if status == "error" else status
    return (f"<span class='srr-badge srr-v-{status.replace(' ', '-')}' style='background:{colour}'>"
            f"{html.escape(label)}</span>")


def kind_tag(kind: str) -> str:
    """The claim's kind under its badge (what each kind's test is: the book's introduction and the ledger's head;
    never hover-only text)."""
    return f"<span class='srr-kind'>{html.escape(kind)}</span>" if kind else ""


def _claim_record(claim, v) -> dict:
    status = getattr(v, "status", "not run") if v is not None else "not run"
    return {"status": status, "claim": claim, "kind": getattr(v, "kind", "") or claim.kind,
            "gap": interval_text(v) if v is not None else "",
            "decided_by": getattr(v, "decided_by", "") or "", "effect": getattr(v, "effect", "") or "",
            "si": seeds_images(v) if v is not None else "",
            "budget": getattr(v, "budget", "") or "", "trend": getattr(v, "trend", "") or "",
            "evidence": getattr(v, "evidence", "") or "", "needed": getattr(v, "needed", "") or "",
            "readings": getattr(v, "readings", {}) or {}}


def _claims_table(recs: list[dict], budget_column: bool) -> str:
    """One line per claim: verdict and kind, the claim, the gap with the interval that decided it, our effect
    against the paper's (and the budget where claims differ); evidence, trend, other readings and what would
    settle it fold under the claim."""
    optional = [("gap", "gap · interval that decides"), ("effect", "vs the paper's effect")] + (
        [("budget", "budget")] if budget_column else [])
    shown = [(k, h) for k, h in optional if any(r[k] for r in recs)]
    head = "<tr><th>verdict</th><th>claim</th>" + "".join(f"<th>{h}</th>" for _, h in shown) + "</tr>"
    body = []
    for r in recs:
        c = r["claim"]
        details = []
        if r["status"] == "error":
            details.append(f"<b style='color:{_VERDICT_COLOUR['error']}'>the verdict rule raised:</b> "
                           f"{text_html(r['evidence'])}")
        elif r["evidence"]:
            details.append(f"<b>Evidence</b>: {text_html(r['evidence'])}" + (
                f" ({html.escape(r['si'])} seeds × images)" if r["si"] else ""))
        if r["trend"]:
            details.append(f"<b>Over training</b>: {text_html(r['trend'])}")
        for name, rv in r["readings"].items():  # the same claim under the other readings of the printed table
            details.append(f"<b>Reading <i>{html.escape(name)}</i></b>: {badge(getattr(rv, 'status', 'not run'))} "
                           f"{html.escape(interval_text(rv))} {text_html(getattr(rv, 'evidence', '') or '')}")
        if r["needed"]:
            details.append(f"<b>To settle</b>: {text_html(r['needed'])}")
        readings = "".join(f" <span class='srr-reading'>reading <i>{html.escape(n)}</i>: "
                           f"{html.escape(getattr(rv, 'status', 'not run'))}</span>" for n, rv in r["readings"].items())
        fold = (f"<details class='srr-why'><summary>details</summary>{'<br>'.join(details)}</details>"
                if details else "")
        cells = [f"<td>{badge(r['status'])}{kind_tag(r['kind'])}</td>",
                 f"<td id='claim-{html.escape(c.id)}' class='srr-claim'>{text_html(c.text)} "
                 f"<span class='srr-small'>({text_html(c.source)})"
                 f"</span>{readings}{fold}</td>"]
        for k, _ in shown:
            if k == "gap":
                sub = f"<div class='srr-small'>{html.escape(r['decided_by'])}</div>" if r["decided_by"] else ""
                cells.append(f"<td class='srr-num'>{html.escape(r['gap'])}{sub}</td>")
            else:
                cells.append(f"<td><span class='srr-small'>{text_html(r[k])}</span></td>")
        err = " class='srr-error'" if r["status"] == "error" else ""
        body.append(f"<tr{err}>{''.join(cells)}</tr>")
    return f"<table class='srr-verdicts'><thead>{head}</thead><tbody>{''.join(body)}</tbody></table>"


def _tally(recs: list[dict]) -> str:
    counts = pd.Series([r["status"] for r in recs]).value_counts()
    return ", ".join(f"{counts[s]} {s}" for s in VERDICT_ORDER if s in counts)


def verdicts_html(result: TableResult) -> str:
    """The table's claims, one row each: verdict and kind, claim (and its other readings), the gap with the
    interval that decided it, our effect against the paper's, seeds × images, evidence (with the trend over
    training), what would settle it. Checks without training and trained claims are two tables under their own
    headings: an exact check never shares a banner with a short-training trend."""
    claims = result.spec.claims
    if not claims:
        return "<p class='srr-small'>This table makes no claim of its own.</p>"
    recs = [_claim_record(c, result.verdicts.get(c.id)) for c in claims]
    exact = [r for r in recs if not r["claim"].trained]
    trained = [r for r in recs if r["claim"].trained]
    out = []
    if exact:
        title = "Checks without training" if trained else f"Claims at profile {result.profile} (no training)"
        out.append(f"<p class='srr-h'>{html.escape(title)} <span class='srr-small' style='font-weight:400'>"
                   f"({_tally(exact)})</span></p>" + _claims_table(exact, False))
    if trained:
        b = budgets(result)
        at = (f" at {b[0]}" if len(b) == 1 else "") if result.profile != "smoke" else " (smoke: not judged)"
        out.append(f"<p class='srr-h'>Trained claims at profile {html.escape(result.profile)}{html.escape(at)} "
                   f"<span class='srr-small' style='font-weight:400'>({_tally(trained)})</span></p>"
                   + _claims_table(trained, len(b) > 1))
    method = f"<p class='srr-method'>{html.escape(INTERVAL_METHOD)}.</p>" if INTERVAL_METHOD else ""
    return "".join(out) + method


def settle_html(result: TableResult, results_dir="results") -> str:
    """For the card's ablations: each trained claim at lite beside what would settle it (seeds × iterations from
    ``results/settle/budgets.csv``, srrepro.power) and, once computed, its verdict at that budget."""
    from . import power
    from .tables import ABLATIONS, SETTLE, load, result_path

    path = result_path("budgets", SETTLE, results_dir)
    if result.spec.id not in ABLATIONS or result.profile != "lite" or not path.exists():
        return ""
    b = pd.read_csv(path)
    b = b[b["table"] == result.spec.id]
    if b.empty:
        return ""
    settled = None
    if result_path(result.spec.id, SETTLE, results_dir).exists():
        settled = load(result.spec.id, SETTLE, results_dir)
    first = b.iloc[0]
    if float(first["table_cpu_h"]) > 0:
        plan = (f"Its settle budget: <b>{int(first['table_seeds'])} seeds × {int(first['table_factor'])}× lite's "
                f"{int(first['lite_iterations'])} iterations</b>, about {float(first['table_cpu_h']):.1f} CPU-hours "
                f"on this machine's cores (cap {power.CAP_CPU_HOURS:g} h a table)")
        plan += ("; computed: <code>results/settle/" + html.escape(result.spec.id) + ".csv</code>." if settled else
                 f"; not computed yet: <code>python -m srrepro.power --run {html.escape(result.spec.id)}</code>.")
    else:
        plan = "None of its undecided claims resolves within the 6 CPU-hour cap here: see each claim's reason."
    head = ("<tr><th>claim</th><th>at lite</th><th>seeds to decide at 1× / 2× / 4× the iterations (predicted)</th>"
            "<th>at the settle budget</th></tr>")
    body = []
    for r in b.to_dict("records"):
        v = result.verdicts.get(r["claim"])
        need = " / ".join("–" if pd.isna(r[f"seeds_{f}x"]) else f"{int(r[f'seeds_{f}x'])}" for f in (1, 2, 4))
        why = f"<div class='srr-small'>{text_html(r['why'])}</div>" if isinstance(r["why"], str) and r["why"] else ""
        sv = settled.verdicts.get(r["claim"]) if settled else None
        at = (f"{badge(sv.status)} {html.escape(interval_text(sv))}<div class='srr-small'>"
              f"{html.escape(getattr(sv, 'budget', '') or '')}</div>") if sv else "<span class='srr-small'>not run</span>"
        body.append(f"<tr><td><a href='#claim-{html.escape(r['claim'])}'>{html.escape(r['claim'])}</a></td>"
                    f"<td>{badge(getattr(v, 'status', r['status_lite']))} {html.escape(interval_text(v) if v else '')}"
                    f"</td><td class='srr-num'>{need}{why}</td><td>{at}</td></tr>")
    return (f"<p class='srr-h'>What would settle the trained claims</p><p class='srr-small'>From the lite run's "
            f"per-image scores and checkpoints (srrepro.power): each undecided claim's interval predicted against "
            f"the number of seeds (training noise; the test images set a floor no seed count goes below) and its "
            f"gap extrapolated along its trend over the last half of training. {plan}</p>"
            f"<table class='srr-verdicts'><thead>{head}</thead><tbody>{''.join(body)}</tbody></table>")


def settle_figure(result: TableResult):
    """Predicted interval half-width against seeds, per undecided trained claim (its least certain cell), with the
    distance its interval must clear: where the curve crosses the line, the claim is decided."""
    import matplotlib.pyplot as plt

    from . import power
    from .tables import ABLATIONS

    if result.spec.id not in ABLATIONS or result.profile != "lite":
        return None
    panels = []
    for c in result.spec.claims:
        v = result.verdicts.get(c.id)
        cells = [x for _, x in getattr(v, "comparisons", ()) if x.status == "inconclusive" and x.d.shape[0] >= 2]
        if c.trained and v is not None and v.status == "inconclusive" and cells:
            cell = min(cells, key=lambda x: power.distance(x.gap, x.test, x.margin))
            panels.append((c.id, cell))
    if not panels:
        return None
    cols = min(len(panels), 3)
    fig, axes = plt.subplots(math.ceil(len(panels) / cols), cols, figsize=(3.6 * cols, 2.6 * math.ceil(len(panels) / cols)),
                             squeeze=False)
    n = np.arange(2, power.MAX_SEEDS + 1)
    for ax, (cid, cell) in zip(axes.flat, panels):
        comp, a = power.components(cell.d), power.level_alpha(cell)
        ax.plot(n, [power.half_width(comp, k, a) for k in n], color="#0969da", label="predicted half-width")
        ax.axhline(power.distance(cell.gap, cell.test, cell.margin), color="#cf222e", lw=1, ls="--",
                   label="distance to decide")
        ax.axhline(power.image_floor(comp, a), color="#6e7781", lw=0.8, ls=":", label="image floor")
        ax.axvline(cell.n_seeds, color="k", lw=0.5)
        ax.set_yscale("log")
        ax.set_title(f"{cid} ({cell.level})", fontsize=9)
        ax.set_xlabel("seeds", fontsize=8)
        ax.tick_params(labelsize=7)
    axes.flat[0].set_ylabel("dB", fontsize=8)
    axes.flat[0].legend(fontsize=6)
    for ax in list(axes.flat)[len(panels):]:
        ax.set_visible(False)
    fig.suptitle("Undecided claims: predicted interval half-width against seeds at lite's training", fontsize=9)
    return fig


# ---------------------------------------------------------------------------------------------------------------
# 3. the paper's own table layout

_COUNT = ("params", "mult_adds", "multadds", "flops", "macs")


def _kind(metric: str, unit: str | None = None) -> str:
    """How a metric is formatted and its gap scaled: psnr | ssim | niqe | count | mb | relative."""
    m = metric.lower()
    if unit is not None and m == "value":  # complexity: one value column, its unit per row
        return {"K": "kcount", "MB": "mb", "G": "gcount"}.get(str(unit), "relative")
    if "psnr" in m:
        return "psnr"
    if "ssim" in m:
        return "ssim"
    if "niqe" in m or "lpips" in m:
        return "niqe"
    if m.startswith(_COUNT) or "gflops" in m:
        return "count"
    return "relative"


def fmt_count(v: float) -> str:
    """843.5K, 1.08M, 22.7M, 212G, 18.0T: the magnitudes the papers print (3 significant digits from M up)."""
    a = abs(v)
    for size, unit in ((1e12, "T"), (1e9, "G"), (1e6, "M")):
        if a >= size * (1 - 5e-4) or (unit == "M" and a >= 999.95e3):
            x = v / size
            return f"{x:.{max(0, 2 - int(math.floor(math.log10(abs(x)))))}f}{unit}"
    if a >= 1e3:
        return f"{v / 1e3:.1f}K"
    return f"{v:.0f}"


def fmt_value(v, kind: str) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "–"
    v = float(v)
    if kind == "psnr":
        return f"{v:.2f}"
    if kind == "ssim":
        return f"{v:.4f}"
    if kind == "niqe":
        return f"{v:.3f}"
    if kind == "count":
        return fmt_count(v)
    if kind == "kcount":
        return fmt_count(v * 1e3)
    if kind == "gcount":
        return fmt_count(v * 1e9)
    if kind == "mb":
        return f"{v:.2f} MB"
    return f"{v:.4g}"


# saturation of the gap colour: absolute for PSNR/SSIM/NIQE, relative to the paper's value for the rest
_SATURATION = {"psnr": 1.0, "ssim": 0.02, "niqe": 0.5}
LOWER_IS_BETTER_KINDS = ("niqe",)  # the format kind of NIQE and LPIPS (verdicts.HIGHER_IS_BETTER says why)
_RELATIVE_SATURATION = 0.10


def gap_style(gap: float, paper: float, kind: str) -> tuple[str, str]:
    """(text, inline style) of a gap ours − paper: a diverging colour, green where ours is better than the paper
    (above it for PSNR / SSIM, below it for the lower-is-better NIQE and LPIPS, :data:`LOWER_IS_BETTER_KINDS`), red
    where worse; for counts and ratios green above, red below. Saturating at 1 dB PSNR, 0.02 SSIM, 0.5 NIQE, 10 %
    of the paper's value for counts and ratios."""
    if math.isnan(gap):
        return "", ""
    if kind in _SATURATION:
        text = {"psnr": f"{gap:+.2f}", "ssim": f"{gap:+.4f}", "niqe": f"{gap:+.3f}"}[kind]
        strength = abs(gap) / _SATURATION[kind]
    elif paper:
        rel = gap / abs(paper)
        text = f"{100 * rel:+.1f} %"
        strength = abs(rel) / _RELATIVE_SATURATION
    else:
        text, strength = f"{gap:+.3g}", 1.0
    text = text.replace("-", "−")
    if text.lstrip("+−").strip(" %").replace(".", "").strip("0") == "":  # rounds to zero: no colour, no sign
        return text.lstrip("+−"), "background:#f6f8fa;color:#57606a"
    a = 0.10 + 0.55 * min(1.0, strength)
    good = gap < 0 if kind in LOWER_IS_BETTER_KINDS else gap > 0
    rgb, fg = (_GREEN, "#0f5323") if good else (_RED, "#86061d")
    return text, f"background:rgba({rgb[0]},{rgb[1]},{rgb[2]},{a:.2f});color:{fg}"


def _norm(v) -> str:
    """A key value as a matching string: 4 == 4.0 == "4", NaN == ""."""
    if v is None:
        return ""
    if isinstance(v, (bool, np.bool_)):
        return str(bool(v))
    if isinstance(v, (int, np.integer)):
        return str(int(v))
    if isinstance(v, (float, np.floating)):
        if math.isnan(v):
            return ""
        return str(int(v)) if float(v).is_integer() else f"{float(v):g}"
    return str(v)


def _breakable(label: str) -> str:
    """Escaped, with a line-break opportunity after each ``_`` and ``/`` (long ids in narrow headers)."""
    return html.escape(label).replace("_", "_<wbr>").replace("/", "/<wbr>")


def key_label(key: str, v) -> str:
    """A key's value as a header shows it: ×4 for a scale, a yes/no value in words, plain text."""
    if _is_bool(v):
        return bool_label(key, v)
    s = _norm(v)
    if s == "":
        return "–"
    if "scale" in key.lower() and s.replace(".", "", 1).isdigit():
        return f"×{s}"
    return value_label(plain_text(s))


def _layout_of(spec, df: pd.DataFrame) -> tuple[list[str], list[str], list[str]]:
    lay = getattr(spec, "layout", None)
    if lay is not None:
        rk = [k for k in lay.rows if k in df]
        ck = [k for k in getattr(lay, "cols", ()) if k in df]
        metrics = list(getattr(lay, "metrics", ("psnr",)))
    else:
        rk = [k for k in spec.keys if k != "seed" and k in df and df[k].map(_norm).nunique() > 1]
        ck = []
        metrics = list(spec.metrics)
    metrics = [m for m in metrics if (m in df and df[m].notna().any())
               or (f"{m}_paper" in df and df[f"{m}_paper"].notna().any())]
    return rk, ck, metrics


def _is_number(s: str) -> bool:
    try:
        float(s)
        return True
    except ValueError:
        return False


def _ordered(df: pd.DataFrame, keys: list[str], paper: pd.DataFrame, order: dict | None = None) -> list[tuple]:
    """The distinct combinations of ``keys`` (normalised), sorted level by level: a numeric key ascending, any
    other in the layout's ``order`` for it, else the order the paper lists its values, then in the CSV's order."""
    if not keys:
        return [()]
    combos = list(dict.fromkeys(zip(*(df[k].map(_norm) for k in keys))))
    ranks = []
    for j, k in enumerate(keys):
        values = [c[j] for c in combos]
        if all(_is_number(v) for v in values if v != ""):
            ranks.append({v: float(v) if v != "" else math.inf for v in values})
            continue
        seen = list(paper[k].map(_norm)) if k in paper and len(paper) else []
        seen = [_norm(v) for v in (order or {}).get(k, ())] + seen
        ranks.append({v: i for i, v in reversed(list(enumerate(seen + values)))})
    return sorted(combos, key=lambda c: tuple(ranks[j][v] for j, v in enumerate(c)))


def _with_paper_only_cells(df: pd.DataFrame, paper: pd.DataFrame, keys: list[str], metrics: list[str],
                           profile: str) -> pd.DataFrame:
    """The rows plus one row per paper cell that no row measures (a method not run at this profile), so the
    layout shows the paper's whole table."""
    pcols = [f"{m}_paper" for m in metrics if f"{m}_paper" in paper]
    if paper.empty or not keys or not pcols or any(k not in paper for k in keys):
        return df
    have = set(zip(*(df[k].map(_norm) for k in keys)))
    missing = [i for i, c in enumerate(zip(*(paper[k].map(_norm) for k in keys))) if c not in have]
    if not missing:
        return df
    add = paper.iloc[missing].copy()
    add = add[add[pcols].notna().any(axis=1)]
    if add.empty:
        return df
    add["status"] = f"not run at profile {profile} (no row in the CSV)"
    for k in keys:  # the CSV's dtype, so 4 (paper) and 4.0 (CSV) label alike
        if k in df and pd.api.types.is_numeric_dtype(df[k]) and pd.api.types.is_numeric_dtype(add[k]):
            try:
                add[k] = add[k].astype(df[k].dtype)
            except (TypeError, ValueError):  # e.g. NaN into an int column: keep the paper's dtype
                pass
    return pd.concat([df, add[[c for c in add.columns if c in df.columns or c == "status"]]],
                     ignore_index=True)


def _status_label(text: str) -> str:
    t = text.lower()
    if t.startswith("not run"):
        return "not run"
    if t.startswith(("data not available", "no data")):
        return "no data"
    if t.startswith("error"):
        return "error"
    return "reported"


class _Footnotes:
    """Numbered texts, each printed once under the table; a cell, row or column refers to it by number."""

    def __init__(self, anchor: str, source_notes: dict[str, str] | None = None):
        self.anchor = anchor
        self.texts: list[str] = []
        self.source_notes = source_notes or {}  # a paper source → its footnote text ("": said above the table)

    def number(self, text: str) -> int:
        if text not in self.texts:
            self.texts.append(text)
        return self.texts.index(text) + 1

    def marks(self, texts) -> str:
        out = []
        for t in dict.fromkeys(texts):
            n = self.number(t)
            out.append(f"<a href='#{self.anchor}-{n}'>{n}</a>")
        return f"<sup class='srr-fn'>{','.join(out)}</sup>" if out else ""


_FIRST_IMAGES = re.compile(r"^ok \(first \d+( of \d+)? images\)$")


def _images_column(g: pd.DataFrame) -> str | None:
    """The column that counts the images a row is scored on, where every row's set has a known size."""
    col = next((c for c in ("n_images", "eval_images") if c in g and g[c].notna().any()), None)
    if col is None or "dataset" not in g or any(set_size(d) is None for d in g.loc[g[col].notna(), "dataset"]):
        return None
    return col


def subset_text(g: pd.DataFrame) -> str:
    """Where some rows are scored on fewer images than their benchmark set holds (``n_images`` or
    ``eval_images`` below the set's size): "scored on the first 5 of B100's 100 images", else ""."""
    col = _images_column(g)
    if col is None:
        return ""
    out = []
    for dataset, n in g[[c for c in ("dataset", col)]].dropna().drop_duplicates().itertuples(index=False):
        full = set_size(dataset)
        if full and 0 < float(n) < full:
            out.append(f"the first {int(n)} of {dataset}'s {full} images")
    return ("scored on " + "; ".join(dict.fromkeys(out))) if out else ""


def _texts(g: pd.DataFrame) -> list[str]:
    """The long per-row texts of some rows, as footnote texts ("follows: …"), and the images they are scored on
    where that is a subset of the set; a note that the row's status already quotes is not repeated, nor a status
    that only says the rows were scored on the first images."""
    out = []
    subset = subset_text(g)
    counted = _images_column(g) is not None  # "ok (first 5 images)" is then said by the subset note, or moot
    status = " ".join(g["status"].dropna().astype(str)) if "status" in g else ""
    for col in TEXT_COLUMNS:
        if col in g:
            for t in g[col].dropna().astype(str).unique():
                t = t.strip()
                if not t or (col == "status" and (t == "ok" or (counted and _FIRST_IMAGES.match(t)))) or (
                        col == "note" and t in status):
                    continue
                out.append(f"{col}: {t}")
    if subset:
        out.append(subset)
    return out


def _entries(g: pd.DataFrame, metrics: list[str], extra: list[str], unit_col: bool) -> list[dict]:
    """One cell's entries: its rows grouped by the keys that vary inside the cell (e.g. variant, reported_by)
    and by the paper's value; each entry has per metric ours (mean, std, n) and the paper's value."""
    sub = [k for k in extra if k in g and g[k].map(_norm).nunique() > 1]
    pcols = [f"{m}_paper" for m in metrics if f"{m}_paper" in g]
    gk = sub + pcols
    if gk:
        keyed = g.assign(**{f"__{k}": g[k].map(_norm) for k in gk})
        groups = [grp for _, grp in keyed.groupby([f"__{k}" for k in gk], sort=False)]
    else:
        groups = [g]
    out = []
    for grp in groups:
        e = {"label": " ".join(key_label(k, grp[k].iloc[0]) for k in sub), "metrics": {}, "status": "",
             "source": ""}
        if "paper_source" in grp and grp["paper_source"].notna().any():
            e["source"] = str(grp["paper_source"].dropna().iloc[0])  # where the paper prints this value
        unit = grp["unit"].iloc[0] if unit_col else None
        for m in metrics:
            vals = grp[m].dropna().astype(float).to_numpy() if m in grp else np.array([])
            paper = grp[f"{m}_paper"].dropna() if f"{m}_paper" in grp else pd.Series(dtype=float)
            std, n = math.nan, len(vals)
            if n >= 2:
                std = float(np.std(vals, ddof=1))
            elif n == 1 and f"{m}_std" in grp and grp[f"{m}_std"].notna().any():
                std = float(grp[f"{m}_std"].dropna().iloc[0])
                if "n_seeds" in grp and grp["n_seeds"].notna().any():
                    n = int(grp["n_seeds"].dropna().iloc[0])
            e["metrics"][m] = {"mean": float(vals.mean()) if len(vals) else math.nan, "std": std, "n": n,
                               "paper": float(paper.iloc[0]) if len(paper) else math.nan, "kind": _kind(m, unit)}
        if all(math.isnan(x["mean"]) for x in e["metrics"].values()) and "status" in grp:
            st = grp["status"].dropna().astype(str)
            e["status"] = _status_label(st.iloc[0]) if len(st) else "not run"
        out.append(e)
    return out


def _lift(marks: dict[tuple, list[str]], combos: list[tuple], nlev: int) -> dict[tuple, list[str]]:
    """Header marks by prefix: a text that every row (column) under an outer header carries is marked once, on
    that header (key: the prefix); the rest stay on the innermost header (key: the whole combination)."""
    left = {c: list(dict.fromkeys(marks.get(c, []))) for c in combos}
    out: dict[tuple, list[str]] = {}
    for lev in range(nlev - 1):
        for p in dict.fromkeys(c[:lev + 1] for c in combos):
            under = [c for c in combos if c[:lev + 1] == p]
            common = [t for t in left[under[0]] if all(t in left[c] for c in under)] if len(under) > 1 else []
            if common:
                out[p] = common
                for c in under:
                    left[c] = [t for t in left[c] if t not in common]
    out.update({c: t for c, t in left.items() if t})
    return out


def _cell_html(entries: list[dict], m: str, marks: str, has_paper: bool = True, fn: "_Footnotes | None" = None,
               first: bool = True) -> str:
    parts = []
    for e in entries:
        x = e["metrics"][m]
        note = fn.source_notes.get(e.get("source", ""), "") if fn is not None and first else ""
        src = fn.marks([note]) if note else ""
        lab = f"<span class='srr-lab'>{html.escape(e['label'])}</span>" if e["label"] else ""
        if math.isnan(x["mean"]) and math.isnan(x["paper"]):  # neither printed nor measured
            parts.append(f"<div class='srr-e'>{lab}<br>{marks if e is entries[-1] else ''}</div>")
            continue
        if math.isnan(x["mean"]):
            ours = f"<span class='srr-na'>{html.escape(e['status'] or 'not run')}</span>"
        else:
            sd = fmt_value(x["std"], x["kind"]).replace(" MB", "") if not math.isnan(x["std"]) else ""
            # one value or no spread at the printed digits: the value alone (a "±0.00" would read as a spread)
            sd = f"<span class='srr-sd'>±{sd}</span>" if sd.strip("0.%KMGT ") else ""
            ours = f"<span class='srr-o'>{fmt_value(x['mean'], x['kind'])}</span>{sd}"
        line2 = ""
        if not math.isnan(x["paper"]):
            line2 = f"<span class='srr-p'>{fmt_value(x['paper'], x['kind'])}</span>"
            text, style = gap_style(x["mean"] - x["paper"], x["paper"], x["kind"])
            if text:
                line2 += f"<span class='srr-g' style='{style}'>{text}</span>"
            line2 += src
        if e is entries[-1]:
            line2 += marks
        if not has_paper and not line2:
            parts.append(f"<div class='srr-e'>{lab}{ours}</div>")
            continue
        parts.append(f"<div class='srr-e'>{lab}{ours}<br>{line2 or '&nbsp;'}</div>")
    return f"<td>{''.join(parts)}</td>"


def _spans(labels: list[tuple], level: int) -> list[int]:
    """Row/col spans of level ``level``: consecutive entries sharing levels 0..level merge (0 = covered)."""
    spans = [0] * len(labels)
    i = 0
    while i < len(labels):
        j = i
        while j + 1 < len(labels) and labels[j + 1][:level + 1] == labels[i][:level + 1]:
            j += 1
        spans[i] = j - i + 1
        i = j + 1
    return spans


def _row_segments(rows: list[tuple], nr: int) -> list[list[tuple]]:
    """The layout's rows in runs of about ``ROWS_PER_HEADER``, each after which the column headers repeat (no
    sticky header in a scroll box): a run ends where the innermost outer row label changes, if it can."""
    out, start = [], 0
    for i in range(1, len(rows)):
        boundary = nr <= 1 or rows[i][:nr - 1] != rows[i - 1][:nr - 1]
        if (i - start >= ROWS_PER_HEADER and boundary) or i - start >= 2 * ROWS_PER_HEADER:
            if len(rows) - i > ROWS_PER_HEADER // 4:  # not for a last few rows
                out.append(rows[start:i])
                start = i
    return out + [rows[start:]]


def _source_head(sources: list[str]) -> str:
    """The part every source shares, cut after a whole clause ("OverNet Table 2 (B100)"), else ""."""
    prefix = os.path.commonprefix(sources)
    cuts = [m.start() for m in re.finditer(r", ", prefix)]
    if all(t == prefix or t.startswith(prefix + ", ") for t in sources):
        cuts.append(len(prefix))
    for cut in sorted(cuts, reverse=True):
        head = prefix[:cut]
        # not inside brackets or quotes (an apostrophe, "Table II's", is neither an opening nor a closing quote)
        quotes_closed = len(re.findall(r"(?<![A-Za-z])'", head)) == len(re.findall(r"'(?![A-Za-z])", head))
        if head.count("(") == head.count(")") and quotes_closed and len(head) >= 15:
            return head
    return ""


def paper_sources(df: pd.DataFrame, metrics: list[str]) -> tuple[list[str], dict[str, str]]:
    """Where the paper prints the values of the table, said without hovering: (the texts said once above the
    footnotes, {a cell's source: its footnote text, "" where the shared text says it}). Sources that share a head
    ("OverNet Table 2 (B100), row Pixelshuffle, ×4") say the head once and drop the rest when it is short (it
    only names the cell's row and column); any other source is a footnote on its paper values."""
    pcols = [f"{m}_paper" for m in metrics if f"{m}_paper" in df]
    if "paper_source" not in df or not pcols:
        return [], {}
    has = df[pcols].notna().any(axis=1) & df["paper_source"].notna()
    sources = list(dict.fromkeys(df.loc[has, "paper_source"].astype(str)))
    if len(sources) <= 1:
        return sources, {t: "" for t in sources}
    head = _source_head(sources)
    notes = {}
    for t in sources:
        tail = t[len(head):].lstrip(", ") if head else t
        notes[t] = "" if head and len(tail) <= _SOURCE_TAIL else f"paper: {tail}"
    return ([head + ", at each cell's row and column"] if head else []), notes


def paper_layout_html(result: TableResult) -> str:
    """The paper's table as it prints it (``spec.layout``; else the keys without ``seed`` down the page, one column
    per metric): each cell is ours, mean ± std over seeds, above the paper's value and the gap ours − paper,
    coloured. Cells without a measurement show the paper's value and why (with a footnote). The texts of the
    ``follows``, ``status`` and ``note`` columns are numbered footnotes under the table."""
    spec, df = result.spec, result.rows
    if df is None or not len(df):
        return "<p class='srr-small'>No rows.</p>"
    rk, ck, metrics = _layout_of(spec, df)
    if not metrics:
        return ""
    paper = spec.paper_frame() if spec.paper_values else pd.DataFrame()
    df = _with_paper_only_cells(df, paper, rk + ck, metrics, result.profile)
    order = spec.layout.order if spec.layout is not None else {}
    row_combos, col_combos = _ordered(df, rk, paper, order), _ordered(df, ck, paper, order)
    side = [k for k in spec.keys if k in df and k != "seed" and k not in rk + ck]
    side += [k for k in ("reported_by",) if k in df and k not in rk + ck + side]
    constant = [k for k in side if df[k].map(_norm).nunique(dropna=False) <= 1]
    extra = [k for k in side if k not in constant]
    unit_col = "unit" in df and "value" in metrics

    norm = {k: df[k].map(_norm) for k in rk + ck}
    groups: dict[tuple, pd.DataFrame] = {}
    if rk + ck:
        for key, g in df.groupby([norm[k] for k in rk + ck], sort=False):
            key = key if isinstance(key, tuple) else (key,)
            groups[key] = g
    else:
        groups[()] = df
    cells = {k: _entries(g, metrics, extra, unit_col) for k, g in groups.items()}
    split = [k for k in extra if any(g[k].map(_norm).nunique() > 1 for g in groups.values())]
    raw_label = {}
    for key, g in groups.items():
        for k, v in zip(rk + ck, key):
            raw_label.setdefault((k, v), key_label(k, g[k].iloc[0]))

    # footnotes: a text on every cell is said once ("All cells — …"); one that covers whole rows (columns) marks
    # the row (column) header; any other marks its cells. A text found on measured cells only is weighed against
    # the measured cells (a paper-only cell does not break "every measured cell of this row").
    shown_sources, source_notes = paper_sources(df, metrics)
    fn = _Footnotes(f"fn-{spec.id}", source_notes)
    texts = {k: _texts(g) for k, g in groups.items()}
    measured = {k for k, es in cells.items() if any(not math.isnan(x["mean"]) for e in es
                                                     for x in e["metrics"].values())}
    cell_marks: dict[tuple, list[str]] = {}
    row_marks: dict[tuple, list[str]] = {}
    col_marks: dict[tuple, list[str]] = {}
    general: list[tuple[str, str]] = []
    nr = len(rk)
    reading = [r + c for r in row_combos for c in col_combos if r + c in groups]
    for t in dict.fromkeys(t for key in reading for t in texts[key]):
        where = [k for k in reading if t in texts[k]]
        pop = measured if set(where) <= measured and len(measured) < len(groups) else set(groups)
        if set(where) >= pop and (len(pop) > 1 or len(groups) == 1):
            general.append(("All measured cells" if pop is measured else "All cells", t))
            continue
        for key in where:
            r, c = key[:nr], key[nr:]
            in_row = [k for k in (r + c2 for c2 in col_combos) if k in pop]
            in_col = [k for k in (r2 + c for r2 in row_combos) if k in pop]
            if not ck or (len(in_row) > 1 and all(t in texts[k] for k in in_row)):
                row_marks.setdefault(r, []).append(t)
            elif len(in_col) > 1 and all(t in texts[k] for k in in_col):
                col_marks.setdefault(c, []).append(t)
            else:
                cell_marks.setdefault(key, []).append(t)

    row_marks, col_marks = _lift(row_marks, row_combos, nr), _lift(col_marks, col_combos, len(ck))

    def marks_of(store, key):  # number in reading order
        return fn.marks(store.get(key, []))

    # column blocks: a wide table continues below itself, as papers print it
    per = max(1, MAX_CELLS_ACROSS // len(metrics))
    n_blocks = math.ceil(len(col_combos) / per)
    size = math.ceil(len(col_combos) / n_blocks)
    blocks = [col_combos[i:i + size] for i in range(0, len(col_combos), size)]
    has_paper = any(not math.isnan(x["paper"]) for es in cells.values() for e in es for x in e["metrics"].values())

    tables_html = []
    for cols in blocks:
        head = []
        nlev = len(ck)
        for lev in range(nlev):
            spans = _spans(list(cols), lev)
            ths = "".join(
                f"<th colspan='{s * len(metrics)}'>{_breakable(raw_label.get((ck[lev], c[lev]), c[lev]))}"
                f"{marks_of(col_marks, c[:lev + 1])}</th>"
                for c, s in zip(cols, spans) if s)
            corner = (f"<th class='srr-rh' rowspan='{nlev + (len(metrics) > 1)}'>{_breakable(column_label(k))}"
                      "</th>" for k in rk) if lev == 0 else ()
            head.append(f"<tr>{''.join(corner)}{ths}</tr>")
        if len(metrics) > 1 or not ck:
            corner = "".join(f"<th class='srr-rh'>{_breakable(column_label(k))}</th>" for k in rk) if not ck else ""
            head.append("<tr>" + corner + "".join(f"<th>{html.escape(column_label(m))}</th>" for c in cols
                                                  for m in metrics) + "</tr>")
        body = []
        shown_rows = [r for r in row_combos if any(r + c in groups for c in cols)]
        for n_seg, seg in enumerate(_row_segments(shown_rows, nr)):
            if n_seg:  # a long table says its columns again, as a paper's table continued on a new page
                body += [h.replace("<tr>", "<tr class='srr-rehead'>", 1) for h in head]
            spans = [_spans(seg, lev) for lev in range(max(0, nr - 1))]  # outer labels repeat in a new segment
            for i, r in enumerate(seg):
                tds = []
                for lev, k in enumerate(rk):
                    label = _breakable(raw_label.get((k, r[lev]), r[lev]))
                    if lev < nr - 1:
                        s = spans[lev][i]
                        if not s:
                            continue
                        tds.append(f"<th class='srr-rh' rowspan='{s}'>{label}{marks_of(row_marks, r[:lev + 1])}"
                                   "</th>")
                    else:
                        tds.append(f"<th class='srr-rh'>{label}{marks_of(row_marks, r)}</th>")
                if nr == 0:
                    tds.append(f"<th class='srr-rh'>{marks_of(row_marks, r)}</th>")
                for c in cols:
                    key = r + c
                    if key not in groups:
                        tds.append("<td></td>" * len(metrics))
                        continue
                    for j, m in enumerate(metrics):
                        tds.append(_cell_html(cells[key], m, marks_of(cell_marks, key) if j == 0 else "",
                                              has_paper, fn, first=j == 0))
                body.append(f"<tr>{''.join(tds)}</tr>")
        tables_html.append(f"<table class='srr-layout'><thead>{''.join(head)}</thead>"
                           f"<tbody>{''.join(body)}</tbody></table>")

    n_seeds = max((x["n"] for es in cells.values() for e in es for x in e["metrics"].values()), default=0)
    how = " (mean ± std over seeds)" if n_seeds > 1 else ""
    if has_paper:
        caption = (f"Each cell: <b>ours</b>{how} above the paper's value and the gap ours − paper, green where "
                   "ours is better (higher PSNR / SSIM, lower NIQE / LPIPS; for counts and "
                   "times: above), red where worse, full colour at ±1 dB PSNR, ±0.02 SSIM, ±0.5 NIQE, "
                   "±10 % of counts and times. Grey: the paper's number only, with the reason in a footnote.")
    else:
        caption = f"Each cell: <b>ours</b>{how}; no paper prints these numbers (the study's own check)."
    if constant:
        caption += " All cells: " + ", ".join(
            f"{html.escape(column_label(k))} {html.escape(key_label(k, df[k].iloc[0]))}" for k in constant) + "."
    if split:
        caption += (" Where " + " or ".join(html.escape(column_label(k)) for k in split)
                    + " differs inside a cell, the cell has one line per value (labelled on the left).")
    notes = []
    if shown_sources:
        notes.append("<li style='list-style:none;margin-left:-1.2em'>The paper's values — "
                     + "; ".join(text_html(t) for t in shown_sources) + "</li>")
    for who, t in general:
        notes.append(f"<li style='list-style:none;margin-left:-1.2em'>{who} — {text_html(t)}</li>")
    for i, t in enumerate(fn.texts, 1):
        notes.append(f"<li id='{fn.anchor}-{i}' value='{i}'>{text_html(t)}</li>")
    many = " srr-many" if len(fn.texts) > MANY_FOOTNOTES else ""
    foot = f"<ol class='srr-footnotes{many}'>{''.join(notes)}</ol>" if notes else ""
    title = ("<p class='srr-h'>The paper's table, ours beside it</p>" if has_paper
             else "<p class='srr-h'>The table</p>")
    # the table flows in the page (a box scrolling inside the page hides rows and footnotes); only a table wider
    # than the column scrolls sideways. The caption follows the table, so the table starts high on the page.
    return (f"{title}<div class='srr-layout-wrap'>{''.join(tables_html)}</div>"
            f"<p class='srr-caption'>{caption}</p>{foot}")


# ---------------------------------------------------------------------------------------------------------------
# 6. raw rows (and the callers' paper-vs-ours frame)


def display_frame(result: TableResult) -> pd.DataFrame:
    """Paper value, ours and Δ side by side for each metric, one row per CSV row (per seed)."""
    spec, r = result.spec, result.rows
    cols = [k for k in spec.keys if k in r] + [c for c in ("reported_by",) if c in r and c not in spec.keys]
    for m in spec.metrics:
        cols += [c for c in (f"{m}_paper", m, f"{m}_std", f"{m}_delta") if c in r and r[c].notna().any()]
    cols += [c for c in (*spec.display_extra, "status") if c in r and c not in cols]
    out = r[cols].copy()
    return out.rename(columns={f"{m}_paper": f"{m} (paper)" for m in spec.metrics}
                      | {f"{m}_delta": f"Δ {m}" for m in spec.metrics}
                      | {f"{m}_std": f"{m} ± std" for m in spec.metrics})


def _fmt(v, col: str) -> str:
    """A raw-rows cell: numbers to the metric's digits, yes/no in words, texts without machine paths."""
    if _is_bool(v):
        return html.escape(bool_label(col, v))
    if isinstance(v, float):
        if np.isnan(v):
            return "–"
        if "ssim" in col:
            return f"{v:+.4f}" if col.startswith("Δ") else f"{v:.4f}"
        if "psnr" in col:
            return f"{v:+.3f}" if col.startswith("Δ") else f"{v:.3f}"
        return f"{v:g}"
    return text_html(v)


def rows_table_html(result: TableResult, max_rows: int = 400) -> str:
    """The raw rows under human column names (``column_label``)."""
    df = display_frame(result).head(max_rows)
    head = "".join(f"<th>{html.escape(column_label(c))}</th>" for c in df.columns)
    body = "".join("<tr>" + "".join(f"<td>{_fmt(v, c)}</td>" for c, v in zip(df.columns, row)) + "</tr>"
                   for row in df.itertuples(index=False))
    return f"<table class='srrepro'><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def table_html(result: TableResult, max_rows: int = 400) -> str:
    """Banner + the raw paper-vs-ours rows (what a notebook shows for a bare ``result``)."""
    return banner(result) + rows_table_html(result, max_rows)


def csv_repo_path(result: TableResult) -> str:
    return f"results/{result.profile}/{result.spec.id}.csv"


def raw_rows_html(result: TableResult, max_rows: int = 400) -> str:
    """The per-seed rows, collapsed, after the path of the CSV (linked: the CSV lies beside the notebook, and the
    book copies it beside the page)."""
    n = len(result.rows)
    more = f" (the first {max_rows} shown)" if n > max_rows else ""
    link = (f"<p class='srr-small'>Every row with its provenance: <a href='{html.escape(result.spec.id)}.csv' "
            f"download><code>{html.escape(csv_repo_path(result))}</code></a> "
            f"({n} rows, {result.rows.shape[1]} columns).</p>")
    return (f"<details class='srr-raw'><summary>Raw rows: {n}, one per cell and seed{more}</summary>"
            f"{rows_table_html(result, max_rows)}</details>{link}")


# ---------------------------------------------------------------------------------------------------------------


def gap_over_training(result: TableResult):
    """Each trained claim's gap (95 % interval shaded) at 25/50/75/100 % of training: does its sign hold? None when
    no claim has checkpoint scores (rows computed before the engine kept them)."""
    import matplotlib.pyplot as plt

    curves = {c.id: result.verdicts[c.id] for c in result.spec.claims
              if c.id in result.verdicts and len(getattr(result.verdicts[c.id], "curve", {}) or {}) >= 2}
    if not curves:
        return None
    iterations = float(result.rows["iterations"].max()) if "iterations" in result.rows else 1.0
    n = len(curves)
    cols = min(n, 4)
    fig, axes = plt.subplots(math.ceil(n / cols), cols, figsize=(3.4 * cols, 2.4 * math.ceil(n / cols)),
                             squeeze=False)
    for ax, (cid, v) in zip(axes.flat, curves.items()):
        f = sorted(v.curve)
        gap, lo, hi = (np.array([v.curve[k][i] for k in f], dtype=float) for i in range(3))
        x = np.array(f) * iterations
        ax.axhline(0, color="k", lw=0.6)
        ax.fill_between(x, lo, hi, color=_VERDICT_COLOUR.get(v.status, "#888"), alpha=0.2, lw=0)
        ax.plot(x, gap, "o-", color=_VERDICT_COLOUR.get(v.status, "#888"))
        ax.set_title(cid, fontsize=9)
        ax.set_xlabel("training iterations", fontsize=8)
        ax.tick_params(labelsize=7)
    axes.flat[0].set_ylabel("gap (dB), 95 % interval", fontsize=8)
    for ax in list(axes.flat)[n:]:
        ax.set_visible(False)
    fig.suptitle(f"Each claim's gap over training ({getattr(next(iter(curves.values())), 'budget', '')})",
                 fontsize=9)
    return fig


def figure_alt(result: TableResult, fig) -> str:
    """A figure's alt text: "Figure: <table title>", then what it plots (its title, else its panels' titles)."""
    what = fig._suptitle.get_text() if getattr(fig, "_suptitle", None) is not None else ""
    if not what:
        titles = list(dict.fromkeys(t for ax in fig.axes if (t := ax.get_title())))
        what = "; ".join(titles[:4]) + ("; …" if len(titles) > 4 else "")
    return plain_text(f"Figure: {result.spec.title}" + (f" — {what}" if what else ""))


def figure_html(png: bytes, alt: str) -> str:
    """A PNG as an <img> with its alt text (an image output would get its file name as alt in the book)."""
    import base64

    return (f"<img src='data:image/png;base64,{base64.b64encode(png).decode()}' alt='{html.escape(alt, quote=True)}'"
            " style='max-width:100%'>")


def show(result: TableResult):
    """Notebook helper: the whole table page (see the module docstring for the order)."""
    import contextlib
    import io
    import warnings

    from IPython.display import HTML, Markdown, display

    display(Markdown(lead_markdown(result)))
    display(HTML(CSS + banner(result) + verdicts_html(result) + paper_layout_html(result)))

    import matplotlib.pyplot as plt

    before = set(plt.get_fignums())
    printed = io.StringIO()  # what a plot prints ("Figure not drawn: …") is shown without the machine's paths
    with contextlib.redirect_stdout(printed):
        if result.spec.plot is not None:
            import inspect

            wants_images = "images" in inspect.signature(result.spec.plot).parameters  # e.g. a learning-curve plot
            result.spec.plot(result.rows, **({"images": result.images} if wants_images else {}))
        gap_over_training(result)
        settle_figure(result)
    if printed.getvalue().strip():
        display(HTML("<p class='srr-small'>" + "<br>".join(text_html(line) for line in
                                                           printed.getvalue().strip().splitlines()) + "</p>"))
    for num in plt.get_fignums():  # as PNG bytes: the same under the inline backend and under Agg (CI, papermill)
        if num not in before:
            fig = plt.figure(num)
            with warnings.catch_warnings():  # figures that place their own axes (visual comparisons) stay as they are
                warnings.simplefilter("ignore")
                fig.tight_layout()
            buf = io.BytesIO()
            fig.savefig(buf, format="png", dpi=100, bbox_inches="tight")
            display(HTML(figure_html(buf.getvalue(), figure_alt(result, fig))))
            plt.close(fig)
    settle = settle_html(result)
    if settle:
        display(HTML(CSS + settle))
    if result.spec.notes:
        display(Markdown("#### Notes\n\n" + markdown_text(result.spec.notes, [result])))
    display(Markdown(about_markdown(result)))
    display(HTML(raw_rows_html(result)))


def claims_frame(results: list[TableResult]) -> pd.DataFrame:
    """Every claim of the given results with its verdict (the book's ledgers)."""
    rows = []
    for res in results:
        for claim in res.spec.claims:
            v = res.verdicts.get(claim.id)
            rows.append({"table": res.spec.id, "paper": res.spec.paper, "claim_id": claim.id, "claim": claim.text,
                         "source": claim.source, "kind": claim.kind, "trained": claim.trained,
                         "profile": res.profile, "verdict": getattr(v, "status", "not run"),
                         "interval": interval_text(v) if v is not None else "",
                         "decided_by": getattr(v, "decided_by", "") or "",
                         "effect": getattr(v, "effect", "") or "",
                         "readings": "; ".join(f"{n}: {getattr(r, 'status', '')} {interval_text(r)}".strip()
                                               for n, r in (getattr(v, "readings", {}) or {}).items()),
                         "seeds × images": seeds_images(v) if v is not None else "",
                         "budget": getattr(v, "budget", "") or "", "trend": getattr(v, "trend", "") or "",
                         "evidence": getattr(v, "evidence", "") or "", "to settle": getattr(v, "needed", "") or ""})
    return pd.DataFrame(rows)
