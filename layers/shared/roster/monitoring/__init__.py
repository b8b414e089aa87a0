"""Finding and checking creators' posts: feeds and pages, matching, FTC disclosure."""
