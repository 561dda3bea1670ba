"""The Mendan bridge: a native messaging host that runs WebRTC (aiortc) for browsers without it."""
