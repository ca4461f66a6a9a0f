//! Small pieces shared by the pages.

pub mod export;
pub mod field;
pub mod investigations;
pub mod map;
pub mod marking;
pub mod outcome;
pub mod problem;
pub mod read_cells;
pub mod read_detail;
pub mod recovery;
pub mod scope;
pub mod table;
