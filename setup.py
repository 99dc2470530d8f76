"""pip install . (offline, --no-build-isolation): builds creodias._creodias with CMake.

Set CREODIAS_PREBUILT_DIR to a CMake build directory configured with
-DCREODIAS_BUILD_PYTHON=ON to reuse its module instead of building again.
"""

import glob
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

ROOT = Path(__file__).resolve().parent


def version():
    text = (ROOT / "CMakeLists.txt").read_text()
    return re.search(r"project\(creodias VERSION ([0-9.]+)", text).group(1)


class CMakeExtension(Extension):
    def __init__(self, name):
        super().__init__(name, sources=[])


class CMakeBuild(build_ext):
    def build_extension(self, ext):
        target = Path(self.get_ext_fullpath(ext.name)).resolve()
        target.parent.mkdir(parents=True, exist_ok=True)
        prebuilt = os.environ.get("CREODIAS_PREBUILT_DIR")
        if prebuilt:
            found = glob.glob(os.path.join(prebuilt, "python", "creodias", "_creodias*.so"))
            if not found:
                raise RuntimeError(f"no _creodias module under {prebuilt}/python/creodias")
            shutil.copy2(found[0], target)
            return
        build = Path(self.build_temp).resolve() / "cmake"
        build.mkdir(parents=True, exist_ok=True)
        cfg = [
            "cmake", "-S", str(ROOT), "-B", str(build), "-DCMAKE_BUILD_TYPE=Release",
            "-DCREODIAS_BUILD_PYTHON=ON", "-DCREODIAS_BUILD_TESTS=OFF", "-DCREODIAS_BUILD_EXAMPLES=OFF",
            "-DCREODIAS_BUILD_BENCH=OFF", "-DCREODIAS_BUILD_CLI=OFF", "-DCREODIAS_INSTALL=OFF",
            f"-DPython3_EXECUTABLE={sys.executable}",
        ]
        if shutil.which("ninja"):
            cfg += ["-G", "Ninja"]
        if shutil.which("ccache"):
            cfg += ["-DCMAKE_CXX_COMPILER_LAUNCHER=ccache"]
        subprocess.check_call(cfg)
        subprocess.check_call(["cmake", "--build", str(build), "--target", "_creodias", "-j", str(os.cpu_count() or 2)])
        found = glob.glob(str(build / "python" / "creodias" / "_creodias*.so"))
        shutil.copy2(found[0], target)


setup(
    name="creodias",
    version=version(),
    description="EO-cloud data services (catalogue search, product access) - Python bindings of libcreodias",
    license="Apache-2.0",
    python_requires=">=3.9",
    packages=["creodias"],
    package_dir={"": "bindings/python"},
    package_data={"creodias": ["py.typed", "*.pyi"]},
    ext_modules=[CMakeExtension("creodias._creodias")],
    cmdclass={"build_ext": CMakeBuild},
    zip_safe=False,
)
