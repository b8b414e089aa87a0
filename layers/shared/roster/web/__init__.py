"""HTTP both ways: the edge where Roster's functions answer requests (`edge`), and reading other
people's web safely: fetching URLs, public suffixes, HTML to text."""
