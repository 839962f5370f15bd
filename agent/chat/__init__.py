"""Conversations: a turn with memory (`session`), the interactive REPL and how turns are rendered."""
