"""The `web_search` tool and its backends (ddgs, Tavily, SearXNG, off)."""
