"""A shared cache of anonymous JSON reads, invalidated by events.

An app marks its read views with `cached_reads(view, namespace=...)`, and
`ReadCacheMiddleware` serves their GETs: one without credentials that asks for
JSON is answered from the default cache when an entry exists under the
namespace's current *generation*; otherwise the view renders it and the 200
is stored. The app's event handlers advance the
generation (`generation_advance_on_commit`) whenever something its reads show
changes, so no answer is older than the last change the cache was told of; the
entry's timeout only bounds memory.

An entry is stored per URL with the generation that was current before its
view read the data; the generation and the entry are read together (one
round trip) and an entry of another generation counts as missing. The
generation is a random token, not a counter: if it is evicted or expires, a
new token is drawn and no old entry can ever match it again (a counter
restarting at 1 could meet entries of an earlier 1).

Every GET gets a strong `ETag` (a digest of the body) and an `If-None-Match`
that matches is a 304; for a stored entry that is decided before the view
runs. Anonymous answers are `public, no-cache` (any cache may keep them but
must revalidate, which costs one lookup here); answers to requests with
credentials, or to HTML pages, never touch the shared cache and are `private`.
"""

import hashlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from urllib.parse import parse_qsl, urlencode

from django.core.cache import cache
from django.db import transaction
from django.http import HttpResponse, HttpResponseNotModified
from django.urls import Resolver404, resolve
from django.utils.cache import patch_vary_headers
from django.utils.http import parse_etags

from apps.common import metrics

PUBLIC = "public, no-cache"
PRIVATE = "private, no-cache"
VARY = ("Accept", "Authorization")
# Accept headers whose answer is the JSON renderer's; anything else (the
# browsable HTML pages, other formats) is served uncached.
JSON_ACCEPTS = frozenset({"", "*/*", "application/json"})


@dataclass(frozen=True)
class Entry:
    generation: str  # the one current before the view read the data
    body: bytes
    etag: str
    headers: tuple[tuple[str, str], ...]


def generation(*, namespace: str) -> str:
    """The namespace's current generation, drawn on first use."""
    key = _generation_key(namespace)
    current = cache.get(key)
    if current is None:
        cache.add(key, secrets.token_hex(8), timeout=None)
        current = cache.get(key)
    return current


def generation_advance(*, namespace: str) -> None:
    """Make every stored read of `namespace` unreachable."""
    cache.set(_generation_key(namespace), secrets.token_hex(8), timeout=None)


def generation_advance_on_commit(*, namespace: str, using: str) -> None:
    """Advance now and again once the transaction on `using` commits. The
    second step is what guarantees freshness: a read racing the transaction
    may store what it saw before the commit, but tagged with a generation that
    no longer matches. The first lets code inside an outer transaction (a
    test, a caller's atomic block) read its own change at once; a rollback
    only costs a refill."""
    generation_advance(namespace=namespace)
    transaction.on_commit(lambda: generation_advance(namespace=namespace), using=using)


@dataclass(frozen=True)
class Policy:
    namespace: str
    enabled: Callable[[], bool]
    timeout: Callable[[], int]
    representation: str


def cached_reads(
    view: Callable,
    *,
    namespace: str,
    enabled: Callable[[], bool],
    timeout: Callable[[], int],
    representation: str,
) -> Callable:
    """Mark a view function (`as_view()`'s result) for `ReadCacheMiddleware`.
    `enabled` and `timeout` are read per request (settings may change in
    tests); `representation` names the answers' shape, so entries of another
    release's shape are never served."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        return view(request, *args, **kwargs)

    wrapper.read_cache_policy = Policy(
        namespace=namespace,
        enabled=enabled,
        timeout=timeout,
        representation=representation,
    )
    return wrapper


class ReadCacheMiddleware:
    """Serves the GETs of views marked by `cached_reads`. It sits early in
    MIDDLEWARE, after the middleware whose work every answer needs (request
    id, access log and metrics, CORS, security headers) and before the rest,
    so a stored answer skips sessions, CSRF, authentication and the view; the
    headers those add on the way out are stored with the body."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method != "GET":
            return self.get_response(request)
        match = _resolved(request)
        policy = getattr(match.func, "read_cache_policy", None) if match else None
        if policy is None:
            return self.get_response(request)
        response, result = self._answer(request, policy=policy, match=match)
        metrics.READ_CACHE.labels(policy.namespace, result).inc()
        return response

    def _answer(self, request, *, policy: Policy, match) -> tuple[HttpResponse, str]:
        """The answer and how it was found (the metric's `result`)."""
        if not policy.enabled() or not _anonymous_json(request):
            response = _rendered(self.get_response(request))
            return _conditional(request, response, cache_control=PRIVATE), "bypass"
        key, current, entry = _lookup(request, policy=policy)
        result = "hit"
        if entry is None:
            result = "miss"
            response = _rendered(self.get_response(request))
            if not _storable(response):
                return _headers(response, cache_control=PUBLIC), result
            entry = _entry_of(response, generation=current)
            cache.set(key, entry, timeout=policy.timeout())
        else:
            request.resolver_match = match  # the route of the access log and metrics
        if _matches(request, entry.etag):
            response = HttpResponseNotModified()
            result = "not_modified" if result == "hit" else result
        else:
            response = HttpResponse(entry.body, headers=dict(entry.headers))
        return _headers(response, cache_control=PUBLIC, etag=entry.etag), result


