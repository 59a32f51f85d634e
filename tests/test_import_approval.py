"""Imported figures await approval the same way as figures an owner enters: nobody reads them
until a head of service or another administrator approves them, all at once or one by one;
returned, they go back to their owners; an undo withdraws what is still awaiting."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from careprog import roles
from kpis import approval
from kpis.due import period_ends_before
from kpis.importing.apply import apply_return, approve_import, store_upload, undo_import
from kpis.models import ImportBatch, KPIEntry, KPIValue
from tests.conftest import make_user
from tests.import_files import long_return
from tests.kpi_factories import make_kpi, make_value

JAN, FEB = dt.date(2025, 1, 31), dt.date(2025, 2, 28)


@pytest.fixture
def placements(officer):
    """A monthly percentage the officer owns."""
    return make_kpi("placements", name="Children placed within 20 miles", owned_by=officer)


def signed_in(user):
    client = Client()
    client.force_login(user)
    return client


def imported(rows, *, by):
    """A return confirmed by ``by``, as the import's preview page confirms it."""
    batch = store_upload(data=long_return(rows), file_name="january.xlsx", user=by)
    return apply_return(batch=batch, user=by)


def owner_corrects_january(officer, placements):
    """The owner corrects January's imported figure to 65: theirs now, not the import's."""
    january = KPIEntry.objects.get(period_end=JAN)
    approval.enter_figure(
        kpi=placements, user=officer, period_end=JAN, value=Decimal(65), numerator=None,
        denominator=None, commentary="Corrected", seen_version=approval.version_of(january, None),
        today=dt.date(2025, 3, 20),
    )  # fmt: skip


def test_a_confirmed_import_changes_nothing_anyone_reads_until_it_is_approved(
    administrator, head_of_service, committee_member, placements
):
    make_value(placements, JAN, Decimal(60), source="Published")
    batch = imported(
        [["placements", "Jan 2025", 64, "Recounted"], ["placements", "Feb 2025", 66, ""]],
        by=administrator,
    )

    assert list(KPIValue.objects.values_list("period_end", "value")) == [(JAN, 60)]
    assert set(batch.entries.values_list("state", flat=True)) == {"awaiting"}
    member = signed_in(committee_member).get("/kpis/placements/").content.decode()
    assert "A newer figure for 28 February 2025 awaits approval." in member
    assert "66.0%" not in member

    response = signed_in(head_of_service).post(
        f"/kpis/entries/import/{batch.pk}/", {"decision": "approve"}, follow=True
    )
    assert "2 figures were approved: committee members now see them." in response.content.decode()
    assert sorted(KPIValue.objects.values_list("period_end", "value", "note", "source")) == [
        (JAN, 64, "Recounted", f"Import {batch.pk}: january.xlsx"),
        (FEB, 66, "", f"Import {batch.pk}: january.xlsx"),
    ]
    member = signed_in(committee_member).get("/kpis/placements/").content.decode()
    assert "awaits approval" not in member and "66.0%" in member
    changed = KPIValue.objects.get(period_end=JAN).history.order_by("history_id").last()
    assert (changed.history_type, changed.history_user) == ("~", head_of_service)
    assert set(batch.entries.values_list("state", "decided_by")) == {
        ("approved", head_of_service.pk)
    }


def test_the_importer_may_not_approve_their_own_import(administrator, placements):
    batch = imported([["placements", "Jan 2025", 64, ""]], by=administrator)
    client = signed_in(administrator)

    page = client.get(f"/kpis/entries/import/{batch.pk}/").content.decode()
    assert (
        "You uploaded and confirmed this return, so another approver must decide on its figures."
        in page
    )
    assert "Approve 1 figure" not in page
    assert (
        client.post(f"/kpis/entries/import/{batch.pk}/", {"decision": "approve"}).status_code == 403
    )
    assert not KPIValue.objects.exists()


