"""A shared cache of anonymous JSON reads, invalidated by events.

An app wraps its read views with `cached_reads(view, namespace=...)`. A GET
without credentials that asks for JSON is answered from the default cache
when an entry exists under the namespace's current *generation*; otherwise the
view renders it and the 200 is stored. The app's event handlers advance the
generation (`generation_advance_on_commit`) whenever something its reads show
changes, so no answer is older than the last change the cache was told of; the
entry's timeout only bounds memory.

The generation is a random token, not a counter: if it is evicted or expires,
a new token is drawn and no old entry can ever be reached again (a counter
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
from django.utils.cache import patch_vary_headers
from django.utils.http import parse_etags

PUBLIC = "public, no-cache"
PRIVATE = "private, no-cache"
VARY = ("Accept", "Authorization")
# Accept headers whose answer is the JSON renderer's; anything else (the
# browsable HTML pages, other formats) is served uncached.
JSON_ACCEPTS = frozenset({"", "*/*", "application/json"})
# Headers the view sets that a cached answer repeats; the middleware adds the
# rest (request id, security headers) on every answer.
KEPT_HEADERS = ("Content-Type", "Allow", "Content-Language")


@dataclass(frozen=True)
class Entry:
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
    may store what it saw before the commit, but under a generation nobody
    asks for afterwards. The first lets code inside an outer transaction (a
    test, a caller's atomic block) read its own change at once; a rollback
    only costs a refill."""
    generation_advance(namespace=namespace)
    transaction.on_commit(lambda: generation_advance(namespace=namespace), using=using)


def cached_reads(
    view: Callable,
    *,
    namespace: str,
    enabled: Callable[[], bool],
    timeout: Callable[[], int],
    representation: str,
) -> Callable:
    """Wrap a view function (`as_view()`'s result; its attributes are kept).
    `enabled` and `timeout` are read per request (settings may change in
    tests); `representation` names the answers' shape, so entries of another
    release's shape are never served."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.method != "GET":
            return view(request, *args, **kwargs)
        if not enabled() or not _anonymous_json(request):
            response = _rendered(view(request, *args, **kwargs))
            return _conditional(request, response, cache_control=PRIVATE)
        key = _entry_key(request, namespace=namespace, representation=representation)
        entry = cache.get(key)
        if entry is None:
            response = _rendered(view(request, *args, **kwargs))
            if response.status_code != 200:
                _headers(response, cache_control=PUBLIC)
                return response
            entry = _entry_of(response)
            cache.set(key, entry, timeout=timeout())
        if _matches(request, entry.etag):
            return _headers(
                HttpResponseNotModified(), cache_control=PUBLIC, etag=entry.etag
            )
        response = HttpResponse(entry.body, headers=dict(entry.headers))
        return _headers(response, cache_control=PUBLIC, etag=entry.etag)

    return wrapper


def _generation_key(namespace: str) -> str:
    return f"reads:{namespace}:generation"


def _anonymous_json(request) -> bool:
    if "HTTP_AUTHORIZATION" in request.META:
        return False
    if request.GET.get("format", "json") != "json":
        return False
    return request.META.get("HTTP_ACCEPT", "").strip().lower() in JSON_ACCEPTS


def _entry_key(request, *, namespace: str, representation: str) -> str:
    # Absolute links in the body depend on scheme and host; the query string
    # is sorted by name (a stable sort keeps repeated names in order).
    query = sorted(
        parse_qsl(request.META.get("QUERY_STRING", ""), keep_blank_values=True),
        key=lambda pair: pair[0],
    )
    parts = (
        representation,
        request.scheme,
        request.get_host(),
        request.path,
        urlencode(query),
    )
    digest = hashlib.sha256("\n".join(parts).encode()).hexdigest()
    return f"reads:{namespace}:{generation(namespace=namespace)}:{digest}"


def _rendered(response):
    render = getattr(response, "render", None)
    if render is not None and not response.is_rendered:
        render()
    return response


def _etag_of(body: bytes) -> str:
    # A digest of the bytes: equal tags mean equal bodies (a strong validator).
    return '"' + hashlib.blake2b(body, digest_size=16).hexdigest() + '"'


def _entry_of(response) -> Entry:
    headers = tuple(
        (name, response[name]) for name in KEPT_HEADERS if response.has_header(name)
    )
    return Entry(
        body=response.content, etag=_etag_of(response.content), headers=headers
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
