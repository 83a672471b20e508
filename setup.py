"""The one thing pyproject.toml cannot say: the shipped codebooks stay readable at the top
of the source tree (`codebooks/`) and are installed inside the package as
`qcode.codebooks`, so a wheel carries them and `qcode demo` works outside a checkout."""

from setuptools import find_packages, setup

setup(
    # The demo's interviews are data in a folder of their own (no __init__.py): named
    # here as a package, so setuptools installs it without warning that it is left out.
    packages=find_packages(include=["qcode", "qcode.*"])
    + ["qcode.codebooks", "qcode.demo_material"],
    package_dir={"qcode.codebooks": "codebooks"},
    package_data={
        "qcode": ["tui/*.tcss"],
        "qcode.demo_material": ["*"],
        "qcode.codebooks": ["*.yaml", "README.md"],
    },
)
