"""People, in the app: programme administrators see who has which role, what each leads and
owns, and (in later steps) add, invite, change and deactivate them.

It lives in actions, not careprog, because the page counts actions led and measures owned:
careprog's shared modules may import neither actions nor kpis (tests/test_architecture.py).
"""
