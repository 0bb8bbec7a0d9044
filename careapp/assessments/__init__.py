"""Campaigns, assessments, answers and their scoring."""
