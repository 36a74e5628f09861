"""Table registry, result CSVs with provenance, the CLI's one-line errors, and the book assembly."""
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from PIL import Image

from srrepro import tables


def cli(*args, env=None):
    import os

    e = dict(os.environ, **(env or {}))
    return subprocess.run([sys.executable, "-m", "srrepro", *args], capture_output=True, text=True, env=e)


def test_unknown_table_is_one_line_listing_valid_ids():
    r = cli("reproduce", "nope")
    assert r.returncode == 2
    assert r.stderr.count("\n") == 1 and "unknown table 'nope'" in r.stderr and "bicubic" in r.stderr


def test_unknown_profile_and_dataset_are_one_line():
    r = cli("reproduce", "bicubic", "--profile", "huge")
    assert r.returncode == 2 and "valid profiles: smoke, lite, paper" in r.stderr and r.stderr.count("\n") == 1
    r = cli("prepare", "--dataset", "Set6", "--scale", "2", "--out", "/tmp/x")
    assert r.returncode == 2 and "valid datasets" in r.stderr and r.stderr.count("\n") == 1


def test_missing_data_root_says_where_and_how(tmp_path):
    r = cli("prepare", "--dataset", "Set5", "--scale", "2", "--out", str(tmp_path / "o"),
            env={"SRREPRO_DATA": str(tmp_path / "absent")})
    assert r.returncode == 2 and "absent" in r.stderr and "srrepro download" in r.stderr
    assert r.stderr.count("\n") == 1


def test_score_names_a_corrupt_file(tmp_path):
    (tmp_path / "sr").mkdir()
    (tmp_path / "hr").mkdir()
    Image.fromarray(np.zeros((8, 8, 3), np.uint8)).save(tmp_path / "hr" / "a.png")
    (tmp_path / "sr" / "a_x2.png").write_bytes(b"\x89PNG\r\n\x1a\nnot really")
    r = cli("score", "--sr", str(tmp_path / "sr"), "--hr", str(tmp_path / "hr"), "--scale", "2")
    assert r.returncode == 2 and "a_x2.png" in r.stderr and r.stderr.count("\n") == 1


def test_score_cli_matches_library(data_root, tmp_path):
    from srrepro.evaluate import evaluate_bicubic, pairs
    from srrepro.degrade import imresize

    for name, lr, hr in pairs("Set5", 4):
        Image.fromarray(imresize(lr, 4, output_shape=hr.shape[:2])).save(tmp_path / f"{name}_x4.png")
    r = cli("score", "--sr", str(tmp_path), "--hr", str(data_root / "benchmarks/Set5"), "--scale", "4",
            "--csv", str(tmp_path / "s.csv"))
    assert r.returncode == 0, r.stderr
    ours = pd.read_csv(tmp_path / "s.csv").psnr.mean()
    assert ours == pytest.approx(evaluate_bicubic("Set5", 4).psnr.mean(), abs=1e-9)


def test_bicubic_smoke_is_deterministic_and_has_provenance(data_root, tmp_path):
    a = tables.reproduce("bicubic", "smoke", results_dir=tmp_path, progress=False)
    b = tables.reproduce("bicubic", "smoke", results_dir=tmp_path, progress=False)
    cols = ["psnr", "ssim"]
    pd.testing.assert_frame_equal(a.rows[cols], b.rows[cols])
    csv = pd.read_csv(tmp_path / "smoke" / "bicubic.csv")
    for col in ("profile", "git_commit", "git_dirty", "computed_at", "packages", "data_sha256", "config_hash",
                "psnr_paper", "paper_source", "psnr_delta"):
        assert col in csv, col
    assert set(csv.profile) == {"smoke"}
    assert all(v.status in tables.VERDICTS for v in a.verdicts.values())
    assert "torch " in csv.machine.iloc[0] and csv.torch_threads.iloc[0] >= 1  # results depend on the thread count
    # written through mkstemp (0600), but a result is a file others read: the umask's mode, like a plain open()
    umask = os.umask(0)
    os.umask(umask)
    assert (tmp_path / "smoke" / "bicubic.csv").stat().st_mode & 0o777 == 0o666 & ~umask


def test_provenance_commit_is_the_one_the_run_started_from(data_root, tmp_path, monkeypatch):
    """A lite table runs for an hour; a commit made meanwhile must not be credited with its rows."""
    import dataclasses
    import functools

    from srrepro import provenance

    moved = []  # set once the table has computed: the checkout has moved on to another commit

    @functools.lru_cache(maxsize=1)
    def fake_git_state():
        return ("bbbbbbbbbbbb", True) if moved else ("aaaaaaaaaaaa", False)

    monkeypatch.setattr(provenance, "git_state", fake_git_state)
    monkeypatch.setattr(tables, "git_state", fake_git_state)
    spec = tables.get("bicubic")

    def run_then_move(ctx):
        out = spec.run(ctx)
        moved.append(True)
        return out

    monkeypatch.setattr(tables, "get", lambda _id: dataclasses.replace(spec, run=run_then_move))
    rows = tables.reproduce("bicubic", "smoke", results_dir=tmp_path, progress=False).rows
    assert set(rows.git_commit) == {"aaaaaaaaaaaa"} and not rows.git_dirty.any()


