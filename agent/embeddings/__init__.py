"""Embedding models, shared by the knowledge base and the embedded model's intent routing."""
