"""``srrepro doctor``: what a data root holds and which tables can run at which profile."""
import json
import os
import shutil
import subprocess
import sys

import pytest

from srrepro import doctor, tables


def _items(d):
    return {i["name"]: i for i in d["items"]}


def test_every_table_has_requirements_naming_known_items(tmp_path):
    known = {i.name for i in doctor.inventory(tmp_path)}
    for tid in tables.list_tables():
        for prof in tables.PROFILES:
            assert doctor.requirements(tid, prof) | doctor.optional(tid, prof) <= known, (tid, prof)
    assert doctor.requirements("complexity", "paper") == set()
    assert doctor.requirements("training_check", "smoke") == {"T91", "Set5"}
    assert "DIV2K_train" in doctor.requirements("overnet_t5", "paper")
    with pytest.raises(ValueError, match="valid profiles"):
        doctor.requirements("bicubic", "huge")


def test_mirror_has_set5_and_lacks_div2k_with_its_source(data_root):
    d = doctor.diagnose(data_root)
    items = _items(d)
    assert items["Set5"]["status"] == "present" and items["Set5"]["files"] == 5
    assert items["carn_m.pth"]["status"] == "present"
    div2k = items["DIV2K_train"]
    assert div2k["status"] == "missing" and div2k["bytes"] == 3_530_603_713
    assert div2k["source"].endswith("DIV2K_train_HR.zip")
    m = d["tables"]
    assert m["bicubic"]["smoke"]["ok"] and m["official_weights"]["lite"]["ok"]
    assert m["training_check"]["paper"] == {"ok": False, "missing": ["DIV2K_train"], "without": []}
    assert "Manga109" in m["bicubic"]["lite"]["without"]
    text = doctor.format_text(d)
    assert "--verify" in text  # says that hashes were not checked
    assert any("DIV2K_train" in line and "3.5 GB" in line and "DIV2K_train_HR.zip" in line
               for line in text.splitlines())


def test_empty_folder_has_nothing_and_only_tables_that_read_nothing_run(tmp_path):
    d = doctor.diagnose(tmp_path)
    assert {i["status"] for i in d["items"]} == {"missing"}
    needless = {"complexity", "pcarn_t5", "pcarn_f7", "pcarn_f10", "pcarn_f13", "overnet_f4"}  # counts, draws, timing, "not available" rows, committed CSVs
    assert {t for t in doctor.NEEDS if not any(doctor.NEEDS[t].values())} == needless
    for tid, by_profile in d["tables"].items():
        for prof, cell in by_profile.items():
            assert cell["ok"] == (tid in needless), (tid, prof, cell)
    assert "Set5" in d["tables"]["bicubic"]["smoke"]["missing"]


def test_wrong_size_and_wrong_checksum_are_reported(data_root, tmp_path):
    shutil.copytree(data_root / "benchmarks" / "Set5", tmp_path / "benchmarks" / "Set5")
    (tmp_path / "benchmarks" / "Set5" / "bird.png").write_bytes(b"not the bird")
    (tmp_path / "weights" / "official").mkdir(parents=True)
    (tmp_path / "weights" / "official" / "carn_m.pth").write_bytes(b"0" * 10)
    d = doctor.diagnose(tmp_path)
    items = _items(d)
    assert items["Set5"]["status"] == "size wrong" and "bird.png" in items["Set5"]["problems"][0]
    assert items["carn_m.pth"]["status"] == "size wrong"
    assert "Set5 (size wrong)" in d["tables"]["bicubic"]["smoke"]["missing"]
    assert "carn_m.pth (size wrong)" in d["tables"]["official_weights"]["smoke"]["missing"]

    # Same size, other bytes: only --verify sees it.
    baby = tmp_path / "benchmarks" / "Set5" / "baby.png"
    shutil.copy(data_root / "benchmarks" / "Set5" / "bird.png", tmp_path / "benchmarks" / "Set5" / "bird.png")
    raw = bytearray(baby.read_bytes())
    raw[len(raw) // 2] ^= 0xFF  # inside the compressed pixels
    baby.write_bytes(bytes(raw))
    assert _items(doctor.diagnose(tmp_path))["Set5"]["status"] == "present"
    verified = _items(doctor.diagnose(tmp_path, verify=True))["Set5"]
    assert verified["status"] == "checksum wrong" and "baby.png" in verified["problems"][0]


def test_cli_doctor_json_and_missing_root(tmp_path):
    run = lambda *a: subprocess.run([sys.executable, "-m", "srrepro", "doctor", *a], capture_output=True,
                                    text=True, env=dict(os.environ))
    r = run("--data", str(tmp_path), "--json")
    assert r.returncode == 1, r.stderr  # an empty root: tables cannot run at smoke and lite
    report = json.loads(r.stdout)
    assert report["tables"]["complexity"]["lite"]["ok"] and "bicubic cannot run at smoke (missing Set5)" in report["problems"]
    assert r.stderr.startswith("srrepro: doctor: ") and r.stderr.count("\n") == 1
    r = run("--data", str(tmp_path / "absent"))
    assert r.returncode == 2 and r.stderr.startswith("srrepro: error: data root") and r.stderr.count("\n") == 1
