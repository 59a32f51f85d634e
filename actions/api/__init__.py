"""Programmes, actions, updates, papers and risks in the read API (careprog.api)."""
