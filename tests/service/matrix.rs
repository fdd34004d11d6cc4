//! Who may call what: every documented route against eight kinds of caller, each cell a
//! real request on real data, expected as SPEC.md ("People and roles", "Faculty scope,
//! exactly") and API.md (the "who" columns) say.
//!
//! The table below has a row for every route of `abroad_api::openapi::document()`: a
//! route added to the service without a row here, or a row for a route that is gone,
//! fails `every_documented_route_has_a_row`. Some routes have more than one row, one per
//! kind of object that SPEC.md treats differently (a published or a draft call, an
//! archived destination, an application in another faculty's call…).
//!
//! The columns: no token; the owning student s1 (programme LLB of faculty LAW); another
//! student s2 (PHY of SCI); a programme token for LLB; one for PHY; an office coordinator
//! (no `faculty` claim); LAW's coordinator, which owns the object (a call's faculty, an
//! application's call's faculty, a student's programme's faculty, a destination's owning
//! faculty, the faculty owning every destination at an institution); SCI's coordinator.
//!
//! The status rule (SPEC.md): a caller who may not see an object gets 404; one who may see
//! it (or is creating something) but may not do this gets 403. Visibility is decided
//! first, so a role that may never do a thing still gets 404 on an object it may not see
//! (another student submitting s1's application: 404, not 403).
//!
//! For lists, `IN` is 200 with the object among the items and `OUT` 200 without it. The
//! audit log is such a list: an entry of an object the caller may not see is left out,
//! and `?entity_type=&entity_id=` naming such an object answers 200 with no items, the
//! same answer as for an object that does not exist — a 404 there would have to be given
//! for unknown ids too, or it would tell that the object exists.
//!
//! Cells that change something get an object of their own, made fresh for that cell;
//! within a row the callers expected to fail go first.

use crate::matrix_world::{
    ActivityState, ApplicationState, COUNTRY, CallState, F, P1, ReportState, Req, S1, Who, World,
    application_body, faculty_call, faculty_destination, student_body,
};
use actix_web::http::Method;
use serde_json::{Value, json};
use std::collections::BTreeSet;

/// 200, and the list holds the object.
const IN: u16 = 1;
/// 200, and the list does not hold the object.
const OUT: u16 = 0;

/// The object a row is about; fresh ones are made per cell for the routes that change things.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Obj {
    /// No particular object.
    Nothing,
    /// A country (Norway).
    Country,
    /// Programme LLB of LAW.
    Programme,
    /// An institution whose every destination is owned by LAW.
    Institution,
    /// An institution with a destination of LAW and a university-wide one.
    SharedInstitution,
    /// A body for a new institution.
    NewInstitution,
    /// A non-archived faculty destination of LAW.
    Destination,
    /// An archived faculty destination of LAW.
    ArchivedDestination,
    /// A body for a new faculty destination of LAW.
    NewDestination,
    /// A published (open) faculty call of LAW.
    OpenCall,
    /// A draft faculty call of LAW.
    DraftCall,
    /// An open faculty call of LAW past its deadline, no application waiting for a decision.
    ClosableCall,
    /// A body for a new faculty call of LAW.
    NewCall,
    /// A faculty call of LAW, closed, not drawn yet.
    ClosedCall,
    /// A faculty call of LAW, closed and drawn.
    DrawnCall,
    /// s1's application to a faculty call of LAW, in the state the route needs.
    Application,
    /// s1's application to a university-wide call (no owning faculty).
    WideApplication,
    /// s1's student record.
    StudentRecord,
    /// A body for a new student record in LLB.
    NewStudentRecord,
    /// The whole audit log, unfiltered: does it hold entries of s1's application?
    EveryEntry,
    /// s1's pending offer in a drawn faculty call of LAW.
    Offer,
    /// s1's accepted offer in a drawn faculty call of LAW.
    AcceptedOffer,
    /// s1's application placed by the draw of a faculty call of LAW.
    DrawnApplication,
    /// The nomination of s1's accepted offer, pending.
    Nomination,
    /// The nomination of s1's accepted offer, sent.
    SentNomination,
    /// s1's report on a stay in Sweden, waiting for a coordinator.
    SubmittedReport,
    /// s1's report, published.
    PublishedReport,
    /// A body for a new report of s1's (who has an accepted offer).
    NewReport,
    /// s1's draft activity in Sweden, giving no credits.
    Activity,
    /// s1's draft activity giving credits: its programme decides first.
    ActivityNeedingApproval,
    /// s1's activity, submitted late: held.
    HeldActivity,
    /// s1's activity, submitted in time: approved.
    ApprovedActivity,
    /// A body for a new activity.
    NewActivity,
}

impl Obj {
    fn describe(self) -> &'static str {
        match self {
            Obj::Nothing => "-",
            Obj::Country => "a country",
            Obj::Programme => "LAW's programme LLB",
            Obj::Institution => "institution whose destinations are all LAW's",
            Obj::SharedInstitution => "institution with a LAW and a university-wide destination",
            Obj::NewInstitution => "a new institution",
            Obj::Destination => "LAW's destination",
            Obj::ArchivedDestination => "LAW's archived destination",
            Obj::NewDestination => "a new destination of LAW",
            Obj::OpenCall => "LAW's published call",
            Obj::DraftCall => "LAW's draft call",
            Obj::ClosableCall => "LAW's open call past its deadline",
            Obj::NewCall => "a new call of LAW",
            Obj::ClosedCall => "LAW's closed call",
            Obj::DrawnCall => "LAW's drawn call",
            Obj::Application => "s1's application to LAW's call",
            Obj::WideApplication => "s1's application to a university-wide call",
            Obj::StudentRecord => "s1's record",
            Obj::NewStudentRecord => "a new record in LLB",
            Obj::EveryEntry => "the whole log: entries of s1's application",
            Obj::Offer => "s1's pending offer in LAW's drawn call",
            Obj::AcceptedOffer => "s1's accepted offer in LAW's drawn call",
            Obj::DrawnApplication => "s1's application placed by LAW's draw",
            Obj::Nomination => "s1's pending nomination",
            Obj::SentNomination => "s1's sent nomination",
            Obj::SubmittedReport => "s1's submitted report",
            Obj::PublishedReport => "s1's published report",
            Obj::NewReport => "a new report of s1's",
            Obj::Activity => "s1's draft activity",
            Obj::ActivityNeedingApproval => "s1's draft activity giving credits",
            Obj::HeldActivity => "s1's held activity",
            Obj::ApprovedActivity => "s1's approved activity in Sweden",
            Obj::NewActivity => "a new activity",
        }
    }
}

