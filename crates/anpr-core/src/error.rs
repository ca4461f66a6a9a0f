//! One error type for the core. Policy refusals carry their NASPLE clause; the faces turn
//! [`Error::code`] into the boundary type the UI switches on, and into CLI exit codes.

use crate::policy::Refusal;

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Policy says no: clause, reason and what would make it allowed.
    #[error("refused: {0}")]
    Refused(Refusal),

    #[error("{0}")]
    Authentication(#[from] AuthFailure),

    /// The bundle as a whole is refused and nothing of it was imported (bundle-format.md).
    #[error("bundle refused: {reason}")]
    BundleRefused { reason: String, files: Vec<String> },

    #[error("not found: {0}")]
    NotFound(String),

    #[error("invalid input: {0}")]
    Invalid(String),

    #[error("the audit trail is broken at entry {seq}: {reason}")]
    AuditBroken { seq: i64, reason: String },

    #[error("cancelled")]
    Cancelled,

    /// The store is encrypted and this way of opening it has no key (log in instead).
    #[error("the store in {0} is encrypted: it opens only with an account's password or the recovery key")]
    StoreLocked(String),

    #[error("keyring: {0}")]
    Keyring(String),

    #[error("database: {0}")]
    Database(#[from] sqlx::Error),

    #[error("database migration: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),

    #[error("{context}: {source}")]
    Io { context: String, source: std::io::Error },

    #[error("demo data: {0}")]
    Demo(#[from] crate::demo::DemoError),

    #[error("{0}")]
    Video(#[from] crate::video::VideoError),
}

/// Why a login or password change did not authenticate (App. A 12, 13; 9.3.2).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AuthFailure {
    #[error("unknown user name or wrong password")]
    UnknownUser,
    #[error("wrong password: {remaining} attempt(s) left before the account locks (NASPLE Appendix A 12)")]
    WrongPassword { remaining: u32 },
    #[error("the account is locked after 5 failed logins; an administrator must unlock it (NASPLE Appendix A 12)")]
    Locked,
    #[error("the account is suspended ({reason}); an administrator must reactivate it (NASPLE 9.3.2)")]
    Suspended { reason: String },
    #[error("the password must be changed before use: {reason}")]
    PasswordChangeRequired { reason: String },
}

impl Error {
    pub fn io(context: impl Into<String>, source: std::io::Error) -> Self {
        Error::Io { context: context.into(), source }
    }

    pub fn refused(clause: &str, reason: impl Into<String>, needs: impl Into<String>) -> Self {
        Error::Refused(Refusal::new(clause, reason, Some(needs.into())))
    }

    /// A stable code for the UI and scripts to switch on.
    pub fn code(&self) -> &'static str {
        match self {
            Error::Refused(_) => "refused",
            Error::Authentication(AuthFailure::PasswordChangeRequired { .. }) => "password_change_required",
            Error::Authentication(AuthFailure::Locked) => "account_locked",
            Error::Authentication(AuthFailure::Suspended { .. }) => "account_suspended",
            Error::Authentication(_) => "authentication_failed",
            Error::BundleRefused { .. } => "bundle_refused",
            Error::NotFound(_) => "not_found",
            Error::Invalid(_) => "invalid",
            Error::AuditBroken { .. } => "audit_broken",
            Error::Cancelled => "cancelled",
            Error::StoreLocked(_) => "store_locked",
            Error::Keyring(_) => "keyring",
            Error::Database(_) | Error::Migrate(_) => "database",
            Error::Io { .. } => "io",
            Error::Demo(_) => "demo",
            Error::Video(e) => e.code(),
        }
    }
}

impl From<&Error> for anpr_types::ApiError {
    fn from(e: &Error) -> Self {
        let (clause, needs) = match e {
            Error::Refused(r) => (Some(r.clause.clone()), r.needs.clone()),
            _ => (None, None),
        };
        let remaining_attempts = match e {
            Error::Authentication(AuthFailure::WrongPassword { remaining }) => Some(*remaining),
            _ => None,
        };
        let files = match e {
            Error::BundleRefused { files, .. } => files.clone(),
            _ => Vec::new(),
        };
        // A refusal's message is its reason: the UI shows the clause and needs beside it.
        let message = match e {
            Error::Refused(r) => format!("Refused: {}", r.reason),
            _ => e.to_string(),
        };
        anpr_types::ApiError { code: e.code().to_owned(), message, clause, needs, remaining_attempts, files }
    }
}
