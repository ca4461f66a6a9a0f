//! What an evidential bundle and its schedule of sensitive material say, already decided:
//! locations are described at the level the controller allows (9.4.3.3), times are formatted,
//! images are the original bytes. The PDF writers lay these out and decide nothing.

/// An image as shown in the bundle: a reproduction of the original shipped beside it.
#[derive(Debug, Clone)]
pub struct Picture {
    /// The original file's bytes (JPEG or PNG), byte-identical to the store.
    pub bytes: Vec<u8>,
    /// File name under `originals/`.
    pub file: String,
    pub sha256: String,
    pub width: u32,
    pub height: u32,
}

/// One exhibit: a read at its disclosed location level.
#[derive(Debug, Clone)]
pub struct Exhibit {
    /// `INITIALS/n`.
    pub reference: String,
    pub vrm: String,
    /// UK local time (7.4.3), e.g. `24/11/2026 06:59:12 GMT`, and UTC.
    pub time_uk: String,
    pub time_utc: String,
    /// The camera described at its level, e.g. "Kestlebridge" (level 1) or a road name; never
    /// the camera's identifier unless at level 4 with consent, or mobile.
    pub location: String,
    /// "general area", "postcode", "road", "precise location".
    pub location_level: String,
    /// The consent relied on for a level above 1, e.g. "consent CON-0003 of Northshire Roads (controller), 01/11/2026".
    pub consent: Option<String>,
    pub direction: Option<String>,
    pub lane: Option<i64>,
    pub plate: Option<Picture>,
    /// `None`: the bundle says "no overview image recorded" (7.4.5).
    pub overview: Option<Picture>,
    /// Continuity: "imported from bundle <path> (SHA-256 <hash>) by <user> on <time>".
    pub continuity: String,
}

/// The search that found the exhibits (scope statement).
#[derive(Debug, Clone)]
pub struct Scope {
    pub pattern: String,
    pub period: String,
    pub cameras: String,
    pub purpose: String,
    pub authority: String,
}

/// The evidential bundle (`bundle.pdf`).
#[derive(Debug, Clone)]
pub struct Bundle {
    /// e.g. "NS-MAJ-0003 (Major)".
    pub investigation: String,
    pub bundle_number: String,
    /// Producer: name, role, and authorisation to give ANPR evidence (9.4.2).
    pub producer: String,
    pub producer_authorisation: String,
    pub recipient: String,
    pub reason: String,
    pub generated_uk: String,
    pub generated_utc: String,
    /// "ANPR Workstation 0.1.0".
    pub software: String,
    pub scope: Vec<Scope>,
    pub exhibits: Vec<Exhibit>,
}

/// One camera on the schedule of sensitive material (9.4.1): identity and precise location.
#[derive(Debug, Clone)]
pub struct SensitiveCamera {
    pub camera_id: String,
    pub name: String,
    pub system_type: String,
    pub latitude: f64,
    pub longitude: f64,
    pub road: String,
    pub postcode: String,
    pub general_area: String,
    pub controller: String,
    /// Exhibits whose reads came from this camera.
    pub exhibits: Vec<String>,
    pub reason: String,
}

/// The schedule of sensitive material (`sensitive-schedule.pdf`), for the prosecutor only.
#[derive(Debug, Clone)]
pub struct Schedule {
    pub investigation: String,
    pub bundle_number: String,
    pub producer: String,
    pub generated_uk: String,
    pub software: String,
    pub cameras: Vec<SensitiveCamera>,
    /// Methodology and tactics notes, each with why it is sensitive.
    pub notes: Vec<(String, String)>,
}
