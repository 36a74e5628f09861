"""``make reproduce`` / ``make render``: execute notebooks/<TABLE>.ipynb into results/<PROFILE>/<TABLE>.ipynb.

Usage: TABLE=id PROFILE=lite DEVICE=auto python tools/run_notebook.py reproduce|render

The values come from the environment (make exports them) and never pass through a shell: each is checked by
srrepro.preflight before anything is created, so a bad value is one line and exit status 2, with no folder left.
The notebook runs into a temporary file of its own (``.<id>.<random>.tmp.ipynb``, git-ignored), so two runs of
one table never share one, and replaces ``<id>.ipynb`` only when it succeeded. ``reproduce`` keeps the CSV, its
sidecar and the notebook one generation: when the notebook fails after the CSV was written, the previous CSV and
sidecar are put back (none before: the new ones are removed); the trained models stay cached in runs/.
"""
from __future__ import annotations

import logging
import os
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
from srrepro.errors import SrreproError  # noqa: E402
from srrepro.provenance import readable_by_all  # noqa: E402


def _fail(message: str) -> int:
    print(f"srrepro: error: {message}", file=sys.stderr)
    return 2


def _snapshot(paths: list[Path]) -> dict[Path, bytes | None]:
    return {p: p.read_bytes() if p.exists() else None for p in paths}


def _restore(before: dict[Path, bytes | None]) -> None:
    for p, data in before.items():
        if data is None:
            p.unlink(missing_ok=True)
        elif not p.exists() or p.read_bytes() != data:
            fd, tmp = tempfile.mkstemp(dir=p.parent, prefix=f".{p.name}.", suffix=".tmp")
            with os.fdopen(fd, "wb") as f:
                f.write(data)
            readable_by_all(tmp)
            os.replace(tmp, p)


def main(argv: list[str]) -> int:
    if argv not in (["reproduce"], ["render"]):
        return _fail("usage: TABLE=id PROFILE=p [DEVICE=d] python tools/run_notebook.py reproduce|render")
    mode = argv[0]
    from srrepro import preflight, tables

    env = os.environ
    table, profile, device = env.get("TABLE", ""), env.get("PROFILE", ""), env.get("DEVICE", "auto")
    try:
        preflight.check_table(table)
        preflight.check_profile(profile)
        preflight.check_device(device, available=mode == "reproduce")
    except SrreproError as e:
        return _fail(str(e))
    csv = tables.result_path(table, profile)
    if mode == "render" and not csv.exists():
        return _fail(f"no {csv.relative_to(REPO)} to render: make reproduce TABLE={table} PROFILE={profile}")
    out = csv.with_suffix(".ipynb")
    out.parent.mkdir(parents=True, exist_ok=True)
    params = dict(table=table, profile=profile, recompute=mode == "reproduce", progress=False)
    if mode == "reproduce":
        params.update(device=device, data_root=env.get("SRREPRO_DATA") or None)
    before = _snapshot([csv, tables.scores_path(csv)]) if mode == "reproduce" else {}
    fd, tmp = tempfile.mkstemp(dir=out.parent, prefix=f".{table}.", suffix=".tmp.ipynb")
    os.close(fd)
    try:
        import papermill as pm

        from make_notebooks import hide_injected

        logging.getLogger("papermill").setLevel(logging.WARNING)
        # the kernel imports the srrepro of this checkout (whose results/ it writes), whatever else is on the path
        os.environ["PYTHONPATH"] = os.pathsep.join([str(REPO), *filter(None, [env.get("PYTHONPATH")])])
        try:
            pm.execute_notebook(str(REPO / "notebooks" / f"{table}.ipynb"), tmp, parameters=params,
                                progress_bar=False)
        except pm.PapermillExecutionError as e:
            _restore(before)
            kept = " (the previous CSV and sidecar are kept)" if before and any(before.values()) else ""
            return _fail(f"{table}: {e.ename}: {e.evalue}{kept}")
        hide_injected(Path(tmp), f"notebooks/{table}.ipynb",
                      str(out.relative_to(REPO) if out.is_relative_to(REPO) else out.name))
        readable_by_all(tmp)  # mkstemp made it 0600
        os.replace(tmp, out)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    rel = out.relative_to(REPO) if out.is_relative_to(REPO) else out
    print(f"{rel.with_suffix('.csv')} and {rel} written" if mode == "reproduce" else f"{rel} written")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
