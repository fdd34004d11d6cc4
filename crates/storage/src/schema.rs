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
    /// `search` (tsvector) is left out: only raw SQL fragments read it.
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
diesel::allow_tables_to_appear_in_same_query!(
    audit_log,
    countries,
    programmes,
    institutions,
    destinations,
    students
);
