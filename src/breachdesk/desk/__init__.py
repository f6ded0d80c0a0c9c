"""The inquiry desk: inquiries, approved answers, claims and credit-monitoring codes."""
