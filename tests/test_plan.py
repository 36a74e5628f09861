"""Dry runs only (nothing trained): every table's plan at every profile, the one pool of many tables (each model
once, longest first, a stage 2 after its stage 1), the device table and the missing inputs a plan names.

The expensive measurements (FLOPs counted on the meta device, timed CPU steps) are replaced by cheap stand-ins
that still differ between models, so the plans keep their shape and these tests take seconds."""
import sys
import zlib

import pytest

from srrepro import cli, plan, tables
from srrepro.book_plan import BookPlan, Unit, book_plan, schedule


def _fake_flops(model, kwargs_json, scale, train):  # 1–10 MFLOP per LR pixel, fixed per model
    return (1 + zlib.crc32(f"{model}{kwargs_json}".encode()) % 10) * 1e6 * (3 if train else 1) * (1 + scale / 8)


@pytest.fixture
def cheap_costs(monkeypatch, tmp_path):
    import torch

    import srrepro.complexity
    import srrepro.train

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    for name, mod in list(sys.modules.items()):  # tables import some of these by name
        if name.startswith("srrepro"):
            for attr, fake in (("flops_per_px", _fake_flops), ("cpu_flops_rate", lambda *a, **k: 2e10),
                               ("loss_flops_per_hr_px", lambda *a, **k: 5e6)):
                if hasattr(mod, attr):
                    monkeypatch.setattr(mod, attr, fake)
    monkeypatch.setattr(srrepro.train, "estimate_seconds", lambda cfg, *a, **k: 0.01 * cfg.iterations)
    # edsr_width_depth sizes its wider arm by activation memory (real forwards: minutes here); channels × convs
    # grows with width and depth alike
    monkeypatch.setattr(srrepro.complexity, "saved_activation_bytes", lambda model, *a, **k: sum(
        m.out_channels for m in model.modules() if isinstance(m, torch.nn.Conv2d)))


@pytest.mark.parametrize("profile", tables.PROFILES)
def test_every_table_has_a_dry_run(cheap_costs, tmp_path, profile):
    for t in tables.list_tables():
        p = tables.plan(t, profile, work_dir=tmp_path / "runs")
        assert p.runs, t
        assert str(p)  # prints


def test_tables_without_jobs_or_plan_say_they_train_nothing(cheap_costs):
    p = tables.plan("pcarn_t4", "paper")  # crashed with "'NoneType' object is not callable"
    assert p.runs[0]["training_iterations"] == 0 and "trains nothing" in p.notes


def test_a_model_shared_by_tables_is_one_unit_counted_once(cheap_costs, tmp_path):
    ids = ["pcarn_t1", "pcarn_t3"]  # both train the full PCARN (L1) at the paper profile
    bp = book_plan(ids, "paper", work_dir=tmp_path / "runs")
    shared = [u for u in bp.units if set(ids) <= set(u.tables)]
    assert len(shared) == 1 and shared[0].train_h > 0
    assert len({u.key for u in bp.units}) == len(bp.units)
    alone = {t: book_plan([t], "paper", work_dir=tmp_path / "runs").total() for t in ids}
    assert bp.per_table == pytest.approx(alone)  # a table's own bill: its models as if no other table shared them
    # the shared training once (and the scoring passes both tables ask of it: seconds)
    assert bp.total() == pytest.approx(sum(alone.values()) - shared[0].train_h, abs=0.01)
    assert bp.total() <= sum(alone.values()) - shared[0].train_h + 1e-9
    assert "each once" in str(bp)


def test_book_makespan_within_15_percent_of_perfect_packing(cheap_costs, tmp_path):
    bp = book_plan(tables.list_tables(), "paper", gpus=8, work_dir=tmp_path / "runs")
    longest = max(u.hours for u in bp.units)
    for n in (1, 8):
        assert bp.makespan(n) <= 1.15 * max(longest, bp.total() / n)
    assert bp.makespan(1) == pytest.approx(bp.total())
    assert bp.use(8) <= 1.0
    _, slots = schedule(bp.units, 8)
    end = {k: e for k, _, _, e in slots}
    start = {k: s for k, _, s, _ in slots}
    stage2 = [u for u in bp.units if u.after]
    assert stage2  # PCARN's GAN fine-tuning
    assert all(start[u.key] >= end[u.after] for u in stage2)


