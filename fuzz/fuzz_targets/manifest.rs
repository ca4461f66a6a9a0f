//! A bundle's manifest.json: the input is the manifest, in a bundle folder that also holds a
//! valid reads.csv, cameras.csv and an image, checked as an import checks it before any row.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::path::Path;
use std::sync::LazyLock;

static BUNDLE: LazyLock<tempfile::TempDir> = LazyLock::new(|| {
    let dir = tempfile::tempdir().expect("temporary folder");
    let write = |name: &str, bytes: &[u8]| {
        let path = dir.path().join(name);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("folder");
        std::fs::write(path, bytes).expect("write");
    };
    write(
        "reads.csv",
        b"read_id,vrm,read_time,camera_id,plate_image\nR1,AB12CDE,2026-01-01T00:00:00Z,C1,images/p1.jpg\n",
    );
    write(
        "cameras.csv",
        b"camera_id,name,system_type,latitude,longitude,general_area,controller\nC1,A,static,51,0,X,Y\n",
    );
    write("images/p1.jpg", b"\xFF\xD8\xFF\xE0not really a jpeg");
    dir
});

fuzz_target!(|data: &[u8]| {
    let dir: &Path = BUNDLE.path();
    std::fs::write(dir.join("manifest.json"), data).expect("write manifest");
    let _ = anpr_core::import::check_bundle(dir);
});
