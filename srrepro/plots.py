"""Plot helpers every paper module shares."""
from __future__ import annotations

import math

import numpy as np


def gap_bars(ax, rows: list[tuple], rotation: int = 45) -> None:
    """Bars of A − B per cell, ours (mean ± seed std, paired by seed) beside the paper's.

    rows: (label, A per seed, B per seed, A paper values, B paper values), as from :func:`srrepro.verdicts.per_seed`.
    """
    ax.axhline(0, color="k", lw=0.6)
    if not rows:
        return
    ours = [(a - b).dropna() for _, a, b, _, _ in rows]
    paper = [pa.iloc[0] - pb.iloc[0] if len(pa) and len(pb) else math.nan for _, _, _, pa, pb in rows]
    x = np.arange(len(rows))
    ax.bar(x - 0.2, [d.mean() for d in ours], 0.4, yerr=[d.std() if len(d) > 1 else 0.0 for d in ours],
           label="ours (± seed std)")
    ax.bar(x + 0.2, paper, 0.4, label="paper")
    ax.set_xticks(x, [r[0] for r in rows], rotation=rotation, fontsize=7 if rotation > 45 else 8)
