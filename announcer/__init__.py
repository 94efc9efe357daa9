"""`lobby announcer`: a client of the hub, like the kiosk, that says each ticket call aloud."""
