//! Search benchmark (`cargo xtask bench search [--reads N] [--encrypted]`, issue 5): a demo store
//! of N reads (default 10 million, no images; built once and kept under the target directory;
//! with `--encrypted` an encrypted one, as the app makes, to compare with), searched
//! through `Session::search` exactly as the app does (Annex C grant, visibility, count, first
//! page, audit entry), and the journey and convoy analyses through `Session::analyse` under the
//! same gate. Each kind of query runs over many VRMs sampled from the store; median and
//! p95 are printed beside two baselines measured in the same run on the same reads: a naive SQL
//! `LIKE` scan, and `rg` over the reads exported as CSV.
#![allow(clippy::unwrap_used, clippy::print_stderr)]

use anpr_core::demo::DemoOptions;
use anpr_core::setup::DEMO_PASSWORD;
use anpr_core::types::{Analysis, AnalysisRequest, Findings, Purpose, SearchRequest};
use anpr_core::{Session, SystemClock, Workstation};
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Queries of each kind (different VRMs each time).
const REPEATS: usize = 40;
/// Baseline scans are slow: fewer of them.
const BASELINE_REPEATS: usize = 5;
/// A Major investigation: 12 months of reads may be searched (Annex C).
const INVESTIGATION: &str = "NS-MAJ-0003";

fn option(args: &[String], name: &str, default: usize) -> usize {
    args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)).and_then(|v| v.parse().ok()).unwrap_or(default)
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).filter(|a| a != "--bench").collect();
    let reads = option(&args, "--reads", 10_000_000);
    let encrypted = args.iter().any(|a| a == "--encrypted");
    tokio::runtime::Runtime::new().unwrap().block_on(run(reads, encrypted));
}

/// Where the store is kept between runs: it takes minutes to build.
fn work_dir(reads: usize, encrypted: bool) -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| PathBuf::from("target"), PathBuf::from);
    let suffix = if encrypted { "-encrypted" } else { "" };
    target.join("bench-search").join(format!("store-{reads}{suffix}"))
}

async fn store(reads: usize, encrypted: bool) -> Workstation {
    let dir = work_dir(reads, encrypted);
    let (data, clock) = (dir.join("data"), Arc::new(SystemClock));
    let done = dir.join("complete");
    if !done.exists() {
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let started = Instant::now();
        let ws = match encrypted {
            true => Workstation::create_encrypted(&data, clock.clone()).await.unwrap().0,
            false => Workstation::open(&data, clock.clone()).await.unwrap(),
        };
        // Anchored at today, so the demo's reads fall inside the 12 months Annex C allows.
        let anchor = chrono::Utc::now().date_naive().and_hms_opt(0, 0, 0).unwrap().and_utc();
        let options = DemoOptions { seed: 7, reads, images: false, anchor };
        ws.create_demo(&options, &dir, &mut |_| {}).await.unwrap();
        ws.close().await;
        std::fs::write(&done, format!("{anchor}")).unwrap();
        eprintln!("demo store of {reads} reads built in {:.0} s", started.elapsed().as_secs_f64());
    }
    match encrypted {
        true => Workstation::unlock(&data, clock, "demo.investigator", DEMO_PASSWORD).await.unwrap(),
        false => Workstation::open(&data, clock).await.unwrap(),
    }
}

fn request(vrm: &str, fuzzy: bool) -> SearchRequest {
    SearchRequest {
        investigation: INVESTIGATION.into(),
        purpose: Some(Purpose::Investigation),
        justification: "benchmark".into(),
        vrm: Some(vrm.into()),
        limit: 100,
        fuzzy,
        ..SearchRequest::default()
    }
}

struct Figures {
    median: Duration,
    p95: Duration,
    /// Reads found, summed over the queries (so a query that finds nothing is visible).
    found: u64,
}

fn figures(mut times: Vec<Duration>, found: u64) -> Figures {
    times.sort();
    let at = |q: f64| times[((times.len() - 1) as f64 * q).round() as usize];
    Figures { median: at(0.5), p95: at(0.95), found }
}

