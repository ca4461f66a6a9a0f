//! NASPLE Appendix A (Password Requirements): the content rules of a new password, as a pure
//! function of the candidate and who it is for.
//!
//! * Appendix A 6: at least [`MIN_LENGTH`] characters, at least [`MIN_NON_ALPHANUMERIC`] of
//!   them not letters or digits.
//! * Appendix A 8: not based on months, days or dates; family names, initials or car
//!   registration numbers; organisation names, identifiers or references.
//!
//! Appendix A 9 (not one of the previous [`HISTORY_DEPTH`] passwords) and Appendix A 11
//! (different passwords for a person's different accounts) need the stored hashes, so the
//! accounts code checks them; they only appear here in [`rules`] for the change-password screen.
//!
//! "Based on" a word means the candidate contains it once read as words: lower-cased, with
//! non-alphanumeric characters ignored and the usual look-alike substitutions undone
//! (`0`→o, `1`→i/l, `3`→e, `4`/`@`→a, `5`/`$`→s, `7`→t, `!`→i, `|`→l), so `M@rch`, `Sm1th` and
//! `North-shire` all count. Short words (3 letters or fewer, and every abbreviation such as
//! "sat" or "thur") only count when they stand alone: otherwise "mar" would refuse "marble",
//! "sat" "satellite", "ian" "Christian" and "ss" every "pass".

use super::Refusal;

/// Appendix A 6: the minimum number of characters.
pub const MIN_LENGTH: usize = 8;
/// Appendix A 6: the minimum number of characters that are neither letters nor digits.
pub const MIN_NON_ALPHANUMERIC: usize = 2;
/// Appendix A 9: how many previous passwords a new one must differ from (checked by the
/// accounts code against the stored hashes, not here).
pub const HISTORY_DEPTH: usize = 10;

/// Length and non-alphanumeric characters.
pub const CLAUSE_COMPOSITION: &str = "Appendix A 6";
/// Not stored insecurely; browsers must not save it.
pub const CLAUSE_STORAGE: &str = "Appendix A 7";
/// Not based on months/days/dates, names/initials/car registrations, organisation names.
pub const CLAUSE_NOT_BASED_ON: &str = "Appendix A 8";
/// Not the same as any of the previous [`HISTORY_DEPTH`] passwords.
pub const CLAUSE_HISTORY: &str = "Appendix A 9";
/// Different passwords for a person's different accounts.
pub const CLAUSE_DIFFERENT_PER_ACCOUNT: &str = "Appendix A 11";

/// Who the password is for, so it can be checked against their names and organisation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PasswordContext<'a> {
    pub username: &'a str,
    pub full_name: &'a str,
    pub organisation: &'a str,
}

/// Every Appendix A content rule the candidate breaks, in a stable order (empty = acceptable).
/// History (not one of the last 10) and reuse are checked by the accounts code with the stored
/// hashes; not here.
pub fn failures(candidate: &str, ctx: &PasswordContext<'_>) -> Vec<Refusal> {
    let words = Candidate::new(candidate);
    [
        too_short(candidate),
        too_few_non_alphanumeric(candidate),
        months_or_days(&words),
        dates(candidate),
        personal_names(&words, ctx),
        initials(&words, ctx),
        vehicle_registrations(candidate),
        organisation(&words, ctx),
    ]
    .into_iter()
    .flatten()
    .collect()
}

/// The first failure, for APIs that stop at one.
pub fn check(candidate: &str, ctx: &PasswordContext<'_>) -> Result<(), Refusal> {
    match failures(candidate, ctx).into_iter().next() {
        Some(refusal) => Err(refusal),
        None => Ok(()),
    }
}

/// The rules in plain words with their clauses, for the change-password screen.
pub fn rules() -> Vec<(&'static str, &'static str)> {
    vec![
        (CLAUSE_COMPOSITION, "At least 8 characters long."),
        (
            CLAUSE_COMPOSITION,
            concat!("At least 2 characters that are not letters or numbers, such as % & ? ", "(spaces do not count)."),
        ),
        (
            CLAUSE_NOT_BASED_ON,
            concat!(
                "Not based on months of the year, days of the week, or dates and years ",
                "such as birthdays or anniversaries."
            ),
        ),
        (CLAUSE_NOT_BASED_ON, "Not based on your names, your initials or your username."),
        (CLAUSE_NOT_BASED_ON, "Not containing a vehicle registration number."),
        (CLAUSE_NOT_BASED_ON, "Not based on the organisation's name, initials, identifiers or references."),
        (CLAUSE_HISTORY, "Not the same as any of your previous 10 passwords."),
        (CLAUSE_DIFFERENT_PER_ACCOUNT, "Different from the password of any other account you hold."),
        (CLAUSE_STORAGE, "Never written down or stored insecurely; do not let a web browser save it."),
    ]
}

// ---------------------------------------------------------------------------------------------
// Appendix A 6

fn too_short(candidate: &str) -> Option<Refusal> {
    // Characters, not bytes: "é" is one character to the person typing it.
    let length = candidate.chars().count();
    (length < MIN_LENGTH).then(|| {
        Refusal::new(
            CLAUSE_COMPOSITION,
            format!("The password has {length} characters; at least {MIN_LENGTH} are required"),
            Some(format!("Make the password at least {MIN_LENGTH} characters long")),
        )
    })
}

