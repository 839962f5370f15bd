"""Chat models: model specs to LangChain chat models (`loading`), the embedded llama.cpp model (`local`), errors."""
