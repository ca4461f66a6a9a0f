//! Role-based access, least privilege (NASPLE 9.3.6.2). What each role may do lives here and
//! only here; an administrator account can never touch ANPR data (9.3.2).

use super::Refusal;
use anpr_types::Role;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Privilege {
    /// Search and view reads and images.
    Search,
    /// Data capture onto this workstation (import of read bundles).
    Import,
    /// Export data from the workstation (8.11.3).
    Export,
    /// Produce evidence and record disclosures (9.4).
    Disclose,
    /// Camera performance evaluations (8.14).
    Evaluate,
    /// Accounts, cameras and grants.
    Administer,
    /// Read and export the audit trail (8.11.4).
    Audit,
}

impl Privilege {
    fn describe(self) -> &'static str {
        match self {
            Privilege::Search => "search ANPR data",
            Privilege::Import => "import read bundles",
            Privilege::Export => "export data",
            Privilege::Disclose => "produce evidence or record disclosures",
            Privilege::Evaluate => "carry out camera evaluations",
            Privilege::Administer => "administer accounts",
            Privilege::Audit => "read the audit trail",
        }
    }

    /// The roles that hold this privilege.
    pub fn roles(self) -> &'static [Role] {
        use Role::*;
        match self {
            Privilege::Search => &[Investigator, EvidenceOfficer],
            Privilege::Import => &[Investigator, EvidenceOfficer, Engineer],
            Privilege::Export | Privilege::Disclose => &[EvidenceOfficer],
            Privilege::Evaluate => &[Engineer],
            Privilege::Administer => &[Administrator],
            Privilege::Audit => &[Auditor],
        }
    }

    fn clause(self, role: Role) -> &'static str {
        match (self, role) {
            (Privilege::Search | Privilege::Import, Role::Administrator) => "9.3.2",
            (Privilege::Export, _) => "8.11.3",
            (Privilege::Audit, _) => "8.11.4",
            _ => "9.3.6.2",
        }
    }
}

pub fn allows(role: Role, privilege: Privilege) -> bool {
    privilege.roles().contains(&role)
}

/// `Ok` when `role` holds `privilege`; otherwise a refusal naming the clause and the roles that do.
pub fn require(role: Role, privilege: Privilege) -> Result<(), Refusal> {
    if allows(role, privilege) {
        return Ok(());
    }
    let holders: Vec<&str> = privilege.roles().iter().map(|r| r.as_str()).collect();
    let reason = if privilege.clause(role) == "9.3.2" {
        format!(
            "an administrator account may not {}: administration and data use need separate accounts",
            privilege.describe()
        )
    } else {
        format!("the {role} role may not {}", privilege.describe())
    };
    Err(Refusal::new(
        privilege.clause(role),
        reason,
        Some(format!("log in with an account holding the role {}", holders.join(" or "))),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn administrators_never_search_9_3_2() {
        let refusal = require(Role::Administrator, Privilege::Search).unwrap_err();
        assert_eq!(refusal.clause, "9.3.2");
        assert!(refusal.needs.unwrap().contains("investigator"));
    }

    #[test]
    fn only_auditors_read_the_trail_8_11_4() {
        for role in Role::ALL {
            assert_eq!(require(*role, Privilege::Audit).is_ok(), *role == Role::Auditor, "{role}");
        }
        assert_eq!(require(Role::Investigator, Privilege::Audit).unwrap_err().clause, "8.11.4");
    }

    #[test]
    fn export_needs_the_export_privilege_8_11_3() {
        assert_eq!(require(Role::Investigator, Privilege::Export).unwrap_err().clause, "8.11.3");
        assert!(require(Role::EvidenceOfficer, Privilege::Export).is_ok());
    }
}
