"""One module per resource type; ``registry`` holds the list every other layer reads."""
