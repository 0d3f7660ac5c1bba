"""Precision of vllm-lint on the shared corpus, against a hand judgment of every finding.

    python benchmarks/judge_corpus.py [--corpus ../shared/corpus] [--check] [--json]
    python benchmarks/judge_corpus.py --from-json report.json   # judge a saved `--format json` report

Lints the 149 real files of ``../shared/corpus`` (``python -m vllm_lint --format json``, in a
subprocess, so the figures are what a user gets), joins every finding with
``benchmarks/corpus-judgments.tsv`` and prints:

* precision by severity: true / (true + false); ``debatable`` verdicts (right or wrong depending
  on a fact the file does not state, or right at a lower severity) are counted apart;
* counts per rule and per false-positive mechanism (the ``mechanism`` column);
* (a) findings with no judgment, and (b) judged findings that disappeared, split into true
  findings lost (a recall regression), false positives gone and debatable ones gone.

With ``--check`` the exit status is 1 when (a) is not empty: a new or changed finding needs a
verdict in the TSV before the figures mean anything.

A judgment is keyed by path (relative to the corpus root), line, rule and severity, plus an
optional ``match`` text that must occur in the message or the launch name (only where one line
holds several findings of the same rule). A judgment still pairs with its finding when the
message no longer holds its ``match`` text but it is the only candidate left ("fingerprint
drift"), or when the finding moved by at most ``MAX_LINE_SHIFT`` lines ("moved"); both are listed
so the TSV can be updated. A changed severity is not carried over: the same claim can be wrong as
an error and right as a warning, so it shows under (a) with the old verdict as a hint.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import subprocess
import sys
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
DEFAULT_CORPUS = REPO.parent / "shared" / "corpus"
DEFAULT_JUDGMENTS = HERE / "corpus-judgments.tsv"

COLUMNS = ("path", "line", "rule", "severity", "match", "verdict", "mechanism", "reason")
VERDICTS = ("true", "false", "debatable")
SEVERITIES = ("error", "warning", "info")
MAX_LINE_SHIFT = 3


@dataclass(frozen=True)
class Finding:
    path: str  # relative to the corpus root, '/'-separated
    line: int
    rule: str
    severity: str
    message: str
    launch: str = ""

    @property
    def text(self) -> str:
        """What a judgment's ``match`` is looked up in (case-insensitive)."""
        return f"{self.message} {self.launch}".lower()


@dataclass(frozen=True)
class Judgment:
    path: str
    line: int
    rule: str
    severity: str
    match: str
    verdict: str
    mechanism: str
    reason: str
    row: int  # line number in the TSV, for messages

    def key(self) -> tuple[str, int, str, str]:
        return (self.path, self.line, self.rule, self.severity)


@dataclass
class Pairing:
    finding: Finding
    judgment: Judgment
    how: str = "exact"  # exact | drift | moved


@dataclass
class MatchResult:
    paired: list[Pairing] = field(default_factory=list)
    unjudged: list[Finding] = field(default_factory=list)
    disappeared: list[Judgment] = field(default_factory=list)
    # unjudged finding -> the judgment of the same place and rule at another severity
    severity_hints: dict[Finding, Judgment] = field(default_factory=dict)


class JudgmentsError(ValueError):
    """The judgments file is malformed (message names the TSV row)."""


def load_judgments(path: Path) -> list[Judgment]:
    """Read and validate the TSV: known columns, verdicts and severities, no duplicate keys."""
    with path.open(newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f, delimiter="\t")
        missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            raise JudgmentsError(f"{path}: missing column(s) {', '.join(missing)}")
        out: list[Judgment] = []
        seen: set[tuple] = set()
        for i, rec in enumerate(reader, start=2):
            try:
                line = int(rec["line"])
            except (TypeError, ValueError):
                raise JudgmentsError(f"{path}:{i}: line {rec['line']!r} is not a number") from None
            j = Judgment(
                path=rec["path"].strip(), line=line, rule=rec["rule"].strip(),
                severity=rec["severity"].strip(), match=(rec["match"] or "").strip(),
                verdict=rec["verdict"].strip(), mechanism=(rec["mechanism"] or "").strip(),
                reason=(rec["reason"] or "").strip(), row=i,
            )
            if j.verdict not in VERDICTS:
                raise JudgmentsError(f"{path}:{i}: verdict {j.verdict!r} is not one of {', '.join(VERDICTS)}")
            if j.severity not in SEVERITIES:
                raise JudgmentsError(f"{path}:{i}: severity {j.severity!r} is not one of {', '.join(SEVERITIES)}")
            if not j.reason:
                raise JudgmentsError(f"{path}:{i}: empty reason")
            if j.verdict != "true" and not j.mechanism:
                raise JudgmentsError(f"{path}:{i}: a {j.verdict} verdict names its mechanism")
            ident = j.key() + (j.match.lower(),)
            if ident in seen:
                raise JudgmentsError(f"{path}:{i}: duplicate judgment for {j.path}:{j.line} {j.rule} {j.severity} {j.match!r}")
            seen.add(ident)
            out.append(j)
    return out


