import datetime as dt
import json

from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from actions.models import Action, Programme, Risk, RiskReview
from careprog import roles
from kpis.models import KPI, BenchmarkRelation

DEMO_PROGRAMME = "care-programme-2024-25"
# The other seed papers (fixtures/README.md), each loaded once, after the Care Programme:
# the fixture and what to say.
SEED_RECORDS = [
    (
        "staying_safe_board_update_2013_14",
        "Loaded the Staying Safe Plan 2013-14, its risks and the Staying Safe Strategy Group's "
        "update to the Wirral Children's Trust Board.",
    ),
    (
        "cabinet_member_update_2024_01_30",
        "Loaded the Cabinet Member Update to Overview and Scrutiny of 30 January 2024.",
    ),
]
DEMO_PASSWORD = "careprog-demo"  # noqa: S105 - printed on purpose; refused outside DEBUG

# username, first name, last name, role, staff (may open Administration)
DEMO_USERS = [
    ("councillor", "Chris", "Councillor", roles.COMMITTEE_MEMBERS, False),
    ("officer", "Olive", "Officer", roles.OFFICERS, False),
    ("officer2", "Omar", "Officer", roles.OFFICERS, False),
    ("head", "Hana", "Head", roles.HEADS_OF_SERVICE, False),
    # A second approver, so a paper a head of service edited can still be signed off.
    ("head2", "Hari", "Hughes", roles.HEADS_OF_SERVICE, False),
    ("admin", "Ada", "Administrator", roles.PROGRAMME_ADMINISTRATORS, True),
]


DEMO_OWNED_MEASURES = 4
# Illustrative risks for the demo programme's register (the seed papers give none): reference,
# title, cause, consequence, owner, inherent L×I, residual L×I, target, days to next review
# (negative: overdue), the Care Programme's action that mitigates it (title's start).
DEMO_RISKS = [
    (
        "R1",
        "The placements budget overspends by almost £8 million",
        "More children in residential care, at higher weekly costs",
        "Savings elsewhere in children's services; less early help",
        "officer",
        (5, 5),
        (4, 4),
        9,
        -7,
        "Introduce a standard Risk Matrix",
    ),
    (
        "R2",
        "Too few foster carers for the children who need a family",
        "Recruitment and retention of carers is slow",
        "Children placed in residential care or far from home",
        "officer2",
        (4, 4),
        (3, 4),
        6,
        45,
        "",
    ),
    (
        "R3",
        "Social work vacancies slow the work with families",
        "A regional shortage of experienced social workers",
        "Plans drift and children stay in care longer",
        "officer",
        (4, 3),
        (2, 3),
        4,
        90,
        "",
    ),
]
DEFAULT_ADDRESS = "http://127.0.0.1:8000/"


