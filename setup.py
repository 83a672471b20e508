"""The one thing pyproject.toml cannot say: the shipped codebooks stay readable at the top
of the source tree (`codebooks/`) and are installed inside the package as
`qcode.codebooks`, so a wheel carries them and `qcode demo` works outside a checkout."""

from setuptools import find_packages, setup

setup(
    packages=find_packages(include=["qcode", "qcode.*"]) + ["qcode.codebooks"],
    package_dir={"qcode.codebooks": "codebooks"},
    package_data={
        "qcode": ["demo_material/*", "tui/*.tcss"],
        "qcode.codebooks": ["*.yaml", "README.md"],
    },
)
