"""What the installed llama.cpp was compiled with, and loading a model safely whatever that was.

llama.cpp's AMX kernels (Intel Xeon 4th generation and later) segfault in the first ``llama_decode``: the
weights are repacked into an "AMX" buffer and the first matrix product crashes
(ggml-org/llama.cpp#20824, "segfault in ggml_backend_amx_mul_mat", closed as stale without a fix;
ggml-org/llama.cpp#26954: the worker threads never ask the kernel for AMX tile permission). They are
compiled in whenever llama-cpp-python is built with ``-march=native`` on such a CPU, its default. The
Makefile builds without them (see its ``LLAMA_CMAKE_ARGS``); a llama-cpp-python installed another way may
still have them, and then models are loaded without llama.cpp's extra buffer types, AMX included.
"""

from __future__ import annotations

import functools
import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager

logger = logging.getLogger(__name__)

_LOAD_LOCK = threading.RLock()  # a load inside a load (a bench forcing the fallback) must not deadlock


@functools.cache
def system_info() -> str:
    """llama.cpp's own summary of its compiled features (``... | AVX512 = 1 | AMX_INT8 = 1 | ...``)."""
    import llama_cpp

    return llama_cpp.llama_print_system_info().decode("utf-8", "replace")


def has_amx_kernels() -> bool:
    """Whether the installed llama.cpp has its AMX kernels compiled in (a compile-time fact)."""
    return "AMX_INT8 = 1" in system_info()


@contextmanager
def without_extra_buffer_types() -> Iterator[None]:
    """Models loaded inside this block do not use llama.cpp's extra buffer types (AMX, weight repacking).

    Hand-written because llama-cpp-python's ``Llama`` has no parameter for ``use_extra_bufts``: it fills its
    model parameters from the public ``llama_model_default_params()``, which we wrap for the load. Loads are
    serialised so no other load sees the change.
    """
    import llama_cpp.llama_cpp as bindings

    original = bindings.llama_model_default_params

    def defaults_without_extra_buffer_types() -> bindings.llama_model_params:
        params = original()
        params.use_extra_bufts = False
        return params

    with _LOAD_LOCK:
        bindings.llama_model_default_params = defaults_without_extra_buffer_types
        try:
            yield
        finally:
            bindings.llama_model_default_params = original


@contextmanager
def safe_model_load() -> Iterator[None]:
    """Load inside this block: without extra buffer types when the AMX kernels are compiled in."""
    if not has_amx_kernels():
        yield
        return
    logger.warning(
        "llama-cpp-python was built with llama.cpp's AMX kernels, which crash (ggml-org/llama.cpp#20824): "
        "loading the model without them, which is slower. `make clean install` rebuilds it without AMX."
    )
    with without_extra_buffer_types():
        yield
