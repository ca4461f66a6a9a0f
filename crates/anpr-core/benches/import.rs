//! Import benchmark (`cargo xtask bench import`): demo bundles of 1M reads without images and
//! 100k reads with plate patches, imported into fresh stores, beside a naive importer (one
//! autocommitted INSERT per row) measured in the same run. Each measurement runs in a child
//! process so its peak memory is its own. Figures are printed as ratios to the baseline,
//! because these machines are noisy.
#![allow(clippy::unwrap_used, clippy::print_stderr)]

use anpr_core::demo::{DemoOptions, write_bundle};
use anpr_core::setup::DEMO_PASSWORD;
use anpr_core::{SystemClock, Workstation};
use std::collections::HashMap;
use std::path::Path;
use std::process::Command;
use std::sync::Arc;
use std::time::Instant;

/// Rows the naive baseline inserts: it is slow, and its rate is flat in the row count.
const NAIVE_ROWS: usize = 50_000;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).filter(|a| a != "--bench").collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    match args.as_slice() {
        ["child", mode, bundle, data] => runtime.block_on(child(mode, Path::new(bundle), Path::new(data))),
        rest => parent(rest),
    }
}

fn option(args: &[&str], name: &str, default: usize) -> usize {
    args.iter().position(|a| *a == name).and_then(|i| args.get(i + 1)).and_then(|v| v.parse().ok()).unwrap_or(default)
}

fn parent(args: &[&str]) {
    let plain_reads = option(args, "--reads", 1_000_000);
    let image_reads = option(args, "--image-reads", 100_000);
    let dir = tempfile::tempdir().unwrap();
    let anchor = chrono::DateTime::parse_from_rfc3339("2026-11-20T00:00:00Z").unwrap().to_utc();
    let make = |name: &str, reads: usize, images: bool| {
        let path = dir.path().join(name);
        let started = Instant::now();
        write_bundle(&path, &DemoOptions { seed: 1, reads, images, anchor }, &mut |_| {}).unwrap();
        eprintln!("demo bundle {name}: {reads} reads written in {:.1} s", started.elapsed().as_secs_f64());
        path
    };
    let plain = make("plain", plain_reads, false);
    let images = make("images", image_reads, true);

    let measure = |mode: &str, bundle: &Path, name: &str| -> (f64, f64, u64) {
        let data = dir.path().join(name);
        // The previous case's (or the bundle writer's) dirty pages are flushed first, so the
        // kernel's writeback of them is not billed to this case.
        Command::new("sync").status().ok();
        let out = Command::new(std::env::current_exe().unwrap())
            .args(["child", mode, bundle.to_str().unwrap(), data.to_str().unwrap()])
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let line = String::from_utf8_lossy(&out.stdout);
        let mut fields = line.split_whitespace().map(|f| f.parse::<f64>().unwrap());
        let (reads, seconds, peak_kib) = (fields.next().unwrap(), fields.next().unwrap(), fields.next().unwrap());
        std::fs::remove_dir_all(&data).ok();
        (reads / seconds, seconds, peak_kib as u64 / 1024)
    };
    let (naive_rate, naive_s, naive_mem) = measure("naive", &plain, "naive");
    // The headline case is the median of three runs: single runs here vary by +/-15%.
    let mut runs: Vec<_> = (0..3).map(|_| measure("import", &plain, "plain-store")).collect();
    runs.sort_by(|a, b| a.0.total_cmp(&b.0));
    let (plain_rate, plain_s, plain_mem) = runs[1];
    let (image_rate, image_s, image_mem) = measure("import", &images, "image-store");

    println!("import benchmark ({} cores)", std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1));
    println!("{:<44} {:>10} {:>9} {:>12} {:>10} {:>9}", "case", "reads", "seconds", "reads/s", "peak MiB", "x naive");
    let row = |case: &str, reads: usize, s: f64, rate: f64, mem: u64| {
        println!("{case:<44} {reads:>10} {s:>9.2} {rate:>12.0} {mem:>10} {:>9.1}", rate / naive_rate);
    };
    row("naive baseline (INSERT per row, autocommit)", NAIVE_ROWS.min(plain_reads), naive_s, naive_rate, naive_mem);
    row("bundle import, no images (median of 3)", plain_reads, plain_s, plain_rate, plain_mem);
    row("bundle import, plate patches + overviews", image_reads, image_s, image_rate, image_mem);
}

