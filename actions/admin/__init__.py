"""Django admin for the programme app: the hierarchy (hierarchy.py: programmes down to updates,
the glossary) and committee papers (papers.py: committees, meetings, the template; papers
read-only) and the risk register (risks.py: the bands; risks and reviews read-only). Django's
autodiscovery imports this package, which registers them all."""

from actions.admin import hierarchy, papers, risks

__all__ = ["hierarchy", "papers", "risks"]
