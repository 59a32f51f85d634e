"""What changed since the programme's last published paper: two paper contents compared.

Both sides are contents as papers/content.py builds them (the earlier one a published
snapshot), so the comparison needs no query and reads the same for ever once stored.
Actions are matched by id, measures by code.

Only changes are listed. An action with no update for the new paper's quarter has not
changed: the last paper's text is not "deleted", it is simply not repeated, so listing it as
"before → (none)" would tell members something that did not happen (the Q4 paper after the
seed's Q3 one listed every action so, over four pages).
"""

from __future__ import annotations

from actions.models import UNTITLED_ACTION

NO_STATUS = "No status given"
NO_UPDATE = "No update"


def _actions(content: dict) -> dict[int, dict]:
    found = {}
    for table in content["progress"]:
        for row in table["rows"]:
            if row["action"] is None:
                continue
            found[row["action"]["id"]] = {
                "id": row["action"]["id"],
                "title": row["action"]["title"],
                "objective": table["objective"]["title"],
                "status": row["status"],
                "status_label": row["status_label"],
                "update": (row["update"] or {}).get("text") or "",
            }
    return found


def _figure(kpi: dict) -> str:
    if kpi["value"] is None:
        return "No figure"
    return (
        f"{kpi['value_text']} ({kpi['period_text']})" if kpi["period_text"] else kpi["value_text"]
    )


def _band(kpi: dict) -> str:
    return f"band {kpi['rank']['band']}" if kpi["rank"] else "no band"


def _risks(content: dict) -> dict[int, dict] | None:
    """The risks of a paper's first risks section by id, or None when it has none (or is no
    paper: the attention page compares the live quarter, which has no sections)."""
    found = (s for s in content.get("sections", []) if s.get("kind") == "risks")
    section = next(found, None)
    if section is None:
        return None
    return {risk["id"]: risk for risk in section["risks"]}


def _risk_standing(risk: dict) -> str:
    band = risk["band"]["name"] if risk["band"] else "no band"
    return f"{risk['score']} {band}, {risk['status_label'].lower()}"


GONE_FROM_REGISTER = "Closed or no longer on the register"


def risk_moves(before: dict, after: dict) -> list[dict]:
    """The risks whose residual score or status moved between two papers' risks sections
    (matched by id, so a renamed risk is the same risk), new open risks, and those closed or
    gone since; none unless both papers have a risks section. No queries."""
    was, now = _risks(before), _risks(after)
    if was is None or now is None:
        return []
    moves = [
        {
            "reference": risk["reference"],
            "name": f"{risk['reference']}: {risk['title']}",
            "before": _risk_standing(was[pk]) if pk in was else "Not in the last paper",
            "after": _risk_standing(risk),
        }
        for pk, risk in now.items()
        if pk not in was or _risk_standing(was[pk]) != _risk_standing(risk)
    ]
    moves += [
        {
            "reference": risk["reference"],
            "name": f"{risk['reference']}: {risk['title']}",
            "before": _risk_standing(risk),
            "after": GONE_FROM_REGISTER,
        }
        for pk, risk in was.items()
        if pk not in now
    ]
    return moves


def compare(before: dict | None, after: dict) -> dict:
    """Every kind of change, each with before → after. ``before`` None: the first paper. The
    risks that moved are listed only where both papers have a risks section, so every paper
    without one compares exactly as it always did."""
    if before is None:
        return {"previous": None}
    risks = risk_moves(before, after)
    was, now = _actions(before), _actions(after)
    kpis_before = {kpi["code"]: kpi for kpi in before["kpis"]}
    kpis_after = {kpi["code"]: kpi for kpi in after["kpis"]}

    def moved(show, key=None) -> list[dict]:
        return [
            {
                "code": code,
                "name": kpi["name"],
                "before": show(kpis_before[code]),
                "after": show(kpi),
            }
            for code, kpi in kpis_after.items()
            if code in kpis_before and (key or show)(kpis_before[code]) != (key or show)(kpi)
        ]

    return {
        "previous": {},  # filled in by the builder: which paper this is compared with
        "actions_added": [now[pk] for pk in now if pk not in was],
        "actions_removed": [was[pk] for pk in was if pk not in now],
        "status_moves": [
            {
                **now[pk],
                "before": was[pk]["status_label"] or NO_STATUS,
                "after": now[pk]["status_label"] or NO_STATUS,
            }
            for pk in now
            if pk in was and was[pk]["status"] != now[pk]["status"]
        ],
        # A new update for the quarter, whose words differ from the last paper's. The marker
        # tells this rule's snapshots from those published before it (OLD_UPDATES_RULE).
        "updates_rule": NEW_UPDATES_ONLY,
        "updates_changed": [
            {**now[pk], "before": was[pk]["update"], "after": now[pk]["update"]}
            for pk in now
            if pk in was and now[pk]["update"] and was[pk]["update"] != now[pk]["update"]
        ],
        "measures_added": [
            {"code": code, "name": kpi["name"], "after": _figure(kpi)}
            for code, kpi in kpis_after.items()
            if code not in kpis_before
        ],
        "measures_removed": [
            {"code": code, "name": kpi["name"], "before": _figure(kpi)}
            for code, kpi in kpis_before.items()
            if code not in kpis_after
        ],
        "figures": moved(_figure),
        "ratings": moved(lambda kpi: kpi["rating"]["label"], key=lambda kpi: kpi["rating"]["key"]),
        "bands": moved(_band),
        **({"risk_moves": risks} if risks else {}),
    }


