"""Assemble the Jupyter Book's sources from results/ (``python -m srrepro.book``; ``make book`` then builds it).

Nothing is computed here: each table page is the executed notebook that produced its CSV (the most complete
profile available: paper, then lite, then smoke). Each paper's chapter opens with a generated page, its claims
ledger: every claim of its tables with the verdict the claim's rule computes from the CSV, and which protocol
(the paper's text or the released code) each run followed. The front page (``intro.md``) includes the ledger of
every chapter (``_ledger.md``). A ledger row gives the claim's gap with its 95 % interval and, for training tables,
the training budget the verdict is about. A table never run gets a page that says so and how to run it. The study
part ends with the speed page, written from ``results/bench/*.csv`` (``make bench``, :mod:`srrepro.bench`) when
they exist.

Each page's CSV is copied to ``book/tables/_csv/tables/<id>.csv``; ``html_extra_path`` (``_config.yml``) puts it
beside the page in the built HTML, where the page's raw-rows link (``<id>.csv``) points, as it points to the CSV
beside the notebook in ``results/<profile>/``.
"""
from __future__ import annotations

import html
import importlib
import re
import shutil
import sys
from pathlib import Path

from . import papers, tables
from .provenance import REPO_ROOT, atomic_write_text

BOOK = REPO_ROOT / "book"
PREFERENCE = ("paper", "lite", "smoke")
# chapters in reading order: paper name in TableSpec.paper → (page slug, title), from the paper folders
PARTS = {p.name: (p.slug, p.title) for p in papers.papers()}
LEDGER_INTRO = (
    "Every claim has a *kind*, and its kind says which one test decides it: **exact** (a printed value reproduced "
    "within its printed precision), **direction** (A beats B: the interval excludes 0), **equivalence** (no "
    "difference: the interval lies inside a stated margin, two one-sided tests) or **magnitude** (the paper's own "
    "effect lies in our interval). *Checks without training* (bicubic, released weights, counts) are exact at every "
    "profile but smoke. *Trained claims* are as strong as their training: *smoke* numbers are meaningless by "
    "design, a *lite* verdict is about short training (the *budget* column: the iterations run, as a share of the "
    "paper's schedule), and only a *paper* verdict tests the paper's fully trained models. The gap shown is the one "
    "that decided, with its interval and level (for a claim over k cells, the least certain cell at 1 − 0.05/k); "
    "*vs the paper's effect* sets our gap beside the paper's printed one. An **error** is a verdict rule that "
    "raised (a bug of this study, not a finding), counted on its own.")
CSV_DIR = "tables/_csv"  # book/<CSV_DIR>/tables/<id>.csv → _build/html/tables/<id>.csv (html_extra_path)


def _best_profile(table_id: str, results: Path) -> str | None:
    for profile in PREFERENCE:
        if (results / profile / f"{table_id}.ipynb").exists() and (results / profile / f"{table_id}.csv").exists():
            return profile
    return None


