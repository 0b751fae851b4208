"""Calendar feeds at the network edge: the guarded fetcher and the parallel refresh job.

Services never reach the network themselves: they are handed a fetch function (``fetch_ics``
here, or a test's working fake) and record what it returns.
"""

from accueil.feeds.fetch import FeedFetcher, default_fetcher, fetch_ics
from accueil.feeds.refresh import refresh_due, refresh_each

__all__ = ["FeedFetcher", "default_fetcher", "fetch_ics", "refresh_due", "refresh_each"]
