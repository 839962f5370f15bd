"""The embedded model: Gemma 3 270M (GGUF, packaged) on llama-cpp-python."""
