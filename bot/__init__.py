"""The framework every capability stands on, and the domain services they share.

Framework: webhook, router, gateway, outbox, inbox, db, config. Shared services with a small public
API: `roster` (districts, units, contacts, groups), `directory` (the roster data file), `reminders`,
`conversations`, `privacy_guard`, `links`. Nothing in `bot/` imports a capability (`handlers/`);
the composition root `app.py` lists them. Importing this package loads nothing.
"""
