"""What a campaign achieved and spent: reports, budget and its alerts."""
