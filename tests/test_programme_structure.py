"""A programme's structure page: its objectives, requirements, mechanisms and actions as a
tree, where programme administrators add and rename each part, every change in its
history, a save over someone else's refused with both versions, bad input summarised."""

import datetime as dt

import pytest
from django.contrib.auth.models import Group

from actions import structure
from actions.models import Action, Mechanism, Objective, Requirement
from careprog import roles
from tests.conftest import RISK_MATRIX, SAFELY_WITH_FAMILIES, seed_action
from tests.factories import make_action, make_mechanism, make_objective, make_requirement
from tests.html_checker import HtmlDocument, check_html
from tests.paper_factories import draft_paper, publish

STRUCTURE = "/programmes/care-programme-2024-25/structure/"


@pytest.fixture
def admin_client(client, administrator):
    client.force_login(administrator)
    return client


def test_the_structure_page_shows_every_part_in_programme_order(admin_client, seed_programme):
    page = admin_client.get(STRUCTURE).content.decode()

    titles = list(seed_programme.objectives.order_by("position").values_list("title", flat=True))
    assert [page.index(title) for title in titles] == sorted(page.index(t) for t in titles)
    action = seed_action(RISK_MATRIX)
    assert f'href="/actions/{action.pk}/"' in page
    assert page.index(action.mechanism.requirement.text) < page.index(f"/actions/{action.pk}/")
    assert page.count('id="action-') == 43


def test_an_administrator_adds_an_objective_last_in_the_programme(admin_client, seed_programme):
    response = admin_client.post(
        f"{STRUCTURE}objectives/new/",
        {"title": "Care leavers <thrive>", "statement": "Every care leaver has a home."},
    )

    added = Objective.objects.get(title="Care leavers <thrive>")
    assert response.status_code == 302
    assert response.url == f"{STRUCTURE}#objective-{added.pk}"
    assert list(seed_programme.objectives.order_by("position", "pk"))[-1] == added
    page = admin_client.get(STRUCTURE).content.decode()
    assert "Care leavers &lt;thrive&gt;" in page and "<thrive>" not in page


def test_renaming_an_objective_is_in_its_history_and_on_the_live_report(
    admin_client, seed_programme, administrator
):
    objective = Objective.objects.get(title=SAFELY_WITH_FAMILIES)
    url = f"{STRUCTURE}objectives/{objective.pk}/"
    assert SAFELY_WITH_FAMILIES in admin_client.get(url).content.decode()

    response = admin_client.post(
        url,
        {"title": "Children stay safely at home", "statement": "New", "version": objective.version},
    )

    assert response.status_code == 302
    objective.refresh_from_db()
    assert (objective.title, objective.statement) == ("Children stay safely at home", "New")
    latest = objective.history.first()
    assert (latest.title, latest.history_user) == ("Children stay safely at home", administrator)
    report = admin_client.get("/programmes/care-programme-2024-25/report/2024-25-q3/")
    assert "Children stay safely at home" in report.content.decode()


def test_an_administrator_adds_and_rewords_a_requirement_and_a_mechanism(
    admin_client, seed_programme
):
    objective = Objective.objects.get(title=SAFELY_WITH_FAMILIES)
    admin_client.post(f"{STRUCTURE}objectives/{objective.pk}/requirements/new/", {"text": "Need"})
    requirement = Requirement.objects.get(text="Need")
    assert requirement.objective == objective
    assert requirement == objective.requirements.order_by("position", "pk").last()

    admin_client.post(f"{STRUCTURE}requirements/{requirement.pk}/mechanisms/new/", {"text": "How"})
    mechanism = Mechanism.objects.get(text="How", requirement=requirement)

    admin_client.post(
        f"{STRUCTURE}requirements/{requirement.pk}/",
        {"text": "Need, reworded", "version": requirement.version},
    )
    admin_client.post(
        f"{STRUCTURE}mechanisms/{mechanism.pk}/",
        {"text": "How, reworded", "version": mechanism.version},
    )
    requirement.refresh_from_db()
    mechanism.refresh_from_db()
    assert (requirement.text, mechanism.text) == ("Need, reworded", "How, reworded")
    assert [r.text for r in mechanism.history.all()] == ["How, reworded", "How"]


