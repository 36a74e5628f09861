"""The published site around the book: a version stamp on every page, the results bundles, the changelog.

``srrepro.book.assemble`` calls :func:`site_pages`, which writes, under the book's ``html_extra_path``
(``book/tables/_csv``, copied to the root of the built HTML):

- ``data/srrepro-results-<profile>.zip`` for every profile in ``results/``: its CSVs, per-image scores and
  executed notebooks, laid out as ``<profile>/<file>`` so that ``tables.load(id, profile, <unzipped dir>)`` reads
  it as it reads ``results/``;
- ``version.json``: ``git describe --always --dirty`` of the checkout and the build date;

and the page ``tables/changelog.md`` ("Data and changelog": the bundles, and which tables were computed at which
commit and when, from the CSVs' provenance columns). It returns the toc entries of that page and of the static
pages ``book/gpu.md`` and ``book/references.md``, for the study part.

This module is also a Sphinx extension (``_config.yml``: ``sphinx.extra_extensions``): :func:`setup` appends the
stamp from ``version.json`` to the theme's ``extra_footer``, which every page of the book shows.
"""
from __future__ import annotations

import datetime as _dt
import html
import json
import os
import shutil
import subprocess
import zipfile
from pathlib import Path

from .provenance import REPO_ROOT, atomic_write_text

PROFILES = ("paper", "lite", "smoke")  # the book's preference order (srrepro.book.PREFERENCE)
BUNDLE_DIR = "data"  # under the html_extra_path → _build/html/data/
BUNDLE_PATTERNS = ("*.csv", "*.scores.csv.gz", "*.ipynb")
STAMP_FILE = "version.json"
CHANGELOG = "changelog"  # book/tables/changelog.md
GPU_CHECK = "gpu_check"  # book/tables/gpu_check.md, from results/gpu_check/*.csv
# what `make gpu-check DEVICE=cuda` (tools/gpu_check.py) checks, for the page until its CSV is committed
GPU_CHECKS = (
    ("train_bf16, train_fp16, train_bf16_channels_last", "mixed precision and memory format against fp32 (loss parity)"),
    ("ddp_2proc", "a 2-process DDP run gives identical weights on every rank"),
    ("carn_m_cuda_vs_cpu(_no_tf32)", "the released CARN-M weights score the same on CUDA as on CPU (within 0.001 dB)"),
    ("tile_vs_whole", "tiled inference equals whole-image inference"),
    ("pool_unit_per_gpu", "the unit pool puts one unit per GPU"),
    ("resume_cuda", "an interrupted CUDA run resumes to the uninterrupted weights"),
    ("gan_vgg_step", "a GAN step with the VGG perceptual loss"),
    ("fractional_scale_step", "a fractional-scale (OverNet) training step"),
    ("pipeline_throughput", "DataLoader workers keep up with the GPU's consumption"),
    ("peak_memory/…", "peak memory of the largest models (EDSR 256×32, RDN, RCAN) on Urban100"),
    ("throughput/…", "training and inference throughput"),
)
STATIC_PAGES = ("gpu", "tweak", "references")  # book/<name>.md, after the generated pages in the study part
TWEAKS = "tweaks"  # results/tweaks/<name>.ipynb (tools/tweak_examples.py) → book/tables/tweak_<name>.ipynb
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)  # fixed member times: the same results give the same bytes, rebuild after rebuild


