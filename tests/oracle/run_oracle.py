"""The runtime oracle: every rule's claim, run on real MindSpore next to real PyTorch.

    python tests/oracle/run_oracle.py [--json FILE] [--only rules|pairs]      (what `tox -e oracle` runs)

For each rule whose claim is about numbers, each `invalid:` example runs in a MindSpore world and
the PyTorch code it was ported from runs in a PyTorch world, on the same gradients (see worlds.py);
the results must differ. Each `valid:` example must agree with its PyTorch counterpart within
float tolerance, and so must each invalid example's `fixed` source (the code `torch2ms fix`
writes), against the same PyTorch code. The installed versions must be the ones every rule's
`checked-against` names.

Then the port-pair facts (rules/facts/pairs.yml, see pair_cases.py): the signatures they state are
re-read (pair_signatures.py), and for every parameter row the literal port must differ from the
original and the fix agree; a never-agreeing namesake must differ and its `instead:` agree; each
trap must agree; each pair checked and left out must do what its note says.
Exit status 0 when every claim holds, 1 otherwise. Not part of the default test suite: it needs
mindspore and torch, which are large.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # tests/, for `oracle.*`
os.environ.setdefault("GLOG_v", "3")  # MindSpore: errors only

from oracle import pair_signatures, pair_worlds, worlds  # noqa: E402
from oracle.pair_cases import CASES, CHECKED, NeverAgrees, Row, Trap  # noqa: E402
from oracle.ports import NOT_NUMERIC, PORTS, Port, Skip  # noqa: E402

RTOL, ATOL = 1e-5, 1e-6
# Pairs compare whole layers in float32 (log-softmax near 0 differs by 3.4e-6 between the two);
# the smallest difference a pair claims is GELU's approximation, 4.4e-4.
PAIR_ATOL = 1e-5


@dataclass
class Result:
    rule: str
    code: str
    kind: str  # "invalid", "valid", or "fixed" (an invalid example's fixed source)
    name: str  # the example's name
    verdict: str  # "agree", "differ", "skipped"
    expected: str  # "agree" for valid and fixed, "differ" for invalid
    detail: str

    @property
    def ok(self) -> bool:
        return self.verdict == "skipped" or self.verdict == self.expected


def run(source: str, world: dict, after: str, observe: dict[str, str]) -> dict:
    """Run a snippet (and its driver) in ``world``; the observed values, or the exception raised."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            exec(compile(source, "<example>", "exec"), world)
            if after:
                exec(compile(after, "<driver>", "exec"), world)
            return {name: worlds.as_arrays(eval(expression, world)) for name, expression in observe.items()}
    except Exception as error:  # the outcome of running it, not a failure of the oracle
        return {"raised": f"{type(error).__name__}: {' '.join(str(error).split())[:160]}"}


def compare(mindspore: dict, torch: dict, atol: float = ATOL) -> tuple[str, str]:
    if "raised" in torch:
        return "broken", f"the PyTorch counterpart raised {torch['raised']}"
    if "raised" in mindspore:
        return "differ", f"MindSpore raised {mindspore['raised']}"
    for name, expected in torch.items():
        got = mindspore[name]
        shapes_match = len(got) == len(expected) and all(a.shape == b.shape for a, b in zip(got, expected))
        if not shapes_match:
            return "differ", f"{name}: shapes {[a.shape for a in got]} vs torch {[b.shape for b in expected]}"
        if not all(np.allclose(a, b, rtol=RTOL, atol=atol) for a, b in zip(got, expected)):
            largest = max(float(np.max(np.abs(a - b), initial=0)) for a, b in zip(got, expected))
            return "differ", f"{name}: {_short(got)} vs torch {_short(expected)} (max difference {largest:.3g})"
    return "agree", ", ".join(f"{name}: {_short(value)}" for name, value in mindspore.items())


def _short(arrays: list[np.ndarray]) -> str:
    text = "; ".join(np.array2string(np.round(array, 4), separator=",").replace("\n", "") for array in arrays)
    return " ".join(text.split())[:150]


