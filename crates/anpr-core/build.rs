// Rebuild when a migration changes: `sqlx::migrate!` embeds them at compile time and would
// otherwise silently leave a new one out of the build.
fn main() {
    println!("cargo:rerun-if-changed=../../migrations");
}
