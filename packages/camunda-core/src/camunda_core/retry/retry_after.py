"""``Retry-After``: parsing the header a server or proxy sends with a 429/503.

Pure and clock-free (the HTTP-date form takes ``now=``). Imports nothing from the
rest of the SDK, so :mod:`camunda_core.errors` can use it to fill
``ApiError.retry_after`` when an error response is mapped.
"""

from __future__ import annotations

import datetime
import math
import re
import time
from collections.abc import Mapping
from email.utils import parsedate_tz

__all__ = ["RETRY_AFTER_CAP", "parse_retry_after", "retry_after_from_headers"]

#: Longest wait a Retry-After header can ask for, in seconds. A proxy asking
#: for more is treated as asking for this much (a policy's deadline still applies).
RETRY_AFTER_CAP = 300.0

# delta-seconds is digits only; a decimal fraction is tolerated because some
# proxies send one.
_DELTA_SECONDS = re.compile(r"[0-9]+(?:\.[0-9]+)?")
_SIGNED_NUMBER = re.compile(r"[+-]?[0-9]*\.?[0-9]+")


def parse_retry_after(value: str | None, *, now: float | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header value.

    Accepts delta-seconds (``"120"``; a decimal fraction is tolerated) and an
    HTTP-date (IMF-fixdate, RFC 850 and asctime forms; a date without a zone is
    taken as GMT). ``now`` is the current POSIX time for the HTTP-date case
    (default ``time.time()``). A date in the past means "now" (0.0). Negative,
    non-finite or unparseable values give None. The result is capped at
    :data:`RETRY_AFTER_CAP`.
    """
    if value is None:
        return None
    text = value.strip()
    if not text:
        return None
    if _SIGNED_NUMBER.fullmatch(text) is not None:
        # A number, but not a valid delta-seconds (negative): garbage, not "now".
        seconds = _parse_delta_seconds(text)
    else:
        seconds = _parse_http_date_delay(text, time.time() if now is None else now)
    if seconds is None:
        return None
    return min(seconds, RETRY_AFTER_CAP)


def retry_after_from_headers(headers: Mapping[str, str], *, now: float | None = None) -> float | None:
    """:func:`parse_retry_after` of the ``Retry-After`` header in ``headers``, found in any letter case."""
    value = headers.get("retry-after")
    if value is None:
        # httpx.Headers matches any case already; a plain dict may hold "Retry-After".
        value = next((v for k, v in headers.items() if k.lower() == "retry-after"), None)
    return parse_retry_after(value, now=now)


def _parse_delta_seconds(text: str) -> float | None:
    if _DELTA_SECONDS.fullmatch(text) is None:
        return None
    seconds = float(text)
    return seconds if math.isfinite(seconds) else None


def _parse_http_date_delay(text: str, now: float) -> float | None:
    parsed = parsedate_tz(text)
    if parsed is None:
        return None
    year, month, day, hour, minute, second = parsed[:6]
    # parsedate_tz gives the zone offset in seconds, or None for asctime
    # dates, which HTTP defines as GMT.
    offset = parsed[9] or 0
    try:
        # datetime rejects what timegm would silently roll over (32 October).
        when = datetime.datetime(
            year, month, day, hour, minute, second, tzinfo=datetime.timezone.utc
        )
    except (OverflowError, ValueError):
        return None
    return max(0.0, when.timestamp() - offset - now)
