"""Recordings: chunks uploaded from the rep's browser, finished into seekable WebM files."""
