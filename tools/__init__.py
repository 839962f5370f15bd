"""The assistant's tools: calculator, web search and the knowledge base."""
