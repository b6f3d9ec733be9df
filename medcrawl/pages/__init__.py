"""Page classes: one per page type per site, each the only place that knows its markup."""
