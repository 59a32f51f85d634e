"""What changed since the programme's last published paper: two paper contents compared.

Both sides are contents as papers/content.py builds them (the earlier one a published
snapshot), so the comparison needs no query and reads the same for ever once stored.
Actions are matched by id, measures by code.
"""

from __future__ import annotations


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


def compare(before: dict | None, after: dict) -> dict:
    """Every kind of change, each with before → after. ``before`` None: the first paper."""
    if before is None:
        return {"previous": None}
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
            {**now[pk], "before": was[pk]["status_label"], "after": now[pk]["status_label"]}
            for pk in now
            if pk in was and was[pk]["status_label"] != now[pk]["status_label"]
        ],
        "updates_changed": [
            {**now[pk], "before": was[pk]["update"], "after": now[pk]["update"]}
            for pk in now
            if pk in was and was[pk]["update"] != now[pk]["update"]
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
    }


KINDS = [
    # key, heading
    ("actions_added", "Actions added"),
    ("actions_removed", "Actions removed"),
    ("status_moves", "Status moves"),
    ("updates_changed", "Updates changed"),
    ("measures_added", "Measures added"),
    ("measures_removed", "Measures removed"),
    ("figures", "Figures that moved"),
    ("ratings", "Ratings that moved"),
    ("bands", "Quartile bands that moved"),
]


def count(changes: dict) -> int:
    return sum(len(changes.get(key, [])) for key, _ in KINDS)
