"""What the client asks the service besides chat: the model list, one model's card, the
deprecation feed, live speed and the balance. Mixed into `AimlClient`, so every request goes
through its one request loop (retries, Retry-After, the key rules).
"""

from __future__ import annotations

import difflib
import time
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from . import errors
from .cache import CachedList, CatalogueCache
from .catalogue import CHAT_TYPE, ModelInfo, chat_models
from .service import METRICS_BATCH, Balance, Deprecation, ModelMetrics

if TYPE_CHECKING:
    import requests

QUICK_TIMEOUT = (2.0, 3.0)  # connect, read: look-ups that explain an error must not hold it up
CATALOGUE_INCLUDE = "capabilities,modalities,pricing"
CATALOGUE_FRESH = 3600.0  # seconds a saved list is used without asking the service again
DEPRECATIONS_MAX_AGE = 300.0  # the feed's own Cache-Control: max-age=300
_OFFLINE = (errors.ConnectionFailedError, errors.RequestTimeoutError, errors.ServerError)


class ServiceLookups:
    """Catalogue, deprecations, metrics and balance for `AimlClient` (see client.py)."""

    base_url: str
    _key: Any
    cache_folder: Any

    def _init_lookups(self) -> None:
        self._models: list[ModelInfo] | None = None
        self._models_etag: str | None = None
        self._models_entries: list[dict[str, Any]] = []
        self._models_saved: float | None = None  # when the disk copy in use was confirmed
        self._cards: dict[str, ModelInfo | None] = {}  # GET /model/{id}, by lower-case name
        self._deprecations: list[Deprecation] | None = None
        self._deprecations_etag: str | None = None
        self._deprecations_until = 0.0
        self.no_structured_output: set[str] = set()  # models that refused json_schema

    @property
    def root_url(self) -> str:
        """The service's root: `/model/{id}`, `/models/metrics` and `/v2/...` live outside
        `/v1`."""
        return self.base_url.removesuffix("/v1")

    @property
    def catalogue_cache(self) -> CatalogueCache:
        return CatalogueCache(self.base_url, self.cache_folder)

    # -- the model list -----------------------------------------------------------------

    def models(
        self,
        refresh: bool = False,
        *,
        retries: int | None = None,
        timeout: tuple[float, float] | None = None,
    ) -> list[ModelInfo]:
        """Chat models from `GET {base_url}/models?type=openai/chat-completions`.

        Kept in memory and on disk with its ETag: a copy saved in the last hour is used
        without asking; an older one is revalidated with If-None-Match (304: unchanged), and
        used as it is when the service cannot be reached. `refresh=True` always revalidates.
        The key is sent when there is one (gateways protect the list; the AI/ML API's is
        public), under the same https-or-loopback rule as chat.
        """
        if self._models is not None and not refresh and self._models_fresh():
            return self._models
        if self._models is None:
            saved = self.catalogue_cache.load()
            if saved is not None:
                self._adopt(saved.entries, saved.etag, saved.saved)
                if not refresh and self._models_fresh():
                    return self._models or []
        try:
            response = self._list_request(retries, timeout)
        except _OFFLINE:
            if self._models is None:
                raise
            return self._models  # offline: the saved copy, as it is
        if response.status_code == 304 and self._models is not None:
            self._models_saved = None  # confirmed by the service
            self.catalogue_cache.save(self._models_entries, self._models_etag)
            return self._models
        entries = _json_field(response, "data", "The model list")
        entries = [e for e in entries if isinstance(e, dict)] if isinstance(entries, list) else []
        self._adopt(entries, response.headers.get("etag"))
        self.catalogue_cache.save(entries, self._models_etag)
        return self._models or []

    def cached_models(self) -> list[ModelInfo]:
        """The list as known without asking the service (memory, else disk): for TAB."""
        if self._models is None:
            saved: CachedList | None = self.catalogue_cache.load()
            if saved is not None:
                self._adopt(saved.entries, saved.etag, saved.saved)
        return self._models or []

    def _adopt(
        self, entries: list[dict[str, Any]], etag: str | None, saved: float | None = None
    ) -> None:
        """Take a list; `saved` is when the disk copy was confirmed (None: just now, live)."""
        self._models = chat_models(entries)
        self._models_entries = entries
        self._models_etag = etag
        self._models_saved = saved

    def _models_fresh(self) -> bool:
        """A live list stays; a copy from disk is used for an hour after the service last
        confirmed it."""
        saved = self._models_saved
        return saved is None or time.time() - saved < CATALOGUE_FRESH

    def _list_request(
        self, retries: int | None, timeout: tuple[float, float] | None
    ) -> requests.Response:
        headers = {"If-None-Match": self._models_etag} if self._models_etag else {}
        if self._key is not None:
            headers.update(self._authorization())
        return self._request(
            "GET",
            f"{self.base_url}/models",
            params={"type": CHAT_TYPE, "include": CATALOGUE_INCLUDE},
            headers=headers,
            authorize=False,
            retries=retries,
            timeout=timeout,
        )

    def listed(self, name: str) -> ModelInfo | None:
        """The entry of the cached list named `name` (id or alias, any case), if any."""
        return next((m for m in self._models or [] if m.is_named(name)), None)

    # -- one model ----------------------------------------------------------------------

    def model_info(
        self, model: str, *, retries: int | None = 0, timeout: tuple[float, float] | None = None
    ) -> ModelInfo | None:
        """The card of one model (`GET {root}/model/{id}?include=...`; alias- and
        case-insensitive; still there for deprecated models absent from the list), or None
        when the service does not know it. Remembered per name."""
        key = model.lower()
        if key in self._cards:
            return self._cards[key]
        try:
            response = self._request(
                "GET",
                f"{self.root_url}/model/{quote(model, safe='/')}",
                params={"include": CATALOGUE_INCLUDE},
                authorize=False,
                retries=retries,
                timeout=timeout or QUICK_TIMEOUT,
            )
        except errors.NotFoundError:
            self._cards[key] = None
            return None
        data = _json_field(response, "data", "The model card")
        info = ModelInfo.from_api(data) if isinstance(data, dict) and data.get("id") else None
        self._cards[key] = info
        return info

    def find_model(self, model: str) -> ModelInfo | None:
        """The list's entry when it has one, else the model's own card (the list leaves out
        deprecated models that still serve); None when neither knows it."""
        try:
            known = self.models(retries=0, timeout=QUICK_TIMEOUT)
        except errors.AimlError:
            known = []
        listed = next((m for m in known if m.is_named(model)), None)
        if listed is not None:
            return listed
        try:
            return self.model_info(model)
        except errors.AimlError:
            return None

    def structured_output(self, model: str) -> bool | None:
        """Whether `model` supports `json_schema` structured output: False once the service
        refused it, else what the catalogue's capabilities say (None: not known)."""
        if model in self.no_structured_output:
            return False
        info = self.find_model(model)
        return info.structured_output if info is not None else None

    def vision(self, model: str) -> bool | None:
        """Whether `model` takes image input, as the catalogue says (None: not known)."""
        info = self.find_model(model)
        return info.vision if info is not None else None

    # -- deprecations, speed, balance ---------------------------------------------------

    def deprecations(self, refresh: bool = False) -> list[Deprecation]:
        """The deprecation feed (`GET {base_url}/models/deprecations`, no key): kept for the
        feed's max-age of 300 s, then revalidated with its ETag."""
        fresh = time.monotonic() < self._deprecations_until
        if self._deprecations is not None and fresh and not refresh:
            return self._deprecations
        headers = {"If-None-Match": self._deprecations_etag} if self._deprecations_etag else {}
        response = self._request(
            "GET",
            f"{self.base_url}/models/deprecations",
            headers=headers,
            authorize=False,
            retries=0,
            timeout=QUICK_TIMEOUT,
        )
        self._deprecations_until = time.monotonic() + _max_age(response, DEPRECATIONS_MAX_AGE)
        if response.status_code == 304 and self._deprecations is not None:
            return self._deprecations
        entries = _json_field(response, "data", "The deprecation feed")
        found = [Deprecation.from_api(e) for e in (entries if isinstance(entries, list) else [])]
        self._deprecations = [d for d in found if d is not None]
        self._deprecations_etag = response.headers.get("etag")
        return self._deprecations

    def deprecation(self, model: str) -> Deprecation | None:
        """The feed's entry for `model` (id or alias, any case); None when it has none or the
        feed cannot be read (it only ever adds a warning)."""
        try:
            feed = self.deprecations()
        except errors.AimlError:
            return None
        return next((d for d in feed if d.is_named(model)), None)

    def metrics(self, aliases: list[str]) -> dict[str, ModelMetrics]:
        """The service's live speed of these models (`GET {root}/models/metrics`, the
        `aliases` parameter repeated, 100 per request). A model missing from the answer has
        no data in the window and is missing here too."""
        found: dict[str, ModelMetrics] = {}
        names = list(dict.fromkeys(aliases))
        for start in range(0, len(names), METRICS_BATCH):
            batch = names[start : start + METRICS_BATCH]
            response = self._request(
                "GET",
                f"{self.root_url}/models/metrics",
                params=[("aliases", name) for name in batch],
                authorize=False,
                timeout=QUICK_TIMEOUT,
            )
            body = _json_field(response, None, "The metrics")
            window = body.get("window_seconds") if isinstance(body, dict) else None
            for entry in (body.get("models") if isinstance(body, dict) else None) or []:
                parsed = ModelMetrics.from_api(entry, window)
                if parsed is not None:
                    found[parsed.alias] = parsed
        return found

    def balance(self) -> Balance:
        """The account's balance (`GET {root}/v2/billing`; the key is needed)."""
        response = self._request("GET", f"{self.root_url}/v2/billing", timeout=QUICK_TIMEOUT)
        parsed = Balance.from_api(_json_field(response, None, "The balance"))
        if parsed is None:
            raise errors.ServerError(
                "The balance answer has no current_balance.", status=response.status_code
            )
        return parsed

    # -- explaining a 400/404 about a model ---------------------------------------------

    def _unknown_model_error(
        self, model: str, status: int, error: errors.AimlError
    ) -> errors.AimlError | None:
        """A better error than the server's when `model` really is unknown or withdrawn;
        None keeps the server's own. Not in the list is not unknown: deprecated models leave
        the list but serve, so the model's card is asked first."""
        try:
            known = self.models(retries=0, timeout=QUICK_TIMEOUT)
        except errors.AimlError:
            return None
        if not known or any(m.is_named(model) for m in known):
            return None
        try:
            if self.model_info(model) is not None:
                return None
        except errors.AimlError:
            return None
        gone = self.deprecation(model)
        common = {"status": status, "inference_id": error.inference_id}
        if gone is not None and gone.status == "withdrawn":
            return errors.ModelWithdrawnError(
                gone.describe(model) + ".", full_message=error.full_message, **common
            )
        suggestions = self._close_matches(model)
        hint = f"Did you mean {', '.join(suggestions)}?" if suggestions else ""
        return errors.ModelNotFoundError(
            f"{model!r} is not a model this service offers. {hint}".strip(),
            hint="`%aiml models` lists the available ones.",
            full_message=error.full_message,  # the server's own words
            **common,
        )

    def _close_matches(self, model: str) -> list[str]:
        names = [n for m in self._models or [] for n in m.names()]
        matches = difflib.get_close_matches(model, names, n=3, cutoff=0.5)
        tail = model.rsplit("/", 1)[-1].lower()
        matches += [n for n in names if tail and tail in n.lower() and n not in matches]
        return matches[:3]


def _json_field(response: requests.Response, name: str | None, what: str) -> Any:
    """`response`'s JSON (or its field `name`); a body that is not JSON is a service error."""
    try:
        body = response.json()
        return body.get(name) if name is not None else body
    except (ValueError, AttributeError):
        raise errors.ServerError(
            f"{what} is not the JSON the service sends.",
            status=response.status_code,
            inference_id=response.headers.get("x-inference-id"),
        ) from None


def _max_age(response: requests.Response, default: float) -> float:
    for part in (response.headers.get("cache-control") or "").split(","):
        name, _, value = part.strip().partition("=")
        if name.lower() == "max-age":
            try:
                return max(0.0, float(value))
            except ValueError:
                break
    return default
