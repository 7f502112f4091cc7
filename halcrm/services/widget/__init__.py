"""The website widget's calls."""
