"""The database and every decision that needs history: threads, posts, people, outbound queue.

May import `parsers`; never `gateway` or `web`.
"""
