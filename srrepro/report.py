"""What a notebook (and so the book) shows of a table result: a profile banner, paper-vs-ours, a plot, verdicts."""
from __future__ import annotations

import html

import numpy as np
import pandas as pd

from .tables import PROFILE_MEANING, TableResult

_VERDICT_COLOUR = {"holds": "#1a7f37", "contradicted": "#cf222e", "inconclusive": "#9a6700", "not run": "#57606a"}


def banner(result: TableResult) -> str:
    r = result.rows
    commit = r["git_commit"].iloc[0] if "git_commit" in r and len(r) else "?"
    dirty = " (uncommitted changes)" if "git_dirty" in r and len(r) and bool(r["git_dirty"].iloc[0]) else ""
    when = r["computed_at"].max() if "computed_at" in r and len(r) else "?"
    return (f"<p><b>Profile: {result.profile}</b> — {html.escape(PROFILE_MEANING[result.profile])}. "
            f"Computed {when} at commit <code>{commit}</code>{dirty}. Paper values are labelled <i>paper</i>; "
            f"every other number was computed by this study's code.</p>")


def display_frame(result: TableResult) -> pd.DataFrame:
    """Paper value, ours and Δ side by side for each metric, one row per cell."""
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
    if isinstance(v, float):
        if np.isnan(v):
            return "–"
        if "ssim" in col:
            return f"{v:+.4f}" if col.startswith("Δ") else f"{v:.4f}"
        if "psnr" in col:
            return f"{v:+.3f}" if col.startswith("Δ") else f"{v:.3f}"
        return f"{v:g}"
    return html.escape(str(v))


def table_html(result: TableResult, max_rows: int = 400) -> str:
    df = display_frame(result).head(max_rows)
    head = "".join(f"<th>{html.escape(c)}</th>" for c in df.columns)
    body = "".join("<tr>" + "".join(f"<td>{_fmt(v, c)}</td>" for c, v in zip(df.columns, row)) + "</tr>"
                   for row in df.itertuples(index=False))
    return banner(result) + f"<table class='srrepro'><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def verdicts_html(result: TableResult) -> str:
    items = []
    for claim in result.spec.claims:
        v = result.verdicts[claim.id]
        need = f" <i>To settle: {html.escape(v.needed)}</i>" if v.needed else ""
        items.append(f"<li><b style='color:{_VERDICT_COLOUR[v.status]}'>{v.status}</b> — "
                     f"{html.escape(claim.text)} <small>({html.escape(claim.source)})</small><br>"
                     f"<small>{html.escape(v.evidence)}</small>{need}</li>")
    return f"<h4>Claims at profile {result.profile}</h4><ul>{''.join(items)}</ul>"


def show(result: TableResult):
    """Notebook helper: banner + paper-vs-ours table, the table's plot, and the verdicts."""
    from IPython.display import HTML, display

    display(HTML(table_html(result)))
    if result.spec.plot is not None:
        import matplotlib.pyplot as plt

        result.spec.plot(result.rows)
        plt.tight_layout()
        plt.show()
    display(HTML(verdicts_html(result)))
    if result.spec.notes:
        from IPython.display import Markdown

        display(Markdown(result.spec.notes))


def claims_frame(results: list[TableResult]) -> pd.DataFrame:
    """Every claim of the given results with its verdict (the book's front page)."""
    rows = []
    for res in results:
        for claim in res.spec.claims:
            v = res.verdicts[claim.id]
            rows.append({"table": res.spec.id, "paper": res.spec.paper, "claim": claim.text, "source": claim.source,
                         "profile": res.profile, "verdict": v.status, "evidence": v.evidence, "to settle": v.needed})
    return pd.DataFrame(rows)
