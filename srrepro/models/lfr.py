"""ASDN's Laplacian frequency representation as plain arithmetic (no torch): the scales of the pyramid's levels,
the level and weight of any scale, and the ratios of a recursive deployment. :mod:`srrepro.models.asdn` builds the
network on them; the ASDN chapter's specs read them without loading the model."""
from __future__ import annotations

import math

# "Laplacian Frequency Representation": the scale range of the pyramid is (1, 2].
R_MIN, R_MAX = 1.0, 2.0
_EPS = 1e-9


# ---------------------------------------------------------------------------------------------------------------
# Slides "Laplacian Frequency Representation", "Example", "Recursive deployment": pure functions
# ---------------------------------------------------------------------------------------------------------------
def lfr_scales(levels: int, r_max: float = R_MAX) -> tuple[float, ...]:
    """Scales of the pyramid levels, ``r_l = l/(L-1) + 1`` for ``l = 0 … L-1`` (range ``(1, r_max]``: 2 in the
    slides; ``levels=2, r_max=R`` is a one-level "direct deployment" network for ×R, slide "Study of recursive
    deployment — Effectiveness")."""
    if int(levels) != levels or levels < 2:
        raise ValueError(f"the LFR needs an integer number of levels >= 2, not {levels!r}")
    return tuple(l * (r_max - 1) / (levels - 1) + 1 for l in range(levels))


def lfr_index_weight(r: float, levels: int = 11, r_max: float = R_MAX) -> tuple[int, float]:
    """``(i, w_r)`` for a scale ``r`` in ``[1, 2]``: ``i = ⌈(r-1)(L-1)⌉``, ``w_r = (L-1)(r_i - r)`` in ``[0, 1)``.

    ``O_r = O_{r_i} + w_r·(O_{r_{i-1}} - O_{r_i})``. Slide "Example": ``lfr_index_weight(1.27, 11) == (3, 0.3)``.
    ``(r-1)(L-1)`` is snapped to an integer within 1e-9 (reading 3), so ``r = r_l`` gives ``(l, 0.0)``.
    """
    scales = lfr_scales(levels, r_max)
    r = float(r)
    if not (R_MIN - _EPS <= r <= r_max + _EPS):
        raise ValueError(f"LFR scale must lie in [1, {r_max:g}], not {r!r} (use recursive deployment above "
                         f"{r_max:g})")
    t = (r - 1) * (levels - 1) / (r_max - 1)  # l = (r_l - 1)(L - 1) (range 2: the slides' formula)
    if abs(t - round(t)) < _EPS:
        t = float(round(t))
    i = min(max(math.ceil(t), 0), levels - 1)
    w = (levels - 1) * (scales[i] - r) / (r_max - 1)  # w_r = (L-1)(r_i - r)
    if abs(w) < _EPS:
        w = 0.0
    return i, w


def recursive_scales(R: float, r_max: float = R_MAX) -> list[float]:
    """Per-pass ratios for a scale ``R``: ``N = ⌈log2 R⌉``, ``r = 2`` for passes ``1 … N-1``, ``R/2^(N-1)`` last.

    ``R <= 2`` is one pass (``[R]``; ``R = 1`` → ``[1.0]``). E.g. 3 → [2, 1.5], 4 → [2, 2], 8 → [2, 2, 2],
    2.5 → [2, 1.25].
    """
    R = float(R)
    if R < R_MIN - _EPS:
        raise ValueError(f"scale must be >= 1, not {R!r}")
    if R <= r_max + _EPS:
        return [R]
    n = math.ceil(math.log(R, r_max) - _EPS)
    return [r_max] * (n - 1) + [R / r_max ** (n - 1)]
