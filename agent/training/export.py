"""Write a PEFT LoRA adapter as a llama.cpp LoRA adapter (GGUF), as llama.cpp's ``convert_lora_to_gguf.py``
does: ``general.type = adapter``, ``adapter.type = lora``, ``adapter.lora.alpha``, and for each adapted
projection ``blk.N.<tensor>.weight.lora_a`` (``r x in``) and ``.lora_b`` (``out x r``). llama.cpp scales the
product by ``alpha / r``, as PEFT does, and refuses an adapter whose architecture differs from the model's.

Needs the ``gguf`` package (the ``train`` extra) and numpy; no torch.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path

import numpy as np

from graphs.planning.trained import record_digest

PROJECTIONS = {
    "self_attn.q_proj": "attn_q",
    "self_attn.k_proj": "attn_k",
    "self_attn.v_proj": "attn_v",
    "self_attn.o_proj": "attn_output",
    "mlp.gate_proj": "ffn_gate",
    "mlp.up_proj": "ffn_up",
    "mlp.down_proj": "ffn_down",
}
"""Hugging Face module names of Gemma 3's projections -> llama.cpp tensor names."""

_PEFT_NAME = re.compile(
    r"layers\.(?P<block>\d+)\.(?P<module>[a-z_]+\.[a-z_]+)\.lora_(?P<part>[AB])(?:\.default)?\.weight$"
)


def gguf_tensor_name(peft_name: str) -> str:
    """``base_model.model.model.layers.3.self_attn.q_proj.lora_A.weight`` -> ``blk.3.attn_q.weight.lora_a``."""
    match = _PEFT_NAME.search(peft_name)
    if match is None or match["module"] not in PROJECTIONS:
        raise ValueError(f"not a LoRA weight of a known projection: {peft_name}")
    return f"blk.{match['block']}.{PROJECTIONS[match['module']]}.weight.lora_{match['part'].lower()}"


def write_lora_gguf(
    weights: Mapping[str, np.ndarray],
    path: Path,
    *,
    alpha: float,
    architecture: str = "gemma3",
    name: str = "agent planner LoRA",
    dtype: type = np.float16,
) -> int:
    """Write ``weights`` (PEFT names -> arrays) to ``path``; the number of tensors written."""
    import gguf

    tensors = {gguf_tensor_name(key): value for key, value in weights.items()}
    missing = [key for key in tensors if key.endswith("lora_a") and key[:-1] + "b" not in tensors]
    if missing:
        raise ValueError(f"lora_a without lora_b: {missing[0]}")
    path.parent.mkdir(parents=True, exist_ok=True)
    writer = gguf.GGUFWriter(str(path), architecture)
    writer.add_type(gguf.GGUFType.ADAPTER)
    writer.add_string(gguf.Keys.Adapter.TYPE, "lora")
    writer.add_float32(gguf.Keys.Adapter.LORA_ALPHA, float(alpha))
    writer.add_name(name)
    for key in sorted(tensors, key=_natural):
        writer.add_tensor(key, np.ascontiguousarray(tensors[key], dtype=dtype))
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    record_digest(path)
    return len(tensors)


def _natural(key: str) -> tuple[int, str]:
    block = re.search(r"blk\.(\d+)\.", key)
    return (int(block.group(1)) if block else -1, key)
