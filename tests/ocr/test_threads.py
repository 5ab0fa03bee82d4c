"""ONNX Runtime threads from the CPU the process really gets."""

from pathlib import Path

from cnid_ocr.ocr.threads import available_cpus, cgroup_quota


def test_lambda_memory_decides_on_lambda(tmp_path: Path):
    assert available_cpus({"AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "1769"}, tmp_path) == 1
    assert available_cpus({"AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "2048"}, tmp_path) == 1  # 1.16 vCPU
    assert available_cpus({"AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "3008"}, tmp_path) == 2
    assert available_cpus({"AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "10240"}, tmp_path) == 6
    assert available_cpus({"AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "512"}, tmp_path) == 1


def test_cgroup_quota_caps_the_affinity(tmp_path: Path):
    (tmp_path / "cpu.max").write_text("100000 100000\n")
    assert cgroup_quota(tmp_path) == 1.0
    assert available_cpus({}, tmp_path) == 1
    (tmp_path / "cpu.max").write_text("max 100000\n")
    assert cgroup_quota(tmp_path) is None


def test_cgroup_v1_quota(tmp_path: Path):
    (tmp_path / "cpu").mkdir()
    (tmp_path / "cpu" / "cpu.cfs_quota_us").write_text("50000")
    (tmp_path / "cpu" / "cpu.cfs_period_us").write_text("100000")
    assert cgroup_quota(tmp_path) == 0.5
    assert available_cpus({}, tmp_path) == 1  # never below one thread


def test_without_limits_the_affinity_counts(tmp_path: Path):
    import os

    assert available_cpus({}, tmp_path) == min(8, len(os.sched_getaffinity(0)))
