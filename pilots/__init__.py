"""Batches, the candidate list, pilots, experiences and bonus points."""
