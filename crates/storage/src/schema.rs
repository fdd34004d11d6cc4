//! The tables as diesel sees them; kept by hand beside `migrations/`.

diesel::table! {
    countries (code) {
        code -> Bpchar,
        name -> Text,
        advice -> Text,
        advice_updated_at -> Timestamptz,
    }
}

diesel::table! {
    programmes (code) {
        code -> Text,
        name -> Text,
        faculty -> Text,
        level -> Text,
    }
}

diesel::table! {
    audit_log (id) {
        id -> Int8,
        at -> Timestamptz,
        actor -> Text,
        role -> Text,
        action -> Text,
        entity_type -> Text,
        entity_id -> Text,
        before -> Nullable<Jsonb>,
        after -> Nullable<Jsonb>,
        request_id -> Nullable<Text>,
    }
}

diesel::table! {
    institutions (id) {
        id -> Uuid,
        name -> Text,
        country -> Bpchar,
        city -> Text,
        website -> Nullable<Text>,
        erasmus_code -> Nullable<Text>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    destinations (id) {
        id -> Uuid,
        institution_id -> Uuid,
        exchange_type -> Text,
        faculty -> Nullable<Text>,
        offerings -> Jsonb,
        languages -> Jsonb,
        chance -> Text,
        semesters -> Jsonb,
        min_gpa -> Nullable<Double>,
        fees -> Nullable<Text>,
        considerations -> Nullable<Text>,
        website -> Nullable<Text>,
        archived -> Bool,
        sort_key -> Text,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    students (number) {
        number -> Text,
        name -> Text,
        email -> Text,
        programme -> Text,
        level -> Text,
        ec -> Int4,
        gpa -> Nullable<Double>,
        bachelor_gpa -> Nullable<Double>,
        registered -> Bool,
        first_year_diploma -> Bool,
        luc -> Bool,
        joint_degree -> Bool,
        studied_elsewhere -> Bool,
        updated_at -> Timestamptz,
    }
}

diesel::joinable!(institutions -> countries (country));
diesel::joinable!(destinations -> institutions (institution_id));
diesel::joinable!(students -> programmes (programme));

diesel::table! {
    /// `seed` is left out of every read but the draw's: it stays secret until then.
    calls (id) {
        id -> Uuid,
        name -> Text,
        scheme -> Text,
        faculty -> Nullable<Text>,
        activity -> Text,
        semesters -> Array<Text>,
        opens_at -> Timestamptz,
        deadline -> Timestamptz,
        min_choices -> Int4,
        max_choices -> Int4,
        max_low_chance -> Nullable<Int4>,
        min_ec -> Int4,
        max_ec -> Nullable<Int4>,
        ec_applies_to -> Nullable<Text>,
        requires_first_year_diploma -> Bool,
        min_gpa -> Nullable<Double>,
        motivation_per_choice -> Bool,
        motivation_min_words -> Nullable<Int4>,
        motivation_max_words -> Nullable<Int4>,
        required_documents -> Array<Text>,
        transcript_rule -> Bool,
        selection -> Text,
        offer_days -> Int4,
        parent_call_id -> Nullable<Uuid>,
        status -> Text,
        seed -> Nullable<Bytea>,
        commitment -> Nullable<Text>,
        closed_at -> Nullable<Timestamptz>,
        inputs_digest -> Nullable<Text>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    call_places (call_id, destination_id, semester) {
        call_id -> Uuid,
        destination_id -> Uuid,
        semester -> Text,
        places -> Int4,
    }
}

diesel::table! {
    applications (id) {
        id -> Uuid,
        call_id -> Uuid,
        student -> Text,
        programme -> Text,
        semester -> Text,
        plan_b -> Bool,
        status -> Text,
        score -> Nullable<Double>,
        programme_decision -> Nullable<Text>,
        programme_comment -> Nullable<Text>,
        programme_decided_by -> Nullable<Text>,
        programme_decided_at -> Nullable<Timestamptz>,
        review_outcome -> Nullable<Text>,
        review_note -> Nullable<Text>,
        reviewed_by -> Nullable<Text>,
        reviewed_at -> Nullable<Timestamptz>,
        submitted_at -> Nullable<Timestamptz>,
        withdrawn_at -> Nullable<Timestamptz>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    application_choices (application_id, rank) {
        application_id -> Uuid,
        rank -> Int4,
        destination_id -> Uuid,
        motivation -> Nullable<Text>,
    }
}

diesel::table! {
    application_documents (application_id, kind) {
        application_id -> Uuid,
        kind -> Text,
        content -> Bytea,
        sha256 -> Text,
        size -> Int4,
        uploaded_at -> Timestamptz,
    }
}

diesel::table! {
    draws (call_id) {
        call_id -> Uuid,
        algorithm -> Text,
        drawn_at -> Timestamptz,
        inputs -> Jsonb,
        ranking -> Jsonb,
        placements -> Jsonb,
        placed -> Int4,
        unplaced -> Int4,
    }
}

diesel::table! {
    offers (id) {
        id -> Uuid,
        call_id -> Uuid,
        application_id -> Uuid,
        destination_id -> Uuid,
        semester -> Text,
        status -> Text,
        expires_at -> Timestamptz,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        answered_at -> Nullable<Timestamptz>,
        stay_start -> Nullable<Date>,
        stay_end -> Nullable<Date>,
        stay_address -> Nullable<Text>,
        stay_phone -> Nullable<Text>,
        emergency_name -> Nullable<Text>,
        emergency_phone -> Nullable<Text>,
        emergency_relation -> Nullable<Text>,
        stay_updated_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    activities (id) {
        id -> Uuid,
        student -> Text,
        programme -> Text,
        #[sql_name = "type"]
        activity_type -> Text,
        title -> Text,
        host_organisation -> Text,
        country -> Text,
        city -> Text,
        start_date -> Date,
        end_date -> Date,
        credits -> Bool,
        funding -> Bool,
        transcript -> Bool,
        status -> Text,
        programme_decision -> Nullable<Text>,
        programme_comment -> Nullable<Text>,
        programme_decided_by -> Nullable<Text>,
        programme_decided_at -> Nullable<Timestamptz>,
        submitted_at -> Nullable<Timestamptz>,
        decided_by -> Nullable<Text>,
        decided_at -> Nullable<Timestamptz>,
        reject_reason -> Nullable<Text>,
        stay_address -> Nullable<Text>,
        stay_phone -> Nullable<Text>,
        emergency_name -> Nullable<Text>,
        emergency_phone -> Nullable<Text>,
        emergency_relation -> Nullable<Text>,
        stay_updated_at -> Nullable<Timestamptz>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    nominations (id) {
        id -> Uuid,
        offer_id -> Uuid,
        call_id -> Uuid,
        institution_id -> Uuid,
        status -> Text,
        sent_at -> Nullable<Timestamptz>,
        confirmed_at -> Nullable<Timestamptz>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    /// `search` (tsvector) is left out: only raw SQL fragments read it.
    reports (id) {
        id -> Uuid,
        student -> Text,
        country -> Bpchar,
        institution_id -> Nullable<Uuid>,
        faculty -> Nullable<Text>,
        activity -> Text,
        period -> Text,
        title -> Text,
        body -> Text,
        status -> Text,
        reject_reason -> Nullable<Text>,
        decided_by -> Nullable<Text>,
        decided_at -> Nullable<Timestamptz>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::joinable!(call_places -> calls (call_id));
diesel::joinable!(call_places -> destinations (destination_id));
diesel::joinable!(applications -> calls (call_id));
diesel::joinable!(application_choices -> applications (application_id));
diesel::joinable!(application_choices -> destinations (destination_id));
diesel::joinable!(application_documents -> applications (application_id));
diesel::joinable!(applications -> students (student));
diesel::joinable!(offers -> applications (application_id));
diesel::joinable!(offers -> destinations (destination_id));
diesel::joinable!(nominations -> offers (offer_id));
diesel::joinable!(nominations -> institutions (institution_id));
diesel::joinable!(activities -> students (student));
diesel::joinable!(activities -> programmes (programme));
diesel::joinable!(activities -> countries (country));
diesel::joinable!(reports -> students (student));
diesel::joinable!(reports -> countries (country));
diesel::joinable!(reports -> institutions (institution_id));
diesel::allow_tables_to_appear_in_same_query!(
    calls,
    call_places,
    reports,
    applications,
    application_choices,
    application_documents,
    destinations,
    institutions,
    countries,
    students,
    programmes,
    audit_log,
    draws,
    offers,
    nominations,
    activities
);

diesel::table! {
    /// One row: raised by every statement that writes the catalogue (migration 10).
    catalogue_version (only_row) {
        only_row -> Bool,
        version -> Int8,
    }
}
