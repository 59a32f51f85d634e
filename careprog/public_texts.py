"""The texts careprog ships for the accessibility statement and the privacy notice, shown
until the council writes its own in Django admin (careprog.models.PublicInformation).

Both are plain text in the form the council writes in (careprog.council_text reads it): a
blank line between paragraphs, "- " before a bullet point, "## " before a heading. They are
format strings for the council's details only; what a council writes is never formatted.
"""

import datetime

# The day careprog's statement and notice were written: the statement's "prepared on", and its
# "last reviewed" until the council records a review of its own.
PREPARED_ON = datetime.date(2026, 12, 5)

# Said where a council has given no name (COUNCIL_NAME or admin).
NO_COUNCIL_NAME = "the council"

KNOWN_ISSUES = """\
- The administration pages (Django's own pages, for programme administrators) are not covered \
by the automated accessibility checks described below, and have not been tested against \
WCAG 2.2.

- Committee papers downloaded as Word documents or Excel workbooks are not checked for \
accessibility. A paper's PDF is tagged (its headings, tables and language are marked for \
screen readers) but has not been checked by a person using a screen reader.

- The service has not yet had a full audit against WCAG 2.2 by an accessibility specialist, \
nor been tested by people who use assistive technology. Automated checks find around half of \
the problems such an audit would."""

PRIVACY_NOTICE = """\
## Who we are

{council} is the data controller for the personal data held in {service}, the service its \
children's services use to run their improvement programmes and report progress to committee. \
Only the council's staff and councillors who have been given a sign-in use it.

{service} holds no records about individual children or families: its measures are counts, \
rates and percentages. Do not write a child's or a family's details in an update, a comment \
or a committee paper.

## What personal data we hold

- your name, work email address and username, and the roles you have in the service
- when you signed in, and any failed attempts to sign in with the network address they came \
from, to protect accounts from password guessing
- what you write and do in the service: updates on the actions you lead, figures and \
commentary you enter, approve or return, and committee papers you draft, approve or publish, \
each with your name and the time, and the history of every change
- which programmes' published papers you have asked to be emailed about

## Why we hold it

To run the council's improvement programmes, to report their progress to the council's \
committees, to send you reminders and notices about your work in the service, and to keep a \
record of who did what and when.

Our lawful basis is public task (article 6(1)(e) of the UK General Data Protection \
Regulation): running the council's children's services and reporting on them to its \
elected members.

## Who can see it

People with a role in the service see the names of those who lead actions, own measures, and \
write, approve and publish papers. Published committee papers name lead officers and become \
part of the committee's public record. Administrators see people's accounts and sign-in \
records. The council's IT staff and its hosting supplier can reach the data to run the \
service; we do not share it with anyone else unless the law requires us to.

## How long we keep it

- Your account stays while you need it for your work. When you leave or change jobs an \
administrator deactivates it; your name stays on the updates, figures and papers you wrote, \
as they are part of the council's record.
- Records of sign-ins and failed attempts are kept to protect accounts; administrators can \
clear them.
- Published committee papers are kept permanently, as the committee's record.
- Everything else is kept in line with the council's retention schedule.

## Your rights

You can ask to see the personal data we hold about you, to have it corrected, and in some \
circumstances to have it erased or its use restricted, or to object to its use. Because we \
hold it for a public task, some of it (for example a published paper) cannot be erased.

{dpo}

If you are unhappy with how we have used your data, you can complain to the Information \
Commissioner's Office (ICO): ico.org.uk, or call 0303 123 1113."""

DPO_WITH_EMAIL = (
    "To make a request or ask a question, email the council's data protection officer: {email}."
)
DPO_WITHOUT_EMAIL = (
    "To make a request or ask a question, contact the council's data protection officer: the "
    "council's website says how."
)


def privacy_notice(*, council: str, service: str, dpo_email: str) -> str:
    """careprog's privacy notice, naming the council, the service and its DPO."""
    dpo = DPO_WITH_EMAIL.format(email=dpo_email) if dpo_email else DPO_WITHOUT_EMAIL
    council = council[:1].upper() + council[1:]  # it starts a sentence
    return PRIVACY_NOTICE.format(council=council, service=service, dpo=dpo)
