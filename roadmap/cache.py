"""One cache-key scheme for every cached value and fragment of the roadmap
pages: the parts of a key name a stamp of the data (a query read on every
request: roadmap.selectors.roadmap_stamp, roadmap.dashboard.selectors.
data_stamp), so that a write gives new keys in every process at once, and
whatever else the value depends on. The timeout only bounds how long an
unused entry holds memory.
"""

import hashlib

from django.core.cache import cache

TIMEOUT = 60 * 60


def key(*parts) -> str:
    digest = hashlib.sha256("|".join(map(str, parts)).encode()).hexdigest()
    return f"roadmap:v2:{digest}"


def get_or_compute(parts, compute):
    """``compute()``, cached under ``parts`` (which name the data's stamp)."""
    name = key(*parts)
    value = cache.get(name)
    if value is None:
        value = compute()
        cache.set(name, value, TIMEOUT)
    return value
