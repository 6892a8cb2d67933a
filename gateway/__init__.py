"""The processes and their I/O: settings, CLI, SMTP listener, spool, worker, IMAP, outbound."""