/// Peak resident memory of this process, KiB (Linux; 0 elsewhere).
fn peak_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines().find(|l| l.starts_with("VmHWM:")).and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0)
}

async fn child(mode: &str, bundle: &Path, data: &Path) {
    let ws = Workstation::open(data, Arc::new(SystemClock)).await.unwrap();
    ws.create_demo_accounts().await.unwrap();
    let session = ws.login("demo.investigator", DEMO_PASSWORD).await.unwrap();
    let started = Instant::now();
    let reads = match mode {
        "import" => {
            let summary = session.import_bundle(bundle, &mut |_| {}, &Default::default()).await.unwrap();
            assert_eq!(summary.reads_rejected, 0);
            summary.reads_accepted
        }
        _ => naive(&ws, bundle).await,
    };
    let seconds = started.elapsed().as_secs_f64();
    ws.close().await;
    println!("{reads} {seconds} {}", peak_kib());
}

/// The baseline: what a first attempt looks like, one autocommitted INSERT per row.
async fn naive(ws: &Workstation, bundle: &Path) -> u64 {
    let pool = ws.pool();
    sqlx::query("INSERT INTO imports(bundle_path, bundle_sha256, user_id, started_at, finished_at, reads_accepted, reads_duplicate, reads_rejected, images_stored, images_rejected, cameras_added) VALUES ('naive', '', 1, 0, 0, 0, 0, 0, 0, 0, 0)")
        .execute(pool).await.unwrap();
    let mut cameras = HashMap::new();
    let mut reader = csv::Reader::from_path(bundle.join("cameras.csv")).unwrap();
    for record in reader.records() {
        let r = record.unwrap();
        let id = sqlx::query("INSERT INTO cameras(camera_id, name, system_type, latitude, longitude, general_area, controller, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, 0)")
            .bind(&r[0]).bind(&r[1]).bind(&r[2]).bind(r[3].parse::<f64>().unwrap()).bind(r[4].parse::<f64>().unwrap()).bind(&r[5]).bind(&r[8])
            .execute(pool).await.unwrap().last_insert_rowid();
        cameras.insert(r[0].to_owned(), (id, r[3].parse::<f64>().unwrap(), r[4].parse::<f64>().unwrap()));
    }
    let mut reader = csv::Reader::from_path(bundle.join("reads.csv")).unwrap();
    let mut n = 0;
    for record in reader.records().take(NAIVE_ROWS) {
        let r = record.unwrap();
        let (camera, lat, lon) = cameras[&r[3]];
        let vrm = anpr_core::vrm::normalise(&r[1]);
        let time = chrono::DateTime::parse_from_rfc3339(&r[2]).unwrap().timestamp_millis();
        sqlx::query("INSERT INTO reads(read_id, vrm_as_read, vrm, not_read, read_time, camera, latitude, longitude, lane, direction, confidence, import_id, entered_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, 0)")
            .bind(&r[0]).bind(&r[1]).bind(&vrm).bind(vrm.is_none()).bind(time).bind(camera)
            .bind(r[4].parse::<f64>().unwrap_or(lat)).bind(r[5].parse::<f64>().unwrap_or(lon))
            .bind(r[6].parse::<i64>().ok()).bind(r.get(7).filter(|d| !d.is_empty())).bind(r[8].parse::<f64>().ok())
            .execute(pool).await.unwrap();
        n += 1;
    }
    n
}
