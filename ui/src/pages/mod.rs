//! One module per screen.

pub mod add_exhibit;
pub mod analysis;
pub mod annotate;
pub mod assist;
pub mod authorisations;
pub mod cameras;
pub mod consents;
pub mod disclosures;
pub mod evaluations;
pub mod evidence;
pub mod home;
pub mod import;
pub mod investigations;
pub mod login;
pub mod page_preview;
pub mod reads;
pub mod retention;
pub mod search;
pub mod users;