/// Whitespace and control characters do not count: they are easily lost or trimmed by forms
/// and terminals, and the standard's examples (% & ?) are printable symbols.
fn counts_as_non_alphanumeric(c: char) -> bool {
    !c.is_alphanumeric() && !c.is_whitespace() && !c.is_control()
}

fn too_few_non_alphanumeric(candidate: &str) -> Option<Refusal> {
    let count = candidate.chars().filter(|&c| counts_as_non_alphanumeric(c)).count();
    (count < MIN_NON_ALPHANUMERIC).then(|| {
        Refusal::new(
            CLAUSE_COMPOSITION,
            format!(
                "The password has {count} character(s) that are not letters or numbers; \
                 at least {MIN_NON_ALPHANUMERIC} are required"
            ),
            Some(format!(
                "Include at least {MIN_NON_ALPHANUMERIC} characters that are not letters \
                 or numbers, such as % & ?"
            )),
        )
    })
}

// ---------------------------------------------------------------------------------------------
// Appendix A 8: months and days

/// A calendar word and whether it only counts standing alone (see [`Candidate::contains`]).
struct CalendarWord {
    word: &'static str,
    description: &'static str,
    standalone: bool,
}

const fn month(word: &'static str) -> CalendarWord {
    CalendarWord { word, description: "month name", standalone: false }
}
const fn day(word: &'static str) -> CalendarWord {
    CalendarWord { word, description: "day name", standalone: false }
}
const fn month_abbreviation(word: &'static str) -> CalendarWord {
    CalendarWord { word, description: "month abbreviation", standalone: true }
}
const fn day_abbreviation(word: &'static str) -> CalendarWord {
    CalendarWord { word, description: "day name", standalone: true }
}

/// Full names count anywhere; "may" and the abbreviations only as a word of their own, since
/// they hide inside everyday words ("mar" in marble, "sun" in sunflower, "wed" in showed,
/// "thur" in Arthur, "sept" in septic).
const CALENDAR_WORDS: &[CalendarWord] = &[
    month("january"),
    month("february"),
    month("march"),
    month("april"),
    CalendarWord { word: "may", description: "month name", standalone: true },
    month("june"),
    month("july"),
    month("august"),
    month("september"),
    month("october"),
    month("november"),
    month("december"),
    day("monday"),
    day("tuesday"),
    day("wednesday"),
    day("thursday"),
    day("friday"),
    day("saturday"),
    day("sunday"),
    month_abbreviation("jan"),
    month_abbreviation("feb"),
    month_abbreviation("mar"),
    month_abbreviation("apr"),
    month_abbreviation("jun"),
    month_abbreviation("jul"),
    month_abbreviation("aug"),
    month_abbreviation("sep"),
    month_abbreviation("sept"),
    month_abbreviation("oct"),
    month_abbreviation("nov"),
    month_abbreviation("dec"),
    day_abbreviation("mon"),
    day_abbreviation("tue"),
    day_abbreviation("tues"),
    day_abbreviation("wed"),
    day_abbreviation("thu"),
    day_abbreviation("thur"),
    day_abbreviation("thurs"),
    day_abbreviation("fri"),
    day_abbreviation("sat"),
    day_abbreviation("sun"),
];

fn months_or_days(words: &Candidate) -> Option<Refusal> {
    let found: Vec<String> = CALENDAR_WORDS
        .iter()
        .filter(|w| words.contains(w.word, w.standalone))
        .map(|w| format!("the {} \"{}\"", w.description, w.word))
        .collect();
    refusal_if_any(
        &found,
        |list| format!("The password contains {list}"),
        "Choose a password without month or day names",
    )
}

// ---------------------------------------------------------------------------------------------
// Appendix A 8: dates

/// Years treated as personal dates on their own: birth years of staff and their families,
/// anniversaries, and the next few years. Whole dates (ddmmyyyy, yyyy-mm-dd) accept any
/// year 1900-2099 because the day and month already make them date-like.
const PERSONAL_YEARS: std::ops::RangeInclusive<u32> = 1940..=2039;
const FULL_DATE_YEARS: std::ops::RangeInclusive<u32> = 1900..=2099;

/// A run of ASCII digits, or any other single character.
enum Segment {
    Digits(String),
    Other(char),
}

fn segments(candidate: &str) -> Vec<Segment> {
    let mut out = Vec::new();
    for c in candidate.chars() {
        match (c.is_ascii_digit(), out.last_mut()) {
            (true, Some(Segment::Digits(run))) => run.push(c),
            (true, _) => out.push(Segment::Digits(c.to_string())),
            (false, _) => out.push(Segment::Other(c)),
        }
    }
    out
}

