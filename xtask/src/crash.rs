//! `cargo xtask crash-test`: imports, retention runs and evidence issues run by the real `anpr`
//! binary and killed with SIGKILL at seeded random moments, each followed by a check of the
//! store (docs/crash-testing.md): SQLite's integrity check, every table's row count equal to
//! its count before or after an uninterrupted run (NASPLE 8.9.3, no data loss), the audit
//! chain, image records against blob files; then the same operation again must succeed and
//! leave the store sound.

use crate::{build_cli, command, display, make_demo_store, target_dir};
use anyhow::{Context, Result, bail};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

/// A store small enough to copy for every run, big enough that each operation takes a while.
const STORE_READS: &str = "2000";
/// The imported bundle (another seed: its reads and images are new to the store).
const BUNDLE_READS: &str = "500";
/// Reads put in each court bundle.
const EXHIBITS: usize = 20;
const PASSWORD: &str = "Demo-pass-1!";
/// Kill times are drawn from [0, this × the operation's measured duration): some land after
/// it would have finished, where the store must simply hold the finished result.
const KILL_SPAN: f64 = 1.25;
/// The retention run is applied this far ahead (an administrator's planned run), so it has
/// reads and images to delete.
const RETENTION_AHEAD_DAYS: i64 = 60;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Op {
    Import,
    Retention,
    Evidence,
}

impl Op {
    const ALL: [Op; 3] = [Op::Import, Op::Retention, Op::Evidence];

    fn name(self) -> &'static str {
        match self {
            Op::Import => "import",
            Op::Retention => "retention run",
            Op::Evidence => "evidence issue",
        }
    }

    /// Tables that must hold exactly the uninterrupted run's result once the operation has been
    /// run again after a kill (repeating it changes nothing more). An evidence issue is a new
    /// disclosure each time, so it is checked by counting instead.
    fn converging(self) -> &'static [&'static str] {
        match self {
            Op::Import => &["reads", "images", "cameras", "vrm_index"],
            Op::Retention => &["reads", "images"],
            Op::Evidence => &[],
        }
    }
}

/// What the runs share: the binary, the prepared inputs, the work folder.
struct Bench {
    anpr: PathBuf,
    work: PathBuf,
    base: PathBuf,
    bundle: PathBuf,
    exhibits: String,
    retention_as_of: String,
}

impl Bench {
    /// The operation's command on `data`; an evidence issue writes to `out`.
    fn op_command(&self, op: Op, data: &Path, out: &Path) -> std::process::Command {
        let mut c = command(&display(&self.anpr));
        c.env("ANPR_PASSWORD", PASSWORD).arg("--data-dir").arg(data).arg("--json");
        match op {
            Op::Import => c.args(["--user", "demo.investigator", "import"]).arg(&self.bundle),
            Op::Retention => c.args(["--user", "demo.admin", "retention", "run", "--now", &self.retention_as_of]),
            Op::Evidence => c
                .args(["--user", "demo.evidence", "report", "bundle", "--investigation", "NS-MAJ-0003"])
                .args(["--reads", &self.exhibits, "--level", "area", "--recipient", "CPS Northshire"])
                .args(["--reason", "crash test"])
                .arg("--out")
                .arg(out),
        };
        c
    }

    /// Runs the operation to its end; an error carries its stderr.
    fn run_op(&self, op: Op, data: &Path, out: &Path) -> Result<Duration> {
        let started = Instant::now();
        let output = self.op_command(op, data, out).output()?;
        if !output.status.success() {
            bail!("{} failed ({}): {}", op.name(), output.status, String::from_utf8_lossy(&output.stderr).trim());
        }
        Ok(started.elapsed())
    }

    /// `anpr check` on `data`. Its own audit entry comes after the counts it reports, so they
    /// are the store's as the killed operation left it.
    fn check(&self, data: &Path) -> Result<Check> {
        let output = command(&display(&self.anpr))
            .env("ANPR_PASSWORD", PASSWORD)
            .arg("--data-dir")
            .arg(data)
            .args(["--json", "--user", "demo.auditor", "check"])
            .output()?;
        let document: Value = serde_json::from_slice(&output.stdout).with_context(|| {
            format!("anpr check gave no report ({}): {}", output.status, String::from_utf8_lossy(&output.stderr))
        })?;
        Check::from(&document)
    }
}

