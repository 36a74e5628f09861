"""Overrides (srrepro.overrides): any grid key or training field from a notebook, checked first, written as a tweak."""
import hashlib
import json

import pandas as pd
import pytest

from srrepro import tables
from srrepro.overrides import OverrideError
from srrepro.provenance import REPO_ROOT


@pytest.mark.parametrize("bad, says", [
    ({"nope": 1}, "'nope' is not a key of pcarn_t2's grid"),
    ({"lr": "fast"}, "lr must be like"),
    ({"pcarn_gan": 3}, "takes a dict of training fields"),
    ({"loss": "1*zzz"}, "bad loss spec"),
    ({"seed": 3}, "is not a key of"),  # the seed has its own knob
    ({"overnet": {"lr": 1e-3}}, "no model of pcarn_t2 at smoke receives overnet.lr"),
])
def test_a_bad_override_is_one_line_before_anything_runs(bad, says, tmp_path):
    with pytest.raises(OverrideError, match=says) as e:
        tables.reproduce("pcarn_t2", "smoke", overrides=bad, results_dir=tmp_path, work_dir=tmp_path / "runs")
    assert "\n" not in str(e.value)
    assert not list(tmp_path.rglob("*.csv"))


def test_training_overrides_do_not_reach_a_table_that_runs_its_own_code():
    with pytest.raises(OverrideError, match="runs its own code"):
        tables.reproduce("edsr_qualitative", "smoke", overrides={"lr": 1e-3}, dry_run=True)


def test_overrides_reach_the_models_they_name():
    """A family's override reaches that family's models only; a plain field and model_kwargs reach every model;
    a grid key replaces the grid's."""
    ov = tables.check_overrides(tables.get("pcarn_t2"), "smoke",
                                {"pcarn_gan": {"loss": "1*vgg+1e-2*gan"}, "model_kwargs": {"n_feats": 12}})
    spec = tables.get("pcarn_t2")
    jobs = spec.jobs(tables.context(spec, "smoke", overrides=ov))
    losses = {j.config.loss for j in jobs}
    assert losses == {"l1", "1*vgg+1e-2*gan"}
    assert all(j.config.model_kwargs["n_feats"] == 12 for j in jobs)
    spec = tables.get("overnet_t2")
    ov = tables.check_overrides(spec, "smoke", {"scales": [1.5, 3.0], "scale_range": [1.1, 3.0]})
    ctx = tables.context(spec, "smoke", overrides=ov)
    assert ctx.grid["scales"] == (1.5, 3.0)
    jobs = spec.jobs(ctx)
    assert {j.config.scale_range for j in jobs} == {(1.1, 3.0)}
    assert {e["scale"] for j in jobs for e in j.evals} <= {1.5, 3.0}


@pytest.mark.slow
def test_a_notebook_with_overrides_writes_a_custom_csv_and_leaves_the_profile_alone(tmp_path):
    """papermill runs pcarn_t2's notebook at smoke with the GAN loss weight and the model width changed: the rows
    land in results/custom/pcarn_t2/smoke-<hash>.csv (the hash of the knobs: git-ignored, removed after), carry the
    new loss and width, and results/smoke/ is untouched; a bad override fails the notebook with its one line."""
    import papermill as pm

    smoke = REPO_ROOT / "results" / "smoke"
    before = {p.name: p.read_bytes() for p in smoke.iterdir()}
    overrides = {"pcarn_gan": {"loss": "1*vgg+1e-2*gan"}, "model_kwargs": {"n_feats": 12}}
    checked = tables.check_overrides(tables.get("pcarn_t2"), "smoke", overrides)
    h = hashlib.sha256(f"smoke {tables._knobs('smoke', None, None, None, overrides=checked)}".encode()).hexdigest()
    custom = REPO_ROOT / "results" / "custom" / "pcarn_t2" / f"smoke-{h[:10]}.csv"
    written = [custom, custom.with_name(custom.stem + ".scores.csv.gz")]
    for p in written:
        p.unlink(missing_ok=True)
    try:
        pm.execute_notebook(str(REPO_ROOT / "notebooks" / "pcarn_t2.ipynb"), str(tmp_path / "out.ipynb"),
                            parameters=dict(profile="smoke", overrides=overrides, progress=False),
                            kernel_name="python3", cwd=str(REPO_ROOT / "notebooks"), progress_bar=False)
        rows = pd.read_csv(custom)
        assert set(rows["loss"]) == {"l1", "1*vgg+1e-2*gan"}
        assert json.loads(rows["model_kwargs"].dropna().iloc[0])["n_feats"] == 12
        assert rows["custom"].iloc[0].startswith("overrides=")
        assert {p.name: p.read_bytes() for p in smoke.iterdir()} == before
        with pytest.raises(pm.PapermillExecutionError, match="OverrideError: overrides: 'gan_weight' is not a key"):
            pm.execute_notebook(str(REPO_ROOT / "notebooks" / "pcarn_t2.ipynb"), str(tmp_path / "bad.ipynb"),
                                parameters=dict(profile="smoke", overrides={"gan_weight": 0.01}, progress=False),
                                kernel_name="python3", cwd=str(REPO_ROOT / "notebooks"), progress_bar=False)
    finally:
        for p in written:
            p.unlink(missing_ok=True)


def test_a_model_keyword_a_model_does_not_take_is_refused_before_anything_runs():
    """overnet_t2 also trains Meta-RDN, which has no max_scale: for every model, refused; for OverNet's family,
    taken."""
    with pytest.raises(OverrideError, match="model meta_rdn cannot be built with .*max_scale"):
        tables.check_overrides(tables.get("overnet_t2"), "smoke", {"model_kwargs": {"max_scale": 3}})
    ok = tables.check_overrides(tables.get("overnet_t2"), "smoke",
                                {"overnet": {"scale_range": [1.1, 3.0], "model_kwargs": {"max_scale": 3}}})
    assert ok == {"family": {"overnet": {"scale_range": (1.1, 3.0), "model_kwargs": {"max_scale": 3}}}}