def test_a_returned_import_goes_back_to_each_owner_with_the_comment(
    administrator, head_of_service, officer, placements
):
    period = period_ends_before(placements, timezone.localdate(), 1)[0]
    batch = imported([["placements", f"{period:%b %Y}", 64, ""]], by=administrator)
    approver = signed_in(head_of_service)

    missing = approver.post(f"/kpis/entries/import/{batch.pk}/", {"decision": "return"})
    assert missing.status_code == 400
    assert "govuk-error-summary" in missing.content.decode()
    assert "Enter what needs changing" in missing.content.decode()
    assert KPIEntry.objects.get().state == "awaiting"

    comment = "January counts the Pathfinder twice"
    approver.post(f"/kpis/entries/import/{batch.pk}/", {"decision": "return", "comment": comment})
    entry = KPIEntry.objects.get()
    assert (entry.state, entry.decision_comment, entry.decided_by) == (
        "returned", comment, head_of_service
    )  # fmt: skip
    mine = signed_in(officer).get("/kpis/mine/").context["lines"]
    assert [(line.kpi, line.entry.state) for line in mine if line.entry] == [
        (placements, "returned")
    ]
    assert comment in signed_in(officer).get(f"/kpis/entries/{entry.pk}/").content.decode()
    assert not KPIValue.objects.exists()


def test_an_owner_correcting_an_imported_figure_makes_it_theirs_and_an_undo_leaves_it(
    administrator, head_of_service, officer, placements
):
    batch = imported(
        [["placements", "Jan 2025", 64, ""], ["placements", "Feb 2025", 66, ""]], by=administrator
    )
    owner_corrects_january(officer, placements)

    undo_import(batch=ImportBatch.objects.get(pk=batch.pk), user=administrator)

    assert list(KPIEntry.objects.values_list("period_end", "value", "batch")) == [(JAN, 65, None)]
    deleted = KPIEntry.history.filter(history_type="-").get()
    assert (deleted.period_end, deleted.value) == (FEB, 66)


def test_an_imported_figure_approved_on_its_own_is_put_back_by_an_undo(
    administrator, head_of_service, placements
):
    make_value(placements, JAN, Decimal(60), source="Published", note="As published")
    batch = imported([["placements", "Jan 2025", 64, "Recounted"]], by=administrator)
    entry = KPIEntry.objects.get()
    assert entry.batch == batch
    approval.approve_entry(entry=entry, user=head_of_service)
    assert KPIValue.objects.get().value == 64
    assert KPIValue.objects.get().source == f"Import {batch.pk}: january.xlsx"

    undo_import(batch=ImportBatch.objects.get(pk=batch.pk), user=administrator)

    assert list(KPIValue.objects.values_list("value", "note", "source")) == [
        (60, "As published", "Published")
    ]
    for reader, address in [
        (administrator, f"/kpis/import/{batch.pk}/"),
        (head_of_service, f"/kpis/entries/import/{batch.pk}/"),
    ]:
        page = signed_in(reader).get(address).content.decode()
        assert "Undone: 1 approved figure taken back" in page, address
        assert "1 approved," not in page, address


def test_an_import_replaces_an_owners_figure_awaiting_approval_and_keeps_its_commentary(
    administrator, officer, placements
):
    approval.enter_figure(
        kpi=placements, user=officer, period_end=JAN, value=Decimal(61), numerator=None,
        denominator=None, commentary="Two placements ended early", seen_version="none",
        today=dt.date(2025, 3, 20),
    )  # fmt: skip
    batch = imported([["placements", "Jan 2025", 64, ""]], by=administrator)

    entry = KPIEntry.objects.get()
    assert (entry.value, entry.commentary, entry.batch, entry.entered_by) == (
        64, "Two placements ended early", batch, administrator
    )  # fmt: skip
    assert [record.value for record in entry.history.order_by("history_id")] == [61, 64]