/// The parts of `anpr check --json` compared here.
#[derive(Debug, Clone)]
struct Check {
    counts: BTreeMap<String, i64>,
    problems: Vec<String>,
}

impl Check {
    fn from(document: &Value) -> Result<Self> {
        let counts = document["counts"]
            .as_object()
            .context("anpr check: no counts")?
            .iter()
            .map(|(table, n)| (table.clone(), n.as_i64().unwrap_or(-1)))
            .collect();
        let problems = document["problems"]
            .as_array()
            .context("anpr check: no problems list")?
            .iter()
            .map(|p| p.as_str().unwrap_or_default().to_owned())
            .collect();
        Ok(Self { counts, problems })
    }

    fn count(&self, table: &str) -> i64 {
        self.counts.get(table).copied().unwrap_or(-1)
    }

    /// Files an operation killed before recording them leaves in `blobs/`, which the next
    /// import or retention run removes: not data, but reported.
    fn is_leftover(problem: &str) -> bool {
        problem.starts_with("orphan blob") || problem.starts_with("stray file in blobs/: tmp/")
    }
}

/// Where a killed run left the store.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// Every table as before the operation (its login entry aside).
    Before,
    /// A multi-transaction operation (an evidence issue: package, exhibits, disclosure) killed
    /// between two of its commits: each table as before or after.
    Between,
    /// The finished result.
    After,
}

/// One operation's reference: the store before and after an uninterrupted run, and how long
/// that run took.
struct Reference {
    before: Check,
    after: Check,
    duration: Duration,
}

#[derive(Default)]
struct Tally {
    runs: u64,
    killed: u64,
    finished_first: u64,
    before: u64,
    between: u64,
    after: u64,
    leftovers: u64,
    failures: u64,
    /// Wall time of the runs: copy, kill, checks, the operation again.
    time: Duration,
}

pub fn crash_test(args: &[&str]) -> Result<()> {
    let (runs, seed) = parse_args(args)?;
    let started = Instant::now();
    let anpr = build_cli(false)?;
    let work = target_dir().join("crash-test");
    if work.exists() {
        std::fs::remove_dir_all(&work).with_context(|| format!("removing {}", work.display()))?;
    }
    let base = work.join("base");
    make_demo_store(&anpr, &base, Some(STORE_READS))?;
    // Only the store is copied for each run: not the demo's video evaluation kit.
    remove(&base.join("demo-eval"))?;
    let bundle = work.join("bundle");
    let mut c = command(&display(&anpr));
    c.args(["demo", "--reads", BUNDLE_READS, "--seed", "2", "--bundle"]).arg(&bundle);
    crate::run_command(c)?;
    let bench = Bench {
        exhibits: exhibits(&anpr, &base)?,
        retention_as_of: (chrono::Utc::now() + chrono::Duration::days(RETENTION_AHEAD_DAYS))
            .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        anpr,
        work,
        base,
        bundle,
    };
    let mut references = BTreeMap::new();
    for op in Op::ALL {
        let reference = reference(&bench, op)?;
        eprintln!(
            "{}: uninterrupted run {:.0?}; changes {:?}",
            op.name(),
            reference.duration,
            changed(&reference.before, &reference.after)
        );
        references.insert(op, reference);
    }

    let prepared = started.elapsed();
    let mut rng = SplitMix(seed);
    let mut tallies: BTreeMap<Op, Tally> = BTreeMap::new();
    let mut failures = Vec::new();
    for run in 0..runs {
        let op = Op::ALL[run as usize % Op::ALL.len()];
        let reference = &references[&op];
        let kill_at = reference.duration.mul_f64(rng.unit() * KILL_SPAN);
        let tally = tallies.entry(op).or_default();
        tally.runs += 1;
        let run_started = Instant::now();
        let result = crash_run(&bench, op, reference, kill_at, tally);
        tally.time += run_started.elapsed();
        if let Err(e) = result {
            tally.failures += 1;
            failures.push(format!("run {run} ({}, killed at {kill_at:.1?}): {e:#}", op.name()));
        }
    }

    println!(
        "\ncrash test: seed {seed}, {runs} runs in {:.0?} ({:.0?} of it building and preparing)",
        started.elapsed(),
        prepared
    );
    println!(
        "{:<16} {:>5} {:>7} {:>14} {:>7} {:>8} {:>6} {:>10} {:>9} {:>9}",
        "operation",
        "runs",
        "killed",
        "finished first",
        "before",
        "between",
        "after",
        "leftovers",
        "failures",
        "time/run"
    );
    for (op, t) in &tallies {
        println!(
            "{:<16} {:>5} {:>7} {:>14} {:>7} {:>8} {:>6} {:>10} {:>9} {:>9.1?}",
            op.name(),
            t.runs,
            t.killed,
            t.finished_first,
            t.before,
            t.between,
            t.after,
            t.leftovers,
            t.failures,
            t.time / t.runs.max(1) as u32
        );
    }
    println!("result: {runs} runs, {} failures", failures.len());
    if !failures.is_empty() {
        for failure in &failures {
            println!("FAILED {failure}");
        }
        bail!("{} of {runs} crash runs failed", failures.len());
    }
    Ok(())
}

