"""The browsable API (DRF's HTML renderer): a session login for its pages
only, and page titles that name the resource ("Products", not "Product List
Create Api"). JSON clients authenticate with a bearer token alone."""

import re

from rest_framework.authentication import SessionAuthentication

BROWSABLE_FORMAT = "api"
# The class name's tail that says how a view serves its resource.
_VIEW_KIND = re.compile(r"(ListCreate|List|Detail|Create)?Api$")
_WORD_START = re.compile(r"(?<!^)(?=[A-Z])")


class BrowsableApiSessionAuthentication(SessionAuthentication):
    """A session authenticates a request only when it asked for HTML pages; DRF
    negotiates the renderer before it authenticates."""

    def authenticate(self, request):
        renderer = getattr(request, "accepted_renderer", None)
        if getattr(renderer, "format", None) != BROWSABLE_FORMAT:
            return None
        return super().authenticate(request)


def view_name(view) -> str:
    """REST_FRAMEWORK["VIEW_NAME_FUNCTION"]: a collection is plural, one item
    singular: ProductListCreateApi is "Products", ProductDetailApi "Product"."""
    explicit = getattr(view, "name", None)
    if explicit:
        return explicit
    class_name = type(view).__name__
    kind = _VIEW_KIND.search(class_name)
    words = _WORD_START.sub(" ", class_name[: kind.start()] if kind else class_name)
    if kind and kind.group(1) in ("ListCreate", "List"):
        words = _plural(words)
    return words[:1] + words[1:].lower()


def _plural(words: str) -> str:
    if words.endswith("y") and words[-2:-1] not in "aeiou":
        return words[:-1] + "ies"
    return words + "s"
