"""A virtual environment holding one pinned package from PyPI, for the test tools that need one (standard library only).

    python(venv)                          -> its interpreter
    installed_version(venv, package)      -> the package's version there, or None
    ensure(venv, package, version)        -> makes the venv and installs package==version unless it is there already
"""
import os
import subprocess
import sys


def python(venv):
    return os.path.join(os.path.abspath(venv), "bin", "python")


def installed_version(venv, package):
    if not os.path.exists(python(venv)):
        return None
    probe = subprocess.run([python(venv), "-c", f"import importlib.metadata as m; print(m.version({package!r}))"], capture_output=True, text=True)
    return probe.stdout.strip() if probe.returncode == 0 else None


def ensure(venv, package, version):
    """Returns whether it installed anything."""
    if not os.path.exists(python(venv)):
        subprocess.run([sys.executable, "-m", "venv", os.path.abspath(venv)], check=True)
    if installed_version(venv, package) == version:
        return False
    subprocess.run([python(venv), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", f"{package}=={version}"], check=True)
    return True
