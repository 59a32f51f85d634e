"""Everything a paper shows, as one JSON-ready dict: the title block, the covering report's
sections, and the generated appendices (key performance data as at the paper's date, the
report on progress for its quarter, and the changes since the programme's last paper).

A draft is built from live data each time it is shown; publishing stores the build as the
paper's snapshot, with the SHA-256 of its canonical JSON, and a published paper is only ever
shown from that snapshot. So the same templates render both, and what is checked (the digest)
is exactly what is shown.
"""

from __future__ import annotations

import hashlib
import json
import re

from actions.evidence import programme_measures
from actions.models import (
    SWOT_QUADRANTS,
    UNTITLED_ACTION,
    Paper,
    Programme,
    RiskStatus,
    SectionKind,
    TitleBlock,
)
from actions.papers import appendices, text
from actions.papers.changes import NO_STATUS, compare
from actions.queries import ObjectiveTable, report_tables
from actions.risks import queries as risk_queries
from careprog.periods import ReportingPeriod
from kpis import readings as kpi_readings
from kpis.models import ComparatorValue

FORMAT = 1

_ITEM_MARK = re.compile(r"^\s*(?:\d+[.)]|[-*•])\s*")


def canonical_json(content: dict) -> bytes:
    """One byte string per content: sorted keys, no spaces, UTF-8."""
    return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def sha256(content: dict) -> str:
    return hashlib.sha256(canonical_json(content)).hexdigest()


def paper_content(paper: Paper) -> dict:
    """The published snapshot, or for an unpublished paper a build from live data."""
    return paper.snapshot if paper.is_published else build(paper)


def build(paper: Paper, *, previous: Paper | None | bool = False) -> dict:
    """The paper from live data. Expects ``paper`` with its programme, meeting and committee
    selected and its sections prefetched (papers.queries.paper_for_page). Ten queries
    whatever the programme's size: five for the progress table, four for the measures, one for
    the previous published paper (none when ``previous`` is given); and five more, however
    long the register and its history, when it has a risks section (risks_as_at)."""
    paper_sections = list(paper.sections.all())
    has_risks = paper.programme is not None and any(
        s.kind == SectionKind.RISKS for s in paper_sections
    )
    # The risks' mitigating actions take their status from the quarter's report, read even
    # when the paper prints no appendix of it.
    report = progress(paper.programme, paper.period) if paper.has_appendices or has_risks else []
    risks = None
    if has_risks:
        risks = risks_as_at(paper.programme, paper.figures_as_at, progress_tables=report)
    content = {
        "format": FORMAT,
        "committee": paper.meeting.committee.name,
        "meeting_date": paper.meeting.date.isoformat(),
        "meeting_date_text": f"{paper.meeting.date:%A} {paper.meeting.date:%-d %B %Y}",
        "agenda_item": paper.meeting.agenda_item,
        "title": paper.title,
        "report_of": paper.report_of,
        "programme": (
            {"name": paper.programme.name, "slug": paper.programme.slug}
            if paper.programme
            else None
        ),
        "period": _period(paper.period),
        "figures_as_at": paper.figures_as_at.isoformat(),
        "figures_as_at_text": f"{paper.figures_as_at:%-d %B %Y}",
        "sections": sections(paper_sections, risks=risks, as_at=paper.figures_as_at),
        "appendices": appendices.of_paper(paper),
        **title_block(paper),
    }
    if not paper.has_appendices:
        # A portfolio's paper, or one without appendices: nothing generated, nothing to compare.
        content.update(generated_appendices=False, progress=[], kpis=[], changes={"previous": None})
        return content
    if previous is False:
        from actions.papers.queries import previous_published

        previous = previous_published(paper)
    content["progress"] = report
    content["kpis"] = key_performance_data(paper.programme, paper.figures_as_at)
    content["changes"] = compare(previous.snapshot if previous else None, content)
    if previous:
        content["changes"]["previous"] = {
            "id": previous.pk,
            "title": previous.title,
            "period": previous.period.label,
            "meeting": str(previous.meeting),
        }
    return content


