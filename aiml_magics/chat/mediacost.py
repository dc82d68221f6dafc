"""What an image, speech, transcription or video request will cost, and the budget's say.

Prices come from the catalogue's entry for the model (`api.kinds.list_models`, fetched once
per kind and session, one quick attempt: an estimate must never hold up a request). The
amounts per unit come from the request (`api.unitprice.*_amounts`). The budget refuses a
request once the session spent its budget, or when the estimate is more than what is left
and nobody confirms it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..api import errors
from ..api.result import USD_PER_CREDIT
from ..api.unitprice import (
    MediaPricing,
    cost,
    image_amounts,
    speech_amounts,
    video_amounts,
)
from .budget import RAISE_IT, BudgetError, credits_text

if TYPE_CHECKING:
    from ..api.kinds import KindModel
    from .session import Session

QUICK = (2.0, 3.0)  # connect, read


@dataclass(frozen=True)
class MediaEstimate:
    """The expected cost of one request: credits, dollars, and the prices it came from."""

    credits: float | None
    basis: str  # "per image", "variants by resolution", "unknown: ..."

    @property
    def dollars(self) -> float | None:
        return None if self.credits is None else self.credits * USD_PER_CREDIT


def kind_models(session: Session, kind: str, refresh: bool = False) -> list[KindModel]:
    """The catalogue's models of `kind` (cached per session; [] when the list fails)."""
    from ..api.kinds import list_models

    cache = session.media.models
    if kind not in cache or refresh:
        try:
            cache[kind] = list_models(session.client(), kind, retries=0)
        except errors.AimlError:
            return cache.get(kind, [])
    return cache[kind]


def kind_model_names(session: Session, kind: str, wait: float = 0.3) -> list[str]:
    """Names of the models of `kind` for TAB: the list is fetched once, in the background;
    TAB waits at most `wait` seconds for it, else answers with nothing (and a later TAB
    tries again when the fetch failed)."""
    import threading

    cache, fetches = session.media.models, session.media.fetches
    if kind not in cache:
        fetch = fetches.get(kind)
        if fetch is None or not fetch.is_alive():
            fetch = threading.Thread(target=kind_models, args=(session, kind), daemon=True)
            fetches[kind] = fetch
            fetch.start()
        fetch.join(wait)
    return sorted({name for model in cache.get(kind, []) for name in model.names()})


def find_model(session: Session, kind: str, name: str) -> KindModel | None:
    return next((m for m in kind_models(session, kind) if name in m.names()), None)


def estimate(
    session: Session,
    kind: str,
    model: str,
    amounts: Mapping[str, float],
    chosen: Mapping[str, Any] | None = None,
) -> MediaEstimate:
    """The credits `amounts` of units cost at the model's catalogue prices."""
    entry = find_model(session, kind, model)
    pricing: MediaPricing | None = entry.pricing if entry is not None else None
    if pricing is None:
        return MediaEstimate(None, "unknown: the catalogue has no prices for this model")
    if pricing.kind == "variable":
        return MediaEstimate(None, "unknown: priced by the service after the request")
    dollars = cost(pricing.units, amounts, chosen or {})
    if dollars is None:
        options = {d: pricing.options(d) for d in pricing.dimensions}
        told = "; ".join(f"{d}: {', '.join(v)}" for d, v in options.items() if v)
        return MediaEstimate(None, f"unknown: no price for this choice ({told or 'no units'})")
    units = sorted({u.unit for u in pricing.units})
    basis = f"per {', '.join(units)}"
    if pricing.dimensions:
        basis += f", variants by {', '.join(pricing.dimensions)}"
    return MediaEstimate(dollars / USD_PER_CREDIT, basis)


def request_estimate(
    session: Session, kind: str, model: str, prompt: str, fields: Mapping[str, Any]
) -> MediaEstimate:
    """What one image, speech or video request with these fields may cost: the budget and
    the dry run read this same estimate."""
    if kind == "image":
        size = fields.get("size")
        amounts = image_amounts(int(fields.get("n") or 1), size)
        return estimate(session, "image", model, amounts, {"size": size or "1024x1024"})
    if kind == "speech":
        return estimate(session, "tts", model, speech_amounts(prompt))
    seconds = float(fields.get("duration") or 5)
    chosen = {"resolution": fields.get("resolution") or "720p"}
    return estimate(session, "video", model, video_amounts(seconds), chosen)


@dataclass(frozen=True)
class MediaPlan:
    """What `%%aiml --make KIND --dry-run` shows: the request it would send and its price."""

    kind: str
    endpoint: str
    body: dict[str, Any]
    estimate: MediaEstimate
    replay: str = ""  # how the replay mode would answer it


def plan(
    session: Session, kind: str, endpoint: str, model: str, prompt: str, fields: Mapping[str, Any]
) -> MediaPlan:
    """The request of a media cell, priced, without sending it."""
    from . import recorded

    fields = {k: v for k, v in fields.items() if v is not None}
    text_field = "text" if kind == "speech" else "prompt"
    body = {"model": model, text_field: prompt, **fields}
    guess = request_estimate(session, kind, model, prompt, fields)
    replay = session.replay()
    found = None
    if replay is not None and replay.answers:
        from .replay import request_key

        found = replay.store.find(request_key(recorded.canonical(endpoint, model, prompt, fields)))
    said = f"replay {replay.mode}: answered from the recording of {found.date}" if found else ""
    return MediaPlan(kind, endpoint, body, guess, said)


def check_budget(
    session: Session,
    guess: MediaEstimate,
    what: str,
    ask: Callable[[str], str] | None = None,
) -> None:
    """Raise BudgetError when this request may not be sent (nothing was sent then)."""
    budget = session.settings.budget_credits
    if budget is None:
        return
    spent = session.spent_credits()
    if spent >= budget:
        raise BudgetError(
            f"this session has spent {credits_text(spent)} of its budget of "
            f"{credits_text(budget)}; the {what} was not made. {RAISE_IT}"
        )
    left = budget - spent
    if guess.credits is None or guess.credits <= left:
        return
    question = (
        f"This {what} may cost {credits_text(guess.credits)} ({guess.basis}) but "
        f"{credits_text(left)} of the budget are left. Make it anyway? [y/N] "
    )
    try:
        answer = ask(question) if ask is not None else ""
    except (EOFError, RuntimeError, OSError):
        answer = ""
    if answer.strip().lower() not in ("y", "yes"):
        raise BudgetError(
            f"this {what} may cost {credits_text(guess.credits)} and {credits_text(left)} "
            f"of the budget are left; nothing was sent. {RAISE_IT}"
        )
