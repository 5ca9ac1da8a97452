"""The event feed: everything that happened, as one ordered stream for other systems."""
