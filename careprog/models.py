"""The one model of the project itself: who a person is at the council's identity provider."""

from django.conf import settings
from django.db import models


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