def title_block(paper: Paper) -> dict:
    """The family's title block, only for a family other than the committee report, so that
    a committee report's content (and every snapshot published before families) has no such
    key and reads as before. No queries."""
    if paper.title_block == TitleBlock.COMMITTEE_REPORT:
        return {}
    return {
        "title_block": {
            "kind": paper.title_block,
            "group_name": paper.group_name,
            "councillor": paper.councillor,
            "portfolio": paper.portfolio,
            "meeting_name": paper.meeting.committee.name,
            "date_text": f"{paper.meeting.date:%-d %B %Y}",
        }
    }


def without_update(content: dict) -> list[dict]:
    """The actions a paper prints with an empty Updates cell (no update for its quarter), for
    the draft's author: the record shows the gap as the committee's table does, blank, so the
    draft says it outside the appendix. No queries."""
    return [
        {**row["action"], "objective": table["objective"]["title"]}
        for table in content["progress"]
        for row in table["rows"]
        if row["action"] is not None and row["update"] is None
    ]


def _period(period: ReportingPeriod) -> dict:
    return {
        "slug": period.slug,
        "label": period.label,
        "months": period.months,
        "end": period.end.isoformat(),
        "end_text": f"{period.end:%-d %B %Y}",
    }


def sections(paper_sections, *, risks: list[dict] | None = None, as_at=None) -> list[dict]:
    """The covering report's sections that have content, numbered sections numbered in order
    (1.0, 2.0 ...) and their paragraphs under them (1.1, 1.2 ...). A text section is as it
    always was (no "kind" key, so snapshots before kinds read the same); a labelled-rows
    section has ``rows`` of label and blocks, a SWOT its four ``quadrants`` of items, a risks
    section the ``risks`` given (risks_as_at, read once for the paper) and the date they are
    as at. A risks section with no register to read (a portfolio's paper) is left out."""
    result, number = [], 0
    for section in paper_sections:
        if not section.has_content or (section.kind == SectionKind.RISKS and risks is None):
            continue
        section_number = None
        if section.numbered:
            number += 1
            section_number = number
        built = {
            "heading": section.heading,
            "number": f"{section_number}.0" if section_number else None,
        }
        if section.kind == SectionKind.LABELLED_ROWS:
            built.update(
                kind=section.kind,
                blocks=[],
                rows=[
                    {"label": row["label"], "blocks": text.blocks(row.get("text", ""))}
                    for row in section.rows
                ],
            )
        elif section.kind == SectionKind.SWOT:
            built.update(kind=section.kind, blocks=[], quadrants=swot_quadrants(section.rows))
        elif section.kind == SectionKind.RISKS:
            built.update(kind=section.kind, blocks=[], as_at_text=f"{as_at:%-d %B %Y}", risks=risks)
        elif section.kind == SectionKind.HEADING:
            built.update(kind=section.kind, blocks=[])
        else:
            built["blocks"] = text.blocks(
                section.text,
                section_number=None if section.heading_number_only else section_number,
            )
        result.append(built)
    return result


def swot_quadrants(rows: list[dict]) -> list[dict]:
    """A SWOT section's four quadrants in order, each item one non-empty line of its text
    (a typed "1. " or "- " dropped: the list numbers them)."""
    typed = {row["label"]: row.get("text", "") for row in rows}
    return [
        {
            "label": label,
            "items": [
                _ITEM_MARK.sub("", line).strip()
                for line in typed.get(label, "").splitlines()
                if _ITEM_MARK.sub("", line).strip()
            ],
        }
        for label in SWOT_QUADRANTS
    ]


