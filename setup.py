"""Build hook: put the project's templates/, static/ and fixtures/ inside the wheel.

They live at the top of the checkout (where the other apps' helpers and the docs expect them);
a wheel carries only packages, so `build_py` copies them to `portal/bundled/`, where
portal/settings.py looks first. Metadata is in pyproject.toml.
"""

from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

BUNDLED = ("templates", "static", "fixtures")


class BuildWithProjectFiles(build_py):
    def run(self) -> None:
        super().run()
        if self.editable_mode:  # an editable install reads them from the checkout
            return
        here = Path(__file__).resolve().parent
        for name in BUNDLED:
            self.copy_tree(
                str(here / name), str(Path(self.build_lib) / "portal" / "bundled" / name)
            )


setup(cmdclass={"build_py": BuildWithProjectFiles})