def test_the_awaiting_list_shows_an_import_as_one_line_whatever_its_size(
    administrator, head_of_service, officer, django_assert_max_num_queries
):
    kpis = [make_kpi(f"m{n}", owned_by=officer) for n in range(3)]
    client = signed_in(head_of_service)
    for months in (2, 24):
        KPIEntry.objects.all().delete()
        rows = [
            [kpi.code, f"{dt.date(2025, 1, 1) - dt.timedelta(days=31 * n):%b %Y}", 50, ""]
            for kpi in kpis
            for n in range(months)
        ]
        batch = imported(rows, by=administrator)
        with django_assert_max_num_queries(8):
            page = client.get("/kpis/entries/").content.decode()
        assert page.count(f'href="/kpis/entries/import/{batch.pk}/"') == 1
        assert f">{3 * months}</td>" in page
        with django_assert_max_num_queries(12):
            client.get(f"/kpis/entries/import/{batch.pk}/")


def test_approving_an_import_takes_the_same_statements_whatever_its_size(
    administrator, head_of_service, officer
):
    kpi = make_kpi("starters", unit="count", owned_by=officer)
    head_of_service.has_perm("kpis.approve_kpientry")  # the user's permissions, read once
    statements = []
    for months in (3, 60):
        KPIValue.objects.all().delete()
        make_value(kpi, JAN, Decimal(10))
        rows = [[kpi.code, f"{dt.date(2025, 1, 1) - dt.timedelta(days=31 * n):%b %Y}", n + 1, ""]
                for n in range(months)]  # fmt: skip
        batch = imported(rows, by=administrator)
        with CaptureQueriesContext(connection) as queries:
            assert approve_import(batch=batch, user=head_of_service) == months
        statements.append(len(queries))
        assert KPIValue.objects.count() == months
    assert statements[0] == statements[1]


def test_a_command_line_import_by_no_one_reads_as_such_on_every_page_it_reaches(
    administrator, head_of_service, placements
):
    """No user: `manage.py import_kpis` without --user. Pages that name who imported or
    entered a figure say "the command line" or "someone", and never fail to render."""
    batch = imported([["placements", "Jan 2025", 64, ""]], by=None)
    entry = KPIEntry.objects.get()
    approver, admin = signed_in(head_of_service), signed_in(administrator)
    pages = {
        approver: ["/kpis/entries/", f"/kpis/entries/import/{batch.pk}/",
                   f"/kpis/entries/{entry.pk}/", "/kpis/placements/"],
        admin: [f"/kpis/import/{batch.pk}/", "/kpis/import/history/"],
    }  # fmt: skip
    for client, urls in pages.items():
        for url in urls:
            response = client.get(url)
            assert response.status_code == 200, url
    assert "the command line" in approver.get("/kpis/entries/").content.decode()
    assert "Entered</dt>" in approver.get(f"/kpis/entries/{entry.pk}/").content.decode()
    assert "by the command line" in admin.get(f"/kpis/import/{batch.pk}/").content.decode()


def test_the_home_page_tells_each_approver_how_many_figures_await_their_decision(
    administrator, head_of_service, officer, committee_member, placements
):
    imported(
        [["placements", "Jan 2025", 64, ""], ["placements", "Feb 2025", 66, ""]], by=administrator
    )
    approval.enter_figure(
        kpi=make_kpi("visits", owned_by=officer), user=officer, period_end=JAN,
        value=Decimal(90), numerator=None, denominator=None, commentary="", seen_version="none",
        today=dt.date(2025, 3, 20),
    )  # fmt: skip

    head = signed_in(head_of_service).get("/").content.decode()
    assert "3 figures await your approval" in head
    # The administrator imported two of them: another approver decides on those.
    assert "1 figure awaits your approval" in signed_in(administrator).get("/").content.decode()
    member = signed_in(committee_member).get("/").content.decode()
    assert "your approval" not in member and 'href="/kpis/mine/"' not in member
    assert 'href="/kpis/mine/"' in signed_in(officer).get("/").content.decode()


