//! Reading PDFs back with poppler and qpdf, as a reader of the documents would.

use std::path::{Path, PathBuf};
use std::process::Command;

pub fn run(program: &str, args: &[&str]) -> String {
    let out = Command::new(program).args(args).output().unwrap_or_else(|e| panic!("{program} did not run: {e}"));
    assert!(
        out.status.success(),
        "{program} {args:?} failed: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

pub fn text_of(pdf: &Path) -> String {
    run("pdftotext", &["-layout", pdf.to_str().unwrap(), "-"])
}

pub fn pages_of(pdf: &Path) -> usize {
    let info = run("pdfinfo", &[pdf.to_str().unwrap()]);
    info.lines()
        .find_map(|l| l.strip_prefix("Pages:"))
        .and_then(|n| n.trim().parse().ok())
        .expect("pdfinfo gives the page count")
}

/// Renders the pages at 60 dpi into `target/pdf-preview/NAME-n.png`, for looking at.
pub fn preview(pdf: &Path, name: &str) {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/pdf-preview");
    std::fs::create_dir_all(&dir).unwrap();
    let prefix = dir.join(name);
    run("pdftoppm", &["-png", "-r", "60", pdf.to_str().unwrap(), prefix.to_str().unwrap()]);
}

/// `qpdf --check` clean, and every page of `text` (pdftotext's, pages split by form feeds)
/// marked OFFICIAL-SENSITIVE at top and bottom and numbered "Page n of N". Returns N.
pub fn check_marked_pages(pdf: &Path, text: &str) -> usize {
    let check = run("qpdf", &["--check", pdf.to_str().unwrap()]);
    assert!(check.contains("No syntax or stream encoding errors"), "{check}");
    let pages = pages_of(pdf);
    let page_texts: Vec<&str> = text.split('\u{c}').filter(|p| !p.trim().is_empty()).collect();
    assert_eq!(page_texts.len(), pages);
    for (n, page) in page_texts.iter().enumerate() {
        assert!(page.matches("OFFICIAL-SENSITIVE").count() >= 2, "page {} lacks its markings:\n{page}", n + 1);
        assert!(page.contains(&format!("Page {} of {pages}", n + 1)), "page {} lacks its number:\n{page}", n + 1);
    }
    assert!(text.matches("OFFICIAL-SENSITIVE").count() >= 2 * pages);
    pages
}
