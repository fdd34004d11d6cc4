//! Partner institutions.

use crate::audit::{self, Actor};
use crate::page::{Cursor, Page};
use crate::schema::{countries, destinations, institutions};
use crate::{StorageError, Viewer, like_pattern};
use abroad_domain::{CountryCode, InstitutionDraft, Violation};
use chrono::{DateTime, Utc};
use diesel::dsl::{exists, now};
use diesel::prelude::*;
use serde::Serialize;
use uuid::Uuid;

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Serialize)]
#[diesel(table_name = institutions)]
pub struct Institution {
    pub id: Uuid,
    pub name: String,
    pub country: String,
    pub city: String,
    pub website: Option<String>,
    pub erasmus_code: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, AsChangeset, Insertable)]
#[diesel(table_name = institutions, treat_none_as_null = true)]
struct Row<'a> {
    name: &'a str,
    country: &'a str,
    city: &'a str,
    website: Option<&'a str>,
    erasmus_code: Option<&'a str>,
}

impl<'a> From<&'a InstitutionDraft> for Row<'a> {
    fn from(d: &'a InstitutionDraft) -> Self {
        Row {
            name: &d.name,
            country: d.country.as_str(),
            city: &d.city,
            website: d.website.as_deref(),
            erasmus_code: d.erasmus_code.as_deref(),
        }
    }
}

/// Which institutions a list asks for.
#[derive(Debug, Clone, Default)]
pub struct InstitutionFilter {
    pub country: Option<CountryCode>,
    /// Part of the name or city, any case.
    pub q: Option<String>,
}

pub fn get(conn: &mut PgConnection, id: Uuid) -> Result<Institution, StorageError> {
    Ok(institutions::table
        .find(id)
        .select(Institution::as_select())
        .first(conn)?)
}

/// The institution of this name (any case) in this country, if there is one.
pub fn find(
    conn: &mut PgConnection,
    name: &str,
    country: &CountryCode,
) -> Result<Option<Institution>, StorageError> {
    Ok(institutions::table
        .filter(
            diesel::dsl::sql::<diesel::sql_types::Bool>("lower(institutions.name) = lower(")
                .bind::<diesel::sql_types::Text, _>(name)
                .sql(")"),
        )
        .filter(institutions::country.eq(country.as_str()))
        .select(Institution::as_select())
        .first(conn)
        .optional()?)
}

/// Institutions by name, then id.
pub fn list(
    conn: &mut PgConnection,
    filter: &InstitutionFilter,
    after: Option<Cursor<(String, Uuid)>>,
    limit: i64,
) -> Result<Page<Institution>, StorageError> {
    let mut query = institutions::table
        .select(Institution::as_select())
        .into_boxed();
    if let Some(country) = &filter.country {
        query = query.filter(institutions::country.eq(country.as_str()));
    }
    if let Some(q) = &filter.q {
        let pattern = like_pattern(q);
        query = query.filter(
            institutions::name
                .ilike(pattern.clone())
                .or(institutions::city.ilike(pattern)),
        );
    }
    if let Some(Cursor((name, id))) = after {
        query = query.filter(
            institutions::name
                .gt(name.clone())
                .or(institutions::name.eq(name).and(institutions::id.gt(id))),
        );
    }
    let rows = query
        .order((institutions::name.asc(), institutions::id.asc()))
        .limit(limit + 1)
        .load(conn)?;
    Ok(Page::from_rows(rows, limit, |i| (i.name.clone(), i.id)))
}

/// Stores a new institution and audits it.
pub fn create(
    conn: &mut PgConnection,
    actor: &Actor,
    draft: &InstitutionDraft,
) -> Result<Institution, StorageError> {
    conn.transaction(|conn| {
        crate::catalogue::lock_for_change(conn)?;
        require_country(conn, &draft.country)?;
        let created: Institution = diesel::insert_into(institutions::table)
            .values(Row::from(draft))
            .returning(Institution::as_returning())
            .get_result(conn)?;
        audit::record(
            conn,
            actor,
            "institution.created",
            "institution",
            &created.id.to_string(),
            None::<&()>,
            Some(&created),
        )?;
        Ok(created)
    })
}

/// Changes an institution under a row lock: `change` sees it as stored and returns what
/// it should become, so two changes at once never lose each other's fields.
///
/// A faculty's coordinator changes one only while every destination at it is owned
/// by that faculty (SPEC.md); the lock also holds off new destinations meanwhile.
pub fn update(
    conn: &mut PgConnection,
    actor: &Actor,
    id: Uuid,
    viewer: &Viewer,
    change: impl FnOnce(&Institution) -> Result<InstitutionDraft, StorageError>,
) -> Result<Institution, StorageError> {
    conn.transaction(|conn| {
        crate::catalogue::lock_for_change(conn)?;
        let before: Institution = institutions::table
            .find(id)
            .select(Institution::as_select())
            .for_update()
            .first(conn)?;
        if let Some(faculty) = viewer.faculty() {
            let shared: bool = diesel::select(exists(
                destinations::table
                    .filter(destinations::institution_id.eq(id))
                    .filter(destinations::faculty.is_distinct_from(faculty)),
            ))
            .get_result(conn)?;
            if shared {
                return Err(StorageError::Forbidden(format!(
                    "you coordinate faculty {faculty}: this institution has destinations not owned by {faculty}"
                )));
            }
        }
        let draft = change(&before)?;
        require_country(conn, &draft.country)?;
        let after: Institution = diesel::update(institutions::table.find(id))
            .set((Row::from(&draft), institutions::updated_at.eq(now)))
            .returning(Institution::as_returning())
            .get_result(conn)?;
        if after.name != before.name
            || after.country != before.country
            || after.city != before.city
            || after.website != before.website
            || after.erasmus_code != before.erasmus_code
        {
            audit::record(
                conn,
                actor,
                "institution.updated",
                "institution",
                &id.to_string(),
                Some(&before),
                Some(&after),
            )?;
        }
        Ok(after)
    })
}

/// The country must be in the catalogue: its travel advice is what keeps students safe.
fn require_country(conn: &mut PgConnection, country: &CountryCode) -> Result<(), StorageError> {
    let known: bool =
        diesel::select(exists(countries::table.find(country.as_str()))).get_result(conn)?;
    if known {
        Ok(())
    } else {
        Err(StorageError::Invalid(vec![Violation::new(
            "country",
            "unknown_country",
            format!(
                "`{country}` is not in the catalogue yet; add it with PUT /api/v1/countries/{country}"
            ),
        )]))
    }
}
