"""`aiml_magics.generate_image`, `speak`, `transcribe`, `generate_video` and `jobs`.

Python functions over `chat/generate.py` and `chat/jobs.py`; in a notebook the results are
shown (images inline, an audio or video player, a progress line while a video is made).
Files go to the assets folder beside the notebook (`aiml-assets/`, or `assets=`).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from ..api.kinds import DEFAULT_MODELS
from ..chat.assets import AssetStore, assets_folder
from ..chat.generate import Generation, make_image, make_speech
from ..chat.jobs import fetch_job, make_video, transcribe_audio
from ..chat.media_state import Job
from . import frontend as frontends
from .current import current_session, running_magics


def _store(session: Any, assets: str | Path | None) -> AssetStore:
    return AssetStore(assets_folder(session, assets))


def _frontend() -> Any:
    return frontends.for_functions(*running_magics())


def _notice(message: str) -> None:
    print(message, file=sys.stderr)


def _shown(generation: Generation, show: bool) -> Generation:
    frontend = _frontend() if show else None
    if frontend is not None:
        frontend.generation(generation)
    return generation


def generate_image(
    prompt: str,
    model: str | None = None,
    size: str | None = None,
    n: int = 1,
    *,
    params: dict[str, Any] | None = None,
    fresh: bool = False,
    assets: str | Path | None = None,
    show: bool = True,
) -> Generation:
    """Images for `prompt` (`POST /v1/images/generations`), saved and shown.

    `size` is `WxH`; `params` adds request fields (quality, response_format, ...). The
    result's `.images` are PIL images (with Pillow) or the saved assets (`.data`, `.path`).
    """
    session = current_session()
    generation = make_image(
        session,
        prompt,
        model=model or DEFAULT_MODELS["image"],
        store=_store(session, assets),
        size=size,
        n=n,
        params=params,
        fresh=fresh,
        notice=_notice,
    )
    return _shown(generation, show)


def speak(
    text: str,
    model: str | None = None,
    voice: str | None = None,
    *,
    params: dict[str, Any] | None = None,
    fresh: bool = False,
    assets: str | Path | None = None,
    show: bool = True,
) -> Generation:
    """Speech for `text` (`POST /v1/tts`), saved as an audio asset and shown as a player."""
    session = current_session()
    generation = make_speech(
        session,
        text,
        model=model or DEFAULT_MODELS["tts"],
        store=_store(session, assets),
        voice=voice,
        params=params,
        fresh=fresh,
        notice=_notice,
    )
    return _shown(generation, show)


def transcribe(
    path_or_url: str | Path,
    model: str | None = None,
    *,
    language: str | None = None,
    params: dict[str, Any] | None = None,
    fresh: bool = False,
    timeout: float | None = 600.0,
) -> str:
    """The text of an audio file or URL (`/v1/stt/create`, then polling `/v1/stt/{id}`).

    A local file is uploaded; a URL is passed to the service, which fetches it. With replay
    on, the transcript is recorded by the file's digest (or the URL).
    """
    return transcribe_audio(
        current_session(),
        path_or_url,
        model=model or DEFAULT_MODELS["stt"],
        params={"language": language, **(params or {})},
        fresh=fresh,
        timeout=timeout,
        notice=_notice,
    )


def generate_video(
    prompt: str,
    model: str | None = None,
    *,
    resolution: str | None = None,
    duration: int | None = None,
    params: dict[str, Any] | None = None,
    fresh: bool = False,
    assets: str | Path | None = None,
    show: bool = True,
    timeout: float | None = None,
    on_progress: Any = None,
) -> Generation:
    """A video (`POST /v2/video/generations`, then polling), saved and shown with a player.

    A progress line tells the status and the time waited. An interrupt stops the wait, not
    the job: `jobs()` lists it and `jobs(id)` fetches it once it is done.
    """
    session = current_session()
    if on_progress is None and show:
        frontend = _frontend()
        if frontend is not None:
            on_progress = frontend.job_progress("video")
        else:
            from ..display.media import terminal_progress

            on_progress = terminal_progress("video")
    generation = make_video(
        session,
        prompt,
        model=model or DEFAULT_MODELS["video"],
        store=_store(session, assets),
        params={"resolution": resolution, "duration": duration, **(params or {})},
        fresh=fresh,
        on_progress=on_progress,
        timeout=timeout,
        notice=_notice,
    )
    return _shown(generation, show)


def jobs(job_id: str | None = None) -> list[Job] | Job:
    """This session's video and transcription jobs; with an id, one look at that job (a
    finished video is downloaded and saved; `job.asset` is it)."""
    session = current_session()
    if job_id is None:
        return session.media.jobs()
    return fetch_job(session, job_id)
