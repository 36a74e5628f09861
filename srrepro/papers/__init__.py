"""The study's papers, one folder each, found by discovery: nothing else lists them.

A paper folder (``srrepro/papers/<slug>/``) holds everything of one paper and nothing of the engine:

* ``__init__.py`` — what the rest of the study needs to know without building a spec, as plain data and
  torch-free (reading every folder's takes well under a second): ``NAME`` (``TableSpec.paper``), ``TITLE`` (the
  chapter's), ``ORDER`` (its place in the book), ``TABLES`` (table id → the folder's module that defines it, in
  the paper's reading order), ``NEEDS`` / ``OPTIONAL`` (table id → profile → the datasets, weights files and
  metric data it reads; ``srrepro doctor``), and optionally ``RECIPES`` / ``SIZES`` for the model families it
  trains (:mod:`srrepro.recipes`).
* ``spec.py`` (or the modules ``TABLES`` names) — the specs: printed values with their sources, the grid per
  profile, the jobs, the claims and their rules, the plots, the notes.
* ``chapter.md`` — the chapter's opening text, when it has one.

Models stay in :mod:`srrepro.models`, one file per family, found the same way. A sixth paper is one more folder
here plus its model file (``tests/test_sixth_paper.py`` adds a toy one and runs it).
"""
from __future__ import annotations

import functools
import importlib
import pkgutil
from dataclasses import dataclass
from pathlib import Path

from ..errors import SrreproError

__all__ = ["Paper", "BENCHMARKS", "PROFILES", "trained", "same", "papers", "table_modules", "needs", "optional",
           "recipes", "sizes"]

PROFILES = ("smoke", "lite", "paper")
BENCHMARKS = ("Set5", "Set14", "B100", "Urban100")


def trained(smoke_sets, sets) -> dict[str, set[str]]:
    """A training table's needs: T91 below the paper profile, DIV2K at it (the papers' recipe), plus the sets it
    scores."""
    return {"smoke": {"T91", *smoke_sets}, "lite": {"T91", *sets}, "paper": {"DIV2K_train", *sets}}


def same(items) -> dict[str, set[str]]:
    """The same needs at every profile."""
    return {p: set(items) for p in PROFILES}


@dataclass(frozen=True)
class Paper:
    slug: str  # the folder's name
    name: str  # TableSpec.paper of its tables
    title: str  # its chapter's title
    order: int  # its place among the chapters
    tables: dict  # table id → module of the folder that defines it, in reading order
    needs: dict
    optional: dict
    recipes: dict  # model family → srrepro.recipes.Recipe fields at the paper profile
    sizes: dict  # model family → profile → model keyword arguments (None: not trained at that profile)
    folder: Path

    def chapter(self) -> str:
        """The chapter's opening text (``chapter.md``), '' when the folder has none."""
        p = self.folder / "chapter.md"
        return p.read_text() if p.exists() else ""


class PaperFolderError(SrreproError, ValueError):
    """A paper folder whose metadata is incomplete or clashes with another's: one line, what to fix."""


@functools.cache
def papers() -> tuple[Paper, ...]:
    """Every paper folder, in book order."""
    found = []
    for info in pkgutil.iter_modules(__path__):
        if not info.ispkg:
            continue
        m = importlib.import_module(f"{__name__}.{info.name}")
        missing = [k for k in ("NAME", "TITLE", "ORDER", "TABLES") if not hasattr(m, k)]
        if missing:
            raise PaperFolderError(f"srrepro/papers/{info.name}/__init__.py lacks {', '.join(missing)}")
        tables = getattr(m, "TABLES")
        if not isinstance(tables, dict):
            tables = {t: "spec" for t in tables}
        found.append(Paper(info.name, m.NAME, m.TITLE, m.ORDER, dict(tables), getattr(m, "NEEDS", {}),
                           getattr(m, "OPTIONAL", {}), getattr(m, "RECIPES", {}), getattr(m, "SIZES", {}),
                           Path(m.__file__).parent))
    found.sort(key=lambda p: (p.order, p.slug))
    seen: dict[str, str] = {}
    for p in found:
        for t in p.tables:
            if t in seen:
                raise PaperFolderError(f"table id {t!r} is declared by both {seen[t]} and {p.slug}")
            seen[t] = p.slug
        for t in set(p.needs) - set(p.tables):
            raise PaperFolderError(f"srrepro/papers/{p.slug}: NEEDS names {t!r}, not one of its TABLES")
    return tuple(found)


def table_modules() -> dict[str, str]:
    """Table id → the module that defines its spec, every paper's in book order."""
    return {t: f"{__name__}.{p.slug}.{mod}" for p in papers() for t, mod in p.tables.items()}


def paper_of(table_id: str) -> Paper | None:
    """The paper folder that declares ``table_id`` (None: a table registered by other means, e.g. a test's)."""
    return next((p for p in papers() if table_id in p.tables), None)


def needs() -> dict[str, dict[str, set[str]]]:
    return {t: v for p in papers() for t, v in p.needs.items()}


def optional() -> dict[str, dict[str, set[str]]]:
    return {t: v for p in papers() for t, v in p.optional.items()}


def recipes() -> dict[str, dict]:
    return {f: r for p in papers() for f, r in p.recipes.items()}


def sizes() -> dict[str, dict]:
    return {f: s for p in papers() for f, s in p.sizes.items()}


def values_path(table_id: str) -> Path:
    """Where a table's printed values live: ``srrepro/papers/<paper>/values/<id>.csv``."""
    return paper_of(table_id).folder / "values" / f"{table_id}.csv"


def printed(table_id: str) -> list[dict]:
    """The paper's printed values of ``table_id`` (``values/<id>.csv``: one printed number per row — ``_cell`` (the
    table cell it belongs to), the cell's key columns, ``metric``, ``value`` and ``source``, where in the paper it
    is printed; a cell the paper names but prints no number for has one row without metric, its source saying
    why) as one dict per cell of the table (keys, one entry per metric, ``source``): ``TableSpec.paper_values``.
    [] when the folder has no file."""
    return [dict(cell) for cell in _printed_cells(table_id)]  # the caller's to change


@functools.cache
def _printed_cells(table_id: str) -> tuple[dict, ...]:
    import pandas as pd  # here, not at the top: the paper folders' metadata is read without pandas

    if paper_of(table_id) is None or not values_path(table_id).exists():
        return ()
    long = pd.read_csv(values_path(table_id), keep_default_na=False, na_values=[""])
    keys = [c for c in long.columns if c not in ("_cell", "metric", "value", "source")]
    cells: dict = {}
    for row in long.to_dict("records"):  # a cell's rows in file order; its keys and source from its first
        cell = cells.get(row["_cell"])
        if cell is None:
            cell = cells[row["_cell"]] = {k: row[k] for k in keys if not _missing(row[k])}
            cell["source"] = row["source"]
        if isinstance(row["metric"], str):  # none: the paper prints nothing for this cell
            cell[row["metric"]] = row["value"]
    return tuple({k: v for k, v in c.items() if k != "source"} | {"source": c["source"]} for c in cells.values())


def _missing(v) -> bool:
    return isinstance(v, float) and v != v