fn days_in_month(month: u32) -> u32 {
    match month {
        2 => 29,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// A real (UK order) day and month; 29 February counts because birthdays fall on it.
fn day_month(day: Option<u32>, month: Option<u32>) -> bool {
    match (day, month) {
        (Some(d), Some(m)) => (1..=12).contains(&m) && d >= 1 && d <= days_in_month(m),
        _ => false,
    }
}

fn number(digits: &str) -> Option<u32> {
    digits.parse().ok()
}

fn in_range(value: Option<u32>, range: &std::ops::RangeInclusive<u32>) -> bool {
    value.is_some_and(|v| range.contains(&v))
}

/// An unseparated run of digits that reads as a date: a year 1940-2039 at either end of the
/// run (`2024`, `pass2024`, `051990`), or the whole run as ddmm, ddmmyy, ddmmyyyy or
/// yyyymmdd. Two-digit runs ("42") are never dates: too many ordinary numbers would be refused.
fn digit_run_is_date(run: &str) -> bool {
    // `run` is ASCII digits only, so byte slicing is character slicing.
    let n = run.len();
    let at = |from: usize, to: usize| run.get(from..to).and_then(number);
    if n >= 4 && (in_range(at(0, 4), &PERSONAL_YEARS) || in_range(at(n - 4, n), &PERSONAL_YEARS)) {
        return true;
    }
    match n {
        4 | 6 => day_month(at(0, 2), at(2, 4)),
        8 => {
            (day_month(at(0, 2), at(2, 4)) && in_range(at(4, 8), &FULL_DATE_YEARS))
                || (in_range(at(0, 4), &FULL_DATE_YEARS) && day_month(at(6, 8), at(4, 6)))
        }
        _ => false,
    }
}

const DATE_SEPARATORS: [char; 3] = ['/', '.', '-'];

/// A separated date starting at `segs[i]`: d/m/yy, d-m-yyyy, yyyy-mm-dd (the same separator
/// twice) or a day and month alone. A lone day and month needs `/` ("4/2") or two digits each
/// ("12.05", "01-05"): with `-` or `.` single digits read as scores and versions ("4-2").
/// Returns how many segments it spans.
fn separated_date_at(segs: &[Segment], i: usize) -> Option<usize> {
    let digits = |k: usize| match segs.get(k) {
        Some(Segment::Digits(run)) => Some(run.as_str()),
        _ => None,
    };
    let separator = |k: usize| match segs.get(k) {
        Some(Segment::Other(c)) if DATE_SEPARATORS.contains(c) => Some(*c),
        _ => None,
    };
    let a = digits(i)?;
    let sep = separator(i + 1)?;
    let b = digits(i + 2)?;
    if separator(i + 3) == Some(sep)
        && let Some(c) = digits(i + 4)
    {
        let day_first = a.len() <= 2
            && b.len() <= 2
            && (c.len() == 2 || (c.len() == 4 && in_range(number(c), &FULL_DATE_YEARS)))
            && day_month(number(a), number(b));
        let year_first = a.len() == 4
            && in_range(number(a), &FULL_DATE_YEARS)
            && b.len() <= 2
            && c.len() <= 2
            && day_month(number(c), number(b));
        if day_first || year_first {
            return Some(5);
        }
    }
    let short_form_ok = sep == '/' || (a.len() == 2 && b.len() == 2);
    (a.len() <= 2 && b.len() <= 2 && short_form_ok && day_month(number(a), number(b))).then_some(3)
}

fn date_like_parts(candidate: &str) -> Vec<String> {
    let segs = segments(candidate);
    let mut found: Vec<String> = Vec::new();
    let mut i = 0;
    while i < segs.len() {
        if let Some(span) = separated_date_at(&segs, i) {
            let text: String = segs[i..i + span]
                .iter()
                .map(|s| match s {
                    Segment::Digits(run) => run.clone(),
                    Segment::Other(c) => c.to_string(),
                })
                .collect();
            found.push(text);
            // The digits inside a separated date are not reported again on their own.
            i += span;
            continue;
        }
        if let Some(Segment::Digits(run)) = segs.get(i)
            && digit_run_is_date(run)
        {
            found.push(run.clone());
        }
        i += 1;
    }
    found.dedup();
    found
}

fn dates(candidate: &str) -> Option<Refusal> {
    let found: Vec<String> = date_like_parts(candidate).iter().map(|d| format!("\"{d}\"")).collect();
    refusal_if_any(
        &found,
        |list| format!("The password contains {list}, which looks like a date or year"),
        "Choose a password without dates or years",
    )
}

// ---------------------------------------------------------------------------------------------
// Appendix A 8: names and initials

/// Words shorter than this only count standing alone (see the module doc).
const MIN_WORD_ANYWHERE: usize = 4;

/// The parts of a full name worth checking: split at spaces and hyphens ("Smith-Jones" gives
/// both), letters only ("O'Brien" is "obrien"), 3+ letters: "J" or "Li" alone would match
/// far too much and are covered by the initials rule.
fn name_parts(full_name: &str) -> Vec<String> {
    let mut parts: Vec<String> = Vec::new();
    for raw in full_name.split(|c: char| c.is_whitespace() || c == '-') {
        let part: String = raw.chars().filter(|c| c.is_alphabetic()).flat_map(char::to_lowercase).collect();
        if part.chars().count() >= 3 && !parts.contains(&part) {
            parts.push(part);
        }
    }
    parts
}

/// The whole username with separators removed ("demo.investigator" → "demoinvestigator"),
/// not its dot-separated parts: the personal parts of a username are the person's names,
/// already checked from the full name, and its other parts are generic ("demo", "admin") —
/// refusing those would refuse the demo force's fixed password `Demo-pass-1!` (CLI contract).
fn username_word(username: &str) -> Option<String> {
    let word: String = username.chars().filter(|c| c.is_alphanumeric()).flat_map(char::to_lowercase).collect();
    (word.chars().count() >= 3).then_some(word)
}

fn personal_names(words: &Candidate, ctx: &PasswordContext<'_>) -> Option<Refusal> {
    let mut found: Vec<String> = name_parts(ctx.full_name)
        .into_iter()
        .filter(|part| words.contains(part, part.chars().count() < MIN_WORD_ANYWHERE))
        .map(|part| format!("your name \"{part}\""))
        .collect();
    if let Some(user) = username_word(ctx.username)
        && words.contains(&user, user.chars().count() < MIN_WORD_ANYWHERE)
    {
        found.push(format!("your username \"{user}\""));
    }
    refusal_if_any(
        &found,
        |list| format!("The password contains {list}"),
        "Choose a password that does not use your names or username",
    )
}

/// The first letters of the full name's words, in order ("J Smith" → "js"); none for a
/// single-word name.
fn name_initials(full_name: &str) -> Option<String> {
    let initials: String = full_name
        .split_whitespace()
        .filter_map(|w| w.chars().find(|c| c.is_alphabetic()))
        .flat_map(char::to_lowercase)
        .collect();
    (initials.chars().count() >= 2).then_some(initials)
}

fn initials(words: &Candidate, ctx: &PasswordContext<'_>) -> Option<Refusal> {
    let initials = name_initials(ctx.full_name)?;
    // Two- and three-letter initials only standing alone: "ss" is in every "pass".
    words.contains(&initials, initials.chars().count() < MIN_WORD_ANYWHERE).then(|| {
        Refusal::new(
            CLAUSE_NOT_BASED_ON,
            format!("The password contains your initials \"{initials}\""),
            Some("Choose a password that does not use your initials".to_string()),
        )
    })
}

// ---------------------------------------------------------------------------------------------
// Appendix A 8: car registration numbers

/// A run of letters (true) or digits (false) and its length.
fn shape(text: &str) -> Vec<(bool, usize)> {
    let mut groups: Vec<(bool, usize)> = Vec::new();
    for c in text.chars() {
        let letter = c.is_ascii_alphabetic();
        match groups.last_mut() {
            Some((kind, len)) if *kind == letter => *len += 1,
            _ => groups.push((letter, 1)),
        }
    }
    groups
}

/// Current (AB12CDE), prefix (A123BCD) and suffix (ABC123D) marks: distinctive enough to
/// refuse in any case.
fn dated_registration(text: &str) -> bool {
    matches!(
        shape(text).as_slice(),
        [(true, 2), (false, 2), (true, 3)]
            | [(true, 1), (false, 1..=3), (true, 3)]
            | [(true, 3), (false, 1..=3), (true, 1)]
    )
}

/// Dateless and Northern Ireland marks (ABC 123, 1234 AB), at least 5 characters.
fn dateless_registration(text: &str) -> bool {
    text.chars().count() >= 5
        && matches!(shape(text).as_slice(), [(true, 1..=3), (false, 1..=4)] | [(false, 1..=4), (true, 1..=3)])
}

/// Registration-like strings. Spaces are removed first because plates are written "AB12 CDE";
/// other symbols are kept as boundaries. Only a whole run counts, never a piece of one: the
/// dateless pattern (1-3 letters, 1-4 digits) is the tail of most "word42" passwords
/// ("violin42" ends "lin42"). A run is either a maximal run of letters and digits, checked for
/// the dated patterns in any case, or a maximal run of capitals and digits ("MyCarAB12CDE"),
/// checked for every pattern: dateless marks only in capitals because "dog123" reads as a word
/// and a number, "DOG123" as a plate.
fn registration_like_parts(candidate: &str) -> Vec<String> {
    let squeezed: String = candidate.chars().filter(|c| !c.is_whitespace()).collect();
    let mut found: Vec<String> = Vec::new();
    let mut push = |run: &str| {
        let upper = run.to_ascii_uppercase();
        if !found.contains(&upper) {
            found.push(upper);
        }
    };
    for run in squeezed.split(|c: char| !c.is_ascii_alphanumeric()) {
        if dated_registration(run) {
            push(run);
        }
    }
    for run in squeezed.split(|c: char| !(c.is_ascii_uppercase() || c.is_ascii_digit())) {
        if dated_registration(run) || dateless_registration(run) {
            push(run);
        }
    }
    found
}

fn vehicle_registrations(candidate: &str) -> Option<Refusal> {
    let found: Vec<String> = registration_like_parts(candidate).iter().map(|r| format!("\"{r}\"")).collect();
    refusal_if_any(
        &found,
        |list| format!("The password contains {list}, which looks like a vehicle registration"),
        "Choose a password without vehicle registrations",
    )
}

// ---------------------------------------------------------------------------------------------
// Appendix A 8: organisation names, identifiers or references

/// Joining words left out of an organisation's initials ("Police Service of Northern
/// Ireland" → "psni").
const NOT_IN_INITIALS: [&str; 4] = ["of", "the", "and", "for"];

fn organisation(words: &Candidate, ctx: &PasswordContext<'_>) -> Option<Refusal> {
    let org_words: Vec<String> = ctx
        .organisation
        .split(|c: char| !c.is_alphanumeric())
        .map(|w| w.chars().filter(|c| c.is_alphabetic()).flat_map(char::to_lowercase).collect::<String>())
        .filter(|w| !w.is_empty())
        .collect();
    let mut found: Vec<String> = Vec::new();
    // Every word of 4+ letters, generic ones included ("Constabulary", "Police"): they are the
    // organisation's name as much as the distinctive part is.
    for word in &org_words {
        let quoted = format!("\"{word}\"");
        if word.chars().count() >= MIN_WORD_ANYWHERE && !found.contains(&quoted) && words.contains(word, false) {
            found.push(quoted);
        }
    }
    // The initials are the organisation's usual identifier (PSNI, "NC").
    let acronym: String =
        org_words.iter().filter(|w| !NOT_IN_INITIALS.contains(&w.as_str())).filter_map(|w| w.chars().next()).collect();
    let acronym_length = acronym.chars().count();
    if acronym_length >= 2 && words.contains(&acronym, acronym_length < MIN_WORD_ANYWHERE) {
        found.push(format!("the initials \"{acronym}\""));
    }
    let name = ctx.organisation.trim();
    refusal_if_any(
        &found,
        |list| format!("The password contains {list} from the organisation name \"{name}\""),
        "Choose a password that does not use the organisation's name or initials",
    )
}

// ---------------------------------------------------------------------------------------------
// Reading the candidate as words

/// One character of the candidate, as the word matcher sees it.
#[derive(Debug, Clone, Copy)]
enum Cell {
    Letter {
        lower: char,
        upper: bool,
    },
    /// A digit or symbol that may stand for letters. `internal` when its run of look-alikes
    /// has a letter on both sides ("M4y", "sun5hine"): then a digit is part of a word, not a
    /// break (see [`Cell::breaks_word`]).
    LookAlike {
        ch: char,
        letters: &'static [char],
        internal: bool,
    },
    /// A digit that stands for no letter.
    Digit(char),
    Separator,
}

fn look_alike_letters(c: char) -> Option<&'static [char]> {
    match c {
        '0' => Some(&['o']),
        '1' => Some(&['i', 'l']),
        '3' => Some(&['e']),
        '4' | '@' => Some(&['a']),
        '5' | '$' => Some(&['s']),
        '7' => Some(&['t']),
        '!' => Some(&['i']),
        '|' => Some(&['l']),
        _ => None,
    }
}

impl Cell {
    fn of(c: char) -> Self {
        if let Some(letters) = look_alike_letters(c) {
            Cell::LookAlike { ch: c, letters, internal: false }
        } else if c.is_alphabetic() {
            let lower = c.to_lowercase().next().unwrap_or(c);
            Cell::Letter { lower, upper: c.is_uppercase() }
        } else if c.is_numeric() {
            Cell::Digit(c)
        } else {
            Cell::Separator
        }
    }

    /// Whether this cell can be the word character `w`, and if so whether it is a real letter.
    fn reads_as(self, w: char) -> Option<bool> {
        match self {
            Cell::Letter { lower, .. } => (lower == w).then_some(true),
            Cell::LookAlike { ch, letters, .. } => (ch == w || letters.contains(&w)).then_some(false),
            Cell::Digit(d) => (d == w).then_some(false),
            Cell::Separator => None,
        }
    }

    /// Non-alphanumeric characters may be ignored inside a word ("Jan-uary"); look-alike
    /// symbols ("@", "!") either stand for a letter or are ignored; digits never are.
    fn skippable(self) -> bool {
        match self {
            Cell::Separator => true,
            Cell::LookAlike { ch, .. } => !ch.is_alphanumeric(),
            Cell::Letter { .. } | Cell::Digit(_) => false,
        }
    }

    /// Whether this cell, outside a match, ends the word the match is in. A look-alike
    /// symbol always does ("May!x", "Sat@home"): it is non-alphanumeric, and reading it as a
    /// letter there would hide most short words followed by punctuation. A look-alike digit
    /// does unless it is inside a word ("sun5hine", "Mon3y").
    fn breaks_word(self) -> bool {
        match self {
            Cell::Letter { .. } => false,
            Cell::LookAlike { ch, internal, .. } => !ch.is_alphanumeric() || !internal,
            Cell::Digit(_) | Cell::Separator => true,
        }
    }
}

/// The candidate read as words, for "based on" rules.
#[derive(Debug)]
struct Candidate {
    cells: Vec<Cell>,
}

impl Candidate {
    fn new(candidate: &str) -> Self {
        let mut cells: Vec<Cell> = candidate.chars().map(Cell::of).collect();
        let is_letter = |cell: Option<&Cell>| matches!(cell, Some(Cell::Letter { .. }));
        let mut i = 0;
        while i < cells.len() {
            if !matches!(cells[i], Cell::LookAlike { .. }) {
                i += 1;
                continue;
            }
            let start = i;
            while matches!(cells.get(i), Some(Cell::LookAlike { .. })) {
                i += 1;
            }
            let (before, after) = (start.checked_sub(1).and_then(|b| cells.get(b)), cells.get(i));
            // "Sat5Kettle": a lower-to-upper change across the run means two words, the
            // look-alikes between them a separator.
            let case_change = matches!(
                (before, after),
                (Some(Cell::Letter { upper: false, .. }), Some(Cell::Letter { upper: true, .. }))
            );
            if is_letter(before) && is_letter(after) && !case_change {
                for cell in &mut cells[start..i] {
                    if let Cell::LookAlike { internal, .. } = cell {
                        *internal = true;
                    }
                }
            }
        }
        Self { cells }
    }

    /// Whether the candidate is based on `word` (lower case). Every match must use at least
    /// one real letter, so digits alone ("1!" for "ii") never read as a word; dates are a
    /// separate rule.
    fn contains(&self, word: &str, standalone: bool) -> bool {
        let word: Vec<char> = word.chars().collect();
        if word.is_empty() {
            return false;
        }
        if standalone { self.contains_standalone(&word) } else { self.contains_anywhere(&word) }
    }

    /// Anywhere, ignoring separators: a small automaton over "how much of the word is matched,
    /// and was a real letter used", one pass over the candidate.
    fn contains_anywhere(&self, word: &[char]) -> bool {
        let m = word.len();
        // active[k][real]: k characters of the word matched (0 < k < m).
        let mut active = vec![[false; 2]; m];
        for &cell in &self.cells {
            let mut next = vec![[false; 2]; m];
            if cell.skippable() {
                next[1..].copy_from_slice(&active[1..]);
            }
            for k in 0..m {
                let states = if k == 0 { [true, false] } else { active[k] };
                let Some(real_letter) = cell.reads_as(word[k]) else {
                    continue;
                };
                for (was_real, &on) in states.iter().enumerate() {
                    // `states[0]`: no real letter used yet, as at a fresh start.
                    if !on {
                        continue;
                    }
                    let real = was_real == 1 || real_letter;
                    if k + 1 == m {
                        if real {
                            return true;
                        }
                    } else {
                        next[k + 1][usize::from(real)] = true;
                    }
                }
            }
            active = next;
        }
        false
    }

    /// As a word of its own: contiguous characters with a word break on both sides. A break
    /// is the start or end, a separator, a digit that is not standing for a letter
    /// ("May2024", "4/mar"), or a change from lower to upper case ("KettleSat").
    fn contains_standalone(&self, word: &[char]) -> bool {
        let (n, m) = (self.cells.len(), word.len());
        if m > n {
            return false;
        }
        (0..=n - m).any(|start| {
            let end = start + m;
            let mut real = false;
            for (cell, &w) in self.cells[start..end].iter().zip(word) {
                match cell.reads_as(w) {
                    Some(letter) => real |= letter,
                    None => return false,
                }
            }
            real && self.word_break(start, true) && self.word_break(end, false)
        })
    }

    /// Whether there is a word break between cells `at - 1` and `at`; `outside_left` says
    /// which of the two is outside the match.
    fn word_break(&self, at: usize, outside_left: bool) -> bool {
        let (Some(left), Some(right)) = (at.checked_sub(1).and_then(|i| self.cells.get(i)), self.cells.get(at)) else {
            return true;
        };
        let outside = if outside_left { left } else { right };
        let case_change =
            matches!((left, right), (Cell::Letter { upper: false, .. }, Cell::Letter { upper: true, .. }));
        outside.breaks_word() || case_change
    }
}

/// One refusal under Appendix A 8 listing everything found, or none.
fn refusal_if_any(found: &[String], reason: impl Fn(&str) -> String, needs: &str) -> Option<Refusal> {
    if found.is_empty() {
        return None;
    }
    Some(Refusal::new(CLAUSE_NOT_BASED_ON, reason(&join_list(found)), Some(needs.to_string())))
}

/// "a", "a and b", "a, b and c".
fn join_list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [only] => only.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// The rules as the change-password form lists them.
pub fn rule_list() -> Vec<anpr_types::PasswordRule> {
    rules()
        .into_iter()
        .map(|(clause, text)| anpr_types::PasswordRule { clause: clause.into(), text: text.into() })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const SMITH: PasswordContext<'static> =
        PasswordContext { username: "jsmith", full_name: "J Smith", organisation: "Northshire Constabulary" };

    /// The demo force's accounts (usernames fixed by the CLI contract, full names proposed).
    const DEMO_ACCOUNTS: [(&str, &str); 7] = [
        ("demo.investigator", "Dana Investigator"),
        ("demo.evidence", "Evan Evidence"),
        ("demo.inspector", "Ian Inspector"),
        ("demo.superintendent", "Sue Superintendent"),
        ("demo.engineer", "Ellis Engineer"),
        ("demo.admin", "Alex Administrator"),
        ("demo.auditor", "Avery Auditor"),
    ];

    fn clauses(candidate: &str, ctx: &PasswordContext<'_>) -> Vec<String> {
        failures(candidate, ctx).into_iter().map(|r| r.clause).collect()
    }

    fn assert_refused(refusal: Option<Refusal>, clause: &str, mentions: &str) {
        let refusal = refusal.expect("expected a refusal");
        assert_eq!(refusal.clause, clause);
        assert!(refusal.reason.contains(mentions), "{:?} should mention {mentions}", refusal.reason);
        assert!(refusal.needs.is_some());
    }

    fn words(candidate: &str) -> Candidate {
        Candidate::new(candidate)
    }

    #[test]
    fn a_good_password_passes() {
        assert_eq!(failures("Kettle#Violin!42", &SMITH), vec![]);
        assert_eq!(check("Kettle#Violin!42", &SMITH), Ok(()));
    }

    #[test]
    fn the_demo_password_passes_for_every_demo_account() {
        for (username, full_name) in DEMO_ACCOUNTS {
            let ctx = PasswordContext { username, full_name, organisation: "Northshire Constabulary" };
            assert_eq!(failures("Demo-pass-1!", &ctx), vec![], "{username}");
        }
    }

    #[test]
    fn length_is_appendix_a_6() {
        assert_refused(too_short("Ab#1!xy"), "Appendix A 6", "7 characters");
        assert!(too_short("Ab#1!xyz").is_none());
        // Characters, not bytes.
        assert!(too_short("ééééé#!é").is_none());
        assert_eq!(clauses("Kt#9!", &SMITH), vec!["Appendix A 6"]);
    }

    #[test]
    fn two_non_alphanumerics_are_appendix_a_6() {
        assert_refused(too_few_non_alphanumeric("Kettle#Violin42"), "Appendix A 6", "1 character");
        assert!(too_few_non_alphanumeric("Kettle#Violin%42").is_none());
        // Spaces do not count.
        assert!(too_few_non_alphanumeric("Kettle Violin#42").is_some());
        assert_eq!(clauses("KettleViolin42", &SMITH), vec!["Appendix A 6"]);
    }

    #[test]
    fn month_and_day_names_are_appendix_a_8() {
        assert_refused(months_or_days(&words("Kettle#March!x")), "Appendix A 8", "month name \"march\"");
        assert_refused(months_or_days(&words("W3dnesd@y#Kettle!")), "Appendix A 8", "\"wednesday\"");
        assert_refused(months_or_days(&words("Kettle#Jan-uary!")), "Appendix A 8", "\"january\"");
        assert_eq!(clauses("Kettle#October!x", &SMITH), vec!["Appendix A 8"]);
    }

    #[test]
    fn short_month_and_day_words_only_count_standing_alone() {
        for refused in [
            "Kettle#May!x",
            "M4y#Kettle!x",
            "Kettle#mar2024x!",
            "KettleSat#!x",
            "Ju1#Kettle!x",
            "Kettle#Sun5!",
            "Sat!Kettle#x",
            "Sat5Kettle#!",
        ] {
            let refusal = months_or_days(&words(refused));
            assert!(refusal.is_some(), "{refused}");
            assert_refused(refusal, "Appendix A 8", "\"");
        }
        for allowed in [
            "Marble#Violin!x",
            "Sunflower#Kettle!",
            "Satellite#99!x",
            "Mon3y#Kettle!",
            "Sun5hine#Kettle!",
            "Arthur#Kettle!",
            "Kettle#Violin!42",
        ] {
            assert!(months_or_days(&words(allowed)).is_none(), "{allowed}");
        }
    }

    #[test]
    fn dates_are_appendix_a_8() {
        for (refused, shown) in [
            ("Kettle#1990!", "\"1990\""),
            ("Kettle#2024-05-01!", "\"2024-05-01\""),
            ("Kettle#12/05!", "\"12/05\""),
            ("Kettle#4/2!x", "\"4/2\""),
            ("Kettle#12.05.90!", "\"12.05.90\""),
            ("Kettle#120590!", "\"120590\""),
            ("Kettle#12051990!", "\"12051990\""),
            ("Kettle#19900512!", "\"19900512\""),
            ("Kettle#0105!", "\"0105\""),
            ("Kettle#pass2031!", "\"2031\""),
        ] {
            assert_refused(dates(refused), "Appendix A 8", shown);
        }
        for allowed in ["Kettle#Violin!42", "Kettle#1234!", "Kettle#3102!", "Kettle#4-2!x", "Kettle#9999!"] {
            assert!(dates(allowed).is_none(), "{allowed}");
        }
        assert_eq!(clauses("Kettle#Violin!1985", &SMITH), vec!["Appendix A 8"]);
    }

    #[test]
    fn names_and_username_are_appendix_a_8() {
        assert_refused(personal_names(&words("Sm1th#Kettle!"), &SMITH), "Appendix A 8", "your name \"smith\"");
        assert_refused(personal_names(&words("Kettle#jsmith!"), &SMITH), "Appendix A 8", "your username \"jsmith\"");
        assert_eq!(clauses("Kettle#SMITH!x", &SMITH), vec!["Appendix A 8"]);
        let ian = PasswordContext { username: "iinspector", full_name: "Ian Inspector", organisation: "" };
        // A three-letter name only standing alone.
        assert_refused(personal_names(&words("Ian#Kettle!42"), &ian), "Appendix A 8", "\"ian\"");
        assert!(personal_names(&words("Christian#Kettle!42"), &ian).is_none());
        let hyphenated = PasswordContext { username: "x", full_name: "Mary O'Brien-Jones", organisation: "" };
        assert!(personal_names(&words("Kettle#Obrien!"), &hyphenated).is_some());
        assert!(personal_names(&words("Kettle#Jones!"), &hyphenated).is_some());
    }

    #[test]
    fn initials_are_appendix_a_8() {
        assert_refused(initials(&words("Kettle#JS!42"), &SMITH), "Appendix A 8", "initials \"js\"");
        assert_refused(initials(&words("js1990x!Kettle#"), &SMITH), "Appendix A 8", "\"js\"");
        assert!(initials(&words("Justice#Kettle!"), &SMITH).is_none());
        let sue = PasswordContext { username: "x", full_name: "Sue Superintendent", organisation: "" };
        assert!(initials(&words("Demo-pass-1!"), &sue).is_none(), "\"ss\" inside \"pass\"");
        assert!(initials(&words("Kettle#ss!"), &sue).is_some());
        // A single-word name has no initials.
        let mononym = PasswordContext { username: "x", full_name: "Cher", organisation: "" };
        assert!(initials(&words("C#Kettle!"), &mononym).is_none());
    }

    #[test]
    fn vehicle_registrations_are_appendix_a_8() {
        for (refused, shown) in [
            ("Kettle#AB12CDE!", "\"AB12CDE\""),
            ("Kettle#ab12 cde!", "\"AB12CDE\""),
            ("MyCarAB12CDE#!", "\"AB12CDE\""),
            ("Kettle#A123BCD!", "\"A123BCD\""),
            ("Kettle#ABC123D!", "\"ABC123D\""),
            ("Kettle#ABC 123!", "\"ABC123\""),
            ("Kettle#1234AB!", "\"1234AB\""),
        ] {
            assert_refused(vehicle_registrations(refused), "Appendix A 8", shown);
        }
        // Pieces of words and lower-case word-and-number endings are not plates.
        for allowed in ["Kettle#Violin!42", "Dog123#Kettle!", "Demo-pass-1!", "Kettle#AB1!", "HELLO123#!"] {
            assert!(vehicle_registrations(allowed).is_none(), "{allowed}");
        }
        assert_eq!(clauses("Kettle#AB12CDE!", &SMITH), vec!["Appendix A 8"]);
    }

    #[test]
    fn organisation_names_are_appendix_a_8() {
        assert_refused(organisation(&words("Northshire#99!"), &SMITH), "Appendix A 8", "\"northshire\"");
        assert_eq!(
            failures("Northshire#99!", &SMITH),
            vec![organisation(&words("Northshire#99!"), &SMITH).expect("refused")]
        );
        assert_refused(organisation(&words("N0rth-Shire#99!"), &SMITH), "Appendix A 8", "\"northshire\"");
        assert_refused(organisation(&words("Constabulary#1!"), &SMITH), "Appendix A 8", "\"constabulary\"");
        assert_refused(organisation(&words("NC#Kettle!42"), &SMITH), "Appendix A 8", "initials \"nc\"");
        let psni = PasswordContext { username: "x", full_name: "", organisation: "Police Service of Northern Ireland" };
        assert_refused(organisation(&words("Kettle#psni!"), &psni), "Appendix A 8", "\"psni\"");
        assert!(organisation(&words("Kettle#Violin!42"), &SMITH).is_none());
    }

    #[test]
    fn failures_come_in_a_stable_order_and_check_returns_the_first() {
        let all = failures("may", &SMITH);
        let reasons: Vec<&str> = all.iter().map(|r| r.clause.as_str()).collect();
        assert_eq!(reasons, vec!["Appendix A 6", "Appendix A 6", "Appendix A 8"]);
        assert!(all[2].reason.contains("month name \"may\""));
        assert_eq!(check("may", &SMITH), Err(all[0].clone()));
        // Several findings of one rule are one refusal listing them all.
        let both = months_or_days(&words("March#Sunday!")).expect("refused");
        assert!(both.reason.contains("\"march\" and the day name \"sunday\""), "{}", both.reason);
    }

    #[test]
    fn empty_context_checks_nothing_personal() {
        let empty = PasswordContext { username: "", full_name: "", organisation: "" };
        assert_eq!(failures("Kettle#Violin!42", &empty), vec![]);
    }

    #[test]
    fn rules_name_their_clauses_and_match_the_constants() {
        let rules = rules();
        assert!(rules.iter().all(|(clause, text)| clause.starts_with("Appendix A ") && !text.is_empty()));
        assert!(rules[0].1.contains(&MIN_LENGTH.to_string()));
        assert!(rules[1].1.contains(&MIN_NON_ALPHANUMERIC.to_string()));
        assert!(rules.iter().any(|(c, t)| *c == CLAUSE_HISTORY && t.contains(&HISTORY_DEPTH.to_string())));
        for clause in ["Appendix A 6", "Appendix A 7", "Appendix A 8", "Appendix A 9", "Appendix A 11"] {
            assert!(rules.iter().any(|(c, _)| *c == clause), "{clause}");
        }
    }
}
