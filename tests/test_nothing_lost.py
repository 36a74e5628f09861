"""Nothing lost, nothing silently wrong: bad input is refused before a run in one line, and a result is replaced
only by a complete, better-or-equal one, written as one generation with its per-image sidecar."""
from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pandas as pd
import pytest
from PIL import Image

from srrepro import preflight, tables
from srrepro.errors import SrreproError

REPO = Path(__file__).resolve().parents[1]


def digests(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def committed_results(tmp_path: Path, profile: str = "smoke", only: tuple = ()) -> Path:
    """A copy of results/<profile>/ (or of the files of the ``only`` tables) to point results_dir at."""
    out = tmp_path / "results"
    (out / profile).mkdir(parents=True)
    for p in (REPO / "results" / profile).iterdir():
        if p.suffix != ".ipynb" and (not only or p.name.split(".")[0] in only):
            shutil.copy(p, out / profile / p.name)
    return out


def one_line(e: BaseException) -> bool:
    return "\n" not in str(e) and str(e).strip() != ""


# ------------------------------------------------------------------------------------------ the data root
@pytest.mark.parametrize("kind", ["missing", "empty", "file"])
def test_every_table_refuses_a_wrong_data_root_and_keeps_its_results(kind, tmp_path):
    root = {"missing": tmp_path / "absent", "empty": tmp_path / "empty", "file": tmp_path / "afile"}[kind]
    (tmp_path / "empty").mkdir()
    (tmp_path / "afile").write_text("not a folder")
    results = committed_results(tmp_path)
    before = digests(results)
    for tid in tables.list_tables():
        with pytest.raises(SrreproError) as e:
            tables.reproduce(tid, "smoke", data_root=str(root), results_dir=results, work_dir=tmp_path / "runs",
                             progress=False)
        assert one_line(e.value) and str(root.resolve()) in str(e.value), (tid, str(e.value))
    assert digests(results) == before
    assert not (tmp_path / "runs").exists()  # refused before any model was built or trained


@pytest.mark.parametrize("how", ["env", "flag"])
def test_cli_refuses_a_data_root_that_is_a_file_in_one_line(how, tmp_path):
    afile = tmp_path / "afile"
    afile.write_text("x")
    args = [sys.executable, "-m", "srrepro", "reproduce", "overnet_t1", "--profile", "smoke",
            "--results", str(tmp_path / "results")]
    env = dict(os.environ, SRREPRO_DATA=str(afile))
    r = subprocess.run(args + (["--data", str(afile)] if how == "flag" else []), capture_output=True, text=True,
                       env=env)
    assert r.returncode == 2 and r.stderr.count("\n") == 1 and "is a file, not a folder" in r.stderr, r.stderr
    assert not (tmp_path / "results").exists()


# ------------------------------------------------------------------------------------------ a benchmark set
def root_with_set5(tmp_path: Path, data_root: Path, change) -> Path:
    """A data root of symlinks to the mirror, with Set5 a folder of its own that ``change(folder)`` edits."""
    root = tmp_path / "data"
    root.mkdir()
    for top in data_root.iterdir():
        if top.name != "benchmarks" and top.is_dir():
            (root / top.name).symlink_to(top)
    (root / "benchmarks").mkdir()
    for s in (data_root / "benchmarks").iterdir():
        if s.name != "Set5":
            (root / "benchmarks" / s.name).symlink_to(s)
    set5 = root / "benchmarks" / "Set5"
    set5.mkdir()
    for f in (data_root / "benchmarks" / "Set5").iterdir():
        (set5 / f.name).symlink_to(f)
    change(set5)
    return root


def _replace(set5: Path, name: str, save) -> None:
    src = set5 / name
    img = Image.open(src.resolve())
    src.unlink()
    save(img, set5 / name)


def _truncate(link: Path) -> None:
    data = link.resolve().read_bytes()
    link.unlink()
    link.write_bytes(data[:100])


SET5_FAULTS = {
    "extra": (lambda s: shutil.copy(s / "baby.png", s / "baby2.png"), "baby2.png", "not an image of Set5"),
    "missing": (lambda s: (s / "woman.png").unlink(), "woman.png", "is missing"),
    "palette": (lambda s: _replace(s, "bird.png", lambda im, p: im.convert("P").save(p)), "bird.png", "mode P"),
    "jpeg-named-png": (lambda s: _replace(s, "bird.png", lambda im, p: im.save(p, format="JPEG", quality=100)),
                       "bird.png", "a JPEG file named .png"),
    "truncated": (lambda s: _truncate(s / "head.png"), "head.png", "not a readable image"),
    "resized": (lambda s: _replace(s, "bird.png", lambda im, p: im.crop((0, 0, 200, 200)).save(p)), "bird.png",
                "200×200 pixels"),
}


@pytest.mark.parametrize("fault", list(SET5_FAULTS))
def test_a_bad_set5_is_refused_naming_the_file(fault, tmp_path, data_root):
    change, name, says = SET5_FAULTS[fault]
    root = root_with_set5(tmp_path, data_root, change)
    results = committed_results(tmp_path, only=("bicubic",))
    before = digests(results)
    with pytest.raises(preflight.InputError) as e:
        tables.reproduce("bicubic", "smoke", data_root=str(root), results_dir=results, progress=False)
    assert one_line(e.value) and name in str(e.value) and says in str(e.value), str(e.value)
    assert digests(results) == before


def test_the_mirror_passes_every_tables_checks(data_root):
    for tid in tables.list_tables():
        for profile in ("smoke", "lite"):
            preflight.check_inputs(tid, profile, data_root)


def test_an_absent_optional_set_is_no_error_but_a_broken_one_is(tmp_path, data_root):
    root = root_with_set5(tmp_path, data_root, lambda s: None)
    preflight.check_inputs("bicubic", "lite", root)  # DIV2K_valid and Manga109 absent: their rows say so
    (root / "benchmarks" / "Manga109").mkdir()
    Image.new("RGB", (8, 8)).save(root / "benchmarks" / "Manga109" / "a.png")
    with pytest.raises(preflight.InputError, match="Manga109 .* holds 1 images, not its 109"):
        preflight.check_inputs("bicubic", "lite", root)


def test_only_checks_the_chosen_benchmark_sets(tmp_path, data_root):
    root = root_with_set5(tmp_path, data_root, lambda s: (s / "woman.png").unlink())
    preflight.check_inputs("bicubic", "lite", root, only={"dataset": ["Set14"]})
    with pytest.raises(preflight.InputError, match="woman.png"):
        preflight.check_inputs("bicubic", "lite", root, only={"dataset": ["Set5"]})


# ------------------------------------------------------------------------------------------ weights
def test_a_truncated_weights_file_is_refused_naming_it(tmp_path, data_root):
    official = data_root / "weights" / "official" / "slwsr32_x4_epoch1.pt"
    if not official.is_file():
        pytest.skip("the mirror has no s-LWSR weights")
    root = tmp_path / "data"
    root.mkdir()
    for top in data_root.iterdir():
        if top.is_dir() and top.name != "weights":
            (root / top.name).symlink_to(top)
    (root / "weights" / "official").mkdir(parents=True)
    for w in (data_root / "weights").iterdir():
        if w.name != "official":
            (root / "weights" / w.name).symlink_to(w)
    for f in (data_root / "weights" / "official").iterdir():
        data = f.read_bytes()
        (root / "weights" / "official" / f.name).write_bytes(data[: len(data) // 2] if f == official else data)
    results = committed_results(tmp_path, only=("slwsr_released",))
    before = digests(results)
    with pytest.raises(preflight.InputError) as e:
        tables.reproduce("slwsr_released", "smoke", data_root=str(root), results_dir=results,
                         work_dir=tmp_path / "runs", progress=False)
    assert one_line(e.value) and "slwsr32_x4_epoch1.pt" in str(e.value)
    assert digests(results) == before and not (tmp_path / "runs").exists()


def test_a_garbage_npz_is_refused(tmp_path):
    bad = tmp_path / "niqe_pris_params.npz"
    bad.write_bytes(b"PK\x03\x04 garbage")
    with pytest.raises(preflight.InputError, match="niqe_pris_params.npz: cannot be loaded"):
        preflight.check_weights_file(bad)


# ------------------------------------------------------------------------------------------ parameters
BAD_PARAMS = {
    "seeds abc": (dict(seeds="abc"), "seeds must be a whole number"),
    "seeds -1": (dict(seeds=-1), "seeds must be"),
    "seeds 0": (dict(seeds=0), "seeds must be"),
    "iterations -5": (dict(iterations=-5), "iterations must be"),
    "workers 0": (dict(workers=0), "workers must be"),
    "threads 0": (dict(threads=0), "threads must be"),
    "device gpu0": (dict(device="gpu0"), "unknown device 'gpu0'"),
    "only dataset Nope": (dict(only={"dataset": ["Nope"]}), "dataset='Nope' is not a cell"),
    "only key nope": (dict(only={"nope": [1]}), "has no key 'nope'"),
}


@pytest.mark.parametrize("case", list(BAD_PARAMS))
def test_notebook_parameters_are_checked_before_anything_is_written(case, tmp_path):
    kw, says = BAD_PARAMS[case]
    results = committed_results(tmp_path, only=("bicubic", "overnet_t4"))
    before = digests(results)
    for tid in ("bicubic", "overnet_t4"):  # a table with its own run, and one the engine runs
        with pytest.raises(SrreproError) as e:
            tables.reproduce_or_load(tid, "smoke", recompute=True, results_dir=results, progress=False, **kw)
        assert one_line(e.value) and says in str(e.value), str(e.value)
    assert digests(results) == before


def test_device_cuda_without_cuda_is_one_line(tmp_path):
    import torch

    if torch.cuda.is_available():
        pytest.skip("this machine has CUDA")
    with pytest.raises(preflight.ParameterError, match="no CUDA device"):
        tables.reproduce("bicubic", "smoke", device="cuda", results_dir=tmp_path, progress=False)
    assert not any(tmp_path.iterdir())


def test_only_values_are_taken_as_the_grid_spells_them():
    spec = tables.get("overnet_t4")
    assert preflight.check_only(spec, "smoke", {"scale": ["4"]}) == {"scale": [4.0]}


@pytest.mark.parametrize("flag,word", [("--workers", "workers"), ("--threads", "threads"),
                                       ("--iterations", "iterations"), ("--seeds", "seeds")])
def test_cli_counts_say_which_count(flag, word, tmp_path):
    r = subprocess.run([sys.executable, "-m", "srrepro", "reproduce", "bicubic", "--profile", "smoke", flag, "0",
                        "--results", str(tmp_path / "r")], capture_output=True, text=True)
    assert r.returncode == 2 and r.stderr.count("\n") == 1 and f"{word} must be a whole number" in r.stderr
    assert word == "seeds" or "seeds" not in r.stderr


# ------------------------------------------------------------------------------------------ make
def make(tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    """``make`` on this checkout's Makefile, run in a scratch copy (its results/ are the copy's)."""
    work = tmp_path / "checkout"
    if not work.exists():
        work.mkdir()
        shutil.copy(REPO / "Makefile", work / "Makefile")
        (work / "tools").symlink_to(REPO / "tools")
    env = dict(os.environ, PYTHONPATH=str(REPO))
    return subprocess.run(["make", "-s", "--no-print-directory", f"VENV={sys.prefix}", *args], cwd=work,
                          capture_output=True, text=True, env=env, timeout=120)


@pytest.mark.parametrize("target", ["reproduce", "render", "dry-run"])
@pytest.mark.parametrize("var", ["TABLE", "PROFILE", "DEVICE"])
def test_make_never_hands_a_variable_to_a_shell(target, var, tmp_path):
    if shutil.which("make") is None:
        pytest.skip("no make")
    flag = tmp_path / "pwned"
    good = {"TABLE": "bicubic", "PROFILE": "smoke", "DEVICE": "cpu"}
    good[var] = f"x; touch {flag}; #"
    r = make(tmp_path, target, *(f"{k}={v}" for k, v in good.items()))
    assert r.returncode != 0 and not flag.exists(), (r.stdout, r.stderr)
    assert f"srrepro: error: unknown {var.lower()}" in r.stderr
    assert not (tmp_path / "checkout" / "results").exists()


def test_make_with_an_unknown_profile_leaves_no_folder(tmp_path):
    if shutil.which("make") is None:
        pytest.skip("no make")
    r = make(tmp_path, "reproduce", "TABLE=bicubic", "PROFILE=nope")
    assert r.returncode != 0 and "unknown profile 'nope'" in r.stderr
    assert not (tmp_path / "checkout" / "results").exists()


def test_two_notebook_runs_of_one_table_use_their_own_temp_files(tmp_path, monkeypatch):
    """What two ``make reproduce`` of one table at once do: each runs into a temp file of its own."""
    sys.path.insert(0, str(REPO / "tools"))
    import papermill as pm
    import run_notebook

    seen, both_running = [], threading.Barrier(2, timeout=30)

    def fake_execute(src, out, **kw):  # both runs hold their temp file at once, as two slow notebooks would
        seen.append(out)
        both_running.wait()
        shutil.copy(src, out)

    monkeypatch.setattr(pm, "execute_notebook", fake_execute)
    results = committed_results(tmp_path, only=("bicubic",))
    monkeypatch.setattr(tables, "result_path",
                        lambda tid, prof, results_dir="results": results / prof / f"{tid}.csv")
    monkeypatch.setenv("TABLE", "bicubic")
    monkeypatch.setenv("PROFILE", "smoke")
    codes = []
    runs = [threading.Thread(target=lambda: codes.append(run_notebook.main(["render"]))) for _ in range(2)]
    for t in runs:
        t.start()
    for t in runs:
        t.join()
    assert codes == [0, 0] and len(set(seen)) == 2
    assert all(Path(s).name.startswith(".bicubic.") and s.endswith(".tmp.ipynb") for s in seen)
    assert (results / "smoke" / "bicubic.ipynb").exists()
    assert not [p for p in (results / "smoke").iterdir() if p.name.startswith(".")]  # temps gone


def test_a_failed_notebook_puts_the_previous_csv_back(tmp_path, monkeypatch):
    sys.path.insert(0, str(REPO / "tools"))
    import papermill as pm
    import run_notebook

    results = committed_results(tmp_path, only=("bicubic",))
    before = digests(results)

    def fails_after_writing(src, out, **kw):
        (results / "smoke" / "bicubic.csv").write_text("half a new generation\n")
        raise pm.PapermillExecutionError(0, 1, "boom", "RuntimeError", "a plot failed", [])

    monkeypatch.setattr(pm, "execute_notebook", fails_after_writing)
    monkeypatch.setattr(tables, "result_path",
                        lambda tid, prof, results_dir="results": results / prof / f"{tid}.csv")
    monkeypatch.setenv("TABLE", "bicubic")
    monkeypatch.setenv("PROFILE", "smoke")
    monkeypatch.setenv("DEVICE", "cpu")
    assert run_notebook.main(["reproduce"]) == 2
    assert digests(results) == before


# ------------------------------------------------------------------------------------------ better or equal
def test_a_run_that_loses_values_never_replaces_a_result(tmp_path, monkeypatch):
    """Whatever the reason a cell computed nothing this time, the committed values stay (cell by cell)."""
    results = committed_results(tmp_path, only=("bicubic",))
    before = digests(results)
    real_compute = tables.compute

    def one_cell_fails(spec, ctx):
        ours, images = real_compute(spec, ctx)
        ours.loc[0, spec.metrics] = float("nan")  # e.g. a worker crashed on this cell
        ours.loc[0, "status"] = "error: worker died"
        return ours, images

    monkeypatch.setattr(tables, "compute", one_cell_fails)
    with pytest.raises(tables.NothingComputedError) as e:
        tables.reproduce("bicubic", "smoke", results_dir=results, progress=False)
    assert one_line(e.value) and "worker died" in str(e.value) and "cell(s)" in str(e.value), str(e.value)
    assert digests(results) == before
    monkeypatch.setattr(tables, "compute", real_compute)
    res = tables.reproduce("bicubic", "smoke", results_dir=results, progress=False)  # complete: replaces it
    assert res.rows["psnr"].notna().all() and digests(results) != before


def test_update_replaces_rows_by_cell_and_keeps_the_row_count(tmp_path):
    results = committed_results(tmp_path, profile="lite", only=("bicubic",))
    old = pd.read_csv(results / "lite" / "bicubic.csv")
    res = tables.reproduce("bicubic", "lite", only={"dataset": ["Set5"]}, update=True, results_dir=results,
                           progress=False)
    new = pd.read_csv(res.csv_path)
    assert len(new) == len(old) and (new["dataset"].value_counts() == old["dataset"].value_counts()).all()
    keys = ["dataset", "scale", "degradation", "variant", "y", "reported_by"]
    others = old[old["dataset"] != "Set5"].merge(new, on=keys, suffixes=("", "_new"))
    assert (others["psnr"].fillna(-1) == others["psnr_new"].fillna(-1)).all()  # other cells untouched
    assert (new.loc[new["dataset"] == "Set5", "computed_at"] != old["computed_at"].iloc[0]).all()
    assert len(tables.load("bicubic", "lite", results).rows) == len(old)


# ------------------------------------------------------------------------------------------ one generation
def test_csv_and_sidecar_are_one_generation(tmp_path, monkeypatch):
    results = committed_results(tmp_path, only=("overnet_t4",))
    first = tables.load("overnet_t4", "smoke", results)
    path = first.csv_path
    assert first.images is not None
    written = tables.write_result(path, first.rows, first.images)
    assert written["scores_sha256"].iloc[0] and tables.load("overnet_t4", "smoke", results).images is not None
    # killed between the two renames: a new sidecar beside the old CSV is refused in one line, never paired
    real_replace = os.replace

    def dies_at_the_csv(src, dst):
        if str(dst).endswith(".csv"):
            raise KeyboardInterrupt
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", dies_at_the_csv)
    with pytest.raises(KeyboardInterrupt):
        tables.write_result(path, first.rows, first.images.assign(psnr=first.images["psnr"] + 1))
    monkeypatch.setattr(os, "replace", real_replace)
    assert not [p for p in path.parent.iterdir() if p.name.endswith(".tmp")]  # temps cleaned up
    with pytest.raises(tables.ResultFileError) as e:
        tables.load("overnet_t4", "smoke", results)
    assert one_line(e.value) and "scores.csv.gz" in str(e.value)


def test_result_temp_files_are_ignored_by_git():
    for name in (".bicubic.csv.k2j4h.tmp", ".bicubic.scores.csv.gz.k2j4h.tmp", ".bicubic.k2j4h.tmp.ipynb"):
        r = subprocess.run(["git", "check-ignore", "-q", f"results/smoke/{name}"], cwd=REPO)
        assert r.returncode == 0, name
