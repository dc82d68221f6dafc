"""What a cell's options name in the notebook, resolved and checked before anything is
sent: the tools, the schema, the images, the compared models, the `-o` and `--to-cell`
values; and the code block `--to-cell` puts below."""

from __future__ import annotations

import argparse
import re
from typing import Any

from IPython.core.error import UsageError

from .codeblocks import fenced_blocks, select_code

_SCHEMA_NAME = re.compile(r"^(?:(list)\[)?([A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*)(?(1)\])$")


def check_values(args: argparse.Namespace) -> None:
    """`-o` names a variable; `--to-cell` a block number or `all`."""
    out = args.out
    if out is not None and not out.isidentifier():
        raise UsageError(f"-o expects a Python variable name, got {out!r}")
    to_cell = args.to_cell
    if to_cell is not None and not (to_cell in ("python", "all") or to_cell.isdigit()):
        raise UsageError(f"--to-cell takes a block number or 'all', got {to_cell!r}")


def compared_models(args: argparse.Namespace) -> list[str]:
    """The models of `--compare`, or [] (the rule table has checked what goes with it)."""
    if args.compare is None:
        return []
    from ..chat.compare import parse_models

    try:
        models = parse_models(args.compare)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    if args.keep is not None and args.keep not in models:
        raise UsageError(f"--keep {args.keep}: it is not among --compare {', '.join(models)}")
    return models


def offered_tools(
    args: argparse.Namespace, namespace: dict[str, Any], session: Any
) -> tuple[list[Any], list[str]]:
    """The tools a cell offers (notebook functions, then MCP servers' tools), and a line
    for each MCP server that could not start."""
    if args.tools is None and args.mcp is None:
        return [], []
    from ..chat import tools

    offered = tools.resolve(args.tools, namespace) if args.tools is not None else []
    problems: list[str] = []
    if args.mcp is not None:
        served, problems = session.mcp.tools_for(args.mcp)
        taken = {t.name for t in offered}
        for tool in served:
            if tool.name in taken:
                raise UsageError(
                    f"--tools and --mcp both offer {tool.name!r}: rename the notebook function"
                )
        offered += served
        if not offered:
            raise UsageError("; ".join(problems) or "--mcp: the servers offer no tools")
    tools.check_choice(args.tool_choice, offered)
    return offered, problems


def mcp_resources(args: argparse.Namespace, session: Any) -> tuple[str, list[Any]]:
    """`--mcp-resource URI`s read from the `--mcp` servers: text blocks for the prompt, and
    the images among them."""
    if not args.mcp_resource:
        return "", []
    import base64

    from ..chat.context.attached import fence
    from ..chat.images import from_bytes

    servers = [n.strip() for n in args.mcp.split(",") if n.strip()]
    blocks, pictures = [], []
    for uri in args.mcp_resource:
        text, images = session.mcp.read_resource(uri, servers)
        blocks.append(f"MCP resource {uri}:\n{fence(text)}")
        for url in images:
            pictures.append(from_bytes(uri, base64.b64decode(url.partition(",")[2])))
    return "\n\n".join(blocks), pictures


def output_schema(args: argparse.Namespace, namespace: dict[str, Any]) -> Any:
    """`--schema NAME` (or `list[NAME]`) resolved in the namespace."""
    if args.schema is None:
        return None
    match = _SCHEMA_NAME.match(args.schema.strip())
    if match is None:
        raise UsageError(f"--schema expects a name (or list[NAME]), got {args.schema!r}")
    listed, dotted = match.group(1), match.group(2)
    root, *attributes = dotted.split(".")
    if root not in namespace:
        raise UsageError(
            f"--schema: there is no {root!r} in the notebook; define a dataclass, "
            "TypedDict, Enum, pydantic model or JSON Schema dict with that name"
        )
    target = namespace[root]
    for attribute in attributes:
        if attribute.startswith("_") or not hasattr(target, attribute):
            raise UsageError(f"--schema: {dotted!r} does not name anything")
        target = getattr(target, attribute)
    from ..api.schema import OutputSchema

    return OutputSchema.of(list[target] if listed else target, name=args.schema)


def images(args: argparse.Namespace, namespace: dict[str, Any]) -> list[Any]:
    """The cell's `--image` sources, loaded (a bad one stops the cell: nothing sent)."""
    if not args.image:
        return []
    from ..chat.images import load_all

    return load_all(args.image, namespace)


def code_to_next_cell(shell: Any, answer: str, which: str) -> None:
    """`--to-cell`: the answer's code block(s) into a new cell below, not run."""
    picked = select_code(fenced_blocks(answer), which)
    if picked is None:
        wanted = "all" if which == "all" else f"block {which}" if which.isdigit() else ""
        print(f"The answer has no {wanted or 'Python'} code block; nothing was inserted.")
        return
    code, description = picked
    shell.set_next_input(code.rstrip("\n"), replace=False)
    print(
        f"Put {description} into a new cell below (not run). "
        "Runners without a notebook frontend (nbclient, nbval, nbconvert) ignore this."
    )
