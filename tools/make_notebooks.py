"""Write notebooks/<id>.ipynb for every table id that has none yet (``--force`` rewrites all).

Every table notebook is the same four thin cells: the title, the papermill ``parameters`` cell (the knobs a
researcher turns), one library call that renders the committed CSV or computes the table
(``tables.reproduce_or_load``), and the rendering (``report.show``). The code cells are tagged
``remove-input`` so the book shows only their output; the spec's description is rendered by ``report.show``,
never frozen into the notebook. Cell ids are fixed, so regenerating an unchanged notebook changes nothing.

``--hide-injected NB...`` tags the cell papermill injects into an executed notebook (``injected-parameters``)
``remove-input`` too (``make reproduce`` and ``make render`` call it), so a book page shows no code at all.
"""
import os
import sys
from pathlib import Path

import nbformat as nbf

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from srrepro import tables  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "notebooks"
HIDE = "remove-input"  # Jupyter Book 1.x: hide the cell's source, keep its output

# The parameters cell after ``table = "<id>"``: papermill overrides any of these with ``-p NAME VALUE``.
KNOBS = (
    'profile = "lite"  # smoke | lite | paper\n'
    'device = "auto"  # auto | cpu | cuda | cuda:N\n'
    "data_root = None  # default: $SRREPRO_DATA or ./data\n"
    "seeds = None  # None: the profile's seeds; e.g. 5\n"
    "iterations = None  # None: the profile's training iterations; e.g. 2000\n"
    'only = None  # a subset of cells, e.g. {"dataset": ["Set5"], "scale": [4.0]}\n'
    '# any grid key or training field (srrepro.overrides), for every model or one recipe family, e.g.\n'
    '# {"lr": 5e-4, "model_kwargs": {"n_feats": 16}, "pcarn_gan": {"loss": "1*vgg+1e-2*gan"}}\n'
    "overrides = None\n"
    "recompute = False  # False: render the committed CSV when it exists; True: compute (papermill runs pass True)\n"
    "progress = True  # progress bars"
)
COMPUTE = (
    "from srrepro import report, tables\n\n"
    "result = tables.reproduce_or_load(table, profile, device=device, data_root=data_root, seeds=seeds,\n"
    "                                  iterations=iterations, only=only, overrides=overrides, recompute=recompute,\n"
    "                                  progress=progress)"
)
SHOW = "report.show(result)"


def notebook(spec) -> nbf.NotebookNode:
    nb = nbf.v4.new_notebook()
    # the title only: how to reproduce is said under "About this table" (report.reproduce_markdown), so the
    # page's first screen holds the claims and the paper's table
    title = nbf.v4.new_markdown_cell(f"# {spec.title}", id="title")
    params = nbf.v4.new_code_cell(f'table = "{spec.id}"\n{KNOBS}', id="parameters",
                                  metadata={"tags": ["parameters", HIDE]})
    run = nbf.v4.new_code_cell(COMPUTE, id="compute", metadata={"tags": [HIDE]})
    show = nbf.v4.new_code_cell(SHOW, id="show", metadata={"tags": [HIDE]})
    nb.cells = [title, params, run, show]
    # papermill and jupyter-book execute with "python3"; `make lab` also offers the "srrepro" kernel
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.metadata["language_info"] = {"name": "python"}
    return nb


def hide_injected(path: Path, source: str | None = None, final: str | None = None) -> None:
    """Finish an executed notebook: tag papermill's ``injected-parameters`` cell ``remove-input``, and record the
    notebook it ran from (``source``) and the one it is kept as (``final``) as project-relative paths in papermill's
    metadata (papermill writes the absolute paths of the machine that ran it, and of a temporary file); an absolute
    ``data_root`` parameter is recorded relative to the project too."""
    nb = nbf.read(path, as_version=4)
    pm = nb.metadata.get("papermill", {})
    root = (pm.get("parameters") or {}).get("data_root")
    relative = os.path.relpath(root, ROOT) if isinstance(root, str) and os.path.isabs(root) else None
    if relative and relative.startswith(os.pardir + os.sep + os.pardir):  # not in or beside the project (a run
        relative = "$SRREPRO_DATA"  # from a copy elsewhere): the environment's data root, not a machine path
    for cell in nb.cells:
        tags = cell.metadata.get("tags", [])
        if "injected-parameters" in tags:
            if HIDE not in tags:
                cell.metadata["tags"] = [*tags, HIDE]
            if relative:  # the kernel ran in the project folder: the relative path names the same folder
                cell.source = cell.source.replace(repr(root), repr(relative)).replace(f'"{root}"', f'"{relative}"')
    if source is not None:
        pm["input_path"] = source
    if final is not None:
        pm["output_path"] = final
    if relative:
        pm["parameters"]["data_root"] = relative
    nbf.write(nb, path)


if __name__ == "__main__":
    if sys.argv[1:2] == ["--hide-injected"]:
        for p in sys.argv[2:]:
            hide_injected(Path(p))
        sys.exit(0)
    OUT.mkdir(exist_ok=True)
    force = "--force" in sys.argv
    for tid in tables.list_tables():
        path = OUT / f"{tid}.ipynb"
        if force or not path.exists():
            nbf.write(notebook(tables.get(tid)), path)
            print(f"wrote {path}")
