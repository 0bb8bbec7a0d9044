"""Charts and (later) PDF reports, shared by web pages and documents."""
