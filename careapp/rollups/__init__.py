"""Regional and national views of the results."""