def check_example(rule, kind: str, name: str, source: str) -> Result:
    expected = "differ" if kind == "invalid" else "agree"
    # A fixed source is compared with the PyTorch code its invalid example was ported from.
    port = PORTS.get((rule.id, "invalid" if kind == "fixed" else kind, name))
    if port is None:
        return Result(rule.id, rule.code, kind, name, "missing", expected,
                      "no entry in tests/oracle/ports.py: add a Port or a Skip")
    if isinstance(port, Skip):
        return Result(rule.id, rule.code, kind, name, "skipped", expected, port.reason)
    assert isinstance(port, Port)
    ms_world = worlds.mindspore_world(port.setup)
    for name, expression in port.bindings.items():
        ms_world[name] = eval(expression, ms_world)
    if port.bindings.get("forward_fn"):  # the default grad_fn is rebuilt over the bound forward_fn
        ms_world["grad_fn"] = ms_world["ms"].value_and_grad(ms_world["forward_fn"], None, ms_world["weights"])
        ms_world["self"].grad_fn = ms_world["grad_fn"]
    torch_world = worlds.torch_world(port.setup)
    mindspore = run(source, ms_world, port.after, {name: pair[0] for name, pair in port.observe.items()})
    torch = run(port.torch, torch_world, "", {name: pair[1] for name, pair in port.observe.items()})
    verdict, detail = compare(mindspore, torch)
    if port.why:
        detail = f"{detail} ({port.why})"
    return Result(rule.id, rule.code, kind, name, verdict, expected, detail)


@dataclass
class PairResult:
    torch_api: str
    role: str  # "literal port", "fix", "namesake", "instead", "trap", "checked"
    name: str  # the parameter, the trap or the checked pair
    verdict: str  # "agree", "differ", "raises", or "broken" (the torch side raised)
    expected: str
    detail: str

    @property
    def ok(self) -> bool:
        return self.verdict == self.expected


def evaluate(expression: str, world: dict) -> dict:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return {"value": worlds.as_arrays(eval(compile(expression, "<pair>", "eval"), world))}
    except Exception as error:  # the outcome of running it, not a failure of the oracle
        return {"raised": f"{type(error).__name__}: {' '.join(str(error).split())[:160]}"}


def check_pair(torch_api: str, role: str, name: str, torch_expression: str, port: str, expected: str) -> PairResult:
    """One MindSpore expression against the PyTorch one, each in a fresh world (seeds reset)."""
    torch = evaluate(torch_expression, pair_worlds.torch_pair_world())
    mindspore = evaluate(port, pair_worlds.mindspore_pair_world())
    if "raised" in mindspore and "raised" not in torch:
        verdict, detail = "raises", f"MindSpore raised {mindspore['raised']}"
    else:
        verdict, detail = compare(mindspore, torch, atol=PAIR_ATOL)
    return PairResult(torch_api, role, name, verdict, expected, f"{port}: {detail}")


def pair_runs() -> list[tuple]:
    """(torch API, role, name, torch expression, MindSpore expression, expected) for every case."""
    runs = []
    for case in CASES:
        if isinstance(case, Row):
            runs += [(case.torch_api, "literal port", case.parameter, case.torch, case.port, "differ"),
                     (case.torch_api, "fix", case.parameter, case.torch, case.fix, "agree")]
        elif isinstance(case, NeverAgrees):
            runs += [(case.torch_api, "namesake", "never agrees", case.torch, case.port, "differ"),
                     (case.torch_api, "instead", "never agrees", case.torch, case.instead, "agree")]
        elif isinstance(case, Trap):
            runs.append((case.torch_api or "(no entry)", "trap", case.name, case.torch, case.port, "agree"))
    runs += [("(left out)", "checked", case.name, case.torch, case.port, case.expected) for case in CHECKED]
    return runs


def run_pairs() -> list[PairResult]:
    results = []
    for run_args in pair_runs():
        result = check_pair(*run_args)
        results.append(result)
        mark = "ok  " if result.ok else "FAIL"
        print(f"{mark} {result.torch_api} {result.role} [{result.name}]: {result.verdict} "
              f"(expected {result.expected}): {result.detail}", flush=True)
    return results


def print_pair_summary(results: list[PairResult]) -> None:
    print(f"\n{'torch API':36} {'literal differs':>16} {'fix agrees':>11} {'namesake differs':>17} "
          f"{'instead agrees':>15} {'traps agree':>12}")
    for api in dict.fromkeys(result.torch_api for result in results if result.role != "checked"):
        mine = [result for result in results if result.torch_api == api]
        cells = []
        for role in ("literal port", "fix", "namesake", "instead", "trap"):
            of_role = [result for result in mine if result.role == role]
            cells.append(f"{sum(r.ok for r in of_role)}/{len(of_role)}" if of_role else "-")
        print(f"{api:36} {cells[0]:>16} {cells[1]:>11} {cells[2]:>17} {cells[3]:>15} {cells[4]:>12}")
    checked = [result for result in results if result.role == "checked"]
    print(f"{'(checked, left out)':36} {sum(r.ok for r in checked)}/{len(checked)} as noted")


