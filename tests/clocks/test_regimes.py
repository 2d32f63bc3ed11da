"""Regulatory clock arithmetic against hand-worked cases (FACTS.md, "Clocks")."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from vendorrisk.clocks.regimes import (
    REGIMES,
    ClockError,
    Facts,
    add_months,
    check_facts,
    deadlines,
    firm_zone,
)

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def due(regimes: list[str], facts: Facts, tz: ZoneInfo = BERLIN) -> dict[str, datetime | None]:
    return {d.stage: d.due_at for d in deadlines(regimes, facts, tz)}


def test_gdpr_72_hours_across_the_spring_dst_change_are_elapsed_hours():
    """Aware Fri 27 Mar 2026 10:00 CET: 72 h later is Mon 30 Mar 11:00 CEST (clocks went forward)."""
    aware = datetime(2026, 3, 27, 10, 0, tzinfo=BERLIN)
    assert aware.astimezone(UTC) == utc(2026, 3, 27, 9, 0)
    got = due(["gdpr"], Facts(aware_at=aware))["gdpr_authority"]
    assert got == utc(2026, 3, 30, 9, 0)
    assert got.astimezone(BERLIN).strftime("%Y-%m-%d %H:%M %Z") == "2026-03-30 11:00 CEST"


def test_nis2_final_report_one_month_after_31_january_is_28_february():
    """Notification filed 31 Jan 2026 16:00 CET: final report due 28 Feb 2026 16:00 CET."""
    aware = utc(2026, 1, 30, 12, 0)
    filed = datetime(2026, 1, 31, 16, 0, tzinfo=BERLIN)
    got = due(["nis2"], Facts(aware_at=aware, filed={"nis2_notification": filed}))
    assert got["nis2_early_warning"] == utc(2026, 1, 31, 12, 0)
    assert got["nis2_notification"] == utc(2026, 2, 2, 12, 0)
    assert got["nis2_final"] == utc(2026, 2, 28, 15, 0)


def test_nis2_final_report_waits_for_the_notification():
    """Before the notification is filed, the final report has no due time and says why."""
    (final,) = [d for d in deadlines(["nis2"], Facts(aware_at=utc(2026, 1, 1)), BERLIN)][2:]
    assert final.due_at is None
    assert final.waiting_for == "incident notification"


def test_one_month_in_a_leap_year_ends_on_29_february():
    """31 Jan 2028 09:00 local plus one month is 29 Feb 2028 09:00 local."""
    start = datetime(2028, 1, 31, 9, 0, tzinfo=BERLIN)
    assert add_months(start, 1, BERLIN) == datetime(2028, 2, 29, 9, 0, tzinfo=BERLIN)


def test_one_month_across_the_spring_change_keeps_the_local_wall_time():
    """15 Mar 2026 10:00 CET (09:00 UTC) plus one month is 15 Apr 10:00 CEST (08:00 UTC)."""
    start = datetime(2026, 3, 15, 10, 0, tzinfo=BERLIN)
    assert add_months(start, 1, BERLIN) == utc(2026, 4, 15, 8, 0)


def test_one_month_landing_in_the_skipped_hour_moves_forward():
    """28 Feb 2032 02:30 plus one month is 28 Mar 2032 02:30, which does not exist: 03:30 CEST."""
    start = datetime(2032, 2, 28, 2, 30, tzinfo=BERLIN)
    got = add_months(start, 1, BERLIN)
    assert got == utc(2032, 3, 28, 1, 30)
    assert got.astimezone(BERLIN).strftime("%H:%M %Z") == "03:30 CEST"


def test_dora_initial_is_capped_at_24_hours_after_awareness_across_the_autumn_change():
    """Aware Sat 24 Oct 2026 09:00 CEST, classified Sun 25 Oct 05:30 CET: classification + 4 h
    (08:30 UTC) is later than awareness + 24 h (07:00 UTC = 08:00 CET), so 08:00 CET wins."""
    facts = Facts(
        aware_at=datetime(2026, 10, 24, 9, 0, tzinfo=BERLIN),
        classified_at=datetime(2026, 10, 25, 5, 30, tzinfo=BERLIN),
    )
    got = due(["dora"], facts)["dora_initial"]
    assert got == utc(2026, 10, 25, 7, 0)
    assert got.astimezone(BERLIN).strftime("%H:%M %Z") == "08:00 CET"


def test_dora_initial_is_4_hours_after_an_early_classification():
    """Classified an hour after awareness: the initial notification is due 4 h after classifying."""
    facts = Facts(aware_at=utc(2026, 10, 24, 7, 0), classified_at=utc(2026, 10, 24, 8, 0))
    assert due(["dora"], facts)["dora_initial"] == utc(2026, 10, 24, 12, 0)


def test_dora_initial_before_classification_runs_24_hours_from_awareness():
    """Not yet classified: the 24 h outer limit from awareness is already the deadline."""
    facts = Facts(aware_at=utc(2026, 10, 24, 7, 0))
    assert due(["dora"], facts)["dora_initial"] == utc(2026, 10, 25, 7, 0)


def test_dora_intermediate_and_final_run_from_the_filings():
    """Initial filed 24 Oct 13:00 CEST: intermediate 27 Oct 12:00 CET (72 h). Latest intermediate
    filed 31 Oct 10:00 CET: final report 30 Nov 10:00 CET (one month, November has 30 days)."""
    facts = Facts(
        aware_at=utc(2026, 10, 24, 7, 0),
        classified_at=utc(2026, 10, 24, 8, 0),
        filed={
            "dora_initial": datetime(2026, 10, 24, 13, 0, tzinfo=BERLIN),
            "dora_intermediate": datetime(2026, 10, 31, 10, 0, tzinfo=BERLIN),
        },
    )
    got = due(["dora"], facts)
    assert got["dora_intermediate"] == utc(2026, 10, 27, 11, 0)
    assert got["dora_intermediate"].astimezone(BERLIN).hour == 12
    assert got["dora_final"] == utc(2026, 11, 30, 9, 0)


def test_sec_sp_customers_30_calendar_days_across_the_us_spring_change():
    """Aware 1 Mar 2026 09:00 EST: customers by 31 Mar 09:00 EDT (13:00 UTC); the provider's
    72 h to the covered institution end 4 Mar 14:00 UTC."""
    facts = Facts(aware_at=datetime(2026, 3, 1, 9, 0, tzinfo=NEW_YORK))
    got = due(["sec_sp"], facts, NEW_YORK)
    assert got["sec_sp_customers"] == utc(2026, 3, 31, 13, 0)
    assert got["sec_sp_institution"] == utc(2026, 3, 4, 14, 0)


def test_us_bank_rule_36_hours_from_determination_and_nydfs_72_hours_from_awareness():
    """The bank rule waits for the determination; NYDFS runs from awareness."""
    facts = Facts(aware_at=utc(2026, 5, 4, 8, 0), classified_at=utc(2026, 5, 4, 20, 0))
    got = due(["us_bank", "nydfs"], facts, NEW_YORK)
    assert got == {
        "us_bank_regulator": utc(2026, 5, 6, 8, 0),
        "nydfs_superintendent": utc(2026, 5, 7, 8, 0),
    }
    waiting = deadlines(["us_bank"], Facts(aware_at=utc(2026, 5, 4, 8, 0)), NEW_YORK)[0]
    assert (waiting.due_at, waiting.waiting_for) == (None, "classification")


def test_every_stage_names_its_legal_basis():
    """No deadline is shown without the provision it comes from."""
    for regime in REGIMES:
        assert regime.source
        for stage in regime.stages:
            assert stage.basis and stage.title


NOW = utc(2026, 6, 1, 12, 0)


@pytest.mark.parametrize(
    ("facts", "message"),
    [
        (Facts(aware_at=utc(2026, 6, 2)), "The awareness time is in the future."),
        (
            Facts(aware_at=utc(2026, 5, 1), incident_at=utc(2026, 5, 2)),
            "The awareness time is before the incident began.",
        ),
        (
            Facts(aware_at=utc(2026, 5, 2), classified_at=utc(2026, 5, 1)),
            "The classification time is before the firm became aware.",
        ),
        (Facts(aware_at=datetime(2026, 5, 1)), "The awareness time must carry a time zone."),
        (
            Facts(aware_at=utc(2026, 5, 1), filed={"dora_initial": utc(2026, 7, 1)}),
            "A filing time is in the future.",
        ),
    ],
)
def test_impossible_facts_are_refused_with_a_reason(facts, message):
    """Future awareness, awareness before the incident, naive times: refused, never adjusted."""
    with pytest.raises(ClockError) as err:
        check_facts(facts, NOW)
    assert str(err.value) == message


def test_an_unknown_zone_or_regime_is_refused_not_replaced_by_utc():
    """A mistyped zone name is an error, not silently UTC."""
    assert firm_zone("Europe/Berlin") == BERLIN
    with pytest.raises(ClockError, match="not an IANA time zone"):
        firm_zone("Europe/Berlln")
    with pytest.raises(ClockError, match="Unknown regime"):
        deadlines(["gdrp"], Facts(aware_at=NOW), BERLIN)


def test_a_wall_time_the_clocks_skip_or_repeat_is_refused_not_guessed():
    """29 Mar 2026 02:30 does not exist in Berlin; 25 Oct 2026 02:30 happens twice."""
    from vendorrisk.clocks.regimes import wall_time_to_utc

    assert wall_time_to_utc(datetime(2026, 3, 29, 3, 30), BERLIN) == utc(2026, 3, 29, 1, 30)
    with pytest.raises(ClockError, match="does not exist in Europe/Berlin"):
        wall_time_to_utc(datetime(2026, 3, 29, 2, 30), BERLIN)
    with pytest.raises(ClockError, match="happens twice in Europe/Berlin"):
        wall_time_to_utc(datetime(2026, 10, 25, 2, 30), BERLIN)
