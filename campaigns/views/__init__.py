"""Campaign pages, one module per journey: the public page and the big screen,
the organiser's, and a member's (joining with the code, checking in)."""
