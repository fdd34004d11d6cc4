//! The world the authorization matrix (`matrix.rs`) runs in: two faculties, a student
//! of each, the eight kinds of caller, and the objects they reach for, built through
//! the API as the office would. `fresh_*` makes a new object for one cell, so that what
//! one caller does (or wrongly manages to do) cannot change what the next one meets.

use crate::scheme::{before_deadline, deadline, university_wide_call};
use crate::support::{Response, TestApp, claims, coordinator, faculty_coordinator, sign, token};
use actix_web::http::{Method, header};
use actix_web::test::TestRequest;
use serde_json::{Value, json};
use std::cell::Cell;

/// The owning faculty, and another one.
pub const F: &str = "LAW";
pub const G: &str = "SCI";
/// The owning student's programme (of F), and another student's (of G).
pub const P1: &str = "LLB";
pub const P2: &str = "PHY";
/// The owning student (in P1) and another student (in P2).
pub const S1: &str = "s1";
pub const S2: &str = "s2";
/// The country of every destination here, and the one whose advice the matrix sets.
const HOST: &str = "SE";
pub const COUNTRY: &str = "NO";

pub const PDF: &[u8] =
    b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n";

/// The eight callers, in the order of the matrix's columns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Who {
    NoToken,
    Owner,
    OtherStudent,
    OwnProgramme,
    OtherProgramme,
    Office,
    OwnFaculty,
    OtherFaculty,
}

impl Who {
    pub const ALL: [Who; 8] = [
        Who::NoToken,
        Who::Owner,
        Who::OtherStudent,
        Who::OwnProgramme,
        Who::OtherProgramme,
        Who::Office,
        Who::OwnFaculty,
        Who::OtherFaculty,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Who::NoToken => "no token",
            Who::Owner => "owning student (s1, LLB of LAW)",
            Who::OtherStudent => "other student (s2, PHY of SCI)",
            Who::OwnProgramme => "own programme (LLB)",
            Who::OtherProgramme => "other programme (PHY)",
            Who::Office => "office coordinator",
            Who::OwnFaculty => "LAW's coordinator",
            Who::OtherFaculty => "SCI's coordinator",
        }
    }

    pub fn token(self) -> Option<String> {
        match self {
            Who::NoToken => None,
            Who::Owner => Some(token("student", S1)),
            Who::OtherStudent => Some(token("student", S2)),
            Who::OwnProgramme => Some(programme_token(P1)),
            Who::OtherProgramme => Some(programme_token(P2)),
            Who::Office => Some(coordinator()),
            Who::OwnFaculty => Some(faculty_coordinator(F)),
            Who::OtherFaculty => Some(faculty_coordinator(G)),
        }
    }
}

fn programme_token(programme: &str) -> String {
    let mut c = claims(
        "programme",
        &format!("{}-contact", programme.to_lowercase()),
    );
    c.programmes = vec![programme.to_owned()];
    sign(&c)
}

/// What a request carries.
#[derive(Debug, Clone)]
pub enum Body {
    Empty,
    Json(Value),
    Pdf,
}

/// One request of a cell, before a caller's token is put on it.
#[derive(Debug, Clone)]
pub struct Req {
    pub method: Method,
    pub path: String,
    pub body: Body,
}

impl Req {
    pub fn get(path: String) -> Self {
        Self {
            method: Method::GET,
            path,
            body: Body::Empty,
        }
    }

    pub fn json(method: Method, path: String, body: Value) -> Self {
        Self {
            method,
            path,
            body: Body::Json(body),
        }
    }

    pub fn pdf(path: String) -> Self {
        Self {
            method: Method::PUT,
            path,
            body: Body::Pdf,
        }
    }

    pub fn request(&self, token: Option<&str>) -> TestRequest {
        let request = TestRequest::default()
            .method(self.method.clone())
            .uri(&self.path);
        let request = match &self.body {
            Body::Empty => request,
            Body::Json(body) => request
                .insert_header((header::CONTENT_TYPE, "application/json"))
                .set_payload(body.to_string()),
            Body::Pdf => request
                .insert_header((header::CONTENT_TYPE, "application/pdf"))
                .set_payload(PDF.to_vec()),
        };
        match token {
            Some(token) => {
                request.insert_header((header::AUTHORIZATION, format!("Bearer {token}")))
            }
            None => request,
        }
    }
}

