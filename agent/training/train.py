"""LoRA fine-tune of the packaged GGUF on the built examples, exported as a llama.cpp adapter.

Needs the ``train`` extra (torch, transformers, peft, gguf, accelerate). Choices, and why:

- transformers loads the packaged Q4_K_M GGUF de-quantized (``gguf_file=``); the result is cached as
  safetensors under ``~/.cache/agent-training`` (the GGUF load takes ~100 s on two busy cores);
- tokens come from llama.cpp's own tokenizer (a vocabulary-only ``Llama``), so training sees exactly the ids
  that inference will, and prompt and target are tokenized apart, as generation after ``Call:`` sees them;
- the loss is on the target tokens only, and the 262k-vocabulary head is applied to those positions only
  (a full-sequence head dominated a step's time);
- LoRA r=16 on every projection; bf16 autocast on CPUs with AMX, else fp32 (measured: ``cpu_has_amx``);
- training runs for a time budget (``minutes``) or ``max_steps``; the learning rate decays linearly over the
  budget. With ``max_steps`` the run is reproducible for a seed; a time budget stops wherever the machine got.
"""

from __future__ import annotations

import json
import logging
import math
import random
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import torch

from agent.training.build import read_jsonl
from agent.training.examples import Example
from agent.training.export import write_lora_gguf

logger = logging.getLogger(__name__)

CACHE = Path.home() / ".cache" / "agent-training"
TARGET_MODULES = ("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj")


@dataclass(frozen=True)
class TrainConfig:
    """One training run's settings (written beside the adapter)."""

    minutes: float = 30.0
    seed: int = 0
    threads: int = 2
    max_steps: int = 0
    rank: int = 16
    alpha: int = 32
    learning_rate: float = 5e-4
    warmup_steps: int = 20
    batch_size: int = 8
    max_tokens: int = 128
    precision: str = "auto"
    """``auto`` (bf16 autocast on CPUs with AMX, else fp32: ``cpu_has_amx``), ``bf16`` or ``fp32``."""


def cpu_has_amx() -> bool:
    """Whether this CPU has AMX bf16 tiles (``amx_bf16`` in ``/proc/cpuinfo``).

    Measured here (2026-11-26, idle 2-core Xeon with AVX512-BF16 but no AMX, batches of 8 examples): fp32
    with 2 threads 190-196 tokens/s, bf16 autocast with 2 threads 117-127, fp32 with 1 thread 120. The issue's
    probe ran bf16 at ~200 tokens/s on one thread of an AMX CPU. So bf16 autocast only where AMX is.
    """
    try:
        flags = Path("/proc/cpuinfo").read_text(encoding="utf-8")
    except OSError:
        return False
    return "amx_bf16" in flags


def load_base_model() -> Any:
    """The packaged model de-quantized (float32), from the safetensors cache when present."""
    from transformers import AutoModelForCausalLM

    from agent.models.local.chat_model import packaged_model_path

    gguf_path = packaged_model_path()
    cached = CACHE / f"{gguf_path.stem}-{gguf_path.stat().st_size}"
    if (cached / "config.json").is_file():
        return AutoModelForCausalLM.from_pretrained(cached, dtype=torch.float32)
    model = AutoModelForCausalLM.from_pretrained(
        gguf_path.parent, gguf_file=gguf_path.name, dtype=torch.float32
    )
    # A GGUF-loaded model carries its quantizer; saving it as plain weights needs both dropped.
    model.hf_quantizer = None  # type: ignore[assignment]
    if hasattr(model.config, "quantization_config"):
        del model.config.quantization_config
    model.save_pretrained(cached)
    return model


class Tokens:
    """llama.cpp's tokenizer for the packaged GGUF (vocabulary only: no weights loaded)."""

    def __init__(self) -> None:
        import llama_cpp

        from agent.models.local.chat_model import packaged_model_path

        self.llm = llama_cpp.Llama(model_path=str(packaged_model_path()), vocab_only=True, verbose=False)

    def encode(self, text: str, *, bos: bool) -> list[int]:
        return list(self.llm.tokenize(text.encode("utf-8"), add_bos=bos, special=False))


