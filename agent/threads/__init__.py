"""Stored conversations read back from a checkpointer: listing, transcripts, deletion, pruning and export."""
