"""Command line for offline use: serve the simulator, optionally with scripted replies.

`--script` takes a JSON list of `Reply` keyword dicts, so replies can be scripted without
writing Python (a `fault` is a dict of `Fault` keywords). `--profile` serves as another
OpenAI-compatible server would (OpenAI, LiteLLM, vLLM, Ollama); `--no-key` accepts requests
without a key, like a local server (the `ollama` profile starts that way).
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
import threading
from typing import Any

from .profiles import KEYLESS_BY_DEFAULT, NAMES
from .replies import Reply
from .server import DEFAULT_KEY, Simulator

DEFAULT_PORT = 8765


def load_script(path: str) -> list[Reply]:
    """Read a JSON list of Reply keyword dicts."""
    with open(path, encoding="utf-8") as handle:
        items = json.load(handle)
    if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
        raise ValueError("the script must be a JSON list of objects")
    return [Reply(**item) for item in items]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m aiml_magics.simulator",
        description="Serve a local simulator of the AI/ML API (OpenAI-compatible), or of "
        "another OpenAI-compatible server with --profile.",
    )
    parser.add_argument("--port", type=int, default=DEFAULT_PORT, help="0 picks a free port")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--key", default=DEFAULT_KEY, help="API key clients must send")
    parser.add_argument(
        "--profile",
        choices=NAMES,
        default="aiml",
        help="which server to behave like: model list shape and auth, error bodies, stream "
        "details (default: aiml, the AI/ML API)",
    )
    parser.add_argument(
        "--no-key",
        action="store_true",
        help="accept requests without a key, like a local server (default for ollama)",
    )
    parser.add_argument("--script", metavar="FILE.json", help="JSON list of Reply keyword dicts")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        replies = load_script(args.script) if args.script else []
    except (OSError, ValueError, TypeError) as exc:
        print(f"cannot load {args.script}: {exc}", file=sys.stderr)
        return 2
    keyless = args.no_key or args.profile in KEYLESS_BY_DEFAULT
    simulator = Simulator(
        api_key=args.key, host=args.host, port=args.port, profile=args.profile, keyless=keyless
    )
    try:
        simulator.start()
    except OSError as exc:
        print(f"cannot listen on {args.host}:{args.port}: {exc}", file=sys.stderr)
        return 1
    simulator.script(*replies)
    signal.signal(signal.SIGTERM, _interrupt)
    who = "AI/ML API" if args.profile == "aiml" else f"OpenAI-compatible ({args.profile})"
    key = "no key needed" if keyless else f"API key: {args.key}"
    print(f"{who} simulator at {simulator.base_url} ({key}); Ctrl-C to stop", flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        simulator.stop()
    return 0


def _interrupt(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt
