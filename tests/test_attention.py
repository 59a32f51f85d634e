"""Needs attention: a councillor's one page of what to ask about for a programme's quarter,
and an officer's home page saying how many of their actions need an update, and by when."""

import datetime as dt
import html
import re
from dataclasses import dataclass

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from actions.models import Action, Status
from careprog.periods import ReportingPeriod
from kpis.models import KPIRank
from tests.conftest import SEED_SLUG, seed_action
from tests.factories import make_update
from tests.kpi_factories import make_kpi, make_value
from tests.paper_factories import draft_paper, make_meeting, publish
from tests.test_paper_queries import ten_times
from tests.test_report import _copy_seed

Q3, Q4 = ReportingPeriod(2024, 3), ReportingPeriod(2024, 4)
ATTENTION = f"/programmes/{SEED_SLUG}/attention/"
Q3_PAGE, Q4_PAGE = f"{ATTENTION}2024-25-q3/", f"{ATTENTION}2024-25-q4/"

# Seed actions of "Children live safely with their families", by their full titles.
OFF_TRACK = (
    "Present an Options Paper to CYPE Committee on using Willowtree for preventative approaches"
)
MOVED = "Enhance quality assurance processes to focus on cases which do not progress to care"
OVERDUE = "Introduce a standard Risk Matrix for all cases in or at the edge of care"
COMPLETE_WITHOUT_Q4_UPDATE = "Review the SG Offer"

COUNTS = "Status of actions by objective at the end of 2024-25 Q4"
CONCERNS = "Off track or at risk at the end of 2024-25 Q4"
MISSING_Q4 = "No update for 2024-25 Q4"
OVERDUE_HEADING = f"Overdue as at today, {timezone.localdate():%-d %B %Y}"
RISK_REVIEWS = f"Risk reviews overdue as at today, {timezone.localdate():%-d %B %Y}"
MOVES = "Status changes since the last published paper"
KPIS = "Measures off target or worsening, as at 31 March 2025"
BOTTOM = "Measures in the bottom quartile of councils, as at 31 March 2025"
HEADINGS = [COUNTS, CONCERNS, MISSING_Q4, OVERDUE_HEADING, RISK_REVIEWS, MOVES, KPIS, BOTTOM]
# On the Q3 page, each heading names Q3 and its end.
Q3_CONCERNS = "Off track or at risk at the end of 2024-25 Q3"
Q3_KPIS = "Measures off target or worsening, as at 31 December 2024"
Q3_BOTTOM = "Measures in the bottom quartile of councils, as at 31 December 2024"

_SECTION = re.compile(
    r'<section class="app-attention__section[^"]*"[^>]*>\s*<h2[^>]*>(.*?)</h2>(.*?)</section>',
    re.DOTALL,
)
_LINK = re.compile(r'<a [^>]*href="([^"]+)"[^>]*>(.*?)</a>', re.DOTALL)
_TAGS = re.compile(r"<[^>]+>")


def words(fragment: str) -> str:
    return " ".join(html.unescape(_TAGS.sub(" ", fragment)).split())


@dataclass
class Section:
    text: str
    links: dict[str, str]  # link text -> href
    hrefs: list[str]  # every link, in order

    def lists(self, text: str) -> bool:
        return any(name.startswith(text) for name in self.links)


def sections(response) -> dict[str, Section]:
    """The page's sections by heading, as a reader scans them."""
    assert response.status_code == 200
    found = {}
    for heading, body in _SECTION.findall(response.content.decode()):
        links = _LINK.findall(body)
        found[words(heading)] = Section(
            text=words(body),
            links={words(text): href for href, text in links},
            hrefs=[href for href, _ in links],
        )
    return found


@pytest.fixture
def q3_paper(seed_programme, officer, head_of_service):
    """The Q3 paper to committee, published before anything below changed."""
    return publish(draft_paper(seed_programme, officer), head_of_service)


