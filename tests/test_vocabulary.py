"""The shared vocabulary: periods, fiscal years, the monthly calendar (with the February
clamp made explicit), the injectable clock, Thai dates, the numbers and moments every mail
and report writes, and the names of the workflow's states (DESIGN §1, §3, §4)."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import numpy as np
import pytest
from conftest import at

from eop.calendar import CalendarRules, MonthCalendar, Phase, Window, open_entry_period
from eop.clock import BANGKOK, BadMoment, Clock, parse_moment
from eop.formats import baht, count, moment_en, moment_th, number, percent
from eop.periods import BadPeriod, Period, fiscal_year_months, months_between, parse_fiscal_year
from eop.states import STATE_NAMES, STATES, state_en, state_label, state_th
from eop.thai import date_en, date_th, datetime_th, to_arabic_digits, to_thai_digits

THAI = re.compile(r"[\u0E00-\u0E7F]")
MARCH = Period(2558, 3)


def days(window: Window) -> tuple[date, date]:
    return window.first, window.last


# -- periods ---------------------------------------------------------------------
@pytest.mark.parametrize(
    "text", ["2558-03", "2015-03", "๒๕๕๘-๐๓", " 2558-3 ", "2558/03", "๒๐๑๕-๐๓"]
)
def test_a_period_is_read_in_be_ce_or_thai_digits(text):
    assert Period.parse(text) == MARCH


def test_a_period_is_written_in_the_buddhist_era():
    assert str(Period.parse("2015-03")) == "2558-03"
    assert MARCH.year_ce == 2015
    assert Period.of(2015, 3) == MARCH
    assert Period.parse(MARCH) is MARCH
    assert MARCH.name_th == "มีนาคม 2558"
    assert MARCH.name_en == "March 2558 BE (2015)"
    assert MARCH.short_th == "มี.ค.58"


@pytest.mark.parametrize("text", ["March", "2558", "2558-13", "2558-00", "58-03", "", "2558-03-01"])
def test_a_bad_period_is_explained_in_thai_and_english(text):
    with pytest.raises(BadPeriod) as caught:
        Period.parse(text)
    message = str(caught.value)
    assert THAI.search(message), message
    assert re.search(r"period|month", message), message
    assert "—" in message  # Thai first, then English


def test_a_bad_period_message_shows_what_is_expected():
    with pytest.raises(BadPeriod, match="2558-03"):
        Period.parse("next month")


@pytest.mark.parametrize(
    ("period", "fiscal_year"),
    [
        ("2557-10", 2558),
        ("2557-12", 2558),
        ("2558-01", 2558),
        ("2558-09", 2558),
        ("2558-10", 2559),
        ("2557-09", 2557),
    ],
)
def test_the_fiscal_year_starts_in_october(period, fiscal_year):
    assert Period.parse(period).fiscal_year == fiscal_year


def test_shifting_crosses_years():
    assert str(Period(2557, 12).next()) == "2558-01"
    assert str(Period(2558, 1).previous()) == "2557-12"
    assert str(MARCH.shift(-15)) == "2556-12"
    assert str(MARCH.shift(22)) == "2560-01"
    assert MARCH.shift(0) == MARCH
    assert Period(2557, 12) < Period(2558, 1)


def test_fiscal_year_months_run_october_to_september():
    months = [str(p) for p in fiscal_year_months(2558)]
    assert months == [
        "2557-10",
        "2557-11",
        "2557-12",
        "2558-01",
        "2558-02",
        "2558-03",
        "2558-04",
        "2558-05",
        "2558-06",
        "2558-07",
        "2558-08",
        "2558-09",
    ]
    assert {p.fiscal_year for p in fiscal_year_months(2558)} == {2558}
    assert [str(p) for p in months_between(Period(2557, 11), Period(2558, 2))] == [
        "2557-11",
        "2557-12",
        "2558-01",
        "2558-02",
    ]


@pytest.mark.parametrize(
    ("text", "year"),
    [("2558", 2558), ("FY2558", 2558), ("2015", 2558), ("๒๕๕๘", 2558), (2558, 2558)],
)
def test_a_fiscal_year_is_read_in_be_or_ce(text, year):
    assert parse_fiscal_year(text) == year


def test_a_bad_fiscal_year_is_explained():
    with pytest.raises(BadPeriod, match="fiscal year") as caught:
        parse_fiscal_year("58")
    assert THAI.search(str(caught.value))


# -- the monthly calendar ----------------------------------------------------------
def test_march_2558_windows():
    month = MonthCalendar(MARCH)
    assert days(month.covers) == (date(2015, 2, 21), date(2015, 3, 20))
    assert days(month.entry) == (date(2015, 3, 25), date(2015, 3, 27))
    assert days(month.review) == (date(2015, 3, 28), date(2015, 3, 30))
    assert days(month.strategy) == (date(2015, 4, 1), date(2015, 4, 3))
    assert month.locks_at == datetime(2015, 4, 4, 0, 0, tzinfo=BANGKOK)
    assert month.entry.opens == datetime(2015, 3, 25, 0, 0, tzinfo=BANGKOK)
    assert month.entry.closes == datetime(2015, 3, 28, 0, 0, tzinfo=BANGKOK)


def test_a_period_crossing_the_year_covers_december_into_january():
    month = MonthCalendar(Period(2558, 1))
    assert days(month.covers) == (date(2014, 12, 21), date(2015, 1, 20))
    assert days(MonthCalendar(Period(2557, 12)).strategy) == (date(2015, 1, 1), date(2015, 1, 3))


def test_the_february_clamp_a_28_day_february_reviews_on_the_28th_alone():
    """Review is 28–30 of the month, clamped to its last day: Feb 2558 (2015) has 28 days."""
    february = MonthCalendar(Period(2558, 2))
    assert days(february.review) == (date(2015, 2, 28), date(2015, 2, 28))
    assert days(february.entry) == (date(2015, 2, 25), date(2015, 2, 27))
    assert days(february.strategy) == (date(2015, 3, 1), date(2015, 3, 3))
    assert february.phase(at(2015, 2, 28, 0, 0)) is Phase.REVIEW
    assert february.phase(at(2015, 2, 28, 23, 59)) is Phase.REVIEW
    assert february.phase(at(2015, 3, 1, 0, 0)) is Phase.STRATEGY
    assert february.locks_at == datetime(2015, 3, 4, tzinfo=BANGKOK)


def test_the_february_clamp_a_leap_february_reviews_on_the_28th_and_29th():
    february = MonthCalendar(Period(2559, 2))  # February 2016
    assert days(february.review) == (date(2016, 2, 28), date(2016, 2, 29))
    assert february.phase(at(2016, 2, 29, 23, 59)) is Phase.REVIEW
    assert february.phase(at(2016, 3, 1, 0, 0)) is Phase.STRATEGY


def test_a_30_day_month_keeps_its_full_review_window():
    april = MonthCalendar(Period(2558, 4))
    assert days(april.review) == (date(2015, 4, 28), date(2015, 4, 30))


@pytest.mark.parametrize(
    ("moment", "phase"),
    [
        (at(2015, 3, 20, 23, 59), Phase.BEFORE),
        (at(2015, 3, 24, 23, 59), Phase.BEFORE),
        (at(2015, 3, 25, 0, 0), Phase.ENTRY),
        (at(2015, 3, 27, 23, 59), Phase.ENTRY),
        (at(2015, 3, 28, 0, 0), Phase.REVIEW),
        (at(2015, 3, 30, 23, 59), Phase.REVIEW),
        (at(2015, 3, 31, 12, 0), Phase.REVIEW),  # the 31st: after review, before strategy
        (at(2015, 4, 1, 0, 0), Phase.STRATEGY),
        (at(2015, 4, 3, 23, 59), Phase.STRATEGY),
        (at(2015, 4, 4, 0, 0), Phase.LOCKED),
        (at(2016, 1, 1), Phase.LOCKED),
    ],
)
def test_phase_at_the_boundaries(moment, phase):
    assert MonthCalendar(MARCH).phase(moment) is phase


def test_a_moment_in_another_time_zone_is_judged_in_bangkok():
    # 3 April 17:00 UTC is 4 April 00:00 in Bangkok: locked

    month = MonthCalendar(MARCH)
    assert month.phase(datetime(2015, 4, 3, 17, 0, tzinfo=UTC)) is Phase.LOCKED
    assert month.phase(datetime(2015, 4, 3, 16, 59, tzinfo=UTC)) is Phase.STRATEGY


def test_late_and_locked():
    month = MonthCalendar(MARCH)
    assert not month.is_late_for_entry(at(2015, 3, 27, 23, 59))
    assert month.is_late_for_entry(at(2015, 3, 28, 0, 0))
    assert month.is_late_for_entry(at(2015, 4, 3, 23, 59))
    assert not month.is_late_for_entry(at(2015, 4, 4, 0, 0))
    assert month.is_locked(at(2015, 4, 4, 0, 0))
    assert not month.is_locked(at(2015, 4, 4, 0, 0) - timedelta(microseconds=1))


def test_a_gap_between_entry_and_review_is_its_own_phase():
    rules = CalendarRules(entry=(22, 24), review=(28, 30))
    assert MonthCalendar(MARCH, rules).phase(at(2015, 3, 26)) is Phase.BETWEEN


@pytest.mark.parametrize(
    ("moment", "period"),
    [
        (at(2015, 3, 24, 23, 59), None),
        (at(2015, 3, 25, 0, 0), "2558-03"),
        (at(2015, 3, 29), "2558-03"),
        (at(2015, 4, 2), "2558-03"),  # still March's strategy days
        (at(2015, 4, 3, 23, 59), "2558-03"),
        (at(2015, 4, 4, 0, 0), None),
        (at(2015, 4, 25), "2558-04"),
        (at(2015, 1, 2), "2557-12"),  # across the year
        (at(2015, 3, 2), "2558-02"),  # February's strategy days
    ],
)
def test_open_entry_period(moment, period):
    found = open_entry_period(moment)
    assert (str(found) if found else None) == period


# -- the clock ------------------------------------------------------------------------
def test_a_naive_moment_is_bangkok_time():
    moment = parse_moment("2015-03-25T10:00")
    assert moment == datetime(2015, 3, 25, 10, 0, tzinfo=BANGKOK)
    assert moment.utcoffset() == timedelta(hours=7)


def test_a_be_year_is_accepted():
    assert parse_moment("2558-03-25T10:00") == datetime(2015, 3, 25, 10, 0, tzinfo=BANGKOK)
    assert parse_moment("2558-03-25") == datetime(2015, 3, 25, 0, 0, tzinfo=BANGKOK)


def test_an_aware_moment_is_converted_to_bangkok():
    moment = parse_moment("2015-03-25T03:00:00+00:00")
    assert moment == datetime(2015, 3, 25, 10, 0, tzinfo=BANGKOK)
    assert moment.tzinfo == BANGKOK


@pytest.mark.parametrize("text", ["notadate", "2015-13-01", "", "25/03/2015"])
def test_a_bad_moment_is_explained_in_thai_and_english(text):
    with pytest.raises(BadMoment) as caught:
        parse_moment(text)
    message = str(caught.value)
    assert THAI.search(message) and "ISO" in message and "2015-03-25T10:00" in message


def test_the_clock_is_frozen_by_eop_now(monkeypatch):
    monkeypatch.setenv("EOP_NOW", "2558-03-25T10:00")
    clock = Clock.from_option(None)
    assert clock.frozen
    assert clock.now() == datetime(2015, 3, 25, 10, 0, tzinfo=BANGKOK)


def test_the_now_option_wins_over_the_environment(monkeypatch):
    monkeypatch.setenv("EOP_NOW", "2015-01-01T00:00")
    assert Clock.from_option("2015-03-25T10:00").now() == at(2015, 3, 25)


def test_without_eop_now_the_clock_is_real_bangkok_time(monkeypatch):
    monkeypatch.delenv("EOP_NOW", raising=False)
    clock = Clock.from_option(None)
    assert not clock.frozen
    assert abs(clock.now() - datetime.now(BANGKOK)) < timedelta(seconds=5)
    assert clock.now().tzinfo == BANGKOK


def test_a_frozen_clock_moves_when_set():
    clock = Clock(datetime(2015, 3, 25, 10, 0))  # naive → Bangkok
    assert clock.now() == at(2015, 3, 25)
    clock.set(at(2015, 4, 4, 0, 0))
    assert clock.now() == at(2015, 4, 4, 0, 0)


# -- Thai -------------------------------------------------------------------------------
def test_thai_digits_round_trip():
    assert to_thai_digits("2558-03") == "๒๕๕๘-๐๓"
    assert to_arabic_digits("๑๒,๕๐๐") == "12,500"
    assert to_arabic_digits(to_thai_digits("0123456789")) == "0123456789"


def test_dates_in_thai_and_english():
    assert date_th(date(2015, 1, 12)) == "12 มกราคม 2558"
    assert date_th(date(2015, 1, 12), short=True) == "12 ม.ค. 2558"
    assert date_th(date(2015, 1, 12), thai_digits=True) == "๑๒ มกราคม ๒๕๕๘"
    assert date_th(date(2014, 12, 31)) == "31 ธันวาคม 2557"
    assert datetime_th(at(2015, 3, 25, 10, 5)) == "25 มีนาคม 2558 เวลา 10:05 น."
    assert date_en(date(2015, 1, 12)) == "12 January 2558 BE"


# -- numbers, moments and states as people read them -----------------------------------------
def test_numbers_show_thousands_and_only_the_decimals_they_have():
    assert number(1234) == number(1234.0) == number(np.int64(1234)) == "1,234"
    assert number(1234.5) == number(np.float64(1234.5)) == "1,234.5"
    assert number(0.125, places=2) == "0.12"  # two places at most, half to even
    assert number(2.999) == "3"
    assert number(None) == number("") == "–"
    assert number("ไม่ระบุ") == "ไม่ระบุ"  # what is not a number is shown as it came


def test_money_shows_its_satang_and_percent_and_counts_their_places():
    assert baht(15000) == baht(15000.0) == "15,000.00"
    assert baht(32304.800000000003) == "32,304.80"  # the noise of float sums never shows
    assert baht(None) == "–"
    assert percent(66.6666) == "66.67" and percent(100) == "100.00"
    assert percent(12.34, places=1) == "12.3"
    assert count(1234.4) == "1,234"


def test_moments_in_the_buddhist_era_thai_and_english():
    moment = at(2015, 3, 25, 10, 0)
    assert moment_th(moment) == "25 มี.ค. 2558 10:00"
    assert moment_en(moment) == "25 March 2558 BE 10:00"


def test_every_state_has_one_name_in_thai_and_english():
    assert set(STATE_NAMES) == set(STATES)
    for state in STATES:
        assert THAI.search(state_th(state)) and not THAI.search(state_en(state)), state
        assert state_label(state) == f"{state_th(state)} / {state_en(state)}"
    assert len({state_th(s) for s in STATES}) == len(STATES)  # no two states read alike
    assert (state_th("returned"), state_en("submitted")) == ("ส่งกลับให้แก้ไข", "submitted")
    assert state_th("unheard-of") == "unheard-of"  # an unknown state is shown as recorded
