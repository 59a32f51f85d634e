"""Django admin for the programme app: the hierarchy (hierarchy.py: programmes down to updates,
the glossary) and committee papers (papers.py: committees, meetings, the template; papers
read-only). Django's autodiscovery imports this package, which registers both."""

from actions.admin import hierarchy, papers

__all__ = ["hierarchy", "papers"]
