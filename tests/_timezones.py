"""Timezones for tests: one that knows no offset."""

from datetime import datetime, timedelta, tzinfo


class NoOffset(tzinfo):
    """A tzinfo that knows no offset: a datetime with it is naive for Python and pydantic."""

    def utcoffset(self, dt: datetime | None) -> timedelta | None:
        return None

    def dst(self, dt: datetime | None) -> timedelta | None:
        return None

    def tzname(self, dt: datetime | None) -> str | None:
        return None