def test_a_save_after_someone_elses_is_refused_with_409_showing_both_versions(
    admin_client, seed_programme
):
    mechanism = seed_action(RISK_MATRIX).mechanism
    opened = mechanism.version
    Mechanism.objects.get(pk=mechanism.pk).save()  # someone else's save
    stored = mechanism.text

    response = admin_client.post(
        f"{STRUCTURE}mechanisms/{mechanism.pk}/", {"text": "Mine", "version": opened}
    )

    assert response.status_code == 409
    page = response.content.decode()
    assert "Someone changed this mechanism after you opened it" in page
    assert ">Mine</textarea>" in page
    assert Mechanism.objects.get(pk=mechanism.pk).text == stored


def test_an_empty_title_is_named_in_the_error_summary_and_nothing_is_added(
    admin_client, seed_programme
):
    before = Objective.objects.count()

    response = admin_client.post(f"{STRUCTURE}objectives/new/", {"title": "", "statement": ""})

    assert response.status_code == 400
    page = response.content.decode()
    assert "govuk-error-summary" in page
    assert 'href="#id_title"' in page and "Enter the objective&#x27;s short title" in page
    assert 'href="#id_statement"' in page
    assert Objective.objects.count() == before


def test_a_part_of_another_programme_is_not_found_through_this_one(admin_client, seed_programme):
    elsewhere = make_mechanism()
    objective = elsewhere.requirement.objective
    for url in [
        f"{STRUCTURE}objectives/{objective.pk}/",
        f"{STRUCTURE}objectives/{objective.pk}/requirements/new/",
        f"{STRUCTURE}requirements/{elsewhere.requirement_id}/",
        f"{STRUCTURE}mechanisms/{elsewhere.pk}/",
    ]:
        assert admin_client.get(url).status_code == 404, url
        assert (
            admin_client.post(url, {"text": "x", "title": "x", "statement": "x"}).status_code == 404
        )


def test_the_structure_page_reads_a_programme_ten_times_larger_in_the_same_queries(
    admin_client, seed_programme, django_assert_num_queries
):
    # Session, user, two for permissions, the programme, five for the tree.
    with django_assert_num_queries(10):
        assert admin_client.get(STRUCTURE).status_code == 200
    for n in range(30):
        objective = make_objective(f"Objective {n}", programme=seed_programme, position=10 + n)
        for r in range(3):
            mechanism = make_mechanism(requirement=make_requirement(objective=objective))
            for a in range(4):
                make_action(f"Action {n}.{r}.{a}", mechanism=mechanism, position=a)
    with django_assert_num_queries(10):
        assert admin_client.get(STRUCTURE).status_code == 200


def test_the_set_up_pages_are_valid_html(admin_client, seed_programme):
    objective = Objective.objects.get(title=SAFELY_WITH_FAMILIES)
    pages = [
        admin_client.get(STRUCTURE),
        admin_client.get("/programmes/new/"),
        admin_client.post("/programmes/new/", {"name": ""}),
        admin_client.get(f"{STRUCTURE}objectives/{objective.pk}/"),
        admin_client.post(f"{STRUCTURE}objectives/{objective.pk}/requirements/new/", {}),
        admin_client.get(f"{STRUCTURE}actions/{seed_action(RISK_MATRIX).pk}/"),
        admin_client.post(f"{STRUCTURE}actions/{seed_action(RISK_MATRIX).pk}/", {"due_date": "x"}),
        admin_client.get("/programmes/"),
    ]
    documents = [HtmlDocument(url=str(n), html=page.content) for n, page in enumerate(pages)]

    assert check_html(documents) == []