def assemble(results: Path = REPO_ROOT / "results", book: Path = BOOK) -> dict[str, str | None]:
    pages = book / "tables"
    shutil.rmtree(pages, ignore_errors=True)
    pages.mkdir(parents=True)
    chosen: dict[str, str | None] = {}
    verdict_results = []
    for tid in tables.list_tables():
        spec = tables.get(tid)
        profile = _best_profile(tid, results)
        chosen[tid] = profile
        if profile is None:
            atomic_write_text(pages / f"{tid}.md", (
                f"# {spec.title}\n\n**{spec.paper}** · {spec.source}\n\n"
                f"```{{note}}\nNot run yet at any profile. Run `make reproduce TABLE={tid} PROFILE=lite` "
                f"(or `smoke`; `paper` on a GPU workstation).\n```\n"))
            continue
        shutil.copy(results / profile / f"{tid}.ipynb", pages / f"{tid}.ipynb")
        csv_dir = book / CSV_DIR / "tables"  # beside the page in the built HTML, where its raw-rows link points
        csv_dir.mkdir(parents=True, exist_ok=True)
        for csv in [results / profile / f"{tid}.csv", *sorted((results / profile).glob(f"{tid}_*.csv"))]:
            shutil.copy(csv, csv_dir / csv.name)
        verdict_results.append(tables.load(tid, profile, results))
    from .site import site_pages  # the data, changelog, GPU and references pages, the bundles, the version stamp

    extra = {"study": [f"tables/{slug}" for slug in _bench_page(results, book, pages)]
             + site_pages(results, book, pages, book / CSV_DIR)}
    chapters = book / "chapters"
    shutil.rmtree(chapters, ignore_errors=True)
    chapters.mkdir()
    for paper, (slug, title) in PARTS.items():
        tids = [t for t in chosen if tables.get(t).paper == paper]
        if tids:
            mine = [r for r in verdict_results if r.spec.paper == paper]
            intro = chapter_intro(papers.paper_of(tids[0]), tids[0])
            atomic_write_text(chapters / f"{slug}.md", chapter_page(title, tids, mine, chosen, intro))
    atomic_write_text(book / "_summary.md", summary(verdict_results, book, results))
    atomic_write_text(book / "ledger.md", ledger_page(verdict_results, chosen))
    atomic_write_text(book / "_toc.yml", toc(chosen, extra))
    return chosen


def _bench_page(results: Path, book: Path, pages: Path) -> list[str]:
    """The speed page (``make bench``: results/bench/*.csv) in the study part, its CSVs beside it; [] when not run."""
    from .bench import page

    text = page(results / "bench", csv_prefix="")
    if text is None:
        return []
    atomic_write_text(pages / "bench.md", text)
    csv_dir = book / CSV_DIR / "tables"
    csv_dir.mkdir(parents=True, exist_ok=True)
    for csv in sorted((results / "bench").glob("*.csv")):
        shutil.copy(csv, csv_dir / f"bench_{csv.name}")
    return ["bench"]


def ledger(results: list, chosen: dict[str, str | None], link_prefix: str, by_paper: bool = True) -> str:
    """The claims ledger as markdown: totals split into checks without training and trained claims (at their
    budget), then one row per claim (a table per chapter when ``by_paper``). ``chosen``: the tables this ledger
    covers (→ profile, None when not run)."""
    from .report import badge, claims_frame

    df = claims_frame(results)
    lines = [LEDGER_INTRO, ""]
    if df.empty:
        lines.append("No table has been run yet.")
    else:
        lines += totals(df)
        groups = [(p, df[df["paper"] == p]) for p in PARTS] if by_paper else [(None, df)]
        for paper, g in groups:
            if g.empty:
                continue
            if paper is not None:
                lines += ["", f"**{PARTS[paper][1]}** — {_split_counts(g)}"]
            lines += ["", "| table | claim | kind | profile | verdict | gap [interval that decides] | vs the paper's "
                          "effect | budget | evidence |", "|---|---|---|---|---|---|---|---|---|"]
            for r in g.to_dict("records"):
                ev = r["evidence"] + (f" — to settle: {r['to settle']}" if r["to settle"] else "")
                if r.get("readings"):
                    ev += f" — other readings: {r['readings']}"
                gap = _md(r["interval"]).replace(" ", "\u00a0") if r["interval"] else "–"  # one unbroken line
                if r["interval"] and r.get("decided_by"):
                    gap += f" ({_md(r['decided_by'])})"
                budget = _md(r["budget"]) if r["budget"] else ("no training" if not r["trained"] else "–")
                lines.append(f"| {{doc}}`{r['table']} <{link_prefix}tables/{r['table']}>` | {_md(r['claim'])} "
                             f"({_md(r['source'])}) | {r['kind']} | {r['profile']} | {badge(r['verdict'])} | {gap} "
                             f"| {_md(r['effect']) or '–'} | {budget} | {_md(ev)} |")
    not_run = [t for t, p in chosen.items() if p is None]
    if not_run:
        lines += ["", "Tables not run yet (no verdicts): " + ", ".join(f"`{t}`" for t in not_run) + "."]
    return "\n".join(lines) + "\n"


