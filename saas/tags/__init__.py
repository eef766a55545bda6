"""Tags: the taxonomy's dimensions (reason, value, channel, match) and tenant custom tags."""
