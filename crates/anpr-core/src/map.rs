//! The map of the Analysis screen: the cameras this user may see, with their positions, and the
//! force tile server an administrator may set. Restricted Access cameras (8.8) reach the map
//! only of users granted them, as their reads reach only those users' results.

use crate::audit::Outcome;
use crate::error::{Error, Result};
use crate::policy::roles::Privilege;
use crate::session::Session;
use crate::store::{self, cameras as sql, settings};
use anpr_types::{MapCamera, MapSettings};
use serde_json::json;

/// The settings key of the tile server's URL template.
const TILE_URL_KEY: &str = "map.tile_url";
/// Deepest zoom a tile is asked for (street level is 18-19).
pub const MAX_TILE_ZOOM: u8 = 22;
/// Largest tile accepted from a tile server (a 256 px PNG is typically 5-50 KiB).
pub const MAX_TILE_BYTES: usize = 1024 * 1024;

/// Checks a tile server's URL template: http(s), with `{z}`, `{x}` and `{y}`, nothing that
/// could make it another kind of request.
pub fn check_tile_template(template: &str) -> Result<()> {
    let invalid = |why: &str| Err(Error::Invalid(format!("tile server URL template: {why}")));
    if !(template.starts_with("https://") || template.starts_with("http://")) {
        return invalid("it must start with https:// or http://");
    }
    if template.len() > 500 || template.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return invalid("it must be one line of at most 500 characters, without spaces");
    }
    if ["{z}", "{x}", "{y}"].iter().any(|p| !template.contains(p)) {
        return invalid("it must contain {z}, {x} and {y}");
    }
    Ok(())
}

/// The URL of tile (`z`, `x`, `y`) on the server of `template`, if such a tile exists.
pub fn tile_address(template: &str, z: u8, x: u32, y: u32) -> Option<String> {
    let side = 1u64 << z.min(MAX_TILE_ZOOM);
    (z <= MAX_TILE_ZOOM && u64::from(x) < side && u64::from(y) < side)
        .then(|| template.replace("{z}", &z.to_string()).replace("{x}", &x.to_string()).replace("{y}", &y.to_string()))
}

/// Checks a tile fetched from the tile server before it reaches the page: at most
/// [`MAX_TILE_BYTES`], and a PNG or JPEG that decodes within the importer's limits. Returns
/// its MIME type.
pub fn check_tile(bytes: &[u8]) -> Result<&'static str> {
    if bytes.len() > MAX_TILE_BYTES {
        return Err(Error::Invalid(format!("tile larger than {MAX_TILE_BYTES} bytes")));
    }
    let (_, kind) = crate::import::images::decode(bytes).map_err(|e| Error::Invalid(format!("tile: {e}")))?;
    Ok(if kind == "jpeg" { "image/jpeg" } else { "image/png" })
}

impl Session {
    /// The cameras whose reads this user may see, with their positions, for the map; audited.
    pub async fn map_cameras(&self) -> Result<Vec<MapCamera>> {
        self.authorise(Privilege::Search, "cameras.map", "cameras").await?;
        let mut conn = self.workstation().pool().acquire().await?;
        let visibility = self.visibility(&mut conn).await?;
        let cameras: Vec<MapCamera> = sql::records(&mut conn)
            .await?
            .into_iter()
            .filter(|c| visibility.sees(c.id, c.restricted))
            .map(|c| MapCamera {
                camera_id: c.camera_id,
                name: c.name,
                general_area: c.general_area,
                latitude: c.latitude,
                longitude: c.longitude,
                restricted: c.restricted,
            })
            .collect();
        drop(conn);
        let mut tx = store::begin_write(self.workstation().pool()).await?;
        let restricted = cameras.iter().filter(|c| c.restricted).count();
        let details = json!({ "cameras": cameras.len(), "restricted": restricted });
        self.audit(&mut tx, "cameras.map", "cameras", Outcome::Success, details).await?;
        tx.commit().await?;
        Ok(cameras)
    }

    /// How the map draws its background (any logged-in user: it names no data).
    pub async fn map_settings(&self) -> Result<MapSettings> {
        let mut conn = self.workstation().pool().acquire().await?;
        Ok(MapSettings { tile_url: settings::get(&mut conn, TILE_URL_KEY).await?.filter(|t| !t.is_empty()) })
    }

    /// Sets (or with `None` or blank, clears) the force tile server; administrators, audited.
    pub async fn set_tile_server(&self, template: Option<&str>) -> Result<MapSettings> {
        let template = template.map(str::trim).filter(|t| !t.is_empty());
        self.authorise(Privilege::Administer, "settings.tile_server", "map").await?;
        if let Some(t) = template {
            check_tile_template(t)?;
        }
        let mut tx = store::begin_write(self.workstation().pool()).await?;
        settings::set(&mut tx, TILE_URL_KEY, template.unwrap_or_default()).await?;
        self.audit(&mut tx, "settings.tile_server", "map", Outcome::Success, json!({ "tile_url": template })).await?;
        tx.commit().await?;
        Ok(MapSettings { tile_url: template.map(str::to_owned) })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tile_templates_need_http_and_the_three_placeholders() {
        assert!(check_tile_template("https://tiles.force.example/{z}/{x}/{y}.png").is_ok());
        assert!(check_tile_template("http://10.0.0.5:8080/osm/{z}/{x}/{y}.png").is_ok());
        for bad in [
            "file:///etc/{z}/{x}/{y}",
            "https://tiles.example/{z}/{x}.png",
            "https://tiles.example/{z}/{x}/{y} .png",
            "ftp://tiles.example/{z}/{x}/{y}",
        ] {
            assert!(matches!(check_tile_template(bad), Err(Error::Invalid(_))), "{bad}");
        }
    }

    #[test]
    fn tile_addresses_exist_only_on_the_zoom_levels_grid() {
        let t = "https://t.example/{z}/{x}/{y}.png";
        assert_eq!(tile_address(t, 3, 7, 2).as_deref(), Some("https://t.example/3/7/2.png"));
        assert_eq!(tile_address(t, 0, 0, 0).as_deref(), Some("https://t.example/0/0/0.png"));
        assert_eq!(tile_address(t, 3, 8, 0), None);
        assert_eq!(tile_address(t, 23, 0, 0), None);
    }
}
