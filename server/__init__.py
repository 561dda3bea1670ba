"""Mendan server: pages, HTTP API, WebSocket signaling and storage."""
