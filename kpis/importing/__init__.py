"""Importing KPI returns from Excel, in the order a return goes through it:

- gate: the file checks (size, file type, zip structure, zip bombs, forbidden XML) that refuse
  a hostile or broken upload in one sentence before any sheet is parsed, and the upload limit,
  read from settings in ``upload_limits()`` alone;
- reader: the streaming .xlsx reader behind the gate, a sheet's non-empty cells row by row;
- rows: a return's rows in either layout (long or wide), every problem by sheet and cell;
- cells: one cell read as a period or a value, by the rules administrators expect;
- preview: each row beside the stored real figure (new, changed, unchanged) and warnings of
  large moves; nothing is written;
- apply: keeping the upload, saving a confirmed return in one transaction, undoing it.

Beside the pipeline, template builds the return template an administrator fills in.
"""
