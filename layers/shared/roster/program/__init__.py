"""The brand's program: campaigns, the creator roster (and its CSV import), alerts."""
