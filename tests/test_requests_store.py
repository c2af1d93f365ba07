"""The consultation request store and the staff command line, on real SQLite files."""

from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from bot.app.cli import main
from bot.core.contact import (
    clean_contact,
    clean_name,
    clean_time,
    consent_condition,
    details_for_wish,
    means_wished,
    with_condition,
)
from bot.storage.requests import REFERENCE_ALPHABET, ConsultationRequest, RequestStore, StoreUnavailable


def request(**overrides) -> ConsultationRequest:
    data = dict(name="Ann Lee", contact="ann@example.com", contact_kind="email", preferred_time="mornings",
                outcome="consult_recommended", answers={"q1": "yes"})
    data.update(overrides)
    return ConsultationRequest(**data)


def test_store_list_and_purge(tmp_path: Path) -> None:
    store = RequestStore(f"sqlite:///{tmp_path / 'r.db'}", spool=tmp_path / "spool.jsonl")
    old = request(created_at=datetime.now(timezone.utc) - timedelta(days=40))
    new = request(name="Bo Chen")
    store.add(old)
    store.add(new)
    assert [r.name for r in store.all()] == ["Ann Lee", "Bo Chen"]
    assert store.delete_older_than(30) == 1
    assert [r.reference for r in store.all()] == [new.reference]


def test_references_are_unique_and_readable() -> None:
    refs = {request().reference for _ in range(200)}
    assert len(refs) == 200
    assert all(r.startswith("MILD-") and set(r[5:]) <= set(REFERENCE_ALPHABET) for r in refs)


def test_unreachable_database_raises_without_personal_data(tmp_path: Path) -> None:
    store = RequestStore("postgresql://u:p@127.0.0.1:1/x", spool=tmp_path / "spool.jsonl")
    with pytest.raises(StoreUnavailable) as error:
        store.add(request())
    assert "Ann" not in str(error.value) and "example.com" not in str(error.value)


