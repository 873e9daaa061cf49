"""The one table of labels (SPEC §15): every enum the API uses, each code in Chinese."""