/// The objects every cell may read, built once per world.
pub struct World {
    pub app: TestApp,
    /// An institution whose every destination is owned by F.
    pub institution: String,
    /// A non-archived faculty destination of F (at `institution`).
    pub destination: String,
    /// An archived faculty destination of F (at `institution`).
    pub archived: String,
    /// An institution with a destination of F and a university-wide one.
    pub shared_institution: String,
    /// A university-wide destination (at `shared_institution`).
    pub wide_destination: String,
    /// A published (open) faculty call of F with places at `destination`.
    pub open_call: String,
    /// A draft faculty call of F with places at `destination`.
    pub draft_call: String,
    /// An open university-wide call with places at `wide_destination`.
    pub wide_call: String,
    /// S1's application to `open_call`: a complete draft with a `cv` uploaded.
    pub application: String,
    /// S1's draft application to `wide_call`.
    pub wide_application: String,
    counter: Cell<u32>,
}

/// The states a fresh call can be made in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CallState {
    Draft,
    Open,
}

/// The states a fresh activity of S1 (in Sweden) can be made in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ActivityState {
    /// A draft that gives no credits: it may be submitted without the programme.
    Draft,
    /// A draft that gives credits: the programme decides first.
    NeedsApproval,
    /// Submitted four days before departure: held for a coordinator.
    Held,
    /// Submitted well ahead: approved.
    Approved,
}

/// The states a fresh report of S1 can be made in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportState {
    /// Written, waiting for a coordinator.
    Submitted,
    /// Published by the office.
    Published,
}

/// The states a fresh application of S1 can be made in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ApplicationState {
    /// A draft that would pass every rule at submit.
    Draft,
    Submitted,
    /// Submitted and approved by its programme.
    Approved,
}

/// A faculty call of F whose rules a one-choice application with a short motivation meets.
pub fn faculty_call(name: &str) -> Value {
    json!({
        "name": name,
        "scheme": "faculty", "faculty": F,
        "activity": "semester_exchange",
        "semesters": ["autumn", "spring"],
        "opens_at": "2026-11-01T09:00:00+01:00",
        "deadline": "2026-12-01T23:59:00+01:00",
        "min_choices": 1, "max_choices": 5,
        "min_ec": 60,
        "motivation": {"per_choice": true, "min_words": 5, "max_words": 500},
        "required_documents": [],
        "selection": "ranking", "offer_days": 7
    })
}

/// A faculty agreement of F: bachelors and masters of any programme, both semesters.
pub fn faculty_destination(institution: &str) -> Value {
    json!({
        "institution_id": institution,
        "exchange_type": "faculty",
        "faculty": F,
        "offerings": [
            {"level": "bachelor", "activity": "semester_exchange"},
            {"level": "master", "activity": "semester_exchange"}
        ],
        "languages": [{"code": "en", "min_level": "B2"}],
        "chance": "medium",
        "semesters": [{"semester": "autumn"}, {"semester": "spring"}]
    })
}

pub fn wide_destination(institution: &str) -> Value {
    let mut body = faculty_destination(institution);
    body["exchange_type"] = json!("university_wide");
    body["faculty"] = json!(null);
    body
}

/// An application to a call of F with its one place: complete.
pub fn application_body(destination: &str, semester: &str) -> Value {
    json!({"semester": semester, "plan_b": false, "choices": [
        {"destination_id": destination, "motivation": "I want to study comparative law in Sweden."}
    ]})
}

pub fn student_body(name: &str, programme: &str, ec: i64) -> Value {
    json!({"name": name, "email": format!("{}@umail.example.nl", name.to_lowercase().replace(' ', ".")),
           "programme": programme, "level": "bachelor", "ec": ec, "gpa": 7.5,
           "registered": true, "first_year_diploma": true})
}

/// Sends as the office (or whoever `token` is) and insists on success: the world must be right.
async fn setup(app: &TestApp, req: Req, token: &str) -> Value {
    let response = app.send(req.request(Some(token))).await;
    assert!(
        response.status.is_success(),
        "setting up the matrix's world: {} {} answered {}: {}",
        req.method,
        req.path,
        response.status,
        String::from_utf8_lossy(&response.body)
    );
    if response.body.is_empty() {
        Value::Null
    } else {
        response.json()
    }
}

fn id(v: &Value) -> String {
    v["id"].as_str().expect("an id").to_owned()
}

