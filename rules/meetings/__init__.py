"""Pure rules of the meetings capability: tiers and cycles (`cycles`), reminder plans and command parsing (`plan`)."""
