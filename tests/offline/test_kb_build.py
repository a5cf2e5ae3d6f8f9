"""`make kb` is a quiet, light build: it never loads TensorFlow (no CUDA warnings, no seconds of
start-up), and still validates and generates everything."""

from __future__ import annotations

import subprocess
import sys

from bot import paths

CHECK = (
    "import sys\n"
    "from bot.__main__ import main\n"
    "code = main(['kb'])\n"
    "loaded = sorted(m for m in sys.modules if m.split('.')[0] in ('tensorflow', 'rasa'))\n"
    "print('LOADED', loaded)\n"
    "sys.exit(code)\n"
)


def test_the_knowledge_build_does_not_import_tensorflow():
    result = subprocess.run(
        [sys.executable, "-c", CHECK],
        cwd=paths.ROOT,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(paths.ROOT)},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert "knowledge base valid" in result.stdout
    assert "LOADED []" in result.stdout, result.stdout[-500:]
    assert "cuda" not in result.stderr.lower(), result.stderr[-1000:]
