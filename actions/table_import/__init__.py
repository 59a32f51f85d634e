"""Importing a council's existing progress table (Word .docx) as a programme's hierarchy.

`word.read_word(data)` returns a `ParsedProgramme`: the tree of objectives, requirements,
mechanisms and actions in the table's order, and each row's problems by table and row. Nothing is
saved here; creating the programme from the tree is a separate, all-or-nothing step.
"""