@pytest.fixture
def worsening_kpi(seed_programme):
    """Higher is better, and it fell from 62% to 55%: worsening, in band D among councils."""
    kpi = make_kpi("att-1", name="Care leavers in education, employment or training")
    kpi.objectives.add(seed_programme.objectives.first())
    make_value(kpi, dt.date(2025, 1, 31), "62")
    make_value(kpi, dt.date(2025, 2, 28), "55")
    KPIRank.objects.create(kpi=kpi, period_end=dt.date(2025, 2, 28), rank=140, out_of=152, band="D")
    return kpi


@pytest.fixture
def q4(q3_paper, worsening_kpi):
    """After the Q3 paper: one action off track in Q4, one moved to on track, one overdue."""
    make_update(
        seed_action(OFF_TRACK),
        Q4,
        Status.OFF_TRACK,
        reason="The options paper was deferred to the June committee",
        next_step="Present it on 12 June 2025",
    )
    make_update(seed_action(MOVED), Q4, Status.ON_TRACK)
    overdue = seed_action(OVERDUE)
    overdue.due_date = dt.date(2025, 1, 31)
    overdue.save()
    return sections


def test_each_kind_of_concern_is_listed_under_its_own_heading(member_client, q4):
    page = sections(member_client.get(Q4_PAGE))
    assert list(page) == HEADINGS

    off_track = page[CONCERNS]
    assert off_track.lists(OFF_TRACK)
    assert "Off track" in off_track.text
    assert "The options paper was deferred to the June committee" in off_track.text
    assert "Present it on 12 June 2025" in off_track.text

    assert page[MISSING_Q4].lists(OVERDUE)  # nothing for Q4 yet
    assert not page[MISSING_Q4].lists(OFF_TRACK)  # it has its Q4 update

    assert list(page[OVERDUE_HEADING].links) == [OVERDUE]
    assert "due 31 Jan 2025" in page[OVERDUE_HEADING].text

    moves = page[MOVES]
    assert "Compared with the paper to Children, Young People and Education Committee" in (
        moves.text
    )
    assert moves.lists(MOVED) and moves.lists(OFF_TRACK)
    assert "No status given → On track" in moves.text
    assert "No status given → Off track" in moves.text

    assert page[KPIS].lists("Care leavers in education, employment or training")
    assert "Worsening" in page[KPIS].text
    assert page[BOTTOM].lists("Care leavers in education, employment or training")
    assert "Ranked 140 of 152, band D" in page[BOTTOM].text


def test_every_listed_item_links_to_its_own_page(member_client, q4):
    page = sections(member_client.get(Q4_PAGE))
    off_track = seed_action(OFF_TRACK)
    assert page[CONCERNS].links[OFF_TRACK] == f"/actions/{off_track.pk}/"
    assert page[OVERDUE_HEADING].links[OVERDUE] == f"/actions/{seed_action(OVERDUE).pk}/"
    assert page[MOVES].links[MOVED] == f"/actions/{seed_action(MOVED).pk}/"
    kpi_link = page[KPIS].links["Care leavers in education, employment or training"]
    assert kpi_link == "/kpis/att-1/?as_at=2024-25-q4"
    for link in page[COUNTS].links.values():
        assert link.startswith(f"/programmes/{SEED_SLUG}/report/2024-25-q4/#objective-")


def test_a_complete_action_without_an_update_is_not_listed_as_missing_one(member_client, q4):
    complete = seed_action(COMPLETE_WITHOUT_Q4_UPDATE)
    assert complete.status == Status.COMPLETE
    assert not complete.updates.filter(period=Q4).exists()
    page = sections(member_client.get(Q4_PAGE))
    assert not page[MISSING_Q4].lists(COMPLETE_WITHOUT_Q4_UPDATE)
    # Every action that is not complete and has no Q4 update is, and nothing else.
    expected = {
        action.get_absolute_url()
        for action in Action.objects.exclude(status=Status.COMPLETE).exclude(updates__period=Q4)
    }
    assert set(page[MISSING_Q4].hrefs) == expected
    assert f"/actions/{complete.pk}/" not in page[MISSING_Q4].hrefs


