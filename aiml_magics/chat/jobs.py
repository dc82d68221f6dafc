"""Asynchronous generations: videos and transcriptions, waited for or fetched later.

`make_video` submits the job, registers it in the session (`session.media.jobs()`), and
waits: each look at the job is one request through the client, between looks the wait grows
from 0.25 s to `interval`, and `on_progress(elapsed, status)` hears every look. An interrupt
(KeyboardInterrupt, from the kernel or the progress callback) or `timeout` stops the wait,
never the job: it stays registered with its id, and `fetch_job` looks again later and saves
the video once it is done.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..api import errors
from ..api.media import (
    STT_CREATE_PATH,
    VIDEO_PATH,
    Generated,
    JobState,
    poll_transcription,
    poll_video,
    start_transcription,
    start_video,
)
from ..api.result import ChatResult
from ..api.transfer import download
from ..api.unitprice import transcription_amounts
from . import recorded
from .assets import AssetStore
from .generate import Generation, Maker, Notice
from .media_state import Job
from .mediacost import check_budget, estimate, request_estimate

if TYPE_CHECKING:
    from .session import Session

Progress = Callable[[float, str], None]
FIRST_LOOK = 0.25


class JobFailedError(errors.AimlError):
    title = "Generation failed"


class StillRunningError(errors.RequestTimeoutError):
    """The wait ended before the job did; the job goes on and is kept."""


def wait_for(
    job: Job,
    look: Callable[[], JobState],
    *,
    on_progress: Progress | None = None,
    interval: float = 5.0,
    timeout: float | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> JobState:
    """Look at the job until it finished; the job's status follows every look."""
    pause = FIRST_LOOK
    while True:
        try:
            state = look()
            job.status, job.updated = state.status, time.monotonic()
            if on_progress is not None:
                on_progress(job.elapsed, state.status)
            if state.finished:
                return state
            if timeout is not None and job.elapsed + pause > timeout:
                raise StillRunningError(
                    f"the {job.kind} job {job.id} is still {state.status} after "
                    f"{job.elapsed:.0f} s; it goes on at the service.",
                    hint=_later(job),
                )
            sleep(pause)
            pause = min(interval, pause * 2)
        except KeyboardInterrupt:
            raise errors.StoppedError(
                f"stopped waiting for the {job.kind} job {job.id} ({job.status}); it goes on "
                "at the service.",
                hint=_later(job),
            ) from None


def _later(job: Job) -> str:
    return f"Fetch it later with %aiml jobs {job.id} (or aiml_magics.jobs({job.id!r}))."


def make_video(
    session: Session,
    prompt: str,
    *,
    model: str,
    store: AssetStore,
    params: dict[str, Any] | None = None,
    fresh: bool = False,
    on_progress: Progress | None = None,
    interval: float = 5.0,
    timeout: float | None = None,
    notice: Notice | None = None,
    ask: Callable[[str], str] | None = None,
) -> Generation:
    """Submit a video job, wait for it, save the video (replayed when recorded)."""
    if not isinstance(prompt, str) or not prompt.strip():
        raise errors.UsageError(f"the video needs a text prompt; got {prompt!r}")
    maker = Maker(
        session, "video", VIDEO_PATH, model, prompt, dict(params or {}), store, fresh, notice, ask
    )
    found = maker.replayed()
    if found is not None:
        return found
    guess = request_estimate(session, "video", model, prompt, maker.params)
    maker.check(guess)
    client = session.client()
    first = start_video(client, prompt, model, on_retry=maker.on_retry, **maker.params)
    job = session.media.add_job(
        Job(first.id, "video", model, prompt, first.status, params=dict(maker.params), maker=maker)
    )
    state = wait_for(
        job,
        lambda: poll_video(client, job.id, on_retry=maker.on_retry),
        on_progress=on_progress,
        interval=interval,
        timeout=timeout,
    )
    return _finish_video(session, job, state, guess)