def test_an_administrator_adds_an_action_with_its_lead_delegates_and_due_date(
    admin_client, seed_programme, officer, other_officer
):
    mechanism = seed_action(RISK_MATRIX).mechanism
    form = admin_client.get(f"{STRUCTURE}mechanisms/{mechanism.pk}/actions/new/")
    assert "Oscar Other" in form.content.decode()

    response = admin_client.post(
        f"{STRUCTURE}mechanisms/{mechanism.pk}/actions/new/",
        {
            "title": "Audit every plan",
            "lead": officer.pk,
            "delegates": [other_officer.pk],
            "due_date": "31/03/2025",
        },
    )

    action = Action.objects.get(title="Audit every plan")
    assert response.status_code == 302
    assert response.url == f"{STRUCTURE}#action-{action.pk}"
    assert (action.mechanism, action.lead, action.due_date) == (
        mechanism,
        officer,
        dt.date(2025, 3, 31),
    )
    assert list(action.delegates.all()) == [other_officer]
    assert action == mechanism.actions.order_by("position", "pk").last()
    assert action.status == Action.Status.NOT_ASSESSED
    # The lead now sees it among their actions.
    admin_client.force_login(officer)
    assert "Audit every plan" in admin_client.get("/actions/mine/").content.decode()


def test_correcting_an_actions_lead_is_in_its_history_and_keeps_its_status(
    admin_client, seed_programme, officer, other_officer, administrator
):
    action = seed_action(RISK_MATRIX)
    status, updates = action.status, action.updates.count()
    url = f"{STRUCTURE}actions/{action.pk}/"
    assert admin_client.get(url).status_code == 200

    response = admin_client.post(
        url,
        {
            "title": action.title,
            "lead": other_officer.pk,
            "due_date": "",
            "version": action.version,
        },
    )

    assert response.status_code == 302
    action.refresh_from_db()
    assert (action.lead, action.status, action.updates.count()) == (other_officer, status, updates)
    latest = action.history.first()
    assert (latest.lead_id, latest.history_user) == (other_officer.pk, administrator)


def test_a_change_of_delegates_is_in_the_actions_history_with_who_they_became(
    admin_client, seed_programme, officer, other_officer
):
    action = seed_action(RISK_MATRIX)
    url = f"{STRUCTURE}actions/{action.pk}/"
    form = {"title": action.title, "due_date": "", "lead": officer.pk}

    admin_client.post(url, {**form, "delegates": [other_officer.pk], "version": action.version})
    action.refresh_from_db()
    assert action.history.first().history_change_reason == "Delegates: Oscar Other"

    admin_client.post(url, {**form, "delegates": [], "version": action.version})
    action.refresh_from_db()
    assert action.history.first().history_change_reason == "Delegates: none"

    admin_client.post(url, {**form, "title": "Reworded", "version": action.version})
    assert action.history.first().history_change_reason is None


def test_only_people_who_may_update_actions_are_offered_or_accepted_as_lead(
    admin_client, seed_programme, officer, committee_member, head_of_service, administrator
):
    """The lead keeps the action's updates current: a councillor or a head of service, who
    may not post updates, is neither offered nor accepted (a forged choice changes nothing)."""
    action = seed_action(RISK_MATRIX)
    url = f"{STRUCTURE}actions/{action.pk}/"
    form = admin_client.get(url).content.decode()
    assert "Olive Lead" in form
    assert "Casey" not in form and "Hannah Head" not in form
    before = (action.lead_id, action.version)

    for person in (committee_member, head_of_service):
        response = admin_client.post(
            url,
            {"title": action.title, "lead": person.pk, "due_date": "", "version": action.version},
        )
        assert response.status_code == 400
        assert "Choose a lead from the list" in response.content.decode()
    action.refresh_from_db()
    assert (action.lead_id, action.version) == before

    with pytest.raises(structure.StructureRefused, match="may update actions"):
        structure.save_action(
            user=administrator,
            mechanism_id=action.mechanism_id,
            title=action.title,
            lead_id=committee_member.pk,
            delegate_ids=[],
            due_date=None,
            action_id=action.pk,
            seen_version=action.version,
        )


