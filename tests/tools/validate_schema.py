"""Runs the doctor on every fixture host and validates each JSON report against
docs/report.schema.json (Debian's python3-jsonschema)."""
import json, os, subprocess, sys
import jsonschema

doctor, schema_path, hosts = sys.argv[1:4]
schema = json.load(open(schema_path))
jsonschema.Draft7Validator.check_schema(schema)
bad = 0
for host in sorted(os.listdir(hosts)):
    args = [doctor, "--root", os.path.join(hosts, host), "--format", "json", "--timeout", "0.5"]
    out = subprocess.run(args, capture_output=True, text=True, timeout=60)
    try:
        report = json.loads(out.stdout)
        jsonschema.validate(report, schema)
        assert report["exit_code"] == out.returncode, "exit_code field != process exit status"
    except Exception as e:  # report every host, then fail
        print(f"{host}: {e}")
        bad += 1
print(f"schema: {len(os.listdir(hosts)) - bad} valid, {bad} invalid")
sys.exit(1 if bad else 0)
