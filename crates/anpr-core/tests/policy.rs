//! NASPLE policy as the standard states it: Annex C access by purpose and age of data (with 9.5.1
//! retention), Annex B categories and escalation (with 9.10.4). Every expectation here is written
//! from the standard's own text (NASPLE v2.4 Annex B/C, rules.md sections 3 and 4), never by asking
//! the code under test a second way.
#![allow(clippy::unwrap_used)]

use anpr_core::policy::Refusal;
use anpr_core::policy::access::{AccessRequest, WrittenAuthority, authorise, authority_rank, default_days};
use anpr_core::policy::escalation::{self, COUNTER_TERRORISM, NATIONAL_SECURITY, category_of, check};
use anpr_core::types::{Category, EscalationFactors, ExtensionReason, Purpose, Rank};
use chrono::{DateTime, Duration, TimeZone, Utc};

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 24, 12, 0, 0).unwrap()
}

fn request(purpose: Purpose, category: Category, age: Duration) -> AccessRequest {
    AccessRequest {
        purpose,
        category,
        from: now() - age,
        to: now(),
        authority: None,
        written_request: false,
        cpia_retained: false,
    }
}

fn auth(rank: Rank, reason: Option<ExtensionReason>) -> Option<WrittenAuthority> {
    Some(WrittenAuthority { rank, reason })
}

/// A refusal must name its clause and say what would make the search allowed.
fn assert_refusal(r: &Refusal, clause: &str, needs: &str, cell: &str) {
    assert!(r.clause.contains(clause), "{cell}: clause {:?} should contain {clause:?}", r.clause);
    let n = r.needs.as_deref().unwrap_or_default();
    assert!(!n.trim().is_empty(), "{cell}: refusal without needs: {r}");
    assert!(n.to_lowercase().contains(&needs.to_lowercase()), "{cell}: needs {n:?} should mention {needs:?}");
}

// ---------------------------------------------------------------------------------------------
// Annex C as a table (with 9.5.1 for data older than 12 months)
// ---------------------------------------------------------------------------------------------

/// One authority column of the table, with what the standard cares about spelled out by hand.
struct AuthorityCase {
    name: &'static str,
    value: Option<WrittenAuthority>,
    /// "written authority of an Inspector or equivalent" (Annex C, P&V over 90 days): a
    /// Superintendent is above an Inspector, so counts.
    inspector_or_above: bool,
    /// "written authority of a superintendent or equivalent" (Annex C, Code of Ethics).
    superintendent_or_above: bool,
    /// One of the Annex C reasons (a), (b), (c).
    has_reason: bool,
}

const fn a(
    name: &'static str,
    value: Option<WrittenAuthority>,
    inspector_or_above: bool,
    superintendent_or_above: bool,
    has_reason: bool,
) -> AuthorityCase {
    AuthorityCase { name, value, inspector_or_above, superintendent_or_above, has_reason }
}

const AUTHORITIES: &[AuthorityCase] = &[
    a("none", None, false, false, false),
    a("unranked+a", Some(WrittenAuthority { rank: Rank::None, reason: Some(ExtensionReason::A) }), false, false, true),
    a(
        "inspector+a",
        Some(WrittenAuthority { rank: Rank::Inspector, reason: Some(ExtensionReason::A) }),
        true,
        false,
        true,
    ),
    a(
        "inspector+b",
        Some(WrittenAuthority { rank: Rank::Inspector, reason: Some(ExtensionReason::B) }),
        true,
        false,
        true,
    ),
    a(
        "inspector+c",
        Some(WrittenAuthority { rank: Rank::Inspector, reason: Some(ExtensionReason::C) }),
        true,
        false,
        true,
    ),
    a("inspector", Some(WrittenAuthority { rank: Rank::Inspector, reason: None }), true, false, false),
    a(
        "supt+c",
        Some(WrittenAuthority { rank: Rank::Superintendent, reason: Some(ExtensionReason::C) }),
        true,
        true,
        true,
    ),
    a("supt", Some(WrittenAuthority { rank: Rank::Superintendent, reason: None }), true, true, false),
];

/// Age of the oldest data asked for (now - from).
const AGES: &[(&str, Duration)] = &[
    ("30min", Duration::minutes(30)),
    ("30d", Duration::days(30)),
    ("90d", Duration::days(90)),
    ("91d", Duration::days(91)),
    ("200d", Duration::days(200)),
    ("365d", Duration::days(365)),
    ("366d", Duration::days(366)),
    ("400d", Duration::days(400)),
];

