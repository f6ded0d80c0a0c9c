"""Staff accounts and roles; field encryption and blind indexes for personal data."""
