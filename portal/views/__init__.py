"""Public site views; one module per page family. Each starts from disclosure.selectors."""
