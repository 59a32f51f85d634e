"""Reads of careprog's own model: what the public pages show."""

import datetime
from dataclasses import dataclass

from django.conf import settings

from careprog import public_texts
from careprog.models import (
    OPEN_DATA_LICENCE,
    OPEN_DATA_LICENCE_URL,
    THE_ROW,
    PublicInformation,
)


@dataclass(frozen=True)
class PublicDetails:
    """What the accessibility statement and the privacy notice say, every blank filled."""

    council_name: str
    contact_email: str
    contact_phone: str
    dpo_email: str
    known_issues: str
    statement_prepared: datetime.date
    statement_reviewed: datetime.date
    privacy_notice: str
    privacy_updated: datetime.date
    open_data_threshold: int  # counts below it are shown as "c" (actions/open_data)
    open_data_licence: str
    open_data_licence_url: str


def public_details() -> PublicDetails:
    """The council's entries in admin, else its settings, else careprog's own words. One
    query, whether or not the council has saved anything."""
    row = PublicInformation.objects.filter(pk=THE_ROW).first()
    saved = row is not None
    row = row or PublicInformation()
    council = row.council_name or settings.COUNCIL_NAME or public_texts.NO_COUNCIL_NAME
    dpo_email = row.dpo_email or settings.COUNCIL_DPO_EMAIL
    return PublicDetails(
        council_name=council,
        contact_email=row.contact_email or settings.COUNCIL_CONTACT_EMAIL,
        contact_phone=row.contact_phone or settings.COUNCIL_CONTACT_PHONE,
        dpo_email=dpo_email,
        known_issues=row.known_issues or public_texts.KNOWN_ISSUES,
        statement_prepared=public_texts.PREPARED_ON,
        statement_reviewed=row.statement_reviewed or public_texts.PREPARED_ON,
        privacy_notice=row.privacy_notice
        or public_texts.privacy_notice(
            council=council, service=settings.SERVICE_NAME, dpo_email=dpo_email
        ),
        privacy_updated=(
            row.updated_at.date() if saved and row.privacy_notice else public_texts.PREPARED_ON
        ),
        open_data_threshold=row.open_data_threshold,
        open_data_licence=row.open_data_licence or OPEN_DATA_LICENCE,
        open_data_licence_url=row.open_data_licence_url or OPEN_DATA_LICENCE_URL,
    )
