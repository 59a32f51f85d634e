"""The read API (/api/): flat tables for Power BI and Excel, with its OpenAPI schema at
/api/schema/ and Swagger UI at /api/docs/ (docs/decisions/0027, docs/api.md).

This package holds what every endpoint shares: personal tokens and their authentication, the
per-token rate limit, strict paging, CSV, and conditional GET (ReadList). The endpoints live
in the apps that own their data (kpis.api, actions.api). Imports no app of ours.
"""
