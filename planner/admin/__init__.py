"""Administration: the policy settings, users, regions and sites."""