def test_the_counts_give_each_objectives_actions_by_status_not_assessed_included(member_client, q4):
    counts = sections(member_client.get(Q4_PAGE))[COUNTS].text
    assert "Objective Not assessed Not started On track At risk Off track Complete Total" in counts
    # The first objective's ten actions: three complete, one now on track, one off track.
    assert "Children live safely with their families 5 0 1 0 1 3 10" in counts
    assert "All objectives 30 0 1 0 1 11 43" in counts


def test_empty_sections_say_none(member_client, seed_programme):
    page = sections(member_client.get(Q3_PAGE))
    for heading in (Q3_CONCERNS, Q3_KPIS, Q3_BOTTOM):
        assert page[heading].text == "None.", heading
    # No seed action has a due date, so "None." would claim more than it knows.
    assert page[OVERDUE_HEADING].text == "No action has a due date."
    assert page[MOVES].text == ("None: no paper has been published for 2024-25 Q3 or earlier.")


def test_with_a_paper_and_nothing_changed_since_the_moves_say_none(member_client, q3_paper):
    moves = sections(member_client.get(Q3_PAGE))[MOVES]
    assert moves.text.endswith("(2024-25 Q3). None.")


def test_the_page_without_a_quarter_shows_the_latest_reported_one(member_client, seed_programme):
    response = member_client.get(ATTENTION)
    assert response.status_code == 302
    assert response.url == Q3_PAGE  # the seed's updates are for Q3
    make_update(seed_action(MOVED), Q4, Status.ON_TRACK)
    assert member_client.get(ATTENTION).url == Q4_PAGE


@pytest.mark.parametrize(
    "url",
    [
        f"{ATTENTION}2025-26-q1/",  # a quarter the programme does not report on
        f"{ATTENTION}2024-26-q1/",  # not a quarter at all
        f"{ATTENTION}2024-25-q5/",
        "/programmes/no-such-programme/attention/",
        "/programmes/no-such-programme/attention/2024-25-q3/",
    ],
)
def test_a_quarter_or_programme_that_does_not_exist_is_not_found(
    member_client, seed_programme, url
):
    assert member_client.get(url).status_code == 404


def queries_for(client, url):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_page_takes_the_same_queries_for_a_programme_ten_times_larger(
    member_client, seed_programme, officer, head_of_service, django_assert_num_queries
):
    big = ten_times(seed_programme)  # 430 actions, 80 measures
    for programme in (seed_programme, big):
        publish(draft_paper(programme, officer), head_of_service)
        actions = Action.objects.filter(mechanism__requirement__objective__programme=programme)
        for action in actions.order_by("pk")[:5]:
            make_update(action, Q4, Status.AT_RISK)
        actions.exclude(status=Status.COMPLETE).update(due_date=dt.date(2025, 1, 31))
    small_url = Q4_PAGE
    large_url = f"/programmes/{big.slug}/attention/2024-25-q4/"
    assert len(sections(member_client.get(large_url))[OVERDUE_HEADING].hrefs) > 300
    assert queries_for(member_client, small_url) == queries_for(member_client, large_url)
    # session, user, the user's and their groups' permissions, programme; the report's
    # objectives, requirements, mechanisms, actions, updates; actions missing an update;
    # overdue actions; overdue risk reviews; the quarter's lock; the last published paper;
    # KPIs, values, targets, comparators
    with django_assert_num_queries(19):
        member_client.get(large_url)


# The officer's home page


def test_an_officers_home_says_how_many_of_their_actions_need_an_update_and_by_when(
    client, officer, officer_actions
):
    client.force_login(officer)
    home = client.get("/").content.decode()
    # Ten actions, three of them complete: those never need another update.
    assert "7 of your 10 actions need an update for 2024-25 Q4, by 31 March 2025." in words(home)
    programme = officer_actions[0].mechanism.requirement.objective.programme_id
    url = f"/actions/mine/?programme={programme}&missing_update=yes"
    assert f'href="{url.replace("&", "&amp;")}"' in home
    listed = client.get(url).context["counts"]["total"]
    assert listed == 7


