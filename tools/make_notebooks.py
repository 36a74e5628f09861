"""Write notebooks/<id>.ipynb for every table id that has none yet (``--force`` rewrites all).

Every table notebook is the same four thin cells: a title, the papermill ``parameters`` cell, one library
call that computes (or, with ``load_only=True``, reads) the table, and the rendering.
"""
import sys
from pathlib import Path

import nbformat as nbf

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from srrepro import tables  # noqa: E402

OUT = Path(__file__).resolve().parents[1] / "notebooks"


def notebook(spec) -> nbf.NotebookNode:
    nb = nbf.v4.new_notebook()
    title = nbf.v4.new_markdown_cell(
        f"# {spec.title}\n\n**{spec.paper}** · {spec.source} · table id `{spec.id}` "
        f"(spec: `srrepro/tables/{tables.TABLES[spec.id]}.py`)\n\n{spec.description.strip()}\n\n"
        f"Reproduce: `make reproduce TABLE={spec.id} PROFILE=lite` (or `smoke`, `paper`); "
        f"plan only: `make dry-run TABLE={spec.id} PROFILE=paper`."
    )
    params = nbf.v4.new_code_cell(
        f'table = "{spec.id}"\nprofile = "lite"  # smoke | lite | paper\ndevice = "auto"\n'
        f"data_root = None  # default: $SRREPRO_DATA or ./data\nload_only = False  # True: read the CSV, compute nothing\n"
        f"progress = True  # progress bars (papermill runs pass False)",
        metadata={"tags": ["parameters"]},
    )
    run = nbf.v4.new_code_cell(
        "from srrepro import report, tables\n\n"
        "result = (tables.load(table, profile) if load_only\n"
        "          else tables.reproduce(table, profile=profile, device=device, data_root=data_root, progress=progress))"
    )
    show = nbf.v4.new_code_cell("report.show(result)")
    nb.cells = [title, params, run, show]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.metadata["language_info"] = {"name": "python"}
    return nb


if __name__ == "__main__":
    OUT.mkdir(exist_ok=True)
    force = "--force" in sys.argv
    for tid in tables.list_tables():
        path = OUT / f"{tid}.ipynb"
        if force or not path.exists():
            nbf.write(notebook(tables.get(tid)), path)
            print(f"wrote {path}")