fn parse_args(args: &[&str]) -> Result<(u64, u64)> {
    let (mut runs, mut seed) = (150, 1);
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        let value = args.next().with_context(|| format!("{arg} needs a value"))?;
        match *arg {
            "--runs" => runs = value.parse().context("--runs N")?,
            "--seed" => seed = value.parse().context("--seed S")?,
            other => bail!("unknown option {other} (crash-test [--runs N] [--seed S])"),
        }
    }
    Ok((runs, seed))
}

/// Read ids for the court bundles: the first reads with plate patches an evidence search of
/// the demo's Major case finds.
fn exhibits(anpr: &Path, data: &Path) -> Result<String> {
    let output = command(&display(anpr))
        .env("ANPR_PASSWORD", PASSWORD)
        .arg("--data-dir")
        .arg(data)
        .args(["--json", "--user", "demo.evidence", "search", "--investigation", "NS-MAJ-0003"])
        .args(["--purpose", "evidence", "--justification", "crash test exhibits", "--vrm", "*", "--limit", "400"])
        .output()?;
    let found: Value = serde_json::from_slice(&output.stdout)
        .with_context(|| format!("anpr search failed: {}", String::from_utf8_lossy(&output.stderr)))?;
    let ids: Vec<&str> = found["reads"]
        .as_array()
        .context("anpr search: no reads")?
        .iter()
        .filter(|r| r["plate_image_sha256"].is_string())
        .filter_map(|r| r["read_id"].as_str())
        .take(EXHIBITS)
        .collect();
    if ids.len() < EXHIBITS {
        bail!("the demo store has only {} reads with plate patches for a court bundle", ids.len());
    }
    Ok(ids.join(","))
}

/// Runs `op` uninterrupted on a copy of the base store: the counts before and after, and its
/// duration (the second of two runs, with the files in the page cache as in the crash runs).
fn reference(bench: &Bench, op: Op) -> Result<Reference> {
    let data = bench.work.join("reference");
    let out = bench.work.join("reference-out");
    let mut duration = Duration::ZERO;
    let mut checks = None;
    for _ in 0..2 {
        fresh_copy(&bench.base, &data)?;
        remove(&out)?;
        let before = bench.check(&data)?;
        // Afresh: the run starts without the check's own audit entry, as the crash runs do.
        fresh_copy(&bench.base, &data)?;
        duration = bench.run_op(op, &data, &out)?;
        let after = bench.check(&data)?;
        for check in [&before, &after] {
            if !check.problems.is_empty() {
                bail!("{}: the uninterrupted run leaves problems: {:?}", op.name(), check.problems);
            }
        }
        checks = Some((before, after));
    }
    let (before, after) = checks.context("no reference run")?;
    Ok(Reference { before, after, duration })
}

/// The tables whose counts differ, as `table: before -> after`.
fn changed(before: &Check, after: &Check) -> Vec<String> {
    after
        .counts
        .iter()
        .filter(|(table, n)| before.count(table) != **n)
        .map(|(table, n)| format!("{table}: {} -> {n}", before.count(table)))
        .collect()
}

