"""Notebook functions the model may call.

`@aiml_magics.tool` registers a function; `%%aiml --tools a,b` offers registered functions or
plain callables from the user namespace. The schema comes from the signature, the type hints
and the docstring's `Args:` section. Arguments the model sends are checked against the same
hints (and converted: Enums, dataclasses) before the function runs; every failure becomes the
tool's result for the model, never an exception in the cell. Pure: no IPython here.
"""

from ...api.schema.build import SchemaError, schema_for
from ...api.schema.coerce import ArgumentError, convert
from .calls import (
    ToolChatResult,
    ToolFailed,
    ToolOutput,
    ToolRun,
    add_images,
    assistant_message,
    call_line,
    combine,
    confirm_call,
    image_message,
    result_content,
    run_call,
    shorten,
)
from .define import (
    REGISTRY,
    Tool,
    check_choice,
    describe,
    parse_docstring,
    resolve,
    tool,
    tool_params,
)

__all__ = [
    "REGISTRY",
    "ArgumentError",
    "SchemaError",
    "Tool",
    "ToolChatResult",
    "ToolFailed",
    "ToolOutput",
    "ToolRun",
    "add_images",
    "assistant_message",
    "call_line",
    "check_choice",
    "combine",
    "confirm_call",
    "convert",
    "describe",
    "image_message",
    "parse_docstring",
    "resolve",
    "result_content",
    "run_call",
    "schema_for",
    "shorten",
    "tool",
    "tool_params",
]
