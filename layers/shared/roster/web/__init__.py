"""Reading other people's web safely: fetching URLs, public suffixes, HTML to text."""
