"""The meeting: numbers issued and claimed, participants joining, dropping and leaving."""
