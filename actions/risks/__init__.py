"""A programme's risk register: its reads (queries.py), writes (services.py), forms, pages
(views.py) and the import of an existing register from Excel (importing.py). The models are
actions/models/risks.py."""
