from django.apps import AppConfig


class KpisConfig(AppConfig):
    """The KPI catalogue, its dashboards, Excel imports and DfE benchmarks."""

    name = "kpis"
    verbose_name = "KPIs"
