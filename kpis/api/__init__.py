"""The KPI catalogue and its figures in the read API (careprog.api): /api/kpis/ and
/api/kpi-values/."""