type Row = (&'static str, Obj, [u16; 8]);

#[rustfmt::skip]
const TABLE: &[Row] = &[
    // route                                              object                       no token  owner other  own-P other-P office own-F other-F
    ("GET /health",                                       Obj::Nothing,                [200,     200,  200,   200,  200,    200,   200,  200]),
    ("GET /ready",                                        Obj::Nothing,                [200,     200,  200,   200,  200,    200,   200,  200]),
    ("GET /api/v1/me",                                    Obj::Nothing,                [401,     200,  200,   200,  200,    200,   200,  200]),

    // Reference data: read by all; advice is the office's, a programme its faculty's.
    ("GET /api/v1/countries",                             Obj::Country,                [401,     IN,   IN,    IN,   IN,     IN,    IN,   IN ]),
    ("GET /api/v1/countries/{code}",                      Obj::Country,                [401,     200,  200,   200,  200,    200,   200,  200]),
    ("PUT /api/v1/countries/{code}",                      Obj::Country,                [401,     403,  403,   403,  403,    200,   403,  403]),
    ("GET /api/v1/programmes",                            Obj::Programme,              [401,     IN,   IN,    IN,   IN,     IN,    IN,   IN ]),
    ("GET /api/v1/programmes/{code}",                     Obj::Programme,              [401,     200,  200,   200,  200,    200,   200,  200]),
    ("PUT /api/v1/programmes/{code}",                     Obj::Programme,              [401,     403,  403,   403,  403,    200,   200,  403]),

    // Student records: the student, their programme, the office and their faculty's coordinator.
    ("GET /api/v1/students/{number}",                     Obj::StudentRecord,          [401,     200,  404,   200,  404,    200,   200,  404]),
    // An upsert may always create: a role that never writes records gets 403 whether the
    // number exists or not, so the answer tells no student which numbers are taken.
    ("PUT /api/v1/students/{number}",                     Obj::StudentRecord,          [401,     403,  403,   403,  403,    200,   200,  404]),
    ("PUT /api/v1/students/{number}",                     Obj::NewStudentRecord,       [401,     403,  403,   403,  403,    201,   201,  403]),

    // The catalogue: open to all; archived destinations and changes are the owners'.
    ("GET /api/v1/institutions",                          Obj::Institution,            [401,     IN,   IN,    IN,   IN,     IN,    IN,   IN ]),
    ("POST /api/v1/institutions",                         Obj::NewInstitution,         [401,     403,  403,   403,  403,    201,   201,  201]),
    ("GET /api/v1/institutions/{id}",                     Obj::Institution,            [401,     200,  200,   200,  200,    200,   200,  200]),
    ("PATCH /api/v1/institutions/{id}",                   Obj::Institution,            [401,     403,  403,   403,  403,    200,   200,  403]),
    ("PATCH /api/v1/institutions/{id}",                   Obj::SharedInstitution,      [401,     403,  403,   403,  403,    200,   403,  403]),
    ("GET /api/v1/destinations",                          Obj::Destination,            [401,     IN,   IN,    IN,   IN,     IN,    IN,   IN ]),
    ("GET /api/v1/destinations",                          Obj::ArchivedDestination,    [401,     403,  403,   403,  403,    IN,    IN,   OUT]),
    ("POST /api/v1/destinations",                         Obj::NewDestination,         [401,     403,  403,   403,  403,    201,   201,  403]),
    ("GET /api/v1/destinations/{id}",                     Obj::Destination,            [401,     200,  200,   200,  200,    200,   200,  200]),
    ("GET /api/v1/destinations/{id}",                     Obj::ArchivedDestination,    [401,     404,  404,   404,  404,    200,   200,  404]),
    ("PATCH /api/v1/destinations/{id}",                   Obj::Destination,            [401,     403,  403,   403,  403,    200,   200,  403]),
    ("PATCH /api/v1/destinations/{id}",                   Obj::ArchivedDestination,    [401,     404,  404,   404,  404,    200,   200,  404]),

    // Calls: published ones are everyone's to read; drafts and changes are the faculty's.
    ("GET /api/v1/calls",                                 Obj::OpenCall,               [401,     IN,   IN,    IN,   IN,     IN,    IN,   IN ]),
    ("GET /api/v1/calls",                                 Obj::DraftCall,              [401,     OUT,  OUT,   OUT,  OUT,    IN,    IN,   OUT]),
    ("POST /api/v1/calls",                                Obj::NewCall,                [401,     403,  403,   403,  403,    201,   201,  403]),
    ("GET /api/v1/calls/{id}",                            Obj::OpenCall,               [401,     200,  200,   200,  200,    200,   200,  200]),
    ("GET /api/v1/calls/{id}",                            Obj::DraftCall,              [401,     404,  404,   404,  404,    200,   200,  404]),
    ("PATCH /api/v1/calls/{id}",                          Obj::DraftCall,              [401,     404,  404,   404,  404,    200,   200,  404]),
    ("POST /api/v1/calls/{id}/open",                      Obj::DraftCall,              [401,     404,  404,   404,  404,    200,   200,  404]),
    ("POST /api/v1/calls/{id}/close",                     Obj::ClosableCall,           [401,     403,  403,   403,  403,    200,   200,  403]),
    ("GET /api/v1/calls/{id}/places",                     Obj::OpenCall,               [401,     200,  200,   200,  200,    200,   200,  200]),
    ("GET /api/v1/calls/{id}/places",                     Obj::DraftCall,              [401,     404,  404,   404,  404,    200,   200,  404]),
    ("PUT /api/v1/calls/{id}/places",                     Obj::OpenCall,               [401,     403,  403,   403,  403,    200,   200,  403]),
    ("PUT /api/v1/calls/{id}/places",                     Obj::DraftCall,              [401,     404,  404,   404,  404,    200,   200,  404]),
    ("POST /api/v1/calls/{id}/draw",                      Obj::ClosedCall,             [401,     403,  403,   403,  403,    201,   201,  403]),
    ("GET /api/v1/calls/{id}/draw",                       Obj::DrawnCall,              [401,     200,  200,   200,  200,    200,   200,  200]),
    ("GET /api/v1/calls/{id}/draw",                       Obj::OpenCall,               [401,     404,  404,   404,  404,    404,   404,  404]),

    // After the draw: results and nominations are the office's; offers their student's to
    // answer and the office's to read; what is left, everyone's who reads the call.
    ("GET /api/v1/calls/{id}/results",                    Obj::DrawnCall,              [401,     403,  403,   403,  403,    200,   200,  404]),
    ("GET /api/v1/calls/{id}/results",                    Obj::DraftCall,              [401,     404,  404,   404,  404,    404,   404,  404]),
    ("GET /api/v1/calls/{id}/remaining-places",           Obj::DrawnCall,              [401,     200,  200,   200,  200,    200,   200,  200]),
    ("GET /api/v1/calls/{id}/remaining-places",           Obj::DraftCall,              [401,     404,  404,   404,  404,    200,   200,  404]),
    ("GET /api/v1/applications/{id}/explanation",         Obj::DrawnApplication,       [401,     200,  404,   200,  404,    200,   200,  404]),
    ("GET /api/v1/offers",                                Obj::Offer,                  [401,     IN,   OUT,   403,  403,    IN,    IN,   OUT]),
    ("GET /api/v1/offers/{id}",                           Obj::Offer,                  [401,     200,  404,   403,  403,    200,   200,  404]),
    ("POST /api/v1/offers/{id}/accept",                   Obj::Offer,                  [401,     200,  404,   403,  403,    403,   403,  404]),
    ("POST /api/v1/offers/{id}/decline",                  Obj::Offer,                  [401,     200,  404,   403,  403,    403,   403,  404]),
    ("PUT /api/v1/offers/{id}/stay",                      Obj::AcceptedOffer,          [401,     200,  404,   403,  403,    403,   403,  404]),
    ("GET /api/v1/nominations",                           Obj::Nomination,             [401,     403,  403,   403,  403,    IN,    IN,   OUT]),
    ("POST /api/v1/nominations/{id}/sent",                Obj::Nomination,             [401,     403,  403,   403,  403,    200,   200,  404]),
    ("POST /api/v1/nominations/{id}/confirmed",           Obj::SentNomination,         [401,     403,  403,   403,  403,    200,   200,  404]),

    // Activities: the student's to register, the programme's to approve, the office's to
    // decide when held; visible as applications are (the faculty of the student's programme).
    ("POST /api/v1/activities",                           Obj::NewActivity,            [401,     201,  201,   403,  403,    403,   403,  403]),
    ("GET /api/v1/activities",                            Obj::Activity,               [401,     IN,   OUT,   IN,   OUT,    IN,    IN,   OUT]),
    ("GET /api/v1/activities/{id}",                       Obj::Activity,               [401,     200,  404,   200,  404,    200,   200,  404]),
    ("PUT /api/v1/activities/{id}",                       Obj::Activity,               [401,     200,  404,   403,  404,    403,   403,  404]),
    ("POST /api/v1/activities/{id}/programme-decision",   Obj::ActivityNeedingApproval,[401,     403,  404,   200,  404,    403,   403,  404]),
    ("POST /api/v1/activities/{id}/submit",               Obj::Activity,               [401,     200,  404,   403,  404,    403,   403,  404]),
    ("POST /api/v1/activities/{id}/approve",              Obj::HeldActivity,           [401,     403,  404,   403,  404,    200,   200,  404]),
    ("POST /api/v1/activities/{id}/reject",               Obj::HeldActivity,           [401,     403,  404,   403,  404,    200,   200,  404]),
    ("PUT /api/v1/activities/{id}/stay",                  Obj::ApprovedActivity,       [401,     200,  404,   403,  404,    403,   403,  404]),
    ("GET /api/v1/countries/{code}/affected",             Obj::ApprovedActivity,       [401,     403,  403,   403,  403,    IN,    IN,   OUT]),

    // Reports: a student with a real stay writes them (s2 has none); everyone reads the
    // published ones, and coordinators (every faculty's: they share the moderation) all of
    // them, publishing or rejecting each once.
    ("POST /api/v1/reports",                              Obj::NewReport,              [401,     201,  403,   403,  403,    403,   403,  403]),
    ("GET /api/v1/reports",                               Obj::SubmittedReport,        [401,     IN,   OUT,   OUT,  OUT,    IN,    IN,   IN ]),
    ("GET /api/v1/reports",                               Obj::PublishedReport,        [401,     IN,   IN,    IN,   IN,     IN,    IN,   IN ]),
    ("GET /api/v1/reports/{id}",                          Obj::SubmittedReport,        [401,     200,  404,   404,  404,    200,   200,  200]),
    ("GET /api/v1/reports/{id}",                          Obj::PublishedReport,        [401,     200,  200,   200,  200,    200,   200,  200]),
    ("POST /api/v1/reports/{id}/publish",                 Obj::SubmittedReport,        [401,     403,  404,   404,  404,    200,   200,  200]),
    ("POST /api/v1/reports/{id}/publish",                 Obj::PublishedReport,        [401,     403,  403,   403,  403,    409,   409,  409]),
    ("POST /api/v1/reports/{id}/reject",                  Obj::SubmittedReport,        [401,     403,  404,   404,  404,    200,   200,  200]),

    // Applications: the owner's to write, the programme's and the call's faculty's to read.
    ("POST /api/v1/calls/{id}/applications",              Obj::OpenCall,               [401,     201,  201,   403,  403,    403,   403,  403]),
    ("POST /api/v1/calls/{id}/applications",              Obj::DraftCall,              [401,     404,  404,   404,  404,    403,   403,  404]),
    ("GET /api/v1/applications",                          Obj::Application,            [401,     IN,   OUT,   IN,   OUT,    IN,    IN,   OUT]),
    ("GET /api/v1/applications",                          Obj::WideApplication,        [401,     IN,   OUT,   IN,   OUT,    IN,    OUT,  OUT]),
    ("GET /api/v1/applications/{id}",                     Obj::Application,            [401,     200,  404,   200,  404,    200,   200,  404]),
    ("GET /api/v1/applications/{id}",                     Obj::WideApplication,        [401,     200,  404,   200,  404,    200,   404,  404]),
    ("PUT /api/v1/applications/{id}",                     Obj::Application,            [401,     200,  404,   403,  404,    403,   403,  404]),
    ("PUT /api/v1/applications/{id}/documents/{kind}",    Obj::Application,            [401,     200,  404,   403,  404,    403,   403,  404]),
    ("GET /api/v1/applications/{id}/documents/{kind}",    Obj::Application,            [401,     200,  404,   200,  404,    200,   200,  404]),
    ("POST /api/v1/applications/{id}/submit",             Obj::Application,            [401,     200,  404,   403,  404,    403,   403,  404]),
    ("POST /api/v1/applications/{id}/withdraw",           Obj::Application,            [401,     200,  404,   403,  404,    403,   403,  404]),
    ("POST /api/v1/applications/{id}/programme-decision", Obj::Application,            [401,     403,  404,   200,  404,    403,   403,  404]),
    ("POST /api/v1/applications/{id}/review",             Obj::Application,            [401,     403,  404,   403,  404,    200,   200,  404]),
    ("PUT /api/v1/applications/{id}/score",               Obj::Application,            [401,     403,  404,   403,  404,    200,   200,  404]),

    // The audit log: coordinators, and of those only what they may see.
    ("GET /api/v1/audit",                                 Obj::Application,            [401,     403,  403,   403,  403,    IN,    IN,   OUT]),
    ("GET /api/v1/audit",                                 Obj::WideApplication,        [401,     403,  403,   403,  403,    IN,    OUT,  OUT]),
    ("GET /api/v1/audit",                                 Obj::StudentRecord,          [401,     403,  403,   403,  403,    IN,    IN,   OUT]),
    ("GET /api/v1/audit",                                 Obj::DraftCall,              [401,     403,  403,   403,  403,    IN,    IN,   OUT]),
    ("GET /api/v1/audit",                                 Obj::OpenCall,               [401,     403,  403,   403,  403,    IN,    IN,   IN ]),
    ("GET /api/v1/audit",                                 Obj::ArchivedDestination,    [401,     403,  403,   403,  403,    IN,    IN,   OUT]),
    ("GET /api/v1/audit",                                 Obj::Destination,            [401,     403,  403,   403,  403,    IN,    IN,   IN ]),
    ("GET /api/v1/audit",                                 Obj::Institution,            [401,     403,  403,   403,  403,    IN,    IN,   IN ]),
    ("GET /api/v1/audit",                                 Obj::AcceptedOffer,          [401,     403,  403,   403,  403,    IN,    IN,   OUT]),
    ("GET /api/v1/audit",                                 Obj::Nomination,             [401,     403,  403,   403,  403,    IN,    IN,   OUT]),
    ("GET /api/v1/audit",                                 Obj::ApprovedActivity,       [401,     403,  403,   403,  403,    IN,    IN,   OUT]),
    ("GET /api/v1/audit",                                 Obj::PublishedReport,        [401,     403,  403,   403,  403,    IN,    IN,   IN ]),
    ("GET /api/v1/audit",                                 Obj::EveryEntry,             [401,     403,  403,   403,  403,    IN,    IN,   OUT]),
];

/// The routes `abroad_api::openapi::document()` describes, as `METHOD /path`.
fn documented_routes() -> BTreeSet<String> {
    let document = abroad_api::openapi::document();
    let mut routes = BTreeSet::new();
    for (path, item) in &document.paths.paths {
        for (method, present) in [
            ("GET", item.get.is_some()),
            ("PUT", item.put.is_some()),
            ("POST", item.post.is_some()),
            ("PATCH", item.patch.is_some()),
            ("DELETE", item.delete.is_some()),
            ("HEAD", item.head.is_some()),
            ("OPTIONS", item.options.is_some()),
            ("TRACE", item.trace.is_some()),
        ] {
            if present {
                routes.insert(format!("{method} {path}"));
            }
        }
    }
    routes
}

#[test]
fn every_documented_route_has_a_row() {
    let documented = documented_routes();
    let in_table: BTreeSet<String> = TABLE.iter().map(|(r, _, _)| (*r).to_owned()).collect();
    let missing: Vec<_> = documented.difference(&in_table).collect();
    let stale: Vec<_> = in_table.difference(&documented).collect();
    assert!(
        missing.is_empty() && stale.is_empty(),
        "the authorization matrix (tests/service/matrix.rs) is out of step with the OpenAPI document:\n\
         routes with no row (add one saying who may call them): {missing:#?}\n\
         rows for routes the document no longer has: {stale:#?}"
    );
}

/// The resource groups the cells are run in, one world and one test each, in parallel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Group {
    Reference,
    Catalogue,
    Calls,
    Applications,
    Decisions,
    Selection,
    Reports,
    Activities,
    Audit,
}

