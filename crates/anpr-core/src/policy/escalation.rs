//! Investigation categories and their escalation (NASPLE Annex B, 9.10.4).

use super::Refusal;
use anpr_types::{Category, EscalationFactors, Rank};

const CLAUSE: &str = "Annex B";

/// Offences of the Major category (Annex B).
pub const MAJOR: &[&str] = &[
    "Murder",
    "Attempted murder",
    "Manslaughter",
    "Infanticide",
    "Child destruction",
    "Kidnapping",
    "Terrorist related crimes",
];

/// National Security and Counter Terrorism work, which Annex C treats with Major.
pub const NATIONAL_SECURITY: &str = "National security";
pub const COUNTER_TERRORISM: &str = "Counter terrorism";

/// The designated Serious Investigation types (Annex B).
pub const SERIOUS: &[&str] = &[
    "Arson",
    "Abduction",
    "Aggravated burglary (dwelling and non-dwelling)",
    "Arson (high value or life endangered)",
    "Blackmail",
    "Drug trafficking",
    "Death by dangerous driving",
    "Female genital mutilation",
    "Fraud and associated offences (80 hours + investigation time)",
    "Gross indecency (child)",
    "Perverting justice",
    "Public order (racially motivated)",
    "Rape",
    "Robbery (firearms, or ABH or more serious injury caused)",
    "Sexual assault (children under 13)",
    "Threats to kill",
    "Vulnerable missing person",
    "Wounding (s18/20)",
    "Response to incidents of significant public interest, public safety or public security",
];

/// Examples of Priority and Volume work (Annex B), offered first in the offence picker.
pub const PRIORITY_VOLUME: &[&str] = &[
    "Street robbery",
    "Burglary",
    "Vehicle crime",
    "Anti-social behaviour",
    "Vehicle excise enforcement",
    "Road traffic offence",
    "Safeguarding",
    "Missing person",
];

/// The category an offence puts an investigation in: anything not on the Major or Serious
/// lists is Priority and Volume (Annex B). Names match without regard to case.
pub fn category_of(offence: &str) -> Category {
    let is = |list: &[&str]| list.iter().any(|o| o.eq_ignore_ascii_case(offence.trim()));
    if is(&[NATIONAL_SECURITY]) {
        Category::NationalSecurity
    } else if is(&[COUNTER_TERRORISM]) {
        Category::CounterTerrorism
    } else if is(MAJOR) {
        Category::Major
    } else if is(SERIOUS) {
        Category::Serious
    } else {
        Category::PriorityVolume
    }
}

/// Whether an investigation at `current` (having been escalated from `history`, oldest first)
/// may be escalated to `to` on the authority of `rank`, with these reasons and factors.
pub fn check(
    current: Category,
    history: &[Category],
    to: Category,
    rank: Rank,
    reasons: &str,
    factors: &EscalationFactors,
) -> Result<(), Refusal> {
    let needs_rank = match (current, to) {
        (Category::PriorityVolume, Category::Serious) => Rank::Inspector,
        (Category::Serious, Category::Major) => {
            if history.contains(&Category::PriorityVolume) {
                return Err(Refusal::new(
                    CLAUSE,
                    "an investigation escalated to Serious from Priority and Volume may not be escalated further to Major",
                    Some("a new Major investigation, where the facts justify one".into()),
                ));
            }
            Rank::Superintendent
        }
        _ => {
            return Err(Refusal::new(
                CLAUSE,
                format!("a {} investigation cannot be escalated to {}", current.label(), to.label()),
                Some("escalation one step at a time: Priority and Volume to Serious, or Serious to Major".into()),
            ));
        }
    };
    if rank < needs_rank {
        return Err(Refusal::new(
            CLAUSE,
            format!(
                "escalation from {} to {} needs the authority of an officer of at least {needs_rank} rank",
                current.label(),
                to.label()
            ),
            Some(format!("the escalation recorded by an account of {needs_rank} rank or above")),
        ));
    }
    let missing: Vec<&str> = [
        ("reasons", reasons),
        ("community factors", &factors.community),
        ("offence characteristics", &factors.offence),
        ("offender characteristics", &factors.offender),
    ]
    .into_iter()
    .filter(|(_, text)| text.trim().is_empty())
    .map(|(name, _)| name)
    .collect();
    if !missing.is_empty() {
        return Err(Refusal::new(
            "9.10.4, Annex B",
            format!(
                "an escalation must record its reasons and the escalation factors considered; missing: {}",
                missing.join(", ")
            ),
            Some("the reasons and the community, offence and offender factors considered".into()),
        ));
    }
    Ok(())
}
