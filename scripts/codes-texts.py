#!/usr/bin/env python3
"""Hold rules/codes.json's CUresult texts to what NVIDIA's libcuda returns.

usage: codes-texts.py LIBCUDA [--write]

Calls libcuda's cuGetErrorName and cuGetErrorString (they need no GPU and no cuInit) for
every CUresult code in the table, and compares the name with the table's and the text with
its "texts". Exits 1 on a difference (printed), 77 when LIBCUDA cannot be loaded (another
machine's architecture, a missing file), 0 when the table agrees. --write puts the library's
texts into the table instead (a code the driver does not know keeps the table's entry).
The table's texts are those of Debian's libcuda1 535 (scripts/fetch-nvidia-debs.sh fetches
it; nvidia.real runs this). Standard library only.
"""
import ctypes
import json
import os
import sys

TABLE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "rules", "codes.json")


def library_says(lib, code):
    """(name, text) of code, or None when the library does not know it."""
    name, text = ctypes.c_char_p(), ctypes.c_char_p()
    if lib.cuGetErrorName(code, ctypes.byref(name)) or lib.cuGetErrorString(code, ctypes.byref(text)):
        return None
    return name.value.decode(), text.value.decode()


def main():
    if len(sys.argv) not in (2, 3) or (len(sys.argv) == 3 and sys.argv[2] != "--write"):
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    try:
        lib = ctypes.CDLL(sys.argv[1])
    except OSError as e:
        print(f"cannot load {sys.argv[1]}: {e}")
        return 77
    with open(TABLE, encoding="utf-8") as f:
        doc = json.load(f)
    differ = 0
    for c in doc["error_codes"]["codes"]:
        if c["api"] != "CUresult":
            continue
        said = library_says(lib, c["code"])
        if said is None:
            continue
        name, text = said
        if name != c["name"]:
            print(f"CUresult {c['code']}: the table names it {c['name']}, libcuda {name}")
            differ += 1
        if c.get("texts") != [text]:
            if len(sys.argv) == 3:
                c["texts"] = [text]
            else:
                print(f"{c['name']}: the table's texts {c.get('texts')}, libcuda's {text!r}")
                differ += 1
    if len(sys.argv) == 3:
        with open(TABLE, "w", encoding="utf-8") as f:
            f.write(json.dumps(doc, indent=1, ensure_ascii=False) + "\n")
        return 0
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
