"""Division data shipped with the package (a package so that setuptools installs the CSV)."""
