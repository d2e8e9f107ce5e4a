#!/usr/bin/env python3
"""Builds the extension's SQL scripts from their sources (scripts/build_sql.sh runs this).

  sql/src/install.list              the next release's install script: its version, then
                                    the source files in order
  sql/src/**/*.sql                  the sources, one concern each
  sql/steps/attempt_lock--A--B.sql  a hand-written update or downgrade step

Outputs: sql/install/attempt_lock--<next>.sql and sql/upgrade/attempt_lock--A--B.sql.
A script listed in sql/manifest.sha256 is released: frozen, never rebuilt (its include
lines would build differently after a later source edit).

Directives, each alone on a line, in sources and steps:
  --@include PATH                  the source file sql/src/PATH, itself expanded
  --@release V comment KIND NAME   only the COMMENT ON KIND @extschema@.NAME of release V
  --@release V KIND NAME           the statements of the frozen install script of release
                                   V that create KIND (function, aggregate, view, table)
                                   @extschema@.NAME, with their COMMENT, GRANT and REVOKE
                                   statements; or, for KIND do, its DO block quoted
                                   $NAME$. CREATE FUNCTION, VIEW and AGGREGATE become
                                   CREATE OR REPLACE (a downgrade step restores older
                                   bodies)

  --check   exit 1 when a committed unreleased script differs from what this builds
"""
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SRC = os.path.join(ROOT, "sql", "src")
STEPS = os.path.join(ROOT, "sql", "steps")
MANIFEST = os.path.join(ROOT, "sql", "manifest.sha256")
DIRECTIVE = re.compile(r"^--@(\w+)\s+(.*?)\s*$")


class BuildError(Exception):
    pass


def read(path):
    with open(path, encoding="utf-8") as f:
        return f.read()


def statements(text):
    """Splits a script into its statements (with the comments before each), honouring
    quotes, dollar quotes, comments and BEGIN ATOMIC bodies (whose CASE ... END and
    statements nest until their END); psql meta-commands are skipped."""
    out, start, i, n = [], 0, 0, len(text)
    previous_word, atomic_depth = "", 0
    while i < n:
        c = text[i]
        if (c.isalpha() or c == "_") and (i == 0 or not (text[i - 1].isalnum() or text[i - 1] in "_$")):
            m = re.match(r"[A-Za-z_][A-Za-z_0-9$]*", text[i:])
            word = m.group(0).upper()
            if word == "ATOMIC" and previous_word == "BEGIN":
                atomic_depth = 1
            elif atomic_depth and word == "CASE":
                atomic_depth += 1
            elif atomic_depth and word == "END":
                atomic_depth -= 1
            previous_word = word
            i += len(word)
            continue
        if text.startswith("--", i):
            i = text.find("\n", i)
            i = n if i < 0 else i + 1
        elif text.startswith("/*", i):
            end = text.find("*/", i + 2)
            if end < 0:
                raise BuildError("unterminated /* comment")
            i = end + 2
        elif c == "\\" and (i == 0 or text[i - 1] == "\n"):
            end = text.find("\n", i)
            i = n if end < 0 else end + 1
            start = i
        elif c == "'":
            escapes = i > 0 and text[i - 1] in "eE"
            i += 1
            while i < n:
                if escapes and text[i] == "\\":
                    i += 2
                    continue
                if text[i] == "'":
                    if text.startswith("''", i):
                        i += 2
                        continue
                    break
                i += 1
            i += 1
        elif c == '"':
            i = text.find('"', i + 1) + 1
            if i == 0:
                raise BuildError("unterminated quoted identifier")
        elif c == "$":
            m = re.match(r"\$([A-Za-z_][A-Za-z_0-9]*)?\$", text[i:])
            if m and (i == 0 or not (text[i - 1].isalnum() or text[i - 1] == "_")):
                tag = m.group(0)
                end = text.find(tag, i + len(tag))
                if end < 0:
                    raise BuildError(f"unterminated dollar quote {tag}")
                i = end + len(tag)
            else:
                i += 1
        elif c == ";" and not atomic_depth:
            out.append(text[start:i + 1])
            i += 1
            start = i
        else:
            i += 1
    return out


def code_of(statement):
    """The statement without its leading comments and white space."""
    lines = statement.split("\n")
    while lines and (not lines[0].strip() or lines[0].lstrip().startswith("--")):
        lines.pop(0)
    return "\n".join(lines).strip()


