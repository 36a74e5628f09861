"""``make tweak-examples``: the book's "Tweak a table" examples, each a table's own notebook run with overrides.

Each example executes ``notebooks/<table>.ipynb`` at the smoke profile (seconds: the plumbing, not the numbers)
with the example's ``overrides``, exactly as a researcher would from the notebook's parameters cell, into
``results/tweaks/<name>.ipynb`` (committed: the book shows it). The tweaked rows go where every tweak goes,
``results/custom/<table>/smoke-<hash>.csv`` (git-ignored); ``results/smoke/`` is never touched.
"""
from __future__ import annotations

import logging
import os
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
from srrepro.provenance import readable_by_all  # noqa: E402

OUT = REPO / "results" / "tweaks"
EXAMPLES = {  # name → (table, what it changes, overrides)
    "pcarn_t2-gan-weight": ("pcarn_t2", "PCARN's GAN weight in Eq. 7, 5e-3 → 1e-2, on the GAN stage only",
                            {"pcarn_gan": {"loss": "vgg16+1e-2*gan"}}),
    "overnet_t2-max-scale": ("overnet_t2", "OverNet's maximum scale, 4 → 3: trained on ×1.1–3, tested at ×1.5–3",
                             {"overnet": {"scale_range": [1.1, 3.0], "model_kwargs": {"max_scale": 3}},
                              "scales": [1.5, 2.0, 3.0]}),
}


def run(name: str, profile: str = "smoke") -> Path:
    import papermill as pm

    from make_notebooks import hide_injected

    table, _, overrides = EXAMPLES[name]
    OUT.mkdir(parents=True, exist_ok=True)
    out = OUT / f"{name}.ipynb"
    fd, tmp = tempfile.mkstemp(dir=OUT, prefix=f".{name}.", suffix=".tmp.ipynb")
    os.close(fd)
    try:
        os.environ["PYTHONPATH"] = os.pathsep.join([str(REPO), *filter(None, [os.environ.get("PYTHONPATH")])])
        pm.execute_notebook(str(REPO / "notebooks" / f"{table}.ipynb"), tmp, progress_bar=False,
                            parameters=dict(table=table, profile=profile, overrides=overrides, recompute=True,
                                            progress=False))
        hide_injected(Path(tmp), f"notebooks/{table}.ipynb", str(out.relative_to(REPO)))
        import nbformat as nbf

        nb = nbf.read(tmp, as_version=4)  # the point of the page: its parameters cell shows, not hidden
        for cell in nb.cells:
            if "injected-parameters" in cell.metadata.get("tags", []):
                cell.metadata["tags"] = [t for t in cell.metadata["tags"] if t != "remove-input"]
        nbf.write(nb, tmp)
        readable_by_all(tmp)
        os.replace(tmp, out)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return out


def main() -> int:
    logging.getLogger("papermill").setLevel(logging.WARNING)
    for name in EXAMPLES:
        print(f"{run(name).relative_to(REPO)} written")
    return 0


if __name__ == "__main__":
    sys.exit(main())