fn group(route: &str) -> Group {
    let path = route.split_once(' ').map_or(route, |(_, p)| p);
    if path.starts_with("/api/v1/audit") {
        Group::Audit
    } else if path.starts_with("/api/v1/reports") {
        Group::Reports
    } else if path.starts_with("/api/v1/activities") || path.ends_with("/affected") {
        Group::Activities
    } else if path.starts_with("/api/v1/offers")
        || path.starts_with("/api/v1/nominations")
        || path.ends_with("/explanation")
        || path.ends_with("/results")
        || path.ends_with("/remaining-places")
    {
        Group::Selection
    } else if path.ends_with("/programme-decision")
        || path.ends_with("/review")
        || path.ends_with("/score")
    {
        Group::Decisions
    } else if path.starts_with("/api/v1/applications") || path.ends_with("/applications") {
        Group::Applications
    } else if path.starts_with("/api/v1/calls") {
        Group::Calls
    } else if path.starts_with("/api/v1/institutions") || path.starts_with("/api/v1/destinations") {
        Group::Catalogue
    } else {
        Group::Reference
    }
}

/// What a cell sends, and for a list the id (or code) of the object to look for.
struct Cell {
    req: Req,
    listed: Option<String>,
}

impl Cell {
    fn new(req: Req) -> Self {
        Self { req, listed: None }
    }