def test_schedule_is_longest_first_and_waits_for_stage_1():
    units = [Unit("s1", "stage 1", train_h=1.0), Unit("s2", "stage 2", train_h=10.0, after="s1"),
             Unit("a", "a", train_h=5.0), Unit("b", "b", train_h=5.0)]
    span, slots = schedule(units, 2)
    by = {k: (slot, s, e) for k, slot, s, e in slots}
    assert by["s2"][1] >= by["s1"][2]  # not before its stage 1, though it is the longest
    assert span == pytest.approx(11.0)  # s1 then s2 on one GPU, a and b on the other
    bp = BookPlan("paper", units, {"t": 21.0}, gpus=2)
    assert bp.lower_bound(2) == pytest.approx(11.0)  # the chain s1 → s2 is the bound, not 21 / 2
    # a lone unit on many GPUs: the rest idle, and the plan says so
    assert BookPlan("paper", [Unit("x", "x", train_h=4.0)], {"t": 4.0}).use(4) == pytest.approx(0.25)


def test_missing_inputs_are_named_with_how_to_get_them(cheap_costs, tmp_path):
    root = tmp_path / "data"
    root.mkdir()
    out = str(book_plan(["pcarn_t2"], "paper", data_root=str(root), work_dir=tmp_path / "runs"))
    assert "DIV2K_train — `srrepro download DIV2K_train`" in out and "vgg19" in out and "Set14" in out
    assert "DIV2K_valid (optional" in str(book_plan(["bicubic"], "paper", data_root=str(root)))
    full = book_plan(["bicubic"], "lite", data_root=str(tmp_path / "nowhere"), work_dir=tmp_path / "runs")
    assert any("data root" in k for k in full.missing)


def test_gpu_kinds_scale_the_training_hours(cheap_costs, tmp_path):
    a100 = tables.plan("pcarn_t1", "paper", gpu="a100", work_dir=tmp_path)
    h100 = tables.plan("pcarn_t1", "paper", gpu="h100", work_dir=tmp_path)
    assert 0 < sum(r["gpu_hours"] for r in h100.runs) < sum(r["gpu_hours"] for r in a100.runs)
    assert "H100" in h100.notes and "assumed 120 TFLOP/s" in h100.notes and "data preparation" in h100.notes
    with pytest.raises(plan.UnknownGpuError):
        plan.gpu_kind("tpu")
    choices = next(a.choices for a in _reproduce_parser()._actions if a.dest == "gpu_kind")
    assert set(choices) == set(plan.GPU_KINDS)


def _reproduce_parser():
    sub = next(a for a in cli.build_parser()._actions if a.dest == "command")
    return sub.choices["reproduce"]


def test_cli_several_tables_print_one_pool(cheap_costs, tmp_path, capsys):
    assert cli.main(["reproduce", "pcarn_t1", "pcarn_t3", "pcarn_t4", "--profile", "paper", "--dry-run",
                     "--gpus", "8"]) == 0
    out = capsys.readouterr().out
    assert "3 tables" in out and "on 8 GPUs: makespan" in out and "on 1 GPU: makespan" in out
    assert "trained models, each once" in out


@pytest.mark.parametrize("args, message", [
    (["reproduce", "pcarn_t1", "pcarn_t3", "--gpus", "8"], "--gpus"),  # a run, not a plan
    (["reproduce", "pcarn_t1", "--all", "--dry-run"], "--all"),
    (["reproduce", "--dry-run"], "table id"),
    (["reproduce", "pcarn_t1", "pcarn_t3", "--only", "dataset=Set14", "--dry-run"], "--only"),
])
def test_cli_pool_usage_errors_are_one_line(capsys, args, message):
    assert cli.main(args) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("srrepro: error:") and message in err and "\n" not in err
