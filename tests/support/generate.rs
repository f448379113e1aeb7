//! A generator of realistic CircleCI configs of any size, for benchmarks, scaling checks and
//! robustness tests (`cargo run --example gen-config -- --jobs N`).
//!
//! The configs look like the large real ones: executors and commands with parameters, an orb,
//! anchors and merge keys, run steps that read variables, workspaces, and workflows whose jobs
//! fan out and in through `requires`, with branch and tag filters, approval holds and a matrix.
//! They are valid: a lint of one gives no error.

use std::fmt::Write;

/// What to generate.
#[derive(Clone, Copy, Debug)]
pub struct GenOptions {
    /// Number of jobs under `jobs:` (each is run by exactly one workflow).
    pub jobs: usize,
    /// Number of workflows the jobs are spread over (at least 1).
    pub workflows: usize,
    /// Seed of the pseudo-random choices (the output is a pure function of the options).
    pub seed: u64,
}

impl Default for GenOptions {
    fn default() -> Self {
        GenOptions {
            jobs: 100,
            workflows: 1,
            seed: 1,
        }
    }
}

/// A small deterministic pseudo-random generator (xorshift64*).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }
}

/// Generate a config.
pub fn config(opts: GenOptions) -> String {
    let jobs = opts.jobs.max(1);
    let workflows = opts.workflows.clamp(1, jobs);
    let mut rng = Rng(opts.seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
    let executors = (jobs / 50).clamp(1, 20);
    let commands = (jobs / 20).clamp(1, 100);
    let mut out = String::with_capacity(jobs * 700);

    out.push_str("version: 2.1\n\norbs:\n  node: circleci/node@5.1.1\n\n");
    out.push_str("parameters:\n  run-deploy:\n    type: boolean\n    default: true\n  region:\n    type: enum\n    enum: [eu, us]\n    default: eu\n\n");
    out.push_str("aliases:\n  - &defaults\n    docker:\n      - image: cimg/base:2024.01\n        environment:\n          TZ: UTC\n    working_directory: ~/project\n  - &only-main\n    branches:\n      only: main\n\n");

    out.push_str("executors:\n");
    for e in 0..executors {
        let _ = write!(
            out,
            "  exec-{e}:\n    parameters:\n      tag:\n        type: string\n        default: \"20.11\"\n    docker:\n      - image: cimg/node:<< parameters.tag >>\n    resource_class: medium\n    environment:\n      EXECUTOR_ID: \"{e}\"\n"
        );
    }

    out.push_str("\ncommands:\n");
    for c in 0..commands {
        let _ = write!(
            out,
            "  cmd-{c}:\n    description: Build target {c}\n    parameters:\n      target:\n        type: string\n        default: all\n      verbose:\n        type: boolean\n        default: false\n    steps:\n      - run:\n          name: Build << parameters.target >>\n          command: |\n            set -eu\n            echo \"building << parameters.target >> in $CIRCLE_WORKING_DIRECTORY\"\n            if << parameters.verbose >>; then export VERBOSE=1; fi\n            make -j\"$(nproc)\" << parameters.target >>\n"
        );
    }

    out.push_str("\njobs:\n");
    for j in 0..jobs {
        let _ = writeln!(out, "  job-{j}:");
        if j % 3 == 0 {
            out.push_str("    <<: *defaults\n");
        } else {
            let _ = writeln!(
                out,
                "    executor:\n      name: exec-{}\n      tag: \"22.{}\"",
                rng.below(executors),
                j % 10
            );
        }
        if j % 5 == 0 {
            out.push_str("    parameters:\n      shard:\n        type: integer\n        default: 1\n    parallelism: << parameters.shard >>\n");
        }
        let _ = write!(
            out,
            "    environment:\n      JOB_INDEX: \"{j}\"\n    steps:\n      - checkout\n"
        );
        if j > 0 && j % 4 != 0 {
            out.push_str("      - attach_workspace:\n          at: ~/project\n");
        }
        let _ = write!(
            out,
            "      - cmd-{}:\n          target: part-{j}\n          verbose: {}\n      - restore_cache:\n          keys:\n            - deps-v1-{{{{ checksum \"package-lock.json\" }}}}\n            - deps-v1-\n      - run:\n          name: Test {j}\n          command: |\n            echo \"job $JOB_INDEX on $CIRCLE_BRANCH ($CIRCLE_SHA1)\"\n            ./scripts/test.sh --shard \"$CIRCLE_NODE_INDEX\" --of \"$CIRCLE_NODE_TOTAL\"\n      - store_test_results:\n          path: test-results\n",
            rng.below(commands),
            j % 2 == 0
        );
        if j % 4 == 0 {
            out.push_str("      - persist_to_workspace:\n          root: ~/project\n          paths:\n            - build\n");
        }
    }
    out.push_str("  matrix-test:\n    parameters:\n      os:\n        type: string\n      node:\n        type: string\n    docker:\n      - image: cimg/node:<< parameters.node >>\n    steps:\n      - checkout\n      - run: echo \"testing on << parameters.os >>\"\n");

    out.push_str("\nworkflows:\n");
    let per = jobs.div_ceil(workflows);
    for w in 0..workflows {
        let first = w * per;
        let last = ((w + 1) * per).min(jobs);
        if first >= last {
            break;
        }
        let _ = writeln!(out, "  workflow-{w}:");
        if w == 0 {
            out.push_str("    when: << pipeline.parameters.run-deploy >>\n");
        }
        out.push_str("    jobs:\n");
        for j in first..last {
            let local = j - first;
            let _ = writeln!(out, "      - job-{j}:");
            if j % 7 == 0 {
                out.push_str("          context: build-secrets\n");
            }
            if j % 5 == 0 {
                out.push_str("          shard: 2\n");
            }
            if local > 0 {
                out.push_str("          requires:\n");
                let n = 1 + rng.below(3).min(local - 1);
                let mut picked = Vec::with_capacity(n);
                for _ in 0..n {
                    let back = 1 + rng.below(local.min(30));
                    let dep = j - back;
                    if !picked.contains(&dep) {
                        picked.push(dep);
                        let _ = writeln!(out, "            - job-{dep}");
                    }
                }
            }
            if j % 11 == 0 {
                out.push_str("          filters: *only-main\n");
            }
            if local > 0 && local.is_multiple_of(50) {
                let _ = write!(
                    out,
                    "      - hold-{j}:\n          type: approval\n          requires:\n            - job-{j}\n"
                );
            }
        }
        if w == 0 {
            let _ = write!(
                out,
                "      - matrix-test:\n          matrix:\n            parameters:\n              os: [linux, macos]\n              node: [\"20.11\", \"22.2\"]\n          requires:\n            - job-{first}\n"
            );
        }
    }
    out
}

#[cfg(test)]
mod tests {
    // (Unused where the file is compiled as a module of a benchmark, whose tests do not run.)
    #[allow(unused_imports)]
    use super::*;

    #[test]
    fn deterministic_and_sized() {
        let a = config(GenOptions {
            jobs: 200,
            workflows: 2,
            seed: 7,
        });
        let b = config(GenOptions {
            jobs: 200,
            workflows: 2,
            seed: 7,
        });
        assert_eq!(a, b);
        assert_eq!(a.matches("\n  job-").count(), 200);
        assert!(a.contains("workflow-1:"));
    }
}
