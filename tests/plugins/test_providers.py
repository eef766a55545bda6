"""The helpers the channel plugins share: Retry-After, times, signatures."""

from __future__ import annotations

import datetime
import email.utils
import time

import pytest

from plugins import providers
from plugins.providers import SignatureError


def test_retry_after_in_seconds_or_as_a_date() -> None:
    assert providers.retry_after_seconds("120") == 120
    assert providers.retry_after_seconds("1.5") == 1.5
    later = datetime.datetime.now(datetime.UTC) + datetime.timedelta(seconds=90)
    seconds = providers.retry_after_seconds(email.utils.format_datetime(later, usegmt=True))
    assert seconds is not None and 85 <= seconds <= 90
    assert providers.retry_after_seconds("soon") is None
    assert providers.retry_after_seconds(None) is None


def test_parse_time() -> None:
    assert providers.parse_time("2025-10-12T10:00:00+08:00") == datetime.datetime(
        2025, 10, 12, 2, tzinfo=datetime.UTC)
    assert providers.parse_time("2025-10-12T02:00:00Z") == datetime.datetime(
        2025, 10, 12, 2, tzinfo=datetime.UTC)
    assert providers.parse_time(0) == datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)
    assert providers.parse_time(None) is None
    with pytest.raises(ValueError, match="not a time"):
        providers.parse_time("yesterday")


def test_signatures() -> None:
    signature = providers.sign("secret", b"body")
    providers.check_signature("secret", b"body", signature)
    providers.check_signature("secret", b"body", "sha256=" + signature.upper())
    for secret, given in [("secret", None), (None, signature), ("other", signature)]:
        with pytest.raises(SignatureError):
            providers.check_signature(secret, b"body", given)
    providers.check_timestamp(str(int(time.time())))
    for stamp in ("", "abc", str(int(time.time()) + 3600)):
        with pytest.raises(SignatureError):
            providers.check_timestamp(stamp)