    fn list(path: String, key: &str) -> Self {
        Self {
            req: Req::get(path),
            listed: Some(key.to_owned()),
        }
    }
}

/// Builds what one caller sends for one row: the object in the state in which the
/// allowed callers' request succeeds, fresh when the request changes something.
async fn prepare(w: &World, route: &str, obj: Obj, who: Who) -> Cell {
    let n = w.next();
    let patch = Method::PATCH;
    let post = Method::POST;
    let put = Method::PUT;
    match (route, obj) {
        ("GET /health", _) => Cell::new(Req::get("/health".to_owned())),
        ("GET /ready", _) => Cell::new(Req::get("/ready".to_owned())),
        ("GET /api/v1/me", _) => Cell::new(Req::get("/api/v1/me".to_owned())),

        ("GET /api/v1/countries", _) => {
            Cell::list("/api/v1/countries?limit=500".to_owned(), COUNTRY)
        }
        ("GET /api/v1/countries/{code}", _) => {
            Cell::new(Req::get(format!("/api/v1/countries/{COUNTRY}")))
        }
        ("PUT /api/v1/countries/{code}", _) => Cell::new(Req::json(
            put,
            format!("/api/v1/countries/{COUNTRY}"),
            json!({"name": "Norway", "advice": if n.is_multiple_of(2) { "green" } else { "yellow" }}),
        )),
        ("GET /api/v1/programmes", _) => Cell::list("/api/v1/programmes?limit=500".to_owned(), P1),
        ("GET /api/v1/programmes/{code}", _) => {
            Cell::new(Req::get(format!("/api/v1/programmes/{P1}")))
        }
        ("PUT /api/v1/programmes/{code}", _) => Cell::new(Req::json(
            put,
            format!("/api/v1/programmes/{P1}"),
            json!({"name": format!("Law, as {} named it", who.label()), "faculty": F, "level": "bachelor"}),
        )),

        ("GET /api/v1/students/{number}", _) => {
            Cell::new(Req::get(format!("/api/v1/students/{S1}")))
        }
        ("PUT /api/v1/students/{number}", Obj::StudentRecord) => Cell::new(Req::json(
            put,
            format!("/api/v1/students/{S1}"),
            student_body(&format!("Student {S1} {n}"), P1, 75),
        )),
        ("PUT /api/v1/students/{number}", _) => Cell::new(Req::json(
            put,
            format!("/api/v1/students/n{n}"),
            student_body(&format!("New Student {n}"), P1, 75),
        )),

        ("GET /api/v1/institutions", _) => {
            Cell::list("/api/v1/institutions?limit=500".to_owned(), &w.institution)
        }
        ("POST /api/v1/institutions", _) => Cell::new(Req::json(
            post,
            "/api/v1/institutions".to_owned(),
            json!({"name": format!("New University {n}"), "country": "SE", "city": "Lund"}),
        )),
        ("GET /api/v1/institutions/{id}", _) => {
            Cell::new(Req::get(format!("/api/v1/institutions/{}", w.institution)))
        }
        ("PATCH /api/v1/institutions/{id}", _) => {
            let id = w.fresh_institution(obj == Obj::Institution).await;
            Cell::new(Req::json(
                patch,
                format!("/api/v1/institutions/{id}"),
                json!({"city": format!("Elsewhere {n}")}),
            ))
        }
        ("GET /api/v1/destinations", Obj::ArchivedDestination) => Cell::list(
            "/api/v1/destinations?archived=true&limit=500".to_owned(),
            &w.archived,
        ),
        ("GET /api/v1/destinations", _) => {
            Cell::list("/api/v1/destinations?limit=500".to_owned(), &w.destination)
        }
        ("POST /api/v1/destinations", _) => Cell::new(Req::json(
            post,
            "/api/v1/destinations".to_owned(),
            faculty_destination(&w.institution),
        )),
        ("GET /api/v1/destinations/{id}", _) => {
            let id = if obj == Obj::ArchivedDestination {
                &w.archived
            } else {
                &w.destination
            };
            Cell::new(Req::get(format!("/api/v1/destinations/{id}")))
        }
        ("PATCH /api/v1/destinations/{id}", _) => {
            let id = w.fresh_destination(obj == Obj::ArchivedDestination).await;
            Cell::new(Req::json(
                patch,
                format!("/api/v1/destinations/{id}"),
                json!({"chance": "high"}),
            ))
        }

        ("GET /api/v1/calls", _) => Cell::list("/api/v1/calls?limit=500".to_owned(), call(w, obj)),
        ("POST /api/v1/calls", _) => Cell::new(Req::json(
            post,
            "/api/v1/calls".to_owned(),
            faculty_call(&format!("Law exchange, new round {n}")),
        )),
        ("GET /api/v1/calls/{id}", _) => {
            Cell::new(Req::get(format!("/api/v1/calls/{}", call(w, obj))))
        }
        ("PATCH /api/v1/calls/{id}", _) => {
            let id = w.fresh_call(CallState::Draft).await;
            Cell::new(Req::json(
                patch,
                format!("/api/v1/calls/{id}"),
                json!({"min_ec": 45}),
            ))
        }
        ("POST /api/v1/calls/{id}/open", _) => {
            let id = w.fresh_call(CallState::Draft).await;
            Cell::new(Req::json(
                post,
                format!("/api/v1/calls/{id}/open"),
                json!({}),
            ))
        }
        ("POST /api/v1/calls/{id}/close", _) => {
            // Nothing waits for a decision; `run_row` moves the clock past the deadline.
            let id = w.fresh_call(CallState::Open).await;
            Cell::new(Req::json(
                post,
                format!("/api/v1/calls/{id}/close"),
                json!({}),
            ))
        }
        ("POST /api/v1/calls/{id}/draw", _) => {
            let id = w.fresh_closed_call().await;
            Cell::new(Req::json(
                post,
                format!("/api/v1/calls/{id}/draw"),
                json!({}),
            ))
        }
        ("GET /api/v1/calls/{id}/draw", Obj::DrawnCall) => {
            let id = w.fresh_drawn_call().await;
            Cell::new(Req::get(format!("/api/v1/calls/{id}/draw")))
        }
        ("GET /api/v1/calls/{id}/draw", _) => {
            Cell::new(Req::get(format!("/api/v1/calls/{}/draw", call(w, obj))))
        }
        ("GET /api/v1/calls/{id}/places", _) => {
            Cell::new(Req::get(format!("/api/v1/calls/{}/places", call(w, obj))))
        }
        ("PUT /api/v1/calls/{id}/places", _) => {
            let state = if obj == Obj::DraftCall {
                CallState::Draft
            } else {
                CallState::Open
            };
            let id = w.fresh_call(state).await;
            let places = json!([
                {"destination_id": w.destination, "semester": "autumn", "places": 3},
                {"destination_id": w.destination, "semester": "spring", "places": 1}
            ]);
            Cell::new(Req::json(put, format!("/api/v1/calls/{id}/places"), places))
        }

        ("POST /api/v1/calls/{id}/applications", _) => {
            let state = if obj == Obj::DraftCall {
                CallState::Draft
            } else {
                CallState::Open
            };
            let id = w.fresh_call(state).await;
            Cell::new(Req::json(
                post,
                format!("/api/v1/calls/{id}/applications"),
                application_body(&w.destination, "autumn"),
            ))
        }
        ("GET /api/v1/applications", _) => Cell::list(
            "/api/v1/applications?limit=500".to_owned(),
            application(w, obj),
        ),
        ("GET /api/v1/applications/{id}", _) => Cell::new(Req::get(format!(
            "/api/v1/applications/{}",
            application(w, obj)
        ))),
        ("PUT /api/v1/applications/{id}", _) => {
            let id = w.fresh_application(ApplicationState::Draft).await;
            Cell::new(Req::json(
                put,
                format!("/api/v1/applications/{id}"),
                application_body(&w.destination, "spring"),
            ))
        }
        ("PUT /api/v1/applications/{id}/documents/{kind}", _) => {
            let id = w.fresh_application(ApplicationState::Draft).await;
            Cell::new(Req::pdf(format!("/api/v1/applications/{id}/documents/cv")))
        }
        ("GET /api/v1/applications/{id}/documents/{kind}", _) => Cell::new(Req::get(format!(
            "/api/v1/applications/{}/documents/cv",
            w.application
        ))),
        ("POST /api/v1/applications/{id}/submit", _) => {
            let id = w.fresh_application(ApplicationState::Draft).await;
            Cell::new(Req::json(
                post,
                format!("/api/v1/applications/{id}/submit"),
                json!({}),
            ))
        }
        ("POST /api/v1/applications/{id}/withdraw", _) => {
            let id = w.fresh_application(ApplicationState::Draft).await;
            Cell::new(Req::json(
                post,
                format!("/api/v1/applications/{id}/withdraw"),
                json!({}),
            ))
        }
        ("POST /api/v1/applications/{id}/programme-decision", _) => {
            let id = w.fresh_application(ApplicationState::Submitted).await;
            Cell::new(Req::json(
                post,
                format!("/api/v1/applications/{id}/programme-decision"),
                json!({"approved": true, "comment": "Fine by us"}),
            ))
        }
        ("POST /api/v1/applications/{id}/review", _) => {
            let id = w.fresh_application(ApplicationState::Approved).await;
            Cell::new(Req::json(
                post,
                format!("/api/v1/applications/{id}/review"),
                json!({"outcome": "eligible", "note": "Good match"}),
            ))
        }
        ("PUT /api/v1/applications/{id}/score", _) => {
            let id = w.fresh_application(ApplicationState::Approved).await;
            Cell::new(Req::json(
                put,
                format!("/api/v1/applications/{id}/score"),
                json!({"score": 7.5}),
            ))
        }

        ("GET /api/v1/calls/{id}/results", Obj::DrawnCall) => {
            let id = w.fresh_drawn_call().await;
            Cell::new(Req::get(format!("/api/v1/calls/{id}/results")))
        }
        ("GET /api/v1/calls/{id}/results", _) => {
            Cell::new(Req::get(format!("/api/v1/calls/{}/results", call(w, obj))))
        }
        ("GET /api/v1/calls/{id}/remaining-places", Obj::DrawnCall) => {
            let id = w.fresh_drawn_call().await;
            Cell::new(Req::get(format!("/api/v1/calls/{id}/remaining-places")))
        }
        ("GET /api/v1/calls/{id}/remaining-places", _) => Cell::new(Req::get(format!(
            "/api/v1/calls/{}/remaining-places",
            call(w, obj)
        ))),
        ("GET /api/v1/applications/{id}/explanation", _) => {
            let (application, _) = w.fresh_offer().await;
            Cell::new(Req::get(format!(
                "/api/v1/applications/{application}/explanation"
            )))
        }
        ("GET /api/v1/offers", _) => {
            let (_, offer) = w.fresh_offer().await;
            Cell::list("/api/v1/offers?limit=500".to_owned(), &offer)
        }
        ("GET /api/v1/offers/{id}", _) => {
            let (_, offer) = w.fresh_offer().await;
            Cell::new(Req::get(format!("/api/v1/offers/{offer}")))
        }
        ("POST /api/v1/offers/{id}/accept", _) => {
            let (_, offer) = w.fresh_offer().await;
            Cell::new(Req::json(
                post,
                format!("/api/v1/offers/{offer}/accept"),
                json!({"regulations_accepted": true}),
            ))
        }
        ("POST /api/v1/offers/{id}/decline", _) => {
            let (_, offer) = w.fresh_offer().await;
            Cell::new(Req::json(
                post,
                format!("/api/v1/offers/{offer}/decline"),
                json!({}),
            ))
        }
        ("PUT /api/v1/offers/{id}/stay", _) => {
            let (offer, _) = w.fresh_nomination(false).await;
            Cell::new(Req::json(
                put,
                format!("/api/v1/offers/{offer}/stay"),
                json!({
                    "start_date": "2027-01-25", "end_date": "2027-06-30",
                    "address": "Studentstaden 12, Uppsala", "phone": "+46 70 123 45 67",
                    "emergency_contact": {"name": "Marieke de Vries", "phone": "+31 6 1234 5678", "relation": "mother"}
                }),
            ))
        }
        ("GET /api/v1/nominations", _) => {
            let (_, nomination) = w.fresh_nomination(false).await;
            Cell::list("/api/v1/nominations?limit=500".to_owned(), &nomination)
        }
        ("POST /api/v1/nominations/{id}/sent", _) => {
            let (_, nomination) = w.fresh_nomination(false).await;
            Cell::new(Req::json(
                post,
                format!("/api/v1/nominations/{nomination}/sent"),
                json!({}),
            ))
        }
        ("POST /api/v1/nominations/{id}/confirmed", _) => {
            let (_, nomination) = w.fresh_nomination(true).await;
            Cell::new(Req::json(
                post,
                format!("/api/v1/nominations/{nomination}/confirmed"),
                json!({}),
            ))
        }

        ("GET /api/v1/audit", Obj::EveryEntry) => {
            Cell::list("/api/v1/audit?limit=500".to_owned(), &w.application)
        }
        ("POST /api/v1/activities", _) => Cell::new(Req::json(
            post,
            "/api/v1/activities".to_owned(),
            json!({"type": "summer_school", "title": format!("Summer school {n}"),
                   "host_organisation": "Stockholm University", "country": "SE", "city": "Stockholm",
                   "start_date": "2027-07-01", "end_date": "2027-07-20"}),
        )),
        ("GET /api/v1/activities", _) => {
            let id = w.fresh_activity(ActivityState::Draft).await;
            Cell::list("/api/v1/activities?limit=500".to_owned(), &id)
        }
        ("GET /api/v1/activities/{id}", _) => {
            let id = w.fresh_activity(ActivityState::Draft).await;
            Cell::new(Req::get(format!("/api/v1/activities/{id}")))
        }
        ("PUT /api/v1/activities/{id}", _) => {
            let id = w.fresh_activity(ActivityState::Draft).await;
            Cell::new(Req::json(
                put,
                format!("/api/v1/activities/{id}"),
                json!({"type": "internship", "title": "Internship, longer",
                       "host_organisation": "Advokatfirman Lind", "country": "SE", "city": "Stockholm",
                       "start_date": "2027-01-10", "end_date": "2027-03-01"}),
            ))
        }
        ("POST /api/v1/activities/{id}/programme-decision", _) => {
            let id = w.fresh_activity(ActivityState::NeedsApproval).await;
            Cell::new(Req::json(
                post,
                format!("/api/v1/activities/{id}/programme-decision"),
                json!({"approved": true, "comment": "Counts for credits"}),
            ))
        }
        ("POST /api/v1/activities/{id}/submit", _) => {
            let id = w.fresh_activity(ActivityState::Draft).await;
            Cell::new(Req::json(
                post,
                format!("/api/v1/activities/{id}/submit"),
                json!({}),
            ))
        }
        ("POST /api/v1/activities/{id}/approve", _) => {
            let id = w.fresh_activity(ActivityState::Held).await;
            Cell::new(Req::json(
                post,
                format!("/api/v1/activities/{id}/approve"),
                json!({}),
            ))
        }
        ("POST /api/v1/activities/{id}/reject", _) => {
            let id = w.fresh_activity(ActivityState::Held).await;
            Cell::new(Req::json(
                post,
                format!("/api/v1/activities/{id}/reject"),
                json!({"reason": "Too late to arrange insurance"}),
            ))
        }
        ("PUT /api/v1/activities/{id}/stay", _) => {
            let id = w.fresh_activity(ActivityState::Approved).await;
            Cell::new(Req::json(
                put,
                format!("/api/v1/activities/{id}/stay"),
                json!({"address": "Sveavägen 1, Stockholm", "phone": "+46 70 111 22 33",
                       "emergency_contact": {"name": "Jan Jansen", "phone": "+31 6 9876 5432", "relation": "father"}}),
            ))
        }
        ("GET /api/v1/countries/{code}/affected", _) => {
            let id = w.fresh_activity(ActivityState::Approved).await;
            Cell::list("/api/v1/countries/SE/affected?limit=500".to_owned(), &id)
        }
        ("GET /api/v1/audit", Obj::ApprovedActivity) => {
            let id = w.fresh_activity(ActivityState::Approved).await;
            Cell::list(
                format!("/api/v1/audit?entity_type=activity&entity_id={id}&limit=500"),
                &id,
            )
        }
        ("POST /api/v1/reports", _) => {
            w.ensure_stay_abroad().await;
            Cell::new(Req::json(
                post,
                "/api/v1/reports".to_owned(),
                w.report_body(&format!("A new report, {n}")),
            ))
        }
        ("GET /api/v1/reports", _) => {
            let id = w.fresh_report(report_state(obj)).await;
            Cell::list("/api/v1/reports?limit=500".to_owned(), &id)
        }
        ("GET /api/v1/reports/{id}", _) => {
            let id = w.fresh_report(report_state(obj)).await;
            Cell::new(Req::get(format!("/api/v1/reports/{id}")))
        }
        ("POST /api/v1/reports/{id}/publish", _) => {
            let id = w.fresh_report(report_state(obj)).await;
            Cell::new(Req::json(
                post,
                format!("/api/v1/reports/{id}/publish"),
                json!({}),
            ))
        }
        ("POST /api/v1/reports/{id}/reject", _) => {
            let id = w.fresh_report(report_state(obj)).await;
            Cell::new(Req::json(
                post,
                format!("/api/v1/reports/{id}/reject"),
                json!({"reason": "It names fellow students"}),
            ))
        }
        ("GET /api/v1/audit", Obj::PublishedReport) => {
            let id = w.fresh_report(ReportState::Published).await;
            Cell::list(
                format!("/api/v1/audit?entity_type=report&entity_id={id}&limit=500"),
                &id,
            )
        }
        ("GET /api/v1/audit", Obj::AcceptedOffer | Obj::Nomination) => {
            let (offer, nomination) = w.fresh_nomination(false).await;
            let (entity_type, entity_id) = if obj == Obj::Nomination {
                ("nomination", nomination)
            } else {
                ("offer", offer)
            };
            Cell::list(
                format!("/api/v1/audit?entity_type={entity_type}&entity_id={entity_id}&limit=500"),
                &entity_id,
            )
        }
        ("GET /api/v1/audit", _) => {
            let (entity_type, entity_id) = match obj {
                Obj::Application | Obj::WideApplication => ("application", application(w, obj)),
                Obj::StudentRecord => ("student", S1),
                Obj::DraftCall | Obj::OpenCall => ("call", call(w, obj)),
                Obj::Destination => ("destination", w.destination.as_str()),
                Obj::ArchivedDestination => ("destination", w.archived.as_str()),
                Obj::Institution => ("institution", w.institution.as_str()),
                other => panic!("the matrix has no audit probe for {other:?}"),
            };
            Cell::list(
                format!("/api/v1/audit?entity_type={entity_type}&entity_id={entity_id}&limit=500"),
                entity_id,
            )
        }

        (route, obj) => panic!(
            "the matrix does not know how to call {route} on {obj:?}: teach `prepare` (tests/service/matrix.rs)"
        ),
    }
}

