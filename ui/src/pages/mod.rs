//! One module per screen.

pub mod home;
pub mod import;
pub mod login;
pub mod reads;
pub mod users;
