"""Rep accounts: contracts and IDs, password login, sessions, CSRF protection."""