# Papers published before an action with no new update stopped counting as a change list
# every update that differed, missing ones included, under this heading: the record keeps it.
NEW_UPDATES_ONLY = "new updates only"
OLD_UPDATES_RULE = ("Updates changed", ("action's update changed", "actions' updates changed"))

KINDS = [
    # key, heading
    ("actions_added", "Actions added"),
    ("actions_removed", "Actions removed"),
    ("status_moves", "Status moves"),
    ("updates_changed", "New updates"),
    ("measures_added", "Measures added"),
    ("measures_removed", "Measures removed"),
    ("figures", "Figures that moved"),
    ("ratings", "Ratings that moved"),
    ("bands", "Quartile bands that moved"),
    ("risk_moves", "Risks that moved"),
]

# What each count says, singular and plural, for the summary that comes before the details.
_COUNTED = {
    "actions_added": ("action was added", "actions were added"),
    "actions_removed": ("action was removed", "actions were removed"),
    "status_moves": ("action changed status", "actions changed status"),
    "updates_changed": ("action has a new update", "actions have a new update"),
    "measures_added": ("measure was added", "measures were added"),
    "measures_removed": ("measure was removed", "measures were removed"),
    "figures": ("measure's figure moved", "measures' figures moved"),
    "ratings": ("measure's rating moved", "measures' ratings moved"),
    "bands": ("measure's quartile band moved", "measures' quartile bands moved"),
    "risk_moves": ("risk's score or status moved", "risks' scores or statuses moved"),
}

ACTION_KINDS = {"actions_added", "actions_removed", "status_moves", "updates_changed"}


def _published_before_new_updates_rule(changes: dict) -> bool:
    return changes.get("updates_rule") != NEW_UPDATES_ONLY


def _kinds(changes: dict) -> list[tuple[str, str]]:
    """KINDS, with the heading a snapshot from before the new-updates rule was published with."""
    if not _published_before_new_updates_rule(changes):
        return KINDS
    return [(k, OLD_UPDATES_RULE[0] if k == "updates_changed" else h) for k, h in KINDS]


def _counted(changes: dict, key: str) -> tuple[str, str]:
    if key == "updates_changed" and _published_before_new_updates_rule(changes):
        return OLD_UPDATES_RULE[1]
    return _COUNTED[key]


def summary(changes: dict) -> list[dict]:
    """The counts first, one line per kind that has any ("3 actions changed status"), in the
    order the details follow; each names its kind so a page can link to its details."""
    lines = []
    for key, heading in _kinds(changes):
        number = len(changes.get(key) or [])
        if number:
            one, many = _counted(changes, key)
            lines.append(
                {
                    "key": key,
                    "heading": heading,
                    "count": number,
                    "text": f"{number} {one if number == 1 else many}",
                }
            )
    return lines


def rows(key: str, items: list[dict]) -> list[dict]:
    """One kind's changes as the cells every form of the paper prints (page, PDF, Word): what
    changed (with its objective, for an action), before and after. An empty status or update
    is said in words, never "(none)", which read as text deleted."""
    result = []
    for item in items:
        if item.get("name"):
            what, where = item["name"], ""
        else:
            what, where = item.get("title") or UNTITLED_ACTION, item.get("objective", "")
        if key in {"actions_added", "measures_added"}:
            before = "Not in the last paper"
        elif key == "actions_removed":
            before = item.get("status_label") or NO_STATUS
        else:
            before = item.get("before") or (NO_STATUS if key == "status_moves" else NO_UPDATE)
        if key in {"actions_removed", "measures_removed"}:
            after = "Not in this paper"
        elif key == "actions_added":
            after = item.get("status_label") or NO_STATUS
        else:
            after = item.get("after") or (NO_STATUS if key == "status_moves" else NO_UPDATE)
        result.append({"what": what, "objective": where, "before": before, "after": after})
    return result


def groups(changes: dict) -> list[dict]:
    """Each kind that has changes, in order, with its rows (rows())."""
    return [
        {
            "key": key,
            "heading": heading,
            "of_actions": key in ACTION_KINDS,
            "subject": (
                "Action" if key in ACTION_KINDS else "Risk" if key == "risk_moves" else "Measure"
            ),
            "rows": rows(key, changes[key]),
        }
        for key, heading in _kinds(changes)
        if changes.get(key)
    ]


def count(changes: dict) -> int:
    return sum(len(changes.get(key, [])) for key, _ in KINDS)
