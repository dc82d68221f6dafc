"""Images and speech on the one path: replay, budget, request, assets, recording, usage.

`make_image` and `make_speech` (and the video jobs in `jobs.py`) share `Maker`: look the
request up in the recording (a hit is answered from the assets folder, nothing sent), check
the budget against the catalogue's price, send through the session's client, save every file
in the assets folder, count credits in the session's usage, and record the answer as asset
digests. A recording whose files are gone from the folder is a miss (`only` says which).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..api import errors
from ..api.media import IMAGES_PATH, TTS_PATH, Generated, generate_images, speak
from ..api.result import ChatResult
from ..api.retry import RetryNotice
from . import recorded
from .assets import Asset, AssetStore
from .media_state import AssetUse
from .mediacost import MediaEstimate, check_budget, request_estimate

if TYPE_CHECKING:
    from .session import Session

Notice = Callable[[str], None]


@dataclass
class Generation:
    """What one image, speech or video request produced (or replayed)."""

    kind: str  # image, speech, video
    model: str
    prompt: str
    assets: list[Asset]
    params: dict[str, Any] = field(default_factory=dict)
    credits_used: float | None = None
    usd_spent: float | None = None
    inference_id: str | None = None
    replayed: bool = False
    recorded: str | None = None
    estimate: MediaEstimate | None = None
    job_id: str | None = None

    @property
    def images(self) -> list[Any]:
        """PIL images when Pillow is installed, else the assets (bytes and paths)."""
        return [asset.image() or asset for asset in self.assets]

    @property
    def paths(self) -> list[str]:
        return [str(asset.path) for asset in self.assets]

    def provenance(self) -> dict[str, Any]:
        """How this was made (for output metadata): never the key, never the bytes."""
        return {
            "kind": self.kind,
            "model": self.model,
            "params": dict(self.params),
            "assets": [asset.describe() for asset in self.assets],
            "credits_used": self.credits_used,
            "usd_spent": self.usd_spent,
            "inference_id": self.inference_id,
            "job_id": self.job_id,
            **({"replayed": True, "recorded": self.recorded} if self.replayed else {}),
        }

    def __repr__(self) -> str:
        source = "replayed" if self.replayed else f"{self.credits_used or 0:,.0f} credits"
        return f"Generation({self.kind}, {self.model}, {len(self.assets)} file(s), {source})"


@dataclass
class Maker:
    """One media request on its way: its session, request, replay and assets folder."""

    session: Session
    kind: str
    endpoint: str
    model: str
    prompt: str
    params: dict[str, Any]
    store: AssetStore
    fresh: bool = False
    notice: Notice | None = None
    ask: Callable[[str], str] | None = None

    def __post_init__(self) -> None:
        self.params = {k: v for k, v in self.params.items() if v is not None}
        self.request = recorded.canonical(self.endpoint, self.model, self.prompt, self.params)
        self.replay = recorded.replay_for(self.session, fresh=self.fresh, label=self.prompt[:60])

    def on_retry(self, notice: RetryNotice) -> None:
        if self.notice is not None:
            self.notice(str(notice))

    def replayed(self) -> Generation | None:
        """The recorded generation, its files from the assets folder; None to send."""
        answer = recorded.find(self.replay, self.request)
        if self.replay is not None:
            warning = self.replay.store.take_warning()
            if warning and self.notice is not None:
                self.notice(warning)
        if answer is None:
            return None
        assets = [self._stored(item) for item in answer.get("assets") or []]
        if not assets or any(a is None for a in assets):
            if self.replay.mode == "only":
                raise errors.AimlError(
                    f"the {self.kind} was recorded but its files are not in {self.store.folder}; "
                    "nothing was sent (AimlMagics.replay = 'only').",
                    hint="Copy the assets folder beside the notebook, or record it again.",
                )
            return None
        saved = float(answer.get("credits_used") or 0.0)
        self.session.record_saved(self.model, ChatResult(credits_saved=saved))
        for asset in assets:
            self._log(asset, saved / len(assets), replayed=True)
        return self._generation(assets, answer, replayed=True)

    def _stored(self, item: Any) -> Asset | None:
        if not isinstance(item, dict) or not isinstance(item.get("sha256"), str):
            return None
        return self.store.find(
            item["sha256"], str(item.get("ext") or ""), str(item.get("mime") or ""), self.kind
        )

    def check(self, guess: MediaEstimate) -> None:
        check_budget(self.session, guess, self.kind, ask=self.ask)

    def keep(
        self, made: Generated, guess: MediaEstimate | None, job_id: str | None = None
    ) -> Generation:
        """Save the files, count the cost, record the answer: the finished generation."""
        meta = {"model": self.model, "prompt": self.prompt}
        assets = [self.store.put(f.data, f.mime, self.kind, **meta) for f in made.files]
        result = ChatResult(
            model=self.model,
            requested_model=self.model,
            credits_used=made.cost.credits_used,
            usd_spent=made.cost.usd_spent,
            inference_id=made.inference_id,
        )
        self.session.record_usage(self.model, result)
        for asset in assets:
            share = (made.cost.credits_used / len(assets)) if made.cost.credits_used else None
            self._log(asset, share)
        answer = {
            "kind": self.kind,
            "assets": [asset.describe() for asset in assets],
            "credits_used": made.cost.credits_used,
            "usd_spent": made.cost.usd_spent,
            "inference_id": made.inference_id,
            "job_id": job_id,
        }
        warning = recorded.keep(self.replay, self.request, answer)
        if warning and self.notice is not None:
            self.notice(warning)
        generation = self._generation(assets, answer)
        generation.estimate = guess
        return generation

    def _generation(self, assets: list[Asset], answer: dict, replayed: bool = False) -> Generation:
        return Generation(
            kind=self.kind,
            model=self.model,
            prompt=self.prompt,
            assets=assets,
            params=dict(self.params),
            credits_used=answer.get("credits_used"),
            usd_spent=answer.get("usd_spent"),
            inference_id=answer.get("inference_id"),
            replayed=replayed,
            recorded=answer.get("recorded") if replayed else None,
            job_id=answer.get("job_id"),
        )

    def _log(self, asset: Asset, credits: float | None, replayed: bool = False) -> None:
        self.session.media.log_asset(
            AssetUse(self.kind, self.model, asset.sha256, asset.mime, asset.size, credits, replayed)
        )


def make_image(
    session: Session,
    prompt: str,
    *,
    model: str,
    store: AssetStore,
    size: str | None = None,
    n: int = 1,
    params: dict[str, Any] | None = None,
    fresh: bool = False,
    notice: Notice | None = None,
    ask: Callable[[str], str] | None = None,
) -> Generation:
    """`n` images for `prompt` (`size` is `WxH`; `params` more request fields)."""
    _check_prompt(prompt, "image")
    if not isinstance(n, int) or not 1 <= n <= 10:
        raise errors.UsageError(f"n is the number of images, 1 to 10; got {n!r}")
    if size is not None and not _is_size(size):
        raise errors.UsageError(f"size is WIDTHxHEIGHT in pixels, such as 1024x1024; got {size!r}")
    fields = {"size": size, "n": n if n != 1 else None, **(params or {})}
    maker = Maker(session, "image", IMAGES_PATH, model, prompt, fields, store, fresh, notice, ask)
    found = maker.replayed()
    if found is not None:
        return found
    guess = request_estimate(session, "image", model, prompt, maker.params)
    maker.check(guess)
    made = generate_images(session.client(), prompt, model, on_retry=maker.on_retry, **maker.params)
    return maker.keep(made, guess)


def make_speech(
    session: Session,
    text: str,
    *,
    model: str,
    store: AssetStore,
    voice: str | None = None,
    params: dict[str, Any] | None = None,
    fresh: bool = False,
    notice: Notice | None = None,
    ask: Callable[[str], str] | None = None,
) -> Generation:
    """Speech for `text` (`voice` and `params` are request fields)."""
    _check_prompt(text, "speech")
    fields = {"voice": voice, **(params or {})}
    maker = Maker(session, "speech", TTS_PATH, model, text, fields, store, fresh, notice, ask)
    found = maker.replayed()
    if found is not None:
        return found
    guess = request_estimate(session, "speech", model, text, maker.params)
    maker.check(guess)
    made = speak(session.client(), text, model, on_retry=maker.on_retry, **maker.params)
    return maker.keep(made, guess)


def _check_prompt(prompt: Any, what: str) -> None:
    if not isinstance(prompt, str) or not prompt.strip():
        raise errors.UsageError(f"the {what} needs a text prompt; got {prompt!r}")


def _is_size(size: str) -> bool:
    width, _, height = str(size).partition("x")
    return width.isdigit() and height.isdigit() and int(width) > 0 and int(height) > 0
