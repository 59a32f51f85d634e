"""The names of a paper's generated appendices, the same in every form of the paper (its page,
Word, PDF and Excel): committee services and members refer to "Appendix C" whichever they read.
The report on progress is Appendix C, as the committee's own papers call it."""

KEY_PERFORMANCE_DATA = "Appendix A: Key performance data"
CHANGES = "Appendix B: Changes since the last paper"
PROGRESS = "Appendix C: Report on progress"

NAMES = {"kpis": KEY_PERFORMANCE_DATA, "changes": CHANGES, "progress": PROGRESS}
