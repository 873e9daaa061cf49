"""Tests that commit for real use the `committed` fixture of tests/conftest.py."""
