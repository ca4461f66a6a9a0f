//! The map of the Analysis screen (docs/analysis.md): the cameras a user may see and the map's
//! background setting.

use serde::{Deserialize, Serialize};

/// A camera as the map shows it: only cameras whose reads the user may see (8.8).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MapCamera {
    pub camera_id: String,
    pub name: String,
    pub general_area: String,
    pub latitude: f64,
    pub longitude: f64,
    /// A Restricted Access camera the user is granted.
    pub restricted: bool,
}

/// How the map draws its background.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MapSettings {
    /// The force's tile server as a URL template with `{z}`, `{x}` and `{y}`; `None`: a plain
    /// background (no network). Tiles are fetched by the desktop shell, never by the page.
    pub tile_url: Option<String>,
}
