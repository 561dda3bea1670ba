"""WebSocket signaling: the connection endpoint, the local hub of sockets, and the bus between them."""
