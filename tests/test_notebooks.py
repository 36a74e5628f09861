"""The table notebooks: their knobs, their tags, and that they are exactly what tools/make_notebooks.py writes."""
import ast
import importlib.util
import inspect
import re
from pathlib import Path

import nbformat
import pytest

from srrepro import tables

REPO = Path(__file__).resolve().parents[1]
NOTEBOOKS = REPO / "notebooks"

# name → default: the parameters cell after ``table = "<id>"``, in this order
KNOBS = {
    "profile": "lite",
    "device": "auto",
    "data_root": None,
    "seeds": None,
    "iterations": None,
    "only": None,
    "overrides": None,
    "recompute": False,
    "progress": True,
}


def _generator():
    spec = importlib.util.spec_from_file_location("make_notebooks", REPO / "tools" / "make_notebooks.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _read(tid: str) -> nbformat.NotebookNode:
    return nbformat.read(NOTEBOOKS / f"{tid}.ipynb", as_version=4)


def _tags(cell) -> list:
    return list(cell.metadata.get("tags", []))


def _assignments(source: str) -> dict:
    tree = ast.parse(source)
    out = {}
    for node in tree.body:
        assert isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name), \
            f"the parameters cell holds plain assignments only, not {ast.unparse(node)!r}"
        name = node.targets[0].id
        assert name not in out, f"{name} assigned twice"
        out[name] = ast.literal_eval(node.value)
    return out


def _make_recipe(target: str) -> str:
    """The recipe of a Makefile target, continuation lines joined."""
    text = (REPO / "Makefile").read_text()
    m = re.search(rf"^{re.escape(target)}:.*\n((?:\t.*\n)+)", text, re.M)
    assert m, f"no {target} target in the Makefile"
    return re.sub(r"\\\n\s*", " ", m.group(1))


IDS = tables.list_tables()


def test_one_notebook_per_table():
    assert sorted(p.stem for p in NOTEBOOKS.glob("*.ipynb")) == sorted(IDS)


@pytest.mark.parametrize("tid", IDS)
def test_parameters_cell_holds_the_knobs(tid):
    nb = _read(tid)
    cells = [c for c in nb.cells if "parameters" in _tags(c)]
    assert len(cells) == 1, "exactly one cell tagged `parameters` (papermill)"
    values = _assignments(cells[0].source)
    assert list(values) == ["table", *KNOBS], "the parameters cell defines exactly the knobs, in order"
    assert values["table"] == tid
    assert {k: values[k] for k in KNOBS} == KNOBS


@pytest.mark.parametrize("tid", IDS)
def test_code_cells_hidden_in_the_book(tid):
    nb = _read(tid)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert [c.source.strip() for c in code][-1] == "report.show(result)"
    for cell in code:
        assert "remove-input" in _tags(cell), f"code cell {cell.source.splitlines()[0]!r} lacks remove-input"
        assert not cell.outputs and cell.execution_count is None, "a notebook template is committed unexecuted"
    assert nb.metadata["kernelspec"]["name"] == "python3"


@pytest.mark.parametrize("tid", IDS)
def test_compute_cell_passes_every_knob(tid):
    """One library call, ``tables.reproduce_or_load``, that receives every knob under its own name."""
    nb = _read(tid)
    calls = [n for c in nb.cells if c.cell_type == "code" for n in ast.walk(ast.parse(c.source))
             if isinstance(n, ast.Call) and ast.unparse(n.func) == "tables.reproduce_or_load"]
    assert len(calls) == 1
    call = calls[0]
    assert [ast.unparse(a) for a in call.args] == ["table", "profile"]
    assert {k.arg: ast.unparse(k.value) for k in call.keywords} == {k: k for k in KNOBS if k != "profile"}


def test_title_cell_does_not_freeze_the_description():
    for tid in IDS:
        spec = tables.get(tid)
        title = _read(tid).cells[0]
        assert title.cell_type == "markdown"
        lines = [ln for ln in title.source.splitlines() if ln.strip()]
        assert lines == [f"# {spec.title}"], "the title only (how to reproduce is under 'About this table')"


def test_notebooks_are_what_the_generator_writes():
    gen = _generator()
    for tid in IDS:
        want = gen.notebook(tables.get(tid))
        have = _read(tid)
        assert [(c.cell_type, c.source, _tags(c)) for c in have.cells] == \
               [(c.cell_type, c.source, _tags(c)) for c in want.cells], \
            f"notebooks/{tid}.ipynb drifted from tools/make_notebooks.py: run `python tools/make_notebooks.py --force`"
        assert have.metadata["kernelspec"] == want.metadata["kernelspec"]


def test_notebook_call_matches_the_library():
    """The notebooks' call binds to ``tables.reproduce_or_load`` as the library defines it."""
    sig = inspect.signature(tables.reproduce_or_load)
    sig.bind("overnet_t1", "lite", **{k: v for k, v in KNOBS.items() if k != "profile"})