def totals(df) -> list[str]:
    """The ledger's totals as two lines that never mix: checks without training, and trained claims at their
    training budget(s)."""
    exact, trained = df[~df["trained"].astype(bool)], df[df["trained"].astype(bool)]
    out = []
    if len(exact):
        out.append(f"- **Checks without training** ({len(exact)} claims): {_counts(exact)}.")
    if len(trained):
        budgets = sorted({b for b in trained["budget"] if b})
        shares = sorted({float(m) for b in budgets for m in re.findall(r"\(([\d.]+) %\)", b)})
        at = (f" at {budgets[0]}" if len(budgets) == 1 else
              f" at {shares[0]:g}–{shares[-1]:g} % of the papers' training (each row names its budget)"
              if len(shares) > 1 else " (each row names its budget)" if budgets else "")
        out.append(f"- **Trained claims{at}** ({len(trained)} claims): {_counts(trained)}.")
    return out


def _split_counts(df) -> str:
    exact, trained = df[~df["trained"].astype(bool)], df[df["trained"].astype(bool)]
    parts = [f"without training: {_counts(exact)}" if len(exact) else "",
             f"trained: {_counts(trained)}" if len(trained) else ""]
    return "; ".join(p for p in parts if p)


def chapter_intro(paper: papers.Paper, first_table: str) -> str:
    """A chapter's opening text: the folder's ``chapter.md`` and, when its spec module lists the paper's items
    (``PAPER_ITEMS``), that list in the paper's order; a module's ``CHAPTER`` text where the folder has no file."""
    module = importlib.import_module(tables.TABLES[first_table])
    text = paper.chapter()
    if not text:
        return getattr(module, "CHAPTER", "")
    items = getattr(module, "PAPER_ITEMS", None)
    return text.rstrip() + "\n\n" + tables.items_list(items) + "\n" if items else text


def chapter_page(title: str, tids: list[str], results: list, chosen: dict[str, str | None], intro: str = "") -> str:
    """A chapter's opening page: the paper module's ``CHAPTER`` text (errata, code-vs-paper differences), its
    tables, its claims ledger, and which protocol each run followed."""
    # the marker lets book/_static/srrepro.css give a chapter page (a wide ledger) the whole width
    from .report import with_measured

    intro = with_measured(intro, results)  # a chapter's prose names claims; their numbers come from the results
    lines = [f"# {title}", "", '<span class="srr-chapter"></span>', "", *([link_ids(intro.strip()), ""] if intro else []),
             "## Tables", ""]
    for tid in tids:
        spec = tables.get(tid)
        where = f"profile **{chosen[tid]}**" if chosen[tid] else "not run yet"
        lines.append(f"- {{doc}}`{tid} <../tables/{tid}>` — {_md(spec.title)} ({where}; {_md(spec.source)})")
    lines += ["", "## Claims ledger", ""]
    from .report import claims_frame

    df = claims_frame(results)
    lines += totals(df) + ["", ledger_html(df, "../"), ""] if not df.empty else ["No table has been run yet.", ""]
    not_run = [t for t in tids if chosen[t] is None]
    if not_run:
        lines += ["Tables not run yet (no verdicts): " + ", ".join(f"`{t}`" for t in not_run) + ".", ""]
    follows = []
    for res in results:
        if "follows" in res.rows:
            for f in res.rows["follows"].dropna().unique():
                follows.append(f"| {res.spec.id} | {_md(f)} |")
    if follows:
        lines += ["## Which protocol each run follows", "",
                  "Where a paper's text and its released code disagree (for example one multi-scale model in the "
                  "text, one model per scale in the code), every result row says which one it followed "
                  "(`follows` column).", "", "| table | follows |", "|---|---|", *follows, ""]
    return "\n".join(lines)


# ---------------------------------------------------------------------------------------------------------------
# the front page's answers and the ledger page

def claim_anchor(table: str, claim_id: str) -> str:
    """The stable anchor of a claim: its row on its table page (``#claim-<claim id>``) and on the ledger page
    (``#claim-<table>-<claim id>``)."""
    return f"claim-{table}-{claim_id}"


