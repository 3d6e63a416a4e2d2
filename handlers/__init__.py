"""One module (or package) per capability; each exposes CAPABILITY for the app factory."""