def test_cli_list_export_purge(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    url = f"sqlite:///{tmp_path / 'r.db'}"
    stored = request()
    RequestStore(url, spool=tmp_path / "s.jsonl").add(stored)
    assert main(["requests", "--database-url", url, "list"]) == 0
    assert stored.reference in capsys.readouterr().out
    out = tmp_path / "x.csv"
    assert main(["requests", "--database-url", url, "export", "--csv", str(out)]) == 0
    assert "ann@example.com" in out.read_text()
    assert main(["requests", "--database-url", url, "purge", "--older-than-days", "0"]) == 0
    assert "Deleted 1" in capsys.readouterr().out


@pytest.mark.parametrize("text, expected", [("My name is Ann Lee", "Ann Lee"), ("José Álvarez", "José Álvarez"),
                                            ("O'Brien", "O'Brien"), ("a", None), ("12345", None),
                                            ("what is mild and how long is recovery going to be", None)])
def test_clean_name(text: str, expected: object) -> None:
    assert clean_name(text) == expected


@pytest.mark.parametrize("text, expected", [
    ("ann@example.com", ("email", "ann@example.com")), ("my email is Ann@Example.com", ("email", "ann@example.com")),
    ("+1 (555) 010-7788", ("phone", "+1 (555) 010-7788")), ("phone: 555 010 7788", ("phone", "555 010 7788")),
    # the form's own record, read again when the form resumes ("phone:...", "email:...")
    ("email:ann@example.com", ("email", "ann@example.com")), ("phone:555 010 7788", ("phone", "555 010 7788")),
    ("ann@", None), ("12", None), ("call me", None), ("", None)])
def test_clean_contact(text: str, expected: object) -> None:
    assert clean_contact(text) == expected


@pytest.mark.parametrize("text, expected", [
    # typed with spaces, or said to voice typing
    ("ann @ example.com", ("email", "ann@example.com")), ("ann@example .com", ("email", "ann@example.com")),
    ("ann@ example. com", ("email", "ann@example.com")), ("ann @ example.com. thanks", ("email", "ann@example.com")),
    ("ann at example dot com", ("email", "ann@example.com")), ("ANN AT EXAMPLE DOT COM", ("email", "ann@example.com")),
    ("my email is john dot smith at gmail dot co dot uk", ("email", "john.smith@gmail.co.uk")),
    ("john.smith at gmail dot com", ("email", "john.smith@gmail.com")),
    ("john underscore smith at gmail.com", ("email", "john_smith@gmail.com")),
    # not the whole reply, or no usual ending: refused (asked again), never a wrong address
    ("j smith at yahoo dot com", None), ("Tuesday @ 5.30pm", None), ("call @ 11.45", None),
    ("she is at home dot all day", None), ("ann at example", None),
    # a number in words
    ("five five five, one two three, four five six seven", ("phone", "5551234567")),
    ("oh seven seven double oh nine oh oh one two three", ("phone", "07700900123")),
    ("one two three", None), ("nine to five", None), ("call me at home", None),
    # both: kept, the clinic chooses; only a phone number beside the address, nothing else
    ("555 123 4567 or ann@example.com", ("both", "555 123 4567, ann@example.com")),
    ("email ann@example.com, phone 555-123-4567", ("both", "555-123-4567, ann@example.com")),
    ("07700 900123 / ann@example.com", ("both", "07700 900123, ann@example.com")),
    ("both:555 123 4567, ann@example.com", ("both", "555 123 4567, ann@example.com")),  # the form's record, read again
    ("ann@example.com, best 09.00-17.00", ("email", "ann@example.com")),
    ("ann@example.com not 555 123 4567", ("email", "ann@example.com")),
    ("ann@example.com, dob 12.03.1950", ("email", "ann@example.com")),
    ("ann@example.com 09:00-17:00", ("email", "ann@example.com")), ("ann@example.com 12/03/1950", ("email", "ann@example.com")),
    ("ann1955@example.com", ("email", "ann1955@example.com")),
])
def test_contact_details_as_patients_give_them(text: str, expected: object) -> None:
    assert clean_contact(text, as_said=True) == expected


@pytest.mark.parametrize("text, expected", [
    ("ann at example dot com", None), ("ann @ example.com", None),
    ("555 123 4567 or ann@example.com", ("email", "ann@example.com")),
    ("five five five one two three four five six seven", None)])
def test_elsewhere_only_details_written_plainly_count(text: str, expected: object) -> None:
    """At the time or consent question (a correction) or with a name, the loose readings are not used."""
    assert clean_contact(text) == expected


@pytest.mark.parametrize("text, expected", [
    ("yes but only by email", "only by email"), ("Yes, but don't call before 10", "don't call before 10"),
    ("ok, as long as they text first.", "they text first"), ("yes I agree but email only", "email only"),
    ("of course, but only after 5:30", "only after 5:30"), ("yes I agree", None), ("yes please", None),
    ("yes but I'm a bit nervous", None), ("yes but not my answers", None), ("yes but will they call me?", None),
    ("no but email is fine", None), ("yes but delete it after 2 weeks", None), ("yes but I have 2 questions", None),
    ("yes but my email is wrong", None), ("yes, email only", "email only"), ("yes only mornings", "only mornings"),
    ("yes but I'm in pain every morning", None), ("yes but call my daughter on 07700 900123", None),
    ("yes but send the results to my GP by email", None), ("yes, email only please", "email only"),
    ("yes, by email please", "by email"), ("yep email", "email"), ("yes please", None),
    ("yes but only email, not my mobile number", "only email, not my mobile number"), ("yes but my legs are numb", None)])
def test_a_wish_given_with_the_consent(text: str, expected: object) -> None:
    assert consent_condition(text) == expected


@pytest.mark.parametrize("condition, expected", [
    ("only by email", "email"), ("email only", "email"), ("no calls, email is fine", "email"), ("not by phone", "email"),
    ("please don't call, email me", "email"), ("only text me", "phone"), ("whatsapp only", "phone"),
    ("no emails please", "phone"), ("only call my mobile", "phone"), ("don't call before 10", None),
    ("only mornings", None), ("they text first", None), ("email or phone is fine", None),
    ("no calls and no emails", None), ("only after 5:30", None), (None, None),
    # from a review: the means wished, a refusal of one means with another wished, and wishes about when or how often
    ("by email", "email"), ("text me", "phone"), ("please email rather than call", "email"),
    ("I'd rather they didn't ring", "email"), ("only by email (I work nights)", "email"), ("just text no calls", "phone"),
    ("no texts please, call instead", "phone"), ("don't text, phone me", None), ("don't call at work", None),
    ("please don't call during work hours", None), ("just one call is fine", None), ("phone only if urgent", None),
    ("only emergencies by phone", None), ("only call after 5pm", "phone"), ("I'd rather not get a call", "email"),
    ("I don't want calls", "email"),
    # from the second review: a refused call is a wish for e-mail, another way of phoning is not
    ("don't call me", "email"), ("do not ring me please", "email"), ("please don't call me, email instead", "email"),
    ("please call instead", "phone"), ("I'd rather they emailed", "email"), ("only call on my mobile", "phone"),
    ("I don't have a mobile", None), ("I don't want texts", None), ("no voicemail please", None),
    ("I'd rather not be called", "email")])
def test_the_one_means_of_contact_a_wish_asks_for(condition: object, expected: object) -> None:
    assert means_wished(condition) == expected


@pytest.mark.parametrize("condition, given, asked_before, text, expected", [
    ("only by email", "phone:555 123 4567", False, "yes but only by email", (None, "email")),
    ("only by email", "phone:555 123 4567", True, "yes but only by email", (None, None)),  # asked once already
    ("only by email", "email:ann@example.com", False, "yes but only by email", (None, None)),
    ("only by email", "both:555 123 4567, ann@example.com", False, "yes but only by email", (None, None)),
    ("just text me", "email:ann@example.com", False, "yes, just text me", (None, "phone")),
    ("only by email: ann@example.com", "phone:555 123 4567", False, "yes, only by email: ann@example.com",
     ("email:ann@example.com", None)),
    # a time beside the wish is never taken as the number
    ("only by phone, 09.00-17.00", "email:ann@example.com", False, "yes but only by phone, 09.00-17.00", (None, "phone")),
    ("don't call before 10", "phone:555 123 4567", False, "yes, but don't call before 10", (None, None)),
])
def test_what_a_wish_does_to_the_details(condition: str, given: str, asked_before: bool, text: str,
                                         expected: tuple) -> None:
    assert details_for_wish(condition, given, asked_before, text) == expected


def test_a_wish_joins_the_preferred_time_within_its_field() -> None:
    assert with_condition("weekday mornings", "only by email") == "weekday mornings; only by email"
    long = with_condition("x" * 190, "only by email")
    assert len(long) <= 200 and long.startswith("x" * 190 + "; only") and long.endswith("...")


def test_clean_time() -> None:
    assert clean_time("weekday mornings") == "weekday mornings" and clean_time("!") is None


def test_the_details_of_a_sent_request_are_changed_only_in_its_own_conversation(tmp_path: Path) -> None:
    store = RequestStore(f"sqlite:///{tmp_path / 'r.db'}", spool=tmp_path / "spool.jsonl")
    mine, other = request(conversation_id="c-1"), request(conversation_id="c-2")
    store.add(mine)
    store.add(other)
    assert store.change_contact("c-2", mine.reference, "phone", "555 123 4568") == 0  # not its conversation
    assert store.change_contact("c-1", mine.reference, "phone", "555 123 4568") == 1
    by_ref = {r.reference: r for r in store.all()}
    assert (by_ref[mine.reference].contact_kind, by_ref[mine.reference].contact) == ("phone", "555 123 4568")
    assert by_ref[other.reference].contact == "ann@example.com"


def test_the_details_of_a_request_waiting_in_the_spool_are_changed_there(tmp_path: Path) -> None:
    store = RequestStore(f"sqlite:///{tmp_path / 'r.db'}", spool=tmp_path / "spool.jsonl")
    waiting = request(conversation_id="c-1")
    store.keep_for_retry(waiting)
    assert store.change_contact("c-1", waiting.reference, "email", "ann@example.org") == 1
    assert [(r.contact_kind, r.contact) for r in store.pending()] == [("email", "ann@example.org")]


@pytest.mark.parametrize("text, fixes, details", [
    ("oh no, my number is wrong, it's 555 123 4568", True, ("phone", "555 123 4568")),
    ("I made a typo in my email, it's ann@example.org", True, ("email", "ann@example.org")),
    ("can I change the phone number on my request?", True, None),
    ("my email is ann@example.org", False, None),  # not said to correct anything
    ("will they change the address?", False, None), ("what is the wrong type of pain?", False, None),
])
def test_a_correction_of_details_already_sent(text: str, fixes: bool, details: object) -> None:
    from bot.core.contact import fixes_sent_details, sent_details_fixed

    assert fixes_sent_details(text) is fixes and sent_details_fixed(text) == details