def risks_as_at(programme: Programme, as_at, *, progress_tables: list[dict]) -> list[dict]:
    """The programme's open and escalated risks as the register stood at the end of
    ``as_at`` (risks.queries.register_as_at: each risk's scores, status and review then, so
    a later review changes the next paper, never this one), highest residual score first,
    each with its owner and mitigating actions, the actions' status as the paper's progress
    table gives it (``progress_tables``, already built). Five queries whatever the size of
    the register and its history: three for the register, one for the owners, one for the
    mitigating actions."""
    register_then = [
        risk
        for risk in risk_queries.register_as_at(programme, as_at)
        if risk.status != RiskStatus.CLOSED
    ]
    owners = risk_queries.owner_names(register_then)
    mitigations = risk_queries.mitigations_as_at(register_then)
    statuses, order = {}, {}
    for table in progress_tables:
        for row in table["rows"]:
            if row["action"] is not None:
                statuses[row["action"]["id"]] = row["status_label"] or NO_STATUS
                order.setdefault(row["action"]["id"], len(order))
    register_then.sort(
        key=lambda risk: (-risk.residual_score, risk_queries.reference_order(risk.reference))
    )
    return [
        {
            "id": risk.pk,
            "reference": risk.reference,
            "title": risk.title,
            "owner": owners.get(risk.owner_id, "No owner"),
            "likelihood": risk.residual_likelihood,
            "impact": risk.residual_impact,
            "score": risk.residual_score,
            "band": ({"name": risk.band.name, "colour": risk.band.colour} if risk.band else None),
            "target": risk.target_score,
            "direction": (
                {
                    "key": risk.direction.value,
                    "label": risk.direction.label,
                    "arrow": risk.direction.arrow,
                }
                if risk.direction
                else None
            ),
            "status": risk.status,
            "status_label": risk.status_label,
            "review_date": risk.review_date.isoformat(),
            "review_date_text": f"{risk.review_date:%-d %B %Y}",
            "actions": [
                {
                    "id": action_id,
                    "title": title or UNTITLED_ACTION,
                    # A retired action is in no quarter's table: it has no status to give.
                    "status_label": statuses.get(action_id, "Not in this quarter's report"),
                }
                for action_id, title in sorted(
                    mitigations.get(risk.pk, []), key=lambda link: order.get(link[0], len(order))
                )
            ],
        }
        for risk in register_then
    ]


def progress(programme: Programme, period: ReportingPeriod) -> list[dict]:
    """The report on progress for the quarter, one table per objective, with the merged cells
    of the committee's table: five queries (actions.queries.report_tables)."""
    return progress_of(report_tables(programme, period))


def progress_of(report: list[ObjectiveTable]) -> list[dict]:
    """progress() from tables already read (actions.queries.report_tables): no queries."""
    tables = []
    for table in report:
        rows = []
        for row in table.rows:
            update = row.update
            rows.append(
                {
                    "requirement_rowspan": row.requirement_rowspan,
                    "requirement": row.requirement.text if row.requirement else "",
                    "mechanism_rowspan": row.mechanism_rowspan,
                    "mechanism": row.mechanism.text if row.mechanism else "",
                    "action": (
                        {"id": row.action.pk, "title": row.action.title} if row.action else None
                    ),
                    "status": row.status.value,
                    # Empty where no officer gave a status: the record prints none.
                    "status_label": row.status.given_label,
                    "status_period": row.status_period.label if row.status_period else None,
                    "update": (
                        {
                            "text": update.text,
                            "reason": update.reason,
                            "next_step": update.next_step,
                        }
                        if update
                        else None
                    ),
                }
            )
        tables.append(
            {
                "objective": {
                    "id": table.objective.pk,
                    "title": table.objective.title,
                    "statement": table.objective.statement,
                },
                "rows": rows,
            }
        )
    return tables