def from_release(version, kind, name, comment_only=False):
    path = os.path.join(ROOT, "sql", "install", f"attempt_lock--{version}.sql")
    if not os.path.exists(path):
        raise BuildError(f"--@release {version}: no frozen install script {path}")
    kind = kind.upper()
    obj = re.escape(f"@extschema@.{name}")
    if kind == "DO":
        patterns = [rf"DO \${re.escape(name)}\$"]
    elif comment_only:
        patterns = [rf"COMMENT ON {kind} {obj}\b"]
    else:
        patterns = [
            rf"CREATE (OR REPLACE )?{kind} {obj}\b",
            rf"COMMENT ON {kind} {obj}\b",
            rf"(GRANT|REVOKE) .* ON {kind} {obj}\b",
        ]
    found = []
    for statement in statements(read(path)):
        code = code_of(statement)
        if any(re.match(p, code, re.S) for p in patterns):
            code = re.sub(r"\bCREATE (FUNCTION|VIEW|AGGREGATE)\b", r"CREATE OR REPLACE \1", code)
            found.append(code)
    if not found:
        raise BuildError(f"--@release {version} {kind} {name}: nothing creates it in {path}")
    return "\n".join(found) + "\n"


def expand(path, seen=()):
    """The file with its directives expanded."""
    if path in seen:
        raise BuildError(f"{path} includes itself")
    out = []
    for number, line in enumerate(read(path).splitlines(keepends=True), 1):
        m = DIRECTIVE.match(line)
        if not m:
            out.append(line)
            continue
        verb, args = m.group(1), m.group(2).split()
        where = f"{os.path.relpath(path, ROOT)}:{number}"
        if verb == "include" and len(args) == 1:
            target = os.path.join(SRC, args[0])
            if not os.path.isfile(target):
                raise BuildError(f"{where}: no source {os.path.relpath(target, ROOT)}")
            out.append(expand(target, seen + (path,)))
        elif verb == "release" and len(args) == 3:
            out.append(from_release(*args))
        elif verb == "release" and len(args) == 4 and args[1] == "comment":
            out.append(from_release(args[0], args[2], args[3], comment_only=True))
        else:
            raise BuildError(f"{where}: unknown directive {line.strip()!r}")
    return "".join(out)


def header(title, guard):
    return (f"-- attempt_lock {title}\n"
            "-- Built by scripts/build_sql.sh from sql/src/ and sql/steps/: edit those and rebuild,\n"
            "-- never this file. Frozen once released (sql/manifest.sha256).\n\n"
            f"\\echo Use \"{guard}\" to load this file. \\quit\n")


def install_script():
    """(output path, text) of the next release's install script."""
    listing = os.path.join(SRC, "install.list")
    version, parts = None, []
    for number, line in enumerate(read(listing).splitlines(), 1):
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        if line.startswith("version "):
            version = line.split()[1]
            continue
        path = os.path.join(SRC, line)
        if not os.path.isfile(path):
            raise BuildError(f"sql/src/install.list:{number}: no source {line}")
        parts.append(expand(path))
    if version is None:
        raise BuildError("sql/src/install.list names no version")
    text = header(f"{version}: install script.", "CREATE EXTENSION attempt_lock")
    text += "".join("\n" + p.strip("\n") + "\n" for p in parts)
    return os.path.join("sql", "install", f"attempt_lock--{version}.sql"), text


def step_scripts():
    out = []
    if not os.path.isdir(STEPS):
        return out
    for name in sorted(os.listdir(STEPS)):
        m = re.fullmatch(r"attempt_lock--([0-9.]+)--([0-9.]+)\.sql", name)
        if not m:
            raise BuildError(f"sql/steps/{name}: not a step name (attempt_lock--A--B.sql)")
        old, new = m.groups()
        what = "update" if [int(x) for x in new.split(".")] > [int(x) for x in old.split(".")] else "downgrade"
        text = header(f"{old} -> {new}: {what} step.", f"ALTER EXTENSION attempt_lock UPDATE TO '{new}'")
        text += "\n" + expand(os.path.join(STEPS, name)).strip("\n") + "\n"
        out.append((os.path.join("sql", "upgrade", name), text))
    return out


def released():
    names = set()
    for line in read(MANIFEST).splitlines():
        if line.strip():
            names.add(line.split(None, 1)[1].strip())
    return names


def main(argv):
    check = argv[1:] == ["--check"]
    if argv[1:] not in ([], ["--check"]):
        print("usage: scripts/build_sql.sh [--check]", file=sys.stderr)
        return 2
    try:
        frozen = released()
        outputs = [o for o in [install_script()] + step_scripts() if o[0] not in frozen]
    except BuildError as e:
        print(f"build_sql: {e}", file=sys.stderr)
        return 1
    built = {path for path, _ in outputs}
    status = 0
    for directory in ("install", "upgrade"):
        for name in sorted(os.listdir(os.path.join(ROOT, "sql", directory))):
            path = os.path.join("sql", directory, name)
            if path not in frozen and path not in built:
                print(f"build_sql: {path} is neither released (sql/manifest.sha256) nor built from "
                      "sources", file=sys.stderr)
                status = 1
    for path, text in outputs:
        full = os.path.join(ROOT, path)
        current = read(full) if os.path.exists(full) else None
        if current == text:
            continue
        if check:
            print(f"build_sql: {path} differs from what sql/src and sql/steps build "
                  "(run scripts/build_sql.sh)", file=sys.stderr)
            status = 1
        else:
            with open(full, "w", encoding="utf-8") as f:
                f.write(text)
            print(f"built {path}")
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv))
