"""Open data: a programme's published papers and approved KPI figures at /open/ for anyone,
without signing in, when an administrator has published the programme (Programme.open_data_from;
off by default). Pages, CSV and JSON carry the council's licence line, and small counts are
suppressed as DfE suppresses them (suppression.py). Nothing else is public: no draft, no entry
awaiting approval, no illustrative figure, no commentary, no person's name.

queries.py reads, suppression.py decides what is shown as "c", writers.py turns figures into
rows, CSV and JSON, views.py serves them."""
