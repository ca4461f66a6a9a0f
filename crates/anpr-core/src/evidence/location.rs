//! Describing a camera's location in evidence (NASPLE 9.4.3, 9.4.3.3): at the chosen level,
//! which above level 1 needs the controller's recorded consent, except for mobile cameras.

use crate::policy::Refusal;
use crate::store::cameras::CameraRecord;
use crate::store::evidence::ConsentRow;
use anpr_types::{LocationLevel, SystemType};
use std::str::FromStr;

/// The location text and the consent relied on, or the refusal naming 9.4.3.
pub fn describe(
    camera: &CameraRecord,
    level: LocationLevel,
    consents: &[ConsentRow],
    consent_ref: Option<&str>,
) -> Result<(String, Option<String>), Refusal> {
    let mobile = camera.system_type == SystemType::Mobile.as_str();
    let consent = if level == LocationLevel::Area || mobile {
        None
    } else {
        let allows = |k: &&ConsentRow| {
            LocationLevel::from_str(&k.max_level).is_ok_and(|max| max >= level)
                && consent_ref.is_none_or(|r| k.reference == r)
        };
        let Some(k) = consents.iter().find(allows) else {
            let which = consent_ref.map(|r| format!(" under consent {r}")).unwrap_or_default();
            return Err(Refusal::new(
                "9.4.3, 9.4.3.3",
                format!(
                    "camera {}'s location may not be described by {} (level {}){which}: its controller ({}) has not consented",
                    camera.camera_id,
                    level.label(),
                    level.number(),
                    camera.controller
                ),
                Some(format!(
                    "a recorded written consent of the controller for level {} or above for this camera, or the general area (level 1)",
                    level.number()
                )),
            ));
        };
        Some(format!("consent {} of {} (controller), given by {}", k.reference, k.controller, k.consented_by))
    };
    let area = &camera.general_area;
    let text = match level {
        LocationLevel::Area => area.clone(),
        LocationLevel::Postcode => match &camera.postcode {
            Some(p) if !p.trim().is_empty() => format!("{p}, {area}"),
            _ => format!("{area} (no postcode recorded)"),
        },
        LocationLevel::Road => match &camera.road {
            Some(r) if !r.trim().is_empty() => format!("{r}, {area}"),
            _ => format!("{area} (no road recorded)"),
        },
        LocationLevel::Precise => {
            format!("{:.6}, {:.6}: {} ({}), {area}", camera.latitude, camera.longitude, camera.name, camera.camera_id)
        }
    };
    let text =
        if mobile && level != LocationLevel::Area { format!("{text} [mobile ANPR: exempt, 9.4.3]") } else { text };
    Ok((text, consent))
}
