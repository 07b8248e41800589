# Keep pytest's doctest collection away from the entry-point module (importing it runs the CLI).
collect_ignore = ["src/zarya/__main__.py"]
