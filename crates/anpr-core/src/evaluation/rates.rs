//! Rates with their 95% Wilson score intervals, and the character confusions of a misread.

/// The two-sided 95% normal quantile (the 97.5th percentile of the standard normal).
const Z95: f64 = 1.959_963_984_540_054;

/// `hits / total`, `None` when there is nothing to divide by.
pub fn rate(hits: u64, total: u64) -> Option<f64> {
    (total > 0).then(|| hits as f64 / total as f64)
}

/// The 95% Wilson score interval of `hits / total`: unlike the normal approximation it stays
/// inside [0, 1] and behaves near 100%, where camera rates live.
pub fn wilson(hits: u64, total: u64) -> Option<[f64; 2]> {
    let p = rate(hits, total)?;
    let n = total as f64;
    let z2 = Z95 * Z95;
    let denominator = 1.0 + z2 / n;
    let centre = (p + z2 / (2.0 * n)) / denominator;
    let half = Z95 / denominator * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt();
    Some([(centre - half).max(0.0), (centre + half).min(1.0)])
}

/// Rates and bounds as reported: 4 decimal places.
pub fn round4(x: f64) -> f64 {
    (x * 10_000.0).round() / 10_000.0
}

/// The confusions turning `truth` into `read` along a minimum edit alignment: `D->0` a
/// substitution, `D->` a character dropped, `->D` one added. Same-length VRMs align position
/// by position whenever that is as cheap as anything else, which is what readers of plates expect.
pub fn confusions(truth: &str, read: &str) -> Vec<String> {
    let t: Vec<char> = truth.chars().collect();
    let r: Vec<char> = read.chars().collect();
    // cost[i][j]: edits turning t[i..] into r[j..].
    let mut cost = vec![vec![0usize; r.len() + 1]; t.len() + 1];
    for i in (0..=t.len()).rev() {
        for j in (0..=r.len()).rev() {
            cost[i][j] = if i == t.len() {
                r.len() - j
            } else if j == r.len() {
                t.len() - i
            } else {
                let substitute = cost[i + 1][j + 1] + usize::from(t[i] != r[j]);
                substitute.min(cost[i + 1][j] + 1).min(cost[i][j + 1] + 1)
            };
        }
    }
    let (mut i, mut j) = (0, 0);
    let mut out = Vec::new();
    while i < t.len() || j < r.len() {
        if i < t.len() && j < r.len() && cost[i][j] == cost[i + 1][j + 1] + usize::from(t[i] != r[j]) {
            if t[i] != r[j] {
                out.push(format!("{}->{}", t[i], r[j]));
            }
            (i, j) = (i + 1, j + 1);
        } else if i < t.len() && cost[i][j] == cost[i + 1][j] + 1 {
            out.push(format!("{}->", t[i]));
            i += 1;
        } else {
            out.push(format!("->{}", r[j]));
            j += 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn confusions_of_substitutions_drops_and_additions() {
        assert_eq!(confusions("AB12CDE", "AB12C0E"), ["D->0"]);
        assert_eq!(confusions("AB12CDE", "AB12CE"), ["D->"]);
        assert_eq!(confusions("AB12CDE", "AB112CDE"), ["->1"]);
        assert_eq!(confusions("OI", "01"), ["O->0", "I->1"]);
        assert!(confusions("AB12CDE", "AB12CDE").is_empty());
    }

    #[test]
    fn wilson_is_none_without_a_sample() {
        assert_eq!(wilson(0, 0), None);
        assert_eq!(wilson(5, 5).map(|ci| ci[1]), Some(1.0));
    }
}