def test_an_undo_puts_back_the_figure_the_approval_replaced_not_the_one_at_confirmation(
    administrator, head_of_service, placements
):
    value = make_value(placements, JAN, Decimal(60), source="Published")
    batch = imported([["placements", "Jan 2025", 64, ""]], by=administrator)
    KPIValue.objects.filter(pk=value.pk).update(value=61, source="Corrected in admin")
    approve_import(batch=batch, user=head_of_service)

    undo_import(batch=ImportBatch.objects.get(pk=batch.pk), user=administrator)

    assert list(KPIValue.objects.values_list("value", "source")) == [(61, "Corrected in admin")]


@pytest.mark.parametrize("decision", ["approve", "return"])
def test_a_decision_on_an_import_that_changed_after_the_approver_opened_it_is_refused(
    administrator, head_of_service, officer, placements, decision
):
    batch = imported(
        [["placements", "Jan 2025", 64, ""], ["placements", "Feb 2025", 66, ""]], by=administrator
    )
    approver = signed_in(head_of_service)
    page = approver.get(f"/kpis/entries/import/{batch.pk}/").content.decode()
    assert '<input type="hidden" name="awaiting" value="2">' in page
    owner_corrects_january(officer, placements)
    posted = {"decision": decision, "awaiting": "2", "comment": "Use the June cohort"}

    response = approver.post(f"/kpis/entries/import/{batch.pk}/", posted)

    assert response.status_code == 409
    assert "The import changed after you opened it: 1 of its figures awaits approval, not 2" in (
        response.content.decode()
    )
    assert not KPIValue.objects.exists()
    assert set(KPIEntry.objects.values_list("state", flat=True)) == {"awaiting"}
    response = approver.post(f"/kpis/entries/import/{batch.pk}/", posted | {"awaiting": "1"})
    assert response.status_code == 302
    assert KPIEntry.objects.get(period_end=FEB).state == (
        "approved" if decision == "approve" else "returned"
    )


@pytest.mark.parametrize("how", ["one by one", "all at once"])
def test_an_imported_figure_becomes_the_same_value_approved_alone_or_with_its_import(
    administrator, head_of_service, placements, how
):
    make_value(
        placements, JAN, Decimal(60), source="Published", note="As published",
        commentary="Held steady",
    )  # fmt: skip
    batch = imported(
        [["placements", "Jan 2025", 64, "Recounted"], ["placements", "Feb 2025", 66, ""]],
        by=administrator,
    )
    if how == "one by one":
        for entry in KPIEntry.objects.order_by("period_end"):
            approval.approve_entry(entry=entry, user=head_of_service)
    else:
        assert approve_import(batch=batch, user=head_of_service) == 2

    source = f"Import {batch.pk}: january.xlsx"
    assert sorted(
        KPIValue.objects.values_list("period_end", "value", "note", "source", "commentary",
                                     "origin")
    ) == [
        (JAN, 64, "Recounted", source, "Held steady", "return"),  # the value's commentary kept
        (FEB, 66, "", source, "", "return"),
    ]  # fmt: skip
    records = [
        (record.history_type, record.history_user, record.value)
        for record in KPIValue.history.order_by("period_end", "history_id")
    ]
    assert records == [
        ("+", None, 60), ("~", head_of_service, 64), ("+", head_of_service, 66)
    ]  # fmt: skip
    for entry in KPIEntry.objects.all():
        assert (entry.state, entry.decided_by) == ("approved", head_of_service)
        latest = entry.history.order_by("history_id").last()
        assert (latest.history_type, latest.history_user, latest.state) == (
            "~", head_of_service, "approved"
        )  # fmt: skip
    assert sorted(
        batch.values.values_list("period_end", "outcome", "old_value", "old_note", "old_source")
    ) == [(JAN, "updated", 60, "As published", "Published"), (FEB, "created", None, "", "")]

    undo_import(batch=ImportBatch.objects.get(pk=batch.pk), user=administrator)

    assert list(KPIValue.objects.values_list("period_end", "value", "note", "source")) == [
        (JAN, 60, "As published", "Published")
    ]