def ledger_html(df, link_prefix: str, filters: bool = False) -> str:
    """Every claim of ``df`` (:func:`srrepro.report.claims_frame`) as one line: table, claim, kind, verdict, the gap
    with the interval that decided, our effect beside the paper's; evidence, budget, readings and what would settle
    it folded. ``filters``: select boxes by paper, kind and verdict (the ledger page)."""
    from .report import badge, plain_text

    rows = []
    for r in df.to_dict("records"):
        more = [f"<b>Evidence</b>: {html.escape(plain_text(r['evidence']))}" if r["evidence"] else "",
                f"<b>Decided by</b>: {html.escape(r['decided_by'])}" if r.get("decided_by") else "",
                f"<b>Budget</b>: {html.escape(r['budget'])}" if r["budget"] else
                ("<b>Budget</b>: no training" if not r["trained"] else ""),
                f"<b>Other readings</b>: {html.escape(plain_text(r['readings']))}" if r.get("readings") else "",
                f"<b>To settle</b>: {html.escape(plain_text(r['to settle']))}" if r["to settle"] else ""]
        fold = "<br>".join(m for m in more if m)
        anchor = claim_anchor(r["table"], r["claim_id"])
        rows.append(
            f"<tr id='{anchor}' data-paper='{html.escape(r['paper'])}' data-kind='{r['kind']}' "
            f"data-verdict='{r['verdict']}' data-trained='{'trained' if r['trained'] else 'exact'}'>"
            f"<td><a href='{link_prefix}tables/{r['table']}.html#claim-{r['claim_id']}'>{r['table']}</a></td>"
            f"<td>{html.escape(plain_text(r['claim']))} <span class='srr-src'>({html.escape(plain_text(r['source']))})</span>"
            + (f"<details class='srr-why'><summary>details</summary>{fold}</details>" if fold else "") + "</td>"
            f"<td>{r['kind']}</td><td>{badge(r['verdict'])}</td>"
            f"<td class='srr-num'>{html.escape(r['interval']) or '–'}</td>"
            f"<td class='srr-eff'>{html.escape(r['effect']) or '–'}</td></tr>")
    table = ("<table class='srr-ledger'><thead><tr><th>table</th><th>claim</th><th>kind</th><th>verdict</th>"
             "<th>gap [interval that decides]</th><th>vs the paper's effect</th></tr></thead><tbody>"
             + "".join(rows) + "</tbody></table>")
    if not filters:
        return table

    def select(name: str, values) -> str:
        opts = "".join(f"<option value='{html.escape(str(v))}'>{html.escape(str(v))}</option>" for v in values)
        return f"<label>{name} <select data-filter='{name}'><option value=''>all</option>{opts}</select></label>"
    papers = [p for p in PARTS if p in set(df["paper"])]
    from .verdicts import KINDS, VERDICTS
    controls = ("<div class='srr-filters'>" + select("paper", papers) + select("kind", KINDS)
                + select("verdict", [v for v in VERDICTS if v in set(df["verdict"])])
                + select("trained", ["exact", "trained"]) + "</div>")
    script = ("<script>document.addEventListener('DOMContentLoaded',function(){var s=document.querySelectorAll("
              "'.srr-filters select');function f(){document.querySelectorAll('table.srr-ledger tbody tr')."
              "forEach(function(r){var ok=true;s.forEach(function(x){if(x.value&&r.dataset[x.dataset.filter]!=="
              "x.value)ok=false});r.style.display=ok?'':'none'})}s.forEach(function(x){x.addEventListener("
              "'change',f)})});</script>")
    return controls + table + script