def key_performance_data(programme: Programme, as_at) -> list[dict]:
    """The programme's measures (those evidencing its objectives) as they stood at ``as_at``:
    four queries (kpis.readings.readings)."""
    kpis = programme_measures(programme)
    rows = []
    for reading in kpi_readings.readings(kpis, as_at=as_at):
        latest, rating, travel = reading.latest, reading.rating, reading.vs_previous
        comparators = {
            kind: reading.show(reading.comparators[kind].value)
            if kind in reading.comparators
            else None
            for kind in ComparatorValue.Comparator.values
        }
        rows.append(
            {
                "code": reading.kpi.code,
                "name": reading.kpi.name,
                "group": reading.kpi.group.name,
                "value": f"{latest.value.normalize():f}" if latest else None,
                "value_text": reading.latest_text,
                "period_end": latest.period_end.isoformat() if latest else None,
                "period_text": reading.period_text,
                "origin": latest.get_origin_display() if latest else "",
                "illustrative": bool(latest and latest.is_illustrative),
                "target_text": (
                    f"{reading.describe_target(reading.target)} ({reading.target.year_label})"
                    if reading.target
                    else reading.target_text
                ),
                "target_illustrative": bool(reading.target and reading.target.is_illustrative),
                "rating": {
                    "key": rating.rag.key,
                    "label": rating.rag.label,
                    "shape": rating.rag.shape,
                    "tag_class": rating.rag.tag_class,
                    "explanation": rating.explanation,
                },
                "direction": (
                    {
                        "key": travel.travel.key,
                        "label": travel.travel.label,
                        "arrow": travel.travel.arrow,
                        "explanation": travel.explanation,
                    }
                    if travel
                    else None
                ),
                "neighbours": comparators["neighbours"],
                "region": comparators["region"],
                "england": comparators["england"],
                "rank": (
                    {
                        "rank": reading.rank.rank,
                        "out_of": reading.rank.out_of,
                        "band": reading.rank.band,
                    }
                    if reading.rank
                    else None
                ),
                "rank_text": reading.rank_text,
                "source": (latest.source if latest and latest.source else reading.kpi.source),
                # The owner's approved words on the figure. Papers published before it was
                # kept have no such key: readers of a snapshot use .get("commentary").
                "commentary": latest.commentary if latest else "",
                # DfE's figure is the one shown: the council's own where it differs, or its
                # figure marked provisional before DfE publishes. Only where there is something
                # to say, so a snapshot without the key (every paper before it) reads the same.
                **({"standing": standing} if (standing := reading.standing_text) else {}),
            }
        )
    return rows


RISK_HEADINGS = [
    "Risk",
    "Owner",
    "Residual score",
    "Target score",
    "Direction since last review",
    "Status",
    "Next review due",
    "Mitigating actions and their status",
]


def risk_cells(risk: dict) -> list[str]:
    """A risk of a risks section as text, column by column (RISK_HEADINGS), for Word and
    Excel: the band's name beside its score, so nothing is told by colour alone; one line per
    mitigating action. No queries."""
    band = risk["band"]["name"] if risk["band"] else "No band"
    direction = risk["direction"]
    return [
        f"{risk['reference']}: {risk['title']}",
        risk["owner"],
        f"{risk['score']} {band} (likelihood {risk['likelihood']} × impact {risk['impact']})",
        str(risk["target"]),
        f"{direction['arrow']} {direction['label']}" if direction else "Not yet reviewed",
        risk["status_label"],
        risk["review_date_text"],
        "\n".join(f"{a['title']}: {a['status_label']}" for a in risk["actions"]) or "None",
    ]


def covering_rows(content: dict) -> list[tuple[str, str]]:
    """The covering report as (first column, second column) rows: a section's heading alone,
    a labelled row's label and text, a SWOT item under its quadrant, a risk's reference and
    title beside its owner, scores, status, review and actions, text paragraphs in the second
    column. No queries (a pure function of the content)."""
    names = RISK_HEADINGS[1:]
    rows: list[tuple[str, str]] = []
    block = content.get("title_block")
    if block and block["kind"] == "cabinet_member_update":
        rows += [("Councillor", block["councillor"]), ("Portfolio", block["portfolio"])]
        rows.append(("Date", block["date_text"]))
    for section in content["sections"]:
        number = f"{section['number']} " if section["number"] else ""
        rows.append((number + section["heading"], ""))
        if section.get("kind") == "labelled_rows":
            rows += [(row["label"], text.plain(row["blocks"])) for row in section["rows"]]
        elif section.get("kind") == "swot":
            for quadrant in section["quadrants"]:
                rows += [
                    (quadrant["label"], f"{n}. {item}")
                    for n, item in enumerate(quadrant["items"], 1)
                ]
        elif section.get("kind") == "risks":
            as_at = section["as_at_text"]
            rows.append(("", f"The open and escalated risks as the register stood on {as_at}"))
            for cells in map(risk_cells, section["risks"]):
                described = zip(names, cells[1:], strict=True)
                rows.append((cells[0], "\n".join(f"{name}: {value}" for name, value in described)))
            if not section["risks"]:
                rows.append(("", f"The register had no open or escalated risk on {as_at}."))
        else:
            rows += [("", text.plain([b])) for b in section["blocks"]]
    return rows