def _resolved(request):
    try:
        return resolve(request.path_info, getattr(request, "urlconf", None))
    except Resolver404:
        return None


def _generation_key(namespace: str) -> str:
    return f"reads:{namespace}:generation"


def _anonymous_json(request) -> bool:
    if "HTTP_AUTHORIZATION" in request.META:
        return False
    if request.GET.get("format", "json") != "json":
        return False
    return request.META.get("HTTP_ACCEPT", "").strip().lower() in JSON_ACCEPTS


def _lookup(request, *, policy: Policy) -> tuple[str, str, Entry | None]:
    """The entry's key, the current generation and the entry if it was stored
    under that generation: one round trip to the cache."""
    key = _entry_key(request, policy=policy)
    generation_key = _generation_key(policy.namespace)
    found = cache.get_many([generation_key, key])
    current = found.get(generation_key) or generation(namespace=policy.namespace)
    entry = found.get(key)
    if entry is not None and entry.generation != current:
        entry = None  # older than a change: rendered again and overwritten
    return key, current, entry


def _entry_key(request, *, policy: Policy) -> str:
    # Absolute links in the body depend on scheme and host; the query string
    # is sorted by name (a stable sort keeps repeated names in order).
    query = sorted(
        parse_qsl(request.META.get("QUERY_STRING", ""), keep_blank_values=True),
        key=lambda pair: pair[0],
    )
    parts = (
        policy.representation,
        request.scheme,
        request.get_host(),
        request.path,
        urlencode(query),
    )
    digest = hashlib.sha256("\n".join(parts).encode()).hexdigest()
    return f"reads:{policy.namespace}:{digest}"


def _rendered(response):
    render = getattr(response, "render", None)
    if render is not None and not response.is_rendered:
        render()
    return response


def _etag_of(body: bytes) -> str:
    # A digest of the bytes: equal tags mean equal bodies (a strong validator).
    return '"' + hashlib.blake2b(body, digest_size=16).hexdigest() + '"'


def _storable(response) -> bool:
    streaming = getattr(response, "streaming", False)
    return response.status_code == 200 and not streaming and not response.cookies


def _entry_of(response, *, generation: str) -> Entry:
    return Entry(
        generation=generation,
        body=response.content,
        etag=_etag_of(response.content),
        headers=tuple(response.items()),
    )


def _matches(request, etag: str) -> bool:
    header = request.META.get("HTTP_IF_NONE_MATCH")
    if not header:
        return False
    # If-None-Match compares weakly (RFC 9110 13.1.2).
    tags = {tag.removeprefix("W/") for tag in parse_etags(header)}
    return "*" in tags or etag in tags


def _conditional(request, response, *, cache_control: str):
    if response.status_code != 200 or getattr(response, "streaming", False):
        return _headers(response, cache_control=cache_control)
    etag = _etag_of(response.content)
    if _matches(request, etag):
        response = HttpResponseNotModified()
    return _headers(response, cache_control=cache_control, etag=etag)


def _headers(response, *, cache_control: str, etag: str | None = None):
    response["Cache-Control"] = cache_control
    if etag is not None:
        response["ETag"] = etag
    patch_vary_headers(response, VARY)
    return response
