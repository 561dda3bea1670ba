"""The Mendan bridge as this server offers it: the /bridge page and the built files it serves."""
