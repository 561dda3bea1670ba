"""Helpers shared by the tests: a real server process, browsers, async runner."""