/// One run: a fresh copy of the base store, the operation killed at `kill_at`, the check, the
/// operation again, the check again.
fn crash_run(bench: &Bench, op: Op, reference: &Reference, kill_at: Duration, tally: &mut Tally) -> Result<()> {
    let data = bench.work.join("run");
    let out = bench.work.join("run-out");
    fresh_copy(&bench.base, &data)?;
    remove(&out)?;
    let mut child = bench.op_command(op, &data, &out).stdout(Stdio::null()).stderr(Stdio::null()).spawn()?;
    let deadline = Instant::now() + kill_at;
    // Polled rather than slept through, so a run that ends first is known to have ended.
    let finished = loop {
        if let Some(status) = child.try_wait()? {
            break Some(status);
        }
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            break None;
        }
        std::thread::sleep(left.min(Duration::from_millis(2)));
    };
    match finished {
        Some(status) if !status.success() => bail!("the operation failed on its own ({status})"),
        Some(_) => tally.finished_first += 1,
        None => {
            // SIGKILL on Unix: no destructor, no rollback, no flush.
            child.kill()?;
            child.wait()?;
            tally.killed += 1;
        }
    }

    let found = bench.check(&data)?;
    let state = classify(op, reference, &found)?;
    match state {
        State::Before => tally.before += 1,
        State::Between => tally.between += 1,
        State::After => tally.after += 1,
    }
    let (leftovers, problems): (Vec<_>, Vec<_>) = found.problems.iter().partition(|p| Check::is_leftover(p));
    if !problems.is_empty() {
        bail!("after the kill ({state:?}): {problems:?}");
    }
    if !leftovers.is_empty() {
        if op == Op::Evidence {
            bail!("an evidence issue writes no blobs, yet: {leftovers:?}");
        }
        tally.leftovers += 1;
    }
    if op == Op::Evidence {
        // Nothing is disclosed without its record (9.4.3.7), and a record has its folder.
        let recorded = found.count("disclosures") == reference.after.count("disclosures");
        let written = out.read_dir().is_ok_and(|mut d| d.next().is_some());
        if recorded != written {
            bail!("disclosure recorded: {recorded}, court bundle folder written: {written}");
        }
    }

    let again = bench.work.join("run-out-again");
    remove(&again)?;
    bench.run_op(op, &data, &again).context("the next operation on the store")?;
    let next = bench.check(&data)?;
    if !next.problems.is_empty() {
        bail!("after the next operation: {:?}", next.problems);
    }
    for table in op.converging() {
        if next.count(table) != reference.after.count(table) {
            bail!(
                "after the operation again, {table} holds {} rows, an uninterrupted run {}",
                next.count(table),
                reference.after.count(table)
            );
        }
    }
    if op == Op::Evidence && next.count("disclosures") != found.count("disclosures") + 1 {
        bail!("the next evidence issue did not record one disclosure");
    }
    Ok(())
}

/// Which state the counts show; an error when any table holds neither its count before nor
/// after (the audit trail may hold the login entry and, for an evidence issue, the entries of
/// the transactions that committed: anything from before to after).
fn classify(op: Op, reference: &Reference, found: &Check) -> Result<State> {
    let (before, after) = (&reference.before, &reference.after);
    let mut odd = Vec::new();
    let (mut all_before, mut all_after) = (true, true);
    for (table, &n) in &found.counts {
        let (b, a) = (before.count(table), after.count(table));
        let fits = if table == "audit" { (b..=a).contains(&n) } else { n == b || n == a };
        if !fits {
            odd.push(format!("{table}: {n} (before {b}, after {a})"));
        }
        if table != "audit" {
            all_before &= n == b;
        }
        all_after &= n == a;
    }
    if !odd.is_empty() {
        bail!("counts neither before nor after: {}", odd.join(", "));
    }
    Ok(match (all_before, all_after) {
        (_, true) => State::After,
        (true, false) => State::Before,
        (false, false) if op == Op::Evidence => State::Between,
        (false, false) => bail!("some tables as before, some as after: {:?}", changed(before, found)),
    })
}

fn remove(dir: &Path) -> Result<()> {
    if dir.exists() {
        std::fs::remove_dir_all(dir).with_context(|| format!("removing {}", dir.display()))?;
    }
    Ok(())
}

/// Replaces `to` with a copy of the folder `from`.
fn fresh_copy(from: &Path, to: &Path) -> Result<()> {
    remove(to)?;
    copy_dir(from, to).with_context(|| format!("copying {} to {}", from.display(), to.display()))
}

fn copy_dir(from: &Path, to: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        let target = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            copy_dir(&entry.path(), &target)?;
        } else {
            std::fs::copy(entry.path(), &target)?;
        }
    }
    Ok(())
}

/// SplitMix64: a seeded generator, so a failing run is repeated with the same `--seed`.
struct SplitMix(u64);

impl SplitMix {
    /// Uniform in [0, 1).
    fn unit(&mut self) -> f64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^= z >> 31;
        (z >> 11) as f64 / (1u64 << 53) as f64
    }
}