def _finish_video(session: Session, job: Job, state: JobState, guess: Any = None) -> Generation:
    if state.status == "error":
        job.error = state.error
        raise JobFailedError(f"the video job {job.id} failed: {state.error}")
    maker: Maker = job.maker
    video = download(session.client(), state.url or "", on_retry=maker.on_retry)
    generation = maker.keep(Generated([video], state.cost, job.id), guess, job_id=job.id)
    job.asset, job.generation = generation.assets[0], generation
    return generation


def fetch_job(session: Session, job_id: str) -> Job:
    """One look at a registered job; a completed video is downloaded and saved once."""
    job = session.media.job(job_id)
    if job is None:
        known = ", ".join(j.id for j in session.media.jobs()) or "none"
        raise errors.UsageError(f"no job {job_id!r} in this session (jobs: {known})")
    if job.asset is not None or job.text is not None or job.error is not None:
        return job
    client = session.client()
    if job.kind == "video":
        state = poll_video(client, job.id)
    else:
        state = poll_transcription(client, job.id)
    job.status, job.updated = state.status, time.monotonic()
    if state.status == "error":
        job.error = state.error
    elif state.status == "completed" and job.kind == "video":
        _finish_video(session, job, state)
    elif state.status == "completed":
        job.text = state.text
    return job


def transcribe_audio(
    session: Session,
    source: str | Path,
    *,
    model: str,
    params: dict[str, Any] | None = None,
    fresh: bool = False,
    on_progress: Progress | None = None,
    interval: float = 2.0,
    timeout: float | None = 600.0,
    notice: Notice | None = None,
) -> str:
    """The text of an audio file (a path) or URL: a transcription job, waited for."""
    audio, url, label = _audio_source(source)
    key = f"sha256:{_digest(audio)}" if audio is not None else str(url)
    fields = {k: v for k, v in (params or {}).items() if v is not None}
    request = recorded.canonical(STT_CREATE_PATH, model, key, fields)
    replay = recorded.replay_for(session, fresh=fresh, label=label)
    found = recorded.find(replay, request)
    if found is not None and isinstance(found.get("transcript"), str):
        saved = float(found.get("credits_used") or 0.0)
        session.record_saved(model, ChatResult(credits_saved=saved))
        return found["transcript"]
    seconds = _wav_seconds(audio) if audio is not None else 0.0
    check_budget(
        session, estimate(session, "stt", model, transcription_amounts(seconds)), "transcription"
    )
    client = session.client()
    on_retry = (lambda n: notice(str(n))) if notice is not None else None
    job_id = start_transcription(
        client, model, url=url, audio=audio, filename=label, on_retry=on_retry, **fields
    )
    job = session.media.add_job(Job(job_id, "stt", model, label, params=fields))
    state = wait_for(
        job,
        lambda: poll_transcription(client, job_id, on_retry=on_retry),
        on_progress=on_progress,
        interval=interval,
        timeout=timeout,
    )
    if state.status == "error":
        job.error = state.error
        raise JobFailedError(f"the transcription {job_id} failed: {state.error}")
    job.text = state.text
    cost = state.cost
    session.record_usage(
        model, ChatResult(model=model, credits_used=cost.credits_used, usd_spent=cost.usd_spent)
    )
    answer = {"transcript": state.text, "credits_used": cost.credits_used, "job_id": job_id}
    warning = recorded.keep(replay, request, answer)
    if warning and notice is not None:
        notice(warning)
    return state.text or ""


def _audio_source(source: str | Path) -> tuple[bytes | None, str | None, str]:
    text = str(source)
    if isinstance(source, str) and text.startswith(("https://", "http://")):
        return None, text, text.rsplit("/", 1)[-1] or text  # the service fetches it
    path = Path(text).expanduser()
    try:
        return path.read_bytes(), None, path.name
    except OSError as exc:
        raise errors.UsageError(
            f"cannot read the audio file {text}: {exc.strerror or exc}; give a path or an https URL"
        ) from None


def _digest(data: bytes) -> str:
    import hashlib

    return hashlib.sha256(data).hexdigest()


def _wav_seconds(data: bytes) -> float:
    import io
    import wave

    try:
        with wave.open(io.BytesIO(data), "rb") as w:
            return w.getnframes() / float(w.getframerate())
    except (wave.Error, EOFError, ZeroDivisionError):
        return 0.0
