"""Audit event types of the whistleblower channel that are not steps (each step declares its own event in
steps.py and is labelled with the step's name)."""
