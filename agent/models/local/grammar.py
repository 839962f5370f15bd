"""JSON schemas as llama.cpp GBNF grammars, and checking decoded documents against them."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from langchain_core.utils.function_calling import convert_to_openai_tool
from pydantic import BaseModel

if TYPE_CHECKING:
    pass


MAX_ENUM_RANGE = 2048
"""Integer ranges up to this size become enums in grammars (the converter ignores minimum/maximum)."""


def _with_integer_ranges_as_enums(schema: Any) -> Any:
    """``{"type": "integer", "minimum": 1, "maximum": 7}`` -> ``{"enum": [1, ..., 7]}``, recursively.

    llama-cpp-python's JSON-schema converter ignores numeric bounds; small ranges written as enums are
    enforced by the grammar itself.
    """
    if isinstance(schema, list):
        return [_with_integer_ranges_as_enums(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    result = {key: _with_integer_ranges_as_enums(value) for key, value in schema.items()}
    if result.get("type") == "integer":
        low = result.get("minimum", result["exclusiveMinimum"] + 1 if "exclusiveMinimum" in result else None)
        high = result.get("maximum", result["exclusiveMaximum"] - 1 if "exclusiveMaximum" in result else None)
        if isinstance(low, int) and isinstance(high, int) and 0 <= high - low < MAX_ENUM_RANGE:
            return {"enum": list(range(low, high + 1))}
    return result


MAX_STRING_CHARS = 200
"""Longest string a grammar lets the model write in arguments and structured output."""


def json_schema_gbnf(schema: dict[str, Any]) -> str:
    """A GBNF grammar for the JSON documents of ``schema`` (llama.cpp's converter; small integer ranges
    enforced as enums). The converter does not know every keyword (string lengths, large numeric
    ranges, formats), so decoded documents are also checked with :func:`matches_schema`."""
    from llama_cpp.llama_grammar import json_schema_to_gbnf

    grammar = json_schema_to_gbnf(json.dumps(_with_integer_ranges_as_enums(schema)))
    # Strings of 1 to MAX_STRING_CHARS characters: still valid for the schema, and a small model can
    # neither give up with "" nor ramble past its token budget without closing the document.
    return grammar.replace(
        'string ::= "\\"" char* "\\"" space', f'string ::= "\\"" char{{1,{MAX_STRING_CHARS}}} "\\"" space'
    )


def matches_schema(document: Any, schema: dict[str, Any]) -> bool:
    """Whether ``document`` is valid for ``schema`` (all keywords, through ``jsonschema``)."""
    try:
        import jsonschema  # comes with chromadb
    except ImportError:  # pragma: no cover - without it the grammar's guarantee is all we have
        return True
    validator = jsonschema.validators.validator_for(schema)(schema)
    return validator.is_valid(document)


def tool_parameters(tool: dict[str, Any]) -> dict[str, Any]:
    """The JSON schema of an OpenAI-format tool's arguments."""
    parameters = tool.get("function", {}).get("parameters") or {"type": "object", "properties": {}}
    return dict(parameters)


def schema_dict(schema: Any) -> dict[str, Any]:
    """The JSON schema of a pydantic model, TypedDict, OpenAI tool/function or JSON-schema dict."""
    if isinstance(schema, type) and issubclass(schema, BaseModel):
        return schema.model_json_schema()
    if isinstance(schema, dict) and "properties" in schema and "function" not in schema:
        return dict(schema)
    return tool_parameters(convert_to_openai_tool(schema))


def describe_fields(schema: dict[str, Any]) -> str:
    """``name (type): description; ...`` for the top-level properties of a JSON schema."""
    parts = []
    for name, spec in schema.get("properties", {}).items():
        kind = "one of " + "/".join(map(str, spec["enum"])) if "enum" in spec else spec.get("type", "value")
        description = f": {spec['description']}" if spec.get("description") else ""
        parts.append(f"{name} ({kind}){description}")
    return "; ".join(parts) or "none"