fn call(w: &World, obj: Obj) -> &str {
    match obj {
        Obj::DraftCall => &w.draft_call,
        _ => &w.open_call,
    }
}

fn application(w: &World, obj: Obj) -> &str {
    match obj {
        Obj::WideApplication => &w.wide_application,
        _ => &w.application,
    }
}

fn report_state(obj: Obj) -> ReportState {
    match obj {
        Obj::PublishedReport => ReportState::Published,
        _ => ReportState::Submitted,
    }
}

/// Whether a list answer holds the object: an item whose `id`, `code` or (audit)
/// `entity_id` is `key`.
fn holds(body: &Value, key: &str) -> bool {
    body["items"].as_array().is_some_and(|items| {
        items.iter().any(|item| {
            ["id", "code", "entity_id"]
                .iter()
                .any(|field| item[field].as_str() == Some(key))
        })
    })
}

fn show(expected: u16) -> String {
    match expected {
        IN => "200 listing it".to_owned(),
        OUT => "200 without it".to_owned(),
        code => code.to_string(),
    }
}

/// Runs one row's cells (those expected to fail first) and answers a line per mismatch.
async fn run_row(w: &World, (route, obj, expected): &Row) -> Vec<String> {
    let mut order: Vec<(usize, Who)> = Who::ALL.iter().copied().enumerate().collect();
    order.sort_by_key(|(i, _)| matches!(expected[*i], IN | OUT | 200..=299));
    let mut mismatches = Vec::new();
    for (i, who) in order {
        let cell = prepare(w, route, *obj, who).await;
        let closing = route.ends_with("/close");
        if closing {
            w.after_deadline(true);
        }
        let response = w.send(&cell.req, who).await;
        if closing {
            w.after_deadline(false);
        }
        let status = response.status.as_u16();
        let body: Value = serde_json::from_slice(&response.body).unwrap_or(Value::Null);
        let (ok, got) = match (expected[i], &cell.listed) {
            (IN | OUT, Some(key)) if status == 200 => {
                let held = holds(&body, key);
                (
                    held == (expected[i] == IN),
                    if held {
                        "200 listing it"
                    } else {
                        "200 without it"
                    }
                    .to_owned(),
                )
            }
            (IN | OUT, _) => (false, status.to_string()),
            (code, _) => (status == code, status.to_string()),
        };
        if !ok {
            let detail = match (body["detail"].as_str(), &cell.listed) {
                (Some(detail), _) => format!("problem: {detail}"),
                (None, Some(_)) => "(a list)".to_owned(),
                (None, None) => {
                    let text = String::from_utf8_lossy(&response.body);
                    format!("body: {}", text.chars().take(100).collect::<String>())
                }
            };
            mismatches.push(format!(
                "{route} [{}] as {}: expected {}, got {got} — {} {} — {detail}",
                obj.describe(),
                who.label(),
                show(expected[i]),
                cell.req.method,
                cell.req.path,
            ));
        }
    }
    mismatches
}