impl World {
    pub async fn build() -> World {
        let app = TestApp::new();
        app.set_now(before_deadline());
        let office = coordinator();
        for (code, name) in [(HOST, "Sweden"), (COUNTRY, "Norway")] {
            let body = json!({"name": name, "advice": "green"});
            setup(
                &app,
                Req::json(Method::PUT, format!("/api/v1/countries/{code}"), body),
                &office,
            )
            .await;
        }
        for (code, faculty) in [(P1, F), (P2, G)] {
            let body = json!({"name": format!("Programme {code}"), "faculty": faculty, "level": "bachelor"});
            setup(
                &app,
                Req::json(Method::PUT, format!("/api/v1/programmes/{code}"), body),
                &office,
            )
            .await;
        }
        for (number, programme) in [(S1, P1), (S2, P2)] {
            setup(
                &app,
                Req::json(
                    Method::PUT,
                    format!("/api/v1/students/{number}"),
                    student_body(&format!("Student {number}"), programme, 75),
                ),
                &office,
            )
            .await;
        }
        let mut world = World {
            app,
            institution: String::new(),
            destination: String::new(),
            archived: String::new(),
            shared_institution: String::new(),
            wide_destination: String::new(),
            open_call: String::new(),
            draft_call: String::new(),
            wide_call: String::new(),
            application: String::new(),
            wide_application: String::new(),
            counter: Cell::new(0),
        };
        world.institution = world.fresh_institution(true).await;
        world.destination = world.fresh_destination(false).await;
        world.archived = world.fresh_destination(true).await;
        world.shared_institution = world.fresh_institution(false).await;
        let wide = setup(
            &world.app,
            Req::json(
                Method::POST,
                "/api/v1/destinations".to_owned(),
                wide_destination(&world.shared_institution),
            ),
            &office,
        )
        .await;
        world.wide_destination = id(&wide);
        world.open_call = world.fresh_call(CallState::Open).await;
        world.draft_call = world.fresh_call(CallState::Draft).await;
        world.application = world
            .fresh_application_to(&world.open_call, ApplicationState::Draft)
            .await;
        setup(
            &world.app,
            Req::pdf(format!(
                "/api/v1/applications/{}/documents/cv",
                world.application
            )),
            &token("student", S1),
        )
        .await;

        let wide_call = setup(
            &world.app,
            Req::json(
                Method::POST,
                "/api/v1/calls".to_owned(),
                university_wide_call(),
            ),
            &office,
        )
        .await;
        world.wide_call = id(&wide_call);
        world
            .put_places(&world.wide_call, &world.wide_destination)
            .await;
        setup(
            &world.app,
            Req::json(
                Method::POST,
                format!("/api/v1/calls/{}/open", world.wide_call),
                json!({}),
            ),
            &office,
        )
        .await;
        let wide_application = setup(
            &world.app,
            Req::json(
                Method::POST,
                format!("/api/v1/calls/{}/applications", world.wide_call),
                json!({"semester": "autumn", "plan_b": false, "choices": []}),
            ),
            &token("student", S1),
        )
        .await;
        world.wide_application = id(&wide_application);
        world
    }

    /// A number no other fresh object of this world has used.
    pub fn next(&self) -> u32 {
        let n = self.counter.get() + 1;
        self.counter.set(n);
        n
    }

    /// A new institution with a destination of F, and unless `all_f` a university-wide one too.
    pub async fn fresh_institution(&self, all_f: bool) -> String {
        let office = coordinator();
        let n = self.next();
        let body = json!({"name": format!("Partner University {n}"), "country": HOST, "city": format!("City {n}")});
        let institution = id(&setup(
            &self.app,
            Req::json(Method::POST, "/api/v1/institutions".to_owned(), body),
            &office,
        )
        .await);
        setup(
            &self.app,
            Req::json(
                Method::POST,
                "/api/v1/destinations".to_owned(),
                faculty_destination(&institution),
            ),
            &office,
        )
        .await;
        if !all_f {
            setup(
                &self.app,
                Req::json(
                    Method::POST,
                    "/api/v1/destinations".to_owned(),
                    wide_destination(&institution),
                ),
                &office,
            )
            .await;
        }
        institution
    }

    /// A new faculty destination of F at the world's institution, archived or not.
    pub async fn fresh_destination(&self, archived: bool) -> String {
        let office = coordinator();
        let created = id(&setup(
            &self.app,
            Req::json(
                Method::POST,
                "/api/v1/destinations".to_owned(),
                faculty_destination(&self.institution),
            ),
            &office,
        )
        .await);
        if archived {
            setup(
                &self.app,
                Req::json(
                    Method::PATCH,
                    format!("/api/v1/destinations/{created}"),
                    json!({"archived": true}),
                ),
                &office,
            )
            .await;
        }
        created
    }

