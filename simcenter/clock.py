"""Calendar time <-> simulation seconds, in the scenario's time zone.

Arrival profiles and staffing plans are written in wall-clock time of day
("08:00") and by weekday; the simulation runs in elapsed seconds from the
scenario ``start``. Conversions go through UTC, so days with a daylight-saving
change have 23 or 25 hours, as they do for the people working them.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone


class ScenarioClock:
    """Maps local calendar days and times of day to simulation seconds.

    Args:
        start: Timezone-aware calendar time of simulation time 0.
    """

    def __init__(self, start: datetime) -> None:
        self._start_utc = start.astimezone(timezone.utc)
        self._zone = start.tzinfo
        self._first_day = start.replace(tzinfo=None).date()

    def seconds_at(self, day: int, time_of_day_s: float) -> float:
        """Simulation seconds at wall-clock ``time_of_day_s`` on local day ``day``.

        Args:
            day: Days after the start's local date (0 = the start's date).
            time_of_day_s: Seconds since local midnight (may exceed one day).
        """
        local = datetime.combine(self._first_day + timedelta(days=day), datetime.min.time())
        wall = local + timedelta(seconds=time_of_day_s)
        return (self._to_utc(wall) - self._start_utc).total_seconds()

    def _to_utc(self, wall: datetime) -> datetime:
        """UTC instant of a local wall-clock time.

        A time repeated when clocks go back means its first occurrence. A time
        skipped when clocks go forward does not exist; it means the instant of
        the change, so that later wall-clock times are never earlier instants.
        """
        first = wall.replace(tzinfo=self._zone, fold=0).astimezone(timezone.utc)
        second = wall.replace(tzinfo=self._zone, fold=1).astimezone(timezone.utc)
        if first <= second:  # an ordinary or a repeated time
            return min(first, second)
        low, high = second, first  # skipped: the change lies between the two readings
        while high - low > timedelta(microseconds=1):
            middle = low + (high - low) / 2
            if middle.astimezone(self._zone).utcoffset() == low.astimezone(self._zone).utcoffset():
                low = middle
            else:
                high = middle
        return high

    def date(self, day: int) -> date:
        """Local calendar date of day ``day`` (as in :meth:`seconds_at`)."""
        return self._first_day + timedelta(days=day)

    def weekday(self, day: int) -> int:
        """Weekday of local day ``day`` (0 = Monday)."""
        return (self._first_day + timedelta(days=day)).weekday()

    def time_of_day(self, seconds: float) -> float:
        """Local wall-clock time (seconds since midnight) at simulation time ``seconds``."""
        moment = (self._start_utc + timedelta(seconds=seconds)).astimezone(self._zone)
        midnight = moment.replace(hour=0, minute=0, second=0, microsecond=0)
        return (moment.replace(tzinfo=None) - midnight.replace(tzinfo=None)).total_seconds()

    def day_of(self, seconds: float) -> int:
        """The local day (as in :meth:`seconds_at`) that contains simulation time ``seconds``."""
        moment = (self._start_utc + timedelta(seconds=seconds)).astimezone(self._zone)
        return (moment.replace(tzinfo=None).date() - self._first_day).days