async fn run_group(which: Group) {
    let started = std::time::Instant::now();
    let w = World::build().await;
    let mut mismatches = Vec::new();
    let mut cells = 0;
    for row in TABLE.iter().filter(|(route, _, _)| group(route) == which) {
        cells += 8;
        mismatches.extend(run_row(&w, row).await);
    }
    assert!(cells > 0, "no rows in {which:?}");
    assert!(
        mismatches.is_empty(),
        "{} of {cells} cells of the {which:?} rows differ from SPEC.md (in {:.1?}):\n{}",
        mismatches.len(),
        started.elapsed(),
        mismatches.join("\n")
    );
}

#[actix_web::test]
async fn reference_data_and_student_records_answer_each_caller_as_spec_says() {
    run_group(Group::Reference).await;
}

#[actix_web::test]
async fn the_catalogue_answers_each_caller_as_spec_says() {
    run_group(Group::Catalogue).await;
}

#[actix_web::test]
async fn calls_answer_each_caller_as_spec_says() {
    run_group(Group::Calls).await;
}

#[actix_web::test]
async fn applications_answer_each_caller_as_spec_says() {
    run_group(Group::Applications).await;
}

#[actix_web::test]
async fn decisions_on_applications_answer_each_caller_as_spec_says() {
    run_group(Group::Decisions).await;
}

#[actix_web::test]
async fn the_draw_s_results_offers_and_nominations_answer_each_caller_as_spec_says() {
    run_group(Group::Selection).await;
}

#[actix_web::test]
async fn activities_and_the_affected_list_answer_each_caller_as_spec_says() {
    run_group(Group::Activities).await;
}

#[actix_web::test]
async fn reports_answer_each_caller_as_spec_says() {
    run_group(Group::Reports).await;
}

#[actix_web::test]
async fn the_audit_log_answers_each_caller_as_spec_says() {
    run_group(Group::Audit).await;
}