class Command(BaseCommand):
    help = (
        "Load the seed programme (once) and one demo sign-in per role, then print them. DEBUG only."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--address",
            default=DEFAULT_ADDRESS,
            help=f"Where the demo is served, to print with the sign-ins (`make run` passes its "
            f"HOST and PORT). Default: {DEFAULT_ADDRESS}",
        )

    def handle(self, *args, address=DEFAULT_ADDRESS, **options):
        if not settings.DEBUG:
            raise CommandError("Demo data and sign-ins are for local use only: set DEBUG=1.")
        first_load = not Programme.objects.filter(slug=DEMO_PROGRAMME).exists()
        if not first_load:
            self.stdout.write("Seed programme already loaded; leaving its data as it is.")
        else:
            call_command("loaddata", "care_programme_2024_25", verbosity=0)
            self.stdout.write("Loaded the Care Programme 2024-25 from fixtures/.")
            # Before DfE's figures and the illustrative history: the paper is the published
            # record, its snapshot built from the figures it quotes (fixtures/README.md).
            call_command("loaddata", "care_programme_paper_2025_03", verbosity=0)
            self.stdout.write(
                "Loaded its published paper to the Children, Young People and Education "
                "Committee of 5 March 2025."
            )
        self._load_the_other_seed_papers()

        if not KPI.objects.filter(group__name="Vision").exists():
            call_command("loaddata", "cla_strategy_2022_25", verbosity=0)
            self.stdout.write("Loaded the CLA and Care Leavers Strategy 2022-25 KPI catalogue.")
        # DfE's published figures for the mapped measures (the shipped extract), then
        # illustrative history only for the local measures no public source covers.
        extract = sorted((settings.BASE_DIR / "fixtures" / "lait").glob("*"))
        if extract:
            call_command("import_lait", *map(str, extract), stdout=self.stdout)
        call_command("generate_demo_kpis", stdout=self.stdout)

        users = {}
        for username, first, last, role, staff in DEMO_USERS:
            user, _ = get_user_model().objects.get_or_create(username=username)
            user.first_name, user.last_name, user.is_staff = first, last, staff
            user.email = f"{username}@example.org"
            user.set_password(DEMO_PASSWORD)
            user.save()
            user.groups.set([Group.objects.get(name=role)])
            users[username] = user
        self._give_actions_leads(users["officer"], users["officer2"])
        self._give_measures_an_owner(users["officer"])
        # The councillor hears when a paper is published, as a subscribed member would.
        Programme.objects.get(slug=DEMO_PROGRAMME).subscribers.add(users["councillor"])
        self._give_the_programme_risks(users)
        if first_load:
            # A first history record for what was loaded, so Changes can show "from → to".
            call_command("populate_history", "actions.Action", "actions.Update", verbosity=0)

        lines = [f"  {name:<11} {role}" for name, _, _, role, _ in DEMO_USERS]
        self.stdout.write(
            self.style.SUCCESS(
                f"\nDemo sign-ins (local use only) at {address}\n"
                f"  password for all: {DEMO_PASSWORD}\n" + "\n".join(lines) + "\n"
            )
        )

    def _load_the_other_seed_papers(self):
        """Seeds 001 and 002 as published records, each once. A fixture's rows have fixed
        keys, and loading them again would overwrite whatever holds those keys now (the record
        after an edit, or a paper someone drafted in an older demo database), so a fixture is
        loaded only while none of its keys is taken. One query a row."""
        for fixture, said in SEED_RECORDS:
            rows = json.loads(
                (settings.BASE_DIR / "fixtures" / f"{fixture}.json").read_text(encoding="utf-8")
            )
            if any(
                apps.get_model(row["model"]).objects.filter(pk=row["pk"]).exists() for row in rows
            ):
                continue
            call_command("loaddata", fixture, verbosity=0)
            self.stdout.write(said)

    def _give_measures_an_owner(self, officer):
        """A few local measures (no DfE figure feeds them) to the demo officer, so entering a
        figure and its approval can be tried; owners already set stay."""
        local = (
            KPI.objects.exclude(benchmark_relation=BenchmarkRelation.SAME)
            .filter(owned_by__isnull=True)
            .order_by("group__position", "position", "code")
        )
        chosen = list(local.values_list("pk", flat=True)[:DEMO_OWNED_MEASURES])
        if chosen and not KPI.objects.filter(owned_by=officer).exists():
            KPI.objects.filter(pk__in=chosen).update(owned_by=officer)

    def _give_actions_leads(self, first_officer, second_officer):
        """Objectives 1 and 2 to one officer, 3 and 4 to the other; existing leads stay."""
        unled = Action.objects.filter(
            mechanism__requirement__objective__programme__slug=DEMO_PROGRAMME, lead__isnull=True
        )
        unled.filter(mechanism__requirement__objective__position__lte=2).update(lead=first_officer)
        unled.filter(mechanism__requirement__objective__position__gt=2).update(lead=second_officer)

    def _give_the_programme_risks(self, users):
        """A small register, once (an edited register stays as it is): one risk whose review is
        overdue, so Needs attention and the reminders show it, and one reviewed once, so its
        page has a history and a direction."""
        programme = Programme.objects.get(slug=DEMO_PROGRAMME)
        if programme.risks.exists():
            return
        today = timezone.localdate()
        actions = Action.objects.filter(mechanism__requirement__objective__programme=programme)
        for (
            ref,
            title,
            cause,
            effect,
            owner,
            inherent,
            residual,
            target,
            due,
            mitigation,
        ) in DEMO_RISKS:
            risk = Risk.objects.create(
                programme=programme,
                reference=ref,
                title=title,
                cause=cause,
                consequence=effect,
                owner=users[owner],
                inherent_likelihood=inherent[0],
                inherent_impact=inherent[1],
                residual_likelihood=residual[0],
                residual_impact=residual[1],
                target_score=target,
                controls="Monthly review at the programme board",
                review_date=today + dt.timedelta(days=due),
            )
            if mitigation:
                risk.mitigating_actions.set(actions.filter(title__startswith=mitigation))
        reviewed = Risk.objects.get(programme=programme, reference="R2")
        RiskReview.objects.create(
            risk=reviewed,
            by=users["officer2"],
            residual_likelihood=3,
            residual_impact=4,
            previous_score=16,
            status=Risk.Status.OPEN,
            note="Three new foster families approved this quarter",
            next_review_date=reviewed.review_date,
        )