def test_makefile_reproduce_computes_and_render_loads():
    reproduce, render = _make_recipe("reproduce"), _make_recipe("render")
    assert "tools/run_notebook.py reproduce" in reproduce and "tools/run_notebook.py render" in render
    runner = (REPO / "tools" / "run_notebook.py").read_text()  # papermill with recompute True only to reproduce
    assert 'recompute=mode == "reproduce"' in runner and 'out = csv.with_suffix(".ipynb")' in runner
    assert "load_only" not in reproduce + render + runner
    lab = _make_recipe("lab")
    assert "ipykernel install --sys-prefix --name srrepro" in lab and "$(LAB_ARGS)" in lab


def test_hide_injected(tmp_path):
    """Papermill's injected-parameters cell gets remove-input too, so a book page shows no code."""
    gen = _generator()
    nb = gen.notebook(tables.get(IDS[0]))
    injected = nbformat.v4.new_code_cell('# Parameters\nrecompute = True\n', id="injected",
                                         metadata={"tags": ["injected-parameters"]})
    nb.cells.insert(2, injected)
    path = tmp_path / "executed.ipynb"
    nbformat.write(nb, path)
    gen.hide_injected(path)
    gen.hide_injected(path)  # idempotent
    out = nbformat.read(path, as_version=4)
    assert _tags(out.cells[2]) == ["injected-parameters", "remove-input"]
    assert [_tags(c) for c in out.cells[:2]] == [[], ["parameters", "remove-input"]]


ABSOLUTE = re.compile(r'"(/(?:home|root|work|tmp|Users|mnt|srv|opt|data|scratch)/[^"]*)"')


def test_committed_executed_notebooks_hold_no_absolute_machine_path():
    """Nor a relative path that climbs out of the project's folder and its parent (a run in a copy elsewhere)."""
    found = {str(p.relative_to(REPO)): (ABSOLUTE.findall(p.read_text()) + re.findall(r"\.\./\.\./[\w./-]+",
                                                                                  p.read_text()))[:2]
             for p in sorted((REPO / "results").glob("*/*.ipynb"))}
    assert not {k: v for k, v in found.items() if v}


def test_a_notebook_run_in_a_copy_elsewhere_records_the_environments_data_root(tmp_path):
    """A data root neither in nor beside the project (a clone under /tmp) is recorded as $SRREPRO_DATA, never as
    '../../…' from wherever the copy was."""
    import sys

    import nbformat as nbf

    sys.path.insert(0, str(REPO / "tools"))
    import make_notebooks

    elsewhere = tmp_path / "a" / "b" / "data"
    nb = nbf.v4.new_notebook(cells=[nbf.v4.new_code_cell(f'data_root = "{elsewhere}"\n',
                                                          metadata={"tags": ["injected-parameters"]})])
    nb.metadata["papermill"] = {"parameters": {"data_root": str(elsewhere)}}
    path = tmp_path / "nb.ipynb"
    nbf.write(nb, path)
    make_notebooks.hide_injected(path)
    done = nbf.read(path, as_version=4)
    assert done.metadata["papermill"]["parameters"]["data_root"] == "$SRREPRO_DATA"
    assert str(tmp_path) not in path.read_text() and "../.." not in path.read_text()


def test_finishing_an_executed_notebook_records_project_relative_paths(tmp_path):
    import sys

    import nbformat as nbf

    sys.path.insert(0, str(REPO / "tools"))
    from make_notebooks import hide_injected

    data = REPO.parent / "shared" / "data"
    nb = nbf.v4.new_notebook(cells=[nbf.v4.new_code_cell(f'table = "bicubic"\ndata_root = "{data}"\n',
                                                          metadata={"tags": ["injected-parameters"]})])
    nb.metadata["papermill"] = {"input_path": str(REPO / "notebooks" / "bicubic.ipynb"),
                                "output_path": str(tmp_path / ".bicubic.x1.tmp.ipynb"),
                                "parameters": {"table": "bicubic", "data_root": str(data)}}
    path = tmp_path / "nb.ipynb"
    nbf.write(nb, path)
    hide_injected(path, "notebooks/bicubic.ipynb", "results/smoke/bicubic.ipynb")
    text = path.read_text()
    assert str(REPO) not in text and str(tmp_path) not in text
    done = nbf.read(path, as_version=4)
    assert done.metadata["papermill"]["parameters"]["data_root"] == "../shared/data"
    assert 'data_root = "../shared/data"' in done.cells[0].source and "remove-input" in done.cells[0].metadata.tags


# an absolute path of some machine, as it would show in a cell's output or metadata
ABSOLUTE_PATH = re.compile(r"""(^|[\s(,'"=])/(work|root|home|tmp|mnt|scratch|Users|private|var)/[\w/.+-]+""")


def test_committed_executed_notebooks_hold_no_machine_path():
    """The executed notebooks in results/ are published as they are: a path of the machine that ran them (a data root,
    a run folder in a log line) says nothing to a reader and leaks where it ran."""
    found = []
    for nb in sorted((REPO / "results").glob("*/*.ipynb")):
        for m in ABSOLUTE_PATH.finditer(nb.read_text(errors="ignore")):
            found.append(f"{nb.relative_to(REPO)}: {m.group(0).strip()[:80]}")
    assert not found, "\n".join(found[:10])