    async fn put_places(&self, call: &str, destination: &str) {
        let places: Vec<Value> = ["autumn", "spring"]
            .iter()
            .map(|s| json!({"destination_id": destination, "semester": s, "places": 2}))
            .collect();
        setup(
            &self.app,
            Req::json(
                Method::PUT,
                format!("/api/v1/calls/{call}/places"),
                json!(places),
            ),
            &coordinator(),
        )
        .await;
    }

    /// A new faculty call of F with places at the world's destination, made by the office.
    pub async fn fresh_call(&self, state: CallState) -> String {
        let office = coordinator();
        let n = self.next();
        let call = id(&setup(
            &self.app,
            Req::json(
                Method::POST,
                "/api/v1/calls".to_owned(),
                faculty_call(&format!("Law exchange, round {n}")),
            ),
            &office,
        )
        .await);
        self.put_places(&call, &self.destination).await;
        if state == CallState::Open {
            setup(
                &self.app,
                Req::json(
                    Method::POST,
                    format!("/api/v1/calls/{call}/open"),
                    json!({}),
                ),
                &office,
            )
            .await;
        }
        call
    }

    /// A new faculty call of F, opened and then closed by the office after its deadline
    /// (no application waits), ready to be drawn.
    pub async fn fresh_closed_call(&self) -> String {
        let call = self.fresh_call(CallState::Open).await;
        self.after_deadline(true);
        setup(
            &self.app,
            Req::json(
                Method::POST,
                format!("/api/v1/calls/{call}/close"),
                json!({}),
            ),
            &coordinator(),
        )
        .await;
        self.after_deadline(false);
        call
    }

    /// A new faculty call of F, closed and drawn by the office.
    pub async fn fresh_drawn_call(&self) -> String {
        let call = self.fresh_closed_call().await;
        setup(
            &self.app,
            Req::json(
                Method::POST,
                format!("/api/v1/calls/{call}/draw"),
                json!({}),
            ),
            &coordinator(),
        )
        .await;
        call
    }

    /// S1's application, reviewed eligible, in a new call of F that has been closed and
    /// drawn: S1 is placed and holds a pending offer. Answers (application, offer).
    pub async fn fresh_offer(&self) -> (String, String) {
        self.after_deadline(false);
        let office = coordinator();
        let call = self.fresh_call(CallState::Open).await;
        let application = self
            .fresh_application_to(&call, ApplicationState::Approved)
            .await;
        setup(
            &self.app,
            Req::json(
                Method::POST,
                format!("/api/v1/applications/{application}/review"),
                json!({"outcome": "eligible", "note": "Good match"}),
            ),
            &office,
        )
        .await;
        // The faculty's calls rank by the office's score.
        setup(
            &self.app,
            Req::json(
                Method::PUT,
                format!("/api/v1/applications/{application}/score"),
                json!({"score": 7.5}),
            ),
            &office,
        )
        .await;
        self.after_deadline(true);
        for step in ["close", "draw"] {
            setup(
                &self.app,
                Req::json(
                    Method::POST,
                    format!("/api/v1/calls/{call}/{step}"),
                    json!({}),
                ),
                &office,
            )
            .await;
        }
        // An hour after the draw: the offer is there and open.
        self.app.set_now(deadline() + chrono::Duration::hours(1));
        let offers = setup(
            &self.app,
            Req::get(format!("/api/v1/offers?call_id={call}")),
            &office,
        )
        .await;
        (application, id(&offers["items"][0]))
    }

    /// An offer of S1's that S1 has accepted; answers (offer, nomination), the
    /// nomination marked sent by the office when `sent`.
    pub async fn fresh_nomination(&self, sent: bool) -> (String, String) {
        let (_, offer) = self.fresh_offer().await;
        let accepted = setup(
            &self.app,
            Req::json(
                Method::POST,
                format!("/api/v1/offers/{offer}/accept"),
                json!({"regulations_accepted": true}),
            ),
            &token("student", S1),
        )
        .await;
        let nomination = accepted["nomination_id"]
            .as_str()
            .expect("a nomination id")
            .to_owned();
        if sent {
            setup(
                &self.app,
                Req::json(
                    Method::POST,
                    format!("/api/v1/nominations/{nomination}/sent"),
                    json!({}),
                ),
                &coordinator(),
            )
            .await;
        }
        (offer, nomination)
    }

