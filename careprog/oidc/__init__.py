"""Single sign-on with the council's own accounts (OpenID Connect), through
mozilla-django-oidc: docs/single-sign-on.md for operators, docs/decisions/0026 for why."""
