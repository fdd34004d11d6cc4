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
