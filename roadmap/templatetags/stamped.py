"""``{% stamped "name" stamp part... [shared=flag] %}...{% endstamped %}``:
the block rendered once and cached under roadmap.cache's scheme.

The parts must name the data's stamp and everything that changes the
block's markup (the user's capabilities, a page number). ``shared=False``
(the user's own form text, its errors, a conflict) renders the block for this
request alone. A ``{% csrf_token %}`` inside renders a placeholder in the
cache, swapped for the requester's own token on every response.
"""

from django import template
from django.core.cache import cache
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from roadmap.cache import TIMEOUT, key

register = template.Library()

CSRF_PLACEHOLDER = "csrf-token-of-the-request"
# The exact markup of {% csrf_token %}: escaped user text cannot contain its
# quotes, so only the tag's own output is replaced.
_INPUT = '<input type="hidden" name="csrfmiddlewaretoken" value="{}">'
_PLACEHOLDER_INPUT = _INPUT.format(CSRF_PLACEHOLDER)


class StampedNode(template.Node):
    def __init__(self, nodelist, parts, shared):
        self.nodelist = nodelist
        self.parts = parts
        self.shared = shared

    def render(self, context):
        if self.shared is not None and not self.shared.resolve(context):
            return self.nodelist.render(context)
        parts = [part.resolve(context) for part in self.parts]
        name = key("fragment", self.origin.template_name, *parts)
        html = cache.get(name)
        if html is None:
            with context.push(csrf_token=CSRF_PLACEHOLDER):
                html = self.nodelist.render(context)
            cache.set(name, html, TIMEOUT)
        if _PLACEHOLDER_INPUT in html:
            token = context.get("csrf_token")
            html = html.replace(_PLACEHOLDER_INPUT, format_html(_INPUT, token))
        return mark_safe(html)  # noqa: S308 (rendered by the template engine)


@register.tag
def stamped(parser, token):
    bits = token.split_contents()[1:]
    if not bits:
        raise template.TemplateSyntaxError("{% stamped %} needs a name and a stamp.")
    shared = None
    if bits[-1].startswith("shared="):
        shared = parser.compile_filter(bits.pop().removeprefix("shared="))
    nodelist = parser.parse(("endstamped",))
    parser.delete_first_token()
    return StampedNode(nodelist, [parser.compile_filter(bit) for bit in bits], shared)
