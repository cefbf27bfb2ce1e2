"""Scheduled jobs: thin, idempotent functions that call services, and the one scheduler process."""
