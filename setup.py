# Packaging glue: the C extension's sources and flags.  All logic is C.
import glob
import os

from setuptools import Extension, setup

here = os.path.dirname(os.path.abspath(__file__))


def sources(pattern):
    return sorted(os.path.relpath(p, here)
                  for p in glob.glob(os.path.join(here, pattern)))


extra = ["-Wall", "-Wextra", "-std=gnu11", "-fno-strict-aliasing"]
if os.environ.get("CSOCKET_WERROR"):
    extra.append("-Werror")
if os.environ.get("CSOCKET_SANITIZE"):
    extra += ["-fsanitize=address,undefined", "-fno-omit-frame-pointer",
              "-O1", "-g"]

setup(
    ext_modules=[
        Extension(
            "csocket._csocket",
            sources=sources("src/core/*.c") + sources("src/binding/*.c"),
            include_dirs=["include", "src/binding"],
            depends=sources("include/*.h") + sources("include/csock/*.h")
            + sources("src/binding/*.h"),
            extra_compile_args=extra,
            extra_link_args=(["-fsanitize=address,undefined"]
                             if os.environ.get("CSOCKET_SANITIZE") else []),
        )
    ],
)
