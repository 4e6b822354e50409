"""Cases: the people supervised, their needs, exclusions and history."""