    /// A new activity of S1's in Sweden, in `state`, at the world's usual moment.
    pub async fn fresh_activity(&self, state: ActivityState) -> String {
        self.after_deadline(false);
        let owner = token("student", S1);
        // The world's day is 2026-11-21: four days before departure is held.
        let start = if state == ActivityState::Held {
            "2026-11-25"
        } else {
            "2027-01-10"
        };
        let body = json!({"type": "internship", "title": "Internship at a law firm",
                          "host_organisation": "Advokatfirman Lind", "country": HOST, "city": "Stockholm",
                          "start_date": start, "end_date": "2027-02-01",
                          "credits": state == ActivityState::NeedsApproval});
        let activity = id(&setup(
            &self.app,
            Req::json(Method::POST, "/api/v1/activities".to_owned(), body),
            &owner,
        )
        .await);
        if matches!(state, ActivityState::Held | ActivityState::Approved) {
            setup(
                &self.app,
                Req::json(
                    Method::POST,
                    format!("/api/v1/activities/{activity}/submit"),
                    json!({}),
                ),
                &owner,
            )
            .await;
        }
        activity
    }

    /// Gives S1 a real stay abroad (an accepted offer) unless S1 has one already:
    /// only such a student writes reports.
    pub async fn ensure_stay_abroad(&self) {
        let accepted = setup(
            &self.app,
            Req::get("/api/v1/offers?status=accepted&limit=1".to_owned()),
            &token("student", S1),
        )
        .await;
        if accepted["items"].as_array().is_none_or(Vec::is_empty) {
            self.fresh_nomination(false).await;
        }
    }

    /// A body for a new report of S1's on a semester in Sweden at the world's institution.
    pub fn report_body(&self, title: &str) -> Value {
        json!({"country": HOST, "institution_id": self.institution, "faculty": F,
               "activity": "semester_exchange", "period": "autumn 2026", "title": title,
               "body": "Lectures in English, a law faculty by the water, and a student union\nthat organised everything."})
    }

    /// A new report of S1's (who is given a stay abroad first if need be), in `state`.
    pub async fn fresh_report(&self, state: ReportState) -> String {
        self.ensure_stay_abroad().await;
        let n = self.next();
        let report = id(&setup(
            &self.app,
            Req::json(
                Method::POST,
                "/api/v1/reports".to_owned(),
                self.report_body(&format!("A semester in Sweden, part {n}")),
            ),
            &token("student", S1),
        )
        .await);
        if state == ReportState::Published {
            setup(
                &self.app,
                Req::json(
                    Method::POST,
                    format!("/api/v1/reports/{report}/publish"),
                    json!({}),
                ),
                &coordinator(),
            )
            .await;
        }
        report
    }

    /// A new application of S1, to a new open call of F, in `state`.
    pub async fn fresh_application(&self, state: ApplicationState) -> String {
        let call = self.fresh_call(CallState::Open).await;
        self.fresh_application_to(&call, state).await
    }

    async fn fresh_application_to(&self, call: &str, state: ApplicationState) -> String {
        let owner = token("student", S1);
        let application = id(&setup(
            &self.app,
            Req::json(
                Method::POST,
                format!("/api/v1/calls/{call}/applications"),
                application_body(&self.destination, "autumn"),
            ),
            &owner,
        )
        .await);
        if state == ApplicationState::Draft {
            return application;
        }
        setup(
            &self.app,
            Req::json(
                Method::POST,
                format!("/api/v1/applications/{application}/submit"),
                json!({}),
            ),
            &owner,
        )
        .await;
        if state == ApplicationState::Submitted {
            return application;
        }
        setup(
            &self.app,
            Req::json(
                Method::POST,
                format!("/api/v1/applications/{application}/programme-decision"),
                json!({"approved": true, "comment": "Fine by us"}),
            ),
            &programme_token(P1),
        )
        .await;
        application
    }

    /// Moves the clock past the fixture calls' deadline, or back before it.
    pub fn after_deadline(&self, after: bool) {
        if after {
            self.app.set_now(deadline() + chrono::Duration::seconds(1));
        } else {
            self.app.set_now(before_deadline());
        }
    }

    pub async fn send(&self, req: &Req, who: Who) -> Response {
        self.app.send(req.request(who.token().as_deref())).await
    }
}
