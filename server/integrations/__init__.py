"""Mendan in a sales team's stack (R-18): outgoing webhooks, API tokens and the REST API."""
