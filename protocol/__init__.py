"""Wire protocols shared by the server, the pages and the native host (which never imports server/)."""
