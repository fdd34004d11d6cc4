//! Offers and nominations: what a placement becomes after the draw (SPEC.md, Offers,
//! nomination, second round).

use crate::violation::{Violation, Violations, required_text};
use chrono::{DateTime, Datelike, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

crate::vocabulary! {
    /// `pending → accepted | declined | expired`. An offer not answered before
    /// `expires_at` is expired, whether or not the expiry task has written it yet.
    pub enum OfferStatus ("offer status", "invalid_offer_status") {
        Pending = "pending",
        Accepted = "accepted",
        Declined = "declined",
        Expired = "expired",
    }
}

crate::vocabulary! {
    /// `pending → sent → confirmed`: the office mails the host, the host confirms.
    pub enum NominationStatus ("nomination status", "invalid_nomination_status") {
        Pending = "pending",
        Sent = "sent",
        Confirmed = "confirmed",
    }
}

impl OfferStatus {
    /// The status as of `now`: a pending offer whose time is up is expired, so a late
    /// expiry task never lets anyone read, or accept, an offer as still open.
    pub fn as_of(self, expires_at: DateTime<Utc>, now: DateTime<Utc>) -> Self {
        if self == OfferStatus::Pending && now >= expires_at {
            OfferStatus::Expired
        } else {
            self
        }
    }
}

impl NominationStatus {
    /// The status a step leads to from this one, if it may be taken: a nomination is
    /// sent once, and confirmed once it has been sent.
    pub fn step(self, to: NominationStatus) -> Result<NominationStatus, String> {
        match (self, to) {
            (NominationStatus::Pending, NominationStatus::Sent)
            | (NominationStatus::Sent, NominationStatus::Confirmed) => Ok(to),
            (from, to) if from == to => Err(format!("the nomination is {from} already")),
            (NominationStatus::Pending, NominationStatus::Confirmed) => Err(
                "the nomination has not been sent yet; mark it sent before confirmed".to_owned(),
            ),
            (from, to) => Err(format!("a {from} nomination cannot become {to}")),
        }
    }
}

/// Who to call when something happens to a student abroad.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EmergencyContactFields {
    #[serde(default)]
    #[schema(example = "Marieke de Vries")]
    pub name: String,
    #[serde(default)]
    #[schema(example = "+31 6 1234 5678")]
    pub phone: String,
    #[serde(default)]
    #[schema(example = "mother")]
    pub relation: String,
}

/// A stay abroad and the contacts during it, as the student sends them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StayFields {
    /// ISO date, e.g. `2027-01-25`.
    #[serde(default)]
    #[schema(format = Date, example = "2027-01-25")]
    pub start_date: String,
    /// ISO date, not before `start_date`.
    #[serde(default)]
    #[schema(format = Date, example = "2027-06-30")]
    pub end_date: String,
    /// The address abroad.
    #[serde(default)]
    #[schema(example = "Studentstaden 12, 752 33 Uppsala")]
    pub address: String,
    /// A phone number abroad.
    #[serde(default)]
    #[schema(example = "+46 70 123 45 67")]
    pub phone: String,
    #[serde(default)]
    pub emergency_contact: EmergencyContactFields,
}

/// A checked stay, ready to store.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Stay {
    pub start_date: NaiveDate,
    pub end_date: NaiveDate,
    pub address: String,
    pub phone: String,
    pub emergency_contact: EmergencyContact,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EmergencyContact {
    pub name: String,
    pub phone: String,
    pub relation: String,
}

/// A date as ISO 8601 writes it (`2027-01-25`), within the years a stay can have.
pub fn iso_date(field: &str, raw: &str) -> Result<NaiveDate, Violation> {
    match NaiveDate::parse_from_str(raw, "%Y-%m-%d") {
        Ok(date) if raw.len() == 10 && (1970..=9999).contains(&date.year()) => Ok(date),
        _ if raw.is_empty() => Err(Violation::new(
            field,
            "required",
            format!("`{field}` is required"),
        )),
        _ => Err(Violation::new(
            field,
            "invalid_date",
            format!("`{raw}` is not a date written as YYYY-MM-DD"),
        )),
    }
}

/// A phone number: digits with the usual `+ ( ) - .` and spaces, 6–30 characters.
pub(crate) fn phone(field: &str, raw: &str) -> Result<String, Violation> {
    let text = required_text(field, raw, 30)?;
    let digits = text.chars().filter(char::is_ascii_digit).count();
    if digits >= 6
        && text
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '+' | '(' | ')' | '-' | '.' | ' '))
    {
        Ok(text)
    } else {
        Err(Violation::new(
            field,
            "invalid_phone",
            format!("`{text}` is not a phone number (digits, and + ( ) - . or spaces)"),
        ))
    }
}

/// The contacts during a stay whose dates are known already (an activity's): the
/// address and phone abroad and an emergency contact.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ContactFields {
    /// The address abroad.
    #[serde(default)]
    #[schema(example = "Studentstaden 12, 752 33 Uppsala")]
    pub address: String,
    /// A phone number abroad.
    #[serde(default)]
    #[schema(example = "+46 70 123 45 67")]
    pub phone: String,
    #[serde(default)]
    pub emergency_contact: EmergencyContactFields,
}

