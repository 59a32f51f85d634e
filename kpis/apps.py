from django.apps import AppConfig


class KpisConfig(AppConfig):
    """The KPI catalogue, its dashboards, Excel imports and DfE benchmarks."""

    name = "kpis"
    verbose_name = "KPIs"

    def ready(self):
        from kpis import reading_cache
        from kpis.models import KPI, ComparatorValue, KPIGroup, KPIRank, KPITarget, KPIValue

        # Whatever a reading is made of: a save or delete anywhere (app, admin, shell)
        # forgets the cached readings (kpis.reading_cache).
        reading_cache.connect_signals(KPI, KPIGroup, KPIValue, KPITarget, ComparatorValue, KPIRank)