def test_an_officers_home_counts_only_what_is_still_missing(client, officer, officer_actions):
    for action in officer_actions:
        if action.status != Status.COMPLETE:
            make_update(action, Q4, Status.ON_TRACK)
    client.force_login(officer)
    text = words(client.get("/").content.decode())
    assert "None of your 10 actions need an update for 2024-25 Q4." in text


def test_a_committee_members_home_leads_to_each_programmes_attention_page(
    member_client, seed_programme
):
    home = member_client.get("/").content.decode()
    assert f'href="{ATTENTION}"' in home
    assert "Care Programme 2024-25: needs attention" in words(home)
    assert "of your" not in words(home)  # they lead no actions


def test_an_officers_home_takes_the_same_queries_however_many_actions_they_lead(
    client, officer, officer_actions, seed_programme
):
    client.force_login(officer)
    few = queries_for(client, "/")
    big = _copy_seed(seed_programme, copies=3)
    Action.objects.filter(mechanism__requirement__objective__programme=big).update(lead=officer)
    many = queries_for(client, "/")
    assert few == many
    assert "Large programme" in words(client.get("/").content.decode())


def test_only_a_real_rating_lists_a_measure_as_off_target(member_client, seed_programme):
    """A real figure against an agreed target is off target; an invented one, or a real one
    against an illustrative target, is not a concern to put to committee."""
    from kpis.models import Origin
    from tests.kpi_factories import make_target

    objective = seed_programme.objectives.first()
    for code, name, value_origin, target_origin in [
        ("att-real", "Agreed and missed", Origin.RETURN, Origin.PUBLISHED),
        ("att-invented", "Invented and missed", Origin.ILLUSTRATIVE, Origin.ILLUSTRATIVE),
        ("att-unagreed", "Real against an illustrative target", Origin.RETURN, Origin.ILLUSTRATIVE),
    ]:
        kpi = make_kpi(code, name=name)
        kpi.objectives.add(objective)
        make_value(kpi, dt.date(2024, 12, 31), "40", origin=value_origin)
        make_target(kpi, 2024, 75, origin=target_origin)

    concerns = sections(member_client.get(Q3_PAGE))[Q3_KPIS]

    assert concerns.lists("Agreed and missed")
    assert not concerns.lists("Invented and missed")
    assert not concerns.lists("Real against an illustrative target")


def test_a_locked_quarters_page_says_officers_are_asked_about_the_next_one_instead(
    member_client, seed_programme, officer, head_of_service
):
    paper = publish(draft_paper(seed_programme, officer), head_of_service)
    missing = sections(member_client.get(Q3_PAGE))["No update for 2024-25 Q3"]
    assert missing.text.startswith(
        "2024-25 Q3 is locked: its paper to Children, Young People and Education Committee, "
        "5 March 2025 has been published, so officers are no longer asked for its updates; "
        "they are asked about 2024-25 Q4."
    )
    assert missing.hrefs[0] == paper.get_absolute_url()
    assert "is locked" not in sections(member_client.get(Q4_PAGE))[MISSING_Q4].text


def test_once_every_quarter_is_locked_the_page_says_reporting_is_complete(
    member_client, seed_programme, officer, head_of_service
):
    q4_meeting = make_meeting(dt.date(2025, 6, 11))
    publish(draft_paper(seed_programme, officer, period=Q4, meeting=q4_meeting), head_of_service)
    missing = sections(member_client.get(Q4_PAGE))[MISSING_Q4]
    assert "officers are no longer asked for its updates, and the programme's reporting is " in (
        missing.text
    )


def test_the_page_says_what_each_list_is_as_at(member_client, seed_programme):
    page = words(member_client.get(Q3_PAGE).content.decode())
    assert (
        "Each list says what it is as at: actions as last reported by the end of 2024-25 Q3 "
        "(October to December 2024) and measures as at 31 December 2024, except overdue "
        f"actions, which are as at today, {timezone.localdate():%-d %B %Y}"
    ) in page
