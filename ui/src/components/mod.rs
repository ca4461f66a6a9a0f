//! Small pieces shared by the pages.

pub mod field;
pub mod marking;
pub mod problem;