/// What the standard says about one cell: `None` allowed, or the refusal's clause and a word its
/// `needs` must contain.
fn standard(
    purpose: Purpose,
    category: Category,
    age: Duration,
    authority: &AuthorityCase,
    written_request: bool,
    cpia: bool,
) -> Option<(&'static str, &'static str)> {
    // 9.5.1 and its footnote: reads are deleted on day 366; older data exists, and may be
    // accessed, only where retained under CPIA for the investigation concerned.
    if age > Duration::days(365) && !cpia {
        return Some(("9.5.1", "CPIA"));
    }
    match purpose {
        // Annex C: "Real or near real time during the course of monitoring", no additional
        // authority. Real time is minutes (the 30-minute cell), never days.
        Purpose::Monitoring => (age >= Duration::days(1)).then_some(("Annex C", "")),
        // Annex C: research for an investigation; preparing evidence from a previous search is
        // "as that search" (rules.md 4), i.e. the same limits as the investigation's category.
        Purpose::Investigation | Purpose::Evidence => match category {
            // Up to 90 days: anyone. Over 90 days: written authority of an Inspector or
            // equivalent, with reason (a), (b) or (c).
            Category::PriorityVolume if age <= Duration::days(90) => None,
            Category::PriorityVolume if authority.inspector_or_above && authority.has_reason => None,
            Category::PriorityVolume if authority.inspector_or_above => Some(("Annex C", "reason")),
            Category::PriorityVolume => Some(("Annex C", "Inspector")),
            // Serious, Major, National Security, Counter Terrorism: up to 1 year, no authority
            // (beyond a year, only the CPIA-retained reads of 9.5.1, checked above).
            _ => None,
        },
        // Annex C: comply with a written request from the CPS, procurator fiscal or a court
        // direction, no additional authority.
        Purpose::CpsRequest => (!written_request).then_some(("Annex C", "written request")),
        // Annex C: Code of Ethics, written authority of a superintendent or equivalent.
        Purpose::CodeOfEthics => (!authority.superintendent_or_above).then_some(("Annex C", "Superintendent")),
    }
}

