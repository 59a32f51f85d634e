"""The models of the service as a whole: what the council publishes about it, as a public body
must (the details its accessibility statement and privacy notice give: /accessibility/,
/privacy/), and who a person is at the council's identity provider (single sign-on).

Imports no app: they belong to the service as a whole; both pages are open without sign-in.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse

# The one row's key: there is one council per installation.
THE_ROW = 1

# Open data's defaults: DfE's threshold for small numbers, and the licence of public sector
# information in England (careprog.queries.public_details fills them before a row is saved).
OPEN_DATA_THRESHOLD = 5
OPEN_DATA_LICENCE = "Open Government Licence v3.0"
OPEN_DATA_LICENCE_URL = "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/"


class PublicInformation(models.Model):
    """The council's own entries for its accessibility statement and privacy notice, one row.

    A blank field is not an empty page: careprog.queries.public_information falls back to the
    settings (COUNCIL_NAME, COUNCIL_CONTACT_EMAIL ...) and to the texts careprog ships
    (careprog.public_texts), so a fresh install publishes complete pages before anyone edits
    them. The texts are plain text, shown as text: a council cannot put HTML on a public page.
    """

    council_name = models.CharField(
        max_length=200,
        blank=True,
        help_text="As the statement names who runs the service, e.g. “Wirral Council”.",
    )
    contact_email = models.EmailField(
        "contact email",
        blank=True,
        help_text="Where people report an accessibility problem or ask for another format.",
    )
    contact_phone = models.CharField("contact phone", max_length=40, blank=True)
    dpo_email = models.EmailField(
        "data protection officer's email",
        blank=True,
        help_text="Given in the privacy notice for questions and requests about personal data.",
    )
    known_issues = models.TextField(
        "known accessibility issues",
        blank=True,
        help_text=(
            "The parts of the service that are not fully accessible, and why. Blank: the list "
            "careprog ships. Plain text: a blank line starts a new paragraph, a line starting "
            "“- ” is a bullet point and a line starting “## ” is a heading."
        ),
    )
    statement_reviewed = models.DateField(
        "statement last reviewed",
        null=True,
        blank=True,
        help_text="The date the council last reviewed the accessibility statement.",
    )
    privacy_notice = models.TextField(
        blank=True,
        help_text=(
            "The whole privacy notice. Blank: the template careprog ships, which names the "
            "council and its data protection officer from the fields above. Plain text, "
            "written as for known issues."
        ),
    )
    # Open data (actions/open_data/): what every published figure is shown under.
    open_data_threshold = models.PositiveSmallIntegerField(
        "smallest count shown in open data",
        default=OPEN_DATA_THRESHOLD,
        help_text=(
            "Counts below this, and any figure they could be worked out from, are shown as "
            "“c” on the open data pages and files, as DfE suppresses small numbers."
        ),
    )
    open_data_licence = models.CharField(
        "open data licence",
        max_length=200,
        default=OPEN_DATA_LICENCE,
        help_text="The licence the open data is published under.",
    )
    open_data_licence_url = models.URLField(
        "open data licence's address", default=OPEN_DATA_LICENCE_URL
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "accessibility statement and privacy notice"
        verbose_name_plural = "accessibility statement and privacy notice"
        constraints = [
            models.CheckConstraint(
                condition=Q(pk=THE_ROW), name="careprog_publicinformation_one_row"
            ),
        ]

    def __str__(self):
        return "Accessibility statement and privacy notice"

    def save(self, *args, **kwargs):
        self.pk = THE_ROW
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("accessibility")


class OIDCIdentity(models.Model):
    """A careprog account's subject at an OpenID Connect provider.

    A person is matched by the provider's `sub`, never by email alone: addresses are
    reused and renamed, a subject is not. One identity per account per provider, and
    one account per subject, so a sign-in can never land in two accounts.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="oidc_identities"
    )
    issuer = models.CharField(max_length=255)
    subject = models.CharField(max_length=255)
    linked_at = models.DateTimeField(auto_now_add=True)
    last_sign_in = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["issuer", "subject"]
        verbose_name = "single sign-on identity"
        verbose_name_plural = "single sign-on identities"
        constraints = [
            models.UniqueConstraint(
                fields=["issuer", "subject"], name="careprog_oidc_one_account_per_subject"
            ),
            models.UniqueConstraint(
                fields=["user", "issuer"], name="careprog_oidc_one_subject_per_account"
            ),
        ]

    def __str__(self):
        return f"{self.user} at {self.issuer}"

    def get_absolute_url(self):
        return f"/admin/auth/user/{self.user_id}/change/"


class ApiTokenQuerySet(models.QuerySet):
    def working(self, *, now):
        """Tokens that still open the API: not revoked, not expired, their person active."""
        return self.filter(revoked_at__isnull=True, expires_at__gt=now, person__is_active=True)


class ApiToken(models.Model):
    """A personal token for the read API (careprog.api): Power BI's or Excel's scheduled
    refresh sends it as ``Authorization: Bearer <token>``.

    Only a SHA-256 digest of the secret is kept: the secret is shown once, when it is made
    (careprog.api.tokens.issue_token). A token is its person: it carries exactly their roles
    and object rules, and stops working when they are deactivated, when it expires or when it
    is revoked. Revoked tokens are kept, so who made which token, and when it was last used,
    stays on record.
    """

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(max_length=100, help_text="What it is for, e.g. “Power BI refresh”.")
    # The secret's first characters, shown in the token list so a person can tell tokens apart.
    prefix = models.CharField(max_length=16)
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "API token"

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    def get_absolute_url(self):
        return reverse("api_tokens")

    def state(self, *, now) -> str:
        """Which of the ways a token stops working holds, if any, as the token list says it
        (the person's own: whether they are active is not the token's to say)."""
        if self.revoked_at is not None:
            return "Revoked"
        if self.expires_at <= now:
            return "Expired"
        return "Working"
