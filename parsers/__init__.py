"""Pure understanding of mail: bytes in, frozen dataclasses out.

Nothing in this package does I/O, reads a clock or settings object, or imports from
`gateway`, `publisher` or `web` (a test enforces it).
"""