async fn searches(session: &Session, queries: &[(String, bool)]) -> Figures {
    // One untimed pass first: the figures are for a store whose pages are in the OS cache, as
    // on a laptop with the workstation in use, not the first query after a cold boot.
    for (vrm, fuzzy) in queries {
        session.search(&request(vrm, *fuzzy)).await.unwrap();
    }
    let mut times = Vec::new();
    let mut found = 0;
    for (vrm, fuzzy) in queries {
        let started = Instant::now();
        let results = session.search(&request(vrm, *fuzzy)).await.unwrap();
        times.push(started.elapsed());
        found += results.total;
    }
    figures(times, found)
}

/// Each VRM's journey, or its convoy (companions at the same camera within 5 minutes of at
/// least 2 of its reads); "found" sums the reads or companions.
async fn analyses(session: &Session, vrms: &[String], convoy: bool) -> Figures {
    let mut times = Vec::new();
    let mut found = 0;
    // The first pass warms the cache (as in `searches`); the second is timed.
    for timed in [false, true] {
        for vrm in vrms {
            let analysis = if convoy {
                Analysis::Convoy { vrm: vrm.clone(), window_minutes: 5, min_together: 2 }
            } else {
                Analysis::Journey { vrm: vrm.clone() }
            };
            let request = AnalysisRequest { scope: request(vrm, false), analysis };
            let started = Instant::now();
            let result = session.analyse(&request).await.unwrap();
            if !timed {
                continue;
            }
            times.push(started.elapsed());
            found += match result.findings {
                Findings::Journey(journey) => journey.total,
                Findings::Convoy(convoy) => convoy.companions.len() as u64,
                other => panic!("asked for a journey or a convoy, got {other:?}"),
            };
        }
    }
    figures(times, found)
}

/// A letter OCR takes for a digit, or the reverse.
fn look_alike(c: char) -> Option<char> {
    const PAIRS: [(char, char); 7] =
        [('B', '8'), ('S', '5'), ('Z', '2'), ('G', '6'), ('O', '0'), ('D', '0'), ('I', '1')];
    PAIRS.iter().find_map(|&(a, b)| {
        if c == a {
            Some(b)
        } else if c == b {
            Some(a)
        } else {
            None
        }
    })
}

