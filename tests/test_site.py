"""The published site (srrepro.site, the book workflow, `make publish`): fast, on tmp copies, no data needed."""
from __future__ import annotations

import importlib.util
import json
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest
import yaml

from srrepro import book, site, tables

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
WORKFLOW = REPO / ".github" / "workflows" / "book.yml"


# ------------------------------------------------------------------------------------------------ the workflow
def test_workflow_builds_the_committed_results_and_deploys_to_pages():
    wf = yaml.safe_load(WORKFLOW.read_text())
    on = wf.get("on", wf.get(True))  # YAML 1.1 reads the key `on` as true
    assert on["push"]["branches"] == ["main"]
    (job,) = wf["jobs"].values()
    assert job["permissions"]["pages"] == "write" and job["permissions"]["id-token"] == "write"
    steps = job["steps"]
    uses = [s.get("uses", "").split("@")[0] for s in steps]
    order = ["actions/checkout", "actions/setup-python", "actions/configure-pages", "actions/upload-pages-artifact",
             "actions/deploy-pages"]
    assert [u for u in uses if u in order] == order
    assert next(s for s in steps if "upload-pages-artifact" in s.get("uses", ""))["with"]["path"] == "book/_build/html"
    runs = [s["run"] for s in steps if "run" in s]
    assert any(r.startswith("make setup") and "download.pytorch.org/whl/cpu" in r for r in runs)  # the README's setup
    assert "make book" in runs and not any("reproduce" in r for r in runs)  # the committed results, no training
    assert job["environment"]["url"] == "${{ steps.deployment.outputs.page_url }}"
    assert next(s for s in steps if "deploy-pages" in s.get("uses", ""))["id"] == "deployment"