def _papers_table(df) -> str:
    """One row per paper: its checks without training and its trained claims by verdict, and (folded) its
    contradicted claims and erratum checks, each linked to its ledger row."""
    from .report import VERDICT_ORDER, badge

    present = [s for s in VERDICT_ORDER if s in set(df["verdict"])]
    short = {"holds": "holds", "contradicted": "contra­dicted", "inconclusive": "incon­clusive", "not run": "not run",
             "error": "error"}

    def counts(g) -> str:
        if g.empty:
            return "<td colspan='%d' class='srr-na'>none</td>" % len(present)
        c = g["verdict"].value_counts()
        return "".join(f"<td class='srr-num'>{c.get(s, 0) or '·'}</td>" for s in present)
    head = ("<tr><th rowspan='2'>paper</th><th colspan='%d'>checks without training</th><th colspan='%d'>trained "
            "claims</th><th rowspan='2'>contradicted claims and erratum checks</th></tr><tr>" % (len(present),
                                                                                                  len(present))
            + "".join(f"<th>{badge(s).replace(s, short[s])}</th>" for s in present) * 2 + "</tr>")
    body = []
    for paper, (slug, title) in PARTS.items():
        g = df[df["paper"] == paper]
        if g.empty:
            continue
        notable = g[g["verdict"].isin(["contradicted", "error"]) | g["claim_id"].str.contains("errat", case=False)]
        items = "".join(f"<li>{r['verdict']}: <a href='ledger.html#{claim_anchor(r['table'], r['claim_id'])}'>"
                        f"{html.escape(r['claim'])}</a> ({r['table']}, {r['kind']})</li>"
                        for r in notable.to_dict("records"))
        fold = (f"<details class='srr-why'><summary>{len(notable)} claims</summary><ul>{items}</ul></details>"
                if len(notable) else "–")
        name = "Protocol" if paper == "study" else paper
        body.append(f"<tr><td style='white-space:nowrap'><a href='chapters/{slug}.html'>"
                    f"{html.escape(name)}</a></td>"
                    f"{counts(g[~g['trained'].astype(bool)])}{counts(g[g['trained'].astype(bool)])}<td>{fold}</td></tr>")
    return f"<table class='srr-counts srr-papers'><thead>{head}</thead><tbody>{''.join(body)}</tbody></table>"