async fn run(reads: usize, encrypted: bool) {
    let ws = store(reads, encrypted).await;
    let session = ws.login("demo.investigator", DEMO_PASSWORD).await.unwrap();
    let total: i64 = sqlx::query_scalar("SELECT count(*) FROM reads").fetch_one(ws.pool()).await.unwrap();
    // How many reads a VRM has drives every figure, so the run says it.
    let distinct: i64 = sqlx::query_scalar("SELECT count(*) FROM vrm_index").fetch_one(ws.pool()).await.unwrap();
    let mut rng = ChaCha8Rng::seed_from_u64(11);
    let mut vrms: Vec<String> = Vec::new();
    while vrms.len() < REPEATS {
        let id = rng.random_range(1..=total);
        let vrm: Option<String> =
            sqlx::query_scalar("SELECT vrm FROM reads WHERE id = ?").bind(id).fetch_optional(ws.pool()).await.unwrap();
        if let Some(vrm) = vrm.filter(|v| v.len() == 7) {
            vrms.push(vrm);
        }
    }
    let of = |f: &dyn Fn(&str) -> Option<String>, fuzzy| -> Vec<(String, bool)> {
        vrms.iter().filter_map(|v| f(v)).map(|q| (q, fuzzy)).collect()
    };
    let exact = of(&|v| Some(v.to_owned()), false);
    let prefix = of(&|v| Some(format!("{}*", &v[..3])), false);
    let infix = of(&|v| Some(format!("*{}*", &v[2..5])), false);
    let single = of(&|v| Some(format!("{}?{}", &v[..3], &v[4..])), false);
    let fuzzy = of(
        &|v| {
            let (at, c) = v.char_indices().find_map(|(i, c)| look_alike(c).map(|l| (i, l)))?;
            let mut q = v.to_owned();
            q.replace_range(at..=at, &c.to_string());
            Some(q)
        },
        true,
    );

    let cases = [
        ("exact VRM", &exact),
        ("prefix (AB1*)", &prefix),
        ("infix wildcard (*12C*)", &infix),
        ("? pattern (AB1?CDE)", &single),
        ("fuzzy (one OCR confusion)", &fuzzy),
    ];
    let mut rows = Vec::new();
    for (name, queries) in cases {
        rows.push((name, searches(&session, queries).await));
    }
    rows.push(("journey (analysis)", analyses(&session, &vrms, false).await));
    rows.push(("convoy, +/-5 min, >= 2 (analysis)", analyses(&session, &vrms, true).await));

    // Baselines over the same reads and the infix patterns: a LIKE scan, and rg over a CSV.
    let mut like_times = Vec::new();
    let mut like_found = 0;
    let like_count = |like: String| {
        sqlx::query_scalar::<_, i64>("SELECT count(*) FROM reads WHERE vrm LIKE ?").bind(like).fetch_one(ws.pool())
    };
    // One untimed scan warms the cache, as the other cases do.
    like_count("%".into()).await.unwrap();
    for (pattern, _) in infix.iter().take(BASELINE_REPEATS) {
        let like = pattern.replace('*', "%");
        let started = Instant::now();
        let n = like_count(like).await.unwrap();
        like_times.push(started.elapsed());
        like_found += n as u64;
    }
    let like = figures(like_times, like_found);
    let csv = export_csv(&ws, &work_dir(reads, encrypted)).await;
    let rg = rg_figures(&csv, &infix);
    ws.close().await;

    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let kind = if encrypted { "encrypted (SQLCipher)" } else { "unencrypted" };
    println!(
        "search benchmark: {kind} store, {total} reads of {distinct} distinct VRMs, {} cores; {REPEATS} queries per case",
        cores()
    );
    println!("{:<36} {:>11} {:>11} {:>12} {:>14}", "case", "median ms", "p95 ms", "reads found", "x LIKE scan");
    let line = |name: &str, f: &Figures| {
        println!(
            "{name:<36} {:>11.2} {:>11.2} {:>12} {:>14.1}",
            ms(f.median),
            ms(f.p95),
            f.found,
            ms(like.median) / ms(f.median).max(1e-6)
        );
    };
    for (name, f) in &rows {
        line(name, f);
    }
    line(&format!("baseline: SQL LIKE scan ({BASELINE_REPEATS} infix)"), &like);
    match rg {
        Some(rg) => line(&format!("baseline: rg over CSV ({BASELINE_REPEATS} infix)"), &rg),
        None => println!("baseline: rg is not installed (cargo xtask installs ripgrep)"),
    }
}

fn cores() -> usize {
    std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1)
}

/// The reads as CSV (read id, VRM, time, camera), written once beside the store.
async fn export_csv(ws: &Workstation, dir: &Path) -> PathBuf {
    let path = dir.join("reads.csv");
    if path.exists() {
        return path;
    }
    let rows: Vec<(String, Option<String>, i64, i64)> =
        sqlx::query_as("SELECT read_id, vrm, read_time, camera FROM reads").fetch_all(ws.pool()).await.unwrap();
    let mut out = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
    for (id, vrm, time, camera) in rows {
        writeln!(out, "{id},{},{time},{camera}", vrm.unwrap_or_default()).unwrap();
    }
    out.flush().unwrap();
    path
}

/// `rg --count` of each infix pattern's middle over the CSV; `None` without rg.
fn rg_figures(csv: &Path, infix: &[(String, bool)]) -> Option<Figures> {
    let mut times = Vec::new();
    let mut found = 0;
    let mut patterns: Vec<&String> = infix.iter().map(|(p, _)| p).take(BASELINE_REPEATS).collect();
    patterns.shuffle(&mut ChaCha8Rng::seed_from_u64(3));
    for pattern in patterns {
        let started = Instant::now();
        let out = Command::new("rg").args(["--count", "--fixed-strings", pattern.trim_matches('*')]).arg(csv).output();
        let out = out.ok()?;
        times.push(started.elapsed());
        found += String::from_utf8_lossy(&out.stdout).trim().parse::<u64>().unwrap_or(0);
    }
    Some(figures(times, found))
}