/// Checked contacts during a stay.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Contacts {
    pub address: String,
    pub phone: String,
    pub emergency_contact: EmergencyContact,
}

impl ContactFields {
    /// Checks every field at once.
    pub fn parse(&self) -> Result<Contacts, Vec<Violation>> {
        let mut v = Violations::new();
        let address = v.take(required_text("address", &self.address, 500));
        let phone_abroad = v.take(phone("phone", &self.phone));
        let c = &self.emergency_contact;
        let name = v.take(required_text("emergency_contact.name", &c.name, 200));
        let contact_phone = v.take(phone("emergency_contact.phone", &c.phone));
        let relation = v.take(required_text(
            "emergency_contact.relation",
            &c.relation,
            100,
        ));
        match (address, phone_abroad, name, contact_phone, relation) {
            (Some(address), Some(phone), Some(name), Some(contact_phone), Some(relation))
                if v.is_empty() =>
            {
                Ok(Contacts {
                    address,
                    phone,
                    emergency_contact: EmergencyContact {
                        name,
                        phone: contact_phone,
                        relation,
                    },
                })
            }
            _ => Err(v.into_vec()),
        }
    }
}

impl StayFields {
    /// Checks every field at once.
    pub fn parse(&self) -> Result<Stay, Vec<Violation>> {
        let mut v = Violations::new();
        let start = v.take(iso_date("start_date", &self.start_date));
        let end = v.take(iso_date("end_date", &self.end_date));
        let contacts = ContactFields {
            address: self.address.clone(),
            phone: self.phone.clone(),
            emergency_contact: self.emergency_contact.clone(),
        }
        .parse();
        let mut violations = v.into_vec();
        let contacts = match contacts {
            Ok(contacts) => Some(contacts),
            Err(more) => {
                violations.extend(more);
                None
            }
        };
        if let (Some(start), Some(end)) = (start, end)
            && end < start
        {
            violations.push(Violation::new(
                "end_date",
                "ends_before_start",
                "`end_date` may not be before `start_date`",
            ));
        }
        match (start, end, contacts) {
            (Some(start_date), Some(end_date), Some(c)) if violations.is_empty() => Ok(Stay {
                start_date,
                end_date,
                address: c.address,
                phone: c.phone,
                emergency_contact: c.emergency_contact,
            }),
            _ => Err(violations),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(day: u32, hour: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2027, 3, day, hour, 0, 0).unwrap()
    }

    #[test]
    fn a_pending_offer_expires_at_its_moment_not_before() {
        let expires = at(8, 12);
        let pending = OfferStatus::Pending;
        assert_eq!(pending.as_of(expires, at(8, 11)), OfferStatus::Pending);
        assert_eq!(pending.as_of(expires, at(8, 12)), OfferStatus::Expired);
        assert_eq!(
            OfferStatus::Accepted.as_of(expires, at(9, 0)),
            OfferStatus::Accepted
        );
    }

    #[test]
    fn nominations_are_sent_then_confirmed() {
        use NominationStatus::*;
        assert_eq!(Pending.step(Sent), Ok(Sent));
        assert_eq!(Sent.step(Confirmed), Ok(Confirmed));
        assert!(Pending.step(Confirmed).is_err());
        assert!(Sent.step(Sent).is_err());
        assert!(Confirmed.step(Sent).is_err());
    }

    fn stay() -> StayFields {
        StayFields {
            start_date: "2027-01-25".into(),
            end_date: "2027-06-30".into(),
            address: "Studentstaden 12, Uppsala".into(),
            phone: "+46 70 123 45 67".into(),
            emergency_contact: EmergencyContactFields {
                name: "Marieke de Vries".into(),
                phone: "+31 6 1234 5678".into(),
                relation: "mother".into(),
            },
        }
    }

    #[test]
    fn a_stay_is_checked_whole() {
        assert!(stay().parse().is_ok());
        let mut bad = stay();
        bad.start_date = "2027-07-01".into();
        bad.phone = "call me".into();
        bad.emergency_contact.name = " ".into();
        let codes: Vec<String> = bad
            .parse()
            .unwrap_err()
            .into_iter()
            .map(|v| format!("{}:{}", v.field, v.code))
            .collect();
        assert_eq!(
            codes,
            [
                "phone:invalid_phone",
                "emergency_contact.name:required",
                "end_date:ends_before_start"
            ]
        );
    }

    #[test]
    fn dates_are_iso_and_plausible() {
        assert!(iso_date("d", "2027-02-29").is_err());
        assert!(iso_date("d", "27-02-01").is_err());
        assert!(iso_date("d", "0001-01-01").is_err());
        assert!(iso_date("d", "+2027-01-01").is_err());
        assert_eq!(iso_date("d", "").unwrap_err().code, "required");
    }
}
