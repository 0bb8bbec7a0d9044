"""The establishment's roadmap: actions generated from gaps, findings and manual entries."""
