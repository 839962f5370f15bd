"""The knowledge base: ingest files into Chroma and the `search_documents` tool over it."""
