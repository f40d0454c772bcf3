"""Non-visual parts of the main screen: each one runs one kind of background work and posts messages."""
