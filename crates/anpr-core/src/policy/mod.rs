//! NASPLE as code. One file per rule family; every refusal names its clause and what would
//! make the action allowed, so the faces can show it as it is.

pub mod access;
pub mod accounts;
pub mod escalation;
pub mod evaluation;
pub mod password;
pub mod restricted;
pub mod retention;
pub mod roles;

use std::fmt;

/// A policy decision that says no: the clause relied on, why, and what would make it allowed.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Refusal {
    /// The NASPLE clause, e.g. `"Appendix A 7"` or `"Annex C"`.
    pub clause: String,
    /// Why the action is refused, in the user's words.
    pub reason: String,
    /// What would make it allowed, when anything would.
    pub needs: Option<String>,
}

impl Refusal {
    pub fn new(clause: impl Into<String>, reason: impl Into<String>, needs: Option<String>) -> Self {
        Self { clause: clause.into(), reason: reason.into(), needs }
    }
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (NASPLE {})", self.reason, self.clause)?;
        if let Some(needs) = &self.needs {
            write!(f, "; needs: {needs}")?;
        }
        Ok(())
    }
}
