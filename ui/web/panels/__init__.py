"""Panels shared by the pages: evidence, synthesis, landing."""
