"""The processes and their I/O: SMTP listener, spool, intake worker, IMAP, outbound mail."""
