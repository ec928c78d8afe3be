"""setup.sh picks the torch build for the machine (issue 31): the CPU build without an NVIDIA
GPU, the CUDA build with one, the default wheel on macOS. Runs the real script in its
plan-only mode with stand-ins for nvidia-smi and uname on PATH (the machine's own tools are
what the script asks; a test machine has no GPU to switch on and off)."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _plan(tmp_path: Path, tools: dict[str, str], **env) -> subprocess.CompletedProcess:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    for name, body in tools.items():
        tool = bin_dir / name
        tool.write_text(f"#!/bin/sh\n{body}\n")
        tool.chmod(0o755)
    full_env = {k: v for k, v in os.environ.items() if k != "PHOTOAPP_TORCH"}  # the caller's choice only
    full_env |= {"PATH": f"{bin_dir}:{os.environ['PATH']}", "SETUP_PLAN_ONLY": "1", **env}
    return subprocess.run([str(ROOT / "setup.sh")], env=full_env, capture_output=True, text=True, timeout=30)


def test_no_nvidia_smi_takes_the_cpu_build(tmp_path):
    if shutil.which("nvidia-smi"):
        pytest.skip("this machine has nvidia-smi; the failing stand-in below covers the CPU path")
    run = _plan(tmp_path, {})
    assert run.returncode == 0, run.stderr
    assert run.stdout.startswith("cpu: ") and "no NVIDIA GPU" in run.stdout


def test_failing_nvidia_smi_takes_the_cpu_build(tmp_path):
    # A driver-less machine with the tool installed: nvidia-smi exits with an error.
    run = _plan(tmp_path, {"nvidia-smi": "echo 'NVIDIA-SMI has failed' >&2; exit 9"})
    assert run.returncode == 0, run.stderr
    assert run.stdout.startswith("cpu: ") and "no working NVIDIA GPU" in run.stdout


def test_a_listed_gpu_takes_the_cuda_build_and_names_it(tmp_path):
    run = _plan(tmp_path, {"nvidia-smi": "echo 'GPU 0: NVIDIA H200 (UUID: GPU-1234)'"})
    assert run.returncode == 0, run.stderr
    assert run.stdout.startswith("cuda: ") and "NVIDIA H200" in run.stdout


def test_macos_takes_the_default_wheel(tmp_path):
    run = _plan(tmp_path, {"uname": "echo Darwin", "nvidia-smi": "exit 9"})
    assert run.returncode == 0, run.stderr
    assert run.stdout.startswith("default: ") and "macOS" in run.stdout


def test_the_choice_can_be_forced_and_a_wrong_one_is_refused(tmp_path):
    gpu = {"nvidia-smi": "echo 'GPU 0: NVIDIA H200'"}
    assert _plan(tmp_path, gpu, PHOTOAPP_TORCH="cpu").stdout.startswith("cpu: ")
    wrong = _plan(tmp_path, gpu, PHOTOAPP_TORCH="rocm")
    assert wrong.returncode == 2 and "cpu, cuda or default" in wrong.stderr


def test_ci_runs_setup_sh():
    # CI has no NVIDIA GPU: it takes the CPU path because it runs this very script.
    assert "./setup.sh" in (ROOT / ".ci" / "run").read_text()
