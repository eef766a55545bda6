"""Offers: sent, answered, or stalled past their respond-by date."""