def stamp(repo: Path = REPO_ROOT, now: _dt.datetime | None = None) -> dict[str, str]:
    """{"version": ``git describe --always --dirty`` ("unknown" outside git), "built": the UTC date}.
    ``SOURCE_DATE_EPOCH`` (the reproducible-builds convention), when set, fixes the date."""
    try:
        version = subprocess.run(["git", "describe", "--always", "--dirty"], cwd=repo, capture_output=True,
                                 text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        version = "unknown"
    if now is None:
        epoch = os.environ.get("SOURCE_DATE_EPOCH")
        now = (_dt.datetime.fromtimestamp(int(epoch), _dt.timezone.utc) if epoch
               else _dt.datetime.now(_dt.timezone.utc))
    return {"version": version, "built": now.strftime("%Y-%m-%d")}


def footer_stamp(st: dict[str, str]) -> str:
    """The line every page carries (HTML: the theme inserts ``extra_footer`` as is)."""
    return (f'<span class="srr-stamp">Version {html.escape(st["version"])}, '
            f'built {html.escape(st["built"])}.</span>')


def bundle_name(profile: str) -> str:
    return f"srrepro-results-{profile}.zip"


def bundle(results: Path, profile: str, dest_dir: Path) -> Path:
    """``dest_dir/srrepro-results-<profile>.zip``: every CSV, per-image score file and executed notebook of
    ``results/<profile>/``, stored as ``<profile>/<name>``."""
    src = results / profile
    files = sorted({f for pattern in BUNDLE_PATTERNS for f in src.glob(pattern) if not f.name.startswith(".")})
    dest_dir.mkdir(parents=True, exist_ok=True)
    out = dest_dir / bundle_name(profile)
    tmp = out.with_name(f".{out.name}.tmp")
    with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as zf:
        for f in files:
            info = zipfile.ZipInfo(f"{profile}/{f.name}", _ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            zf.writestr(info, f.read_bytes())
    os.replace(tmp, out)
    return out


def provenance_frame(results: Path):
    """One row per result CSV of each profile: profile, file, git_commit, git_dirty, first and last computed_at."""
    import pandas as pd

    rows = []
    for profile in PROFILES:
        for csv in sorted((results / profile).glob("*.csv")):
            df = pd.read_csv(csv, usecols=lambda c: c in ("git_commit", "git_dirty", "computed_at"))
            if not {"git_commit", "computed_at"} <= set(df.columns) or df.empty:
                rows.append({"profile": profile, "file": csv.stem, "git_commit": "not recorded",
                             "git_dirty": False, "first": "", "last": ""})
                continue
            dirty = df["git_dirty"] if "git_dirty" in df else False
            df = df.assign(git_dirty=pd.Series(dirty, index=df.index).astype(str).str.lower() == "true")
            for (commit, is_dirty), g in df.groupby(["git_commit", "git_dirty"], sort=False):
                at = g["computed_at"].dropna().astype(str).sort_values()
                rows.append({"profile": profile, "file": csv.stem, "git_commit": str(commit),
                             "git_dirty": bool(is_dirty), "first": at.iloc[0] if len(at) else "",
                             "last": at.iloc[-1] if len(at) else ""})
    return pd.DataFrame(rows, columns=["profile", "file", "git_commit", "git_dirty", "first", "last"])


def _when(first: str, last: str) -> str:
    """"2026-12-06 02:51 UTC", or a range when a commit's rows were computed over several runs."""
    def short(t: str) -> str:
        return t[:16].replace("T", " ") if t else ""
    a, b = short(first), short(last)
    return f"{a} UTC" if a == b else f"{a} – {b} UTC"


def _table_link(name: str) -> str:
    """A table id links to its page (a sibling of the changelog page); other result files are named only."""
    from . import tables

    return f"{{doc}}`{name} <{name}>`" if name in tables.TABLES else name


def _commit_link(commit: str, dirty: bool, repository: str) -> str:
    text = f"<code>{html.escape(commit)}</code>"
    if repository and commit not in ("unknown", "not recorded"):
        text = f'<a href="{html.escape(repository)}/commit/{html.escape(commit)}">{text}</a>'
    return text + (" + uncommitted changes" if dirty else "")


def changelog_page(results: Path, bundles: dict[str, Path], st: dict[str, str], repository: str = "",
                   bundle_href: str = f"../{BUNDLE_DIR}/") -> str:
    """The "Data and changelog" page: a download per profile, then per profile which result files were computed
    at which commit and when (newest first)."""
    prov = provenance_frame(results)
    lines = ["# Data and changelog", "",
             f"This site was built from version <code>{html.escape(st['version'])}</code> of the study on "
             f"{html.escape(st['built'])}. Every number on it comes from the result files below.", "",
             "## Download the results", "",
             "One archive per profile: every table's CSV (one row per cell and seed, with its provenance), its "
             "per-image scores (<code>&lt;id&gt;.scores.csv.gz</code>, from which every interval on the table pages "
             "is computed) and its executed notebook (the table's page).", ""]
    if not bundles:
        lines.append("No results have been computed yet.")
    for profile, path in bundles.items():
        with zipfile.ZipFile(path) as zf:
            n = len(zf.namelist())
        size = path.stat().st_size / 2 ** 20
        lines.append(f'- <a href="{bundle_href}{path.name}" download>{path.name}</a> — profile **{profile}**, '
                     f"{n} files, {size:.1f} MB")
    if bundles:
        example = next(iter(bundles))
        tid = "pcarn_t2" if (results / example / "pcarn_t2.csv").exists() else sorted(prov["file"])[0]
        lines += ["", "To re-judge a table from its per-image scores without training anything, unzip an archive "
                      f"(<code>unzip {bundle_name(example)} -d unzipped</code>) and load it as the book does:", "",
                  "```python", "from pathlib import Path", "from srrepro import tables", "",
                  f'result = tables.load("{tid}", "{example}", Path("unzipped").resolve())  # its CSV and scores',
                  "for claim, verdict in result.verdicts.items():",
                  "    print(claim, verdict.status, verdict.interval)", "```"]
    lines += ["", "## Changelog", "",
              "Which result files were computed at which commit of the study and when (from each CSV's "
              "<code>git_commit</code> and <code>computed_at</code> columns), newest first. A page shows the "
              "most complete profile that exists for its table (paper, then lite, then smoke)."]
    for profile in PROFILES:
        p = prov[prov["profile"] == profile]
        if p.empty:
            continue
        lines += ["", f"### Profile {profile}", "", "| computed | commit | tables |", "|---|---|---|"]
        p = p.assign(key=p["last"].where(p["last"] != "", "0"))
        groups = []
        for (commit, dirty), g in p.groupby(["git_commit", "git_dirty"], sort=False):
            groups.append((g["key"].max(), commit, dirty, g))
        for _, commit, dirty, g in sorted(groups, key=lambda x: x[0], reverse=True):
            files = ", ".join(_table_link(f) for f in sorted(g["file"]))
            when = _when(g["first"][g["first"] != ""].min() if (g["first"] != "").any() else "",
                         g["last"].max())
            lines.append(f"| {when} | {_commit_link(commit, dirty, repository)} | {files} |")
    return "\n".join(lines) + "\n"


def gpu_check_page(results: Path) -> str:
    """The "GPU check" page: the newest ``results/gpu_check/*.csv`` (``make gpu-check DEVICE=cuda``), or what the
    check covers and that it has not run."""
    import pandas as pd

    runs = sorted((results / "gpu_check").glob("*.csv"))
    lines = ["# GPU check", ""]
    if not runs:
        lines += ["**Not run**: no CUDA machine has been available to this study yet. It needs one CUDA GPU and "
                  "<code>make gpu-check DEVICE=cuda</code> (a few minutes), which writes "
                  "<code>results/gpu_check/&lt;UTC date&gt;-&lt;gpu&gt;.csv</code>; committed, it is shown here. "
                  "Every number elsewhere in the book was computed on a CPU.", "",
                  "| check | what it verifies | status |", "|---|---|---|"]
        lines += [f"| <code>{html.escape(k)}</code> | {html.escape(what)} | not run: needs a CUDA GPU |"
                  for k, what in GPU_CHECKS]
        return "\n".join(lines) + "\n"
    df = pd.read_csv(runs[-1], dtype=str, keep_default_na=False)
    first = df.iloc[0]
    gpus = ", ".join(sorted({g for g in df.get("gpu", []) if g})) or "no GPU recorded"
    lines += [f"From <code>{html.escape(runs[-1].name)}</code>: {html.escape(gpus)}, computed at commit "
              f"<code>{html.escape(str(first.get('git_commit', 'not recorded')))}</code> "
              f"({html.escape(str(first.get('computed_at', '')))}). {len(runs)} run(s) are kept in "
              "<code>results/gpu_check/</code>.", "",
              "| check | status | value | threshold | unit | seconds | note |", "|---|---|---|---|---|---|---|"]
    for r in df.to_dict("records"):
        cells = [f"<code>{html.escape(r['check'])}</code>"] + [html.escape(str(r.get(k, ""))).replace("|", "\\|")
                                                                for k in ("status", "value", "threshold", "unit",
                                                                          "seconds", "note")]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def repository_url(book: Path) -> str:
    """``repository.url`` of the book's ``_config.yml`` ("" when it has none)."""
    import yaml

    config = book / "_config.yml"
    if not config.exists():
        return ""
    data = yaml.safe_load(config.read_text()) or {}
    return str((data.get("repository") or {}).get("url", "")).rstrip("/")


def site_pages(results: Path, book: Path, pages: Path, extra_dir: Path) -> list[str]:
    """Write the bundles and the stamp under ``extra_dir`` (the book's ``html_extra_path``) and the changelog page
    under ``pages``; return the toc entries (relative to ``book``) for the study part."""
    st = stamp()
    extra_dir.mkdir(parents=True, exist_ok=True)
    atomic_write_text(extra_dir / STAMP_FILE, json.dumps(st, indent=1) + "\n")
    bundles = {p: bundle(results, p, extra_dir / BUNDLE_DIR) for p in PROFILES if any((results / p).glob("*.csv"))}
    atomic_write_text(pages / f"{CHANGELOG}.md", changelog_page(results, bundles, st, repository_url(book)))
    atomic_write_text(pages / f"{GPU_CHECK}.md", gpu_check_page(results))
    here = pages.relative_to(book).as_posix()
    tweaks = []
    for nb in sorted((results / TWEAKS).glob("*.ipynb")):  # the "Tweak a table" examples, after their page
        shutil.copyfile(nb, pages / f"tweak_{nb.name}")
        tweaks.append(f"{here}/tweak_{nb.stem}")
    entries = [f"{here}/{CHANGELOG}"]
    for name in STATIC_PAGES:
        if (book / f"{name}.md").exists():
            entries.append(name)
            entries += [f"{here}/{GPU_CHECK}"] if name == "gpu" else tweaks if name == "tweak" else []
    return entries


# ----------------------------------------------------------------------------------------- the Sphinx extension
def _stamp_for(app) -> dict[str, str]:
    """The stamp ``assemble`` wrote into an ``html_extra_path`` folder; computed now when the book was built
    without assembling."""
    for extra in app.config.html_extra_path:
        path = Path(app.confdir) / extra / STAMP_FILE
        if path.is_file():
            return json.loads(path.read_text())
    return stamp()


def _add_stamp(app, config) -> None:
    options = dict(config.html_theme_options or {})
    footer = str(options.get("extra_footer", "") or "")
    options["extra_footer"] = (footer + "<br>" if footer else "") + footer_stamp(_stamp_for(app))
    config.html_theme_options = options


def setup(app):
    app.connect("config-inited", _add_stamp)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