def test_an_owners_figure_approved_brings_its_commentary_and_leaves_the_values_note(
    head_of_service, officer, placements
):
    make_value(placements, JAN, Decimal(60), note="As published", commentary="Held steady")
    entry = approval.enter_figure(
        kpi=placements, user=officer, period_end=JAN, value=Decimal(61), numerator=None,
        denominator=None, commentary="", seen_version=approval.period_version(placements, JAN),
        today=dt.date(2025, 3, 20),
    )  # fmt: skip

    value = approval.approve_entry(entry=entry, user=head_of_service)

    name = officer.get_full_name() or officer.username
    approver = head_of_service.get_full_name() or head_of_service.username
    assert (value.value, value.note, value.commentary, value.source, value.origin) == (
        61, "As published", "", f"Entered by {name}, approved by {approver}", "return"
    )  # fmt: skip
    latest = value.history.order_by("history_id").last()
    assert (latest.history_type, latest.history_user, latest.value) == ("~", head_of_service, 61)


def uploaded_by_one_confirmed_by_another(rows, *, uploader, confirmer):
    """A return one administrator uploads and another confirms from its preview."""
    batch = store_upload(data=long_return(rows), file_name="january.xlsx", user=uploader)
    return apply_return(batch=batch, user=confirmer)


@pytest.fixture
def second_administrator(django_user_model):
    return make_user(django_user_model, "second", roles.PROGRAMME_ADMINISTRATORS, is_staff=True)


@pytest.mark.parametrize("decision", ["approve", "return"])
def test_the_uploader_of_a_return_may_not_decide_on_it_though_someone_else_confirmed_it(
    administrator, second_administrator, head_of_service, placements, decision
):
    batch = uploaded_by_one_confirmed_by_another(
        [["placements", "Jan 2025", 64, ""]], uploader=administrator, confirmer=second_administrator
    )
    uploader = signed_in(administrator)
    url = f"/kpis/entries/import/{batch.pk}/"
    page = uploader.get(url).content.decode()
    assert "You uploaded this return, so another approver must decide on its figures." in page
    assert "Approve 1 figure" not in page and "Return 1 figure" not in page

    response = uploader.post(url, {"decision": decision, "awaiting": 1, "comment": "Check"})
    assert response.status_code == 403
    assert "You uploaded this return, so another approver must decide on its figures." in (
        response.content.decode()
    )
    assert KPIEntry.objects.get().state == KPIEntry.State.AWAITING
    assert not KPIValue.objects.exists()

    # Nor one by one, from the figure's own page.
    entry = KPIEntry.objects.get()
    page = uploader.get(f"/kpis/entries/{entry.pk}/").content.decode()
    assert "You uploaded the return this figure came from" in page
    assert 'value="approve"' not in page
    version = approval.version_of(entry, None)
    response = uploader.post(
        f"/kpis/entries/{entry.pk}/",
        {"decision": decision, "seen_version": version, "comment": "Check"},
    )
    assert response.status_code == 403
    assert KPIEntry.objects.get().state == KPIEntry.State.AWAITING
    with pytest.raises(approval.EntryRefused, match="You uploaded the return"):
        approval.approve_entry(entry=entry, user=administrator)
    assert not KPIValue.objects.exists()

    # The confirmer is refused as before; a head of service decides.
    assert signed_in(second_administrator).post(url, {"decision": "approve"}).status_code == 403
    assert approve_import(batch=batch, user=head_of_service) == 1
    assert KPIValue.objects.get().value == 64


def test_the_uploader_is_not_counted_among_those_a_returns_figures_await(
    administrator, second_administrator, head_of_service, placements
):
    uploaded_by_one_confirmed_by_another(
        [["placements", "Jan 2025", 64, ""]], uploader=administrator, confirmer=second_administrator
    )
    assert approval.awaiting_decision_by(administrator) == 0
    assert approval.awaiting_decision_by(second_administrator) == 0
    assert approval.awaiting_decision_by(head_of_service) == 1
