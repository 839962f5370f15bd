"""A native crash (segfault, abort) in one test is that test's failure; the rest of the run still reports.

`make test` runs pytest with pytest-xdist (``-n 1``): tests run in a worker process that xdist replaces when
it dies, and the dead worker's test is reported as failed. These tests run that set-up on a throwaway test
file, and check that the installed llama.cpp is one that does not crash here in the first place.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from agent.models.llama_build import has_amx_kernels, system_info

CRASHING_TESTS = textwrap.dedent(
    """
    import ctypes
    import os


    def test_before():
        assert 1 + 1 == 2


    def test_segfault():
        ctypes.string_at(0)  # reads address 0: SIGSEGV


    def test_abort():
        os.abort()


    def test_after():
        assert "still running"
    """
)


def test_a_segfault_in_one_test_fails_that_test_and_the_rest_still_run(tmp_path: Path) -> None:
    (tmp_path / "test_crashing.py").write_text(CRASHING_TESTS)
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-n", "1", "--max-worker-restart", "5", "-p", "no:cacheprovider"],
        cwd=tmp_path,
        env={k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "COV_"))},
        capture_output=True,
        text=True,
        timeout=180,
    )
    output = run.stdout + run.stderr
    assert run.returncode == 1, output
    summary = run.stdout.strip().splitlines()[-1]
    assert "2 failed, 2 passed" in summary, output  # pytest's own summary line closes the run
    assert "test_crashing.py::test_segfault" in output and "test_crashing.py::test_abort" in output


def test_the_installed_llama_cpp_has_no_amx_kernels() -> None:
    """The Makefile builds llama.cpp without AMX (it crashes: ggml-org/llama.cpp#20824)."""
    assert not has_amx_kernels(), (
        "llama-cpp-python was built with llama.cpp's AMX kernels; rebuild it: make clean dev\n"
        + system_info()
    )
    assert "CPU :" in system_info()  # the check reads llama.cpp's real feature list


@pytest.mark.slow
def test_a_model_loads_and_generates_without_extra_buffer_types() -> None:
    """The fallback used where a llama.cpp with AMX kernels is installed anyway."""
    import llama_cpp

    from agent.models.llama_build import without_extra_buffer_types
    from agent.models.local.chat_model import packaged_model_path

    with without_extra_buffer_types():
        llm = llama_cpp.Llama(model_path=str(packaged_model_path()), n_ctx=256, verbose=False)
    try:
        assert llm.model_params.use_extra_bufts is False
        assert llama_cpp.llama_model_default_params().use_extra_bufts is True  # restored after the load
        out = llm.create_completion("User: Hi\nAssistant:", max_tokens=8, temperature=0.0)
        assert out["usage"]["completion_tokens"] >= 1  # type: ignore[index]
    finally:
        llm.close()


SAPPHIRE_RAPIDS_FLAGS = (
    "fpu sse4_2 avx avx2 fma f16c bmi2 avx_vnni avx512f avx512vbmi avx512_vnni avx512_bf16 "
    "amx_tile amx_int8 amx_bf16"
)


@pytest.mark.parametrize(
    ("cpu_flags", "expected_on", "expected_off"),
    [
        (SAPPHIRE_RAPIDS_FLAGS, ["AVX2", "AVX512", "AVX512_VNNI", "AVX512_BF16", "AVX_VNNI"], []),
        ("fpu sse4_2 avx avx2 fma f16c bmi2 avx512f avx512_vnni", ["AVX2", "AVX512"], ["AVX512_BF16"]),
        ("fpu sse4_2 avx avx2 fma f16c bmi2", ["AVX2", "FMA"], ["AVX512", "AVX_VNNI"]),
    ],
    ids=["intel-amx", "amd-epyc-avx512", "avx2-only"],
)
def test_the_makefile_builds_llama_cpp_for_the_cpus_instruction_sets_without_amx(
    cpu_flags: str, expected_on: list[str], expected_off: list[str]
) -> None:
    """`-march=native` on an AMX CPU compiles the crashing AMX kernels in; the listed build never does."""
    root = Path(__file__).resolve().parent.parent
    dry_run = subprocess.run(
        ["make", "-n", "-B", "install", f"CPU_FLAGS={cpu_flags}"],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=60,
    )
    line = next(line for line in dry_run.stdout.splitlines() if line.startswith("CMAKE_ARGS="))
    args = line.split('"')[1].split()
    assert "-DGGML_NATIVE=OFF" in args
    assert {"-DGGML_AMX_TILE=OFF", "-DGGML_AMX_INT8=OFF", "-DGGML_AMX_BF16=OFF"} <= set(args)
    assert all(f"-DGGML_{name}=ON" in args for name in expected_on)
    assert all(f"-DGGML_{name}=OFF" in args for name in expected_off)