def check_versions(rules) -> list[str]:
    import mindspore
    import torch

    installed = {"mindspore": mindspore.__version__, "torch": torch.__version__.split("+")[0]}
    problems = []
    for rule in rules:
        for package, version in rule.checked_against.items():
            if installed.get(package) != version:
                problems.append(f"{rule.code} says checked against {package} {version}; "
                                f"installed: {installed.get(package)}")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", metavar="FILE", help="also write the results as JSON")
    parser.add_argument("--only", choices=("rules", "pairs"), help="run only the rules' examples, or only the pairs")
    args = parser.parse_args(argv)

    from flake8_torch2ms.config import load_ruleset

    rules = sorted(load_ruleset().rules, key=lambda rule: rule.code)
    problems = check_versions(rules)
    # MindSpore writes compile-failure dumps (rank_0/om/analyze_fail.ir) into the working directory.
    os.chdir(tempfile.mkdtemp(prefix="torch2ms-oracle-"))
    results = []
    for rule in rules if args.only != "pairs" else ():
        if rule.id in NOT_NUMERIC:
            continue
        for kind in ("invalid", "valid"):
            for example in getattr(rule, kind):
                runs = [(kind, example.source)] + ([("fixed", example.fixed)] if example.fixed else [])
                for run_kind, source in runs:
                    result = check_example(rule, run_kind, example.name, source)
                    results.append(result)
                    mark = "ok  " if result.ok else "FAIL"
                    print(f"{mark} {result.code} {rule.id}/{run_kind}/{example.name}: {result.verdict} "
                          f"(expected {result.expected}): {result.detail}", flush=True)
    if args.only != "pairs":
        print_rule_summary(rules, results)
    pair_results, drift = [], 0
    if args.only != "rules":
        print()
        drift = pair_signatures.main([])
        print()
        pair_results = run_pairs()
        print_pair_summary(pair_results)
    failures = [result for result in results if not result.ok]
    pair_failures = [result for result in pair_results if not result.ok]
    for problem in problems:
        print(f"FAIL versions: {problem}")
    if args.only != "pairs":
        print(f"\n{len(results)} runs: {sum(r.verdict == 'differ' and r.ok for r in results)} invalid differ, "
              f"{sum(r.kind == 'valid' and r.verdict == 'agree' and r.ok for r in results)} valid agree, "
              f"{sum(r.kind == 'fixed' and r.verdict == 'agree' and r.ok for r in results)} fixed agree, "
              f"{sum(r.verdict == 'skipped' for r in results)} skipped, {len(failures)} failed")
    if args.only != "rules":
        print(f"\n{len(pair_results)} pair runs: {sum(r.ok and r.verdict == 'differ' for r in pair_results)} differ "
              f"as expected, {sum(r.ok and r.verdict == 'agree' for r in pair_results)} agree as expected, "
              f"{sum(r.ok and r.verdict == 'raises' for r in pair_results)} raise as expected, "
              f"{len(pair_failures)} failed; signatures: {'drift' if drift else 'no drift'}")
    if args.json:
        Path(args.json).write_text(json.dumps({"rules": [result.__dict__ for result in results],
                                               "pairs": [result.__dict__ for result in pair_results]}, indent=1),
                                   encoding="utf-8")
    return 1 if failures or problems or pair_failures or drift else 0


def print_rule_summary(rules, results: list[Result]) -> None:
    print()
    print(f"{'code':7} {'rule':36} {'invalid differ':>15} {'(of which raise)':>16} {'valid agree':>12} "
          f"{'fixed agree':>12} {'skipped':>8}")
    for rule in rules:
        mine = [result for result in results if result.rule == rule.id]
        if rule.id in NOT_NUMERIC:
            print(f"{rule.code:7} {rule.id:36} not about numbers: {NOT_NUMERIC[rule.id]}")
            continue
        invalid = [result for result in mine if result.kind == "invalid" and result.verdict != "skipped"]
        valid = [result for result in mine if result.kind == "valid" and result.verdict != "skipped"]
        fixed = [result for result in mine if result.kind == "fixed" and result.verdict != "skipped"]
        raised = sum(result.ok and result.detail.startswith("MindSpore raised") for result in invalid)
        print(f"{rule.code:7} {rule.id:36} {sum(r.ok for r in invalid):>7}/{len(invalid):<7} {raised:>16} "
              f"{sum(r.ok for r in valid):>5}/{len(valid):<6} {sum(r.ok for r in fixed):>5}/{len(fixed):<6} "
              f"{sum(r.verdict == 'skipped' for r in mine):>8}")


if __name__ == "__main__":
    sys.exit(main())
