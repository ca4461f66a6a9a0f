//! The import errors table: sorting by a column and the tab-separated text "Copy errors" puts on
//! the clipboard. Pure, tested on the host.

use anpr_types::ImportIssue;
use std::cmp::Ordering;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Column {
    File,
    Line,
    Reason,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SortOrder {
    pub column: Column,
    pub ascending: bool,
}

impl Default for SortOrder {
    fn default() -> Self {
        SortOrder { column: Column::File, ascending: true }
    }
}

impl SortOrder {
    /// The order after clicking `column`'s header: the same column flips, another starts ascending.
    pub fn clicked(self, column: Column) -> SortOrder {
        if self.column == column {
            SortOrder { column, ascending: !self.ascending }
        } else {
            SortOrder { column, ascending: true }
        }
    }

    /// `aria-sort` of a header.
    pub fn aria(self, column: Column) -> &'static str {
        match (self.column == column, self.ascending) {
            (false, _) => "none",
            (true, true) => "ascending",
            (true, false) => "descending",
        }
    }
}

/// Sorted by the chosen column, ties broken by file then line (stable and predictable).
pub fn sorted(issues: &[ImportIssue], order: SortOrder) -> Vec<ImportIssue> {
    let mut out = issues.to_vec();
    out.sort_by(|a, b| {
        let primary = match order.column {
            Column::File => a.file.cmp(&b.file),
            Column::Line => a.line.cmp(&b.line),
            Column::Reason => a.reason.cmp(&b.reason),
        };
        let primary = if order.ascending { primary } else { primary.reverse() };
        primary.then_with(|| a.file.cmp(&b.file)).then_with(|| a.line.cmp(&b.line)).then(Ordering::Equal)
    });
    out
}

/// A header line and one line per issue, tab-separated; tabs and newlines inside fields become spaces.
pub fn as_tsv(issues: &[ImportIssue]) -> String {
    fn clean(s: &str) -> String {
        s.replace(['\t', '\n', '\r'], " ")
    }
    let mut out = String::from("file\tline\treason\n");
    for i in issues {
        out.push_str(&format!("{}\t{}\t{}\n", clean(&i.file), i.line, clean(&i.reason)));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn issue(file: &str, line: u64, reason: &str) -> ImportIssue {
        ImportIssue { file: file.into(), line, reason: reason.into() }
    }

    fn sample() -> Vec<ImportIssue> {
        vec![
            issue("reads.csv", 12, "bad time"),
            issue("images/a.jpg", 0, "not a JPEG"),
            issue("reads.csv", 3, "empty VRM"),
        ]
    }

    #[test]
    fn sorts_by_each_column_both_ways() {
        let by_file = sorted(&sample(), SortOrder::default());
        assert_eq!(by_file.iter().map(|i| i.line).collect::<Vec<_>>(), vec![0, 3, 12]);
        let line_desc = sorted(&sample(), SortOrder { column: Column::Line, ascending: false });
        assert_eq!(line_desc.iter().map(|i| i.line).collect::<Vec<_>>(), vec![12, 3, 0]);
        let reason = sorted(&sample(), SortOrder { column: Column::Reason, ascending: true });
        assert_eq!(reason[0].reason, "bad time");
        assert_eq!(reason[2].reason, "not a JPEG");
    }

    #[test]
    fn clicking_headers_toggles_direction() {
        let o = SortOrder::default().clicked(Column::File);
        assert!(!o.ascending);
        let o = o.clicked(Column::Line);
        assert_eq!(o, SortOrder { column: Column::Line, ascending: true });
        assert_eq!(o.aria(Column::Line), "ascending");
        assert_eq!(o.aria(Column::File), "none");
    }

    #[test]
    fn tsv_has_a_header_and_clean_fields() {
        let text = as_tsv(&[issue("a\tb.csv", 2, "two\nlines")]);
        assert_eq!(text, "file\tline\treason\na b.csv\t2\ttwo lines\n");
    }
}