@dataclass(frozen=True)
class Encoded:
    """An example as token ids: ``prompt + target``, and where the target starts."""

    ids: tuple[int, ...]
    target_start: int


def encode(examples: list[Example], tokens: Tokens, max_tokens: int) -> list[Encoded]:
    """Token ids of each example; an example longer than ``max_tokens`` keeps its end (the target)."""
    encoded = []
    for example in examples:
        prompt = tokens.encode(example.prompt, bos=True)
        target = tokens.encode(example.target, bos=False)
        ids = prompt + target
        start = len(prompt)
        if len(ids) > max_tokens:
            cut = len(ids) - max_tokens
            ids, start = ids[:1] + ids[cut + 1 :], start - cut
        if start >= 1:
            encoded.append(Encoded(tuple(ids), start))
    return encoded


def batch_tensors(
    batch: list[Encoded], pad: int
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
    """Right-padded ids and mask, and the (row, position) pairs that predict target tokens, with the tokens."""
    width = max(len(item.ids) for item in batch)
    ids = torch.full((len(batch), width), pad, dtype=torch.long)
    mask = torch.zeros((len(batch), width), dtype=torch.long)
    rows, positions, labels = [], [], []
    for row, item in enumerate(batch):
        ids[row, : len(item.ids)] = torch.tensor(item.ids)
        mask[row, : len(item.ids)] = 1
        for position in range(item.target_start, len(item.ids)):
            rows.append(row)
            positions.append(position - 1)  # the hidden state before a token predicts it
            labels.append(item.ids[position])
    where = torch.tensor([rows, positions], dtype=torch.long)
    return ids, mask, where, torch.tensor(labels, dtype=torch.long)


def batches(examples: list[Encoded], size: int, rng: random.Random) -> Iterator[list[Encoded]]:
    """Endless batches: each pass shuffled, then sorted by length within windows of 32 batches so that a batch
    holds examples of similar length (less padding), the batch order shuffled again."""
    window = size * 32
    while True:
        order = list(examples)
        rng.shuffle(order)
        chunk: list[list[Encoded]] = []
        for start in range(0, len(order), window):
            ranked = sorted(order[start : start + window], key=lambda item: len(item.ids))
            chunk += [
                ranked[i : i + size] for i in range(0, len(ranked), size) if len(ranked[i : i + size]) == size
            ]
        rng.shuffle(chunk)
        yield from chunk


def target_loss(
    model: Any, ids: torch.Tensor, mask: torch.Tensor, where: torch.Tensor, labels: torch.Tensor
) -> torch.Tensor:
    """Cross-entropy on the target tokens, the vocabulary head applied to those positions only."""
    causal = model.get_base_model()
    hidden = causal.model(input_ids=ids, attention_mask=mask).last_hidden_state
    picked = hidden[where[0], where[1]]
    logits = causal.lm_head(picked).float()
    cap = getattr(causal.config, "final_logit_softcapping", None)
    if cap:
        logits = torch.tanh(logits / cap) * cap
    return torch.nn.functional.cross_entropy(logits, labels)


def lora_weights(model: Any) -> dict[str, Any]:
    """The trained LoRA matrices as float32 numpy arrays, by PEFT name."""
    from peft import get_peft_model_state_dict

    return {
        name: tensor.detach().float().cpu().numpy()
        for name, tensor in get_peft_model_state_dict(model).items()
    }


def train(data: Path, out: Path, config: TrainConfig) -> dict[str, Any]:
    """Fine-tune on ``data/train.jsonl`` and write the adapter GGUF to ``out`` (and ``out`` + ``.json``: the
    settings and the training log)."""
    from peft import LoraConfig, get_peft_model

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    torch.manual_seed(config.seed)
    torch.set_num_threads(config.threads)
    rng = random.Random(config.seed)  # noqa: S311 - reproducible batches, not secrets
    use_bf16 = config.precision == "bf16" or (config.precision == "auto" and cpu_has_amx())

    started = time.monotonic()
    tokens = Tokens()
    examples = encode(read_jsonl(data / "train.jsonl"), tokens, config.max_tokens)
    model = load_base_model()
    load_s = time.monotonic() - started
    logger.info(
        "loaded %d examples and the model in %.0f s (bf16 autocast: %s)", len(examples), load_s, use_bf16
    )
    lora = LoraConfig(
        r=config.rank,
        lora_alpha=config.alpha,
        lora_dropout=0.0,
        target_modules=list(TARGET_MODULES),
        bias="none",
    )
    model = get_peft_model(model, lora)
    model.train()
    trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
    optimizer = torch.optim.AdamW(
        [p for p in model.parameters() if p.requires_grad], lr=config.learning_rate, weight_decay=0.0
    )
    pad = int(tokens.llm.token_eos())

    budget_s = config.minutes * 60
    stream = batches(examples, config.batch_size, rng)
    log: list[dict[str, float]] = []
    step, seen_tokens, seen_targets, window_loss, window_n = 0, 0, 0, 0.0, 0
    begun = time.monotonic()
    while True:
        elapsed = time.monotonic() - begun
        if (config.max_steps and step >= config.max_steps) or (not config.max_steps and elapsed >= budget_s):
            break
        batch = next(stream)
        progress = step / config.max_steps if config.max_steps else elapsed / budget_s
        scale = min(1.0, (step + 1) / config.warmup_steps) * max(0.05, 1.0 - progress)
        for group in optimizer.param_groups:
            group["lr"] = config.learning_rate * scale
        ids, mask, where, labels = batch_tensors(batch, pad)
        with torch.autocast("cpu", dtype=torch.bfloat16, enabled=use_bf16):
            loss = target_loss(model, ids, mask, where, labels)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        optimizer.zero_grad(set_to_none=True)
        step += 1
        seen_tokens += int(mask.sum())
        seen_targets += len(labels)
        window_loss += float(loss.detach())
        window_n += 1
        if step % 10 == 0:
            now = time.monotonic() - begun
            entry = {
                "step": step,
                "loss": round(window_loss / window_n, 4),
                "seconds": round(now, 1),
                "tokens_per_s": round(seen_tokens / now, 1),
                "target_tokens_per_s": round(seen_targets / now, 1),
                "lr": round(config.learning_rate * scale, 7),
            }
            log.append(entry)
            logger.info("%s", entry)
            window_loss, window_n = 0.0, 0
            if not math.isfinite(entry["loss"]):
                raise RuntimeError("the loss diverged")

    train_s = time.monotonic() - begun
    tensors = write_lora_gguf(lora_weights(model), out, alpha=config.alpha)
    summary = {
        "config": asdict(config),
        "bf16_autocast": use_bf16,
        "examples": len(examples),
        "trainable_parameters": trainable,
        "steps": step,
        "examples_seen": step * config.batch_size,
        "tokens_seen": seen_tokens,
        "load_seconds": round(load_s, 1),
        "train_seconds": round(train_s, 1),
        "tokens_per_s": round(seen_tokens / max(train_s, 1e-9), 1),
        "adapter": str(out),
        "adapter_bytes": out.stat().st_size,
        "adapter_tensors": tensors,
        "log": log,
    }
    from agent.training.evaluate import adapter_check

    check = adapter_check(out, read_jsonl(data / "train.jsonl")[:5], threads=config.threads)
    summary["check_on_trained_examples"] = check
    logger.info(
        "llama.cpp with the adapter reproduces %d of 5 training targets",
        sum(r["adapter"] == r["target"] for r in check),
    )
    out.with_suffix(out.suffix + ".json").write_text(json.dumps(summary, indent=1) + "\n", encoding="utf-8")
    logger.info(
        "wrote %s (%d tensors, %d bytes) after %d steps in %.0f s",
        out,
        tensors,
        summary["adapter_bytes"],
        step,
        train_s,
    )
    return summary
