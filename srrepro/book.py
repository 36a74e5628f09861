"""Assemble the Jupyter Book's sources from results/ (``python -m srrepro.book``; ``make book`` then builds it).

Nothing is computed here: each table page is the executed notebook that produced its CSV (the most complete
profile available: paper, then lite, then smoke), and the claims page re-reads every CSV and applies each
claim's verdict rule. A table never run gets a page that says so and how to run it.
"""
from __future__ import annotations

import html
import shutil
import sys
from pathlib import Path

from . import tables
from .provenance import REPO_ROOT, atomic_write_text

BOOK = REPO_ROOT / "book"
PREFERENCE = ("paper", "lite", "smoke")
PARTS = {  # chapter captions in reading order: paper name in TableSpec.paper → caption
    "study": "Protocol and exact checks",
    "OverNet": "OverNet",
    "PCARN": "PCARN",
    "EDSR": "EDSR / MDSR",
    "ASDN": "ASDN",
    "s-LWSR": "s-LWSR",
}


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
        verdict_results.append(tables.load(tid, profile, results))
    atomic_write_text(book / "claims.md", claims_page(verdict_results, chosen))
    atomic_write_text(book / "_toc.yml", toc(chosen))
    return chosen


def claims_page(results: list, chosen: dict[str, str | None]) -> str:
    from .report import claims_frame

    lines = ["# Claims ledger", "",
             "Every claim of every reproduced table, with the verdict its rule computes from the result CSV. "
             "A verdict is only as strong as its profile: *smoke* numbers are meaningless by design, *lite* "
             "runs are trend checks on a 2-core CPU, *paper* runs use the paper's own settings.", ""]
    df = claims_frame(results)
    if df.empty:
        lines.append("No table has been run yet.")
    else:
        counts = df["verdict"].value_counts().to_dict()
        lines.append("Totals: " + ", ".join(f"**{v}** {k}" for k, v in counts.items()) + ".")
        lines += ["", "| table | claim | profile | verdict | evidence |", "|---|---|---|---|---|"]
        for r in df.itertuples():
            ev = r.evidence + (f" — to settle: {r._8}" if r._8 else "")
            lines.append(f"| [{r.table}](tables/{r.table}) | {_md(r.claim)} ({_md(r.source)}) | {r.profile} | "
                         f"**{r.verdict}** | {_md(ev)} |")
    not_run = [t for t, p in chosen.items() if p is None]
    if not_run:
        lines += ["", "Tables not run yet (no verdicts): " + ", ".join(f"`{t}`" for t in not_run) + "."]
    return "\n".join(lines) + "\n"


def _md(text: str) -> str:
    return html.escape(str(text)).replace("|", "\\|")


def toc(chosen: dict[str, str | None]) -> str:
    by_part: dict[str, list[str]] = {}
    for tid in chosen:
        by_part.setdefault(tables.get(tid).paper, []).append(tid)
    out = ["format: jb-book", "root: intro", "parts:", "  - caption: Overview", "    chapters:",
           "      - file: claims"]
    for paper, caption in PARTS.items():
        if paper in by_part:
            out += [f"  - caption: {caption}", "    chapters:"]
            out += [f"      - file: tables/{tid}" for tid in by_part[paper]]
    return "\n".join(out) + "\n"


if __name__ == "__main__":
    chosen = assemble()
    for tid, profile in chosen.items():
        print(f"{tid:<20} {profile or 'not run'}")
    sys.exit(0)
