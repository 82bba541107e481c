"""Offline stand-in for get-pip.py, used by ansible-test to bootstrap pip into the venvs it creates.

ansible-test downloads get-pip-<ver>.py from the internet unless ~/.ansible/test/cache/get_pip_<ver>.py
exists. tests/utils/ansible-test.sh copies this file there, with the pip wheel of that version beside it,
and ansible-test runs it as:  python get_pip_X_Y.py --disable-pip-version-check pip==X.Y --no-setuptools --no-wheel
We drop the two --no-* flags (get-pip options, not pip's) and run pip's own install from the wheel.
"""

import glob
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
VERSION = os.path.splitext(os.path.basename(__file__))[0][len('get_pip_') :].replace('_', '.')

wheels = glob.glob(os.path.join(HERE, 'pip-%s-*.whl' % VERSION))
if not wheels:
    sys.exit('get_pip stand-in: no pip-%s wheel in %s (tests/utils/ansible-test.sh puts it there)' % (VERSION, HERE))

sys.path.insert(0, wheels[0])
from pip._internal.cli.main import main  # noqa: E402  (imported from the wheel)

args = [arg for arg in sys.argv[1:] if arg not in ('--no-setuptools', '--no-wheel')]
sys.exit(main(['install', '--find-links', HERE] + args))
