//! Arithmetic of the virtualised read table: which rows a scroll position shows, which pages of
//! reads they need, and which cached pages to drop. Pure, tested on the host.
//!
//! Browsers cap an element's height (WebKit near 33 million px), so above [`MAX_CONTENT_PX`] the
//! scrollable height is compressed and a scroll position maps proportionally onto the rows.

use std::ops::Range;

pub const ROW_HEIGHT: f64 = 40.0;
pub const PAGE_SIZE: u64 = 200;
/// Rows rendered above and below the visible ones, so fast scrolling shows no gaps.
pub const OVERSCAN: u64 = 6;
/// Pages kept in memory; the furthest from view are dropped beyond this.
pub const MAX_CACHED_PAGES: usize = 40;
pub const MAX_CONTENT_PX: f64 = 8_000_000.0;

/// The geometry of the table for `total` rows in a viewport `viewport_px` high.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Geometry {
    pub total: u64,
    pub viewport_px: f64,
}

impl Geometry {
    /// Height of all rows at full size.
    pub fn full_px(self) -> f64 {
        self.total as f64 * ROW_HEIGHT
    }

    /// Height of the scrollable content (compressed above [`MAX_CONTENT_PX`]).
    pub fn content_px(self) -> f64 {
        self.full_px().min(MAX_CONTENT_PX)
    }

    /// Full-size pixels per scrolled pixel (1 unless compressed).
    fn ratio(self) -> f64 {
        let full = self.full_px() - self.viewport_px;
        let content = self.content_px() - self.viewport_px;
        if full <= 0.0 || content <= 0.0 || self.full_px() <= MAX_CONTENT_PX { 1.0 } else { full / content }
    }

    /// Where in the full-size row space a scroll position looks.
    pub fn virtual_top(self, scroll_top: f64) -> f64 {
        scroll_top.max(0.0) * self.ratio()
    }

    /// Rows to render for a scroll position, overscan included, clamped to the rows there are.
    pub fn visible(self, scroll_top: f64) -> Range<u64> {
        if self.total == 0 {
            return 0..0;
        }
        let top = self.virtual_top(scroll_top);
        let first = (top / ROW_HEIGHT).floor() as u64;
        let last = ((top + self.viewport_px.max(ROW_HEIGHT)) / ROW_HEIGHT).ceil() as u64;
        let start = first.saturating_sub(OVERSCAN).min(self.total);
        let end = (last + OVERSCAN).min(self.total);
        start..end
    }

    /// Offset of row `index` from the top of the scrollable content.
    pub fn row_top(self, index: u64, scroll_top: f64) -> f64 {
        let full_top = index as f64 * ROW_HEIGHT;
        if self.ratio() == 1.0 { full_top } else { scroll_top + full_top - self.virtual_top(scroll_top) }
    }

    /// A scroll position that shows row `index` whole, moving as little as possible from `scroll_top`.
    pub fn scroll_to_show(self, index: u64, scroll_top: f64) -> f64 {
        let ratio = self.ratio();
        let top = self.virtual_top(scroll_top);
        let row_top = index as f64 * ROW_HEIGHT;
        let row_bottom = row_top + ROW_HEIGHT;
        let new_top = if row_top < top {
            row_top
        } else if row_bottom > top + self.viewport_px {
            row_bottom - self.viewport_px
        } else {
            return scroll_top;
        };
        (new_top / ratio).clamp(0.0, (self.content_px() - self.viewport_px).max(0.0))
    }
}

/// Pages (of [`PAGE_SIZE`] rows) holding the rows of `rows`.
pub fn pages_for(rows: &Range<u64>) -> Range<u64> {
    if rows.is_empty() {
        return 0..0;
    }
    rows.start / PAGE_SIZE..(rows.end - 1) / PAGE_SIZE + 1
}

/// Which of the `cached` pages to drop, keeping at most `max` and preferring those nearest `centre`.
pub fn pages_to_evict(cached: &[u64], centre: u64, max: usize) -> Vec<u64> {
    if cached.len() <= max {
        return Vec::new();
    }
    let mut by_distance: Vec<u64> = cached.to_vec();
    by_distance.sort_by_key(|p| (p.abs_diff(centre), *p));
    by_distance.split_off(max)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn top_of_the_table() {
        let g = Geometry { total: 100_000, viewport_px: 400.0 };
        assert_eq!(g.visible(0.0), 0..10 + OVERSCAN);
        assert_eq!(g.content_px(), 4_000_000.0);
    }

    #[test]
    fn middle_and_end_of_the_table() {
        let g = Geometry { total: 100_000, viewport_px: 400.0 };
        // Row 5000 at the top.
        assert_eq!(g.visible(200_000.0), 5000 - OVERSCAN..5010 + OVERSCAN);
        // Scrolled to the bottom: clamped to the last row.
        let bottom = g.content_px() - 400.0;
        let r = g.visible(bottom);
        assert_eq!(r.end, 100_000);
        assert_eq!(r.start, 100_000 - 10 - OVERSCAN);
    }

    #[test]
    fn short_and_empty_tables() {
        assert_eq!(Geometry { total: 0, viewport_px: 400.0 }.visible(0.0), 0..0);
        assert_eq!(Geometry { total: 3, viewport_px: 400.0 }.visible(0.0), 0..3);
        // Before the viewport is measured, at least one row shows.
        assert_eq!(Geometry { total: 50, viewport_px: 0.0 }.visible(0.0), 0..1 + OVERSCAN);
    }

    #[test]
    fn huge_tables_are_compressed_and_reach_the_last_row() {
        let g = Geometry { total: 10_000_000, viewport_px: 400.0 };
        assert_eq!(g.content_px(), MAX_CONTENT_PX);
        let bottom = g.content_px() - 400.0;
        assert_eq!(g.visible(bottom).end, 10_000_000);
        // The last row sits at the bottom of the viewport.
        let last_top = g.row_top(9_999_999, bottom);
        assert!((last_top + ROW_HEIGHT - (bottom + 400.0)).abs() < 1.0, "{last_top}");
        // Halfway down shows rows near the middle.
        let mid = g.visible(bottom / 2.0);
        assert!(mid.start > 4_990_000 && mid.start < 5_010_000, "{mid:?}");
    }

    #[test]
    fn scrolling_to_a_row_moves_as_little_as_needed() {
        let g = Geometry { total: 1000, viewport_px: 400.0 };
        assert_eq!(g.scroll_to_show(3, 0.0), 0.0);
        assert_eq!(g.scroll_to_show(10, 0.0), 11.0 * ROW_HEIGHT - 400.0);
        assert_eq!(g.scroll_to_show(2, 400.0), 80.0);
        assert_eq!(g.scroll_to_show(999, 0.0), 1000.0 * ROW_HEIGHT - 400.0);
        let huge = Geometry { total: 10_000_000, viewport_px: 400.0 };
        let s = huge.scroll_to_show(5_000_000, 0.0);
        assert!(huge.visible(s).contains(&5_000_000));
    }

    #[test]
    fn pages_cover_rows() {
        assert_eq!(pages_for(&(0..0)), 0..0);
        assert_eq!(pages_for(&(0..16)), 0..1);
        assert_eq!(pages_for(&(190..215)), 0..2);
        assert_eq!(pages_for(&(200..400)), 1..2);
    }

    #[test]
    fn eviction_drops_the_furthest_pages() {
        assert!(pages_to_evict(&[1, 2, 3], 2, 5).is_empty());
        let mut dropped = pages_to_evict(&[0, 1, 2, 3, 10, 11], 2, 3);
        dropped.sort();
        assert_eq!(dropped, vec![0, 10, 11]);
    }
}