def findings_from_report(report: dict, corpus: Path) -> list[Finding]:
    """The diagnostics of a ``--format json`` report, with paths made relative to ``corpus``."""
    root = corpus.resolve()
    out = []
    for d in report.get("diagnostics", []):
        p = Path(d["path"])
        try:
            rel = (p if p.is_absolute() else Path.cwd() / p).resolve().relative_to(root).as_posix()
        except ValueError:
            rel = p.as_posix()
        out.append(Finding(rel, int(d.get("line") or 1), d["rule"], d["severity"],
                           d.get("message", ""), d.get("launch") or ""))
    return out


def run_linter(corpus: Path, python: str = sys.executable) -> dict:
    """Lint the corpus in a child process and return the JSON report (exit status ignored)."""
    env = {**os.environ, "NO_COLOR": "1"}
    proc = subprocess.run(
        [python, "-m", "vllm_lint", str(corpus), "--format", "json", "--exit-zero"],
        capture_output=True, text=True, cwd=str(REPO), env=env, check=False,
    )
    try:
        return json.loads(proc.stdout)
    except json.JSONDecodeError:
        tail = (proc.stderr or proc.stdout)[-2000:]
        raise RuntimeError(f"vllm-lint did not print a JSON report (exit {proc.returncode}):\n{tail}") from None


def match(findings: list[Finding], judgments: list[Judgment]) -> MatchResult:
    """Pair each finding with at most one judgment (see the module docstring for the order)."""
    result = MatchResult()
    by_key: dict[tuple, list[Judgment]] = defaultdict(list)
    for j in judgments:
        by_key[j.key()].append(j)
    used: set[int] = set()
    pending: list[Finding] = []

    def take(f: Finding, cands: list[Judgment], how: str) -> bool:
        free = [j for j in cands if id(j) not in used]
        hit = [j for j in free if j.match and j.match.lower() in f.text]
        if not hit:
            hit = [j for j in free if not j.match]
        if hit:
            used.add(id(hit[0]))
            result.paired.append(Pairing(f, hit[0], how))
            return True
        return False

    for f in sorted(findings, key=lambda f: (f.path, f.line, f.rule, f.severity, f.message)):
        if not take(f, by_key.get((f.path, f.line, f.rule, f.severity), []), "exact"):
            pending.append(f)

    drifted: list[Finding] = []
    groups: dict[tuple, list[Finding]] = defaultdict(list)
    for f in pending:
        groups[(f.path, f.line, f.rule, f.severity)].append(f)
    for key, fs in groups.items():
        free = [j for j in by_key.get(key, []) if id(j) not in used]
        if len(fs) == 1 and len(free) == 1:
            used.add(id(free[0]))
            result.paired.append(Pairing(fs[0], free[0], "drift"))
        else:
            drifted.extend(fs)

    for f in drifted:
        near = [j for j in judgments
                if id(j) not in used and (j.path, j.rule, j.severity) == (f.path, f.rule, f.severity)
                and 0 < abs(j.line - f.line) <= MAX_LINE_SHIFT
                and (not j.match or j.match.lower() in f.text)]
        near.sort(key=lambda j: abs(j.line - f.line))
        if near:
            used.add(id(near[0]))
            result.paired.append(Pairing(f, near[0], "moved"))
        else:
            result.unjudged.append(f)

    result.disappeared = [j for j in judgments if id(j) not in used]
    for f in result.unjudged:
        other = [j for j in judgments if (j.path, j.line, j.rule) == (f.path, f.line, f.rule) and j.severity != f.severity]
        if other:
            result.severity_hints[f] = other[0]
    return result


def summarize(result: MatchResult) -> dict:
    """Counts by severity, by rule and by mechanism; precision = true / (true + false)."""
    sev: dict[str, Counter] = {s: Counter() for s in SEVERITIES}
    rules: dict[tuple[str, str], Counter] = defaultdict(Counter)
    mechanisms: dict[str, Counter] = defaultdict(Counter)
    for p in result.paired:
        v = p.judgment.verdict
        sev.setdefault(p.finding.severity, Counter())[v] += 1
        rules[(p.finding.rule, p.finding.severity)][v] += 1
        if v != "true":
            mechanisms[p.judgment.mechanism or "(none)"][v] += 1
    for f in result.unjudged:
        sev.setdefault(f.severity, Counter())["unjudged"] += 1
        rules[(f.rule, f.severity)]["unjudged"] += 1

    def precision(c: Counter) -> float | None:
        judged = c["true"] + c["false"]
        return round(c["true"] / judged, 4) if judged else None

    total = Counter()
    for c in sev.values():
        total.update(c)
    return {
        "by_severity": {s: {**{k: c[k] for k in (*VERDICTS, "unjudged")}, "precision": precision(c)} for s, c in sev.items()},
        "all": {**{k: total[k] for k in (*VERDICTS, "unjudged")}, "precision": precision(total)},
        "by_rule": {f"{r} {s}": {**{k: c[k] for k in (*VERDICTS, "unjudged")}, "precision": precision(c)}
                    for (r, s), c in sorted(rules.items())},
        "by_mechanism": {m: dict(c) for m, c in sorted(mechanisms.items(), key=lambda kv: -sum(kv[1].values()))},
        "unjudged": len(result.unjudged),
        "disappeared": len(result.disappeared),
        "drift": sum(1 for p in result.paired if p.how == "drift"),
        "moved": sum(1 for p in result.paired if p.how == "moved"),
    }