/// Annex C (and 9.5.1): every purpose x category x age x authority x written request x CPIA.
#[test]
fn annex_c_full_table() {
    let mut failures = Vec::new();
    let mut cells = 0;
    for &purpose in Purpose::ALL {
        for &category in Category::ALL {
            for &(age_name, age) in AGES {
                for authority in AUTHORITIES {
                    for written_request in [false, true] {
                        for cpia in [false, true] {
                            cells += 1;
                            let cell = format!(
                                "{purpose}/{category}/{age_name}/{}/written={written_request}/cpia={cpia}",
                                authority.name
                            );
                            let req = AccessRequest {
                                authority: authority.value,
                                written_request,
                                cpia_retained: cpia,
                                ..request(purpose, category, age)
                            };
                            let expected = standard(purpose, category, age, authority, written_request, cpia);
                            match (expected, authorise(&req, now())) {
                                (None, Ok(_)) => {}
                                (None, Err(r)) => failures.push(format!("{cell}: expected allowed, refused: {r}")),
                                (Some(_), Ok(g)) => {
                                    failures.push(format!("{cell}: expected refused, allowed: {}", g.basis))
                                }
                                (Some((clause, needs)), Err(r)) => {
                                    let n = r.needs.clone().unwrap_or_default();
                                    if !r.clause.contains(clause) {
                                        failures.push(format!("{cell}: clause {:?}, expected {clause:?}", r.clause));
                                    }
                                    if n.trim().is_empty() || !n.to_lowercase().contains(&needs.to_lowercase()) {
                                        failures.push(format!("{cell}: needs {n:?}, expected to mention {needs:?}"));
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
    assert_eq!(cells, 5 * 5 * AGES.len() * AUTHORITIES.len() * 4);
    assert!(
        failures.is_empty(),
        "{} of {cells} Annex C cells wrong:\n{}",
        failures.len(),
        failures.iter().take(40).cloned().collect::<Vec<_>>().join("\n")
    );
}

// ---------------------------------------------------------------------------------------------
// Annex C boundaries
// ---------------------------------------------------------------------------------------------

/// Annex C: Priority and Volume "up to 90 days" without authority includes exactly 90 days.
#[test]
fn annex_c_pv_exactly_90_days_allowed_without_authority() {
    for purpose in [Purpose::Investigation, Purpose::Evidence] {
        let g = authorise(&request(purpose, Category::PriorityVolume, Duration::days(90)), now());
        assert!(g.is_ok(), "{purpose}: {g:?}");
    }
}

/// Annex C: Priority and Volume "over 90 days" needs an Inspector's written authority, even by 1 ms.
#[test]
fn annex_c_pv_90_days_and_1ms_needs_inspector() {
    let req = request(Purpose::Investigation, Category::PriorityVolume, Duration::days(90) + Duration::milliseconds(1));
    let r = authorise(&req, now()).unwrap_err();
    assert_refusal(&r, "Annex C", "Inspector", "P&V 90d+1ms");
    let req = AccessRequest { authority: auth(Rank::Inspector, Some(ExtensionReason::B)), ..req };
    assert!(authorise(&req, now()).is_ok());
}

/// Annex C "up to 1 year" and 9.5.1: exactly 365 days is within 12 months for Serious.
#[test]
fn annex_c_serious_exactly_365_days_allowed() {
    let g = authorise(&request(Purpose::Investigation, Category::Serious, Duration::days(365)), now());
    assert!(g.is_ok(), "{g:?}");
}

/// 9.5.1 (footnote 4): past 12 months by 1 ms, only CPIA-retained reads may be accessed.
#[test]
fn rule_9_5_1_serious_365_days_and_1ms_refused_unless_cpia_retained() {
    let req = request(Purpose::Investigation, Category::Serious, Duration::days(365) + Duration::milliseconds(1));
    let r = authorise(&req, now()).unwrap_err();
    assert_refusal(&r, "9.5.1", "CPIA", "Serious 365d+1ms");
    assert!(authorise(&AccessRequest { cpia_retained: true, ..req }, now()).is_ok());
}

/// Annex C: a period must be a period; one that ends before it starts is refused.
#[test]
fn annex_c_from_after_to_refused() {
    for &purpose in Purpose::ALL {
        let req = AccessRequest {
            from: now() - Duration::days(1),
            to: now() - Duration::days(2),
            authority: auth(Rank::Superintendent, Some(ExtensionReason::A)),
            written_request: true,
            ..request(purpose, Category::Major, Duration::zero())
        };
        let r = authorise(&req, now()).unwrap_err();
        assert_refusal(&r, "Annex C", "", &format!("{purpose} from > to"));
    }
}

// ---------------------------------------------------------------------------------------------
// Annex C grants
// ---------------------------------------------------------------------------------------------

/// Annex C / 9.5.1: a grant covers exactly the period asked for, and marks where the 12 months end.
#[test]
fn annex_c_grant_period_and_retention_line() {
    let req = AccessRequest {
        from: now() - Duration::days(300),
        to: now() - Duration::days(10),
        ..request(Purpose::Investigation, Category::Major, Duration::zero())
    };
    let g = authorise(&req, now()).unwrap();
    assert_eq!(g.clause, "Annex C");
    assert_eq!((g.from, g.to), (req.from, req.to));
    assert_eq!(g.retained_only_before, now() - Duration::days(365));
    assert!(!g.basis.trim().is_empty());
}

/// Annex C: a grant resting on a written authority says so in its basis (shown and audited).
#[test]
fn annex_c_grant_basis_names_the_authority_relied_on() {
    let cases = [
        (Purpose::Investigation, Category::PriorityVolume, Rank::Inspector, Some(ExtensionReason::A), "inspector"),
        (Purpose::Evidence, Category::PriorityVolume, Rank::Superintendent, Some(ExtensionReason::C), "superintendent"),
        (Purpose::CodeOfEthics, Category::Serious, Rank::Superintendent, None, "superintendent"),
    ];
    for (purpose, category, rank, reason, word) in cases {
        let req = AccessRequest { authority: auth(rank, reason), ..request(purpose, category, Duration::days(200)) };
        let g = authorise(&req, now()).unwrap();
        let basis = g.basis.to_lowercase();
        assert!(basis.contains(word), "{purpose}/{category}: basis {:?} should mention {word}", g.basis);
        if let Some(reason) = reason {
            let code = format!("({})", reason.as_str());
            assert!(basis.contains(&code), "{purpose}/{category}: basis {:?} should give reason {code}", g.basis);
        }
    }
    // No authority relied on: the basis claims none.
    let g = authorise(&request(Purpose::Investigation, Category::PriorityVolume, Duration::days(30)), now()).unwrap();
    let basis = g.basis.to_lowercase();
    assert!(!basis.contains("inspector") && !basis.contains("superintendent"), "{:?}", g.basis);
}

// ---------------------------------------------------------------------------------------------
// Annex C ranks and defaults
// ---------------------------------------------------------------------------------------------

/// Annex C "Inspector or equivalent": a Superintendent's authority satisfies it; but an
/// Inspector's does not satisfy the Code of Ethics' "superintendent or equivalent".
#[test]
fn annex_c_rank_ordering() {
    assert!(Rank::None < Rank::Inspector && Rank::Inspector < Rank::Superintendent);
    let pv = AccessRequest {
        authority: auth(Rank::Superintendent, Some(ExtensionReason::A)),
        ..request(Purpose::Investigation, Category::PriorityVolume, Duration::days(200))
    };
    assert!(authorise(&pv, now()).is_ok());
    let coe = AccessRequest {
        authority: auth(Rank::Inspector, Some(ExtensionReason::A)),
        ..request(Purpose::CodeOfEthics, Category::PriorityVolume, Duration::days(30))
    };
    assert_refusal(&authorise(&coe, now()).unwrap_err(), "Annex C", "Superintendent", "CoE by inspector");
}

/// Annex C: the rank a written authority needs, and how far back each purpose reaches without one.
#[test]
fn annex_c_authority_rank_and_default_days() {
    for &category in Category::ALL {
        let pv = category == Category::PriorityVolume;
        for purpose in [Purpose::Investigation, Purpose::Evidence] {
            assert_eq!(authority_rank(purpose, category), pv.then_some(Rank::Inspector), "{purpose}/{category}");
            assert_eq!(default_days(purpose, category), if pv { 90 } else { 365 }, "{purpose}/{category}");
        }
        assert_eq!(authority_rank(Purpose::CodeOfEthics, category), Some(Rank::Superintendent));
        assert_eq!(authority_rank(Purpose::CpsRequest, category), None);
        assert_eq!(authority_rank(Purpose::Monitoring, category), None);
        assert_eq!(default_days(Purpose::Monitoring, category), 0);
        // "As requested" / "as needed", within the 12 months 9.5.1 keeps.
        assert_eq!(default_days(Purpose::CpsRequest, category), 365);
        assert_eq!(default_days(Purpose::CodeOfEthics, category), 365);
    }
}

// ---------------------------------------------------------------------------------------------
// Annex B escalation, 9.10.4
// ---------------------------------------------------------------------------------------------

fn factors() -> EscalationFactors {
    EscalationFactors {
        community: "sensitivity regarding individuals involved".into(),
        offence: "weapons used".into(),
        offender: "prolific offender".into(),
    }
}

const REASONS: &str = "series of armed robberies, forensic links";

fn escalate(current: Category, history: &[Category], to: Category, rank: Rank) -> Result<(), Refusal> {
    check(current, history, to, rank, REASONS, &factors())
}

fn assert_annex_b(r: &Refusal, cell: &str) {
    assert!(r.clause.contains("Annex B") || r.clause.contains("9.10.4"), "{cell}: clause {:?}", r.clause);
    assert!(!r.reason.trim().is_empty(), "{cell}: no reason");
    assert!(r.needs.as_deref().is_some_and(|n| !n.trim().is_empty()), "{cell}: no needs: {r}");
}

/// Annex B: Priority and Volume -> Serious with the authority of a manager of at least Inspector
/// rank (footnote 6).
#[test]
fn annex_b_pv_to_serious_needs_inspector() {
    let (pv, serious) = (Category::PriorityVolume, Category::Serious);
    assert_annex_b(&escalate(pv, &[], serious, Rank::None).unwrap_err(), "P&V->Serious by none");
    assert_eq!(escalate(pv, &[], serious, Rank::Inspector), Ok(()));
    assert_eq!(escalate(pv, &[], serious, Rank::Superintendent), Ok(()));
}

/// Annex B: Serious -> Major with the authority of a senior manager of at least Superintendent
/// rank (footnote 5).
#[test]
fn annex_b_serious_to_major_needs_superintendent() {
    let (serious, major) = (Category::Serious, Category::Major);
    for rank in [Rank::None, Rank::Inspector] {
        let r = escalate(serious, &[], major, rank).unwrap_err();
        assert_annex_b(&r, &format!("Serious->Major by {rank}"));
        assert!(r.needs.unwrap().to_lowercase().contains("superintendent"));
    }
    assert_eq!(escalate(serious, &[], major, Rank::Superintendent), Ok(()));
}

/// Annex B: "Investigations that have been escalated to serious from the category of Priority and
/// Volume Investigations may not be further escalated to the category of major Investigation."
#[test]
fn annex_b_escalated_from_pv_never_reaches_major() {
    let r = escalate(Category::Serious, &[Category::PriorityVolume], Category::Major, Rank::Superintendent);
    assert_annex_b(&r.unwrap_err(), "P&V->Serious->Major");
}

/// Annex B: escalation is one step up; P&V cannot jump to Major, and nothing goes down or sideways.
#[test]
fn annex_b_no_skips_no_downgrades() {
    use Category::*;
    let moves = [
        (PriorityVolume, Major),
        (Major, Serious),
        (Major, PriorityVolume),
        (Serious, PriorityVolume),
        (PriorityVolume, PriorityVolume),
        (Serious, Serious),
        (Major, Major),
    ];
    for (from, to) in moves {
        let r = escalate(from, &[], to, Rank::Superintendent).unwrap_err();
        assert_annex_b(&r, &format!("{from}->{to}"));
    }
}

/// Annex B and 9.10.4: the reasons and each of the three escalation factors (community, offence,
/// offender) must be recorded; a refusal names what is missing.
#[test]
fn rule_9_10_4_reasons_and_factors_required() {
    let ok = factors();
    for blank in ["", "   ", "\t\n"] {
        let cases: [(&str, &str, EscalationFactors); 4] = [
            ("reasons", blank, ok.clone()),
            ("community", REASONS, EscalationFactors { community: blank.into(), ..ok.clone() }),
            ("offence", REASONS, EscalationFactors { offence: blank.into(), ..ok.clone() }),
            ("offender", REASONS, EscalationFactors { offender: blank.into(), ..ok.clone() }),
        ];
        for (missing, reasons, f) in cases {
            for (from, to, rank) in [
                (Category::PriorityVolume, Category::Serious, Rank::Inspector),
                (Category::Serious, Category::Major, Rank::Superintendent),
            ] {
                let cell = format!("{from}->{to} missing {missing} ({blank:?})");
                let r = check(from, &[], to, rank, reasons, &f).unwrap_err();
                assert_annex_b(&r, &cell);
                assert!(r.reason.contains(missing), "{cell}: reason {:?} should name {missing}", r.reason);
            }
        }
    }
    let r = check(Category::PriorityVolume, &[], Category::Serious, Rank::Inspector, "", &EscalationFactors::default());
    let r = r.unwrap_err();
    for missing in ["reasons", "community", "offence", "offender"] {
        assert!(r.reason.contains(missing), "all blank: reason {:?} should name {missing}", r.reason);
    }
}

// ---------------------------------------------------------------------------------------------
// Annex B categories
// ---------------------------------------------------------------------------------------------

/// Annex B: the designated Major and Serious types, matched without regard to case; National
/// Security and Counter Terrorism (Annex C) are their own categories; all else is Priority and Volume.
#[test]
fn annex_b_category_of() {
    for o in escalation::MAJOR {
        for name in [o.to_string(), o.to_uppercase(), o.to_lowercase()] {
            assert_eq!(category_of(&name), Category::Major, "{name}");
        }
    }
    for o in escalation::SERIOUS {
        for name in [o.to_string(), o.to_uppercase(), o.to_lowercase()] {
            assert_eq!(category_of(&name), Category::Serious, "{name}");
        }
    }
    // As NASPLE Annex B capitalises them.
    for o in ["Attempted Murder", "Child Destruction", "Kidnapping", "Manslaughter", "Infanticide"] {
        assert_eq!(category_of(o), Category::Major, "{o}");
    }
    for o in ["Drug Trafficking", "Death by Dangerous Driving", "Threats to Kill", "Female Genital Mutilation", "Rape"]
    {
        assert_eq!(category_of(o), Category::Serious, "{o}");
    }
    assert_eq!(category_of(NATIONAL_SECURITY), Category::NationalSecurity);
    assert_eq!(category_of("National security"), Category::NationalSecurity);
    assert_eq!(category_of("NATIONAL SECURITY"), Category::NationalSecurity);
    assert_eq!(category_of(COUNTER_TERRORISM), Category::CounterTerrorism);
    assert_eq!(category_of("Counter terrorism"), Category::CounterTerrorism);
    assert_eq!(category_of("counter terrorism"), Category::CounterTerrorism);
    // Annex B: "Investigations not included within the above categories" are Priority and Volume,
    // including street robbery, burglary, vehicle crime, ASB, VED, road traffic, safeguarding and
    // missing persons (not vulnerable).
    for o in escalation::PRIORITY_VOLUME.iter().copied().chain(["Burglary", "shoplifting", "", "Robbery", "Murderous"])
    {
        assert_eq!(category_of(o), Category::PriorityVolume, "{o:?}");
    }
}
