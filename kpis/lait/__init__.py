"""DfE's Local Authority Interactive Tool (LAIT) data: every council's published figures.

`periods` dates LAIT's Years text and ranks revisions (pure), `reading` turns the files into
records (no database), `loading` writes them in one transaction. `manage.py import_lait` is
the way in. `sync` then writes the home council's KPI values, comparators (as
kpis/comparators.py computes them for the benchmark page too) and ranks from them.
"""