def _pct(x: float | None) -> str:
    return "n/a" if x is None else f"{100 * x:.1f}%"


def render_text(result: MatchResult, summary: dict) -> str:
    out: list[str] = []
    out.append("Precision by severity (true / (true + false)); debatable counted apart:")
    out.append(f"  {'severity':8} {'true':>5} {'false':>5} {'debat.':>6} {'unjudged':>8}  precision")
    for s in (*SEVERITIES, "all"):
        c = summary["all"] if s == "all" else summary["by_severity"].get(s)
        if not c:
            continue
        out.append(f"  {s:8} {c['true']:>5} {c['false']:>5} {c['debatable']:>6} {c['unjudged']:>8}  {_pct(c['precision'])}")
    out.append("")
    out.append("Per rule:")
    for name, c in summary["by_rule"].items():
        out.append(f"  {name:16} true {c['true']:>3}  false {c['false']:>3}  debatable {c['debatable']:>3}"
                   f"  unjudged {c['unjudged']:>3}  precision {_pct(c['precision'])}")
    if summary["by_mechanism"]:
        out.append("")
        out.append("False and debatable findings by mechanism:")
        for m, c in summary["by_mechanism"].items():
            out.append(f"  {m:32} " + ", ".join(f"{k} {v}" for k, v in sorted(c.items())))
    out.append("")
    out.append(f"(a) findings with no judgment: {len(result.unjudged)}")
    for f in sorted(result.unjudged, key=lambda f: (f.path, f.line, f.rule)):
        hint = result.severity_hints.get(f)
        extra = f"  [was {hint.severity}: {hint.verdict}]" if hint else ""
        out.append(f"  {f.path}:{f.line} {f.rule} {f.severity}: {f.message[:140]}{extra}")
    lost = [j for j in result.disappeared if j.verdict == "true"]
    gone_false = [j for j in result.disappeared if j.verdict == "false"]
    gone_debatable = [j for j in result.disappeared if j.verdict == "debatable"]
    out.append("")
    out.append(f"(b) judged findings that disappeared: {len(result.disappeared)}"
               f" (true findings lost: {len(lost)}, false positives gone: {len(gone_false)}, debatable gone: {len(gone_debatable)})")
    for title, js in (("true findings lost", lost), ("false positives gone", gone_false), ("debatable gone", gone_debatable)):
        if js:
            out.append(f"  {title}:")
            for j in js:
                out.append(f"    {j.path}:{j.line} {j.rule} {j.severity} (tsv row {j.row}): {j.reason[:120]}")
    shifted = [p for p in result.paired if p.how != "exact"]
    if shifted:
        out.append("")
        out.append("Paired loosely (update the TSV):")
        for p in shifted:
            out.append(f"  {p.how}: {p.finding.path}:{p.finding.line} {p.finding.rule} {p.finding.severity}"
                       f" <- tsv row {p.judgment.row} (line {p.judgment.line}, match {p.judgment.match!r})")
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS, help="corpus root (default ../shared/corpus)")
    ap.add_argument("--judgments", type=Path, default=DEFAULT_JUDGMENTS, help="judgments TSV")
    ap.add_argument("--from-json", type=Path, help="judge this saved `vllm-lint --format json` report instead of linting")
    ap.add_argument("--check", action="store_true", help="exit 1 when a finding has no judgment")
    ap.add_argument("--json", action="store_true", help="print the summary as JSON")
    args = ap.parse_args(argv)

    if not args.corpus.is_dir():
        print(f"corpus not found: {args.corpus}", file=sys.stderr)
        return 2
    try:
        judgments = load_judgments(args.judgments)
    except JudgmentsError as e:
        print(e, file=sys.stderr)
        return 2
    report = json.loads(args.from_json.read_text()) if args.from_json else run_linter(args.corpus)
    result = match(findings_from_report(report, args.corpus), judgments)
    summary = summarize(result)
    if args.json:
        print(json.dumps(summary, indent=1))
    else:
        print(render_text(result, summary))
    return 1 if args.check and result.unjudged else 0


if __name__ == "__main__":
    sys.exit(main())
