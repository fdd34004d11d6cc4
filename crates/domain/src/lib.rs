//! The study-abroad office's rules in plain Rust.
//!
//! Everything here can be read by someone who knows the exchange office and no
//! web framework: no I/O, no database, no HTTP. Both the API and the draw
//! call these rules, so each rule lives once.

pub mod activity;
pub mod application;
pub mod audit;
pub mod call;
pub mod catalogue;
pub mod country;
pub mod destination;
pub mod draw;
pub mod institution;
pub mod offer;
pub mod programme;
pub mod report;
pub mod role;
pub mod shapes;
pub mod student;
pub mod text;
pub mod violation;
pub mod vocabulary;

pub use activity::{ActivityStatus, ActivityType};
pub use application::{
    ApplicationStatus, Assessment, ChoiceFacts, ReviewOutcome, StudentFacts, assess,
};
pub use audit::EntityType;
pub use call::{
    CallDraft, CallFields, CallRules, CallStatus, DocumentKind, Motivation, Scheme, Selection,
};
pub use country::{CountryCode, CountryUpdate, TravelAdvice};
pub use destination::{
    Activity, Cefr, Chance, DestinationDraft, DestinationFields, ExchangeType, Semester,
};
pub use institution::{InstitutionDraft, InstitutionFields};
pub use offer::{NominationStatus, OfferStatus};
pub use programme::{FacultyCode, Level, ProgrammeCode, ProgrammeUpdate};
pub use report::{ReportActivity, ReportDraft, ReportFields, ReportStatus};
pub use role::Role;
pub use student::{StudentDraft, StudentFields};
pub use violation::{Violation, Violations};
