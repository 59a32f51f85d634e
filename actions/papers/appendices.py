"""The names of a paper's generated appendices, the same in every form of the paper (its page,
Word, PDF and Excel), so that committee services and members find "Appendix 3" whichever they
read, and the paper's own text can cite it ("(Appendix 2)").

A paper template says each name (PaperTemplate's ``*_appendix`` fields); a paper copies them
when it starts, and its snapshot keeps them, so a published paper keeps the names it was
published with whatever the template later says. The defaults are the seed paper's own
(its APPENDICES list: "Appendix 2 Key Performance Data", "Appendix 3 Progress to date";
Appendix 1 is the programme itself, which careprog does not generate). Imports nothing, so
the models can take their defaults from here.
"""

KEY_PERFORMANCE_DATA = "Appendix 2 Key Performance Data"
PROGRESS = "Appendix 3 Progress to date"
CHANGES = "Appendix 4 Changes since the last paper"

NAMES = {"kpis": KEY_PERFORMANCE_DATA, "changes": CHANGES, "progress": PROGRESS}

# What papers published before a template named its appendices called them: their snapshots
# have no names of their own, and the record keeps what was published.
PUBLISHED_BEFORE_NAMES = {
    "kpis": "Appendix A: Key performance data",
    "changes": "Appendix B: Changes since the last paper",
    "progress": "Appendix C: Report on progress",
}


# What a paper copies from its template when it starts: whether it has the appendices, and
# their names.
FIELDS = ("generated_appendices", "kpis_appendix", "progress_appendix", "changes_appendix")


def of_paper(paper) -> dict[str, str]:
    """A paper's (or a template's) names, keyed as NAMES is."""
    return {
        "kpis": paper.kpis_appendix,
        "changes": paper.changes_appendix,
        "progress": paper.progress_appendix,
    }


def names(content: dict) -> dict[str, str]:
    """The names a paper's content (a snapshot or a draft's build) gives its appendices."""
    return content.get("appendices") or PUBLISHED_BEFORE_NAMES


def published_before_names(content: dict) -> bool:
    """Whether the paper was published before papers named their appendices (its snapshot has
    no names): it printed the changes second, a first paper's too, and "No update provided"
    in an empty Updates cell. Its files and page keep printing it so: the record never changes."""
    return "appendices" not in content


def order(content: dict) -> list[str]:
    """The generated appendices a paper prints, keyed as NAMES is, in order: the key
    performance data, the report on progress, then the changes since the last paper, which a
    first paper has none of (papers published before keep their order: published_before_names)."""
    if content.get("generated_appendices") is False:
        return []  # a portfolio's paper, or one whose template has none
    if published_before_names(content):
        return ["kpis", "changes", "progress"]
    first = content["changes"].get("previous") is None
    return ["kpis", "progress"] if first else ["kpis", "progress", "changes"]
