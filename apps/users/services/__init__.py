"""Private writes of the users app, split by sub-domain."""
