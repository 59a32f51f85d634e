"""The bands DOMAIN's example risk policy names (1–4 low, 5–12 medium, 15–25 high), which a
council changes in admin. 13 and 14 are no product of two scores from 1 to 5, so no risk falls
between Medium and High. Imports no model: the migration passes its own."""

DEFAULT_BANDS = [
    # name, lowest, highest, GOV.UK tag colour, position
    ("Low", 1, 4, "green", 1),
    ("Medium", 5, 12, "yellow", 2),
    ("High", 15, 25, "red", 3),
]


def create_default_bands(RiskBand) -> None:  # noqa: N803
    """The policy's bands, unless the council has any: after the first migrate, and after a
    flush (tests flush), as the roles and the paper template are put back."""
    if RiskBand.objects.exists():
        return
    RiskBand.objects.bulk_create(
        RiskBand(name=name, lowest=lowest, highest=highest, colour=colour, position=position)
        for name, lowest, highest, colour, position in DEFAULT_BANDS
    )
