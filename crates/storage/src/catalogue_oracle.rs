//! The catalogue search as SQL: what the service ran before it searched in memory,
//! kept only as the oracle the in-memory search is tested against.
//!
//! Every filter is a query of its own kind (JSONB containment for offerings,
//! languages and semesters, a join for the country), so the two implementations share
//! nothing but the rules. Free text follows `abroad_domain::catalogue::words` written
//! in SQL: `lower(unaccent(text))` split on `[^[:alnum:]]+`, each word the start of
//! some part. The order is bytewise (`COLLATE "C"`), as in memory.

use crate::StorageError;
use crate::schema::{countries, destinations, institutions};
use abroad_domain::catalogue::{Filter, Reader};
use diesel::dsl::sql;
use diesel::prelude::*;
use diesel::sql_types::{Array, Bool, Text};
use serde_json::{Value, json};
use uuid::Uuid;

/// The ids of one page, and the key the next page starts after (when more follow).
pub type OraclePage = (Vec<Uuid>, Option<(String, Uuid)>);

/// One page of the search, in list order.
pub fn search(
    conn: &mut PgConnection,
    reader: &Reader,
    filter: &Filter,
    after: Option<(String, Uuid)>,
    limit: i64,
) -> Result<OraclePage, StorageError> {
    let mut query = destinations::table
        .inner_join(institutions::table.inner_join(countries::table))
        .select((destinations::id, destinations::sort_key))
        .filter(destinations::archived.eq(filter.archived))
        .into_boxed();
    if filter.archived {
        match reader {
            Reader::Office => {}
            Reader::Faculty(f) => query = query.filter(destinations::faculty.eq(f.clone())),
            Reader::Anyone => query = query.filter(sql::<Bool>("false")),
        }
    }
    if let Some(country) = &filter.country {
        query = query.filter(institutions::country.eq(country.clone()));
    }
    if let Some(exchange_type) = filter.exchange_type {
        query = query.filter(destinations::exchange_type.eq(exchange_type.as_str()));
    }
    if let Some(faculty) = &filter.faculty {
        query = query.filter(destinations::faculty.eq(faculty.clone()));
    }
    if let Some(chance) = filter.chance {
        query = query.filter(destinations::chance.eq(chance.as_str()));
    }
    let mut offering = serde_json::Map::new();
    if let Some(level) = filter.level {
        offering.insert("level".into(), json!(level));
    }
    if let Some(activity) = filter.activity {
        offering.insert("activity".into(), json!(activity));
    }
    match &filter.programme {
        Some(programme) => {
            let mut for_it = offering.clone();
            for_it.insert("programme".into(), json!(programme));
            let mut for_all = offering;
            for_all.insert("programme".into(), Value::Null);
            query = query.filter(
                destinations::offerings
                    .contains(json!([for_it]))
                    .or(destinations::offerings.contains(json!([for_all]))),
            );
        }
        None if !offering.is_empty() => {
            query = query.filter(destinations::offerings.contains(json!([offering])));
        }
        None => {}
    }
    if let Some(language) = &filter.language {
        query = query.filter(destinations::languages.contains(json!([{ "code": language }])));
    }
    if let Some(semester) = filter.semester {
        query = query.filter(destinations::semesters.contains(json!([{ "semester": semester }])));
    }
    match &filter.words {
        Some(words) if words.is_empty() => query = query.filter(sql::<Bool>("false")),
        Some(words) => {
            query = query.filter(
                sql::<Bool>("NOT EXISTS (SELECT 1 FROM unnest(")
                    .bind::<Array<Text>, _>(words.clone())
                    .sql(
                        ") AS w WHERE NOT EXISTS (SELECT 1 FROM regexp_split_to_table(\
                         lower(public.unaccent(institutions.name || ' ' || institutions.city \
                         || ' ' || countries.name || ' ' || coalesce(destinations.considerations, ''))), \
                         '[^[:alnum:]]+') AS part WHERE starts_with(part, w)))",
                    ),
            );
        }
        None => {}
    }
    if let Some((sort_key, id)) = after {
        query = query.filter(
            sql::<Bool>("(destinations.sort_key COLLATE \"C\", destinations.id) > (")
                .bind::<Text, _>(sort_key)
                .sql(" COLLATE \"C\", ")
                .bind::<diesel::sql_types::Uuid, _>(id)
                .sql(")"),
        );
    }
    let mut rows: Vec<(Uuid, String)> = query
        .order((
            sql::<Text>("destinations.sort_key COLLATE \"C\"").asc(),
            destinations::id.asc(),
        ))
        .limit(limit + 1)
        .load(conn)?;
    let more = rows.len() as i64 > limit;
    rows.truncate(limit as usize);
    let next = rows
        .last()
        .filter(|_| more)
        .map(|(id, key)| (key.clone(), *id));
    Ok((rows.into_iter().map(|(id, _)| id).collect(), next))
}
