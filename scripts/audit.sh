#!/usr/bin/env bash
# Known-vulnerability audit of the Python packages installed in the project's .venv (pip-audit).
#
#   bash scripts/audit.sh
#
# pip-audit runs from its own venv (build/pip-audit-venv, pinned version), so it never changes the
# project's pinned environment, and it inspects .venv's site-packages (--path): what is audited is
# exactly what is installed, transitive dependencies included. Every finding is printed with its
# fix versions. Accepted findings are listed in audit-allowlist.txt (id, package, reason).
#
# Exit status:
#   0  no finding, or only allow-listed ones
#   1  a finding that is not in the allow-list, or a malformed allow-list line
#   2  the vulnerability service could not be reached and CI is set: in CI an audit that did not
#      run must not look like a pass. Outside CI (a laptop offline) it says NOT AUDITED and exits 0.
#      AUDIT_OFFLINE_OK=1 (what `make test` sets) also exits 0 in CI, after the same loud notice:
#      our CI machine reaches only package indexes, never an advisory service.
#
# Settings (environment): AUDIT_SERVICE=pypi|osv (default pypi: the PyPI JSON API, whose data
# comes from the PyPA advisory database and GitHub's), VENV (default .venv), ALLOWLIST (default
# audit-allowlist.txt), AUDIT_REPORT=file.json evaluates an existing pip-audit JSON report
# instead of running pip-audit (used by the tests).
set -euo pipefail
cd "$(dirname "$0")/.."

PIP_AUDIT_VERSION="2.10.1"
AUDIT_VENV="build/pip-audit-venv"
VENV="${VENV:-.venv}"
ALLOWLIST="${ALLOWLIST:-audit-allowlist.txt}"
SERVICE="${AUDIT_SERVICE:-pypi}"
REPORT="${AUDIT_REPORT:-}"
ERRORS=/dev/null

if [ ! -x "$VENV/bin/python" ]; then
	echo "audit: no project environment at $VENV (run make venv first)" >&2
	exit 1
fi

if [ -z "$REPORT" ]; then
	if ! "$AUDIT_VENV/bin/pip-audit" --version 2>/dev/null | grep -qx "pip-audit $PIP_AUDIT_VERSION"; then
		echo "audit: installing pip-audit $PIP_AUDIT_VERSION into $AUDIT_VENV"
		PYTHON="$(command -v python3 || echo "$VENV/bin/python")"
		"$PYTHON" -m venv --clear "$AUDIT_VENV"
		if [ -x "$VENV/bin/uv" ]; then # the project's pinned uv (Makefile): seconds instead of a minute
			"$VENV/bin/uv" pip install --quiet --python "$AUDIT_VENV/bin/python" "pip-audit==$PIP_AUDIT_VERSION"
		else
			"$AUDIT_VENV/bin/python" -m pip install --quiet --disable-pip-version-check "pip-audit==$PIP_AUDIT_VERSION"
		fi
	fi
	SITE="$("$VENV/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')"
	mkdir -p build
	REPORT=build/audit.json
	ERRORS=build/audit.stderr
	rm -f "$REPORT"
	echo "audit: pip-audit ($SERVICE) on $SITE"
	# pip-audit exits 1 when it finds something; the report below decides.
	"$AUDIT_VENV/bin/pip-audit" --path "$SITE" --vulnerability-service "$SERVICE" \
		--format json --output "$REPORT" --progress-spinner off 2>"$ERRORS" || true
fi

exec "$VENV/bin/python" - "$REPORT" "$ALLOWLIST" "$ERRORS" "${CI:-}" "${AUDIT_OFFLINE_OK:-}" <<'PY'
import json
import re
import sys
from pathlib import Path

report_path, allowlist_path, errors_path, ci, offline_ok = sys.argv[1:6]
in_ci = ci.strip().lower() not in ("", "0", "false", "no")
offline_ok = offline_ok.strip() == "1"


def norm(name):
    return re.sub(r"[-_.]+", "-", name).lower()


def unreachable(why):
    print("=" * 72)
    print("NOT AUDITED: the vulnerability service could not be reached.")
    print(f"  {why}")
    print("  No package was checked; this is not a pass. Run it where the service is reachable.")
    print("=" * 72)
    sys.exit(2 if in_ci and not offline_ok else 0)


errors = Path(errors_path).read_text(errors="replace") if Path(errors_path).is_file() else ""
try:
    report = json.loads(Path(report_path).read_text())
except (OSError, ValueError):
    last = [line for line in errors.splitlines() if line.strip()][-1:] or ["no report written"]
    unreachable(f"pip-audit failed: {last[0][:300]}")

dependencies = report.get("dependencies", [])
skipped = [d for d in dependencies if d.get("skip_reason")]
audited = [d for d in dependencies if not d.get("skip_reason")]
if dependencies and not audited:
    unreachable(
        f"all {len(dependencies)} packages were skipped, e.g. {skipped[0]['skip_reason']!r} "
        "(the service answered 'not found' for every one: it is blocked or unreachable)"
    )

allowed = {}
problems = []
if Path(allowlist_path).is_file():
    for number, line in enumerate(Path(allowlist_path).read_text().splitlines(), 1):
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        parts = line.split(None, 2)
        if len(parts) < 3:
            problems.append(f"{allowlist_path}:{number}: expected 'ID PACKAGE REASON': {line!r}")
            continue
        allowed[(parts[0].upper(), norm(parts[1]))] = parts[2]

findings = []
for dep in audited:
    for vuln in dep.get("vulns", []):
        ids = [vuln["id"], *vuln.get("aliases", [])]
        reason = next(
            (allowed[(i.upper(), norm(dep["name"]))] for i in ids
             if (i.upper(), norm(dep["name"])) in allowed),
            None,
        )
        findings.append((dep, vuln, ids, reason))

print(f"audit: {len(audited)} packages checked, {len(skipped)} skipped, {len(findings)} finding(s)")
for dep in skipped:
    print(f"  skipped {dep['name']} {dep.get('version', '')}: {dep['skip_reason']}")
for dep, vuln, ids, reason in sorted(findings, key=lambda f: (norm(f[0]["name"]), f[1]["id"])):
    fixes = ", ".join(vuln.get("fix_versions") or []) or "no fix released"
    status = f"allowed: {reason}" if reason else "NOT IN THE ALLOW-LIST"
    print(f"  {dep['name']} {dep['version']}  {' / '.join(ids)}  (fixed in: {fixes})  [{status}]")
    description = " ".join((vuln.get("description") or "").split())
    if description and not reason:
        print(f"      {description[:240]}")

used = {(i.upper(), norm(d["name"])) for d, _, ids, _ in findings for i in ids}
for key in sorted(set(allowed) - used):
    print(f"  note: allow-list entry {key[0]} {key[1]} matches no finding any more: remove it")
for problem in problems:
    print(f"  {problem}")

unlisted = [f for f in findings if not f[3]]
if unlisted or problems:
    print(f"audit FAILED: {len(unlisted)} finding(s) not in {allowlist_path}"
          + (f", {len(problems)} malformed allow-list line(s)" if problems else ""))
    sys.exit(1)
print("audit passed" + (f" ({len(findings)} allow-listed finding(s))" if findings else ""))
PY
