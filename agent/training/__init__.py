"""Training the embedded planner on its own tool calls (issue 12): data built by the project and filtered
by the real calculator (``build``), a LoRA fine-tune of the packaged GGUF exported as a llama.cpp adapter
(``train``, ``export``; needs the ``train`` extra), and a measure on held-out shapes (``evaluate``).

Nothing at runtime imports this package; ``python -m agent.training`` is its command line.
"""