def test_a_lead_whose_role_has_changed_is_still_shown_and_must_be_replaced(
    admin_client, seed_programme, officer
):
    """An officer who became a committee member still leads their actions until someone
    chooses another lead: the form shows them chosen rather than silently dropping them."""
    action = seed_action(RISK_MATRIX)
    action.lead = officer
    action.save()
    officer.groups.set([Group.objects.get(name=roles.COMMITTEE_MEMBERS)])
    url = f"{STRUCTURE}actions/{action.pk}/"
    page = admin_client.get(url).content.decode()
    assert f'<option value="{officer.pk}" selected>Olive Lead</option>' in page

    response = admin_client.post(
        url,
        {"title": action.title, "lead": officer.pk, "due_date": "", "version": action.version},
    )

    assert response.status_code == 400
    assert "The lead must be someone who may update actions" in response.content.decode()
    action.refresh_from_db()
    assert action.lead == officer


def test_the_structure_page_says_the_change_was_saved_and_says_it_only_there(
    admin_client, seed_programme, other_officer
):
    action = seed_action(RISK_MATRIX)
    data = {"title": action.title, "lead": other_officer.pk, "version": action.version}

    saved = admin_client.post(f"{STRUCTURE}actions/{action.pk}/", data, follow=True)

    assert saved.redirect_chain[-1][0] == f"{STRUCTURE}#action-{action.pk}"
    banner = '<p class="govuk-notification-banner__heading">Change the action: saved.</p>'
    assert banner in saved.content.decode()
    # Told once: the next page with a banner does not repeat it.
    assert "Change the action: saved." not in admin_client.get("/people/").content.decode()


def test_an_action_saved_after_an_officers_update_is_refused_with_409(
    admin_client, seed_programme, officer
):
    action = seed_action(RISK_MATRIX)
    opened = action.version
    Action.objects.get(pk=action.pk).save()  # the lead's update rolled it up meanwhile

    response = admin_client.post(
        f"{STRUCTURE}actions/{action.pk}/",
        {"title": "Mine", "lead": "", "version": opened},
    )

    assert response.status_code == 409
    assert "Someone changed this action after you opened it" in response.content.decode()
    assert Action.objects.get(pk=action.pk).title == action.title


def test_a_due_date_that_is_no_date_is_named_in_the_error_summary(admin_client, seed_programme):
    mechanism = seed_action(RISK_MATRIX).mechanism
    before = Action.objects.count()

    response = admin_client.post(
        f"{STRUCTURE}mechanisms/{mechanism.pk}/actions/new/",
        {"title": "x", "due_date": "31/02/2025", "lead": "999999"},
    )

    assert response.status_code == 400
    page = response.content.decode()
    assert 'href="#id_due_date"' in page and "Enter the due date as a real date" in page
    assert "Choose a lead from the list" in page
    assert Action.objects.count() == before


def test_moving_an_action_up_changes_the_live_report_but_not_the_published_paper(
    admin_client, seed_programme, administrator, head_of_service
):
    paper = publish(draft_paper(seed_programme, author=administrator), head_of_service)
    published = (paper.snapshot, paper.snapshot_sha256)
    action = seed_action(RISK_MATRIX)
    order = list(action.mechanism.actions.order_by("position", "pk"))
    assert order.index(action) > 0, "the seed's risk matrix action has one above it"
    above = order[order.index(action) - 1]
    version = action.version

    response = admin_client.post(f"{STRUCTURE}actions/{action.pk}/reorder/", {"move": "up"})

    assert response.status_code == 302
    assert response.url == f"{STRUCTURE}#action-{action.pk}"
    now = list(action.mechanism.actions.order_by("position", "pk"))
    assert now.index(action) == order.index(action) - 1
    assert now.index(above) == order.index(action)
    report = admin_client.get("/programmes/care-programme-2024-25/report/2024-25-q3/")
    html = report.content.decode()
    assert html.index(f"/actions/{action.pk}/") < html.index(f"/actions/{above.pk}/")
    paper.refresh_from_db()
    assert (paper.snapshot, paper.snapshot_sha256) == published
    assert Action.objects.get(pk=action.pk).version == version  # open forms stay valid