def test_partial_rerun_replaces_only_its_rows(data_root, tmp_path):
    full = tables.reproduce("bicubic", "smoke", results_dir=tmp_path, progress=False).rows
    part = tables.reproduce("bicubic", "smoke", results_dir=tmp_path, progress=False,
                            only={"degradation": ["DN"]}, update=True).rows
    assert len(part) == len(full)
    assert set(part.config_hash) == set(full.config_hash)
    # the DN rows were recomputed (newer timestamps or equal), the others kept as they were
    merged = part.set_index("config_hash")
    old = full.set_index("config_hash")
    bi = old.index[old.degradation == "BI"]
    pd.testing.assert_series_equal(merged.loc[bi, "computed_at"], old.loc[bi, "computed_at"])


def test_dry_run_prints_a_plan():
    r = cli("reproduce", "bicubic", "--profile", "paper", "--dry-run")
    assert r.returncode == 0 and "estimated" in r.stdout and "Urban100" in r.stdout


def test_every_table_has_a_notebook_with_parameters():
    import json

    from srrepro.provenance import REPO_ROOT

    for tid in tables.list_tables():
        nb = json.loads((REPO_ROOT / "notebooks" / f"{tid}.ipynb").read_text())
        tagged = [c for c in nb["cells"] if "parameters" in c.get("metadata", {}).get("tags", [])]
        assert len(tagged) == 1 and f'table = "{tid}"' in "".join(tagged[0]["source"]), tid


def test_every_paper_value_has_a_source():
    for tid in tables.list_tables():
        spec = tables.get(tid)
        for pv in spec.paper_values:
            assert pv.get("source"), (tid, pv)
            assert any(pv.get(m) is not None for m in spec.metrics), (tid, pv)


def test_book_assembles_pages_and_claims(data_root, tmp_path):
    from srrepro import book

    res = tmp_path / "results"
    tables.reproduce("bicubic", "smoke", results_dir=res, progress=False)
    (res / "smoke" / "bicubic.ipynb").write_text('{"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}')
    out = tmp_path / "book"
    chosen = book.assemble(results=res, book=out)
    assert chosen["bicubic"] == "smoke"
    assert (out / "tables" / "bicubic.ipynb").exists()
    ledger = (out / "ledger.md").read_text()  # the ledger page: one line per claim, a stable anchor each
    assert "href='tables/bicubic.html#claim-bicubic_edsr'" in ledger and "id='claim-bicubic-bicubic_edsr'" in ledger
    assert "## Reproducibility summary" not in ledger and "ledger.md" in (out / "_summary.md").read_text()
    chapter = (out / "chapters" / "study.md").read_text()  # the chapter opens with its own ledger
    assert "## Claims ledger" in chapter and "'../tables/bicubic.html#claim-" in chapter
    assert "Tables not run yet (no verdicts): `complexity`" in chapter  # the chapter's own, not the others'
    assert "`overnet_t1`" not in chapter and "`overnet_t1`" in (out / "chapters" / "overnet.md").read_text()
    toc = (out / "_toc.yml").read_text()
    assert "file: chapters/study" in toc and "file: tables/bicubic" in toc
    not_run = [t for t, p in chosen.items() if p is None]
    for t in not_run:
        assert "Not run yet" in (out / "tables" / f"{t}.md").read_text()


def test_paper_plan_leads_with_gpu_hours_not_cpu_minutes():
    plan = tables.Plan([{"est_seconds": 3e8, "gpu_hours": 30.0}, {"est_seconds": 1e8, "gpu_hours": 2.5}])
    last = str(plan).splitlines()[-1]
    assert last.startswith("2 runs, estimated 32.5 GPU-hours") and "12.7 years, not feasible" in last
    assert str(tables.Plan([{"est_seconds": 90.0}])).splitlines()[-1] == "1 runs, estimated 1.5 min one after another"
    side = str(tables.Plan([{"est_seconds": 90.0}] * 4, workers=2)).splitlines()[-1]
    assert side == "4 runs, estimated 6.0 min one after another, 3.0 min with 2 side by side"


def test_list_says_which_profiles_have_results():
    out = cli("list").stdout.splitlines()
    assert out[0].split()[:3] == ["id", "paper", "results"]
    row = {line.split()[0]: line for line in out[1:]}
    for tid in tables.list_tables():
        have = [p for p in tables.PROFILES if tables.result_path(tid, p).exists()]
        assert " ".join(have or ["-"]) in row[tid], tid


def test_list_ids_is_what_make_and_ci_loop_over():
    # Makefile `reproduce-all` and .ci/run iterate over `srrepro list --ids`; a header line there once made CI
    # call `reproduce TABLE=id`.
    assert cli("list", "--ids").stdout.split() == tables.list_tables()
    root = Path(__file__).resolve().parents[1]
    for script in (root / "Makefile", root / ".ci" / "run"):
        text = script.read_text()
        assert "srrepro list --ids" in text and "srrepro list |" not in text, script


def test_a_row_records_paths_relative_to_the_data_root_never_this_machines(tmp_path, data_root):
    """edsr_benchmark's official-weights rows are "not run" here with the path they looked for: the CSV names it
    under "data root/", not as this machine's absolute path."""
    from srrepro.provenance import REPO_ROOT, portable_paths

    res = tables.reproduce("edsr_benchmark", "smoke", results_dir=tmp_path, work_dir=tmp_path / "runs",
                           progress=False)
    text = res.csv_path.read_text()
    assert "data root/weights/official/" in text
    assert str(Path(data_root).resolve()) not in text and str(REPO_ROOT) not in text
    assert portable_paths(f"see {REPO_ROOT}/runs/x/y") == "see runs/x/y"
