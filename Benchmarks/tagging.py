"""What tagged PDF (PDF/UA-1) costs: the engine benchmark's cases rendered untagged and tagged by the
same binary, alternating, twice each; prints a BENCHMARKS.md section (markdown) on stdout.

    python3 Benchmarks/tagging.py [--bin .build/release/craftkit] [--iterations 200] >> BENCHMARKS.md
"""
import argparse, datetime, json, os, statistics, subprocess, sys, tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
parser = argparse.ArgumentParser()
parser.add_argument("--bin", default=os.path.join(ROOT, ".build/release/craftkit"))
parser.add_argument("--iterations", type=int, default=200)
parser.add_argument("--runs", type=int, default=2, help="runs per mode, alternating")
args = parser.parse_args()


def bench(tagged):
    with tempfile.TemporaryDirectory() as directory:
        report = os.path.join(directory, "render.json")
        subprocess.run([args.bin, "bench", "render", "--iterations", str(args.iterations), "--tagged", "true" if tagged else "false",
                        "--json", report, "--wait-idle"], cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
        with open(report) as handle:
            return {r["name"]: r for r in json.load(handle)["results"]}


runs = {False: [], True: []}
for _ in range(args.runs):
    for tagged in (False, True):
        runs[tagged].append(bench(tagged))
        print("tagging: %s run done" % ("tagged" if tagged else "untagged"), file=sys.stderr)


def median(tagged, case, field):
    return statistics.median(run[case][field] for run in runs[tagged])


print("## Tagged PDF (issue 18) — %s, %d cores, release build" % (datetime.date.today().isoformat(), os.cpu_count()))
print("Command: `python3 Benchmarks/tagging.py --iterations %d` (part of `make bench`): the engine benchmark's cases rendered by "
      "`craftkit bench render --tagged false|true --wait-idle`, alternating, %d runs each; the median of the runs. Untagged is "
      "the default output (`pdf.tagged` absent).\n" % (args.iterations, args.runs))
print("| case | untagged p50 | tagged p50 | latency cost | untagged PDFs/s | tagged PDFs/s | untagged KB | tagged KB |")
print("|---|---:|---:|---:|---:|---:|---:|---:|")
for case in runs[False][0]:
    plain, tagged = median(False, case, "p50Ms"), median(True, case, "p50Ms")
    print("| %s | %.2f ms | %.2f ms | %+.0f %% | %.0f | %.0f | %.1f | %.1f |" % (
        case, plain, tagged, (tagged / plain - 1) * 100, median(False, case, "pdfsPerSecond"), median(True, case, "pdfsPerSecond"),
        median(False, case, "bytes") / 1024, median(True, case, "bytes") / 1024))
print()
