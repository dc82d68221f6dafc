"""`%%aiml --make image|speech|video`: the cell's text made into a file instead of a chat
answer, on the same path as `aiml_magics.generate_image`, `speak` and `generate_video`
(replay, budget, the client's retries, the assets folder, usage).

The frontend shows what was made (images inline, a player for speech and video) and the
progress line of a video job; `_aiml` becomes the `Generation` (`_aiml.images`,
`_aiml.paths`), and `-o VAR` gets it too. A dry run shows the request and the estimate
from the catalogue's prices.
"""

from __future__ import annotations

import argparse
from typing import Any

from ..api.kinds import DEFAULT_MODELS
from ..api.media import IMAGES_PATH, TTS_PATH, VIDEO_PATH
from ..chat.assets import AssetStore, assets_folder
from ..chat.interpolate import interpolate
from ..chat.publish import publish
from . import frontend as frontends

# `--make KIND` -> the catalogue's kind of model, and the endpoint it posts to.
CATALOGUE_KIND = {"image": "image", "speech": "tts", "video": "video"}
ENDPOINTS = {"image": IMAGES_PATH, "speech": TTS_PATH, "video": VIDEO_PATH}


def model_for(kind: str, model: str | None) -> str:
    """The cell's `-m`, else the default model of the kind."""
    return model or DEFAULT_MODELS[CATALOGUE_KIND[kind]]


def request_fields(args: argparse.Namespace) -> dict[str, Any]:
    """The request fields of the cell (as the makers send them: `n` only when not 1)."""
    extra = dict(args.param)
    if args.make == "image":
        return {"size": args.size, "n": args.n if args.n != 1 else None, **extra}
    if args.make == "speech":
        return {"voice": args.voice, **extra}
    return extra


def make_cell(
    magics: Any, frontend: frontends.Frontend, args: argparse.Namespace, cell: str
) -> None:
    """Make the file (or show the dry run), show it, and publish the `Generation`."""
    namespace = magics.shell.user_ns
    session = magics.session
    prompt = cell.strip() if args.raw else interpolate(cell.strip(), namespace)
    kind, model = args.make, model_for(args.make, args.model)
    if args.dry_run:
        from ..chat.mediacost import plan

        fields = request_fields(args)
        frontend.media_dry_run(plan(session, kind, ENDPOINTS[kind], model, prompt, fields))
        return
    common: dict[str, Any] = {
        "model": model,
        "store": AssetStore(assets_folder(session)),
        "params": dict(args.param),
        "fresh": args.fresh,
        "notice": frontend.notice,
        "ask": input,  # the budget asks before a request that may overrun it
    }
    if kind == "image":
        from ..chat.generate import make_image

        made = make_image(
            session, prompt, size=args.size, n=1 if args.n is None else args.n, **common
        )
    elif kind == "speech":
        from ..chat.generate import make_speech

        made = make_speech(session, prompt, voice=args.voice, **common)
    else:
        from ..chat.jobs import make_video

        made = make_video(session, prompt, on_progress=frontend.job_progress("video"), **common)
    frontend.generation(made)
    publish(namespace, made, out_var=args.out)
