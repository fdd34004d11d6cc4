//! Countries with their travel advice.

use crate::audit::{self, Actor};
use crate::page::{Cursor, Page};
use crate::schema::countries;
use crate::{StorageError, Upserted};
use abroad_domain::{CountryCode, CountryUpdate, TravelAdvice};
use chrono::{DateTime, Utc};
use diesel::dsl::now;
use diesel::prelude::*;
use serde::Serialize;

/// A stored country. `advice` is one of the [`TravelAdvice`] levels (a `CHECK` holds it).
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Serialize)]
#[diesel(table_name = countries)]
pub struct Country {
    pub code: String,
    pub name: String,
    pub advice: String,
    pub advice_updated_at: DateTime<Utc>,
}

pub fn get(conn: &mut PgConnection, code: &CountryCode) -> Result<Country, StorageError> {
    Ok(countries::table
        .find(code.as_str())
        .select(Country::as_select())
        .first(conn)?)
}

/// Countries in code order, optionally only those with one advice level.
pub fn list(
    conn: &mut PgConnection,
    advice: Option<TravelAdvice>,
    after: Option<Cursor<String>>,
    limit: i64,
) -> Result<Page<Country>, StorageError> {
    let mut query = countries::table.select(Country::as_select()).into_boxed();
    if let Some(advice) = advice {
        query = query.filter(countries::advice.eq(advice.as_str()));
    }
    if let Some(Cursor(last_code)) = after {
        query = query.filter(countries::code.gt(last_code));
    }
    let rows = query
        .order(countries::code.asc())
        .limit(limit + 1)
        .load(conn)?;
    Ok(Page::from_rows(rows, limit, |c| c.code.clone()))
}

/// Creates or changes a country and audits it, in one transaction.
///
/// `advice_updated_at` moves only when the advice itself changes: it is the date the
/// current advice was set, which students and the office read as such.
pub fn upsert(
    conn: &mut PgConnection,
    actor: &Actor,
    code: &CountryCode,
    update: &CountryUpdate,
) -> Result<(Country, Upserted), StorageError> {
    conn.transaction(|conn| {
        crate::catalogue::lock_for_change(conn)?;
        let inserted = diesel::insert_into(countries::table)
            .values((
                countries::code.eq(code.as_str()),
                countries::name.eq(&update.name),
                countries::advice.eq(update.advice.as_str()),
            ))
            .on_conflict_do_nothing()
            .returning(Country::as_returning())
            .get_result(conn)
            .optional()?;
        if let Some(created) = inserted {
            audit::record(
                conn,
                actor,
                "country.created",
                "country",
                code.as_str(),
                None::<&Country>,
                Some(&created),
            )?;
            return Ok((created, Upserted::Created));
        }

        let before: Country = countries::table
            .find(code.as_str())
            .select(Country::as_select())
            .for_update()
            .first(conn)?;
        let advice_changed = before.advice != update.advice.as_str();
        if before.name == update.name && !advice_changed {
            return Ok((before, Upserted::Unchanged));
        }
        let target = countries::table.find(code.as_str());
        let after: Country = if advice_changed {
            diesel::update(target)
                .set((
                    countries::name.eq(&update.name),
                    countries::advice.eq(update.advice.as_str()),
                    countries::advice_updated_at.eq(now),
                ))
                .returning(Country::as_returning())
                .get_result(conn)?
        } else {
            diesel::update(target)
                .set(countries::name.eq(&update.name))
                .returning(Country::as_returning())
                .get_result(conn)?
        };
        audit::record(
            conn,
            actor,
            "country.updated",
            "country",
            code.as_str(),
            Some(&before),
            Some(&after),
        )?;
        Ok((after, Upserted::Updated))
    })
}
