"""Commendation pages, split by journey: the public honour board, reviews and
nominations (the nominating unit), councils and ballots, decisions."""
