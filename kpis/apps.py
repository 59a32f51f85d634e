from django.apps import AppConfig


class KpisConfig(AppConfig):
    """KPI catalogue and dashboards; its models arrive with the KPI catalogue issue."""

    name = "kpis"
    verbose_name = "KPIs"