def verdict_chart(df, path: Path) -> None:
    """Horizontal stacked bars: per paper, its checks without training and its trained claims by verdict."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from .report import _VERDICT_COLOUR, VERDICT_ORDER

    labels, stacks = [], []
    for paper in PARTS:
        g = df[df["paper"] == paper]
        for name, sub in (("without training", g[~g["trained"].astype(bool)]), ("trained", g[g["trained"].astype(bool)])):
            if len(sub):
                labels.append(f"{paper if paper != 'study' else 'Protocol'} — {name}")
                stacks.append(sub["verdict"].value_counts())
    fig, ax = plt.subplots(figsize=(8, 0.32 * len(labels) + 0.9))
    y = list(range(len(labels)))[::-1]
    left = [0] * len(labels)
    for s in VERDICT_ORDER:
        n = [int(st.get(s, 0)) for st in stacks]
        if any(n):
            ax.barh(y, n, left=left, color=_VERDICT_COLOUR[s], label=s, height=0.7)
            left = [a + b for a, b in zip(left, n)]
    ax.set_yticks(y, labels, fontsize=8)
    ax.set_xlabel("claims", fontsize=8)
    ax.tick_params(axis="x", labelsize=8)
    ax.legend(fontsize=7, ncol=5, loc="lower center", bbox_to_anchor=(0.5, 1.0), frameon=False)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def compute_used(results: Path = REPO_ROOT / "results") -> list[tuple[str, int, float, str]]:
    """Per profile: (profile, tables, wall hours of the committed runs summed over tables, the machines)."""
    import pandas as pd

    out = []
    for profile in ("smoke", "lite", "paper"):
        secs, n, machines = 0.0, 0, set()
        for csv in sorted((results / profile).glob("*.csv")):
            d = pd.read_csv(csv, usecols=lambda c: c in ("table_seconds", "machine"))
            if "table_seconds" in d and d["table_seconds"].notna().any():
                secs += float(d["table_seconds"].max())
                n += 1
            if "machine" in d:
                machines |= set(d["machine"].dropna().astype(str))
        if n:
            out.append((profile, n, secs / 3600, "; ".join(sorted(machines))))
    return out


def summary(results_list: list, book: Path, results: Path = REPO_ROOT / "results") -> str:
    """The front page's answers (``_summary.md``): totals split exact / trained, a chart of verdicts, one table per
    paper with its contradicted claims and errata checks, and the compute used per profile."""
    from .report import claims_frame

    df = claims_frame(results_list)
    if df.empty:
        return "No table has been run yet.\n"
    verdict_chart(df, book / "summary_verdicts.png")
    lines = ["Every claim of the five papers that this study checks, by kind and verdict (the full list: "
             "[the claims ledger](ledger.md)).", "", *totals(df), "",
             "```{image} summary_verdicts.png", ":alt: Bar chart: for each paper, its checks without training and its "
             "trained claims, split by verdict (holds, contradicted, inconclusive, not run, error)",
             ":width: 640px", "```", ""]
    lines += ["### By paper", "", _papers_table(df), ""]
    used = compute_used(results)
    if used:
        lines += ["### Compute used", "", "| profile | tables | wall time of the committed runs | machine |",
                  "|---|---|---|---|"]
        lines += [f"| {p} | {n} | {h:.1f} h | {_md(m)} |" for p, n, h, m in used]
        lines += ["", "Wall time summed over the tables' own runs (a table reusing another's cached models counts "
                      "only its new work)."]
    return "\n".join(lines) + "\n"


def ledger_page(results_list: list, chosen: dict[str, str | None]) -> str:
    from .report import claims_frame

    df = claims_frame(results_list)
    lines = ["(ledger)=", "# Claims ledger", "", '<span class="srr-chapter"></span>', "", LEDGER_INTRO, ""]
    if df.empty:
        lines.append("No table has been run yet.")
    else:
        lines += totals(df) + ["", ledger_html(df, "", filters=True)]
    not_run = [t for t, p in chosen.items() if p is None]
    if not_run:
        lines += ["", "Tables not run yet (no verdicts): " + ", ".join(f"`{t}`" for t in not_run) + "."]
    return "\n".join(lines) + "\n"


def link_ids(text: str, prefix: str = "../") -> str:
    """Chapter prose: every table id written as code (`overnet_t2`) becomes a link to its page."""
    return re.sub(r"(?<!\})`([a-z0-9_]+)`", lambda m: f"{{doc}}`{m.group(1)} <{prefix}tables/{m.group(1)}>`"
                  if m.group(1) in tables.TABLES else m.group(0), text)


def _counts(df) -> str:
    """"**3** holds, **1** contradicted, **1** error": every status in the verdict order, errors on their own."""
    from .report import VERDICT_ORDER

    counts = df["verdict"].value_counts()
    order = [s for s in VERDICT_ORDER if s in counts] + [s for s in counts.index if s not in VERDICT_ORDER]
    return ", ".join(f"**{counts[s]}** {s}" for s in order)


def _md(text: str) -> str:
    return html.escape(str(text)).replace("|", "\\|")


def toc(chosen: dict[str, str | None], extra: dict[str, list[str]] | None = None) -> str:
    """The front page, the claims ledger, then one chapter per paper (its opening page, with its table pages as
    sections in the paper's reading order; ``extra``: paper → more section files after its tables, e.g. the speed
    page in the study part). Chapters, not parts: a part whose only entry repeats its title says nothing."""
    extra = extra or {}
    by_part: dict[str, list[str]] = {}
    for tid in chosen:
        by_part.setdefault(tables.get(tid).paper, []).append(tid)
    out = ["format: jb-book", "root: intro", "chapters:", "  - file: ledger"]
    for paper, (slug, title) in PARTS.items():
        if paper in by_part:
            out += [f"  - file: chapters/{slug}", "    sections:"]
            out += [f"      - file: tables/{tid}" for tid in by_part[paper]]
            out += [f"      - file: {f}" for f in extra.get(paper, [])]
    return "\n".join(out) + "\n"


if __name__ == "__main__":
    chosen = assemble()
    for tid, profile in chosen.items():
        print(f"{tid:<20} {profile or 'not run'}")
    sys.exit(0)
