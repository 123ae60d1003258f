"""Rendered page fragments cached under a roadmap's data stamp.

A fragment holds only what every user with the same capabilities sees: it is
rendered without the request (no CSP nonce, no session data) and cached under
``parts``, which must name the roadmap's stamp (selectors.roadmap_stamp,
changed by every recorded write) and every capability that changes its
markup. A ``{% csrf_token %}`` inside it renders a placeholder, swapped for
the requester's own token on each response.
"""

import hashlib
from collections.abc import Callable

from django.core.cache import cache
from django.template.backends.utils import csrf_input
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe

from roadmap.selectors import CACHE_TIMEOUT

CSRF_PLACEHOLDER = "csrf-token-of-the-request"
# The exact markup of {% csrf_token %}: escaped user text cannot contain its
# quotes, so only the tag's own output is replaced.
_PLACEHOLDER_INPUT = (
    f'<input type="hidden" name="csrfmiddlewaretoken" value="{CSRF_PLACEHOLDER}">'
)


def cached_fragment(
    request,
    *,
    template: str,
    parts: list[str],
    build: Callable[[], dict],
    share: bool = True,
) -> tuple[SafeString, dict | None]:
    """``template`` rendered with ``build()``'s context, cached under ``parts``.

    Returns the HTML (with the request's CSRF token) and the context it was
    rendered with, or None when it came from the cache. When not ``share``
    (the user's own form text, its errors, a conflict), the fragment is
    rendered for this request alone, neither read from nor put in the cache.
    """
    if not share:
        context = build()
        return render_to_string(template, context, request=request), context
    digest = hashlib.sha256("|".join([template, *parts]).encode()).hexdigest()
    key = f"roadmap:fragment:v1:{digest}"
    html = cache.get(key)
    context = None
    if html is None:
        context = build()
        html = render_to_string(template, {**context, "csrf_token": CSRF_PLACEHOLDER})
        cache.set(key, html, CACHE_TIMEOUT)
    if _PLACEHOLDER_INPUT in html:
        html = html.replace(_PLACEHOLDER_INPUT, str(csrf_input(request)))
    return mark_safe(html), context  # noqa: S308 (rendered by the template engine)