@pytest.mark.skipif(shutil.which("actionlint") is None, reason="actionlint not installed")
def test_workflow_passes_actionlint():
    out = subprocess.run(["actionlint", str(WORKFLOW)], capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr


# ---------------------------------------------------------------------------------------------- make publish
def _git(cwd: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=True).stdout


@pytest.mark.skipif(importlib.util.find_spec("ghp_import") is None, reason="ghp-import not installed (make setup)")
def test_make_publish_pushes_the_built_book_to_a_bare_repository(tmp_path, monkeypatch):
    for var, value in {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.org", "GIT_COMMITTER_NAME": "t",
                       "GIT_COMMITTER_EMAIL": "t@example.org"}.items():
        monkeypatch.setenv(var, value)
    remote = tmp_path / "remote.git"
    _git(tmp_path, "init", "--bare", "-q", str(remote))
    checkout = tmp_path / "checkout"  # a repository of its own: the gh-pages branch is created here, not in ours
    checkout.mkdir()
    _git(checkout, "init", "-q")
    (checkout / "README.md").write_text("x\n")
    _git(checkout, "add", "README.md")
    _git(checkout, "commit", "-q", "-m", "init")
    make = ["make", "-s", "-f", str(REPO / "Makefile"), "publish", f"VENV={sys.prefix}", f"PUBLISH_REMOTE={remote}"]

    refused = subprocess.run(make, cwd=checkout, capture_output=True, text=True)  # nothing built yet
    assert refused.returncode != 0 and "run make book first" in refused.stdout

    html = checkout / "book" / "_build" / "html"
    (html / "_static").mkdir(parents=True)
    (html / "index.html").write_text("<html>the book</html>\n")
    (html / "_static" / "srrepro.css").write_text("body{}\n")
    done = subprocess.run(make, cwd=checkout, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    files = _git(remote, "ls-tree", "-r", "--name-only", "gh-pages").split()
    assert sorted(files) == [".nojekyll", "_static/srrepro.css", "index.html"]
    assert _git(remote, "show", "gh-pages:index.html") == "<html>the book</html>\n"
    assert _git(remote, "log", "-1", "--format=%s", "gh-pages").startswith("book built from ")


# ------------------------------------------------------------------------------------------ the version stamp
def test_stamp_is_git_describe_and_the_build_date(monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1765065600")  # 2025-12-07 00:00 UTC
    st = site.stamp()
    assert st["built"] == "2025-12-07"
    assert st["version"] == _git(REPO, "describe", "--always", "--dirty").strip()
    assert site.stamp(Path("/"))["version"] == "unknown"  # outside git: said, not raised


def test_every_page_footer_carries_the_stamp(tmp_path):
    extra = tmp_path / "tables" / "_csv"
    extra.mkdir(parents=True)
    (extra / site.STAMP_FILE).write_text(json.dumps({"version": "v1-3-gabc1234-dirty", "built": "2026-12-07"}))
    config = SimpleNamespace(html_theme_options={"extra_footer": "Every number here…"},
                             html_extra_path=["tables/_csv"])
    site._add_stamp(SimpleNamespace(config=config, confdir=str(tmp_path)), config)
    footer = config.html_theme_options["extra_footer"]
    assert footer.startswith("Every number here…<br>")
    assert "Version v1-3-gabc1234-dirty, built 2026-12-07." in footer
    # the book loads the extension, which is what puts the footer on every page
    assert "srrepro.site" in yaml.safe_load((REPO / "book" / "_config.yml").read_text())["sphinx"]["extra_extensions"]


def test_built_book_pages_carry_the_stamp():
    html = REPO / "book" / "_build" / "html"
    if not (html / site.STAMP_FILE).is_file():
        pytest.skip("no book built with the stamp (make book)")
    st = json.loads((html / site.STAMP_FILE).read_text())
    line = site.footer_stamp(st)
    pages = {p: p.read_text(errors="replace") for p in sorted(html.rglob("*.html")) if "_static" not in p.parts}
    pages = {p: text for p, text in pages.items() if 'http-equiv="Refresh"' not in text}  # index.html: a redirect
    missing = [str(p.relative_to(html)) for p, text in pages.items() if line not in text]
    assert pages and not missing, f"{len(missing)} of {len(pages)} pages without the stamp: {missing[:5]}"


# --------------------------------------------------------------------------------- the bundle and the changelog
def _unzip(path: Path, dest: Path) -> Path:
    with zipfile.ZipFile(path) as zf:
        zf.extractall(dest)
    return dest


def test_lite_bundle_scores_recreate_a_pages_intervals(tmp_path):
    tid, claim = "pcarn_t2", "t2_gan_lpips"  # its interval comes from per-image LPIPS scores
    if not (REPO / "results" / "lite" / f"{tid}.scores.csv.gz").exists():
        pytest.skip(f"no committed lite result for {tid}")
    zipped = site.bundle(REPO / "results", "lite", tmp_path / "site")
    unzipped = _unzip(zipped, tmp_path / "unzipped")
    committed = sorted(p.name for p in (REPO / "results" / "lite").iterdir()
                       if p.name.endswith((".csv", ".scores.csv.gz", ".ipynb")))
    assert sorted(p.name for p in (unzipped / "lite").iterdir()) == committed

    lite = unzipped / "lite"
    spec = tables.get(tid)
    rows = pd.read_csv(lite / f"{tid}.csv")
    recomputed = tables.judge(spec, rows, "lite", pd.read_csv(lite / f"{tid}.scores.csv.gz"))[claim]
    shown = tables.load(tid, "lite").verdicts[claim]  # what the book's page is made from
    assert (recomputed.status, recomputed.interval) == (shown.status, shown.interval)
    assert recomputed.interval and recomputed.interval in (lite / f"{tid}.ipynb").read_text()  # the page itself
    # the per-image scores are what decide it: without them the interval is another one
    assert tables.judge(spec, rows, "lite", None)[claim].interval != recomputed.interval


def test_bundle_bytes_do_not_depend_on_when_it_is_built(tmp_path):
    res = tmp_path / "results" / "smoke"
    res.mkdir(parents=True)
    (res / "a.csv").write_text("x\n1\n")
    (res / "a.ipynb").write_text("{}")
    (res / ".a.tmp.ipynb").write_text("{}")  # a reproduce in flight: not published
    first = site.bundle(tmp_path / "results", "smoke", tmp_path / "one").read_bytes()
    (res / "a.csv").touch()
    second = site.bundle(tmp_path / "results", "smoke", tmp_path / "two").read_bytes()
    assert first == second
    with zipfile.ZipFile(tmp_path / "one" / site.bundle_name("smoke")) as zf:
        assert zf.namelist() == ["smoke/a.csv", "smoke/a.ipynb"]


def _csv(path: Path, commit: str, dirty: bool, at: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    pd.DataFrame({"psnr": [30.0, 31.0], "git_commit": commit, "git_dirty": dirty, "computed_at": at}).to_csv(
        path, index=False)


def test_changelog_lists_which_tables_were_computed_at_which_commit(tmp_path):
    res = tmp_path / "results"
    _csv(res / "lite" / "old_table.csv", "aaaaaaaaaaaa", False, "2026-11-01T10:00:00+00:00")
    _csv(res / "lite" / "new_table.csv", "bbbbbbbbbbbb", True, "2026-12-01T09:30:00+00:00")
    _csv(res / "lite" / "new_table2.csv", "bbbbbbbbbbbb", True, "2026-12-02T11:00:00+00:00")
    _csv(res / "smoke" / "old_table.csv", "cccccccccccc", False, "2026-10-01T00:00:00+00:00")
    text = site.changelog_page(res, {}, {"version": "v9", "built": "2026-12-07"}, "https://github.com/o/r")
    lite = text.split("### Profile lite")[1].split("### Profile smoke")[0]
    rows = [line for line in lite.splitlines() if line.startswith("| 2026")]
    assert len(rows) == 2 and "bbbbbbbbbbbb" in rows[0] and "aaaaaaaaaaaa" in rows[1]  # newest first
    assert rows[0].startswith("| 2026-12-01 09:30 – 2026-12-02 11:00 UTC |")
    assert "new_table, new_table2" in rows[0] and "+ uncommitted changes" in rows[0]
    assert '<a href="https://github.com/o/r/commit/aaaaaaaaaaaa">' in rows[1]
    assert "cccccccccccc" in text.split("### Profile smoke")[1]
    assert "v9" in text and "2026-12-07" in text


def test_assemble_puts_data_changelog_gpu_and_references_in_the_study_part(tmp_path):
    src = REPO / "results" / "smoke" / "bicubic.csv"
    if not src.exists():
        pytest.skip("no committed smoke result to assemble")
    res = tmp_path / "results"
    (res / "smoke").mkdir(parents=True)
    shutil.copy(src, res / "smoke" / "bicubic.csv")
    (res / "smoke" / "bicubic.ipynb").write_text('{"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}')
    out = tmp_path / "book"
    out.mkdir()
    for name in ("_config.yml", "gpu.md", "tweak.md", "references.md"):
        shutil.copy(REPO / "book" / name, out / name)
    (res / "tweaks").mkdir()
    (res / "tweaks" / "pcarn_t2-gan-weight.ipynb").write_text(
        '{"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}')
    book.assemble(results=res, book=out)

    study = (out / "_toc.yml").read_text().split("- file: chapters/study\n")[1].split("- file: chapters/")[0]
    entries = re.findall(r"- file: (\S+)", study)
    assert entries[-6:] == ["tables/changelog", "gpu", "tables/gpu_check", "tweak", "tables/tweak_pcarn_t2-gan-weight",
                            "references"]
    assert (out / "tables" / "tweak_pcarn_t2-gan-weight.ipynb").exists()
    extra = out / book.CSV_DIR  # html_extra_path: its content lands at the root of the built site
    assert json.loads((extra / site.STAMP_FILE).read_text())["version"]
    page = (out / "tables" / "changelog.md").read_text()
    (href,) = re.findall(r'<a href="([^"]+\.zip)"', page)
    zipped = (extra / "tables" / href).resolve()  # the page is tables/changelog.html: its links are relative to it
    assert zipped.name == site.bundle_name("smoke") and zipfile.ZipFile(zipped).namelist() == [
        "smoke/bicubic.csv", "smoke/bicubic.ipynb"]
    commit = pd.read_csv(src)["git_commit"].iloc[0]
    assert f'<a href="https://github.com/srrepro/srrepro/commit/{commit}"><code>{commit}</code></a>' in page
    assert "| {doc}`bicubic <bicubic>` |" in page  # a table id links to its page


# ------------------------------------------------------------------------------------------- the static pages
def test_gpu_check_page_says_not_run_until_a_cuda_csv_is_committed(tmp_path):
    """No results/gpu_check/*.csv: every check is listed as not run, naming what it needs; a committed run's rows
    are shown instead (its GPU, its statuses)."""
    page = site.gpu_check_page(tmp_path)
    assert "**Not run**" in page and page.count("not run: needs a CUDA GPU") == len(site.GPU_CHECKS)
    assert "make gpu-check DEVICE=cuda" in page
    (tmp_path / "gpu_check").mkdir()
    pd.DataFrame([{"check": "ddp_2proc", "status": "pass", "value": "1", "threshold": "1", "unit": "hashes",
                   "seconds": "9.1", "note": "a|b", "gpu": "NVIDIA H100 80GB HBM3", "git_commit": "abc1234",
                   "computed_at": "2026-12-07T05:00:00+00:00"}]).to_csv(tmp_path / "gpu_check" / "x.csv", index=False)
    page = site.gpu_check_page(tmp_path)
    assert "Not run" not in page and "NVIDIA H100 80GB HBM3" in page and "abc1234" in page
    assert "| <code>ddp_2proc</code> | pass | 1 | 1 | hashes | 9.1 | a\\|b |" in page


def test_references_give_only_identifiers_found_in_the_studys_sources():
    text = (REPO / "book" / "references.md").read_text()
    if not (SHARED / "seeds").is_dir():
        pytest.skip(f"the papers' sources are not at {SHARED}")
    sources = "\n".join(p.read_text(errors="replace") for p in [*(SHARED / "seeds").glob("*.txt"),
                                                               *(SHARED / "notes").glob("*.md")])
    arxiv = set(re.findall(r"arxiv\.org/abs/(\d{4}\.\d{4,5})", text))
    repos = set(re.findall(r"github\.com/([\w.-]+/[\w.-]+)\)", text))
    assert arxiv == {"1903.02240", "2010.02414", "1909.10774"} and len(repos) >= 5
    assert not [a for a in arxiv if a not in sources]
    assert not [r for r in repos if r not in sources]
    assert "doi.org" not in text  # no DOI is given in the sources: the page says so
    for paper in ("OverNet", "PCARN", "EDSR", "ASDN", "s-LWSR"):
        assert paper in text


def test_gpu_page_commands_are_the_readmes():
    readme, page = (REPO / "README.md").read_text(), (REPO / "book" / "gpu.md").read_text()
    commands = [line.split("#")[0].strip() for line in page.splitlines()
                if line.startswith((".venv/bin/srrepro", "make ", "    --slurm"))]
    assert len(commands) >= 5
    missing = [c for c in commands if c not in readme and c.replace("overnet_t2", "bicubic") not in readme]
    assert not missing
