"""Search: one box in the header finds cases and people the user may see."""