def test_each_level_moves_down_and_back_up(admin_client, seed_programme):
    first = seed_programme.objectives.order_by("position", "pk").first()
    requirement = first.requirements.order_by("position", "pk").first()
    for kind, part in [("objectives", first), ("requirements", requirement)]:
        siblings = _siblings(part)
        before = list(siblings.order_by("position", "pk"))
        admin_client.post(f"{STRUCTURE}{kind}/{part.pk}/reorder/", {"move": "down"})
        assert list(siblings.order_by("position", "pk")).index(part) == 1, kind
        admin_client.post(f"{STRUCTURE}{kind}/{part.pk}/reorder/", {"move": "up"})
        assert list(siblings.order_by("position", "pk")) == before, kind


def _siblings(part):
    if isinstance(part, Objective):
        return part.programme.objectives.all()
    return part.objective.requirements.all()


def test_the_first_part_cannot_move_up_and_the_page_says_so(admin_client, seed_programme):
    first = seed_programme.objectives.order_by("position", "pk").first()
    positions = list(Objective.objects.order_by("pk").values_list("position", flat=True))

    response = admin_client.post(f"{STRUCTURE}objectives/{first.pk}/reorder/", {"move": "up"})

    assert response.status_code == 409
    assert f"The objective “{first.title}” is already first." in response.content.decode()
    assert list(Objective.objects.order_by("pk").values_list("position", flat=True)) == positions


def test_an_administrator_moves_an_action_to_another_mechanism_with_its_updates(
    admin_client, seed_programme, administrator
):
    action = seed_action(RISK_MATRIX)
    before, updates = action.mechanism, list(action.updates.values_list("pk", flat=True))
    target = (
        Mechanism.objects.filter(requirement__objective__programme=seed_programme)
        .exclude(pk=before.pk)
        .last()
    )
    form = admin_client.get(f"{STRUCTURE}actions/{action.pk}/").content.decode()
    assert f'<option value="{before.pk}" selected>' in form

    response = admin_client.post(
        f"{STRUCTURE}actions/{action.pk}/",
        {
            "title": action.title,
            "lead": action.lead_id or "",
            "mechanism": target.pk,
            "version": action.version,
        },
    )

    assert response.status_code == 302
    action.refresh_from_db()
    assert action.mechanism == target
    assert action == target.actions.order_by("position", "pk").last()
    assert list(action.updates.values_list("pk", flat=True)) == updates
    latest = action.history.first()
    assert (latest.mechanism_id, latest.history_user) == (target.pk, administrator)
    report = admin_client.get("/programmes/care-programme-2024-25/report/2024-25-q3/")
    html = report.content.decode()
    assert html.index(target.text) < html.index(f"/actions/{action.pk}/")


def test_an_action_cannot_be_moved_to_another_programmes_mechanism(admin_client, seed_programme):
    action = seed_action(RISK_MATRIX)
    elsewhere = make_mechanism()

    response = admin_client.post(
        f"{STRUCTURE}actions/{action.pk}/",
        {"title": action.title, "mechanism": elsewhere.pk, "version": action.version},
    )

    assert response.status_code == 400
    assert "Choose a mechanism from the list" in response.content.decode()
    assert Action.objects.get(pk=action.pk).mechanism_id == action.mechanism_id


def test_the_move_service_itself_refuses_another_programmes_mechanism(
    seed_programme, administrator
):
    action = seed_action(RISK_MATRIX)

    with pytest.raises(structure.StructureRefused, match="of its own programme"):
        structure.save_action(
            user=administrator,
            mechanism_id=make_mechanism().pk,
            title=action.title,
            lead_id=action.lead_id,
            delegate_ids=[],
            due_date=None,
            action_id=action.pk,
            seen_version=action.version,
        )
    assert Action.objects.get(pk=action.pk).mechanism_id == action.mechanism_id
