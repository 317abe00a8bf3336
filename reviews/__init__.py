"""Plan approval, extension requests, self-evaluation and evaluation (later issues)."""
